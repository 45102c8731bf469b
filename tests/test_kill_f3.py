"""counterexamples.f3 (Lemmas 12-13) against independent exact computations
(mutation-testing follow-up, issue 8): the linear map ``W' = I + wJ`` as a SymPy matrix,
the Wilson interval as the roots of its quadratic, Delta from its definition."""
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from counterexamples import f3
from numeric.errors import AssumptionError


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
