"""Certified roots of the post-LN fixed-point map: number kits (float64, mpmath, arb),
forward-mode dual numbers for exact Jacobians, the post-LN row map with general W_Q,
W_K, W_V, Newton at high precision, and the interval Krawczyk test in arb that proves a
root exists (and is unique) in a box.  Used by :mod:`counterexamples.krawczyk` and
:mod:`counterexamples.f4_search`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
import sympy as sp

from numeric import masks as _masks
from numeric.errors import AssumptionError, RankCollapseError, ShapeError
from numeric.weights import gaussian
from theory.evidence import Evidence

__all__ = ["Kit", "Dual", "KIT_FLOAT", "KIT_MP", "KIT_ARB", "to_arb", "post_ln_rows", "newton",
           "krawczyk", "KrawczykResult"]


# ----------------------------------------------------------------------- number kits
@dataclass(frozen=True)
class Kit:
    """Elementwise ``exp`` / ``sqrt`` and conversion for one scalar type."""

    name: str
    exp: object
    sqrt: object
    conv: object


def _arb_sqrt(v):
    # a squared norm computed in balls may straddle 0: keep its non-negative part
    # (still contains the true value); a ball at 0 then yields an infinite derivative
    return v.nonnegative_part().sqrt() if v.contains(0) else v.sqrt()


def to_arb(x) -> flint.arb:
    """EXACT conversion of int / Fraction / float / mpf / SymPy Rational to an arb.

    >>> to_arb(Fraction(1, 3)).contains(flint.fmpq(1, 3))
    True
    """
    if isinstance(x, flint.arb):
        return x
    if isinstance(x, bool):
        raise RankCollapseError(f"cannot convert {x!r} to arb")
    if isinstance(x, (int, np.integer)):
        return flint.arb(flint.fmpz(int(x)))
    if isinstance(x, Fraction):
        return flint.arb(flint.fmpq(x.numerator, x.denominator))
    if isinstance(x, (float, np.floating)):
        return flint.arb(float(x))
    if isinstance(x, mpmath.mpf):
        if x == 0:
            return flint.arb(0)
        # NB: mpf.man_exp drops the sign (mpmath returns |mantissa|); use the raw tuple
        sign, man, exp, _ = x._mpf_
        if not mpmath.isfinite(x):
            raise RankCollapseError(f"cannot convert non-finite {x!r} to arb")
        v = flint.arb(flint.fmpz(int(man))) * flint.arb(2) ** int(exp)
        return -v if sign else v
    if isinstance(x, sp.Basic) and x.is_Rational:
        return flint.arb(flint.fmpq(int(x.p), int(x.q)))
    raise RankCollapseError(f"cannot convert {type(x).__name__} {x!r} to an arb ball exactly")


def _to_mpf(x):
    if isinstance(x, flint.arb):
        return mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    if isinstance(x, sp.Basic):
        return mpmath.mpf(sp.N(x, mpmath.mp.dps + 10))
    return mpmath.mpf(x)


KIT_FLOAT = Kit("float64", math.exp, math.sqrt, float)
KIT_MP = Kit("mpmath", mpmath.exp, mpmath.sqrt, _to_mpf)
KIT_ARB = Kit("arb", lambda v: v.exp(), _arb_sqrt, to_arb)


class Dual:
    """Forward-mode derivative: a value and its gradient (numpy object array) with respect
    to the unknowns.  Works on float, mpf and arb values alike; on arb balls the gradient
    is an enclosure of the derivative over the whole input box.

    >>> x = Dual(3.0, np.array([1.0, 0.0], dtype=object))
    >>> y = x * x + 1
    >>> y.v, list(y.g)
    (10.0, [6.0, 0.0])
    """

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v, self.g = v, g

    def __add__(self, o):
        if isinstance(o, Dual):
            return Dual(self.v + o.v, self.g + o.g)
        return Dual(self.v + o, self.g)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.v, -self.g)

    def __sub__(self, o):
        if isinstance(o, Dual):
            return Dual(self.v - o.v, self.g - o.g)
        return Dual(self.v - o, self.g)

    def __rsub__(self, o):
        return Dual(o - self.v, -self.g)

    def __mul__(self, o):
        if isinstance(o, Dual):
            return Dual(self.v * o.v, self.g * o.v + o.g * self.v)
        return Dual(self.v * o, self.g * o)

    __rmul__ = __mul__

    def __truediv__(self, o):
        if isinstance(o, Dual):
            q = self.v / o.v
            return Dual(q, (self.g - o.g * q) / o.v)
        return Dual(self.v / o, self.g / o)

    def __rtruediv__(self, o):
        q = o / self.v
        return Dual(q, -self.g * (q / self.v))


def _exp(x, kit):
    if isinstance(x, Dual):
        e = kit.exp(x.v)
        return Dual(e, x.g * e)
    return kit.exp(x)


def _sqrt(x, kit):
    if isinstance(x, Dual):
        s = kit.sqrt(x.v)
        return Dual(s, x.g / (2 * s))
    return kit.sqrt(x)


def _dot(u, v):
    acc = u[0] * v[0]
    for a, b in zip(u[1:], v[1:]):
        acc = acc + a * b
    return acc


def _vecmat(x, W):
    """Row vector times matrix, W a list of rows of constants."""
    return [_dot(x, [W[a][b] for a in range(len(W))]) for b in range(len(W[0]))]


# --------------------------------------------------------------------------- the map
def post_ln_rows(X, rows, M, W_Q, W_K, W_V, kit, d_qk=None):
    """``F(X)_i = LN(sum_j A_ij X_j W_V)`` for the token indices in ``rows``.

    ``X``: list of token rows (lists of scalars of ``kit``'s type, or :class:`Dual`);
    ``M``: boolean mask (``M[i, j]``: i attends to j); weights: lists of rows already
    converted with ``kit.conv``.  Scores ``(x_i W_Q) . (x_j W_K) / sqrt(d_qk)``, with
    ``d_qk`` = number of columns of ``W_Q`` unless given.  No max-shift before ``exp``
    (mpmath and arb have unbounded exponents; float64 callers keep scores moderate).
    This is the same map as ``layernorm(attention(X, W_Q, W_K, M) @ X @ W_V)`` in
    :mod:`numeric` (checked in tests), written on scalars so that it runs on dual numbers.
    """
    d_qk = d_qk if d_qk is not None else len(W_Q[0])
    scale = kit.sqrt(kit.conv(d_qk)) if d_qk != 1 else None
    zero_qk = all(v == 0 for r in W_Q for v in r) or all(v == 0 for r in W_K for v in r)
    need = sorted({j for i in rows for j in np.flatnonzero(M[i])})
    K = {} if zero_qk else {j: _vecmat(X[j], W_K) for j in need}
    V = {j: _vecmat(X[j], W_V) for j in need}
    out = []
    for i in rows:
        nbrs = np.flatnonzero(M[i])
        if zero_qk:
            e = [1] * len(nbrs)
        else:
            q = _vecmat(X[i], W_Q)
            if scale is not None:
                q = [v / scale for v in q]
            e = [_exp(_dot(q, K[j]), kit) for j in nbrs]
        y = None
        for ej, j in zip(e, nbrs):
            term = [ej * v for v in V[j]]
            y = term if y is None else [a + b for a, b in zip(y, term)]
        # LN is scale invariant: dividing by sum(e) is not needed for the direction
        nrm = _sqrt(_dot(y, y), kit)
        out.append([v / nrm for v in y])
    return out


def _seed_duals(x, kit):
    n = len(x)
    out = []
    for a, v in enumerate(x):
        g = np.empty(n, dtype=object)
        g.fill(kit.conv(0))
        g[a] = kit.conv(1)
        out.append(Dual(v, g))
    return out


def _value_and_jacobian(G, x, kit):
    """G maps a list of n scalars/duals to a list of n; returns (values, n x n list)."""
    res = G(_seed_duals(x, kit))
    vals = [r.v if isinstance(r, Dual) else r for r in res]
    jac = [list(r.g) if isinstance(r, Dual) else [kit.conv(0)] * len(x) for r in res]
    return vals, jac


# --------------------------------------------------------------------- Newton, Krawczyk
def newton(G, x0, *, dps: int = 50, tol_digits: int | None = None, max_iter: int = 60,
           damping: bool = True):
    """Damped Newton for ``G(x) = 0`` in mpmath at ``dps`` digits (Jacobian by :class:`Dual`).

    Returns ``(x, info)``; ``info["converged"]`` is True when the step fell below
    ``10^-tol_digits`` (default ``dps - 8``).

    >>> x, info = newton(lambda v: [v[0] * v[0] - 2], [1.0], dps=30)
    >>> info["converged"], mpmath.nstr(x[0], 15)
    (True, '1.4142135623731')
    """
    tol = mpmath.mpf(10) ** (-(tol_digits if tol_digits is not None else dps - 8))
    with mpmath.workdps(dps):
        x = [_to_mpf(v) for v in x0]
        it, step = 0, mpmath.inf
        for it in range(1, max_iter + 1):
            try:
                val, jac = _value_and_jacobian(G, x, KIT_MP)
                dx = mpmath.lu_solve(mpmath.matrix(jac), mpmath.matrix(val))
            except (ZeroDivisionError, ValueError, OverflowError):
                return x, {"converged": False, "iterations": it, "reason": "singular or invalid"}
            r0 = mpmath.norm(mpmath.matrix(val))
            t = mpmath.mpf(1)
            while True:
                xn = [a - t * dx[i] for i, a in enumerate(x)]
                if not damping:
                    break
                try:
                    r1 = mpmath.norm(mpmath.matrix(G(xn)))
                except (ZeroDivisionError, ValueError, OverflowError):
                    r1 = mpmath.inf
                if r1 < r0 or t < mpmath.mpf(2) ** -20 or r0 < tol:
                    break
                t /= 2
            step = mpmath.norm(dx) * t
            x = xn
            if step < tol and t == 1:
                return x, {"converged": True, "iterations": it, "last_step": float(step)}
        return x, {"converged": False, "iterations": it, "last_step": float(step),
                   "reason": "no convergence"}


@dataclass
class KrawczykResult:
    """Outcome of a Krawczyk test: ``ok`` iff ``K(X)`` is inside the interior of ``X``."""

    ok: bool
    box: list            # arb balls of the final box X
    K: list              # arb balls of K(X)
    iterations: int
    reason: str = ""

    def widths(self) -> list[float]:
        return [2 * float(b.rad()) for b in self.box]

    def max_width(self) -> float:
        return max(self.widths()) if self.box else 0.0


def krawczyk(G, center, radius=None, *, dps: int = 60, inflations: int = 6,
             fixed_box: bool = False) -> KrawczykResult:
    """Krawczyk existence-and-uniqueness test for ``G(x) = 0`` around ``center``.

    ``G`` maps a list of n arb balls (or duals over arb) to a list of n; any parameters it
    closes over may be arb balls (then the result holds for every value in them).
    ``center``: mpf / float / Fraction entries (converted exactly).  ``radius``: initial
    half-width (default from the Newton correction).  With ``fixed_box=True`` only the box
    ``center +- radius`` is tested (no epsilon-inflation): the negative controls use this.

    >>> r = krawczyk(lambda v: [v[0] * v[0] - 2], [mpmath.mpf("1.41421356237")], 1e-6)
    >>> r.ok, r.K[0].contains(flint.arb(2).sqrt())
    (True, True)
    >>> krawczyk(lambda v: [v[0] * v[0] - 2], [1.6], 0.05, fixed_box=True).ok
    False
    """
    n = len(center)
    old = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 16
    try:
        c = [to_arb(v) for v in center]
        # C ~ G'(c)^{-1}: midpoint Jacobian, inverted in floating point (any C is sound)
        with mpmath.workdps(dps):
            try:
                _, jc = _value_and_jacobian(G, c, KIT_ARB)
                jm = [[_to_mpf(v.mid()) for v in row] for row in jc]
                Cm = mpmath.inverse(mpmath.matrix(jm))
            except (ZeroDivisionError, ValueError):
                return KrawczykResult(False, [], [], 0, "midpoint Jacobian is singular "
                                      "(eigenvalue 1 of the linearisation): no isolation")
            C = flint.arb_mat([[to_arb(Cm[i, j]) for j in range(n)] for i in range(n)])
        Gc = flint.arb_mat([[v] for v in G(c)])
        CGc = C * Gc
        if radius is None:
            radius = max(2 * max(float(abs(CGc[i, 0]).upper()) for i in range(n)), 1e-300)
        rad = [radius] * n if np.isscalar(radius) else list(radius)
        I = flint.arb_mat(n, n)
        for i in range(n):
            I[i, i] = 1
        box, K = [], []
        for it in range(1, inflations + 1):
            box = [ci + flint.arb(0, r) for ci, r in zip(c, rad)]
            _, J = _value_and_jacobian(G, box, KIT_ARB)
            Jm = flint.arb_mat(J)
            dX = flint.arb_mat([[b - ci] for b, ci in zip(box, c)])
            Km = flint.arb_mat([[ci] for ci in c]) - CGc + (I - C * Jm) * dX
            K = [Km[i, 0] for i in range(n)]
            if all(b.contains_interior(k) for b, k in zip(box, K)):
                return KrawczykResult(True, box, K, it)
            if fixed_box or not all(k.is_finite() for k in K):
                break
            # epsilon-inflation: new radius from the hull of K, inflated
            rad = [max(2 * r, 4 * float(abs(k - ci).upper())) for r, k, ci in zip(rad, K, c)]
            if max(rad) > 0.1:
                break
        return KrawczykResult(False, box, K, it, "K(X) not inside the interior of X")
    finally:
        flint.ctx.prec = old
