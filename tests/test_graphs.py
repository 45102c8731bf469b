"""theory.graphs: Definitions 1-5 on masks, the radius/diameter remark, the graph claims and
the `rankcollapse mask` command."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import masks
from numeric.errors import MaskError
from tests.conftest import thorough, examples
from tests.strategies import masks_with_self_loops
from theory import graphs as g
import itertools
from theory import graph_checks


def _edges(n, paper_edges):
    """Mask with self-loops from paper edges u -> v (token v attends to u)."""
    return masks.from_edges(n, paper_edges, convention="paper", self_loops=True)


def _literal(M):
    """Definitions 1-5 straight from the definitions, by Floyd-Warshall on a dense copy."""
    D = masks.to_dense(M)
    n = D.shape[0]
    dist = np.full((n, n), math.inf)
    for i in range(n):
        for j in range(n):
            if D[i, j]:
                dist[j, i] = 1.0          # edge j -> i
    np.fill_diagonal(dist, 0.0)
    for k in range(n):
        dist = np.minimum(dist, dist[:, [k]] + dist[[k], :])
    centres = [c for c in range(n) if np.isfinite(dist[c]).all()]
    rad = min((dist[c].max() for c in centres), default=math.inf)
    return centres, rad, dist.max(), dist


# ------------------------------------------------------------------ hand-known answers
def test_direction_follows_the_paper():
    # causal: everyone attends to token 0, so token 0's influence reaches everyone
    M = masks.causal(4)
    assert g.reachable_from(M, 0).tolist() == [0, 1, 2, 3]
    assert g.reachable_from(M, 3).tolist() == [3]
    assert g.distances_from(M, 0).tolist() == [0, 1, 1, 1]
    assert g.paper_graph(M)[0, 3] == 1 and g.paper_graph(M)[3, 0] == 0


def test_path_graph_by_hand():
    # paper edges 0 -> 1 -> 2 (token 1 attends to 0, token 2 attends to 1)
    M = _edges(3, [(0, 1), (1, 2)])
    assert g.center_nodes(M).tolist() == [0]
    assert g.radius(M) == 2 and g.diameter(M) == math.inf
    assert g.is_quasi_strongly_connected(M) and not g.is_strongly_connected(M)
    assert g.distances_to(M, 2).tolist() == [2, 1, 0]
    # close the cycle: every node is a centre, all eccentricities 2
    C = _edges(3, [(0, 1), (1, 2), (2, 0)])
    assert g.center_nodes(C).tolist() == [0, 1, 2]
    assert g.radius(C) == 2 and g.diameter(C) == 2 and g.is_strongly_connected(C)
    assert g.eccentricities(C).tolist() == [2, 2, 2]


def test_two_sources_have_no_centre():
    # 0 -> 2 and 1 -> 2: two source components, no centre
    M = _edges(3, [(0, 2), (1, 2)])
    assert g.center_nodes(M).size == 0 and g.radius(M) == math.inf
    assert not g.is_quasi_strongly_connected(M)
    assert g.eccentricity(M, 0) == math.inf


def test_single_token():
    M = masks.complete(1)
    assert g.center_nodes(M).tolist() == [0]
    assert g.radius(M) == 0 and g.diameter(M) == 0 and g.is_strongly_connected(M)


def test_known_family_values():
    assert g.radius(masks.unidirectional_window(10, 1)) == 9
    assert g.center_nodes(masks.unidirectional_window(10, 1)).tolist() == [0]
    assert g.radius(masks.sliding_window(10, 1)) == 5          # ceil(9 / 2)
    assert g.radius(masks.sliding_window(11, 1)) == 5
    assert g.diameter(masks.sliding_window(11, 2)) == 5
    assert g.radius(masks.global_window(30, 1, globals=(7,))) == 1
    assert g.n_centers(masks.prefix_lm(9, 4)) == 4


def test_centres_complete_vs_causal_negative_control():
    from rankcollapse.claims import REGISTRY, Config, load

    load()
    ev = REGISTRY["centres-complete-vs-causal"].check(Config())
    assert ev.status == "holds" and ev.level == "exact"
    # the claim is false for a mask that is not causal: prefix_lm has `prefix` centres
    assert g.n_centers(masks.prefix_lm(8, 3)) == 3
    # and breaking causality (token 0 no longer attended by token 5) kills the centre
    M = masks.causal(8)
    M[5, 0] = False
    M[5, 1:5] = False
    assert g.center_nodes(M).size == 0


# ------------------------------------------------------------------ negative controls
def test_disconnected_masks_have_no_centre():
    for M in (masks.block_local(12, 4), masks.dilated_window(12, 2, 3),
              masks.sliding_window(5, 0), masks.block_local(12, 4, sparse=True)):
        assert g.n_centers(M) == 0
        assert g.radius(M) == math.inf and g.diameter(M) == math.inf
        assert not g.is_quasi_strongly_connected(M)
        f = g.graph_facts(M)
        assert f["quasi_strongly_connected"] is False and f["radius"] == math.inf


def test_a1_flagged_and_self_loops_do_not_change_distances():
    M = masks.sliding_window(9, 2)
    bare = masks.without_self_loops(M)
    f, fb = g.graph_facts(M), g.graph_facts(bare)
    assert f["a1"] and not fb["a1"] and fb["n_missing_self_loops"] == 9
    for key in ("n_centers", "radius", "diameter", "strongly_connected"):
        assert f[key] == fb[key]
    for u in range(9):
        assert g.distances_from(M, u).tolist() == g.distances_from(bare, u).tolist()
    with pytest.raises(Exception, match="A1"):
        masks.check_a1(bare)


def test_explicit_false_entries_are_not_edges():
    M = sp.csr_array((np.array([True, True, False]), (np.array([0, 1, 1]),
                                                       np.array([0, 1, 0]))), shape=(2, 2))
    assert M.nnz == 3
    assert g.n_centers(M) == 0 and g.radius(M) == math.inf


def test_bad_inputs_raise_named_errors():
    with pytest.raises(MaskError, match="boolean"):
        g.radius(np.eye(3))
    with pytest.raises(MaskError, match="square"):
        g.center_nodes(np.ones((2, 3), dtype=bool))
    with pytest.raises(MaskError, match="node u"):
        g.reachable_from(masks.causal(3), 3)
    with pytest.raises(MaskError, match="unknown mask family"):
        g.closed_form("nope")
    with pytest.raises(MaskError, match="takes parameters"):
        g.family_mask("causal", 4, w=2)


def test_diameter_search_limit():
    M = masks.sliding_window(3000, 40, sparse=True)
    with pytest.raises(g.SearchLimitExceeded, match="max_bfs"):
        g.diameter(M, max_bfs=4)
    f = g.graph_facts(M, max_bfs=4)
    assert f["diameter"] is None and "not computed" in f["diameter_note"]


# ------------------------------------------------------------------ dense vs sparse, searches
@pytest.mark.parametrize("family,params", [
    ("complete", {}), ("causal", {}), ("sliding_window", {"w": 2}),
    ("unidirectional_window", {"w": 3}), ("dilated_window", {"w": 1, "dilation": 1}),
    ("strided", {"stride": 3}), ("block_local", {"block": 5}),
    ("global_window", {"w": 1, "globals": (0, 6)}), ("prefix_lm", {"prefix": 3}),
])
def test_dense_and_sparse_agree(family, params):
    for n in (1, 7, 20):
        if family == "global_window" and n <= 6:
            continue
        if family == "prefix_lm" and n < 3:
            continue
        D = g.family_mask(family, n, **params)
        S = g.family_mask(family, n, sparse=True, **params)
        fd = g.graph_facts(D, diameter=True)
        fs = g.graph_facts(S, diameter=True)
        for key in ("n_centers", "centers_head", "radius", "diameter", "strongly_connected",
                    "edges", "a1"):
            assert fd[key] == fs[key], (family, n, key)


@given(masks_with_self_loops(n_min=1, n_max=9))
def test_searches_equal_the_definitions(M):
    centres, rad, diam, dist = _literal(M)
    assert g.center_nodes(M).tolist() == centres
    assert g.radius(M) == rad
    assert g.diameter(M) == diam
    assert g.diameter(M, method="all-pairs") == diam
    assert g.is_strongly_connected(M) == bool(np.isfinite(dist).all())
    for u in range(M.shape[0]):
        assert g.reachable_from(M, u).tolist() == np.flatnonzero(np.isfinite(dist[u])).tolist()
    S = sp.csr_array(M)
    assert g.center_nodes(S).tolist() == centres and g.radius(S) == rad


@settings(max_examples=examples(15))
@given(st.integers(2, 400 if thorough() else 120), st.floats(0.003, 0.05), st.integers(0, 9999))
def test_bounded_searches_equal_all_pairs_on_sparse_random_graphs(n, p, seed):
    rng = np.random.default_rng(seed)
    M = rng.random((n, n)) < p
    M |= masks.sliding_window(n, 0) | np.eye(n, k=-1, dtype=bool)   # a path keeps it rich
    ecc = g.eccentricities(M)
    centres = g.center_nodes(M)
    want_r = ecc[centres].min() if centres.size else math.inf
    assert g.radius(M) == want_r
    assert g.diameter(M) == ecc.max()


def test_check_definitions_negative_control():
    ev = g.check_definitions(graphs=60)
    assert ev.status == "holds" and ev.level == "exact"
    # a "centre finder" that forgets the unique-source condition is caught
    broken = g.check_definitions(graphs=60, centres_fn=lambda M: np.arange(M.shape[0]))
    assert broken.status == "fails" and broken.witness["fact"] == "centers"
    # a radius that is really the largest eccentricity of a centre is caught
    def max_ecc(M):
        c = g.center_nodes(M)
        return math.inf if not c.size else int(max(g.eccentricity(M, int(u)) for u in c))
    assert g.check_definitions(graphs=60, radius_fn=max_ecc).status == "fails"


def test_graph_search_scales_claim_negative_control():
    n = 131072 if thorough() else 32768
    ev = g.check_large_masks(n)
    assert ev.status == "holds"
    for row in ev.details["instances"]:
        assert row["bfs_runs"] <= 6
    assert {r["family"]: r["radius"] for r in ev.details["instances"]} == {
        "sliding_window": n // 2, "unidirectional_window": n - 1, "global_window": 1}
    # a search that needs more BFS runs than allowed is reported
    assert g.check_large_masks(n, max_bfs=1).status == "fails"
    # a wrong closed form is reported
    wrong = lambda fam, n, **p: {**g.closed_form_value(fam, n, **p), "radius": 7}
    assert g.check_large_masks(n, forms=wrong).status == "fails"


# ------------------------------------------------------------------ the remark
def test_remark_witness_and_narrower():
    ev = g.radius_diameter_remark()
    assert ev.status == "fails" and ev.level == "exact"
    w = ev.witness
    assert w["n"] == 4 and w["diameter"] > 2 * w["radius"]
    M = _edges(4, w["paper_edges_u_to_v"])
    assert g.is_strongly_connected(M)
    assert g.radius(M) == w["radius"] == 1 and g.diameter(M) == w["diameter"] == 3
    assert ev.narrower and "symmetric" in ev.narrower
    assert ev.details["left_inequality_holds_everywhere_checked"]
    assert ev.details["symmetric_right_inequality_holds"]
    assert set(ev.details["families_failing_right_inequality"]) == {
        "causal", "unidirectional_window", "strided", "prefix_lm"}
    # control: symmetrising the witness restores diameter <= 2 radius
    Ms = M | M.T
    assert g.diameter(Ms) <= 2 * g.radius(Ms)


def test_remark_smallest_witness_is_on_four_nodes():
    for n in (1, 2, 3):
        r = g.exhaustive_remark_search(n)
        assert r["strong_right_fails"] == 0 and r["left_fails"] == 0
    r4 = g.exhaustive_remark_search(4)
    assert r4["graphs"] == 4096 and r4["strong_right_fails"] > 0
    assert r4["max_ratio_strong"] == "3/1" and r4["two_sided_fails"] == 0
    # with diameter oo for quasi- but not strongly connected graphs it fails at n = 2
    assert g.exhaustive_remark_search(2)["right_fails"] == 2


def test_remark_holds_on_symmetric_graphs_exhaustively():
    for n in range(1, (7 if thorough() else 6) + 1):
        r = g.exhaustive_remark_search(n, symmetric=True)
        assert r["right_fails"] == 0 and r["left_fails"] == 0, n


@given(masks_with_self_loops(n_min=1, n_max=10))
def test_remark_inequalities_on_random_masks(M):
    r, d = g.radius(M), g.diameter(M)
    assert r <= d                                   # always
    S = M | M.T
    assert g.diameter(S) <= 2 * g.radius(S) or g.radius(S) == math.inf


@pytest.mark.parametrize("n", [2, 5, 50, 1000])
def test_remark_ratio_unbounded(n):
    M = g.remark_counterexample_mask(n, sparse=n > 50)
    assert g.is_strongly_connected(M)
    assert g.radius(M) == 1 and g.diameter(M) == n - 1


# ------------------------------------------------------------------ claims registry
def test_graph_claims_run_at_their_levels():
    from rankcollapse.claims import REGISTRY, Config, load, run

    load()
    want = {"definition-centre-radius": "holds", "closed-forms-masks": "holds",
            "centres-complete-vs-causal": "holds", "remark-radius-diameter": "fails",
            "graph-search-scales": "holds"}
    for cid, status in want.items():
        out = run(REGISTRY[cid], Config())
        assert out["status"] == status and out["level"] == "exact", cid
    out = run(REGISTRY["remark-radius-diameter"], Config())
    assert out["witness"]["n"] == 4 and out["narrower"]


# ------------------------------------------------------------------ the command
def test_cli_mask_table(capsys):
    from rankcollapse.cli import main

    assert main(["mask", "sliding_window", "--n", "16", "--w", "2"]) == 0
    out = capsys.readouterr().out
    assert "radius" in out and "ceiling((N - 1)/(2*w)) = 4" in out
    lines = {ln.split("  ")[0]: ln for ln in out.splitlines()}
    for fact in ("centre nodes", "radius", "diameter"):
        assert lines[fact].rstrip().endswith("yes"), lines[fact]
    assert "Theorem 1 (SAN)" in out and "layers per factor e" in out


def test_cli_mask_json(capsys):
    from rankcollapse.cli import main

    assert main(["mask", "causal", "--n", "12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["search"]["n_centers"] == 1 and doc["search"]["centers_head"] == [0]
    assert doc["search"]["radius"] == 1 and doc["search"]["diameter"] == "inf"
    assert doc["closed_form"]["radius"]["value"] == 1
    assert all(doc["agree"].values())


def test_cli_mask_large_sparse_and_a1(capsys):
    from rankcollapse.cli import main

    assert main(["mask", "global_window", "--n", "20000", "--w", "2", "--globals", "0,5",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sparse"] and doc["search"]["radius"] == 1 and doc["search"]["diameter"] == 2
    assert main(["mask", "unidirectional_window", "--n", "6", "--no-self-loops"]) == 0
    out = capsys.readouterr().out
    assert "NO: 6 tokens lack a self-loop" in out


@pytest.mark.parametrize("argv,msg", [
    (["mask", "nosuchmask", "--n", "4"], "unknown mask family"),
    (["mask", "sliding_window", "--n", "0"], "--n must be a positive integer"),
    (["mask", "sliding_window", "--n", "5", "--w", "-1"], "w must be a non-negative"),
    (["mask", "global_window", "--n", "5", "--globals", "0,9"], "--globals must lie"),
    (["mask", "global_window", "--n", "5", "--globals", "a"], "comma-separated"),
])
def test_cli_mask_bad_input(argv, msg, capsys):
    from rankcollapse.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


# ---------------------------------------------------------------- pinned by mutation testing
# (theory.graphs against Floyd-Warshall on explicit adjacency (mutation testing, issue 8).)

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
