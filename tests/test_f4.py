"""Appendix F.4: rank >= 2 equilibria under symmetric masks (counterexamples.f4_search)."""
import numpy as np
import pytest

from counterexamples import f4_search as F
from counterexamples import krawczyk as kz
from numeric.errors import RankCollapseError
from tests.conftest import thorough
import math
import sympy as sp
from numeric import masks


def test_exact_witnesses_and_trivial_case():
    assert F.complete_zero_qk_rank_one(3, 2).status == "holds"
    for n, mask in [(2, "complete"), (3, "window")] + ([(3, "complete"), (4, "window")]
                                                       if thorough() else []):
        ev = F.exact_witness(n, mask)
        assert ev.status == "holds" and ev.level == "exact", ev.details
        assert ev.details["fixed_rank_n"] and ev.details["rank_one_same_weights"]
    # n = 2: the window mask IS the complete mask; W_Q = W_K = 0 gives a singular A: no witness
    assert F.exact_witness(2, "window").status == "open"


def test_witness_numerically_and_certified_and_negative_controls():
    c = np.exp(1 / np.sqrt(2))
    WQ = WK = np.eye(2)
    WV = np.array([[c, -1.0], [-1.0, c]])
    M = F.symmetric_mask("complete", 2)
    assert F.residual_f64(np.eye(2), M, WQ, WK, WV) < 1e-14
    rec = F.certify_equilibrium(np.eye(2), M, WQ, WK, WV, dps=30)
    assert rec["certified"] and rec["rank_at_least"] == 2
    # the trivial case bites: with W_Q = W_K = 0 the same X is NOT fixed (rows of F equal)
    Z = np.zeros((2, 2))
    assert F.residual_f64(np.eye(2), M, Z, Z, WV) > 0.5
    # Krawczyk on the full system around a wrong point fails
    G = F._G_full(M, *([[kz.to_arb(float(v)) for v in r] for r in W] for W in (WQ, WK, WV)),
                  kz.KIT_ARB, 2, 2)
    assert not kz.krawczyk(G, [1.0, 0.01, 0.0, 1.0], 1e-4, fixed_box=True).ok
    assert kz.krawczyk(G, [1.0, 0.0, 0.0, 1.0], 1e-8, fixed_box=True).ok


def test_search_small_reports_counts():
    r = F.search(masks=("window",), sizes=((3, 3),), qk_scales=(1.0,), values=("gaussian",),
                 weight_samples=1, starts=8, seed=0, certify_max=1)
    t = r["totals"]
    assert t["starts"] == 8 and 0 <= t["converged"] <= 8 and t["distinct"] <= t["converged"]
    assert t["certified_rank>=2"] <= t["rank>=2"] <= t["distinct"]
    for w in r["witnesses"]:
        X = np.array(w["X"])
        assert F.residual_f64(X, F.symmetric_mask(w["mask"], w["n"]), np.array(w["W_Q"]),
                              np.array(w["W_K"]), np.array(w["W_V_matrix"])) < 1e-12
        assert np.linalg.matrix_rank(X, tol=1e-6) >= 2


def test_bad_mask_kind():
    with pytest.raises(RankCollapseError, match="mask kind"):
        F.symmetric_mask("causal", 3)


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.f4_search against independent numpy / SymPy computations (mutation)

def _F(X, M, WQ, WK, WV):
    """post-LN map written out: masked softmax of X WQ (X WK)^T / sqrt(d), then LN."""
    R = (X @ WQ) @ (X @ WK).T / math.sqrt(WQ.shape[1])
    R = np.where(M, R, -np.inf)
    A = np.exp(R - R.max(1, keepdims=True))
    A /= A.sum(1, keepdims=True)
    Y = A @ X @ WV
    return Y / np.linalg.norm(Y, axis=1, keepdims=True)


