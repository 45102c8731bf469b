import numpy as np
import pytest

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import AssumptionError
from numeric.weights import cayley_orthogonal, gaussian, sphere_points
from theory.theorem2 import phi_recursion
import math
from fractions import Fraction
import flint
import sympy
from numeric.precision import get_backend
from theory import theorem2 as T2
from .independent import bfs_eccentricities


def _layers(rng, d, T, scale=0.5):
    return [(gaussian(d, d, rng, scale), gaussian(d, d, rng, scale), cayley_orthogonal(d, rng))
            for _ in range(T)]


def test_theorem2_holds_and_t0_reported():
    rng = np.random.default_rng(3)
    X0 = sphere_points((4, 4), rng)
    lays = _layers(rng, 4, 20)
    ev = phi_recursion(masks.complete(4), X0, lays[:5], 5)
    assert ev.status == "holds" and ev.details["n_centres"] == 4
    assert ev.details["t0_first_phi_nonneg"] is not None
    # the complete mask collapses doubly exponentially: by t = 20, 1 - phi is far below
    # any precision, so the comparisons stay undecided up to the cap: open, never holds
    long = phi_recursion(masks.complete(4), X0, lays, 20, cap=240)
    assert long.status == "open" and long.details["digits_tried"] == [60, 120, 240]
    assert "cap of 240 digits" in long.details["open_reason"]


def test_theorem2_negative_controls():
    rng = np.random.default_rng(4)
    X0 = sphere_points((3, 3), rng)
    d = 3
    # non-orthogonal W_V: the assumption is named
    bad = [(np.zeros((d, d)), np.zeros((d, d)), np.eye(d) * 2 + np.triu(np.ones((d, d)), 1))]
    with pytest.raises(AssumptionError, match="W_V orthogonal"):
        phi_recursion(masks.complete(3), X0, bad, 5)
    # a float64 "orthogonal" matrix is orthogonal only to ~1e-16: refused in arb
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    with pytest.raises(AssumptionError, match="orthogonal"):
        phi_recursion(masks.complete(3), X0, [(np.zeros((d, d)),) * 2 + (Q,)], 3)
    # a mask without centre
    with pytest.raises(AssumptionError, match="centre"):
        phi_recursion(masks.block_local(3, 1), X0, _layers(rng, d, 3), 3)
    # an eps larger than the truth: the recursion's promise is broken, with witness
    Xp = np.abs(X0)
    ev = phi_recursion(masks.causal(3), Xp, _layers(rng, d, 10), 10, n_centres=1,
                       eps_override=0.9)
    assert ev.status == "fails" and "t" in ev.witness


def test_appendix_e_value_matrix_breaks_collapse():
    """Negative control for the whole theorem: with the non-orthogonal W_V of Appendix E
    the tokens do not meet (mu stays away from 0), and the recursion check fails."""
    w = 2.0
    W = np.array([[1.0, w], [0.0, 1.0]])
    Z = np.zeros((2, 2))
    X0 = np.array([[0.6, 0.8], [np.cos(3.3), np.sin(3.3)]])  # token 2 in the basin of B
    tr = simulate(X0, masks.causal(2), (Z, Z, W), 300, mode="post-ln")
    assert tr.mu()[-1] > 0.5
    ev = phi_recursion(masks.causal(2), X0, (Z, Z, W), 40, require_orthogonal=False)
    assert ev.status in ("fails", "open")


def test_corollary1_negative_controls():
    rng = np.random.default_rng(5)
    X0 = np.abs(sphere_points((4, 3), rng))
    ev = phi_recursion(masks.causal(4), X0, _layers(rng, 3, 20), 20, n_centres=1)
    assert ev.status == "holds" and ev.details["t0_first_phi_nonneg"] == 0
    # inputs with a negative cosine break Corollary 1's hypothesis: named, not ignored
    Xneg = X0.copy()
    Xneg[1] = -Xneg[0]
    Xneg[1, 0] += 0.1
    with pytest.raises(AssumptionError, match=r"phi\(0\) >= 0"):
        phi_recursion(masks.causal(4), Xneg, _layers(rng, 3, 5), 5, require_phi0_nonneg=True)
    # claiming N centres on the causal mask (it has one) over-promises: caught
    ev_bad = phi_recursion(masks.causal(4), X0, _layers(rng, 3, 20), 20, n_centres=4,
                           eps_override=0.45)
    assert ev_bad.status == "fails"


