import numpy as np
import pytest
from hypothesis import given, strategies as st

from numeric import masks
from numeric.attention import attention
from numeric.errors import MaskError, NonFiniteError, RankCollapseError, ShapeError
from theory.attention_facts import row_stochastic
from tests.strategies import masks_with_self_loops
import mpmath
from numeric.attention import attention, check_weights, masked_softmax, scores
from numeric.errors import MaskError, RankCollapseError, ShapeError


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


# ---------------------------------------------------------------- pinned by mutation testing
# (numeric.attention against a hand-written masked softmax (mutation-testing follow-up).)

def _ref(X, WQ, WK, M, d_qk=None):
    d_qk = WQ.shape[1] if d_qk is None else d_qk
    A = np.zeros((X.shape[0], X.shape[0]))
    for i in range(X.shape[0]):
        js = [j for j in range(X.shape[0]) if M[i, j]]
        r = np.array([(X[i] @ WQ) @ (X[j] @ WK) / np.sqrt(d_qk) for j in js])
        e = np.exp(r - r.max())
        A[i, js] = e / e.sum()
    return A


def _data(n=5, d=3, dqk=2, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d)), rng.standard_normal((d, dqk)),
            rng.standard_normal((d, dqk)))


@pytest.mark.parametrize("M", [masks.causal(5), masks.sliding_window(5, 1), masks.complete(5),
                               masks.strided(5, 2)])
def test_attention_is_the_masked_softmax(M):
    X, WQ, WK = _data()
    A = attention(X, WQ, WK, M)
    assert np.allclose(A, _ref(X, WQ, WK, M), atol=1e-14)
    assert np.all(A[~M] == 0.0)
    As = attention(X, WQ, WK, M, d_qk=3.5)
    assert np.allclose(As, _ref(X, WQ, WK, M, 3.5), atol=1e-14)


def test_unit_temperature_is_not_rescaled():
    X, WQ, WK = _data(dqk=1)
    A = attention(X, WQ, WK, masks.complete(5))
    assert np.allclose(A, _ref(X, WQ, WK, masks.complete(5), 1), atol=1e-14)
    R = scores(X, WQ, WK)
    assert np.allclose(R, (X @ WQ) @ (X @ WK).T, atol=1e-14)
    R2 = scores(X, WQ, WK, 4)
    assert np.allclose(R2, (X @ WQ) @ (X @ WK).T / 2, atol=1e-14)


def test_high_precision_and_batches_agree_with_float():
    X, WQ, WK = _data(4, 3, 3, seed=1)
    M = masks.causal(4)
    ref = _ref(X, WQ, WK, M)
    with mpmath.workdps(40):
        Am = attention(X, WQ, WK, M, backend="mpmath:40")
        assert all(Am[i, j] == 0 for i in range(4) for j in range(4) if not M[i, j])
        assert np.allclose(np.array(Am, dtype=float), ref, atol=1e-15)
        assert all(abs(sum(Am[i]) - 1) < mpmath.mpf(10) ** -35 for i in range(4))
    Xb = np.stack([X, 2 * X, -X])
    Ab = attention(Xb, WQ, WK, M)
    assert Ab.shape == (3, 4, 4)
    for b, x in enumerate((X, 2 * X, -X)):
        assert np.allclose(Ab[b], _ref(x, WQ, WK, M), atol=1e-14)
    sparse = attention(Xb, WQ, WK, masks.causal(4, sparse=True))
    assert isinstance(sparse, list) and len(sparse) == 3
    assert all(np.allclose(s.toarray(), Ab[b], atol=1e-14) for b, s in enumerate(sparse))


def test_sparse_single_and_temperature():
    X, WQ, WK = _data(6, 3, 2, seed=3)
    M = masks.sliding_window(6, 2, sparse=True)
    Md = masks.sliding_window(6, 2)
    for dqk in (None, 0.5):
        A = attention(X, WQ, WK, M, d_qk=dqk)
        assert np.allclose(A.toarray(), _ref(X, WQ, WK, Md, dqk), atol=1e-14)


def test_masked_softmax_does_not_touch_input_unless_asked():
    R = np.array([[1.0, 2.0], [3.0, -1.0]])
    M = np.array([[True, False], [True, True]])
    keep = R.copy()
    S = masked_softmax(R, M)
    assert np.array_equal(R, keep)
    assert S[0].tolist() == [1.0, 0.0]
    assert S[1] == pytest.approx([np.exp(3) / (np.exp(3) + np.exp(-1)),
                                  np.exp(-1) / (np.exp(3) + np.exp(-1))])


def test_errors():
    X, WQ, WK = _data()
    with pytest.raises(ShapeError, match="tokens"):
        check_weights(X[0], WQ, WK)
    with pytest.raises(ShapeError, match="W_Q"):
        check_weights(X, WQ[:2], WK)
    with pytest.raises(ShapeError, match="same shape"):
        check_weights(X, WQ, WK[:, :1])
    with pytest.raises(ShapeError, match="W_V"):
        check_weights(X, WQ, WK, np.eye(2))
    check_weights(X, WQ, WK, np.eye(3))
    with pytest.raises(ShapeError, match="N = 5"):
        attention(X, WQ, WK, masks.causal(4))
    M = masks.causal(5)
    M[2] = False
    with pytest.raises(MaskError, match=r"\[2\]"):
        attention(X, WQ, WK, M)
    for bad in (0, -1.0, np.array([2.0])):
        with pytest.raises(RankCollapseError, match="temperature"):
            attention(X, WQ, WK, masks.causal(5), d_qk=bad)
    with pytest.raises(RankCollapseError, match="float64 only"):
        attention(X, WQ, WK, masks.causal(5, sparse=True), backend="mpmath:30")


def test_high_precision_batch_rows_are_normalised_per_row():
    X, WQ, WK = _data(3, 2, 2, seed=4)
    Xb = np.stack([X, X[::-1] * 0.5])
    M = masks.causal(3)
    with mpmath.workdps(30):
        Ab = attention(Xb, WQ, WK, M, backend="mpmath:30")
    assert Ab.shape == (2, 3, 3)
    for b in range(2):
        assert np.allclose(np.array(Ab[b], dtype=float), _ref(Xb[b], WQ, WK, M), atol=1e-15)
