"""Walkthroughs of Theorem 3 (1), Appendix F.2 and Lemma 11 (exact SymPy arithmetic:
counterexamples.jordan, counterexamples.plane)."""
from __future__ import annotations

import sympy as sp

from counterexamples import jordan as J
from counterexamples import plane as PL
from numeric.errors import RankCollapseError

from .core import Walkthrough, walkthrough
from counterexamples import jordan_facts


def _signs(k, signs):
    if signs in ("", None):
        return "+" * k
    if len(signs) != k:
        raise RankCollapseError(f"--instance signs={signs!r}: need {k} signs for rank {k}")
    return signs


@walkthrough({"n": 3, "d": 3, "w": "3", "k": 0, "signs": ""},
             "for each rank k: the equilibrium, S_i W_V, lambda_i and each residual "
             "S_i W_V - lambda_i X_i")
def theorem31(n, d, w, k, signs):
    wv = J.parse_w(w)
    ranks = [k] if k else list(range(1, min(n, d) + 1))
    W = J.value_matrix(d, wv)
    wk = Walkthrough(f"Causal mask, W_Q = W_K = 0 (A_ij = 1/i for j <= i), post-LN, "
                     f"W_V = I + w J with w = {wv}: the Jordan-chain equilibria of every rank",
                     {"n": n, "d": d, "w": wv, "k": k or "all", "signs": signs or "all +"},
                     "exact (SymPy; square roots of rationals)")
    wk.section("The value matrix",
               "A configuration of unit tokens is a fixed point iff S_i W_V = lambda_i X_i "
               "with lambda_i = ||S_i W_V|| > 0 for every i, S_i = X_1 + ... + X_i "
               "(the causal average's 1/i disappears under LayerNorm).")
    for i in range(d):
        wk.value(f"row {i + 1} of W_V", f"W_V[{i + 1}]", list(W.row(i)), why="W_V = I + w J")
    for kk in ranks:
        sg = _signs(kk, signs)
        X = J.equilibrium(n, d, kk, wv, sg)
        m = n - kk + 1
        wk.section(f"Rank k = {kk}, signs {sg}",
                   f"Tokens 1..{m} at e_d; chain tokens solve X_(m+j) (I - W_V) = X_(m+j-1).")
        if kk >= 2:
            wk.compare("the construction is real", "|w|", sp.Abs(wv), ">=", "N - k + 1",
                       sp.Integer(m), why="Appendix F.1: first chain token needs |w| >= m")
        S = sp.zeros(1, d)
        for i in range(n):
            Xi = X.row(i)
            S = S + Xi
            SW = S * W
            lam = sp.sqrt(sp.simplify(sum(v ** 2 for v in SW)))
            lam = sp.nsimplify(sp.simplify(lam))
            wk.value(f"token {i + 1}", f"X_{i + 1}", [sp.simplify(v) for v in Xi],
                     why="Appendix F.1: Jordan chain (31)")
            wk.value(f"token {i + 1}", f"S_{i + 1} W_V", [sp.simplify(v) for v in SW],
                     why="causal average, 1/i dropped by LN")
            wk.compare(f"token {i + 1} is a unit vector", f"||X_{i + 1}||^2",
                       sp.simplify(sum(v ** 2 for v in Xi)), "=", "1", sp.Integer(1),
                       why="post-LN tokens lie on the sphere")
            wk.compare(f"token {i + 1}: lambda_{i + 1} = ||S_{i + 1} W_V||", f"lambda_{i + 1}",
                       lam, ">", "0", sp.Integer(0), why="LN scale invariance needs lambda > 0")
            res = [sp.simplify(a - lam * b) for a, b in zip(SW, Xi)]
            wk.compare(f"token {i + 1}: residual", f"max |S_{i + 1} W_V - lambda_{i + 1} X_{i + 1}|",
                       max((sp.Abs(r) for r in res), key=lambda e: sp.N(e, 30)), "=", "0",
                       sp.Integer(0), why="fixed point: S_i W_V = lambda_i X_i")
        rank = X.rank(simplify=True)
        wk.compare("rank of the equilibrium", "rank X", sp.Integer(rank), "=", "k",
                   sp.Integer(kk), why="Jordan chain vectors are independent")
        ev = J.verify_equilibrium(X, W, k=kk)
        wk.compare("cross-check: F(X) = X entrywise (verify_equilibrium, surd arithmetic)",
                   "status", ev.status, "=", "holds", "holds", holds=ev.status == "holds",
                   why="Theorem 3 (1): one post-LN step fixes X")
    return wk


@walkthrough({"n": 3, "w": "2"},
             "||X||_F^2, ||X e_d||^2, the bound N/(N - (N-1)/w^2) and the certified SRank")
