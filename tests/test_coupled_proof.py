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


# ------------------------------------------------------------------ round 3 (mutation)
#: the collapse / apart candidate offsets of find_traps (k / 256 below pi/2)
_COLLAPSE_K = (1, 3, 8, 15, 25, 40, 60, 90, 130, 180, 250)


def _L_indep(a: float, w: float) -> float:
    """Lifted angle of (cos a, sin a) [[1, w], [0, 1]] = (cos a, w cos a + sin a), from the
    matrix product (not the module's atan2(w cos^2, 1 + w sin cos) form)."""
    x, y = math.cos(a), w * math.cos(a) + math.sin(a)
    ang = math.atan2(y, x)
    return ang + 2 * math.pi * round((a - ang) / (2 * math.pi))


@pytest.mark.parametrize("w,d2", [(Fraction(2), Fraction(1, 2)), (Fraction(3), Fraction(1, 4))])
def test_find_traps_grid_by_hand(w, d2):
    """Every candidate offset gives its trap: phi_c = floor(256 (pi/2 - k/256)) / 256 =
    (402 - k)/256 (256 pi/2 = 402.12); all eleven collapse candidates certify.  D2 is the
    largest of 32/64, 24/64, ... below theta_A - pi/2 = asin(1/w): pi/6 = 0.524 for w = 2
    (so 1/2), asin(1/3) = 0.340 for w = 3 (so 16/64 = 1/4)."""
    traps = cp.find_traps(w)
    coll = [t for t in traps if t.kind == "collapse"]
    assert [t.phi_c for t in coll] == [Fraction(402 - k, 256) for k in _COLLAPSE_K]
    assert all(t.a == 3 and t.D == d2 and t.cert["status"] == "holds" for t in coll)
    assert float(d2) < math.asin(1 / float(w)) < float(d2) * 1.5
    apart = [t for t in traps if t.kind == "apart"]
    assert apart and all(t.D == 3 for t in apart)
    for t in apart:
        k = 402 - t.phi_c * 256
        assert k.denominator == 1 and int(k) in (2, 5, 10, 20, 35, 50, 70, 90, 120, 150, 200)
        # j_lo = (first grid point j with L((phi_c + j)/2) > j) + 1/256 (independent L)
        j = float(t.a - Fraction(1, 256))
        pc = float(t.phi_c)
        assert _L_indep((pc + j) / 2, float(w)) > j
        jprev = j - 1 / 256
        if jprev >= math.ceil((math.pi / 2 + 0.01) * 256) / 256:
            assert _L_indep((pc + jprev) / 2, float(w)) <= jprev + 1e-6


def test_certify_boxes_progress_counts():
    """base 4, depth 0: 2^4 x 2^5 = 512 boxes, progress every 200 processed boxes and once
    at the end of the level (level 1, 512 processed, nothing left to split)."""
    calls = []
    res = cp.certify_boxes(2, depth=0, progress=lambda *a: calls.append(a))
    assert [c[1] for c in calls] == [200, 400, 512]
    last = calls[-1]
    assert last[0] == 1 and last[4] == 0
    assert last[2] == len(res["apart_boxes"]) and last[3] == len(res["collapse_boxes"])
    assert last[2] + last[3] + len(res["undecided_boxes"]) == 512
    # measures: each base box is (1/32) x (1/32) turns^2 = 1/1024 of the torus
    assert res["half_apart"] == Fraction(last[2], 1024)
    assert res["half_collapse"] + res["half_apart"] + res["half_undecided"] == Fraction(1, 2)


def test_boxes_radians_plain_and_sign_flip():
    item = ((Fraction(0), Fraction(1, 16), Fraction(5, 8), Fraction(3, 4)), 7, 0)
    r = cp.boxes_radians([item])[0]
    assert r["turns"] == ["0", "1/16", "5/8", "3/4"] and r["T"] == 7 and r["trap"] == 0
    assert (r["theta1_lo"], r["theta1_hi"]) == (0.0, pytest.approx(math.pi / 8))
    assert r["theta2_lo"] == pytest.approx(5 * math.pi / 4)
    assert r["theta2_hi"] == pytest.approx(3 * math.pi / 2)
    # flip: + 1/2 turn on both; theta_2 9/8 .. 5/4 turns reduced by one turn to 1/8 .. 1/4
    f = cp.boxes_radians([item], flip=True)[0]
    assert f["turns"] == ["1/2", "9/16", "1/8", "1/4"]
    assert f["theta1_lo"] == pytest.approx(math.pi)
    assert f["theta1_hi"] == pytest.approx(9 * math.pi / 8)
    assert f["theta2_lo"] == pytest.approx(math.pi / 4)
    assert f["theta2_hi"] == pytest.approx(math.pi / 2)
    # a box whose flipped theta_2 stays below one turn is not reduced
    g = cp.boxes_radians([((Fraction(0), Fraction(1, 16), Fraction(1, 8), Fraction(1, 4)),
                           0, 1)], flip=True)[0]
    assert g["turns"] == ["1/2", "9/16", "5/8", "3/4"]


