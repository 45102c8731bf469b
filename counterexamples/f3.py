"""Appendix F.3 (d > 2): Lemmas 12 and 13 -- token 2 with token 1 held at ``e_d``.

Setting (the paper's, for these two lemmas).  Causal mask, ``W_Q = W_K = 0``, paper's
LayerNorm, ``W_V = I + wJ`` (d x d, ``x W_V = x + w (0, x_1, ..., x_{d-1})``), ``w > 1``,
and token 1 sitting EXACTLY at ``e_d`` (the paper assumes it "has converged").  Token 2
then follows ``x -> z / ||z||`` with ``z = x W_V + e_d`` (the causal average
``(e_d + x) W_V / 2`` up to the factor 1/2, which LN removes).

Notation (ours).  ``rho_i = x_i / x_1`` for ``i <= d-1``: these ratios do not involve the
last coordinate, so they evolve linearly and exactly, ``rho(t+1) = rho(t) W'`` with
``W' = I + wJ`` of size d-1 (the paper writes ``rho_i(0) = r_i w^(i-1)``).
``y = x_d / x_{d-1}``, ``f = sum_{i <= d-2} (rho_i / rho_{d-1})^2`` and, on the branch
``x_{d-1} < 0``, ``1/x_{d-1} = -sqrt(y^2 + 1 + f)``.  The next ratio is

    ``y(t+1) = h_t(y(t)) = c_t (w + y + 1/x_{d-1})``,  ``c_t = rho_{d-1}(t) / rho_{d-1}(t+1)``.

* **Lemma 12** (paper): for fixed t and positive ``r_i``, h is non-decreasing in y.
  Proved here symbolically (:func:`lemma12`): ``h_t`` is the true map, and
  ``dh/dy = c_t (1 + x_d) > 0`` (strictly).
* **Lemma 13** (paper): if ``x_i(0) < 0`` for ``i <= d-2``, ``x_{d-1}(0) <= -1/w`` and
  ``f(0) <= sqrt(w^2 - 1)`` (their inequality (41) between the ``r_i`` and w, which is
  exactly ``f(0) <= sqrt(w^2-1)``), then ``x_{d-1}(t) <= -1/w`` for all t.

What we found.  With ``ybar_t^2 = w^2 - 1 - f(t)`` the region at time t is
``|y| <= ybar_t``; ``h_t(+-ybar_t) = +-c_t ybar_t`` exactly, so by Lemma 12 one step keeps
the region iff ``c_t^2 ybar_t^2 <= ybar_{t+1}^2``, and (:func:`boundary_identity`)

    ``c_t^2 ybar_t^2 - ybar_{t+1}^2 = -Delta(rho(t)) / rho_{d-1}(t+1)^2``,
    ``Delta(rho) = (w^2-1)(2 w rho_{d-1} rho_{d-2} + w^2 rho_{d-2}^2)
                   - sum_{i=2}^{d-2} (2 w rho_i rho_{i-1} + w^2 rho_{i-1}^2)``.

* d = 3: the sum is empty, ``Delta > 0``: Lemma 13 holds for every w > 1 (exact), and the
  hypothesis (41) is not needed at all (``x_{d-1}(0) <= -1/w`` already gives
  ``f(0) <= w^2 - 1``).
* d >= 4: **Lemma 13 is false as stated.**  The proof's step "f is non-increasing in t"
  fails (f can grow), and ``Delta(rho(0)) < 0`` happens on inputs meeting every hypothesis:
  a start on the boundary then leaves the region at the first step.  Exact witness
  (:func:`boundary_witness`): d = 4, w = 2, ``x(0) = (-3/10, -3/1000, -1/2, +-sqrt(65999.1/10^5))``
  gives ``x_3(1) = -0.43236... > -1/2``.  By continuity strictly interior starts leave too
  (:func:`interior_witness`, all-rational).  Token 2 comes back and still converges to
  ``B = (0, ..., 0, -1/w, -sqrt(1-1/w^2))``, so the non-collapse conclusion survives; only
  the invariance "for all t" fails.
* Corrected Lemma 13 (all d >= 3): under the paper's hypotheses plus
  ``Delta(rho(t)) >= 0 for every integer t >= 0``, the region is invariant.  ``Delta(rho(t))``
  is a polynomial in t (``rho(t) = rho(0) W'^t``), so for rational data the extra
  hypothesis is decided exactly (:func:`invariance_certificate`); its leading coefficient
  is positive, so it holds from some t on for every admissible start.

>>> ev = lemma13_d3()
>>> ev.status, ev.level
('holds', 'exact')
>>> boundary_witness(4, 2)["exits_at_step_1"]
True
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from numeric.errors import AssumptionError, RankCollapseError, ShapeError
from theory.evidence import Evidence, combine

__all__ = [
    "token2_step", "ratios_at", "delta", "delta_polynomial", "lemma12",
    "printed_ratio_formula", "boundary_identity", "lemma13_d3", "hypotheses",
    "invariance_certificate", "simulate_token2", "boundary_witness", "interior_witness",
    "exit_fraction", "wilson", "lemma13", "rational_unit_vector",
]


# ------------------------------------------------------------------------------ helpers
def _w(w) -> Fraction:
    """Exact rational w > 1 (floats are converted exactly, as dyadic rationals)."""
    if isinstance(w, bool):
        raise RankCollapseError(f"w must be a number, got {w!r}")
    if isinstance(w, sp.Rational):
        w = Fraction(int(w.p), int(w.q))
    try:
        w = Fraction(w)
    except (TypeError, ValueError) as exc:
        raise RankCollapseError(f"w must be an exact rational (int, Fraction, 'p/q'), got {w!r}") from exc
    if w <= 1:
        raise AssumptionError("w > 1", f"Lemma 13's region x_(d-1) <= -1/w needs w > 1, got w={w}")
    return w


def _head(x, d=None) -> list[Fraction]:
    head = [Fraction(v) for v in x]
    if d is not None and len(head) != d - 1:
        raise ShapeError(f"give the first d-1 = {d - 1} coordinates of token 2, got {len(head)}")
    if len(head) < 2:
        raise ShapeError(f"Lemmas 12-13 are for d > 2: need >= 2 leading coordinates, got {len(head)}")
    if sum(v * v for v in head) > 1:
        raise AssumptionError("unit token", "the leading coordinates have squared norm > 1")
    return head


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n`` (95% by default).

    >>> [round(v, 4) for v in wilson(0, 100)]
    [0.0, 0.037]
    """
    if n <= 0:
        raise RankCollapseError("wilson interval needs n >= 1 samples")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def token2_step(x, w):
    """Unnormalised update of token 2 with token 1 at ``e_d``: ``z = x W_V + e_d``.
    Works for any number type (Fraction, mpf, SymPy, float).

    >>> token2_step([Fraction(-1, 3), Fraction(-2, 3), Fraction(2, 3)], 2)
    [Fraction(-1, 3), Fraction(-4, 3), Fraction(1, 3)]
    """
    z = [x[0]] + [x[i] + w * x[i - 1] for i in range(1, len(x))]
    z[-1] = z[-1] + 1
    return z


