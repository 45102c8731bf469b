"""The coupled proof's hand-written steps (counterexamples.coupled_steps), each with a
negative control, and an independent check of the derivative against coupled_proof.dL."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from counterexamples import coupled_proof as cp
from counterexamples import coupled_traps as ct
from counterexamples import coupled_steps as C


def test_angle_derivative_identity_and_orientation_control():
    assert C.prove_angle_derivative().status == "holds"
    assert C.prove_angle_derivative(sp.Matrix([[1, 2], [0, 1]])).status == "holds"
    flipped = C.prove_angle_derivative(sp.Matrix([[-1, -2], [0, 1]]))   # det = -1
    assert flipped.status == "fails" and flipped.details["det"] == "-1"


@pytest.mark.parametrize("w", [2, 3])
def test_derivative_matches_the_proofs_formula_and_finite_differences(w):
    """coupled_proof.dL (used in every box propagation) equals det W / |u W|^2 with det = 1,
    and a central finite difference of the lifted angle L."""
    import flint
    a, num, den = C.angle_derivative(sp.Matrix([[1, w], [0, 1]]))
    assert sp.simplify(num - 1) == 0
    for x in np.linspace(-3, 3, 13):
        ours = 1 / float(den.subs(a, x))
        theirs = float(ct.dL(flint.arb(x), flint.arb(w)).mid())
        h = 1e-6
        fd = (float(ct.L(flint.arb(x + h), flint.arb(w)).mid())
              - float(ct.L(flint.arb(x - h), flint.arb(w)).mid())) / (2 * h)
        assert math.isclose(ours, theirs, rel_tol=1e-12)
        assert math.isclose(ours, fd, rel_tol=1e-6)


def test_token1_limits_both_signs():
    ev = C.prove_token1_limit(2)
    assert ev.status == "holds"
    assert ev.details["limit_cos_positive"] == "pi/2"
    assert ev.details["limit_cos_negative"] == "-pi/2"


def test_limit_conclusions_on_certified_starts_and_controls():
    ev, res = cp.prove(2, depth=1, soundness=0)
    A = [(a, b) for a, b, _ in cp.sample_in_boxes(res["apart_boxes"], 4, seed=1)]
    K = [(a, b) for a, b, _ in cp.sample_in_boxes(res["collapse_boxes"], 2, seed=1)]
    good = C.check_limit_conclusions(A, K, 2, T=3000)
    assert good.status == "holds"
    for r in good.details["apart"]:
        assert r["dist_token2_to_signB"] < 0.05 and r["sin_gap"] > 0.3
    # negative control: swap the roles (collapse starts claimed apart): not holds
    assert C.check_limit_conclusions(K, A, 2, T=3000).status != "holds"
