"""Simulate the token dynamics and print mu / rank / phi per layer.

Examples:
  rankcollapse simulate --mask causal --n 16 --d 8 --layers 50 --mode post-ln
  rankcollapse simulate --mask sliding_window --w 2 --n 64 --d 16 --layers 200 --json
  rankcollapse simulate --mode san --backend mpmath:60 --n 6 --d 4 --layers 300
  rankcollapse simulate --mode post-ln --batch 32 --plot mu.png
  rankcollapse simulate --mask sliding_window --w 2 --n 32768 --d 64 --layers 1 --mode post-ln
  rankcollapse simulate --schedule gpt-oss-20b --n 4096 --d 16 --layers 4 --sink 0.5
  rankcollapse simulate --mask-file my_mask.npy --d 8 --layers 30 --mode san --sink 0

Long sequences: masks above 4096 tokens are built sparse and attention runs only on the
mask's edges (float64); a dense mask of low density is switched to that path too
(--attention auto; "attention_path" in the JSON says which ran).  The memory one layer
needs is estimated before anything is allocated, and a run that does not fit is refused
with one line naming the size.  --schedule NAME|CONFIG.json runs a real model's attention
schedule (layer t uses the mask of layer t mod period; see `rankcollapse mask --schedule`).
--mask-file FILE runs your own mask (a boolean .npy, a scipy.sparse .npz or an edge list
"i j" per line, as `rankcollapse mask --from`); N is the file's.

--sink LOGIT[,LOGIT...] adds attention sinks (gpt-oss): a logit per head joins each softmax
and its column is dropped, so A_sink = diag(c) A with c_i = S_i / (S_i + e^s) in (0, 1).
With one head and post-LN nothing changes (claim sink-post-ln-invariance); in SAN every
token shrinks (sink-san-shrink) and tokens need not meet (sink-san-consensus-fails).

Inputs are Gaussian tokens; W_Q, W_K have N(0, qk_scale^2/d) entries; W_V is Haar
orthogonal by default.  Everything is drawn from --seed.

Columns: mu = ||X - 1 mean(X)||_F (the paper's (4)); phi = the smallest cosine between two
tokens (the paper's phi(X) on the sphere; omitted above N = 8192); rank = numerical rank;
stable_rank = ||X||_F^2 / ||X||_2^2.  A value below what the precision can resolve is
printed as "<1e-14" (float64) and so on, never as a number.

Exit status: 0 done; 2 bad input (one line naming the option).
"""
from __future__ import annotations

import json
import sys

from numeric.errors import RankCollapseError
from rankcollapse import argtypes
from rankcollapse.maskargs import (add_mask_arguments, mask_file, mask_from_args, mask_notes,
                                   mask_params, sink_logits)
from rankcollapse.progress import Progress

#: plot formats matplotlib's Agg backend writes
PLOT_FORMATS = ("png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff", "webp")
#: the most scalar operations (about layers * batch * N^2 * d) a high-precision run may
#: take before it is refused: mpmath does about 1e6 per second here
HP_MAX_OPS = 1e8

NAME = "simulate"
PHI_MAX_N = 8192   # above this N the table omits phi (min over N^2 pairs of cosines)
HELP = "run SAN / post-LN / pre-LN dynamics and tabulate collapse measures"


