"""Which mask each layer of a model uses, read from its configuration (``config.json``).

Two routes give the same :class:`ModelSpec`:

* **transformers installed** (the optional extra): the configuration class the library
  itself picks for ``model_type`` (``CONFIG_MAPPING[model_type].from_dict(raw)``) builds
  the configuration, so everything its ``__post_init__`` derives is derived by the
  library: ``layer_types`` from ``sliding_window_pattern`` (Gemma 3, Cohere2), from
  ``no_rope_layers`` / ``no_rope_layer_interval`` (Llama 4), from ``use_sliding_window``
  and ``max_window_layers`` (Qwen2/3), class defaults for absent fields, and a nested
  ``text_config`` (``get_text_config(decoder=True)``).  Causal or bidirectional comes from
  the library's own tables: a model type in the masked-LM mapping is an encoder
  (bidirectional) unless ``is_decoder`` is set; a model type only in the causal-LM
  mapping is a causal decoder.
* **without transformers**: the documented reader below (:data:`FAMILIES`) applies the
  same derivation rules for the model types it lists, with the class defaults of
  transformers 5.24 for absent fields (each one named in ``sources`` as a class default;
  ``tests/test_model_configs.py`` checks the table against the installed library when
  there is one).  A configuration whose layer pattern it cannot derive is refused in one
  line naming the field: an unknown ``model_type`` (causal or bidirectional is then
  unknown), an unknown entry of ``layer_types``, a sliding layer whose
  ``sliding_window`` is null, a ``layer_types`` shorter than ``num_hidden_layers``.
  Nothing is guessed.

Masks per layer kind (transformers' ``masking_utils``): ``full_attention`` -> causal
(decoders) or complete (encoders); ``sliding_attention`` with ``sliding_window`` = W ->
``kv_idx > q_idx - W`` and causal (token i attends to ``i-W+1 .. i``);
``chunked_attention`` with ``attention_chunk_size`` = C -> ``kv // C == q // C`` and
causal.  A configuration class without ``layer_types`` uses the window on every layer
when ``sliding_window`` is set for the model types of :data:`SLIDING_ALL_LAYERS` (their
modeling code: ``create_causal_mask if config.sliding_window is None else
create_sliding_window_causal_mask``), full attention when it is unset; any other model
type with a window set and no ``layer_types`` is refused.  Encoder-decoder models (T5,
BART) are refused: their two stacks have different masks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from numeric.errors import RankCollapseError

RECORDED_VERSION = "5.24.0"
LAYER_KINDS = ("full_attention", "sliding_attention", "chunked_attention")

#: model types whose modeling code applies ``sliding_window`` to every layer when it is set
#: (checked against the library's modeling source by the tests when it is installed)
SLIDING_ALL_LAYERS = ("mistral", "mixtral", "phi3", "starcoder2")

#: composite (multimodal) configurations: the text model's type when ``text_config`` has none
COMPOSITE = {"gemma3": "gemma3_text", "llama4": "llama4_text"}

#: RoBERTa-style position ids start at padding_idx + 1 = 2: N = max_position_embeddings - 2
POSITION_OFFSET = {"roberta": 2, "xlm-roberta": 2, "camembert": 2, "longformer": 2, "mpnet": 2}

_ENC = {"num_hidden_layers": 12, "max_position_embeddings": 512}

#: the reader without transformers: model_type -> (direction, rule, class defaults of the
#: fields the rule reads, from transformers 5.24).  Rules are described in :func:`_derive`.
FAMILIES: dict[str, tuple[str, str, dict]] = {
    "gemma2": ("causal", "pattern:2", {"num_hidden_layers": 26,
                                       "max_position_embeddings": 8192, "sliding_window": 4096}),
    "gemma3_text": ("causal", "pattern:sliding_window_pattern",
                    {"num_hidden_layers": 26, "max_position_embeddings": 131072,
                     "sliding_window": 4096, "sliding_window_pattern": 6,
                     "use_bidirectional_attention": False}),
    "cohere2": ("causal", "pattern:sliding_window_pattern",
                {"num_hidden_layers": 40, "max_position_embeddings": 8192,
                 "sliding_window": 4096, "sliding_window_pattern": 4}),
    "gpt_oss": ("causal", "pattern:2", {"num_hidden_layers": 36,
                                        "max_position_embeddings": 131072, "sliding_window": 128}),
    "llama4_text": ("causal", "no_rope", {"num_hidden_layers": 48,
                                          "max_position_embeddings": 131072,
                                          "attention_chunk_size": 8192,
                                          "no_rope_layer_interval": 4, "no_rope_layers": None}),
    "qwen2": ("causal", "max_window_layers", {"num_hidden_layers": 32,
                                              "max_position_embeddings": 32768,
                                              "sliding_window": 4096, "use_sliding_window": False,
                                              "max_window_layers": 28}),
    "qwen3": ("causal", "max_window_layers", {"num_hidden_layers": 32,
                                              "max_position_embeddings": 32768,
                                              "sliding_window": 4096, "use_sliding_window": False,
                                              "max_window_layers": 28}),
    "mistral": ("causal", "all_sliding", {"num_hidden_layers": 32,
                                          "max_position_embeddings": 131072, "sliding_window": 4096}),
    "mixtral": ("causal", "all_sliding", {"num_hidden_layers": 32,
                                          "max_position_embeddings": 131072, "sliding_window": None}),
    "phi3": ("causal", "all_sliding", {"num_hidden_layers": 32, "max_position_embeddings": 4096,
                                       "sliding_window": None}),
    "starcoder2": ("causal", "all_sliding", {"num_hidden_layers": 30,
                                             "max_position_embeddings": 4096, "sliding_window": None}),
    "llama": ("causal", "all_full", {"num_hidden_layers": 32, "max_position_embeddings": 2048}),
    "bert": ("encoder", "all_full", {**_ENC, "is_decoder": False}),
    "roberta": ("encoder", "all_full", {**_ENC, "is_decoder": False}),
    "xlm-roberta": ("encoder", "all_full", {**_ENC, "is_decoder": False}),
    "camembert": ("encoder", "all_full", {**_ENC, "is_decoder": False}),
    "electra": ("encoder", "all_full", {**_ENC, "is_decoder": False}),
    "albert": ("encoder", "all_full", dict(_ENC)),
    "deberta": ("encoder", "all_full", dict(_ENC)),
    "deberta-v2": ("encoder", "all_full", {"num_hidden_layers": 24,
                                           "max_position_embeddings": 512}),
    "mpnet": ("encoder", "all_full", dict(_ENC)),
    "longformer": ("encoder", "longformer", {**_ENC, "attention_window": 512}),
    "big_bird": ("encoder", "big_bird", {"num_hidden_layers": 12,
                                         "max_position_embeddings": 4096, "is_decoder": False,
                                         "block_size": 64, "num_random_blocks": 3,
                                         "attention_type": "block_sparse"}),
}

#: model types with a learned attention-sink logit per head (gpt-oss: ``self.sinks``)
SINK_MODEL_TYPES = ("gpt_oss",)


@dataclass
class ModelSpec:
    """What the schedule needs from a configuration, and where each number came from."""

    model_type: str
    depth: int
    context: int | None            # usable tokens: max_position_embeddings (- offset)
    direction: str                 # "causal" or "bidirectional"
    layer_types: list
    sliding_window: int | None = None
    chunk: int | None = None
    special: str | None = None     # "longformer", "big_bird"
    extra: dict = field(default_factory=dict)
    sink: bool = False
    route: str = ""
    sources: dict = field(default_factory=dict)


def transformers_available() -> bool:
    try:
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _int(v, name, *, minimum=1, allow_none=False):
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise RankCollapseError(f"config field {name!r} must be an integer >= {minimum}, "
                                f"got {v!r}")
    return v


def _text_part(raw: dict) -> tuple[dict, str]:
    """The text model's fields: ``text_config`` when present (composite configs)."""
    if not isinstance(raw, dict):
        raise RankCollapseError("a config must be a JSON object")
    mt = raw.get("model_type")
    if not isinstance(mt, str) or not mt:
        raise RankCollapseError("config field 'model_type' is missing: the layer pattern "
                                "cannot be derived without it")
    tc = raw.get("text_config")
    if tc is None:
        if mt in COMPOSITE:
            raise RankCollapseError(f"config field 'text_config' is missing (model_type "
                                    f"{mt!r} keeps its text model there)")
        return raw, mt
    if not isinstance(tc, dict):
        raise RankCollapseError(f"config field 'text_config' must be an object, got {tc!r}")
    tmt = tc.get("model_type") or COMPOSITE.get(mt)
    if not tmt:
        raise RankCollapseError("config field 'text_config.model_type' is missing")
    return {**tc, "model_type": tmt}, tmt


