"""The dependency graph of the cards: what each proof uses, on the paper's route and ours.

Nodes are the registered claims and the declared non-claim nodes
(:data:`rankcollapse.claims.NODES`); an edge ``(u, v, route)`` says that the proof of
``v`` uses ``u`` on ``route`` in {"both", "paper", "ours"}.  Everything here is read off
the cards; nothing is stated about a claim that its card does not say.

>>> find_cycle({"a": ["b"], "b": ["a"]})
['a', 'b', 'a']
>>> find_cycle({"a": ["b"], "b": []}) is None
True
"""
from __future__ import annotations

from . import KINDS, NODES, load


def entry(nid: str) -> dict:
    """What the card (or the node declaration) of ``nid`` says, as a dict for the views:
    kind, title, statement, tex, paper, ours, repair, idea_paper, idea_ours, claim."""
    reg = load()
    if nid in reg:
        c = reg[nid]
        u = c.uses
        return {"kind": c.kind, "title": c.title, "statement": c.statement, "tex": c.tex,
                "paper": u["paper"], "ours": u["ours"], "repair": c.repair,
                "idea_paper": c.idea_paper, "idea_ours": c.idea_ours, "claim": True}
    if nid in NODES:
        n = NODES[nid]
        return {"kind": n.kind, "title": n.title, "statement": n.statement, "tex": n.tex,
                "paper": [], "ours": [], "repair": "", "idea_paper": n.idea_paper,
                "idea_ours": n.idea_ours, "claim": False, "module": n.module}
    raise KeyError(f"{nid!r} is neither a registered claim nor a declared node")


def adjacency(route: str) -> dict[str, list[str]]:
    """``{node: [nodes its proof uses on route]}`` for route "paper", "ours" or "both"
    (the union)."""
    reg = load()
    out = {nid: [] for nid in NODES}
    for cid, c in reg.items():
        u = c.uses
        out[cid] = (list(dict.fromkeys(u["paper"] + u["ours"])) if route == "both"
                    else list(u[route]))
    return out


def problems() -> list[str]:
    """What is wrong with the cards' graph: a use naming no claim or node, a node nothing
    uses, an unknown kind, a cycle."""
    reg = load()
    known = set(reg) | set(NODES)
    out = []
    used = set()
    for cid, c in reg.items():
        for route, ids in c.uses.items():
            for u in ids:
                used.add(u)
                if u not in known:
                    out.append(f"{cid} uses {u!r} ({route} route), which is neither a "
                               "registered claim nor a declared node")
    for nid, n in NODES.items():
        if n.kind not in KINDS:
            out.append(f"node {nid} has kind {n.kind!r}")
        if nid not in used:
            out.append(f"node {nid} is declared but no card uses it")
    cyc = find_cycle(adjacency("both"))
    if cyc:
        out.append("cycle: " + " -> ".join(cyc))
    return out


def find_cycle(adj: dict) -> list[str] | None:
    """A cycle of ``adj`` ({node: [successors]}) as ``[a, b, ..., a]``, or ``None``."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict = {}
    stack: list[str] = []

    def visit(u):
        colour[u] = GREY
        stack.append(u)
        for v in adj.get(u, []):
            c = colour.get(v, WHITE)
            if c == GREY:
                return stack[stack.index(v):] + [v]
            if c == WHITE:
                found = visit(v)
                if found:
                    return found
        stack.pop()
        colour[u] = BLACK
        return None

    for u in adj:
        if colour.get(u, WHITE) == WHITE:
            found = visit(u)
            if found:
                return found
    return None


def ancestors(nid: str, route: str) -> set[str]:
    """Every node the proof of ``nid`` rests on along ``route`` (transitively)."""
    adj = adjacency(route)
    seen: set[str] = set()
    todo = list(adj.get(nid, []))
    while todo:
        u = todo.pop()
        if u not in seen:
            seen.add(u)
            todo.extend(adj.get(u, []))
    return seen


def graph(registry=None) -> dict:
    """``{"nodes": {id: entry}, "edges": [(used, user, route)]}``: every registered claim,
    every declared node, and an edge per use with route in {"both", "paper", "ours"}."""
    reg = load() if registry is None else registry
    nodes = {cid: entry(cid) for cid in reg}
    for nid in NODES:
        nodes.setdefault(nid, entry(nid))
    edges = []
    for cid in list(nodes):
        p, o = nodes[cid]["paper"], nodes[cid]["ours"]
        for u in dict.fromkeys(p + o):
            if u not in nodes:
                continue  # dangling: reported by problems()
            route = "both" if (u in p and u in o) else ("paper" if u in p else "ours")
            edges.append((u, cid, route))
    return {"nodes": nodes, "edges": edges}


def route_subgraph(target: str, route: str) -> dict:
    """The part of the graph the proof of ``target`` rests on along ``route``: its nodes
    (``target`` and its ancestors) and only the real ``uses`` edges among them."""
    keep = ancestors(target, route) | {target}
    adj = adjacency(route)
    edges = [(u, v) for v in keep for u in adj.get(v, []) if u in keep]
    return {"nodes": sorted(keep), "edges": sorted(edges)}