def ratios_at(rho0, w, t: int) -> list[Fraction]:
    """Exact ``rho(t) = rho(0) W'^t`` (``rho_i = x_i / x_1``, i <= d-1)."""
    rho = [Fraction(v) for v in rho0]
    w = Fraction(w)
    for _ in range(t):
        rho = [rho[0]] + [rho[i] + w * rho[i - 1] for i in range(1, len(rho))]
    return rho


def delta(rho, w):
    """``Delta(rho) = w^2 (rho'_{d-1}^2 - rho_{d-1}^2) - (|rho'|^2 - |rho|^2)``,
    ``rho' = rho W'``: one step keeps the region for every y iff ``Delta >= 0``
    (see :func:`boundary_identity`).  Any number type."""
    nxt = [rho[0]] + [rho[i] + w * rho[i - 1] for i in range(1, len(rho))]
    return (w * w * (nxt[-1] ** 2 - rho[-1] ** 2)
            - (sum(v * v for v in nxt) - sum(v * v for v in rho)))


def delta_polynomial(rho0, w) -> sp.Poly:
    """``Delta(rho(t))`` as an exact polynomial in ``t`` (binomials of ``W'^t``)."""
    t = sp.Symbol("t")
    w = sp.Rational(Fraction(w).numerator, Fraction(w).denominator)
    r0 = [sp.Rational(Fraction(v).numerator, Fraction(v).denominator) for v in rho0]
    n = len(r0)
    binom = [sp.Integer(1)]
    for k in range(1, n):
        binom.append(sp.expand(binom[-1] * (t - k + 1) / k))
    rho_t = [sp.expand(sum(binom[k] * w ** k * r0[j - k] for k in range(j + 1))) for j in range(n)]
    return sp.Poly(sp.expand(delta(rho_t, w)), t)


