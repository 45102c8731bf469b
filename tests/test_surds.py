"""counterexamples.surds: exact multiquadratic arithmetic against SymPy (mutation testing).

Every Surd result is compared with SymPy's value of the same expression (SymPy's own
radicals, evaluated to 60 digits), and the sign with a 60-digit evaluation."""
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy as sp

from counterexamples.surds import Surd, matrix_to_surd, squarefree_decomposition, to_surd


def _random_surd(rng, roots=(1, 2, 3, 6, 5)):
    c = {}
    for s in rng.choice(roots, size=rng.integers(1, 4), replace=False):
        c[int(s)] = flint.fmpq(int(rng.integers(-9, 10)), int(rng.integers(1, 7)))
    return Surd(c)


def _same(s: Surd, e) -> bool:
    """equal to 60 digits (SymPy evaluates the radicals independently of Surd)"""
    return abs(sp.N(s.to_sympy() - e, 60)) < sp.Float(10) ** -55


def test_squarefree_decomposition_brute_force():
    for n in range(1, 200):
        a, s = squarefree_decomposition(n)
        assert a * a * s == n
        assert all(s % (p * p) for p in range(2, s + 1))         # s squarefree
    with pytest.raises(ValueError):
        squarefree_decomposition(0)


def test_field_operations_match_sympy():
    rng = np.random.default_rng(0)
    for _ in range(12):
        a, b = _random_surd(rng), _random_surd(rng)
        A, B = a.to_sympy(), b.to_sympy()
        assert _same(a + b, A + B) and _same(a - b, A - B) and _same(a * b, A * B)
        assert _same(3 - a, 3 - A) and _same(a + Fraction(1, 2), A + sp.Rational(1, 2))
        assert _same(-a, -A) and _same(a * 2, 2 * A) and _same(2 * a, 2 * A)
        if not b.is_zero():
            assert _same(a / b, A / B) and _same(1 / b, 1 / B)
            assert (b * b.inverse()) == 1
        assert float(a) == pytest.approx(float(A), rel=1e-12, abs=1e-12)
        ball = a.arb(200)
        assert ball.rad() < 1e-50 and float(ball.mid()) == pytest.approx(float(sp.N(A, 30)),
                                                                          rel=1e-14, abs=1e-14)
        assert a.sign() == (0 if A == 0 else int(sp.sign(sp.N(A, 60))))


def test_products_of_roots_and_conjugates():
    r2, r3, r6 = Surd.sqrt_of(2), Surd.sqrt_of(3), Surd.sqrt_of(6)
    assert r2 * r3 == r6 and r6 * r2 == 2 * r3 and r2 * r2 == 2
    x = 1 + r2 + r3
    assert x.conjugate(2) == 1 - r2 + r3 and x.conjugate(3) == 1 + r2 - r3
    assert (r6 + 1).conjugate(2) == 1 - r6 and x.primes() == {2, 3}
    assert (x * x.conjugate(2) * x.conjugate(3) * x.conjugate(2).conjugate(3)).is_rational()
    assert Surd.sqrt_of(Fraction(8, 9)) == Fraction(2, 3) * r2
    assert Surd.sqrt_of(0).is_zero() and Surd.rational(0).is_zero()
    with pytest.raises(ValueError):
        Surd.sqrt_of(-1)
    with pytest.raises(ZeroDivisionError):
        Surd().inverse()
    assert Surd.rational(Fraction(2, 3)).inverse() == Fraction(3, 2)


def test_signs_of_nearly_cancelling_values():
    """sqrt(2) - 1.41421356237 > 0 and sqrt(2) - 1.41421356238 < 0: needs extra bits."""
    r2 = Surd.sqrt_of(2)
    assert (r2 - Fraction(141421356237, 10 ** 11)).sign() == 1
    assert (r2 - Fraction(141421356238, 10 ** 11)).sign() == -1
    assert Surd.rational(Fraction(-1, 7)).sign() == -1 and Surd.rational(3).sign() == 1
    assert Surd().sign() == 0


def test_equality_hash_and_repr():
    a = Surd({1: flint.fmpq(1, 2), 3: flint.fmpq(-2)})
    b = Surd.rational(Fraction(1, 2)) - 2 * Surd.sqrt_of(3)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != b + Surd.sqrt_of(5) and (a == "x") is False
    assert repr(a) == "Surd(1/2 + -2*sqrt(3))" and repr(Surd()) == "Surd(0)"
    assert Surd({2: flint.fmpq(0)}).is_zero()                   # zero coefficients dropped


def test_to_surd_and_matrices():
    cases = [sp.sqrt(sp.Rational(1, 2)) - 3, 1 / sp.sqrt(3), sp.Rational(5, 4),
             sp.sqrt(2) * sp.sqrt(3) / 7 + sp.sqrt(50)]
    for e in cases:
        s = to_surd(e)
        assert s is not None and _same(s, e)
    assert to_surd(Fraction(3, 4)) == Fraction(3, 4) and to_surd(2) == 2
    for e in (sp.sqrt(1 + sp.sqrt(2)), sp.pi, sp.Symbol("x"), sp.cbrt(2), sp.sqrt(2) * sp.pi):
        assert to_surd(e) is None
    M = sp.Matrix([[1, sp.sqrt(2)], [sp.Rational(1, 3), -sp.sqrt(8)]])
    S = matrix_to_surd(M)
    assert all(_same(S[i][j], M[i, j]) for i in range(2) for j in range(2))
    assert matrix_to_surd(sp.Matrix([[1, sp.pi]])) is None
