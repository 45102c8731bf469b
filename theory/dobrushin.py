"""Dobrushin's ergodicity coefficient, exactly: its two formulas, sub-multiplicativity,
the oscillation contraction and the column bound (background to Lemma 3 and
Corollary 2; conventions as in :mod:`theory.ergodicity`)."""
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

from .mask_class import _fails, _holds

__all__ = ["check_dobrushin_formulas", "check_submultiplicative", "check_osc_contraction",
           "check_column_bound"]



# ------------------------------------------------------------------ Dobrushin facts
def check_dobrushin_formulas(mats) -> Evidence:
    """For row-stochastic ``P``: ``1/2 max_{i,j} ||P_i - P_j||_1 = 1 - min_{i,j} sum_k
    min(P_ik, P_jk)``, and ``0 <= tau(P) <= 1``.

    >>> check_dobrushin_formulas([[[1, 0], [0, 1]]]).status
    'holds'
    """
    st = "tau(P) = 1/2 max_ij ||P_i - P_j||_1 = 1 - min_ij sum_k min(P_ik, P_jk), 0 <= tau <= 1"
    if hasattr(mats, "ndim") and mats.ndim == 2:
        mats = [mats]
    mats = [as_stochastic(P, name=f"P#{k}") for k, P in enumerate(mats)]
    for P in mats:
        a, b = _tau(P), dobrushin_overlap(P)
        if a != b or not (0 <= a <= 1):
            return _fails(st, {"instances": len(mats)},
                          {"P": fmt_matrix(P), "half_l1": str(a), "overlap": str(b)})
    return _holds(st, {"instances": len(mats), "sizes": sorted({len(P) for P in mats})})


def check_submultiplicative(pairs, *, validate: bool = True) -> Evidence:
    """Sub-multiplicativity: ``tau(P Q) <= tau(P) tau(Q)`` for row-stochastic ``P, Q``.

    ``validate=False`` accepts any exact square matrices (negative controls: the
    inequality needs stochasticity) and evaluates the half-l1 formula on them.

    >>> A = [[1, 0], ["1/2", "1/2"]]
    >>> check_submultiplicative([(A, A)]).details["instances"]
    1
    """
    st = "tau(PQ) <= tau(P) tau(Q) for row-stochastic P, Q"
    pairs = list(pairs)
    equal = 0
    conv = as_stochastic if validate else as_exact_matrix
    for P, Q in pairs:
        P, Q = conv(P, name="P"), conv(Q, name="Q")
        if len(P) != len(Q):
            raise ShapeError(f"P is {len(P)}x{len(P)} but Q is {len(Q)}x{len(Q)}")
        lhs, rhs = _tau(matmul(P, Q)), _tau(P) * _tau(Q)
        if lhs > rhs:
            return _fails(st, {"instances": len(pairs)},
                          {"P": fmt_matrix(P), "Q": fmt_matrix(Q), "tau(PQ)": str(lhs),
                           "tau(P)tau(Q)": str(rhs)})
        equal += lhs == rhs
    return _holds(st, {"instances": len(pairs), "equality_cases": equal})


def check_osc_contraction(cases, *, sharpness: bool = True, validate: bool = True) -> Evidence:
    """``osc(P x) <= tau(P) osc(x)`` for row-stochastic ``P`` and every vector ``x``;
    with ``sharpness`` also that :func:`extremal_vector` attains equality (tau is the
    best constant).  ``validate=False`` accepts any exact square matrix (negative controls).

    >>> check_osc_contraction([([[1, 0], ["1/2", "1/2"]], [3, -1])]).status
    'holds'
    """
    st = "osc(P x) <= tau(P) osc(x), with equality for a 0/1 vector x"
    cases = list(cases)
    conv = as_stochastic if validate else as_exact_matrix
    for P, x in cases:
        P = conv(P)
        x = as_exact_vector(x, len(P))
        t = _tau(P)
        if osc(matvec(P, x)) > t * osc(x):
            return _fails(st, {"instances": len(cases)},
                          {"P": fmt_matrix(P), "x": fmt_vector(x), "tau": str(t),
                           "osc(Px)": str(osc(matvec(P, x))), "osc(x)": str(osc(x))})
        if sharpness and len(P) > 1:
            e = extremal_vector(P)
            if osc(matvec(P, e)) != t * osc(e) and t > 0:
                return _fails(st, {"instances": len(cases)},
                              {"P": fmt_matrix(P), "x": fmt_vector(e), "tau": str(t),
                               "osc(Px)": str(osc(matvec(P, e))), "reason": "not sharp"})
    return _holds(st, {"instances": len(cases), "sharpness_checked": sharpness})


def check_column_bound(cases, *, validate: bool = True) -> Evidence:
    """If a column of row-stochastic ``P`` has every entry ``>= delta`` then
    ``tau(P) <= 1 - delta``; more generally ``tau(P) <= 1 - sum_k min_i P_ik``.

    ``cases``: pairs ``(P, delta)``; ``delta=None`` takes the largest column minimum.
    The premise is checked: if no column is ``>= delta``, :class:`AssumptionError`
    ("column bound") is raised (``delta=None`` lets the check find the best column);
    ``validate=False`` skips it and the stochasticity check (negative controls).

    >>> check_column_bound([([["1/2", "1/2"], ["1/4", "3/4"]], "1/2")]).status
    'holds'
    """
    st = "a column of P with all entries >= delta gives tau(P) <= 1 - delta"
    cases = list(cases)
    for P, delta in cases:
        P = as_stochastic(P) if validate else as_exact_matrix(P)
        cmins = [min(col) for col in zip(*P)]
        delta = max(cmins) if delta is None else exact(delta, name="delta")
        if validate and max(cmins) < delta:
            raise AssumptionError("column bound", f"no column of P has all entries >= {delta} "
                                  f"(largest column minimum {max(cmins)})")
        t = _tau(P)
        if t > 1 - delta or t > 1 - column_floor(P):
            return _fails(st, {"instances": len(cases)},
                          {"P": fmt_matrix(P), "delta": str(delta), "tau": str(t),
                           "column_floor": str(column_floor(P))})
    return _holds(st, {"instances": len(cases)})