# ----------------------------------------------------------------------------- Lemma 12
def _symbolic_token(d):
    """Symbols: positive ratios rho_1..rho_{d-1}, real y, w > 0; the unit token x on the
    branch x_{d-1} < 0 and the paper's h."""
    w = sp.Symbol("w", positive=True)
    y = sp.Symbol("y", real=True)
    rho = sp.symbols(f"rho1:{d}", positive=True)
    f = sum((rho[i] / rho[-1]) ** 2 for i in range(d - 2))
    Y = y ** 2 + 1 + f
    xdm1 = -1 / sp.sqrt(Y)
    x = [xdm1 * rho[i] / rho[-1] for i in range(d - 1)] + [y * xdm1]
    c = rho[-1] / (rho[-1] + w * rho[-2])
    h = c * (w + y + 1 / xdm1)
    return w, y, rho, f, Y, x, c, h


def lemma12(dims=(3, 4, 5)) -> Evidence:
    """Lemma 12, exactly, for each d in ``dims`` with symbolic positive ratios, real y, w > 0:

    1. ``h_t(y) = c_t (w + y + 1/x_{d-1})`` IS the next ratio ``x_d(t+1)/x_{d-1}(t+1)``
       (difference simplifies to 0);
    2. ``dh/dy = c_t (1 + x_d)`` (the paper's formula);
    3. ``c_t > 0`` and ``1 + x_d > 0``: from ``(sqrt(Y) - y)(sqrt(Y) + y) = 1 + f > 0`` and
       ``(sqrt(Y) - y) + (sqrt(Y) + y) = 2 sqrt(Y) > 0`` both factors are positive, and
       ``1 + x_d = (sqrt(Y) - y)/sqrt(Y)``.  So h is strictly increasing.

    >>> lemma12((3,)).status
    'holds'
    """
    parts = []
    for d in dims:
        if d < 3:
            raise ShapeError("Lemma 12 is stated for d > 2")
        w, y, rho, f, Y, x, c, h = _symbolic_token(d)
        z = token2_step(x, w)
        true_next = z[-1] / z[-2]
        ok1 = sp.simplify(true_next - h) == 0
        ok2 = sp.simplify(sp.diff(h, y) - c * (1 + x[-1])) == 0
        s = sp.sqrt(Y)
        ok3 = (sp.simplify(sp.expand((s - y) * (s + y)) - (1 + f)) == 0
               and (1 + f).is_positive and s.is_positive and c.is_positive
               and sp.simplify(1 + x[-1] - (s - y) / s) == 0)
        parts.append(Evidence(f"d={d}: h is the true ratio map and dh/dy = c (1 + x_d) > 0",
                              "holds" if (ok1 and ok2 and ok3) else "fails", "exact",
                              {"d": d, "h_is_map": ok1, "derivative": ok2, "positivity": ok3}))
    return combine("Lemma 12: h_t is strictly increasing in y = x_d/x_(d-1) (positive ratios)",
                   parts, {"dims": list(dims)})


