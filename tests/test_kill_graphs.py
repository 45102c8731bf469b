"""theory.graphs against Floyd-Warshall on explicit adjacency (mutation testing, issue 8).

The reference computes all-pairs distances of the paper's graph (edge a -> b iff token b
attends to token a, i.e. M[b, a]) with a triple loop; centres, radius and diameter follow
from Definitions 3-5 literally."""
import itertools
import math

import numpy as np
import pytest

from numeric import masks
from theory import graphs as g
from theory import graph_checks


def _fw(M):
    n = M.shape[0]
    D = np.full((n, n), math.inf)
    for a in range(n):
        D[a, a] = 0
        for b in range(n):
            if M[b, a] and a != b:
                D[a, b] = 1
    for k, a, b in itertools.product(range(n), repeat=3):
        if D[a, k] + D[k, b] < D[a, b]:
            D[a, b] = D[a, k] + D[k, b]
    return D


def _facts(M):
    D = _fw(M)
    centres = [c for c in range(len(D)) if np.isfinite(D[c]).all()]
    radius = min((D[c].max() for c in centres), default=math.inf)
    return D, centres, radius, D.max()


def _random_masks(seed=0, k=25):
    rng = np.random.default_rng(seed)
    for _ in range(k):
        n = int(rng.integers(1, 8))
        M = rng.random((n, n)) < rng.choice([0.15, 0.3, 0.6])
        np.fill_diagonal(M, True)
        yield M


def test_distances_centres_radius_diameter_vs_floyd_warshall():
    for M in list(_random_masks()) + [masks.causal(5), masks.sliding_window(6, 2),
                                      masks.unidirectional_window(7, 2), masks.block_local(5, 2),
                                      masks.global_window(7, 1, globals=(3,)),
                                      g.remark_counterexample_mask(5)]:
        D, centres, radius, diam = _facts(M)
        n = M.shape[0]
        for u in range(n):
            assert np.array_equal(g.distances_from(M, u), D[u])
            assert np.array_equal(g.distances_to(M, u), D[:, u])
            assert g.reachable_from(M, u).tolist() == np.flatnonzero(np.isfinite(D[u])).tolist()
        assert g.center_nodes(M).tolist() == centres and g.n_centers(M) == len(centres)
        assert g.is_quasi_strongly_connected(M) == bool(centres)
        assert g.is_strongly_connected(M) == bool(np.isfinite(D).all())
        assert g.radius(M) == radius and g.diameter(M) == diam
        assert g.diameter(M, method="bounds") == g.diameter(M, method="all-pairs") == diam
        assert np.array_equal(g.eccentricities(M, block=3), D.max(axis=1))
        for c in centres:
            assert g.eccentricity(M, c) == D[c].max()
        k, labels = g.strongly_connected_components(M)
        same = np.isfinite(D) & np.isfinite(D.T)
        assert k == len({tuple(r) for r in same})
        assert all((labels[a] == labels[b]) == same[a, b] for a in range(n) for b in range(n))
        f = g.graph_facts(M, diameter=True)
        assert (f["radius"], f["diameter"], f["n_centers"]) == (radius, diam, len(centres))
        assert f["a1"] and f["edges"] == int(M.sum())
        assert graph_checks._brute_force_facts(M) == {"strongly_connected": bool(np.isfinite(D).all()),
                                           "centers": centres,
                                           "quasi_strongly_connected": bool(centres),
                                           "radius": radius, "diameter": diam}
        assert g.n_edges_of(M) == int(M.sum())


def test_graph_facts_options_and_a1():
    M = masks.without_self_loops(masks.causal(12))
    f = g.graph_facts(M, diameter=False)
    assert not f["a1"] and f["n_missing_self_loops"] == 12 and f["missing_self_loops"] == \
        list(range(10)) and f["diameter"] is None
    capped = g.graph_facts(masks.sliding_window(300, 1), max_bfs=2)
    assert capped["diameter"] is None and "not computed" in capped["diameter_note"]


@pytest.mark.parametrize("family, params", [
    ("complete", {}), ("causal", {}), ("sliding_window", {"w": 1}),
    ("sliding_window", {"w": 3}), ("unidirectional_window", {"w": 2}),
    ("dilated_window", {"w": 1, "dilation": 2}), ("strided", {"stride": 2}),
    ("block_local", {"block": 3}), ("prefix_lm", {"prefix": 2}),
    ("global_window", {"w": 1}), ("global_window", {"w": 1, "globals": (0, 4)})])
def test_closed_forms_vs_floyd_warshall(family, params):
    for n in (1, 2, 3, 5, 8):
        if family == "prefix_lm" and params["prefix"] > n:
            continue
        if family == "global_window" and max(params.get("globals", (0,))) >= n:
            continue
        M = g.family_mask(family, n, **params)
        _, centres, radius, diam = _facts(M)
        assert g.closed_form_value(family, n, **params) == {
            "n_centers": len(centres), "radius": radius, "diameter": diam}, (family, n)


def test_family_mask_errors_and_all_digraphs():
    from numeric.errors import MaskError
    with pytest.raises(MaskError, match="unknown mask family"):
        g.family_mask("ring", 4)
    with pytest.raises(MaskError, match="takes parameters"):
        g.family_mask("causal", 4, w=1)
    assert len(list(g.all_digraphs(3))) == 2 ** 6
    assert all(np.diag(M).all() for M in g.all_digraphs(2))
    assert not any(np.diag(M).any() for M in g.all_digraphs(2, self_loops=False))
    assert len({M.tobytes() for M in g.all_digraphs(3)}) == 64


def test_remark_and_exhaustive_search_small():
    for n in (2, 3, 6):
        M = g.remark_counterexample_mask(n)
        _, _, radius, diam = _facts(M)
        assert (radius, diam) == (1, n - 1) and g.is_strongly_connected(M)
    for n in (2, 3):
        ex = g.exhaustive_remark_search(n)
        cnt = dict(graphs=0, quasi=0, strong=0, left=0, right=0, strong_right=0)
        best = None
        for M in g.all_digraphs(n):
            D, centres, radius, diam = _facts(M)
            cnt["graphs"] += 1
            cnt["quasi"] += bool(centres)
            strong = bool(np.isfinite(D).all())
            cnt["strong"] += strong
            cnt["left"] += radius > diam
            right = (diam > 2 * radius) if strong else bool(centres)
            cnt["right"] += right
            cnt["strong_right"] += strong and right
            if strong and radius > 0:
                best = max(best or 0, diam / radius)
        assert (ex["graphs"], ex["quasi"], ex["strong"], ex["left_fails"], ex["right_fails"],
                ex["strong_right_fails"]) == (cnt["graphs"], cnt["quasi"], cnt["strong"],
                                              cnt["left"], cnt["right"], cnt["strong_right"])
        a, b = (int(v) for v in ex["max_ratio_strong"].split("/"))
        assert a / b == best and ex["n"] == n and ex["witness"] is None
