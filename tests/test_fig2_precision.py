"""Issue 13: the BERT-init forward pass (numeric.bertlike) in float32 / float64 / mpmath, the
rule that tells a rounding floor from a genuine level (both ways), the negative control (a
window mask keeps its level in both precisions), the registry entry
`experiment-ln-random-init`, the figure at tiny sizes, and `probe --dtype`."""
from __future__ import annotations

import json

import numpy as np
import pytest

from numeric import bertlike as B
from numeric import masks
from numeric.attention import attention
from numeric.errors import RankCollapseError
from numeric.layernorm import layer_norm_full

SMALL = B.BertShape(n=16, d=32, heads=4, layers=3)


def _ids(shape=SMALL, k=0, seed=0):
    return [B.zipf_ids(shape, seed, k)]


def _weights_in(p, shape=SMALL, seed=0, t=0):
    return {k: p.arr(w) for k, w in B.layer_weights(shape, seed, t).items()}


# --------------------------------------------------------------------------- inputs / forward

def test_zipf_ids_have_specials_and_repeats():
    s = B.BertShape(n=128, d=8, heads=2)
    ids = B.zipf_ids(s, 0, 0)
    assert ids.shape == (128,) and ids[0] == B.CLS and ids[-1] == B.SEP
    words = ids[1:-1]
    assert words.min() >= B.FIRST_WORDPIECE and words.max() < s.vocab
    assert len(set(words.tolist())) < len(words)            # repeats, as in text
    assert not np.array_equal(ids, B.zipf_ids(s, 0, 1))     # samples differ
    assert np.array_equal(ids, B.zipf_ids(s, 0, 0))         # seeded


def test_forward_float64_against_hand_written_step():
    """One layer of every variant against numeric.attention / numeric.layernorm (an
    independent per-head loop), float64."""
    p = B.Prec("float64")
    s = SMALL
    X = B.embed(_ids(), s, 0, p)
    ref0 = layer_norm_full(B.embedding_sum(_ids(), s, 0)[0], eps=s.ln_eps)
    assert np.max(np.abs(X[0] - ref0)) < 1e-12
    W = _weights_in(p)
    M = masks.causal(s.n)
    x = X[0]
    dh = s.d_head
    heads = [attention(x, W["Q"][:, h * dh:(h + 1) * dh], W["K"][:, h * dh:(h + 1) * dh], M)
             @ (x @ W["V"][:, h * dh:(h + 1) * dh]) for h in range(s.heads)]
    att = np.concatenate(heads, axis=1) @ W["O"]
    from scipy.special import erf

    ln = lambda y: layer_norm_full(y, eps=s.ln_eps)   # noqa: E731
    y = ln(x + att)
    h1 = y @ W["1"]
    expect = {"san": att, "san_skip": x + att, "san_ln": ln(att), "san_skip_ln": y,
              "full": ln(y + (0.5 * h1 * (1 + erf(h1 / np.sqrt(2)))) @ W["2"])}
    for v, e in expect.items():
        got = B.layer_step(X, M, W, v, s, p)[0]
        assert np.max(np.abs(got - e)) < 1e-10, v
    # negative control: the wrong mask (transposed causal) is detected
    wrong = B.layer_step(X, M.T.copy(), W, "san", s, p)[0]
    assert np.max(np.abs(wrong - att)) > 1e-6


def test_forward_float64_against_torch():
    torch = pytest.importorskip("torch", reason="torch not installed")
    p = B.Prec("float64")
    s = SMALL
    X = B.embed(_ids(), s, 0, p)
    W64 = B.layer_weights(s, 0, 0)
    for mname, M in (("complete", masks.complete(s.n)),
                     ("unidirectional_window", masks.unidirectional_window(s.n, 1))):
        mha = torch.nn.MultiheadAttention(s.d, s.heads, bias=False, batch_first=True).double()
        ln = torch.nn.LayerNorm(s.d, eps=s.ln_eps).double()
        fc1 = torch.nn.Linear(s.d, s.d_ff, bias=False).double()
        fc2 = torch.nn.Linear(s.d_ff, s.d, bias=False).double()
        with torch.no_grad():
            mha.in_proj_weight.copy_(torch.from_numpy(
                np.concatenate([W64["Q"].T, W64["K"].T, W64["V"].T])))
            mha.out_proj.weight.copy_(torch.from_numpy(W64["O"].T))
            fc1.weight.copy_(torch.from_numpy(W64["1"].T))
            fc2.weight.copy_(torch.from_numpy(W64["2"].T))
            x = torch.from_numpy(X)
            att = mha(x, x, x, attn_mask=torch.from_numpy(~M), need_weights=False)[0]
            y = ln(x + att)
            full = ln(y + fc2(torch.nn.functional.gelu(fc1(y))))
        W = {k: p.arr(w) for k, w in W64.items()}
        for v, e in (("san", att), ("san_ln", ln(att)), ("full", full)):
            got = B.layer_step(X, M, W, v, s, p)
            assert np.max(np.abs(got - e.detach().numpy())) < 1e-10, (mname, v)