def printed_ratio_formula(w=2, x=(Fraction(-1, 3), Fraction(-2, 3), Fraction(2, 3))) -> Evidence:
    """The first fraction printed in the paper's definition of h has denominator
    ``w x_{d-1} + x_d`` (our reading of the extraction); the true one is
    ``w x_{d-2} + x_{d-1}``.  The factorised right-hand side printed next to it is
    correct.  Status ``fails`` with the witness when the two differ (typo)."""
    w = Fraction(w)
    x = [Fraction(v) for v in x]
    if sum(v * v for v in x) != 1:
        raise AssumptionError("unit token", f"x = {x} is not a unit vector")
    z = token2_step(x, w)
    true = z[-1] / z[-2]
    printed = (w * x[-2] + x[-1] + 1) / (w * x[-2] + x[-1])
    factored = (x[-2] / z[-2]) * (w + x[-1] / x[-2] + 1 / x[-2])
    st = "holds" if printed == true else "fails"
    return Evidence("printed left fraction (w x_(d-1) + x_d + 1)/(w x_(d-1) + x_d) equals the "
                    "next ratio x_d(t+1)/x_(d-1)(t+1)", st, "exact",
                    {"true": true, "printed": printed, "factorised_form": factored,
                     "factorised_form_correct": factored == true},
                    witness=None if st == "holds" else {"w": w, "x": x},
                    narrower=None if st == "holds" else
                    "the denominator is w x_(d-2) + x_(d-1); the factorised form is right")


def boundary_identity(dims=(3, 4, 5, 6)) -> Evidence:
    """Exact identity behind Lemma 13's induction step (symbolic rho > 0, w):
    ``c^2 ybar_t^2 - ybar_{t+1}^2 = -Delta(rho) / rho_{d-1}(t+1)^2`` with
    ``ybar^2 = w^2 - 1 - f``, and ``h_t(+-ybar_t) = +-c_t ybar_t``.

    >>> boundary_identity((3, 4)).status
    'holds'
    """
    parts = []
    for d in dims:
        w, y, rho, f, Y, x, c, h = _symbolic_token(d)
        nxt = [rho[0]] + [rho[i] + w * rho[i - 1] for i in range(1, d - 1)]
        f1 = sum((nxt[i] / nxt[-1]) ** 2 for i in range(d - 2))
        yb2, yb2n = w ** 2 - 1 - f, w ** 2 - 1 - f1
        ok1 = sp.simplify(c ** 2 * yb2 - yb2n + delta(list(rho), w) / nxt[-1] ** 2) == 0
        # at y = +-ybar the square root is w, so h = c (w +- ybar - w) = +- c ybar
        ok2 = sp.simplify((Y.subs(y, sp.Symbol("b")) - w ** 2).subs(sp.Symbol("b") ** 2, yb2)) == 0
        parts.append(Evidence(f"d={d}: boundary identity", "holds" if ok1 and ok2 else "fails",
                              "exact", {"d": d}))
    return combine("one step keeps {x_(d-1) <= -1/w} for all y iff Delta(rho(t)) >= 0", parts)


def lemma13_d3() -> Evidence:
    """d = 3: ``Delta = (w^2 - 1)(2 w rho_2 rho_1 + w^2 rho_1^2) > 0`` for w > 1 and
    positive ratios, so Lemma 13 holds for every w > 1 -- without its hypothesis (41),
    which ``x_2(0) <= -1/w`` makes redundant (it forces ``f(0) <= w^2 - 1 - y^2``)."""
    s = sp.Symbol("s", positive=True)          # w = 1 + s
    r1, r2 = sp.symbols("rho1 rho2", positive=True)
    w = 1 + s
    D = sp.factor(delta([r1, r2], w))
    closed = sp.simplify(D - (w ** 2 - 1) * (2 * w * r2 * r1 + w ** 2 * r1 ** 2)) == 0
    pos = sp.expand(D).is_positive
    return Evidence("Lemma 13 for d = 3: Delta(rho) > 0 for all w > 1, rho > 0, so "
                    "{x_2 <= -1/w} is invariant (hypothesis (41) not needed)",
                    "holds" if closed and pos else "fails", "exact",
                    {"Delta": str(D), "closed_form": closed, "positive": pos})


# ----------------------------------------------------------------------------- Lemma 13
def hypotheses(head, w) -> dict:
    """The paper's Lemma 13 hypotheses on token 2's first d-1 coordinates (exact):
    ``x_i < 0`` (i <= d-2), ``x_{d-1} <= -1/w``, and (41) ``f(0) <= sqrt(w^2 - 1)``.

    >>> hypotheses([Fraction(-3, 10), Fraction(-3, 1000), Fraction(-1, 2)], 2)["all"]
    True
    """
    w = _w(w)
    head = _head(head)
    neg = all(v < 0 for v in head[:-1])
    region = head[-1] <= -1 / w
    f = sum(v * v for v in head[:-1]) / head[-1] ** 2 if head[-1] != 0 else None
    h41 = f is not None and f * f <= w * w - 1
    return {"negative_leading": neg, "region": region, "f0": f, "ineq_41": h41,
            "all": bool(neg and region and h41)}


