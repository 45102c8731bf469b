"""numeric.dynamics against hand-written numpy (mutation-testing follow-up, issue 8).

Every expected value here is recomputed independently of ``numeric``: attention is a
masked softmax written out below, the paper's LayerNorm is ``row / ||row||``."""
import mpmath
import numpy as np
import pytest

from numeric import masks
from numeric.dynamics import Layer, simulate
from numeric.errors import RankCollapseError


def _softmax_attention(X, WQ, WK, M, d_qk=None):
    d_qk = WQ.shape[1] if d_qk is None else d_qk
    R = (X @ WQ) @ (X @ WK).T / np.sqrt(d_qk)
    R = np.where(M, R, -np.inf)
    E = np.exp(R - R.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _ln(Y):
    return Y / np.linalg.norm(Y, axis=1, keepdims=True)


def _setup(n=5, d=3, seed=11):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    WQ, WK = rng.standard_normal((d, 2)) * 0.7, rng.standard_normal((d, 2)) * 0.7
    WV = rng.standard_normal((d, d)) * 0.6
    return X, WQ, WK, WV


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("mode", ["san", "post-ln", "pre-ln"])
def test_one_layer_is_the_papers_update(mode, skip):
    """(2), (3) and pre-LN, with and without the residual connection ``+ X``."""
    X, WQ, WK, WV = _setup()
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
    X, WQ, WK, WV = _setup(seed=2)
    M = masks.complete(5)
    X1 = X + _softmax_attention(X, WQ, WK, M, d_qk=7.0) @ X @ WV
    X2 = X1 + _softmax_attention(X1, WQ, WK, M, d_qk=7.0) @ X1 @ WV
    tr = simulate(X, M, Layer(WQ, WK, WV, 7.0), 2, skip=True)
    assert np.allclose(tr.X[1], X1, atol=1e-12) and np.allclose(tr.X[2], X2, atol=1e-12)


def test_layer_heads_counts_value_matrices():
    X, WQ, WK, WV = _setup()
    assert Layer(WQ, WK, WV).heads() == 1
    three = Layer(np.stack([WQ] * 3), np.stack([WK] * 3), np.stack([WV] * 3))
    assert three.heads() == 3
    # three identical heads sum to three times one head (the multi-head convention)
    M = masks.causal(5)
    assert np.allclose(simulate(X, M, three, 1).X[1], 3 * simulate(X, M, (WQ, WK, WV), 1).X[1])


def test_zero_layers_is_allowed_and_negative_is_not():
    X, WQ, WK, WV = _setup()
    tr = simulate(X, masks.causal(5), (WQ, WK, WV), 0)
    assert tr.T == 0 and len(tr.X) == 1 and np.array_equal(tr.X[0], X)
    for bad in (-1, True, 2.0):
        with pytest.raises(RankCollapseError, match="non-negative integer"):
            simulate(X, masks.causal(5), (WQ, WK, WV), bad)


def test_callback_sees_every_layer_in_order():
    X, WQ, WK, WV = _setup()
    seen = []
    tr = simulate(X, masks.causal(5), (WQ, WK, WV), 4, mode="post-ln",
                  callback=lambda t, Xt: seen.append((t, Xt.copy())))
    assert [t for t, _ in seen] == [1, 2, 3, 4]
    assert all(np.array_equal(Xt, tr.X[t]) for t, Xt in seen)


def test_batch_info_and_batch_equals_loop():
    rng = np.random.default_rng(4)
    B, n, d = 3, 5, 2                           # B != n != d: the axis in info is B
    Xb = rng.standard_normal((B, n, d))
    _, WQ, WK, WV = _setup(n, d)
    M = masks.causal(n)
    tr = simulate(Xb, M, (WQ, WK, WV), 2, mode="post-ln")
    assert {k: tr.info[k] for k in ("N", "d", "T", "batch")} == {"N": n, "d": d, "T": 2,
                                                                  "batch": B}
    for b in range(B):
        one = simulate(Xb[b], M, (WQ, WK, WV), 2, mode="post-ln")
        assert one.info["batch"] is None
        assert np.allclose(one.X[2], tr.X[2][b], atol=1e-13)


def test_measure_types_follow_the_backend():
    X, WQ, WK, WV = _setup(4, 3)
    M = masks.causal(4)
    f = simulate(X, M, (WQ, WK, WV), 2, mode="post-ln").mu()
    assert f.dtype == np.float64 and f.shape == (3,)
    h = simulate(X, M, (WQ, WK, WV), 2, mode="post-ln", backend="mpmath:40").mu()
    assert h.dtype == object and all(isinstance(v, mpmath.mpf) for v in h)
    assert np.allclose(np.array(h, dtype=float), f, rtol=1e-12)


def test_resolution_is_digits_times_size():
    """``10^-digits * max|X_ij| * sqrt(N d)``, recomputed here."""
    X, WQ, WK, WV = _setup(6, 4)
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
    X, WQ, WK, WV = _setup()
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
