"""Walkthroughs of Lemma 1 and Theorem 1 on a seeded SAN instance, in arb balls
(theory.bounds): every constant of the bound, then mu(X(t)) against C (1-eps^r)^(t/r)."""
from __future__ import annotations

import numpy as np

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import RankCollapseError
from numeric.measures import mu
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


def _min(a, b):
    """The minimum of two balls, rigorously: (a + b - |a - b|) / 2."""
    return (a + b - abs(a - b)) / 2


def _max(a, b):
    return (a + b + abs(a - b)) / 2


def _osc(col):
    """max - min of a column of balls, rigorously (an enclosure of the true oscillation)."""
    hi, lo = col[0], col[0]
    for v in col[1:]:
        hi, lo = _max(hi, v), _min(lo, v)
    return hi - lo


def _tau(P, n):
    """Dobrushin's coefficient 1 - min_{i,j} sum_k min(P_ik, P_jk), in balls."""
    worst = None
    for i in range(n):
        for j in range(i + 1, n):
            ov = sum((_min(P[i][k], P[j][k]) for k in range(n)), 0 * P[0][0])
            worst = ov if worst is None else _min(worst, ov)
    return 1 - worst if worst is not None else 0 * P[0][0]


def _blocks(w, M, X0, layers, T, be, K):
    """Our route on the instance: the attention matrices A(t), the r-block products and
    their centre column, tau of each block, every column's oscillation of P(t) X(0)."""
    from numeric.attention import attention
    from theory.theorem2 import centres_within_radius

    n, d = X0.shape
    r = int(K.r)
    tr = simulate(X0, M, layers, T, mode="san", backend=be)
    A = []
    for t in range(T):
        W_Q, W_K, _ = layers[t]
        A.append(np.asarray(attention(tr.X[t], W_Q, W_K, M, np.shape(W_Q)[1], backend=be)))
    c = centres_within_radius(M)[0]
    eps_r = K.eps ** r
    w.section(f"The r-block products (r = {r}) and their centre column (our route)",
              f"P_k = A(kr + r - 1) ... A(kr), the product of r consecutive attention "
              f"matrices. From the centre c = {c} every token is reached by a path of <= r "
              "edges, each weight >= eps (Lemma 1), padded by self-loops (A1): so column c "
              "of every P_k is >= eps^r, and Dobrushin's coefficient tau(P_k) <= 1 - eps^r.")
    w.because("Lemma 1 + A1: a path from the centre, each edge >= eps")
    for k in range(T // r):
        P = A[k * r]
        for s_ in range(k * r + 1, k * r + r):
            P = A[s_] @ P
        col = P[0][c]
        for i in range(1, n):
            col = _min(col, P[i][c])
        w.compare(f"block k = {k}: centre column", f"min_i P_{k}[i, {c}]", col, ">=", "eps^r",
                  eps_r, why="Lemma 1 + A1: a path from the centre, each edge >= eps")
        w.compare(f"block k = {k}: Dobrushin", f"tau(P_{k})", _tau(P, n), "<=",
                  f"1 - min_i P_{k}[i, {c}]", 1 - col,
                  why="Dobrushin: a column >= delta gives tau <= 1 - delta")
    w.section("Every column's oscillation of P(t) X(0) (Corollary 2, column by column)",
              "Y(t) = A(t-1) ... A(0) X(0) is X(t) without the value matrices. Each complete "
              "block multiplies each column's oscillation by at most tau(P_k) <= 1 - eps^r, "
              "and a partial block by at most 1: after t layers the factor is "
              "(1 - eps^r)^floor(t/r). Bounding floor(t/r) >= t/r - (r-1)/r turns this into "
              "C's factor (1 - eps^r)^(-(r-1)/r) times (1 - eps^r)^(t/r).")
    Y = be.asarray(X0)
    osc0 = [_osc(list(Y[:, j])) for j in range(d)]
    Ys = [Y]
    for t in range(T + 1):
        if t:
            Y = A[t - 1] @ Y
            Ys.append(Y)
        for j in range(d):
            osc = _osc(list(Y[:, j]))
            w.compare(f"t = {t}, column {j + 1}", f"osc_{j + 1}(Y({t}))", osc, "<=",
                      f"(1 - eps^r)^floor({t}/r) osc_{j + 1}(0)",
                      (1 - eps_r) ** (t // r) * osc0[j],
                      why="Lemma 3 with p = 1: each r-block shrinks osc by 1 - eps^r")
    w.section("From the columns to mu: Popoviciu, then A3",
              "mu(Y) <= sqrt(N)/2 sqrt(sum_k osc_k(Y)^2) column by column (Popoviciu), and "
              "X(t) = Y(t) W_V(0) ... W_V(t-1), so mu(X(t)) <= CV mu(Y(t)) (A3).")
    half_sqrt_n = be.sqrt(be.scalar(n)) / 2
    for t in range(0, T + 1, r):
        Yt = Ys[t]
        mu_y = mu(Yt)
        pop = half_sqrt_n * be.sqrt(sum((_osc(list(Yt[:, j])) ** 2 for j in range(d)),
                                        0 * mu_y))
        w.compare(f"t = {t}: Popoviciu", f"mu(Y({t}))", mu_y, "<=",
                  "sqrt(N)/2 sqrt(sum_k osc_k(Y)^2)", pop,
                  why="Popoviciu's inequality, column by column")
        w.compare(f"t = {t}: A3", f"mu(X({t}))", tr.mu()[t], "<=", f"CV mu(Y({t}))",
                  K.CV * mu_y, why="A3: ||W_V(0)...W_V(t-1)||_2 <= CV")
    w.section("The paper's route at t = 0: mu through pairwise distances (Appendix B.2)",
              "The paper bounds each pair difference |X_mj - X_nj| by Corollary 2 and uses "
              "mu^2 = (1/2N) sum_(m,n) ||X_m - X_n||^2; checked here exactly on X(0) (its "
              "float64 entries read as rationals).")
    from fractions import Fraction
    Xq = [[Fraction(float(v)) for v in row] for row in X0]
    mean = [sum(Xq[i][j] for i in range(n)) / n for j in range(d)]
    mu2 = sum((Xq[i][j] - mean[j]) ** 2 for i in range(n) for j in range(d))
    pairs = sum((Xq[a][j] - Xq[b][j]) ** 2 for a in range(n) for b in range(n) for j in range(d))
    w.compare("the identity at t = 0", "mu(X(0))^2", mu2, "=",
              "(1/2N) sum_(m,n) ||X_m(0) - X_n(0)||^2", pairs / (2 * n),
              why="Appendix B.2's identity (appendix-b2-mu-identity)")
    # the true norm of the value products, beside the bound C_V
    prod = np.eye(d)
    true_cv = 1.0
    for t in range(T):
        prod = prod @ np.asarray(layers[t][2], dtype=float)
        true_cv = max(true_cv, float(np.linalg.norm(prod, 2)))
    w.value("the true A3 constant, for reading only (float64 spectral norm; the bound "
            "uses the certified upper bound CV above)", "max(1, max_t ||W_V(0)...W_V(t)||_2)",
            f"{true_cv:.6g}", why="A3: W_V orthogonal here, so the norm is 1")
    return tr


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
        from theory.theorem2 import centres_within_radius
        w.value("centres (tokens that reach every token)", "c",
                [int(c) for c in graphs.center_nodes(M)], why="Definitions 1-5: centres")
        w.value("centres of eccentricity <= r (the ones Lemma 3 walks from)", "c_r",
                [int(c) for c in centres_within_radius(M)],
                why="Definition 5: a centre attaining the radius")
        w.value("largest in-degree", "max_i |N_i|", K.max_in_degree,
                why="softmax denominator has |N_i| terms")
        w.value("largest input token norm", "B0 = max_j ||X_j(0)||", B0,
                why="the input (rounded up in balls)")
        w.value("A3 over the horizon: an UPPER BOUND on the spectral norms, from "
                "min(||W||_F, sqrt(||W||_1 ||W||_inf)) (the true value is shown further down)",
                "CV >= max(1, sup_t ||W_V(0)...W_V(t-1)||_2)", K.CV,
                why="A3: bounded value products")
        w.value("token bound", "B = B0 CV", K.B, why="Lemma 1: rows stay convex combinations, A3")
        w.value("score bound (A2); B_t = B0 ||W_V(0)...W_V(t-1)||_2 (its upper bound; B_0 = "
                "B0) bounds every token at layer t, which is a convex combination of the rows "
                "of X(0) times those value matrices", "S = max_t B_t^2 ||W_Q||_2 ||W_K||_2 / sqrt(d_qk)", K.S,
                why="A2 + Cauchy-Schwarz: |R_ij| <= S")
        w.value("Lemma 1's constant", "eps = exp(-2S) / max_i |N_i|", K.eps,
                why="Lemma 1: eps = e^{-2S}/max|N_i|")
        w.note("S is taken layer by layer (B_t and the norms of layer t), so it is at most "
               "the statement's B^2 C_Q C_K / sqrt(d_qk): a smaller S gives a larger eps, and "
               "Lemma 1's argument holds for each layer separately.")
        q = 1 - K.eps ** K.r
        w.value("per-layer rate of the bound", "(1 - eps^r)^(1/r)", K.rate(),
                why="Lemma 3: tau <= 1 - eps^r per r layers")
        osc2 = (K.C_floor * 2 / K.CV) ** 2 / n
        w.value("sum of squared column oscillations of X(0) (upper)", "sum_k osc_k(0)^2", osc2,
                why="enters C through Popoviciu")
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
    with be.context():
        tr = _blocks(w, M, X0, layers, T, be, K)
    mus = tr.mu()
    with be.context():
        w.section("Theorem 1: mu(X(t)) <= C (1 - eps^r)^(t/r)")
        for t in range(T + 1):
            w.compare(f"t = {t}", f"mu(X({t}))", mus[t], "<=", f"C (1-eps^r)^({t}/r)",
                      K.bound(t), why="Theorem 1: Lemma 1, Corollary 2, A3, Popoviciu")
        w.value("how loose: measured mu(T) / bound(T)", "mu(X(T)) / bound(T)",
                mus[T] / K.bound(T), why="measured over certified bound")
    return w


@walkthrough(dict(PARAMS), "the smallest attention weight of each layer against "
             "eps = exp(-2S)/max|N_i| (the same instance and constants as theorem-1's)")
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
