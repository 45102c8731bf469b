"""Lemma 2, Lemma 3 (with its proof steps), Corollary 2 with the attained constant, the
path example's sharpness and the monotonicity of the rate, exactly (Appendix B.1;
conventions as in :mod:`theory.ergodicity`)."""
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

from .dobrushin import check_column_bound, check_osc_contraction
from .ergodicity_instances import path_example
from .mask_class import _fails, _holds, centres_and_radius, distances_from, in_class, mask_radius

__all__ = ["check_lemma2", "check_centre_column", "check_lemma3", "check_lemma3_proof_steps",
           "check_corollary2", "corollary2_constant_power", "check_path_sharpness",
           "rate_monotone_symbolic", "rate_monotone_grid"]


# ------------------------------------------------------------------ Lemma 2
def check_lemma2(mats, x, *, eps=None, form: str = "intended", enforce: bool = True,
                 min_T: int = 0, allow_float: bool = False) -> Evidence:
    """Lemma 2 (Appendix B.1), for row-stochastic ``A(0), ..., A(T-1)`` and ``x(0)``.

    Fix a start ``t``, a token ``i`` and write ``x_i(t) = p m(t) + (1-p) M(t)`` with
    ``p`` in ``[0, 1]`` (``p = (M - x_i)/(M - m)``; any p when ``M = m``).  Let
    ``pi = A_ii(t) A_ii(t+1) ... A_ii(t+T-1)``.  Then for every ``T >= 0``

    * (11)  ``x_i(t+T) <= p pi m(t) + (1 - p pi) M(t)``;
    * (12), intended (the paper's "symmetric argument"): with ``q = 1 - p``, i.e.
      ``x_i(t) = q M(t) + (1-q) m(t)``: ``x_i(t+T) >= q pi M(t) + (1 - q pi) m(t)``.

    With ``eps`` (a claimed lower bound on the self-loop weights ``A_ii >= eps``, A1 with a
    weight) ``pi`` may be replaced by ``eps^T`` in both.  ``enforce=True`` raises
    :class:`AssumptionError` if some ``A_ii < eps``; ``enforce=False`` just tests the
    inequalities (negative controls).

    ``form="printed"`` tests (12) exactly as printed, with the same ``p`` as (11):
    ``x_i(t+T) >= p pi M(t) + (1 - p pi) m(t)``.  That is false for ``p > 1/2`` (e.g.
    ``A = I``, ``x = (0, 1)``, ``i = 0``, ``p = 1``); it holds for ``p <= 1/2``.

    Every ``(t, T, i)`` with ``t + T <= len(mats)`` and ``T >= min_T`` is checked (the
    printed form already fails at ``T = 0``; ``min_T=1`` gives a witness with a real step).

    >>> check_lemma2([[[1, 0], ["1/2", "1/2"]]], [0, 1], eps="1/2").status
    'holds'
    >>> check_lemma2([[[1, 0], [0, 1]]], [0, 1], form="printed").status
    'fails'
    """
    if form not in ("intended", "printed"):
        raise ValueError(f"form must be 'intended' or 'printed', got {form!r}")
    mats = _as_sequence(mats, allow_float=allow_float)
    n = len(mats[0])
    x0 = as_exact_vector(x, n, allow_float=allow_float)
    if eps is not None:
        eps = exact(eps, name="eps", allow_float=allow_float)
        if enforce:
            for t, A in enumerate(mats):
                for i in range(n):
                    if A[i][i] < eps:
                        raise AssumptionError(
                            "A1", f"self-loop weight A({t})[{i}][{i}] = {A[i][i]} < eps = {eps}",
                            where=(t, i))
    st = ("Lemma 2: x_i(t) = p m + (1-p) M  =>  x_i(t+T) <= p pi m + (1 - p pi) M and "
          + ("x_i(t+T) >= (1-p) pi M + (1 - (1-p) pi) m" if form == "intended"
             else "x_i(t+T) >= p pi M + (1 - p pi) m  [as printed]")
          + ", pi = prod of A_ii over the T steps" + (" (and with pi -> eps^T)" if eps is not None
                                                       else ""))
    traj = trajectory(mats, x0)
    T_all = len(mats)
    count = 0
    for t in range(T_all + 1):
        Mt, mt = max(traj[t]), min(traj[t])
        for i in range(n):
            p = (Mt - traj[t][i]) / (Mt - mt) if Mt > mt else Fraction(0)
            q = 1 - p
            pi = Fraction(1)
            for T in range(0, T_all - t + 1):
                if T > 0:
                    pi *= mats[t + T - 1][i][i]
                if T < min_T:
                    continue
                v = traj[t + T][i]
                bounds = [("(11) upper", v <= p * pi * mt + (1 - p * pi) * Mt)]
                if form == "intended":
                    bounds.append(("(12) lower, q = 1 - p", v >= q * pi * Mt + (1 - q * pi) * mt))
                else:
                    bounds.append(("(12) lower as printed", v >= p * pi * Mt + (1 - p * pi) * mt))
                if eps is not None:
                    e = eps ** T
                    bounds.append(("(11) with eps^T", v <= p * e * mt + (1 - p * e) * Mt))
                    qq = q if form == "intended" else p
                    bounds.append(("(12) with eps^T", v >= qq * e * Mt + (1 - qq * e) * mt))
                count += 1
                for label, ok in bounds:
                    if not ok:
                        witness = {"matrices": [fmt_matrix(A) for A in mats[t:t + T]],
                                   "x": fmt_vector(traj[t]), "i": i, "T": T, "p": str(p),
                                   "pi": str(pi), "eps": None if eps is None else str(eps),
                                   "x_i(t+T)": str(v), "M": str(Mt), "m": str(mt),
                                   "violated": label}
                        narrower = ("(12) as printed holds when p <= 1/2; for every p it holds "
                                    "with p replaced by 1 - p" if form == "printed" and
                                    "printed" in label else None)
                        return _fails(st, {"n": n, "steps": T_all, "comparisons": count,
                                           "form": form}, witness, narrower)
    return _holds(st, {"n": n, "steps": T_all, "comparisons": count, "form": form,
                       "eps": None if eps is None else str(eps)})


