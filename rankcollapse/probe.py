"""Measure collapse in a user's PyTorch transformer: per layer ``mu``, numerical rank,
smallest singular value, average |cos| and stable rank of the token matrix of each sample
(the paper's Fig. 4 measurements), computed by :mod:`numeric.measures` on float64 copies
(exact: a float32 value is a float64 value).

The model runs in the precision it is given (``probe(..., dtype=...)`` or the command's
``--dtype float32|float64``).  Each row also gives the rounding floor of ``mu`` for that
precision, ``mu_floor = eps * ||X||_F`` (``= sqrt(N d) * eps * rms|x|``, eps of the model's
dtype), and ``mu_units = mu / mu_floor``: a level of a few units (say <= 100) is rounding
noise, not a genuine spread of the tokens; rerun in float64 to see whether it moves.  The
numerical rank uses the same eps (``max(N, d) * eps * sigma_max``).

Layers are found on ``torch.nn.TransformerEncoder`` (``.layers``) and on models with the
usual Hugging Face layer lists (``model.encoder.layer``, ``model.h``, ``model.layers``,
also under ``.transformer`` / ``.model`` / ``.encoder`` / ``.decoder``).  A forward
pre-hook on the first layer records its input (layer 0), forward hooks record every
layer's output (the first element when a layer returns a tuple).

torch is optional: without it every entry point raises :class:`TorchMissing` (the command
turns it into a one-line message and exit status 2).
"""
from __future__ import annotations

import numpy as np

from numeric import measures
from numeric.errors import RankCollapseError, ShapeError

__all__ = ["TorchMissing", "require_torch", "find_layers", "probe", "summarise",
           "check_against_torch", "random_encoder", "DTYPES", "torch_dtype", "cast_inputs"]

#: the precisions the probe runs a model in
DTYPES = ("float32", "float64")

LAYER_PATHS = ("layers", "encoder.layer", "encoder.layers", "h", "transformer.h",
               "transformer.layers", "model.layers", "model.decoder.layers",
               "model.encoder.layers", "decoder.layers", "decoder.block", "encoder.block",
               "gpt_neox.layers", "albert.encoder.albert_layer_groups")


class TorchMissing(RankCollapseError):
    """PyTorch is not installed."""


def require_torch():
    try:
        import torch
    except ImportError:
        raise TorchMissing("the probe needs PyTorch, which is not installed; install the CPU "
                           "build with `pip install torch==2.13.0` then "
                           "`pip install -e '.[torch]'`") from None
    return torch


