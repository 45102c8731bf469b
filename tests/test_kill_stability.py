"""counterexamples.stability against SymPy / numpy (mutation-testing follow-up, issue 8):
characteristic polynomials vs SymPy's, square-free factors vs ``sqf_list``, root moduli
vs numpy, and the Jacobian blocks vs a float64 computation of ``W P_i / lambda_i``."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from counterexamples import jordan, stability as S
from counterexamples.surds import Surd, matrix_to_surd

x = sp.Symbol("x")


def _poly(coeffs_sympy_high_first):
    """SymPy coefficients (highest degree first) -> Surd list (lowest first)."""
    return [Surd.rational(Fraction(str(c))) for c in reversed(coeffs_sympy_high_first)]


def _to_sympy(p):
    return sum(c.to_sympy() * x ** k for k, c in enumerate(p))


def test_tangent_charpoly_vs_sympy():
    rng = np.random.default_rng(0)
    for d in (2, 3, 4):
        A = sp.Matrix(d, d, lambda i, j: sp.Rational(int(rng.integers(-5, 6)),
                                                     int(rng.integers(1, 4))))
        A[:, 0] = sp.zeros(d, 1)                           # singular: 0 is an eigenvalue
        q = S.tangent_charpoly(matrix_to_surd(A))
        want = sp.expand(A.charpoly(x).as_expr() / x)
        assert sp.expand(_to_sympy(q) - want) == 0
    with pytest.raises(Exception, match="not singular"):
        S.tangent_charpoly(matrix_to_surd(sp.eye(2)))


def test_squarefree_factors_vs_sqf_list():
    p = sp.expand((x - 1) ** 2 * (x + 2) ** 3 * (2 * x - 1) * (x ** 2 + 1))
    fac = S.squarefree_factors(_poly(sp.Poly(p, x).all_coeffs()))
    got = {k: sp.Poly(_to_sympy(g), x).monic() for g, k in fac}
    _, lst = sp.sqf_list(p)
    want = {k: sp.Poly(g, x).monic() for g, k in lst}
    assert got == want
    prod = sp.expand(sp.prod([_to_sympy(g) ** k for g, k in fac]))
    assert sp.expand(prod - sp.Poly(p, x).monic().as_expr()) == 0
    assert S.squarefree_factors(_poly([3])) == []


def test_classify_roots_vs_numpy_moduli():
    p = sp.expand((x - sp.Rational(1, 2)) * (x - 1) ** 2 * (x + 1) * (x - 3) *
                  (x ** 2 + sp.Rational(1, 4)))
    res = S.classify_roots(_poly(sp.Poly(p, x).all_coeffs()))
    r = np.roots([float(c) for c in sp.Poly(p, x).all_coeffs()])
    mod = np.abs(r)
    assert res["counts"] == {"contracting": int((mod < 1 - 1e-6).sum()),
                             "neutral": int((abs(mod - 1) < 1e-6).sum()),
                             "expanding": int((mod > 1 + 1e-6).sum()), "open": 0}
    assert np.allclose(sorted(np.abs(res["roots"])), sorted(mod), atol=1e-6)


@pytest.mark.parametrize("n, d, k, w, signs", [(3, 3, 3, 3, None), (3, 3, 2, 3, (1, -1)),
                                               (2, 3, 2, 2, (-1, 1))])
def test_equilibrium_stability_vs_float_blocks(n, d, k, w, signs):
    res = S.equilibrium_stability(n, d, k, w, signs)
    assert sum(res["counts"].values()) == n * (d - 1) and res["counts"]["open"] == 0
    X = np.array(jordan.equilibrium(n, d, k, w, signs).evalf(30).tolist(), dtype=float)
    W = np.eye(d) + w * np.eye(d, k=1)
    Ssum = np.cumsum(X, axis=0)
    total = {"contracting": 0, "neutral": 0, "expanding": 0}
    for i, tok in enumerate(res["tokens"]):
        lam = (Ssum[i] @ W) @ X[i]
        assert float(tok["lambda"]) == pytest.approx(lam, rel=1e-12)
        M = W @ (np.eye(d) - np.outer(X[i], X[i])) / lam
        ev = np.linalg.eigvals(M)
        ev = np.delete(ev, np.argmin(np.abs(ev)))          # the 0 of the normal direction
        assert np.allclose(sorted(np.abs(tok["eigenvalues"])), sorted(np.abs(ev)), atol=1e-5)
        for m in np.abs(ev):
            total["contracting" if m < 1 - 1e-6 else "expanding" if m > 1 + 1e-6
                  else "neutral"] += 1
    assert {kk: res["counts"][kk] for kk in total} == total
    assert res["tokens"][0]["counts"]["neutral"] == d - 1            # token 1: unipotent


def test_token1_unipotent_and_degenerate_w():
    for d, w in ((2, 2), (3, 2), (4, Fraction(1, 3))):
        ev = S.token1_unipotent(d, w)
        assert ev.status == "holds" and ev.details["one_jordan_block"]
        assert sp.expand(sp.sympify(ev.details["charpoly"]) - (x - 1) ** (d - 1)) == 0
    ev0 = S.token1_unipotent(3, 0)            # w = 0: identity block, not ONE Jordan block
    assert ev0.status == "fails" and not ev0.details["one_jordan_block"]


def test_stability_table_rows_vs_count_equilibria():
    rows = S.stability_table(3, 3, 3)
    per_k = {}
    for r in rows:
        per_k[r["k"]] = per_k.get(r["k"], 0) + 1
        assert r["contracting"] + r["neutral"] + r["expanding"] + r["open"] == 3 * 2
    assert per_k == jordan.count_equilibria(3, 3, 3)
