"""Hypothesis: the Jordan-chain equilibria for drawn (n, d, k, w, signs), and the surd field."""
from fractions import Fraction

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from counterexamples.jordan import equilibrium, value_matrix, verify_equilibrium
from counterexamples.surds import Surd
from tests.conftest import examples


@st.composite
def jordan_instances(draw):
    """(n, d, k, w, signs) with 1 <= k <= min(n, d) and rational |w| >= n - k + 1."""
    n = draw(st.integers(1, 5))
    d = draw(st.integers(1, 5))
    k = draw(st.integers(1, min(n, d)))
    m = n - k + 1 if k >= 2 else 1
    extra = draw(st.fractions(min_value=0, max_value=5, max_denominator=7))
    w = sp.Rational(m) + sp.Rational(extra.numerator, extra.denominator)
    if draw(st.booleans()):
        w = -w
    signs = draw(st.lists(st.sampled_from([1, -1]), min_size=k, max_size=k))
    return n, d, k, w, signs


@settings(max_examples=examples(20))
@given(jordan_instances(), st.integers(0, 24))
def test_drawn_equilibria_hold_and_perturbations_fail(inst, where):
    n, d, k, w, signs = inst
    X = equilibrium(n, d, k, w, signs)
    W = value_matrix(d, w)
    ev = verify_equilibrium(X, W, k=k)
    assert ev.status == "holds" and ev.level == "exact"
    Y = X.copy()
    i, j = divmod(where % (n * d), d)
    Y[i, j] += sp.Rational(1, 97)
    assert verify_equilibrium(Y, W).status == "fails"


small_q = st.fractions(min_value=-20, max_value=20, max_denominator=9)
sq = st.sampled_from([1, 2, 3, 5, 6, 7, 10, 11])


@st.composite
def surds(draw):
    terms = draw(st.lists(st.tuples(small_q, sq), min_size=0, max_size=3))
    out = Surd()
    for q, s in terms:
        out = out + Surd.sqrt_of(s) * q
    return out


@given(surds(), surds(), surds())
def test_surd_field_axioms(a, b, c):
    assert (a + b) * c == a * c + b * c
    assert (a * b) * c == a * (b * c)
    assert a - a == Surd()
    if not b.is_zero():
        assert (a / b) * b == a
    assert (a - b).sign() == (0 if a == b else (1 if float(a) - float(b) > 0 else -1)) or \
        abs(float(a) - float(b)) < 1e-9
    assert Surd.sqrt_of(Fraction(4, 9)) == Fraction(2, 3)
