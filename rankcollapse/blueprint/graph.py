"""Layered layout of the dependency graph, drawn as SVG (no external tools).

Levels are topological: a node's level is one more than the largest level of what it uses
(sources, e.g. assumptions and definitions, at level 0), so every edge points from left
to right.  Within a column nodes are ordered by a few barycentre sweeps to reduce
crossings.  Every node is a link to ``claims/<id>.html``.
"""
from __future__ import annotations

from html import escape

NODE_W, NODE_H = 206, 46
GAP_X, GAP_Y = 64, 12
PAD = 24

STATUS_FILL = {"holds": "#d1fae5", "fails": "#fee2e2", "open": "#fef3c7",
               "error": "#ede9fe", None: "#f3f4f6"}
STATUS_STROKE = {"holds": "#059669", "fails": "#dc2626", "open": "#d97706",
                 "error": "#7c3aed", None: "#9ca3af"}
ROUTE_STYLE = {"both": ("#6b7280", ""), "paper": ("#c2410c", "6 4"), "ours": ("#1d4ed8", "")}
KIND_TAG = {"definition": "Def", "lemma": "Lem", "corollary": "Cor", "theorem": "Thm",
            "remark": "Rem", "finding": "Fnd", "assumption": "Asm", "experiment": "Exp"}
LEVEL_TAG = {"formal": "formal", "exact": "exact", "certified": "cert", "numeric-hp": "hp",
             "numeric": "num"}
#: a claim with a part re-checked by Coq in the evidence: leanblueprint's convention of a
#: distinct border and a tick
FORMAL_STROKE = "#1e3a8a"


def formal_holds(res: dict | None) -> bool:
    """True when the claim's evidence contains a part at level ``formal`` that holds
    (Coq re-checked it in the run that produced the evidence)."""
    if not res:
        return False
    parts = (res.get("evidence") or {}).get("parts") or []
    return any(p.get("level") == "formal" and p.get("status") == "holds" for p in parts)


def levels(nodes, edges) -> dict:
    """Longest-path level of every node (edges ``(used, user, route)``)."""
    preds = {n: [] for n in nodes}
    for u, v, _ in edges:
        preds[v].append(u)
    memo: dict = {}

    def lev(n, seen=()):
        if n in memo:
            return memo[n]
        if n in seen:
            raise ValueError(f"cycle through {n}")
        memo[n] = 0 if not preds[n] else 1 + max(lev(p, seen + (n,)) for p in preds[n])
        return memo[n]

    for n in nodes:
        lev(n)
    return memo


DUMMY_H = 8          # height of the slot a long edge takes in a column it passes through


def layout(nodes: dict, edges) -> dict:
    """``{id: (x, y)}`` (top-left corners), the canvas size under key ``None``, and under
    key ``"waypoints"`` a list of ``(x, y)`` per long edge ``(u, v)``: an edge that skips
    columns takes a thin slot of its own in each column it crosses (a dummy node, placed
    by the same barycentre sweeps), so it is drawn between the boxes, never across one."""
    lv = levels(nodes, edges)
    ncol = max(lv.values(), default=0) + 1
    kinds = list(KIND_TAG)
    cols = [sorted((n for n in nodes if lv[n] == c),
                   key=lambda n: (kinds.index(nodes[n]["kind"]) if nodes[n]["kind"] in kinds
                                  else 99, n)) for c in range(ncol)]
    preds: dict = {n: [] for n in nodes}
    succs: dict = {n: [] for n in nodes}
    chains = {}
    for u, v, _ in edges:
        prev = u
        chain = []
        for c in range(lv[u] + 1, lv[v]):
            dmy = ("dummy", u, v, c)
            cols[c].append(dmy)
            preds[dmy], succs[dmy] = [], []
            chain.append(dmy)
            preds[dmy].append(prev)
            succs[prev].append(dmy)
            prev = dmy
        preds[v].append(prev)
        succs[prev].append(v)
        chains[(u, v)] = chain

    def pos_index():
        return {n: i for col in cols for i, n in enumerate(col)}

    for sweep in range(8):
        idx = pos_index()
        rng = range(1, ncol) if sweep % 2 == 0 else range(ncol - 2, -1, -1)
        for c in rng:
            nb = preds if sweep % 2 == 0 else succs

            def bary(n):
                ps = [idx[p] for p in nb[n]]
                return sum(ps) / len(ps) if ps else idx[n]
            cols[c].sort(key=bary)
            idx = pos_index()

    def height(n):
        return DUMMY_H if isinstance(n, tuple) else NODE_H

    col_h = [sum(height(n) for n in col) + max(len(col) - 1, 0) * GAP_Y for col in cols]
    tallest = max(col_h, default=0)
    out: dict = {}
    centre = {}
    for c, col in enumerate(cols):
        y = PAD + (tallest - col_h[c]) / 2
        x = PAD + c * (NODE_W + GAP_X)
        for n in col:
            if isinstance(n, tuple):
                centre[n] = (x, y + DUMMY_H / 2)
            else:
                out[n] = (x, y)
            y += height(n) + GAP_Y
    out[None] = (2 * PAD + ncol * NODE_W + (ncol - 1) * GAP_X, 2 * PAD + tallest)
    out["waypoints"] = {e: [centre[d] for d in ch] for e, ch in chains.items()}
    return out


