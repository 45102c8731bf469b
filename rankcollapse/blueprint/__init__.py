"""The blueprint: a static, self-contained HTML site of the claims and their dependencies.

``build(out, results)`` writes

* ``index.html``: the dependency graph of every node (claims and the non-claim nodes they
  use) as inline SVG, layered by topological level, nodes coloured by status and marked
  by kind, level and scope; above it the two routes to Theorem 1 as chains;
* ``claims.html``: a table of every node;
* ``claims/<id>.html``: one page per node: statement (with MathML), what the proof uses on
  the paper's route and on ours, the two proof ideas side by side, the evidence with its
  labelled numbers, the witness, the function, the test, and the figure.

No external resource is referenced: CSS is inline, mathematics is MathML (rendered by the
browser natively, converted from LaTeX by ``latex2mathml``), the graph is SVG, figures are
copied next to the pages.  ``results`` is the ``claims`` list of ``rankcollapse verify
--json`` (or ``None`` for a site without evidence).
"""
from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path


from . import graph as G
from . import html as H

__all__ = ["build", "load_results", "run_results"]


def load_results(path) -> list[dict]:
    """The claims of a ``rankcollapse verify --json`` document."""
    from numeric.errors import RankCollapseError
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise RankCollapseError(f"--from-json {path}: cannot read a verify --json document "
                                f"({exc})") from None
    claims = doc.get("claims") if isinstance(doc, dict) else doc
    if not isinstance(claims, list) or not all(isinstance(c, dict) and "id" in c
                                               for c in claims):
        raise RankCollapseError(f"--from-json {path}: expected the output of `rankcollapse "
                                "verify --json` (a 'claims' list with ids)")
    return claims


def run_results(ids=None, seed: int = 0, progress: bool = True) -> list[dict]:
    """Run the claims (default configuration) with a progress line."""
    from rankcollapse.claims import Config, load, run
    from rankcollapse.progress import Progress

    reg = load()
    chosen = [reg[i] for i in ids] if ids else [c for c in reg.values() if c.default]
    out = []
    with Progress("blueprint: running claims", len(chosen), enabled=progress, delay=0.5) as p:
        for k, c in enumerate(chosen):
            p.update(k, c.id)
            out.append(run(c, Config(seed=seed)))
    return out


def book_order(registry) -> list[str]:
    """Paper order for the book: each card module's claims (in CARD_MODULES order), then
    the non-claim nodes declared in that module."""
    from rankcollapse.claims import CARD_MODULES, NODES
    out = []
    for mod, _ in CARD_MODULES:
        full = f"rankcollapse.claims.{mod}"
        out += [c.id for c in registry.values() if c.module == full]
        out += [n.id for n in NODES.values() if n.module == full]
    return out


def _figures(figdir, names, out: Path) -> list:
    got = []
    for name in names:
        rel = None
        if figdir:
            src = Path(figdir) / f"{name}.png"
            if src.exists():
                dst = out / "figures" / src.name
                dst.parent.mkdir(parents=True, exist_ok=True)
                if not dst.exists():
                    shutil.copyfile(src, dst)
                rel = f"../figures/{src.name}"
        got.append((name, rel))
    return got


