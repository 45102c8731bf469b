"""Hypothesis strategies named for what they generate."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import masks


@st.composite
def masks_with_self_loops(draw, n_min=1, n_max=8):
    """Random boolean N x N masks whose diagonal is all True (A1 holds)."""
    n = draw(st.integers(n_min, n_max))
    M = draw(hnp.arrays(np.bool_, (n, n)))
    M = M.copy()
    np.fill_diagonal(M, True)
    return M


@st.composite
def family_masks(draw, n_min=2, n_max=12):
    """A mask from one of the named families with random parameters."""
    n = draw(st.integers(n_min, n_max))
    name = draw(st.sampled_from(sorted(masks.FAMILIES)))
    ctor, pnames = masks.FAMILIES[name]
    kw = {}
    for p in pnames:
        kw[p] = draw(st.integers(0 if p == "w" else 1, max(1, n)))
    if name == "prefix_lm":
        kw["prefix"] = draw(st.integers(0, n))
    return name, kw, n, ctor(n, **kw)


def well_scaled_tokens(n, d, seed, scale=1.0):
    return np.random.default_rng(seed).standard_normal((n, d)) * scale
