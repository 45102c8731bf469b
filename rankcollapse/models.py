"""Attention schedules of real models: released checkpoints, class defaults, your config.

A schedule is read from a model's configuration by :func:`rankcollapse.configs.read_config`
(through ``transformers``' own configuration classes when installed, else a documented
reader that refuses what it cannot derive) and built here as one
:class:`numeric.sparse_attention.Pattern` per layer of the period (O(N) per layer):

* decoders: ``full_attention`` -> causal; ``sliding_attention`` with W -> token i attends to
  ``i-W+1 .. i`` (transformers' ``kv_idx > q_idx - W``: a layer moves information W - 1
  tokens; ``window_convention="paper"`` counts W, the Mistral paper's count);
  ``chunked_attention`` with C -> ``j <= i`` and ``j // C == i // C``;
* encoders (ELECTRA, BERT, ...): the complete (bidirectional) mask on every layer;
* Longformer (``attention_window`` w, one per layer or one for all): ``|i - j| <= w/2``
  plus global tokens (default token 0);
* BigBird (``block_size`` b, ``attention_type`` block_sparse): 3 sliding blocks and the
  first and last (global) blocks; the library draws random blocks only in training (in
  evaluation its random-block indices are all 0, the global first block), so the default
  is evaluation mode; ``bigbird_training=True`` adds R seeded random blocks per query
  block, a fresh draw per layer.  The library switches to full attention when
  ``N <= (5 + 2R) b``.

Names (:func:`load_config`):

* released checkpoints (:data:`rankcollapse.checkpoints.CHECKPOINTS`): ``gemma-3-27b``,
  ``command-r7b``, ``mistral-7b-v0.1``, ... with the context length, depth and window each
  checkpoint ships;
* class defaults (:data:`MODELS`, the names of earlier versions: ``mistral-7b``,
  ``gemma-3``, ...): the defaults of the configuration class (transformers 5.24), which
  are no released checkpoint (``gemma-3``'s depth 26 is the 1B model's; ``mistral-7b``'s
  N = 131072 is the class default, v0.1 ships 32768);
* a path to a ``config.json``.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from numeric.errors import RankCollapseError
from numeric.sparse_attention import Pattern, Schedule

from .checkpoints import CHECKPOINTS, checkpoint_config
from .configs import ModelSpec, read_config, transformers_available

#: the largest N built by default (a longer context is capped, and the cap is said)
MAX_N = 1 << 24

#: class-default names: name -> (transformers config class, overrides, note)
MODELS = {
    "mistral-7b": ("MistralConfig", {}, "class defaults of MistralConfig (N = 131072 is "
                   "the class default; the v0.1 checkpoint is mistral-7b-v0.1)"),
    "gemma-2": ("Gemma2Config", {}, "class defaults of Gemma2Config (26 layers)"),
    "gemma-3": ("Gemma3TextConfig", {}, "class defaults of Gemma3TextConfig (26 layers, "
                "window 4096: the 1B model's depth; checkpoints: gemma-3-27b, gemma-3-4b)"),
    "cohere2": ("Cohere2Config", {}, "class defaults of Cohere2Config (40 layers, N 8192; "
                "the checkpoint is command-r7b)"),
    "llama-4": ("Llama4TextConfig", {}, "class defaults of Llama4TextConfig"),
    "gpt-oss": ("GptOssConfig", {}, "class defaults of GptOssConfig (36 layers, as "
                "gpt-oss-120b)"),
    "longformer": ("LongformerConfig", {"max_position_embeddings": 4098},
                   "LongformerConfig with the checkpoint's max_position_embeddings 4098"),
    "bigbird": ("BigBirdConfig", {}, "class defaults of BigBirdConfig"),
}

_FIELDS = ("model_type", "layer_types", "sliding_window", "attention_chunk_size",
           "attention_window", "block_size", "num_random_blocks", "num_hidden_layers",
           "max_position_embeddings", "attention_type", "is_decoder")

#: the relevant fields of the config classes' defaults (transformers 5.24), for installs
#: without transformers
SNAPSHOT = {
    "mistral-7b": {"model_type": "mistral", "sliding_window": 4096, "num_hidden_layers": 32,
                   "max_position_embeddings": 131072},
    "gemma-2": {"model_type": "gemma2", "sliding_window": 4096, "num_hidden_layers": 26,
                "max_position_embeddings": 8192,
                "layer_types": ["sliding_attention", "full_attention"] * 13},
    "gemma-3": {"model_type": "gemma3_text", "sliding_window": 4096, "num_hidden_layers": 26,
                "max_position_embeddings": 131072,
                "layer_types": (["sliding_attention"] * 5 + ["full_attention"]) * 4
                + ["sliding_attention"] * 2},
    "cohere2": {"model_type": "cohere2", "sliding_window": 4096, "num_hidden_layers": 40,
                "max_position_embeddings": 8192,
                "layer_types": (["sliding_attention"] * 3 + ["full_attention"]) * 10},
    "llama-4": {"model_type": "llama4_text", "attention_chunk_size": 8192,
                "num_hidden_layers": 48, "max_position_embeddings": 131072,
                "layer_types": (["chunked_attention"] * 3 + ["full_attention"]) * 12},
    "gpt-oss": {"model_type": "gpt_oss", "sliding_window": 128, "num_hidden_layers": 36,
                "max_position_embeddings": 131072,
                "layer_types": ["sliding_attention", "full_attention"] * 18},
    "longformer": {"model_type": "longformer", "attention_window": 512,
                   "num_hidden_layers": 12, "max_position_embeddings": 4098},
    "bigbird": {"model_type": "big_bird", "block_size": 64, "num_random_blocks": 3,
                "num_hidden_layers": 12, "max_position_embeddings": 4096,
                "attention_type": "block_sparse", "is_decoder": False},
}


def names() -> list[str]:
    return list(CHECKPOINTS) + list(MODELS)


def config_from_transformers(name: str) -> dict:
    """The relevant fields of ``transformers``' config class for class-default ``name``
    (its defaults, no weights, no network), with the overrides of :data:`MODELS`."""
    import transformers

    cls_name, overrides, _ = MODELS[name]
    cfg = getattr(transformers, cls_name)(**overrides).to_dict()
    out = {k: cfg[k] for k in _FIELDS if k in cfg and cfg[k] is not None}
    out["_source"] = f"transformers {transformers.__version__} {cls_name}" + \
        (f" with {overrides}" if overrides else "") + " (class defaults, not a checkpoint)"
    return out


def load_config(spec: str) -> dict:
    """A raw config dict by name (checkpoint or class default) or from a JSON file.

    The key ``_source`` says where it came from (``_checkpoint`` the repository).  Raises
    :class:`RankCollapseError` (one line) for an unknown name or a malformed file."""
    if spec in CHECKPOINTS:
        cfg = checkpoint_config(spec)
        cfg["_source"] = f"config.json of {CHECKPOINTS[spec]['repo']} (released checkpoint)"
        cfg["_checkpoint"] = CHECKPOINTS[spec]["repo"]
        return cfg
    if spec in MODELS:
        if transformers_available():
            return config_from_transformers(spec)
        cfg = dict(SNAPSHOT[spec])
        cfg["_source"] = ("snapshot of transformers 5.24 class defaults (not a checkpoint; "
                          "transformers not installed)")
        return cfg
    p = Path(spec)
    try:
        exists = p.exists()
    except OSError as exc:                       # e.g. a name longer than the filesystem allows
        raise RankCollapseError(f"config file {spec[:80]!r}: {exc.strerror}") from None
    if p.suffix.lower() == ".json" or exists:
        try:
            cfg = json.loads(p.read_text())
        except FileNotFoundError:
            raise RankCollapseError(f"config file {spec!r} not found") from None
        except IsADirectoryError:
            raise RankCollapseError(f"config file {spec!r} is a directory; pass its "
                                    "config.json") from None
        except (OSError, ValueError) as exc:
            raise RankCollapseError(f"config file {spec!r} is not valid JSON: "
                                    f"{str(exc).splitlines()[0]}") from None
        if not isinstance(cfg, dict):
            raise RankCollapseError(f"config file {spec!r} must hold a JSON object")
        cfg["_source"] = str(p)
        return cfg
    raise RankCollapseError(f"unknown schedule {spec!r}; choose a checkpoint "
                            f"({', '.join(CHECKPOINTS)}), class defaults ({', '.join(MODELS)}) "
                            "or pass a config .json file")


def _period(seq: list) -> int:
    for p in range(1, len(seq) + 1):
        if all(seq[i] == seq[i % p] for i in range(len(seq))):
            return p
    return len(seq)


def _context_n(ms: ModelSpec, n, src: dict) -> int:
    if n is None:
        if ms.context is None:
            raise RankCollapseError("pass --n: the config has no max_position_embeddings")
        n = ms.context
        src["N"] = f"{n} = max_position_embeddings" + \
            (f" - {ms.extra['position_offset']} (position offset)"
             if ms.extra.get("position_offset") else "") + \
            f" ({ms.sources.get('max_position_embeddings', 'file')})"
        if n > MAX_N:
            src["N"] += f"; capped at {MAX_N} (pass --n to choose)"
            n = MAX_N
    else:
        src["N"] = f"{n} (given)"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise RankCollapseError(f"N must be a positive integer, got {n!r}")
    if n > MAX_N:
        raise RankCollapseError(f"N = {n} is beyond what this command handles ({MAX_N})")
    return int(n)


def schedule_from_config(cfg: dict, n: int | None = None, *, seed: int = 0,
                         globals_=(0,), window_convention: str = "transformers",
                         bigbird_training: bool = False,
                         use_transformers: bool | None = None) -> Schedule:
    """The schedule a config describes at context length ``n`` (default: the config's
    context, at most :data:`MAX_N`).  ``sources`` maps each number to where it came from.
    ``window_convention="paper"`` counts a sliding window W as ``W`` tokens back (the
    Mistral paper's count) instead of ``W - 1`` (transformers' mask)."""
    if not isinstance(cfg, dict):
        raise RankCollapseError("a config must be a dict / JSON object")
    if window_convention not in ("transformers", "paper"):
        raise RankCollapseError(f"window_convention must be 'transformers' or 'paper', "
                                f"got {window_convention!r}")
    ms = read_config(cfg, use_transformers=use_transformers)
    src = {"config": cfg.get("_source", ""), "model_type": ms.model_type,
           "num_hidden_layers": ms.depth}
    if "max_position_embeddings" in ms.extra:
        src["max_position_embeddings"] = ms.extra["max_position_embeddings"]
    prov = dict(ms.sources)
    n = _context_n(ms, n, prov)
    sch = _build(ms, n, src, seed=seed, globals_=globals_, convention=window_convention,
                 training=bigbird_training)
    sch.spec = ms
    sch.provenance = prov
    return sch


def _build(ms: ModelSpec, n: int, src: dict, *, seed, globals_, convention, training):
    mt, depth = ms.model_type, ms.depth
    if ms.special == "longformer":
        aw = ms.extra.get("attention_window")
        aws = aw if isinstance(aw, list) else [aw] * depth
        if len(aws) < depth or any(isinstance(a, bool) or not isinstance(a, int) or a < 2
                                   or a % 2 for a in aws):
            raise RankCollapseError(f"config field 'attention_window' must be a positive even "
                                    f"integer or a list of {depth}, got {aw!r}")
        src["attention_window"] = aw if not isinstance(aw, list) else \
            f"{len(aw)} entries: {sorted(set(aw))}"
        g = tuple(x for x in globals_ if x < n)
        src["global_tokens"] = f"{list(g)} (the <s> token; a task may mark more)"
        cache, masks, labels = {}, [], []
        for a in aws[:depth]:
            if a not in cache:
                cache[a] = Pattern(n, window=a // 2, globals=g, label=f"window {a}")
            masks.append(cache[a])
            labels.append(f"window +-{a // 2} + globals {list(g)}")
        p = _period(aws[:depth])
        return Schedule(masks[:p], mt, depth, src, labels[:p])
    if ms.special == "big_bird":
        return _bigbird(ms, n, src, seed=seed, training=training)
    if ms.direction == "bidirectional":
        m = Pattern(n, dense=True, label="complete")
        return Schedule([m], mt, depth, src, ["complete (bidirectional)"])
    types = ms.layer_types
    p = _period(types)
    src["layer_types"] = f"{len(types)} entries, period {p}"
    made, masks, labels = {}, [], []
    for kind in types[:p]:
        if kind not in made:
            if kind == "sliding_attention":
                W = ms.sliding_window
                src["sliding_window"] = W
                back = W if convention == "paper" else W - 1
                made[kind] = (Pattern(n, window=back, causal=True, label=f"sliding {W}"),
                              f"causal window {W} (j in [i-{back}, i])")
            elif kind == "chunked_attention":
                C = ms.chunk
                src["attention_chunk_size"] = C
                made[kind] = (Pattern(n, chunk=C, causal=True, label=f"chunk {C}"),
                              f"causal chunk {C}")
            else:
                made[kind] = (Pattern(n, dense=True, causal=True, label="full"), "causal full")
        masks.append(made[kind][0])
        labels.append(made[kind][1])
    return Schedule(masks, mt, depth, src, labels)


def _bigbird(ms: ModelSpec, n: int, src: dict, *, seed: int, training: bool) -> Schedule:
    import scipy.sparse as sp

    b = ms.extra.get("block_size")
    R = ms.extra.get("num_random_blocks")
    at = ms.extra.get("attention_type", "block_sparse")
    for k, v, lo in (("block_size", b, 1), ("num_random_blocks", R, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise RankCollapseError(f"config field {k!r} must be an integer >= {lo}, got {v!r}")
    mt, depth = ms.model_type, ms.depth
    src.update(block_size=b, num_random_blocks=R, attention_type=at)
    if at != "block_sparse" or n <= (5 + 2 * R) * b:
        # BigBirdModel.forward: block_sparse is not possible if seq_length <= (5 + 2R) b
        src["note"] = (f"full attention: attention_type {at!r}" if at != "block_sparse" else
                       f"full attention: N = {n} <= (5 + 2R) b = {(5 + 2 * R) * b}, where "
                       "transformers switches to original_full")
        return Schedule([Pattern(n, dense=True, label="full")], mt, depth, src, ["full"])
    nb = -(-n // b)
    g = tuple(range(0, min(b, n))) + tuple(range((nb - 1) * b, n))
    if not training:
        src["mode"] = "evaluation (no random blocks: their indices are all 0, the global block)"
        m = Pattern(n, window=1, block=b, globals=g, label="bigbird (eval)")
        return Schedule([m], mt, depth, src, [f"3 sliding blocks of {b} + 2 global blocks"])
    src.update(mode="training (seeded random blocks, a fresh draw per layer)", seed=seed)
    rng = np.random.default_rng(seed)
    masks, labels = [], []
    for layer in range(depth):
        rows, cols = [], []
        for q in range(1, nb - 1):
            allowed = np.r_[1:max(1, q - 1), q + 2:nb - 1]
            pick = rng.choice(allowed, size=min(R, allowed.size), replace=False)
            rows += [q] * len(pick)
            cols += pick.tolist()
        E = sp.csr_array((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(nb, nb))
        masks.append(Pattern(n, window=1, block=b, globals=g, block_edges=E,
                             label=f"bigbird layer {layer}"))
        labels.append(f"3 sliding blocks of {b} + 2 global blocks + {R} random blocks")
    return Schedule(masks, mt, depth, src, labels)


def model_row(spec: str, n: int | None = None, *, seed: int = 0, CQ=1.0, CK=1.0, CV=1.0,
              B0=1.0, d_qk=1.0, sink=None, bigbird_training: bool = False) -> dict:
    """Everything ``rankcollapse mask --schedule`` prints: N, depth, the schedule radius
    (both window conventions for sliding windows), radius against depth, which layers
    carry the reach, Theorem 1's rate with what it assumes and whether it is vacuous at
    this size, attention sinks, and the source of every number."""
    from theory.schedules import schedule_report

    from .modelreport import reach_summary, sink_summary, theorem1_summary

    cfg = load_config(spec)
    sch = schedule_from_config(cfg, n, seed=seed, bigbird_training=bigbird_training)
    rep = schedule_report(sch)
    known = spec in CHECKPOINTS or spec in MODELS
    row = {"model": spec if known else Path(spec).name,
           "kind": ("released checkpoint " + CHECKPOINTS[spec]["repo"]) if spec in CHECKPOINTS
           else (MODELS[spec][2] if spec in MODELS else "your config file"),
           "N": sch.n, "layers": sch.depth, "direction": sch.spec.direction,
           "period": sch.period, "pattern": sch.labels,
           "radius": rep["radius"], "radius_per_start": rep.get("radius_per_start"),
           "n_centres": rep.get("n_centres"), "problems": rep["problems"],
           "route": sch.spec.route, "sources": sch.sources,
           "provenance": sch.provenance}
    if spec in CHECKPOINTS:
        row["checkpoint_note"] = CHECKPOINTS[spec]["notes"]
    if sch.spec.sliding_window is not None and sch.spec.special is None:
        alt = schedule_report(schedule_from_config(cfg, n, seed=seed,
                                                   window_convention="paper"))
        row["radius_window_W_per_layer"] = alt["radius"]
    r = rep["radius"]
    if r is None or r == math.inf:
        row["radius_exceeds_depth"] = None
        row["theorem1"] = None
        return row
    row["radius_exceeds_depth"] = bool(r > sch.depth)
    row["max_in_degree"] = rep["max_in_degree"]
    row["reach"] = reach_summary(sch, rep)
    row["theorem1"] = theorem1_summary(sch, rep, CQ=CQ, CK=CK, CV=CV, B0=B0, d_qk=d_qk)
    if sch.spec.sink or sink is not None:
        row["sink"] = sink_summary(sch, rep, sink, CQ=CQ, CK=CK, CV=CV, B0=B0, d_qk=d_qk)
    return row
