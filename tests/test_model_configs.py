"""Released checkpoints' configuration files (tests/data/configs/, each number's source in
its ``_source`` field) read as transformers reads them (rankcollapse/configs.py), their
schedule radius checked against an independent breadth-first reach computation written
here, the reader's refusals, ``mask --from`` and ``simulate --mask-file``."""
from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp

from numeric import masks
from numeric.errors import RankCollapseError
from rankcollapse import configs as C
from rankcollapse import models as MD
from theory import graphs
from theory import schedules as S
from theory.evidence import jsonable

DATA = pathlib.Path(__file__).parent / "data" / "configs"

#: file -> (audited radius, transformers' window convention; checkpoint name)
AUDITED = {"gemma-3-27b": (6, "gemma-3-27b"), "gemma-3-4b": (6, "gemma-3-4b"),
           "command-r7b": (4, "command-r7b"), "gemma-2-9b": (2, "gemma-2-9b"),
           "llama-4-scout": (4, "llama-4-scout"),
           "qwen2-windowless": (1, "deepseek-r1-distill-qwen-7b"),
           "mistral-7b-v0.1": (9, "mistral-7b-v0.1"), "gpt-oss-20b": (2, "gpt-oss-20b"),
           "gpt-oss-120b": (2, "gpt-oss-120b"), "electra-base": (1, "electra-base")}
#: the project's search runs at most at this N in the fast tests (the BFS runs at full N)
SEARCH_N = 1 << 18


def _load(name):
    return json.loads((DATA / f"{name}.json").read_text())


