import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from numeric import measures as m
from numeric.errors import RankCollapseError
from numeric.precision import get_backend
import itertools
from numeric.errors import RankCollapseError, ShapeError

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


# ---------------------------------------------------------------- pinned by mutation testing
# (numeric.measures against brute-force definitions (mutation-testing follow-up).)

def _X(n=5, d=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def _cos(a, b):
    return a @ b / np.linalg.norm(a) / np.linalg.norm(b)


def test_mu_is_the_pairwise_spread():
    X = _X()
    n = len(X)
    pairs = sum(np.sum((X[i] - X[j]) ** 2) for i in range(n) for j in range(n))
    assert m.mu(X) == pytest.approx(np.sqrt(pairs / (2 * n)), rel=1e-13)
    assert m.mu(X) == pytest.approx(np.linalg.norm(X - X.mean(0)), rel=1e-13)


def test_cosine_measures_brute_force():
    X = _X(6, 4, 1)
    n = len(X)
    cos = [[_cos(X[i], X[j]) for j in range(n)] for i in range(n)]
    assert m.min_cosine(X) == pytest.approx(min(min(r) for r in cos), abs=1e-14)
    off = [abs(cos[i][j]) for i, j in itertools.permutations(range(n), 2)]
    assert m.avg_abs_cosine(X) == pytest.approx(np.mean(off), rel=1e-13)
    # batches: one value per leading index
    B = np.stack([X, X[::-1] * 2, -X])
    assert np.allclose(m.min_cosine(B), [m.min_cosine(x) for x in B])
    assert np.allclose(m.avg_abs_cosine(B), [m.avg_abs_cosine(x) for x in B])
    with pytest.raises(ShapeError):
        m.avg_abs_cosine(X[:1])
    Z = X.copy()
    Z[2] = 0
    with pytest.raises(RankCollapseError, match="zero token"):
        m.min_cosine(Z)


def test_high_precision_measures_match_float():
    X = _X(4, 3, 2)
    for spec in ("mpmath:40", "arb:40"):
        be = get_backend(spec)
        with be.context():
            Xh = be.asarray(X)
            for f in (m.mu, m.min_cosine, m.avg_abs_cosine):
                v = f(Xh)
                v = v.mid() if hasattr(v, "mid") else v
                assert float(v) == pytest.approx(float(f(X)), rel=1e-13), (spec, f)
            mx = m._reduce(be, m._cosines(Xh, be), "max")
            mx = mx.mid() if hasattr(mx, "mid") else mx
            assert float(mx) == pytest.approx(1.0, abs=1e-13)   # the diagonal: cos = 1


def test_spectral_measures_vs_numpy():
    X = _X(5, 4, 3)
    s = np.linalg.svd(X, compute_uv=False)
    assert np.allclose(m.singular_values(X), s)
    assert m.stable_rank(X) == pytest.approx(np.linalg.norm(X) ** 2 / np.linalg.norm(X, 2) ** 2)
    U, S, Vt = np.linalg.svd(X)
    best1 = S[0] * np.outer(U[:, 0], Vt[0])
    assert m.dist_rank_one(X) == pytest.approx(np.linalg.norm(X - best1), rel=1e-12)
    rng = np.random.default_rng(0)      # integer factors: R2 is exactly of rank 2
    R2 = (rng.integers(-4, 5, (5, 2)) @ rng.integers(-4, 5, (2, 4))).astype(float)
    assert m.numerical_rank(X) == 4 and m.numerical_rank(R2) == np.linalg.matrix_rank(R2) == 2
    assert m.numerical_rank(X, tol=s[1] * 1.0001) == 1
    with mpmath.workdps(30):
        Xm = get_backend("mpmath:30").asarray(R2)
        sm = m.singular_values(Xm)
        assert [float(v) for v in sm] == pytest.approx(np.linalg.svd(R2, compute_uv=False),
                                                        abs=1e-13)
        assert float(sm[0]) >= float(sm[1]) >= float(sm[2])
        assert int(m.numerical_rank(Xm)) == 2
        assert float(m.stable_rank(Xm)) == pytest.approx(m.stable_rank(R2), rel=1e-12)
        assert float(m.dist_rank_one(Xm)) == pytest.approx(m.dist_rank_one(R2), rel=1e-10)
    with pytest.raises(RankCollapseError, match="arb"):
        m.singular_values(get_backend("arb:30").asarray(X))


def test_high_precision_batches_and_two_tokens():
    X = _X(2, 3, 5)
    assert m.avg_abs_cosine(X) == pytest.approx(abs(_cos(X[0], X[1])), rel=1e-14)
    B = np.stack([_X(3, 4, s) for s in range(3)])           # batch of 3, N = 3, d = 4
    for spec in ("mpmath:30", "arb:30"):
        be = get_backend(spec)
        with be.context():
            Bh = be.asarray(B)
            for f in (m.min_cosine, m.avg_abs_cosine, m.mu):
                got = np.array([float(v.mid()) if hasattr(v, "mid") else float(v)
                                for v in f(Bh)])
                assert np.allclose(got, f(B), rtol=1e-13), (spec, f)
    with mpmath.workdps(30):
        Bm = get_backend("mpmath:30").asarray(B)
        sv = m.singular_values(Bm)
        assert sv.shape == (3, 3)
        assert np.allclose(np.array(sv, dtype=float), np.linalg.svd(B, compute_uv=False))
        assert m.numerical_rank(Bm).tolist() == [3, 3, 3]
    # a singular value exactly at the tolerance does not count
    assert m.numerical_rank(np.diag([2.0, 1.0]), tol=1.0) == 1
    Bz = B.copy()
    Bz[1, 0] = 0
    assert m.numerical_rank(Bz).tolist() == [3, 2, 3]
