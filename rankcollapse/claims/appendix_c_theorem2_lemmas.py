"""Lemmas 4, 7, 8, 9 and 10 (Appendix C): the ingredients of Theorem 2.

Each claim combines a universal part (z3, SymPy, or exhaustive enumeration of small masks)
with exact or certified checks on seeded random instances (sampled scope)."""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import sympy as sp

from numeric import masks
from numeric.weights import cayley_orthogonal, gaussian
from theory import layernorm as LN
from theory import proofs_symbolic as PS
from theory import theorem2_lemmas as L
from theory.evidence import combine, if_all_hold, sampled

from rankcollapse import explain as walk
from . import Config, claim

R = sp.Rational

NOTES = "Lemmas 4 and 7-10: the ingredients of Theorem 2"
TESTS = "tests/test_theorem2_lemmas.py::"


def ring(n: int):
    """Directed ring with self-loops: token i attends to i and i-1 (mod n); strongly
    connected, diameter n-1, every in-degree 2."""
    M = np.eye(n, dtype=bool)
    for i in range(n):
        M[i, (i - 1) % n] = True
    return M


def _strongly_connected_masks(thorough: bool):
    out = [("complete(4)", masks.complete(4)), ("sliding_window(5, 1)", masks.sliding_window(5, 1)),
           ("ring(4)", ring(4))]
    if thorough:
        out += [("complete(6)", masks.complete(6)), ("sliding_window(7, 2)",
                                                     masks.sliding_window(7, 2)),
                ("ring(6)", ring(6))]
    return out


# (eps, C1, C2): Theorem 2 has C1 = 1 (Lemma 5); C1 < 1 is allowed by the lemmas
SETTINGS = [(F(1, 8), F(1), F(2)), (F(1, 10), F(1, 2), F(3))]


def _sequences(cfg: Config, length: int):
    rng = np.random.default_rng(cfg.seed)
    for name, M in _strongly_connected_masks(cfg.thorough):
        for eps, C1, C2 in SETTINGS:
            yield name, M, (eps, C1, C2), L.random_sequence(M, length, eps, C1, C2, rng)


GEN = ("random exact rational D A in M_{G,eps,C1,C2} (30% at vertices of the set), masks "
       "complete / sliding window / directed ring, (eps, C1, C2) in {(1/8, 1, 2), "
       "(1/10, 1/2, 3)}")


@claim("lemma-4", "Lemma 4 (Appendix C.1)",
       "Post-LN: for each trajectory some eps > 0 bounds every edge weight A_ij(t), t >= 0 "
       "(the paper's statement, existential). Our explicit constant, checked here for X(0) on "
       "the unit sphere: A_ij(t) >= 1/(1 + (n-1) e^{2S}) >= e^{-2S}/n with "
       "S = ||W_Q||_2 ||W_K||_2 / sqrt(d_qk) (sup over layers, A2), n = max_i |N_i|. Off the "
       "sphere eps still exists (it depends on ||X(0)|| at t = 0); A1 is not used.",
       assumptions=("A2", "X(0) on the unit sphere", "post-LN"),
       test=TESTS + "test_lemma4_negative_controls", notes=NOTES,
       erratum=("proof gap", "The lemma is existential for the trajectory at hand (some eps > 0 with A_ij(t) >= eps for all t >= 0) and true for every X(0): eps then depends on ||X(0)||. Only the proof's claim that X(t) is on the sphere for every t >= 0 is wrong at t = 0. The paper prints no constant; e^{-2S}/n is our derivation."),
       kind="lemma",
       tex=(r"A_{ij}\ge\frac{1}{1+(n-1)e^{2S}}\ge\frac{e^{-2S}}{n},\quad "
            r"S=\frac{\|W_Q\|_2\|W_K\|_2}{\sqrt{d_{qk}}}"),
       uses=["attention-row-stochastic", "assumption-a2"],
       walkthrough=walk.theorem2_lemmas.lemma4,
       idea_paper=("Appendix C.1: post-LN tokens lie on the unit sphere, so by A2 every "
                   "row of X W_Q and X W_K is bounded and every score lies in [-C^2, C^2], "
                   "which gives some eps > 0; the proof asserts the sphere for every t >= "
                   "0, which fails at t = 0 unless X(0) is normalised, and it writes (i, "
                   "j) in E for (j, i)."),
       idea_ours=("For unit tokens Cauchy-Schwarz gives |R_ij| <= S = ||W_Q||_2 ||W_K||_2 "
                  "/ sqrt(d_qk), and A_ij = 1/(1 + sum_(k != j) e^(R_ik - R_ij)) >= 1/(1 + "
                  "(n-1) e^(2S)) >= e^(-2S)/n; off the sphere at t = 0 the same argument "
                  "works with S scaled by max ||X_i(0)||^2. z3 proves the softmax bound "
                  "for every n <= 8 (with E = e^S), a Lagrange sum-of-squares identity "
                  "proves Cauchy-Schwarz for vectors of length <= 4, an exact instance (N "
                  "= d = 2, W_Q = W_K = I, X = [[1, 0], [-1, 0]]) attains the sharp "
                  "constant, and arb certifies the bound along sampled post-LN "
                  "trajectories."))
