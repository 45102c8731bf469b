"""Shared pieces of the checks of Theorem 2's lemmas (Appendix C.1): exact matrices and
sequences in ``M_{G,eps,C1,C2}`` (products ``D(t) A(t)``), Boolean patterns of products on
a mask, the bounds behind Hartfiel's criterion, and the z3 wrapper that decides each query
through :func:`theory.proofs_z3.decide` (hypotheses checked satisfiable)."""
from __future__ import annotations

import functools
import time
from fractions import Fraction as F
from typing import Sequence

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, RankCollapseError
from numeric.precision import get_backend

from .evidence import Evidence, escalate, universal, witness

__all__ = ["fmatrix", "product", "cross_ratio_min", "hartfiel_factor", "random_member",
           "random_sequence", "rational_sphere_points", "boolean_power", "eventual_pattern"]


# ----------------------------------------------------------------------------------------
# exact matrices
# ----------------------------------------------------------------------------------------

def fmatrix(rows) -> np.ndarray:
    """An object array of ``Fraction`` (exact input only: ints, Fractions, strings)."""
    a = np.asarray(rows, dtype=object)
    out = np.empty(a.shape, dtype=object)
    for idx, v in np.ndenumerate(a):
        if isinstance(v, float):
            raise RankCollapseError("exact matrices take ints, Fractions or strings, not floats")
        out[idx] = F(v)
    return out


def product(mats: Sequence[np.ndarray]) -> np.ndarray:
    """``mats[-1] @ ... @ mats[0]`` (the paper's order: the newest factor on the left)."""
    P = mats[0]
    for Mt in mats[1:]:
        P = Mt @ P
    return P


def cross_ratio_min(P) -> F:
    """``phi(P) = min P_ik P_jl / (P_il P_jk)`` over all rows i, j and columns k, l:
    ``0`` when ``P`` has a non-positive entry, ``1`` iff ``P`` has rank one."""
    P = np.asarray(P, dtype=object)
    if any(v <= 0 for v in P.ravel()):
        return F(0)
    n_cols = P.shape[1]
    best = F(1)
    for k in range(n_cols):
        for l in range(k + 1, n_cols):
            r = [P[i, k] / P[i, l] for i in range(P.shape[0])]
            best = min(best, min(r) / max(r))
    return best


def _q(x) -> str:
    """An exact rational as a string; long ones as a labelled decimal approximation."""
    if x is None:
        return None
    s = str(x)
    return s if len(s) <= 40 else f"~{float(x):.12g} (exact rational, {len(s)} chars)"


def _phi_bound(Theta: F) -> F:
    """``tau <= Theta`` in terms of ``phi``: ``phi >= ((1 - Theta)/(1 + Theta))^2``."""
    return ((1 - Theta) / (1 + Theta)) ** 2


def _dev_bound(Theta: F):
    """``1/phi - 1`` allowed by ``tau <= Theta`` (``None`` when ``Theta = 1``)."""
    return None if Theta >= 1 else ((1 + Theta) / (1 - Theta)) ** 2 - 1


def hartfiel_factor(rho: F) -> F:
    """Birkhoff's bound for one positive matrix with entry ratio ``rho = min/max``:
    ``tau <= (1 - rho)/(1 + rho)`` (``1`` when the matrix has a zero, ``rho = 0``)."""
    return (1 - rho) / (1 + rho)


def _entry_ratio(B) -> F:
    vals = list(np.asarray(B, dtype=object).ravel())
    lo, hi = min(vals), max(vals)
    return F(0) if lo <= 0 else lo / hi


def _check_member(D, A, M, eps, C1, C2, t) -> None:
    """Raise :class:`AssumptionError` unless ``D A`` is in ``M_{G,eps,C1,C2}``."""
    Md = _masks.to_dense(M)
    N = Md.shape[0]
    for i in range(N):
        if sum(A[i, :]) != 1:
            raise AssumptionError("A row-stochastic", f"row {i} of A({t}) sums to "
                                  f"{sum(A[i, :])}", where=t)
        if not C1 <= D[i, i] <= C2:
            raise AssumptionError("C1 <= D <= C2", f"D({t})[{i},{i}] = {D[i, i]}", where=t)
        for j in range(N):
            if Md[i, j] and A[i, j] < eps:
                raise AssumptionError("A_ij >= eps on edges", f"A({t})[{i},{j}] = "
                                      f"{A[i, j]} < eps = {eps}", where=t)
            if not Md[i, j] and A[i, j] != 0:
                raise AssumptionError("A supported on the mask", f"A({t})[{i},{j}] = "
                                      f"{A[i, j]} off the mask", where=t)
    for i in range(N):
        for j in range(N):
            if i != j and D[i, j] != 0:
                raise AssumptionError("D diagonal", f"D({t}) is not diagonal", where=t)


