"""The sparse float64 path of simulate at long context: one post-LN layer, d = 64, a
sliding window of width 2 (each token attends to i-2 .. i+2), N = 8192 ... 65536.

Prints seconds per layer, time(2N)/time(N) (linear: about 2) and the peak memory the
layer allocates (tracemalloc, which sees numpy's buffers) with bytes per token (linear:
about constant).  Also what the dense path would need at the same N (refused, one line).

    python benchmarks/bench_sparse_simulate.py
"""
from __future__ import annotations

import time
import tracemalloc

import numpy as np

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import RankCollapseError
from numeric.sparse_attention import dense_attention_bytes, gib
from numeric.weights import random_layer


def run(n, d=64, w=2, seed=0):
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n, d))
    lay = random_layer(d, rng) + (None,)
    M = masks.sliding_window(n, w, sparse=True)
    simulate(X0[:64], masks.sliding_window(64, w, sparse=True), lay, 1, mode="post-ln")  # warm
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        simulate(X0, M, lay, 1, mode="post-ln")
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    simulate(X0, M, lay, 1, mode="post-ln")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak


def main():
    rows = []
    for n in (8192, 16384, 32768, 65536):
        t, peak = run(n)
        rows.append((n, t, peak))
    print("one post-LN layer, d = 64, sliding window w = 2, sparse float64 path")
    print(f"{'N':>7} {'seconds':>9} {'t(N)/t(N/2)':>12} {'peak MiB':>9} {'bytes/token':>12}")
    for k, (n, t, peak) in enumerate(rows):
        ratio = f"{t / rows[k - 1][1]:.2f}" if k else "-"
        print(f"{n:>7} {t:>9.3f} {ratio:>12} {peak / 2**20:>9.1f} {peak / n:>12.0f}")
    n = 32768
    print(f"dense path at N = {n}: would need {gib(dense_attention_bytes(n, 64)):.1f} GiB "
          "per layer;", end=" ")
    try:
        simulate(np.zeros((n, 64)), masks.sliding_window(n, 2, sparse=True),
                 random_layer(64, np.random.default_rng(0)), 1, sparse=False,
                 memory_limit=2**30)
    except RankCollapseError as exc:
        print(f"refused: {exc}")


if __name__ == "__main__":
    main()
