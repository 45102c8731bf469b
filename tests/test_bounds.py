import numpy as np
import pytest

from numeric import masks
from numeric.errors import AssumptionError
from theory.bounds import check_lemma1, check_theorem1, theorem1_constants


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
