import numpy as np
import pytest

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import AssumptionError
from numeric.weights import cayley_orthogonal, gaussian, sphere_points
from theory.theorem2 import phi_recursion


def _layers(rng, d, T, scale=0.5):
    return [(gaussian(d, d, rng, scale), gaussian(d, d, rng, scale), cayley_orthogonal(d, rng))
            for _ in range(T)]


def test_theorem2_holds_and_t0_reported():
    rng = np.random.default_rng(3)
    X0 = sphere_points((4, 4), rng)
    lays = _layers(rng, 4, 20)
    ev = phi_recursion(masks.complete(4), X0, lays[:5], 5)
    assert ev.status == "holds" and ev.details["n_centres"] == 4
    assert ev.details["t0_first_phi_nonneg"] is not None
    # the complete mask collapses doubly exponentially: by t = 20, 1 - phi is far below
    # any precision, so the comparisons stay undecided up to the cap: open, never holds
    long = phi_recursion(masks.complete(4), X0, lays, 20, cap=240)
    assert long.status == "open" and long.details["digits_tried"] == [60, 120, 240]
    assert "cap of 240 digits" in long.details["open_reason"]


def test_theorem2_negative_controls():
    rng = np.random.default_rng(4)
    X0 = sphere_points((3, 3), rng)
    d = 3
    # non-orthogonal W_V: the assumption is named
    bad = [(np.zeros((d, d)), np.zeros((d, d)), np.eye(d) * 2 + np.triu(np.ones((d, d)), 1))]
    with pytest.raises(AssumptionError, match="W_V orthogonal"):
        phi_recursion(masks.complete(3), X0, bad, 5)
    # a float64 "orthogonal" matrix is orthogonal only to ~1e-16: refused in arb
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    with pytest.raises(AssumptionError, match="orthogonal"):
        phi_recursion(masks.complete(3), X0, [(np.zeros((d, d)),) * 2 + (Q,)], 3)
    # a mask without centre
    with pytest.raises(AssumptionError, match="centre"):
        phi_recursion(masks.block_local(3, 1), X0, _layers(rng, d, 3), 3)
    # an eps larger than the truth: the recursion's promise is broken, with witness
    Xp = np.abs(X0)
    ev = phi_recursion(masks.causal(3), Xp, _layers(rng, d, 10), 10, n_centres=1,
                       eps_override=0.9)
    assert ev.status == "fails" and "t" in ev.witness


def test_appendix_e_value_matrix_breaks_collapse():
    """Negative control for the whole theorem: with the non-orthogonal W_V of Appendix E
    the tokens do not meet (mu stays away from 0), and the recursion check fails."""
    w = 2.0
    W = np.array([[1.0, w], [0.0, 1.0]])
    Z = np.zeros((2, 2))
    X0 = np.array([[0.6, 0.8], [np.cos(3.3), np.sin(3.3)]])  # token 2 in the basin of B
    tr = simulate(X0, masks.causal(2), (Z, Z, W), 300, mode="post-ln")
    assert tr.mu()[-1] > 0.5
    ev = phi_recursion(masks.causal(2), X0, (Z, Z, W), 40, require_orthogonal=False)
    assert ev.status in ("fails", "open")


def test_corollary1_negative_controls():
    rng = np.random.default_rng(5)
    X0 = np.abs(sphere_points((4, 3), rng))
    ev = phi_recursion(masks.causal(4), X0, _layers(rng, 3, 20), 20, n_centres=1)
    assert ev.status == "holds" and ev.details["t0_first_phi_nonneg"] == 0
    # inputs with a negative cosine break Corollary 1's hypothesis: named, not ignored
    Xneg = X0.copy()
    Xneg[1] = -Xneg[0]
    Xneg[1, 0] += 0.1
    with pytest.raises(AssumptionError, match=r"phi\(0\) >= 0"):
        phi_recursion(masks.causal(4), Xneg, _layers(rng, 3, 5), 5, require_phi0_nonneg=True)
    # claiming N centres on the causal mask (it has one) over-promises: caught
    ev_bad = phi_recursion(masks.causal(4), X0, _layers(rng, 3, 20), 20, n_centres=4,
                           eps_override=0.45)
    assert ev_bad.status == "fails"


def test_pre_ln_recursion():
    rng = np.random.default_rng(6)
    X0 = np.abs(sphere_points((4, 3), rng))
    ev = phi_recursion(masks.causal(4), X0, _layers(rng, 3, 20), 20, mode="pre-ln")
    assert ev.status == "holds"


def test_centre_count_witness():
    """Counting every centre (the paper's N / n) is refuted on a 3-token window; counting
    only centres of eccentricity <= r repairs it."""
    from theory.theorem2 import centre_count_witness, centres_within_radius
    ev = centre_count_witness()
    assert ev.status == "fails" and ev.witness["t"] == 0
    assert ev.details["with_n_r_centres"] == "holds"
    assert centres_within_radius(masks.sliding_window(3, 1)) == [1]
    assert centres_within_radius(masks.complete(4)) == [0, 1, 2, 3]
    assert centres_within_radius(masks.global_window(6, 1)) == [0]