def _get(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def find_layers(model) -> tuple[str, list]:
    """``(path, layers)``: the model's list of transformer layers."""
    torch = require_torch()
    if isinstance(model, torch.nn.TransformerEncoder):
        return "layers", list(model.layers)
    for path in LAYER_PATHS:
        obj = _get(model, path)
        if isinstance(obj, (torch.nn.ModuleList, list, tuple)) and len(obj) > 0:
            return path, list(obj)
    raise RankCollapseError("could not find the model's layer list: expected a "
                            "torch.nn.TransformerEncoder or an attribute among "
                            f"{', '.join(LAYER_PATHS)}")


def _batch_first(model, layers) -> bool:
    torch = require_torch()
    if isinstance(model, torch.nn.TransformerEncoder):
        attn = getattr(layers[0], "self_attn", None)
        return bool(getattr(attn, "batch_first", False))
    return True   # Hugging Face models are batch-first


def torch_dtype(name: str):
    """``"float32"`` / ``"float64"`` -> the torch dtype (a clear error otherwise)."""
    torch = require_torch()
    if name not in DTYPES:
        raise RankCollapseError(f"dtype must be one of {', '.join(DTYPES)}, got {name!r}")
    return getattr(torch, name)


def cast_inputs(inputs, dtype):
    """Floating tensors in ``inputs`` (a tensor, tuple/list or dict of them) cast to
    ``dtype``; integer tensors (token ids, masks) and other objects are left alone."""
    torch = require_torch()
    if isinstance(inputs, torch.Tensor):
        return inputs.to(dtype) if inputs.is_floating_point() else inputs
    if isinstance(inputs, dict):
        return {k: cast_inputs(v, dtype) for k, v in inputs.items()}
    if isinstance(inputs, (tuple, list)):
        return type(inputs)(cast_inputs(v, dtype) for v in inputs)
    return inputs


def _unwrap(out):
    torch = require_torch()
    if isinstance(out, (tuple, list)):
        out = out[0]
    if hasattr(out, "last_hidden_state"):
        out = out.last_hidden_state
    if not isinstance(out, torch.Tensor):
        raise ShapeError(f"a layer returned {type(out).__name__}, not a tensor")
    return out


def _eps_of(out) -> float:
    """Machine epsilon of a captured tensor's dtype (float64's for non-float tensors)."""
    torch = require_torch()
    t = _unwrap(out)
    return float(torch.finfo(t.dtype).eps) if t.is_floating_point() else float(np.finfo(float).eps)


def _as_tokens(out, batch_first: bool) -> np.ndarray:
    torch = require_torch()
    out = _unwrap(out)
    X = out.detach().to(torch.float64).cpu().numpy()
    if X.ndim == 2:
        X = X[None]
    if X.ndim != 3:
        raise ShapeError(f"layer output must have shape (batch, tokens, hidden), got {X.shape}")
    return X if batch_first else np.swapaxes(X, 0, 1)


def summarise(X: np.ndarray, eps: float | None = None) -> dict:
    """Per-sample measures of ``X`` (batch, tokens, hidden) and their means.  ``eps`` is the
    machine epsilon of the precision ``X`` was computed in (default float64's): it sets the
    rank tolerance and the rounding floor ``mu_floor = eps * ||X||_F`` of ``mu``."""
    X = np.asarray(X, dtype=np.float64)
    eps = float(np.finfo(float).eps) if eps is None else float(eps)
    sv = measures.singular_values(X)
    tol = max(X.shape[-2:]) * eps * sv[..., :1]
    mu = measures.mu(X)
    floor = eps * np.sqrt((X * X).sum(axis=(-2, -1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(floor > 0, mu / np.where(floor > 0, floor, 1), np.inf)
    per = {"mu": mu, "mu_floor": floor, "mu_units": units,
           "rank": (sv > tol).sum(axis=-1).astype(float),
           "sigma_min": sv[..., -1], "avg_abs_cos": measures.avg_abs_cosine(X),
           "stable_rank": (sv * sv).sum(axis=-1) / (sv[..., 0] ** 2)}
    out = {k: float(np.mean(v)) for k, v in per.items()}
    out.update({f"{k}_std": float(np.std(v)) for k, v in per.items()})
    out["full_rank"] = float(np.mean(per["rank"] == min(X.shape[-2:])))
    out["tokens"], out["hidden"], out["batch"] = X.shape[1], X.shape[2], X.shape[0]
    out["eps"] = eps
    return out


def probe(model, *inputs, **kwargs) -> list[dict]:
    """Run ``model(*inputs, **kwargs)`` under ``torch.no_grad`` with hooks; return one row
    per layer (``layer`` 0 = input of the first layer)."""
    torch = require_torch()
    path, layers = find_layers(model)
    bf = _batch_first(model, layers)
    captured: list = [None] * (len(layers) + 1)
    handles = [layers[0].register_forward_pre_hook(
        lambda mod, args, kw=None: captured.__setitem__(0, args[0] if args else None),
    )]
    for i, layer in enumerate(layers, 1):
        handles.append(layer.register_forward_hook(
            lambda mod, args, out, i=i: captured.__setitem__(i, out)))
    try:
        was_training = model.training
        model.eval()
        with torch.no_grad():
            model(*inputs, **kwargs)
        model.train(was_training)
    finally:
        for h in handles:
            h.remove()
    rows = []
    for i, out in enumerate(captured):
        if out is None:
            continue
        rows.append({"layer": i, "dtype": str(_unwrap(out).dtype).replace("torch.", ""),
                     **summarise(_as_tokens(out, bf), eps=_eps_of(out))})
    if not rows:
        raise RankCollapseError(f"no layer of {path} ran during the forward pass")
    return rows


def random_encoder(layers: int = 4, d_model: int = 64, heads: int = 4, dim_feedforward=None,
                   norm_first: bool = False, seed: int = 0):
    """A randomly initialised ``torch.nn.TransformerEncoder`` (batch-first, no dropout)."""
    torch = require_torch()
    if d_model % heads:
        raise RankCollapseError(f"d_model = {d_model} must be a multiple of heads = {heads}")
    torch.manual_seed(seed)
    layer = torch.nn.TransformerEncoderLayer(d_model, heads, dim_feedforward or 4 * d_model,
                                             dropout=0.0, batch_first=True,
                                             norm_first=norm_first)
    return torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


def check_against_torch(seed: int = 0, n: int = 12, d: int = 8, d_qk: int = 4) -> dict:
    """Our masked attention and LayerNorm against torch's in float64.

    * ``numeric.attention.attention(X, W_Q, W_K, M) @ (X W_V)`` against
      ``scaled_dot_product_attention(XW_Q, XW_K, XW_V, attn_mask=M)`` (torch's boolean mask:
      True = takes part in attention, our convention too; both scale by ``1/sqrt(d_qk)``)
      for the complete, causal, sliding-window and uni-directional-window masks;
    * ``numeric.layernorm.layer_norm_full`` against ``torch.nn.functional.layer_norm`` with
      random gain and bias, eps 1e-5.

    Returns the largest absolute differences and ``agree`` (all below 1e-12)."""
    torch = require_torch()
    import torch.nn.functional as F

    from numeric import masks
    from numeric.attention import attention
    from numeric.layernorm import layer_norm_full

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    WQ, WK, WV = (rng.standard_normal((d, d_qk)), rng.standard_normal((d, d_qk)),
                  rng.standard_normal((d, d)))
    T = lambda a: torch.from_numpy(np.ascontiguousarray(a))   # noqa: E731
    diffs = {}
    for name, M in (("complete", masks.complete(n)), ("causal", masks.causal(n)),
                    ("sliding_window", masks.sliding_window(n, 1)),
                    ("unidirectional_window", masks.unidirectional_window(n, 1))):
        ours = attention(X, WQ, WK, M) @ (X @ WV)
        theirs = F.scaled_dot_product_attention(T(X @ WQ)[None], T(X @ WK)[None],
                                                T(X @ WV)[None], attn_mask=T(M)[None])[0]
        diffs[f"attention_{name}"] = float(np.max(np.abs(ours - theirs.numpy())))
    Y = rng.standard_normal((n, d)) * 3 + 1
    g, b = rng.standard_normal(d), rng.standard_normal(d)
    ours = layer_norm_full(Y, eps=1e-5, gain=g, bias=b)
    theirs = F.layer_norm(T(Y), (d,), T(g), T(b), eps=1e-5).numpy()
    diffs["layer_norm"] = float(np.max(np.abs(ours - theirs)))
    return {"max_abs_diff": diffs, "agree": all(v < 1e-12 for v in diffs.values()),
            "dtype": "float64", "n": n, "d": d, "d_qk": d_qk, "seed": seed,
            "torch": torch.__version__}
