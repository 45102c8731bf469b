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


# ------------------------------------------------------------------ round 3 (mutation)
def test_newton_reports_a_singular_jacobian():
    """G(x) = x^2 + 1 at x0 = 0: G'(0) = 0, the Newton system is singular at once."""
    x, info = kz.newton(lambda v: [v[0] * v[0] + 1], [0.0], dps=30)
    assert info == {"converged": False, "iterations": 1, "reason": "singular or invalid"}
    assert x == [0]


def test_newton_substeps_use_the_invariant_subspace_by_default():
    """N = 3, d = 4, k = 3: chain token 3 has transverse_eigenvalue_one = d - |support| =
    4 - 3 = 1 direction with eigenvalue exactly 1, so Newton in the full R^4 meets a
    singular system; the default (subspace) Newton-only sub-step solves every chain token,
    and the coordinates outside chain_support stay exact zeros."""
    n, d, k, w = 3, 4, 3, 2
    WV = kz._wv_exact(d, w)
    ZQ, ZK = kz.perturbation_weights(d, 0)
    with mpmath.workdps(40):
        start = [[kz._to_mpf(v) for v in r] for r in kz._jordan_start(n, d, k, w, None)]
    assert kz.transverse_eigenvalue_one(n, d, k, 2) == 1
    sol, toks, _ = kz._solve_and_certify(n, d, k, WV, ZQ, ZK, Fraction(1, 10), start, 40,
                                         certify=False)
    assert [t["status"] for t in toks] == ["exact", "newton", "newton"]
    for i in (1, 2):
        sup = kz.chain_support(n, d, k, i)
        assert sup == list(range(d - 1 - i, d))
        assert all(sol[i][a] == 0 for a in range(d) if a not in sup)
    _, full, _ = kz._solve_and_certify(n, d, k, WV, ZQ, ZK, Fraction(1, 10), start, 40,
                                       subspace=False, certify=False)
    assert full[-1]["status"] == "open"


def test_rank_certificate_at_the_requested_precision():
    """N = d = k = 3, delta = 1/100, dps = 50: the chain boxes are ~1e-49 wide, and the
    3 x 3 determinant of the distinct rows (token 1 and the chain) is computed at >= 50
    digits: its radius stays below 1e-47, and its value is the float64 determinant of the
    reported solution rows."""
    ev = kz.certify_perturbed(3, 3, 3, 2, Fraction(1, 100))
    assert ev.status == "holds"
    cert = ev.details["rank_certificate"]
    mid, rad = cert["det"].strip("[]").split("+/-")
    assert float(rad) < 1e-47
    X = np.array(ev.details["solution"])
    rows = X[[0, 1, 2]][:, cert["columns"]]
    assert float(mid) == pytest.approx(np.linalg.det(rows), rel=1e-12)


def test_delta_grid_default():
    """1 and 3 times 10^e for e = -6..-1, then 1: thirteen exact values."""
    g = kz.delta_grid()
    assert g == [Fraction(c, 10 ** k) for k in range(6, 0, -1) for c in (1, 3)] + [Fraction(1)]
    assert len(g) == 13 and g[0] == Fraction(1, 10 ** 6) and g[-1] == 1


def test_token_records_numbering_and_reasons():
    """N = d = 4, k = 3: m = N - k + 1 = 2 tokens held exactly at +-e_d (token 1: the
    unipotent block; token 2: attends only to +-e_d), chain tokens 3 and 4 certified.
    Records are numbered 1..N, also in Newton-only sub-steps and when Newton fails."""
    ev = kz.certify_perturbed(4, 4, 3, 2, Fraction(1, 100))
    toks = ev.details["tokens"]
    assert [t["token"] for t in toks] == [1, 2, 3, 4]
    assert [t["status"] for t in toks] == ["exact", "exact", "certified", "certified"]
    assert "unipotent" in toks[0]["reason"] and "unipotent" not in toks[1]["reason"]
    assert "every token it attends to equals +-e_d" in toks[1]["reason"]
    n, d, k, w = 3, 4, 3, 2
    WV = kz._wv_exact(d, w)
    ZQ, ZK = kz.perturbation_weights(d, 0)
    with mpmath.workdps(40):
        start = [[kz._to_mpf(v) for v in r] for r in kz._jordan_start(n, d, k, w, None)]
    _, sub, _ = kz._solve_and_certify(n, d, k, WV, ZQ, ZK, Fraction(1, 10), start, 40,
                                      certify=False)
    assert [t["token"] for t in sub] == [1, 2, 3]
    _, full, _ = kz._solve_and_certify(n, d, k, WV, ZQ, ZK, Fraction(1, 10), start, 40,
                                       subspace=False, certify=False)
    assert full[-1]["token"] == 3 and full[-1]["reason"] == "Newton failed"


def test_continuation_substeps_are_geometric(monkeypatch):
    """Between grid points 1/100 and 1/10 the two Newton-only sub-steps are at
    (1/100) 10^(1/3) = 0.021544 and (1/100) 10^(2/3) = 0.046416 (geometric, increasing)."""
    seen = []
    real = kz._solve_and_certify

    def spy(n, d, k, WV, ZQ, ZK, delta, *a, **kw):
        if kw.get("certify") is False:
            seen.append(float(delta))
        return real(n, d, k, WV, ZQ, ZK, delta, *a, **kw)
    monkeypatch.setattr(kz, "_solve_and_certify", spy)
    r = kz.largest_certified_delta(3, 3, 3, 2, grid=[Fraction(1, 100), Fraction(1, 10)])
    assert r["largest_certified_delta"] == "1/10"
    assert seen == [pytest.approx(0.01 * 10 ** (1 / 3), rel=1e-9),
                    pytest.approx(0.01 * 10 ** (2 / 3), rel=1e-9)]