def test_symmetric_masks_and_random_weights():
    assert np.array_equal(F.symmetric_mask("complete", 4), masks.complete(4))
    assert np.array_equal(F.symmetric_mask("window", 5), masks.sliding_window(5, 1))
    rng = np.random.default_rng(0)
    WQ, WK, WV = F.random_weights(3, rng, 0.5, "jordan", w=3.0)
    assert np.array_equal(WV, np.eye(3) + 3 * np.eye(3, k=1))
    r2 = np.random.default_rng(0)
    assert np.allclose(WQ, r2.standard_normal((3, 3)) * 0.5 / math.sqrt(3), rtol=1e-15, atol=0)
    _, _, O = F.random_weights(3, rng, 1.0, "orthogonal")
    assert np.allclose(O @ O.T, np.eye(3))
    _, _, G = F.random_weights(3, rng, 1.0, "gaussian")
    assert G.shape == (3, 3) and not np.allclose(G @ G.T, np.eye(3))
    with pytest.raises(RankCollapseError, match="value kind"):
        F.random_weights(3, rng, 1.0, "unitary")


def test_residual_and_newton_against_the_written_out_map():
    rng = np.random.default_rng(4)
    M = F.symmetric_mask("window", 3)
    WQ, WK, WV = F.random_weights(3, rng, 1.0, "orthogonal")
    X = rng.standard_normal((3, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    assert F.residual_f64(X, M, WQ, WK, WV) == pytest.approx(np.abs(X - _F(X, M, WQ, WK, WV)).max())
    hits = 0
    for _ in range(6):
        X0 = rng.standard_normal((3, 3))
        X0 /= np.linalg.norm(X0, axis=1, keepdims=True)
        Xs, ok = F.newton_f64(X0, M, WQ, WK, WV)
        if ok:
            hits += 1
            assert np.abs(Xs - _F(Xs, M, WQ, WK, WV)).max() < 1e-10
    assert hits >= 1


def test_exact_witness_details_are_consistent():
    ev = F.exact_witness(2, "complete")
    n, c = 2, math.exp(1 / math.sqrt(2))
    A = np.array([[c, 1.0], [1.0, c]]) / (c + 1)
    WV = np.array(sp.sympify(ev.details["W_V"]).subs(sp.Symbol("c"), c)
                  .evalf().tolist(), dtype=float)
    assert np.allclose(A @ np.eye(n) @ WV, np.eye(n))                # A X W_V = I
    assert np.allclose(_F(np.eye(2), masks.complete(2), np.eye(2), np.eye(2), WV), np.eye(2))
    pi = np.array(sp.sympify(ev.details["stationary"]).subs(sp.Symbol("c"), c)
                  .evalf().tolist(), dtype=float).ravel()
    assert np.allclose(pi @ A, pi) and np.isclose(pi.sum(), 1) and np.all(pi > 0)
    assert ev.details["d_qk"] == 2 and ev.details["W_Q"] == "I"
    w3 = F.exact_witness(3, "window")
    A3 = np.array(sp.sympify(w3.details["A"]).tolist(), dtype=float)
    Mw = masks.sliding_window(3, 1)
    assert np.allclose(A3, Mw / Mw.sum(1, keepdims=True)) and w3.details["c"] is None


def test_numeric_rank_and_distinct_helpers():
    assert F._numeric_rank(np.eye(3)) == 3
    assert F._numeric_rank(np.outer([1, 2, 3], [1, 0, 1])) == 1
    assert F._numeric_rank(np.diag([1.0, 1e-3, 1e-9])) == 2
    X = np.eye(2)
    assert F._distinct([], X) and not F._distinct([X + 1e-9], X) and F._distinct([X + 1e-6], X)


def test_search_totals_are_consistent_with_runs():
    r = F.search(masks=("window",), sizes=((3, 3),), qk_scales=(0.0,), values=("jordan",),
                 weight_samples=1, starts=4, seed=1, certify_max=1)
    t = r["totals"]
    assert t["weight_samples"] == 1 and t["starts"] == 4
    assert t["distinct"] == sum(run["distinct"] for run in r["runs"])
    assert t["rank>=2"] == sum(sum(1 for k in run["ranks"] if k >= 2) for run in r["runs"])
    assert t["certified_rank>=2"] == sum(run["certified_rank>=2"] for run in r["runs"])