def read_config(raw: dict, *, use_transformers: bool | None = None) -> ModelSpec:
    """The :class:`ModelSpec` of a configuration dict (a parsed ``config.json``).

    ``use_transformers=None`` takes the library when it is installed; ``False`` forces the
    documented reader (what an install without the extra does); ``True`` requires it."""
    raw = {k: v for k, v in raw.items() if not str(k).startswith("_")} \
        if isinstance(raw, dict) else raw
    if use_transformers is None:
        use_transformers = transformers_available()
    if use_transformers:
        return _via_transformers(raw)
    return _via_reader(raw)


# ------------------------------------------------------------------ through transformers
def _via_transformers(raw: dict) -> ModelSpec:
    import transformers
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.models.auto.modeling_auto import (MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
                                                        MODEL_FOR_MASKED_LM_MAPPING_NAMES)

    txt, _ = _text_part(raw)                          # same one-line errors as the reader
    mt = raw["model_type"]
    if mt not in CONFIG_MAPPING:
        raise RankCollapseError(f"config field 'model_type' = {mt!r} is not known to "
                                f"transformers {transformers.__version__}")
    try:
        full = CONFIG_MAPPING[mt].from_dict(dict(raw))
        cfg = full.get_text_config(decoder=True)
    except Exception as exc:                          # the library's validation, one line
        raise RankCollapseError(f"transformers {transformers.__version__} refuses the "
                                f"config: {_one_line(exc)}") from None
    tmt = getattr(cfg, "model_type", mt)
    route = f"transformers {transformers.__version__} {type(cfg).__name__}"
    if getattr(cfg, "is_encoder_decoder", False) or getattr(full, "is_encoder_decoder", False):
        raise RankCollapseError(f"config field 'is_encoder_decoder' is true ({tmt}): the "
                                "encoder and decoder stacks have different masks; not modelled")
    if getattr(cfg, "use_bidirectional_attention", False):
        raise RankCollapseError("config field 'use_bidirectional_attention' is true: "
                                "bidirectional sliding windows are not modelled")
    is_dec = bool(getattr(cfg, "is_decoder", False))
    if tmt in MODEL_FOR_MASKED_LM_MAPPING_NAMES:
        direction = "causal" if is_dec else "bidirectional"
        why = f"{tmt} is a masked-LM model type in transformers" + \
            (" with is_decoder = true" if is_dec else " (is_decoder false): encoder")
    elif tmt in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        direction, why = "causal", f"{tmt} is a causal-LM model type in transformers"
    else:
        raise RankCollapseError(f"config field 'model_type' = {tmt!r}: neither a causal nor "
                                "a masked language model in transformers' tables, so the "
                                "attention direction is unknown")
    depth = _int(getattr(cfg, "num_hidden_layers", None), "num_hidden_layers")
    src = {"route": route, "direction": why}
    for k in ("num_hidden_layers", "max_position_embeddings", "sliding_window",
              "sliding_window_pattern", "attention_chunk_size", "no_rope_layers",
              "no_rope_layer_interval", "use_sliding_window", "max_window_layers"):
        if k in txt:
            src[k] = "file" if txt[k] != [] else f"file ([]: {type(cfg).__name__} derives it)"
        elif getattr(cfg, k, None) is not None or \
                (k == "sliding_window_pattern" and hasattr(cfg, "_sliding_window_pattern")):
            v = getattr(cfg, k, None) if k != "sliding_window_pattern" else \
                getattr(cfg, "_sliding_window_pattern", None)
            src[k] = f"class default {v!r} of {type(cfg).__name__}"
    spec = ModelSpec(tmt, depth, None, direction, [], route=route, sources=src,
                     sink=tmt in SINK_MODEL_TYPES)
    _context(spec, getattr(cfg, "max_position_embeddings", None), None)
    if tmt in ("longformer", "big_bird") and direction == "bidirectional":
        return _special(spec, {k: getattr(cfg, k, None) for k in
                               ("attention_window", "block_size", "num_random_blocks",
                                "attention_type")})
    types = getattr(cfg, "layer_types", None)
    sw = getattr(cfg, "sliding_window", None)
    if types is None:
        if sw is not None and tmt not in SLIDING_ALL_LAYERS:
            raise RankCollapseError(
                f"config field 'sliding_window' is set but {tmt!r} has no layer_types and "
                "is not a model type known to window every layer; which layers use the "
                "window is decided in its modeling code, not checked here")
        types = ["sliding_attention" if sw is not None else "full_attention"] * depth
        src["layer_types"] = ("every layer sliding (sliding_window set; " if sw is not None
                              else "every layer full (") + f"{tmt} has no layer_types)"
    else:
        src["layer_types"] = f"{len(types)} entries from {type(cfg).__name__}"
    return _finish(spec, list(types), sw, getattr(cfg, "attention_chunk_size", None))


