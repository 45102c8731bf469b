"""`rankcollapse probe`: hooks on torch transformers, measures, and agreement of our
attention / LayerNorm with torch's in float64.  Skips cleanly when torch is absent."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from rankcollapse.cli import main


def test_missing_torch_is_a_clear_error(monkeypatch, capsys):
    """Works with or without torch installed: hide it and expect one line, exit 2."""
    monkeypatch.setitem(sys.modules, "torch", None)
    from rankcollapse import probe as P

    with pytest.raises(P.TorchMissing, match="pip install torch==2.13.0"):
        P.require_torch()
    assert main(["probe"]) == 2
    assert "PyTorch" in capsys.readouterr().err


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="torch not installed: the probe is an optional "
                                               "extra (pip install torch==2.13.0)")


def test_agreement_with_torch(torch):
    from rankcollapse.probe import check_against_torch

    res = check_against_torch(seed=1)
    assert res["agree"], res
    assert set(res["max_abs_diff"]) >= {"attention_causal", "attention_complete", "layer_norm"}


def test_agreement_check_can_fail(torch):
    """Negative control: a transposed (wrong-convention) causal mask must disagree."""
    import torch.nn.functional as F

    from numeric import masks
    from numeric.attention import attention

    rng = np.random.default_rng(0)
    X, WQ, WK = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    M = masks.causal(6)
    ours = attention(X, WQ, WK, M) @ X
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))[None]   # noqa: E731
    wrong = F.scaled_dot_product_attention(t(X @ WQ), t(X @ WK), t(X), attn_mask=t(M.T))[0]
    assert np.max(np.abs(ours - wrong.numpy())) > 1e-3


def test_probe_random_encoder(torch):
    from rankcollapse.probe import probe, random_encoder

    model = random_encoder(layers=3, d_model=16, heads=2, seed=0).double()
    X = torch.randn(2, 10, 16, dtype=torch.float64)
    rows = probe(model, X)
    assert [r["layer"] for r in rows] == [0, 1, 2, 3]
    assert np.allclose(rows[0]["mu"], np.mean([np.linalg.norm(x - x.mean(0)) for x in X.numpy()]))
    for r in rows:
        assert r["mu"] > 0 and 1 <= r["rank"] <= 10 and 0 <= r["avg_abs_cos"] <= 1
        assert 1 <= r["stable_rank"] <= r["rank"] + 1e-9 and r["sigma_min"] >= 0


def test_probe_hf_style_layer_list(torch):
    """A model with model.encoder.layer whose layers return tuples (Hugging Face style)."""
    from rankcollapse.probe import find_layers, probe

    class Layer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(8, 8)

        def forward(self, x):
            return (x + self.lin(x), None)

    class Enc(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.ModuleList([Layer(), Layer()])

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Enc()

        def forward(self, x):
            for lay in self.encoder.layer:
                x = lay(x)[0]
            return x

    m = Model().double()
    assert find_layers(m)[0] == "encoder.layer"
    # collapse to equal tokens is seen: identical tokens give mu = 0 and rank 1
    X = torch.ones(1, 5, 8, dtype=torch.float64)
    rows = probe(m, X)
    assert len(rows) == 3 and all(r["mu"] < 1e-12 and r["rank"] == 1 for r in rows)
    from numeric.errors import RankCollapseError
    with pytest.raises(RankCollapseError, match="layer list"):
        find_layers(torch.nn.Linear(2, 2))


def test_probe_cli(torch, capsys):
    assert main(["probe", "--layers", "2", "--d-model", "16", "--heads", "2", "--seq-len", "8",
                 "--batch", "2", "--causal", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["layers"]) == 3 and out["torch_agreement"]["agree"]
    assert main(["probe", "--d-model", "10", "--heads", "3"]) == 2
    assert main(["probe", "--model", "nosuchmodule:make"]) == 2


def test_model_factory_mistakes_are_one_line(capsys):
    """A --model that is not callable, fails when called, or returns no torch module is the
    user's input, refused in one line (exit 2), not an internal error."""
    pytest.importorskip("torch")
    from rankcollapse.cli import main
    for spec, words in (("math:pi", "not a callable"), ("json:dumps", "calling it failed"),
                        ("collections:OrderedDict", "must return a torch.nn.Module")):
        assert main(["probe", "--model", spec]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], (spec, err)