def test_float32_runs_in_float32_and_mpmath_agrees_early():
    ms = {"complete": masks.complete(SMALL.n)}
    r32 = B.run(_ids(), ms, ("san_ln",), SMALL, seed=0, precision="float32")
    r64 = B.run(_ids(), ms, ("san_ln",), SMALL, seed=0, precision="float64")
    p = B.Prec("float32")
    assert B.embed(_ids(), SMALL, 0, p).dtype == np.float32
    a, b = r32["mu"]["complete"]["san_ln"][:, 0], r64["mu"]["complete"]["san_ln"][:, 0]
    assert abs(a[0] - b[0]) < 1e-4 * b[0] and abs(a[1] - b[1]) < 1e-3 * b[1]
    with pytest.raises(RankCollapseError, match="precision"):
        B.Prec("float16")
    with pytest.raises(RankCollapseError, match="variant"):
        B.run(_ids(), ms, ("nope",), SMALL, seed=0, precision="float64")


# --------------------------------------------------------------------------- the floor rule

def test_floor_rule_both_ways():
    e32 = B.unit_roundoff("float32")
    fro = 313.0
    # a level of ~1 rounding unit in float32 that drops ~1e8 in float64: the floor
    c = B.classify_level(1.0 * e32 * fro, fro, 5e-13, fro)
    assert c["verdict"] == "floor" and c["units32"] == pytest.approx(1.0)
    # exact float32 zero with float64 at its own floor: the floor
    assert B.classify_level(0.0, fro, 3 * 2.2e-16 * fro, fro)["verdict"] == "floor"
    # the same level in both precisions, far above both floors: genuine (floor fails)
    g = B.classify_level(118.0, fro, 118.0001, fro)
    assert g["verdict"] == "genuine"
    # a float32 level at the floor that does NOT move in float64 is not called the floor
    assert B.classify_level(e32 * fro, fro, e32 * fro, fro)["verdict"] != "floor"
    # a level that differs by 10x between precisions is neither (genuine fails)
    assert B.classify_level(1e-3, fro, 1e-4, fro)["verdict"] == "undecided"
    # stability
    assert B.is_stable([10, 9, 8, 8, 7.9])["stable"]
    assert not B.is_stable([10, 9, 8, 4, 1])["stable"]


def test_negative_control_window_keeps_level_in_both_precisions():
    """SAN + LN with the sliding window: genuine level, the same in float32 and float64;
    the complete mask on the same input is at the floor."""
    s = B.BertShape(n=32, d=64, heads=4, layers=8)
    ms = {"sliding_window": masks.sliding_window(32, 1), "complete": masks.complete(32)}
    r = {p: B.run(_ids(s), ms, ("san_ln",), s, seed=0, precision=p)
         for p in ("float32", "float64")}

    def verdict(m):
        a, b = r["float32"], r["float64"]
        return B.classify_level(a["mu"][m]["san_ln"][-1, 0], a["fro"][m]["san_ln"][-1, 0],
                                b["mu"][m]["san_ln"][-1, 0], b["fro"][m]["san_ln"][-1, 0])

    w = verdict("sliding_window")
    assert w["verdict"] == "genuine" and w["mu64"] > 0.1 * r["float64"]["mu"][
        "sliding_window"]["san_ln"][0, 0]
    assert B.is_stable(r["float64"]["mu"]["sliding_window"]["san_ln"][:, 0])["stable"]
    assert verdict("complete")["verdict"] == "floor"


def test_mpmath_sees_the_true_collapse():
    s = B.BertShape(n=8, d=16, heads=2, layers=4)
    ms = {"complete": masks.complete(8)}
    hp = B.run(_ids(s), ms, ("san_ln",), s, seed=0, precision="mpmath:40")
    f64 = B.run(_ids(s), ms, ("san_ln",), s, seed=0, precision="float64")
    a, b = hp["mu"]["complete"]["san_ln"][:, 0], f64["mu"]["complete"]["san_ln"][:, 0]
    assert abs(a[1] - b[1]) < 1e-10 * a[1]        # early layers agree
    assert a[-1] < 1e-3 * b[-1]                    # float64 is at its floor, the truth lower


# --------------------------------------------------------------------------- registry, figure