def configure(p):
    add_mask_arguments(p)
    p.add_argument("--n", type=argtypes.bounded_int(1, 1 << 40, "--n"), default=None,
                   help="number of tokens N (16; with --mask-file: the file's N)")
    p.add_argument("--d", type=argtypes.bounded_int(1, 1 << 40, "--d"), default=8,
                   help="token dimension d (8)")
    p.add_argument("--layers", type=argtypes.bounded_int(0, 1 << 40, "--layers"), default=40,
                   help="number of layers T (40)")
    p.add_argument("--mode", choices=["san", "post-ln", "pre-ln"], default="san",
                   help="san: X' = A X W_V (2); post-ln: X' = LN(A X W_V) (3); pre-ln: "
                        "X' = A(LN X) LN(X) W_V (default san)")
    p.add_argument("--skip", action="store_true", help="add the skip connection")
    p.add_argument("--ln", choices=["paper", "full"], default="paper",
                   help="paper's LN (rows to unit norm) or full LN with centring and "
                        "--ln-eps (default paper)")
    p.add_argument("--ln-eps", type=argtypes.positive_float("--ln-eps"), default=1e-5,
                   help="epsilon of the full LayerNorm (default 1e-5, as torch)")
    p.add_argument("--heads", type=argtypes.bounded_int(1, 1 << 20, "--heads"), default=1,
                   help="attention heads; their outputs are summed (default 1)")
    p.add_argument("--temperature", type=argtypes.positive_float("--temperature"), default=None,
                   help="d_QK in the softmax scaling (default: d)")
    p.add_argument("--qk-scale", type=argtypes.positive_float("--qk-scale", 1e6, allow_zero=True),
                   default=1.0, help="scale of W_Q, W_K, a finite number >= 0 (1.0)")
    p.add_argument("--value", choices=["orthogonal", "gaussian", "identity"],
                   default="orthogonal", help="value matrix W_V (orthogonal)")
    p.add_argument("--per-layer", action="store_true",
                   help="draw fresh weights for every layer (default: the same weights)")
    p.add_argument("--batch", type=argtypes.bounded_int(1, 1 << 40, "--batch"), default=1,
                   help="number of random inputs (float64)")
    p.add_argument("--backend", default="float64",
                   help="float64 | mpmath[:DPS] | arb[:DPS] (default float64)")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="seed of the inputs and weights, an integer >= 0 (default 0)")
    p.add_argument("--every", type=argtypes.bounded_int(0, 1 << 40, "--every"), default=0,
                   help="print every K-th layer (auto)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--plot", metavar="FILE.png", type=argtypes.output_file("--plot"),
                   help="also plot log10 mu and the numerical rank per layer (png, pdf, svg, "
                        "...; no extension means .png; the directory must exist)")
    p.add_argument("--schedule", metavar="NAME|CONFIG.json", default=None,
                   help="use a model's attention schedule instead of --mask (see "
                        "`rankcollapse mask --help`)")
    p.add_argument("--mask-file", metavar="FILE", type=mask_file, default=None,
                   help="your own mask instead of --mask: a boolean .npy, a scipy.sparse .npz "
                        "or an edge list ('i j' per line: token i attends to j)")
    p.add_argument("--sink", metavar="LOGIT[,LOGIT...]", type=sink_logits, default=None,
                   help="attention-sink logits, one for all heads or one per head "
                        "(A_sink = diag(c) A; default: no sink)")
    p.add_argument("--attention", choices=["auto", "sparse", "dense"], default="auto",
                   help="attention path: auto (sparse for sparse / low-density masks), "
                        "sparse, dense (default auto)")
    p.add_argument("--memory-limit", type=argtypes.positive_float("--memory-limit", 1 << 20),
                   default=None, metavar="GIB",
                   help="refuse runs needing more than this many GiB per layer "
                        "(default: 80%% of available memory)")


def _mask_file_first(args):
    """Load --mask-file before the size checks (its N is the run's N); None without one."""
    if args.n is None and not args.mask_file:
        args.n = 16
    if not args.mask_file:
        return None
    if args.schedule:
        raise RankCollapseError("--mask-file and --schedule exclude each other: give one")
    given = [k for k in ("w", "dilation", "stride", "block", "prefix", "globals")
             if getattr(args, k, None) is not None]
    if given or args.family != "causal":
        raise RankCollapseError(f"--mask-file gives the mask itself: drop "
                                f"{'--' + given[0] if given else '--mask'}")
    from numeric import masks
    M = masks.load_mask_file(args.mask_file)
    n = M.shape[0]
    if args.n is not None and args.n != n:
        raise RankCollapseError(f"--n {args.n} disagrees with the mask file, which has N = {n}")
    args.n = n
    return M


def _plot_path(path: str) -> str:
    """Check the plot file before any work: an existing directory, a known format."""
    import os

    if os.path.isdir(path):
        raise RankCollapseError(f"--plot {path!r} is a directory; give a file name such as "
                                f"{os.path.join(path, 'mu.png')!r}")
    parent = os.path.dirname(path) or "."
    if not os.path.isdir(parent):
        raise RankCollapseError(f"--plot: the directory {parent!r} does not exist")
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    if not ext:
        return path + ".png"
    if ext not in PLOT_FORMATS:
        raise RankCollapseError(f"--plot: unknown image format {ext!r}; use one of "
                                f"{', '.join(PLOT_FORMATS)}")
    return path


