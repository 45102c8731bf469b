"""The three number types run the same update: pin them to each other.

float64 agrees with 60-digit mpmath to ~1e-12 on well-scaled inputs, and every arb ball
contains the 60-digit mpmath value (balls are rigorous; mpmath is correct to ~60 digits,
far inside the ball radius tolerance we allow: radius + 1e-55)."""
import flint
import mpmath
import numpy as np
from hypothesis import given, settings, strategies as st

from numeric import masks
from numeric.dynamics import simulate
from numeric.precision import get_backend
from numeric.weights import random_layer
from tests.conftest import examples

modes = st.sampled_from(["san", "post-ln", "pre-ln"])
mask_names = st.sampled_from(["complete", "causal", "sliding_window", "unidirectional_window"])


def _instance(seed, n, d, mask_name):
    rng = np.random.default_rng(seed)
    M = masks.FAMILIES[mask_name][0](n) if mask_name in ("complete", "causal") else \
        masks.FAMILIES[mask_name][0](n, 1)
    return rng.standard_normal((n, d)), M, random_layer(d, rng, qk_scale=0.5)


@settings(max_examples=examples(15))
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(2, 4), modes, mask_names)
def test_float64_matches_mpmath(seed, n, d, mode, mask_name):
    X0, M, layer = _instance(seed, n, d, mask_name)
    T = 6
    f = simulate(X0, M, layer, T, mode=mode)
    h = simulate(X0, M, layer, T, mode=mode, backend="mpmath:60")
    scale = max(1.0, float(np.abs(f.X[-1]).max()))
    assert np.abs(f.X[-1] - h.as_float()[-1]).max() <= 1e-12 * scale


@settings(max_examples=examples(10))
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.integers(2, 3), modes, mask_names)
def test_arb_balls_contain_mpmath(seed, n, d, mode, mask_name):
    X0, M, layer = _instance(seed, n, d, mask_name)
    T = 5
    h = simulate(X0, M, layer, T, mode=mode, backend="mpmath:60")
    b = simulate(X0, M, layer, T, mode=mode, backend="arb:60")
    with mpmath.workdps(60), get_backend("arb:80").context():
        for t in (1, T):
            for ball, val in zip(np.ravel(b.X[t]), np.ravel(h.X[t])):
                # mpmath's own error (~1e-58 relative) is far below this slack
                widened = flint.arb(ball.mid(), ball.rad() + flint.arb("1e-55"))
                assert widened.contains(flint.arb(mpmath.nstr(val, 70))), (t, ball, val)
