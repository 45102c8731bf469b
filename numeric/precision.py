"""Number types for the dynamics: float64, mpmath, python-flint ``arb`` balls.

Every update in :mod:`numeric.attention`, :mod:`numeric.layernorm` and
:mod:`numeric.dynamics` is written once against numpy arrays; the backend decides the
element type (``float64`` arrays, or ``object`` arrays holding ``mpf`` / ``arb``) and
supplies the few elementwise functions that numpy cannot apply to objects.

Precision is a context, as in mpmath: a backend carries its digits and every public
function enters :meth:`Backend.context` so that ``mp.dps`` / ``flint.ctx.prec`` hold the
stated precision while it runs (and are restored afterwards).

>>> b = get_backend("mpmath:40")
>>> with b.context():
...     x = b.asarray([[1.0, 2.0]])
...     str(b.sqrt(x)[0, 1])[:12]
'1.4142135623'

Conversions are exact where the input is exact: a float64 is a dyadic rational, so
``mpf(x)`` and ``arb(x)`` hold it exactly; ``Fraction`` and SymPy ``Rational`` inputs go
to ``arb`` as exact rationals; decimal strings go to a ball that contains them.  An
``arb`` result contains the true value of the map applied to the exact inputs.
"""
from __future__ import annotations

import contextlib
from fractions import Fraction

import mpmath
import numpy as np

from .errors import NonFiniteError, RankCollapseError

__all__ = ["Backend", "Float64", "Mpmath", "Arb", "get_backend", "backend_of", "FLOAT64"]


class Backend:
    """Interface; see the three implementations below."""

    name = "abstract"
    level = "numeric"
    dtype = object
    digits: int | None = None

    @contextlib.contextmanager
    def context(self):
        yield

    # elementwise functions on arrays of this backend's numbers
    def exp(self, a):
        raise NotImplementedError

    def sqrt(self, a):
        raise NotImplementedError

    def scalar(self, x):
        raise NotImplementedError

    def asarray(self, x) -> np.ndarray:
        """Convert to an array of this backend's numbers, checking finiteness."""
        raise NotImplementedError

    def to_float(self, a) -> np.ndarray:
        raise NotImplementedError

    def zero_like(self, shape):
        z = np.empty(shape, dtype=object)
        z.fill(self.scalar(0))
        return z

    def may_be_zero(self, a) -> np.ndarray:
        """Boolean array: entries that are zero, or (for balls) cannot be shown nonzero."""
        raise NotImplementedError

    def __repr__(self):
        return f"<backend {self.name}>"


class Float64(Backend):
    name = "float64"
    level = "numeric"
    dtype = np.float64
    digits = 15

    def exp(self, a):
        return np.exp(a)

    def sqrt(self, a):
        return np.sqrt(a)

    def scalar(self, x):
        return float(x)

    def asarray(self, x):
        if isinstance(x, np.ndarray) and x.dtype.kind == "c":
            raise RankCollapseError("complex numbers are not accepted: tokens and weights "
                                    "are real")
        try:
            if isinstance(x, np.ndarray) and x.dtype == object:
                a = np.vectorize(float, otypes=[np.float64])(x) if x.size else x.astype(float)
            else:
                a = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise RankCollapseError(f"expected real numbers, got {type(x).__name__} "
                                    f"({str(exc).splitlines()[0]})") from None
        _check_finite_float(a)
        return a

    def to_float(self, a):
        return np.asarray(a, dtype=np.float64)

    def zero_like(self, shape):
        return np.zeros(shape)

    def may_be_zero(self, a):
        return np.asarray(a) == 0


#: the most decimal digits a backend accepts: each operation costs about digits^1.6, so a
#: trajectory at 10^8 digits would run for days and fill the memory
MAX_DIGITS = 20000


def _check_digits(name: str, dps) -> None:
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 16:
        raise RankCollapseError(f"{name} digits must be an integer >= 16, got {dps!r}")
    if dps > MAX_DIGITS:
        raise RankCollapseError(f"{name} digits must be at most {MAX_DIGITS} (the cost of "
                                f"each operation grows like digits^1.6), got {dps}")


def _check_finite_float(a: np.ndarray):
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))[:5].tolist()
        raise NonFiniteError(f"input contains NaN or infinity at index(es) {bad}")


