"""Graph notions of the paper (Definitions 1-5) on an attention mask, with closed forms.

The definitions, the edge convention and how each search scales are stated in
:mod:`theory.graph_search`; closed forms of the mask families are in
:mod:`theory.graph_closed_forms`, and the checks (brute force on small digraphs, the
paper's remark ``radius <= diameter <= 2 radius``, long masks) in :mod:`theory.graph_checks`.
This module gathers their public names; none of those imports it.

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
