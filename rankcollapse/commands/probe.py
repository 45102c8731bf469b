"""Measure rank collapse layer by layer in a PyTorch transformer (needs torch).

Per layer (layer 0 = input of the first layer), means over the batch of: mu (distance
from the mean token), numerical rank (and the share of full-rank samples), smallest
singular value, average |cos| between tokens, stable rank; computed in float64 by
numeric.measures from the layer outputs.

--dtype float32|float64 (default float64) is the precision the MODEL runs in (parameters
and floating inputs are cast).  PyTorch's default is float32.  Each row also shows
mu_units = mu / (eps * ||X||_F), the spread in rounding units of that precision: a
level of a few units (<= 100) is the rounding floor, not a genuine level; run both dtypes
and see whether the level moves (a floor drops by ~1e9 from float32 to float64).

Also checks that our masked attention and LayerNorm agree with torch's
scaled_dot_product_attention and layer_norm in float64.

By default probes a randomly initialised torch.nn.TransformerEncoder (no downloads) on
Gaussian inputs.  --model module:callable loads your own: the callable returns a model, or
(model, inputs) with inputs a tensor, a tuple of tensors or a dict of keyword tensors.
Without inputs: Hugging Face models (model.config.vocab_size) get random input_ids, a
TransformerEncoder gets Gaussian (batch, seq-len, d_model) inputs.

Examples:
  rankcollapse probe --layers 12 --d-model 128 --heads 8 --seq-len 64
  rankcollapse probe --model mypkg.models:make_model --json
  rankcollapse probe --model mypkg.models:make_model --dtype float32
Without torch: `pip install torch==2.13.0` (CPU build), then `pip install -e '.[torch]'`.
"""
from __future__ import annotations

import importlib
import json
import sys

from rankcollapse import argtypes

NAME = "probe"
HELP = "per-layer mu / rank / sigma_min / avg|cos| / stable rank of a PyTorch transformer"


def configure(p):
    p.add_argument("--model", metavar="MODULE:CALLABLE",
                   help="factory returning a model or (model, inputs)")
    p.add_argument("--layers", type=argtypes.bounded_int(1, 1024, "--layers"), default=6,
                   help="random encoder: layers, 1..1024 (6)")
    p.add_argument("--d-model", type=argtypes.bounded_int(1, 16384, "--d-model"), default=64,
                   help="random encoder: d_model, 1..16384 (64)")
    p.add_argument("--heads", type=argtypes.bounded_int(1, 1024, "--heads"), default=4,
                   help="random encoder: heads, 1..1024 (4)")
    p.add_argument("--norm-first", action="store_true", help="random encoder: pre-LN")
    p.add_argument("--causal", action="store_true", help="random encoder: causal mask")
    p.add_argument("--seq-len", type=argtypes.bounded_int(1, 1 << 20, "--seq-len"), default=32,
                   help="tokens per sample (32)")
    p.add_argument("--batch", type=argtypes.bounded_int(1, 1 << 20, "--batch"), default=4,
                   help="samples (4)")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="seed of the random model and inputs, an integer >= 0 (default 0)")
    p.add_argument("--dtype", default="float64", choices=("float32", "float64"),
                   help="precision the model runs in (default float64; torch's default is "
                        "float32)")
    p.add_argument("--no-check", action="store_true",
                   help="skip the attention / LayerNorm agreement check against torch")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (per-layer rows and the agreement checks)")


def _check_budget(args) -> None:
    """Rough memory of a random-encoder probe (weights, activations of every layer and the
    attention scores), refused above 80% of the available memory before anything is built."""
    from numeric import sparse_attention as SA
    from numeric.errors import RankCollapseError
    bpe = 8 if args.dtype == "float64" else 4
    dm = args.d_model
    weights = args.layers * 12 * dm * dm
    acts = args.layers * args.batch * args.seq_len * dm * 4
    scores = args.batch * args.heads * args.seq_len * args.seq_len * 2
    need = (weights + acts + scores) * bpe
    limit = SA.available_memory() * 0.8
    if need > limit:
        raise RankCollapseError(
            f"refusing to build: --layers {args.layers}, --d-model {dm}, --heads {args.heads}, "
            f"--seq-len {args.seq_len}, --batch {args.batch} need about {SA.gib(need):.1f} GiB, "
            f"over the {SA.gib(limit):.1f} GiB available; lower one of them")