def _to_fraction_exact(x):
    """Fraction for exact rational inputs, else None."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return Fraction(int(x))
    try:  # SymPy Rational / Integer without importing sympy eagerly
        import sympy
        if isinstance(x, sympy.Basic) and x.is_Rational:
            return Fraction(int(x.p), int(x.q))
    except ImportError:  # pragma: no cover
        pass
    return None


class _ObjectBackend(Backend):
    """Numbers held in numpy object arrays; subclasses set ``_exp``, ``_sqrt``,
    ``_float`` (elementwise ufuncs) and ``_one`` (exact conversion of one input)."""

    def exp(self, a):
        return self._exp(a)

    def sqrt(self, a):
        return self._sqrt(a)

    def scalar(self, x):
        return self._one(x)

    def asarray(self, x):
        a = np.asarray(x, dtype=object) if not isinstance(x, np.ndarray) else x
        if a.dtype != object:
            a = a.astype(object)
        return self._conv(a) if a.size else a.copy()

    def to_float(self, a):
        return np.asarray(self._float(a), dtype=np.float64) if np.asarray(a).size else \
            np.zeros(np.shape(a))


class Mpmath(_ObjectBackend):
    """mpmath ``mpf`` numbers at ``dps`` decimal digits (level ``numeric-hp``)."""

    name = "mpmath"
    level = "numeric-hp"

    def __init__(self, dps: int = 50):
        _check_digits("mpmath", dps)
        self.digits = dps
        self.name = f"mpmath:{dps}"
        self._exp = np.frompyfunc(mpmath.exp, 1, 1)
        self._sqrt = np.frompyfunc(mpmath.sqrt, 1, 1)
        self._conv = np.frompyfunc(self._one, 1, 1)
        self._float = np.frompyfunc(float, 1, 1)

    @contextlib.contextmanager
    def context(self):
        with mpmath.workdps(self.digits):
            yield

    def _one(self, x):
        if isinstance(x, mpmath.mpf):
            v = x
        elif isinstance(x, (float, np.floating)):
            v = mpmath.mpf(float(x))  # exact: a double is a dyadic rational
        else:
            f = _to_fraction_exact(x)
            if f is not None:
                v = mpmath.mpf(f.numerator) / f.denominator
            elif isinstance(x, str):
                v = mpmath.mpf(x)
            else:
                try:
                    import sympy
                    if isinstance(x, sympy.Basic):
                        v = mpmath.mpf(sympy.N(x, self.digits + 10))
                    else:
                        v = mpmath.mpf(x)
                except (TypeError, ValueError) as exc:
                    raise RankCollapseError(f"cannot convert {x!r} to an mpmath number") from exc
        if not mpmath.isfinite(v):
            raise NonFiniteError(f"input contains a non-finite value {x!r}")
        return v

    def may_be_zero(self, a):
        return np.asarray(np.frompyfunc(lambda v: v == 0, 1, 1)(a), dtype=bool)


class Arb(_ObjectBackend):
    """python-flint ``arb`` balls at ``dps`` decimal digits (level ``certified``).

    Every result is a ball guaranteed to contain the exact value of the computation on
    the exact inputs; comparisons are "certainly true" or not decided."""

    name = "arb"
    level = "certified"

    def __init__(self, dps: int = 50):
        import flint

        _check_digits("arb", dps)
        self.flint = flint
        self.digits = dps
        self.prec = int(dps * 3.3219280948873626) + 8
        self.name = f"arb:{dps}"
        self._exp = np.frompyfunc(lambda v: v.exp(), 1, 1)
        self._sqrt = np.frompyfunc(self._sqrt1, 1, 1)
        self._conv = np.frompyfunc(self._one, 1, 1)
        self._float = np.frompyfunc(lambda v: float(v.mid()), 1, 1)
        self._maybe0 = np.frompyfunc(lambda v: bool(v.contains(0)), 1, 1)

    @contextlib.contextmanager
    def context(self):
        ctx = self.flint.ctx
        old = ctx.prec
        ctx.prec = self.prec
        try:
            yield
        finally:
            ctx.prec = old

    @staticmethod
    def _sqrt1(v):
        # sqrt of a ball that straddles 0 (a squared norm computed with rounding) is NaN
        # in arb; take the non-negative part, which still contains the true value
        return v.nonnegative_part().sqrt() if v.contains(0) else v.sqrt()

    def _one(self, x):
        flint = self.flint
        if isinstance(x, flint.arb):
            v = x
        elif isinstance(x, (float, np.floating)):
            v = flint.arb(float(x))  # exact
        else:
            f = _to_fraction_exact(x)
            if f is not None:
                v = flint.arb(flint.fmpq(f.numerator, f.denominator))
            elif isinstance(x, str):
                v = flint.arb(x)
            elif isinstance(x, mpmath.mpf):
                sign, man, exp, _ = x._mpf_  # exact: mpf is sign * man * 2^exp
                if not mpmath.isfinite(x):
                    raise NonFiniteError(f"input contains a non-finite value {x!r}")
                v = flint.arb(flint.fmpz(int(man))) * flint.arb(2) ** int(exp)
                if sign:
                    v = -v
            else:
                raise RankCollapseError(
                    f"cannot convert {type(x).__name__} {x!r} to an arb ball exactly; give a "
                    "float, int, Fraction, SymPy Rational or decimal string")
        if not v.is_finite():
            raise NonFiniteError(f"input contains a non-finite value {x!r}")
        return v

    def may_be_zero(self, a):
        return np.asarray(self._maybe0(a), dtype=bool)


FLOAT64 = Float64()


def get_backend(spec="float64") -> Backend:
    """``"float64"``, ``"mpmath"`` / ``"mpmath:60"``, ``"arb"`` / ``"arb:60"``, or a Backend.

    >>> get_backend("arb:30").level
    'certified'
    """
    if isinstance(spec, Backend):
        return spec
    if spec is None or spec == "float64":
        return FLOAT64
    if not isinstance(spec, str):
        raise RankCollapseError(f"backend must be a string like 'mpmath:60', got {spec!r}")
    name, _, digits = spec.partition(":")
    try:
        dps = int(digits) if digits else 50
    except ValueError:
        raise RankCollapseError(f"backend digits must be an integer, got {digits!r}") from None
    if name == "mpmath":
        return Mpmath(dps)
    if name == "arb":
        return Arb(dps)
    raise RankCollapseError(f"unknown backend {spec!r}: use float64, mpmath[:DPS] or arb[:DPS]")


def backend_of(a) -> Backend:
    """The backend whose numbers ``a`` holds (object arrays: by their first element).

    mpmath and arb numbers are read at the precision currently in force."""
    a = np.asarray(a)
    if a.dtype != object:
        return FLOAT64
    if a.size == 0:
        raise RankCollapseError("cannot infer the number type of an empty object array")
    first = a.flat[0]
    if isinstance(first, mpmath.mpf):
        return Mpmath(max(16, int(mpmath.mp.dps)))
    import flint

    if isinstance(first, flint.arb):
        return Arb(max(16, int(flint.ctx.dps)))
    raise RankCollapseError(f"unsupported element type {type(first).__name__} in object array")