# --------------------------------------------------------------- independent reach (BFS)
def _allowed_layer(kind, window, chunk, causal):
    """One layer's mask as transformers' masking_utils states it, as a function giving, for
    the reached set ``R`` (bool array), the tokens i with some allowed key j in R."""
    def step(R):
        n = R.size
        cs = np.zeros(n + 1, dtype=np.int32)                # cs[k] = #reached in [0, k)
        np.cumsum(R, dtype=np.int32, out=cs[1:])
        q = np.arange(n)
        if not causal:                                      # bidirectional, full
            return np.full(n, bool(R.any()))
        if kind == "full_attention":                        # kv <= q
            lo = np.zeros(n, dtype=np.int64)
        elif kind == "sliding_attention":                   # kv > q - W and kv <= q
            lo = np.maximum(0, q - window + 1)
        else:                                               # kv // C == q // C, kv <= q
            lo = (q // chunk) * chunk
        return (cs[q + 1] - cs[lo]) > 0
    return step


def bfs_radius(kinds, n, window, chunk, causal, centres=None):
    """max over start layers s of min over centre candidates c of the number of layers
    until c's influence covers every token: a breadth-first search over tokens, one layer
    (one frontier expansion) at a time.  Causal: only token 0 can reach token 0, so it is
    the only candidate; bidirectional: every token is tried (``centres``)."""
    steps = [_allowed_layer(k, window, chunk, causal) for k in kinds]
    P = len(steps)
    cands = [0] if causal else (centres if centres is not None else range(n))
    worst = 0
    for s in range(P):
        best = math.inf
        for c in cands:
            R = np.zeros(n, dtype=bool)
            R[c] = True
            k = 0
            while not R.all():
                R2 = steps[(s + k) % P](R) | R
                k += 1
                if (R2 == R).all() and k >= P and all(x != "full_attention" for x in kinds):
                    k = math.inf
                    break
                R = R2
            best = min(best, k)
        worst = max(worst, best)
    return worst


def test_bfs_helper_against_graph_search():
    """The test's own BFS agrees with theory.graphs on small explicit masks."""
    n = 23
    assert bfs_radius(["sliding_attention"], n, 4, None, True) == \
        graphs.radius(masks.unidirectional_window(n, 3))
    assert bfs_radius(["full_attention"], n, None, None, True) == graphs.radius(masks.causal(n))
    assert bfs_radius(["full_attention"], 9, None, None, False) == 1
    assert bfs_radius(["chunked_attention"], n, None, 5, True) == math.inf


@pytest.mark.parametrize("name", sorted(AUDITED))
def test_checkpoint_radii_against_bfs(name):
    want, ckpt = AUDITED[name]
    raw = _load(name)
    full = MD.schedule_from_config(raw, use_transformers=False)
    ms = full.spec
    # the radius by the independent BFS at the checkpoint's own context
    causal = ms.direction == "causal"
    kinds = ms.layer_types[:full.period]
    r_bfs = bfs_radius(kinds, ms.context, ms.sliding_window, ms.chunk, causal,
                       centres=None if causal else [0, 1, ms.context - 1])
    assert r_bfs == want, (name, r_bfs)
    # the project's search (at the full context, or 2^18 for the 10M-token context)
    n = ms.context if ms.context <= SEARCH_N else SEARCH_N
    sch = full if n == ms.context else MD.schedule_from_config(raw, n, use_transformers=False)
    assert S.schedule_radius(sch) == want
    assert bfs_radius(kinds, n, ms.sliding_window, ms.chunk, causal,
                      centres=None if causal else [0]) == want
    # the built-in checkpoint name carries the same fields
    assert {k: v for k, v in raw.items() if not k.startswith("_")} == \
        MD.CHECKPOINTS[ckpt]["config"]
    row = MD.model_row(ckpt, n if n != ms.context else None)
    assert row["radius"] == want and row["layers"] == ms.depth
    assert row["radius_exceeds_depth"] is False
    assert "released checkpoint" in row["kind"]


def test_llama4_scout_at_its_full_context():
    sch = MD.schedule_from_config(_load("llama-4-scout"), use_transformers=False)
    assert sch.n == 10485760 and S.schedule_radius(sch) == 4


def test_depths_contexts_and_defaults_from_the_class():
    g = MD.schedule_from_config(_load("gemma-3-27b"), use_transformers=False)
    assert (g.n, g.depth, g.period) == (131072, 62, 6)
    assert "class default 6" in g.provenance["sliding_window_pattern"]
    assert "class default" in g.provenance["max_position_embeddings"]
    c = MD.schedule_from_config(_load("command-r7b"), use_transformers=False)
    assert (c.n, c.depth) == (132096, 32)
    m = MD.schedule_from_config(_load("mistral-7b-v0.1"), use_transformers=False)
    assert (m.n, m.depth) == (32768, 32)
    assert S.schedule_radius(MD.schedule_from_config(_load("mistral-7b-v0.1"),
                                                     window_convention="paper",
                                                     use_transformers=False)) == 8
    q = MD.schedule_from_config(_load("qwen2-windowless"), use_transformers=False)
    assert set(q.spec.layer_types) == {"full_attention"} and q.spec.sliding_window is None
    # negative control: the raw reading (every layer windowed) would give 33, not 1
    assert S.schedule_radius([MD.Pattern(131072, window=4095, causal=True)]) == 33


def test_qwen2_window_switch_and_max_window_layers():
    base = dict(_load("qwen2-windowless"), use_sliding_window=True, max_window_layers=21)
    base.pop("_source")
    ms = C.read_config(base, use_transformers=False)
    assert ms.layer_types[:21] == ["full_attention"] * 21
    assert ms.layer_types[21:] == ["sliding_attention"] * 7 and ms.sliding_window == 4096


def test_electra_is_an_encoder_and_is_decoder_makes_it_causal():
    ms = C.read_config(_load("electra-base"), use_transformers=False)
    assert ms.direction == "bidirectional"
    sch = MD.schedule_from_config(_load("electra-base"), use_transformers=False)
    M = sch.masks[0].to_sparse().toarray()
    assert M.all() and S.schedule_radius(sch) == 1
    dec = C.read_config(dict(_load("electra-base"), is_decoder=True), use_transformers=False)
    assert dec.direction == "causal"


@pytest.mark.parametrize("raw, field", [
    ({"num_hidden_layers": 4}, "model_type"),
    ({"model_type": "mystery", "num_hidden_layers": 4, "sliding_window": 8}, "model_type"),
    ({"model_type": "gemma2", "num_hidden_layers": 2,
      "layer_types": ["sliding_attention", "linear_attention"]}, "layer_types"),
    ({"model_type": "gemma2", "num_hidden_layers": 2, "sliding_window": None}, "sliding_window"),
    ({"model_type": "gemma2", "num_hidden_layers": 4, "layer_types": ["full_attention"]},
     "layer_types"),
    ({"model_type": "gemma3"}, "text_config"),
    ({"model_type": "gemma3_text", "use_bidirectional_attention": True},
     "use_bidirectional_attention"),
    ({"model_type": "bert", "is_encoder_decoder": True}, "is_encoder_decoder"),
    ({"model_type": "bert", "layer_types": ["full_attention"] * 12}, "layer_types"),
    ({"model_type": "llama4_text", "no_rope_layer_interval": 0}, "no_rope_layer_interval"),
    ({"model_type": "cohere2", "sliding_window_pattern": "4"}, "sliding_window_pattern"),
])
def test_reader_refuses_in_one_line_naming_the_field(raw, field):
    with pytest.raises(RankCollapseError) as e:
        MD.schedule_from_config(raw, 64, use_transformers=False)
    msg = str(e.value)
    assert field in msg and "\n" not in msg


def test_config_files_and_names_via_cli(tmp_path, capsys):
    from rankcollapse.cli import main

    assert main(["mask", "--schedule", str(DATA / "gemma-3-27b.json"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["radius"] == 6 and row["N"] == 131072 and row["layers"] == 62
    assert row["reach"]["radius_local_layers_only"] == 129
    assert row["theorem1"]["vacuous"] is True and "vacuous" in row["theorem1"]["words"]
    assert main(["mask", "--schedule", "command-r7b"]) == 0
    out = capsys.readouterr().out
    for words in ("released checkpoint CohereLabs/c4ai-command-r7b-12-2024", "N = 132096",
                  "which layers carry the reach", "rests on:", "vacuous", "sources:"):
        assert words in out, words
    bad = tmp_path / "mystery.json"
    bad.write_text(json.dumps({"model_type": "mystery", "num_hidden_layers": 3}))
    assert main(["mask", "--schedule", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "model_type" in err[0]


def test_class_default_names_still_work_and_say_so():
    for name in MD.MODELS:
        cfg = MD.load_config(name)
        assert "class default" in cfg["_source"]
    row = MD.model_row("mistral-7b")
    assert row["N"] == 131072 and row["radius"] == 33 and row["radius_exceeds_depth"]
    assert "class defaults" in row["kind"]


def test_bigbird_threshold_and_modes():
    cfg = {"model_type": "big_bird", "num_hidden_layers": 2, "block_size": 4,
           "num_random_blocks": 1, "max_position_embeddings": 64}
    edge = (5 + 2 * 1) * 4                       # transformers: full iff N <= (5 + 2R) b
    full = MD.schedule_from_config(cfg, edge, use_transformers=False)
    assert full.masks[0].dense
    sparse_ = MD.schedule_from_config(cfg, edge + 4, use_transformers=False)
    assert not sparse_.masks[0].dense and sparse_.period == 1 and "evaluation" in \
        sparse_.sources["mode"]
    train = MD.schedule_from_config(cfg, edge + 4, use_transformers=False,
                                    bigbird_training=True, seed=1)
    assert train.period == 2 and train.masks[0].block_edges is not None


def test_uniform_window_closed_form_equals_the_search():
    from rankcollapse.modelreport import _uniform_causal_window_radius

    for n, w in ((1, 3), (2, 1), (17, 4), (100, 7), (64, 0), (9, 8), (9, 20)):
        p = MD.Pattern(n, window=w, causal=True)
        assert _uniform_causal_window_radius([p, p]) == S.causal_schedule_radius([p]), (n, w)
    assert _uniform_causal_window_radius([MD.Pattern(9, chunk=3, causal=True)]) is None


def test_causal_fast_path_equals_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(60):
        n, P = int(rng.integers(2, 10)), int(rng.integers(1, 4))
        ms = []
        for _ in range(P):
            M = np.tril(rng.random((n, n)) < rng.uniform(0.05, 0.5))
            np.fill_diagonal(M, True)
            ms.append(M)
        if P == 1:
            ms = ms * 2          # period 1 takes the graph search; force the schedule path
        brute = max(min(S.schedule_reach(ms, c, s) for c in range(n)) for s in range(len(ms)))
        assert S.schedule_radius(ms) == brute
        rep = S.schedule_report(ms)
        assert rep["n_centres"] == (1 if brute < math.inf else 0)
    with pytest.raises(Exception):
        S.causal_schedule_radius([masks.complete(4)])


# --------------------------------------------------------------- your own mask
def test_mask_from_npy_npz_and_edge_list(tmp_path, capsys):
    from rankcollapse.cli import main

    np.save(tmp_path / "c.npy", masks.causal(7))
    np.save(tmp_path / "c01.npy", masks.causal(7).astype(np.int8))
    sp.save_npz(tmp_path / "w.npz", sp.csr_array(masks.sliding_window(9, 2)))
    (tmp_path / "u.txt").write_text("# unidirectional window 1\nn 6\n" +
                                    "".join(f"{i} {j}\n" for i in range(6)
                                            for j in (i - 1, i) if j >= 0))
    cases = {"c.npy": masks.causal(7), "c01.npy": masks.causal(7),
             "w.npz": masks.sliding_window(9, 2), "u.txt": masks.unidirectional_window(6, 1)}
    for fname, M in cases.items():
        assert main(["mask", "--from", str(tmp_path / fname), "--json"]) == 0
        rep = json.loads(capsys.readouterr().out)
        f = graphs.graph_facts(M)
        for k in ("radius", "n_centers", "diameter", "a1", "strongly_connected"):
            assert rep["search"][k] == jsonable(f[k]), (fname, k)
        assert rep["rates"]["r"] == f["radius"]
    # the same facts and rates as the built-in family
    assert main(["mask", "causal", "--n", "7", "--json"]) == 0
    fam = json.loads(capsys.readouterr().out)
    assert main(["mask", "--from", str(tmp_path / "c.npy"), "--json"]) == 0
    own = json.loads(capsys.readouterr().out)
    assert own["rates"] == fam["rates"]
    assert main(["mask", "--from", str(tmp_path / "c.npy")]) == 0
    assert "radius" in capsys.readouterr().out


@pytest.mark.parametrize("content, what", [
    ("0 0\n1 x\n", "line 2"), ("", "no edge"), ("n 3\n0 5\n", "outside"),
    ("0 0\nn 4\n", "'n N'"), ("0 1 2\n", "expected 'i j'"), ("-1 0\n", "expected 'i j'"),
])
def test_bad_edge_lists_are_refused_in_one_line(tmp_path, capsys, content, what):
    from rankcollapse.cli import main

    f = tmp_path / "m.txt"
    f.write_text(content)
    assert main(["mask", "--from", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and what in err[0], err


def test_bad_array_files_are_refused(tmp_path, capsys):
    from rankcollapse.cli import main

    np.save(tmp_path / "rect.npy", np.ones((2, 3), dtype=bool))
    np.save(tmp_path / "two.npy", np.full((3, 3), 2))
    np.save(tmp_path / "float.npy", np.eye(3))
    np.savez(tmp_path / "plain.npz", a=np.eye(3))
    (tmp_path / "bin.dat").write_bytes(b"\xff\xfe\x00\x01")
    for name, what in (("rect.npy", "square"), ("two.npy", "0 and 1"), ("float.npy", "dtype"),
                       ("plain.npz", "save_npz"), ("bin.dat", "UTF-8"), ("none.npy", "not found")):
        assert main(["mask", "--from", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and what in err[0], (name, err)
    np.save(tmp_path / "c.npy", masks.causal(4))
    assert main(["mask", "--from", str(tmp_path / "c.npy"), "--n", "5"]) == 2
    assert "N = 4" in capsys.readouterr().err
    assert main(["mask", "causal", "--from", str(tmp_path / "c.npy")]) == 2
    capsys.readouterr()


def test_simulate_mask_file_equals_the_family(tmp_path, capsys):
    from rankcollapse.cli import main

    np.save(tmp_path / "w.npy", masks.sliding_window(8, 1))
    base = ["simulate", "--d", "3", "--layers", "5", "--json", "--seed", "3"]
    assert main(base + ["--mask-file", str(tmp_path / "w.npy")]) == 0
    own = json.loads(capsys.readouterr().out)
    assert main(base + ["--mask", "sliding_window", "--n", "8"]) == 0
    fam = json.loads(capsys.readouterr().out)
    assert own["rows"] == fam["rows"] and own["parameters"]["N"] == 8
    assert main(base + ["--mask-file", str(tmp_path / "w.npy"), "--w", "2"]) == 2
    assert "--w" in capsys.readouterr().err


# --------------------------------------------------------------- through transformers
def _tf():
    return pytest.importorskip("transformers", reason="transformers is an optional extra "
                                                      "(pip install rankcollapse[transformers])")


@pytest.mark.parametrize("name", sorted(AUDITED))
def test_transformers_route_agrees_with_the_reader(name):
    _tf()
    raw = _load(name)
    a = C.read_config(raw, use_transformers=True)
    b = C.read_config(raw, use_transformers=False)
    for k in ("model_type", "depth", "context", "direction", "layer_types", "sliding_window",
              "chunk"):
        assert getattr(a, k) == getattr(b, k), (name, k)
    assert "transformers" in a.route


def test_reader_table_matches_the_library_defaults():
    _tf()
    import dataclasses

    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    for mt, (_, _, defaults) in C.FAMILIES.items():
        cls = CONFIG_MAPPING[mt]
        fields = {f.name: f.default for f in dataclasses.fields(cls)} \
            if dataclasses.is_dataclass(cls) else {}
        inst = cls()
        for k, v in defaults.items():
            got = fields.get(k, getattr(inst, k, None))
            if k == "sliding_window_pattern":
                got = getattr(inst, "_sliding_window_pattern", 4 if mt == "cohere2" else None)
            if k == "no_rope_layers":
                continue
            assert got == v, (mt, k, got, v)


def test_sliding_all_layers_matches_the_modeling_code():
    _tf()
    import importlib
    import inspect

    for mt in C.SLIDING_ALL_LAYERS:
        mod = importlib.import_module(f"transformers.models.{mt}.modeling_{mt}")
        src = inspect.getsource(mod)
        assert "create_causal_mask if self.config.sliding_window is None else " \
               "create_sliding_window_causal_mask" in src, mt
        assert "layer_types" not in src, mt
