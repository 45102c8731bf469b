"""numeric.precision: backends, contexts and exact conversions (mutation testing)."""
import math
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import sympy

from numeric.errors import NonFiniteError, RankCollapseError
from numeric.precision import FLOAT64, Arb, Float64, Mpmath, backend_of, get_backend


def test_get_backend_parses_specs():
    assert get_backend() is FLOAT64 and get_backend(None) is FLOAT64
    assert get_backend("float64") is FLOAT64 and get_backend(FLOAT64) is FLOAT64
    m = get_backend("mpmath")
    assert isinstance(m, Mpmath) and m.digits == 50 and m.name == "mpmath:50"
    a = get_backend("arb:30")
    assert isinstance(a, Arb) and a.digits == 30 and a.name == "arb:30"
    assert a.prec == math.floor(30 * math.log2(10)) + 8          # bits for 30 digits + guard
    assert (FLOAT64.level, m.level, a.level) == ("numeric", "numeric-hp", "certified")
    for bad in ("mpmath:x", "quad", 3, "arb:15", "mpmath:8"):
        with pytest.raises(RankCollapseError):
            get_backend(bad)
    get_backend("mpmath:16")
    get_backend("arb:16")


def test_contexts_set_and_restore_precision():
    old_dps, old_prec = mpmath.mp.dps, flint.ctx.prec
    with get_backend("mpmath:70").context():
        assert mpmath.mp.dps == 70
    with get_backend("arb:40").context():
        assert flint.ctx.prec == get_backend("arb:40").prec
    assert (mpmath.mp.dps, flint.ctx.prec) == (old_dps, old_prec)
    with pytest.raises(KeyError):
        with get_backend("arb:40").context():
            raise KeyError
    assert flint.ctx.prec == old_prec


def _contains(ball, q):
    """``q`` (a rational) lies in ``ball``: decided at a precision where q's own ball is
    far smaller than ``ball``."""
    old = flint.ctx.prec
    flint.ctx.prec = 4000
    try:
        return ball.contains(q)
    finally:
        flint.ctx.prec = old


def test_conversions_are_exact_or_enclosing():
    m, a = get_backend("mpmath:40"), get_backend("arb:40")
    with m.context():
        assert m.scalar(Fraction(1, 3)) == mpmath.mpf(1) / 3
        assert m.scalar(sympy.Rational(2, 7)) == mpmath.mpf(2) / 7
        assert m.scalar(0.1) == mpmath.mpf(0.1)                   # the double, exactly
        assert m.scalar("0.1") == mpmath.mpf("0.1")
        assert abs(m.scalar(sympy.sqrt(2)) - mpmath.sqrt(2)) < mpmath.mpf(10) ** -38
        assert m.scalar(np.int64(-4)) == -4
        for bad in (float("inf"), "nan", mpmath.inf):
            with pytest.raises(NonFiniteError):
                m.scalar(bad)
        with pytest.raises(RankCollapseError):
            m.scalar(object())
    with a.context():
        third = a.scalar(Fraction(1, 3))
        assert _contains(third, flint.fmpq(1, 3)) and third.rad() < 1e-40
        assert a.scalar(0.1).is_exact() and a.scalar(0.1) == flint.arb(0.1)
        assert _contains(a.scalar("0.1"), flint.fmpq(1, 10))
        assert _contains(a.scalar(sympy.Rational(-5, 3)), flint.fmpq(-5, 3))
        assert a.scalar(7).is_exact() and a.scalar(7) == 7
        with mpmath.workdps(30):
            v = -mpmath.mpf(3) / 8
        assert a.scalar(v) == flint.arb(-0.375)
        with pytest.raises(NonFiniteError):
            a.scalar(mpmath.inf)
        with pytest.raises(NonFiniteError):
            a.scalar(float("nan"))
        with pytest.raises(RankCollapseError, match="exactly"):
            a.scalar(sympy.sqrt(2))
    with pytest.raises(NonFiniteError, match=r"\[\[0, 1\]\]"):
        FLOAT64.asarray([[1.0, np.nan]])
    assert FLOAT64.asarray(np.array([Fraction(1, 2)], dtype=object)).tolist() == [0.5]


def test_arrays_zero_tests_and_floats():
    for spec in ("mpmath:30", "arb:30"):
        be = get_backend(spec)
        with be.context():
            x = be.asarray([[0.0, 1.5], [-2.0, 0.25]])
            assert x.dtype == object and x.shape == (2, 2)
            assert be.may_be_zero(x).tolist() == [[True, False], [False, False]]
            assert be.to_float(x).tolist() == [[0.0, 1.5], [-2.0, 0.25]]
            assert be.to_float(be.asarray(np.zeros((0, 3)))).shape == (0, 3)
            assert float(be.to_float(be.sqrt(be.asarray([2.0])))[0]) == math.sqrt(2)
            assert float(be.to_float(be.exp(be.asarray([1.0])))[0]) == pytest.approx(math.e)
    assert FLOAT64.may_be_zero(np.array([0.0, 1e-300])).tolist() == [True, False]


def test_backend_of_reads_the_element_type():
    assert backend_of(np.zeros(3)) is FLOAT64
    with mpmath.workdps(33):
        b = backend_of(np.array([mpmath.mpf(1)], dtype=object))
    assert isinstance(b, Mpmath) and b.digits == 33
    with mpmath.workdps(5):
        assert backend_of(np.array([mpmath.mpf(1)], dtype=object)).digits == 16
    b = backend_of(np.array([flint.arb(1)], dtype=object))
    assert isinstance(b, Arb) and b.digits == max(16, flint.ctx.dps)
    with pytest.raises(RankCollapseError, match="empty"):
        backend_of(np.array([], dtype=object))
    with pytest.raises(RankCollapseError, match="unsupported"):
        backend_of(np.array([Fraction(1)], dtype=object))
    assert isinstance(FLOAT64, Float64)


def test_arb_sqrt_of_a_ball_straddling_zero_is_finite():
    """A squared norm computed with rounding may straddle 0: its square root must be a
    finite ball containing 0 (the non-negative part), not NaN."""
    a = get_backend("arb:30")
    with a.context():
        r = a.sqrt(np.array([flint.arb(0, 1e-20), flint.arb(4)], dtype=object))
        assert r[0].is_finite() and r[0].contains(0) and float(r[0].upper()) <= 1.01e-10
        assert r[1] == 2
