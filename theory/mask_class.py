"""Small exact masks and the class A_{G,eps} (Definition 6): BFS distances, centres and
radius, membership of an exact matrix, and the evidence helpers of the ergodicity
checks.  Conventions as in :mod:`theory.ergodicity`."""
from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from typing import Iterable

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, RankCollapseError, ShapeError
from theory import graphs
from theory.evidence import Evidence

from .stochastic import (LEVEL, InexactInputError, Matrix, Vector, _as_mask, _as_sequence,
                         _tau, as_exact_matrix, as_exact_vector, as_stochastic,
                         column_floor, dobrushin, dobrushin_overlap, exact, extremal_vector,
                         fmt_matrix, fmt_vector, left_product, matmul, matvec, osc,
                         trajectory)

__all__ = ["distances_from", "centres_and_radius", "mask_radius", "in_class"]


# ------------------------------------------------------------------ graphs (small masks)
def distances_from(G, c: int) -> list[float]:
    """BFS distances from ``c`` along the paper's edges ``j -> i`` (``G[i, j]``: i attends
    to j); ``math.inf`` for unreachable nodes.  (Delegates to :mod:`theory.graphs`.)"""
    return graphs.distances_from(_as_mask(G), c).tolist()


def centres_and_radius(G) -> tuple[int, list[int], dict[int, int]]:
    """``(r, centres attaining r, eccentricity of every centre)``.

    Raises :class:`AssumptionError` ("quasi-strongly connected") when no centre exists.

    >>> centres_and_radius(_masks.causal(4))
    (1, [0], {0: 1})
    >>> centres_and_radius(_masks.unidirectional_window(4, 1))
    (3, [0], {0: 3})
    """
    G = _as_mask(G)
    centres = graphs.center_nodes(G).tolist()
    if not centres:
        raise AssumptionError("quasi-strongly connected",
                              "the mask has no centre node (no token from which every token "
                              "is reachable), so its radius is undefined")
    ecc = {int(c): int(graphs.eccentricity(G, c)) for c in centres}
    r = min(ecc.values())
    return r, sorted(c for c, e in ecc.items() if e == r), ecc


def mask_radius(G) -> int:
    """The radius of a quasi-strongly connected mask (Definition 5), by BFS."""
    return centres_and_radius(G)[0]


def in_class(A: Matrix, G, eps: Fraction, *, name: str = "A") -> None:
    """Raise :class:`AssumptionError` unless ``A`` is in ``A_{G, eps}`` (Definition 6):
    ``A_ij >= eps`` on every edge of ``G`` and ``A_ij = 0`` off ``G``."""
    G = _as_mask(G)
    n = len(A)
    if G.shape[0] != n:
        raise ShapeError(f"{name} is {n}x{n} but the mask is {G.shape[0]}x{G.shape[0]}")
    for i in range(n):
        for j in range(n):
            if G[i, j] and A[i][j] < eps:
                raise AssumptionError(
                    "eps", f"{name}[{i}][{j}] = {A[i][j]} < eps = {eps} on an edge of the mask",
                    where=(i, j))
            if not G[i, j] and A[i][j] != 0:
                raise AssumptionError(
                    "support", f"{name}[{i}][{j}] = {A[i][j]} is nonzero off the mask "
                    f"(token {i} does not attend to {j})", where=(i, j))


# ------------------------------------------------------------------ evidence helpers
def _holds(statement, details, narrower=None):
    return Evidence(statement, "holds", LEVEL, details, None, narrower)


def _fails(statement, details, witness, narrower=None):
    return Evidence(statement, "fails", LEVEL, details, witness, narrower)

