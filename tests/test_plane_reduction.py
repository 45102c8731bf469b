"""Theorem 3 (2) for every N and d (counterexamples.plane_reduction): each step of the
reduction with a negative control, the certified measure against an independent Monte
Carlo count, and the certified points run for 5000 layers."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from counterexamples import coupled_proof as cp
from counterexamples import plane_reduction as R
from numeric import masks
from numeric.dynamics import simulate


@pytest.fixture(scope="module")
def coupled():
    return cp.prove(2, depth=1, soundness=0)


def test_theorem_every_n_and_d():
    from rankcollapse.claims import Config, load, run
    r = run(load()["theorem-3-2"], Config())
    assert r["status"] == "holds" and r["level"] == "certified"
    assert r["scope"]["kind"] == "universal"
    assert r["scope"]["domain"].startswith("every N >= 2 and d >= 2, w = 2")
    assert float(r["evidence"]["certified_measure_by_d"]["d=3"]["float"]) > 0


def test_block_identity_and_its_negative_control():
    ok = R.prove_block_identity()
    assert ok.status == "holds" and ok.scope.kind == "universal"
    bad = R.prove_block_identity("identity")    # S (+) I keeps the out-of-plane part
    assert bad.status == "fails"
    # independent numeric check at a few d: y W_V has zeros beyond the plane
    rng = np.random.default_rng(0)
    for d in (2, 3, 7):
        y = rng.standard_normal(d)
        out = y @ R.value_matrix_float(d, 2)
        s = (2 + math.sqrt(8)) / 2
        assert np.allclose(out[:2], np.array([y[0], 2 * y[0] + y[1]]) / s)
        assert not out[2:].any()


def test_causal_decoupling_and_its_negative_control():
    assert R.prove_causal_decoupling(16).status == "holds"
    assert R.prove_causal_decoupling(16, family=masks.complete).status == "fails"
    # independent: tokens 1, 2 of a 5-token run equal the 2-token run, at every layer
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    W = R.value_matrix_float(3, 2)
    Z = np.zeros((3, 3))
    big = simulate(X, masks.causal(5), (Z, Z, W, 1.0), 30, mode="post-ln")
    small = simulate(X[:2], masks.causal(2), (Z, Z, W, 1.0), 30, mode="post-ln")
    assert np.allclose(np.asarray(big.X, float)[:, :2], np.asarray(small.X, float), atol=1e-12)


def test_at_most_two_preimages():
    ev = R.prove_finite_preimages()
    assert ev.status == "holds" and ev.details["degree"] == 2
    # independent: for random c and a direction y, solve |lam y - c| = 1/i and map back
    rng = np.random.default_rng(2)
    S = np.array([[1.0, 2.0], [0.0, 1.0]])
    for _ in range(50):
        i = int(rng.integers(2, 6))
        c = rng.standard_normal(2) * 0.5
        t = rng.uniform(0, 2 * math.pi)
        y = np.array([math.cos(t), math.sin(t)])
        roots = np.roots([1.0, -2 * y @ c, c @ c - 1 / i ** 2])
        lams = [r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0]
        assert len(lams) <= 2
        for lam in lams:
            x = i * (lam * y - c)
            assert abs(np.linalg.norm(x) - 1) < 1e-9
            assert np.allclose((c + x / i) / np.linalg.norm(c + x / i), y)


def test_a3_and_its_negative_control():
    assert R.prove_a3().status == "holds"
    W = R.value_matrix_float(3, 2)
    P = np.eye(3)
    for _ in range(60):
        P = P @ W
        assert np.linalg.norm(P, 2) <= 1 + 1e-12
    S = np.array([[1.0, 2.0], [0.0, 1.0]])
    assert np.linalg.norm(np.linalg.matrix_power(S, 60), 2) > 100   # unnormalised: A3 fails


@pytest.mark.parametrize("d", [3, 5])
def test_measure_formula_against_monte_carlo(d):
    """The closed form of a product set's measure against a count of uniform samples of
    (S^{d-1})^2 (an independent computation; arcs and radii chosen large enough to count)."""
    len1, r1, len2, r2 = math.pi, 0.6, math.pi / 2, 0.5
    m = R.product_measure(len1, r1, len2, r2, d)
    rng = np.random.default_rng(d)
    n = 400_000
    x1 = rng.standard_normal((n, d)); x1 /= np.linalg.norm(x1, axis=1, keepdims=True)
    x2 = rng.standard_normal((n, d)); x2 /= np.linalg.norm(x2, axis=1, keepdims=True)
    a1, a2 = np.arctan2(x1[:, 1], x1[:, 0]) % (2 * math.pi), np.arctan2(x2[:, 1], x2[:, 0]) % (2 * math.pi)
    p1, p2 = np.hypot(x1[:, 0], x1[:, 1]), np.hypot(x2[:, 0], x2[:, 1])
    freq = ((a1 < len1) & (p1 < r1) & (a2 < len2) & (p2 > r2)).mean()
    assert abs(freq - m) < 5 * math.sqrt(m / n), (freq, m)
    import flint
    ball = R.product_measure(flint.arb(len1), flint.arb(r1), flint.arb(len2), flint.arb(r2), d)
    assert ball.contains(flint.arb(m)) or abs(float(ball.mid()) - m) < 1e-12


def test_points_of_the_set_land_in_their_box(coupled):
    """Points drawn inside one certified box's product set reach the box after the first
    layer (float64, independent of the interval reasoning); dropping the radius conditions
    sends some outside (negative control)."""
    import random
    boxes = coupled[1]["apart_boxes"]
    bx = max(boxes, key=lambda b: cp.box_measure(b[0]))[0]
    with cp._prec(cp.PREC):
        s = R.preimage_set(bx, 3, 2)
    rng = random.Random(4)
    for _ in range(100):
        x1, x2 = R._point(s, 3, rng)
        assert R.check_point(np.array([x1, x2, [0.0, 0.0, 1.0]]), 2, bx)
    lo1, hi1 = (float(v.mid()) for v in s["alpha1"])
    lo2, hi2 = (float(v.mid()) for v in s["alpha2"])
    outside = 0
    for k in range(100):
        a1 = lo1 + (hi1 - lo1) * rng.random()
        a2 = lo2 + (hi2 - lo2) * rng.random()
        x1 = np.array([0.95 * math.cos(a1), 0.95 * math.sin(a1), math.sqrt(1 - 0.95 ** 2)])
        x2 = np.array([0.2 * math.cos(a2), 0.2 * math.sin(a2), math.sqrt(1 - 0.04)])
        outside += not R.check_point(np.array([x1, x2, [0.0, 0.0, 1.0]]), 2, bx)
    assert outside > 0


def test_certified_measure_every_d_positive_and_d2_exact(coupled):
    boxes = coupled[1]["apart_boxes"]
    m2 = R.certified_measure(2, 2, boxes)
    assert Fraction(m2["exact"]) == 2 * sum(cp.box_measure(b) for b, _, _ in boxes)
    for d in (3, 5, 64):
        m = R.certified_measure(d, 2, boxes)
        assert m["all_positive"] and m["measure"] > 0


def test_no_boxes_no_theorem():
    """w = 4/5: every equilibrium is rank one and the pipeline certifies no box, so the
    reduction has nothing to carry: not `holds`."""
    ev, _ = R.prove(Fraction(4, 5), depth=1, soundness=0)
    assert ev.status != "holds"


def test_command_points_keep_rank_two_for_5000_layers(capsys):
    from rankcollapse.cli import main
    assert main(["counterexample", "--coupled", "--n", "5", "--d", "3", "--w", "2",
                 "--depth", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["certified_measure"] > 0 and len(doc["W_V"]) == 3
    assert doc["W_V"][2] == [0.0, 0.0, 0.0]
    pts = [np.array(X) for X in doc["points"]]
    assert len(pts) == 4 and all(X.shape == (5, 3) for X in pts)
    # exact integer W_V (LayerNorm ignores the scale): S (+) 0
    W = np.array([[1, 2, 0], [0, 1, 0], [0, 0, 0]], float)
    Z = np.zeros((3, 3))
    for k, X in enumerate(pts):
        backend = "mpmath:30" if k < 2 else "float64"
        tr = simulate(X, masks.causal(5), (Z, Z, W, 1.0), 5000, mode="post-ln",
                      backend=backend)
        XT = np.asarray(tr.as_float()[-1] if hasattr(tr, "as_float") else tr.X[-1], float)
        sin12 = abs(XT[0, 0] * XT[1, 1] - XT[0, 1] * XT[1, 0])
        assert sin12 > 0.2, (k, sin12)             # rows 1, 2 apart: rank >= 2
        assert np.linalg.matrix_rank(XT, tol=1e-6) >= 2