# ------------------------------------------------------------------ Lemma 3 / Corollary 2
def _prepare(mats, x, G, eps, r, enforce, allow_float):
    mats = _as_sequence(mats, allow_float=allow_float)
    n = len(mats[0])
    x0 = None if x is None else as_exact_vector(x, n, allow_float=allow_float)
    eps = exact(eps, name="eps", allow_float=allow_float)
    if not (0 < eps <= 1):
        raise AssumptionError("eps", f"eps must lie in (0, 1], got {eps}")
    G = _as_mask(G)
    if G.shape[0] != n:
        raise ShapeError(f"the mask is {G.shape[0]}x{G.shape[0]} but the matrices are {n}x{n}")
    if enforce:
        _masks.check_a1(G)
        for t, A in enumerate(mats):
            in_class(A, G, eps, name=f"A({t})")
    if r is None:
        r, centres, ecc = centres_and_radius(G)
    else:
        if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0:
            raise RankCollapseError(f"r must be a non-negative integer, got {r!r}")
        r = int(r)
        try:
            _, _, ecc = centres_and_radius(G)
        except AssumptionError:
            if enforce:
                raise
            ecc = {}
        centres = sorted(c for c, e in ecc.items() if e <= r)
        if enforce and not centres:
            raise AssumptionError("radius", f"r = {r} is below the radius {min(ecc.values())} "
                                  "of the mask")
    return mats, x0, G, eps, r, centres