def _squeeze(label: str, room: float) -> str:
    """SVG attributes that fit the whole ``label`` into ``room`` pixels (monospace, about
    7.3 px a character): nothing when it fits, else ``textLength`` (never cut)."""
    if len(label) * 7.3 <= room:
        return ""
    return f' textLength="{room:.0f}" lengthAdjust="spacingAndGlyphs"'


def node_svg(nid: str, e: dict, res: dict | None, x: float, y: float, href: str,
             w: int = NODE_W, h: int = NODE_H) -> str:
    status = res.get("status") if res else None
    level = res.get("level") if res else None
    scope = (res.get("scope") or {}).get("kind") if res else None
    fill = STATUS_FILL.get(status, STATUS_FILL[None]) if e.get("claim", True) else "#ffffff"
    stroke = STATUS_STROKE.get(status, STATUS_STROKE[None])
    formal = formal_holds(res)
    kind = e.get("kind", "finding")
    rx = 18 if kind == "assumption" else (2 if kind in ("theorem", "corollary") else 7)
    sw = 2.6 if kind in ("theorem", "corollary") else 1.4
    if formal:
        stroke, sw = FORMAL_STROKE, 3.2
    dash = ' stroke-dasharray="4 3"' if not e.get("claim", True) else ""
    if e.get("claim", True):
        meta = " \u00b7 ".join(x for x in (status or "not run", LEVEL_TAG.get(level, level),
                                             scope) if x)
        if formal:
            meta = "\u2714 Coq \u00b7 " + meta
    else:
        meta = "not a registered claim"
    title = escape(f"{nid} ({kind}): {e.get('statement') or e.get('title') or ''}"
                   + (" [formally proved in Coq, re-checked]" if formal else ""))
    return (f'<a href="{escape(href)}" class="node{" formal" if formal else ""}" '
            f'data-node="{escape(nid)}" data-formal="{"yes" if formal else "no"}">'
            f'<title>{title}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="{rx}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}/>'
            f'<text x="{x + 6:.1f}" y="{y + 17:.1f}" class="tag">{KIND_TAG.get(kind, "?")}</text>'
            f'<text x="{x + 34:.1f}" y="{y + 17:.1f}" class="nid"{_squeeze(nid, w - 40)}>'
            f'{escape(nid)}</text>'
            f'<text x="{x + 6:.1f}" y="{y + 36:.1f}" class="meta">{escape(meta)}</text></a>')


#: an edge from a statement that fails (as printed) to a proof that uses it
BROKEN = "#dc2626"


def broken_edge(used_result: dict | None) -> bool:
    """A step of a route is broken when the statement it uses fails (a claim whose
    evidence says ``fails``: false as printed, e.g. Lemma 2's (12) or Lemma 13)."""
    return bool(used_result) and used_result.get("status") == "fails"


