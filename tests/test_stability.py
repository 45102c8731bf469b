"""Jacobian stability counts at the Jordan equilibria (counterexamples.stability)."""
from fractions import Fraction

import pytest
import sympy as sp

from counterexamples import jordan, plane, stability
from counterexamples.surds import Surd
from numeric.errors import AssumptionError
from tests.conftest import thorough
import numpy as np
from counterexamples import jordan, stability as S
from counterexamples.surds import Surd, matrix_to_surd


def test_squarefree_factors():
    s = Surd.rational
    # (x - 1)^2 (x - sqrt 2)
    r2 = Surd.sqrt_of(2)
    p = [-r2, 1 + 2 * r2, -2 - r2, s(1)]
    out = stability.squarefree_factors(p)
    assert [(len(g) - 1, k) for g, k in out] == [(1, 1), (1, 2)]
    res = stability.classify_roots(p)
    assert res["counts"] == {"contracting": 0, "neutral": 2, "expanding": 1, "open": 0}


def test_counts_small_exact():
    rows = stability.stability_table(2, 2, 2)
    byk = {(r["k"], r["signs"]): (r["contracting"], r["neutral"], r["expanding"]) for r in rows}
    assert byk[(2, "++")] == (0, 1, 1) and byk[(2, "+-")] == (1, 1, 0)   # A expands, B contracts
    assert byk[(1, "+")] == (1, 1, 0)
    # the eigenvalues agree with Appendix E: g'(y_A) = 1 + sqrt(3)/2, g'(y_B) = 1 - sqrt(3)/2
    tA = stability.equilibrium_stability(2, 2, 2, 2, (1, 1))["tokens"][1]["eigenvalues"][0]
    tB = stability.equilibrium_stability(2, 2, 2, 2, (1, -1))["tokens"][1]["eigenvalues"][0]
    assert abs(tA.real - (1 + 3 ** 0.5 / 2)) < 1e-6 and abs(tB.real - (1 - 3 ** 0.5 / 2)) < 1e-6
    cases = [(3, 3, 2), (3, 3, 3)] + ([(4, 4, 3), (4, 4, 4)] if thorough() else [])
    for n, d, w in cases:
        for r in stability.stability_table(n, d, w):
            assert r["open"] == 0
            assert r["contracting"] + r["neutral"] + r["expanding"] == n * (d - 1)
            assert r["per_token"][0] == {"contracting": 0, "neutral": d - 1, "expanding": 0, "open": 0}
    # the overall sign s_0 does not change the counts (F is odd)
    t = {r["signs"]: r for r in stability.stability_table(3, 3, 3)}
    assert all(t[s][key] == t["-" + s[1:]][key] for s in t if s[0] == "+"
               for key in ("contracting", "neutral", "expanding"))


def test_token1_block_unipotent_and_e_d_block():
    for d in (2, 3, 4, 5):
        assert stability.token1_unipotent(d, 3).ok
    assert not stability.token1_unipotent(3, 0).ok          # w = 0: identity, not one block
    r = stability.equilibrium_stability(4, 4, 1, 3)
    for t in r["tokens"][1:]:
        i = t["token"]
        assert all(abs(z - 1 / i) < 1e-6 for z in t["eigenvalues"])    # rounded to 6 places


def test_block_formula_finite_differences():
    X = jordan.equilibrium(3, 3, 3, 2, (1, -1, 1))
    assert stability.check_block_formula(X, 2).ok
    # negative control: a perturbed diagonal block is detected
    bl = stability.diagonal_blocks(X, 2)
    bl[1]["M"] = [[v * Fraction(101, 100) for v in row] for row in bl[1]["M"]]
    ev = stability.check_block_formula(X, 2, blocks=bl)
    assert ev.status == "fails" and ev.witness["block (i, j)"][0] == 2
    # and its counts change: the perturbed token-2 block has no eigenvalue exactly 1 left
    q = stability.tangent_charpoly(bl[1]["M"])
    assert stability.classify_roots(q)["counts"]["neutral"] == 0


def test_not_an_equilibrium_rejected():
    X = jordan.equilibrium(3, 3, 3, 2, (1, 1, 1))
    Y = X.copy()
    Y[2, :] = sp.Matrix([[0, 0, 1]])
    with pytest.raises(AssumptionError, match="equilibrium"):
        stability.diagonal_blocks(Y, 2)


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.stability against SymPy / numpy (mutation-testing follow-up, issue 8):)

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
