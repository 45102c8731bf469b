import numpy as np
import pytest

from numeric import masks
from numeric.errors import AssumptionError
from theory.bounds import check_lemma1, check_theorem1, theorem1_constants
import math
import flint
import mpmath
from numeric.dynamics import Layer, simulate
from numeric.errors import AssumptionError, RankCollapseError
from numeric.precision import get_backend
from theory import bounds as B
from .independent import bfs_eccentricities


def _inst(n=5, d=3, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n, d))
    return X0, (rng.standard_normal((d, d)) * scale, rng.standard_normal((d, d)) * scale,
                np.eye(d))


def test_lemma1_negative_control():
    X0, lay = _inst()
    M = masks.causal(5)
    ev = check_lemma1(M, X0, lay, 10)
    assert ev.status == "holds"
    import flint
    assert flint.arb(ev.details["slack_smallest_over_eps"]) >= 1   # a ball, certainly >= 1
    # rows with >= 2 keys have some weight <= 1/2: claiming eps = 0.6 must be caught
    bad = check_lemma1(M, X0, lay, 10, eps_override=0.6)
    assert bad.status == "fails" and bad.witness["t"] == 0


def test_theorem1_negative_controls():
    X0, lay = _inst()
    Z = np.zeros((3, 3))
    uni = masks.unidirectional_window(5, 1)
    assert check_theorem1(uni, X0, (Z, Z, np.eye(3)), 80).status == "holds"
    # a wrong (too large) eps gives a rate faster than the truth: caught with a witness
    bad = check_theorem1(uni, X0, (Z, Z, np.eye(3)), 80, eps_override=0.999)
    assert bad.status == "fails" and bad.witness["t"] >= 1
    # assumptions: self-loops dropped, mask without a centre
    with pytest.raises(AssumptionError, match="A1"):
        theorem1_constants(masks.without_self_loops(uni), X0, lay, 5)
    with pytest.raises(AssumptionError, match="centre"):
        theorem1_constants(masks.block_local(5, 2), X0, lay, 5)


def test_without_self_loops_the_conclusion_fails():
    """Why A1 matters: on a 2-cycle without self-loops the tokens swap forever, so mu
    never decays; any bound C q^t with q < 1 is eventually violated."""
    from numeric.dynamics import simulate
    M = masks.from_edges(2, [(0, 1), (1, 0)], convention="query-key")
    X0 = np.array([[1.0, 0.0], [0.0, 1.0]])
    Z = np.zeros((2, 2))
    tr = simulate(X0, M, (Z, Z, np.eye(2)), 50)
    assert np.allclose(tr.mu(), tr.mu()[0])


def test_constants_are_explicit_and_ordered():
    X0, lay = _inst()
    K = theorem1_constants(masks.causal(5), X0, lay, 20)
    assert K.r == 1 and 0 < float(K.eps.mid()) <= 1 / 5
    assert not K.C < K.C_floor  # C absorbs the floor(t/r) slack (equal when r = 1)
    K2 = theorem1_constants(masks.unidirectional_window(5, 1), X0, lay, 20)
    assert K2.r == 4


def test_bound_rate_slower_for_larger_radius():
    """The explicit rate (1 - eps^r)^(1/r) gets closer to 1 as the radius grows."""
    from theory.bounds import theorem1_rate
    rates = [theorem1_rate(0.3, r) for r in range(1, 8)]
    assert all(a < b for a, b in zip(rates, rates[1:]))


def test_rate_summary_matches_formulas_and_refuses_no_centre():
    import math
    from theory.bounds import rate_summary
    s = rate_summary(4, 2, 1, CQ=0.5, CK=2.0, CV=1.0, B0=1.0, d_qk=4.0)
    eps = math.exp(-2 * 0.5) / 4
    assert math.isclose(float(s["theorem1"]["eps"]), eps, rel_tol=1e-5)
    assert math.isclose(float(s["theorem1"]["rate"]), (1 - eps ** 2) ** 0.5, rel_tol=1e-10)
    assert math.isclose(float(s["theorem2"]["one_minus_rate"]),
                        1 - (1 - eps ** 4) ** 0.25, rel_tol=1e-4)
    # the refinement: more centres, faster promised rate
    s4 = rate_summary(4, 2, 4, CQ=0.5, CK=2.0, d_qk=4.0)
    assert float(s4["theorem2"]["one_minus_rate"]) > float(s["theorem2"]["one_minus_rate"])
    with pytest.raises(AssumptionError, match="centre"):
        rate_summary(4, math.inf, 0)


