"""Write the blueprint: a static, self-contained HTML site (works offline, no CDN) with the
dependency graph of every definition, lemma, corollary, theorem, remark and finding
(nodes coloured by status, marked by kind, level and scope; the paper's and our route to
Theorem 1 side by side) and a page per claim: statement with its mathematics as MathML,
the two proof ideas, the evidence with its numbers, the witness, the function, the test
and the figure.

Examples:
  rankcollapse blueprint --out site                      # runs every claim (~30 s)
  rankcollapse verify --json > v.json && rankcollapse blueprint --out site --from-json v.json
  rankcollapse blueprint --out site --figures figs       # embed PNGs of `rankcollapse figures`
  rankcollapse blueprint --out site --no-evidence        # the graph and pages only (~25 s with Coq: coqdoc)
  rankcollapse blueprint --out site --screenshot         # also PNGs via headless Chromium
  rankcollapse blueprint --out site --pdf                # also site/blueprint.pdf (every page)

Open site/index.html in a browser.
"""
from __future__ import annotations

from rankcollapse import argtypes

import subprocess
from pathlib import Path

from numeric.errors import RankCollapseError

NAME = "blueprint"
HELP = "write a static HTML site: dependency graph and a page per claim"


def configure(p):
    p.add_argument("--out", required=True, metavar="DIR", type=argtypes.output_dir("--out"),
                   help="output directory (created if missing; checked before any work)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--from-json", metavar="FILE",
                   help="reuse the output of `rankcollapse verify --json` instead of running "
                        "the claims")
    g.add_argument("--no-evidence", action="store_true",
                   help="do not run the claims (pages without evidence)")
    p.add_argument("--claim", action="append", metavar="ID",
                   help="run only these claims for the evidence (repeatable)")
    p.add_argument("--figures", metavar="DIR",
                   help="directory written by `rankcollapse figures`; its PNGs are copied "
                        "into the site and shown on the claims they illustrate")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="seed of the claims' checks, an integer >= 0 (0)")
    p.add_argument("--pdf", action="store_true",
                   help="also print every page, in paper order, to DIR/blueprint.pdf with "
                        "headless Chromium (the site's book.html with its print stylesheet)")
    p.add_argument("--screenshot", action="store_true",
                   help="also take screenshots of the graph page and of each repaired theorem's page "
                        "with headless Chromium (if installed)")


def run(args) -> int:
    from rankcollapse import blueprint as BP
    from rankcollapse.claims import load

    reg = load()
    if args.claim:
        bad = [c for c in args.claim if c not in reg]
        if bad:
            raise RankCollapseError(f"unknown claim id(s) {bad}; see `rankcollapse verify "
                                    "--list`")
    try:
        figdir_ok = not args.figures or Path(args.figures).is_dir()
    except OSError as exc:
        raise RankCollapseError(f"--figures {args.figures[:80]!r}: {exc.strerror}") from None
    if not figdir_ok:
        raise RankCollapseError(f"--figures {args.figures[:80]}: not a directory")
    if args.from_json:
        results = BP.load_results(args.from_json)
    elif args.no_evidence:
        results = []
    else:
        results = BP.run_results(args.claim, seed=args.seed)
    info = BP.build(args.out, results, figures=args.figures)
    print(f"wrote {info['index']} ({len(info['nodes'])} nodes, {len(info['edges'])} edges, "
          f"{len(info['pages'])} pages)")
    if args.pdf:
        from rankcollapse.blueprint import browser
        exe = browser.find()
        if not exe:
            raise RankCollapseError("--pdf needs Chromium on the PATH (Debian: apt-get "
                                    f"install chromium); the site is written, and "
                                    f"{info['book']} prints from any browser")
        try:
            pdf = browser.print_pdf(info["book"], Path(args.out) / "blueprint.pdf", exe=exe)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            raise RankCollapseError(f"--pdf: Chromium did not print the book ("
                                    f"{' '.join(str(exc).split())[:200]}); the site is written "
                                    f"and {info['book']} prints from any browser") from None
        print(f"wrote {pdf} ({pdf.stat().st_size // 1024} KiB)")
    if args.screenshot:
        from rankcollapse.blueprint import browser
        exe = browser.find()
        if not exe:
            print("no Chromium found: no screenshots (install Debian's `chromium`)")
            return 0
        from rankcollapse.claims import load
        # the graph, and the page of each theorem whose card repairs the paper's route
        shots = [("graph", info["index"])] + [
            (c.id, Path(args.out) / "claims" / f"{c.id}.html") for c in load().values()
            if c.kind == "theorem" and c.repair]
        for name, page in shots:
            png = Path(args.out) / f"screenshot-{name}.png"
            browser.screenshot(page, png, exe=exe)
            print(f"screenshot {png}: {browser.colour_stats(png)}")
    return 0
