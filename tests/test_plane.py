"""Appendix E: the N = d = 2 example, Lemma 11, invariant arcs, basin of B (counterexamples.plane)."""
import pytest
import sympy as sp

from counterexamples import plane
from numeric.errors import AssumptionError
from tests.conftest import thorough


@pytest.mark.parametrize("w", [None, sp.Integer(2), sp.Rational(5, 4)])
def test_fixed_points_and_arcs_symbolic(w):
    for ev in (plane.prove_ratio_maps(w), plane.prove_fixed_points(w),
               plane.prove_invariant_arcs(w)):
        assert ev.status == "holds" and ev.level == "exact", ev


def test_fixed_points_values_and_arcs():
    A, B = plane.fixed_points(sp.Integer(2))
    assert A == (sp.Rational(-1, 2), sp.sqrt(3) / 2) and B == (sp.Rational(-1, 2), -sp.sqrt(3) / 2)
    arcs = plane.invariant_arcs(sp.Integer(2))
    assert [a["limit"] for a in arcs] == [(0, 1), (0, 1), B, B]
    # the four arcs and the four points A, B, (0, 1), (0, -1) tile the circle
    total = sum((a["arc"].measure for a in arcs), sp.Integer(0))
    assert sp.simplify(total - 2 * sp.pi) == 0
    assert plane.basin_of_B(sp.Integer(2)) == sp.Interval.open(2 * sp.pi / 3, 3 * sp.pi / 2)


def test_w_at_most_one_rejected():
    for w in (1, sp.Rational(1, 2)):
        with pytest.raises(AssumptionError, match="w > 1"):
            plane.fixed_points(w)


def test_lemma11():
    ev = plane.lemma11()
    assert ev.status == "holds" and ev.level == "exact"


def test_lemma11_printed_formula_is_a_typo():
    ev = plane.lemma11_paper_formula()
    assert ev.status == "fails" and ev.witness["y"] == 0
    assert ev.witness["true_minus_printed"] == "-1"


def test_basin_of_B_numerically():
    ws = [2, sp.Rational(5, 4)] + ([10, sp.Rational(11, 10)] if thorough() else [])
    for w in ws:
        ev = plane.check_basin_numerically(w, samples=60 if not thorough() else 400, steps=300)
        assert ev.status == "holds", ev
        assert ev.details["agree"] >= 100


def test_basin_negative_control(monkeypatch):
    """A wrong basin (dropping the arc between A and B) must be caught."""
    wrong = lambda w: sp.Interval.open(sp.pi + sp.acos(1 / sp.sympify(w)), 3 * sp.pi / 2)  # noqa
    monkeypatch.setattr(plane, "basin_of_B", wrong)
    ev = plane.check_basin_numerically(2, samples=40, steps=200)
    assert ev.status == "fails" and ev.witness is not None
