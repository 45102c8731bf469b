"""counterexamples.plane: the invariant arcs checked numerically against their fixed
points and ratio ranges (mutation-testing follow-up, issue 8)."""
import math

import sympy as sp

from counterexamples import plane


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
