"""The result every check returns.

A check says what it checked (``statement``), how strongly (``level``), whether the
statement ``holds``, ``fails`` or stays ``open`` at that level (python-flint style: "not
proved" is not "false"), and the evidence: sizes, samples, digits, seeds, and for a
failure a ``witness`` that someone can rerun.

Levels, strongest first:

* ``formal``     a theorem checked by a proof assistant (Coq/MathComp in ``formal/``),
                 re-checked by ``coqc`` in the run that reports it (or a cache keyed by the
                 hash of its sources), closed under the global context.
* ``exact``      SymPy / rational / algebraic arithmetic: an identity proved for the
                 stated symbols or instances.
* ``certified``  interval or ball arithmetic: a rigorous inequality or existence proof.
* ``numeric-hp`` mpmath at a stated number of digits.
* ``numeric``    float64.

Scope, orthogonal to level: for which inputs the verdict was established.

* ``universal``  proved for every input of an infinite or symbolic ``domain`` (symbolic
                 parameters, a fixed small size decided over the reals by a decision
                 procedure, a compact box covered by certified subdivision, a Coq theorem);
                 ``method`` says how.
* ``exhaustive`` checked for every member of a stated finite set (N = 1..64, the eight
                 schedules, every mask on N <= 4 tokens): ``domain`` names the set,
                 ``instances`` its size when it is counted.
* ``sampled``    checked on ``instances`` inputs drawn by ``generator`` from ``seed``.
* ``mixed``      parts of different kinds; each part may say (``role``) whether it covers
                 the claim's own ``statement`` or only an ``ingredient`` of its proof.
* ``witness``    an existential statement settled by an explicit instance (a
                 counterexample for ``fails``; a construction for "there exist ...").

Soundness: an undecided comparison is never support.  A check that cannot decide a
comparison at its working precision raises the precision (:func:`escalate`) and reports
``open`` with the digits tried when the cap is reached.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

LEVELS = ("formal", "exact", "certified", "numeric-hp", "numeric")
STATUSES = ("holds", "fails", "open")
SCOPES = ("universal", "exhaustive", "sampled", "mixed", "witness")
ROLES = ("", "statement", "ingredient")


@dataclass(frozen=True)
class Scope:
    """For which inputs a verdict was established (see the module docstring).

    >>> universal("all w > 1, rho > 0", "symbolic (SymPy)").short()
    'universal'
    >>> sampled(40, "random rational 3x3", seed=0).short()
    'sampled(40)'
    >>> merge_scopes([universal("d = 3", "z3"), sampled(5, "g", 1)]).kind
    'mixed'
    >>> merge_scopes([universal("d = 3", "z3"), sampled(5, "g", 1)]).short()
    'mixed(universal 1, sampled 5)'
    >>> exhaustive("N = 1..64", "each size computed", 64).short()
    'exhaustive(64)'
    """

    kind: str
    domain: str = ""          # universal / witness: the inputs covered
    method: str = ""          # universal: how (symbolic, z3 unsat, certified subdivision)
    instances: int | None = None   # sampled: how many inputs
    generator: str = ""       # sampled: how they were drawn
    seed: Any = None          # sampled: the seed (an int, or a list when parts differ)
    parts: tuple = ()         # mixed: the parts, of different kinds
    role: str = ""            # "statement" (covers the claim's statement) / "ingredient"

    def __post_init__(self):
        if self.kind not in SCOPES:
            raise ValueError(f"scope kind must be one of {SCOPES}, got {self.kind!r}")
        if self.kind == "universal" and not (self.domain and self.method):
            raise ValueError("a universal scope names its domain and its method")
        if self.kind == "sampled" and (self.instances is None or self.instances < 1
                                       or not self.generator):
            raise ValueError("a sampled scope names how many instances (>= 1) and the "
                             "generator")
        if self.kind == "witness" and not self.domain:
            raise ValueError("a witness scope says what the witness is")
        if self.kind == "exhaustive" and not self.domain:
            raise ValueError("an exhaustive scope names the finite set it covers")
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {self.role!r}")

    def short(self) -> str:
        """The one-word form (:func:`scope_short`), e.g. ``sampled(40)``."""
        return scope_short(self.to_json())

    def counts(self) -> dict:
        """Parts by kind: the number of universal / exhaustive / witness parts, and the
        number of sampled instances (:func:`scope_counts` of the JSON form)."""
        return scope_counts(self.to_json())

    def with_role(self, role: str) -> "Scope":
        """This scope marked as covering the claim's ``statement`` or an ``ingredient``."""
        from dataclasses import replace
        return replace(self, role=role)

    @property
    def has_universal_part(self) -> bool:
        return self.kind == "universal" or (
            self.kind == "mixed" and any(p.kind == "universal" for p in self.parts))

    def to_json(self) -> dict:
        out = {"kind": self.kind}
        if self.kind in ("universal", "witness", "exhaustive"):
            out["domain"] = self.domain
        if self.kind == "exhaustive" and self.instances:
            out["instances"] = self.instances
        if self.role:
            out["role"] = self.role
        if self.method:
            out["method"] = self.method
        if self.kind == "sampled":
            out.update(instances=self.instances, generator=self.generator,
                       seed=jsonable(self.seed))
        if self.kind == "mixed":
            out["parts"] = [p.to_json() for p in self.parts]
        return out


