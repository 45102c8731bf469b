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