def check_centre_column(mats, G, eps, *, r=None, enforce: bool = True,
                        allow_float: bool = False) -> Evidence:
    """The key fact behind Lemma 3.  Let ``G`` be quasi-strongly connected with A1, of
    radius ``r``, and ``A(s), ..., A(s+r-1)`` in ``A_{G,eps}``.  Then for every centre
    ``c`` of eccentricity ``<= r`` the column ``c`` of ``P = A(s+r-1) ... A(s)`` has every
    entry ``>= eps^r`` (follow a shortest path from ``c`` and wait at the end on
    self-loops), hence ``tau(P) <= 1 - eps^r``.

    Checked for every window of ``r`` consecutive matrices.  ``enforce=False`` skips the
    class/A1/connectivity checks (negative controls) and then needs ``r``.

    >>> mats, x, G = path_example(3, "1/3")
    >>> check_centre_column(mats, G, "1/3").status
    'holds'
    """
    mats, _, G, eps, r, centres = _prepare(mats, None, G, eps, r, enforce, allow_float)
    st = ("every product of r = radius consecutive matrices of A_{G,eps} has each centre's "
          "column >= eps^r, so tau <= 1 - eps^r")
    n = len(mats[0])
    if r == 0:
        return _holds(st, {"n": n, "r": 0, "windows": 0, "note": "n = 1: nothing to check"})
    if len(mats) < r:
        raise ShapeError(f"need at least r = {r} matrices, got {len(mats)}")
    bound = eps ** r
    windows = 0
    tight = None  # smallest centre-column minimum / eps^r seen
    for s in range(len(mats) - r + 1):
        P = left_product(mats[s:s + r])
        t = _tau(P)
        if not centres:
            col_ok, cmin = False, Fraction(0)
        else:
            cmin = max(min(P[i][c] for i in range(n)) for c in centres)
            col_ok = cmin >= bound
        windows += 1
        if not col_ok or t > 1 - bound:
            return _fails(st, {"n": n, "r": r, "eps": str(eps), "windows": windows},
                          {"matrices": [fmt_matrix(A) for A in mats[s:s + r]],
                           "mask": G.astype(int).tolist(), "eps": str(eps), "r": r,
                           "centres": centres, "best_centre_column_min": str(cmin),
                           "tau": str(t), "1 - eps^r": str(1 - bound)})
        ratio = cmin / bound
        tight = ratio if tight is None else min(tight, ratio)
    return _holds(st, {"n": n, "r": r, "eps": str(eps), "windows": windows,
                       "min_centre_column_over_eps_r": str(tight)})


def check_lemma3(mats, x, G, eps, *, p=1, r=None, enforce: bool = True,
                 allow_float: bool = False) -> Evidence:
    """Lemma 3.  ``G`` quasi-strongly connected with A1, radius ``r``; ``A(n)`` in
    ``A_{G,eps}``; ``x(t) = A(t-1) ... A(0) x(0)``.  For ``0 <= p <= 1``, ``t >= 0`` and
    ``k >= 0``:  ``M(t+kr) - m(t+kr) <= (1 - p eps^r)^k (M(t) - m(t))``.

    In the paper ``p`` is a free parameter of the proof (where the centre's value sits
    between ``m`` and ``M``); the bound is weakest at ``p = 0`` and strongest at ``p = 1``,
    which is what Corollary 2 uses.  ``p = 1`` follows from :func:`check_centre_column`
    (``tau <= 1 - eps^r``) and sub-multiplicativity.  The paper's case split proves it only
    for ``p <= 1/2`` (see the notes).

    Every ``(t, k)`` with ``t + k r <= len(mats)`` is checked.  ``enforce=False`` skips
    the assumption checks (then pass ``r``): negative controls.

    >>> mats, x, G = path_example(3, "1/3")
    >>> check_lemma3(mats * 2, x, G, "1/3").status
    'holds'
    """
    mats, x0, G, eps, r, _ = _prepare(mats, x, G, eps, r, enforce, allow_float)
    p = exact(p, name="p", allow_float=allow_float)
    if not (0 <= p <= 1):
        raise RankCollapseError(f"p must lie in [0, 1], got {p}")
    st = "Lemma 3: M(t+kr) - m(t+kr) <= (1 - p eps^r)^k (M(t) - m(t)), r = radius"
    n = len(x0)
    traj = trajectory(mats, x0)
    if r == 0:  # n = 1: the oscillation is 0 throughout
        ok = all(osc(v) == 0 for v in traj)
        return _holds(st, {"n": n, "r": 0}) if ok else _fails(st, {"n": n, "r": 0},
                                                               {"x": fmt_vector(x0)})
    rho = 1 - p * eps ** r
    count, tightest = 0, None
    for t in range(len(traj)):
        o = osc(traj[t])
        k = 1
        while t + k * r < len(traj):
            lhs, rhs = osc(traj[t + k * r]), rho ** k * o
            count += 1
            if lhs > rhs:
                return _fails(st, {"n": n, "r": r, "eps": str(eps), "p": str(p),
                                   "steps": len(mats), "comparisons": count},
                              {"matrices": [fmt_matrix(A) for A in mats[t:t + k * r]],
                               "x": fmt_vector(traj[t]), "mask": G.astype(int).tolist(),
                               "eps": str(eps), "p": str(p), "r": r, "k": k,
                               "lhs": str(lhs), "rhs": str(rhs)})
            if rhs > 0:
                q = lhs / rhs
                tightest = q if tightest is None else max(tightest, q)
            k += 1
    return _holds(st, {"n": n, "r": r, "eps": str(eps), "p": str(p), "steps": len(mats),
                       "comparisons": count,
                       "max_lhs_over_rhs": None if tightest is None else str(tightest)})