def scope_short(scope: dict | None) -> str:
    """A scope (its JSON form) in one word: ``universal``, ``exhaustive(64)``,
    ``sampled(40)``, ``witness`` or ``mixed(universal 2, sampled 43)``; ``-`` for none.
    The one rule behind :meth:`Scope.short` and the ``verify`` table.

    >>> scope_short({"kind": "sampled", "instances": 40}), scope_short(None)
    ('sampled(40)', '-')
    """
    if not scope:
        return "-"
    kind = scope["kind"]
    if kind == "sampled":
        return f"sampled({scope.get('instances')})"
    if kind == "mixed":
        return "mixed(" + ", ".join(f"{k} {v}" for k, v in scope_counts(scope).items()) + ")"
    return f"{kind}({scope['instances']})" if scope.get("instances") else kind


def scope_counts(scope: dict) -> dict:
    """Parts of a scope's JSON form by kind: universal / exhaustive / witness parts counted,
    sampled parts as their number of instances (the one rule for every report).

    >>> scope_counts({"kind": "mixed", "parts": [{"kind": "universal"},
    ...               {"kind": "sampled", "instances": 4}, {"kind": "sampled", "instances": 3}]})
    {'universal': 1, 'sampled': 7}
    """
    parts = scope["parts"] if scope["kind"] == "mixed" else [scope]
    out = {}
    for k in ("universal", "exhaustive", "witness"):
        n = sum(1 for p in parts if p["kind"] == k)
        if n:
            out[k] = n
    n = sum(p.get("instances") or 0 for p in parts if p["kind"] == "sampled")
    if n:
        out["sampled"] = n
    return out


def universal(domain: str, method: str) -> Scope:
    """Proved for every input of ``domain`` by ``method``."""
    return Scope("universal", domain=domain, method=method)


def exhaustive(domain: str, method: str = "", instances: int | None = None) -> Scope:
    """Checked for every member of the finite set ``domain`` (``instances`` members)."""
    return Scope("exhaustive", domain=domain, method=method,
                 instances=None if instances is None else int(instances))


def sampled(instances: int, generator: str, seed=None) -> Scope:
    """Checked on ``instances`` inputs drawn by ``generator`` (seeded by ``seed``)."""
    return Scope("sampled", instances=int(instances), generator=generator, seed=seed)


def witness(description: str) -> Scope:
    """Settled by one explicit instance (``description`` says which)."""
    return Scope("witness", domain=description)


