"""Exact row-stochastic arithmetic: the number type behind the ergodicity lemmas.

Matrices and vectors are tuples of :class:`fractions.Fraction`, never floats.  A float
handed to a function that needs an exact value raises :class:`InexactInputError` unless
the caller asks for the exact conversion ``Fraction(float)`` with ``allow_float=True``.
Also here: products, trajectories, ``osc(x) = max x - min x`` and Dobrushin's
coefficient ``tau(P) = 1/2 max_{i,j} sum_k |P_ik - P_jk| = 1 - min_{i,j} sum_k
min(P_ik, P_jk)``.  The lemmas that use them are in :mod:`theory.ergodicity`.

>>> A = [[1, 0], [Fraction(1, 2), Fraction(1, 2)]]
>>> dobrushin(A)
Fraction(1, 2)
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from numbers import Rational
from itertools import combinations
from typing import Iterable, Sequence

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, MaskError, RankCollapseError, ShapeError

from .exact_text import NumberSyntaxError, parse_rational

__all__ = [
    "InexactInputError", "exact", "as_exact_matrix", "as_exact_vector", "as_stochastic",
    "matmul", "matvec", "left_product", "trajectory", "osc", "dobrushin",
    "dobrushin_overlap", "column_floor", "extremal_vector", "fmt_matrix", "fmt_vector",
    "Matrix", "Vector", "LEVEL",
]

Matrix = tuple  # tuple[tuple[Fraction, ...], ...]
Vector = tuple  # tuple[Fraction, ...]
LEVEL = "exact"


class InexactInputError(RankCollapseError, TypeError):
    """A float (or another inexact number) was given where an exact value is required."""


# ------------------------------------------------------------------ exact conversion
def exact(v, *, allow_float: bool = False, name: str = "value") -> Fraction:
    """Convert ``v`` to a Fraction without rounding.

    Accepts int, Fraction, SymPy Rational, Decimal and strings such as ``"3/7"`` (so a
    witness printed as strings can be pasted back).  A float (Python, NumPy or SymPy) is
    refused unless ``allow_float=True``, in which case its exact binary value is used.

    >>> exact("3/7"), exact(2)
    (Fraction(3, 7), Fraction(2, 1))
    >>> exact(0.5, allow_float=True)
    Fraction(1, 2)
    >>> exact(0.1)
    Traceback (most recent call last):
    ...
    theory.stochastic.InexactInputError: value must be exact (int, Fraction, SymPy Rational or a string like '1/3'), got the float 0.1; pass allow_float=True to use its exact binary value Fraction(0.1)
    """
    if isinstance(v, (bool, np.bool_)):
        raise InexactInputError(f"{name} must be a number, got the boolean {v!r}")
    if isinstance(v, Fraction):
        return v
    if isinstance(v, (int, np.integer)):
        return Fraction(int(v))
    if getattr(v, "is_Rational", False):  # SymPy Integer / Rational
        return Fraction(int(v.p), int(v.q))
    if isinstance(v, Rational):
        return Fraction(v.numerator, v.denominator)
    if type(v).__name__ in ("fmpq", "fmpz"):  # python-flint exact rationals / integers
        return Fraction(str(v))
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise InexactInputError(f"{name} must be finite, got {v!r}")
        return Fraction(v)
    if isinstance(v, str):
        try:
            return parse_rational(v, name=name)
        except NumberSyntaxError as exc:
            raise RankCollapseError(f"{name}: cannot read {v!r} as an exact rational "
                                    f"({exc})") from None
    is_float = isinstance(v, (float, np.floating)) or getattr(v, "is_Float", False)
    if is_float:
        f = float(v)
        if not allow_float:
            raise InexactInputError(
                f"{name} must be exact (int, Fraction, SymPy Rational or a string like "
                f"'1/3'), got the float {f!r}; pass allow_float=True to use its exact "
                f"binary value Fraction({f!r})")
        if not np.isfinite(f):
            raise InexactInputError(f"{name} must be finite, got {f!r}")
        return Fraction(f)
    raise InexactInputError(f"{name} must be an exact rational, got {type(v).__name__} {v!r}")


def _rows(P):
    if hasattr(P, "tolist"):  # numpy arrays, SymPy matrices
        P = P.tolist()
    if isinstance(P, (str, bytes)) or not isinstance(P, Iterable):
        raise ShapeError(f"expected a matrix (list of rows), got {type(P).__name__}")
    return [list(row) if isinstance(row, Iterable) and not isinstance(row, (str, bytes))
            else row for row in P]


def as_exact_matrix(P, *, name: str = "P", allow_float: bool = False) -> Matrix:
    """A square matrix with Fraction entries (see :func:`exact` for what is accepted)."""
    rows = _rows(P)
    n = len(rows)
    if n == 0:
        raise ShapeError(f"{name} must be a non-empty square matrix, got 0 rows")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n:
            got = len(row) if isinstance(row, list) else "a scalar"
            raise ShapeError(f"{name} must be square: it has {n} rows but row {i} has {got} "
                             "entries")
    return tuple(tuple(exact(v, allow_float=allow_float, name=f"{name}[{i}][{j}]")
                       for j, v in enumerate(row)) for i, row in enumerate(rows))


def as_exact_vector(x, n: int | None = None, *, name: str = "x",
                    allow_float: bool = False) -> Vector:
    """A vector with Fraction entries, of length ``n`` when given."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise ShapeError(f"{name} must be a vector, got {type(x).__name__}")
    x = list(x)
    if x and isinstance(x[0], list):  # a column vector [[a], [b], ...]
        if any(not isinstance(v, list) or len(v) != 1 for v in x):
            raise ShapeError(f"{name} must be a vector")
        x = [v[0] for v in x]
    if n is not None and len(x) != n:
        raise ShapeError(f"{name} must have {n} entries (the matrix size), got {len(x)}")
    if not x:
        raise ShapeError(f"{name} must be non-empty")
    return tuple(exact(v, allow_float=allow_float, name=f"{name}[{i}]") for i, v in enumerate(x))


