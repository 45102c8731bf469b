"""Explicit constants for Lemma 1, Theorem 1, Theorem 2 and Corollary 1.

Derivation (also in ``paper_notes.md``, section "Theorem 1: explicit constants").

SAN dynamics ``X(t+1) = A(t) X(t) W_V(t)``.  Write ``P(t) = A(t-1)...A(0)`` and
``W(t) = W_V(0)...W_V(t-1)`` (``W(0) = I``); then ``X(t) = P(t) X(0) W(t)``.

1. Token bound.  Rows of ``P(t) X(0)`` are convex combinations of rows of ``X(0)``, so
   ``||X_i(t)|| <= B := B0 * CV`` with ``B0 = max_j ||X_j(0)||`` and
   ``CV = max(1, sup_t ||W(t)||_2)`` (assumption A3; the code takes the supremum over
   the simulated horizon ``t <= T``, which is what a bound for ``t <= T`` needs).
2. Lemma 1.  ``|R_ij| <= S := B^2 CQ CK / sqrt(d_qk)`` with ``||W_Q||_2 <= CQ``,
   ``||W_K||_2 <= CK`` (A2), so every attention weight on an edge satisfies
   ``A_ij >= exp(-S) / (|N_i| exp(S))``: ``eps = exp(-2 S) / max_i |N_i|``.
3. Lemma 3 / Corollary 2.  With A1 and a centre ``c`` of eccentricity ``r`` (the radius),
   every product of ``r`` consecutive ``A``'s has column ``c`` bounded below by
   ``eps^r`` (walk along a shortest path from ``c``, padded with self-loops), so its
   Dobrushin coefficient is at most ``1 - eps^r`` and the oscillation ``max - min`` of
   every column of ``P(t) X(0)`` shrinks: ``osc_k(t) <= (1 - eps^r)^floor(t/r) osc_k(0)``.
4. Theorem 1.  ``mu(X(t)) <= CV mu(P(t) X(0))`` and, column by column (Popoviciu:
   ``sum_i (y_i - mean)^2 <= N osc(y)^2 / 4``),
   ``mu(P(t) X(0)) <= sqrt(N)/2 * sqrt(sum_k osc_k(t)^2)``.  With
   ``floor(t/r) >= t/r - (r-1)/r``:

       mu(X(t)) <= C (1 - eps^r)^(t/r),
       C = CV * sqrt(N)/2 * sqrt(sum_k osc_k(0)^2) * (1 - eps^r)^(-(r-1)/r).

   The sharper ``mu(X(t)) <= CV sqrt(N)/2 sqrt(sum osc_k(0)^2) (1-eps^r)^floor(t/r)`` is
   what we also report (``bound_floor``).

Theorem 2 / Corollary 1 (post-LN, tokens on the sphere, W_V orthogonal): ``||X_i|| = 1``
so ``S = CQ CK / sqrt(d_qk)`` and ``eps`` as above.  The paper leaves ``C`` and the
time ``t0`` after which its recursion holds implicit; we check the recursions themselves
(:mod:`theory.theorem2`) rather than invent those constants.

All quantities are computed in arb ball arithmetic from the actual weights: norms are
bounded above rigorously by ``min(||W||_F, sqrt(||W||_1 ||W||_inf))``, so the constants
are rigorous (if pessimistic) and a comparison ``mu(t) < bound(t)`` of balls is certain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from numeric import masks as _masks
from numeric.dynamics import Layer, simulate
from numeric.errors import AssumptionError, RankCollapseError
from numeric.precision import get_backend

from . import graphs
from .evidence import Evidence, escalate

__all__ = ["norm2_upper", "upper_max", "ball_rate", "ball_str", "certify_below_bound", "lemma1_eps", "Theorem1Constants", "theorem1_constants",
           "check_theorem1", "check_lemma1", "edge_weights", "theorem1_rate", "theorem2_eps", "rate_summary"]


def norm2_upper(W, be):
    """A rigorous upper bound of the spectral norm of ``W`` (arb ball, upper end):
    ``min(||W||_F, sqrt(||W||_1 ||W||_inf))``."""
    W = be.asarray(W)
    fro = be.sqrt(np.array([(W * W).sum()], dtype=object))[0]
    a = abs(W)
    one = max((a.sum(axis=0)).tolist(), key=lambda v: v.upper()) if W.size else be.scalar(0)
    inf = max((a.sum(axis=1)).tolist(), key=lambda v: v.upper()) if W.size else be.scalar(0)
    hol = be.sqrt(np.array([one * inf], dtype=object))[0]
    best = fro if fro.upper() <= hol.upper() else hol
    return be.scalar(0) + best.upper()  # a point ball at the upper end


def upper_max(balls, be):
    """A point ball at the largest upper endpoint: a rigorous upper bound of the maximum
    of the true values (the ball with the largest upper end need not contain it)."""
    return be.scalar(0) + max(b.upper() for b in balls)


def ball_str(b) -> str:
    """A ball as text (its midpoint and radius): what evidence prints instead of a float."""
    return str(b)


def ball_rate(vals, a: int, b: int, be):
    """``(vals[b] / vals[a])^(1/(b-a))`` as a ball, or ``None`` when either ball may be
    zero or negative (the rate is then not certified and is not reported)."""
    if b <= a or not (vals[a] > 0 and vals[b] > 0):
        return None
    return ((vals[b] / vals[a]).log() / (b - a)).exp()


def lemma1_eps(max_in_degree: int, S, be):
    """Lemma 1 with explicit constant: if every score satisfies ``|R_ij| <= S`` then every
    attention weight on an edge is at least ``eps = exp(-2 S) / max_i |N_i|``."""
    if max_in_degree < 1:
        raise RankCollapseError("a mask with an empty row has no attention weights")
    return (-2 * S).exp() / max_in_degree


@dataclass
class Theorem1Constants:
    """Constants of Theorem 1 for one instance (arb balls)."""

    eps: object
    r: int
    C: object
    C_floor: object
    B: object
    S: object
    CV: object
    max_in_degree: int

    def rate(self):
        """Per-layer rate ``(1 - eps^r)^(1/r)``."""
        return (1 - self.eps ** self.r) ** (self.eps.__class__(1) / self.r)

    def bound(self, t: int):
        """``C (1 - eps^r)^(t/r)``."""
        return self.C * (1 - self.eps ** self.r) ** (self.eps.__class__(t) / self.r)

    def bound_floor(self, t: int):
        """``C_floor (1 - eps^r)^floor(t/r)`` (sharper, same proof)."""
        return self.C_floor * (1 - self.eps ** self.r) ** (t // self.r)


def _check_horizon(T) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 0:
        raise RankCollapseError(f"the horizon T must be an integer >= 0, got {T!r}")
    return int(T)


def _layers_list(layers, T) -> list[Layer]:
    if isinstance(layers, (Layer, tuple)):
        lay = layers if isinstance(layers, Layer) else Layer(*layers)
        return [lay] * T
    if callable(layers):
        return [layers(t) if isinstance(layers(t), Layer) else Layer(*layers(t))
                for t in range(T)]
    if isinstance(layers, Sequence):
        return [l if isinstance(l, Layer) else Layer(*l) for l in layers[:T]]
    raise RankCollapseError("layers must be a Layer, a tuple, a sequence or a callable")


def theorem1_constants(M, X0, layers, T: int, *, dps: int = 40,
                       eps_override=None) -> Theorem1Constants:
    """Explicit ``eps``, ``r`` and ``C`` of Theorem 1 for tokens ``X0``, mask ``M`` and the
    weights of the first ``T`` layers (A3's supremum is taken over this horizon).

    Raises :class:`AssumptionError` for A1 (missing self-loops) or when the mask has no
    centre node (not quasi-strongly connected).  ``eps_override`` replaces Lemma 1's
    ``eps`` (for negative controls: a wrong constant must be caught)."""
    be = get_backend(f"arb:{dps}")
    _check_horizon(T)
    _masks.check_a1(M)
    r = graphs.radius(M)
    if r == float("inf"):
        raise AssumptionError("quasi-strong connectivity", "the mask has no centre node "
                              "(some token's influence never reaches all tokens)")
    r = max(int(r), 1)
    lays = _layers_list(layers, T)
    Md = _masks.to_dense(M) if not _masks.is_sparse(M) else M
    max_deg = int(np.max(np.asarray(Md.sum(axis=1)).ravel()))
    with be.context():
        X = be.asarray(X0)
        n, d = X.shape
        B0 = upper_max(be.sqrt((X * X).sum(axis=1)).tolist(), be)
        # A3 over the horizon: sup_k ||W_V(0)...W_V(k)||_2, bounded via running products
        CV = be.scalar(1)
        prod = be.asarray(np.eye(d))
        S = be.scalar(0)
        for t, lay in enumerate(lays):
            if np.ndim(lay.W_V) != 2:
                raise RankCollapseError("Theorem 1 constants are for single-head layers")
            # the scores at layer t involve X(t), bounded by B0 * ||W(t)||
            Bt = B0 * norm2_upper(prod, be) if t else B0
            dqk = lay.d_qk if lay.d_qk is not None else np.shape(lay.W_Q)[1]
            St = Bt * Bt * norm2_upper(lay.W_Q, be) * norm2_upper(lay.W_K, be) / \
                be.sqrt(np.array([be.scalar(dqk)], dtype=object))[0]
            S = upper_max([S, St], be)
            prod = prod @ be.asarray(lay.W_V)
            CV = upper_max([CV, norm2_upper(prod, be)], be)
        B = B0 * CV
        eps = lemma1_eps(max_deg, S, be) if eps_override is None else be.scalar(eps_override)
        osc2 = be.scalar(0)
        for k in range(d):
            col = X[:, k].tolist()
            # upper bound of the oscillation: largest upper end minus smallest lower end
            osc2 = osc2 + (upper_max(col, be) - min(v.lower() for v in col)) ** 2
        base = CV * be.sqrt(np.array([be.scalar(n) * osc2], dtype=object))[0] / 2
        q = 1 - eps ** r
        C = base * q ** (-be.scalar(r - 1) / r)
    return Theorem1Constants(eps, r, C, base, B, S, CV, max_deg)


def theorem1_rate(eps, r):
    """``(1 - eps^r)^(1/r)`` as a float, for tables of rates (never for a verdict)."""
    return float((1 - float(eps) ** r) ** (1 / r))


def _exact_t0(X0) -> bool | None:
    """Decide ``mu(X(0)) <= sqrt(N)/2 sqrt(sum_k osc_k(0)^2)`` exactly (Popoviciu, column
    by column) for rational or float input; ``None`` if the input is not exact.  With
    ``CV >= 1`` and ``(1 - eps^r)^(-(r-1)/r) >= 1`` this gives ``mu(0) <= C`` even when
    the two sides are equal (``N = 2``), where balls cannot decide."""
    from fractions import Fraction

    from .stochastic import exact
    try:
        rows = [[exact(v, allow_float=True) for v in row]
                for row in np.asarray(X0, dtype=object).tolist()]
    except RankCollapseError:     # balls, NaN: not an exact input
        return None
    n = len(rows)
    mu2 = Fraction(0)
    osc2 = Fraction(0)
    for k in range(len(rows[0])):
        col = [r[k] for r in rows]
        m = sum(col) / n
        mu2 += sum((v - m) ** 2 for v in col)
        osc2 += (max(col) - min(col)) ** 2
    return 4 * mu2 <= n * osc2


def certify_below_bound(mus, K: Theorem1Constants, X0, T: int, be, dps: int, *,
                        statement: str, extra: dict | None = None,
                        eps_override=None) -> Evidence:
    """Decide ``mu(t) <= K.bound(t)`` for ``t = 0..T`` with balls (Theorem 1 and its schedule
    version share this): ``fails`` at the first certain violation, ``open`` with the
    undecided layers listed, ``holds`` only when every comparison was decided (``t = 0`` by
    the exact Popoviciu test where the sides may be equal)."""
    extra = dict(extra or {})
    undecided = []
    with be.context():
        bounds = [K.bound(t) for t in range(T + 1)]
        for t in range(T + 1):
            if mus[t] > bounds[t]:
                return Evidence(statement, "fails", "certified",
                                {"T": T, "r": K.r, "eps": ball_str(K.eps), "digits": dps,
                                 "undecided": [], **extra},
                                witness={"t": t, "mu": str(mus[t]), "bound": str(bounds[t]),
                                         "eps_override": eps_override})
            if not mus[t] < bounds[t]:
                if t == 0 and _exact_t0(X0):
                    continue  # decided exactly (Popoviciu): mu(0) <= C
                undecided.append(t)
        last = max((t for t in range(T + 1) if mus[t] > 0), default=0)
        rate = ball_rate(mus, last // 2, last, be) if last >= 2 else None
        ratio = mus[T] / bounds[T] if bounds[T] > 0 else None
    status = "holds" if not undecided else "open"
    return Evidence(statement, status, "certified",
                    {"T": T, "r": K.r, "eps": ball_str(K.eps), "C": ball_str(K.C),
                     "max_in_degree": K.max_in_degree,
                     "bound_rate": ball_str((1 - K.eps ** K.r) ** (be.scalar(1) / K.r)),
                     "measured_rate": ball_str(rate) if rate is not None else
                     "not certified (mu may be 0 within its ball)",
                     "measured_rate_layers": [last // 2, last],
                     "mu_T": ball_str(mus[T]), "mu_T_over_bound_T":
                         ball_str(ratio) if ratio is not None else "undecided",
                     "undecided": undecided[:10], "n_undecided": len(undecided),
                     "digits": dps, **extra})


def _theorem1_at(M, X0, layers, T: int, dps: int, eps_override) -> Evidence:
    be = get_backend(f"arb:{dps}")
    K = theorem1_constants(M, X0, layers, T, dps=dps, eps_override=eps_override)
    tr = simulate(X0, M, layers, T, mode="san", backend=be)
    return certify_below_bound(tr.mu(), K, X0, T, be, dps,
                               statement="mu(X(t)) <= C (1 - eps^r)^(t/r) for t = 0..T",
                               eps_override=eps_override)


def check_theorem1(M, X0, layers, T: int, *, dps: int = 40, cap: int = 640,
                   eps_override=None) -> Evidence:
    """Theorem 1 on one instance: ``mu(X(t)) <= C (1 - eps^r)^(t/r)`` for ``t = 0..T``,
    with the explicit constants of :func:`theorem1_constants`.

    The trajectory is computed in arb balls and every comparison must be decided: an
    undecided one (balls overlapping, e.g. after the digits are used up over a long
    horizon) doubles the digits, from ``dps`` up to ``cap``, and stays ``open`` (with the
    digits tried) at the cap.  ``t = 0`` is decided exactly (:func:`_exact_t0`) where the
    two sides may be equal.  ``holds`` is thus a certified statement about this instance;
    a violation is reported with the first ``t`` where ``mu(t) > bound(t)`` is certain.
    Rates and ratios in the evidence are balls (text), never midpoints."""
    return escalate(lambda k: _theorem1_at(M, X0, layers, T, k, eps_override), dps, cap)


def edge_weights(M, X0, layers, T: int, *, mode: str = "san", be):
    """Yield ``(t, i, j, A_ij(t))`` for every edge of ``M`` and layer ``t < T`` along the
    trajectory from ``X0``, computed in ``be`` (call inside ``be.context()``)."""
    from numeric.attention import attention

    tr = simulate(X0, M, layers, T, mode=mode, backend=be)
    lays = _layers_list(layers, T)
    edges = list(zip(*np.nonzero(_masks.to_dense(M))))
    for t in range(T):
        A = attention(tr.X[t], lays[t].W_Q, lays[t].W_K, M, lays[t].d_qk, backend=be)
        for i, j in edges:
            yield t, int(i), int(j), A[i, j]


def _lemma1_at(M, X0, layers, T: int, dps: int, eps_override) -> Evidence:
    be = get_backend(f"arb:{dps}")
    K = theorem1_constants(M, X0, layers, T, dps=dps, eps_override=eps_override)
    smallest, undecided, n_edges = None, [], 0
    with be.context():
        for t, i, j, a in edge_weights(M, X0, layers, T, be=be):
            n_edges += 1
            if smallest is None or a.lower() < smallest.lower():
                smallest = a
            if a < K.eps:
                return Evidence("A_ij(t) >= eps on every edge", "fails", "certified",
                                {"T": T, "digits": dps, "undecided": []},
                                witness={"t": t, "i": i, "j": j,
                                         "A_ij": str(a), "eps": str(K.eps)})
            if not a >= K.eps:
                undecided.append((t, i, j))
        slack = smallest / K.eps if smallest is not None else None
    return Evidence("A_ij(t) >= eps = exp(-2S)/max|N_i| on every edge, t < T",
                    "holds" if not undecided else "open", "certified",
                    {"T": T, "edge_weights_checked": n_edges, "eps": ball_str(K.eps),
                     "S": ball_str(K.S), "smallest_weight": ball_str(smallest)
                     if smallest is not None else None,
                     "slack_smallest_over_eps": ball_str(slack) if slack is not None
                     else None, "undecided": undecided[:10], "digits": dps})


def check_lemma1(M, X0, layers, T: int, *, dps: int = 40, cap: int = 640,
                 eps_override=None) -> Evidence:
    """Lemma 1 on one instance: every attention weight on an edge of ``M`` is at least the
    explicit ``eps = exp(-2S)/max_i |N_i|`` at every layer ``t < T`` (certified, arb; an
    undecided comparison raises the digits up to ``cap``, then stays ``open``)."""
    return escalate(lambda k: _lemma1_at(M, X0, layers, T, k, eps_override), dps, cap)


def theorem2_eps(M, W_Q, W_K, d_qk=None, *, dps: int = 40):
    """Lemma 4: tokens on the unit sphere give ``|R_ij| <= CQ CK / sqrt(d_qk)``, hence
    ``eps = exp(-2 CQ CK / sqrt(d_qk)) / max_i |N_i|`` (an arb ball)."""
    be = get_backend(f"arb:{dps}")
    Md = _masks.to_dense(M)
    with be.context():
        dqk = d_qk if d_qk is not None else np.shape(W_Q)[1]
        S = norm2_upper(W_Q, be) * norm2_upper(W_K, be) / \
            be.sqrt(np.array([be.scalar(dqk)], dtype=object))[0]
        return lemma1_eps(int(Md.sum(axis=1).max()), S, be)


def _num(x, digits: int):
    """The JSON convention for a high-precision number: a float when float64 holds it to
    ``digits`` significant digits (``1e-300 < |x| < 1e300`` or 0), else its decimal string
    (a number outside float64's range keeps its exponent)."""
    import mpmath

    if x == 0 or 1e-300 < abs(x) < 1e300:
        return float(mpmath.nstr(x, digits))
    return mpmath.nstr(x, digits)


def rate_summary(max_in_degree: int, r, n_centres: int, *, CQ=1.0, CK=1.0, CV=1.0, B0=1.0,
                 d_qk=1.0, dps: int = 30) -> dict:
    """Theorem 1 and Theorem 2 / Corollary 1 constants from weight bounds alone.

    ``CQ, CK`` bound ``||W_Q||_2, ||W_K||_2`` (A2), ``CV`` bounds the value-matrix
    products (A3), ``B0`` the input token norms.  Returns decimal strings (mpmath, so
    ``eps^r`` far below 1e-308 keeps its exponent):

    * Theorem 1 (SAN): ``eps = exp(-2 (B0 CV)^2 CQ CK / sqrt(d_qk)) / max_i |N_i|``, the
      per-layer rate ``(1 - eps^r)^(1/r)``, its gap to 1, and layers per factor e.
    * Theorem 2 / Corollary 1 (post-LN, tokens on the sphere):
      ``eps = exp(-2 CQ CK / sqrt(d_qk)) / max_i |N_i|`` and the rate
      ``(1 - n eps^{2r})^(1/(2r))`` with ``n`` centres.

    Values are floats, or decimal strings when float64 cannot hold them (``eps^r`` of a
    long window): see :func:`_num`.

    >>> s = rate_summary(3, 1, 16)
    >>> s["theorem1"]["eps"]
    0.0451118
    >>> rate_summary(3, 2000, 1, CQ=10, CK=10)["theorem1"]["one_minus_rate"]
    '4.60998e-174676'
    """
    import mpmath

    if isinstance(max_in_degree, bool) or not isinstance(max_in_degree, (int, np.integer)) \
            or max_in_degree < 1:
        raise RankCollapseError(f"max_in_degree must be an integer >= 1 (A1 gives every token "
                                f"itself), got {max_in_degree!r}")
    if not (r == float("inf") or (isinstance(r, (int, np.integer)) and r >= 0)):
        raise RankCollapseError(f"the radius r must be an integer >= 0 or inf, got {r!r}")
    if r == float("inf"):
        raise AssumptionError("quasi-strong connectivity", "the mask has no centre node: "
                              "Theorem 1 gives no rate")
    if isinstance(n_centres, bool) or not isinstance(n_centres, (int, np.integer)) \
            or n_centres < 1:
        raise RankCollapseError(f"n_centres must be an integer >= 1 (a finite radius means "
                                f"at least one centre), got {n_centres!r}")
    for name, v in (("CQ", CQ), ("CK", CK), ("CV", CV), ("B0", B0)):
        if not 0 <= v < float("inf"):
            raise RankCollapseError(f"weight bound {name} must be finite and >= 0, got {v!r}")
    if not 0 < d_qk < float("inf"):
        raise RankCollapseError(f"d_qk must be positive, got {d_qk!r}")
    if r == float("inf"):
        raise AssumptionError("quasi-strong connectivity", "the mask has no centre node: "
                              "Theorem 1 gives no rate")
    r = max(int(r), 1)
    out = {}
    with mpmath.workdps(dps):
        def block(S, power):
            eps = mpmath.exp(-2 * mpmath.mpf(S)) / max_in_degree
            a = (n_centres if power == 2 else 1) * eps ** (power * r)
            if a >= 1:
                return {"eps": _num(eps, 6), "valid": False,
                        "reason": "n eps^{2r} >= 1"}
            log_rate = mpmath.log1p(-a) / (power * r)
            return {"eps": _num(eps, 6),
                    "rate": _num(mpmath.exp(log_rate), 12),
                    "one_minus_rate": _num(-mpmath.expm1(log_rate), 6),
                    "layers_per_e_fold": _num(-1 / log_rate, 6), "valid": True}

        S1 = (mpmath.mpf(B0) * CV) ** 2 * CQ * CK / mpmath.sqrt(d_qk)
        out["theorem1"] = {"S": _num(S1, 6), **block(S1, 1)}
        S2 = mpmath.mpf(CQ) * CK / mpmath.sqrt(d_qk)
        out["theorem2"] = {"S": _num(S2, 6), "n_centres": n_centres, **block(S2, 2)}
    out["r"] = r
    out["max_in_degree"] = max_in_degree
    return out
