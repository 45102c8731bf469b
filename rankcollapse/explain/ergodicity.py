"""Walkthroughs of Appendix B.1 (Lemma 2, Lemma 3, Corollary 2, the Dobrushin facts) on the
extremal path example, in exact rational arithmetic (theory.ergodicity)."""
from __future__ import annotations

from fractions import Fraction

from numeric.errors import RankCollapseError
from theory import ergodicity as E

from .core import Walkthrough, walkthrough

PATH = {"n": 4, "eps": Fraction(1, 3)}
TITLE = ("the uni-directional window of width 1 (token i attends to i-1 and i): radius "
         "r = n - 1, centre 0; the constant A with A_00 = 1, A_{i,i-1} = eps, "
         "A_ii = 1 - eps; x(0) = (0, 1, ..., 1): the example where Corollary 2's constant "
         "is attained")


def _instance(n, eps, blocks):
    if n < 2:
        raise RankCollapseError("the path example needs n >= 2")
    mats, x0, G = E.path_example(n, eps)
    r, centres, ecc = E.centres_and_radius(G)
    A = mats[0]
    T = max(blocks, 1) * r
    traj = E.trajectory([A] * T, x0)
    return A, x0, G, r, centres, traj


def _setup(w, A, x0, G, r, centres, eps):
    w.section("The instance")
    for i, row in enumerate(A):
        w.value(f"row {i} of A", f"A[{i}]", list(row), why="Definition 6: A in A_{G,eps}")
    w.value("mask", "token i attends to", [f"{i}->" + ",".join(str(j) for j in range(len(A))
                                                               if G[i, j]) for i in range(len(A))],
            why="A1: self-loops; edge j -> i")
    w.value("radius (Definition 5)", "r", r, why="Definition 5: radius")
    w.value("centres of eccentricity r", "c", centres, why="Definitions 1-5: centres")
    w.value("weight bound on the edges (Definition 6)", "eps", eps,
            why="Definition 6: A_ij >= eps on edges")
    w.value("starting vector", "x(0)", list(x0), why="Corollary 2's extremal start")


def _trajectory(w, traj):
    w.section("x(t) for each t", "x(t+1) = A x(t), exact.")
    for t, x in enumerate(traj):
        w.value(f"t = {t}", f"x({t})", list(x), why="x(t+1) = A x(t)" if t else "")
        w.value(f"t = {t}", f"M({t}) - m({t}) = osc(x({t}))", E.osc(x),
                why="osc: largest minus smallest entry")


def _lemma2(w, A, traj, r, t=0):
    """(11) and the corrected (12) for the tokens strictly inside [m, M] (0 < p < 1), and
    for one token at an end as an example (there the bounds hold with little to show)."""
    x = traj[t]
    M, m = max(x), min(x)
    ps = [(M - xi) / (M - m) if M > m else Fraction(0) for xi in x]
    inside = [i for i, p in enumerate(ps) if 0 < p < 1]
    ends = [i for i, p in enumerate(ps) if not 0 < p < 1]
    shown = inside + ends[:1]
    w.section(f"Lemma 2 at t = {t}, T = 1..{r}, tokens {', '.join(map(str, sorted(shown)))}",
              "p is the position of x_i(t) between m and M: x_i(t) = p m + (1-p) M, "
              "pi = A_ii^T (the self-loop weights over the T steps); (11) upper bound and "
              "(12) in its intended form with q = 1 - p. Shown: every token strictly between "
              "m and M, and one token at an end (p = 0 or 1, where the bounds have little "
              "to show).")
    for i in sorted(shown):
        p = ps[i]
        q = 1 - p
        for T in range(1, r + 1):
            if t + T >= len(traj):
                break
            pi = A[i][i] ** T
            v = traj[t + T][i]
            w.compare(f"(11) i={i}, T={T}, p={p}, pi={pi}", f"x_{i}({t + T})", v, "<=",
                      "p pi m + (1 - p pi) M", p * pi * m + (1 - p * pi) * M,
                      why="Lemma 2, (11): pi = A_ii^T self-loops")
            w.compare(f"(12) i={i}, T={T}, q={q}", f"x_{i}({t + T})", v, ">=",
                      "q pi M + (1 - q pi) m", q * pi * M + (1 - q * pi) * m,
                      why="Lemma 2, (12) corrected: q = 1 - p")


