"""Attention schedules of real models, built from their configuration fields.

A model's configuration (a ``transformers`` config class, its ``to_dict()``, or a
``config.json`` a user passes) fixes which mask each layer uses.  The fields read, and
how (decoder masks are the causal mask intersected with the local pattern):

* ``layer_types``          per layer: ``sliding_attention`` -> causal window,
                           ``chunked_attention`` -> causal chunk, ``full_attention`` ->
                           causal (dense).  The schedule is its shortest period.
* ``sliding_window`` = W   transformers' convention (``masking_utils.sliding_window_overlay``:
                           ``kv_idx > q_idx - W``): token i attends to ``i-W+1 .. i``, so a
                           layer moves information ``W - 1`` tokens.  The Mistral paper
                           counts ``W`` per layer; both are reported.
* ``attention_chunk_size`` = C: token i attends to ``j <= i`` with ``j // C == i // C``.
* ``attention_window``     (Longformer, an int or one per layer) = w: bidirectional
                           ``|i - j| <= w / 2``, plus global tokens (default: token 0, the
                           ``<s>``/CLS token a task marks global).
* ``block_size`` = b, ``num_random_blocks`` = R (BigBird, ``attention_type`` =
                           ``block_sparse``): blocks of b tokens; each query block attends
                           to its 3 neighbouring blocks, the first and last (global) blocks
                           and R random blocks (seeded; a fresh draw per layer), and the
                           global blocks attend to all.
* ``num_hidden_layers``    the depth; ``max_position_embeddings`` the default context N
                           (capped at 131072).

Without ``transformers`` installed, :data:`SNAPSHOT` holds the same fields as the config
classes' defaults in transformers 5.24 (checked against the installed package by
``tests/test_schedules.py`` when it is there).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from numeric.errors import RankCollapseError
from numeric.sparse_attention import Pattern, Schedule

MAX_N = 131072

#: name -> (transformers config class, overrides of its defaults, note)
MODELS = {
    "mistral-7b": ("MistralConfig", {}, "Mistral 7B: sliding window 4096 on every layer"),
    "gemma-2": ("Gemma2Config", {}, "Gemma 2: local 4096 alternating with global"),
    "gemma-3": ("Gemma3TextConfig", {}, "Gemma 3: five local (4096 in the config class "
                "default) to one global"),
    "cohere2": ("Cohere2Config", {}, "Cohere2 (Command R7B): three local to one global"),
    "llama-4": ("Llama4TextConfig", {}, "Llama 4: chunked 8192, global every fourth layer"),
    "gpt-oss": ("GptOssConfig", {}, "gpt-oss: banded 128 alternating with dense"),
    "longformer": ("LongformerConfig", {"max_position_embeddings": 4098},
                   "Longformer base 4096: window 512 plus global token 0 (the checkpoint "
                   "allenai/longformer-base-4096 has max_position_embeddings = 4098 = "
                   "4096 + 2 offset; the class default 512 is BERT's)"),
    "bigbird": ("BigBirdConfig", {}, "BigBird (ITC): window 3 blocks of 64, 2 global "
                "blocks, 3 random blocks per query block, seeded"),
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

ENCODERS = ("longformer", "big_bird", "bert", "roberta")


def transformers_available() -> bool:
    try:
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def config_from_transformers(name: str) -> dict:
    """The relevant fields of ``transformers``' config class for ``name`` (its defaults,
    no weights, no network), with the overrides of :data:`MODELS`."""
    import transformers

    cls_name, overrides, _ = MODELS[name]
    cfg = getattr(transformers, cls_name)(**overrides).to_dict()
    out = {k: cfg[k] for k in _FIELDS if k in cfg and cfg[k] is not None}
    out["_source"] = f"transformers {transformers.__version__} {cls_name}" + \
        (f" with {overrides}" if overrides else "")
    return out


def load_config(spec: str) -> dict:
    """A config by model name (:data:`MODELS`) or from a JSON file path.

    Raises :class:`RankCollapseError` (one line) for an unknown name or a malformed file."""
    if spec in MODELS:
        if transformers_available():
            return config_from_transformers(spec)
        cfg = dict(SNAPSHOT[spec])
        cfg["_source"] = "snapshot of transformers 5.24 config defaults (transformers not installed)"
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
        except (OSError, ValueError) as exc:
            raise RankCollapseError(f"config file {spec!r} is not valid JSON: "
                                    f"{str(exc).splitlines()[0]}") from None
        if not isinstance(cfg, dict):
            raise RankCollapseError(f"config file {spec!r} must hold a JSON object")
        cfg.setdefault("_source", str(p))
        return cfg
    raise RankCollapseError(f"unknown schedule {spec!r}; choose a model ({', '.join(MODELS)}) "
                            "or pass a config .json file")


def _int_field(cfg, key, *, minimum=1):
    v = cfg.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise RankCollapseError(f"config field {key!r} must be an integer >= {minimum}, "
                                f"got {v!r}")
    return v


def _period(seq: list) -> int:
    for p in range(1, len(seq) + 1):
        if all(seq[i] == seq[i % p] for i in range(len(seq))):
            return p
    return len(seq)


def schedule_from_config(cfg: dict, n: int | None = None, *, seed: int = 0,
                         globals_=(0,), window_convention: str = "transformers") -> Schedule:
    """The schedule a config describes at context length ``n`` (default: the config's
    ``max_position_embeddings`` capped at 131072).  ``sources`` maps each field read to
    its value.  ``window_convention="paper"`` counts a sliding window W as ``W`` tokens
    back (the Mistral paper's count) instead of ``W - 1`` (transformers' mask)."""
    if not isinstance(cfg, dict):
        raise RankCollapseError("a config must be a dict / JSON object")
    mt = str(cfg.get("model_type", ""))
    depth = _int_field(cfg, "num_hidden_layers")
    src = {"model_type": mt, "num_hidden_layers": depth, "config": cfg.get("_source", "")}
    if n is None:
        mpe = cfg.get("max_position_embeddings")
        if not isinstance(mpe, int) or mpe < 1:
            raise RankCollapseError("pass --n: the config has no max_position_embeddings")
        n = min(mpe, MAX_N)
        if mt == "longformer":
            n = min(n, mpe - 2)  # RoBERTa's position offset of 2
        src["max_position_embeddings"] = mpe
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise RankCollapseError(f"N must be a positive integer, got {n!r}")
    n = int(n)
    if n > 4 * MAX_N:
        raise RankCollapseError(f"N = {n} is beyond what this command handles ({4 * MAX_N})")
    encoder = mt in ENCODERS
    masks, labels = [], []

    if mt == "longformer":
        aw = cfg.get("attention_window")
        aws = aw if isinstance(aw, list) else [aw] * depth
        if not aws or any(isinstance(a, bool) or not isinstance(a, int) or a < 2 or a % 2
                          for a in aws):
            raise RankCollapseError(f"attention_window must be a positive even integer or a "
                                    f"list of them, got {aw!r}")
        src["attention_window"] = aw
        g = tuple(x for x in globals_ if x < n)
        src["global_tokens"] = list(g)
        cache = {}
        for a in aws[:depth]:
            if a not in cache:
                cache[a] = Pattern(n, window=a // 2, globals=g, label=f"window {a}")
            masks.append(cache[a])
            labels.append(f"window +-{a // 2} + globals {list(g)}")
        p = _period(aws[:depth])
        return Schedule(masks[:p], mt, depth, src, labels[:p])

    if mt == "big_bird":
        b = _int_field(cfg, "block_size")
        R = _int_field(cfg, "num_random_blocks", minimum=0)
        at = cfg.get("attention_type", "block_sparse")
        src.update(block_size=b, num_random_blocks=R, attention_type=at, seed=seed)
        nb = -(-n // b)
        if at != "block_sparse" or nb < 5 + 2 * R:
            # transformers falls back to full attention for short inputs
            m = Pattern(n, dense=True, label="full")
            src["note"] = "full attention (original_full or too short for block_sparse)"
            return Schedule([m], mt, depth, src, ["full"])
        import scipy.sparse as sp

        rng = np.random.default_rng(seed)
        g = tuple(range(0, min(b, n))) + tuple(range((nb - 1) * b, n))
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

    if encoder:
        raise RankCollapseError(f"model_type {mt!r}: no attention schedule known")
    # decoders: causal everywhere
    types = cfg.get("layer_types")
    if types is None:
        sw = cfg.get("sliding_window")
        types = ["sliding_attention" if sw else "full_attention"] * depth
    else:
        src["layer_types"] = f"{len(types)} entries, period {_period(list(types))}"
    if not isinstance(types, list) or len(types) < 1:
        raise RankCollapseError(f"layer_types must be a list, got {types!r}")
    types = list(types)[:depth]
    p = _period(types)
    made = {}
    for kind in types[:p]:
        if kind not in made:
            if kind == "sliding_attention":
                W = _int_field(cfg, "sliding_window")
                src["sliding_window"] = W
                back = W if window_convention == "paper" else W - 1
                made[kind] = (Pattern(n, window=back, causal=True, label=f"sliding {W}"),
                              f"causal window {W} (j in [i-{back}, i])")
            elif kind == "chunked_attention":
                C = _int_field(cfg, "attention_chunk_size")
                src["attention_chunk_size"] = C
                made[kind] = (Pattern(n, chunk=C, causal=True, label=f"chunk {C}"),
                              f"causal chunk {C}")
            elif kind == "full_attention":
                made[kind] = (Pattern(n, dense=True, causal=True, label="full"), "causal full")
            else:
                raise RankCollapseError(f"unknown layer type {kind!r} in layer_types")
        masks.append(made[kind][0])
        labels.append(made[kind][1])
    return Schedule(masks, mt, depth, src, labels)


def model_row(spec: str, n: int | None = None, *, seed: int = 0, CQ=1.0, CK=1.0, CV=1.0,
              B0=1.0, d_qk=1.0) -> dict:
    """The table row for one model: N, depth, schedule radius (both window conventions
    for sliding windows), radius > depth?, Theorem 1's rate for the stated weight bounds,
    and the config fields each number came from."""
    import mpmath

    from theory.bounds import rate_summary
    from theory.schedules import schedule_report

    cfg = load_config(spec)
    sch = schedule_from_config(cfg, n, seed=seed)
    rep = schedule_report(sch)
    row = {"model": spec if spec in MODELS else Path(spec).name, "N": sch.n,
           "layers": sch.depth, "period": sch.period, "pattern": sch.labels,
           "radius": rep["radius"], "radius_per_start": rep.get("radius_per_start"),
           "n_centres": rep.get("n_centres"), "problems": rep["problems"],
           "sources": sch.sources}
    if "sliding_window" in sch.sources:
        alt = schedule_report(schedule_from_config(cfg, n, seed=seed,
                                                   window_convention="paper"))
        row["radius_window_W_per_layer"] = alt["radius"]
    r = rep["radius"]
    if r is None or r == math.inf:
        row["radius_exceeds_depth"] = None
        row["theorem1"] = None
        return row
    row["radius_exceeds_depth"] = bool(r > sch.depth)
    maxdeg = rep["max_in_degree"]
    # a finite schedule radius means some token reaches all in every block: at least one
    # centre, whatever schedule_centres counts from start 0
    rs = rate_summary(maxdeg, r, max(1, rep["n_centres"] or 0), CQ=CQ, CK=CK, CV=CV, B0=B0,
                      d_qk=d_qk)
    with mpmath.workdps(30):
        eps = mpmath.mpf(rs["theorem1"]["eps"])
        log10_eps_r = float(r * mpmath.log10(eps))
    row["max_in_degree"] = maxdeg
    row["theorem1"] = {"weight_bounds": {"CQ": CQ, "CK": CK, "CV": CV, "B0": B0,
                                         "d_qk": d_qk},
                       "eps": rs["theorem1"]["eps"], "log10_eps_to_r": round(log10_eps_r, 2),
                       "one_minus_rate": rs["theorem1"].get("one_minus_rate"),
                       "layers_per_e_fold": rs["theorem1"].get("layers_per_e_fold")}
    return row
