"""Speed-up of the coupled proof's box certification with joblib workers, as a ratio in one
run (the machine is shared and noisy): the same w and depth with --jobs 1 and --jobs 2, and
a check that both certify the same boxes.

    python benchmarks/bench_coupled_jobs.py [--depth 6] [--jobs 2]
"""
from __future__ import annotations

import argparse
import time

from counterexamples import coupled_proof as cp


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--depth", type=int, default=6)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--w", default="2")
    a = p.parse_args()
    traps = cp.find_traps(cp.parse_w_rational(a.w))
    t0 = time.perf_counter()
    one = cp.certify_boxes(a.w, depth=a.depth, traps=traps)
    t1 = time.perf_counter()
    many = cp.certify_boxes(a.w, depth=a.depth, traps=traps, jobs=a.jobs)
    t2 = time.perf_counter()
    same = sorted(b for b, _, _ in one["apart_boxes"]) == sorted(b for b, _, _ in many["apart_boxes"])
    print(f"w = {a.w}, depth {a.depth}: {len(one['apart_boxes'])} boxes; 1 worker "
          f"{t1 - t0:.1f} s, {a.jobs} workers {t2 - t1:.1f} s, speed-up {(t1 - t0) / (t2 - t1):.2f}x; "
          f"same boxes: {same}")


if __name__ == "__main__":
    main()
