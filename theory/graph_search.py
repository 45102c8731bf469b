"""Graph notions of the paper (Definitions 1-5) on an attention mask, with closed forms.

Edge convention.  A mask ``M`` (dense numpy bool or scipy.sparse bool) has ``M[i, j]`` true
iff token ``i`` attends to token ``j``; in the paper's graph this is the edge ``j -> i``:
information (and, in the proofs, a centre token's influence) flows from the key ``j`` to
the query ``i``.  Distances ``d(u, v)`` count edges of a shortest path ``u -> ... -> v``.
Self-loops never change a distance or a reachability relation.

Definitions (paper, Section 3), in this notation:

1. ``v`` is *reachable* from ``u`` if there is a directed path ``u -> ... -> v``.
2. ``G`` is *strongly connected* if every node is reachable from every other node.
3. A *centre node* is a node from which every node is reachable.
4. ``G`` is *quasi-strongly connected* if it has a centre node.
5. The *radius* is ``min over centres c of max_v d(c, v)``: the smallest out-eccentricity
   of a centre (``math.inf`` when there is no centre).  The *diameter* is
   ``max over ordered pairs (u, v) of d(u, v)`` (``math.inf`` when a pair is unreachable).

How the searches scale (all exact integer BFS, via ``scipy.sparse.csgraph``):

* centres: one strongly-connected-components pass, O(N + E).  The centres are exactly the
  nodes of the source component of the condensation DAG when that source is unique
  (a finite DAG's nodes are all reachable from its sources; two sources reach neither
  each other).
* radius: an eccentricity-bounding search (in the spirit of Takes and Kosters).  Each
  step runs one forward and one backward BFS from a node ``v``, and raises the lower
  bounds ``ecc(w) >= d(w, v)`` and ``ecc(w) >= max_y d(v, y) - d(v, w)`` of every centre
  ``w``; a centre is dropped once its lower bound reaches the best eccentricity found.
  Picks alternate between the centre with the smallest lower bound and a peripheral node
  (the least connected node farthest from the last centre searched).  Exact; 6 BFS runs
  on sliding windows (measured for w = 1 ... 100 at N = 131072), 2 on the causal,
  uni-directional and global-token masks; worst case two runs per node.
* diameter: ``math.inf`` after one SCC pass unless strongly connected; otherwise the
  same bounding search with the upper bound ``ecc(w) <= d(w, v) + ecc(v)``.  Exact; 2-10
  runs on windows with w <= 7 and global tokens, but the count grows with the width of a
  sliding window (130 runs at w = 64) and is N runs in the worst case: O(N (N + E)).
  ``method="all-pairs"`` runs every BFS (blockwise) as a cross-check for moderate N.

Closed forms of the mask families live in :mod:`theory.graph_closed_forms`, the checks of
the definitions and of the paper's remark ``radius <= diameter <= 2 radius`` in
:mod:`theory.graph_checks`; :mod:`theory.graphs` gathers all of them.

>>> from numeric import masks
>>> M = masks.causal(5)
>>> center_nodes(M).tolist(), radius(M), diameter(M)
([0], 1, inf)
>>> radius(masks.sliding_window(9, 2)), diameter(masks.sliding_window(9, 2))
(2, 4)
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import scipy.sparse as sp
import sympy
from scipy.sparse import csgraph

from numeric import masks as _masks
from numeric.errors import MaskError, RankCollapseError

from .evidence import Evidence, exhaustive, merge_scopes, sampled, universal, witness
from .exact_text import as_sympy

__all__ = [
    "SearchLimitExceeded", "paper_graph", "distances_from", "distances_to",
    "reachable_from", "strongly_connected_components", "is_strongly_connected",
    "is_quasi_strongly_connected", "center_nodes", "n_centers", "eccentricity",
    "eccentricities", "radius", "radius_search", "diameter", "diameter_search",
    "SearchResult", "graph_facts", "n_edges_of",
]


class SearchLimitExceeded(RankCollapseError):
    """A bounded graph search needed more BFS runs than the caller allowed."""


# ============================================================================ the graph
def paper_graph(M) -> sp.csr_array:
    """The paper's graph of a mask as a CSR adjacency: ``G[a, b] = 1`` iff edge ``a -> b``
    (token ``b`` attends to token ``a``, i.e. ``M[b, a]``).  Explicit ``False`` entries of a
    sparse mask are dropped.  Never densifies a sparse mask.

    >>> from numeric import masks
    >>> paper_graph(masks.causal(3)).toarray().astype(int)
    array([[1, 1, 1],
           [0, 1, 1],
           [0, 0, 1]])
    """
    M = _masks.as_mask(M)
    n = M.shape[0]
    if sp.issparse(M):
        C = M.tocoo()
        keep = np.asarray(C.data, dtype=bool)
        rows, cols = np.asarray(C.row)[keep], np.asarray(C.col)[keep]
    else:
        rows, cols = np.nonzero(M)
    # edge cols -> rows
    G = sp.csr_array((np.ones(rows.size, dtype=np.float64),
                      (cols.astype(np.int64), rows.astype(np.int64))), shape=(n, n))
    G.sum_duplicates()
    G.data[:] = 1.0
    return G


def _node(M_or_n, u, name="u") -> int:
    n = M_or_n if isinstance(M_or_n, int) else M_or_n.shape[0]
    if isinstance(u, (bool, np.bool_)) or not isinstance(u, (int, np.integer)) \
            or not 0 <= u < n:
        raise MaskError(f"node {name} must be an integer in [0, {n}), got {u!r}")
    return int(u)


def _bfs(G, sources) -> np.ndarray:
    """Unweighted shortest-path lengths from ``sources`` (float array, inf = unreachable;
    the finite values are exact small integers)."""
    return csgraph.dijkstra(G, directed=True, unweighted=True, indices=sources)


def distances_from(M, u) -> np.ndarray:
    """``d(u, v)`` for every node ``v`` along the paper's edges (float array; ``inf`` where
    ``v`` is not reachable from ``u``; finite entries are exact integers).

    >>> from numeric import masks
    >>> distances_from(masks.unidirectional_window(5, 2), 0).tolist()
    [0.0, 1.0, 1.0, 2.0, 2.0]
    """
    G = paper_graph(M)
    return _bfs(G, _node(G.shape[0], u))


def distances_to(M, v) -> np.ndarray:
    """``d(u, v)`` for every node ``u`` (BFS on the reversed graph).

    >>> from numeric import masks
    >>> distances_to(masks.unidirectional_window(4, 1), 0).tolist()
    [0.0, inf, inf, inf]
    """
    G = paper_graph(M)
    return _bfs(sp.csr_array(G.T), _node(G.shape[0], v, "v"))


def reachable_from(M, u) -> np.ndarray:
    """Definition 1: the sorted nodes ``v`` reachable from ``u`` (``u`` included): the
    tokens that token ``u``'s value reaches through repeated attention.

    >>> from numeric import masks
    >>> reachable_from(masks.causal(4), 2).tolist()   # tokens 2, 3 attend (maybe indirectly) to 2
    [2, 3]
    """
    G = paper_graph(M)
    order = csgraph.breadth_first_order(G, _node(G.shape[0], u), directed=True,
                                        return_predecessors=False)
    return np.sort(order)


def strongly_connected_components(M) -> tuple[int, np.ndarray]:
    """Number of strongly connected components and a label per node (scipy's labels)."""
    k, labels = csgraph.connected_components(paper_graph(M), directed=True,
                                             connection="strong")
    return int(k), labels


def is_strongly_connected(M) -> bool:
    """Definition 2: every node reachable from every node (one SCC).

    >>> from numeric import masks
    >>> is_strongly_connected(masks.sliding_window(6, 1)), is_strongly_connected(masks.causal(6))
    (True, False)
    """
    return strongly_connected_components(M)[0] == 1


def _centres_from_graph(G) -> np.ndarray:
    n = G.shape[0]
    k, labels = csgraph.connected_components(G, directed=True, connection="strong")
    if k == 1:
        return np.arange(n)
    C = G.tocoo()
    a, b = labels[C.row], labels[C.col]
    has_incoming = np.zeros(k, dtype=bool)
    has_incoming[b[a != b]] = True
    sources = np.flatnonzero(~has_incoming)
    if sources.size != 1:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(labels == sources[0])


def center_nodes(M) -> np.ndarray:
    """Definition 3: the sorted centre nodes (every node is reachable from each of them).

    Found in O(N + E): they are the nodes of the unique source component of the
    condensation DAG, and there are none when the condensation has several sources.

    >>> from numeric import masks
    >>> center_nodes(masks.prefix_lm(6, 3)).tolist(), center_nodes(masks.block_local(6, 3)).tolist()
    ([0, 1, 2], [])
    """
    return _centres_from_graph(paper_graph(M))


def n_centers(M) -> int:
    """The number of centre nodes (the ``n`` of the paper's refinement of Corollary 1)."""
    return int(center_nodes(M).size)


def is_quasi_strongly_connected(M) -> bool:
    """Definition 4: at least one centre node.

    >>> from numeric import masks
    >>> is_quasi_strongly_connected(masks.causal(5)), is_quasi_strongly_connected(masks.block_local(4, 2))
    (True, False)
    """
    return n_centers(M) > 0


def _as_number(x: float):
    return math.inf if not np.isfinite(x) else int(x)


def eccentricity(M, u):
    """Out-eccentricity ``max_v d(u, v)`` (``math.inf`` unless ``u`` is a centre)."""
    return _as_number(distances_from(M, u).max())


def eccentricities(M, *, block: int = 256) -> np.ndarray:
    """All out-eccentricities by BFS from every node (blockwise, O(N (N + E)) time and
    O(block N) memory): for moderate N and cross-checks.  Float array, inf allowed."""
    G = paper_graph(M)
    n = G.shape[0]
    out = np.empty(n)
    for s in range(0, n, block):
        idx = np.arange(s, min(n, s + block))
        out[idx] = np.atleast_2d(_bfs(G, idx)).max(axis=1)
    return out


# ============================================================================ searches
@dataclass
class SearchResult:
    """Value of a bounded search with its cost: ``bfs_runs`` BFS passes (each O(N + E))."""

    value: float
    node: int | None  # a node attaining the value (a centre for the radius)
    bfs_runs: int
    method: str
    extra: dict = field(default_factory=dict)


def radius_search(M) -> SearchResult:
    """Definition 5, exactly: ``min over centres c of max_v d(c, v)`` (``math.inf`` with no
    centre, 0 for one token), by the bounding search described in the module docstring.

    >>> from numeric import masks
    >>> r = radius_search(masks.sliding_window(1001, 1))
    >>> r.value, r.node, r.bfs_runs <= 6
    (500, 500, True)
    """
    G = paper_graph(M)
    n = G.shape[0]
    centres = _centres_from_graph(G)
    if centres.size == 0:
        return SearchResult(math.inf, None, 0, "scc: no centre")
    if n == 1:
        return SearchResult(0, 0, 0, "trivial")
    GT = sp.csr_array(G.T)
    outdeg = np.diff(G.indptr)
    degree = outdeg + np.diff(GT.indptr)
    is_centre = np.zeros(n, dtype=bool)
    is_centre[centres] = True
    cand = is_centre.copy()          # centres whose eccentricity may still beat `best`
    visited = np.zeros(n, dtype=bool)
    low = np.ones(n)                 # every eccentricity is >= 1 when n > 1
    best, best_node, runs = math.inf, None, 0
    v = int(centres[np.argmax(outdeg[centres])])
    last_centre_df = None
    pick_far = True
    while True:
        df = _bfs(G, v)
        db = _bfs(GT, v)
        runs += 2
        visited[v] = True
        finite = df[np.isfinite(df)]
        far = finite.max()
        if is_centre[v]:
            last_centre_df = df
            if far < best:
                best, best_node = far, v
        # d(v, y) <= d(v, w) + d(w, y) and d(w, v) <= ecc(w), for every centre w
        with np.errstate(invalid="ignore"):
            low = np.maximum(low, np.maximum(db, far - df))
        cand[v] = False
        cand &= low < best
        if not cand.any():
            break
        # alternate: a centre with the smallest lower bound (ties: largest out-degree),
        # then an unvisited node farthest from the last centre searched (a peripheral
        # node: distances towards it raise the lower bounds of many centres at once)
        nxt = None
        if pick_far and last_centre_df is not None:
            d = np.where(visited | ~np.isfinite(last_centre_df), -1.0, last_centre_df)
            if d.max() > 0:
                ties = np.flatnonzero(d == d.max())   # prefer the least connected one
                nxt = int(ties[np.argmin(degree[ties])])
        if nxt is None:
            idx = np.flatnonzero(cand)
            key = np.lexsort((-outdeg[idx], low[idx]))
            nxt = int(idx[key[0]])
            pick_far = True
        else:
            pick_far = False
        v = nxt
    return SearchResult(_as_number(best), best_node, runs, "bounded BFS from centres")


def radius(M):
    """Definition 5: the radius (int), ``math.inf`` when the graph has no centre.

    >>> from numeric import masks
    >>> radius(masks.unidirectional_window(10, 3)), radius(masks.global_window(50, 1))
    (3, 1)
    """
    return radius_search(M).value


def diameter_search(M, *, method: str = "auto", max_bfs: int | None = None) -> SearchResult:
    """The diameter ``max_{u, v} d(u, v)`` (``math.inf`` when some pair is unreachable).

    ``method="auto"``/``"bounds"``: SCC test, then the eccentricity-bounding search
    (exact; stops when every node's upper bound is at most the best eccentricity found);
    ``max_bfs`` caps its BFS runs (raises :class:`SearchLimitExceeded`).
    ``method="all-pairs"``: BFS from every node (O(N (N + E)); moderate N only).

    >>> from numeric import masks
    >>> diameter_search(masks.sliding_window(1000, 3)).value
    333
    """
    G = paper_graph(M)
    n = G.shape[0]
    if method not in ("auto", "bounds", "all-pairs"):
        raise ValueError(f"method must be 'auto', 'bounds' or 'all-pairs', got {method!r}")
    if n == 1:
        return SearchResult(0, 0, 0, "trivial")
    k, _ = csgraph.connected_components(G, directed=True, connection="strong")
    if k > 1:
        return SearchResult(math.inf, None, 0, "scc: not strongly connected")
    if method == "all-pairs":
        ecc = eccentricities(M)
        return SearchResult(_as_number(ecc.max()), int(np.argmax(ecc)), n, "all-pairs BFS")
    GT = sp.csr_array(G.T)
    outdeg = np.diff(G.indptr)
    low = np.ones(n)
    up = np.full(n, float(n - 1))  # a shortest path visits each node at most once
    diag = np.zeros(n, dtype=np.int64)
    C = G.tocoo()
    np.add.at(diag, C.row[C.row == C.col], 1)
    up[outdeg - diag == n - 1] = 1.0  # a node adjacent to all others has eccentricity 1
    cand = np.ones(n, dtype=bool)
    best, best_node, runs = 0.0, None, 0
    v, pick_upper = int(np.argmax(outdeg)), True
    while True:
        if max_bfs is not None and runs + 2 > max_bfs:
            raise SearchLimitExceeded(
                f"diameter search needs more than max_bfs={max_bfs} BFS runs on this "
                f"{n}-node graph (best lower bound so far {int(best)}); use the closed form "
                "or allow more runs")
        df = _bfs(G, v)
        db = _bfs(GT, v)
        runs += 2
        e_out, e_in = df.max(), db.max()
        for val, node in ((e_out, v), (e_in, int(np.argmax(db)))):
            if val > best:
                best, best_node = val, node
        low = np.maximum(low, np.maximum(db, e_out - df))
        up = np.minimum(up, db + e_out)
        cand[v] = False
        cand &= up > best
        if not cand.any():
            break
        idx = np.flatnonzero(cand)
        # alternate: a node with the largest upper bound, then one with the smallest lower
        # bound (a central node: its BFS tightens every upper bound)
        v = int(idx[np.argmax(up[idx])] if pick_upper else idx[np.argmin(low[idx])])
        pick_upper = not pick_upper
    return SearchResult(_as_number(best), best_node, runs, "bounded BFS")


def diameter(M, *, method: str = "auto", max_bfs: int | None = None):
    """The diameter (int), ``math.inf`` when some ordered pair is unreachable.

    >>> from numeric import masks
    >>> diameter(masks.complete(4)), diameter(masks.unidirectional_window(4, 1)), diameter(masks.global_window(10, 1))
    (1, inf, 2)
    """
    return diameter_search(M, method=method, max_bfs=max_bfs).value


def graph_facts(M, *, diameter: str | bool = "auto", max_bfs: int = 64) -> dict:
    """Everything Definitions 1-5 say about a mask, plus A1.

    ``diameter``: ``"auto"`` (bounded search capped at ``max_bfs`` BFS runs; reported as
    not computed when the cap is hit), ``True`` (no cap), ``False`` (skip).

    >>> from numeric import masks
    >>> f = graph_facts(masks.causal(4))
    >>> f["a1"], f["n_centers"], f["radius"], f["diameter"]
    (True, 1, 1, inf)
    """
    M = _masks.as_mask(M)
    n = M.shape[0]
    missing = _masks.missing_self_loops(M)
    G = paper_graph(M)
    k, _ = csgraph.connected_components(G, directed=True, connection="strong")
    centres = _centres_from_graph(G)
    rs = radius_search(M)
    facts = {
        "n": n, "edges": int(G.nnz), "a1": bool(missing.size == 0),
        "missing_self_loops": missing[:10].tolist(), "n_missing_self_loops": int(missing.size),
        "n_scc": k, "strongly_connected": k == 1,
        "quasi_strongly_connected": bool(centres.size > 0),
        "n_centers": int(centres.size), "centers_head": centres[:10].tolist(),
        "radius": rs.value, "radius_centre": rs.node, "radius_bfs_runs": rs.bfs_runs,
    }
    if diameter is False:
        facts.update(diameter=None, diameter_note="skipped (not asked)")
    else:
        try:
            ds = diameter_search(M, max_bfs=None if diameter is True else max_bfs)
            facts.update(diameter=ds.value, diameter_bfs_runs=ds.bfs_runs,
                         diameter_note=ds.method)
        except SearchLimitExceeded as exc:
            facts.update(diameter=None, diameter_note=f"not computed: {exc}")
    return facts



def n_edges_of(M) -> int:
    """Number of edges of the mask graph (self-loops included)."""
    return _masks.n_edges(M)