def test_experiment_ln_random_init():
    from rankcollapse.claims import Config, load, run

    c = load()["experiment-ln-random-init"]
    out = run(c, Config(seed=0))
    assert out["status"] == "fails" and out["level"] == "numeric"
    assert out["scope"]["kind"] == "sampled" and out["scope"]["instances"] >= 2
    pm = out["evidence"]["per_mask"]
    assert pm["complete"]["verdict_float64"] == "fails"
    assert pm["complete"]["float32_level_is"] == ["floor"]
    # negative control inside the claim: the windows hold, float32 = float64
    for m in ("sliding_window", "unidirectional_window"):
        assert pm[m]["verdict_float64"] == "holds"
        assert pm[m]["float32_level"] == pytest.approx(pm[m]["float64_level"], rel=1e-3)
    assert out["witness"]["mask"] in ("complete", "causal")
    assert "local masks" in out["narrower"]
    assert out["seconds"] < 20


def test_fig2_precision_tiny(tmp_path):
    from rankcollapse.figures import make_figures

    over = {"n": 8, "d": 16, "heads": 2, "samples": 2, "layers": 5, "hp_layers": 3,
            "hp_precisions": ("float32", "float64", "mpmath:30")}
    res = make_figures(tmp_path, quick=True, only=["fig2_precision"], jobs=1, seed=1,
                       backend="sequential", override=over, progress=False)
    assert (tmp_path / "fig2_precision.png").read_bytes()[:4] == b"\x89PNG"
    d = json.loads((tmp_path / "fig2_precision.json").read_text())
    assert res["files"]["fig2_precision"]
    v = d["verdicts"]
    assert v["complete"]["san_ln"]["verdict"] == "floor"
    assert v["sliding_window"]["san_ln"]["verdict"] == "genuine"
    assert v["sliding_window"]["full"]["verdict"] == "genuine"
    assert len(d["curves"]) == 2 * 4 * 5
    t = d["small_instance"]["table"]["complete"]
    assert t["reference"] == "mpmath:30" and t["float64_leaves_truth_at_layer"] is not None


# --------------------------------------------------------------------------- probe --dtype

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="torch not installed")


def make_san_ln(d=64, heads=4, layers=6, n=32, seed=0):
    """Factory for `probe --model`: pure attention + LayerNorm (complete mask), BERT init."""
    import torch

    class Layer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = torch.nn.MultiheadAttention(d, heads, bias=False, batch_first=True)
            self.ln = torch.nn.LayerNorm(d, eps=1e-12)

        def forward(self, x):
            return self.ln(self.attn(x, x, x, need_weights=False)[0])

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([Layer() for _ in range(layers)])

        def forward(self, x):
            for lay in self.layers:
                x = lay(x)
            return x

    torch.manual_seed(seed)
    m = Model()
    with torch.no_grad():
        for lay in m.layers:
            torch.nn.init.normal_(lay.attn.in_proj_weight, std=0.02)
            torch.nn.init.normal_(lay.attn.out_proj.weight, std=0.02)
    x = torch.nn.functional.layer_norm(torch.randn(2, n, d, dtype=torch.float64), (d,))
    return m, x


def test_probe_dtype(torch, capsys):
    from rankcollapse.cli import main

    with pytest.raises(SystemExit) as exc:                    # argparse refuses it
        main(["probe", "--dtype", "float16"])
    assert exc.value.code == 2
    assert "float32" in capsys.readouterr().err
    spec = "tests.test_fig2_precision:make_san_ln"
    out = {}
    for dt in ("float32", "float64"):
        assert main(["probe", "--model", spec, "--dtype", dt, "--no-check", "--json"]) == 0
        out[dt] = json.loads(capsys.readouterr().out)
        assert out[dt]["parameters"]["dtype"] == dt
        assert all(r["dtype"] == dt for r in out[dt]["layers"])
    r32, r64 = out["float32"]["layers"], out["float64"]["layers"]
    assert r32[0]["eps"] == pytest.approx(2.0 ** -23) and r64[0]["eps"] == pytest.approx(2.0 ** -52)
    # layer 0: a genuine spread, the same in both precisions
    assert r32[0]["mu"] == pytest.approx(r64[0]["mu"], rel=1e-5) and r32[0]["mu_units"] > 1e5
    # the complete mask collapses: by the last layer float32 is at its rounding floor and
    # float64 far below it
    assert r32[-1]["mu_units"] <= 100 and r64[-1]["mu"] <= max(1e-3 * r32[-1]["mu"], 1e-12)
    # text output flags the floor
    assert main(["probe", "--model", spec, "--dtype", "float32", "--no-check"]) == 0
    assert "rounding floor" in capsys.readouterr().out