def lemma4(cfg: Config):
    rng = np.random.default_rng(cfg.seed)
    n, d, T = (5, 5, 12) if cfg.thorough else (4, 4, 6)
    traj = []
    mask_list = [("complete", masks.complete(n)), ("sliding_window", masks.sliding_window(n, 1)),
                 ("causal", masks.causal(n))]
    for _, M in mask_list:
        X0 = L.rational_sphere_points(n, d, rng)
        lays = [(gaussian(d, d, rng, 1.0), gaussian(d, d, rng, 1.0), cayley_orthogonal(d, rng))
                for _ in range(T)]
        for rule in ("paper", "sharp"):
            traj.append(L.check_lemma4(M, X0, lays, T, eps_rule=rule))
    smp = combine("A_ij(t) >= eps_t (paper's and sharp constants) along post-LN trajectories",
                  traj, {"N": n, "d": d, "T": T, "masks": [m for m, _ in mask_list]},
                  scope=sampled(len(mask_list), "X(0) rational points exactly on the sphere, "
                                "Gaussian W_Q, W_K (scale 1), exactly orthogonal rational W_V, "
                                "masks complete / sliding window / causal", cfg.seed))
    parts = [L.lemma4_softmax_z3(8), L.lemma4_score_bound_sos(5 if cfg.thorough else 4),
             L.lemma4_tightness(), smp]
    return combine("Lemma 4: score bound (SOS), softmax bound (z3), sharpness (exact), "
                   "trajectories (certified)", parts,
                   {"proof_gap": "the proof puts X(0) on the sphere; at t = 0 eps depends on "
                                 "||X(0)|| (for t >= 1 tokens are on the sphere); sharp eps "
                                 "1/(1+(n-1)e^{2S}) is our derivation", "seed": cfg.seed})


@claim("lemma-6", "Lemma 6 (Appendix C)",
       "If X(0) has full row rank (N <= d), all tokens lie in a common open hemisphere.",
       assumptions=("(*): N <= d, X(0) full rank",),
       test="tests/test_theory_layernorm.py::test_hemisphere_negative_control",
       notes="Lemma 6: the hemisphere",
       kind="lemma",
       uses=["assumption-full-rank"],
       walkthrough=walk.theorem2_lemmas.lemma6,
       idea_paper=("Appendix C: under (*) the rows of X(0) are linearly independent, so 0 "
                   "is not in their convex hull, and the hyperplane separation theorem (or "
                   "Farkas' lemma) gives v with <X_i(0), v> > 0 for all i."),
       idea_ours=("Constructive: v = X^T (X X^T)^(-1) 1 solves X v = 1, so every <X_i, v> "
                  "= 1 > 0 (normalise v for the hemisphere). SymPy checks X X^T adj(X X^T) "
                  "1 = det(X X^T) 1 for a generic symbolic X of sizes 2x2, 2x3 and 3x3, "
                  "and exact rational instances (2x2 to 4x4) are checked; for "
                  "rank-deficient X a Farkas certificate y >= 0, y != 0, X^T y = 0 shows "
                  "no hemisphere exists (the negative control)."))
