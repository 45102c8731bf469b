"""The claims registry: one entry per claim of the paper.

Each entry reads like a verification notebook cell: a statement in our notation, the
paper's reference, the assumptions, and a check function returning
:class:`theory.evidence.Evidence`.  Claim modules live beside this file and register
their entries with the :func:`claim` decorator; :func:`load` imports them in paper order.

>>> _ = load(); "attention-row-stochastic" in REGISTRY
True
"""
from __future__ import annotations

import importlib
import pkgutil
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from theory.evidence import Evidence

# Modules in paper order; any other module in this package is loaded after them.
ORDER = ["foundation", "graphs", "ergodicity", "bounds", "layernorm", "theorem2", "theorem3"]


@dataclass(frozen=True)
class Config:
    """Options every check receives: the seed (reported) and the effort level."""

    seed: int = 0
    thorough: bool = False


@dataclass
class Claim:
    id: str
    ref: str
    statement: str
    check: Callable[[Config], Evidence]
    assumptions: tuple[str, ...] = ()
    test: str = ""        # the pytest node that checks this claim (negative control included)
    notes: str = ""       # heading of its section in paper_notes.md
    default: bool = True  # part of the default `rankcollapse verify` run
    module: str = field(default="", repr=False)
    # what the proof uses, {"paper": [...], "ours": [...]}: node ids filled at load() time
    # from the table in dependencies.py (empty for a claim not in the table yet)
    uses: dict = field(default_factory=lambda: {"paper": [], "ours": []}, repr=False)
    # Coq theorems (RankCollapse.File.name) that state this claim or a named part of it;
    # they count as evidence only after rankcollapse.formal.recheck in the same run
    formal: tuple[str, ...] = ()
    # how the Coq statement differs from the paper's, in words (shown beside it)
    formal_note: str = ""
    # where the paper is loose or wrong: (class, why / correction), class in ERRATUM_CLASSES
    erratum: tuple[str, str] | None = None


REGISTRY: dict[str, Claim] = {}

#: how a finding relates to the paper's printed statement
ERRATUM_CLASSES = (
    "false as printed",   # a witness meets every printed hypothesis and breaks the conclusion
    "misprint",           # true after an evident correction, which is stated
    "proof gap",          # the statement is true (or not refuted); a step of the proof is wrong
    "scope remark",       # not an error: what the statement leaves implicit or out of reach
)


def claim(id: str, ref: str, statement: str, *, assumptions=(), test: str = "",
          notes: str = "", default: bool = True, formal=(), formal_note: str = "",
          erratum: tuple[str, str] | None = None):
    """Decorator registering ``fn(config) -> Evidence`` as the check of a claim."""
    if erratum is not None and (len(erratum) != 2 or erratum[0] not in ERRATUM_CLASSES
                                or not erratum[1]):
        raise ValueError(f"{id}: erratum must be (class, reason) with class in "
                         f"{ERRATUM_CLASSES}, got {erratum!r}")

    def deco(fn):
        if id in REGISTRY and REGISTRY[id].module != fn.__module__:
            raise ValueError(f"claim id {id!r} registered twice")
        REGISTRY[id] = Claim(id, ref, statement, fn, tuple(assumptions), test, notes,
                             default, fn.__module__, formal=tuple(formal),
                             formal_note=formal_note,
                             erratum=tuple(erratum) if erratum else None)
        return fn

    return deco


_formal_report = None


def formal_report(progress=None):
    """The re-check of every Coq theorem named in the registry, once per process
    (:func:`rankcollapse.formal.recheck`; its own cache is keyed by the source hash)."""
    global _formal_report
    if _formal_report is None:
        from rankcollapse import formal
        names = sorted({n for c in load().values() for n in c.formal})
        _formal_report = formal.recheck(names, progress=progress)
    return _formal_report


