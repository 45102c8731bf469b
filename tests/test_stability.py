"""Jacobian stability counts at the Jordan equilibria (counterexamples.stability)."""
from fractions import Fraction

import pytest
import sympy as sp

from counterexamples import jordan, plane, stability
from counterexamples.surds import Surd
from numeric.errors import AssumptionError
from tests.conftest import thorough


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