def invariance_certificate(head, w, max_horizon: int = 100_000) -> dict:
    """Exact decision of the corrected Lemma 13's extra hypothesis for rational data:
    is ``Delta(rho(t)) >= 0`` for every integer ``t >= 0``?  ``Delta(rho(t))`` is a
    polynomial in t; its real roots are isolated exactly (SymPy), integers up to the
    largest root are evaluated exactly, beyond it the sign is the leading coefficient's.
    Returns ``{"all_nonneg", "first_negative_t", "degree", "checked_up_to"}``."""
    w = _w(w)
    head = _head(head)
    rho0 = [v / head[0] for v in head]
    P = delta_polynomial(rho0, w)
    roots = P.intervals() if P.degree() > 0 else []
    top = max((Fraction(int(sp.Rational(b).p), int(sp.Rational(b).q)) for (a, b), _ in roots),
              default=Fraction(0))
    horizon = max(0, math.ceil(top)) + 1
    if horizon > max_horizon:
        return {"all_nonneg": None, "first_negative_t": None, "degree": P.degree(),
                "checked_up_to": None, "reason": f"largest root bound {float(top):.3g} too large"}
    lc = P.LC()
    if P.degree() >= 0 and lc < 0:
        return {"all_nonneg": False, "first_negative_t": None, "degree": P.degree(),
                "checked_up_to": horizon, "reason": "negative leading coefficient"}
    # evaluate Delta(rho(t)) exactly along the orbit (cheaper than the polynomial)
    rho = rho0
    for t in range(horizon + 1):
        if delta(rho, w) < 0:
            return {"all_nonneg": False, "first_negative_t": t, "degree": P.degree(),
                    "checked_up_to": t}
        rho = ratios_at(rho, w, 1)
    return {"all_nonneg": True, "first_negative_t": None, "degree": P.degree(),
            "checked_up_to": horizon}


def simulate_token2(head, w, T: int = 500, dps: int = 50, last_sign: int = 1) -> dict:
    """Token 2 at ``dps`` digits for T steps with token 1 held exactly at ``e_d``; the start
    is ``(head, last_sign * sqrt(1 - |head|^2))``.  Returns the first t with
    ``x_{d-1}(t) > -1/w`` (None if never), the smallest margin ``-1/w - x_{d-1}(t)``, the
    state at T and its distance to ``B = (0, ..., -1/w, -sqrt(1 - 1/w^2))``."""
    w = _w(w)
    head = _head(head)
    with mpmath.workdps(dps):
        wm = mpmath.mpf(w.numerator) / w.denominator
        x = [mpmath.mpf(v.numerator) / v.denominator for v in head]
        x.append(last_sign * mpmath.sqrt(1 - sum(v * v for v in x)))
        first_exit, min_margin, back_in = None, None, None
        for t in range(T + 1):
            margin = -1 / wm - x[-2]
            if t > 0:
                min_margin = margin if min_margin is None else min(min_margin, margin)
            if margin < 0 and first_exit is None:
                first_exit = t
            if first_exit is not None and back_in is None and margin >= 0 and t > first_exit:
                back_in = t
            if t == T:
                break
            z = token2_step(x, wm)
            n = mpmath.sqrt(sum(v * v for v in z))
            x = [v / n for v in z]
        d = len(x)
        B = [mpmath.mpf(0)] * (d - 2) + [-1 / wm, -mpmath.sqrt(1 - 1 / wm ** 2)]
        dist_B = mpmath.sqrt(sum((a - b) ** 2 for a, b in zip(x, B)))
        return {"first_exit": first_exit, "back_in": back_in,
                "min_margin": float(min_margin) if min_margin is not None else None,
                "x_T": [float(v) for v in x], "dist_to_B": float(dist_B), "T": T, "dps": dps}


