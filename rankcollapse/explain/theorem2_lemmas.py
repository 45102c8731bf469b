"""Walkthroughs of Theorem 2's and Corollary 1's ingredients (Section 4.2, Appendices
C-D): Lemma 4 (a weight bound on the sphere), Lemma 5 (the normalisation), Lemma 6 (the
hemisphere), Lemma 7 (ergodicity of the products), Lemma 9 (two-sided block bounds) and
Corollary 1's recursion."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from numeric import masks
from numeric.errors import RankCollapseError

from .core import Walkthrough, walkthrough
from theory import layernorm as LN  # noqa: F401

from .theorem2 import phi_walk

F = Fraction
#: three unit tokens of R^3 with rational coordinates (full rank)
UNIT3 = [[sp.Rational(3, 5), sp.Rational(4, 5), 0], [0, sp.Rational(3, 5), sp.Rational(4, 5)],
         [sp.Rational(4, 5), 0, sp.Rational(3, 5)]]


def _sq(v) -> Fraction:
    return sum((Fraction(x) ** 2 for x in v), Fraction(0))


@walkthrough({}, "v = X^T (X X^T)^{-1} 1 and <X_i, v> = 1 > 0 for every token")
def lemma6():
    X = sp.Matrix(UNIT3)
    w = Walkthrough("Three rational unit tokens in R^3 (full rank: (*) holds)", {},
                    "exact (SymPy rationals)")
    w.section("The tokens")
    for i in range(X.rows):
        w.value(f"token {i + 1}", f"X_{i + 1}", list(X.row(i)))
    w.compare("(*): full row rank", "rank X", sp.Integer(X.rank()), "=", "N", sp.Integer(X.rows),
              why="(*) full row rank")
    v = LN.hemisphere_vector(X)
    w.section("The hemisphere vector", "v = X^T (X X^T)^{-1} 1 solves X v = 1.")
    w.value("v", "X^T (X X^T)^{-1} 1", list(v), why="(*): X X^T invertible")
    for i in range(X.rows):
        w.compare(f"token {i + 1} in the open hemisphere", f"<X_{i + 1}, v>",
                  (X.row(i) * v)[0], ">", "0", sp.Integer(0), why="Lemma 6: X v = 1")
    w.section("Negative control: three tokens at 120 degrees in the plane (rank 2 < N = 3)")
    Y = sp.Matrix([[1, 0], [-sp.Rational(1, 2), sp.sqrt(3) / 2], [-sp.Rational(1, 2), -sp.sqrt(3) / 2]])
    ev = LN.hemisphere(Y)
    w.compare("Farkas: no open hemisphere contains them", "hemisphere exists", ev.status, "=",
              "holds", "holds", holds=ev.status == "holds", expect=False,
              why="negative control: (*) fails, Farkas certificate")
    return w


@walkthrough({}, "1 <= D_ii <= 1/gamma for unit tokens, orthogonal W_V, causal A")
def lemma5():
    X = sp.Matrix(UNIT3)
    W = LN.rational_rotation(3)
    A = sp.Matrix(3, 3, lambda i, j: sp.Rational(1, i + 1) if j <= i else 0)
    w = Walkthrough("Three rational unit tokens, the causal average A, an exactly "
                    "orthogonal rational W_V (Givens rotations by a Pythagorean angle)", {},
                    "exact (SymPy rationals)")
    w.section("The instance")
    for i in range(3):
        w.value(f"token {i + 1}", f"X_{i + 1}", list(X.row(i)))
    for i in range(3):
        w.value(f"row {i + 1} of W_V", f"W_V[{i + 1}]", list(W.row(i)))
    w.compare("W_V orthogonal", "W_V W_V^T", W * W.T == sp.eye(3), "=", "I", True,
              holds=W * W.T == sp.eye(3), why="Lemma 5's hypothesis: W_V orthogonal")
    v = LN.hemisphere_vector(X)
    gamma2 = 1 / sum(c ** 2 for c in v)
    w.value("gamma^2 (Lemma 6: <X_j, v/|v|> = 1/|v| for every j)", "gamma^2 = 1/|v|^2", gamma2,
            why="Lemma 6: X v = 1, gamma = 1/|v|")
    Y = A * X * W
    w.section("D_ii = 1 / ||(A X W_V)_i||, compared through ||(A X W_V)_i||^2")
    for i in range(3):
        n2 = sp.nsimplify(sp.simplify(sum(c ** 2 for c in Y.row(i))))
        w.compare(f"token {i + 1}: D_ii >= 1", f"||(A X W_V)_{i + 1}||^2", n2, "<=", "1",
                  sp.Integer(1), why="Lemma 5: convex combination, orthogonal W_V")
        w.compare(f"token {i + 1}: D_ii <= 1/gamma", f"||(A X W_V)_{i + 1}||^2", n2, ">=",
                  "gamma^2", gamma2, why="Lemma 5 via Lemma 6: <y, v W_V>/|v| = gamma")
    return w


@walkthrough({"mask": "causal", "n": 4, "d": 4, "T": 6, "seed": 0, "dps": 60},
             "phi(0) >= 0 (inputs in the positive orthant), then the one-block recursion with "
             "n_r centres from t = 0")
def corollary1(mask, n, d, T, seed, dps):
    return phi_walk(mask, n, d, T, seed, dps, nonneg=True)


# ------------------------------------------------------------------------------- Lemma 4
@walkthrough({"eps_factor": Fraction(1), "dps": 30},
             "tokens on the sphere: |R_ij| <= S, smallest weight >= 1/(1+(n-1)e^{2S}) >= "
             "e^{-2S}/n; negative control: the same tokens scaled by 3 (off the sphere)")
def lemma4(eps_factor, dps):
    from numeric.dynamics import Layer
    from numeric.precision import get_backend
    from theory.bounds import edge_weights, norm2_upper
    from theory.theorem2_lemmas import check_lemma4, fmatrix

    if eps_factor <= 0:
        raise RankCollapseError("--instance eps_factor must be positive")
    X = fmatrix([[1, 0], [-1, 0], [F(3, 5), F(4, 5)]])
    M = masks.complete(3)
    I2 = np.eye(2)
    lay = Layer(I2, I2, I2)
    w = Walkthrough("Complete mask on N = 3 rational tokens of S^1: (1, 0), (-1, 0), "
                    "(3/5, 4/5); W_Q = W_K = W_V = I_2, d_qk = 2; one post-LN layer",
                    {"eps_factor": eps_factor, "dps": dps},
                    f"exact (Fractions) for the tokens and scores; certified (arb balls, "
                    f"{dps} digits) for the weights")
    w.section("The tokens lie on the sphere")
    for i in range(3):
        w.compare(f"token {i + 1} is a unit vector", f"||X_{i + 1}||^2", _sq(X[i]), "=", "1", 1,
                  why="Lemma 4's hypothesis: tokens on the sphere")
    be = get_backend(f"arb:{dps}")
    with be.context():
        nq, nk = norm2_upper(I2, be), norm2_upper(I2, be)
        S = nq * nk / be.scalar(2).sqrt()
        n = int(masks.to_dense(M).sum(axis=1).max())
        w.section("The score bound (Cauchy-Schwarz)",
                  "R_ij = <X_i W_Q, X_j W_K>/sqrt(d_qk); |R_ij| <= S = ||W_Q||_2 ||W_K||_2 / "
                  "sqrt(d_qk), compared exactly through R_ij^2 d_qk <= ||W_Q||^2 ||W_K||^2 = 1.")
        w.value("upper bound of ||W_Q||_2 (min(||W||_F, sqrt(||W||_1 ||W||_inf)))", "||W_Q||_2",
                nq, why="A2: bounded W_Q, W_K")
        w.value("score bound", "S = ||W_Q||_2 ||W_K||_2 / sqrt(2)", S,
                why="Cauchy-Schwarz on unit tokens")
        dots = [sum((X[i, k] * X[j, k] for k in range(2)), F(0)) for i in range(3)
                for j in range(3)]
        w.compare("largest score within S", "max_ij <X_i, X_j>^2", max(d * d for d in dots),
                  "<=", "||W_Q||_2^2 ||W_K||_2^2 (= 1 for I_2)", 1,
                  why="Cauchy-Schwarz: |R_ij| <= S")
        sharp = 1 / (1 + (n - 1) * (2 * S).exp())
        paper = (-2 * S).exp() / n * _arb_q(eps_factor)
        w.value("largest in-degree", "n = max_i |N_i|", n, why="complete mask: n = N")
        w.value("sharp constant", "1/(1 + (n-1) e^{2S})", sharp,
                why="softmax, scores in [-S, S]")
        lbl = "e^{-2S}/n" if eps_factor == 1 else f"{eps_factor} e^{{-2S}}/n"
        w.value("the paper's constant", lbl, paper, why="Lemma 4: eps = e^{-2S}/n")
        wts = list(edge_weights(M, X, lay, 1, mode="post-ln", be=be))
        w.section("The attention weights at t = 0 (softmax of the scores, balls)")
        for t, i, j, a in wts:
            w.value(f"A_{i + 1}{j + 1}", f"A_{i + 1}{j + 1}(0)", a, why="softmax of the scores")
        t, i, j, amin = min(wts, key=lambda r: r[3].lower())
        w.compare(f"smallest weight A_{i + 1}{j + 1} >= sharp constant", f"A_{i + 1}{j + 1}(0)",
                  amin, ">=", "1/(1 + (n-1) e^{2S})", sharp,
                  why="softmax with scores in [-S, S]")
        w.compare("sharp constant >= the paper's", "1/(1 + (n-1) e^{2S})", sharp, ">=", lbl,
                  paper, why="1 + (n-1) e^{2S} <= n e^{2S}")
        w.compare("smallest weight >= the paper's eps (Lemma 4)", f"A_{i + 1}{j + 1}(0)", amin,
                  ">=", lbl, paper, why="Lemma 4: eps = e^{-2S}/n")
        w.section("Negative control: the same tokens scaled by 3 (off the unit sphere, so the "
                  "score bound S, which assumes unit tokens, does not hold at t = 0; A2 itself "
                  "still holds)")
        X3 = fmatrix(3 * X)
        w.compare("token 1 off the sphere", "||3 X_1||^2", _sq(X3[0]), "=", "1", 1, expect=False,
                  why="negative control: sphere hypothesis dropped")
        wts3 = list(edge_weights(M, X3, lay, 1, mode="post-ln", be=be))
        t, i, j, a3 = min(wts3, key=lambda r: r[3].lower())
        w.compare(f"smallest weight A_{i + 1}{j + 1} >= e^{{-2S}}/n", f"A_{i + 1}{j + 1}(0)", a3,
                  ">=", "e^{-2S}/n", (-2 * S).exp() / n, expect=False,
                  why="negative control: scores exceed S off the sphere")
    ev = check_lemma4(M, X3, lay, 1, dps=dps)
    w.compare("cross-check: check_lemma4 on 3 X", "status", ev.status, "=", "holds", "holds",
              holds=ev.status == "holds", expect=False,
              why="negative control: Lemma 4's bound off the sphere")
    return w


def _arb_q(q: Fraction):
    import flint
    return flint.arb(q.numerator) / q.denominator


# ------------------------------------------------------------------------------- Lemma 9
def _member_seq(M, length, eps, C1, C2, seed):
    from theory.theorem2_lemmas import random_sequence
    return random_sequence(M, length, eps, C1, C2, np.random.default_rng(seed))


@walkthrough({"n": 4, "eps": Fraction(1, 4), "C1": Fraction(1, 2),
                         "C2": Fraction(2), "seed": 0},
             "every product of T = diam consecutive factors D A has entries in "
             "[(eps C1)^T, C2^T]; the printed T+1-factor version refuted on N = 2")
def lemma9(n, eps, C1, C2, seed):
    from theory import graphs
    from theory.theorem2_lemmas import (check_lemma9, fmatrix, lemma9_paper_indexing_witness,
                                        product)

    if n < 2 or not 0 < eps <= Fraction(1, 3) or not 0 < C1 <= C2:
        raise RankCollapseError("need n >= 2, 0 < eps <= 1/3, 0 < C1 <= C2")
    M = masks.sliding_window(n, 1)
    T = int(graphs.diameter(M))
    seq = _member_seq(M, T + 2, eps, C1, C2, seed)
    mats = [D @ A for D, A in seq]
    lo, hi = (eps * C1) ** T, C2 ** T
    w = Walkthrough(f"Sliding window (width 1, self-loops) on N = {n} tokens, "
                    f"diameter T = {T}; {T + 2} exact rational factors D(t) A(t) in "
                    f"M_(G, eps, C1, C2) (seed {seed}, some at vertices of the set)",
                    {"n": n, "eps": eps, "C1": C1, "C2": C2, "seed": seed},
                    "exact (Fractions)")
    w.section("The constants")
    w.value("diameter of the mask", "T", T, why="Lemma 9: T = diameter")
    w.value("lower bound", "(eps C1)^T", lo, why="Definition 6: A_ij >= eps; D >= C1")
    w.value("upper bound", "C2^T", hi, why="row sums of D A <= C2")
    w.section(f"Products of T = {T} consecutive factors")
    for t in range(len(mats) - T + 1):
        P = product(mats[t:t + T])
        mn, mx = min(P.ravel()), max(P.ravel())
        w.compare(f"window t = {t}..{t + T - 1}: smallest entry", "min P", mn, ">=",
                  "(eps C1)^T", lo, why="Lemma 9: shortest path padded by A1 self-loops")
        w.compare(f"window t = {t}..{t + T - 1}: largest entry", "max P", mx, "<=", "C2^T", hi,
                  why="Lemma 9: row sums of D A <= C2")
    ev = check_lemma9(M, seq, eps, C1, C2)
    w.compare("cross-check: check_lemma9 (every window)", "status", ev.status, "=", "holds",
              "holds", holds=ev.status == "holds", why="Lemma 9 on every window")
    w.section("Negative control: the printed P(t+T:t) has T + 1 factors",
              "Complete mask on N = 2 (T = 1), A = J/2 (eps = 1/2), C1 = 1/2, C2 = 3.")
    A = fmatrix([[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]])
    D3, Dh = fmatrix([[3, 0], [0, 3]]), fmatrix([[F(1, 2), 0], [0, F(1, 2)]])
    e2, c1, c2 = F(1, 2), F(1, 2), F(3)
    P1 = product([D3 @ A])
    w.compare("D = 3I, T = 1 factor (the repaired lemma)", "(3I J/2)_11", P1[0, 0], "<=",
              "C2^T", c2, why="repaired Lemma 9: T factors")
    P2 = product([D3 @ A, D3 @ A])
    w.compare("D = 3I, T + 1 = 2 factors (as printed)", "((3I J/2)^2)_11", P2[0, 0], "<=",
              "C2^T", c2, expect=False, why="negative control: printed T + 1 factors, upper")
    P3 = product([Dh @ A, Dh @ A])
    w.compare("D = I/2, T + 1 = 2 factors (as printed)", "((I/2 J/2)^2)_11", P3[0, 0], ">=",
              "(eps C1)^T", e2 * c1, expect=False,
              why="negative control: printed T + 1 factors, lower")
    ev = lemma9_paper_indexing_witness()
    w.compare("cross-check: lemma9_paper_indexing_witness", "status", ev.status, "=", "holds",
              "holds", holds=ev.status == "holds", expect=False,
              why="negative control: the printed indexing")
    return w


# ------------------------------------------------------------------------------- Lemma 7
@walkthrough({"n": 3, "eps": Fraction(1, 4), "C1": Fraction(1),
                         "C2": Fraction(3, 2), "steps": 6, "seed": 0},
             "tau_B(P(t)) <= theta^floor((t+1)/T) (Birkhoff's coefficient, not Dobrushin's "
             "tau), compared exactly through phi(P(t)); negative "
             "control: a disconnected mask keeps a zero entry")
def lemma7(n, eps, C1, C2, steps, seed):
    from theory import graphs
    from theory.theorem2_lemmas import (check_lemma7, cross_ratio_min, hartfiel_factor,
                                        lemma7_disconnected_witness)

    if n < 2 or not 0 < eps <= Fraction(1, 3) or not 0 < C1 <= C2 or not 1 <= steps <= 12:
        raise RankCollapseError("need n >= 2, 0 < eps <= 1/3, 0 < C1 <= C2, 1 <= steps <= 12")
    M = masks.sliding_window(n, 1)
    T = int(graphs.diameter(M))
    seq = _member_seq(M, steps, eps, C1, C2, seed)
    rho = (eps * C1 / C2) ** T
    theta = hartfiel_factor(rho)
    w = Walkthrough(f"Sliding window (width 1, self-loops) on N = {n} tokens, "
                    f"diameter T = {T}; {steps} exact rational factors D(t) A(t) in "
                    f"M_(G, eps, C1, C2) (seed {seed})",
                    {"n": n, "eps": eps, "C1": C1, "C2": C2, "steps": steps, "seed": seed},
                    "exact (Fractions)")
    w.section("The constants",
              "tau(P) = (1 - sqrt(phi))/(1 + sqrt(phi)) with phi(P) the smallest cross ratio; "
              "tau(P) <= Theta iff phi(P) >= ((1 - Theta)/(1 + Theta))^2 (compared exactly).")
    w.value("diameter", "T", T, why="Lemma 9: T = diameter")
    w.value("Lemma 9's entry ratio", "rho = (eps C1 / C2)^T", rho,
            why="Lemma 9: entries in [(eps C1)^T, C2^T]")
    w.value("Birkhoff factor", "theta = (1 - rho)/(1 + rho)", theta,
            why="Lemma 8 (Hartfiel): factor per block")
    w.section("The partial products P(t) = M(t) ... M(0)")
    P = None
    for t, (D, A) in enumerate(seq):
        Mt = D @ A
        P = Mt if P is None else Mt @ P
        K = (t + 1) // T
        if K == 0:
            continue
        ph = cross_ratio_min(P)
        Th = theta ** K
        need = ((1 - Th) / (1 + Th)) ** 2
        w.value(f"t = {t}", "tau_B(P(t)) (Birkhoff, decimal)",
                f"{(1 - float(ph) ** .5) / (1 + float(ph) ** .5):.6g}",
                why="Birkhoff: tau_B from the cross ratio phi(P)")
        w.compare(f"t = {t}: tau_B(P(t)) <= theta^{K}", "phi(P(t))", ph, ">=",
                  f"((1 - theta^{K})/(1 + theta^{K}))^2", need,
                  why="Lemma 7: Lemma 8 factor theta per T-block")
    ev = check_lemma7(M, seq, eps, C1, C2)
    w.compare("cross-check: check_lemma7 (block factors, every t)", "status", ev.status, "=",
              "holds", "holds", holds=ev.status == "holds", why="Lemma 7 at every t")
    w.section("Negative control: two disconnected 2-token blocks (the printed lemma has no "
              "mask hypothesis)")
    ev = lemma7_disconnected_witness()
    i, j = ev.witness["zero_entry"]
    w.compare(f"P_{i + 1}{j + 1}(t) > 0 at t = {ev.witness['zero_at_t'][0]}",
              f"P_{i + 1}{j + 1}(t)", F(ev.witness["P_ij_exact_at_first_t"]), ">", "0", 0,
              expect=False, why="negative control: strong connectivity dropped")
    w.compare("cross-check: lemma7_disconnected_witness", "status", ev.status, "=", "holds",
              "holds", holds=ev.status == "holds", expect=False,
              why="negative control: disconnected mask, not ergodic")
    return w