def _lemma3(w, A, x0, traj, r, eps, blocks):
    P = E.left_product([A] * r)
    w.section(f"Lemma 3 with p = 1: the contraction over blocks of r = {r} steps",
              "Our route: the centre's column of A^r is >= eps^r (walk from the centre, "
              "wait on self-loops), so Dobrushin's tau(A^r) <= 1 - eps^r, and the "
              "oscillation shrinks by that factor per block.")
    col = [P[i][0] for i in range(len(P))]
    w.value("column 0 (the centre) of A^r", "A^r[:, 0]", col, why="product of r steps")
    w.compare("centre column (dobrushin-column-bound)", "min_i (A^r)_{i0}", min(col), ">=",
              "eps^r", eps ** r, why="Definition 6 + A1: walk from the centre")
    tau = E.dobrushin(P)
    w.compare("Dobrushin coefficient", "tau(A^r)", tau, "<=", "1 - eps^r", 1 - eps ** r,
              why="Dobrushin: tau(P) <= 1 - min_i P_ic")
    for k in range(1, blocks + 1):
        if k * r >= len(traj):
            break
        w.compare(f"Lemma 3, k = {k}", f"osc(x({k * r}))", E.osc(traj[k * r]), "<=",
                  f"(1 - eps^r)^{k} osc(x(0))", (1 - eps ** r) ** k * E.osc(x0),
                  why="Lemma 3, (13) with p = 1")
    w.value("the paper's case split reaches only p = 1/2: factor", "1 - eps^r / 2",
            1 - eps ** r / 2, why="Lemma 3's case split: p <= 1/2 only")


def _corollary2(w, x0, traj, r, eps):
    base = 1 - eps ** r
    Cr = E.corollary2_constant_power(x0, eps, r)
    w.section("Corollary 2: osc(x(t)) <= C (1 - eps^r)^(t/r)",
              "C = osc(x(0)) (1 - eps^r)^(-(r-1)/r). Compared without roots: "
              "osc(x(t))^r <= C^r (1 - eps^r)^t, with C^r rational.")
    w.value("C^r", "osc(x(0))^r / (1 - eps^r)^(r-1)", Cr,
            why="Corollary 2: C = osc(x(0)) (1-eps^r)^(-(r-1)/r)")
    w.value("C (decimal, for reading only)", "C", f"{float(Cr) ** (1 / r):.10g}")
    for t, x in enumerate(traj):
        w.compare(f"t = {t}", f"osc(x({t}))^r", E.osc(x) ** r, "<=", f"C^r (1-eps^r)^{t}",
                  Cr * base ** t, why="Corollary 2: t = kr + s, Lemma 3 with p = 1")
    t = r - 1
    w.compare(f"C is attained at t = r - 1 = {t}", f"osc(x({t}))^r", E.osc(traj[t]) ** r, "=",
              f"C^r (1-eps^r)^{t}", Cr * base ** t, why="Corollary 2: C attained at t = r - 1")
    if r >= 2:
        w.compare("negative control: C = osc(x(0)) is too small (t = 1)", "osc(x(1))^r",
                  E.osc(traj[1]) ** r, "<=", "osc(x(0))^r (1-eps^r)^1",
                  E.osc(x0) ** r * base, expect=False,
                  why="negative control: C = osc(x(0)), too small")


def _new(n, eps, blocks):
    w = Walkthrough(f"Path example, n = {n}, eps = {eps}: {TITLE}",
                    {"n": n, "eps": eps, "blocks": blocks}, "exact (Fractions)")
    return w


@walkthrough({**PATH, "blocks": 2},
             "x(t) for each t, Lemma 2 with T and p, Lemma 3's contraction, C attained at "
             "t = r - 1")
def corollary2(n, eps, blocks):
    A, x0, G, r, centres, traj = _instance(n, eps, blocks)
    w = _new(n, eps, blocks)
    _setup(w, A, x0, G, r, centres, eps)
    _trajectory(w, traj)
    _lemma2(w, A, traj, r, t=1)
    _lemma3(w, A, x0, traj, r, eps, blocks)
    _corollary2(w, x0, traj, r, eps)
    return w


@walkthrough({**PATH, "blocks": 2}, "every (11) and (12) step from t = 0, and the "
             "printed (12) refuted")
def lemma2(n, eps, blocks):
    A, x0, G, r, centres, traj = _instance(n, eps, blocks)
    w = _new(n, eps, blocks)
    _setup(w, A, x0, G, r, centres, eps)
    _trajectory(w, traj)
    _lemma2(w, A, traj, r, t=1)
    w.section("(12) as printed (same p as (11)): the witness A = I, x = (0, 1), i = 0, p = 1, "
              "T = 1")
    I2 = ((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1)))
    x = (Fraction(0), Fraction(1))
    v = E.matvec(I2, x)[0]
    p, pi, M, m = Fraction(1), Fraction(1), Fraction(1), Fraction(0)
    w.compare("printed (12)", "x_0(1)", v, ">=", "p pi M + (1 - p pi) m", p * pi * M + (1 - p * pi) * m,
              expect=False, why="negative control: the printed (12), refuted")
    q = 1 - p
    w.compare("intended (12), q = 1 - p", "x_0(1)", v, ">=", "q pi M + (1 - q pi) m",
              q * pi * M + (1 - q * pi) * m, why="Lemma 2, (12) with q = 1 - p")
    return w


