"""Fig. 2: mean and std of ``mu(X(t))`` per layer (log-log) for SAN, SAN + skip,
SAN + LN and SAN + skip + LN under the four masks, random BERT-like model, 12 layers.

Paper's statements checked (not forced): SAN collapses exponentially for every mask and
more local masks collapse more slowly; LN alone keeps ``mu`` at a level above zero;
skip connections alone make ``mu`` unstable.  The trend numbers are in the JSON
(``trends``).
"""
from __future__ import annotations

import numpy as np

from .common import MASKS, VARIANTS, Context, Sizes, describe_model, mpl, plot_band, save, \
    stamp, sweep

NAME = "fig2"
TITLE = "mu(X(t)) per layer: SAN / +skip / +LN / +skip+LN, four masks"

FULL = Sizes(n=128, d=768, heads=12, samples=32, layers=12)
QUICK = Sizes(n=128, d=256, heads=4, samples=12, layers=12)


#: variants whose singular spectra are recorded (for Fig. 8)
SPECTRA = ("san_ln", "san_skip_ln")


def configs() -> list[dict]:
    return [{"mask": m, "variant": v, "spectra": v in SPECTRA} for v in VARIANTS for m in MASKS]


def run_sweep(ctx: Context, s: Sizes, key: str = "fig2") -> list[dict]:
    if key not in ctx.cache:
        ctx.cache[key] = (s, sweep(ctx, configs(), s, key))
    return ctx.cache[key][1]


def trends(results: list[dict]) -> dict:
    """Numbers behind the paper's statements, per mask."""
    by = {(r["mask"], r["variant"]): np.asarray(r["mu"]) for r in results}
    out = {}
    for m in MASKS:
        san = by[(m, "san")].mean(axis=1)
        ln = by[(m, "san_ln")].mean(axis=1)
        T = len(san) - 1
        pos = san[san > 0]
        out[m] = {
            "san_mu0": float(san[0]), "san_muT": float(san[-1]),
            "san_ratio_T": float(san[-1] / san[0]),
            "san_rate_per_layer": float((pos[-1] / pos[0]) ** (1 / max(1, len(pos) - 1))),
            "san_monotone_decreasing": bool(np.all(np.diff(san) <= 0)),
            "ln_min_over_mu0": float(ln.min() / ln[0]),
            "ln_muT_over_mu0": float(ln[-1] / ln[0]),
            "skip_muT_over_mu0": float(by[(m, "san_skip")].mean(axis=1)[-1] / san[0]),
            "skip_ln_muT_over_mu0": float(by[(m, "san_skip_ln")].mean(axis=1)[-1] / san[0]),
            "layers": T,
        }
    order = sorted(MASKS, key=lambda m: out[m]["san_muT"])
    out["san_order_fastest_to_slowest"] = order
    return out


def plot(ctx: Context, name: str, s: Sizes, results: list[dict], title: str) -> list:
    plt = mpl()
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), sharex=True)
    by = {(r["mask"], r["variant"]): np.asarray(r["mu"]) for r in results}
    t = np.arange(s.layers + 1)
    colors = dict(zip(MASKS, ["C0", "C1", "C2", "C3"]))
    for ax, (v, (vlabel, _)) in zip(axes, VARIANTS.items()):
        for m, (mlabel, _) in MASKS.items():
            plot_band(ax, t, by[(m, v)], mlabel, colors[m])
        ax.set_title(vlabel, fontsize=10)
        ax.set_xlabel("layer t + 1 (log scale)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("mu(X(t)), mean ± std over samples (log scale)")
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle(title, fontsize=11)
    stamp(fig, f"{describe_model(s)}; seed {ctx.seed}"
               + ("; --quick: reduced hidden size / heads / samples" if ctx.quick else ""))
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    return fig


def make(ctx: Context) -> list:
    s = ctx.sizes(FULL, QUICK)
    res = run_sweep(ctx, s)
    fig = plot(ctx, NAME, s, res, f"Fig. 2 (reproduction): mu(X(t)) over {s.layers} layers, "
                                   "random init, synthetic inputs")
    data = {"title": TITLE, "sizes": s, "model": describe_model(s),
            "layers": list(range(s.layers + 1)),
            "curves": [{"mask": r["mask"], "variant": r["variant"],
                        "mu_mean": np.asarray(r["mu"]).mean(axis=1),
                        "mu_std": np.asarray(r["mu"]).std(axis=1)} for r in res],
            "trends": trends(res)}
    return save(ctx, NAME, fig, data)
