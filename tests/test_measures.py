import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from numeric import measures as m
from numeric.errors import RankCollapseError
from numeric.precision import get_backend

elems = st.floats(-100, 100, allow_nan=False)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=elems))
def test_mu_pairwise_identity(X):
    n = X.shape[0]
    pair = sum(np.sum((X[i] - X[j]) ** 2) for i in range(n) for j in range(n)) / (2 * n)
    assert np.isclose(m.mu(X) ** 2, pair, rtol=1e-9, atol=1e-9)


def test_antipodal_tokens_rank_one_but_mu_positive():
    X = np.array([[0.6, 0.8], [-0.6, -0.8], [0.6, 0.8]])
    assert m.mu(X) > 1 and m.dist_rank_one(X) < 1e-15 and m.numerical_rank(X) == 1
    assert np.isclose(m.min_cosine(X), -1) and np.isclose(m.avg_abs_cosine(X), 1)


def test_stable_rank_bounds_and_batch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 7, 3))
    s = m.stable_rank(X)
    assert s.shape == (5,) and np.all(s >= 1) and np.all(s <= 3 + 1e-12)
    assert np.allclose(m.mu(X), [m.mu(x) for x in X])


def test_mpmath_measures_below_float_range():
    """At 1e-200 apart, float64 cannot tell tokens apart from a rank-one matrix in
    relative terms; mpmath measures the gap."""
    be = get_backend("mpmath:250")
    with be.context():
        X = be.asarray([[1, 0], [1, 0]])
        X[1, 1] = mpmath.mpf("1e-200")
        assert abs(m.mu(X) - mpmath.mpf("1e-200") / mpmath.sqrt(2)) < mpmath.mpf("1e-240")
        assert m.numerical_rank(X) == 2
        assert abs(m.dist_rank_one(X) - mpmath.mpf("1e-200") / mpmath.sqrt(2)) < \
            mpmath.mpf("1e-240")


def test_arb_spectral_measures_refuse_clearly():
    be = get_backend("arb:30")
    with be.context():
        X = be.asarray([[1.0, 0.0], [0.0, 1.0]])
        assert m.mu(X).contains(1)
        with pytest.raises(RankCollapseError, match="mpmath"):
            m.stable_rank(X)
    with pytest.raises(RankCollapseError, match="zero token"):
        m.min_cosine(np.zeros((2, 2)))
