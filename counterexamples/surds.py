"""Exact arithmetic in multiquadratic fields: rational combinations of square roots.

A :class:`Surd` is a finite sum ``sum_s q_s * sqrt(s)`` with rational ``q_s``
(python-flint ``fmpq``) over distinct squarefree positive integers ``s``.  The square
roots of distinct squarefree integers are linearly independent over Q (a classical
theorem, Besicovitch 1940), so this representation is canonical: a Surd is zero iff all
its coefficients are zero, and two Surds are equal iff their dictionaries are equal.
That makes every identity test here exact, with no simplification heuristics.

The Jordan-chain equilibria of Theorem 3 have every entry in such a field (one or two
square roots for rational ``w``), so :mod:`counterexamples.jordan` verifies them here,
hundreds of times faster than generic SymPy simplification.

>>> a = Surd.sqrt_of(Fraction(99, 100))      # sqrt(99/100) = 3 sqrt(11) / 10
>>> a
Surd(3/10*sqrt(11))
>>> (a * a - Fraction(99, 100)).is_zero()
True
>>> (a + 1).sign(), (a - 1).sign()
(1, -1)
>>> (1 / (a + 2)) * (a + 2) == Surd.rational(1)
True
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import flint
import sympy as sp
from theory.exact_text import as_sympy

__all__ = ["Surd", "squarefree_decomposition", "to_surd", "matrix_to_surd"]


@lru_cache(maxsize=4096)
def squarefree_decomposition(n: int) -> tuple[int, int]:
    """``n = a**2 * s`` with ``s`` squarefree; returns ``(a, s)`` for an integer n >= 1.

    >>> squarefree_decomposition(99)
    (3, 11)
    """
    if n < 1:
        raise ValueError(f"squarefree_decomposition needs n >= 1, got {n}")
    a, s = 1, 1
    for p, e in flint.fmpz(n).factor():
        p = int(p)
        a *= p ** (e // 2)
        if e % 2:
            s *= p
    return a, s


def _q(x) -> flint.fmpq:
    if isinstance(x, flint.fmpq):
        return x
    if isinstance(x, Fraction):
        return flint.fmpq(x.numerator, x.denominator)
    if isinstance(x, (sp.Rational, sp.Integer)):
        return flint.fmpq(int(x.p), int(x.q))
    if isinstance(x, int):
        return flint.fmpq(x)
    raise TypeError(f"not an exact rational: {x!r}")


@lru_cache(maxsize=4096)
def _primes(s: int) -> tuple[int, ...]:
    return tuple(int(p) for p, _ in flint.fmpz(s).factor()) if s > 1 else ()


class Surd:
    """An element ``sum_s q_s sqrt(s)`` of a multiquadratic field (see module doc)."""

    __slots__ = ("c",)

    def __init__(self, coeffs=None):
        self.c: dict[int, flint.fmpq] = {s: q for s, q in (coeffs or {}).items() if q != 0}

    # constructors ---------------------------------------------------------------
    @classmethod
    def rational(cls, x) -> "Surd":
        return cls({1: _q(x)})

    @classmethod
    def sqrt_of(cls, x) -> "Surd":
        """The non-negative square root of a non-negative rational ``x``."""
        q = _q(x)
        if q < 0:
            raise ValueError(f"square root of a negative rational {q}")
        if q == 0:
            return cls()
        p, r = int(q.p), int(q.q)           # sqrt(p/r) = sqrt(p r) / r
        a, s = squarefree_decomposition(p * r)
        return cls({s: flint.fmpq(a, r)})

    # arithmetic -------------------------------------------------------------------
    @staticmethod
    def _coerce(x) -> "Surd":
        return x if isinstance(x, Surd) else Surd.rational(x)

    def __add__(self, other):
        other = self._coerce(other)
        c = dict(self.c)
        for s, q in other.c.items():
            c[s] = c.get(s, 0) + q
        return Surd(c)

    __radd__ = __add__

    def __neg__(self):
        return Surd({s: -q for s, q in self.c.items()})

    def __sub__(self, other):
        return self + (-self._coerce(other))

    def __rsub__(self, other):
        return self._coerce(other) - self

    def __mul__(self, other):
        if not isinstance(other, Surd):
            q = _q(other)
            return Surd({s: v * q for s, v in self.c.items()})
        c: dict[int, flint.fmpq] = {}
        for s, a in self.c.items():
            for t, b in other.c.items():
                if s == 1 or t == 1:
                    g, u = 1, s * t
                else:
                    g = int(flint.fmpz(s).gcd(t))
                    u = (s // g) * (t // g)
                c[u] = c.get(u, 0) + a * b * g
        return Surd(c)

    __rmul__ = __mul__

    def conjugate(self, p: int) -> "Surd":
        """The field automorphism sqrt(p) -> -sqrt(p) for a prime p."""
        return Surd({s: (-q if s % p == 0 else q) for s, q in self.c.items()})

    def primes(self) -> set[int]:
        out: set[int] = set()
        for s in self.c:
            out.update(_primes(s))
        return out

    def inverse(self) -> "Surd":
        """Exact inverse: multiply by conjugates until the norm is rational."""
        if self.is_zero():
            raise ZeroDivisionError("inverse of the zero Surd")
        if self.is_rational():
            return Surd.rational(1 / self.c[1])
        p = min(self.primes())
        conj = self.conjugate(p)
        return conj * (self * conj).inverse()

    def __truediv__(self, other):
        other = self._coerce(other)
        return self * other.inverse()

    def __rtruediv__(self, other):
        return self._coerce(other) * self.inverse()

    # tests ---------------------------------------------------------------------------
    def is_zero(self) -> bool:
        return not self.c

    def is_rational(self) -> bool:
        return all(s == 1 for s in self.c)

    def __eq__(self, other):
        if not isinstance(other, (Surd, int, Fraction, flint.fmpq, sp.Rational)):
            return NotImplemented
        return (self - other).is_zero()

    def __hash__(self):
        return hash(tuple(sorted((s, (int(q.p), int(q.q))) for s, q in self.c.items())))

    def arb(self, prec: int = 64) -> flint.arb:
        """A rigorous ball containing the value, at ``prec`` bits."""
        old = flint.ctx.prec
        flint.ctx.prec = prec
        try:
            v = flint.arb(0)
            for s, q in self.c.items():
                v += flint.arb(q) * (flint.arb(s).sqrt() if s != 1 else 1)
            return v
        finally:
            flint.ctx.prec = old

    def sign(self) -> int:
        """Exact sign: -1, 0 or 1.  Zero is decided exactly (canonical form); a nonzero
        value is separated from 0 by ball arithmetic at increasing precision, which
        always terminates because the value is a nonzero real number."""
        if self.is_zero():
            return 0
        if self.is_rational():
            q = self.c[1]
            return 1 if q > 0 else -1
        prec = 64
        while True:
            b = self.arb(prec)
            if b > 0:
                return 1
            if b < 0:
                return -1
            prec *= 2

    # conversions -----------------------------------------------------------------------
    def to_sympy(self) -> sp.Expr:
        return sp.Add(*[sp.Rational(int(q.p), int(q.q)) * (sp.sqrt(s) if s != 1 else 1)
                        for s, q in sorted(self.c.items())])

    def __float__(self):
        return float(sum(float(q) * (s ** 0.5) for s, q in self.c.items()))

    def __repr__(self):
        if not self.c:
            return "Surd(0)"
        return "Surd(" + " + ".join(f"{q}" if s == 1 else f"{q}*sqrt({s})"
                                    for s, q in sorted(self.c.items())) + ")"


def to_surd(e) -> Surd | None:
    """Convert a SymPy number (or int / Fraction) to a :class:`Surd`, or ``None`` when it
    is not a rational combination of square roots of rationals.

    >>> to_surd(sp.sqrt(sp.Rational(1, 2)) - 3)
    Surd(-3 + 1/2*sqrt(2))
    >>> to_surd(sp.sqrt(1 + sp.sqrt(2))) is None
    True
    """
    if isinstance(e, (int, Fraction, flint.fmpq)):
        return Surd.rational(e)
    e = as_sympy(e)
    if e.is_Rational:
        return Surd.rational(e)
    if not e.is_number:
        return None
    out = Surd()
    for term in sp.Add.make_args(sp.expand(e)):
        coeff, rest = term.as_coeff_Mul()
        if not coeff.is_Rational:
            return None
        if rest == 1:
            out = out + Surd.rational(coeff)
            continue
        part = Surd.rational(coeff)
        for f in sp.Mul.make_args(rest):
            if f.is_Pow and f.exp == sp.S.Half and f.base.is_Rational and f.base > 0:
                part = part * Surd.sqrt_of(f.base)
            elif f.is_Pow and f.exp == -sp.S.Half and f.base.is_Rational and f.base > 0:
                part = part * Surd.sqrt_of(1 / f.base)
            else:
                return None
        out = out + part
    return out


def matrix_to_surd(M) -> list[list[Surd]] | None:
    """Entrywise :func:`to_surd` of a SymPy matrix (``None`` if any entry is not a surd)."""
    rows = []
    for i in range(M.rows):
        row = []
        for j in range(M.cols):
            s = to_surd(M[i, j])
            if s is None:
                return None
            row.append(s)
        rows.append(row)
    return rows