def as_stochastic(P, *, name: str = "P", allow_float: bool = False) -> Matrix:
    """Validate and convert a row-stochastic matrix: entries ``>= 0``, each row sums to 1.

    >>> as_stochastic([[1, 0], ["1/3", "2/3"]])[1]
    (Fraction(1, 3), Fraction(2, 3))
    >>> as_stochastic([[1, 0], [1, 1]])
    Traceback (most recent call last):
    ...
    numeric.errors.AssumptionError: assumption row-stochastic violated: row 1 of P sums to 2, not 1
    """
    A = as_exact_matrix(P, name=name, allow_float=allow_float)
    for i, row in enumerate(A):
        for j, v in enumerate(row):
            if v < 0:
                raise AssumptionError("nonnegative", f"{name}[{i}][{j}] = {v} is negative",
                                      where=(i, j))
        s = sum(row)
        if s != 1:
            raise AssumptionError("row-stochastic", f"row {i} of {name} sums to {s}, not 1",
                                  where=i)
    return A


def _as_sequence(mats, *, allow_float=False) -> list[Matrix]:
    if hasattr(mats, "tolist") and getattr(mats, "ndim", 3) == 2:
        mats = [mats]
    mats = list(mats)
    if not mats:
        raise ShapeError("need at least one matrix")
    out = [as_stochastic(A, name=f"A({t})", allow_float=allow_float) for t, A in enumerate(mats)]
    n = len(out[0])
    for t, A in enumerate(out):
        if len(A) != n:
            raise ShapeError(f"A({t}) is {len(A)}x{len(A)} but A(0) is {n}x{n}")
    return out


def _as_mask(G) -> np.ndarray:
    """Dense bool mask; nested lists of bools or 0/1 ints are accepted (witnesses)."""
    if isinstance(G, (list, tuple)):
        arr = np.asarray(G)
        if arr.dtype != np.bool_:
            if not np.isin(arr, (0, 1)).all():
                raise MaskError("mask entries must be booleans or 0/1")
            arr = arr.astype(bool)
        G = arr
    return np.asarray(_masks.to_dense(_masks.as_mask(G)), dtype=bool)


