"""Shorter walkthroughs: Lemmas 5 and 6, Corollary 1, the radius/diameter remark, the rate's
monotonicity, LayerNorm's scale invariance, and the two misprints (Lemma 2's (12), Lemma
11's derivative).  Exact wherever the instance is rational."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from numeric import masks
from numeric.errors import RankCollapseError
from theory import graphs
from theory import layernorm as LN

from .core import Walkthrough, walkthrough
from .theorem2 import phi_walk

UNIT3 = [[sp.Rational(3, 5), sp.Rational(4, 5), 0], [0, sp.Rational(3, 5), sp.Rational(4, 5)],
         [sp.Rational(4, 5), 0, sp.Rational(3, 5)]]


@walkthrough("lemma-6", {}, "v = X^T (X X^T)^{-1} 1 and <X_i, v> = 1 > 0 for every token")
def lemma6():
    X = sp.Matrix(UNIT3)
    w = Walkthrough("lemma-6", "Three rational unit tokens in R^3 (full rank: (*) holds)", {},
                    "exact (SymPy rationals)")
    w.section("The tokens")
    for i in range(X.rows):
        w.value(f"token {i + 1}", f"X_{i + 1}", list(X.row(i)))
    w.compare("(*): full row rank", "rank X", sp.Integer(X.rank()), "=", "N", sp.Integer(X.rows))
    v = LN.hemisphere_vector(X)
    w.section("The hemisphere vector", "v = X^T (X X^T)^{-1} 1 solves X v = 1.")
    w.value("v", "X^T (X X^T)^{-1} 1", list(v))
    for i in range(X.rows):
        w.compare(f"token {i + 1} in the open hemisphere", f"<X_{i + 1}, v>",
                  (X.row(i) * v)[0], ">", "0", sp.Integer(0))
    w.section("Negative control: three tokens at 120 degrees in the plane (rank 2 < N = 3)")
    Y = sp.Matrix([[1, 0], [-sp.Rational(1, 2), sp.sqrt(3) / 2], [-sp.Rational(1, 2), -sp.sqrt(3) / 2]])
    ev = LN.hemisphere(Y)
    w.compare("Farkas: no open hemisphere contains them", "hemisphere exists", ev.status, "=",
              "holds", "holds", holds=ev.status == "holds", expect=False)
    return w


@walkthrough("lemma-5", {}, "1 <= D_ii <= 1/gamma for unit tokens, orthogonal W_V, causal A")
def lemma5():
    X = sp.Matrix(UNIT3)
    W = LN.rational_rotation(3)
    A = sp.Matrix(3, 3, lambda i, j: sp.Rational(1, i + 1) if j <= i else 0)
    w = Walkthrough("lemma-5", "Three rational unit tokens, the causal average A, an exactly "
                    "orthogonal rational W_V (Givens rotations by a Pythagorean angle)", {},
                    "exact (SymPy rationals)")
    w.section("The instance")
    for i in range(3):
        w.value(f"token {i + 1}", f"X_{i + 1}", list(X.row(i)))
    for i in range(3):
        w.value(f"row {i + 1} of W_V", f"W_V[{i + 1}]", list(W.row(i)))
    w.compare("W_V orthogonal", "W_V W_V^T", W * W.T == sp.eye(3), "=", "I", True,
              holds=W * W.T == sp.eye(3))
    v = LN.hemisphere_vector(X)
    gamma2 = 1 / sum(c ** 2 for c in v)
    w.value("gamma^2 (Lemma 6: <X_j, v/|v|> = 1/|v| for every j)", "gamma^2 = 1/|v|^2", gamma2)
    Y = A * X * W
    w.section("D_ii = 1 / ||(A X W_V)_i||, compared through ||(A X W_V)_i||^2")
    for i in range(3):
        n2 = sp.nsimplify(sp.simplify(sum(c ** 2 for c in Y.row(i))))
        w.compare(f"token {i + 1}: D_ii >= 1", f"||(A X W_V)_{i + 1}||^2", n2, "<=", "1",
                  sp.Integer(1))
        w.compare(f"token {i + 1}: D_ii <= 1/gamma", f"||(A X W_V)_{i + 1}||^2", n2, ">=",
                  "gamma^2", gamma2)
    return w


@walkthrough("corollary-1", {"mask": "causal", "n": 4, "d": 4, "T": 6, "seed": 0, "dps": 60},
             "phi(0) >= 0 (inputs in the positive orthant), then the one-block recursion with "
             "n_r centres from t = 0")
def corollary1(mask, n, d, T, seed, dps):
    return phi_walk("corollary-1", mask, n, d, T, seed, dps, nonneg=True)


def _witness_mask():
    """The 4-node strongly connected witness of paper_notes.md (paper edges 0->1, 0->2,
    0->3, 1->2, 2->0, 3->0; G[i, j]: token i attends to token j)."""
    G = np.eye(4, dtype=bool)
    for src, dst in ((0, 1), (0, 2), (0, 3), (1, 2), (2, 0), (3, 0)):
        G[dst, src] = True
    return G


@walkthrough("remark-radius-diameter", {"n": 6}, "r <= diam <= 2r on symmetric masks, and the "
             "4-node strongly connected witness where diam > 2r")
def remark_rd(n):
    if n < 2:
        raise RankCollapseError("--instance n must be >= 2")
    w = Walkthrough("remark-radius-diameter", f"Symmetric masks on n = {n} tokens (where the "
                    "remark holds) and the smallest directed witness (where it does not)",
                    {"n": n}, "exact (breadth-first search, integers)")
    cases = [(f"complete({n})", masks.complete(n), True),
             (f"sliding_window({n}, 1)", masks.sliding_window(n, 1), True),
             ("4-node strongly connected witness", _witness_mask(), False)]
    for name, M, expect in cases:
        r, dm = graphs.radius(M), graphs.diameter(M)
        w.section(name)
        w.value("radius", "r", int(r))
        w.value("diameter", "diam", int(dm))
        w.compare("left inequality", "r", int(r), "<=", "diam", int(dm))
        w.compare("right inequality", "diam", int(dm), "<=", "2 r", 2 * int(r), expect=expect)
    return w


@walkthrough("rate-monotone-in-r-and-eps", {"eps": Fraction(1, 3), "r_max": 4},
             "rho(eps, r) = (1 - eps^r)^(1/r) compared without roots")
def rate_monotone(eps, r_max):
    if not 0 < eps < 1:
        raise RankCollapseError("--instance eps must lie in (0, 1)")
    w = Walkthrough("rate-monotone-in-r-and-eps", f"eps = {eps}, r = 1..{r_max}",
                    {"eps": eps, "r_max": r_max}, "exact (Fractions)")
    w.section("Increasing in r: rho(eps, r) < rho(eps, r')  iff  (1-eps^r)^r' < (1-eps^r')^r")
    for r in range(1, r_max):
        w.value(f"r = {r}", f"rho(eps, {r}) (decimal)", f"{float(1 - eps ** r) ** (1 / r):.8f}")
        w.compare(f"r = {r} < r' = {r + 1}", f"(1 - eps^{r})^{r + 1}", (1 - eps ** r) ** (r + 1),
                  "<", f"(1 - eps^{r + 1})^{r}", (1 - eps ** (r + 1)) ** r)
    e2 = eps / 2
    w.section(f"Decreasing in eps: rho({e2}, r) > rho({eps}, r)  iff  1 - eps'^r > 1 - eps^r")
    for r in range(1, r_max + 1):
        w.compare(f"r = {r}", f"1 - ({e2})^{r}", 1 - e2 ** r, ">", f"1 - ({eps})^{r}",
                  1 - eps ** r)
    w.section("Negative control: the rate 1 - eps is constant in r")
    w.compare("(1-eps)^r in place of 1 - eps^r", "((1-eps)^1)^2", (1 - eps) ** 2, "<",
              "((1-eps)^2)^1", (1 - eps) ** 2, expect=False)
    return w


@walkthrough("layernorm-scale-invariance", {"c": Fraction(3)}, "LN(c Y) = LN(Y) for c > 0, "
             "row by row, exactly")
def scale(c):
    if c == 0:
        raise RankCollapseError("--instance c must be nonzero")
    Y = sp.Matrix([[1, 2, 2], [3, 0, 4], [-1, 1, 1]])
    cs = sp.Rational(c.numerator, c.denominator)
    w = Walkthrough("layernorm-scale-invariance", f"Y with rows (1,2,2), (3,0,4), (-1,1,1); "
                    f"c = {c}", {"c": c}, "exact (SymPy)")
    L, Lc = LN.ln_exact(Y), LN.ln_exact(cs * Y)
    for i in range(3):
        w.value(f"row {i + 1}", f"LN(Y)_{i + 1}", list(L.row(i)))
        w.compare(f"row {i + 1}", f"LN({c} Y)_{i + 1}", list(Lc.row(i)), "=", f"LN(Y)_{i + 1}",
                  list(L.row(i)), holds=Lc.row(i) == L.row(i), expect=c > 0)
    Ln = LN.ln_exact(-cs * Y)
    w.compare("negative control: c -> -c flips every row", "LN(-c Y)", list(Ln.row(0)), "=",
              "LN(Y)_1", list(L.row(0)), holds=Ln.row(0) == L.row(0), expect=False)
    return w


@walkthrough("lemma-2-printed-lower-bound", {}, "(12) as printed on A = I, x = (0, 1): false "
             "for p > 1/2, true for p <= 1/2")
def lemma2_printed():
    w = Walkthrough("lemma-2-printed-lower-bound", "A = I_2, x(0) = (0, 1), T = 1 (pi = 1)",
                    {}, "exact (Fractions)")
    x, M, m, pi = (Fraction(0), Fraction(1)), Fraction(1), Fraction(0), Fraction(1)
    for i in (0, 1):
        p = (M - x[i]) / (M - m)
        v = x[i]      # A = I keeps x
        w.section(f"token i = {i}: p = {p}")
        w.compare(f"(12) as printed, p = {p}", f"x_{i}(1)", v, ">=", "p pi M + (1 - p pi) m",
                  p * pi * M + (1 - p * pi) * m, expect=p <= Fraction(1, 2))
        q = 1 - p
        w.compare(f"(12) intended, q = 1 - p = {q}", f"x_{i}(1)", v, ">=",
                  "q pi M + (1 - q pi) m", q * pi * M + (1 - q * pi) * m)
    return w


@walkthrough("lemma-11-printed-derivative", {"w": "2"}, "the printed g'(y) = 1 + X_21 against "
             "the true 1 + X_22")
def lemma11_printed(w):
    from .theorem3 import lemma11
    full = lemma11(w)
    out = Walkthrough("lemma-11-printed-derivative", full.title, full.instance, full.level)
    keep = False
    for s in full.steps:
        keep = keep or (s.kind == "section" and "printed" in s.label)
        if keep:
            out.steps.append(s)
    return out
