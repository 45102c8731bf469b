"""Fig. 2 at BERT's own initialisation, float32 next to float64: is the level at which
``mu(X(t))`` settles a property of the model or of the arithmetic?

Model (:mod:`numeric.bertlike`): random-init BERT-base (12 heads, hidden 768, FFN 3072,
N(0, 0.02^2) weights, zero biases, LN gain 1 / bias 0 / eps 1e-12), word + position +
type-0 embeddings and the embedding LayerNorm, on 128-token inputs ``[CLS] w ... w [SEP]``
with Zipf-distributed word-piece ids (repeats, no corpus).  Five variants (SAN, SAN + skip,
SAN + LN, SAN + skip + LN, the full BERT layer with its MLP) x the four masks, each run in
float32 and in float64 with the same weights and inputs (weights drawn in float64 and
rounded).  Dotted lines: the rounding floor ``eps * ||X(t)||_F = sqrt(N d) eps rms|x|`` of
each precision.  Bottom row: SAN + LN on a small instance (N = 8, d = 16, 2 heads) in
float32, float64 and mpmath at 50 and 100 digits, where the true value is visible.

The JSON holds every curve, the per-(mask, variant) verdict of the floor rule
(:func:`numeric.bertlike.classify_level`), the stability test and the small-instance table.
"""
from __future__ import annotations

import numpy as np

from numeric import bertlike as B

from .common import MASKS, Context, Sizes, mpl, parallel, save, stamp

NAME = "fig2_precision"
TITLE = "mu(X(t)) per layer at BERT initialisation, float32 vs float64 (and mpmath)"

FULL = Sizes(n=128, d=768, heads=12, samples=4, layers=12)
QUICK = Sizes(n=128, d=256, heads=4, samples=2, layers=12)

VLABEL = {"san": "SAN", "san_skip": "SAN + skip", "san_ln": "SAN + LN",
          "san_skip_ln": "SAN + skip + LN", "full": "full transformer (+ MLP)"}
PRECS = ("float32", "float64")
HP = ("float32", "float64", "mpmath:50", "mpmath:100")


def shape_of(s: Sizes) -> B.BertShape:
    return B.BertShape(n=s.n, d=s.d, heads=s.heads, layers=s.layers).check()


def _masks(n: int) -> dict:
    return {m: ctor(n) for m, (_, ctor) in MASKS.items()}


def _task(precision: str, shape: B.BertShape, seed: int, samples: list, variants) -> dict:
    ids = [B.zipf_ids(shape, seed, k) for k in samples]
    r = B.run(ids, _masks(shape.n), variants, shape, seed=seed, precision=precision)
    return {"precision": precision, "samples": samples, "mu": r["mu"], "fro": r["fro"]}


def collect(ctx: Context, s: Sizes) -> dict:
    """Main sweep: ``{precision: {"mu"/"fro": {mask: {variant: (T+1, samples)}}}}``."""
    shape = shape_of(s)
    tasks = [(p, shape, ctx.seed, [k], B.VARIANTS) for p in PRECS for k in range(s.samples)]
    raw = parallel(ctx, _task, tasks, "fig2_precision: BERT-init sweep, float32 + float64")
    out = {}
    for p in PRECS:
        parts = [r for r in raw if r["precision"] == p]
        out[p] = {key: {m: {v: np.concatenate([np.asarray(r[key][m][v]) for r in parts], axis=1)
                            for v in B.VARIANTS} for m in MASKS} for key in ("mu", "fro")}
    return out


def collect_hp(ctx: Context) -> tuple[B.BertShape, dict]:
    """Small instance, SAN + LN, float32 / float64 / mpmath:50 / mpmath:100 (one input)."""
    shape = B.BertShape(n=ctx.opt("hp_n", 8, 8), d=ctx.opt("hp_d", 16, 16),
                        heads=ctx.opt("hp_heads", 2, 2),
                        layers=ctx.opt("hp_layers", 8, 8)).check()
    precs = ctx.opt("hp_precisions", HP, HP)
    tasks = [(p, shape, ctx.seed, [0], ("san_ln",)) for p in precs]
    raw = parallel(ctx, _task, tasks, "fig2_precision: small instance in mpmath")
    return shape, {r["precision"]: {"mu": {m: np.asarray(r["mu"][m]["san_ln"])[:, 0]
                                           for m in MASKS},
                                    "fro": {m: np.asarray(r["fro"][m]["san_ln"])[:, 0]
                                            for m in MASKS}} for r in raw}


def verdicts(res: dict) -> dict:
    """Per mask and variant, per sample: the floor rule at the last layer, the stability of
    the float64 curve, and the settled levels (mean over samples of mu(T))."""
    out = {}
    for m in MASKS:
        out[m] = {}
        for v in B.VARIANTS:
            a32, f32 = res["float32"]["mu"][m][v], res["float32"]["fro"][m][v]
            a64, f64 = res["float64"]["mu"][m][v], res["float64"]["fro"][m][v]
            per = [B.classify_level(a32[-1, k], f32[-1, k], a64[-1, k], f64[-1, k])
                   for k in range(a32.shape[1])]
            stab = [B.is_stable(a64[:, k]) for k in range(a64.shape[1])]
            kinds = {c["verdict"] for c in per}
            out[m][v] = {
                "verdict": kinds.pop() if len(kinds) == 1 else "mixed",
                "stable64": all(x["stable"] for x in stab),
                "mu0": float(a64[0].mean()),
                "muT_float32": float(a32[-1].mean()), "muT_float64": float(a64[-1].mean()),
                "floor32": float(np.mean([c["floor32"] for c in per])),
                "floor64": float(np.mean([c["floor64"] for c in per])),
                "units32": float(np.mean([c["units32"] for c in per])),
                "units64": float(np.mean([c["units64"] for c in per])),
                "ratio32_64": [c["ratio32_64"] for c in per],
                "drop_last_quarter64": [x["drop"] for x in stab],
            }
    return out


