"""Schedules of masks (a mask per layer, applied cyclically) and Theorem 1 for them.

A schedule is a list of masks; layer ``t`` uses ``masks[t % P]`` (``P`` the period).
Each mask is dense, ``scipy.sparse`` or a structured :class:`numeric.sparse_attention.Pattern`
(O(N) per layer at any window width).

Definitions (the paper's edge ``j -> i`` when token ``i`` attends to ``j``):

* ``F_0(c) = {c}``, ``F_{k+1}(c) = {i : M_{s+k}[i, j] for some j in F_k(c)}``: the tokens
  that token ``c``'s influence has reached after ``k`` layers starting at layer ``s``; it
  is the support of column ``c`` of the product ``A(s+k-1) ... A(s)``.
* ``schedule_reach(masks, c, start=s)``: the least ``k`` with ``F_k(c)`` = every token
  (``math.inf`` if never).
* ``schedule_centres(masks, start)``: tokens whose reach from ``start`` is finite.
* ``schedule_radius(masks)``: ``max over s in [0, P) of min over c of reach_s(c)``.  A
  block argument needs, at EVERY block start, some token whose influence covers every
  token within the block; taking the worst phase gives one block length for all blocks.

Under A1 on every layer, ``F_k(c)`` only grows, the reach of ``c`` is finite iff ``c`` is a
centre of the union graph (a path in the union graph is followed by waiting, through the
self-loops, for the layer holding each edge), and for one mask the reach of ``c`` is its
out-eccentricity: so ``schedule_centres([M]) == center_nodes(M)`` and
``schedule_radius([M]) == radius(M)``.  Without A1 the sets need not grow (a 2-cycle
without self-loops swaps forever) and :func:`schedule_radius` refuses with
:class:`AssumptionError` naming the layer.

Search.  Each layer costs one frontier propagation, linear in the edges (sparse) or in N
(patterns).  The radius from a start ``s`` is found exactly: the good tokens at depth
``k`` are ``G_k = intersection over all tokens v of D_k(v)`` (``D_k(v)``: the tokens that
influence ``v`` in the ``k`` layers from ``s``), and ``G_k`` grows with ``k`` (A1), so
``k`` is found by doubling then bisection; each ``G_k != {}`` test intersects ``D_k`` of a
few probe tokens, verifies a survivor forward, and adds a token the survivor misses as a
new probe (refinement ends because every round removes the survivor).  Centres of the
union graph are found by the same refinement on closures.

Theorem 1 for schedules (proof in ``paper_notes.md``, "Theorem 1 for schedules"): under
A1 on every layer, A2, A3 and a finite schedule radius ``r``, with
``eps = exp(-2S) / max over layers and tokens of |N_i|``,
``mu(X(t)) <= C (1 - eps^r)^(t/r)`` with the constant ``C`` of Theorem 1.

>>> from numeric import masks
>>> schedule_radius([masks.sliding_window(40, 2)]), schedule_radius([masks.sliding_window(40, 2), masks.complete(40)])
(10, 2)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, MaskError, RankCollapseError
from numeric.sparse_attention import (Pattern, Schedule, as_schedule, mask_backward,
                                      mask_forward, mask_in_degree_bound,
                                      mask_missing_self_loops)

from .evidence import Evidence, escalate

__all__ = ["mask_is_causal", "causal_schedule_radius", "schedule_reach", "schedule_centres", "schedule_radius", "schedule_radius_from",
           "check_schedule_a1", "schedule_report", "ScheduleSearch",
           "schedule_theorem1_constants", "check_schedule_theorem1"]


class _Prop:
    """Frontier propagation through a schedule, with cached sparse operators."""

    def __init__(self, sch: Schedule):
        self.sch = sch
        self.n = sch.n
        self.P = sch.period
        self.cache: dict = {}
        self.steps = 0

    def fwd(self, t, S):
        self.steps += 1
        return mask_forward(self.sch.mask(t), S, self.cache)

    def bwd(self, t, S):
        self.steps += 1
        return mask_backward(self.sch.mask(t), S, self.cache)

    def union_fwd(self, S):
        out = S.copy()
        for t in range(self.P):
            out |= self.fwd(t, S)
        return out

    def union_bwd(self, S):
        out = S.copy()
        for t in range(self.P):
            out |= self.bwd(t, S)
        return out

    def one(self, c):
        S = np.zeros(self.n, dtype=bool)
        S[c] = True
        return S


def check_schedule_a1(masks) -> None:
    """Raise :class:`AssumptionError` ("A1") naming the first layer of the period and the
    tokens without a self-loop."""
    sch = as_schedule(masks)
    for t, M in enumerate(sch.masks):
        bad = mask_missing_self_loops(M)
        if bad.size:
            raise AssumptionError("A1", f"layer {t} of the schedule (period {sch.period}): "
                                  f"tokens {bad[:10].tolist()} do not attend to themselves",
                                  where={"layer": t, "tokens": bad[:100].tolist()})


def _node(n, c):
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer)) or not 0 <= c < n:
        raise MaskError(f"token must be an integer in [0, {n}), got {c!r}")
    return int(c)


def schedule_reach(masks, c, start: int = 0, *, max_layers: int | None = None):
    """Layers after which token ``c``'s influence, spreading along the paper's edges from
    layer ``start``, has reached every token (``math.inf`` if it never does).

    With A1 on every layer the influence only grows, and a period without growth proves
    ``inf``.  Without A1 the state (set, phase) is iterated until it repeats (proving
    ``inf``) or ``max_layers`` (default ``2^min(N, 20) * P``) is reached (then
    :class:`RankCollapseError`).

    >>> from numeric import masks
    >>> schedule_reach([masks.causal(6)], 0), schedule_reach([masks.causal(6)], 3)
    (1, inf)
    """
    sch = as_schedule(masks)
    pr = _Prop(sch)
    n, P = pr.n, pr.P
    c = _node(n, c)
    if n == 1:
        return 0
    a1 = all(mask_missing_self_loops(M).size == 0 for M in sch.masks)
    S = pr.one(c)
    k = 0
    if a1:
        last_growth = 0
        size = 1
        while True:
            S = pr.fwd(start + k, S)
            k += 1
            s = int(S.sum())
            if s == n:
                return k
            if s > size:
                size, last_growth = s, k
            elif k - last_growth >= P:
                return math.inf
    cap = max_layers if max_layers is not None else (2 ** min(n, 20)) * P
    seen = {(S.tobytes(), start % P)}
    while k < cap:
        S = pr.fwd(start + k, S)
        k += 1
        if S.all():
            return k
        key = (S.tobytes(), (start + k) % P)
        if key in seen:
            return math.inf
        seen.add(key)
    raise RankCollapseError(f"schedule_reach: undecided after {cap} layers (A1 fails, so "
                            "the influence set is not monotone)")


def _union_centre(pr: _Prop):
    """One centre of the union graph and the probe tokens used, or ``None`` and a pair
    of tokens with no common ancestor (a witness that no token reaches both)."""
    n = pr.n
    K = np.ones(n, dtype=bool)
    probes = [n - 1, 0]
    done = []

    def closure(S, step):
        while True:
            S2 = step(S)
            if (S2 == S).all():
                return S
            S = S2

    while True:
        while probes:
            p = probes.pop()
            done.append(p)
            K &= closure(pr.one(p), pr.union_bwd)
            if not K.any():
                return None, done
        c = int(np.flatnonzero(K)[0])
        F = closure(pr.one(c), pr.union_fwd)
        if F.all():
            return c, done
        probes.append(int(np.flatnonzero(~F)[0]))


def schedule_centres(masks, start: int = 0) -> np.ndarray:
    """Tokens whose influence, from layer ``start``, eventually reaches every token.

    Under A1 (checked) these are the centres of the union of the masks (independent of
    ``start``); for one mask, :func:`theory.graphs.center_nodes`.

    >>> from numeric import masks
    >>> schedule_centres([masks.causal(5), masks.unidirectional_window(5, 1)]).tolist()
    [0]
    >>> schedule_centres([masks.causal(5), masks.sliding_window(5, 1)]).tolist()
    [0, 1, 2, 3, 4]
    """
    sch = as_schedule(masks)
    check_schedule_a1(sch)
    pr = _Prop(sch)
    c, _ = _union_centre(pr)
    if c is None:
        return np.zeros(0, dtype=np.int64)
    # the centres form the source component: everything that reaches c
    S = pr.one(c)
    while True:
        S2 = pr.union_bwd(S)
        if (S2 == S).all():
            return np.flatnonzero(S)
        S = S2


@dataclass
class ScheduleSearch:
    """Result of :func:`schedule_radius_from`: the radius from ``start``, a token attaining
    it, and the cost in layer propagations (each linear in the layer's edges)."""

    start: int
    value: float
    token: int | None
    propagations: int
    witness: dict | None = None


def _influencers(pr: _Prop, v: int, start: int, k: int) -> np.ndarray:
    S = pr.one(v)
    for t in range(start + k - 1, start - 1, -1):
        S = pr.bwd(t, S)
    return S


def _covers(pr: _Prop, c: int, start: int, k: int) -> tuple[bool, int | None]:
    S = pr.one(c)
    for t in range(start, start + k):
        S = pr.fwd(t, S)
    if S.all():
        return True, None
    return False, int(np.flatnonzero(~S)[0])


def schedule_radius_from(masks, start: int = 0, *, _pr=None, _centres=None) -> ScheduleSearch:
    """``min over tokens c of schedule_reach(masks, c, start)``, exactly (A1 required).

    >>> from numeric import masks
    >>> s = schedule_radius_from([masks.unidirectional_window(9, 2)])
    >>> s.value, s.token
    (4, 0)
    """
    sch = as_schedule(masks)
    if _pr is None:
        check_schedule_a1(sch)
    pr = _pr or _Prop(sch)
    n = pr.n
    if n == 1:
        return ScheduleSearch(start, 0, 0, 0)
    centres = _centres
    if centres is None:
        c0, probes = _union_centre(pr)
        if c0 is None:
            return ScheduleSearch(start, math.inf, None, pr.steps,
                                  {"no_common_ancestor": probes[-2:]})
        centres = schedule_centres(sch)
    if centres.size == 0:
        return ScheduleSearch(start, math.inf, None, pr.steps)
    if centres.size <= 8:   # e.g. causal masks: token 0 is the only centre
        best, tok = math.inf, None
        for c in centres.tolist():
            r = schedule_reach(sch, c, start)
            if r < best:
                best, tok = r, c
        return ScheduleSearch(start, best, tok, pr.steps)
    is_centre = np.zeros(n, dtype=bool)
    is_centre[centres] = True
    probes: list[int] = [0, n - 1]

    def good(k):
        """A token whose influence covers every token in k layers from start, or None."""
        K = is_centre.copy()
        used = set()
        for p in list(probes):
            K &= _influencers(pr, p, start, k)
            used.add(p)
            if not K.any():
                return None
        while True:
            c = int(np.flatnonzero(K)[0])
            ok, miss = _covers(pr, c, start, k)
            if ok:
                return c
            if miss not in used:
                probes.append(miss)
                used.add(miss)
            K &= _influencers(pr, miss, start, k)
            if not K.any():
                return None

    # doubling, then bisection (good tokens only accumulate as k grows, by A1)
    hi, tok = 1, good(1)
    while tok is None:
        hi *= 2
        tok = good(hi)
    lo = hi // 2  # good(lo) is None (or lo == 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        c = good(mid)
        if c is None:
            lo = mid
        else:
            hi, tok = mid, c
    return ScheduleSearch(start, hi, tok, pr.steps)


def schedule_radius(masks):
    """``max over start in [0, P) of min over c of schedule_reach(masks, c, start)``: the
    block length of the schedule version of Theorem 1 (``math.inf`` with no centre).

    Raises :class:`AssumptionError` when a layer lacks a self-loop (A1).

    >>> from numeric import masks
    >>> schedule_radius([masks.causal(8)]), schedule_radius([masks.block_local(8, 4), masks.complete(8)])
    (1, 2)
    """
    return _radius_search(masks)[0]


def mask_is_causal(M) -> bool:
    """Every edge goes from an earlier token to a later one (``M[i, j]`` only for
    ``j <= i``): a causal :class:`Pattern`, or a dense / sparse mask with no entry above
    the diagonal."""
    import scipy.sparse as sp

    if isinstance(M, Pattern):
        return bool(M.causal)
    if sp.issparse(M):
        C = sp.coo_array(M)
        return not bool(((C.col > C.row) & (C.data != 0)).any())
    return not bool(np.triu(np.asarray(M, dtype=bool), 1).any())


def causal_schedule_radius(masks):
    """:func:`schedule_radius` of a causal schedule (every mask causal, A1 checked), by
    token 0's reach alone: ``math.inf`` when token 0 never reaches every token (then no
    token does).  Raises :class:`MaskError` for a schedule that is not causal."""
    sch = as_schedule(masks)
    check_schedule_a1(sch)
    if not all(mask_is_causal(M) for M in sch.masks):
        raise MaskError("causal_schedule_radius needs causal masks (M[i, j] only for j <= i)")
    if sch.n == 1:
        return 0
    return max(schedule_reach(sch, 0, s) for s in range(sch.period))


def _causal_radius(sch: Schedule):
    """For a causal schedule under A1 only token 0 can be a centre (nothing reaches token
    0 but itself), so the radius from each start is token 0's reach: ``P`` forward runs,
    no centre search.  ``None`` when token 0 is not a centre (the general search then
    finds the witness)."""
    per = [schedule_reach(sch, 0, s) for s in range(sch.period)]
    if any(v == math.inf for v in per):
        return None
    return max(per), [ScheduleSearch(s, v, 0, v) for s, v in enumerate(per)]


def _radius_search(masks):
    sch = as_schedule(masks)
    check_schedule_a1(sch)
    single = sch.period == 1 and not isinstance(sch.masks[0], Pattern)
    if sch.n > 1 and not single and all(mask_is_causal(M) for M in sch.masks):
        fast = _causal_radius(sch)
        if fast is not None:
            return fast
    pr = _Prop(sch)
    if sch.period == 1 and not isinstance(sch.masks[0], Pattern) and pr.n > 1:
        # one mask under A1: reach = out-eccentricity, so the graph search of
        # theory.graphs (fewer BFS runs) gives the same value (tested against the general
        # search on [M, M])
        from . import graphs
        res = graphs.radius_search(sch.masks[0])
        return res.value, [ScheduleSearch(0, res.value, res.node, res.bfs_runs)]
    if pr.n == 1:
        return 0, [ScheduleSearch(s, 0, 0, 0) for s in range(pr.P)]
    c0, probes = _union_centre(pr)
    if c0 is None:
        return math.inf, [ScheduleSearch(0, math.inf, None, pr.steps,
                                         {"no_common_ancestor": probes[-2:]})]
    centres = schedule_centres(sch)
    per = [schedule_radius_from(sch, s, _pr=pr, _centres=centres) for s in range(pr.P)]
    return max(p.value for p in per), per


def schedule_report(masks) -> dict:
    """Everything :mod:`rankcollapse.commands.mask` prints about a schedule: A1 per layer
    (violations REPORTED, not raised), centres, the radius from every start, and when no
    token reaches every token, a pair of tokens no single token reaches both of."""
    sch = as_schedule(masks)
    out = {"N": sch.n, "period": sch.period, "a1": True, "a1_violations": [],
           "problems": []}
    for t, M in enumerate(sch.masks):
        bad = mask_missing_self_loops(M)
        if bad.size:
            out["a1"] = False
            out["a1_violations"].append({"layer": t, "tokens": bad[:10].tolist(),
                                         "count": int(bad.size)})
    if not out["a1"]:
        v = out["a1_violations"][0]
        out["problems"].append(f"A1 violated: layer {v['layer']} of the period has "
                               f"{v['count']} token(s) without a self-loop (e.g. "
                               f"{v['tokens'][:5]}); Theorem 1 does not apply")
        out["radius"] = None
        return out
    r, per = _radius_search(sch)
    out["radius"] = r
    out["radius_per_start"] = [p.value for p in per]
    out["centre_token_per_start"] = [p.token for p in per]
    out["propagations"] = sum(p.propagations for p in per)
    if r == math.inf:
        w = per[0].witness or {}
        pair = w.get("no_common_ancestor")
        out["n_centres"] = 0
        out["problems"].append(
            "not quasi-strongly connected: no token's influence ever reaches every token"
            + (f" (no token reaches both {pair[0]} and {pair[1]})" if pair else ""))
    elif sch.n > 1 and all(mask_is_causal(M) for M in sch.masks):
        out["n_centres"] = 1                # token 0, the only possible centre of a causal mask
    else:
        out["n_centres"] = int(schedule_centres(sch).size)
    out["max_in_degree"] = max(mask_in_degree_bound(M) for M in sch.masks)
    return out


# ============================================================================ Theorem 1
def schedule_theorem1_constants(masks, X0, layers, T: int, *, dps: int = 40,
                                eps_override=None):
    """Theorem 1's constants for a schedule: as :func:`theory.bounds.theorem1_constants`
    with ``r = schedule_radius(masks)`` and ``max |N_i|`` over every layer's mask.
    Raises :class:`AssumptionError` for A1 (naming the layer) or a schedule with no
    centre."""
    from theory import bounds as B
    from numeric.precision import get_backend

    sch = as_schedule(masks)
    check_schedule_a1(sch)
    r = schedule_radius(sch)
    if r == math.inf:
        raise AssumptionError("quasi-strong connectivity", "no token's influence reaches "
                              "every token under this schedule")
    r = max(int(r), 1)
    max_deg = max(mask_in_degree_bound(M) for M in sch.masks)
    # reuse the single-mask constants for everything that does not depend on the mask
    # (token bound, A3 supremum, oscillations) by passing a complete mask, then put the
    # schedule's r and max in-degree in
    from numeric.masks import complete
    X = np.asarray(X0)
    K = B.theorem1_constants(complete(X.shape[0]), X0, layers, T, dps=dps, eps_override=1)
    be = get_backend(f"arb:{dps}")
    with be.context():
        eps = B.lemma1_eps(max_deg, K.S, be) if eps_override is None else be.scalar(eps_override)
        q = 1 - eps ** r
        C = K.C_floor * q ** (-be.scalar(r - 1) / r)
    return B.Theorem1Constants(eps, r, C, K.C_floor, K.B, K.S, K.CV, max_deg)


def _schedule_theorem1_at(sch, X0, layers, T, dps, eps_override) -> Evidence:
    from theory import bounds as B
    from numeric.dynamics import simulate
    from numeric.precision import get_backend

    be = get_backend(f"arb:{dps}")
    K = schedule_theorem1_constants(sch, X0, layers, T, dps=dps, eps_override=eps_override)
    dense = [_masks.to_dense(M.to_sparse() if isinstance(M, Pattern) else M)
             for M in sch.masks]
    tr = simulate(X0, dense, layers, T, mode="san", backend=be)
    return B.certify_below_bound(
        tr.mu(), K, X0, T, be, dps,
        statement="mu(X(t)) <= C (1 - eps^r)^(t/r) for t = 0..T, r = schedule radius",
        extra={"period": sch.period}, eps_override=eps_override)


def check_schedule_theorem1(masks, X0, layers, T: int, *, dps: int = 40, cap: int = 640,
                            eps_override=None) -> Evidence:
    """Theorem 1 for a schedule on one instance, certified in arb balls with the digits
    escalated on undecided comparisons (:func:`theory.evidence.escalate`); ``open`` at
    the cap.  ``eps_override`` is for negative controls (a wrong constant is caught)."""
    sch = as_schedule(masks)
    return escalate(lambda k: _schedule_theorem1_at(sch, X0, layers, T, k, eps_override),
                    dps, cap)