def check_lemma3_proof_steps(mats, x, G, eps, *, r=None, enforce: bool = True,
                             allow_float: bool = False) -> Evidence:
    """The steps (14)-(17) of the paper's proof of Lemma 3, both directions at once.

    Fix a start ``t`` and a centre ``c`` of eccentricity ``<= r``; let ``p`` be the exact
    position of the centre's value, ``x_c(t) = p m(t) + (1-p) M(t)``, and ``q = 1 - p``.
    For every node ``i`` at distance ``d_i`` from ``c`` and every ``T`` with
    ``d_i <= T <= r``:

    * ``x_i(t+T) <= p eps^T m(t) + (1 - p eps^T) M(t)``   (the paper's (15)-(17));
    * ``x_i(t+T) >= q eps^T M(t) + (1 - q eps^T) m(t)``   (its "symmetric argument").

    At ``T = r`` subtracting the two gives ``M(t+r) - m(t+r) <= (1 - eps^r)(M(t) - m(t))``
    (a SymPy identity, checked too): used together rather than in a case split, the
    paper's own steps prove Lemma 3 with ``p = 1`` and hence Corollary 2's rate.

    >>> mats, x, G = path_example(3, "1/3")
    >>> check_lemma3_proof_steps(mats * 2, x, G, "1/3").status
    'holds'
    """
    import sympy as sp

    mats, x0, G, eps, r, centres = _prepare(mats, x, G, eps, r, enforce, allow_float)
    st = ("Lemma 3 proof steps: with x_c(t) = p m + (1-p) M at a centre c, x_i(t+T) <= "
          "p eps^T m + (1-p eps^T) M and >= (1-p) eps^T M + (1-(1-p) eps^T) m for "
          "dist(c, i) <= T <= r; subtracting gives the factor 1 - eps^r")
    Ms, ms, es = sp.symbols("M m e")
    P_ = sp.Symbol("p")
    ident = sp.expand((P_ * es * ms + (1 - P_ * es) * Ms)
                      - ((1 - P_) * es * Ms + (1 - (1 - P_) * es) * ms)
                      - (1 - es) * (Ms - ms)) == 0
    if not ident:
        return Evidence(st, "open", LEVEL, {"identity": "upper - lower != (1-e)(M-m)"})
    n = len(x0)
    if r == 0:
        return _holds(st, {"n": n, "r": 0})
    traj = trajectory(mats, x0)
    dist = {c: distances_from(G, c) for c in centres}
    count, tight = 0, None
    for t in range(len(traj) - r):
        Mt, mt = max(traj[t]), min(traj[t])
        for c in centres:
            p = (Mt - traj[t][c]) / (Mt - mt) if Mt > mt else Fraction(0)
            q = 1 - p
            for i in range(n):
                d = dist[c][i]
                for T in range(int(d), r + 1) if d != float("inf") else ():
                    e = eps ** T
                    v = traj[t + T][i]
                    up = p * e * mt + (1 - p * e) * Mt
                    lo = q * e * Mt + (1 - q * e) * mt
                    count += 1
                    slack = min(up - v, v - lo)
                    if tight is None or slack < tight[0]:
                        tight = (slack, {"t": t, "centre": c, "i": i, "T": T, "p": str(p),
                                         "lower": str(lo), "x_i(t+T)": str(v),
                                         "upper": str(up), "slack": str(slack)})
                    if not (lo <= v <= up):
                        return _fails(st, {"n": n, "r": r, "eps": str(eps), "comparisons": count},
                                      {"matrices": [fmt_matrix(A) for A in mats[t:t + T]],
                                       "x": fmt_vector(traj[t]), "mask": G.astype(int).tolist(),
                                       "eps": str(eps), "r": r, "centre": c, "i": i, "T": T,
                                       "p": str(p), "x_i(t+T)": str(v), "upper": str(up),
                                       "lower": str(lo)})
    return _holds(st, {"n": n, "r": r, "eps": str(eps), "centres": centres, "comparisons": count,
                       "tightest_comparison": tight[1] if tight else None,
                       "identity_upper_minus_lower": "(1 - eps^r)(M - m)"})


