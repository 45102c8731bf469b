"""Schedules of masks (theory/schedules.py), structured patterns (numeric/sparse_attention.py)
and real models' schedules (rankcollapse/models.py)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from numeric import masks
from numeric.errors import AssumptionError, RankCollapseError
from numeric.sparse_attention import Pattern, Schedule
from theory import graphs
from theory import schedules as S


def _family_masks(n):
    params = {"w": 2, "dilation": 2, "stride": min(3, n), "block": min(3, n),
              "prefix": min(2, n), "globals": (0,)}
    for fam, (ctor, pnames) in masks.FAMILIES.items():
        yield fam, ctor(n, **{k: params[k] for k in pnames})


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16, 31])
def test_single_mask_equals_radius(n):
    for fam, M in _family_masks(n):
        r = graphs.radius(M)
        assert S.schedule_radius([M]) == r, fam
        assert S.schedule_radius([M, M]) == r, fam          # the general search
        assert S.schedule_centres([M, M]).tolist() == graphs.center_nodes(M).tolist(), fam
        # reach of a centre = its out-eccentricity
        for c in graphs.center_nodes(M)[:3].tolist():
            assert S.schedule_reach([M], c) == graphs.eccentricity(M, c)


def test_random_schedules_against_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(120):
        n, P = int(rng.integers(1, 9)), int(rng.integers(1, 4))
        ms = []
        for _ in range(P):
            M = rng.random((n, n)) < rng.uniform(0.02, 0.4)
            np.fill_diagonal(M, True)
            ms.append(M)
        brute = max(min(S.schedule_reach(ms, c, s) for c in range(n)) for s in range(P))
        assert S.schedule_radius(ms) == brute


@pytest.mark.parametrize("n", [2, 5, 40, 301])
def test_window_alternating_complete_radius_at_most_2(n):
    for w in (1, 3):
        assert S.schedule_radius([masks.sliding_window(n, w), masks.complete(n)]) <= 2
        assert S.schedule_radius([masks.complete(n), masks.sliding_window(n, w)]) <= 2


def test_patterns_equal_mask_families():
    n = 37
    pairs = [(Pattern(n, window=3), masks.sliding_window(n, 3)),
             (Pattern(n, window=2, causal=True), masks.unidirectional_window(n, 2)),
             (Pattern(n, chunk=5), masks.block_local(n, 5)),
             (Pattern(n, dense=True, causal=True), masks.causal(n)),
             (Pattern(n, dense=True), masks.complete(n)),
             (Pattern(n, window=1, globals=(0, 4)), masks.global_window(n, 1, (0, 4)))]
    rng = np.random.default_rng(0)
    for P, M in pairs:
        assert (P.to_sparse().toarray() == M).all(), P.describe()
        assert P.in_degree_bound() >= M.sum(axis=1).max()
        for _ in range(5):
            Sset = rng.random(n) < 0.1
            assert (P.forward(Sset) == ((M.astype(int) @ Sset) > 0)).all()
            assert (P.backward(Sset) == ((M.T.astype(int) @ Sset) > 0)).all()
        assert S.schedule_radius([P]) == graphs.radius(M)


def test_chunked_causal_and_block_window_patterns():
    n = 40
    P = Pattern(n, chunk=8, causal=True)
    M = P.to_sparse().toarray()
    i, j = np.indices((n, n))
    assert (M == ((i // 8 == j // 8) & (j <= i))).all()
    B = Pattern(n, window=1, block=4)
    assert (B.to_sparse().toarray() == (abs(i // 4 - j // 4) <= 1)).all()
    rng = np.random.default_rng(1)
    for Pt in (P, B):
        Mt = Pt.to_sparse().toarray().astype(int)
        for _ in range(5):
            s = rng.random(n) < 0.1
            assert (Pt.forward(s) == ((Mt @ s) > 0)).all()
            assert (Pt.backward(s) == ((Mt.T @ s) > 0)).all()


def test_long_patterns_are_linear():
    # N = 131072 with a 4095-token causal window: 537 million edges never built
    assert S.schedule_radius([Pattern(131072, window=4095, causal=True)]) == 33
    assert S.schedule_radius([Pattern(131072, window=4096, causal=True)]) == 32
    g3 = [Pattern(65536, window=4095, causal=True)] * 5 + [Pattern(65536, dense=True, causal=True)]
    assert S.schedule_radius(g3) == 6


def test_negative_controls():
    n = 6
    bad = masks.without_self_loops(masks.complete(n))
    with pytest.raises(AssumptionError, match="layer 1"):
        S.schedule_radius([masks.sliding_window(n, 1), bad])
    rep = S.schedule_report([masks.sliding_window(n, 1), bad])
    assert not rep["a1"] and rep["problems"] and rep["radius"] is None
    # a 2-cycle without self-loops: token 0's influence alternates, never covers both
    swap = np.array([[False, True], [True, False]])
    assert S.schedule_reach([swap], 0) == math.inf

    def isolate(M):
        M = M.copy()
        M[3, :] = M[:, 3] = False
        M[3, 3] = True
        return M

    rep = S.schedule_report([isolate(masks.causal(n)), isolate(masks.sliding_window(n, 1))])
    assert rep["radius"] == math.inf and "not quasi-strongly connected" in rep["problems"][0]
    assert S.schedule_centres([isolate(masks.causal(n))]).size == 0
    with pytest.raises(AssumptionError):
        S.schedule_theorem1_constants([isolate(masks.causal(n))], np.eye(n), (np.eye(n),) * 3, 2)


def test_schedule_theorem1_negative_control():
    from rankcollapse.claims import Config
    from rankcollapse.claims.beyond_schedules import _schedule_instances

    inst = _schedule_instances(Config())
    name, sch, X0, layers, T = inst[1]
    assert S.check_schedule_theorem1(sch, X0, layers, T).status == "holds"
    bad = S.check_schedule_theorem1(sch, X0, layers, T, eps_override=0.999)
    assert bad.status == "fails" and bad.witness["t"] >= 1


def test_model_table():
    from rankcollapse import models as MD

    want = {"mistral-7b": (131072, 32, 33), "gemma-2": (8192, 26, 2),
            "gemma-3": (131072, 26, 6), "cohere2": (8192, 40, 3), "llama-4": (131072, 48, 4),
            "gpt-oss": (131072, 36, 2), "longformer": (4096, 12, 1), "bigbird": (4096, 12, 1)}
    for name, (n, depth, r) in want.items():
        cfg = dict(MD.SNAPSHOT[name])
        sch = MD.schedule_from_config(cfg)
        assert (sch.n, sch.depth) == (n, depth), name
        assert S.schedule_radius(sch) == r, name
        # each layer's mask is the one the config's layer_types names
        kinds = cfg.get("layer_types")
        if kinds:
            for t in range(depth):
                lab = sch.labels[t % sch.period]
                assert {"sliding_attention": "window", "full_attention": "full",
                        "chunked_attention": "chunk"}[kinds[t]] in lab, (name, t)
    mistral = MD.schedule_from_config(dict(MD.SNAPSHOT["mistral-7b"]), window_convention="paper")
    assert S.schedule_radius(mistral) == 32          # the Mistral paper's 32 x 4096 = 131K


def test_snapshot_matches_transformers():
    pytest.importorskip("transformers", reason="transformers is an optional extra")
    from rankcollapse import models as MD

    for name in MD.MODELS:
        live = MD.config_from_transformers(name)
        live.pop("_source")
        snap = dict(MD.SNAPSHOT[name])
        for k, v in snap.items():
            assert live.get(k) == v, (name, k)


def test_mask_command_schedule(tmp_path, capsys):
    from rankcollapse.cli import main

    cfg = {"model_type": "gemma2", "num_hidden_layers": 6, "sliding_window": 8,
           "max_position_embeddings": 64,
           "layer_types": ["sliding_attention", "full_attention"] * 3}
    f = tmp_path / "config.json"
    f.write_text(json.dumps(cfg))
    assert main(["mask", "--schedule", str(f), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["radius"] == 2 and row["N"] == 64 and row["radius_exceeds_depth"] is False
    assert row["sources"]["sliding_window"] == 8
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert main(["mask", "--schedule", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not valid JSON" in err and len(err.strip().splitlines()) == 1
    assert main(["mask", "--schedule", "no-such-model"]) == 2
    assert "unknown schedule" in capsys.readouterr().err


# ------------------------------------------------------------------ round 3 (mutation)
def _reach_ref(ms, c, start):
    """Independent reference: influence of token c from layer ``start`` (M[i, j]: i attends
    to j, so influence flows j -> i), layers until every token is reached (inf if a full
    period passes without growth; A1 makes the sets monotone)."""
    n, P = ms[0].shape[0], len(ms)
    S = np.zeros(n, dtype=bool)
    S[c] = True
    k, still = 0, 0
    while not S.all():
        S2 = S | ms[(start + k) % P][:, S].any(axis=1)
        k += 1
        still = still + 1 if S2.sum() == S.sum() else 0
        if still >= P:
            return math.inf
        S = S2
    return k


def test_random_larger_schedules_against_reference():
    """N = 12..24 (more than eight centres: the doubling / bisection search with probe
    tokens), periods 2 and 3, against the reference propagation."""
    rng = np.random.default_rng(31)
    big = 0
    for _ in range(25):
        n, P = int(rng.integers(12, 25)), int(rng.integers(2, 4))
        ms = []
        for _ in range(P):
            M = rng.random((n, n)) < rng.uniform(0.03, 0.15)
            np.fill_diagonal(M, True)
            ms.append(M)
        ref = max(min(_reach_ref(ms, c, s) for c in range(n)) for s in range(P))
        assert S.schedule_radius(ms) == ref
        if ref < math.inf:
            per = S._radius_search(ms)[1]
            for s, p in enumerate(per):
                assert _reach_ref(ms, p.token, s) == p.value
            big += S.schedule_centres(ms).size > 8
    assert big >= 5


def test_single_mask_report_uses_the_graph_search():
    """One (non-causal) mask, period 1: reach is the out-eccentricity, and the report comes
    from theory.graphs' radius search (its BFS count is the reported cost)."""
    for M in (masks.sliding_window(9, 1), masks.complete(6), masks.sliding_window(12, 2)):
        g = graphs.radius_search(M)
        rep = S.schedule_report([M])
        assert rep["radius"] == g.value == graphs.radius(M)
        assert rep["radius_per_start"] == [g.value]
        assert rep["centre_token_per_start"] == [g.node]
        assert rep["propagations"] == g.bfs_runs


def test_radius_from_with_no_centre_is_inf():
    s = S.schedule_radius_from([masks.causal(5), masks.causal(5)],
                               _centres=np.zeros(0, dtype=np.int64))
    assert s.value == math.inf and s.token is None


def test_schedule_theorem1_constants_by_hand():
    """Schedule [block_local(8, 4), complete(8)]: radius 2 (doctest of schedule_radius).
    With eps = 1/2: q = 1 - (1/2)^2 = 3/4 and C = C_floor q^(-(r-1)/r) = C_floor (3/4)^(-1/2)."""
    rng = np.random.default_rng(0)
    X0 = rng.standard_normal((8, 2))
    Z = np.zeros((2, 2))
    sch = [masks.block_local(8, 4), masks.complete(8)]
    K = S.schedule_theorem1_constants(sch, X0, (Z, Z, np.eye(2)), 3, eps_override=0.5)
    assert K.r == 2 and K.max_in_degree == 8
    ratio = float((K.C / K.C_floor).mid())
    assert ratio == pytest.approx(0.75 ** -0.5, rel=1e-12)
