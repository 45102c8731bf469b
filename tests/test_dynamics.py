import numpy as np
import pytest

from numeric import masks
from numeric.dynamics import Layer, simulate
from numeric.errors import RankCollapseError, ShapeError, ZeroRowError
from numeric.measures import mu
from numeric.weights import haar_orthogonal, random_layer
import mpmath


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


# ---------------------------------------------------------------- pinned by mutation testing
# (numeric.dynamics against hand-written numpy (mutation-testing follow-up, issue 8).)

def _softmax_attention(X, WQ, WK, M, d_qk=None):
    d_qk = WQ.shape[1] if d_qk is None else d_qk
    R = (X @ WQ) @ (X @ WK).T / np.sqrt(d_qk)
    R = np.where(M, R, -np.inf)
    E = np.exp(R - R.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _ln(Y):
    return Y / np.linalg.norm(Y, axis=1, keepdims=True)


def _setup_pinned(n=5, d=3, seed=11):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    WQ, WK = rng.standard_normal((d, 2)) * 0.7, rng.standard_normal((d, 2)) * 0.7
    WV = rng.standard_normal((d, d)) * 0.6
    return X, WQ, WK, WV


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("mode", ["san", "post-ln", "pre-ln"])
def test_one_layer_is_the_papers_update(mode, skip):
    """(2), (3) and pre-LN, with and without the residual connection ``+ X``."""
    X, WQ, WK, WV = _setup_pinned()
    M = masks.causal(5) | masks.sliding_window(5, 1)
    if mode == "san":
        want = _softmax_attention(X, WQ, WK, M) @ X @ WV + (X if skip else 0)
    elif mode == "post-ln":
        want = _ln(_softmax_attention(X, WQ, WK, M) @ X @ WV + (X if skip else 0))
    else:
        Z = _ln(X)
        want = _softmax_attention(Z, WQ, WK, M) @ Z @ WV + (X if skip else 0)
    got = simulate(X, M, (WQ, WK, WV), 1, mode=mode, skip=skip).X[1]
    assert np.allclose(got, want, atol=1e-13, rtol=1e-12)


def test_temperature_and_two_layers_with_skip():
    """``d_qk`` given explicitly is the temperature; a second layer starts from the first."""
    X, WQ, WK, WV = _setup_pinned(seed=2)
    M = masks.complete(5)
    X1 = X + _softmax_attention(X, WQ, WK, M, d_qk=7.0) @ X @ WV
    X2 = X1 + _softmax_attention(X1, WQ, WK, M, d_qk=7.0) @ X1 @ WV
    tr = simulate(X, M, Layer(WQ, WK, WV, 7.0), 2, skip=True)
    assert np.allclose(tr.X[1], X1, atol=1e-12) and np.allclose(tr.X[2], X2, atol=1e-12)


def test_layer_heads_counts_value_matrices():
    X, WQ, WK, WV = _setup_pinned()
    assert Layer(WQ, WK, WV).heads() == 1
    three = Layer(np.stack([WQ] * 3), np.stack([WK] * 3), np.stack([WV] * 3))
    assert three.heads() == 3
    # three identical heads sum to three times one head (the multi-head convention)
    M = masks.causal(5)
    assert np.allclose(simulate(X, M, three, 1).X[1], 3 * simulate(X, M, (WQ, WK, WV), 1).X[1])


def test_zero_layers_is_allowed_and_negative_is_not():
    X, WQ, WK, WV = _setup_pinned()
    tr = simulate(X, masks.causal(5), (WQ, WK, WV), 0)
    assert tr.T == 0 and len(tr.X) == 1 and np.array_equal(tr.X[0], X)
    for bad in (-1, True, 2.0):
        with pytest.raises(RankCollapseError, match="non-negative integer"):
            simulate(X, masks.causal(5), (WQ, WK, WV), bad)


def test_callback_sees_every_layer_in_order():
    X, WQ, WK, WV = _setup_pinned()
    seen = []
    tr = simulate(X, masks.causal(5), (WQ, WK, WV), 4, mode="post-ln",
                  callback=lambda t, Xt: seen.append((t, Xt.copy())))
    assert [t for t, _ in seen] == [1, 2, 3, 4]
    assert all(np.array_equal(Xt, tr.X[t]) for t, Xt in seen)


def test_batch_info_and_batch_equals_loop():
    rng = np.random.default_rng(4)
    B, n, d = 3, 5, 2                           # B != n != d: the axis in info is B
    Xb = rng.standard_normal((B, n, d))
    _, WQ, WK, WV = _setup_pinned(n, d)
    M = masks.causal(n)
    tr = simulate(Xb, M, (WQ, WK, WV), 2, mode="post-ln")
    assert {k: tr.info[k] for k in ("N", "d", "T", "batch")} == {"N": n, "d": d, "T": 2,
                                                                  "batch": B}
    for b in range(B):
        one = simulate(Xb[b], M, (WQ, WK, WV), 2, mode="post-ln")
        assert one.info["batch"] is None
        assert np.allclose(one.X[2], tr.X[2][b], atol=1e-13)


def test_measure_types_follow_the_backend():
    X, WQ, WK, WV = _setup_pinned(4, 3)
    M = masks.causal(4)
    f = simulate(X, M, (WQ, WK, WV), 2, mode="post-ln").mu()
    assert f.dtype == np.float64 and f.shape == (3,)
    h = simulate(X, M, (WQ, WK, WV), 2, mode="post-ln", backend="mpmath:40").mu()
    assert h.dtype == object and all(isinstance(v, mpmath.mpf) for v in h)
    assert np.allclose(np.array(h, dtype=float), f, rtol=1e-12)


def test_resolution_is_digits_times_size():
    """``10^-digits * max|X_ij| * sqrt(N d)``, recomputed here."""
    X, WQ, WK, WV = _setup_pinned(6, 4)
    X = X * 3.0
    for backend, digits in (("float64", 15), ("mpmath:30", 30)):
        tr = simulate(X, masks.causal(6), (WQ, WK, WV), 1, backend=backend)
        want = 10.0 ** -digits * np.abs(X).max() * np.sqrt(6 * 4)
        assert tr.resolution(0) == pytest.approx(want, rel=1e-12, abs=0)


def test_table_marks_collapsed_mu_as_unresolved():
    """Identical tokens: mu is rounding noise, so the table says ``<resolution``."""
    X = np.tile([[0.6, 0.8]], (3, 1))
    Z = np.zeros((2, 2))
    tr = simulate(X, masks.complete(3), (Z, Z, np.eye(2)), 1)
    row = tr.table(("mu",))[1]
    assert isinstance(row["mu"], str) and row["mu"].startswith("<")


def test_weight_tuples_and_temperature_validation():
    X, WQ, WK, WV = _setup_pinned()
    M = masks.causal(5)
    a = simulate(X, M, (WQ, WK, WV, 7.0), 2).X[2]              # 4-tuple: with d_qk
    b = simulate(X, M, Layer(WQ, WK, WV, 7.0), 2).X[2]
    assert np.array_equal(a, b)
    for bad in (0, 0.0, -2.0):
        with pytest.raises(RankCollapseError, match="d_qk must be positive"):
            simulate(X, M, (WQ, WK, WV, bad), 1)
    with pytest.raises(RankCollapseError, match="weights for layer 0"):
        simulate(X, M, (WQ, WK), 1)


# --- mutants of the attention-path choice and the A1 warning (second round) -------------
def test_auto_path_sparse_for_low_density_dense_for_complete():
    """A dense float64 mask of low density at N >= 256 runs on the sparse path; the
    complete mask stays dense; both give the same trajectory as the forced other path."""
    import numpy as np
    from numeric import masks
    from numeric.dynamics import simulate
    rng = np.random.default_rng(0)
    n, d = 300, 4
    X0 = rng.standard_normal((n, d))
    lay = (rng.standard_normal((d, d)) * 0.3, rng.standard_normal((d, d)) * 0.3, np.eye(d))
    win = masks.sliding_window(n, 1)
    a = simulate(X0, win, lay, 2, mode="post-ln")
    assert a.info["attention_path"] == ["sparse"] * 2 or set(a.info["attention_path"]) == {"sparse"}
    b = simulate(X0, win, lay, 2, mode="post-ln", sparse=False)
    assert set(b.info["attention_path"]) == {"dense"}
    assert np.allclose(a.X[-1], b.X[-1], atol=1e-12)
    c = simulate(X0, masks.complete(n), lay, 1, mode="post-ln")
    assert set(c.info["attention_path"]) == {"dense"}


def test_sparse_mask_at_high_precision_is_refused():
    import numpy as np
    import pytest
    from numeric import masks
    from numeric.dynamics import simulate
    from numeric.errors import RankCollapseError
    I = np.eye(2)
    with pytest.raises(RankCollapseError, match="float64 only"):
        simulate(np.eye(3, 2), masks.causal(3, sparse=True), (I, I, I), 1, backend="mpmath:20")


def test_a1_warning_names_the_schedule_layer():
    import numpy as np
    import pytest
    from numeric import masks
    from numeric.dynamics import AssumptionWarning, simulate
    I = np.eye(2)
    sched = [masks.complete(2), masks.without_self_loops(masks.complete(2))]
    with pytest.warns(AssumptionWarning, match="in layer 1 of the schedule"):
        simulate(np.eye(2), sched, (I, I, I), 2)
    with pytest.warns(AssumptionWarning) as rec:
        simulate(np.eye(2), masks.without_self_loops(masks.complete(2)), (I, I, I), 1)
    assert "schedule" not in str(rec[0].message)


def test_forced_sparse_path_and_the_dense_pattern_memory_rule():
    import numpy as np
    import pytest
    from numeric import masks
    from numeric import sparse_attention as SA
    from numeric.dynamics import simulate
    from numeric.errors import RankCollapseError
    rng = np.random.default_rng(1)
    X0 = rng.standard_normal((8, 2))
    I = np.eye(2)
    tr = simulate(X0, masks.complete(8), (I, I, I), 1, sparse=True)
    assert set(tr.info["attention_path"]) == {"sparse"}
    # a dense pattern (a global layer) runs dense only if the dense scores AND the
    # materialised N x N mask fit: here they do not (75776 > 73000 bytes), and the
    # sparse path needs even more, so the run is refused
    n, d = 64, 2
    assert SA.dense_attention_bytes(n, d) + n * n > 73000 > SA.dense_attention_bytes(n, d)
    with pytest.raises(RankCollapseError, match="refusing to allocate"):
        simulate(rng.standard_normal((n, d)), SA.Pattern(n=n, dense=True), (I, I, I), 1,
                 memory_limit=73000)
