"""Beyond the paper: real models' attention schedules.  Left: schedule radius (the block
length of Theorem 1 for schedules) against the model's depth at its context length.
Right: schedule radius against the context length N for each model (log-log).  Built
from the config fields (rankcollapse/models.py, the snapshot of transformers' defaults,
so the figure needs no optional package); radii by exact frontier propagation."""
from __future__ import annotations

import numpy as np

from .common import Context, mpl, save, stamp

NAME = "schedules"
TITLE = "schedule radius of real models versus their depth and the context length"


def make(ctx: Context) -> list:
    from rankcollapse import models as MD
    from theory.schedules import schedule_radius

    ns = [2 ** k for k in range(10, 18, 1 if not ctx.quick else 2)]
    data = {"title": TITLE, "models": {}, "N_sweep": ns}
    for name in MD.MODELS:
        cfg = dict(MD.SNAPSHOT[name])
        sch = MD.schedule_from_config(cfg, None, seed=ctx.seed)
        row = {"N": sch.n, "layers": sch.depth, "radius": schedule_radius(sch),
               "sources": sch.sources, "sweep": []}
        for n in ns:
            if name == "longformer" and n < 600:
                continue
            row["sweep"].append(schedule_radius(MD.schedule_from_config(cfg, n, seed=ctx.seed)))
        data["models"][name] = row
    plt = mpl()
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 4.8))
    names = list(data["models"])
    x = np.arange(len(names))
    rad = [data["models"][m]["radius"] for m in names]
    dep = [data["models"][m]["layers"] for m in names]
    a.bar(x - 0.2, rad, 0.4, label="schedule radius r at the model's N")
    a.bar(x + 0.2, dep, 0.4, label="depth (num_hidden_layers)")
    for i, m in enumerate(names):
        a.text(i - 0.2, rad[i], str(rad[i]), ha="center", va="bottom", fontsize=8)
        a.text(i + 0.2, dep[i], f"N={data['models'][m]['N']}", ha="center", va="bottom",
               fontsize=6, rotation=90)
    a.set_xticks(x, names, rotation=30, ha="right")
    a.set_ylabel("layers")
    a.set_title("r > depth: Theorem 1's rate says nothing within one forward pass",
                fontsize=9)
    a.legend(fontsize=8)
    for m in names:
        sw = data["models"][m]["sweep"]
        b.plot(ns[len(ns) - len(sw):], sw, marker="o", label=m)
    b.set_xscale("log", base=2)
    b.set_yscale("log", base=2)
    b.set_xlabel("context length N")
    b.set_ylabel("schedule radius")
    b.set_title("radius grows like N / window only with no global layer (Mistral)", fontsize=9)
    b.legend(fontsize=7)
    stamp(fig, "Decoder masks are causal x local; sliding window W moves W-1 tokens per layer "
               "(transformers' kv_idx > q_idx - W); Longformer: window 512 + global token 0; "
               f"BigBird: 3 sliding + 2 global + 3 random blocks of 64, seed {ctx.seed}. "
               "Config fields: transformers 5.24 defaults (rankcollapse/models.py SNAPSHOT).")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save(ctx, NAME, fig, data)
