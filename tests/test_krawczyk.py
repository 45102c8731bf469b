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
import dataclasses
import math
import sympy
from numeric.errors import RankCollapseError


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


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.krawczyk: the pieces of the existence proof checked against independent)

# --------------------------------------------------------------------- dual numbers
def _grad(f, x):
    duals = [kz.Dual(v, np.array([1.0 if a == b else 0.0 for b in range(len(x))],
                                 dtype=object)) for a, v in enumerate(x)]
    r = f(duals)
    return r.v, [float(g) for g in r.g]


def _fd(f, x, h=1e-6):
    """central finite differences on plain floats"""
    out = []
    for a in range(len(x)):
        xp, xm = list(x), list(x)
        xp[a] += h
        xm[a] -= h
        out.append((f(xp) - f(xm)) / (2 * h))
    return out


@pytest.mark.parametrize("expr", [
    lambda v: v[0] - v[1],
    lambda v: v[0] - 3.0,
    lambda v: 3.0 - v[0] * v[1],
    lambda v: -v[0] + v[1] * v[1],
    lambda v: v[0] / v[1],
    lambda v: v[0] / 4.0,
    lambda v: 2.0 / v[1],
    lambda v: (v[0] + 1) * (2 + v[1]),
])
def test_dual_derivatives_match_finite_differences(expr):
    x = [0.7, -1.3]
    val, g = _grad(expr, x)
    assert val == pytest.approx(expr(x), rel=1e-14)
    assert g == pytest.approx(_fd(expr, x), rel=1e-7, abs=1e-9)


def test_dual_exp_and_sqrt_chain_rule():
    x = [0.4, 2.5]
    f = lambda v: kz._exp(v[0] * v[1], kz.KIT_FLOAT) + kz._sqrt(v[1], kz.KIT_FLOAT)
    g_ref = lambda v: math.exp(v[0] * v[1]) + math.sqrt(v[1])
    val, g = _grad(f, x)
    assert val == pytest.approx(g_ref(x)) and g == pytest.approx(_fd(g_ref, x), rel=1e-7)


def test_kits_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        kz.KIT_ARB.name = "x"


# --------------------------------------------------------------------- to_arb
def test_to_arb_is_exact_for_every_input_type():
    assert kz.to_arb(7).is_exact() and kz.to_arb(7) == 7
    assert kz.to_arb(np.int64(-3)) == -3
    assert kz.to_arb(Fraction(-2, 3)).contains(flint.fmpq(-2, 3))
    assert kz.to_arb(0.1).is_exact() and kz.to_arb(0.1) == flint.arb(0.1)
    with mpmath.workdps(40):
        v = -mpmath.mpf(1) / 3
    sign, man, exp, _ = v._mpf_
    exact = flint.fmpq(-int(man) if sign else int(man), 2 ** -int(exp))
    assert kz.to_arb(v).contains(exact)              # sound at any flint precision
    old = flint.ctx.prec
    flint.ctx.prec = 200                             # exact once the precision suffices
    try:
        assert kz.to_arb(v).is_exact() and kz.to_arb(v).contains(exact)
    finally:
        flint.ctx.prec = old
    assert kz.to_arb(mpmath.mpf(0)) == 0
    assert kz.to_arb(sympy.Rational(5, 7)).contains(flint.fmpq(5, 7))
    for bad in (True, mpmath.inf, "1/2", sympy.sqrt(2)):
        with pytest.raises(RankCollapseError):
            kz.to_arb(bad)


# --------------------------------------------------------------------- Newton
def test_newton_default_precision_and_single_step():
    x, info = kz.newton(lambda v: [v[0] * v[0] - 2], [1])
    assert info["converged"]
    with mpmath.workdps(60):
        assert abs(x[0] - mpmath.sqrt(2)) < mpmath.mpf(10) ** -40   # default dps = 50
    # one undamped step is x - f/f' = 1 - (1 - 2)/2 = 3/2, exactly
    x1, info1 = kz.newton(lambda v: [v[0] * v[0] - 2], [1], max_iter=1, damping=False)
    assert x1[0] == mpmath.mpf(3) / 2 and info1["iterations"] == 1 and not info1["converged"]
    # a system: x^2 + y^2 = 1, x = y
    xs, inf2 = kz.newton(lambda v: [v[0] * v[0] + v[1] * v[1] - 1, v[0] - v[1]], [1, 0.5],
                         dps=30)
    assert inf2["converged"] and abs(float(xs[0]) - 2 ** -0.5) < 1e-15