def lemma6(cfg: Config):
    import numpy as np
    rng = np.random.default_rng(cfg.seed)
    parts = []
    shapes = ((2, 2), (3, 3), (3, 5), (4, 4))
    for n, d in shapes:
        X = sp.Matrix(n, d, lambda i, j: R(int(rng.integers(-9, 10)), int(rng.integers(1, 6))))
        while X.rank() < n:
            X = sp.Matrix(n, d, lambda i, j: R(int(rng.integers(-9, 10)), 1))
        parts.append(LN.hemisphere(X))
    smp = combine("exact hemisphere vector v = X^T (X X^T)^-1 1 for random rational full-rank "
                  "X", parts, {"seed": cfg.seed},
                  scope=if_all_hold(parts, sampled(
                      len(shapes), f"random rational X of shapes {list(shapes)}: "
                                "entries p/q with p in -9..9, q in 1..5 (numpy default_rng), "
                                "redrawn until full row rank", cfg.seed)))
    sizes = ((2, 2), (2, 3), (3, 3), (3, 4)) if cfg.thorough else ((2, 2), (2, 3), (3, 3))
    uni = [PS.lemma6_symbolic(n, d) for n, d in sizes]
    return combine("Lemma 6: X v = 1 for every full-row-rank X (generic symbolic X at fixed "
                   "sizes), plus exact random instances", uni + [smp],
                   {"symbolic_sizes": [list(s) for s in sizes],
                    "general_N": "the identity is X X^T (X X^T)^-1 = I for any invertible "
                                 "Gram matrix; the fixed sizes check it entrywise"})


@claim("lemma-5", "Lemma 5 (Appendix C)",
       "For tokens on the sphere in an open hemisphere {<x, v> >= gamma}, W_V orthogonal and "
       "A row-stochastic: 1 <= D_ii <= 1/gamma.",
       assumptions=("tokens on S^{d-1}", "W_V orthogonal", "open hemisphere"),
       test="tests/test_theory_layernorm.py::test_lemma5_negative_control",
       notes="Lemma 5: bounds on D",
       kind="lemma",
       uses=["lemma-6"],
       walkthrough=walk.theorem2_lemmas.lemma5,
       idea_paper=("Appendix C: D_ii >= 1 because a convex combination of unit vectors, "
                   "mapped by an orthogonal W_V, has norm <= 1; D_ii <= 1/gamma because "
                   "each row of A(t) X(t) W(t) is a non-negative combination, with weights "
                   "summing to at least 1, of the rows of X(0) W~(t), and the convex hull "
                   "of X(0) stays at distance >= gamma from 0 by Lemma 6's hemisphere."),
       idea_ours=("One-step form: if every token is a unit vector with <x, v> >= gamma, "
                  "then y = sum_j A_ij x_j W_V has ||y|| <= 1 and ||y|| >= <y, v W_V> = "
                  "sum_j A_ij <x_j, v> >= gamma, so 1 <= D_ii <= 1/gamma, and the "
                  "normalised tokens again satisfy <x, v W_V> >= gamma, which carries the "
                  "bound to later layers. SymPy polynomial certificates reduced modulo the "
                  "hypotheses prove it for every input with (N, d) = (2, 2), (3, 2); three "
                  "hand-picked exact instances are checked as well."))
def lemma5(cfg: Config):
    X = sp.Matrix([[1, 0, 0], [R(3, 5), R(4, 5), 0], [R(2, 3), R(1, 3), R(2, 3)]])
    A = sp.Matrix([[1, 0, 0], [R(1, 2), R(1, 2), 0], [R(1, 3), R(1, 3), R(1, 3)]])
    A2 = sp.Matrix([[R(1, 2), R(1, 2), 0], [R(1, 4), R(1, 2), R(1, 4)], [0, R(1, 3), R(2, 3)]])
    W = LN.rational_rotation(3)
    iparts = [LN.lemma5_bounds(X, W, A), LN.lemma5_bounds(X, W, A2),
              LN.lemma5_bounds(X, sp.eye(3), A)]
    inst = combine("Lemma 5 bounds on exact instances (Pythagorean tokens, rational rotation)",
                   iparts, scope=if_all_hold(iparts, sampled(
                       3, "three hand-picked exact instances: Pythagorean unit tokens "
                                    "in R^3, causal and banded row-stochastic A, W_V = a "
                                    "rational rotation or I (not random)", None)))
    sizes = ((2, 2), (3, 2), (2, 3), (3, 3)) if cfg.thorough else ((2, 2), (3, 2))
    uni = PS.lemma5_symbolic(sizes)
    return combine("Lemma 5: certificates for every input at fixed (N, d), plus exact "
                   "instances", [uni, inst])


