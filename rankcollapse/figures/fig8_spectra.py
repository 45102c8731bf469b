"""Fig. 8 / Fig. 4 measurements at random init: the singular spectrum of ``X(t)``
(normalised by the largest singular value) per layer, with the numerical rank, the smallest
singular value and the average |cos| per layer, for SAN + LN and SAN + skip + LN.

Paper's statement (pretrained models): full rank with one dominant direction and rising
average |cos| (anisotropy).  Here: the random-init counterpart, measured."""
from __future__ import annotations

import numpy as np

from . import fig2_mu
from .common import MASKS, VARIANTS, Context, describe_model, mpl, save, stamp, sweep

NAME = "fig8"
TITLE = "singular spectra per layer (LN variants), rank, sigma_min, average |cos|"


def results(ctx: Context, s):
    if "fig2" in ctx.cache and ctx.cache["fig2"][0] == s:
        return [r for r in ctx.cache["fig2"][1] if r["variant"] in fig2_mu.SPECTRA]
    cfg = [{"mask": m, "variant": v, "spectra": True} for v in fig2_mu.SPECTRA for m in MASKS]
    return sweep(ctx, cfg, s, NAME)


def make(ctx: Context) -> list:
    s = ctx.sizes(fig2_mu.FULL, fig2_mu.QUICK)
    res = results(ctx, s)
    plt = mpl()
    fig, axes = plt.subplots(3, 4, figsize=(17, 11))
    layers = sorted({0, 1, 2, 4, 8, s.layers} & set(range(s.layers + 1)))
    cmap = plt.get_cmap("viridis")
    summary = []
    for col, (m, (mlabel, _)) in enumerate(MASKS.items()):
        for row, v in enumerate(fig2_mu.SPECTRA):
            ax = axes[row, col]
            r = next(r for r in res if r["mask"] == m and r["variant"] == v)
            sv = np.asarray(r["sv_norm"])
            for k, t in enumerate(layers):
                ax.plot(np.arange(1, sv.shape[1] + 1), np.maximum(sv[t], 1e-17),
                        color=cmap(k / max(1, len(layers) - 1)), label=f"layer {t}", lw=1.2)
            ax.set_yscale("log")
            ax.set_xlabel("index k")
            ax.set_ylabel("sigma_k / sigma_1 (log)")
            ax.set_title(f"{VARIANTS[v][0]}, {mlabel}", fontsize=9)
            ax.grid(True, which="both", alpha=0.3)
            summary.append({"mask": m, "variant": v, "rank": r["rank"],
                            "sigma_min": r["sigma_min"], "avg_abs_cos": r["avg_abs_cos"],
                            "sv_norm": sv})
        ax = axes[2, col]
        t = np.arange(s.layers + 1)
        for v, ls in zip(fig2_mu.SPECTRA, ("-", "--")):
            r = next(r for r in res if r["mask"] == m and r["variant"] == v)
            ax.plot(t, np.asarray(r["rank"]) / min(s.n, s.d), "k" + ls,
                    label=f"rank / min(N,d), {VARIANTS[v][0]}")
            ax.plot(t, r["avg_abs_cos"], "C1" + ls, label=f"avg |cos|, {VARIANTS[v][0]}")
            sm = np.asarray(r["sigma_min"]) / np.sqrt(s.d)
            ax.plot(t, sm, "C2" + ls, label=f"sigma_min / sqrt(d), {VARIANTS[v][0]}")
        ax.set_xlabel("layer t")
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"token geometry, {mlabel}", fontsize=9)
        ax.grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    axes[2, 0].legend(fontsize=6.5, loc="center left")
    fig.suptitle("Fig. 8 / Fig. 4 measurements at random init (singular spectra of X(t), "
                 "mean over samples)", fontsize=11)
    stamp(fig, f"{describe_model(s)}; seed {ctx.seed}; rank = numerical rank (numpy rule "
               f"max(N,d)*eps*sigma_1)" + ("; --quick: reduced sizes" if ctx.quick else ""))
    fig.tight_layout(rect=(0, 0.04, 1, 0.96))
    return save(ctx, NAME, fig, {"title": TITLE, "sizes": s, "model": describe_model(s),
                                 "layers_shown": layers, "per_config": summary})
