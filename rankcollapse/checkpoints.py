"""Released checkpoints: the few configuration fields that fix their attention schedule.

Each entry holds the fields of the checkpoint's published ``config.json`` that the schedule
reads (other fields, e.g. hidden sizes, are left out), exactly as published: a field the
file does not have is absent here too, so that the configuration class fills its default
as it does for the real file (Gemma 3's files have no ``sliding_window_pattern`` and no
``max_position_embeddings``; Llama 4 Scout's ``no_rope_layers`` is an empty list).

Provenance.  The values were read from the ``config.json`` files of the repositories named
below as quoted verbatim in public copies (test suites of inference engines, issue
threads, model-card mirrors), cross-checked between at least two copies each; this
project's sessions have no access to the model hub itself.  ``tests/data/configs/`` holds
the same fields (``tests/test_model_configs.py`` checks they agree).
"""
from __future__ import annotations

_SW = ["sliding_attention", "full_attention"]

#: name -> repository, config fields, one line per number saying where it comes from
CHECKPOINTS: dict[str, dict] = {
    "gemma-2-9b": {
        "repo": "google/gemma-2-9b-it",
        "config": {"model_type": "gemma2", "num_hidden_layers": 42,
                   "max_position_embeddings": 8192, "sliding_window": 4096},
        "notes": "no layer_types in the file: Gemma2Config alternates sliding / full",
    },
    "gemma-3-27b": {
        "repo": "google/gemma-3-27b-it",
        "config": {"model_type": "gemma3", "text_config": {
            "model_type": "gemma3_text", "num_hidden_layers": 62, "sliding_window": 1024}},
        "notes": "text_config has no sliding_window_pattern and no max_position_embeddings: "
                 "Gemma3TextConfig's defaults 6 and 131072 apply",
    },
    "gemma-3-4b": {
        "repo": "google/gemma-3-4b-it",
        "config": {"model_type": "gemma3", "text_config": {
            "model_type": "gemma3_text", "num_hidden_layers": 34, "sliding_window": 1024}},
        "notes": "as gemma-3-27b: pattern 6 and context 131072 from the class defaults",
    },
    "command-r7b": {
        "repo": "CohereLabs/c4ai-command-r7b-12-2024",
        "config": {"model_type": "cohere2", "num_hidden_layers": 32,
                   "max_position_embeddings": 132096, "sliding_window": 4096,
                   "sliding_window_pattern": 4},
        "notes": "three sliding layers then one global layer (sliding_window_pattern 4)",
    },
    "llama-4-scout": {
        "repo": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
        "config": {"model_type": "llama4", "text_config": {
            "model_type": "llama4_text", "num_hidden_layers": 48,
            "max_position_embeddings": 10485760, "attention_chunk_size": 8192,
            "no_rope_layers": []}},
        "notes": "no_rope_layers is empty, so Llama4TextConfig derives it from "
                 "no_rope_layer_interval (default 4): three chunked layers, one global",
    },
    "gpt-oss-20b": {
        "repo": "openai/gpt-oss-20b",
        "config": {"model_type": "gpt_oss", "num_hidden_layers": 24,
                   "max_position_embeddings": 131072, "sliding_window": 128,
                   "layer_types": _SW * 12},
        "notes": "per-head attention sinks (learned logits, in the weights)",
    },
    "gpt-oss-120b": {
        "repo": "openai/gpt-oss-120b",
        "config": {"model_type": "gpt_oss", "num_hidden_layers": 36,
                   "max_position_embeddings": 131072, "sliding_window": 128,
                   "layer_types": _SW * 18},
        "notes": "per-head attention sinks (learned logits, in the weights)",
    },
    "mistral-7b-v0.1": {
        "repo": "mistralai/Mistral-7B-v0.1",
        "config": {"model_type": "mistral", "num_hidden_layers": 32,
                   "max_position_embeddings": 32768, "sliding_window": 4096},
        "notes": "one 4096-token window on every layer (later versions set it to null)",
    },
    "deepseek-r1-distill-qwen-7b": {
        "repo": "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
        "config": {"model_type": "qwen2", "num_hidden_layers": 28,
                   "max_position_embeddings": 131072, "sliding_window": 4096,
                   "use_sliding_window": False, "max_window_layers": 28},
        "notes": "a Qwen2 model with use_sliding_window false: the 4096 window is not used",
    },
    "electra-base": {
        "repo": "google/electra-base-discriminator",
        "config": {"model_type": "electra", "num_hidden_layers": 12,
                   "max_position_embeddings": 512},
        "notes": "an encoder: every layer attends bidirectionally to every token",
    },
    "longformer-base-4096": {
        "repo": "allenai/longformer-base-4096",
        "config": {"model_type": "longformer", "num_hidden_layers": 12,
                   "max_position_embeddings": 4098, "attention_window": [512] * 12},
        "notes": "4098 = 4096 + RoBERTa's position offset of 2; global token 0 (<s>)",
    },
    "bigbird-roberta-base": {
        "repo": "google/bigbird-roberta-base",
        "config": {"model_type": "big_bird", "num_hidden_layers": 12,
                   "max_position_embeddings": 4096, "attention_type": "block_sparse",
                   "block_size": 64, "num_random_blocks": 3},
        "notes": "evaluation mode: transformers draws no random blocks outside training",
    },
}


def checkpoint_config(name: str) -> dict:
    """A copy of the published fields of ``name`` (nested dicts copied too)."""
    import copy
    return copy.deepcopy(CHECKPOINTS[name]["config"])
