"""Theorem 3 (2) for the coupled N = d = 2 system: certified traps and boxes
(:mod:`counterexamples.coupled_proof`), with negative controls and independent re-runs."""
from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import numpy as np
import pytest

from counterexamples import coupled_proof as cp
from counterexamples.coupled import basin_fraction, step_batch, value_matrix_float
from numeric.errors import RankCollapseError


@pytest.fixture(scope="module")
def w2():
    ev, res = cp.prove(2, depth=2, soundness=6, seed=0)
    return ev, res


def test_traps_certified_and_wrong_traps_rejected():
    traps = cp.find_traps(Fraction(2))
    apart = [t for t in traps if t.kind == "apart"]
    assert apart and all(t.cert["status"] == "holds" for t in traps)
    t = apart[0]
    assert t.cert["separation_c"] > 0.1
    assert abs(t.cert["dG/dtheta_at_B"] - (1 - math.sqrt(3) / 2)) < 1e-9   # g'(y_B), App. E
    assert t.cert["limit"].startswith("+B")
    # negative controls of the trap test itself
    low = cp.Trap("apart", t.phi_c, Fraction(19, 10), t.D)        # j_lo below theta_A
    assert cp.certify_trap(low, Fraction(2))["status"] == "fails"
    wide = cp.Trap("apart", t.phi_c, t.a, Fraction(22, 7))        # D > pi
    assert cp.certify_trap(wide, Fraction(2))["status"] == "fails"
    early = cp.Trap("apart", Fraction(1, 10), t.a, t.D)          # cone too wide for j_lo
    assert cp.certify_trap(early, Fraction(2))["status"] == "fails"


def test_theorem_certified_and_sound(w2):
    ev, res = w2
    assert ev.status == "holds" and ev.level == "certified" and ev.scope.kind == "universal"
    m = res["certified_measure"]
    assert isinstance(m, Fraction) and m == 2 * sum(cp.box_measure(b) for b, _, _ in
                                                    res["apart_boxes"])
    lo, hi = ev.details["non_collapsing_fraction_enclosure"]
    assert 0 < lo <= hi < 1
    # same units as the Monte Carlo: a certified bound outside its interval would be a bug
    mc = basin_fraction(2, 2, 2.0, samples=3000, T=300, seed=1)
    assert lo <= mc["wilson95"][1] and hi >= mc["wilson95"][0]
    assert lo >= 0.8 * 0.0765 * 0.8            # depth 2 already certifies most of it
    rows = ev.details["certified_boxes"]
    assert set(rows[0]) >= {"theta1_lo", "theta1_hi", "theta2_lo", "theta2_hi"}
    assert all(-math.pi / 2 < r["theta1_lo"] < r["theta1_hi"] <= math.pi / 2 for r in rows)
    snd = ev.details["soundness_apart"]
    assert snd["ok"] and snd["points"] == 6
    for r in snd["runs"]:      # token 2 ends at +sign(x_11) B, never at -sign(x_11) B
        assert r["dist_to_sign(x11)B"] < 0.01 < r["dist_to_-sign(x11)B"]
        assert r["min_abs_det_t>=50"] > 0.1
    assert ev.details["soundness_collapse"]["ok"]


