import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from numeric.errors import ZeroRowError, NonFiniteError
from numeric.layernorm import layer_norm_full, layernorm
from numeric.errors import RankCollapseError, ZeroRowError
from numeric.layernorm import layer_norm_full, layernorm, row_norms
from numeric.precision import get_backend

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


# ---------------------------------------------------------------- pinned by mutation testing
# (numeric.layernorm against numpy formulas (mutation-testing follow-up).)

def test_paper_layernorm_and_row_norms():
    Y = np.random.default_rng(0).standard_normal((2, 4, 3))
    assert np.allclose(layernorm(Y), Y / np.sqrt((Y ** 2).sum(-1, keepdims=True)))
    assert np.allclose(row_norms(Y), np.linalg.norm(Y, axis=-1))
    out = layernorm(Y[0], backend="mpmath:30")
    assert np.allclose(np.array(out, dtype=float), Y[0] / np.linalg.norm(Y[0], axis=1)[:, None])


def test_zero_rows_named_with_layer():
    Y = np.ones((4, 3))
    Y[1] = 0
    Y[3] = 0
    with pytest.raises(ZeroRowError) as e:
        layernorm(Y, layer=7)
    assert "[1, 3]" in str(e.value) and "layer 7" in str(e.value)
    Yb = np.ones((2, 3, 2))
    Yb[1, 2] = 0
    with pytest.raises(ZeroRowError, match=r"\[2\]"):
        layernorm(Yb)
    with pytest.raises(ZeroRowError):
        layernorm(Y, backend="arb:30")


def _torch_ln(Y, eps, gain=None, bias=None):
    mu = Y.mean(-1, keepdims=True)
    var = ((Y - mu) ** 2).mean(-1, keepdims=True)          # biased
    out = (Y - mu) / np.sqrt(var + eps)
    if gain is not None:
        out = out * gain
    if bias is not None:
        out = out + bias
    return out


def test_full_layernorm_is_torch_semantics():
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((5, 4)) * 3 + 1
    g, b = rng.standard_normal(4), rng.standard_normal(4)
    for eps in (0.0, 1e-5, 0.5):
        assert np.allclose(layer_norm_full(Y, eps=eps), _torch_ln(Y, eps), atol=1e-13)
    assert np.allclose(layer_norm_full(Y, eps=1e-5, gain=g, bias=b), _torch_ln(Y, 1e-5, g, b))
    # eps = 0: sqrt(d) times the paper's LN of the centred token
    C = Y - Y.mean(1, keepdims=True)
    assert np.allclose(layer_norm_full(Y, eps=0), 2 * C / np.linalg.norm(C, axis=1)[:, None])
    hp = layer_norm_full(Y, eps=0.5, backend="mpmath:30")
    assert np.allclose(np.array(hp, dtype=float), _torch_ln(Y, 0.5), atol=1e-13)


def test_full_layernorm_errors():
    Y = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]])
    with pytest.raises(ZeroRowError, match=r"\[1\]"):
        layer_norm_full(Y, eps=0)
    ok = layer_norm_full(Y, eps=1e-5)                       # eps rescues a constant row
    assert np.all(ok[1] == 0)
    for bad in (-1e-3, "x", None):
        with pytest.raises((RankCollapseError, TypeError, ValueError)):
            layer_norm_full(Y, eps=bad)
    with pytest.raises(RankCollapseError, match="eps"):
        layer_norm_full(Y, eps=-1e-3)


# was a strict xfail (the unscaled sqrt(sum(y*y)) under/overflowed); fixed by rescaling
@pytest.mark.parametrize("scale", [1e-160, 1e-200, 1e200])
def test_direction_of_tiny_and_huge_rows(scale):
    out = layernorm(np.array([[3.0, 4.0]]) * scale)
    assert np.allclose(out, [[0.6, 0.8]], rtol=1e-14, atol=0)


def test_full_layernorm_defaults_batches_and_long_error_lists():
    rng = np.random.default_rng(2)
    Y = rng.standard_normal((2, 3, 4))
    assert np.allclose(layer_norm_full(Y), _torch_ln(Y, 1e-5))        # torch's default eps
    C = np.tile([[1.0, 1.0, 1.0]], (12, 1))
    with pytest.raises(ZeroRowError) as e:
        layer_norm_full(C, eps=0)
    assert str(list(range(10))) in str(e.value) and "10]" not in str(e.value)


def test_many_zero_rows_listed_up_to_ten_and_hp_batches():
    Y = np.zeros((12, 2))
    with pytest.raises(ZeroRowError) as e:
        layernorm(Y)
    assert str(list(range(10))) in str(e.value) and "10]" not in str(e.value)
    B = np.random.default_rng(3).standard_normal((2, 3, 4))
    for spec in ("mpmath:30", "arb:30"):
        out = np.array(get_backend(spec).to_float(layernorm(B, backend=spec)), dtype=float)
        assert out.shape == B.shape and np.allclose(out, B / np.linalg.norm(B, axis=-1,
                                                                         keepdims=True))
        full = get_backend(spec).to_float(layer_norm_full(B, eps=0.1, backend=spec))
        assert np.allclose(np.array(full, dtype=float), _torch_ln(B, 0.1))


def test_a_ball_containing_zero_is_a_precision_failure_not_a_zero_token():
    """arb: a row whose norm ball contains 0 but is not exactly 0 is reported as exhausted
    precision (raise the digits); an exactly zero row is a zero token."""
    import flint
    import numpy as np
    from numeric.errors import ZeroRowError
    from numeric.layernorm import layernorm
    fuzzy = np.array([[flint.arb(0, 1e-3), flint.arb(0, 1e-3)], [flint.arb(1), flint.arb(0)]],
                     dtype=object)
    with pytest.raises(ZeroRowError, match="raise the precision") as info:
        layernorm(fuzzy, backend="arb:20", layer=3)
    assert info.value.tokens == [0] and info.value.layer == 3
    exact = np.array([[flint.arb(0), flint.arb(0)], [flint.arb(1), flint.arb(0)]], dtype=object)
    with pytest.raises(ZeroRowError, match="are zero"):
        layernorm(exact, backend="arb:20")
