import numpy as np
import pytest

from numeric import masks
from numeric.dynamics import Layer, simulate
from numeric.errors import RankCollapseError, ShapeError, ZeroRowError
from numeric.measures import mu
from numeric.weights import haar_orthogonal, random_layer


def _setup(n=6, d=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng, rng.standard_normal((n, d)), random_layer(d, rng)


def test_san_complete_collapses():
    rng, X0, layer = _setup()
    tr = simulate(X0, masks.complete(6), layer, 60)
    m = tr.mu()
    assert m[-1] < 1e-8 * m[0]


def test_disconnected_mask_keeps_clusters_apart():
    """Negative control: two components, no centre node: mu stays bounded below while
    each component collapses to its own point."""
    rng = np.random.default_rng(1)
    n, d = 6, 3
    M = masks.block_local(n, 3)           # tokens {0,1,2} and {3,4,5} never meet
    X0 = np.vstack([rng.standard_normal((3, d)) + 5, rng.standard_normal((3, d)) - 5])
    tr = simulate(X0, M, (np.zeros((d, d)), np.zeros((d, d)), np.eye(d)), 200)
    XT = tr.X[-1]
    assert mu(XT[:3]) < 1e-12 and mu(XT[3:]) < 1e-12   # each block collapses
    assert mu(XT) > 1.0                                  # but the blocks stay apart


def test_post_ln_tokens_on_sphere_and_pre_ln():
    rng, X0, layer = _setup()
    for mode in ("post-ln", "pre-ln"):
        tr = simulate(X0, masks.causal(6), layer, 5, mode=mode)
        if mode == "post-ln":
            assert np.allclose(np.linalg.norm(tr.X[-1], axis=1), 1)
    tr = simulate(X0, masks.causal(6), layer, 3, mode="post-ln", skip=True, ln="full",
                  ln_eps=1e-5)
    assert np.allclose(tr.X[-1].mean(axis=1), 0, atol=1e-12)   # full LN centres tokens


def test_per_layer_weights_sequence_and_callable_agree():
    rng, X0, _ = _setup()
    layers = [random_layer(4, rng) for _ in range(5)]
    a = simulate(X0, masks.causal(6), layers, 5, mode="post-ln")
    b = simulate(X0, masks.causal(6), lambda t: layers[t], 5, mode="post-ln")
    assert np.array_equal(a.X[-1], b.X[-1])
    with pytest.raises(RankCollapseError, match="3 layers of weights given for T = 5"):
        simulate(X0, masks.causal(6), layers[:3], 5)


def test_multihead_is_sum_of_heads():
    rng, X0, _ = _setup()
    l1, l2 = random_layer(4, rng), random_layer(4, rng)
    both = Layer(np.stack([l1[0], l2[0]]), np.stack([l1[1], l2[1]]), np.stack([l1[2], l2[2]]))
    M = masks.causal(6)
    y = simulate(X0, M, both, 1).X[1]
    y1 = simulate(X0, M, l1, 1).X[1]
    y2 = simulate(X0, M, l2, 1).X[1]
    assert np.allclose(y, y1 + y2)


def test_sparse_and_dense_trajectories_agree():
    rng, X0, layer = _setup(n=30)
    a = simulate(X0, masks.sliding_window(30, 2), layer, 10, mode="post-ln")
    b = simulate(X0, masks.sliding_window(30, 2, sparse=True), layer, 10, mode="post-ln")
    assert np.allclose(a.X[-1], b.X[-1], atol=1e-12)


def test_errors_are_named():
    rng, X0, layer = _setup()
    with pytest.raises(ShapeError, match="W_V must"):
        simulate(X0, masks.causal(6), (layer[0], layer[1], np.eye(5)), 2)
    with pytest.raises(RankCollapseError, match="mode"):
        simulate(X0, masks.causal(6), layer, 2, mode="post")
    X0z = X0.copy()
    X0z[2] = 0
    W0 = np.zeros((4, 4))
    # a zero token with identity attention stays zero, and the paper's LN must refuse it
    with pytest.raises(ZeroRowError, match=r"\[2\] at layer 0"):
        simulate(X0z, masks.from_edges(6, [], convention="paper", self_loops=True),
                 (W0, W0, np.eye(4)), 2, mode="post-ln")


def test_overflow_is_reported_not_returned():
    rng, X0, _ = _setup()
    big = np.eye(4) * 1e200
    with pytest.raises(RankCollapseError, match="overflow"):
        simulate(X0, masks.causal(6), (np.zeros((4, 4)), np.zeros((4, 4)), big), 5)


def test_arb_trajectory_contains_mpmath_trajectory():
    rng, X0, layer = _setup(n=4, d=3)
    M = masks.causal(4)
    hp = simulate(X0, M, layer, 6, mode="post-ln", backend="mpmath:60")
    ball = simulate(X0, M, layer, 6, mode="post-ln", backend="arb:60")
    import flint
    import mpmath
    from numeric.precision import get_backend
    with mpmath.workdps(60), get_backend("arb:80").context():
        for a, b in zip(np.ravel(ball.X[-1]), np.ravel(hp.X[-1])):
            assert a.overlaps(flint.arb(mpmath.nstr(b, 70)))
            assert a.rad() < 1e-50


def test_no_silent_underflow_of_high_precision_measures():
    """mu ~ 1e-400 at 500 digits: measure_float refuses, measure_log10 keeps the exponent,
    the table prints a decimal string."""
    X0 = np.array([[1.0, 0.0], [1.0, 0.0]])
    import mpmath
    from numeric.precision import get_backend
    be = get_backend("mpmath:500")
    with be.context():
        X = be.asarray(X0)
        X[1, 1] = mpmath.mpf("1e-400")
    Z = np.zeros((2, 2))
    tr = simulate(X, masks.from_edges(2, [], convention="paper", self_loops=True),
                  (Z, Z, np.eye(2)), 1, backend=be)
    with pytest.raises(RankCollapseError, match="outside float64 range"):
        tr.measure_float("mu")
    assert abs(tr.measure_log10("mu")[1] - (-400 - np.log10(np.sqrt(2)))) < 1e-9
    assert tr.table(("mu",))[1]["mu"].startswith("7.07107e-401")


def test_mpmath_to_arb_conversion_keeps_sign_and_value():
    import mpmath
    from numeric.precision import get_backend
    with mpmath.workdps(50):
        vals = [mpmath.mpf("-0.5"), mpmath.mpf(0), mpmath.mpf("3e-100"), -mpmath.pi]
    be = get_backend("arb:50")
    with be.context():
        out = be.asarray(vals)
        for a, v in zip(out, vals):
            assert a.is_exact() and float(a.mid()) == float(v)


# ------------------------------------------------------------------ round 3 (mutation)
def _avg2(T, backend="float64"):
    """W_Q = W_K = 0, W_V = I, causal(2) from the identity: token 2 moves half-way to
    token 1 each layer, so mu(t) = 2^-t (the format() doctest: 1, 0.5, ...)."""
    Z, I = np.zeros((2, 2)), np.eye(2)
    return simulate(np.array([[1.0, 0.0], [0.0, 1.0]]), masks.causal(2), (Z, Z, I), T,
                    backend=backend)


def test_measure_log10_float64_by_hand():
    got = _avg2(3).measure_log10("mu")
    assert np.allclose(got, [0.0, -np.log10(2), -2 * np.log10(2), -3 * np.log10(2)],
                       rtol=0, atol=1e-15)


def test_measure_log10_high_precision_is_correctly_rounded():
    """At 16 digits the log10 is taken with guard digits (at least 20): every value is the
    float64 rounding of the 60-digit log10 (a 16-digit log10 misrounds a few of these)."""
    import mpmath
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 3))
    W = rng.standard_normal((3, 3)) * 0.3
    tr = simulate(X, masks.causal(4), (W, W, np.eye(3) * 0.9), 200, backend="mpmath:16")
    v = tr.measure("mu")
    with mpmath.workdps(60):
        ref = [float(mpmath.log10(mpmath.mpf(x))) for x in v]
    assert list(tr.measure_log10("mu")) == ref