def test_soundness_limits_by_hand(w2):
    """At w = 2, B = (-1/2, -sqrt(3)/2) and token 1 -> (0, 1): |det X| -> |0 * B_y - 1 * B_x|
    = 1/2, and the distance from token 2 (at sign(x_11) B) to -sign(x_11) B is 2|B| = 2."""
    ev, _ = w2
    runs = ev.details["soundness_apart"]["runs"]
    assert {r["sign_flip_copy"] for r in runs} == {False, True}
    for r in runs:
        assert abs(r["final_abs_det"] - 0.5) < 0.01
        assert abs(r["dist_to_-sign(x11)B"] - 2) < 0.01


def test_soundness_check_defaults(w2):
    """Defaults: 6 points (half in the sign-flip copies), T = 500 layers at 30 digits."""
    _, res = w2
    snd = cp.soundness_check(res["apart_boxes"], Fraction(2))
    assert (snd["points"], snd["T"], snd["dps"], snd["seed"]) == (6, 500, 30, 0)
    assert len(snd["runs"]) == 6 and [r["sign_flip_copy"] for r in snd["runs"]] == \
        [False, True] * 3
    assert cp.soundness_check([], Fraction(2)) == {"points": 0, "ok": None}


def _float_gap_failures(pc, a, w, pieces, lower):
    """Pieces k of [pc, pi/2] whose partition test fails, recomputed in float64 with the
    independent L: upper L(p_(k+1) + a/2) - L(p_k) >= a, lower L(p_(k+1)) - L(p_k - a/2) >= a."""
    ps = [pc + (math.pi / 2 - pc) * k / pieces for k in range(pieces)] + [math.pi / 2]
    out = []
    for k in range(pieces):
        if lower:
            v = _L_indep(ps[k + 1], w) - _L_indep(ps[k] - a / 2, w)
        else:
            v = _L_indep(ps[k + 1] + a / 2, w) - _L_indep(ps[k], w)
        if v >= a:
            out.append(k)
    return out


def test_collapse_trap_certificate_conditions():
    """The collapse trap C(phi_c, D1, D2) at w = 2 (theta_A - pi/2 = pi/6 = 0.5236):
    each hypothesis, broken on its own, makes the certificate fail, and names it."""
    w = Fraction(2)
    ok = cp.certify_trap(cp.Trap("collapse", Fraction(1), Fraction(3), Fraction(1, 2)), w)
    assert ok["status"] == "holds" and ok["failed"] == [] and ok["undecided"] == []
    assert ok["comparisons"] == 2 * 64 + 4 and ok["limit"].startswith("rank one")
    # D2 = 0.6 > pi/6
    f = cp.certify_trap(cp.Trap("collapse", Fraction(1), Fraction(3), Fraction(6, 10)), w)
    assert f["status"] == "fails" and f["failed"][0] == "D2 < theta_A - pi/2"
    # D1 = 22/7 > pi (and nothing else is wrong)
    f = cp.certify_trap(cp.Trap("collapse", Fraction(1), Fraction(22, 7), Fraction(1, 2)), w)
    assert f["status"] == "fails" and f["failed"] == ["D1 < pi"]
    # w <= 1: no theta_A, the D2 test is against -pi and fails
    for wb in (Fraction(1), Fraction(4, 5)):
        f = cp.certify_trap(cp.Trap("collapse", Fraction(1), Fraction(3), Fraction(1, 2)), wb)
        assert f["status"] == "fails" and f["failed"] == ["D2 < theta_A - pi/2"]
    # D1 = 1/100, D2 = 1/100: near pi/2, L' -> 1 and the pieces (width ~0.009) are too
    # coarse; the failing pieces are exactly the float64 recomputation's
    for lower in (True, False):
        a, d = (Fraction(1, 100), Fraction(1, 2)) if lower else (Fraction(3), Fraction(1, 100))
        f = cp.certify_trap(cp.Trap("collapse", Fraction(1), a, d), w)
        exp = _float_gap_failures(1.0, 0.01, 2.0, 64, lower)
        assert exp and exp[-1] == 63
        name = "lower" if lower else "upper"
        assert f["status"] == "fails"
        assert f["failed"] == [f"{name} gap piece {k}" for k in exp[:5]]