@claim("lemma-7", "Lemma 7 (Appendix C.1)",
       "G strongly connected with self-loops (A1): for every sequence D(t)A(t) in "
       "M_{G,eps,C1,C2} the partial products P(t) = D(t)A(t)...D(0)A(0) are ergodic: "
       "tau(P(t)) <= theta^floor((t+1)/T), T the diameter, theta = (1-rho)/(1+rho), "
       "rho = (eps C1/C2)^T, so P(t)/S(t) -> 1 for a positive rank-one S(t). (The printed "
       "lemma names no mask hypothesis; it sits inside Theorem 2's proof, where strong "
       "connectivity and A1 hold. In general primitivity is what is needed: a disconnected "
       "mask fails, a 3-cycle with a single self-loop, A1 failing, still works.)",
       assumptions=("A1", "G strongly connected", "D in [C1, C2]", "A_ij >= eps on edges"),
       test=TESTS + "test_lemma7_negative_controls", notes=NOTES,
       erratum=("scope remark", "Printed without a hypothesis on G but inside Theorem 2's proof, where strong connectivity and A1 hold; there it is true. What the conclusion needs is primitivity of the mask, not A1: a 3-cycle with a single self-loop (A1 fails) still gives eventually positive products."),
       kind="lemma",
       uses=["lemma-8", "lemma-9"],
       ours=["lemma-8", "lemma-9", "assumption-a1", "assumption-strong"],
       repair=("The printed lemma states no hypothesis on G; A1 and strong connectivity "
               "suffice (checked exhaustively for N <= 4), and A1 is not necessary: "
               "primitivity is the condition."),
       walkthrough=walk.theorem2_lemmas.lemma7,
       idea_paper=("Appendix C.1: Lemma 9 (A1 and strong connectivity) makes every block "
                   "of T factors entrywise positive with entries in [(eps C1)^T, C2^T], so "
                   "Hartfiel's criterion (Lemma 8) applies to the block products and the "
                   "partial products are ergodic; the lemma itself is printed without a "
                   "hypothesis on G."),
       idea_ours=("With rho = (eps C1/C2)^T the min/max entry ratio of each block, "
                  "Birkhoff's coefficient tau_B (from the smallest cross ratio of P) "
                  "shrinks by theta = (1 - rho)/(1 + rho) per block and a positive "
                  "diagonal D does not change it, giving tau_B(P(t)) <= "
                  "theta^floor((t+1)/T). Checked exhaustively over every mask with "
                  "self-loops on N <= 4 tokens (eventually positive products iff strongly "
                  "connected) and exactly on seeded random sequences on complete, "
                  "sliding-window and directed-ring masks; the general condition is "
                  "primitivity of G (a 3-cycle with one self-loop, A1 failing, still "
                  "works), and a disconnected mask fails."))
def lemma7(cfg: Config):
    length = 16 if cfg.thorough else 10
    runs = [L.check_lemma7(M, seq, *s) for _, M, s, seq in _sequences(cfg, length)]
    smp = combine("quantitative ergodicity on random sequences (exact)", runs,
                  {"length": length}, scope=sampled(len(runs), GEN, cfg.seed))
    enum = L.lemma7_mask_enumeration(4, 4 if cfg.thorough else 3)
    cycle = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 0]], bool)   # 0 <- 2 <- 1 <- 0, loop at 0
    prim = L.eventual_pattern(cycle)
    return combine("Lemma 7: eventual positivity iff strongly connected, with self-loops "
                   "(every mask on N <= 4 tokens); Birkhoff rate on random sequences (exact)",
                   [enum, smp],
                   {"scope_remark": "printed Lemma 7 has no mask hypothesis: it fails for a "
                                    "disconnected mask (witness below); primitivity, not A1, "
                                    "is what the conclusion needs", "seed": cfg.seed,
                    "printed_statement_without_mask_hypothesis":
                        L.lemma7_disconnected_witness().to_json(),
                    "three_cycle_one_self_loop": {
                        "mask": cycle.astype(int).tolist(), "A1": bool(cycle.diagonal().all()),
                        "first_positive_power": prim["first_positive_power"]}})