def _check_budget(args) -> None:
    """Memory of what the command allocates itself (inputs, weights, the trajectory), against
    --memory-limit or 80% of the available memory, before any allocation."""
    from numeric import sparse_attention as SA
    limit = SA.available_memory() * 0.8 if args.memory_limit is None \
        else args.memory_limit * 2 ** 30
    per = 8 if args.backend in (None, "float64") else 112
    weights = args.heads * 3 * args.d * args.d * (max(args.layers, 1) if args.per_layer else 1)
    entries = args.batch * args.n * args.d * (args.layers + 2) + weights
    need = entries * per
    if args.attention == "dense":
        dense = SA.dense_attention_bytes(args.n, args.d, args.batch)
        if 2 * 2 ** 30 < dense <= limit:       # refused otherwise, below, in one line
            print(f"rankcollapse simulate: note: --attention dense at N = {args.n} needs about "
                  f"{SA.gib(dense):.1f} GiB per layer (--attention auto would use the mask's "
                  "edges only for a sparse mask)", file=sys.stderr)
    if need > limit:
        raise RankCollapseError(
            f"refusing to allocate: inputs, weights and the trajectory of --layers "
            f"{args.layers} at --n {args.n}, --d {args.d}, --batch {args.batch}, --heads "
            f"{args.heads} need about {SA.gib(need):.1f} GiB, over the {SA.gib(limit):.1f} GiB "
            "available; lower one of them")


def _check_work(args) -> None:
    """Refuse a high-precision run whose work cannot finish in minutes."""
    if args.backend in (None, "float64"):
        return
    ops = max(args.layers, 1) * args.batch * args.heads * args.n * args.n * args.d
    if ops > HP_MAX_OPS:
        raise RankCollapseError(
            f"--backend {args.backend} with N = {args.n}, d = {args.d}, {args.layers} layers "
            f"needs about {ops:.1e} high-precision operations (about {ops / 6e7:.0f} min at "
            f"~1e6 per second); the limit is {HP_MAX_OPS:.0e}: lower --n or --layers, or use "
            "--backend float64")