def formal_part(claim_id: str, statement: str, domain: str, role: str = "statement"):
    """Evidence at level ``formal`` for the Coq theorems of ``claim_id``: ``holds`` with
    scope universal over ``domain`` only when the development was re-checked in this run
    (or its cache entry matches the source hash); ``open`` naming the file and line when the
    build failed; ``None`` when coqc is not installed (nothing is claimed then)."""
    from theory.evidence import Evidence, universal
    names = REGISTRY[claim_id].formal
    if not names:
        raise ValueError(f"{claim_id} names no Coq theorem")
    rep = formal_report()
    if rep.status == "unavailable":
        return None
    details = {"coq_theorems": {n: rep.theorems.get(n, {}) for n in names},
               "coq_version": ((rep.coq_version or "").splitlines() or [""])[0],
               "source_hash": rep.source_hash, "rechecked_seconds": round(rep.seconds, 2),
               "from_cache": rep.cached, "difference_from_paper": REGISTRY[claim_id].formal_note}
    if not rep.ok:
        details["open_reason"] = f"the Coq development did not check: {rep.error}"
        return Evidence(statement, "open", "formal", details)
    how = ("Coq/MathComp proof re-checked by coqc " +
           ("(cache keyed by the hash of the sources and the Coq version)" if rep.cached
            else "in this run") + ", closed under the global context")
    return Evidence(statement, "holds", "formal", details,
                    scope=universal(domain, how).with_role(role))


def with_formal(claim_id: str, parts: list, statement: str, domain: str,
                role: str = "statement") -> dict:
    """Put the formal part of ``claim_id`` first in ``parts`` when Coq re-checked it;
    otherwise return the one-line note (for the claim's details) that it was not."""
    fp = formal_part(claim_id, statement, domain, role)
    if fp is None:
        return {"formal": f"not re-checked: {formal_report().reason}"}
    parts.insert(0, fp)
    return {}


_loaded = False


def load() -> dict[str, Claim]:
    global _loaded
    if not _loaded:
        from rankcollapse import check_layers
        check_layers()
        found = sorted(m.name for m in pkgutil.iter_modules(__path__))
        names = [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]
        for name in names:
            importlib.import_module(f"{__name__}.{name}")
        from .dependencies import apply as _apply_uses
        _apply_uses(REGISTRY)
        _loaded = True
    return REGISTRY


def run(c: Claim, config: Config) -> dict:
    """Run one claim; a crash is reported as status ``error`` with its traceback."""
    import warnings
    t0 = time.perf_counter()
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ev = c.check(config)
        if not isinstance(ev, Evidence):
            raise TypeError(f"check of {c.id} returned {type(ev).__name__}, not Evidence")
        if ev.status != "open" and ev.scope is None:
            raise ValueError(f"check of {c.id} says {ev.status!r} but states no scope "
                             "(universal on which domain, or sampled: how many, which seed)")
        out = ev.to_json()
    except Exception as exc:  # reported, and makes `verify` exit nonzero
        out = {"statement": c.statement, "status": "error", "level": None,
               "details": {"error": f"{type(exc).__name__}: {exc}",
                           "traceback": traceback.format_exc()},
               "witness": None, "narrower": None, "scope": None}
    seconds = time.perf_counter() - t0
    return {
        "id": c.id,
        "ref": c.ref,
        "statement": c.statement,
        "assumptions": list(c.assumptions),
        "uses": {k: list(v) for k, v in c.uses.items()},
        "formal": list(c.formal),
        "erratum": ({"class": c.erratum[0], "reason": c.erratum[1]} if c.erratum else None),
        "status": out["status"],
        "level": out["level"],
        "scope": out["scope"],
        "evidence": {"checked": out["statement"], **out["details"]},
        "witness": out["witness"],
        "narrower": out["narrower"],
        "test": c.test,
        "seconds": round(seconds, 3),
        "seed": config.seed,
        # warnings raised inside the check (negative controls trigger some on purpose):
        # reported here, not printed with file paths
        "warnings": sorted({f"{w.category.__name__}: {w.message}" for w in caught}),
    }