# ------------------------------------------------------------------ the documented reader
def _via_reader(raw: dict) -> ModelSpec:
    txt, mt = _text_part(raw)
    if txt.get("is_encoder_decoder"):
        raise RankCollapseError(f"config field 'is_encoder_decoder' is true ({mt}): the "
                                "encoder and decoder stacks have different masks; not modelled")
    if mt not in FAMILIES:
        raise RankCollapseError(
            f"config field 'model_type' = {mt!r} is not in the reader's table (install "
            "transformers to read it through its own configuration class); causal or "
            "bidirectional and the layer pattern cannot be derived without it")
    kind, rule, defaults = FAMILIES[mt]
    src = {"route": f"reader without transformers (rules and class defaults of "
                    f"transformers {RECORDED_VERSION})"}

    def get(k):
        if k in txt:
            src.setdefault(k, "file")
            return txt[k]
        if k in defaults:
            src[k] = f"class default {defaults[k]!r} (transformers {RECORDED_VERSION})"
            return defaults[k]
        return None

    if get("use_bidirectional_attention"):
        raise RankCollapseError("config field 'use_bidirectional_attention' is true: "
                                "bidirectional sliding windows are not modelled")
    is_dec = bool(get("is_decoder")) if kind == "encoder" else False
    direction = "causal" if kind == "causal" or is_dec else "bidirectional"
    src["direction"] = (f"{mt}: causal decoder" if kind == "causal" else
                        f"{mt}: encoder" + (" used as a decoder (is_decoder true)" if is_dec
                                            else " (is_decoder false)"))
    depth = _int(get("num_hidden_layers"), "num_hidden_layers")
    spec = ModelSpec(mt, depth, None, direction, [], route=src["route"], sources=src,
                     sink=mt in SINK_MODEL_TYPES)
    _context(spec, get("max_position_embeddings"), None)
    if rule in ("longformer", "big_bird") and direction == "bidirectional":
        return _special(spec, {k: get(k) for k in ("attention_window", "block_size",
                                                   "num_random_blocks", "attention_type")})
    sw = get("sliding_window")
    chunk = get("attention_chunk_size")
    types = txt.get("layer_types")
    if types is not None:
        src["layer_types"] = "file"
        if kind == "encoder":
            raise RankCollapseError(f"config field 'layer_types' in an encoder ({mt}): "
                                    "bidirectional local layers are not modelled")
    else:
        types = _derive(rule, depth, get, src)
        if rule == "max_window_layers" and not get("use_sliding_window"):
            sw = None
    if not isinstance(types, list):
        raise RankCollapseError(f"config field 'layer_types' must be a list, got {types!r}")
    return _finish(spec, types, sw, chunk)