# --------------------------------------------------------------------- Krawczyk
def _f(v):
    return [v[0] * v[0] - 2, v[0] * v[1] - 1]


def test_krawczyk_single_box_and_widths():
    root = [mpmath.sqrt(2), 1 / mpmath.sqrt(2)]
    r = kz.krawczyk(_f, [mpmath.mpf("1.41421356237"), mpmath.mpf("0.70710678118")], 1e-6,
                    inflations=1)
    assert r.ok and r.iterations == 1
    assert all(b.contains(kz.to_arb(x)) for b, x in zip(r.box, root))
    assert r.widths() == [2 * float(b.rad()) for b in r.box]
    assert r.max_width() == max(r.widths()) and r.max_width() == pytest.approx(2e-6, rel=1e-6)


def test_epsilon_inflation_grows_the_box():
    """A box too small to contain the zero is inflated; each inflation at least doubles
    the radius, and the final box contains the zero."""
    c = [mpmath.mpf("1.4142"), mpmath.mpf("0.7071")]      # 1e-5 off the zero
    r0 = 1e-9
    r = kz.krawczyk(_f, c, r0)
    assert r.ok and r.iterations > 1
    assert min(float(b.rad()) for b in r.box) >= r0 * 2 ** (r.iterations - 1) * 0.999
    assert r.box[0].contains(flint.arb(2).sqrt())
    fixed = kz.krawczyk(_f, c, r0, fixed_box=True)
    assert not fixed.ok and fixed.iterations == 1


# --------------------------------------------------------------------- the problem
def test_delta_grid_closed_form():
    for lo, hi in ((-3, 0), (-1, 1), (0, 0)):
        want = sorted({Fraction(m) * Fraction(10) ** e for e in range(lo, hi + 1)
                       for m in (1, 3)} - {v for v in [Fraction(3) * Fraction(10) ** hi]})
        assert kz.delta_grid(lo, hi) == want


def test_perturbation_and_exact_weights():
    ZQ, ZK = kz.perturbation_weights(4, 7, d_qk=2)
    rng = np.random.default_rng(7)
    assert ZQ.shape == ZK.shape == (4, 2)
    assert np.array_equal(ZQ, rng.standard_normal((4, 2)) / 2)       # N(0, 1/d), d = 4
    E = kz._exact_weights(ZQ, Fraction(1, 3))
    assert all(E[i][j] == Fraction(float(ZQ[i, j])) / 3 for i in range(4) for j in range(2))


def test_chain_support_and_eigenvalue_one_counts():
    for n, d, k in ((3, 3, 3), (4, 5, 3), (5, 4, 2)):
        m = n - k + 1
        for i in range(n):
            sup = kz.chain_support(n, d, k, i)
            j = max(0, i - m + 1)
            assert sup == list(range(d - 1 - j, d)) and sup[-1] == d - 1
            ones = kz.transverse_eigenvalue_one(n, d, k, i)
            assert ones == (d - 1 if i == 0 else 0 if i < m else d - len(sup))


def test_token_block_spectrum_against_finite_differences():
    """Tangent linearisation of F_i at a random configuration, from a numpy finite-
    difference Jacobian of the float map, projected on x^perp."""
    rng = np.random.default_rng(5)
    n, d = 3, 3
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    WQ, WK, WV = (rng.standard_normal((d, d)) * 0.5 for _ in range(3))
    M = masks.causal(n)
    i = 2

    def F(x):
        Y = X.tolist()
        Y[i] = list(x)
        return np.array(kz.post_ln_rows(Y, [i], M, WQ.tolist(), WK.tolist(), WV.tolist(),
                                        kz.KIT_FLOAT)[0])

    h = 1e-6
    J = np.column_stack([(F(X[i] + h * e) - F(X[i] - h * e)) / (2 * h) for e in np.eye(d)])
    Q, _ = np.linalg.qr(np.column_stack([X[i], rng.standard_normal((d, d - 1))]))
    B = Q[:, 1:]
    want = np.sort_complex(np.linalg.eigvals(B.T @ J @ B))
    got = np.sort_complex(np.array([complex(v) for v in
                                    kz.token_block_spectrum(X.tolist(), i, M, WQ.tolist(),
                                                            WK.tolist(), WV.tolist())]))
    assert np.allclose(got, want, atol=1e-6)


