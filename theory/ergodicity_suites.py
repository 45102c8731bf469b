"""The seeded suites behind the ergodicity claims: they run the checks of
:mod:`theory.dobrushin` and :mod:`theory.ergodicity_lemmas` on the instances of
:mod:`theory.ergodicity_instances` (what ``rankcollapse verify`` calls).  Every draw comes
from ``random.Random(seed)``: the same seed gives the same instances and results.

>>> suite_lemma2(0, instances=3).status
'holds'
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Sequence

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, MaskError
from theory.evidence import Evidence

from .dobrushin import (check_column_bound, check_dobrushin_formulas, check_osc_contraction,
                        check_submultiplicative)
from .ergodicity_instances import (paper_masks, path_example, random_in_class,
                                   random_qsc_mask, random_stochastic)
from .ergodicity_lemmas import (check_centre_column, check_corollary2, check_lemma2,
                                check_lemma3, check_lemma3_proof_steps, check_path_sharpness)
from .mask_class import _holds, mask_radius
from .stochastic import LEVEL, Matrix, Vector, _as_mask, exact  # noqa: F401

__all__ = ["suite_dobrushin", "suite_lemma2", "suite_lemma2_printed", "suite_lemma3",
           "suite_corollary2", "DOBRUSHIN_PARTS"]

# ------------------------------------------------------------------ seeded suites
def _eps_for(G, rng: random.Random) -> Fraction:
    dmax = int(G.sum(axis=1).max())
    k = rng.choice([1, 1, 2, 3])  # k = 1: eps = 1/dmax, the extreme (uniform rows)
    return Fraction(1, k * dmax)


def _mask_cases(seed: int, sizes, n_random: int):
    rng = random.Random(seed)
    for n in sizes:
        for name, G in paper_masks(n).items():
            yield f"{name}(n={n})", G
    for k in range(n_random):
        n = rng.choice(list(sizes))
        yield f"random_qsc#{k}(n={n})", random_qsc_mask(n, rng, extra_prob=rng.choice([0, .15, .3]))


def _stop(parts, name, ev, details):
    parts[name] = ev.status
    if not ev.ok:
        if isinstance(details.get("radii"), set):
            details["radii"] = sorted(details["radii"])
        details["failed_case"] = name
        return Evidence(ev.statement, ev.status, ev.level, {**details, **ev.details},
                        ev.witness, ev.narrower)
    return None


DOBRUSHIN_PARTS = ("formulas", "submultiplicative", "contraction", "column")


def suite_dobrushin(seed: int = 0, *, instances: int = 60, max_n: int = 5,
                    parts: Sequence[str] = DOBRUSHIN_PARTS) -> Evidence:
    """Seeded random exact instances of the Dobrushin facts: both formulas, sub-
    multiplicativity, the oscillation contraction (and its sharpness), the column bound
    (``parts`` selects among ``DOBRUSHIN_PARTS``)."""
    bad = set(parts) - set(DOBRUSHIN_PARTS)
    if bad:
        raise ValueError(f"unknown parts {sorted(bad)}; choose from {DOBRUSHIN_PARTS}")
    rng = random.Random(seed)
    mats = [random_stochastic(rng.randint(1, max_n), rng, zero_prob=rng.choice([0, .3, .6]))
            for _ in range(instances)]
    pairs, cases, cols = [], [], []
    for P in mats:
        n = len(P)
        Q = random_stochastic(n, rng, zero_prob=rng.choice([0, .3, .6]))
        pairs.append((P, Q))
        cases.append((P, [Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(n)]))
        cols.append((P, None))
    run = {"formulas": lambda: check_dobrushin_formulas(mats),
           "submultiplicative": lambda: check_submultiplicative(pairs),
           "contraction": lambda: check_osc_contraction(cases),
           "column": lambda: check_column_bound(cols)}
    evs = [run[k]() for k in DOBRUSHIN_PARTS if k in parts]
    st = "Dobrushin coefficient: " + "; ".join(e.statement for e in evs)
    for ev in evs:
        if not ev.ok:
            return Evidence(st, ev.status, LEVEL, {"seed": seed, "instances": instances,
                                                   "part": ev.statement}, ev.witness)
    d = {"seed": seed, "instances": instances, "max_n": max_n, "parts": list(parts)}
    for e in evs:
        if "equality_cases" in e.details:
            d["submultiplicative_equalities"] = e.details["equality_cases"]
    return _holds(st, d)


def _lemma2_instances(rng: random.Random, instances: int, min_n: int, max_n: int,
                      steps: int):
    """Seeded random Lemma 2 instances ``(mats, x, eps)`` over random masks with
    self-loops (shared by :func:`suite_lemma2` and :func:`suite_lemma2_printed`)."""
    for _ in range(instances):
        n = rng.randint(min_n, max_n)
        G = random_qsc_mask(n, rng, extra_prob=0.4)
        eps = _eps_for(G, rng)
        mats = [random_in_class(G, eps, rng) for _ in range(steps)]
        x = [Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(n)]
        yield mats, x, eps


def suite_lemma2(seed: int = 0, *, instances: int = 30, max_n: int = 4, steps: int = 4) -> Evidence:
    """Lemma 2 (intended form, with ``eps`` = the smallest self-loop weight) on seeded
    random exact sequences over random masks with self-loops."""
    total = 0
    for k, (mats, x, eps) in enumerate(_lemma2_instances(random.Random(seed), instances, 1,
                                                          max_n, steps)):
        ev = check_lemma2(mats, x, eps=eps)
        total += ev.details["comparisons"]
        if not ev.ok:
            return Evidence(ev.statement, ev.status, LEVEL,
                            {"seed": seed, "instance": k, **ev.details}, ev.witness)
    return _holds("Lemma 2 (11) and the symmetric (12), with pi and with eps^T",
                  {"seed": seed, "instances": instances, "max_n": max_n, "steps": steps,
                   "inequalities_checked": total})


def suite_lemma2_printed(seed: int = 0, *, instances: int = 30, max_n: int = 4,
                         steps: int = 3) -> Evidence:
    """(12) of Lemma 2 exactly as printed (same ``p`` as in (11)), on the random instances
    of :func:`suite_lemma2`, for ``T >= 1``: returns the first failure with its witness and
    the narrower statement that holds, or ``holds`` if no instance breaks it."""
    total = 0
    for k, (mats, x, _) in enumerate(_lemma2_instances(random.Random(seed), instances, 2,
                                                        max_n, steps)):
        ev = check_lemma2(mats, x, form="printed", min_T=1)
        total += ev.details["comparisons"]
        if not ev.ok:
            return Evidence(ev.statement, ev.status, LEVEL,
                            {"seed": seed, "instance": k, "instances_tried": k + 1,
                             **ev.details}, ev.witness, ev.narrower)
    return _holds("Lemma 2 (12) as printed", {"seed": seed, "instances": instances,
                                              "inequalities_checked": total})


def suite_lemma3(seed: int = 0, *, sizes=(2, 3, 4, 5), n_random: int = 12, blocks: int = 2,
                 ps=(Fraction(0), Fraction(1, 2), Fraction(1))) -> Evidence:
    """Lemma 3 and the centre-column fact on the paper's masks and random quasi-strongly
    connected masks with self-loops: ``blocks * r`` random matrices of ``A_{G,eps}`` per
    mask, ``eps`` in ``{1/d, 1/(2d), 1/(3d)}`` with ``d`` the largest row degree."""
    rng = random.Random(seed + 1)
    st = ("Lemma 3 (p in {0, 1/2, 1}), the centre column >= eps^r, and the proof's one-sided "
          "steps on paper and random quasi-strongly connected masks")
    details = {"seed": seed, "masks": 0, "sizes": list(sizes), "inequalities": 0,
               "windows": 0, "radii": set()}
    parts = {}
    for name, G in _mask_cases(seed, sizes, n_random):
        r = mask_radius(G)
        eps = _eps_for(G, rng)
        T = max(blocks * r, 1)
        mats = [random_in_class(G, eps, rng) for _ in range(T)]
        n = G.shape[0]
        x = [Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(n)]
        details["masks"] += 1
        details["radii"].add(r)
        ev = check_centre_column(mats, G, eps)
        details["windows"] += ev.details.get("windows", 0)
        if (out := _stop(parts, name + " centre column", ev, details)) is not None:
            return out
        ev = check_lemma3_proof_steps(mats, x, G, eps)
        details["proof_step_inequalities"] = (details.get("proof_step_inequalities", 0)
                                              + ev.details.get("comparisons", 0))
        if (out := _stop(parts, name + " proof steps", ev, details)) is not None:
            return out
        for p in ps:
            ev = check_lemma3(mats, x, G, eps, p=p)
            details["inequalities"] += ev.details.get("comparisons", 0)
            if (out := _stop(parts, f"{name} p={p}", ev, details)) is not None:
                return out
    details["radii"] = sorted(details["radii"])
    return _holds(st, details)


def suite_corollary2(seed: int = 0, *, sizes=(2, 3, 4, 5), n_random: int = 12,
                     blocks: int = 3) -> Evidence:
    """Corollary 2 with ``C = osc(x0)(1-eps^r)^{-(r-1)/r}`` on the same masks, and its
    sharpness on the uni-directional path for ``n = 2..6``."""
    rng = random.Random(seed + 2)
    st = "Corollary 2 with C = osc(x0)(1-eps^r)^(-(r-1)/r) (holds on every instance, attained)"
    details = {"seed": seed, "masks": 0, "sizes": list(sizes)}
    parts = {}
    for name, G in _mask_cases(seed, sizes, n_random):
        r = mask_radius(G)
        eps = _eps_for(G, rng)
        T = max(blocks * r, 2)
        mats = [random_in_class(G, eps, rng) for _ in range(T)]
        x = [Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(G.shape[0])]
        details["masks"] += 1
        if (out := _stop(parts, name, check_corollary2(mats, x, G, eps), details)) is not None:
            return out
    for n in range(2, 7):
        for eps in (Fraction(1, 2), Fraction(1, 3), Fraction(1, 7)):
            ev = check_path_sharpness(n, eps)
            if (out := _stop(parts, f"path n={n} eps={eps}", ev, details)) is not None:
                return out
    details["sharpness_cases"] = 15
    return _holds(st, details)