def random_member(M, eps: F, C1: F, C2: F, rng, *, K: int = 6, extreme: bool = False):
    """An exact rational pair ``(D, A)`` with ``D A`` in ``M_{G,eps,C1,C2}``.

    ``extreme=True`` draws vertices of the set (all slack of a row on one neighbour,
    ``D_ii`` at ``C1`` or ``C2``): where the bounds of Lemma 9 are tight."""
    Md = _masks.to_dense(M)
    N = Md.shape[0]
    A = fmatrix(np.zeros((N, N), dtype=int))
    for i in range(N):
        nb = np.flatnonzero(Md[i])
        if nb.size == 0:
            raise AssumptionError("non-empty rows", f"token {i} attends to nothing")
        slack = 1 - eps * nb.size
        if slack < 0:
            raise AssumptionError("eps |N_i| <= 1", f"eps = {eps} too large for row {i}")
        if extreme:
            w = np.zeros(nb.size, dtype=int)
            w[rng.integers(nb.size)] = 1
        else:
            w = rng.integers(0, K + 1, nb.size)
            if w.sum() == 0:
                w[:] = 1
        for j, wj in zip(nb, w):
            A[i, j] = eps + slack * F(int(wj), int(w.sum()))
    D = fmatrix(np.zeros((N, N), dtype=int))
    for i in range(N):
        k = (K if rng.integers(2) else 0) if extreme else int(rng.integers(0, K + 1))
        D[i, i] = C1 + (C2 - C1) * F(k, K)
    return D, A


def random_sequence(M, length: int, eps: F, C1: F, C2: F, rng, *, extreme_share=0.3):
    """A list of ``(D, A)`` pairs, a share of them at vertices of the set."""
    return [random_member(M, eps, C1, C2, rng, extreme=bool(rng.random() < extreme_share))
            for _ in range(length)]


def rational_sphere_points(N: int, d: int, rng, *, size: int = 4) -> np.ndarray:
    """``N`` points with rational coordinates EXACTLY on ``S^{d-1}`` (inverse
    stereographic projection of random rational points), as a ``Fraction`` array."""
    X = np.empty((N, d), dtype=object)
    for i in range(N):
        u = [F(int(rng.integers(-size, size + 1)), int(rng.integers(1, size + 1)))
             for _ in range(d - 1)]
        s = sum(x * x for x in u)
        row = [2 * x / (s + 1) for x in u] + [(s - 1) / (s + 1)]
        X[i] = row
        assert sum(v * v for v in row) == 1
    return X


# ----------------------------------------------------------------------------------------
# Boolean patterns (supports of products)
# ----------------------------------------------------------------------------------------

def boolean_power(M, k: int) -> np.ndarray:
    """Support of any product of ``k`` matrices with support exactly ``M`` (positive on
    edges): ``(M^k)_ij`` true iff a walk of length ``k`` goes from i to j along M."""
    B = np.asarray(_masks.to_dense(M), dtype=bool)
    P = np.eye(B.shape[0], dtype=bool)
    for _ in range(k):
        P = (B.astype(np.int64) @ P.astype(np.int64)) > 0
    return P


def eventual_pattern(M) -> dict:
    """The supports ``M^1, M^2, ...`` are eventually periodic; return the first power
    ``k0`` of the cycle, its period, and whether every pattern in the cycle is positive
    (then products are positive from ``k0`` on) or a witness ``(k, i, j)`` of a zero that
    recurs in every period (then ``P(t)`` has a zero entry infinitely often)."""
    B = np.asarray(_masks.to_dense(M), dtype=bool).astype(np.int64)
    P = B.copy()
    seen = {}
    pats = []
    k = 1
    while True:
        key = (P > 0).tobytes()
        if key in seen:
            k0 = seen[key]
            period = k - k0
            cycle = pats[k0 - 1:]
            for off, pat in enumerate(cycle):
                if not pat.all():
                    i, j = map(int, np.argwhere(~pat)[0])
                    return {"positive_eventually": False, "k0": k0, "period": period,
                            "zero_at_power": k0 + off, "zero_entry": [i, j]}
            first_pos = next(kk for kk in range(1, k) if pats[kk - 1].all())
            return {"positive_eventually": True, "k0": k0, "period": period,
                    "first_positive_power": first_pos}
        seen[key] = k
        pats.append(P > 0)
        P = ((B @ (P > 0).astype(np.int64)) > 0).astype(np.int64)
        k += 1