def _one_step_exit_exact(head, w) -> tuple[bool, Fraction]:
    """On the boundary ``w x_{d-1} = -1`` the last coordinate of z equals ``x_d``, so
    ``|z|^2`` is rational and the exit test ``w^2 z_{d-1}^2 < |z|^2`` is exact."""
    xd2 = 1 - sum(v * v for v in head)
    z = token2_step(list(head) + [Fraction(0)], w)   # z_d = x_d + w x_{d-1} + 1 = x_d here
    assert w * head[-1] == -1
    nz2 = sum(v * v for v in z[:-1]) + xd2
    gap = nz2 - w * w * z[-2] ** 2
    return gap > 0, gap


def boundary_witness(d: int = 4, w=2) -> dict:
    """A start ON the boundary (``x_{d-1} = -1/w``) meeting every hypothesis of Lemma 13
    (including (41)) that leaves the region at step 1, proved exactly.  Search over
    ``x = (-a, ..., -a, -delta, -1/w, +-sqrt(...))`` with a, delta small rationals.
    Raises :class:`AssumptionError` for d = 3 (no witness exists: :func:`lemma13_d3`)."""
    w = _w(w)
    if d < 4:
        raise AssumptionError("d >= 4", "for d = 3 Lemma 13 holds (lemma13_d3): no witness exists")
    for a in (Fraction(3, 10), Fraction(1, 5), Fraction(1, 10), Fraction(1, 20), Fraction(1, 50)):
        for dl in (Fraction(1, 100), Fraction(1, 1000), Fraction(1, 10000)):
            head = [-a] * (d - 3) + [-a * dl, -1 / w]
            if sum(v * v for v in head) >= 1:
                continue
            hyp = hypotheses(head, w)
            if not hyp["all"]:
                continue
            out, gap = _one_step_exit_exact(head, w)
            rho0 = [v / head[0] for v in head]
            if out:
                z = token2_step(head + [Fraction(0)], w)
                x1 = -(w * w * z[-2] ** 2 / (sum(v * v for v in z[:-1]) + 1 - sum(v * v for v in head)))
                return {"d": d, "w": w, "head": head, "x_d_squared": 1 - sum(v * v for v in head),
                        "hypotheses": hyp, "Delta0": delta(rho0, w), "exits_at_step_1": True,
                        "gap": gap, "x_(d-1)(1)_squared_times_w2": -x1,
                        "x_(d-1)(1)": -math.sqrt(float(-x1)) / float(w)}
    return {"d": d, "w": w, "exits_at_step_1": False}


def rational_unit_vector(v) -> list[Fraction]:
    """A unit vector with rational coordinates near the unit vector ``v`` (floats): inverse
    stereographic projection from ``-e_1`` of the rounded projection (denominators 10^9),
    so all later checks on it are exact."""
    v = np.asarray(v, dtype=float)
    v = v / np.linalg.norm(v)
    if v[0] <= -1 + 1e-9:
        raise RankCollapseError("vector too close to the projection pole -e_1")
    u = [Fraction(round(c / (1 + v[0]) * 10 ** 9), 10 ** 9) for c in v[1:]]
    s = sum(c * c for c in u)
    return [(1 - s) / (1 + s)] + [2 * c / (1 + s) for c in u]


def interior_witness(d: int = 4, w=2, push=Fraction(1, 100)) -> dict:
    """An all-rational unit start strictly INSIDE the region (``x_{d-1}(0) < -1/w``) meeting
    every hypothesis, with ``x_{d-1}(1) > -1/w`` -- all decided exactly (rational z).
    Built near :func:`boundary_witness` by moving ``x_{d-1}`` down by ``push / w``."""
    w = _w(w)
    b = boundary_witness(d, w)
    if not b["exits_at_step_1"]:
        return {"found": False}
    head = list(b["head"])
    head[-1] = head[-1] - push / w
    xd = -math.sqrt(max(0.0, 1 - float(sum(v * v for v in head))))
    x = rational_unit_vector([float(v) for v in head] + [xd])
    hyp = hypotheses(x[:-1], w)
    z = token2_step(x, w)
    gap = sum(v * v for v in z) - w * w * z[-2] ** 2        # > 0 iff x_{d-1}(1) > -1/w
    strictly_inside = x[-2] < -1 / w
    return {"found": bool(hyp["all"] and strictly_inside and gap > 0 and z[-2] < 0), "x": x,
            "hypotheses": hyp, "strictly_inside": strictly_inside, "exit_gap": gap,
            "x_(d-1)(1)": float(z[-2]) / math.sqrt(float(sum(v * v for v in z)))}