def test_mask_command_reports_rates(capsys):
    import json
    from rankcollapse.cli import main
    assert main(["mask", "causal", "--n", "8", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["rates"]["r"] == 1 and rep["rates"]["max_in_degree"] == 8
    assert main(["mask", "block_local", "--n", "8", "--block", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rates"] is None   # no centre: no rate


# ------------------------------------------------------------------ round 3 (mutation)
def _hand_constants(be):
    """eps = 1/2, r = 2, C = 2, C_floor = 1: q = 1 - eps^r = 3/4, rate q^(1/2) = sqrt(3)/2."""
    from theory.bounds import Theorem1Constants
    s = be.scalar
    return Theorem1Constants(eps=s(0.5), r=2, C=s(2), C_floor=s(1), B=s(1), S=s(0), CV=s(1),
                             max_in_degree=2)


def test_hand_constants_bounds():
    from numeric.precision import get_backend
    be = get_backend("arb:30")
    with be.context():
        K = _hand_constants(be)
        # bound_floor(t) = (3/4)^floor(t/2): t = 3 -> 3/4, t = 5 -> 9/16, t = 1 -> 1
        for t, v in ((0, 1.0), (1, 1.0), (3, 0.75), (4, 0.5625), (5, 0.5625)):
            assert float(K.bound_floor(t).mid()) == pytest.approx(v, rel=1e-15)
        # bound(t) = 2 (3/4)^(t/2): t = 2 -> 3/2, t = 3 -> 2 (3/4)^1.5
        assert float(K.bound(2).mid()) == pytest.approx(1.5, rel=1e-15)
        assert float(K.bound(3).mid()) == pytest.approx(2 * 0.75 ** 1.5, rel=1e-14)
        assert float(K.rate().mid()) == pytest.approx(np.sqrt(3) / 2, rel=1e-15)


def test_certify_below_bound_verdicts_and_reported_numbers():
    """mu(t) = bound(t) exactly is undecided for t >= 1 (t = 0 is settled by the exact
    Popoviciu test on X0): open, with the first ten undecided layers listed; mu = bound/2
    holds; mu = 2 bound fails at t = 0 with a witness."""
    from numeric.precision import get_backend
    from theory.bounds import certify_below_bound
    be = get_backend("arb:30")
    X0 = np.array([[0.0], [1.0]])
    T = 12
    with be.context():
        K = _hand_constants(be)
        eq = [K.bound(t) for t in range(T + 1)]
        ev = certify_below_bound(eq, K, X0, T, be, 30, statement="s")
        assert ev.status == "open"
        assert ev.details["undecided"] == list(range(1, 11)) and ev.details["n_undecided"] == 12
        # both rates are q^(1/2) = sqrt(3)/2: mu(12)/mu(6) = (3/4)^3, to the power 1/6
        import flint
        assert float(flint.arb(ev.details["bound_rate"]).mid()) == \
            pytest.approx(np.sqrt(3) / 2, rel=1e-15)
        assert float(flint.arb(ev.details["measured_rate"]).mid()) == \
            pytest.approx(np.sqrt(3) / 2, rel=1e-12)
        assert ev.details["measured_rate_layers"] == [6, 12]
        two = [K.bound(t) if t in (3, 5) else K.bound(t) / 2 for t in range(T + 1)]
        ev = certify_below_bound(two, K, X0, T, be, 30, statement="s")
        assert ev.status == "open" and ev.details["undecided"] == [3, 5]
        half = [b / 2 for b in eq]
        ev = certify_below_bound(half, K, X0, T, be, 30, statement="s")
        assert ev.status == "holds" and ev.details["undecided"] == []
        bad = certify_below_bound([2 * b for b in eq], K, X0, T, be, 30, statement="s")
        assert bad.status == "fails" and bad.witness["t"] == 0


def test_exact_t0_skewed_columns():
    """Popoviciu: N var <= N osc^2 / 4 for every column, skewed ones included.  Column
    (0, 0, 10): sum (v - m)^2 = 2 (10/3)^2 + (20/3)^2 = 200/3, 4 * 200/3 <= 3 * 100."""
    from theory.bounds import _exact_t0
    assert _exact_t0(np.array([[0.0], [0.0], [10.0]])) is True
    assert _exact_t0(np.array([[0, 10], [0, 0], [10, 0], [0, 0]])) is True


# ---------------------------------------------------------------- pinned by mutation testing
# (theory.bounds: the explicit constants recomputed independently in numpy / mpmath)

def _num(s) -> float:
    if isinstance(s, (int, float)):
        return float(s)
    if hasattr(s, "mid"):
        return float(s.mid())
    return float(flint.arb(s).mid())


def _radius(M):
    return min(bfs_eccentricities(M))


def _up(W):
    """min(||W||_F, sqrt(||W||_1 ||W||_inf)): the bound the module documents."""
    W = np.asarray(W, dtype=float)
    return min(np.linalg.norm(W), math.sqrt(np.abs(W).sum(0).max() * np.abs(W).sum(1).max()))


def _softmax(X, WQ, WK, M):
    R = (X @ WQ) @ (X @ WK).T / math.sqrt(WQ.shape[1])
    R = np.where(M, R, -np.inf)
    A = np.exp(R - R.max(1, keepdims=True))
    return A / A.sum(1, keepdims=True)


def _inst_pinned(n=5, d=3, seed=0, scale=0.3, T=6):
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n, d))
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lays = [(rng.standard_normal((d, d)) * scale, rng.standard_normal((d, d)) * scale,
             Q * (1.1 if t % 2 else 0.9)) for t in range(T)]
    return X0, lays


def test_norm_bounds_and_ball_helpers():
    be = get_backend("arb:30")
    rng = np.random.default_rng(1)
    with be.context():
        for W in (rng.standard_normal((3, 4)), np.diag([3.0, 1.0]), np.ones((2, 2))):
            u = _num(B.norm2_upper(W, be))
            assert u == pytest.approx(_up(W), rel=1e-12) and u >= np.linalg.norm(W, 2)
        balls = [flint.arb(1, 0.5), flint.arb(2, 0.1), flint.arb(-3, 4)]
        top = _num(B.upper_max(balls, be))          # the largest upper end, rounded up
        assert 2.1 <= top <= 2.1 * (1 + 1e-9)
        vals = [flint.arb(8.0), flint.arb(4.0), flint.arb(2.0), flint.arb(1.0)]
        assert _num(B.ball_rate(vals, 0, 3, be)) == pytest.approx(0.5, rel=1e-12)
        assert _num(B.ball_rate(vals, 1, 2, be)) == pytest.approx(0.5, rel=1e-12)
        assert B.ball_rate(vals, 2, 2, be) is None and B.ball_rate(vals, 3, 1, be) is None
        assert B.ball_rate([flint.arb(0, 1e-3), flint.arb(1.0)], 0, 1, be) is None
        assert B.ball_rate([flint.arb(1.0), flint.arb(0)], 0, 1, be) is None
        eps = B.lemma1_eps(4, be.scalar(0.25), be)
        assert _num(eps) == pytest.approx(math.exp(-0.5) / 4, rel=1e-14)
        with pytest.raises(RankCollapseError, match="empty row"):
            B.lemma1_eps(0, be.scalar(0.25), be)
    assert B.ball_str(flint.arb(1.5)) == str(flint.arb(1.5))
    assert B.theorem1_rate(0.3, 2) == pytest.approx((1 - 0.09) ** 0.5)


@pytest.mark.parametrize("M", [masks.causal(5), masks.unidirectional_window(5, 1),
                               masks.sliding_window(5, 1)])
def test_theorem1_constants_recomputed(M):
    X0, lays = _inst_pinned()
    T = len(lays)
    K = B.theorem1_constants(M, X0, lays, T)
    r = max(_radius(M), 1)
    assert K.r == r and K.max_in_degree == int(M.sum(1).max())
    B0 = np.linalg.norm(X0, axis=1).max()
    # A3 over the horizon: running products W_V(0)...W_V(t)
    P, CV, S = np.eye(3), 1.0, 0.0
    for t, (q, k, v) in enumerate(lays):
        Bt = B0 * _up(P) if t else B0
        S = max(S, Bt * Bt * _up(q) * _up(k) / math.sqrt(3))
        P = P @ v
        CV = max(CV, _up(P))
    assert _num(K.CV) == pytest.approx(CV, rel=1e-10)
    assert _num(K.B) == pytest.approx(B0 * CV, rel=1e-10)
    assert _num(K.S) == pytest.approx(S, rel=1e-10)
    eps = math.exp(-2 * S) / M.sum(1).max()
    assert _num(K.eps) == pytest.approx(eps, rel=1e-9)
    osc2 = sum((X0[:, j].max() - X0[:, j].min()) ** 2 for j in range(3))
    base = CV * math.sqrt(5 * osc2) / 2
    assert _num(K.C_floor) == pytest.approx(base, rel=1e-10)
    q = 1 - eps ** r
    assert _num(K.C) == pytest.approx(base * q ** (-(r - 1) / r), rel=1e-9)
    with mpmath.workdps(30):
        for t in (0, 1, 5, 7):
            assert _num(K.bound(t)) == pytest.approx(base * q ** (-(r - 1) / r) * q ** (t / r),
                                                     rel=1e-9)
            assert _num(K.bound_floor(t)) == pytest.approx(base * q ** (t // r), rel=1e-9)
        assert _num(K.rate()) == pytest.approx(q ** (1 / r), rel=1e-12)


def test_theorem1_holds_and_reports_rates_vs_float_trajectory():
    X0, lays = _inst_pinned(T=12, scale=0.2)
    M = masks.unidirectional_window(5, 1)
    ev = B.check_theorem1(M, X0, lays, 12)
    assert ev.status == "holds" and ev.details["n_undecided"] == 0
    K = B.theorem1_constants(M, X0, lays, 12)
    mus = simulate(X0, M, lays, 12).mu()
    assert all(mus[t] <= _num(K.bound(t)) for t in range(13))
    assert _num(ev.details["mu_T"]) == pytest.approx(mus[12], rel=1e-9)
    a, b = ev.details["measured_rate_layers"]
    assert (a, b) == (6, 12)
    assert _num(ev.details["measured_rate"]) == pytest.approx((mus[b] / mus[a]) ** (1 / (b - a)),
                                                              rel=1e-8)
    assert _num(ev.details["bound_rate"]) == pytest.approx(_num(K.rate()), rel=1e-12)
    assert _num(ev.details["mu_T_over_bound_T"]) == pytest.approx(mus[12] / _num(K.bound(12)),
                                                                  rel=1e-8)


def test_exact_t0_is_popoviciu():
    rng = np.random.default_rng(2)
    for n in (2, 3, 6):
        X = rng.integers(-5, 6, size=(n, 3)).astype(float)
        mu2 = ((X - X.mean(0)) ** 2).sum()
        osc2 = ((X.max(0) - X.min(0)) ** 2).sum()
        assert 4 * mu2 <= n * osc2                   # Popoviciu, recomputed in floats
        assert B._exact_t0(X) is True
    # N = 2: Popoviciu is an equality (balls cannot decide it, exact arithmetic can)
    X2 = np.array([[0.0, 1.0], [1.0, 3.0]])
    assert B._exact_t0(X2) is True
    assert B._exact_t0(np.array([[flint.arb(1)], [flint.arb(2)]], dtype=object)) is None


def test_edge_weights_and_lemma1_vs_numpy():
    X0, lays = _inst_pinned(T=4, scale=0.5)
    M = masks.sliding_window(5, 1)
    be = get_backend("arb:30")
    with be.context():
        got = [(t, i, j, _num(a)) for t, i, j, a in B.edge_weights(M, X0, lays, 4, be=be)]
    tr = simulate(X0, M, lays, 4)
    want = []
    for t in range(4):
        A = _softmax(tr.X[t], lays[t][0], lays[t][1], M)
        want += [(t, int(i), int(j), A[i, j]) for i, j in zip(*np.nonzero(M))]
    assert [g[:3] for g in got] == [w[:3] for w in want]
    assert np.allclose([g[3] for g in got], [w[3] for w in want], rtol=1e-12)
    ev = B.check_lemma1(M, X0, lays, 4)
    assert ev.status == "holds" and ev.details["edge_weights_checked"] == len(want)
    low = min(w[3] for w in want)
    assert _num(ev.details["smallest_weight"]) == pytest.approx(low, rel=1e-12)
    K = B.theorem1_constants(M, X0, lays, 4)
    assert _num(ev.details["slack_smallest_over_eps"]) == pytest.approx(low / _num(K.eps),
                                                                        rel=1e-9)
    bad = B.check_lemma1(M, X0, lays, 4, eps_override=low * 1.01)
    assert bad.status == "fails"
    t, i, j = bad.witness["t"], bad.witness["i"], bad.witness["j"]
    assert _softmax(tr.X[t], lays[t][0], lays[t][1], M)[i, j] < low * 1.01


def test_theorem2_eps_and_layers_list():
    rng = np.random.default_rng(3)
    WQ, WK = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    M = masks.causal(4)
    e = B.theorem2_eps(M, WQ, WK)
    assert _num(e) == pytest.approx(math.exp(-2 * _up(WQ) * _up(WK) / math.sqrt(2)) / 4,
                                    rel=1e-10)
    e5 = B.theorem2_eps(M, WQ, WK, d_qk=5)
    assert _num(e5) == pytest.approx(math.exp(-2 * _up(WQ) * _up(WK) / math.sqrt(5)) / 4,
                                     rel=1e-10)
    lay = (WQ, WK, np.eye(3))
    assert B._layers_list(lay, 3) == [Layer(*lay)] * 3
    assert B._layers_list(Layer(*lay), 2) == [Layer(*lay)] * 2
    seq = B._layers_list([lay, Layer(*lay, 2.0), lay], 2)
    assert len(seq) == 2 and seq[1].d_qk == 2.0
    assert B._layers_list(lambda t: lay, 2) == [Layer(*lay)] * 2
    with pytest.raises(RankCollapseError):
        B._layers_list(42, 2)


def test_rate_summary_closed_forms_and_validation():
    s = B.rate_summary(3, 2, 2, CQ=0.5, CK=0.8, CV=1.5, B0=2.0, d_qk=4.0)
    S1 = (2.0 * 1.5) ** 2 * 0.5 * 0.8 / 2.0
    e1 = math.exp(-2 * S1) / 3
    assert float(s["theorem1"]["S"]) == pytest.approx(S1, rel=1e-5)
    assert float(s["theorem1"]["eps"]) == pytest.approx(e1, rel=1e-5)
    rate1 = (1 - e1 ** 2) ** 0.5
    assert float(s["theorem1"]["one_minus_rate"]) == pytest.approx(1 - rate1, rel=1e-4)
    assert float(s["theorem1"]["layers_per_e_fold"]) == pytest.approx(-1 / math.log(rate1),
                                                                      rel=1e-4)
    S2 = 0.5 * 0.8 / 2.0
    e2 = math.exp(-2 * S2) / 3
    assert float(s["theorem2"]["eps"]) == pytest.approx(e2, rel=1e-5)
    assert float(s["theorem2"]["rate"]) == pytest.approx((1 - 2 * e2 ** 4) ** (1 / 4), rel=1e-10)
    assert s["theorem2"]["n_centres"] == 2 and s["r"] == 2 and s["max_in_degree"] == 3
    assert s["theorem1"]["valid"] and s["theorem2"]["valid"]
    big = B.rate_summary(1, 1, 5, CQ=0.0, CK=0.0)           # eps = 1, n eps^2 = 5 >= 1
    assert big["theorem2"]["valid"] is False and "n eps" in big["theorem2"]["reason"]
    assert B.rate_summary(2, 0, 1)["r"] == 1
    for bad in (dict(CQ=-1.0), dict(CK=-0.1), dict(CV=-1.0), dict(B0=-2.0), dict(CQ=float("nan"))):
        with pytest.raises(RankCollapseError):
            B.rate_summary(3, 1, 1, **bad)
    with pytest.raises(RankCollapseError, match="d_qk"):
        B.rate_summary(3, 1, 1, d_qk=0)


def test_rate_summary_refuses_bad_arguments_by_name():
    for kw, name in ((dict(max_in_degree=0), "max_in_degree"),
                     (dict(max_in_degree=True), "max_in_degree"),
                     (dict(max_in_degree=2.0), "max_in_degree"),
                     (dict(r=-1), "radius"), (dict(r=1.5), "radius"),
                     (dict(n_centres=-1), "n_centres"), (dict(n_centres=False), "n_centres"),
                     (dict(CV=float("inf")), "CV"), (dict(d_qk=float("inf")), "d_qk")):
        args = dict(max_in_degree=3, r=1, n_centres=1)
        args.update(kw)
        with pytest.raises(RankCollapseError, match=name):
            B.rate_summary(args.pop("max_in_degree"), args.pop("r"), args.pop("n_centres"),
                           **args)
    assert B.rate_summary(1, 0, 1)["r"] == 1                        # radius 0 (one token)