def test_pre_ln_recursion():
    rng = np.random.default_rng(6)
    X0 = np.abs(sphere_points((4, 3), rng))
    ev = phi_recursion(masks.causal(4), X0, _layers(rng, 3, 20), 20, mode="pre-ln")
    assert ev.status == "holds"


def test_centre_count_witness():
    """Counting every centre (the paper's N / n) is refuted on a 3-token window; counting
    only centres of eccentricity <= r repairs it."""
    from theory.theorem2 import centre_count_witness, centres_within_radius
    ev = centre_count_witness()
    assert ev.status == "fails" and ev.witness["t"] == 0
    assert ev.details["with_n_r_centres"] == "holds"
    assert centres_within_radius(masks.sliding_window(3, 1)) == [1]
    assert centres_within_radius(masks.complete(4)) == [0, 1, 2, 3]
    assert centres_within_radius(masks.global_window(6, 1)) == [0]


# ---------------------------------------------------------------- pinned by mutation testing
# (theory.theorem2 against independent float64 / brute-force computations (mutation-testing)

def _num(s) -> float:
    """A reported number: a float, or a ball printed as text."""
    return float(s) if isinstance(s, (int, float)) else float(flint.arb(s).mid())


def _gram_min(X):
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    return float((X @ X.T).min())


def _layers_pinned(rng, d, T, scale=0.5):
    return [(gaussian(d, d, rng, scale), gaussian(d, d, rng, scale), cayley_orthogonal(d, rng))
            for _ in range(T)]


def test_inner_min_is_the_brute_force_minimum():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    be = get_backend("arb:40")
    with be.context():
        ball = T2.inner_min(be.asarray(X), be)
    brute = min(float(X[i] @ X[j]) for i in range(5) for j in range(5))
    assert abs(float(ball.mid()) - brute) < 1e-12


def test_centres_within_radius_vs_bfs():
    for M in (masks.sliding_window(5, 1), masks.sliding_window(3, 1), masks.causal(4),
              masks.complete(3), masks.global_window(6, 1), masks.prefix_lm(5, 2)):
        ecc = bfs_eccentricities(M)
        r = min(ecc)
        assert T2.centres_within_radius(M) == [c for c in range(len(ecc)) if ecc[c] <= r]
    assert T2.centres_within_radius(masks.block_local(4, 2)) == []


def test_check_orthogonal_is_exact():
    be = get_backend("arb:30")
    Q = cayley_orthogonal(3, np.random.default_rng(2))
    T2.check_orthogonal(Q, be)                                   # Fractions: exact
    T2.check_orthogonal(sympy.Matrix(Q.tolist()).tolist(), be)   # SymPy rationals
    T2.check_orthogonal(np.eye(3)[[2, 0, 1]], be)                 # a permutation
    # 0.6 and 0.8 are not dyadic: this float matrix is orthogonal only to rounding
    with pytest.raises(AssumptionError, match="orthogonal"):
        T2.check_orthogonal(np.array([[0.6, 0.8], [-0.8, 0.6]]), be)
    bad = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(2)]]
    with pytest.raises(AssumptionError, match=r"\(1, 1\) at layer 4"):
        T2.check_orthogonal(bad, be, 4)


