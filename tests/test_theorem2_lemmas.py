"""Lemmas 4, 7, 8, 9, 10 (Appendix C): positive checks, negative controls, and every
reported number compared with an independent computation (SymPy products, brute-force
cross ratios, mpmath / numpy attention weights)."""
import itertools
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import sympy

from numeric import masks
from numeric.errors import AssumptionError
from numeric.weights import cayley_orthogonal, gaussian
from theory import graphs
from theory import theorem2_lemmas as L


def _num(s):
    """A number reported by a check: exact rational, or '~x (exact rational, ...)'."""
    return float(s[1:].split()[0]) if s.startswith("~") else F(s)


def _close(reported, exact):
    if isinstance(reported, F):
        return reported == exact
    return abs(reported - float(exact)) <= 1e-10 * max(1.0, abs(float(exact)))


def _sympy_product(mats):
    P = sympy.Matrix(mats[0].tolist())
    for M in mats[1:]:
        P = sympy.Matrix(M.tolist()) * P
    return P


def _phi_brute(P):
    n, m = P.shape
    if any(P[i, j] <= 0 for i in range(n) for j in range(m)):
        return sympy.Integer(0)
    return min(P[i, k] * P[j, l] / (P[i, l] * P[j, k])
               for i, j, k, l in itertools.product(range(n), range(n), range(m), range(m)))


def _seq(M, n, eps=F(1, 8), C1=F(1), C2=F(2), seed=0):
    return L.random_sequence(M, n, eps, C1, C2, np.random.default_rng(seed))


# ---------------------------------------------------------------- Lemma 4

def _lemma4_instance(seed=1, n=4, d=3, T=4):
    rng = np.random.default_rng(seed)
    X0 = L.rational_sphere_points(n, d, rng)
    lays = [(gaussian(d, d, rng, 1.0), gaussian(d, d, rng, 1.0), cayley_orthogonal(d, rng))
            for _ in range(T)]
    return X0, lays


def test_lemma4_holds_universal_and_sampled():
    assert L.lemma4_softmax_z3(6).status == "holds"
    sos = L.lemma4_score_bound_sos(3)
    assert sos.status == "holds" and sos.scope.kind == "universal"
    X0, lays = _lemma4_instance()
    for M in (masks.complete(4), masks.sliding_window(4, 1), masks.causal(4)):
        for rule in ("paper", "sharp"):
            assert L.check_lemma4(M, X0, lays, 4, eps_rule=rule).status == "holds"
    tight = L.lemma4_tightness()
    assert tight.status == "holds" and tight.scope.kind == "witness"


def test_lemma4_numbers_match_independent_computation():
    X0, lays = _lemma4_instance(seed=2)
    M = masks.sliding_window(4, 1)
    ev = L.check_lemma4(M, X0, lays, 4)
    # eps_0 from mpmath with the TRUE spectral norms is >= the reported eps (the check uses
    # rigorous upper bounds of the norms), and not far below it
    WQ, WK = lays[0][0], lays[0][1]
    S = np.linalg.norm(WQ, 2) * np.linalg.norm(WK, 2) / np.sqrt(3)
    eps_mp = mpmath.exp(-2 * mpmath.mpf(S)) / 3
    eps_ball = mpmath.mpf(ev.details["eps_0"].strip("[]").split("+/-")[0])
    assert eps_ball <= eps_mp * (1 + 1e-12) and eps_ball > eps_mp / 50
    # the smallest weight / eps: recompute the float64 trajectory with plain numpy softmax
    from numeric.dynamics import simulate
    X0f = np.array(X0, dtype=float)
    tr = simulate(X0f, M, [(a, b, np.array(c, dtype=float)) for a, b, c in lays], 4,
                  mode="post-ln")
    t, i, j = ev.details["smallest_at_t_i_j"]
    X = tr.X[t]
    R = X @ lays[t][0] @ (X @ lays[t][1]).T / np.sqrt(3)
    row = np.where(M[i], np.exp(R[i] - R[i][M[i]].max()), 0.0)
    a_ij = row[j] / row.sum()
    Wq, Wk = lays[t][0], lays[t][1]
    ratio = float(ev.details["smallest_weight_over_eps"].strip("[]").split("+/-")[0])
    from numeric.precision import get_backend
    from theory.bounds import norm2_upper
    be = get_backend("arb:30")
    with be.context():
        eps_t = (-2 * norm2_upper(Wq, be) * norm2_upper(Wk, be) /
                 be.sqrt(np.array([be.scalar(3)], dtype=object))[0]).exp() / 3
        assert abs(a_ij / float(eps_t.mid()) - ratio) < 1e-9 * ratio


