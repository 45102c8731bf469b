"""Graph search (centres + radius) at N = 131072 against N = 65536.

For sliding_window(w=1), unidirectional_window(w=1) and global_window(w=1, global token 0),
built sparse: the best-of-5 time of ``center_nodes`` + ``radius_search`` (the mask is
built once, outside the timing), the BFS runs used, and the ratio of the two sizes'
times.  A ratio near 2 means linear in N (the work is an SCC pass plus a constant number
of O(N + E) BFS runs).  Also the diameter search and the mask construction, for context.

Run: ``python benchmarks/bench_graphs.py``.
"""
from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from numeric import masks  # noqa: E402
from theory import graphs  # noqa: E402

CASES = [
    ("sliding_window", lambda n: masks.sliding_window(n, 1, sparse=True)),
    ("unidirectional_window", lambda n: masks.unidirectional_window(n, 1, sparse=True)),
    ("global_window", lambda n: masks.global_window(n, 1, globals=(0,), sparse=True)),
]


def best_of(f, repeats=5):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    sizes = (65536, 131072)
    print(f"{'mask':22s} {'N':>7s} {'build s':>8s} {'centres+radius s':>17s} {'BFS':>4s} "
          f"{'radius':>7s} {'diameter s':>10s} {'diameter':>9s}")
    ratios = {}
    for name, make in CASES:
        times = []
        for n in sizes:
            tb, M = best_of(lambda: make(n), repeats=3)
            t, (c, rs) = best_of(lambda: (graphs.center_nodes(M), graphs.radius_search(M)))
            td, ds = best_of(lambda: graphs.diameter_search(M), repeats=3)
            times.append(t)
            print(f"{name:22s} {n:7d} {tb:8.3f} {t:17.4f} {rs.bfs_runs:4d} {rs.value!s:>7s} "
                  f"{td:10.4f} {ds.value!s:>9s}")
        ratios[name] = times[1] / times[0]
    print()
    for name, r in ratios.items():
        print(f"time(N=131072) / time(N=65536), centres + radius, {name}: {r:.2f}")
    # the same ratio over further doublings: at 10-50 ms the caches blur a single ratio
    print("\nratios over further doublings (centres + radius):")
    for name, make in CASES:
        prev, row = None, []
        for n in (131072, 262144, 524288, 1048576):
            M = make(n)
            t, _ = best_of(lambda: (graphs.center_nodes(M), graphs.radius_search(M)), 3)
            if prev:
                row.append(f"{n}/{n // 2}: {t / prev:.2f}")
            prev = t
        print(f"  {name:22s} " + "  ".join(row) + f"   (N=1048576: {prev:.3f} s)")


if __name__ == "__main__":
    main()