def _derive(rule: str, depth: int, get, src: dict) -> list:
    """``layer_types`` as the configuration class's ``__post_init__`` derives it."""
    if rule == "all_full":
        src["layer_types"] = "every layer full attention (no window in this model type)"
        return ["full_attention"] * depth
    if rule == "all_sliding":
        sw = get("sliding_window")
        src["layer_types"] = ("every layer sliding: sliding_window is set" if sw is not None
                              else "every layer full: sliding_window is null")
        return ["sliding_attention" if sw is not None else "full_attention"] * depth
    if rule.startswith("pattern:"):
        what = rule.split(":", 1)[1]
        p = 2 if what == "2" else _int(get(what), what)
        src["layer_types"] = (f"layer i sliding unless (i+1) % {p} == 0 "
                              f"({'fixed in the class' if what == '2' else what})")
        return ["sliding_attention" if (i + 1) % p else "full_attention" for i in range(depth)]
    if rule == "no_rope":
        nr = get("no_rope_layers")
        if nr:                                        # an empty list means "derive" (falsy)
            if not isinstance(nr, list) or len(nr) < depth:
                raise RankCollapseError(f"config field 'no_rope_layers' must list {depth} "
                                        f"entries, got {nr!r}")
        else:
            k = _int(get("no_rope_layer_interval"), "no_rope_layer_interval")
            nr = [int((i + 1) % k != 0) for i in range(depth)]
            src["no_rope_layers"] = (f"derived: 1 unless (i+1) % {k} == 0 (the file's list "
                                     "is empty or absent)")
        chunk = get("attention_chunk_size")
        src["layer_types"] = "chunked where no_rope_layers is 1 (attention_chunk_size set)"
        return ["chunked_attention" if f and chunk is not None else "full_attention"
                for f in nr[:depth]]
    if rule == "max_window_layers":
        use = get("use_sliding_window")
        sw = get("sliding_window") if use else None
        m = _int(get("max_window_layers"), "max_window_layers", minimum=0)
        src["layer_types"] = (f"sliding for layers i >= max_window_layers = {m}"
                              if sw is not None else
                              "every layer full: use_sliding_window is false")
        return ["sliding_attention" if sw is not None and i >= m else "full_attention"
                for i in range(depth)]
    raise AssertionError(rule)


