"""Fig. 6 (Appendix G.1): the 128-layer version of Fig. 2 (random initialisation)."""
from __future__ import annotations

import numpy as np

from . import fig2_mu
from .common import VARIANTS, MASKS, Context, Sizes, describe_model, save, sweep

NAME = "fig6"
TITLE = "mu(X(t)) over 128 layers: SAN / +skip / +LN / +skip+LN, four masks"

FULL = Sizes(n=128, d=768, heads=12, samples=4, layers=128)
QUICK = Sizes(n=128, d=256, heads=4, samples=4, layers=128)


def make(ctx: Context) -> list:
    s = ctx.sizes(FULL, QUICK)
    cfg = [{"mask": m, "variant": v} for v in VARIANTS for m in MASKS]
    res = sweep(ctx, cfg, s, NAME)
    fig = fig2_mu.plot(ctx, NAME, s, res, f"Fig. 6 (reproduction): mu(X(t)) over {s.layers} "
                                          "layers, random init, synthetic inputs")
    data = {"title": TITLE, "sizes": s, "model": describe_model(s),
            "layers": list(range(s.layers + 1)),
            "curves": [{"mask": r["mask"], "variant": r["variant"],
                        "mu_mean": np.asarray(r["mu"]).mean(axis=1),
                        "mu_std": np.asarray(r["mu"]).std(axis=1)} for r in res],
            "trends": fig2_mu.trends(res)}
    return save(ctx, NAME, fig, data)