def test_certified_rank_lower_bound_vs_sympy_rank():
    rng = np.random.default_rng(2)
    for _ in range(4):
        A = rng.integers(-2, 3, size=(4, 3))
        A[3] = A[0] + A[1]                      # a dependent row
        rank = sympy.Matrix(A.tolist()).rank()
        boxes = [[flint.arb(int(v)) for v in row] for row in A]
        for k in range(1, 4):
            ok, info = kz.certified_rank_lower_bound(boxes, k)
            assert ok == (k <= rank)
            if ok:
                sub = sympy.Matrix([[int(A[r, c]) for c in info["columns"]] for r in info["rows"]])
                assert sub.det() != 0


def test_certify_positive_sign_solution_and_coordinates():
    n = d = k = 3
    ev = kz.certify_perturbed(n, d, k, 3, Fraction(1, 100), seed=0)
    assert ev.status == "holds"
    sol = np.array(ev.details["solution"])
    assert sol[0].tolist() == [0.0, 0.0, 1.0]                  # +e_d, exactly
    assert np.allclose(np.linalg.norm(sol, axis=1), 1, atol=1e-14)
    for t in ev.details["tokens"][n - k + 1:]:
        i = t["token"] - 1
        assert t["coordinates"] == [c + 1 for c in kz.chain_support(n, d, k, i)]
        assert all(1 <= c <= d for c in t["coordinates"])
    # the solution is a fixed point of the float map (checked with numpy's attention)
    from numeric.attention import attention
    from numeric.layernorm import layernorm
    ZQ, ZK = kz.perturbation_weights(d, 0)
    WV = np.array(kz._wv_exact(d, 3), dtype=float)
    F = layernorm(attention(sol, ZQ / 100, ZK / 100, masks.causal(n)) @ sol @ WV)
    assert np.allclose(F, sol, atol=1e-12)


def test_largest_certified_delta_defaults_and_near_list():
    grid = [Fraction(1, 100), Fraction(3, 100)]
    a = kz.largest_certified_delta(3, 3, 3, 3, grid=grid, substeps=0)
    b = kz.largest_certified_delta(3, 3, 3, 3, seed=0, grid=grid, substeps=0, dps=40)
    assert a["per_delta"] == b["per_delta"] and a["seed"] == 0
    assert a["largest_certified_delta"] == "3/100"
    near = [p for p in a["per_delta"] if p["delta"] == a["largest_near_delta"]]
    assert near and near[0]["distance_to_jordan"] <= 0.05


def test_largest_near_delta_is_the_last_certified_delta_close_to_jordan():
    """Continuation far from delta = 0: the equilibrium drifts away from the Jordan one;
    ``largest_near_delta`` only counts certified deltas within 0.05 of it."""
    r = kz.largest_certified_delta(4, 4, 2, 4, seed=1, grid=kz.delta_grid(-2, 1), substeps=2)
    held = [p for p in r["per_delta"] if p["status"] == "holds"]
    assert r["largest_certified_delta"] == held[-1]["delta"]
    near = [p["delta"] for p in held if p["distance_to_jordan"] <= 0.05]
    assert r["largest_near_delta"] == near[-1]
    assert any(p["distance_to_jordan"] > 0.05 for p in held)   # the filter matters here
    assert Fraction(r["largest_near_delta"]) < Fraction(r["largest_certified_delta"])


def test_inflation_never_shrinks_a_coordinate():
    """Coordinate 0 of the centre is the zero to 60 digits, coordinate 1 is 1e-5 off: only
    coordinate 1 needs inflating, and epsilon-inflation must not shrink coordinate 0."""
    with mpmath.workdps(60):
        c = [mpmath.sqrt(2), mpmath.mpf("0.7071")]
    r0 = 1e-9
    r = kz.krawczyk(_f, c, r0)
    assert r.ok and r.iterations >= 2
    assert all(float(b.rad()) >= r0 * 2 ** (r.iterations - 1) * 0.999 for b in r.box)
    assert r.box[1].contains(1 / flint.arb(2).sqrt())