def test_table_every_at_most_zero_means_every_layer():
    rows = _avg2(3).table(("mu",), every=0)
    assert [r["t"] for r in rows] == [0, 1, 2, 3]
    assert [r["mu"] for r in rows] == [1.0, 0.5, 0.25, 0.125]
    assert [r["t"] for r in _avg2(5).table(("mu",), every=2)] == [0, 2, 4, 5]


def test_trajectory_bytes_by_hand():
    from numeric.dynamics import HP_ENTRY_BYTES, trajectory_bytes
    from numeric.precision import get_backend
    # T + 1 stored layers x batch x N x d entries, 8 bytes each at float64
    assert trajectory_bytes(3, 2, 4, 5, get_backend("float64")) == 4 * 2 * 4 * 5 * 8 == 1280
    assert trajectory_bytes(0, 1, 2, 2, get_backend("mpmath:30")) == 4 * HP_ENTRY_BYTES


def test_sparse_path_threshold_is_inclusive():
    """auto: a dense float64 mask with N >= SPARSE_MIN_N = 256 and density <= 1/8 runs on
    the sparse path; sliding_window(N, 1) has density (3N - 2)/N^2 ~ 0.012."""
    from numeric.dynamics import SPARSE_MIN_N
    Z, I = np.zeros((2, 2)), np.eye(2)
    X = np.random.default_rng(0).standard_normal((SPARSE_MIN_N, 2))
    assert SPARSE_MIN_N == 256
    tr = simulate(X, masks.sliding_window(256, 1), (Z, Z, I), 1)
    assert tr.info["attention_path"] == ["sparse"]
    tr = simulate(X[:255], masks.sliding_window(255, 1), (Z, Z, I), 1)
    assert tr.info["attention_path"] == ["dense"]
