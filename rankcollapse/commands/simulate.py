"""Simulate the token dynamics and print mu / rank / phi per layer.

Examples:
  rankcollapse simulate --mask causal --n 16 --d 8 --layers 50 --mode post-ln
  rankcollapse simulate --mask sliding_window --w 2 --n 64 --d 16 --layers 200 --json
  rankcollapse simulate --mode san --backend mpmath:60 --n 6 --d 4 --layers 300
  rankcollapse simulate --mode post-ln --batch 32 --plot mu.png

Inputs are Gaussian tokens; W_Q, W_K have N(0, qk_scale^2/d) entries; W_V is Haar
orthogonal by default.  Everything is drawn from --seed.
"""
from __future__ import annotations

import json
import sys

import numpy as np

from numeric.dynamics import simulate
from numeric.errors import RankCollapseError
from numeric.weights import random_layer
from rankcollapse.maskargs import add_mask_arguments, mask_from_args, mask_params
from rankcollapse.progress import Progress

NAME = "simulate"
HELP = "run SAN / post-LN / pre-LN dynamics and tabulate collapse measures"


def configure(p):
    add_mask_arguments(p)
    p.add_argument("--n", type=int, default=16, help="number of tokens N (16)")
    p.add_argument("--d", type=int, default=8, help="token dimension d (8)")
    p.add_argument("--layers", type=int, default=40, help="number of layers T (40)")
    p.add_argument("--mode", choices=["san", "post-ln", "pre-ln"], default="san",
                   help="san: X' = A X W_V (2); post-ln: X' = LN(A X W_V) (3); pre-ln: "
                        "X' = A(LN X) LN(X) W_V (default san)")
    p.add_argument("--skip", action="store_true", help="add the skip connection")
    p.add_argument("--ln", choices=["paper", "full"], default="paper",
                   help="paper's LN (rows to unit norm) or full LN with centring and "
                        "--ln-eps (default paper)")
    p.add_argument("--ln-eps", type=float, default=1e-5,
                   help="epsilon of the full LayerNorm (default 1e-5, as torch)")
    p.add_argument("--heads", type=int, default=1,
                   help="attention heads; their outputs are summed (default 1)")
    p.add_argument("--temperature", type=float, default=None,
                   help="d_QK in the softmax scaling (default: d)")
    p.add_argument("--qk-scale", type=float, default=1.0, help="scale of W_Q, W_K (1.0)")
    p.add_argument("--value", choices=["orthogonal", "gaussian", "identity"],
                   default="orthogonal", help="value matrix W_V (orthogonal)")
    p.add_argument("--per-layer", action="store_true",
                   help="draw fresh weights for every layer (default: the same weights)")
    p.add_argument("--batch", type=int, default=1, help="number of random inputs (float64)")
    p.add_argument("--backend", default="float64",
                   help="float64 | mpmath[:DPS] | arb[:DPS] (default float64)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--every", type=int, default=0, help="print every K-th layer (auto)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--plot", metavar="FILE.png", help="also plot mu and rank per layer")


def _positive(name, v):
    if v < 1:
        raise RankCollapseError(f"--{name} must be at least 1, got {v}")


def run(args) -> int:
    for name in ("n", "d", "heads", "batch"):
        _positive(name, getattr(args, name))
    if args.layers < 0:
        raise RankCollapseError(f"--layers must be >= 0, got {args.layers}")
    rng = np.random.default_rng(args.seed)
    M = mask_from_args(args, args.n)
    shape = (args.n, args.d) if args.batch == 1 else (args.batch, args.n, args.d)
    X0 = rng.standard_normal(shape)

    def draw():
        return random_layer(args.d, rng, heads=args.heads, qk_scale=args.qk_scale,
                            value=args.value) + (args.temperature,)

    layers = [draw() for _ in range(args.layers)] if args.per_layer else draw()
    with Progress("simulate", args.layers) as prog:
        tr = simulate(X0, M, layers, args.layers, mode=args.mode, skip=args.skip, ln=args.ln,
                      ln_eps=args.ln_eps,
                      backend=args.backend, callback=lambda t, X: prog.update(t))
    measures = ("mu", "phi", "rank", "stable_rank")
    if tr.backend.startswith("arb"):
        measures = ("mu", "phi")  # spectral measures need mpmath / float64
    every = args.every or max(1, args.layers // 20)
    rows = tr.table(measures, every=every)
    meta = {"mask": mask_params(args), "N": args.n, "d": args.d, "layers": args.layers,
            "mode": args.mode, "skip": args.skip, "ln": args.ln, "heads": args.heads,
            "temperature": args.temperature, "qk_scale": args.qk_scale, "value": args.value,
            "per_layer": args.per_layer, "batch": args.batch, "backend": tr.backend,
            "level": tr.level, "seed": args.seed}
    if args.plot:
        _plot(tr, args.plot, meta)
    if args.json:
        json.dump({"parameters": meta, "rows": rows}, sys.stdout, indent=1)
        print()
        return 0
    print(" ".join(f"{k}={v}" for k, v in meta.items() if v is not None))
    if args.batch > 1:
        print(f"(values are means over {args.batch} inputs)")
    head = ["t", *measures]
    print("  ".join(f"{h:>12}" for h in head))
    for r in rows:
        print("  ".join(_fmt(h, r[h]) for h in head))
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0


def _fmt(col, v) -> str:
    if isinstance(v, str):  # a high-precision value outside float64 range
        return f"{v:>12s}"
    if col == "t":
        return f"{v:>12d}"
    return f"{v:>12.4g}" if col == "rank" else f"{v:>12.4e}"


def _plot(tr, path, meta):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.arange(tr.T + 1)
    logmu = tr.measure_log10("mu").reshape(tr.T + 1, -1).mean(axis=1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(t, logmu, label="log10 mu(X(t))")
    ax.set_xlabel("layer t")
    ax.set_ylabel("log10 mu (batch mean of log10)")
    ax.set_title(f"{meta['mode']} on {meta['mask']['family']} mask, N={meta['N']}, "
                 f"d={meta['d']}, seed={meta['seed']}", fontsize=9)
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