@claim("lemma-8", "Lemma 8 (Appendix C.1; Hartfiel, Corollary 5.1)",
       "Row-allowable non-negative M(t) with smallest / largest entries a_t <= b_t: "
       "tau(P(t)) <= prod_{s<=t} (1 - a_s/b_s)/(1 + a_s/b_s); hence sum_t a_t/b_t = infinity "
       "makes P(t) = M(t)...M(0) ergodic. The hypothesis cannot be dropped.",
       assumptions=("M(t) non-negative, row allowable",),
       test=TESTS + "test_lemma8_negative_controls", notes=NOTES,
       kind="lemma",
       uses=[],
       idea_paper=("Cited from Hartfiel (Nonhomogeneous Matrix Products, Corollary 5.1) "
                   "without proof; the extraction garbles the series, read here as sum_t "
                   "a_t/b_t = infinity."),
       idea_ours=("For a matrix with entry ratio rho = a/b every cross ratio is >= rho^2, "
                  "so Birkhoff's coefficient satisfies tau_B <= (1 - rho)/(1 + rho); tau_B "
                  "is sub-multiplicative, and prod (1 - x_s) -> 0 when sum x_s = infinity. "
                  "z3 proves the one-matrix bound for every size (a cross ratio involves "
                  "four entries) and, under --thorough, Birkhoff's sub-multiplicativity "
                  "for 2 x 2; the product bound itself is checked exactly on seeded random "
                  "sequences (sampled), and M(t) = [[1, 4^-(t+1)], [4^-(t+1), 1]] (sum a/b "
                  "= 1/3, products never near rank one) shows the divergence hypothesis "
                  "cannot be dropped."))
def lemma8(cfg: Config):
    rng = np.random.default_rng(cfg.seed + 8)
    length = 12 if cfg.thorough else 8
    runs = []
    # positive matrices (complete mask), and the blocks of T = diameter factors from sparse
    # masks: exactly how Theorem 2's proof applies the lemma
    for name, M, (eps, C1, C2), seq in _sequences(cfg, length * 2):
        mats = [D @ A for D, A in seq]
        T = L.eventual_pattern(M)["first_positive_power"]
        blocks = [L.product(mats[k:k + T]) for k in range(0, len(mats) - T + 1, T)]
        runs.append(L.check_lemma8(blocks[:length]))
    for N in (2, 3):
        seq = [L.fmatrix(rng.integers(1, 9, (N, N))) for _ in range(length)]
        runs.append(L.check_lemma8(seq))
    smp = combine("Birkhoff-Hartfiel bound along random sequences (exact)", runs,
                  scope=sampled(len(runs), GEN + "; blocks of T = diameter factors; random "
                                "positive integer matrices N = 2, 3", [cfg.seed, cfg.seed + 8]))
    one = L.lemma8_minor_bound_z3()
    if one.scope is not None:
        one.scope = one.scope.with_role("ingredient")
    smp.scope = smp.scope.with_role("statement")
    parts = [one, smp]
    if cfg.thorough:
        bk = L.lemma8_birkhoff_2x2_z3()
        if bk.scope is not None:
            bk.scope = bk.scope.with_role("ingredient")
        parts.insert(1, bk)
    return combine("Lemma 8: the one-matrix bound proved for every size (z3, an ingredient)"
                   + ("; Birkhoff's contraction for 2x2 (z3)" if cfg.thorough else "")
                   + "; the product bound itself checked on random sequences only (exact)",
                   parts,
                   {"note": "sum a_t/b_t = inf cannot be dropped (witness below)",
                    "seed": cfg.seed,
                    "without_divergence_hypothesis": L.lemma8_summable_witness(20).to_json()})