def corollary2_constant_power(x0: Vector, eps: Fraction, r: int) -> Fraction:
    """``C^r`` for the sharp constant of Corollary 2, ``C = osc(x(0)) (1 - eps^r)^{-(r-1)/r}``
    (rational even though ``C`` need not be)."""
    return osc(x0) ** r / (1 - eps ** r) ** (r - 1)


def check_corollary2(mats, x, G, eps, *, r=None, C=None, enforce: bool = True,
                     allow_float: bool = False) -> Evidence:
    """Corollary 2.  Under Lemma 3's assumptions, for all ``t >= 0``
    ``M(t) - m(t) <= C (1 - eps^r)^{t/r}``.  The paper only says some ``C(x(0)) > 0``
    exists; here ``C`` defaults to ``osc(x(0)) (1 - eps^r)^{-(r-1)/r}``, which always works
    (``t = kr + s`` with ``s <= r - 1`` and Lemma 3 with p = 1) and is attained
    (:func:`check_path_sharpness`).  No floor on ``t/r`` is needed with this ``C``.

    Checked exactly without roots: ``osc(t)^r <= C^r (1 - eps^r)^t`` (both sides >= 0).
    ``C`` may be given (an exact number); ``C = osc(x(0))`` fails on the path example.

    >>> mats, x, G = path_example(4, "1/3")
    >>> check_corollary2(mats, x, G, "1/3").status, check_corollary2(mats, x, G, "1/3", C=1).status
    ('holds', 'fails')
    """
    mats, x0, G, eps, r, _ = _prepare(mats, x, G, eps, r, enforce, allow_float)
    st = "Corollary 2: M(t) - m(t) <= C (1 - eps^r)^(t/r) for all t >= 0"
    traj = trajectory(mats, x0)
    n = len(x0)
    if r == 0:
        ok = all(osc(v) == 0 for v in traj)
        return _holds(st, {"n": n, "r": 0}) if ok else _fails(st, {"n": n, "r": 0},
                                                               {"x": fmt_vector(x0)})
    base = 1 - eps ** r
    if C is None:
        Cr, Cdesc = corollary2_constant_power(x0, eps, r), "osc(x0) (1-eps^r)^(-(r-1)/r)"
    else:
        Cx = exact(C, name="C", allow_float=allow_float)
        if Cx < 0:
            raise RankCollapseError(f"C must be >= 0, got {Cx}")
        Cr, Cdesc = Cx ** r, str(Cx)
    tightest = None
    for t, v in enumerate(traj):
        lhs, rhs = osc(v) ** r, Cr * base ** t
        if lhs > rhs:
            return _fails(st, {"n": n, "r": r, "eps": str(eps), "C": Cdesc, "steps": len(mats)},
                          {"matrices": [fmt_matrix(A) for A in mats[:t]], "x": fmt_vector(x0),
                           "mask": G.astype(int).tolist(), "eps": str(eps), "r": r, "t": t,
                           "C": Cdesc, "osc(t)^r": str(lhs), "C^r (1-eps^r)^t": str(rhs)})
        if rhs > 0:
            q = lhs / rhs
            tightest = q if tightest is None else max(tightest, q)
    return _holds(st, {"n": n, "r": r, "eps": str(eps), "C": Cdesc, "steps": len(mats),
                       "max_ratio_of_rth_powers": None if tightest is None else str(tightest)})


