"""Fig. 9: the initial pairwise cosine similarities ``cos(X_i(0), X_j(0))``, ``i != j``.

The paper finds them all non-negative for BERT and ALBERT embeddings of real text, which
is what Corollary 1's assumption ``phi(X(0)) >= 0`` needs.  Our inputs are synthetic, so
this figure shows what THEIR cosines look like (sinusoidal vs random positions); it says
nothing about real embeddings."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from numeric import measures

from .common import Context, Sizes, describe_model, mpl, save, stamp, synthetic_inputs

NAME = "fig9"
TITLE = "initial pairwise cosine similarities of the synthetic inputs"

FULL = Sizes(n=128, d=768, heads=12, samples=64, layers=1)
QUICK = Sizes(n=128, d=768, heads=12, samples=16, layers=1)


def cosines(X: np.ndarray) -> np.ndarray:
    U = X / np.linalg.norm(X, axis=-1, keepdims=True)
    G = U @ U.T
    return G[~np.eye(len(G), dtype=bool)]


def make(ctx: Context) -> list:
    s = ctx.sizes(FULL, QUICK)
    plt = mpl()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    data = {"title": TITLE, "sizes": s, "model": describe_model(s), "positions": {}}
    bins = np.linspace(-1, 1, 81)
    for ax, pos in zip(axes[:2], ("sinusoidal", "random")):
        sp = replace(s, positions=pos)
        Xs = [synthetic_inputs(ctx.seed, k, sp) for k in range(s.samples)]
        c = np.concatenate([cosines(X) for X in Xs])
        phi = np.array([float(measures.min_cosine(X)) for X in Xs])
        ax.hist(c, bins=bins, density=True, color="C0" if pos == "sinusoidal" else "C1")
        ax.axvline(0, color="k", lw=0.8)
        ax.set_xlabel("cos(X_i(0), X_j(0)), i != j")
        ax.set_ylabel("density")
        ax.set_title(f"{pos} positions: {100 * np.mean(c < 0):.1f}% negative, "
                     f"min phi = {phi.min():.3f}", fontsize=9)
        data["positions"][pos] = {
            "fraction_negative": float(np.mean(c < 0)), "mean": float(c.mean()),
            "mean_abs": float(np.abs(c).mean()), "min_cosine_per_sample": phi,
            "histogram": np.histogram(c, bins=bins)[0], "bins": bins}
        if pos == "sinusoidal":
            U = Xs[0] / np.linalg.norm(Xs[0], axis=-1, keepdims=True)
            im = axes[2].imshow(U @ U.T, cmap="RdBu_r", vmin=-1, vmax=1)
            axes[2].set_title("cosine matrix of sample 0 (sinusoidal positions)", fontsize=9)
            axes[2].set_xlabel("token j")
            axes[2].set_ylabel("token i")
            fig.colorbar(im, ax=axes[2], fraction=0.046)
    fig.suptitle("Fig. 9 counterpart: initial pairwise cosines of SYNTHETIC inputs "
                 "(the paper's are BERT / ALBERT embeddings of Wikipedia text)", fontsize=10)
    stamp(fig, f"{s.n} tokens, hidden {s.d}, {s.samples} samples; X(0) = LN(E + P), E i.i.d. "
               f"N(0,1), P sinusoidal or a fixed N(0,1) table; seed {ctx.seed}")
    fig.tight_layout(rect=(0, 0.05, 1, 0.94))
    return save(ctx, NAME, fig, data)
