"""The result every check returns.

A check says what it checked (``statement``), how strongly (``level``), whether the
statement ``holds``, ``fails`` or stays ``open`` at that level (python-flint style: "not
proved" is not "false"), and the evidence: sizes, samples, digits, seeds, and for a
failure a ``witness`` that someone can rerun.

Levels, strongest first:

* ``exact``      SymPy / rational / algebraic arithmetic: an identity proved for the
                 stated symbols or instances.
* ``certified``  interval or ball arithmetic: a rigorous inequality or existence proof.
* ``numeric-hp`` mpmath at a stated number of digits.
* ``numeric``    float64.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

LEVELS = ("exact", "certified", "numeric-hp", "numeric")
STATUSES = ("holds", "fails", "open")


@dataclass
class Evidence:
    """Outcome of one check.

    >>> e = Evidence("1 + 1 = 2", "holds", "exact", {"instances": 1})
    >>> e.ok
    True
    """

    statement: str
    status: str
    level: str
    details: dict = field(default_factory=dict)
    witness: Any = None
    narrower: str | None = None  # the weaker statement that does hold, when status == fails

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}")

    @property
    def ok(self) -> bool:
        return self.status == "holds"

    def to_json(self) -> dict:
        return {
            "statement": self.statement,
            "status": self.status,
            "level": self.level,
            "details": jsonable(self.details),
            "witness": jsonable(self.witness),
            "narrower": self.narrower,
        }

    def __str__(self) -> str:
        s = f"[{self.status} / {self.level}] {self.statement}"
        if self.witness is not None:
            s += f"\n  witness: {json.dumps(jsonable(self.witness))[:500]}"
        return s


def combine(statement: str, parts: list[Evidence], details: dict | None = None) -> Evidence:
    """Conjunction of several checks: fails if any fails, open if any is open, and the
    level is the weakest level among the parts."""
    if not parts:
        raise ValueError("combine needs at least one part")
    status = ("fails" if any(p.status == "fails" for p in parts)
              else "open" if any(p.status == "open" for p in parts) else "holds")
    level = max((p.level for p in parts), key=LEVELS.index)
    witness = next((p.witness for p in parts if p.status == "fails"), None)
    d = dict(details or {})
    d["parts"] = [p.to_json() for p in parts]
    return Evidence(statement, status, level, d, witness)


def jsonable(x: Any) -> Any:
    """Convert numbers, arrays, SymPy objects and containers to JSON-friendly values.

    Exact values (Fractions, SymPy numbers) become strings so nothing is rounded."""
    import numpy as np

    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        return f if np.isfinite(f) else str(f)
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.bool_):
        return bool(x)
    return str(x)