@claim("lemma-9", "Lemma 9 (Appendix C.1)",
       "A1 and G strongly connected, T = diameter of G: every product of T consecutive "
       "factors D(s)A(s) from M_{G,eps,C1,C2} has all entries in [(eps C1)^T, C2^T]. "
       "(Misprint: the printed P(t+T:t) has T+1 factors, for which the displayed bounds fail; "
       "they hold with exponent T+1, and the lemma's constants are existential, so the lemma "
       "is true. T cannot be smaller than the diameter.)",
       assumptions=("A1", "G strongly connected"),
       test=TESTS + "test_lemma9_negative_controls", notes=NOTES,
       erratum=("misprint", "P(t+T:t) as written has T + 1 factors and the displayed bounds fail for it (exact witness N = 2, A = J/2, D = 3I), but the lemma's constants are existential, so it is true as printed with exponent T + 1 (or with T factors); nothing downstream changes."),
       kind="lemma",
       uses=["definition-centre-radius"],
       ours=["definition-centre-radius", "assumption-a1", "assumption-strong"],
       repair=("T must be at least the diameter (a product of T factors is positive iff "
               "T >= diam), with A1 and strong connectivity; the printed indexing is off "
               "by one."),
       walkthrough=walk.theorem2_lemmas.lemma9,
       idea_paper=("Appendix C.1: asserted from A1 and strong connectivity with T, for "
                   "instance the diameter, and the bounds (eps C1)^T <= P(t+T:t) <= C2^T, "
                   "without further argument; the printed P(t+T:t) has T + 1 factors."),
       idea_ours=("Lower bound: a shortest path from j to i padded with self-loops to "
                  "exactly T steps contributes at least (eps C1)^T; upper bound: each "
                  "factor has row sums <= C2. Exhaustive over every mask with self-loops "
                  "on N <= 4 tokens: a product of k factors is positive iff k >= diameter "
                  "(so the radius does not work); z3 proves the two one-factor steps for N "
                  "<= 4 and induction finishes; exact windows on seeded random sequences, "
                  "and the witness N = 2, A = J/2, D = 3I (entries 9/2 > C2^T = 3 for T + "
                  "1 factors) shows the printed indexing fails while exponent T + 1 or T "
                  "factors hold."))
def lemma9(cfg: Config):
    length = 16 if cfg.thorough else 10
    runs = [L.check_lemma9(M, seq, *s) for _, M, s, seq in _sequences(cfg, length)]
    smp = combine("window bounds on random sequences (exact)", runs, {"length": length},
                  scope=sampled(len(runs), GEN, cfg.seed))
    parts = [L.lemma9_mask_enumeration(4), L.lemma9_step_z3(5 if cfg.thorough else 4), smp]
    return combine("Lemma 9: positivity after diameter-many factors (exhaustive N <= 4), "
                   "one-factor steps (z3), windows on random sequences (exact)", parts,
                   {"repair": "printed P(t+T:t) has T+1 factors: bounds fail (witness "
                              "below); hold for T factors", "seed": cfg.seed,
                    "printed_statement_T_plus_1_factors":
                        L.lemma9_paper_indexing_witness().to_json()})


@claim("lemma-10", "Lemma 10 (Appendix C.1)",
       "If P(t) = u(t) v(t)^T + E(t) with u, v positive, ||v||_2 = 1 and P/(u v^T) -> 1 "
       "(Lemma 7), then E_ij/u_i -> 0; quantitatively |E_ij|/u_i = v_j |P_ij/S_ij - 1| <= "
       "max|P/S - 1|.",
       assumptions=("as Lemma 7",), test=TESTS + "test_lemma10_negative_controls", notes=NOTES,
       kind="lemma",
       uses=["lemma-7"],
       idea_paper=("Appendix C.1: from the ergodicity of Lemma 7, E_ij/(u_i v_j) = "
                   "P_ij/S_ij - 1 -> 0, and |v_j| <= ||v||_2 = 1 gives |E_ij/u_i| <= "
                   "|E_ij/(u_i v_j)| -> 0."),
       idea_ours=("The exact identity |E_ij|/u_i = v_j |P_ij/S_ij - 1| (SymPy) and v_j <= "
                  "||v||_2 = 1 give |E_ij|/u_i <= max |P/S - 1|, a quantitative form; the "
                  "bound is certified in arb (||v|| is irrational) along seeded random "
                  "sequences, and masks whose products keep zeros (disconnected, or the "
                  "swap without self-loops) fail, as they must."))
def lemma10(cfg: Config):
    length = 14 if cfg.thorough else 8
    runs = [L.check_lemma10(M, seq, *s, every=1 if cfg.thorough else 2)
            for _, M, s, seq in _sequences(cfg, length)]
    smp = combine("|E_ij|/u_i <= max|P/S - 1| on random sequences (certified)", runs,
                  {"length": length}, scope=sampled(len(runs), GEN, cfg.seed))
    return combine("Lemma 10: identity (SymPy), bound along random sequences (certified)",
                   [L.lemma10_identity(), smp], {"seed": cfg.seed})
