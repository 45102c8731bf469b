"""Walkthroughs of Section 4.1's remarks and of Lemma 2's printed form: the radius /
diameter remark (true for symmetric masks, false for directed ones), the rate
(1 - eps^r)^(1/r) in r and eps, and (12) as printed on an instance where it fails."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from numeric import masks
from numeric.errors import RankCollapseError

from .core import Walkthrough, walkthrough
from theory import graphs


def _witness_mask():
    """The 4-node strongly connected witness of paper_notes.md (paper edges 0->1, 0->2,
    0->3, 1->2, 2->0, 3->0; G[i, j]: token i attends to token j)."""
    G = np.eye(4, dtype=bool)
    for src, dst in ((0, 1), (0, 2), (0, 3), (1, 2), (2, 0), (3, 0)):
        G[dst, src] = True
    return G


@walkthrough({"n": 6}, "r <= diam <= 2r on symmetric masks, and the "
             "4-node strongly connected witness where diam > 2r")
def remark_rd(n):
    if n < 2:
        raise RankCollapseError("--instance n must be >= 2")
    w = Walkthrough(f"Symmetric masks on n = {n} tokens (where the "
                    "remark holds) and the smallest directed witness (where it does not)",
                    {"n": n}, "exact (breadth-first search, integers)")
    cases = [(f"complete({n})", masks.complete(n), True),
             (f"sliding_window({n}, 1)", masks.sliding_window(n, 1), True),
             ("4-node strongly connected witness", _witness_mask(), False)]
    for name, M, expect in cases:
        r, dm = graphs.radius(M), graphs.diameter(M)
        w.section(name)
        w.value("radius", "r", int(r), why="Definition 5: radius")
        w.value("diameter", "diam", int(dm), why="largest distance")
        w.compare("left inequality", "r", int(r), "<=", "diam", int(dm),
                  why="r = min ecc <= max ecc = diam")
        w.compare("right inequality", "diam", int(dm), "<=", "2 r", 2 * int(r), expect=expect,
                  why="symmetric mask: d(u, v) <= d(u, c) + d(c, v)" if expect else
                  "negative control: directed mask, d(u, c) != d(c, u)")
    return w


@walkthrough({"eps": Fraction(1, 3), "r_max": 4},
             "rho(eps, r) = (1 - eps^r)^(1/r) compared without roots")
def rate_monotone(eps, r_max):
    if not 0 < eps < 1:
        raise RankCollapseError("--instance eps must lie in (0, 1)")
    w = Walkthrough(f"eps = {eps}, r = 1..{r_max}",
                    {"eps": eps, "r_max": r_max}, "exact (Fractions)")
    w.section("Increasing in r: rho(eps, r) < rho(eps, r')  iff  (1-eps^r)^r' < (1-eps^r')^r")
    for r in range(1, r_max):
        w.value(f"r = {r}", f"rho(eps, {r}) (decimal)", f"{float(1 - eps ** r) ** (1 / r):.8f}",
                why="Theorem 1's rate")
        w.compare(f"r = {r} < r' = {r + 1}", f"(1 - eps^{r})^{r + 1}", (1 - eps ** r) ** (r + 1),
                  "<", f"(1 - eps^{r + 1})^{r}", (1 - eps ** (r + 1)) ** r,
                  why="rho increasing in r: r r'-th powers")
    e2 = eps / 2
    w.section(f"Decreasing in eps: rho({e2}, r) > rho({eps}, r)  iff  1 - eps'^r > 1 - eps^r")
    for r in range(1, r_max + 1):
        w.compare(f"r = {r}", f"1 - ({e2})^{r}", 1 - e2 ** r, ">", f"1 - ({eps})^{r}",
                  1 - eps ** r, why="rho decreasing in eps: eps^r increasing")
    w.section("Negative control: the rate 1 - eps is constant in r")
    w.compare("(1-eps)^r in place of 1 - eps^r", "((1-eps)^1)^2", (1 - eps) ** 2, "<",
              "((1-eps)^2)^1", (1 - eps) ** 2, expect=False,
              why="negative control: rate 1 - eps, constant in r")
    return w


@walkthrough({}, "(12) as printed on A = I, x = (0, 1): false "
             "for p > 1/2, true for p <= 1/2")
def lemma2_printed():
    w = Walkthrough("A = I_2, x(0) = (0, 1), T = 1 (pi = 1)",
                    {}, "exact (Fractions)")
    x, M, m, pi = (Fraction(0), Fraction(1)), Fraction(1), Fraction(0), Fraction(1)
    for i in (0, 1):
        p = (M - x[i]) / (M - m)
        v = x[i]      # A = I keeps x
        w.section(f"token i = {i}: p = {p}")
        w.compare(f"(12) as printed, p = {p}", f"x_{i}(1)", v, ">=", "p pi M + (1 - p pi) m",
                  p * pi * M + (1 - p * pi) * m, expect=p <= Fraction(1, 2),
                  why="printed (12): implied by q = 1 - p for p <= 1/2"
                  if p <= Fraction(1, 2) else "negative control: the printed (12), p > 1/2")
        q = 1 - p
        w.compare(f"(12) intended, q = 1 - p = {q}", f"x_{i}(1)", v, ">=",
                  "q pi M + (1 - q pi) m", q * pi * M + (1 - q * pi) * m,
                  why="Lemma 2, (12) with q = 1 - p")
    return w
