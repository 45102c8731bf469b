"""The coupled causal post-LN dynamics of Theorem 3 (2) (counterexamples.coupled)."""
import numpy as np

from counterexamples import coupled, f3
from numeric import masks
from numeric.dynamics import simulate
from tests.conftest import thorough


def test_step_batch_matches_simulate():
    rng = np.random.default_rng(3)
    X0 = coupled.uniform_sphere(4, 3, 3, rng)
    W = coupled.value_matrix_float(3, 2.0)
    Z = np.zeros((3, 1))
    for ln, mode in ((True, "post-ln"), (False, "san")):
        ref = simulate(X0, masks.causal(3), (Z, Z, W), 25, mode=mode).X[-1]
        mine, _ = coupled.run_batch(X0, 2.0, 25, ln=ln)
        assert np.allclose(mine, ref, rtol=1e-12, atol=1e-12)


def test_basin_fraction_positive_and_negative_controls():
    n, T = (4000, 2000) if thorough() else (400, 300)
    r = coupled.basin_fraction(2, 2, 2.0, n, T, seed=0)
    assert r["wilson95"][0] > 0.02 and r["ambiguous"] == 0
    assert r["min_ratio_not_rank_one"] > 0.2 and r["max_ratio_rank_one"] < 1e-10
    # w below 1: every equilibrium has rank one, every sample collapses
    assert coupled.basin_fraction(2, 2, 0.8, 200, 300)["fraction"] == 0
    # without LayerNorm the same system collapses
    assert coupled.basin_fraction(2, 2, 2.0, 200, 300, ln=False)["fraction"] == 0


def test_hp_spot_check_agrees():
    r = coupled.basin_fraction(2, 2, 2.0, 60, 150, seed=2)
    X0, rr = r["_X0"], r["_r"]
    picks = [int(np.argmax(rr)), int(np.argmin(rr))]
    for i in picks:
        s = coupled.hp_spot_check(X0[i], 2.0, 150, dps=30)
        assert s["agree"] and s["max_abs_diff"] < 1e-10


def test_token1_rate_is_algebraic():
    r = coupled.convergence_rates(2, 3, 2.0, 20, 800, seed=1)
    assert abs(r["token1_slope_loglog_median"] + 1) < 0.05
    assert r["token1_R2_loglog_median"] > 0.999 > r["token1_R2_geometric_median"]
    assert abs(r["token1_t_e(t)_at_T_median"] / r["predicted_t_e(t)"] - 1) < 0.05
    assert 0.45 < r["token1_ratio_e(T)/e(T/2)_median"] < 0.55      # 2^-1, not ~0
    # the alignment of collapsing samples is geometric: the measurement tells them apart
    assert r["rank_one_alignment_factor_per_step_median"] < 0.9


def test_lemma13_region_not_invariant_when_coupled():
    s = coupled.lemma13_coupled_search(3, 2.0, 200, 300, seed=0, eps=0.01)
    assert s["left"] > 0 and s["all_rank_one"] > 0
    assert np.linalg.norm(np.array(s["first_witness"][0]) - [0, 0, 1]) <= 0.01
    cert = coupled.certify_coupled_witness(s["first_witness"], 2.0, s["first_exit_time"])
    assert cert["x11_positive"] and cert["token2_hypotheses"]["all"]
    assert cert["certified_exit_times"] and not cert["undecided_times"]
    # control: the same token 2 with token 1 held exactly at e_d never leaves (d = 3)
    from fractions import Fraction
    head = [Fraction(v) for v in cert["rows"][1][:-1]]
    last = 1 if Fraction(cert["rows"][1][-1]) > 0 else -1
    assert f3.simulate_token2(head, 2, T=300, last_sign=last)["first_exit"] is None
