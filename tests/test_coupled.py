"""The coupled causal post-LN dynamics of Theorem 3 (2) (counterexamples.coupled)."""
import numpy as np

from counterexamples import coupled, f3
from numeric import masks
from numeric.dynamics import simulate
from tests.conftest import thorough
from fractions import Fraction
import pytest
from counterexamples import coupled as C
from counterexamples import f3
from numeric.errors import RankCollapseError, ShapeError


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


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.coupled against per-sample loops and numpy (mutation testing).)

def test_value_matrix_and_one_step_per_sample():
    W = C.value_matrix_float(3, 2.5)
    assert np.array_equal(W, [[1, 2.5, 0], [0, 1, 2.5], [0, 0, 1]])
    for bad in (0, 2.0, -1):
        with pytest.raises(ShapeError):
            C.value_matrix_float(bad, 2.0)
    rng = np.random.default_rng(0)
    X = C.uniform_sphere(3, 4, 3, rng)
    assert X.shape == (3, 4, 3) and np.allclose(np.linalg.norm(X, axis=-1), 1)
    ln, san = C.step_batch(X, W), C.step_batch(X, W, ln=False)
    for b in range(3):
        for i in range(4):
            s = X[b, :i + 1].sum(0) @ W
            assert np.allclose(ln[b, i], s / np.linalg.norm(s))
            assert np.allclose(san[b, i], s / (i + 1))
    Z = np.array([[[0.0, 1.0], [0.0, -1.0]]])
    with pytest.raises(RankCollapseError, match="vanished"):
        C.step_batch(Z, np.eye(2))


def test_run_batch_records_and_callback():
    rng = np.random.default_rng(1)
    X0 = C.uniform_sphere(2, 3, 3, rng)
    seen = []
    XT, rec = C.run_batch(X0, 2.0, 5, record=(2, 5), every=lambda t, X: seen.append(t))
    assert sorted(rec) == [2, 5] and seen == [1, 2, 3, 4, 5]
    X = X0
    W = C.value_matrix_float(3, 2.0)
    for t in range(1, 6):
        X = C.step_batch(X, W)
        if t in rec:
            assert np.array_equal(rec[t], X)
    assert np.array_equal(XT, X)


def test_rank_one_ratio_and_fit():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 3))
    s = np.linalg.svd(X, compute_uv=False)
    assert C.rank_one_ratio(X) == pytest.approx(np.sqrt((s[1:] ** 2).sum()) / np.sqrt((s ** 2).sum()))
    assert C.rank_one_ratio(5 * X) == pytest.approx(C.rank_one_ratio(X))
    assert C.rank_one_ratio(np.outer([1, -2, 3], [1, 1])) < 1e-15
    x = np.arange(1.0, 9.0)
    assert C._fit(x, 2 + 3 * x) == pytest.approx((3.0, 1.0))
    y = 1 - 0.5 * x + rng.standard_normal(8) * 0.1
    slope, r2 = C._fit(x, y)
    b, a = np.polyfit(x, y, 1)
    assert slope == pytest.approx(b) and r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2)
    assert C._fit(x, np.full(8, 2.0)) == pytest.approx((0.0, 1.0))


def test_basin_fraction_bookkeeping():
    r = C.basin_fraction(2, 2, 2.0, samples=80, T=60, checkpoints=[10, 30], seed=3)
    ratio = C.rank_one_ratio(C.run_batch(r["_X0"], 2.0, 60)[0])
    hi = ratio >= 0.05
    assert np.allclose(r["_r"], ratio)
    assert r["not_rank_one"] == hi.sum() and r["fraction"] == hi.mean()
    assert r["wilson95"] == f3.wilson(int(hi.sum()), 80)
    assert sorted(r["trend"]) == [10, 30, 60]
    assert r["max_ratio_rank_one"] == ratio[~hi].max() and r["min_ratio_not_rank_one"] == ratio[hi].min()
    assert r["ambiguous"] == int(((ratio >= 0.0005) & ~hi).sum())
    d = C.basin_fraction(2, 2, 2.0, samples=20, T=40, seed=3)
    assert sorted(d["trend"]) == [4, 13, 20, 40]                   # T/10, T/3, T/2, T


def test_certified_exit_times_match_the_float_trajectory():
    s = C.lemma13_coupled_search(3, 2.0, 200, 60, seed=0, eps=0.01)
    assert s["left"] > 0
    X0 = np.array(s["first_witness"])
    cert = C.certify_coupled_witness(X0, 2.0, s["first_exit_time"] + 2, digits=40)
    rows = np.array([[float(Fraction(v)) for v in r] for r in cert["rows"]])
    assert np.allclose(rows, X0, atol=1e-8)
    exits = []
    W = C.value_matrix_float(3, 2.0)
    X = rows[None]
    for t in range(cert["steps"] + 1):
        if X[0, 1, 1] > -0.5 + 1e-9:
            exits.append(t)
        X = C.step_batch(X, W)
    assert cert["certified_exit_times"] == exits and not cert["undecided_times"]
    assert exits[0] == s["first_exit_time"]
