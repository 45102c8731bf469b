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

Closed forms (:func:`closed_form`) give the radius, centre count and diameter of every
family in :data:`numeric.masks.FAMILIES` as SymPy expressions; :func:`check_closed_forms`
compares them with the searches.  :func:`radius_diameter_remark` settles the paper's
remark ``radius <= diameter <= 2 radius``: the left inequality always holds, the right one
fails for directed graphs (smallest strongly connected witness on 4 nodes) and holds for
symmetric masks.

This module gathers the public names of :mod:`theory.graph_search` (the definitions and
searches), :mod:`theory.graph_closed_forms` and :mod:`theory.graph_checks`; none of those
imports it.

>>> from numeric import masks
>>> M = masks.causal(5)
>>> center_nodes(M).tolist(), radius(M), diameter(M)
([0], 1, inf)
>>> radius(masks.sliding_window(9, 2)), diameter(masks.sliding_window(9, 2))
(2, 4)
"""
from __future__ import annotations

from .graph_checks import (all_digraphs, check_definitions, check_large_masks,  # noqa: F401
                           exhaustive_remark_search, radius_diameter_remark,
                           remark_counterexample_mask)
from .graph_closed_forms import (A_FIRST, B_LAST, N, SYMBOLS, check_closed_forms,  # noqa: F401
                                 closed_form, closed_form_instances, closed_form_value,
                                 family_mask)
from .graph_search import (SearchLimitExceeded, SearchResult, center_nodes,  # noqa: F401
                           diameter, diameter_search, distances_from, distances_to,
                           eccentricities, eccentricity, graph_facts,
                           is_quasi_strongly_connected, is_strongly_connected, n_centers,
                           n_edges_of, paper_graph, radius, radius_search, reachable_from,
                           strongly_connected_components)

__all__ = [
    "SearchLimitExceeded", "paper_graph", "distances_from", "distances_to",
    "reachable_from", "strongly_connected_components", "is_strongly_connected",
    "is_quasi_strongly_connected", "center_nodes", "n_centers", "eccentricity",
    "eccentricities", "radius", "radius_search", "diameter", "diameter_search",
    "SearchResult", "graph_facts",
    "N", "SYMBOLS", "closed_form", "closed_form_value", "family_mask", "check_closed_forms",
    "remark_counterexample_mask", "exhaustive_remark_search", "radius_diameter_remark",
    "check_definitions", "closed_form_instances", "check_large_masks",
]