def hp_table(hp: dict) -> dict:
    """Small instance: mu(t) per mask and precision, and where float64 left the truth
    (first layer at which mpmath:100 is below 1e-3 x float64)."""
    out = {}
    ref = "mpmath:100" if "mpmath:100" in hp else max(hp, key=lambda p: p.startswith("mpmath"))
    for m in MASKS:
        row = {p: hp[p]["mu"][m] for p in hp}
        left = None
        if ref in hp:
            for t, (x, y) in enumerate(zip(hp["float64"]["mu"][m], hp[ref]["mu"][m])):
                if y < 1e-3 * x:
                    left = t
                    break
        out[m] = {"mu": row, "float64_leaves_truth_at_layer": left, "reference": ref}
    return out


def plot(ctx: Context, s: Sizes, res: dict, hp_shape, hp: dict):
    plt = mpl()
    nv = len(B.VARIANTS)
    fig, axes = plt.subplots(nv + 1, 4, figsize=(17, 3.0 * (nv + 1)), sharex="row")
    t = np.arange(s.layers + 1) + 1
    tiny, tiny_hp = 1e-45, 1e-120   # exact zeros are drawn here (said in the title)
    colors = {"float32": "C3", "float64": "C0", "mpmath:50": "C2", "mpmath:100": "C4"}
    for j, (m, (mlabel, _)) in enumerate(MASKS.items()):
        for i, v in enumerate(B.VARIANTS):
            ax = axes[i, j]
            for p, ls in (("float32", "--"), ("float64", "-")):
                mu = res[p]["mu"][m][v]
                fro = res[p]["fro"][m][v]
                ax.plot(t, np.maximum(mu.mean(axis=1), tiny), ls, color=colors[p], lw=1.5,
                        label=p)
                ax.plot(t, B.rounding_floor(fro.mean(axis=1), p), ":", color=colors[p],
                        lw=1, label=f"{p} floor eps*||X||_F")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
            if i == 0:
                ax.set_title(mlabel, fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{VLABEL[v]}\nmu(X(t))", fontsize=9)
        ax = axes[nv, j]
        th = np.arange(hp_shape.layers + 1) + 1
        for p in hp:
            wide = p == "mpmath:50"
            ax.plot(th, np.maximum(hp[p]["mu"][m], tiny_hp), "-" if "mpmath" in p else "--",
                    color=colors.get(p), lw=4 if wide else 1.5, alpha=0.5 if wide else 1,
                    label=p, marker="." if not wide else None)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_xlabel("layer t + 1 (log)")
        if j == 0:
            ax.set_ylabel(f"SAN + LN, N={hp_shape.n} d={hp_shape.d}\nmu(X(t))", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="lower left")
    axes[nv, 0].legend(fontsize=7, loc="lower left")
    fig.suptitle("mu(X(t)) at BERT initialisation: float32 (dashed) vs float64 (solid); dotted: "
                 "rounding floor eps*||X||_F; bottom: small instance up to 100 digits "
                 f"(exact zeros drawn at {tiny:g}, bottom row {tiny_hp:g})", fontsize=11)
    stamp(fig, f"{shape_of(s).describe()}; {s.samples} inputs, seed {ctx.seed}; same weights "
               "and inputs in every precision (drawn in float64, rounded)"
               + ("; --quick: hidden 256, 4 heads, 2 inputs" if ctx.quick else ""))
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    return fig


def make(ctx: Context) -> list:
    s = ctx.sizes(FULL, QUICK)
    res = collect(ctx, s)
    hp_shape, hp = collect_hp(ctx)
    fig = plot(ctx, s, res, hp_shape, hp)
    data = {"title": TITLE, "sizes": s, "model": shape_of(s).describe(),
            "layers": list(range(s.layers + 1)),
            "rule": {"floor_units": B.FLOOR_UNITS, "floor_drop": B.FLOOR_DROP,
                     "genuine_factor": B.GENUINE_FACTOR, "genuine_units": B.GENUINE_UNITS,
                     "eps32": B.unit_roundoff("float32"), "eps64": B.unit_roundoff("float64")},
            "curves": [{"mask": m, "variant": v, "precision": p,
                        "mu_mean": res[p]["mu"][m][v].mean(axis=1),
                        "mu_std": res[p]["mu"][m][v].std(axis=1),
                        "floor": B.rounding_floor(res[p]["fro"][m][v].mean(axis=1), p)}
                       for p in PRECS for m in MASKS for v in B.VARIANTS],
            "verdicts": verdicts(res),
            "small_instance": {"shape": {"n": hp_shape.n, "d": hp_shape.d,
                                         "heads": hp_shape.heads, "layers": hp_shape.layers},
                               "table": hp_table(hp)}}
    return save(ctx, NAME, fig, data)