def _curve(x1, y1, x2, y2) -> str:
    dx = max((x2 - x1) / 2, 20)
    return f" C{x1 + dx:.1f},{y1:.1f} {x2 - dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def _edge(x1, y1, x2, y2, route, extra="", broken=False, via=()):
    """An edge from (x1, y1) to (x2, y2); ``via`` are the left ends of the thin slots it
    takes in the columns it crosses (it runs straight through each slot)."""
    colour, dash = ROUTE_STYLE[route]
    marker = f"arrow-{route}"
    width = "1.3"
    if broken:
        colour, marker, width = BROKEN, "arrow-broken", "2.4"
    d = f"M{x1:.1f},{y1:.1f}"
    x, y = x1, y1
    for wx, wy in via:
        d += _curve(x, y, wx, wy) + f" L{wx + NODE_W:.1f},{wy:.1f}"
        x, y = wx + NODE_W, wy
    d += _curve(x, y, x2, y2)
    da = f' stroke-dasharray="{dash}"' if dash else ""
    cls = f"edge route-{route}" + (" broken" if broken else "")
    title = "<title>broken step: the statement used fails as printed</title>" if broken else ""
    return (f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}"{da} '
            f'marker-end="url(#{marker})" class="{cls}"{extra}>{title}</path>')


def _defs():
    out = ["<defs>"]
    for route, (colour, _) in [*ROUTE_STYLE.items(), ("broken", (BROKEN, ""))]:
        out.append(f'<marker id="arrow-{route}" viewBox="0 0 10 10" refX="9" refY="5" '
                   f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    return "".join(out)


STYLE = ("<style>.tag{font:700 11px sans-serif;fill:#374151}.nid{font:600 12px monospace;"
         "fill:#111827}.meta{font:11px sans-serif;fill:#374151}"
         "a.node:hover rect{stroke-width:3}</style>")


def svg(graph: dict, results: dict, href=lambda n: f"claims/{n}.html", *,
        svg_id: str = "depgraph", label: str = "dependency graph of the claims",
        fit: bool = False) -> str:
    """A dependency graph (``graph`` from :func:`rankcollapse.claims.uses_graph.graph`, or
    a part of it) as inline SVG."""
    nodes, edges = graph["nodes"], graph["edges"]
    pos = layout(nodes, edges)
    W, H = pos[None]
    size = (f'width="100%" style="max-width:{W:.0f}px;height:auto"' if fit
            else f'width="{W:.0f}" height="{H:.0f}"')
    parts = [f'<svg id="{escape(svg_id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
             f'{W:.0f} {H:.0f}" {size} role="img" '
             f'aria-label="{escape(label)}">', STYLE, _defs()]
    for u, v, route in edges:
        (x1, y1), (x2, y2) = pos[u], pos[v]
        parts.append(_edge(x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2, route,
                           f' data-from="{escape(u)}" data-to="{escape(v)}"',
                           broken=broken_edge(results.get(u)),
                           via=pos["waypoints"].get((u, v), ())))
    for n, e in nodes.items():
        x, y = pos[n]
        parts.append(node_svg(n, e, results.get(n), x, y, href(n)))
    parts.append("</svg>")
    return "".join(parts)


def routes_svg(target: str, nodes: dict, results: dict,
               href=lambda n: f"claims/{n}.html") -> dict:
    """``{route: svg}``: for the paper's route and ours, the part of the graph the proof of
    ``target`` rests on, with only the real ``uses`` edges of that route."""
    from rankcollapse.claims.uses_graph import route_subgraph
    out = {}
    for route in ("paper", "ours"):
        sub = route_subgraph(target, route)
        g = {"nodes": {n: nodes[n] for n in sub["nodes"]},
             "edges": [(u, v, route) for u, v in sub["edges"]]}
        out[route] = svg(g, results, href, svg_id=f"route-{target}-{route}",
                         label=f"what {target} rests on, {route} route", fit=True)
    return out
