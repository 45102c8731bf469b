"""counterexamples.f4_search against independent numpy / SymPy computations (mutation
testing, issue 8)."""
import math

import numpy as np
import pytest
import sympy as sp

from counterexamples import f4_search as F
from numeric import masks
from numeric.errors import RankCollapseError


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
