"""numeric.layernorm against numpy formulas (mutation-testing follow-up)."""
import numpy as np
import pytest

from numeric.errors import RankCollapseError, ZeroRowError
from numeric.layernorm import layer_norm_full, layernorm, row_norms
from numeric.precision import get_backend


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