def test_lemma4_negative_controls():
    W, Z = np.eye(2), masks.complete(2)
    # tokens off the sphere: the weight at t = 0 drops below eps (certified), with witness
    ev = L.check_lemma4(Z, np.array([[2, 0], [-2, 0]]), (W, W, np.eye(2), 1), 1)
    assert ev.status == "fails" and ev.scope.kind == "witness"
    w = ev.witness
    # rerun the witness independently (mpmath, 40 digits)
    with mpmath.workdps(40):
        X = mpmath.matrix([[mpmath.mpf(v) for v in r] for r in w["X0"]])
        r01 = (X[0, 0] * X[1, 0] + X[0, 1] * X[1, 1])
        r00 = X[0, 0] ** 2 + X[0, 1] ** 2
        a01 = mpmath.exp(r01) / (mpmath.exp(r00) + mpmath.exp(r01))
        assert a01 < mpmath.exp(-2) / 2
        assert mpmath.almosteq(a01, mpmath.mpf(w["A_ij"].strip("[]").split("+/-")[0]), 1e-25)
    # the same tokens on the sphere satisfy the lemma
    on = np.array([[1, 0], [-1, 0]])
    assert L.check_lemma4(Z, on, (W, W, np.eye(2), 1), 1).status == "holds"
    # a wrong constant (exp(-S)/n, the factor 2 dropped) is refuted
    assert L.check_lemma4(Z, on, (W, W, np.eye(2), 1), 1, eps_rule="no-factor-2").status == "fails"
    # the sharp constant is attained there: undecided at every precision -> open, never holds
    ev = L.check_lemma4(Z, on, (W, W, np.eye(2), 1), 1, eps_rule="sharp", cap=120)
    assert ev.status == "open" and ev.details["digits_tried"] == [30, 60, 120]
    # a mask with an empty row has no attention weights
    with pytest.raises(AssumptionError):
        L.check_lemma4(np.zeros((2, 2), dtype=bool), on, (W, W, np.eye(2), 1), 1)


# ---------------------------------------------------------------- Lemma 9

def test_lemma9_holds_universal_and_sampled():
    assert L.lemma9_mask_enumeration(3).status == "holds"
    assert L.lemma9_step_z3(3).status == "holds"
    for M in (masks.complete(3), masks.sliding_window(4, 1)):
        for s in ((F(1, 8), F(1), F(2)), (F(1, 10), F(1, 2), F(3))):
            assert L.check_lemma9(M, _seq(M, 8, *s), *s).status == "holds"


def test_lemma9_numbers_match_sympy_products():
    M = masks.sliding_window(4, 1)
    seq = _seq(M, 7, seed=3)
    ev = L.check_lemma9(M, seq, F(1, 8), F(1), F(2))
    T = int(graphs.diameter(M))
    assert ev.details["T"] == T == 3
    mats = [D @ A for D, A in seq]
    entries = []
    for t in range(len(mats) - T + 1):
        P = _sympy_product(mats[t:t + T])
        entries += list(P)
    assert _close(_num(ev.details["smallest_entry"]), min(entries))
    assert _close(_num(ev.details["largest_entry"]), max(entries))
    assert F(ev.details["lower_bound"]) == F(1, 8) ** 3 and F(ev.details["upper_bound"]) == 8


