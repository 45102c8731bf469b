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
def test_san_complete_mask_drives_mu_to_zero(seed, n, d, qk):
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n, d))
    W = (rng.standard_normal((d, d)) * qk, rng.standard_normal((d, d)) * qk,
         haar_orthogonal(d, rng))                    # A3: products stay orthogonal
    m = simulate(X0, masks.complete(n), W, 80, backend="mpmath:40").measure_log10("mu")
    assert m[-1] < m[0] - 12                         # at least 12 decades of collapse


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
