"""Walkthroughs of Lemma 1 and Theorem 1 on a seeded SAN instance, in arb balls
(theory.bounds): every constant of the bound, then mu(X(t)) against C (1-eps^r)^(t/r)."""
from __future__ import annotations

import numpy as np

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import RankCollapseError
from numeric.precision import get_backend
from numeric.weights import gaussian, haar_orthogonal
from theory import bounds as B
from theory import graphs

from .core import Walkthrough, walkthrough

MASKS = {"complete": lambda n: masks.complete(n), "causal": lambda n: masks.causal(n),
         "sliding_window": lambda n: masks.sliding_window(n, 1),
         "unidirectional_window": lambda n: masks.unidirectional_window(n, 1)}
#: the default mask has radius 2 (a sliding window of width 1 on 4 tokens), so the radius
#: visibly enters the rate; --instance mask=causal gives r = 1
PARAMS = {"mask": "sliding_window", "n": 4, "d": 2, "T": 12, "seed": 0, "dps": 40}


def _instance(mask, n, d, T, seed):
    if mask not in MASKS:
        raise RankCollapseError(f"--instance mask={mask!r}: choose one of {sorted(MASKS)}")
    if n < 2 or d < 1 or T < 1:
        raise RankCollapseError("need n >= 2, d >= 1, T >= 1")
    rng = np.random.default_rng(seed)
    M = MASKS[mask](n)
    X0 = rng.standard_normal((n, d))
    scale = 0.3 / (1 + np.abs(X0).max())
    Q = haar_orthogonal(d, rng)
    layers = [(gaussian(d, d, rng, scale), gaussian(d, d, rng, scale), Q if k % 2 == 0 else Q.T)
              for k in range(T)]
    return M, X0, layers


def _title(mask, n, d, T, seed):
    return (f"SAN on the {mask} mask, N = {n}, d = {d}, T = {T} layers, seed {seed}: X(0) "
            "standard normal, W_Q, W_K Gaussian scaled by 0.3/(1 + max|X0|), W_V alternating "
            "a Haar orthogonal Q and Q^T (the registry's generator)")


def _constants(w, M, X0, layers, T, dps):
    be = get_backend(f"arb:{dps}")
    K = B.theorem1_constants(M, X0, layers, T, dps=dps)
    n, d = X0.shape
    with be.context():
        B0 = K.B / K.CV
        w.section("The constants (rigorous upper bounds, arb balls)",
                  "Spectral norms are bounded by min(||W||_F, sqrt(||W||_1 ||W||_inf)). Balls "
                  "are printed to 10 digits; the printed radius includes that rounding.")
        w.value("radius of the mask", "r", K.r, why="Definition 5: radius")
        w.value("centres", "c", [int(c) for c in graphs.center_nodes(M)],
                why="Definitions 1-5: centres")
        w.value("largest in-degree", "max_i |N_i|", K.max_in_degree,
                why="softmax denominator has |N_i| terms")
        w.value("largest input token norm", "B0 = max_j ||X_j(0)||", B0)
        w.value("A3 over the horizon (an upper bound on the spectral norms, from "
                "min(||W||_F, sqrt(||W||_1 ||W||_inf)); for an orthogonal W_V the norm itself "
                "is 1)", "CV >= max(1, sup_t ||W_V(0)...W_V(t-1)||_2)", K.CV,
                why="A3: bounded value products")
        w.value("token bound", "B = B0 CV", K.B, why="Lemma 1: rows stay convex combinations, A3")
        w.value("score bound (A2)", "S = max_t B_t^2 ||W_Q||_2 ||W_K||_2 / sqrt(d_qk)", K.S,
                why="A2 + Cauchy-Schwarz: |R_ij| <= S")
        w.value("Lemma 1's constant", "eps = exp(-2S) / max_i |N_i|", K.eps,
                why="Lemma 1: eps = e^{-2S}/max|N_i|")
        q = 1 - K.eps ** K.r
        w.value("per-layer rate of the bound", "(1 - eps^r)^(1/r)", K.rate(),
                why="Lemma 3: tau <= 1 - eps^r per r layers")
        osc2 = (K.C_floor * 2 / K.CV) ** 2 / n
        w.value("sum of squared column oscillations of X(0) (upper)", "sum_k osc_k(0)^2", osc2)
        w.value("the constant of Theorem 1",
                "C = CV sqrt(N)/2 sqrt(sum_k osc_k(0)^2) (1-eps^r)^(-(r-1)/r)", K.C,
                why="A3, Popoviciu, Corollary 2's C")
        del q
    return be, K


@walkthrough(dict(PARAMS), "eps, S, CV, B0 and C, then mu(X(t)) against the "
             "bound for each t")
def theorem1(mask, n, d, T, seed, dps):
    M, X0, layers = _instance(mask, n, d, T, seed)
    w = Walkthrough(_title(mask, n, d, T, seed),
                    {"mask": mask, "n": n, "d": d, "T": T, "seed": seed, "dps": dps},
                    f"certified (arb balls, {dps} digits); a comparison of overlapping balls "
                    "is undecided")
    be, K = _constants(w, M, X0, layers, T, dps)
    tr = simulate(X0, M, layers, T, mode="san", backend=be)
    mus = tr.mu()
    with be.context():
        Xb = be.asarray(X0)
        w.section("Popoviciu at t = 0 (our route)",
                  "mu(Y) <= sqrt(N)/2 sqrt(sum_k osc_k(Y)^2), column by column.")
        w.compare("t = 0", "mu(X(0))", mus[0], "<=", "sqrt(N)/2 sqrt(sum_k osc_k(0)^2)",
                  K.C_floor / K.CV, why="Popoviciu's inequality, column by column")
        del Xb
        w.section("Theorem 1: mu(X(t)) <= C (1 - eps^r)^(t/r)")
        for t in range(T + 1):
            w.compare(f"t = {t}", f"mu(X({t}))", mus[t], "<=", f"C (1-eps^r)^({t}/r)",
                      K.bound(t), why="Theorem 1: Lemma 1, Corollary 2, A3, Popoviciu")
        w.value("how loose: measured mu(T) / bound(T)", "mu(X(T)) / bound(T)",
                mus[T] / K.bound(T), why="measured over certified bound")
    return w


@walkthrough({**PARAMS, "T": 6}, "the smallest attention weight of each layer "
             "against eps = exp(-2S)/max|N_i|")
def lemma1(mask, n, d, T, seed, dps):
    M, X0, layers = _instance(mask, n, d, T, seed)
    w = Walkthrough(_title(mask, n, d, T, seed),
                    {"mask": mask, "n": n, "d": d, "T": T, "seed": seed, "dps": dps},
                    f"certified (arb balls, {dps} digits)")
    be, K = _constants(w, M, X0, layers, T, dps)
    smallest = {}
    with be.context():
        for t, i, j, a in B.edge_weights(M, X0, layers, T, be=be):
            if t not in smallest or a.lower() < smallest[t][0].lower():
                smallest[t] = (a, i, j)
        w.section("Lemma 1: every attention weight on an edge is >= eps")
        for t in sorted(smallest):
            a, i, j = smallest[t]
            w.compare(f"layer {t}, smallest weight at edge ({i}, {j})", f"A_{i}{j}({t})", a,
                      ">=", "eps", K.eps, why="Lemma 1: softmax of scores in [-S, S]")
    return w