# ------------------------------------------------------------------ exact linear algebra
def matmul(P: Matrix, Q: Matrix) -> Matrix:
    """Exact product ``P Q``."""
    Qt = tuple(zip(*Q))
    return tuple(tuple(sum((a * b for a, b in zip(row, col)), Fraction(0)) for col in Qt)
                 for row in P)


def matvec(P: Matrix, x: Vector) -> Vector:
    """Exact ``P x``."""
    return tuple(sum((a * b for a, b in zip(row, x)), Fraction(0)) for row in P)


def left_product(mats: Sequence[Matrix]) -> Matrix:
    """``A(T-1) ... A(1) A(0)`` for ``mats = [A(0), ..., A(T-1)]`` (A(0) acts first)."""
    P = mats[0]
    for A in mats[1:]:
        P = matmul(A, P)
    return P


def trajectory(mats: Sequence[Matrix], x: Vector) -> list[Vector]:
    """``[x(0), x(1), ..., x(T)]`` with ``x(t+1) = A(t) x(t)``."""
    out = [tuple(x)]
    for A in mats:
        out.append(matvec(A, out[-1]))
    return out


def osc(x: Vector) -> Fraction:
    """``max x - min x`` (the paper's ``M - m``)."""
    return max(x) - min(x)


def dobrushin(P) -> Fraction:
    """Dobrushin's ergodicity coefficient ``tau(P) = 1/2 max_{i,j} sum_k |P_ik - P_jk|``.

    Exact for a row-stochastic ``P`` (validated).  ``tau = 0`` iff all rows are equal
    (rank one); ``tau = 1`` iff two rows have disjoint supports.

    >>> dobrushin([[1, 0], [0, 1]]), dobrushin([["1/2", "1/2"], ["1/2", "1/2"]])
    (Fraction(1, 1), Fraction(0, 1))
    """
    return _tau(as_stochastic(P))


def _tau(P: Matrix) -> Fraction:
    """Half-l1 formula on an already exact matrix (no validation)."""
    best = Fraction(0)
    for a, b in combinations(P, 2):
        s = sum((abs(u - v) for u, v in zip(a, b)), Fraction(0)) / 2
        if s > best:
            best = s
    return best


def dobrushin_overlap(P) -> Fraction:
    """The second formula: ``tau(P) = 1 - min_{i,j} sum_k min(P_ik, P_jk)``.

    >>> dobrushin_overlap([[1, 0], ["1/2", "1/2"]])
    Fraction(1, 2)
    """
    P = as_stochastic(P)
    if len(P) == 1:
        return Fraction(0)
    return 1 - min(sum((min(u, v) for u, v in zip(a, b)), Fraction(0))
                   for a, b in combinations(P, 2))


def column_floor(P: Matrix) -> Fraction:
    """``sum_k min_i P_ik``: the mass every row shares; ``tau(P) <= 1 - column_floor(P)``."""
    return sum((min(col) for col in zip(*P)), Fraction(0))


def extremal_vector(P: Matrix) -> Vector:
    """A 0/1 vector ``x`` with ``osc(P x) = tau(P) osc(x)`` (shows the contraction is sharp).

    For the pair of rows ``(i, j)`` attaining ``tau``, ``x_k = 1`` where ``P_ik > P_jk``.
    """
    best, pair = Fraction(-1), (0, 0)
    for i, j in combinations(range(len(P)), 2):
        s = sum((abs(u - v) for u, v in zip(P[i], P[j])), Fraction(0))
        if s > best:
            best, pair = s, (i, j)
    i, j = pair
    return tuple(Fraction(1) if P[i][k] > P[j][k] else Fraction(0) for k in range(len(P)))


def fmt_matrix(P) -> list[list[str]]:
    return [[str(v) for v in row] for row in P]


def fmt_vector(x) -> list[str]:
    return [str(v) for v in x]