def build(out, results: list[dict] | None = None, *, figures=None) -> dict:
    """Write the site into ``out``; returns ``{"index": path, "pages": [...], ...}``."""
    from rankcollapse.claims import load
    from rankcollapse.claims.uses_graph import graph

    out = Path(out)
    (out / "claims").mkdir(parents=True, exist_ok=True)
    reg = load()
    res = {r["id"]: r for r in (results or [])}
    g = graph(reg)
    nodes, edges = g["nodes"], g["edges"]
    used_by: dict = {}
    for u, v, _ in edges:
        used_by.setdefault(u, set()).add(v)
    coq_docs = False
    if any(c.formal for c in reg.values()):
        import sys

        from rankcollapse import formal
        from rankcollapse.progress import Heartbeat
        if formal.coq_version():
            print("[blueprint] rendering the Coq proofs with coqdoc (builds formal/ first unless "
                  "cached by source hash: about 20 s)", file=sys.stderr, flush=True)
        with Heartbeat("blueprint", "coqdoc", every=10.0):
            coq_docs = formal.coqdoc_html(out / "coq") == ""
    pages, bodies = [], []
    for nid, e in nodes.items():
        c = reg.get(nid)
        body = H.claim_body(nid, e, c, res.get(nid), used_by,
                            _figures(figures, c.figures if c else (), out),
                            bool(c and c.walkthrough), coq_docs)
        bodies.append((nid, body))
        p = out / "claims" / f"{nid}.html"
        p.write_text(H.page(f"{nid} - rankcollapse blueprint", body, up="../"))
        pages.append(p)
    # index: legend, routes, graph
    counts = {s: sum(1 for r in res.values() if r.get("status") == s)
              for s in ("holds", "fails", "open", "error")}
    legend = ['<p class="legend">']
    for s in ("holds", "fails", "open", "error", None):
        legend.append(f'<span><i class="swatch" style="background:{G.STATUS_FILL[s]};'
                      f'border-color:{G.STATUS_STROKE[s]}"></i>{s or "not run"}</span>')
    legend.append(f'<span><i class="swatch" style="background:#fff;border:3px solid '
                  f'{G.FORMAL_STROKE}"></i>\u2714 Coq: a part proved in Coq and re-checked '
                  'in this run</span>')
    legend.append('<span><i class="swatch" style="background:#fff;border-style:dashed"></i>'
                  'not a claim (assumption / background)</span>')
    for route, (col, dash) in G.ROUTE_STYLE.items():
        name = {"both": "used on both routes", "paper": "paper's route only",
                "ours": "our route only"}[route]
        legend.append(f'<span><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" '
                      f'stroke="{col}" stroke-width="2" stroke-dasharray="{dash}"/></svg> '
                      f'{name}</span>')
    legend.append(f'<span><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" '
                  f'stroke="{G.BROKEN}" stroke-width="2.4"/></svg> broken step: the statement '
                  "used fails as printed</span>")
    legend.append("</p><p class=\"muted\">Node: kind tag (Def, Lem, Cor, Thm, Rem, Fnd, Asm, "
                  "Exp), id, then status · level (formal / exact / cert = certified / hp / num) · "
                  "scope (universal / exhaustive / sampled / mixed / witness). Columns are topological levels: "
                  "an arrow goes from what is used to what uses it. Every node links to its "
                  "page.</p>")
    summary = (f"{len(reg)} claims, {len(nodes) - len(reg)} non-claim nodes, {len(edges)} "
               "edges; " + (", ".join(f"{v} {k}" for k, v in counts.items()) +
                            " in the evidence used" if res else "built without evidence"))
    routes = ""
    for t in (c for c in reg.values() if c.kind == "theorem" and c.repair):
        strips = G.routes_svg(t.id, nodes, res)
        routes += (f'<h2 id="routes-{escape(t.id)}">{escape(t.ref)}: what <code>'
                   f"{escape(t.id)}</code> rests on, on the paper's route and on ours</h2>"
                   '<p class="muted">Each picture is the part of the graph below that the '
                   "proof rests on along one route, with only that route's uses edges.</p>")
        for k, title, idea in (("paper", "The paper's route", t.idea_paper),
                               ("ours", "Our route", t.idea_ours)):
            routes += (f'<h3 style="color:{G.ROUTE_STYLE[k][0]}">{title}</h3>'
                       f'<p>{escape(idea)}</p><div class="graphbox">{strips[k]}</div>')
        routes += f"<p><b>What differs:</b> {escape(t.repair)}</p>"
    body = (f"<h1>Dependency graph of the claims</h1><p>{escape(summary)}</p>"
            + "".join(legend)
            + routes +
            "<h2>All definitions, lemmas, corollaries, theorems, remarks and findings</h2>"
            + H.GRAPH_TOOLS +
            f'<div class="graphbox">{G.svg(g, res)}</div>' + H.GRAPH_SCRIPT)
    index = out / "index.html"
    index.write_text(H.page("rankcollapse blueprint: dependency graph", body))
    # the table of every node
    rows = []
    for nid, e in nodes.items():
        r = res.get(nid, {})
        c = reg.get(nid)
        st = r.get("status", "-" if c else "(not a claim)")
        rows.append(f'<tr><td><a href="claims/{escape(nid)}.html"><code>{escape(nid)}</code>'
                    f'</a></td><td>{escape(e["kind"])}</td><td>{escape(c.ref if c else e.get("title", ""))}'
                    f'</td><td style="color:{H.STATUS_COLOUR.get(st, "#111")}">{escape(st)}</td>'
                    f'<td>{escape(str(r.get("level") or "-"))}</td><td>'
                    f'{escape((r.get("scope") or {}).get("kind", "-"))}</td></tr>')
    table = ("<h1>Every node</h1><table><tr><th>id</th><th>kind</th><th>reference</th>"
             "<th>status</th><th>level</th><th>scope</th></tr>" + "".join(rows) + "</table>")
    (out / "claims.html").write_text(H.page("rankcollapse blueprint: all claims", table))
    book = out / "book.html"
    by_id = dict(bodies)
    order = [nid for nid in book_order(reg) if nid in by_id]
    order += [nid for nid in by_id if nid not in order]
    intro = ("<p>" + escape(summary) + ".</p>" + "".join(legend) + routes +
             "<h2>All definitions, lemmas, corollaries, theorems, remarks and findings</h2>"
             f'<div class="graphbox">{G.svg(g, res, href=lambda n: f"#{n}", svg_id="bookgraph", fit=True)}</div>')
    book.write_text(H.book([(nid, by_id[nid]) for nid in order], intro))
    return {"index": index, "table": out / "claims.html", "pages": pages, "book": book,
            "nodes": list(nodes), "edges": edges}
