"""Seeded exact instances for the ergodicity checks: random row-stochastic matrices,
members of A_{G,eps}, random quasi-strongly connected masks, the paper's masks and the
path example on which Corollary 2's constant is attained.  All from
``random.Random(seed)``: the same seed gives the same instances."""
from __future__ import annotations

import random
from fractions import Fraction

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, MaskError

from .stochastic import LEVEL, Matrix, Vector, _as_mask, exact  # noqa: F401

__all__ = ["random_stochastic", "random_in_class", "random_qsc_mask", "paper_masks",
           "path_example"]


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