def _load_factory(spec: str):
    from numeric.errors import RankCollapseError

    mod, _, attr = spec.partition(":")
    if not mod or not attr:
        raise RankCollapseError(f"--model must look like module:callable, got {spec!r}")
    try:
        fn = getattr(importlib.import_module(mod), attr)
    except (ImportError, AttributeError) as exc:
        raise RankCollapseError(f"cannot load --model {spec!r}: {exc}") from None
    if not callable(fn):
        raise RankCollapseError(f"--model {spec!r} names a {type(fn).__name__}, not a callable "
                                "that builds a model")
    try:
        obj = fn()
    except Exception as exc:        # the user's factory failed: report it, not a bug of ours
        raise RankCollapseError(f"--model {spec!r}: calling it failed: "
                                f"{type(exc).__name__}: {exc}") from None
    import torch
    model = obj[0] if isinstance(obj, tuple) and obj else obj
    if not isinstance(model, torch.nn.Module):
        raise RankCollapseError(f"--model {spec!r} returned a {type(model).__name__}; it must "
                                "return a torch.nn.Module (or a (module, inputs) pair)")
    return obj


def run(args) -> int:
    from numeric.errors import RankCollapseError
    from rankcollapse import probe as P

    torch = P.require_torch()
    for k in ("layers", "d_model", "heads", "seq_len", "batch"):
        if getattr(args, k) < 1:
            raise RankCollapseError(f"--{k.replace('_', '-')} must be >= 1")
    _check_budget(args)
    torch.manual_seed(args.seed)
    kwargs, inputs = {}, None
    if args.model:
        obj = _load_factory(args.model)
        model, inputs = obj if isinstance(obj, tuple) else (obj, None)
        desc = {"model": args.model}
    else:
        model = P.random_encoder(args.layers, args.d_model, args.heads,
                                 norm_first=args.norm_first, seed=args.seed)
        desc = {"model": "random torch.nn.TransformerEncoder", "layers": args.layers,
                "d_model": args.d_model, "heads": args.heads, "norm_first": args.norm_first,
                "causal": args.causal}
    dtype = P.torch_dtype(args.dtype)
    model = model.to(dtype)
    if inputs is None:
        if isinstance(model, torch.nn.TransformerEncoder):
            d = model.layers[0].self_attn.embed_dim
            inputs = torch.randn(args.batch, args.seq_len, d, dtype=torch.float64).to(dtype)
            if args.causal:
                kwargs["mask"] = torch.nn.Transformer.generate_square_subsequent_mask(
                    args.seq_len, dtype=dtype)
                kwargs["is_causal"] = True
        elif getattr(getattr(model, "config", None), "vocab_size", None):
            inputs = torch.randint(0, model.config.vocab_size, (args.batch, args.seq_len))
        else:
            raise RankCollapseError("cannot make inputs for this model: let the factory "
                                    "return (model, inputs)")
    inputs = P.cast_inputs(inputs, dtype)
    if isinstance(inputs, dict):
        rows = P.probe(model, **inputs, **kwargs)
    else:
        rows = P.probe(model, *(inputs if isinstance(inputs, tuple) else (inputs,)), **kwargs)
    check = None if args.no_check else P.check_against_torch(args.seed)
    desc.update({"seq_len": args.seq_len, "batch": args.batch, "seed": args.seed,
                 "dtype": args.dtype})
    if args.json:
        json.dump({"parameters": desc, "layers": rows, "torch_agreement": check},
                  sys.stdout, indent=1)
        print()
        return 0
    print(" ".join(f"{k}={v}" for k, v in desc.items()))
    cols = ["layer", "mu", "mu_units", "rank", "full_rank", "sigma_min", "avg_abs_cos",
            "stable_rank"]
    print("  ".join(f"{c:>11}" for c in cols))
    for r in rows:
        print("  ".join(f"{r[c]:>11d}" if c == "layer" else f"{r[c]:>11.4g}" for c in cols))
    floor = [r["layer"] for r in rows if r["mu_units"] <= 100]
    if floor:
        print(f"layers {floor}: mu is within 100 rounding units of {args.dtype} "
              f"(mu_units <= 100): the rounding floor, not a genuine level"
              + ("; rerun with --dtype float64 to see whether it moves" if
                 args.dtype == "float32" else ""))
    if check is not None:
        worst = max(check["max_abs_diff"].values())
        print(f"agreement with torch (float64 SDPA with boolean masks, layer_norm): "
              f"{'agree' if check['agree'] else 'DISAGREE'}, max |diff| = {worst:.2e}")
    return 0 if check is None or check["agree"] else 1