def test_corner_enclosure_contains_true_trajectories(w2):
    """The arb corner enclosure of a box contains float64 runs of the REAL update
    (step_batch: LN(cumsum(X) W)) from random points of the box, step by step."""
    _, res = w2
    rng = random.Random(3)
    boxes = [b for b, _, _ in res["apart_boxes"][:3] + res["collapse_boxes"][:3]]
    W = value_matrix_float(2, 2.0)
    for box in boxes:
        a, b, c, e = box
        s = cp._lift(box)
        with cp._prec(96):
            cache = cp._Cache(cp._arb(Fraction(2)))
            lo = 2 * cp._pi() * cp._arb(c + s)
            hi = 2 * cp._pi() * cp._arb(e + s)
            pts = [(2 * math.pi * (float(a) + (float(b) - float(a)) * rng.random()),
                    2 * math.pi * (float(c) + (float(e) - float(c)) * rng.random()))
                   for _ in range(20)]
            X = np.array([[[math.cos(p), math.sin(p)], [math.cos(q), math.sin(q)]]
                          for p, q in pts])
            for t in range(8):
                plo, phi = cache.phi_at(a, t), cache.phi_at(b, t)
                th = np.arctan2(X[:, 1, 1], X[:, 1, 0])
                ph = np.arctan2(X[:, 0, 1], X[:, 0, 0])
                for x, y in zip(th, ph):
                    assert float(plo.lower()) - 1e-9 <= y <= float(phi.upper()) + 1e-9
                    k = round((float(lo.mid()) - x) / (2 * math.pi))
                    xl = x + 2 * math.pi * k
                    assert float(lo.lower()) - 1e-9 <= xl <= float(hi.upper()) + 1e-9
                lo, hi = cp.G(plo, lo, cache.w), cp.G(phi, hi, cache.w)
                X = step_batch(X, W)


@pytest.mark.parametrize("w", [Fraction(4, 5), Fraction(1)])
def test_negative_control_no_box_when_every_equilibrium_is_rank_one(w):
    ev, res = cp.prove(w, depth=1, soundness=0)
    assert ev.status == "open" and res["apart_boxes"] == []
    assert res["certified_measure"] == 0
    assert not [t for t in res["traps"] if t["kind"] == "apart"]


def test_lift_measure_and_bad_input():
    assert cp.box_measure((Fraction(0), Fraction(1, 8), Fraction(0), Fraction(1, 4))) == \
        Fraction(1, 32)
    # a box meeting theta_2 = theta_1 + pi has no consistent lift (zero row inside)
    assert cp._lift((Fraction(0), Fraction(1, 16), Fraction(1, 2), Fraction(9, 16))) is None
    assert cp._lift((Fraction(0), Fraction(1, 16), Fraction(5, 8), Fraction(3, 4))) == -1
    with pytest.raises(RankCollapseError):
        cp.parse_w_rational("two")
    with pytest.raises(RankCollapseError):
        cp.certify_boxes(2, depth=99)


def test_cli_coupled(capsys):
    from rankcollapse.cli import main
    assert main(["counterexample", "--coupled", "--w", "2", "--depth", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "holds" and doc["certified_measure"] > 0.05
    assert {"theta1_lo", "theta2_hi"} <= set(doc["boxes"][0])
    assert doc["traps"][0]["J"] and doc["max_T"] >= 0
    for bad in (["--w", "x"], ["--w", "2", "--depth", "-1"], ["--w", "2", "--depth", "99"],
                ["--w", "2", "--depth", "a"]):
        assert main(["counterexample", "--coupled", *bad]) == 2


def test_fig1_panel_e_overlays_certified_boxes(tmp_path):
    """Panel (e): the certified boxes are drawn, and every sampled grid start inside a
    certified box is one that the float64 run classifies as apart."""
    from rankcollapse.figures import make_figures
    make_figures(tmp_path, quick=True, only=["fig1"], jobs=1, seed=0, progress=False,
                 backend="sequential", override={"phase_layers": 15, "basin_grid": 40,
                                                 "basin_layers": 300, "proof_depth": 2})
    d = json.loads((tmp_path / "fig1.json").read_text())
    cb = d["certified_boxes"]
    assert cb["depth"] == 2 and cb["boxes"] and cb["certified_measure"] > 0.05
    t1, t2 = np.array(d["coupled_basin"]["theta1"]), np.array(d["coupled_basin"]["theta2"])
    sep = np.array(d["coupled_basin"]["separation"], dtype=float)
    inside = 0
    for b in cb["boxes"]:
        I = (t1 > b["theta1_lo"]) & (t1 < b["theta1_hi"])
        J = (t2 > b["theta2_lo"]) & (t2 < b["theta2_hi"])
        block = sep[np.ix_(I, J)]
        inside += block.size
        assert np.all(block > 0.5)
    assert inside > 0
