"""A statement must not claim more than its verdict's scope covers.

Rules (applied to claims that hold; a claim that fails states the paper's claim on purpose):

* a scope without a universal part (only exhaustive, sampled or witness parts) may not use
  an unbounded phrase: ``any size``, ``every size``, ``for all N``, ``every N``, ``all N``,
  ``any N`` (and the same with d, n, w: sizes and the weight, not a time horizon, which a
  witness may settle for all t by an invariance proof);
* a scope with neither a universal nor an exhaustive part (only sampled or witness parts)
  that contains a sampled part may not say ``every``, ``any``, ``for all`` or ``always``
  at all: samples support "on the instances drawn", nothing more.

>>> outruns("holds for every N", {"kind": "sampled", "instances": 3, "generator": "g"}, "holds")
['for every N', 'every']
>>> outruns("holds for every N", {"kind": "universal", "domain": "N", "method": "m"}, "holds")
[]
>>> outruns("each mask on N <= 4 tokens", {"kind": "exhaustive", "domain": "N <= 4"}, "holds")
[]
"""
from __future__ import annotations

import re

__all__ = ["outruns", "UNBOUNDED", "GENERAL"]

UNBOUNDED = re.compile(r"\b((?i:any size|every size)|(?i:for (?:all|every|any)) (?:N|d|n|w)\b|"
                       r"(?i:every|all|any) (?:N|d|n|w)\b)")
GENERAL = re.compile(r"\b(every|any|for all|always)\b", re.I)


def _kinds(scope: dict | None) -> set:
    if not scope:
        return set()
    parts = scope.get("parts") if scope.get("kind") == "mixed" else [scope]
    return {p["kind"] for p in parts}


def outruns(statement: str, scope: dict | None, status: str) -> list[str]:
    """The phrases of ``statement`` that claim more than ``scope`` covers (empty if none)."""
    if status != "holds" or not scope:
        return []
    kinds = _kinds(scope)
    if "universal" in kinds:
        return []
    found = [m.group(0) for m in UNBOUNDED.finditer(statement)]
    if "exhaustive" not in kinds and "sampled" in kinds:
        found += [m.group(0) for m in GENERAL.finditer(statement)]
    return found
