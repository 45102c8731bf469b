"""The claims registry: one card per claim of the paper.

A card is one ``@claim(...)`` declaration on the claim's check function.  It holds
everything the front door knows about the claim: the id, the paper's reference, the
statement in our notation and in TeX, the assumptions, what the proof uses on the paper's
route and on ours (with the repair sentence where they differ), the proof ideas, the
walkthrough, the Coq theorem names, the figures, the erratum class, the test and the
heading of its section in ``paper_notes.md``.  The registry, ``verify``, ``explain``, the
blueprint and the notes' tables read the cards and nothing else
(``tests/soundness/test_cards.py``).

Card modules live beside this file, one per part of the paper (:data:`CARD_MODULES`, in
paper order); nodes of the dependency graph that are not claims (a definition, a
background inequality) are declared there with :func:`node`.  :func:`load` imports them.

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

#: The card modules in paper order: (module, the part of the paper its cards come from).
CARD_MODULES = [
    ("section3_attention", "Section 3: masked self-attention"),
    ("section3_mask_graphs", "Section 3, Definitions 1-5: the mask graph (centres, radius)"),
    ("section3_layernorm", "Section 3 and Appendix A: LayerNorm as modelled; its scaling "
                           "(Section 4.3.1, Remark 2)"),
    ("section4_1_theorem1", "Section 4.1 and Appendix B.2: Lemma 1, Theorem 1"),
    ("appendix_b1_ergodicity", "Appendix B.1: Lemmas 2-3, Corollary 2, Dobrushin"),
    ("section4_2_theorem2", "Section 4.2: Theorem 2, Corollary 1"),
    ("appendix_c_theorem2_lemmas", "Appendix C: Lemmas 4-10"),
    ("section4_3_equilibria", "Section 4.3, Appendices E and F.1-F.2: Theorem 3 (1), "
                              "Lemma 11"),
    ("appendix_f_certified_equilibria", "Appendix F: perturbed equilibria, F.4"),
    ("appendix_f3_theorem3_2", "Appendix F.3: Lemmas 12-13, Theorem 3 (2)"),
    ("section5_experiments", "Section 5 and Appendix G: experiments"),
    ("beyond_assumptions", "beyond the paper: what each hypothesis buys"),
    ("beyond_schedules", "beyond the paper: mask schedules and real models"),
    ("beyond_sinks", "beyond the paper: attention sinks"),
]
#: modules of this package that hold no cards
HELPER_MODULES = {"uses_graph"}

#: the kinds of node in the dependency graph
KINDS = ("definition", "lemma", "corollary", "theorem", "remark", "finding", "assumption",
         "experiment")


def kind_from_id(cid: str) -> str:
    """The kind a claim id suggests (the default of a card's ``kind``).

    >>> kind_from_id("lemma-14"), kind_from_id("theorem-3-2"), kind_from_id("odd-one")
    ('lemma', 'theorem', 'finding')
    """
    for k in KINDS:
        if cid.startswith(k):
            return k
    return "finding"


@dataclass(frozen=True)
class Config:
    """Options every check receives: the seed (reported) and the effort level."""

    seed: int = 0
    thorough: bool = False


@dataclass
class Claim:
    """One claim's card (see the module docstring); built by :func:`claim`."""

    id: str
    ref: str
    statement: str
    check: Callable[[Config], Evidence]
    assumptions: tuple[str, ...] = ()
    test: str = ""        # the pytest node that checks this claim (negative control included)
    notes: str = ""       # heading of its section in paper_notes.md
    default: bool = True  # part of the default `rankcollapse verify` run
    module: str = field(default="", repr=False)
    kind: str = "finding"                  # one of KINDS
    title: str = ""                        # a short label (assumption nodes)
    tex: str = ""                          # the statement in LaTeX (MathML on the blueprint)
    uses_paper: tuple[str, ...] = ()       # node ids the paper's proof uses
    uses_ours: tuple[str, ...] | None = None  # ours, when it differs (None: the same)
    repair: str = ""                       # what differs between the routes, one line
    idea_paper: str = ""                   # the proof idea on the paper's route
    idea_ours: str = ""                    # ours ("" when it is the paper's)
    walkthrough: Callable | None = field(default=None, repr=False)  # explain's function
    no_walkthrough: str = ""               # why none applies, when there is none
    figures: tuple[str, ...] = ()          # `rankcollapse figures` outputs (without .png)
    # Coq theorems (RankCollapse.File.name) that state this claim or a named part of it;
    # they count as evidence only after rankcollapse.formal.recheck in the same run
    formal: tuple[str, ...] = ()
    # how the Coq statement differs from the paper's, in words (shown beside it)
    formal_note: str = ""
    # where the paper is loose or wrong: (class, why / correction), class in ERRATUM_CLASSES
    erratum: tuple[str, str] | None = None

    @property
    def uses(self) -> dict:
        """``{"paper": [...], "ours": [...]}``: what each route's proof uses."""
        ours = self.uses_paper if self.uses_ours is None else self.uses_ours
        return {"paper": list(self.uses_paper), "ours": list(ours)}


@dataclass(frozen=True)
class Node:
    """A node of the dependency graph that is not a claim (nothing is checked for it)."""

    id: str
    kind: str
    title: str
    statement: str
    tex: str = ""
    module: str = ""
    idea_paper: str = ""
    idea_ours: str = ""


REGISTRY: dict[str, Claim] = {}
NODES: dict[str, Node] = {}

#: how a finding relates to the paper's printed statement
ERRATUM_CLASSES = (
    "false as printed",   # a witness meets every printed hypothesis and breaks the conclusion
    "misprint",           # true after an evident correction, which is stated
    "proof gap",          # the statement is true (or not refuted); a step of the proof is wrong
    "scope remark",       # not an error: what the statement leaves implicit or out of reach
)


def claim(id: str, ref: str, statement: str, *, kind: str | None = None, title: str = "",
          tex: str = "", uses=(), ours=None, repair: str = "", idea_paper: str = "",
          idea_ours: str = "", walkthrough=None, no_walkthrough: str = "", figures=(),
          assumptions=(), test: str = "", notes: str = "", default: bool = True, formal=(),
          formal_note: str = "", erratum: tuple[str, str] | None = None):
    """Declare the card of a claim on its check ``fn(config) -> Evidence``.

    ``uses`` lists the nodes the paper's proof uses; ``ours`` those of our proof when it
    differs (then ``repair`` says how); ``walkthrough`` is a function marked by
    :func:`rankcollapse.explain.core.walkthrough`.  A malformed card raises ValueError
    naming the card and every problem."""
    kind = kind_from_id(id) if kind is None else kind
    problems = card_problems(id, kind=kind, uses=uses, ours=ours, repair=repair,
                             walkthrough=walkthrough, no_walkthrough=no_walkthrough,
                             erratum=erratum)
    if problems:
        raise ValueError(f"card {id}: " + "; ".join(problems))

    def deco(fn):
        if id in REGISTRY and REGISTRY[id].module != fn.__module__ or id in NODES:
            raise ValueError(f"claim id {id!r} declared twice")
        REGISTRY[id] = Claim(
            id, ref, statement, fn, tuple(assumptions), test, notes, default, fn.__module__,
            kind=kind, title=title, tex=tex, uses_paper=tuple(uses),
            uses_ours=None if ours is None or list(ours) == list(uses) else tuple(ours),
            repair=repair, idea_paper=idea_paper, idea_ours=idea_ours,
            walkthrough=walkthrough, no_walkthrough=no_walkthrough, figures=tuple(figures),
            formal=tuple(formal), formal_note=formal_note,
            erratum=tuple(erratum) if erratum else None)
        return fn

    return deco


def card_problems(id, *, kind, uses=(), ours=None, repair="", walkthrough=None,
                  no_walkthrough="", erratum=None) -> list[str]:
    """What is malformed in a card (checked when it is declared).

    >>> card_problems("lemma-x", kind="lemma", uses=["a"], ours=["b"])
    ['ours differs from uses, so a repair sentence is required']
    >>> card_problems("lemma-x", kind="lemmma", uses=["lemma-x"])
    ["kind must be one of ('definition', 'lemma', 'corollary', 'theorem', 'remark', 'finding', 'assumption', 'experiment'), got 'lemmma'", 'uses names the claim itself']
    """
    problems = []
    if kind not in KINDS:
        problems.append(f"kind must be one of {KINDS}, got {kind!r}")
    if erratum is not None and (len(erratum) != 2 or erratum[0] not in ERRATUM_CLASSES
                                or not erratum[1]):
        problems.append(f"erratum must be (class, reason) with class in {ERRATUM_CLASSES}, "
                        f"got {erratum!r}")
    if ours is not None and list(ours) != list(uses) and not repair:
        problems.append("ours differs from uses, so a repair sentence is required")
    if walkthrough is not None and not hasattr(walkthrough, "walk_params"):
        problems.append("walkthrough must be a function marked @walkthrough(...)")
    if walkthrough is not None and no_walkthrough:
        problems.append("give either walkthrough or no_walkthrough, not both")
    for name, ids in (("uses", uses), ("ours", ours or ())):
        if id in ids:
            problems.append(f"{name} names the claim itself")
    return problems


def node(id: str, kind: str, title: str, statement: str, *, tex: str = "",
         idea_paper: str = "", idea_ours: str = "") -> Node:
    """Declare a node of the dependency graph that is not a claim (called at the top level
    of the card module of its part of the paper)."""
    import inspect
    if kind not in KINDS:
        raise ValueError(f"node {id}: kind must be one of {KINDS}, got {kind!r}")
    if id in NODES or id in REGISTRY:
        raise ValueError(f"node id {id!r} declared twice")
    caller = inspect.currentframe().f_back    # the declaring module (no source read)
    module = caller.f_globals.get("__name__", "") if caller else ""
    NODES[id] = Node(id, kind, title, statement, tex, module, idea_paper, idea_ours)
    return NODES[id]


def walkthroughs() -> dict:
    """``{claim id: walkthrough function}`` for every card that names one, in paper order."""
    return {cid: c.walkthrough for cid, c in load().items() if c.walkthrough is not None}


def walk(cid: str, instance=None):
    """Run the walkthrough named on the card of ``cid`` (``rankcollapse explain``)."""
    from numeric.errors import RankCollapseError
    from rankcollapse.explain.core import run_walkthrough
    c = load().get(cid)
    if c is None or c.walkthrough is None:
        raise RankCollapseError(f"no walkthrough for {cid!r}")
    return run_walkthrough(c.walkthrough, cid, instance, ref=c.ref, statement=c.statement)


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
    """Import every card module (in paper order) and return the registry."""
    global _loaded
    if not _loaded:
        from rankcollapse import check_layers
        check_layers()
        found = {m.name for m in pkgutil.iter_modules(__path__)}
        listed = [m for m, _ in CARD_MODULES]
        stray = sorted(found - set(listed) - HELPER_MODULES)
        if stray:
            raise ImportError(f"rankcollapse.claims: modules {stray} are neither card modules "
                              "(CARD_MODULES) nor helpers (HELPER_MODULES)")
        for name in listed:
            importlib.import_module(f"{__name__}.{name}")
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
