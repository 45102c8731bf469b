"""The sparse float64 path of simulate, schedules in simulate, and the memory refusal."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import RankCollapseError
from numeric.sparse_attention import Pattern
from numeric.weights import random_layer


def _setup(n, d, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), random_layer(d, rng) + (None,)


@pytest.mark.parametrize("mode", ["san", "post-ln", "pre-ln"])
def test_auto_sparse_matches_dense(mode):
    X0, lay = _setup(400, 6)
    M = masks.sliding_window(400, 2)
    a = simulate(X0, M, lay, 5, mode=mode)
    b = simulate(X0, M, lay, 5, mode=mode, sparse=False)
    assert a.info["attention_path"] == ["sparse"] and b.info["attention_path"] == ["dense"]
    assert np.allclose(a.X[-1], b.X[-1], rtol=1e-10, atol=1e-12)
    # a dense, high-density mask stays dense; a small one too
    assert simulate(X0, masks.causal(400), lay, 1).info["attention_path"] == ["dense"]


def test_schedule_in_simulate_equals_manual_steps():
    X0, lay = _setup(30, 4, 1)
    ms = [masks.sliding_window(30, 1), masks.complete(30), masks.causal(30)]
    tr = simulate(X0, ms, lay, 5, mode="post-ln")
    X = X0
    for t in range(5):
        X = simulate(X, ms[t % 3], lay, 1, mode="post-ln").X[-1]
    assert np.allclose(tr.X[-1], X, atol=1e-13)
    assert tr.info["period"] == 3


def test_pattern_in_simulate():
    X0, lay = _setup(64, 4, 2)
    P = Pattern(64, window=3, causal=True)
    a = simulate(X0, P, lay, 3)
    b = simulate(X0, masks.unidirectional_window(64, 3), lay, 3, sparse=False)
    assert np.allclose(a.X[-1], b.X[-1], atol=1e-12)


def test_memory_refusal_is_one_line():
    X0, lay = _setup(2000, 4)
    with pytest.raises(RankCollapseError, match=r"refusing to allocate: dense .* GiB"):
        simulate(X0, masks.causal(2000), lay, 1, memory_limit=1e6)
    with pytest.raises(RankCollapseError, match="GiB"):
        simulate(X0, masks.sliding_window(2000, 1, sparse=True), lay, 1, memory_limit=1e3)


def test_cli_refuses_dense_100k(capsys):
    from rankcollapse.cli import main

    assert main(["simulate", "--mask", "sliding_window", "--n", "100000", "--d", "8",
                 "--layers", "1", "--attention", "dense"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "GiB" in err[0] and "N = 100000" in err[0]


def test_cli_sparse_long_window(capsys):
    from rankcollapse.cli import main

    assert main(["simulate", "--mask", "sliding_window", "--w", "2", "--n", "20000", "--d", "8",
                 "--layers", "1", "--mode", "post-ln", "--json"]) == 0
    import json
    out = json.loads(capsys.readouterr().out)
    assert out["parameters"]["attention_path"] == ["sparse"]