def test_non_orthogonal_layer_named_and_zero_token_refused():
    rng = np.random.default_rng(1)
    X0 = sphere_points((3, 3), rng)
    lays = _layers_pinned(rng, 3, 4)
    lays[2] = (lays[2][0], lays[2][1], np.diag([1, 1, 2]))
    with pytest.raises(AssumptionError, match="at layer 2"):
        T2.phi_recursion(masks.complete(3), X0, lays, 4)
    Xz = X0.copy()
    Xz[1] = 0
    with pytest.raises(AssumptionError, match="zero token"):
        T2.phi_recursion(masks.complete(3), Xz, _layers_pinned(rng, 3, 4), 4)


@pytest.mark.parametrize("M, mode", [(masks.sliding_window(5, 1), "post-ln"),
                                     (masks.causal(4), "pre-ln")])
def test_phi_recursion_details_vs_float_trajectory(M, mode):
    """radius, centre count, eps (Lemma 1's closed form), the number of layers checked,
    the bound's rate and the measured rate, all recomputed from scratch."""
    n = M.shape[0]
    T = 12
    rng = np.random.default_rng(7)
    X0 = np.abs(sphere_points((n, 3), rng))
    lays = _layers_pinned(rng, 3, T, 0.4)
    ev = T2.phi_recursion(M, X0, lays, T, mode=mode)
    assert ev.status == "holds", ev.details
    ecc = bfs_eccentricities(M)
    r = max(min(ecc), 1)
    n_r = sum(e <= min(ecc) for e in ecc)
    det = ev.details
    assert det["r"] == r and det["n_centres"] == n_r
    # eps = exp(-2 S) / max in-degree, S = max_t ||W_Q||_2^+ ||W_K||_2^+ / sqrt(d_qk),
    # ||W||_2^+ = min(||W||_F, sqrt(||W||_1 ||W||_inf)) (an upper bound of the 2-norm)
    up = lambda W: min(np.linalg.norm(W), math.sqrt(np.abs(W).sum(0).max() *
                                                     np.abs(W).sum(1).max()))
    S = max(up(q) * up(k) / math.sqrt(3) for q, k, _ in lays)
    eps = math.exp(-2 * S) / M.sum(axis=1).max()
    assert _num(det["eps"]) == pytest.approx(eps, rel=1e-9)
    a = n_r * eps ** (2 * r)
    assert _num(det["bound_rate_1_minus_phi_per_layer"]) == pytest.approx((1 - a) ** (1 / r),
                                                                          rel=1e-9)
    # float trajectory: phi(t) as min cosine; 1 - phi(t) as max half squared distance
    Xn = X0 / np.linalg.norm(X0, axis=1, keepdims=True)
    tr = simulate(Xn, M, [(q, k, np.array(v, dtype=float)) for q, k, v in lays], T, mode=mode)
    phis = [_gram_min(X) for X in tr.X]
    assert all(p > 1e-6 for p in phis)                 # every layer has phi(t) >= 0
    assert det["t0_first_phi_nonneg"] == 0
    assert det["steps_checked"] == T - r + 1
    gaps = [1 - p for p in phis]
    pos = [t for t in range(T + 1) if gaps[t] > 0]
    ta, tb = pos[len(pos) // 2], pos[-1]
    rate = (gaps[tb] / gaps[ta]) ** (1 / (tb - ta))
    assert _num(det["measured_rate_1_minus_phi_per_layer"]) == pytest.approx(rate, rel=1e-6)


def test_skipped_layers_are_counted():
    """phi(0) < 0 certainly: t = 0 is skipped (hypothesis false), the rest checked."""
    M = masks.complete(3)
    X0 = np.array([[1.0, 0.0, 0.0], [-0.3, 1.0, 0.0], [0.2, 0.3, 1.0]])
    rng = np.random.default_rng(3)
    T = 3
    lays = _layers_pinned(rng, 3, T, 0.3)
    ev = T2.phi_recursion(M, X0, lays, T)
    Xn = X0 / np.linalg.norm(X0, axis=1, keepdims=True)
    tr = simulate(Xn, M, [(q, k, np.array(v, dtype=float)) for q, k, v in lays], T,
                  mode="post-ln")
    phis = [_gram_min(X) for X in tr.X]
    assert all(abs(p) > 1e-6 for p in phis)
    neg = sum(p < 0 for p in phis[:T])          # r = 1: t = 0 .. T - 1 are candidates
    assert neg >= 1
    det = ev.details
    assert ev.status == "holds" and det["n_undecided"] == 0
    assert det["layers_skipped_phi_certainly_negative"] == neg
    assert det["steps_checked"] == T - neg
    assert det["t0_first_phi_nonneg"] == next(t for t, p in enumerate(phis) if p >= 0)
    # four layers are too few for a measured rate: the evidence says so instead of fitting
    assert det["measured_rate_1_minus_phi_per_layer"] == "not certified"


def test_single_token_is_trivially_collapsed():
    Z = np.zeros((2, 2))
    ev = T2.phi_recursion(masks.complete(1), np.array([[0.6, 0.8]]),
                          [(Z, Z, np.array([[0, 1], [1, 0]]))] * 3, 3)
    assert ev.status == "holds"


def test_centre_count_witness_numbers():
    """The refutation's numbers, recomputed: eps is the smallest attention weight along the
    float trajectory (to rounding), and the witness's 1 - phi values are those of the
    normalised start and of layer 1."""
    ev = T2.centre_count_witness()
    assert ev.status == "fails" and ev.narrower
    assert ev.details["r"] == max(min(bfs_eccentricities(masks.sliding_window(3, 1))), 1)
    M = masks.sliding_window(3, 1)
    q = math.sqrt(math.log(2))
    W = np.diag([q, q, 0.0])
    X = np.array([[1, .05, .05], [.05, .05, 1], [.05, 1, .05]])
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    Xs, low = [X], 1.0
    for _ in range(40):
        R = (X @ W) @ (X @ W).T
        R = np.where(M, R, -np.inf)
        A = np.exp(R - R.max(1, keepdims=True))
        A /= A.sum(1, keepdims=True)
        low = min(low, A[M].min())
        Y = A @ X
        X = Y / np.linalg.norm(Y, axis=1, keepdims=True)
        Xs.append(X)
    eps = _num(ev.details["eps_certified_lower_bound"])
    assert eps <= low * (1 + 1e-12) and eps == pytest.approx(low, rel=1e-9)
    w = ev.witness
    assert w["t"] == 0
    assert _num(w["phi_t"]) == pytest.approx(_gram_min(Xs[0]), abs=1e-12)
    assert _num(w["one_minus_phi_t_plus_r"]) == pytest.approx(1 - _gram_min(Xs[1]), abs=1e-12)


def test_mu_phi_relation_on_and_off_the_sphere():
    be = get_backend("arb:30")
    rng = np.random.default_rng(4)
    U = sphere_points((5, 3), rng)
    with be.context():
        assert T2.mu_phi_relation(be.asarray(U), be)
        # off the sphere the inequality is false: 2 e_1, 2 e_2 have mu^2 = 4 > N (1 - 0)
        assert not T2.mu_phi_relation(be.asarray(2 * np.eye(2)), be)
    mu2 = ((U - U.mean(0)) ** 2).sum()
    assert mu2 <= 5 * (1 - (U @ U.T).min())


def test_precision_exhausted_is_open_with_the_undecided_comparison():
    """Complete mask: 1 - phi(t) falls below 1e-200 within 6 layers, so at a 120-digit cap
    the recursion at t = 5 cannot be decided: ``open`` (never ``holds``), and the record
    shows the two sides, 1 - phi(t + r) being that tiny gap."""
    rng = np.random.default_rng(3)
    lays = _layers_pinned(rng, 3, 6, 0.3)
    X0 = np.array([[1.0, 0.0, 0.0], [-0.3, 1.0, 0.0], [0.2, 0.3, 1.0]])
    ev = T2.phi_recursion(masks.complete(3), X0, lays, 6, cap=120)
    assert ev.status == "open" and "cap of 120" in ev.details["open_reason"]
    und = [u for u in ev.details["undecided"] if u["what"] == "recursion"]
    assert und and ev.details["n_undecided"] == len(ev.details["undecided"])
    for u in und:
        lhs = flint.arb(u["lhs"])
        assert lhs.contains(0) and float(abs(lhs).upper()) < 1e-100
        assert u["t"] + ev.details["r"] <= 6
    # a longer horizon: every layer from t = 5 on is undecided; the first five are listed
    rng = np.random.default_rng(3)
    ev = T2.phi_recursion(masks.complete(3), X0, _layers_pinned(rng, 3, 12, 0.3), 12, cap=120)
    assert ev.details["n_undecided"] == 12 - 5 and len(ev.details["undecided"]) == 5
    assert [u["t"] for u in ev.details["undecided"]] == [5, 6, 7, 8, 9]


def test_centre_count_witness_eccentricities_are_bfs():
    ev = T2.centre_count_witness()
    assert ev.details["eccentricities"] == bfs_eccentricities(masks.sliding_window(3, 1))
    assert ev.details["n_r"] == len(T2.centres_within_radius(masks.sliding_window(3, 1)))


def test_failure_witness_values_match_the_float_trajectory():
    """A too-large eps is refuted at t = 1 (t = 0 is skipped: phi(0) < 0); the witness's
    numbers are phi(t), 1 - phi(t + r) and (1 - n eps^{2r})(1 - phi(t)), recomputed."""
    M = masks.complete(3)
    rng = np.random.default_rng(0)
    lays = _layers_pinned(rng, 3, 4, 0.3)
    X0 = np.array([[1.0, 0.0, 0.0], [-0.3, 1.0, 0.0], [0.2, 0.3, 1.0]])
    ev = T2.phi_recursion(M, X0, lays, 4, eps_override=0.6)
    assert ev.status == "fails"
    Xn = X0 / np.linalg.norm(X0, axis=1, keepdims=True)
    tr = simulate(Xn, M, [(q, k, np.array(v, dtype=float)) for q, k, v in lays], 4,
                  mode="post-ln")
    phis = [_gram_min(X) for X in tr.X]
    w, r = ev.witness, 1
    t = w["t"]
    assert phis[0] < 0 and t == 1
    assert _num(w["phi_t"]) == pytest.approx(phis[t], abs=1e-12)
    assert _num(w["one_minus_phi_t_plus_r"]) == pytest.approx(1 - phis[t + r], abs=1e-12)
    assert _num(w["allowed"]) == pytest.approx((1 - 3 * 0.6 ** 2) * (1 - phis[t]), abs=1e-12)


def test_never_nonnegative_reports_phi_at_T():
    """Appendix E's non-orthogonal W_V (negative control): token 2 goes to B, token 1 to
    (0, 1), their cosine stays < 0, so nothing is checked; phi_T is phi at the last layer."""
    W = np.array([[1.0, 2.0], [0.0, 1.0]])
    Z = np.zeros((2, 2))
    X0 = np.array([[0.6, 0.8], [np.cos(3.3), np.sin(3.3)]])
    ev = T2.phi_recursion(masks.causal(2), X0, (Z, Z, W), 6, require_orthogonal=False)
    tr = simulate(X0, masks.causal(2), (Z, Z, W), 6, mode="post-ln")
    phis = [_gram_min(X) for X in tr.X]
    assert all(p < 0 for p in phis)
    assert ev.status == "open" and ev.details["steps_checked"] == 0
    assert _num(ev.witness["phi_T"]) == pytest.approx(phis[-1], abs=1e-12)


def test_one_token_in_one_dimension():
    ev = T2.phi_recursion(masks.complete(1), np.array([[2.0]]), [(np.zeros((1, 1)),) * 2 +
                                                                (np.array([[-1]]),)] * 3, 3)
    assert ev.status == "holds" and ev.details["steps_checked"] == 3
