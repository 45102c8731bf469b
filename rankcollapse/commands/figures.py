"""Reproduce the paper's figures (random initialisation, synthetic inputs) as PNG files with
the numbers behind each one as JSON beside it.

Figures (--only NAME, repeatable):
  fig1    phase portraits N = d = 2: without LN the tokens meet; with LN token 2 goes to B
  fig2    mu(X(t)), 12 layers: SAN / SAN+skip / SAN+LN / SAN+skip+LN x four masks
  fig8    singular spectra per layer, rank, smallest singular value, average |cos|
  fig3    SAN mu(X(t)) for temperatures d_QK in {1/64, 1, 64}
  fig6    the 128-layer version of fig2
  fig9    initial pairwise cosines of the inputs
  theory  Theorem 1 bound vs measured mu; collapse rate vs mask radius
  fig2_precision
          BERT's own initialisation (std 0.02, Zipf token ids, 5 variants incl. the MLP):
          mu per layer in float32 vs float64 (+ mpmath on a small instance); is the level
          where mu settles the model's or the rounding floor's?  (slowest: ~2 min full)
  schedules
          beyond the paper: schedule radius of real models (Mistral, Gemma 2/3, Cohere2,
          Llama 4, gpt-oss, Longformer, BigBird) against depth and context length

Model: BERT-like random initialisation (12 heads, hidden 768, 128 tokens; --quick uses
hidden 256 with 4 heads and fewer samples, stated on each figure).  Inputs are synthetic:
random token embeddings plus sinusoidal positions.  LN variants use full LayerNorm.
Sweeps run through joblib: --jobs N workers (-1 = all cores) and --parallel-backend
(loky, threading, multiprocessing, dask, ray).

Examples:
  rankcollapse figures --out figs --quick
  rankcollapse figures --out figs --only fig2 --only theory --jobs 2
"""
from __future__ import annotations

import json
import sys

from rankcollapse import argtypes

NAME = "figures"
HELP = "reproduce the paper's figures (PNG + JSON numbers)"


def configure(p):
    p.add_argument("--out", required=True, metavar="DIR", type=argtypes.output_dir("--out"),
                   help="output directory (created if missing; checked before any work)")
    p.add_argument("--quick", action="store_true",
                   help="all figures in a few minutes: fewer samples, smaller hidden size")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="make only this figure (repeatable): fig1 fig2 fig8 fig3 fig6 fig9 theory "
                        "fig2_precision schedules")
    p.add_argument("--jobs", type=int, default=-1, help="joblib workers (-1: all cores)")
    p.add_argument("--parallel-backend", default=None, metavar="NAME",
                   help="joblib backend: loky (default), threading, multiprocessing, dask, ray")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="seed of every sweep's weights and inputs, an integer >= 0 (default 0)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")


def run(args) -> int:
    from numeric.errors import RankCollapseError
    from rankcollapse.figures import make_figures

    if args.jobs == 0:
        raise RankCollapseError("--jobs must be a positive number of workers or negative "
                                "(-1 = all cores), not 0")
    if args.parallel_backend is not None:
        # check the backend before any figure runs, not at the first sweep that needs it
        from rankcollapse.figures.common import _register_backend
        _register_backend(args.parallel_backend)
    res = make_figures(args.out, quick=args.quick, only=args.only, jobs=args.jobs,
                       seed=args.seed, backend=args.parallel_backend)
    if args.json:
        json.dump(res, sys.stdout, indent=1)
        print()
        return 0
    for name, paths in res["files"].items():
        print(f"{name:7s} {res['seconds'][name]:7.1f} s  " + "  ".join(paths))
    print(f"total {res['total_seconds']:.1f} s ({'quick' if args.quick else 'full'}, "
          f"seed {args.seed})")
    return 0
