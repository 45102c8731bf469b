import numpy as np
import pytest
from hypothesis import given, strategies as st

from numeric import masks
from numeric.attention import attention
from numeric.errors import MaskError, NonFiniteError, RankCollapseError, ShapeError
from theory.attention_facts import row_stochastic
from tests.strategies import masks_with_self_loops


@given(masks_with_self_loops(), st.integers(1, 5), st.integers(0, 2**32 - 1),
       st.floats(0.1, 30.0))
def test_rows_sum_to_one_and_vanish_off_mask(M, d, seed, scale):
    rng = np.random.default_rng(seed)
    n = M.shape[0]
    X = rng.standard_normal((n, d)) * scale
    W = rng.standard_normal((d, d))
    A = attention(X, W, W.T, M)
    assert np.all(A[~M] == 0.0)                 # exact zeros off the mask
    assert np.allclose(A.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(A >= 0) and np.all(np.isfinite(A))


def test_large_scores_do_not_overflow():
    X = np.array([[100.0, 0.0], [0.0, 100.0], [100.0, 100.0]])
    A = attention(X, np.eye(2) * 10, np.eye(2) * 10, masks.complete(3))
    assert np.all(np.isfinite(A)) and np.allclose(A.sum(1), 1)


def test_sparse_mask_matches_dense():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((20, 4))
    W = rng.standard_normal((4, 4))
    for ctor in (masks.sliding_window, masks.global_window, masks.unidirectional_window):
        D = attention(X, W, W, ctor(20, 2))
        S = attention(X, W, W, ctor(20, 2, sparse=True))
        assert np.allclose(S.toarray(), D, atol=1e-14)


def test_batched_equals_loop():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 6, 4))
    W = rng.standard_normal((4, 2))
    M = masks.causal(6)
    A = attention(X, W, W, M, d_qk=2.0)
    for b in range(3):
        assert np.allclose(A[b], attention(X[b], W, W, M, d_qk=2.0))


def test_temperature_flattens_attention():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((5, 3)) * 3
    W = np.eye(3)
    hot = attention(X, W, W, masks.complete(5), d_qk=1.0)
    cold = attention(X, W, W, masks.complete(5), d_qk=1e6)
    assert np.abs(cold - 1 / 5).max() < np.abs(hot - 1 / 5).max()
    assert np.abs(cold - 1 / 5).max() < 1e-2


def test_empty_row_is_named():
    M = masks.without_self_loops(masks.causal(3))
    with pytest.raises(MaskError, match=r"tokens \[0\] attend to no token"):
        attention(np.ones((3, 2)), np.eye(2), np.eye(2), M)


def test_bad_inputs_are_named():
    M = masks.causal(3)
    with pytest.raises(NonFiniteError, match="NaN or infinity"):
        attention(np.array([[np.nan, 0], [0, 1], [1, 1.0]]), np.eye(2), np.eye(2), M)
    with pytest.raises(ShapeError, match="W_Q must have shape"):
        attention(np.ones((3, 2)), np.eye(3), np.eye(3), M)
    with pytest.raises(ShapeError, match="mask has shape"):
        attention(np.ones((4, 2)), np.eye(2), np.eye(2), M)
    with pytest.raises(RankCollapseError, match="d_qk"):
        attention(np.ones((3, 2)), np.eye(2), np.eye(2), M, d_qk=-1)
    with pytest.raises(RankCollapseError, match="float64 only"):
        attention(np.ones((3, 2)), np.eye(2), np.eye(2), masks.causal(3, sparse=True),
                  backend="mpmath:30")


def test_row_stochastic_claim_negative_control():
    """The certified check holds on a real attention matrix and fails when the mask it
    is compared with is not the one used (support no longer matches)."""
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((5, 3)), rng.standard_normal((3, 3))
    assert row_stochastic(masks.causal(5), X, W, W).status == "holds"

    import theory.attention_facts as af
    real = af.attention
    try:  # a broken attention that leaks weight off the mask must be caught
        af.attention = lambda X, WQ, WK, M, backend: real(X, WQ, WK, masks.complete(5),
                                                          backend=backend)
        ev = row_stochastic(masks.causal(5), X, W, W)
    finally:
        af.attention = real
    assert ev.status == "fails" and ev.witness["nonzero_off_mask"]