def check_path_sharpness(n: int, eps) -> Evidence:
    """Sharpness on :func:`path_example` (``r = n - 1``, ``n >= 2``):

    * the centre column of ``A^r`` has minimum exactly ``eps^r`` and ``tau(A^r) = 1 - eps^r``
      (Lemma 3 with p = 1 and k = 1 is an equality for ``x = (0, 1, ..., 1)``);
    * ``osc(x(r-1)) = osc(x(0))``, so Corollary 2 needs ``C >= osc(x0) (1-eps^r)^{-(r-1)/r}``,
      which is the constant of :func:`check_corollary2`: equality at ``t = r - 1``.

    >>> check_path_sharpness(4, "1/3").status
    'holds'
    """
    if n < 2:
        raise RankCollapseError("check_path_sharpness needs n >= 2")
    mats, x, G = path_example(n, eps)
    eps = exact(eps, name="eps")
    r = n - 1
    assert mask_radius(G) == r
    P = left_product(mats[:r])
    traj = trajectory(mats, x)
    sides = {   # each fact as (left side, right side), both exact
        "centre column min == eps^r": (min(P[i][0] for i in range(n)), eps ** r),
        "tau(A^r) == 1 - eps^r": (_tau(P), 1 - eps ** r),
        "osc(x(r)) == (1 - eps^r) osc(x(0))": (osc(traj[r]), (1 - eps ** r) * osc(x)),
        "osc(x(r-1)) == osc(x(0))": (osc(traj[r - 1]), osc(x)),
        "osc(x(r-1))^r == C^r (1-eps^r)^(r-1)":
            (osc(traj[r - 1]) ** r,
             corollary2_constant_power(x, eps, r) * (1 - eps ** r) ** (r - 1)),
    }
    facts = {k: a == b for k, (a, b) in sides.items()}
    st = (f"sharpness on the uni-directional path, n = {n}, eps = {eps}: Lemma 3 (p = 1, k = 1) "
          "and Corollary 2's constant are attained")
    bad = [k for k, v in facts.items() if not v]
    if bad:
        return _fails(st, {"n": n, "r": r}, {"failed": bad, "A": fmt_matrix(mats[0]),
                                             "x": fmt_vector(x), "eps": str(eps)})
    return _holds(st, {"n": n, "r": r, "eps": str(eps),
                       "facts": {k: {"left": str(a), "right": str(b)}
                                 for k, (a, b) in sides.items()}})


