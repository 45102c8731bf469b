"""Attention sinks (gpt-oss): the model A_sink = diag(c) A (numeric/sinks.py against an
independent transcription of gpt-oss's eager attention), the claims of
rankcollapse/claims/beyond_sinks.py with their negative controls, and the simulations that
illustrate them."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numeric import dynamics as D
from numeric import masks
from numeric import sinks as NS
from numeric.attention import attention, scores
from numeric.errors import RankCollapseError
from rankcollapse.claims import REGISTRY, Config, load, run
from theory import sinks as T

load()


def _run(cid):
    return run(REGISTRY[cid], Config())


def _inst(rng, n=6, d=3, scale=0.5):
    X = rng.standard_normal((n, d))
    return X, scale * rng.standard_normal((d, d)), scale * rng.standard_normal((d, d))


# --------------------------------------------------------------------------- the model
def test_sink_model_negative_control():
    rng = np.random.default_rng(0)
    for M in (masks.causal(6), masks.sliding_window(6, 1), masks.complete(6)):
        X, WQ, WK = _inst(rng)
        for s in (-3.0, 0.0, 0.7, 5.0):
            ref = NS.reference_sink_softmax(scores(X, WQ, WK), M, s)
            A_s = NS.sink_attention(X, WQ, WK, M, s)
            assert np.abs(A_s - ref).max() < 1e-14
            c = NS.sink_factors(X, WQ, WK, M, s)
            assert np.all((c > 0) & (c < 1))
            assert np.abs(A_s - c[:, None] * attention(X, WQ, WK, M)).max() < 1e-14
            assert np.abs(A_s.sum(axis=1) - c).max() < 1e-14
            hp = np.array(NS.sink_attention(X, WQ, WK, M, s, backend="mpmath:30"), dtype=float)
            assert np.abs(hp - ref).max() < 1e-14
    # no sink: the plain attention
    X, WQ, WK = _inst(rng)
    M = masks.causal(6)
    assert np.abs(NS.sink_attention(X, WQ, WK, M, -math.inf) - attention(X, WQ, WK, M)).max() \
        < 1e-15
    r = _run("sink-model")
    assert r["status"] == "holds" and r["level"] == "exact"
    # negative control: keeping the sink column and renormalising is not c * A
    assert T.sink_softmax_identity(3, drop_column=False).status == "fails"


@given(st.integers(0, 2 ** 31 - 1), st.floats(-6, 6))
def test_sink_rows_sum_below_one(seed, s):
    rng = np.random.default_rng(seed)
    X, WQ, WK = _inst(rng, n=5)
    A_s = NS.sink_attention(X, WQ, WK, masks.sliding_window(5, 1), s)
    sums = A_s.sum(axis=1)
    assert np.all(sums < 1) and np.all(sums > 0)
    assert np.all(A_s[~masks.sliding_window(5, 1)] == 0)


def test_bad_sink_values_are_refused():
    rng = np.random.default_rng(1)
    X, WQ, WK = _inst(rng, n=3)
    for bad in (math.nan, math.inf, "x"):
        with pytest.raises(RankCollapseError):
            NS.sink_attention(X, WQ, WK, masks.causal(3), bad)
    with pytest.raises(RankCollapseError, match="heads"):
        NS.simulate(X, masks.causal(3), (WQ, WK, np.eye(3)), 1, sink=[0.0, 1.0])


@pytest.mark.parametrize("mode", ["san", "post-ln", "pre-ln"])
@pytest.mark.parametrize("skip", [False, True])
def test_no_sink_reproduces_the_dynamics(mode, skip):
    """sink = -inf is numeric.dynamics.simulate, dense and sparse, one and two heads."""
    rng = np.random.default_rng(2)
    X, WQ, WK = _inst(rng, n=7)
    Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    for M in (masks.causal(7), masks.sliding_window(7, 1, sparse=True)):
        a = D.simulate(X, M, (WQ, WK, Q), 6, mode=mode, skip=skip).X[-1]
        b = NS.simulate(X, M, (WQ, WK, Q), 6, sink=-math.inf, mode=mode, skip=skip).X[-1]
        assert np.abs(a - b).max() < 1e-12
    two = (np.stack([WQ, WK]), np.stack([WK, WQ]), np.stack([Q, Q.T]))
    a = D.simulate(X, masks.causal(7), two, 4, mode=mode, skip=skip).X[-1]
    b = NS.simulate(X, masks.causal(7), two, 4, sink=[-math.inf, -math.inf], mode=mode,
                    skip=skip).X[-1]
    assert np.abs(a - b).max() < 1e-12


def test_sparse_and_dense_sinks_agree():
    rng = np.random.default_rng(3)
    X, WQ, WK = _inst(rng, n=300, d=4)
    L = (WQ, WK, np.eye(4))
    dense = NS.simulate(X, masks.sliding_window(300, 2), L, 3, sink=0.4, sparse=False).X[-1]
    spar = NS.simulate(X, masks.sliding_window(300, 2, sparse=True), L, 3, sink=0.4).X[-1]
    assert np.abs(dense - spar).max() < 1e-12


# --------------------------------------------------------------------------- post-LN
def test_post_ln_invariance_and_controls(monkeypatch):
    rng = np.random.default_rng(4)
    for M in (masks.causal(6), masks.sliding_window(6, 1), masks.complete(6)):
        X, WQ, WK = _inst(rng, scale=1.0)
        Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
        for s in (-1.0, 0.0, 2.0):
            a = D.simulate(X, M, (WQ, WK, Q), 12, mode="post-ln").X
            b = NS.simulate(X, M, (WQ, WK, Q), 12, sink=s, mode="post-ln").X
            assert max(np.abs(x - y).max() for x, y in zip(a, b)) < 1e-12
    # controls: two heads with different sinks, a residual
    X, WQ, WK = _inst(rng)
    two = (np.stack([WQ, WK]), np.stack([WK, WQ]), np.stack([np.eye(3), np.eye(3)]))
    a = D.simulate(X, masks.causal(6), two, 3, mode="post-ln").X[-1]
    b = NS.simulate(X, masks.causal(6), two, 3, sink=[0.0, 2.0], mode="post-ln").X[-1]
    assert np.abs(a - b).max() > 1e-3
    a = D.simulate(X, masks.causal(6), (WQ, WK, np.eye(3)), 3, mode="post-ln", skip=True).X[-1]
    b = NS.simulate(X, masks.causal(6), (WQ, WK, np.eye(3)), 3, sink=0.0, mode="post-ln",
                    skip=True).X[-1]
    assert np.abs(a - b).max() > 1e-3
    r = _run("sink-post-ln-invariance")
    assert r["status"] == "holds" and r["level"] == "exact"
    # the claim fails if the witnesses stop showing what they should
    real = T.direction_witnesses

    def broken():
        w = real()
        w["post-ln, two heads, sinks 1 and none"]["changed_tokens"] = []
        return w

    monkeypatch.setattr(T, "direction_witnesses", broken)
    assert REGISTRY["sink-post-ln-invariance"].check(Config()).status == "fails"


# --------------------------------------------------------------------------- SAN
def test_san_shrink_bound_and_control():
    from rankcollapse.claims.beyond_sinks import check_shrink_bound

    r = _run("sink-san-shrink")
    assert r["status"] == "holds" and r["level"] == "certified"
    bad = check_shrink_bound(Config(), rate_factor=0.5)
    assert bad.status == "fails" and bad.witness["t"] >= 1
    assert T.san_shrink_sharpness().status == "holds"
    # every token shrinks in SAN with a sink, for a mask with no centre at all
    rng = np.random.default_rng(5)
    X, _, _ = _inst(rng)
    Z = np.zeros((3, 3))
    tr = NS.simulate(X, np.eye(6, dtype=bool), (Z, Z, np.eye(3)), 10, sink=0.0)
    assert np.allclose(tr.X[-1], X / 2 ** 10, rtol=1e-12)


def test_consensus_counterexample():
    r = _run("sink-san-consensus-fails")
    assert r["status"] == "holds" and r["level"] == "exact"
    Z = np.zeros((2, 2))
    X0 = np.array([[1.0, 0.3], [-0.2, 1.0]])
    for s in (0.3, -1.0):
        a = math.exp(s)
        X = NS.simulate(X0, masks.causal(2), (Z, Z, np.eye(2)), 80, sink=s).X[-1]
        assert np.allclose(X[1] / X[0], 1 + a, rtol=1e-8)          # parallel, never equal
        rel = np.linalg.norm(X[1] - X[0]) / math.sqrt(2) / np.linalg.norm(X)
        assert abs(rel - a / math.sqrt(2 * (1 + (1 + a) ** 2))) < 1e-8
    # control: no sink, the tokens meet
    X = D.simulate(X0, masks.causal(2), (Z, Z, np.eye(2)), 80).X[-1]
    assert np.abs(X[1] - X[0]).max() < 1e-12


def _clique(m):
    M = np.ones((m + 1, m + 1), dtype=bool)
    M[0, 1:] = False                       # token 0 attends only to itself
    return M


def test_direction_family():
    r = _run("sink-san-direction")
    assert r["status"] == "holds" and r["level"] == "exact"
    Z = np.zeros((2, 2))
    X0 = np.array([[1.0, 0.0]] + [[0.0, 1.0]] * 3)
    X = NS.simulate(X0, _clique(3), (Z, Z, np.eye(2)), 120, sink=0.0).X[-1]
    cos = X[0] @ X[1] / np.linalg.norm(X[0]) / np.linalg.norm(X[1])
    assert abs(cos - 2 / math.sqrt(5)) < 1e-9           # m = 3 > 1 + 1/a = 2: no collapse
    assert np.linalg.matrix_rank(X / np.abs(X).max(axis=1, keepdims=True)) == 2
    X = NS.simulate(X0[:2], _clique(1), (Z, Z, np.eye(2)), 200, sink=0.0).X[-1]
    cos = X[0] @ X[1] / np.linalg.norm(X[0]) / np.linalg.norm(X[1])
    assert 1 - cos < 1e-9                               # m = 1 < 2: collapse
    X = D.simulate(X0, _clique(3), (Z, Z, np.eye(2)), 200).X[-1]
    assert np.abs(X - X[0]).max() < 1e-12               # no sink: consensus


# --------------------------------------------------------------------------- pre-LN
def test_pre_ln():
    r = _run("sink-pre-ln")
    assert r["status"] == "holds" and r["level"] == "exact"
    rng = np.random.default_rng(6)
    X, WQ, WK = _inst(rng, scale=1.0)
    Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    M = masks.sliding_window(6, 1)
    a = D.simulate(X, M, (WQ, WK, Q), 8, mode="pre-ln").X
    b = NS.simulate(X, M, (WQ, WK, Q), 8, sink=0.5, mode="pre-ln").X
    unit = (lambda Y: Y / np.linalg.norm(Y, axis=1, keepdims=True))
    assert max(np.abs(unit(x) - unit(y)).max() for x, y in zip(a, b)) < 1e-12
    a = D.simulate(X, M, (WQ, WK, Q), 8, mode="pre-ln", skip=True).X[-1]
    b = NS.simulate(X, M, (WQ, WK, Q), 8, sink=0.5, mode="pre-ln", skip=True).X[-1]
    assert np.abs(unit(a) - unit(b)).max() > 1e-3
    w = T.direction_witnesses()
    assert w["pre-ln, no residual"]["changed_tokens"] == []
    assert w["pre-ln with residual"]["changed_tokens"] == [1]


# --------------------------------------------------------------------------- commands
def test_cli_sink_options(capsys):
    from rankcollapse.cli import main

    assert main(["mask", "--schedule", "gpt-oss-20b", "--sink", "0.5", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["sink"]["present_in_model"] and row["sink"]["logit"] == 0.5
    assert 0 < float(row["sink"]["c_min_bound"]) < float(row["sink"]["c_max_bound"]) < 1
    assert set(row["sink"]["what_holds"]) <= set(REGISTRY)
    base = ["simulate", "--n", "5", "--d", "2", "--layers", "3", "--json"]
    assert main(base + ["--sink", "0.5"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parameters"]["sink"] == [0.5]
    assert main(base + ["--heads", "2", "--sink", "0,1,2"]) == 2
    assert "--sink" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:                 # argparse refuses the value
        main(base + ["--sink", "nan"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--sink" in err[0]
    assert main(["mask", "causal", "--n", "4", "--sink", "1"]) == 2
    capsys.readouterr()
