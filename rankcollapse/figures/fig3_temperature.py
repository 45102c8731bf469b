"""Fig. 3 / Fig. 7: SAN ``mu(X(t))`` per mask for temperatures ``d_QK`` in {1/64, 1, 64}
(the softmax divides the scores by ``sqrt(d_QK)``; the heads keep ``d_head`` columns).

Paper's statement checked (not forced): a smaller ``d_QK`` (sharper attention) slows the
early collapse, more so for global attention and in shallow layers.  The paper's Fig. 3
is for pretrained SANs; this is the random-initialisation variant (their Appendix G.2).
"""
from __future__ import annotations

import numpy as np

from .common import MASKS, Context, Sizes, describe_model, mpl, plot_band, save, stamp, sweep

NAME = "fig3"
TITLE = "SAN mu(X(t)) for temperatures d_QK in {1/64, 1, 64}, four masks"

FULL = Sizes(n=128, d=768, heads=12, samples=16, layers=12)
QUICK = Sizes(n=128, d=256, heads=4, samples=12, layers=12)
TEMPERATURES = (1 / 64, 1.0, 64.0)


def _label(tq: float) -> str:
    return "d_QK = 1/64" if tq < 1 else f"d_QK = {tq:g}"


def trends(res: list[dict]) -> dict:
    out = {}
    for m in MASKS:
        cur = {r["d_qk"]: np.asarray(r["mu"]).mean(axis=1) for r in res if r["mask"] == m}
        out[m] = {_label(tq): {"mu_1_over_mu_0": float(cur[tq][1] / cur[tq][0]),
                               "mu_T_over_mu_0": float(cur[tq][-1] / cur[tq][0])}
                  for tq in TEMPERATURES}
        # smaller d_QK slows the early collapse: mu(1) ordered 1/64 >= 1 >= 64
        one = [cur[tq][1] for tq in TEMPERATURES]
        out[m]["early_collapse_slower_for_smaller_dqk"] = bool(one[0] >= one[1] >= one[2])
        # effect size at layer 1: log10 ratio between d_QK = 1/64 and d_QK = 64
        out[m]["log10_mu1_ratio_smallest_vs_largest"] = float(np.log10(one[0] / one[2]))
    return out


def make(ctx: Context) -> list:
    s = ctx.sizes(FULL, QUICK)
    cfg = [{"mask": m, "variant": "san", "d_qk": tq} for m in MASKS for tq in TEMPERATURES]
    res = sweep(ctx, cfg, s, NAME)
    plt = mpl()
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), sharey=True)
    t = np.arange(s.layers + 1)
    for ax, (m, (mlabel, _)) in zip(axes, MASKS.items()):
        for tq, c in zip(TEMPERATURES, ("C3", "C2", "C0")):
            r = next(r for r in res if r["mask"] == m and r["d_qk"] == tq)
            plot_band(ax, t, np.asarray(r["mu"]), _label(tq), c)
        ax.set_title(f"SAN, {mlabel}", fontsize=10)
        ax.set_xlabel("layer t + 1 (log scale)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("mu(X(t)), mean ± std (log scale)")
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle("Fig. 3 / 7 (reproduction, random init): temperature d_QK in the softmax "
                 "R / sqrt(d_QK)", fontsize=11)
    stamp(fig, f"{describe_model(s)}; seed {ctx.seed}"
               + ("; --quick: reduced hidden size / heads / samples" if ctx.quick else ""))
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    data = {"title": TITLE, "sizes": s, "model": describe_model(s),
            "temperatures": list(TEMPERATURES), "layers": list(range(s.layers + 1)),
            "curves": [{"mask": r["mask"], "d_qk": r["d_qk"],
                        "mu_mean": np.asarray(r["mu"]).mean(axis=1),
                        "mu_std": np.asarray(r["mu"]).std(axis=1)} for r in res],
            "trends": trends(res)}
    return save(ctx, NAME, fig, data)
