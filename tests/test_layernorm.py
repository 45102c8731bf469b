import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from numeric.errors import ZeroRowError, NonFiniteError
from numeric.layernorm import layer_norm_full, layernorm

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=finite))
def test_rows_have_unit_norm(Y):
    """The rule: exactly zero rows are refused; every other row, however tiny (squares
    that underflow included), comes out of unit norm."""
    if np.any(np.all(Y == 0, axis=1)):
        with pytest.raises(ZeroRowError):
            layernorm(Y)
        return
    Z = layernorm(Y)
    assert np.allclose(np.linalg.norm(Z, axis=1), 1.0, atol=1e-12)


def test_tiny_rows_keep_their_direction():
    Y = np.array([[3.94e-155, 0.0], [3e-200, -4e-200], [5e-324, 5e-324]])
    Z = layernorm(Y)
    assert np.allclose(Z, [[1, 0], [0.6, -0.8], [2 ** -0.5, 2 ** -0.5]], atol=1e-15)
    with pytest.raises(ZeroRowError, match=r"token\(s\) \[1\]"):
        layernorm(np.array([[1e-300, 0.0], [0.0, 0.0]]))


def test_full_layernorm_constant_row_message():
    from numeric.layernorm import layer_norm_full
    with pytest.raises(ZeroRowError, match="full LayerNorm with eps = 0 of a constant row"):
        layer_norm_full(np.array([[2.0, 2.0, 2.0]]), eps=0)


def test_zero_row_names_token_and_layer():
    with pytest.raises(ZeroRowError, match=r"token\(s\) \[1\] at layer 7"):
        layernorm(np.array([[1.0, 0.0], [0.0, 0.0]]), layer=7)
    with pytest.raises(ZeroRowError):
        layernorm(np.array([[0.0, 0.0]]), backend="arb:30")
    with pytest.raises(NonFiniteError):
        layernorm(np.array([[np.inf, 0.0]]))


def test_full_layernorm_matches_torch_formula():
    rng = np.random.default_rng(0)
    Y = rng.standard_normal((4, 5))
    g, b = rng.standard_normal(5), rng.standard_normal(5)
    mean = Y.mean(-1, keepdims=True)
    var = Y.var(-1, keepdims=True)  # biased, as torch
    ref = (Y - mean) / np.sqrt(var + 1e-5) * g + b
    assert np.allclose(layer_norm_full(Y, eps=1e-5, gain=g, bias=b), ref, atol=1e-14)


def test_full_layernorm_eps0_is_centred_paper_ln():
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((3, 4))
    P = np.eye(4) - np.ones((4, 4)) / 4
    assert np.allclose(layer_norm_full(Y, eps=0), 2.0 * layernorm(Y @ P))
    with pytest.raises(ZeroRowError):
        layer_norm_full(np.ones((2, 4)), eps=0)


def test_full_layernorm_agrees_with_torch_if_available():
    torch = pytest.importorskip("torch", reason="torch not installed: skipping the torch "
                                "cross-check of full LayerNorm")
    rng = np.random.default_rng(2)
    Y = rng.standard_normal((3, 6))
    g, b = rng.standard_normal(6), rng.standard_normal(6)
    ref = torch.nn.functional.layer_norm(torch.tensor(Y), (6,), torch.tensor(g),
                                         torch.tensor(b), 1e-5).numpy()
    assert np.allclose(layer_norm_full(Y, eps=1e-5, gain=g, bias=b), ref, atol=1e-12)