def test_lemma9_negative_controls():
    M = masks.sliding_window(5, 1)              # radius 2 < diameter 4
    seq = _seq(M, 8)
    ev = L.check_lemma9(M, seq, F(1, 8), F(1), F(2), T=int(graphs.radius(M)))
    assert ev.status == "fails" and F(ev.witness["entry"]) == 0
    # rerun: the window product really has that zero
    w = ev.witness
    mats = [D @ A for D, A in seq][w["t"]:w["t"] + w["T"]]
    assert _sympy_product(mats)[w["i"], w["j"]] == 0
    # the printed indexing (T+1 factors) fails; the entries are recomputed by SymPy
    pw = L.lemma9_paper_indexing_witness()
    assert pw.status == "fails" and pw.details["same_instance_with_T_factors"] == "holds"
    A = sympy.Matrix([[F(1, 2), F(1, 2)]] * 2)
    assert ((3 * A) ** 2)[0, 0] == sympy.Rational(9, 2) > 3
    assert ((A / 2) ** 2)[0, 0] == sympy.Rational(1, 8) < sympy.Rational(1, 4)
    # a disconnected mask has no diameter; a factor outside the set is refused
    Md = np.eye(3, dtype=bool)
    with pytest.raises(AssumptionError, match="strong"):
        L.check_lemma9(Md, _seq(Md, 3), F(1, 8), F(1), F(2))
    D, A = seq[0]
    with pytest.raises(AssumptionError, match="C1 <= D <= C2"):
        L.check_lemma9(M, [(D * 3, A)] + seq[1:], F(1, 8), F(1), F(2))
    # without self-loops the enumeration records a strongly connected mask whose
    # diameter-length products are not positive
    assert L.lemma9_mask_enumeration(2).details["without_self_loops_witness"] is not None


def test_mask_enumeration_agrees_with_theory_graphs():
    for M, sc, diam, first in L._mask_facts(3, True):
        assert sc == graphs.is_strongly_connected(M)
        if sc:
            assert diam == graphs.diameter(M)


# ---------------------------------------------------------------- Lemma 7

def test_lemma7_holds():
    assert L.lemma7_mask_enumeration(3, 3).status == "holds"
    for M in (masks.complete(3), masks.sliding_window(4, 1)):
        ev = L.check_lemma7(M, _seq(M, 9), F(1, 8), F(1), F(2))
        assert ev.status == "holds" and ev.details["blocks"] >= 2


