"""Dense float64 attention against torch float64 ``scaled_dot_product_attention``, and the
mpmath backend against a naive mpmath implementation.

Part 1: SAN, causal mask, B = 8, N = 512, d = 64, 4 layers: ``numeric.dynamics.simulate``
(dense path forced) versus the same layers in torch float64 (q, k, v projections, SDPA
with a boolean mask).  Each thread count runs in a fresh process with
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / torch.set_num_threads set, both sides in that
process, best of 5.  Target: ratio <= 1.1 at one and at two threads.  Skipped without torch.

Part 2: one attention layer (scores, masked softmax, A V) at N = 12, d = 6, 30 digits:
``simulate(..., backend="mpmath:30")`` per layer versus a naive mpmath loop with
element-wise products.  Target: ratio <= 1.

    python benchmarks/bench_dense_torch.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

CHILD = r'''
import os, sys, time
import numpy as np
threads = int(sys.argv[1])
import torch
torch.set_num_threads(threads)
from numeric import masks
from numeric.dynamics import simulate
from numeric.weights import random_layer
B, N, d, T = 8, 512, 64, 4
rng = np.random.default_rng(0)
X0 = rng.standard_normal((B, N, d)) * 0.5
WQ, WK, WV = random_layer(d, rng)
M = masks.causal(N)
def ours():
    simulate(X0, M, (WQ, WK, WV), T, sparse=False)
tX = torch.from_numpy(X0); tq, tk, tv = (torch.from_numpy(np.ascontiguousarray(w)) for w in (WQ, WK, WV))
tM = torch.from_numpy(M)
def theirs():
    X = tX
    with torch.no_grad():
        for _ in range(T):
            X = torch.nn.functional.scaled_dot_product_attention(X @ tq, X @ tk, X @ tv,
                                                                 attn_mask=tM, scale=d ** -0.5)
def best(f, k=5):
    f(); b = 1e9
    for _ in range(k):
        t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)
    return b
a, b = best(ours), best(theirs)
# same numbers? (first layer)
import numpy.testing as npt
Y = simulate(X0, M, (WQ, WK, WV), 1, sparse=False).X[1]
with torch.no_grad():
    Z = torch.nn.functional.scaled_dot_product_attention(tX @ tq, tX @ tk, tX @ tv, attn_mask=tM, scale=d ** -0.5).numpy()
print(f"{threads} {a:.4f} {b:.4f} {np.abs(Y - Z).max():.2e}")
'''


def torch_part():
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch not installed: dense-vs-torch part skipped")
        return
    print("dense float64, SAN, causal, B=8 N=512 d=64, 4 layers (best of 5)")
    print(f"{'threads':>7} {'ours s':>8} {'torch s':>8} {'ratio':>6} {'max |diff|':>10}")
    for th in (1, 2):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(th), OMP_NUM_THREADS=str(th),
                   MKL_NUM_THREADS=str(th))
        out = subprocess.run([sys.executable, "-c", CHILD, str(th)], env=env, text=True,
                             capture_output=True, cwd=os.path.dirname(os.path.dirname(
                                 os.path.abspath(__file__))))
        if out.returncode:
            print(out.stderr[-2000:])
            continue
        t, a, b, diff = out.stdout.split()
        print(f"{t:>7} {float(a):>8.4f} {float(b):>8.4f} {float(a) / float(b):>6.2f} {diff:>10}")


def mpmath_part():
    import mpmath
    import numpy as np

    from numeric import masks
    from numeric.dynamics import simulate
    from numeric.weights import random_layer

    N, d, dps, T = 12, 6, 30, 3
    rng = np.random.default_rng(0)
    X0 = rng.standard_normal((N, d))
    WQ, WK, WV = random_layer(d, rng)
    M = masks.causal(N)

    def ours():
        simulate(X0, M, (WQ, WK, WV), T, backend=f"mpmath:{dps}")

    def naive():
        with mpmath.workdps(dps):
            X = [[mpmath.mpf(v) for v in row] for row in X0.tolist()]
            wq, wk, wv = ([[mpmath.mpf(v) for v in r] for r in W.tolist()] for W in (WQ, WK, WV))
            s = 1 / mpmath.sqrt(d)

            def mm(A, B):
                return [[sum(A[i][k] * B[k][j] for k in range(len(B)))
                         for j in range(len(B[0]))] for i in range(len(A))]
            for _ in range(T):
                Q, K, V = mm(X, wq), mm(X, wk), mm(X, wv)
                Y = []
                for i in range(N):
                    keys = [j for j in range(N) if M[i, j]]
                    e = [mpmath.exp(sum(Q[i][k] * K[j][k] for k in range(d)) * s) for j in keys]
                    z = sum(e)
                    Y.append([sum(e[a] * V[j][c] for a, j in enumerate(keys)) / z
                              for c in range(d)])
                X = Y

    def best(f, k=3):
        b = 1e9
        for _ in range(k):
            t = time.perf_counter()
            f()
            b = min(b, time.perf_counter() - t)
        return b

    a, b = best(ours), best(naive)
    print(f"mpmath:{dps}, causal N={N} d={d}, {T} SAN layers: ours {a:.4f} s, naive {b:.4f} s, "
          f"ratio {a / b:.2f} (target <= 1)")


if __name__ == "__main__":
    torch_part()
    mpmath_part()
