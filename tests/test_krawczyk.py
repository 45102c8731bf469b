"""Certified persistence of the Theorem 3 equilibria for small W_Q, W_K (counterexamples.krawczyk)."""
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest

from counterexamples import krawczyk as kz
from numeric import masks
from numeric.attention import attention
from numeric.layernorm import layernorm
from rankcollapse.cli import main
from tests.conftest import thorough


def test_map_agrees_with_numeric():
    """The scalar map used for Newton/Krawczyk is numeric's post-LN map."""
    rng = np.random.default_rng(3)
    for M in (masks.causal(4), masks.complete(4), masks.sliding_window(4, 1)):
        X = rng.standard_normal((4, 3))
        WQ, WK, WV = (rng.standard_normal((3, 3)) for _ in range(3))
        ref = layernorm(attention(X, WQ, WK, M) @ X @ WV)
        got = kz.post_ln_rows(X.tolist(), range(4), M, WQ.tolist(), WK.tolist(), WV.tolist(),
                              kz.KIT_FLOAT)
        assert np.allclose(ref, np.array(got), atol=1e-12)


def test_to_arb_keeps_sign_of_mpf():
    # mpmath's mpf.man_exp drops the sign; the conversion must not
    assert kz.to_arb(mpmath.mpf("-0.5")).contains(flint.arb(-0.5))
    assert not kz.to_arb(mpmath.mpf("-0.5")).contains(flint.arb(0.5))


def test_krawczyk_controls():
    f = lambda v: [v[0] * v[0] - 2, v[0] * v[1] - 1]
    good = kz.krawczyk(f, [mpmath.mpf("1.41421356"), mpmath.mpf("0.70710678")], 1e-6)
    assert good.ok and good.K[0].contains(flint.arb(2).sqrt())
    # a box that contains no zero fails
    assert not kz.krawczyk(f, [1.6, 0.7], 0.05, fixed_box=True).ok
    # a box around a wrong point, small enough to miss the zero, fails
    assert not kz.krawczyk(f, [1.4142, 0.7071], 1e-9, fixed_box=True).ok
    # singular midpoint Jacobian (double root) is reported, not certified
    dbl = kz.krawczyk(lambda v: [v[0] * v[0]], [0.0], 1e-3)
    assert not dbl.ok


def test_persistence_small_delta_all_ranks():
    cases = [(3, 3, 3), (3, 5, 3)] + ([(4, 4, 4), (4, 4, 3)] if thorough() else [])
    for n, d, w in cases:
        for k in range(1, min(n, d) + 1):
            ev = kz.certify_perturbed(n, d, k, w, Fraction(1, 100), seed=0)
            assert ev.status == "holds" and ev.level == "certified", (n, d, k, ev.details)
            toks = ev.details["tokens"]
            m = n - k + 1
            assert [t["status"] for t in toks[:m]] == ["exact"] * m
            assert all(t["status"] == "certified" and t["width"] < 1e-30 for t in toks[m:])
            assert ev.details["distance_to_jordan"] < 1e-3
            assert len(ev.details["rank_certificate"]["columns"]) == k


def test_negative_sign_equilibrium():
    ev = kz.certify_perturbed(3, 3, 3, 3, Fraction(1, 100), seed=1, signs=[-1, 1, -1])
    assert ev.status == "holds"
    assert ev.details["solution"][0] == [0.0, 0.0, -1.0]


def test_unipotent_token1_detected_and_handled():
    W = [[1, 3, 0], [0, 1, 3], [0, 0, 1]]
    Z = [[0] * 3 for _ in range(3)]
    M = masks.causal(3)
    ev = kz.token_block_spectrum([[0, 0, 1]] * 3, 0, M, Z, Z, W)
    assert all(abs(v - 1) < 1e-30 for v in ev)
    assert kz.transverse_eigenvalue_one(3, 3, 3, 0) == 2
    # Krawczyk on token 1 itself cannot isolate it
    WV = [[kz.to_arb(v) for v in r] for r in W]
    Za = [[kz.to_arb(0)] * 3 for _ in range(3)]

    def G1(x):
        f = kz.post_ln_rows([x], [0], M[:1, :1], Za, Za, WV, kz.KIT_ARB)[0]
        return [a - b for a, b in zip(x, f)]

    assert not kz.krawczyk(G1, [0.0, 0.0, 1.0]).ok
    # ... and certify_perturbed fixes it exactly instead
    r = kz.certify_perturbed(3, 3, 3, 3, Fraction(1, 100), seed=0)
    assert r.details["tokens"][0]["status"] == "exact"


def test_transverse_degeneracy_needs_the_subspace():
    """Chain token 1 of N = d = 3 uses 2 of 3 coordinates: eigenvalue exactly 1 across,
    for every W_Q, W_K; the full-R^d formulation must fail, the subspace one passes."""
    delta = Fraction(1, 100)
    full = kz.certify_perturbed(3, 3, 3, 3, delta, seed=0, subspace=False)
    assert full.status == "open" and full.details["tokens"][1]["status"] == "open"
    sol = kz.certify_perturbed(3, 3, 3, 3, delta, seed=0).details["solution"]
    ZQ, ZK = kz.perturbation_weights(3, 0)
    ev = kz.token_block_spectrum(sol, 1, masks.causal(3), kz._exact_weights(ZQ, delta),
                                 kz._exact_weights(ZK, delta), kz._wv_exact(3, 3))
    assert sum(abs(v - 1) < 1e-9 for v in ev) == kz.transverse_eigenvalue_one(3, 3, 3, 1) == 1


def test_threshold_w_is_degenerate_open():
    # |w| = N-k+1: the first chain token is degenerate inside its subspace -> open, not holds
    ev = kz.certify_perturbed(3, 3, 2, 2, Fraction(1, 10 ** 6), seed=0)
    assert ev.status == "open"


def test_large_delta_reported_open_not_holds():
    r = kz.largest_certified_delta(4, 4, 2, 4, seed=1, grid=kz.delta_grid(-2, 1), substeps=2)
    assert r["largest_certified_delta"] is not None
    assert r["first_failure"] is not None
    fail = [p for p in r["per_delta"] if p["delta"] == r["first_failure"]["delta"]][0]
    assert fail["status"] == "open"
    assert Fraction(r["largest_certified_delta"]) < Fraction(r["first_failure"]["delta"])


def test_bad_inputs():
    with pytest.raises(Exception, match="rational w"):
        kz.certify_perturbed(3, 3, 3, "sqrt(50)", Fraction(1, 100))
    with pytest.raises(Exception, match="delta"):
        kz.certify_perturbed(3, 3, 3, 3, 0.01)
    with pytest.raises(Exception, match="delta"):
        kz.certify_perturbed(3, 3, 3, 3, Fraction(-1, 100))


def test_cli_certify_delta(capsys):
    assert main(["counterexample", "--n", "3", "--d", "3", "--rank", "3", "--w", "3",
                 "--certify-delta", "0.01", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "token 3: certified" in out and "token 1: exact" in out
    assert main(["counterexample", "--n", "3", "--d", "3", "--rank", "2", "--w", "2",
                 "--certify-delta", "1/1000000"]) == 1
    assert "open" in capsys.readouterr().out
    assert main(["counterexample", "--n", "3", "--d", "3", "--w", "3",
                 "--certify-delta", "abc"]) == 2
