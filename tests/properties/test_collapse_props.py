"""SAN collapse on the complete mask, and its negative control (two components)."""
import numpy as np
from hypothesis import given, settings, strategies as st

from numeric import masks
from numeric.dynamics import simulate
from numeric.measures import mu
from numeric.weights import haar_orthogonal
from tests.conftest import examples


@settings(max_examples=examples(20))
@given(st.integers(0, 2**32 - 1), st.integers(2, 8), st.integers(1, 5), st.floats(0, 1))
def test_san_complete_mask_follows_theorem1(seed, n, d, qk):
    """mu(X(80)) on the complete mask (mpmath, 40 digits) is below Theorem 1's explicit
    bound C (1 - eps)^80; and where that bound promises 12 decades of collapse, they are
    there.  (Collapse within 80 layers is not promised in general: with focused attention
    eps is tiny, e.g. seed 10606, n = 6, d = 1, qk = 1, where mu has not fallen at t = 80.)"""
    from theory.bounds import theorem1_constants
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n, d))
    W = (rng.standard_normal((d, d)) * qk, rng.standard_normal((d, d)) * qk,
         haar_orthogonal(d, rng))                    # A3: products stay orthogonal
    T = 80
    m = simulate(X0, masks.complete(n), W, T, backend="mpmath:40").measure_log10("mu")
    K = theorem1_constants(masks.complete(n), X0, W, T, dps=40)
    bound_hi = float(K.bound(T).upper())
    assert 10.0 ** m[-1] <= bound_hi * (1 + 1e-9)
    if bound_hi < 10.0 ** (m[0] - 12):
        assert m[-1] < m[0] - 12


def test_focused_attention_need_not_collapse_within_80_layers():
    """The case that shows why the property above is the bound, not a fixed number of
    decades: mu does not fall over 80 layers, and Theorem 1's bound does not promise it."""
    from theory.bounds import theorem1_constants
    rng = np.random.default_rng(10606)
    X0 = rng.standard_normal((6, 1))
    W = (rng.standard_normal((1, 1)), rng.standard_normal((1, 1)), haar_orthogonal(1, rng))
    m = simulate(X0, masks.complete(6), W, 80, backend="mpmath:40").measure_log10("mu")
    assert m[-1] > m[0] - 1
    K = theorem1_constants(masks.complete(6), X0, W, 80, dps=40)
    assert float(K.bound(80).lower()) > 10.0 ** m[-1]


@settings(max_examples=examples(20))
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(1, 4), st.floats(0, 1))
def test_two_components_stay_apart(seed, half, d, qk):
    """Negative control: a block mask without a centre node keeps two clusters."""
    rng = np.random.default_rng(seed)
    n = 2 * half
    offset = np.zeros(d)
    offset[0] = 10.0
    X0 = np.vstack([rng.standard_normal((half, d)) + offset,
                    rng.standard_normal((half, d)) - offset])
    W = (rng.standard_normal((d, d)) * qk, rng.standard_normal((d, d)) * qk, np.eye(d))
    XT = simulate(X0, masks.block_local(n, half), W, 80).X[-1]
    assert mu(XT[:half]) < 1e-8 and mu(XT[half:]) < 1e-8   # each block collapses...
    assert mu(XT) > 5.0                                     # ...to its own point