def exit_fraction(d: int, w: float, samples: int = 2000, T: int = 500, seed: int = 0) -> dict:
    """float64: uniform starts on ``S^{d-1}`` conditioned on Lemma 13's hypotheses (rejection
    sampling), token 1 held at ``e_d``; the fraction that ever leaves
    ``{x_{d-1} <= -1/w}`` within T steps (Wilson 95% interval), and the fraction ending
    within 1e-2 of B.  Level numeric (use :func:`simulate_token2` for hp spot checks)."""
    rng = np.random.default_rng(seed)
    keep = []
    while sum(len(k) for k in keep) < samples:
        X = rng.standard_normal((4 * samples, d))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        f = (X[:, :d - 2] ** 2).sum(1) / X[:, d - 2] ** 2
        ok = (X[:, :d - 2] < 0).all(1) & (X[:, d - 2] <= -1 / w) & (f <= math.sqrt(w * w - 1))
        keep.append(X[ok])
    X0 = np.concatenate(keep)[:samples]
    X = X0.copy()
    left = np.zeros(samples, bool)
    first = np.full(samples, -1)
    for t in range(1, T + 1):
        Z = X.copy()
        Z[:, 1:] += w * X[:, :-1]
        Z[:, -1] += 1
        X = Z / np.linalg.norm(Z, axis=1, keepdims=True)
        out = X[:, -2] > -1 / w + 1e-12
        first[out & ~left] = t
        left |= out
    B = np.zeros(d)
    B[-2], B[-1] = -1 / w, -math.sqrt(1 - 1 / w ** 2)
    at_B = np.linalg.norm(X - B, axis=1) < 1e-2
    k = int(left.sum())
    return {"d": d, "w": w, "samples": samples, "T": T, "seed": seed, "left": k,
            "fraction_left": k / samples, "wilson95": wilson(k, samples),
            "fraction_at_B": float(at_B.mean()), "exit_times_seen": sorted(set(first[left].tolist()))[:10],
            "starts_left": X0[left][:3].tolist()}


def lemma13(d: int, w=2) -> Evidence:
    """Lemma 13 as printed, for one d: holds exactly for d = 3 (:func:`lemma13_d3`); for
    d >= 4 fails with an exact one-step witness meeting every hypothesis, with the
    corrected statement as ``narrower``."""
    if d < 3:
        raise ShapeError("Lemma 13 is stated for d > 2")
    if d == 3:
        return lemma13_d3()
    b = boundary_witness(d, w)
    inner = interior_witness(d, w)
    st = "fails" if b["exits_at_step_1"] else "open"
    return Evidence(f"Lemma 13 (d={d}, w={w}): paper's hypotheses => x_(d-1)(t) <= -1/w for all t",
                    st, "exact", {"boundary_witness": b, "interior_witness": inner},
                    witness={"x(0)": [str(v) for v in b.get("head", [])] + (
                                 [f"+-sqrt({b['x_d_squared']})"] if "x_d_squared" in b else []),
                             "w": str(w),
                             "x_(d-1)(1)^2 * w^2 (exact; < 1 means x_(d-1)(1) > -1/w: left the region)":
                                 str(b.get("x_(d-1)(1)_squared_times_w2")),
                             "x_(d-1)(1) (decimal)": b.get("x_(d-1)(1)"),
                             "rerun": f"counterexamples.f3.boundary_witness({d}, {w})"},
                    narrower="holds for d = 3 (exact); for d = 4..6 under the extra "
                             "hypothesis Delta(rho(t)) >= 0 for all t (the boundary identity is "
                             "symbolic for d = 3..6; the hypothesis is decided exactly by "
                             "invariance_certificate); token 2 still converges to B in the "
                             "sampled runs")