def test_propagate_box_verdicts_by_hand():
    """Hand-placed boxes against hand-made traps (w = 2).  Box theta_1 = theta_2 in
    [0.2, 0.22] turns = [1.2566, 1.3823] rad; token 1's lower corner after one step is
    atan2(sin 1.2566 + 2 cos 1.2566, cos 1.2566) = atan2(1.569, 0.309) = 1.376 and token 2's
    upper corner L(1.3823) = atan2(0.982 + 0.374, 0.187) = 1.434."""
    w, F = Fraction(2), Fraction
    same = (F(1, 5), F(11, 50), F(1, 5), F(11, 50))
    C = lambda pc, d1, d2: cp.Trap("collapse", pc, d1, d2)   # noqa: E731
    # t = 0: 1.2566 > 1, width 0.1257 < 1/2, lo - phi_hi = -0.1257 > -3
    assert cp.propagate_box(same, [C(F(1), F(3), F(1, 2))], w) == ("collapse", 0, 0)
    # phi_c = 1.3 above token 1's lower corner at t = 0, below it at t = 1 (1.376)
    assert cp.propagate_box(same, [C(F(13, 10), F(3), F(1, 2))], w) == ("collapse", 1, 0)
    # D2 = 1/10 below the width 0.1257 at t = 0, above 1.434 - 1.376 = 0.058 at t = 1
    assert cp.propagate_box(same, [C(F(1), F(3), F(1, 10))], w) == ("collapse", 1, 0)
    # D1 = 1/10 below the lower gap 0.1257 at t = 0, not at t = 1
    assert cp.propagate_box(same, [C(F(1), F(1, 10), F(3))], w) == ("collapse", 1, 0)
    # the first trap that fits is reported (index 1: trap 0's cone is too narrow)
    assert cp.propagate_box(same, [C(F(3, 2), F(3), F(1, 2)), C(F(1), F(3), F(1, 2))],
                            w) == ("collapse", 0, 1)
    # apart: theta_2 in [0.4, 0.42] turns = [2.513, 2.639]: lo > j_lo = 2.2, hi - plo =
    # 1.382 < 3
    apart = (F(1, 5), F(11, 50), F(2, 5), F(21, 50))
    A = lambda pc, j, d: cp.Trap("apart", pc, j, d)   # noqa: E731
    assert cp.propagate_box(apart, [A(F(1), F(11, 5), F(3))], w) == ("apart", 0, 0)
    # the same box is not in the collapse trap at t = 0 (hi - plo = 1.382 >= 1/2)
    assert cp.propagate_box(apart, [C(F(1), F(3), F(1, 2))], w)[0] != "collapse"
    # j_lo = 2.6 > lo = 2.513 at t = 0, and token 2's lower corner moves down
    # (L(1.885) = pi - atan(0.333 / 0.309) = 2.318): never inside by the horizon
    assert cp.propagate_box(apart, [A(F(1), F(13, 5), F(3))], w) == \
        ("undecided", 80, "not in a trap after 80 steps")
    # D = 1.3 < hi - plo = 1.382 at t = 0
    assert cp.propagate_box(apart, [A(F(1), F(11, 5), F(13, 10))], w)[0] == "undecided"
    # reasons
    assert cp.propagate_box(apart, [], w) == ("undecided", 0, "no certified trap")
    tr = [A(F(1), F(11, 5), F(3))]
    assert cp.propagate_box((F(-1, 4), F(0), F(0), F(1, 8)), tr, w) == \
        ("undecided", 0, "theta_1 edge at x_11 = 0")
    assert cp.propagate_box((F(0), F(1, 4) + F(1, 64), F(0), F(1, 8)), tr, w)[2] == \
        "theta_1 edge at x_11 = 0"
    # b = 1/4 exactly is allowed (theta_1 = pi/2 is x_11 = 0 only at the closed edge the
    # half torus owns); the horizon is int(max(0, (tan 1 - tan 0)/2) + 80) = 80
    assert cp.propagate_box((F(0), F(1, 4), F(0), F(1, 8)), tr, w) == \
        ("undecided", 80, "not in a trap after 80 steps")
    assert cp.propagate_box((F(0), F(1, 4), F(1, 2), F(5, 8)), tr, w)[2] == \
        "box meets theta_2 = theta_1 + pi (zero row)"
    # horizon from the closed form: token 1 at theta_1 = -0.2 turns must reach phi_c = 1,
    # need = (tan 1 - tan(-0.4 pi)) / 2 = (1.5574 + 3.0777) / 2 = 2.3176 -> T = 82
    v = cp.propagate_box((F(-1, 5), F(-9, 50), F(0), F(1, 100)), [A(F(1), F(13, 5), F(3))], w)
    assert v[:2] == ("undecided", 82)


