"""counterexamples.jordan against independent computations (mutation testing): SymPy's
rank for the exact surd rank, numpy / scipy for the stable rank, the SAN decay and the
tail equilibria."""
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from counterexamples import jordan as J
from counterexamples.surds import matrix_to_surd
from numeric.errors import AssumptionError, ShapeError
from counterexamples import jordan_facts


def test_surd_rank_vs_sympy_rank():
    r2, r3 = sp.sqrt(2), sp.sqrt(3)
    mats = [
        sp.Matrix([[1, r2, 0], [2, 2 * r2, 0], [0, 1, r3]]),            # dependent rows
        sp.Matrix([[1, r2, 1], [1, 0, r3], [2, r2, 1 + r3]]),           # row3 = row1 + row2
        sp.Matrix([[r2, 1, 0], [1, r2 / 2, 0], [0, 0, 0], [r3, 1, 1]]),
        sp.Matrix([[1, 2, 3], [1, 2, 3], [0, 0, 1]]),
        sp.Matrix([[0, r2, 1], [0, 1, r2], [1, 0, 0]]),
        sp.Matrix([[1, r2], [r2, 2], [r3, r3 * r2]]),
    ]
    for M in mats:
        assert J._surd_rank(matrix_to_surd(M)) == M.rank(simplify=True), M


def test_negative_w_and_sizes():
    for n, d, k, w in ((3, 3, 2, -2), (3, 3, 3, -3), (4, 3, 2, Fraction(-7, 2))):
        X = J.equilibrium(n, d, k, w)
        ev = J.verify_equilibrium(X, J.value_matrix(d, w), k=k)
        assert ev.status == "holds" and ev.details["rank"] == k
    with pytest.raises(AssumptionError):
        J.equilibrium(3, 3, 2, Fraction(-3, 2))                  # |w| < n - k + 1 = 2
    for bad in ((0, 3, 1), (3, 0, 1), (3, 3, 0), (2, 3, 3)):
        with pytest.raises(ShapeError):
            J.equilibrium(*bad, 3)


def test_zero_token_sum_is_not_an_equilibrium():
    """Token 2 = -token 1: S_2 W_V = 0, the post-LN map is undefined there."""
    ev = J.verify_equilibrium(sp.Matrix([[0, 1], [0, -1]]), J.value_matrix(2, 3))
    assert ev.status == "fails" and "opposite" in ev.witness["reason"]
    ev = J.verify_equilibrium(sp.Matrix([[0, 1], [1, 0]]), J.value_matrix(2, 3))
    assert ev.status == "fails" and "parallel" in ev.witness["reason"]


def test_stable_rank_bound_vs_numpy():
    for args in ((3, 3, 3, 2), (4, 3, 2, 3), (3, 2, 2, 3)):
        X = J.equilibrium(*args)
        b = jordan_facts.stable_rank_bound(X)
        Xf = np.array(X.evalf(30).tolist(), dtype=float)
        assert float(b["frobenius2"]) == pytest.approx((Xf ** 2).sum(), rel=1e-14)
        assert float(b["last_column2"]) == pytest.approx((Xf[:, -1] ** 2).sum(), rel=1e-14)
        srank = (Xf ** 2).sum() / np.linalg.norm(Xf, 2) ** 2
        assert srank <= float(b["srank_upper"]) + 1e-12


def test_san_collapse_vs_numpy():
    X0 = J.equilibrium(3, 3, 3, 3)
    W = J.value_matrix(3, 3)
    r = jordan_facts.san_collapse(X0, W, steps=40, dps=30)
    Xf = np.array(X0.evalf(30).tolist(), dtype=float)
    Wf = np.array(W.tolist(), dtype=float)
    A = np.tril(np.ones((3, 3))) / np.arange(1, 4)[:, None]
    mus = [np.linalg.norm(Xf - Xf.mean(0))]
    X = Xf
    for _ in range(40):
        X = A @ X @ Wf
        mus.append(np.linalg.norm(X - X.mean(0)))
    got = [float(v) for v in r["mu"]]
    assert np.allclose(got, mus, rtol=1e-9, atol=1e-10)   # float64 loses ~1e-12 by t = 40
    assert got[-1] < 1e-3 * got[0]


def _tail_lambdas(n, d, k, w):
    """Independent: chain rows, then each tail token u (lambda I - W) = S W with ||u|| = 1,
    lambda > 1 found by brentq on float64."""
    rows = [np.eye(d)[-1]]
    c = math.sqrt(1 - 1 / w ** 2)
    for _ in range(1, k):
        prev = rows[-1]
        rows.append(np.append(-prev[1:] / w, c))
    W = np.eye(d) + w * np.eye(d, k=1)
    lams = []
    for _ in range(k, n):
        v = np.sum(rows, axis=0) @ W
        g = lambda lam: np.linalg.norm(np.linalg.solve((lam * np.eye(d) - W).T, v)) - 1
        lam = brentq(g, 1 + 1e-9, 1e6)
        lams.append(lam)
        rows.append(np.linalg.solve((lam * np.eye(d) - W).T, v))
    return lams, np.array(rows)


@pytest.mark.parametrize("n, d, k, w", [(3, 3, 2, 2), (4, 3, 1, 3), (4, 4, 3, 2)])
def test_tail_equilibrium_vs_independent_solve(n, d, k, w):
    ev = jordan_facts.tail_equilibrium(n, d, k, w, dps=30)
    assert ev.status == "holds" and ev.level == "numeric-hp"
    lams, X = _tail_lambdas(n, d, k, w)
    assert [float(x) for x in ev.details["lambdas"]] == pytest.approx(lams, rel=1e-9)
    lo, hi = (float(Fraction(s)) for s in ev.details["first_tail_bracket"])
    assert 1 < lo < lams[0] < hi
    assert np.linalg.matrix_rank(X, tol=1e-9) == k
    sv = np.linalg.svd(X, compute_uv=False)
    assert [float(s) for s in ev.details["singular_values"]][:k] == pytest.approx(sv[:k],
                                                                                   rel=1e-6)
    if k == 1:                                 # all tokens e_d: lambda_i = i exactly
        assert lams == pytest.approx(list(range(2, n + 1)))


def test_rank_one_only_cases():
    ev = jordan_facts.rank_one_only(4, 3, Fraction(1, 2))
    assert ev.status == "holds"
    assert [c["lambda_roots"] for c in ev.details["cases"]] == [[str(i)] for i in range(2, 5)]
    assert not any(c["chain_branch"] for c in ev.details["cases"])
    for w in (1, 2, Fraction(-3, 2)):
        with pytest.raises(AssumptionError, match=r"\|w\| < 1"):
            jordan_facts.rank_one_only(3, 3, w)
    assert jordan_facts.rank_one_only(3, 3, 0).status == "holds"
