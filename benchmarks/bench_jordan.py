"""Time to build and verify EXACTLY every constructed equilibrium of every rank.

N = d = 10 gives 2 + 4 + ... + 1024 = 2046 matrices; N = d = 6 gives 126.  w = N (the
paper's value, all 2^k sign choices distinct).  Verification runs in the canonical
multiquadratic-surd arithmetic of counterexamples.surds (exact zero tests); the
SymPy-simplify path is timed on a small sample for the ratio.

    python benchmarks/bench_jordan.py
"""
from __future__ import annotations

import time

from counterexamples import jordan


def run(n: int, verify=jordan.verify_equilibrium, limit: int | None = None):
    W = jordan.value_matrix(n, n)
    t0 = time.perf_counter()
    mats = [(k, X) for k in range(1, n + 1) for X in jordan.equilibria(n, n, k, n)]
    if limit:
        mats = mats[-limit:]
    t1 = time.perf_counter()
    ok = all(verify(X, W, k).status == "holds" for k, X in mats)
    t2 = time.perf_counter()
    return len(mats), t1 - t0, t2 - t1, ok


def _sympy_verify(X, W, k):
    good, _, rank, undecided = jordan._verify_sympy(X, W)
    return type("E", (), {"status": "holds" if good and not undecided and rank == k else "fails"})


def main():
    rows = {}
    for n in (6, 10):
        cnt, tb, tv, ok = run(n)
        rows[n] = (cnt, tb, tv)
        print(f"N = d = {n:2d}: {cnt:5d} equilibria, build {tb:6.2f} s, verify {tv:6.2f} s "
              f"({1e3 * tv / cnt:.2f} ms each), all hold: {ok}")
    (c6, b6, v6), (c10, b10, v10) = rows[6], rows[10]
    print(f"ratio N=10 / N=6: verify {v10 / v6:.1f}x for {c10 / c6:.1f}x the matrices "
          f"({(v10 / c10) / (v6 / c6):.1f}x per matrix); total {b10 + v10:.1f} s at N = 10")
    cnt, _, tv, ok = run(6, _sympy_verify, limit=8)
    print(f"SymPy-simplify path, N = d = 6, {cnt} full-rank matrices: {1e3 * tv / cnt:.0f} ms each "
          f"(surd path {1e3 * v6 / c6:.2f} ms each: {(tv / cnt) / (v6 / c6):.0f}x faster), ok {ok}")


if __name__ == "__main__":
    main()