# ------------------------------------------------------------------ shared
def _context(spec: ModelSpec, mpe, how) -> None:
    if mpe is None:
        spec.context = None
        return
    mpe = _int(mpe, "max_position_embeddings")
    off = POSITION_OFFSET.get(spec.model_type, 0)
    spec.context = mpe - off if mpe > off else mpe
    spec.sources["max_position_embeddings"] = spec.sources.get("max_position_embeddings",
                                                               how or "file")
    spec.extra["max_position_embeddings"] = mpe
    if off:
        spec.extra["position_offset"] = off


def _special(spec: ModelSpec, fields: dict) -> ModelSpec:
    spec.special = spec.model_type
    spec.extra.update({k: v for k, v in fields.items() if v is not None})
    spec.layer_types = ["full_attention"] * spec.depth
    return spec


def _finish(spec: ModelSpec, types: list, sw, chunk) -> ModelSpec:
    if len(types) < spec.depth:
        raise RankCollapseError(f"config field 'layer_types' has {len(types)} entries for "
                                f"num_hidden_layers = {spec.depth}")
    types = list(types)[:spec.depth]
    for kind in types:
        if kind not in LAYER_KINDS:
            raise RankCollapseError(f"config field 'layer_types' has {kind!r}: not an "
                                    f"attention layer this project models ({', '.join(LAYER_KINDS)})")
    if spec.direction == "bidirectional" and set(types) != {"full_attention"}:
        raise RankCollapseError("config field 'layer_types': local layers in an encoder are "
                                "not modelled")
    if "sliding_attention" in types:
        spec.sliding_window = _int(sw, "sliding_window")
    if "chunked_attention" in types:
        spec.chunk = _int(chunk, "attention_chunk_size")
    spec.layer_types = types
    return spec
