"""Walk one proof on a concrete instance: every inequality of the proof with the values of
both sides and its verdict, exact where the instance is rational (Fractions / SymPy) and
certified (arb balls) where it is not.

Examples:
  rankcollapse explain corollary-2                  # path example, n = 4, eps = 1/3
  rankcollapse explain corollary-2 --instance n=5 --instance eps=1/4
  rankcollapse explain theorem-3-1 --instance k=2,signs=+-
  rankcollapse explain theorem-1 --format json      # machine-readable list of steps
  rankcollapse explain lemma-11 --format latex
  rankcollapse explain --list                       # claims with a walkthrough

A claim without a walkthrough prints its statement, what its proof uses and where it is
encoded.  Exit status: 0 when every comparison came out as expected (negative controls,
marked as such, are expected to fail), 1 otherwise.
"""
from __future__ import annotations

import json

from numeric.errors import RankCollapseError

NAME = "explain"
HELP = "walk one proof on a concrete instance, every inequality with both sides"


def configure(p):
    p.add_argument("claim", nargs="?", metavar="CLAIM", help="claim id (see --list)")
    p.add_argument("--instance", action="append", metavar="KEY=VALUE",
                   help="instance parameter (repeatable, or comma-separated); the "
                        "walkthrough's parameters and defaults are listed by --list")
    p.add_argument("--format", choices=("markdown", "json", "latex"), default="markdown",
                   help="output format (markdown, the default, reads well in a terminal)")
    p.add_argument("--list", action="store_true",
                   help="list the claims with a walkthrough and their parameters")


def _no_walkthrough(c, fmt: str) -> str:
    uses = c.uses
    where = f"{c.check.__module__}.{c.check.__qualname__}"
    if fmt == "json":
        return json.dumps({"claim": c.id, "ref": c.ref, "statement": c.statement,
                           "uses": uses, "function": where, "test": c.test,
                           "notes": c.notes, "walkthrough": None}, indent=1)
    lines = [f"# {c.id} ({c.ref})", "", f"**Statement.** {c.statement}", ""]
    if uses["paper"] == uses["ours"]:
        lines.append(f"- uses: {', '.join(uses['paper']) or 'nothing'}")
    else:
        lines.append(f"- uses, paper's route: {', '.join(uses['paper']) or 'nothing'}")
        lines.append(f"- uses, our route: {', '.join(uses['ours']) or 'nothing'}")
    lines += [f"- encoded in: `{where}`", f"- test: `{c.test}`",
              f"- notes: paper_notes.md, section \"{c.notes}\"",
              f"- evidence: `rankcollapse verify --claim {c.id} -v`", "",
              "No walkthrough exists yet for this claim (`rankcollapse explain --list` shows "
              "those that have one)."]
    if fmt == "latex":
        from rankcollapse.explain.core import _tt
        items = [x[2:] for x in lines if x.startswith("- ")]
        return "\n".join([rf"\section*{{{_tt(c.id)} ({_tt(c.ref)})}}",
                          rf"\paragraph{{Statement.}} {_tt(c.statement)}", r"\begin{itemize}"]
                         + [rf"\item {_tt(x.replace('`', ''))}" for x in items]
                         + [r"\end{itemize}", "No walkthrough exists yet for this claim."])
    return "\n".join(lines)


def _formal_section(w, c) -> None:
    """Append the Coq theorems of claim ``c`` to the walkthrough: each statement as Coq
    prints it (only when coqc re-checked it now, or its cache matches the sources), beside
    the paper's statement, with the difference in words."""
    from rankcollapse.claims import formal_report
    rep = formal_report()
    w.section("Formal proof (Coq)",
              "The statement above is the paper's, in our words; below, the Coq theorems that "
              "prove it (or the part named), as Coq prints them.")
    if rep.ok:
        w.note(f"re-checked by coqc ({(rep.coq_version or '').splitlines()[0]})"
               + (", from the cache keyed by the source hash" if rep.cached else "")
               + "; each theorem is closed under the global context")
        for name in c.formal:
            w.note(f"{name}: {rep.theorems.get(name, {}).get('statement', '?')}")
    else:
        w.note("not re-checked: " + (rep.reason or rep.error) + "; the theorems are "
               + ", ".join(c.formal))
    if c.formal_note:
        w.note("Difference from the paper's statement: " + c.formal_note)


def run(args) -> int:
    from rankcollapse.claims import load, walk, walkthroughs
    from rankcollapse.explain import render

    reg = load()
    walks = walkthroughs()
    if args.list:
        for cid, fn in walks.items():
            params = ", ".join(f"{k}={v}" for k, v in fn.walk_params.items())
            print(f"{cid:28s} {params}")
            print(f"{'':28s} {fn.walk_doc.strip().splitlines()[0] if fn.walk_doc else ''}")
        missing = [c for c in reg if c not in walks]
        print(f"\n{len(walks)} walkthroughs; without one: {', '.join(missing)}")
        return 0
    if not args.claim:
        raise RankCollapseError("name a claim (e.g. `rankcollapse explain corollary-2`); "
                                "`rankcollapse explain --list` shows those with a walkthrough")
    if args.claim not in reg:
        raise RankCollapseError(f"unknown claim id {args.claim!r}; see `rankcollapse verify "
                                "--list`")
    if args.claim not in walks:
        if args.instance:
            raise RankCollapseError(f"{args.claim} has no walkthrough, so --instance does "
                                    "not apply")
        print(_no_walkthrough(reg[args.claim], args.format))
        return 0
    w = walk(args.claim, args.instance)
    if reg[args.claim].formal:
        _formal_section(w, reg[args.claim])
    print(render(w, args.format))
    sm = w.summary()
    return 0 if sm["as_expected"] == sm["comparisons"] else 1
