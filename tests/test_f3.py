"""Appendix F.3, Lemmas 12-13 with token 1 held at e_d (counterexamples.f3)."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from counterexamples import f3
from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import AssumptionError, RankCollapseError
from tests.conftest import thorough
import math
import sympy as sp


def test_lemma12_symbolic():
    ev = f3.lemma12((3, 4, 5) if thorough() else (3, 4))
    assert ev.status == "holds" and ev.level == "exact", ev


def test_printed_ratio_formula_typo():
    ev = f3.printed_ratio_formula()
    assert ev.status == "fails" and ev.witness is not None
    assert ev.details["factorised_form_correct"] is True
    assert ev.details["true"] == Fraction(-1, 4) and ev.details["printed"] == Fraction(-1, 2)


def test_boundary_identity_and_d3():
    assert f3.boundary_identity((3, 4, 5)).ok
    ev = f3.lemma13_d3()
    assert ev.status == "holds" and ev.level == "exact", ev


def test_lemma13_fails_for_d4_with_exact_witness():
    b = f3.boundary_witness(4, 2)
    assert b["exits_at_step_1"] and b["hypotheses"]["all"] and b["Delta0"] < 0
    assert b["head"] == [Fraction(-3, 10), Fraction(-3, 1000), Fraction(-1, 2)]
    assert b["x_(d-1)(1)"] > -0.5
    inner = f3.interior_witness(4, 2)
    assert inner["found"] and inner["strictly_inside"] and sum(v * v for v in inner["x"]) == 1
    # high precision: leaves at t = 1, comes back at t = 2 and converges to B
    run = f3.simulate_token2(b["head"], 2, T=1000, dps=50)
    assert run["first_exit"] == 1 and run["back_in"] == 2 and run["dist_to_B"] < 2e-3
    ev = f3.lemma13(4, 2)
    assert ev.status == "fails" and ev.narrower
    assert f3.lemma13(5, Fraction(3, 2)).status == "fails"
    assert f3.lemma13(3, 2).status == "holds"


def test_negative_controls():
    # d = 3 has no witness: the lemma holds there
    with pytest.raises(AssumptionError, match="d >= 4"):
        f3.boundary_witness(3, 2)
    with pytest.raises(AssumptionError, match="w > 1"):
        f3.hypotheses([Fraction(-1, 2), Fraction(-1, 2)], 1)
    # violating "x_i < 0": d = 3, x_1 > 0 on the boundary x_2 = -1/w leaves at once
    head = [Fraction(1, 5), Fraction(-1, 2)]
    assert not f3.hypotheses(head, 2)["negative_leading"]
    assert f3.simulate_token2(head, 2, T=5)["first_exit"] == 1


def test_simulate_token2_matches_numeric_dynamics():
    head = [Fraction(-1, 5), Fraction(-3, 5)]
    xd = -np.sqrt(1 - 0.04 - 0.36)
    run = f3.simulate_token2(head, 2, T=30, dps=40, last_sign=-1)
    X0 = np.array([[0.0, 0.0, 1.0], [-0.2, -0.6, xd]])
    W = np.eye(3) + 2 * np.eye(3, k=1)
    Z = np.zeros((3, 1))
    tr = simulate(X0, masks.causal(2), (Z, Z, W), 30, mode="post-ln", backend="mpmath:40")
    Xt = tr.as_float()[-1]
    assert np.allclose(Xt[0], [0, 0, 1], atol=0)          # token 1 stays exactly at e_d
    assert np.allclose(Xt[1], run["x_T"], atol=1e-14)     # xd differs from the exact root by 1 ulp


def test_exit_fraction_numeric():
    r3 = f3.exit_fraction(3, 2.0, 300, 200)
    r5 = f3.exit_fraction(5, 2.0, 300, 200)
    assert r3["left"] == 0 and r3["fraction_at_B"] == 1.0
    assert r5["wilson95"][0] > 0.1 and r5["fraction_at_B"] == 1.0


@st.composite
def lemma13_inputs(draw):
    d = draw(st.sampled_from([3, 4, 5]))
    w = Fraction(draw(st.integers(11, 40)), 10)
    u = Fraction(draw(st.integers(0, 100)), 100)
    last = -(1 / w + u * (1 - 1 / w) * Fraction(9, 10))           # x_(d-1) in [-1, -1/w]
    room = 1 - last * last
    raw = [Fraction(draw(st.integers(1, 100)), 100) for _ in range(d - 2)]
    scale = Fraction(draw(st.integers(1, 99)), 100)
    s = sum(r * r for r in raw)
    head = [-(r * scale) for r in raw]
    if sum(v * v for v in head) > room * Fraction(99, 100):
        k = Fraction(int(100 * (room / s) ** 0.5 * 0.9), 100)
        head = [-(r * k) for r in raw]
    head = head + [last]
    return d, w, head, draw(st.sampled_from([1, -1]))


@settings(max_examples=10 if not thorough() else 200)
@given(lemma13_inputs())
def test_invariance_matches_exact_certificate_hp(data):
    d, w, head, sgn = data
    hyp = f3.hypotheses(head, w)
    assume(hyp["all"])
    T = 3000 if thorough() else 300
    run = f3.simulate_token2(head, w, T=T, dps=40, last_sign=sgn)
    cert = f3.invariance_certificate(head, w)
    if d == 3:
        assert cert["all_nonneg"] and run["first_exit"] is None
    if cert["all_nonneg"]:
        assert run["first_exit"] is None, (head, w, run)
    if run["first_exit"] is not None:       # an exit needs Delta < 0 at some earlier step
        assert cert["first_negative_t"] is not None and cert["first_negative_t"] < run["first_exit"]
    assert run["dist_to_B"] < 0.05          # non-collapse: token 2 still goes to B


# ------------------------------------------------------------------ round 3 (mutation)
def test_invariance_certificate_horizon_without_nonnegative_roots():
    """head (-1/10, -1/10, -6/10), w = 2: rho(0) = (1, 1, 6) and Delta(rho(t)) = 48 t^3 +
    72 t^2 + 184 t + 76 (all coefficients positive: no real root >= 0, by Descartes), so the
    exact orbit check covers t = 0 and 1 (the first integer past every root, plus one) and
    the leading coefficient settles the rest."""
    import sympy as sp
    head = [Fraction(-1, 10), Fraction(-1, 10), Fraction(-6, 10)]
    P = f3.delta_polynomial([v / head[0] for v in head], 2)
    t = sp.Symbol("t")
    assert sp.expand(P.as_expr() - (48 * t ** 3 + 72 * t ** 2 + 184 * t + 76)) == 0
    cert = f3.invariance_certificate(head, 2)
    assert cert == {"all_nonneg": True, "first_negative_t": None, "degree": 3,
                    "checked_up_to": 1}


def test_interior_witness_defaults():
    """Defaults d = 4, w = 2, push = 1/100: x_(d-1)(0) = -1/2 - (1/100)/2 = -0.505 up to
    the 1e-9 rounding of rational_unit_vector."""
    inner = f3.interior_witness()
    assert inner["found"] and len(inner["x"]) == 4
    assert abs(float(inner["x"][-2]) + 0.505) < 1e-8
    assert sum(v * v for v in inner["x"]) == 1


def test_rational_unit_vector_refuses_the_pole():
    """The stereographic projection from -e_1 divides by 1 + v_1: refused at the pole and
    within 1e-9 of it, with a one-line error."""
    with pytest.raises(RankCollapseError, match="pole"):
        f3.rational_unit_vector([-1.0, 0.0, 0.0])
    with pytest.raises(RankCollapseError, match="pole"):
        f3.rational_unit_vector([-1.0, 1e-6, 0.0])      # v_1 = -1 + 5e-13 after normalising
    x = f3.rational_unit_vector([-1.0, 1e-3, 0.0])      # v_1 = -1 + 5e-7: allowed
    assert sum(c * c for c in x) == 1 and float(x[0]) < -0.99999


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.f3 (Lemmas 12-13) against independent exact computations)

def _WV(n, w):
    """``I + wJ`` in the row convention: ``(x W)_i = x_i + w x_{i-1}``."""
    return sp.eye(n) + sp.Rational(w) * sp.Matrix(n, n, lambda i, j: 1 if j == i + 1 else 0)


def _frac(v):
    v = sp.Rational(v)
    return Fraction(int(v.p), int(v.q))


def test_token2_step_is_x_WV_plus_e_d():
    x = [Fraction(-1, 3), Fraction(2, 7), Fraction(-2, 5), Fraction(1, 4)]
    for w in (2, Fraction(5, 3)):
        want = sp.Matrix([x]) * _WV(4, sp.Rational(str(w))) + sp.Matrix([[0, 0, 0, 1]])
        assert f3.token2_step(x, w) == [_frac(v) for v in want]


def test_ratios_at_is_a_matrix_power():
    rho0 = [Fraction(1), Fraction(3, 2), Fraction(-1, 5)]
    w = Fraction(7, 3)
    for t in (0, 1, 4):
        want = sp.Matrix([rho0]) * _WV(3, sp.Rational(7, 3)) ** t
        assert f3.ratios_at(rho0, w, t) == [_frac(v) for v in want]


def _delta_def(rho, w):
    w = sp.Rational(str(w))
    r = sp.Matrix([[sp.Rational(str(v)) for v in rho]])
    nxt = r * _WV(len(rho), w)
    return (w ** 2 * (nxt[-1] ** 2 - r[-1] ** 2)
            - (sum(v ** 2 for v in nxt) - sum(v ** 2 for v in r)))


def test_delta_and_its_polynomial_agree_with_the_definition():
    for rho0, w in (([1, Fraction(3, 2), Fraction(5, 4)], 2),
                    ([1, Fraction(1, 100), Fraction(5, 3), Fraction(1, 2)], Fraction(3, 2))):
        assert _frac(_delta_def(rho0, w)) == f3.delta([Fraction(v) for v in rho0], Fraction(w))
        P = f3.delta_polynomial(rho0, w)
        for t in range(6):
            rho_t = f3.ratios_at(rho0, w, t)
            assert _frac(P.eval(t)) == _frac(_delta_def(rho_t, w))


def test_wilson_interval_is_the_root_pair_of_its_quadratic():
    z = 1.959963984540054
    for k, n in ((0, 100), (7, 40), (20, 20), (3, 1000)):
        p = k / n
        # |p - q| <= z sqrt(q (1 - q) / n)  <=>  (1 + z^2/n) q^2 - (2p + z^2/n) q + p^2 <= 0
        lo, hi = sorted(np.roots([1 + z * z / n, -(2 * p + z * z / n), p * p]).real)
        got = f3.wilson(k, n)
        assert got[0] == pytest.approx(max(0.0, lo), abs=1e-12)
        assert got[1] == pytest.approx(min(1.0, hi), abs=1e-12)


def test_hypotheses_match_their_definitions():
    w = Fraction(2)
    for head in ([Fraction(-3, 10), Fraction(-3, 1000), Fraction(-1, 2)],
                 [Fraction(-1, 2), Fraction(-1, 2), Fraction(-3, 5)],
                 [Fraction(1, 5), Fraction(-7, 10)],
                 [Fraction(-1, 5), Fraction(-2, 5)]):
        h = f3.hypotheses(head, w)
        f0 = sum(v * v for v in head[:-1]) / head[-1] ** 2
        assert h["f0"] == f0
        assert h["negative_leading"] == all(v < 0 for v in head[:-1])
        assert h["region"] == (head[-1] <= -1 / w)
        assert h["ineq_41"] == bool(sp.Rational(f0.numerator, f0.denominator)
                                    <= sp.sqrt(sp.Rational(w) ** 2 - 1))
        assert h["all"] == (h["negative_leading"] and h["region"] and h["ineq_41"])
    # x_(d-1) = 0: f is undefined, (41) cannot hold -- answered, not crashed
    h = f3.hypotheses([Fraction(-1, 2), Fraction(0)], w)
    assert h["f0"] is None and h["ineq_41"] is False and h["all"] is False
    for bad_w in (1, Fraction(1, 2), 0):
        with pytest.raises(AssumptionError, match="w > 1"):
            f3.hypotheses([Fraction(-1, 2), Fraction(-1, 2)], bad_w)


def test_printed_ratio_formula_refuses_non_unit_tokens():
    with pytest.raises(AssumptionError, match="unit"):
        f3.printed_ratio_formula(2, (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)))


def test_boundary_witness_numbers_recomputed():
    b = f3.boundary_witness(4, 2)
    head, w = b["head"], Fraction(2)
    xd2 = 1 - sum(v * v for v in head)
    assert b["x_d_squared"] == xd2
    # z = x W' + e_d with x_(d-1) = -1/w: z_d = x_d, so |z|^2 is rational
    z = [head[0], head[1] + w * head[0], head[2] + w * head[1]]
    nz2 = sum(v * v for v in z) + xd2
    assert b["gap"] == nz2 - w * w * z[-1] ** 2 and b["gap"] > 0
    assert b["x_(d-1)(1)"] == pytest.approx(z[-1] / math.sqrt(nz2), rel=1e-12)
    assert b["Delta0"] == _frac(_delta_def([v / head[0] for v in head], w))


def test_interior_witness_is_near_the_pushed_boundary_start():
    b = f3.boundary_witness(4, 2)
    inner = f3.interior_witness(4, 2)
    x = inner["x"]
    assert sum(v * v for v in x) == 1
    want = [float(v) for v in b["head"]]
    want[-1] -= 0.01 / 2                                  # push / w, push = 1/100
    assert np.allclose([float(v) for v in x[:-1]], want, atol=1e-8)
    assert x[-1] < 0


def test_rational_unit_vector_is_unit_and_close():
    rng = np.random.default_rng(0)
    for _ in range(5):
        v = rng.standard_normal(4)
        x = f3.rational_unit_vector(v)
        assert sum(c * c for c in x) == 1
        assert np.allclose([float(c) for c in x], v / np.linalg.norm(v), atol=1e-8)


def test_simulate_token2_margin_against_float_iteration():
    head = [Fraction(-1, 5), Fraction(-3, 5)]
    w = 2
    run = f3.simulate_token2(head, w, T=20, dps=30, last_sign=-1)
    x = np.array([-0.2, -0.6, -math.sqrt(1 - 0.04 - 0.36)])
    margins = []
    for _ in range(20):
        z = x.copy()
        z[1:] += w * x[:-1]
        z[-1] += 1
        x = z / np.linalg.norm(z)
        margins.append(-1 / w - x[-2])
    assert run["first_exit"] is None and run["back_in"] is None
    assert run["min_margin"] == pytest.approx(min(margins), abs=1e-12)
    assert np.allclose(run["x_T"], x, atol=1e-12)
    B = np.array([0, -1 / w, -math.sqrt(1 - 1 / w ** 2)])
    assert run["dist_to_B"] == pytest.approx(np.linalg.norm(x - B), abs=1e-12)


def test_exit_fraction_counts_every_step():
    """Exits seen at step 1 of a long run are exits of a one-step run; more steps never
    reduce the number of starts that left."""
    long = f3.exit_fraction(5, 2.0, 300, 60)
    one = f3.exit_fraction(5, 2.0, 300, 1)
    two = f3.exit_fraction(5, 2.0, 300, 2)
    assert long["left"] > 0 and all(1 <= t <= 60 for t in long["exit_times_seen"])
    assert one["left"] <= two["left"] <= long["left"]
    assert (one["left"] > 0) == (1 in long["exit_times_seen"])
    assert one["exit_times_seen"] in ([], [1])


def test_lemma12_default_dimensions_hold():
    """Lemma 12 proved symbolically for d = 3, 4, 5 (the default), each part exact."""
    ev = f3.lemma12()
    assert ev.status == "holds" and ev.level == "exact"
    assert ev.details["dims"] == [3, 4, 5]