def test_lemma7_numbers_match_brute_force():
    M = masks.sliding_window(3, 1)
    seq = _seq(M, 6, seed=5)
    ev = L.check_lemma7(M, seq, F(1, 8), F(1), F(2))
    T = ev.details["T_first_positive_power"]
    assert T == graphs.diameter(M) == 2
    assert F(ev.details["rho_a_priori"]) == (F(1, 8) * 1 / 2) ** 2
    mats = [D @ A for D, A in seq]
    Theta = F(1)
    for k in range(len(mats) // T):
        B = _sympy_product(mats[k * T:(k + 1) * T])
        rho = min(B) / max(B)
        Theta *= (1 - rho) / (1 + rho)
    assert _close(_num(ev.details["Theta_last"]), Theta)
    for t, dev, bound in ev.details["dev_at_block_ends_[t, max|P/S-1|, bound]"]:
        P = _sympy_product(mats[:t + 1])
        S = sympy.Matrix(3, 3, lambda i, j: P[i, 0] * P[0, j] / P[0, 0])
        dev_b = max(abs(P[i, j] / S[i, j] - 1) for i in range(3) for j in range(3))
        assert _close(_num(dev), dev_b)
        assert dev_b <= 1 / _phi_brute(P) - 1
        assert float(dev_b) <= float(_num(bound)) * (1 + 1e-12)


def test_lemma7_negative_controls():
    ev = L.lemma7_disconnected_witness()
    assert ev.status == "fails" and ev.scope.kind == "witness"
    assert ev.witness["P_ij_exact_at_first_t"] == "0"
    ev = L.lemma7_no_self_loop_witness()
    assert ev.status == "fails" and ev.witness["recurs_with_period"] == 2
    # rerun: products of the swap pattern alternate and keep zeros (SymPy)
    M = np.array([[False, True], [True, False]])
    mats = [D @ A for D, A in _seq(M, 5, eps=F(1))]
    for t in range(5):
        P = _sympy_product(mats[:t + 1])
        assert any(v == 0 for v in P)
    # a causal mask (quasi- but not strongly connected) is not ergodic in Definition 8's sense
    assert L.check_lemma7(masks.causal(3), _seq(masks.causal(3), 4), F(1, 8), F(1),
                          F(2)).status == "fails"
    # eps above the true weights is refused (not in the set)
    with pytest.raises(AssumptionError, match="eps"):
        L.check_lemma7(masks.complete(3), _seq(masks.complete(3), 3), F(1, 2), F(1), F(2))


# ---------------------------------------------------------------- Lemma 8

def test_lemma8_holds():
    assert L.lemma8_minor_bound_z3().status == "holds"
    rng = np.random.default_rng(0)
    seq = [L.fmatrix(rng.integers(1, 9, (3, 3))) for _ in range(6)]
    assert L.check_lemma8(seq).status == "holds"
    ev = L.lemma8_birkhoff_2x2_z3()
    assert ev.status == "holds" and "query" in ev.details["z3"][0]


def test_lemma8_numbers_match_brute_force():
    rng = np.random.default_rng(4)
    seq = [L.fmatrix(rng.integers(1, 6, (3, 3))) for _ in range(4)]
    ev = L.check_lemma8(seq)
    rhos = [F(min(m.ravel()), max(m.ravel())) for m in seq]
    assert _close(_num(ev.details["sum_a_over_b"]), sum(rhos))
    Theta = F(1)
    for r in rhos:
        Theta *= (1 - r) / (1 + r)
    assert _close(_num(ev.details["Theta_T"]), Theta)
    P = _sympy_product(seq)
    assert _close(_num(ev.details["max_P_over_S_minus_1_at_T"]), 1 / _phi_brute(P) - 1)
    assert _phi_brute(P) >= ((1 - Theta) / (1 + Theta)) ** 2


def test_lemma8_negative_controls():
    # a wrong contraction constant (Birkhoff's factor squared) is refuted on one matrix
    B = L.fmatrix([[2, 1], [1, 2]])
    ev = L.check_lemma8([B], contraction=lambda r: ((1 - r) / (1 + r)) ** 2)
    assert ev.status == "fails" and F(ev.witness["phi_P_t"]) == F(1, 4)
    # the hypothesis sum a_t/b_t = infinity cannot be dropped
    ev = L.lemma8_summable_witness(30)
    assert ev.status == "fails" and ev.details["closed_form_induction_step"]
    # independent: the exact products' phi stays <= (5/13)^2
    P = sympy.eye(2)
    for t in range(30):
        d = sympy.Rational(1, 4 ** (t + 1))
        P = sympy.Matrix([[1, d], [d, 1]]) * P
        assert _phi_brute(P) <= sympy.Rational(25, 169)
    # sparse single factors: a_t = 0, the criterion is silent (Theta stays 1)
    M = masks.sliding_window(4, 1)
    ev = L.check_lemma8([D @ A for D, A in _seq(M, 5)])
    assert ev.status == "holds" and ev.details["Theta_T"] == "1"
    # a zero row is not row allowable
    with pytest.raises(AssumptionError, match="row allowable"):
        L.check_lemma8([L.fmatrix([[1, 1], [0, 0]])])


# ---------------------------------------------------------------- Lemma 10

def test_lemma10_holds():
    assert L.lemma10_identity().status == "holds"
    for M in (masks.complete(3), masks.sliding_window(4, 1)):
        ev = L.check_lemma10(M, _seq(M, 8), F(1, 8), F(1), F(2))
        assert ev.status == "holds" and ev.level == "certified"


def test_lemma10_numbers_match_mpmath():
    M = masks.complete(3)
    seq = _seq(M, 5, seed=7)
    ev = L.check_lemma10(M, seq, F(1, 8), F(1), F(2))
    P = _sympy_product([D @ A for D, A in seq])
    with mpmath.workdps(50):
        Pm = [[mpmath.mpf(sympy.Rational(P[i, j]).p) / sympy.Rational(P[i, j]).q
               for j in range(3)] for i in range(3)]
        w = [Pm[0][j] / Pm[0][0] for j in range(3)]
        nw = mpmath.sqrt(sum(x * x for x in w))
        v = [x / nw for x in w]
        u = [Pm[i][0] * nw for i in range(3)]
        worst = max(abs(Pm[i][j] - u[i] * v[j]) / u[i] for i in range(3) for j in range(3))
    mid, rad = ev.details["max_E_over_u_last"].strip("[]").split("+/-")
    assert abs(worst - mpmath.mpf(mid)) <= mpmath.mpf(rad) + mpmath.mpf(10) ** -40
    S = sympy.Matrix(3, 3, lambda i, j: P[i, 0] * P[0, j] / P[0, 0])
    delta = max(abs(P[i, j] / S[i, j] - 1) for i in range(3) for j in range(3))
    assert _close(_num(ev.details["delta_last"]), delta)
    assert worst <= float(delta)


def test_lemma10_negative_controls():
    Md = np.zeros((4, 4), dtype=bool)
    Md[:2, :2] = Md[2:, 2:] = True
    ev = L.check_lemma10(Md, _seq(Md, 4), F(1, 8), F(1), F(2))
    assert ev.status == "fails" and ev.scope.kind == "witness"
    zp = np.array(ev.witness["zero_pattern"])
    assert zp.any(axis=0).all()          # every column has a zero: max |E/u| >= 1/sqrt(N)
    # the swap mask without self-loops: zeros in every column at every t
    Ms = np.array([[False, True], [True, False]])
    assert L.check_lemma10(Ms, _seq(Ms, 4, eps=F(1)), F(1), F(1), F(2)).status == "fails"


# ---------------------------------------------------------------- registry

def test_claims_run_and_carry_scopes():
    from rankcollapse.claims import REGISTRY, Config, load, run
    load()
    for cid in ("lemma-4", "lemma-7", "lemma-8", "lemma-9", "lemma-10"):
        out = run(REGISTRY[cid], Config(seed=0))
        assert out["status"] == "holds", (cid, out["evidence"])
        assert out["scope"] is not None and out["scope"]["kind"] == "mixed"


# ---------------------------------------------------------------- round 3 (mutation)

def test_random_member_grid():
    """Default grid K = 6: D_ii = C1 + (C2 - C1) k/6, k = 0..6, and on a 2-neighbour row
    A_ij = eps + slack * a/(a + b) with integer weights a, b in 0..6 (both 0 -> 1/2); over
    many seeded draws every grid value occurs and nothing else does."""
    rng = np.random.default_rng(11)
    C1, C2, eps = F(1, 2), F(3, 2), F(1, 8)
    slack = 1 - 2 * eps
    ds, ratios = set(), set()
    for _ in range(600):
        D, A = L.random_member(masks.complete(2), eps, C1, C2, rng)
        for i in range(2):
            ds.add((D[i, i] - C1) / (C2 - C1))
            ratios.add((A[i, 0] - eps) / slack)
            assert A[i, 0] + A[i, 1] == 1 and D[i, 1 - i] == 0
    assert ds == {F(k, 6) for k in range(7)}
    assert ratios == {F(a, a + b) if a + b else F(1, 2) for a in range(7) for b in range(7)}
    # eps |N_i| = 1 exactly is allowed (slack 0: every weight equals eps)
    D, A = L.random_member(masks.complete(3), F(1, 3), F(1), F(1), rng)
    assert all(v == F(1, 3) for v in A.ravel())
    with pytest.raises(AssumptionError, match="eps"):
        L.random_member(masks.complete(3), F(1, 3) + F(1, 1000), F(1), F(1), rng)


def test_phi_and_dev_bounds_by_hand():
    """tau <= Theta <=> phi >= ((1 - Theta)/(1 + Theta))^2; the allowed 1/phi - 1."""
    assert L._phi_bound(F(1, 3)) == F(1, 4)          # ((2/3)/(4/3))^2
    assert L._phi_bound(F(1, 2)) == F(1, 9)          # ((1/2)/(3/2))^2
    assert L._phi_bound(F(0)) == 1 and L._phi_bound(F(1)) == 0
    assert L._dev_bound(F(1, 3)) == 3                 # 4 - 1
    assert L._dev_bound(F(1, 2)) == 8                 # 9 - 1
    assert L._dev_bound(F(0)) == 0 and L._dev_bound(F(1)) is None
    # Birkhoff: tau(P) = (1 - sqrt(phi))/(1 + sqrt(phi)); P = [[1, 4], [1, 1]] has
    # phi = 1/4, tau = 1/3: exactly on the bound
    P = L.fmatrix([[1, 4], [1, 1]])
    assert L.cross_ratio_min(P) == F(1, 4) == L._phi_bound(F(1, 3))


def test_lemma7_enumeration_counts():
    """Labelled digraphs on N nodes: 2^(N(N-1)) masks; strongly connected ones: 1, 1, 18,
    1606 for N = 1..4 (OEIS A003030).  With self-loops strongly connected = eventually
    positive.  Without self-loops (N = 3) the 18 strongly connected masks lose the two
    directed 3-cycles (period 3) and the three undirected paths i - j - k (period 2): 13;
    N = 2: only the swap, period 2: 0; N = 1: the empty 1 x 1 mask is 'strongly
    connected' (one node) but never positive."""
    c = L.lemma7_mask_enumeration().details["counts"]
    exp = {(1, True): (1, 1, 1), (1, False): (1, 1, 0), (2, True): (4, 1, 1),
           (2, False): (4, 1, 0), (3, True): (64, 18, 18), (3, False): (64, 18, 13),
           (4, True): (4096, 1606, 1606)}
    assert set(c) == {f"N={n},self_loops={s}" for n, s in exp}
    for (n, s), (m, sc, pos) in exp.items():
        row = c[f"N={n},self_loops={s}"]
        assert (row["masks"], row["strongly_connected"], row["eventually_positive"]) == \
            (m, sc, pos), (n, s)


def test_lemma7_reports_the_last_three_block_ends():
    """Deviations are listed at block ends t = T-1, 2T-1, ... and only the last three are
    kept: T = 1 on complete(3) over 9 steps gives t = 6, 7, 8; T = 2 on sliding_window(3, 1)
    gives block ends 1, 3, 5, 7 and keeps 3, 5, 7."""
    for M, exp, T in ((masks.complete(3), [6, 7, 8], 1), (masks.sliding_window(3, 1),
                                                          [3, 5, 7], 2)):
        ev = L.check_lemma7(M, _seq(M, 9), F(1, 8), F(1), F(2))
        assert ev.details["T_first_positive_power"] == T
        assert ev.details["blocks"] == 9 // T
        assert [r[0] for r in ev.details["dev_at_block_ends_[t, max|P/S-1|, bound]"]] == exp
        assert ev.details["times_checked"] == 9 - (T - 1)


def test_lemma7_witness_times_by_hand():
    """P(t) has t + 1 factors.  Swap mask: M^(t+1) is anti-diagonal for t + 1 odd, so
    P_00(t) = 0 at t = 0, 2, 4, 6.  Two disconnected blocks: P_02(t) = 0 at every t."""
    ev = L.lemma7_no_self_loop_witness()
    w = ev.witness
    assert w["zero_entry"] == [0, 0] and w["zero_at_t"] == [0, 2, 4, 6]
    assert w["recurs_with_period"] == 2 and w["P_ij_exact_at_first_t"] == "0"
    ev = L.lemma7_disconnected_witness()
    assert ev.witness["zero_entry"] == [0, 2] and ev.witness["zero_at_t"] == [0, 1, 2, 3]
    assert ev.witness["recurs_with_period"] == 1


def test_lemma9_enumeration_counts():
    """Masks with self-loops: 2^(N(N-1)) of them, strongly connected 1, 1, 18, 1606 for
    N = 1..4 (OEIS A003030); without self-loops the swap mask on N = 2 (diameter 1) is
    never positive."""
    ev = L.lemma9_mask_enumeration()
    assert ev.status == "holds"
    assert ev.details["counts"] == {1: {"masks": 1, "strongly_connected": 1},
                                    2: {"masks": 4, "strongly_connected": 1},
                                    3: {"masks": 64, "strongly_connected": 18},
                                    4: {"masks": 4096, "strongly_connected": 1606}}
    assert ev.details["without_self_loops_witness"] == {
        "mask": [[0, 1], [1, 0]], "diameter": 1, "first_positive_power": None}


def test_lemma8_z3_queries_state_the_inequalities_and_defaults():
    """The reported queries encode the stated inequalities: each negated conclusion is TRUE
    at a point that violates the hypotheses (so unsat comes from the hypotheses, not from
    an empty negation).  Cross ratio: p = t = 1, q = r = 2, a = b = 1: 1 < 4.  tau
    monotone: x1 = 1/4 < x2 = 1/2: (3/4)(3/2) = 9/8 > (1/2)(5/4) = 5/8.  The default budget
    (5000 ms) is the one reported."""
    import z3
    ev = L.lemma8_minor_bound_z3()
    assert ev.status == "holds"
    runs = ev.details["z3"]
    assert [r["timeout_ms"] for r in runs] == [5000, 5000]
    points = [{"p": 1, "t": 1, "q": 2, "r": 2, "a": 1, "b": 1}, {"x1": F(1, 4), "x2": F(1, 2)}]
    for run, pt in zip(runs, points):
        s = z3.Solver()
        s.from_string(run["query"])
        neg = s.assertions()[-1]
        sub = [(z3.Real(k), z3.RealVal(v)) for k, v in pt.items()]
        assert z3.is_true(z3.simplify(z3.substitute(neg, *sub)))


def test_lemma8_summable_witness_default_horizon():
    """Default horizon T = 40 products.  Closed form: P(t) = (1/2)[[a + b, a - b], [a - b,
    a + b]] with a = prod_(s<=t) (1 + 4^-(s+1)), b = prod (1 - 4^-(s+1)), phi(P(t)) =
    ((a - b)/(a + b))^2, increasing in t (1/16 at t = 0), so the largest phi seen is the
    one at t = 39; all below (5/13)^2."""
    ev = L.lemma8_summable_witness()
    assert ev.status == "fails" and ev.details["T"] == 40
    assert ev.details["phi_upper_bound_all_t"] == str(F(25, 169))
    a = b = F(1)
    for s in range(40):
        a, b = a * (1 + F(1, 4 ** (s + 1))), b * (1 - F(1, 4 ** (s + 1)))
    phi39 = ((a - b) / (a + b)) ** 2
    assert F(1, 16) < phi39 < F(25, 169)
    assert _close(_num(ev.details["largest_phi_seen_t_lt_T"]), phi39)


def test_lemma4_defaults_and_sizes_checked():
    """lemma4_score_bound_sos checks d = 1..5 by default; lemma4_softmax_z3(6) one query
    per n = 1..6; the paper's constant at S = 1, n = 2 is e^-2 / 2."""
    sos = L.lemma4_score_bound_sos()
    assert sos.details["d_checked"] == [1, 2, 3, 4, 5] and "<= 5" in sos.scope.domain
    ev = L.lemma4_softmax_z3(6)
    assert ev.status == "holds" and [r["n"] for r in ev.details["z3"]] == [1, 2, 3, 4, 5, 6]
    tight = L.lemma4_tightness()
    assert sympy.simplify(sympy.sympify(tight.details["paper_eps"]) - sympy.exp(-2) / 2) == 0
    assert sympy.simplify(sympy.sympify(tight.details["sharp_eps"]) -
                          1 / (1 + sympy.exp(2))) == 0


def test_lemma4_sharp_constant_undecided_list_is_capped():
    """X = (e_1, -e_1), W_Q = W_K = W_V = I, complete(2): post-LN keeps the tokens where
    they are ((a_00 - a_01) e_1 normalises to e_1), so at every layer the off-diagonal
    weights equal the sharp constant 1/(1 + e^2) exactly: two undecided comparisons per
    layer, 12 over T = 6, of which the first ten are listed."""
    W, on = np.eye(2), np.array([[1, 0], [-1, 0]])
    ev = L.check_lemma4(masks.complete(2), on, (W, W, np.eye(2), 1), 6, eps_rule="sharp",
                        cap=60)
    assert ev.status == "open"
    assert ev.details["undecided"] == [[t, i, 1 - i] for t in range(5) for i in (0, 1)]
    assert ev.details["weights_checked"] == 4 * 6
