"""Walkthrough of Theorem 2's one-block recursion on a seeded post-LN instance (arb balls,
exactly orthogonal rational W_V): phi(t + r) >= n eps^{2r} + (1 - n eps^{2r}) phi(t)."""
from __future__ import annotations

import numpy as np

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import RankCollapseError
from numeric.precision import get_backend
from numeric.weights import cayley_orthogonal, gaussian, sphere_points
from theory import graphs
from theory.bounds import lemma1_eps, norm2_upper, upper_max
from theory.theorem2 import centres_within_radius, inner_min

from .core import Walkthrough, walkthrough

MASKS = {"complete": masks.complete, "causal": masks.causal,
         "sliding_window": lambda n: masks.sliding_window(n, 1)}


@walkthrough({"mask": "sliding_window", "n": 4, "d": 4, "T": 6, "seed": 0,
                           "dps": 60},
             "Lemma 4's eps, r, n_r, phi(t) for each t, and the one-block recursion from every "
             "t with phi(t) >= 0")
def theorem2(mask, n, d, T, seed, dps):
    return phi_walk(mask, n, d, T, seed, dps, nonneg=False)


def phi_walk(mask, n, d, T, seed, dps, nonneg):
    """The recursion walk; ``nonneg`` draws X(0) in the positive orthant (phi(0) >= 0,
    Corollary 1's hypothesis) instead of requiring (*)."""
    if mask not in MASKS:
        raise RankCollapseError(f"--instance mask={mask!r}: choose one of {sorted(MASKS)}")
    if n > d and not nonneg:
        raise RankCollapseError(f"(*) needs N <= d, got n = {n}, d = {d}")
    rng = np.random.default_rng(seed)
    M = MASKS[mask](n)
    X0 = sphere_points((n, d), rng)
    if nonneg:
        X0 = np.abs(X0)
    layers = [(gaussian(d, d, rng, 0.5), gaussian(d, d, rng, 0.5), cayley_orthogonal(d, rng))
              for _ in range(T)]
    r = int(graphs.radius(M))
    cen = centres_within_radius(M)
    w = Walkthrough(f"Post-LN on the {mask} mask, N = {n}, d = {d}, T = {T}, seed {seed}: X(0) "
                    + ("|uniform on the sphere| (positive orthant: phi(0) >= 0)" if nonneg else
                       "uniform on the sphere (full rank: (*))")
                    + ", W_Q, W_K Gaussian (scale 0.5), W_V exactly orthogonal rational "
                    "(Cayley transform)",
                    {"mask": mask, "n": n, "d": d, "T": T, "seed": seed, "dps": dps},
                    f"certified (arb balls, {dps} digits; W_V exact rationals)")
    be = get_backend(f"arb:{dps}")
    with be.context():
        S = be.scalar(0)
        for lay in layers:
            S = upper_max([S, norm2_upper(lay[0], be) * norm2_upper(lay[1], be) /
                           be.sqrt(np.array([be.scalar(d)], dtype=object))[0]], be)
        deg = int(masks.to_dense(M).sum(axis=1).max())
        eps = lemma1_eps(deg, S, be)
        Xb = be.asarray(X0)
        Xb = Xb / be.sqrt((Xb * Xb).sum(axis=1))[:, None]
    w.section("The constants")
    w.value("radius", "r", r, why="Definition 5: radius")
    w.value("all centres (the paper's count; every token is a centre when the mask is "
            "strongly connected)", "N_centres",
            graphs.n_centers(M), why="Definitions 1-5: centres")
    w.value("centres of eccentricity <= r (our count)", "n_r = |{c : ecc(c) <= r}|", len(cen),
            why="repair: only these reach all in r steps")
    w.value("score bound on the sphere (Lemma 4)", "S = max_t ||W_Q||_2 ||W_K||_2 / sqrt(d_qk)", S,
            why="A2 + Cauchy-Schwarz on unit tokens")
    w.value("Lemma 4's weight bound", "eps = exp(-2S) / max_i |N_i|", eps,
            why="Lemma 4: eps = e^{-2S}/max|N_i|")
    tr = simulate(Xb, M, layers, T, mode="post-ln", backend=be)
    with be.context():
        phis = [inner_min(X, be) for X in tr.X]
        a = len(cen) * eps ** (2 * r)
        w.value("the block factor", "n_r eps^(2r)", a,
                why="n_r centre columns >= eps^r in both rows")
        w.section("phi(t) = min_{i,j} <X_i(t), X_j(t)> for each t")
        for t, p in enumerate(phis):
            w.value(f"t = {t}", f"phi({t})", p, why="post-LN tokens, exact orthogonal W_V")
        w.section(f"The one-block recursion over r = {r} layers",
                  "Only from a t where phi(t) >= 0 is certain (Theorem 2 first waits for t0).")
        for t in range(0, T - r + 1):
            if not phis[t] >= 0:
                w.note(f"t = {t}: phi(t) >= 0 is not certain (phi = {phis[t].str(6)}); the "
                       "recursion is not applied here.")
                continue
            w.compare(f"t = {t}", f"phi({t + r})", phis[t + r], ">=",
                      f"n_r eps^(2r) + (1 - n_r eps^(2r)) phi({t})", a + (1 - a) * phis[t],
                      why=("Corollary 1: recursion from phi(0) >= 0, n_r centres" if nonneg
                           else "Appendix C.1.1: one block, n_r centres"))
    return w