def merge_scopes(scopes: list) -> Scope | None:
    """Scope of a conjunction: the common kind when every part has the same kind
    (universal, exhaustive, witness: domains joined; sampled: instances add up), mixed
    otherwise, or when some part carries a role.  ``None`` if some part states no scope."""
    if not scopes or any(s is None for s in scopes):
        return None
    flat = []
    for s in scopes:
        flat.extend(s.parts if s.kind == "mixed" else [s])
    kinds = {s.kind for s in flat}
    if len(kinds) > 1 or any(s.role for s in flat):
        return Scope("mixed", parts=tuple(flat))
    kind = kinds.pop()
    if kind == "witness":
        return witness("; ".join(dict.fromkeys(s.domain for s in flat)))
    if kind == "universal":
        return universal("; ".join(dict.fromkeys(s.domain for s in flat)),
                         "; ".join(dict.fromkeys(s.method for s in flat)))
    if kind == "exhaustive":
        counted = [s.instances for s in flat]
        return exhaustive("; ".join(dict.fromkeys(s.domain for s in flat)),
                          "; ".join(dict.fromkeys(s.method for s in flat if s.method)),
                          sum(counted) if all(counted) else None)
    seeds = list(dict.fromkeys(repr(s.seed) for s in flat))
    seed = flat[0].seed if len(seeds) == 1 else [s.seed for s in flat]
    return sampled(sum(s.instances for s in flat),
                   "; ".join(dict.fromkeys(s.generator for s in flat)), seed)


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
    scope: Scope | None = None   # for which inputs (see Scope); the registry requires one

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}")
        if self.scope is not None and not isinstance(self.scope, Scope):
            raise ValueError(f"scope must be a Scope, got {type(self.scope).__name__}")

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
            "scope": self.scope.to_json() if self.scope is not None else None,
        }

    def __str__(self) -> str:
        s = f"[{self.status} / {self.level}] {self.statement}"
        if self.witness is not None:
            s += f"\n  witness: {json.dumps(jsonable(self.witness))[:500]}"
        return s


def if_all_hold(parts, scope):
    """``scope`` for a conjunction whose parts all hold; otherwise ``None`` so that
    :func:`combine` takes the failing (or open) part's scope."""
    return scope if all(p.status == "holds" for p in parts) else None


def combine(statement: str, parts: list[Evidence], details: dict | None = None,
            scope: Scope | None = None) -> Evidence:
    """Conjunction of several checks: fails if any fails, open if any is open, and the
    level is the weakest level among the parts.  The scope is ``scope`` if given, else
    the failing part's scope for a failure, else :func:`merge_scopes` of the parts."""
    if not parts:
        raise ValueError("combine needs at least one part")
    status = ("fails" if any(p.status == "fails" for p in parts)
              else "open" if any(p.status == "open" for p in parts) else "holds")
    level = max((p.level for p in parts), key=LEVELS.index)
    witness = next((p.witness for p in parts if p.status == "fails"), None)
    d = dict(details or {})
    d["parts"] = [p.to_json() for p in parts]
    if scope is None:
        if status == "fails":
            scope = next(p.scope for p in parts if p.status == "fails")
        else:
            scope = merge_scopes([p.scope for p in parts])
    return Evidence(statement, status, level, d, witness, scope=scope)


def escalate(check, dps: int = 30, cap: int = 480):
    """Run ``check(dps)`` with the digits doubled while it answers ``open`` because a
    comparison was undecided (``details["undecided"]`` non-empty), up to ``cap`` digits.
    The result records every precision tried in ``details["digits_tried"]``; a result
    still undecided at the cap stays ``open`` and says so.

    >>> def chk(d):
    ...     ok = d >= 100
    ...     return Evidence("x < y", "holds" if ok else "open", "certified",
    ...                     {"undecided": [] if ok else [0]})
    >>> e = escalate(chk, 30, 480)
    >>> e.status, e.details["digits_tried"]
    ('holds', [30, 60, 120])
    >>> escalate(chk, 30, 90).details["open_reason"]
    'comparisons still undecided at the cap of 90 digits (tried [30, 60])'
    """
    if dps < 1 or cap < dps:
        from numeric.errors import RankCollapseError
        raise RankCollapseError(f"the digits must satisfy 1 <= dps <= cap, got dps={dps}, "
                                f"cap={cap}")
    tried = []
    while True:
        ev = check(dps)
        tried.append(dps)
        if not (ev.status == "open" and ev.details.get("undecided")):
            break
        if dps * 2 > cap:
            ev.details["open_reason"] = (f"comparisons still undecided at the cap of {cap} "
                                         f"digits (tried {tried})")
            break
        dps *= 2
    ev.details["digits_tried"] = tried
    return ev


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
