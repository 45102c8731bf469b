"""Theorem 1's explicit bound on Hypothesis-drawn trajectories, at high precision.

At t = 200 the bound and mu are far below float64's range of relative resolution
(mu ~ 1e-60 and below), so the trajectories run in arb balls at 60 digits and every
comparison is certain."""
import numpy as np
from hypothesis import given, settings, strategies as st

from numeric import masks
from theory.bounds import check_theorem1
from tests.conftest import thorough, examples

families = st.sampled_from(["complete", "causal", "sliding_window", "unidirectional_window",
                            "global_window", "strided"])


@settings(max_examples=examples(8))
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(1, 3), families,
       st.floats(0.0, 0.5))
def test_theorem1_bound_holds_long_horizon(seed, n, d, family, qk):
    rng = np.random.default_rng(seed)
    ctor, pnames = masks.FAMILIES[family]
    M = ctor(n, **{p: 1 for p in pnames if p != "stride"}, **({"stride": 2} if "stride" in
                                                                pnames else {}))
    X0 = rng.standard_normal((n, d))
    T = 400 if thorough() else 200
    # time-varying weights; W_V alternates between orthogonal matrices (A3 holds)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    layers = [(rng.standard_normal((d, d)) * qk, rng.standard_normal((d, d)) * qk,
               Q if t % 2 else Q.T) for t in range(T)]
    ev = check_theorem1(M, X0, layers, T, dps=60)
    assert ev.status == "holds", ev
