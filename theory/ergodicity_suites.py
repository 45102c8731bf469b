"""Seeded random exact instances and the suites behind the ergodicity claims.

Generators of row-stochastic matrices in ``A_{G,eps}``, random quasi-strongly connected
masks, the paper's masks and the path example; and the seeded suites that run the checks
of :mod:`theory.ergodicity` on them (what ``rankcollapse verify`` calls).  Every draw comes
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

from .ergodicity import (_holds, check_centre_column, check_column_bound,
                         check_corollary2, check_dobrushin_formulas, check_lemma2,
                         check_lemma3, check_lemma3_proof_steps, check_osc_contraction,
                         check_path_sharpness, check_submultiplicative, mask_radius)
from .stochastic import LEVEL, Matrix, Vector, _as_mask, exact  # noqa: F401

__all__ = ["random_stochastic", "random_in_class", "random_qsc_mask", "paper_masks",
           "path_example", "suite_dobrushin", "suite_lemma2", "suite_lemma2_printed",
           "suite_lemma3", "suite_corollary2", "DOBRUSHIN_PARTS"]

# ------------------------------------------------------------------ random exact instances
def random_stochastic(n: int, rng: random.Random, *, max_weight: int = 4,
                      zero_prob: float = 0.3) -> Matrix:
    """A random exact row-stochastic matrix: integer weights in ``0..max_weight`` (zero
    with probability ``zero_prob``), normalised per row; an all-zero row becomes uniform."""
    rows = []
    for _ in range(n):
        w = [0 if rng.random() < zero_prob else rng.randint(1, max_weight) for _ in range(n)]
        if sum(w) == 0:
            w = [1] * n
        s = sum(w)
        rows.append(tuple(Fraction(v, s) for v in w))
    return tuple(rows)


def random_in_class(G, eps, rng: random.Random, *, max_weight: int = 4,
                    zero_prob: float = 0.3) -> Matrix:
    """A random exact member of ``A_{G, eps}``: ``A_ij = eps + (1 - d_i eps) w_ij / W_i`` on
    the ``d_i`` edges of row ``i`` (random integer weights ``w``, zero allowed, so some
    entries equal ``eps`` exactly), 0 elsewhere.  Needs ``d_i eps <= 1`` for every row."""
    G = _as_mask(G)
    eps = exact(eps, name="eps")
    rows = []
    for i in range(G.shape[0]):
        nb = np.flatnonzero(G[i])
        d = len(nb)
        if d == 0:
            raise MaskError(f"token {i} attends to nothing: its attention row is undefined")
        if d * eps > 1:
            raise AssumptionError("eps", f"eps = {eps} > 1/{d}: row {i} has {d} allowed keys "
                                  "and cannot have every entry >= eps", where=i)
        w = {int(j): (0 if rng.random() < zero_prob else rng.randint(1, max_weight)) for j in nb}
        if sum(w.values()) == 0:
            w = {j: 1 for j in w}
        s = sum(w.values())
        free = 1 - d * eps
        row = [Fraction(0)] * G.shape[0]
        for j, v in w.items():
            row[j] = eps + free * Fraction(v, s)
        rows.append(tuple(row))
    return tuple(rows)


def random_qsc_mask(n: int, rng: random.Random, *, extra_prob: float = 0.2,
                    self_loops: bool = True) -> np.ndarray:
    """A random quasi-strongly connected mask: a random spanning arborescence rooted at a
    random node (each node attends to its parent) plus random extra edges, plus the
    diagonal when ``self_loops``."""
    order = list(range(n))
    rng.shuffle(order)
    G = np.zeros((n, n), dtype=bool)
    for k in range(1, n):
        child, parent = order[k], order[rng.randrange(k)]
        G[child, parent] = True
    for i in range(n):
        for j in range(n):
            if i != j and rng.random() < extra_prob:
                G[i, j] = True
    if self_loops:
        np.fill_diagonal(G, True)
    return G


def paper_masks(n: int) -> dict[str, np.ndarray]:
    """The experiments' masks (complete, causal, sliding window, uni-directional window)
    plus global-token, strided and prefix-LM families, at size ``n``."""
    out = {
        "complete": _masks.complete(n),
        "causal": _masks.causal(n),
        "sliding_window_1": _masks.sliding_window(n, 1),
        "unidirectional_window_1": _masks.unidirectional_window(n, 1),
        "global_window_1": _masks.global_window(n, 1, (0,)),
        "strided_2": _masks.strided(n, 2),
    }
    if n >= 2:
        out["prefix_lm_2"] = _masks.prefix_lm(n, 2)
    return out


def path_example(n: int, eps) -> tuple[list[Matrix], Vector, np.ndarray]:
    """The extremal instance: the uni-directional window of width 1 on ``n`` tokens
    (radius ``r = n - 1``, centre 0), the constant matrix ``A`` with ``A_00 = 1``,
    ``A_{i,i-1} = eps``, ``A_ii = 1 - eps``, repeated ``r`` times, and ``x = (0, 1, ..., 1)``.
    Needs ``0 < eps <= 1/2`` so that ``A`` lies in ``A_{G, eps}``."""
    eps = exact(eps, name="eps")
    if not (0 < eps <= Fraction(1, 2)):
        raise AssumptionError("eps", f"path_example needs 0 < eps <= 1/2, got {eps}")
    rows = []
    for i in range(n):
        row = [Fraction(0)] * n
        if i == 0:
            row[0] = Fraction(1)
        else:
            row[i - 1], row[i] = eps, 1 - eps
        rows.append(tuple(row))
    A = tuple(rows)
    x = tuple(Fraction(0) if i == 0 else Fraction(1) for i in range(n))
    return [A] * max(n - 1, 1), x, _masks.unidirectional_window(n, 1)


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
