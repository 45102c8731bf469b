"""simulate() against the bare matrix products it cannot avoid (the BLAS floor).

float64, batch 16, N = 256, d = 64, 32 layers, post-LN, causal mask: the time of
``simulate`` divided by the time of the five matrix products per layer
(X W_Q, X W_K, Q K^T, X W_V, A V) of the same sizes.  Target: ratio <= 2.
Also: seconds per layer of the mpmath and arb paths at N = d = 8, 50 digits, and their
ratio to float64 at that size.
"""
from __future__ import annotations

import time

import numpy as np

from numeric import masks
from numeric.dynamics import simulate
from numeric.weights import random_layer


def best_of(f, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    rng = np.random.default_rng(0)
    B, N, d, T = 16, 256, 64, 32
    X0 = rng.standard_normal((B, N, d))
    WQ, WK, WV = random_layer(d, rng)
    M = masks.causal(N)
    A = np.full((B, N, N), 1.0 / N)

    def floor():
        # the same five products, each in its fastest form (a batch times a fixed matrix
        # as one flattened GEMM)
        X = X0
        for _ in range(T):
            X2 = X.reshape(-1, d)
            Q = (X2 @ WQ).reshape(B, N, d)
            K = (X2 @ WK).reshape(B, N, d)
            _ = Q @ np.swapaxes(K, -1, -2)
            V = (X2 @ WV).reshape(B, N, d)
            X = A @ V

    t_sim = best_of(lambda: simulate(X0, M, (WQ, WK, WV), T, mode="post-ln"))
    t_floor = best_of(floor)
    print(f"float64 simulate B={B} N={N} d={d} T={T} post-LN: {t_sim:.3f} s; "
          f"BLAS floor {t_floor:.3f} s; ratio {t_sim / t_floor:.2f} (target <= 2)")

    n = 8
    x = rng.standard_normal((n, n))
    layer = random_layer(n, rng)
    Mc = masks.causal(n)
    T2 = 10
    t64 = best_of(lambda: simulate(x, Mc, layer, T2, mode="post-ln"), 5) / T2
    tmp = best_of(lambda: simulate(x, Mc, layer, T2, mode="post-ln", backend="mpmath:50"), 2) / T2
    tarb = best_of(lambda: simulate(x, Mc, layer, T2, mode="post-ln", backend="arb:50"), 2) / T2
    print(f"per layer at N = d = {n}, 50 digits: float64 {t64 * 1e3:.3f} ms, "
          f"mpmath {tmp * 1e3:.2f} ms ({tmp / t64:.0f}x float64), "
          f"arb {tarb * 1e3:.2f} ms ({tarb / t64:.0f}x float64, {tarb / tmp:.2f}x mpmath)")


if __name__ == "__main__":
    main()