def test_w8_certifies_with_a_gap_bound_chosen_from_w(monkeypatch):
    """The apart trap's gap bound D is chosen from w: at w = 8 the arc [j_lo, phi + D] must
    reach B at 3 pi/2 - asin(1/8), so D = 3 cannot work, and the
    search takes D in (pi - asin(1/8), pi).  Negative control: with D = 3 only, no apart
    trap is found at w = 8."""
    import math
    from fractions import Fraction
    from counterexamples import coupled_proof as cp
    traps = [t for t in cp.find_traps(Fraction(8)) if t.kind == "apart"]
    assert traps
    for t in traps:
        assert math.pi - math.asin(1 / 8) < float(t.D) < math.pi
    ev, res = cp.prove(8, depth=1, soundness=2)
    assert ev.status == "holds" and ev.details["certified_measure"] > 0
    from counterexamples import coupled_traps as ct
    monkeypatch.setattr(ct, "APART_GAPS", (Fraction(3),))
    assert not [t for t in cp.find_traps(Fraction(8)) if t.kind == "apart"]


def test_sample_in_boxes_default_seed():
    """Seed 0 by default: with one box the draws are random.Random(0)'s stream (one
    randrange(1), then u1, u2), every second point shifted by half a turn (sign flip)."""
    item = ((Fraction(0), Fraction(1, 8), Fraction(0), Fraction(1, 4)), 0, 0)
    pts = cp.sample_in_boxes([item], 4)
    rng = random.Random(0)
    for k, (t1, t2, flip) in enumerate(pts):
        rng.randrange(1)
        u1, u2 = rng.random() / 8, rng.random() / 4
        if k % 2:
            u1, u2 = u1 + 0.5, u2 + 0.5
        assert flip == bool(k % 2)
        assert t1 == pytest.approx(2 * math.pi * u1, rel=1e-15)
        assert t2 == pytest.approx(2 * math.pi * u2, rel=1e-15)


def test_jobs_give_the_same_boxes_as_one_worker(capsys):
    """--jobs 2 deals the base grid to two workers; the certified boxes, the measure and the
    undecided boxes are those of the serial run."""
    import json
    from rankcollapse.cli import main
    out = {}
    for jobs in ("1", "2"):
        assert main(["counterexample", "--coupled", "--w", "2", "--depth", "2", "--jobs", jobs,
                     "--json"]) == 0
        out[jobs] = json.loads(capsys.readouterr().out)
    key = lambda b: b["turns"]  # noqa: E731
    assert sorted(map(key, out["1"]["boxes"])) == sorted(map(key, out["2"]["boxes"]))
    assert out["1"]["certified_measure_exact"] == out["2"]["certified_measure_exact"]
    assert out["1"]["undecided_measure"] == out["2"]["undecided_measure"]
    assert main(["counterexample", "--coupled", "--w", "2", "--jobs", "2",
                 "--parallel-backend", "no-such-backend"]) == 2


def test_w_at_most_one_is_refused_and_the_rerun_checks_what_is_certified(capsys):
    """--w <= 1 is outside Theorem 3 (2) (no B): refused in one line.  The soundness re-run
    requires what the proof certifies (rows apart, token 2 heading for sign(x_11) B), not a
    convergence speed; starts from collapse boxes fail it (negative control)."""
    from fractions import Fraction
    from counterexamples import coupled_proof as cp
    from rankcollapse.cli import main
    assert main(["counterexample", "--coupled", "--w", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--w must be > 1" in err[0]
    res = cp.certify_boxes(Fraction(2), depth=1)
    good = cp.soundness_check(res["apart_boxes"], Fraction(2), n=2, T=200)
    bad = cp.soundness_check(res["collapse_boxes"], Fraction(2), n=2, T=200, expect="apart")
    assert good["ok"] is True and bad["ok"] is False