def f2(n, w):
    wv = J.parse_w(w)
    if not abs(wv) >= n - 1:
        raise RankCollapseError(f"--instance w={w}: the full-rank construction needs |w| >= "
                                f"N - 1 = {n - 1}")
    X = J.equilibrium(n, n, n, wv)
    wk = Walkthrough(f"The full-rank (k = N = d = {n}) Jordan equilibrium with w = {wv}",
                     {"n": n, "w": wv}, "exact (SymPy) and certified (python-flint, Rump)")
    wk.section("The equilibrium")
    for i in range(n):
        wk.value(f"token {i + 1}", f"X_{i + 1}", list(X.row(i)), why="full-rank equilibrium (34)")
    b = jordan_facts.stable_rank_bound(X)
    wk.section("The bound of Appendix F.2")
    wk.compare("Frobenius norm", "||X||_F^2", b["frobenius2"], "=", "N", sp.Integer(n),
               why="unit rows: ||X||_F^2 = N")
    wk.compare("last column", "||X e_d||^2", b["last_column2"], "=", "N - (N-1)/w^2",
               n - sp.Integer(n - 1) / wv ** 2, why="Appendix F.2: last coordinates of (34)")
    wk.value("the bound", "SRank(X) <= ||X||_F^2 / ||X e_d||^2", b["srank_upper"],
             why="Appendix F.2: ||X||_2 >= ||X e_d||")
    c = jordan_facts.stable_rank_certified(X)
    wk.section("The stable rank itself (certified eigenvalue enclosure)")
    wk.value("largest eigenvalue of X^T X", "||X||_2^2", c["lambda_max"],
             why="Rump eigenvalue enclosure")
    wk.compare("spectral norm against e_d", "||X||_2^2", c["lambda_max"], ">=", "||X e_d||^2",
               sp.Rational(b["last_column2"]) if b["last_column2"].is_Rational else
               _lower_rational(b["last_column2"]),
               why="||X||_2 >= ||X u|| for unit u = e_d")
    wk.compare("Appendix F.2", "SRank(X)", c["srank"], "<=", "N / (N - (N-1)/w^2)",
               _upper_rational(b["srank_upper"]),
               why="Appendix F.2: SRank <= ||X||_F^2/||X e_d||^2")
    wk.compare("a stable rank is at least 1", "SRank(X)", c["srank"], ">=", "1", 1,
               why="||X||_2 <= ||X||_F")
    return wk


def _lower_rational(e):
    """A rational just below the algebraic number ``e`` (exact check that it is below)."""
    q = sp.Rational(str(sp.N(e, 40))) - sp.Rational(1, 10 ** 35)
    assert (e - q).is_positive
    return q


def _upper_rational(e):
    if e.is_Rational:
        return e
    q = sp.Rational(str(sp.N(e, 40))) + sp.Rational(1, 10 ** 35)
    assert (q - e).is_positive
    return q


@walkthrough({"w": "2"}, "g(y), g'(y) = 1 + X_22 > 0 at sample points of each "
             "half, the fixed points, and the printed derivative refuted")
def lemma11(w):
    wv = J.parse_w(w)
    if not wv > 1:
        raise RankCollapseError(f"--instance w={w}: Lemma 11's example needs w > 1")
    y = sp.Symbol("y", real=True)
    wk = Walkthrough(f"Appendix E, N = d = 2, causal mask, W_Q = W_K = 0, W_V = [[1, w], [0, 1]], "
                     f"w = {wv}; token 1 at (0, 1), token 2 the unit vector of ratio y = x_2/x_1",
                     {"w": wv}, "exact (SymPy)")
    for half, s in (("left", -1), ("right", 1)):
        wk.section(f"The {half} half (x_1 {'<' if s < 0 else '>'} 0)",
                   f"g(y) = y + w {'-' if s < 0 else '+'} sqrt(1 + y^2); X_2 = "
                   f"({'-' if s < 0 else ''}1, {'-' if s < 0 else ''}y)/sqrt(1 + y^2).")
        gy = PL.g(y, wv, half)
        dg = sp.diff(gy, y)
        for yv in (sp.Integer(-2), sp.Rational(-1, 2), sp.Integer(0), sp.Integer(1),
                   sp.Integer(3)):
            a = s / sp.sqrt(1 + yv ** 2)
            x22 = a * yv
            wk.value(f"y = {yv}", "g(y)", sp.simplify(gy.subs(y, yv)),
                     why="Appendix E: g(y) = y + w + 1/X_21")
            wk.compare(f"y = {yv}: the derivative", "g'(y)", sp.simplify(dg.subs(y, yv)), "=",
                       "1 + X_22", sp.simplify(1 + x22), why="Lemma 11: d(1/X_21)/dy = X_22")
            wk.compare(f"y = {yv}: Lemma 11", "g'(y)", sp.simplify(dg.subs(y, yv)), ">", "0",
                       sp.Integer(0), why="Lemma 11: g' > 0")
        b = s * y / sp.sqrt(1 + y ** 2)
        wk.compare("for every y: (1 + X_22)(1 - X_22)", "(1 + X_22)(1 - X_22)",
                   sp.simplify((1 + b) * (1 - b)), "=", "1/(1 + y^2)", 1 / (1 + y ** 2),
                   holds=sp.simplify((1 + b) * (1 - b) - 1 / (1 + y ** 2)) == 0,
                   why="Lemma 11: 1 - X_22^2 > 0, so 1 + X_22 > 0")
    wk.section("Fixed points of g (left half): A and B")
    for name, yv in (("A", -sp.sqrt(wv ** 2 - 1)), ("B", sp.sqrt(wv ** 2 - 1))):
        wk.compare(f"y_{name}", "g(y)", sp.simplify(PL.g(yv, wv, "left")), "=", "y", yv,
                   why="Appendix E: g(y) = y at the fixed points")
    wk.section("The paper's printed derivative g'(y) = 1 + X_21, at y = 0 on the right half")
    dg = sp.diff(PL.g(y, wv, "right"), y).subs(y, 0)
    wk.compare("printed formula", "g'(0)", sp.simplify(dg), "=", "1 + X_21", sp.Integer(2),
               expect=False, why="negative control: the printed g' = 1 + X_21")
    wk.compare("true formula", "g'(0)", sp.simplify(dg), "=", "1 + X_22", sp.Integer(1),
               why="Lemma 11: g' = 1 + X_22")
    return wk
