"""Appendix E: the N = d = 2 example, Lemma 11, invariant arcs, basin of B (counterexamples.plane)."""
import pytest
import sympy as sp

from counterexamples import plane
from numeric.errors import AssumptionError
from tests.conftest import thorough
import math


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


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.plane: the invariant arcs checked numerically against their fixed)

def test_arc_endpoints_are_the_fixed_points_and_y_ranges_their_tangents():
    for w in (sp.Integer(2), sp.Rational(5, 3), sp.Integer(7)):
        wf = float(w)
        (ax, ay), (bx, by) = ((float(u), float(v)) for u, v in plane.fixed_points(w))
        assert (ax, ay) == (-1 / wf, math.sqrt(1 - 1 / wf ** 2))
        assert (bx, by) == (-1 / wf, -math.sqrt(1 - 1 / wf ** 2))
        arcs = plane.invariant_arcs(w)
        ends = [(float(a["arc"].start), float(a["arc"].end)) for a in arcs]
        tA, tB = math.atan2(ay, ax), math.atan2(by, bx) % (2 * math.pi)
        assert ends[0] == (-math.pi / 2, math.pi / 2)
        assert abs(ends[1][0] - math.pi / 2) < 1e-15 and abs(ends[1][1] - tA) < 1e-14
        assert abs(ends[2][0] - tA) < 1e-14 and abs(ends[2][1] - tB) < 1e-14
        assert abs(ends[3][0] - tB) < 1e-14 and abs(ends[3][1] - 3 * math.pi / 2) < 1e-14
        for a, (lo, hi) in zip(arcs, ends):
            ylo, yhi = (float(v) for v in a["y_range"])
            # the ratio y = tan(theta) runs over y_range on the open arc
            for t, yv in ((lo, ylo), (hi, yhi)):
                if math.isinf(yv):
                    assert abs(math.cos(t)) < 1e-12
                else:
                    assert abs(math.tan(t) - yv) < 1e-12
            assert a["half"] == ("right" if lo < 0 else "left")
        lo, hi = (float(v) for v in (plane.basin_of_B(w).start, plane.basin_of_B(w).end))
        assert (lo, hi) == (ends[2][0], ends[3][1])


def test_basin_check_with_a_non_dyadic_w():
    """w = 5/3 is not a binary fraction: the iteration must use w at full precision."""
    ev = plane.check_basin_numerically(sp.Rational(5, 3), samples=12, steps=250, dps=30)
    assert ev.status == "holds" and ev.details["agree"] >= 20