def _mask_facts(N: int, self_loops: bool = True):
    """For every mask on ``N`` tokens: BFS diameter (``None`` if not strongly connected)
    and the smallest ``k <= (N-1)^2 + 1`` with ``M^k`` positive (``None`` if none)."""
    return _mask_facts_cached(N, self_loops)


@functools.lru_cache(maxsize=None)
def _mask_facts_cached(N: int, self_loops: bool):
    return tuple(_mask_facts_gen(N, self_loops))


def _mask_facts_gen(N: int, self_loops: bool):
    import math

    from .graphs import all_digraphs, diameter

    wielandt = (N - 1) ** 2 + 1
    for M in all_digraphs(N, self_loops):
        d = diameter(M)            # inf unless strongly connected (any edge direction)
        sc = d != math.inf
        diam = int(d) if sc else None
        P = np.eye(N, dtype=np.int64)
        first = None
        B = M.astype(np.int64)
        for k in range(1, wielandt + 1):
            P = ((B @ P) > 0).astype(np.int64)
            if P.all():
                first = k
                break
        yield M, sc, diam, first


# ----------------------------------------------------------------------------------------
# z3 helper
# ----------------------------------------------------------------------------------------

class _Hypotheses:
    """Collects the hypotheses a query builder adds (``add``), for :func:`_z3_prove`."""

    def __init__(self):
        self.constraints = []

    def add(self, *cs):
        self.constraints.extend(cs)


def _z3_prove(build, timeout_ms: int) -> dict:
    """``build(h)`` adds the hypotheses with ``h.add(...)`` and returns the NEGATION of the
    conclusion.  Decided by :func:`theory.proofs_z3.decide`, so an ``unsat`` counts only
    when the hypotheses are satisfiable (a vacuous proof, or an undecided satisfiability
    check, leaves the query open); ``sat`` refutes it with a model re-checked exactly."""
    import z3

    from .proofs_z3 import decide

    h = _Hypotheses()
    negation = build(h)
    ev = decide("query", h.constraints, z3.Not(negation), domain="(one query)",
                timeout_ms=timeout_ms)
    d = ev.details
    out = {"result": d["result"], "verdict": ev.status, "seconds": d["seconds"],
           "timeout_ms": int(timeout_ms), "query": d["smtlib"],
           "hypotheses_satisfiable": d.get("hypotheses_satisfiable")}
    if ev.status == "fails":
        out["model"] = ev.witness["model"]
    if ev.status == "open":
        out["open_reason"] = d.get("open_reason", "")
    return out


def _z3_evidence(statement, runs, domain, level="exact") -> Evidence:
    """Holds only when every query was proved (unsat, hypotheses satisfiable); fails with
    the first exactly re-checked model; open otherwise, with the reasons."""
    if any(r["verdict"] == "fails" for r in runs):
        bad = next(r for r in runs if r["verdict"] == "fails")
        return Evidence(statement, "fails", level, {"z3": runs},
                        witness={"z3_model": bad["model"], "query": bad["query"]},
                        scope=witness("z3 model of the negation"))
    status = "holds" if all(r["verdict"] == "holds" for r in runs) else "open"
    d = {"z3": runs}
    if status == "open":
        d["open_reason"] = "; ".join(dict.fromkeys(r.get("open_reason", "") for r in runs
                                                   if r["verdict"] == "open"))
    return Evidence(statement, status, level, d,
                    scope=universal(domain, "z3 unsat of the negation (nonlinear real "
                                            "arithmetic), one query per size") if status == "holds"
                    else None)   # nothing proved: no scope




def _to_list(a):
    return [[str(v) if not isinstance(v, float) else repr(v) for v in row]
            for row in np.asarray(a, dtype=object).tolist()]