def run(args) -> int:
    import numpy as np

    from numeric.dynamics import simulate
    from numeric.weights import random_layer

    file_mask = _mask_file_first(args)
    if args.sink is not None and len(args.sink) not in (1, args.heads):
        raise RankCollapseError(f"--sink: {len(args.sink)} logits for --heads {args.heads}; "
                                "give one for all heads or one per head")
    plot_path = _plot_path(args.plot) if args.plot else None
    from numeric.precision import get_backend
    get_backend(args.backend)          # a bad backend is refused before any work
    _check_work(args)
    _check_budget(args)
    if args.schedule and any(getattr(args, k, None) is not None
                             for k in ("w", "dilation", "stride", "block", "prefix",
                                       "globals")):
        raise RankCollapseError("--schedule sets the masks itself: drop the mask options")
    rng = np.random.default_rng(args.seed)
    if file_mask is not None:
        M = file_mask
        mask_meta = {"mask_file": args.mask_file}
    elif args.schedule:
        from rankcollapse.models import load_config, schedule_from_config

        M = schedule_from_config(load_config(args.schedule), args.n, seed=args.seed)
        mask_meta = {"schedule": args.schedule, "period": M.period, "pattern": M.labels}
        if M.spec.sink and args.sink is None:
            print(f"rankcollapse simulate: note: {M.spec.model_type} has learned attention "
                  "sinks (one logit per head); this run has none: pass --sink LOGIT",
                  file=sys.stderr)
    else:
        M = mask_from_args(args, args.n, sparse=args.n > 4096)
        mask_meta = mask_params(args)
        for note in mask_notes(mask_meta, args.n):
            print(f"rankcollapse simulate: note: {note}", file=sys.stderr)
    shape = (args.n, args.d) if args.batch == 1 else (args.batch, args.n, args.d)
    X0 = rng.standard_normal(shape)

    def draw():
        return random_layer(args.d, rng, heads=args.heads, qk_scale=args.qk_scale,
                            value=args.value) + (args.temperature,)

    layers = [draw() for _ in range(args.layers)] if args.per_layer else draw()
    run_kw = dict(mode=args.mode, skip=args.skip, ln=args.ln, ln_eps=args.ln_eps,
                  backend=args.backend,
                  sparse={"auto": "auto", "sparse": True, "dense": False}[args.attention],
                  memory_limit=None if args.memory_limit is None
                  else args.memory_limit * 2 ** 30)
    run_sim = simulate
    if args.sink is not None:
        from numeric import sinks
        run_sim = sinks.simulate                         # the same dynamics with sinks
        run_kw["sink"] = list(args.sink) * (args.heads if len(args.sink) == 1 else 1)
    done = []                                    # the layers finished, kept on Ctrl-C

    def callback(t, X):
        prog.update(t)
        done.append(X)

    interrupted = False
    with Progress("simulate", args.layers) as prog:
        try:
            tr = run_sim(X0, M, layers, args.layers, callback=callback, **run_kw)
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        from numeric.dynamics import Trajectory
        from numeric.precision import get_backend
        be = get_backend(args.backend)
        with be.context():
            X0b = be.asarray(X0)
        tr = Trajectory([X0b] + done, args.mode, args.skip, args.ln, be.name, be.level,
                        {"interrupted_after": len(done)})
        args.layers = len(done)
        print(f"rankcollapse simulate: interrupted (Ctrl-C) after {len(done)} layers; the "
              "table below covers those", file=sys.stderr)
    measures = ("mu", "phi", "rank", "stable_rank")
    if tr.backend.startswith("arb"):
        measures = ("mu", "phi")  # spectral measures need mpmath / float64
    if args.n > PHI_MAX_N:
        # phi is a minimum over all N^2 pairs (an N x N Gram matrix): skipped
        measures = tuple(m for m in measures if m != "phi")
    every = args.every or max(1, args.layers // 20)
    rows = tr.table(measures, every=every)
    if args.batch == 1:      # one input: the numerical rank is an integer
        for r in rows:
            if isinstance(r.get("rank"), float) and r["rank"].is_integer():
                r["rank"] = int(r["rank"])
    meta = {"mask": mask_meta, "N": args.n, "d": args.d, "layers": args.layers,
            "mode": args.mode, "skip": args.skip, "ln": args.ln, "heads": args.heads,
            "temperature": args.temperature, "qk_scale": args.qk_scale, "value": args.value,
            "per_layer": args.per_layer, "batch": args.batch, "backend": tr.backend,
            "level": tr.level, "seed": args.seed,
            "sink": list(args.sink) if args.sink is not None else None,
            "attention_path": sorted(set(tr.info.get("attention_path", [])))}
    if args.json:
        doc = {"parameters": meta, "rows": rows}
        if plot_path and not interrupted:
            doc["plot"] = _plot(tr, plot_path, meta)
        json.dump(doc, sys.stdout, indent=1)
        print()
        return 130 if interrupted else 0
    print(" ".join(f"{k}={v}" for k, v in meta.items() if v is not None))
    if args.batch > 1:
        print(f"(values are means over {args.batch} inputs)")
    head = ["t", *measures]
    print("  ".join(f"{h:>12}" for h in head))
    for r in rows:
        print("  ".join(_fmt(h, r[h]) for h in head))
    sys.stdout.flush()        # the table is out before the plot is drawn
    if plot_path and not interrupted:
        print(f"plot written to {_plot(tr, plot_path, meta)}")
    return 130 if interrupted else 0


def _fmt(col, v) -> str:
    if v is None:
        return f"{'undefined':>12s}"
    if isinstance(v, str):  # a high-precision value outside float64 range
        return f"{v:>12s}"
    if col == "t" or isinstance(v, int):
        return f"{v:>12d}"
    return f"{v:>12.4g}" if col == "rank" else f"{v:>12.4e}"


def _plot(tr, path, meta) -> str:
    """log10 mu and the numerical rank per layer, two panels; returns the path written."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.arange(tr.T + 1)
    logmu = tr.measure_log10("mu").reshape(tr.T + 1, -1).mean(axis=1)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax.plot(t, logmu, label="log10 mu(X(t))")
    ax.set_xlabel("layer t")
    ax.set_ylabel("log10 mu (batch mean of log10)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    try:
        rank = np.array([np.mean(np.asarray(v, dtype=float))
                         for v in tr.measure("rank")], dtype=float)
        ax2.step(t, rank, where="post", color="C1", label="numerical rank")
        ax2.set_ylim(0, min(meta["N"], meta["d"]) + 0.5)
    except RankCollapseError as exc:       # e.g. arb balls: no spectral measures
        ax2.text(0.5, 0.5, f"rank not available:\n{exc}", ha="center", va="center",
                 fontsize=8, transform=ax2.transAxes, wrap=True)
    ax2.set_xlabel("layer t")
    ax2.set_ylabel("numerical rank (batch mean)")
    ax2.grid(True, alpha=0.3)
    fam = meta["mask"].get("family") or meta["mask"].get("schedule") or meta["mask"].get("mask_file")
    fig.suptitle(f"{meta['mode']} on {fam} mask, N={meta['N']}, d={meta['d']}, "
                 f"{meta['backend']}, seed={meta['seed']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