# ------------------------------------------------------------------ rate monotonicity
def rate_monotone_symbolic() -> Evidence:
    """The rate ``rho(eps, r) = (1 - eps^r)^{1/r}`` (Theorem 1, Corollary 2), for
    ``0 < eps < 1`` and real ``r > 0``, is strictly increasing in ``r`` and strictly
    decreasing in ``eps``.  Proved with SymPy on ``g = log rho = log(1 - eps^r) / r``:

    * ``dg/deps = -eps^(r-1) / (1 - eps^r) < 0``;
    * with ``u = eps^r`` in ``(0, 1)``: ``dg/dr = H(u) / ((1 - u) r^2)`` where
      ``H(u) = -u log u - (1-u) log(1-u) > 0`` (binary entropy in nats); the identity is
      checked by ``simplify(...) == 0``, and ``-a log a > 0`` on ``(0, 1)`` by the
      substitution ``a = 1/(1+s)``, ``s > 0`` (giving ``log(1+s)/(1+s)``).

    >>> rate_monotone_symbolic().status
    'holds'
    """
    import sympy as sp

    r, u, s, e = sp.symbols("r u s epsilon", positive=True)
    g = sp.log(1 - e ** r) / r
    steps = {}
    # d/deps
    dge = sp.diff(g, e)
    claim_e = -e ** (r - 1) / (1 - e ** r)
    steps["dg/deps == -eps^(r-1)/(1-eps^r)"] = sp.simplify(dge - claim_e) == 0
    # 1 - eps^r > 0 for eps = 1/(1+s): log(eps^r) = -r log(1+s) < 0
    steps["eps^(r-1) > 0"] = bool((e ** (r - 1)).is_positive)
    steps["log(eps^r) < 0 for eps = 1/(1+s)"] = bool(
        sp.expand_log(sp.log((1 / (1 + s)) ** r), force=True).is_negative)
    # d/dr
    dgr = sp.diff(g, r)
    H = -u * sp.log(u) - (1 - u) * sp.log(1 - u)
    diff = sp.expand_log(sp.simplify(dgr.subs(e, u ** (1 / r))) - H / ((1 - u) * r ** 2),
                         force=True)
    steps["dg/dr == H(u)/((1-u) r^2), u = eps^r"] = sp.simplify(diff) == 0
    phi = sp.simplify((-u * sp.log(u)).subs(u, 1 / (1 + s)))
    steps["-a log a = log(1+s)/(1+s) > 0 for a = 1/(1+s)"] = bool(
        sp.simplify(phi - sp.log(1 + s) / (1 + s)) == 0 and phi.is_positive)
    steps["(1-u) r^2 > 0 for u = 1/(1+s)"] = bool(((1 - 1 / (1 + s)) * r ** 2).is_positive)
    st = ("(1 - eps^r)^(1/r) is strictly increasing in r > 0 and strictly decreasing in eps, "
          "for 0 < eps < 1 (symbolic)")
    bad = [k for k, v in steps.items() if not v]
    if bad:
        return Evidence(st, "open", LEVEL, {"steps": steps, "failed_steps": bad})
    return _holds(st, {"steps": list(steps), "dg/dr": str(dgr), "dg/deps": str(dge)})


def rate_monotone_grid(eps_values: Iterable, r_max: int, *, rate=None) -> Evidence:
    """Exact grid check of the monotonicity, without roots: for integers ``1 <= r < r'``
    and rational ``0 < eps < eps' < 1``

    * ``rho(eps, r) < rho(eps, r')``  iff  ``(1 - eps^r)^r' < (1 - eps^r')^r``;
    * ``rho(eps, r) > rho(eps', r)``  iff  ``1 - eps^r > 1 - eps'^r``.

    ``rate`` (for negative controls) replaces ``1 - eps^r`` by another function ``b(eps, r)``
    of the rate ``b^(1/r)``.

    >>> rate_monotone_grid(["1/2", "1/3"], 4).status
    'holds'
    """
    eps_values = sorted({exact(v, name="eps") for v in eps_values})
    for v in eps_values:
        if not (0 < v < 1):
            raise RankCollapseError(f"eps must lie in (0, 1), got {v}")
    b = rate or (lambda e, r: 1 - e ** r)
    st = "(1 - eps^r)^(1/r) increases with r and decreases with eps (exact rational grid)"
    count = 0
    for e in eps_values:
        for r1 in range(1, r_max + 1):
            for r2 in range(r1 + 1, r_max + 1):
                count += 1
                if not b(e, r1) ** r2 < b(e, r2) ** r1:
                    return _fails(st, {"comparisons": count},
                                  {"eps": str(e), "r": r1, "r'": r2, "violated": "increasing in r",
                                   "b(r)^r'": str(b(e, r1) ** r2), "b(r')^r": str(b(e, r2) ** r1)})
    for e1, e2 in combinations(eps_values, 2):
        for r1 in range(1, r_max + 1):
            count += 1
            if not b(e1, r1) > b(e2, r1):
                return _fails(st, {"comparisons": count},
                              {"eps": str(e1), "eps'": str(e2), "r": r1,
                               "violated": "decreasing in eps"})
    return _holds(st, {"comparisons": count, "eps_values": [str(v) for v in eps_values],
                       "r_max": r_max})