@walkthrough({**PATH, "blocks": 2}, "the proof steps (14)-(17) from the centre, "
             "the subtraction identity, and the Dobrushin route")
def lemma3(n, eps, blocks):
    A, x0, G, r, centres, traj = _instance(n, eps, blocks)
    w = _new(n, eps, blocks)
    _setup(w, A, x0, G, r, centres, eps)
    _trajectory(w, traj)
    c = centres[0]
    dist = E.distances_from(G, c)
    x = traj[0]
    M, m = max(x), min(x)
    p = (M - x[c]) / (M - m) if M > m else Fraction(0)
    q = 1 - p
    w.section(f"The paper's steps (14)-(17) from the centre c = {c}, t = 0",
              f"x_c(0) = p m + (1-p) M with p = {p}; for each token i and dist(c, i) <= T <= r: "
              "the upper bound and its symmetric lower bound.")
    for i in range(len(x)):
        for T in range(int(dist[i]), r + 1):
            e = eps ** T
            v = traj[T][i]
            w.compare(f"i={i}, T={T} (dist {int(dist[i])}) upper", f"x_{i}({T})", v, "<=",
                      "p eps^T m + (1 - p eps^T) M", p * e * m + (1 - p * e) * M,
                      why="Lemma 3, (14)-(17): Lemma 2 along a shortest path")
            w.compare(f"i={i}, T={T} lower", f"x_{i}({T})", v, ">=",
                      "q eps^T M + (1 - q eps^T) m", q * e * M + (1 - q * e) * m,
                      why="symmetric bound: Lemma 2, (12) with q = 1 - p")
    up = p * eps ** r * m + (1 - p * eps ** r) * M
    lo = q * eps ** r * M + (1 - q * eps ** r) * m
    w.compare("subtracting at T = r (repair 1: both bounds at once)", "upper - lower", up - lo,
              "=", "(1 - eps^r)(M - m)", (1 - eps ** r) * (M - m),
              why="algebra: p + q = 1, no case split")
    w.compare("hence", f"osc(x({r}))", E.osc(traj[r]), "<=", "(1 - eps^r)(M - m)",
              (1 - eps ** r) * (M - m), why="Definition 5: every token within r of c")
    _lemma3(w, A, x0, traj, r, eps, blocks)
    return w


@walkthrough(dict(PATH), "tau(A^r) against the centre column")
def column_bound(n, eps):
    A, x0, G, r, centres, traj = _instance(n, eps, 1)
    w = _new(n, eps, 1)
    _setup(w, A, x0, G, r, centres, eps)
    w.section("The column bound on P = A^r")
    P = E.left_product([A] * r)
    for i, row in enumerate(P):
        w.value(f"row {i} of A^r", f"P[{i}]", list(row), why="P = A^r, exact")
    delta = min(P[i][0] for i in range(len(P)))
    w.compare("column 0 bounded below", "min_i P_i0", delta, ">=", "eps^r", eps ** r,
              why="Definition 6 + A1: walk from the centre")
    w.compare("column bound", "tau(P)", E.dobrushin(P), "<=", "1 - min_i P_i0", 1 - delta,
              why="Dobrushin: tau(P) <= 1 - min_i P_ic")
    w.compare("the two formulas of tau agree", "1/2 max ||P_i - P_j||_1", E.dobrushin(P), "=",
              "1 - min sum_k min(P_ik, P_jk)", E.dobrushin_overlap(P),
              why="tau: half L1 distance = 1 - overlap")
    xe = E.extremal_vector(P)
    w.compare("sharpness: the extremal 0/1 vector", "osc(P x*)", E.osc(E.matvec(P, xe)), "=",
              "tau(P) osc(x*)", E.dobrushin(P) * E.osc(xe),
              why="Dobrushin: osc(P x) <= tau(P) osc(x), sharp")
    return w


@walkthrough(dict(PATH), "tau(A^r A^r) against tau(A^r)^2")
def submult(n, eps):
    A, x0, G, r, centres, traj = _instance(n, eps, 1)
    w = _new(n, eps, 1)
    _setup(w, A, x0, G, r, centres, eps)
    w.section("Sub-multiplicativity on powers of A")
    for a in range(1, r + 1):
        P, Q = E.left_product([A] * a), A
        w.compare(f"P = A^{a}, Q = A", "tau(P Q)", E.dobrushin(E.matmul(P, Q)), "<=",
                  "tau(P) tau(Q)", E.dobrushin(P) * E.dobrushin(Q),
                  why="sub-multiplicativity of tau")
    return w
