"""Closed forms of theory.graphs against the exact graph searches, over many (N, params)."""
from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import masks
from tests.conftest import thorough, examples
from theory import graphs as g

N_MAX = 200 if thorough() else 60


def _params(draw, family: str, n: int) -> dict:
    w = lambda: draw(st.integers(0, n + 2))  # noqa: E731
    if family in ("sliding_window", "unidirectional_window"):
        return {"w": w()}
    if family == "dilated_window":
        return {"w": w(), "dilation": draw(st.integers(1, 4))}
    if family == "strided":
        return {"stride": draw(st.integers(1, n + 2))}
    if family == "block_local":
        return {"block": draw(st.integers(1, n + 2))}
    if family == "global_window":
        gl = draw(st.lists(st.integers(0, n - 1), max_size=min(n, 4), unique=True))
        return {"w": w(), "globals": tuple(gl)}
    if family == "prefix_lm":
        return {"prefix": draw(st.integers(0, n))}
    return {}


def _searched(M) -> dict:
    return {"n_centers": g.n_centers(M), "radius": g.radius(M),
            "diameter": g.diameter(M)}


@pytest.mark.parametrize("family", sorted(masks.FAMILIES))
@given(data=st.data())
def test_closed_form_equals_search(family, data):
    n = data.draw(st.integers(1, N_MAX), label="n")
    params = _params(data.draw, family, n)
    M = g.family_mask(family, n, **params)
    assert g.closed_form_value(family, n, **params) == _searched(M), (family, n, params)


@settings(max_examples=examples(10))
@given(st.integers(1, 3000), st.integers(1, 40))
def test_window_closed_forms_on_long_sparse_masks(n, w):
    for family in ("sliding_window", "unidirectional_window", "global_window"):
        M = g.family_mask(family, n, sparse=True, w=w)
        want = g.closed_form_value(family, n, w=w)
        assert g.n_centers(M) == want["n_centers"]
        assert g.radius(M) == want["radius"]
        if family != "sliding_window" or w <= 8:   # diameter search cost grows with w
            assert g.diameter(M) == want["diameter"]


def test_closed_forms_are_sympy_in_N_and_parameters():
    N, w = g.N, g.SYMBOLS["w"]
    f = g.closed_form("sliding_window")
    assert f["radius"].subs({N: 101, w: 5}) == 10        # ceil(100 / 10)
    assert f["diameter"].subs({N: 101, w: 5}) == 20
    assert f["radius"].subs({N: 1, w: 0}) == 0
    assert f["radius"].subs({N: 5, w: 0}) == sympy.oo
    # for w >= 1 and N >= 2 the generic branch: ceil((N-1)/(2w)), as a symbolic identity
    generic = f["radius"].args[-1][0]
    assert sympy.simplify(generic - sympy.ceiling((N - 1) / (2 * w))) == 0
    u = g.closed_form("unidirectional_window")
    assert u["radius"].subs({N: 10, w: 3}) == 3 and u["n_centers"].subs({N: 10, w: 3}) == 1
    c = g.closed_form("causal")
    assert c["n_centers"] == 1 and c["radius"].subs(N, 7) == 1
    assert g.closed_form("complete")["n_centers"] == N
    assert g.closed_form_value("dilated_window", 9, w=2, dilation=3)["radius"] == math.inf
    assert g.closed_form_value("block_local", 9, block=4)["n_centers"] == 0


def test_wrong_closed_form_is_detected():
    inst = g.closed_form_instances(random_per_family=4)
    assert g.check_closed_forms(inst).status == "holds"

    # the tempting sliding-window radius ceil((N-1)/w) (the uni-directional one) is wrong
    def wrong(family, n, **p):
        out = g.closed_form_value(family, n, **p)
        if family == "sliding_window" and p.get("w", 1) >= 1 and n > 1:
            out["radius"] = math.ceil((n - 1) / p.get("w", 1))
        return out

    ev = g.check_closed_forms(inst, forms=wrong)
    assert ev.status == "fails" and ev.witness[0]["family"] == "sliding_window"
    assert ev.witness[0]["fact"] == "radius"

    # an off-by-one strided radius (forgetting the two-step tokens) is caught too
    def wrong_strided(family, n, **p):
        out = g.closed_form_value(family, n, **p)
        if family == "strided" and n > 1:
            out["radius"] = 1
        return out

    grid = [("strided", n, {"stride": s}) for n in (5, 9, 30) for s in (2, 3)]
    assert g.check_closed_forms(grid, forms=wrong_strided).status == "fails"
