"""Appendix F.4: rank >= 2 equilibria under symmetric masks (counterexamples.f4_search)."""
import numpy as np
import pytest

from counterexamples import f4_search as F
from counterexamples import krawczyk as kz
from numeric.errors import RankCollapseError
from tests.conftest import thorough


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
