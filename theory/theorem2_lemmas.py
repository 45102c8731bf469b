"""Lemmas 4, 7, 8, 9 and 10 of Appendix C: the ingredients of Theorem 2.

Notation (rows are tokens, ``M[i, j]`` true iff token i attends to token j):

* ``A_{G,eps}``: row-stochastic ``A`` with ``A_ij >= eps`` on every edge of the mask and
  ``A_ij = 0`` off it.  ``D_{C1,C2}``: diagonal ``D`` with ``C1 <= D_ii <= C2``.
  ``M_{G,eps,C1,C2} = {D A}``.  A sequence ``M(0), M(1), ...`` has partial products
  ``P(t) = M(t) ... M(0)`` (newest factor on the left).
* For a positive matrix ``P`` the smallest cross ratio is
  ``phi(P) = min_{i,j,k,l} P_ik P_jl / (P_il P_jk)`` (in ``(0, 1]``; ``0`` if ``P`` has a zero
  entry); Birkhoff's coefficient is ``tau(P) = (1 - sqrt(phi)) / (1 + sqrt(phi))``.
  With ``u_i = P_i1`` and ``w_j = P_1j / P_11`` the rank-one ``S = u w^T`` satisfies
  ``phi <= P_ij / S_ij <= 1 / phi``, so ``phi(P(t)) -> 1`` is exactly the ergodicity of
  Definition 8 (``P_ij(t) / S_ij(t) -> 1`` for positive rank-one ``S(t)``).

The lemmas as encoded here (statements in our words; repairs are marked):

* **Lemma 4** (:func:`check_lemma4`).  Post-LN tokens lie on the unit sphere, so every score
  obeys ``|R_ij| <= S = ||W_Q||_2 ||W_K||_2 / sqrt(d_qk)`` and every attention weight on an
  edge is at least ``eps = exp(-2 S) / max_i |N_i|``; the sharp constant is
  ``1 / (1 + (n - 1) exp(2 S))`` with ``n = max_i |N_i|`` (attained).
  REPAIR: the paper assumes only A1-A2, but the bound at ``t = 0`` needs ``X(0)`` on the
  sphere (or an ``eps`` depending on ``max ||X_i(0)||``); A1 is not used (any mask whose
  rows are non-empty).  The printed proof also swaps ``(i, j)`` and ``(j, i)``.
* **Lemma 7** (:func:`check_lemma7`).  If the mask is strongly connected with self-loops,
  the partial products of any sequence in ``M_{G,eps,C1,C2}`` are ergodic, quantitatively
  ``tau(P(t)) <= theta^floor((t+1)/T)`` with ``T`` the diameter,
  ``theta = (1 - rho)/(1 + rho)``, ``rho = (eps C1 / C2)^T``.
  REPAIR: the printed Lemma 7 states no hypothesis on the mask; without strong
  connectivity (or without self-loops) some entry of ``P(t)`` is ``0`` infinitely often and
  no positive rank-one ``S(t)`` can have ``P/S -> 1`` (exhaustive over masks with N <= 4;
  witnesses :func:`lemma7_disconnected_witness`, :func:`lemma7_no_self_loop_witness`).
* **Lemma 8** (:func:`check_lemma8`, Hartfiel's Corollary 5.1).  For row-allowable
  non-negative ``M(t)`` with smallest and largest entries ``a_t <= b_t``,
  ``tau(P(t)) <= prod_{s <= t} (1 - a_s/b_s) / (1 + a_s/b_s)``; so ``sum a_t / b_t = inf``
  forces ``tau -> 0``: ergodic.  (The extraction garbles the hypothesis; we read it as
  ``sum_t a_t / b_t = infinity``, which is what Birkhoff's bound gives.)  The hypothesis
  cannot be dropped (:func:`lemma8_summable_witness`).
* **Lemma 9** (:func:`check_lemma9`).  Mask strongly connected with self-loops, ``T`` its
  diameter: every product of ``T`` CONSECUTIVE factors from ``M_{G,eps,C1,C2}`` satisfies
  ``(eps C1)^T <= entries <= C2^T``.
  REPAIR: the paper writes ``P(t+T:t) = P(t+T) ... P(t)``, which has ``T + 1`` factors; with
  ``T + 1`` factors the bounds need exponent ``T + 1`` (they fail for ``C1 < 1`` or
  ``C2 > N``: :func:`lemma9_paper_indexing_witness`).  ``T`` cannot be smaller than the
  diameter (the radius, for instance, does not work).  The blocks fed to Lemma 8 must be
  the disjoint ``P((k+1)T - 1 : kT)``.
* **Lemma 10** (:func:`check_lemma10`).  If ``P(t) = u v^T + E`` with positive ``u, v``,
  ``||v||_2 = 1`` and ``P_ij / (u_i v_j) -> 1`` (Lemma 7), then ``E_ij / u_i -> 0``;
  quantitatively ``|E_ij| / u_i = v_j |P_ij/S_ij - 1| <= max |P/S - 1| <= 1/phi(P) - 1``.

Levels: products of rational matrices are exact (``Fraction``); the attention weights of
Lemma 4 and the 2-norm in Lemma 10 are transcendental / irrational and are compared in arb
balls (:func:`theory.evidence.escalate` raises the digits; an undecided comparison is
reported ``open``).  Small-size universal statements are decided by z3 (a timeout is
``open``) or by exhaustive enumeration of all masks on ``N <= 4`` tokens.
"""
from __future__ import annotations

import functools
import time
from fractions import Fraction as F
from typing import Sequence

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, RankCollapseError
from numeric.precision import get_backend

from .evidence import Evidence, escalate, sampled, universal, witness

__all__ = [
    "fmatrix", "product", "cross_ratio_min", "hartfiel_factor", "random_member",
    "random_sequence", "rational_sphere_points", "boolean_power", "eventual_pattern",
    "check_lemma4", "lemma4_softmax_z3", "lemma4_score_bound_sos", "lemma4_tightness",
    "check_lemma7", "lemma7_mask_enumeration", "lemma7_disconnected_witness",
    "lemma7_no_self_loop_witness",
    "check_lemma8", "lemma8_minor_bound_z3", "lemma8_birkhoff_2x2_z3",
    "lemma8_summable_witness",
    "check_lemma9", "lemma9_mask_enumeration", "lemma9_step_z3",
    "lemma9_paper_indexing_witness",
    "check_lemma10", "lemma10_identity",
]


# ----------------------------------------------------------------------------------------
# exact matrices
# ----------------------------------------------------------------------------------------

def fmatrix(rows) -> np.ndarray:
    """An object array of ``Fraction`` (exact input only: ints, Fractions, strings)."""
    a = np.asarray(rows, dtype=object)
    out = np.empty(a.shape, dtype=object)
    for idx, v in np.ndenumerate(a):
        if isinstance(v, float):
            raise RankCollapseError("exact matrices take ints, Fractions or strings, not floats")
        out[idx] = F(v)
    return out


def product(mats: Sequence[np.ndarray]) -> np.ndarray:
    """``mats[-1] @ ... @ mats[0]`` (the paper's order: the newest factor on the left)."""
    P = mats[0]
    for Mt in mats[1:]:
        P = Mt @ P
    return P


def cross_ratio_min(P) -> F:
    """``phi(P) = min P_ik P_jl / (P_il P_jk)`` over all rows i, j and columns k, l:
    ``0`` when ``P`` has a non-positive entry, ``1`` iff ``P`` has rank one."""
    P = np.asarray(P, dtype=object)
    if any(v <= 0 for v in P.ravel()):
        return F(0)
    n_cols = P.shape[1]
    best = F(1)
    for k in range(n_cols):
        for l in range(k + 1, n_cols):
            r = [P[i, k] / P[i, l] for i in range(P.shape[0])]
            best = min(best, min(r) / max(r))
    return best


def _q(x) -> str:
    """An exact rational as a string; long ones as a labelled decimal approximation."""
    if x is None:
        return None
    s = str(x)
    return s if len(s) <= 40 else f"~{float(x):.12g} (exact rational, {len(s)} chars)"


def _phi_bound(Theta: F) -> F:
    """``tau <= Theta`` in terms of ``phi``: ``phi >= ((1 - Theta)/(1 + Theta))^2``."""
    return ((1 - Theta) / (1 + Theta)) ** 2


def _dev_bound(Theta: F):
    """``1/phi - 1`` allowed by ``tau <= Theta`` (``None`` when ``Theta = 1``)."""
    return None if Theta >= 1 else ((1 + Theta) / (1 - Theta)) ** 2 - 1


def hartfiel_factor(rho: F) -> F:
    """Birkhoff's bound for one positive matrix with entry ratio ``rho = min/max``:
    ``tau <= (1 - rho)/(1 + rho)`` (``1`` when the matrix has a zero, ``rho = 0``)."""
    return (1 - rho) / (1 + rho)


def _entry_ratio(B) -> F:
    vals = list(np.asarray(B, dtype=object).ravel())
    lo, hi = min(vals), max(vals)
    return F(0) if lo <= 0 else lo / hi


def _check_member(D, A, M, eps, C1, C2, t) -> None:
    """Raise :class:`AssumptionError` unless ``D A`` is in ``M_{G,eps,C1,C2}``."""
    Md = _masks.to_dense(M)
    N = Md.shape[0]
    for i in range(N):
        if sum(A[i, :]) != 1:
            raise AssumptionError("A row-stochastic", f"row {i} of A({t}) sums to "
                                  f"{sum(A[i, :])}", where=t)
        if not C1 <= D[i, i] <= C2:
            raise AssumptionError("C1 <= D <= C2", f"D({t})[{i},{i}] = {D[i, i]}", where=t)
        for j in range(N):
            if Md[i, j] and A[i, j] < eps:
                raise AssumptionError("A_ij >= eps on edges", f"A({t})[{i},{j}] = "
                                      f"{A[i, j]} < eps = {eps}", where=t)
            if not Md[i, j] and A[i, j] != 0:
                raise AssumptionError("A supported on the mask", f"A({t})[{i},{j}] = "
                                      f"{A[i, j]} off the mask", where=t)
    for i in range(N):
        for j in range(N):
            if i != j and D[i, j] != 0:
                raise AssumptionError("D diagonal", f"D({t}) is not diagonal", where=t)


def random_member(M, eps: F, C1: F, C2: F, rng, *, K: int = 6, extreme: bool = False):
    """An exact rational pair ``(D, A)`` with ``D A`` in ``M_{G,eps,C1,C2}``.

    ``extreme=True`` draws vertices of the set (all slack of a row on one neighbour,
    ``D_ii`` at ``C1`` or ``C2``): where the bounds of Lemma 9 are tight."""
    Md = _masks.to_dense(M)
    N = Md.shape[0]
    A = fmatrix(np.zeros((N, N), dtype=int))
    for i in range(N):
        nb = np.flatnonzero(Md[i])
        if nb.size == 0:
            raise AssumptionError("non-empty rows", f"token {i} attends to nothing")
        slack = 1 - eps * nb.size
        if slack < 0:
            raise AssumptionError("eps |N_i| <= 1", f"eps = {eps} too large for row {i}")
        if extreme:
            w = np.zeros(nb.size, dtype=int)
            w[rng.integers(nb.size)] = 1
        else:
            w = rng.integers(0, K + 1, nb.size)
            if w.sum() == 0:
                w[:] = 1
        for j, wj in zip(nb, w):
            A[i, j] = eps + slack * F(int(wj), int(w.sum()))
    D = fmatrix(np.zeros((N, N), dtype=int))
    for i in range(N):
        k = (K if rng.integers(2) else 0) if extreme else int(rng.integers(0, K + 1))
        D[i, i] = C1 + (C2 - C1) * F(k, K)
    return D, A


def random_sequence(M, length: int, eps: F, C1: F, C2: F, rng, *, extreme_share=0.3):
    """A list of ``(D, A)`` pairs, a share of them at vertices of the set."""
    return [random_member(M, eps, C1, C2, rng, extreme=bool(rng.random() < extreme_share))
            for _ in range(length)]


def rational_sphere_points(N: int, d: int, rng, *, size: int = 4) -> np.ndarray:
    """``N`` points with rational coordinates EXACTLY on ``S^{d-1}`` (inverse
    stereographic projection of random rational points), as a ``Fraction`` array."""
    X = np.empty((N, d), dtype=object)
    for i in range(N):
        u = [F(int(rng.integers(-size, size + 1)), int(rng.integers(1, size + 1)))
             for _ in range(d - 1)]
        s = sum(x * x for x in u)
        row = [2 * x / (s + 1) for x in u] + [(s - 1) / (s + 1)]
        X[i] = row
        assert sum(v * v for v in row) == 1
    return X


# ----------------------------------------------------------------------------------------
# Boolean patterns (supports of products)
# ----------------------------------------------------------------------------------------

def boolean_power(M, k: int) -> np.ndarray:
    """Support of any product of ``k`` matrices with support exactly ``M`` (positive on
    edges): ``(M^k)_ij`` true iff a walk of length ``k`` goes from i to j along M."""
    B = np.asarray(_masks.to_dense(M), dtype=bool)
    P = np.eye(B.shape[0], dtype=bool)
    for _ in range(k):
        P = (B.astype(np.int64) @ P.astype(np.int64)) > 0
    return P


def eventual_pattern(M) -> dict:
    """The supports ``M^1, M^2, ...`` are eventually periodic; return the first power
    ``k0`` of the cycle, its period, and whether every pattern in the cycle is positive
    (then products are positive from ``k0`` on) or a witness ``(k, i, j)`` of a zero that
    recurs in every period (then ``P(t)`` has a zero entry infinitely often)."""
    B = np.asarray(_masks.to_dense(M), dtype=bool).astype(np.int64)
    P = B.copy()
    seen = {}
    pats = []
    k = 1
    while True:
        key = (P > 0).tobytes()
        if key in seen:
            k0 = seen[key]
            period = k - k0
            cycle = pats[k0 - 1:]
            for off, pat in enumerate(cycle):
                if not pat.all():
                    i, j = map(int, np.argwhere(~pat)[0])
                    return {"positive_eventually": False, "k0": k0, "period": period,
                            "zero_at_power": k0 + off, "zero_entry": [i, j]}
            first_pos = next(kk for kk in range(1, k) if pats[kk - 1].all())
            return {"positive_eventually": True, "k0": k0, "period": period,
                    "first_positive_power": first_pos}
        seen[key] = k
        pats.append(P > 0)
        P = ((B @ (P > 0).astype(np.int64)) > 0).astype(np.int64)
        k += 1


def _bfs_dist(adj, src) -> list:
    N = len(adj)
    dist = [None] * N
    dist[src] = 0
    frontier = [src]
    while frontier:
        nxt = []
        for u in frontier:
            for v in range(N):
                if adj[u][v] and dist[v] is None:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        frontier = nxt
    return dist


def _all_masks(N: int, self_loops: bool = True):
    off = [(i, j) for i in range(N) for j in range(N) if i != j]
    for bits in range(1 << len(off)):
        M = np.eye(N, dtype=bool) if self_loops else np.zeros((N, N), dtype=bool)
        for b, (i, j) in enumerate(off):
            if bits >> b & 1:
                M[i, j] = True
        yield M


def _mask_facts(N: int, self_loops: bool = True):
    """For every mask on ``N`` tokens: BFS diameter (``None`` if not strongly connected)
    and the smallest ``k <= (N-1)^2 + 1`` with ``M^k`` positive (``None`` if none)."""
    return _mask_facts_cached(N, self_loops)


@functools.lru_cache(maxsize=None)
def _mask_facts_cached(N: int, self_loops: bool):
    return tuple(_mask_facts_gen(N, self_loops))


def _mask_facts_gen(N: int, self_loops: bool):
    wielandt = (N - 1) ** 2 + 1
    for M in _all_masks(N, self_loops):
        adj = M.tolist()
        dists = [_bfs_dist(adj, s) for s in range(N)]
        sc = all(d is not None for row in dists for d in row)
        diam = max(d for row in dists for d in row) if sc else None
        P = np.eye(N, dtype=np.int64)
        first = None
        B = M.astype(np.int64)
        for k in range(1, wielandt + 1):
            P = ((B @ P) > 0).astype(np.int64)
            if P.all():
                first = k
                break
        yield M, sc, diam, first


# ----------------------------------------------------------------------------------------
# z3 helper
# ----------------------------------------------------------------------------------------

def _z3_prove(build, timeout_ms: int) -> dict:
    """``build(solver)`` adds the NEGATION of a statement; ``unsat`` proves it, ``sat``
    refutes it (model returned), ``unknown`` (e.g. timeout) leaves it open."""
    import z3

    s = z3.Solver()
    s.set("timeout", int(timeout_ms))
    build(s)
    t0 = time.perf_counter()
    r = s.check()
    out = {"result": str(r), "seconds": round(time.perf_counter() - t0, 3),
           "timeout_ms": int(timeout_ms), "query": s.sexpr()}
    if r == z3.sat:
        out["model"] = str(s.model())
    return out


def _z3_evidence(statement, runs, domain, level="exact") -> Evidence:
    if any(r["result"] == "sat" for r in runs):
        bad = next(r for r in runs if r["result"] == "sat")
        return Evidence(statement, "fails", level, {"z3": runs},
                        witness={"z3_model": bad["model"], "query": bad["query"]},
                        scope=witness("z3 model of the negation"))
    status = "holds" if all(r["result"] == "unsat" for r in runs) else "open"
    d = {"z3": runs}
    if status == "open":
        d["open_reason"] = "z3 returned unknown (timeout) on some query"
    return Evidence(statement, status, level, d,
                    scope=universal(domain, "z3 unsat of the negation (nonlinear real "
                                            "arithmetic), one query per size") if status == "holds"
                    else universal(domain, "z3 (some queries unknown: not proved)"))


# ----------------------------------------------------------------------------------------
# Lemma 4
# ----------------------------------------------------------------------------------------

def lemma4_softmax_z3(n_max: int = 8, timeout_ms: int = 5000) -> Evidence:
    """For every ``n <= n_max`` and scores ``r_k in [-S, S]``: the softmax weight of each
    entry is at least ``1 / (1 + (n-1) e^{2S})`` (sharp), which is at least
    ``e^{-2S} / n`` (the paper's).  With ``E = e^S >= 1`` and ``e_k = e^{r_k}`` the
    statement is polynomial: ``1/E <= e_k <= E``."""
    import z3

    def build(n):
        def f(s):
            E = z3.Real("E")
            e = [z3.Real(f"e{k}") for k in range(n)]
            s.add(E >= 1)
            for x in e:
                s.add(x * E >= 1, x <= E)
            tot = z3.Sum(e) if n > 1 else e[0]
            sharp_fails = e[0] * (1 + (n - 1) * E * E) < tot
            paper_below_sharp = n * E * E < 1 + (n - 1) * E * E
            s.add(z3.Or(sharp_fails, paper_below_sharp))
        return f

    runs = [{"n": n, **_z3_prove(build(n), timeout_ms)} for n in range(1, n_max + 1)]
    return _z3_evidence("softmax weight >= 1/(1 + (n-1) e^{2S}) >= e^{-2S}/n for scores in "
                        "[-S, S]", runs, f"all S >= 0, all score vectors in [-S, S]^n, "
                        f"n = |N_i| <= {n_max}")


def lemma4_score_bound_sos(d_max: int = 5) -> Evidence:
    """Cauchy-Schwarz as an exact sum-of-squares identity (Lagrange) for vectors of
    length ``<= d_max``: ``|q.k|^2 + sum_{a<b} (q_a k_b - q_b k_a)^2 = |q|^2 |k|^2``.  With
    ``q = x_i W_Q``, ``k = x_j W_K`` and ``||x W|| <= ||W||_2`` for unit ``x`` this gives
    ``|R_ij| <= ||W_Q||_2 ||W_K||_2 / sqrt(d_qk)`` for tokens on the sphere."""
    import sympy

    checked = []
    for d in range(1, d_max + 1):
        q = sympy.symbols(f"q0:{d}", real=True)
        k = sympy.symbols(f"k0:{d}", real=True)
        lhs = sum(a * b for a, b in zip(q, k)) ** 2 + sum(
            (q[a] * k[b] - q[b] * k[a]) ** 2 for a in range(d) for b in range(a + 1, d))
        rhs = sum(a * a for a in q) * sum(b * b for b in k)
        if sympy.expand(lhs - rhs) != 0:
            return Evidence("Lagrange identity", "fails", "exact", {"d": d},
                            witness={"d": d}, scope=witness(f"d = {d}"))
        checked.append(d)
    return Evidence("Cauchy-Schwarz (Lagrange SOS identity) => |R_ij| <= ||W_Q||_2 ||W_K||_2 "
                    "/ sqrt(d_qk) for unit tokens", "holds", "exact",
                    {"d_checked": checked},
                    scope=universal(f"all real vectors of length d' <= {d_max} (query/key "
                                    "width), all weights", "SymPy polynomial identity"))


def lemma4_tightness() -> Evidence:
    """The sharp constant is attained: N = d = 2, complete mask, ``W_Q = W_K = I``
    (``S = 1``), ``X = [[1, 0], [-1, 0]]``: ``A_12 = 1/(1 + e^2)`` exactly (SymPy), the
    sharp bound with ``n = 2``; the paper's ``e^{-2}/2`` is smaller by ``2e^2/(1+e^2)``."""
    import sympy

    X = sympy.Matrix([[1, 0], [-1, 0]])
    R = X * X.T
    a12 = sympy.exp(R[0, 1]) / (sympy.exp(R[0, 0]) + sympy.exp(R[0, 1]))
    sharp = 1 / (1 + sympy.exp(2))
    ok = sympy.simplify(a12 - sharp) == 0
    return Evidence("the sharp Lemma 4 constant 1/(1 + (n-1) e^{2S}) is attained",
                    "holds" if ok else "fails", "exact",
                    {"A_12": str(a12), "sharp_eps": str(sharp),
                     "paper_eps": str(sympy.exp(-2) / 2),
                     "ratio_sharp_over_paper": str(sympy.nsimplify(2 * sympy.exp(2) /
                                                                  (1 + sympy.exp(2))))},
                    scope=witness("N = d = 2, W_Q = W_K = I, X = [[1,0],[-1,0]]"))


def _to_list(a):
    return [[str(v) if not isinstance(v, float) else repr(v) for v in row]
            for row in np.asarray(a, dtype=object).tolist()]


def check_lemma4(M, X0, layers, T: int, *, eps_rule: str = "paper", dps: int = 30,
                 cap: int = 240) -> Evidence:
    """Lemma 4 on one post-LN trajectory: every attention weight on an edge of ``M`` at
    layers ``t < T`` is at least ``eps_t`` computed from the weights of layer ``t``:

    * ``eps_rule="paper"``: ``exp(-2 S_t) / max_i |N_i|``, ``S_t = ||W_Q||_2 ||W_K||_2 /
      sqrt(d_qk)`` with rigorous upper bounds of the norms (:func:`theory.bounds.theorem2_eps`);
    * ``"sharp"``: ``1 / (1 + (n-1) exp(2 S_t))``;
    * ``"no-factor-2"``: ``exp(-S_t) / n`` (a WRONG constant, for negative controls).

    ``X0`` is used as given (NOT renormalised): the lemma's bound at ``t = 0`` needs the
    tokens on the sphere.  Weights are balls (arb); a comparison that is not decided at
    ``dps`` digits is retried with more digits up to ``cap`` and otherwise reported
    ``open``.  A certain violation is ``fails`` with a witness."""
    from .bounds import _layers_list, edge_weights, norm2_upper

    lays = _layers_list(layers, T)
    Md = _masks.to_dense(M)
    nmax = int(Md.sum(axis=1).max())
    if nmax < 1 or (Md.sum(axis=1) == 0).any():
        raise AssumptionError("non-empty rows", "some token attends to nothing")

    def run(d):
        be = get_backend(f"arb:{d}")
        with be.context():
            eps_t = []
            for lay in lays:
                dqk = lay.d_qk if lay.d_qk is not None else np.shape(lay.W_Q)[1]
                S = norm2_upper(lay.W_Q, be) * norm2_upper(lay.W_K, be) / \
                    be.sqrt(np.array([be.scalar(dqk)], dtype=object))[0]
                if eps_rule == "paper":
                    e = (-2 * S).exp() / nmax
                elif eps_rule == "sharp":
                    e = 1 / (1 + (nmax - 1) * (2 * S).exp())
                elif eps_rule == "no-factor-2":
                    e = (-S).exp() / nmax
                else:
                    raise RankCollapseError(f"unknown eps_rule {eps_rule!r}")
                eps_t.append(e)
            undecided, smallest, n_w = [], None, 0
            for t, i, j, a in edge_weights(M, X0, layers, T, mode="post-ln", be=be):
                n_w += 1
                slack = a / eps_t[t]
                if smallest is None or slack.lower() < smallest[0].lower():
                    smallest = (slack, t, i, j)
                if a < eps_t[t]:
                    return Evidence(f"A_ij(t) >= eps_t ({eps_rule}) on every edge", "fails",
                                    "certified", {"eps_rule": eps_rule, "digits": d},
                                    witness={"t": t, "i": i, "j": j, "A_ij": str(a),
                                             "eps_t": str(eps_t[t]), "mask": Md.tolist(),
                                             "X0": _to_list(X0),
                                             "layer": {k: _to_list(getattr(lays[t], k))
                                                       for k in ("W_Q", "W_K", "W_V")},
                                             "d_qk": lays[t].d_qk},
                                    scope=witness("this trajectory, layer t, edge (i, j)"))
                if not a >= eps_t[t]:
                    undecided.append([t, i, j])
        return Evidence(f"A_ij(t) >= eps_t ({eps_rule}) on every edge, t < {T}",
                        "holds" if not undecided else "open", "certified",
                        {"eps_rule": eps_rule, "max_in_degree": nmax, "weights_checked": n_w,
                         "eps_0": str(eps_t[0]) if eps_t else None,
                         "smallest_weight_over_eps": str(smallest[0]) if smallest else None,
                         "smallest_at_t_i_j": list(smallest[1:]) if smallest else None,
                         "undecided": undecided[:10], "digits": d})

    return escalate(run, dps, cap)


# ----------------------------------------------------------------------------------------
# Lemma 9
# ----------------------------------------------------------------------------------------

def lemma9_mask_enumeration(N_max: int = 4) -> Evidence:
    """Exhaustive over all masks with self-loops on ``N <= N_max`` tokens: a product of
    ``k`` matrices positive on the edges (zero off them) is entrywise positive iff
    ``k >= diameter`` (BFS), and never when the mask is not strongly connected.  Also,
    without self-loops the first claim fails (a witness is recorded)."""
    counts = {}
    bad = []
    for N in range(1, N_max + 1):
        n_sc = 0
        n = 0
        for M, sc, diam, first in _mask_facts(N, True):
            n += 1
            n_sc += sc
            expected = max(diam, 1) if sc else None
            if first != expected:
                bad.append({"mask": M.astype(int).tolist(), "diameter": diam,
                            "first_positive_power": first})
        counts[N] = {"masks": n, "strongly_connected": n_sc}
    no_loop = None
    for M, sc, diam, first in _mask_facts(2, False):
        if sc and first != max(diam, 1):
            no_loop = {"mask": M.astype(int).tolist(), "diameter": diam,
                       "first_positive_power": first}
            break
    st = ("with self-loops, products of k factors supported on the mask are positive iff "
          "k >= diameter (never if not strongly connected)")
    if bad:
        return Evidence(st, "fails", "exact", {"counts": counts}, witness=bad[0],
                        scope=witness("a mask on few tokens"))
    return Evidence(st, "holds", "exact",
                    {"counts": counts, "without_self_loops_witness": no_loop},
                    scope=universal(f"every mask with self-loops on N <= {N_max} tokens "
                                    "(every k >= 1)",
                                    "exhaustive enumeration; Boolean powers vs BFS distances "
                                    "(k beyond (N-1)^2+1 by Wielandt / monotonicity)"))


def lemma9_step_z3(N_max: int = 4, timeout_ms: int = 5000) -> Evidence:
    """The two one-factor steps behind Lemma 9, for ``N <= N_max``, decided by z3:

    * upper: ``0 <= x <= m`` entrywise, ``A`` row-stochastic non-negative, ``0 < D_ii <= C2``
      give ``0 <= (D A x)_i <= C2 m``;
    * lower: ``x >= 0``, ``x_k >= L``, ``A_ik >= eps`` (an edge), ``D_ii >= C1 > 0`` give
      ``(D A x)_i >= eps C1 L``.

    Induction on the factors (columns ``x = e_j``; the walk of length ``T`` from i to j, a
    shortest path padded with self-loops) gives ``(eps C1)^T <= P_ij <= C2^T`` for every
    product of ``T >= diameter`` factors."""
    import z3

    def up(N):
        def f(s):
            a = [z3.Real(f"a{k}") for k in range(N)]
            x = [z3.Real(f"x{k}") for k in range(N)]
            D, C2, m = z3.Reals("D C2 m")
            s.add(*[v >= 0 for v in a], z3.Sum(a) == 1,
                  *[z3.And(v >= 0, v <= m) for v in x], D > 0, D <= C2)
            y = D * z3.Sum([a[k] * x[k] for k in range(N)])
            s.add(z3.Or(y > C2 * m, y < 0))
        return f

    def lo(N):
        def f(s):
            a = [z3.Real(f"a{k}") for k in range(N)]
            x = [z3.Real(f"x{k}") for k in range(N)]
            D, C1, eps, L = z3.Reals("D C1 eps L")
            s.add(*[v >= 0 for v in a], *[v >= 0 for v in x], a[0] >= eps, eps > 0,
                  D >= C1, C1 > 0, x[0] >= L, L >= 0)
            s.add(D * z3.Sum([a[k] * x[k] for k in range(N)]) < eps * C1 * L)
        return f

    runs = [{"N": N, "step": "upper", **_z3_prove(up(N), timeout_ms)}
            for N in range(1, N_max + 1)]
    runs += [{"N": N, "step": "lower", **_z3_prove(lo(N), timeout_ms)}
             for N in range(1, N_max + 1)]
    return _z3_evidence("one-factor steps: 0 <= DAx <= C2 max x; (DAx)_i >= eps C1 x_k on an "
                        "edge (i, k)", runs, f"N <= {N_max}, all eps, C1, C2 > 0, all A, D, x "
                        "as stated")


def check_lemma9(M, seq, eps: F, C1: F, C2: F, *, T: int | None = None,
                 factors: str = "T") -> Evidence:
    """Lemma 9 on one sequence ``seq = [(D(0), A(0)), ...]`` from ``M_{G,eps,C1,C2}``,
    exactly: every product of ``T`` consecutive factors (``factors="T"``, the repaired
    statement) or ``T + 1`` factors (``factors="T+1"``, the paper's ``P(t+T:t)``) has all
    entries in ``[(eps C1)^T, C2^T]``.  ``T`` defaults to the diameter of the mask (its
    absence, for a mask that is not strongly connected, is an :class:`AssumptionError`);
    pass another ``T`` (e.g. the radius) to test it."""
    from . import graphs

    Md = _masks.to_dense(M)
    if T is None:
        dm = graphs.diameter(Md)
        if dm == float("inf"):
            raise AssumptionError("strong connectivity", "the mask is not strongly connected: "
                                  "no T makes the products positive")
        T = max(int(dm), 1)
    mats = []
    for t, (D, A) in enumerate(seq):
        _check_member(D, A, Md, eps, C1, C2, t)
        mats.append(D @ A)
    w = T if factors == "T" else T + 1
    lo, hi = (eps * C1) ** T, C2 ** T
    if len(mats) < w:
        raise RankCollapseError(f"need at least {w} factors, got {len(mats)}")
    worst_lo, worst_hi = None, None
    for t in range(len(mats) - w + 1):
        P = product(mats[t:t + w])
        mn, mx = min(P.ravel()), max(P.ravel())
        worst_lo = mn if worst_lo is None else min(worst_lo, mn)
        worst_hi = mx if worst_hi is None else max(worst_hi, mx)
        if mn < lo or mx > hi:
            i, j = map(int, np.argwhere(P == (mn if mn < lo else mx))[0])
            return Evidence(f"(eps C1)^T <= product of {w} factors <= C2^T", "fails", "exact",
                            {"T": T, "factors": w},
                            witness={"t": t, "i": i, "j": j, "entry": str(P[i, j]),
                                     "lower": str(lo), "upper": str(hi), "T": T,
                                     "eps": str(eps), "C1": str(C1), "C2": str(C2),
                                     "mask": Md.astype(int).tolist(),
                                     "factors_D": [[str(x) for x in np.diag(D)]
                                                   for D, _ in seq[t:t + w]],
                                     "factors_A": [_to_list(A) for _, A in seq[t:t + w]]},
                            scope=witness("this sequence, window starting at t"))
    return Evidence(f"(eps C1)^T <= every product of {w} consecutive factors <= C2^T "
                    f"(T = {T})", "holds", "exact",
                    {"T": T, "factors": w, "windows": len(mats) - w + 1,
                     "lower_bound": str(lo), "smallest_entry": _q(worst_lo),
                     "upper_bound": str(hi), "largest_entry": _q(worst_hi)})


def lemma9_paper_indexing_witness() -> Evidence:
    """The printed bounds with the paper's ``P(t+T:t) = P(t+T) ... P(t)`` (``T + 1``
    factors) fail: complete mask on 2 tokens (diameter ``T = 1``), ``A = [[1/2, 1/2],
    [1/2, 1/2]]`` (``eps = 1/2``), ``D = C2 I`` with ``C2 = 3`` gives entries ``9/2 > C2^T
    = 3``; ``D = C1 I`` with ``C1 = 1/2`` gives ``1/8 < (eps C1)^T = 1/4``."""
    M = _masks.complete(2)
    A = fmatrix([[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]])
    up = check_lemma9(M, [(fmatrix([[3, 0], [0, 3]]), A)] * 3, F(1, 2), F(1, 2), F(3),
                      factors="T+1")
    low = check_lemma9(M, [(fmatrix([[F(1, 2), 0], [0, F(1, 2)]]), A)] * 3, F(1, 2), F(1, 2),
                       F(3), factors="T+1")
    ok_T = check_lemma9(M, [(fmatrix([[3, 0], [0, 3]]), A)] * 3, F(1, 2), F(1, 2), F(3))
    status = "fails" if up.status == "fails" and low.status == "fails" else "open"
    return Evidence("(eps C1)^T <= P(t+T:t) <= C2^T with P(t+T:t) = T+1 factors (as printed)",
                    status, "exact",
                    {"upper_violation": up.witness, "lower_violation": low.witness,
                     "same_instance_with_T_factors": ok_T.status},
                    witness={"upper": up.witness, "lower": low.witness},
                    narrower="holds for products of exactly T factors, or with exponent T+1",
                    scope=witness("complete mask N = 2, A = J/2, D = 3I or I/2"))


# ----------------------------------------------------------------------------------------
# Lemma 8
# ----------------------------------------------------------------------------------------

def lemma8_minor_bound_z3(timeout_ms: int = 5000) -> Evidence:
    """One positive matrix with entries in ``[a, b]``: every cross ratio
    ``p s / (q r) >= (a/b)^2``, hence ``sqrt(phi) >= a/b`` and ``tau <= (1 - a/b)/(1 + a/b)``
    (``tau`` decreasing in ``phi``).  A cross ratio involves four entries, so the z3 query
    covers every size."""
    import z3

    def f(s):
        p, q, r, t, a, b = z3.Reals("p q r t a b")
        s.add(a > 0, b >= a, *[z3.And(v >= a, v <= b) for v in (p, q, r, t)])
        s.add(p * t * b * b < a * a * q * r)

    def g(s):  # tau monotone: phi1 >= phi2 (square roots x1 >= x2 > 0) => tau1 <= tau2
        x1, x2 = z3.Reals("x1 x2")
        s.add(x1 >= x2, x2 > 0, x1 <= 1)
        s.add((1 - x1) * (1 + x2) > (1 - x2) * (1 + x1))

    runs = [{"part": "cross ratio >= (a/b)^2", **_z3_prove(f, timeout_ms)},
            {"part": "tau decreasing in sqrt(phi)", **_z3_prove(g, timeout_ms)}]
    return _z3_evidence("tau(B) <= (1 - a/b)/(1 + a/b) for a positive B with entries in "
                        "[a, b]", runs, "every positive matrix (any size), all 0 < a <= b")


def lemma8_birkhoff_2x2_z3(timeout_ms: int = 20000) -> Evidence:
    """Birkhoff's submultiplicativity ``tau(A B) <= tau(A) tau(B)`` for all positive 2x2
    ``A, B`` (z3; square roots as variables ``p^2 = a11 a22`` etc.,
    ``tau = |p - q| / (p + q)``).  With :func:`lemma8_minor_bound_z3` this proves Lemma 8
    for 2x2 sequences of positive matrices (``tau(P(t)) <= prod (1-a_s/b_s)/(1+a_s/b_s)``)."""
    import z3

    def f(s):
        a = [[z3.Real(f"a{i}{j}") for j in range(2)] for i in range(2)]
        b = [[z3.Real(f"b{i}{j}") for j in range(2)] for i in range(2)]
        for Mx in (a, b):
            for row in Mx:
                for v in row:
                    s.add(v > 0)
        c = [[a[i][0] * b[0][j] + a[i][1] * b[1][j] for j in range(2)] for i in range(2)]

        def roots(Mx, nm):
            p, q = z3.Reals(f"p{nm} q{nm}")
            s.add(p > 0, q > 0, p * p == Mx[0][0] * Mx[1][1], q * q == Mx[0][1] * Mx[1][0])
            return p, q

        pa, qa = roots(a, "a")
        pb, qb = roots(b, "b")
        pc, qc = roots(c, "c")
        ab = lambda x: z3.If(x >= 0, x, -x)  # noqa: E731
        s.add(ab(pc - qc) * (pa + qa) * (pb + qb) > ab(pa - qa) * ab(pb - qb) * (pc + qc))

    runs = [{"part": "tau(AB) <= tau(A) tau(B), 2x2", **_z3_prove(f, timeout_ms)}]
    return _z3_evidence("Birkhoff: tau(AB) <= tau(A) tau(B) for positive 2x2 A, B", runs,
                        "all positive 2x2 matrices")


def check_lemma8(seq, *, contraction=hartfiel_factor) -> Evidence:
    """Lemma 8 (quantitative) on one sequence of non-negative exact matrices: each
    ``M(t)`` row allowable (else :class:`AssumptionError`), and at every ``t``

        phi(P(t)) >= ((1 - Theta_t) / (1 + Theta_t))^2,   Theta_t = prod_{s<=t} c(a_s/b_s),

    i.e. ``tau(P(t)) <= Theta_t``, with ``c = contraction`` (default Hartfiel/Birkhoff's
    ``(1 - rho)/(1 + rho)``; a wrong ``c`` is a negative control).  Exact; reports the
    partial sum of ``a_t/b_t`` (the criterion's series) and ``max|P/S - 1| <= 1/phi - 1``."""
    P = None
    Theta = F(1)
    series = F(0)
    last_dev = None
    for t, Mt in enumerate(seq):
        Mt = np.asarray(Mt, dtype=object)
        if any(v < 0 for v in Mt.ravel()):
            raise AssumptionError("non-negative", f"M({t}) has a negative entry", where=t)
        for i in range(Mt.shape[0]):
            if not any(v > 0 for v in Mt[i]):
                raise AssumptionError("row allowable", f"row {i} of M({t}) is zero", where=t)
        rho = _entry_ratio(Mt)
        series += rho
        Theta *= contraction(rho)
        P = Mt if P is None else Mt @ P
        ph = cross_ratio_min(P)
        need = _phi_bound(Theta) if Theta < 1 else F(0)
        if ph < need:
            return Evidence("tau(P(t)) <= prod_s c(a_s/b_s)", "fails", "exact",
                            {"t": t}, witness={"t": t, "phi_P_t": str(ph),
                                               "required_phi": str(need), "Theta": str(Theta),
                                               "sequence": [_to_list(m) for m in seq[:t + 1]]},
                            scope=witness("this sequence at t"))
        last_dev = None if ph == 0 else 1 / ph - 1
    return Evidence("tau(P(t)) <= prod_{s<=t} (1 - a_s/b_s)/(1 + a_s/b_s) at every t "
                    "(Hartfiel/Birkhoff)", "holds", "exact",
                    {"steps": len(seq), "sum_a_over_b": _q(series), "Theta_T": _q(Theta),
                     "max_P_over_S_minus_1_at_T": _q(last_dev) if last_dev is not None
                     else None,
                     "bound_from_Theta": _q(_dev_bound(Theta)) if Theta < 1 else None})


def lemma8_summable_witness(T: int = 40) -> Evidence:
    """Lemma 8 without its hypothesis fails: ``M(t) = [[1, d_t], [d_t, 1]]``,
    ``d_t = 4^{-(t+1)}`` (positive, row allowable, ``sum a_t/b_t = 1/3 < inf``).  The
    matrices commute; ``P(t) = (1/2)[[a+b, a-b], [a-b, a+b]]`` with ``a = prod (1 + d_s)``,
    ``b = prod (1 - d_s)`` (SymPy induction step), ``b >= 1 - sum d >= 2/3`` and
    ``a <= 1/(1 - sum d) = 3/2``, so ``phi(P(t)) = ((a-b)/(a+b))^2 <= (5/13)^2`` for EVERY
    t: the products never approach rank one.  The closed form is also compared with the
    exact products for ``t < T``."""
    import sympy

    a, b, dl = sympy.symbols("a b delta", positive=True)
    Pt = sympy.Matrix([[a + b, a - b], [a - b, a + b]]) / 2
    step = sympy.Matrix([[1, dl], [dl, 1]]) * Pt
    a2, b2 = a * (1 + dl), b * (1 - dl)
    nxt = sympy.Matrix([[a2 + b2, a2 - b2], [a2 - b2, a2 + b2]]) / 2
    induction = sympy.simplify(step - nxt) == sympy.zeros(2, 2)
    # (a-b)/(a+b) is increasing in a and decreasing in b: the worst case a = 3/2, b = 2/3
    bound = ((F(3, 2) - F(2, 3)) / (F(3, 2) + F(2, 3))) ** 2
    seq = [fmatrix([[1, F(1, 4 ** (t + 1))], [F(1, 4 ** (t + 1)), 1]]) for t in range(T)]
    P = None
    av, bv = F(1), F(1)
    worst = F(0)
    closed_ok = True
    for t, Mt in enumerate(seq):
        P = Mt if P is None else Mt @ P
        dt = F(1, 4 ** (t + 1))
        av, bv = av * (1 + dt), bv * (1 - dt)
        closed_ok &= bool((P == fmatrix([[(av + bv) / 2, (av - bv) / 2],
                                         [(av - bv) / 2, (av + bv) / 2]])).all())
        closed_ok &= F(2, 3) <= bv and av <= F(3, 2)
        worst = max(worst, cross_ratio_min(P))
    status = "fails" if induction and closed_ok and worst <= bound else "open"
    return Evidence("every sequence of positive (row allowable) matrices has ergodic products "
                    "(Lemma 8 without sum a_t/b_t = infinity)", status, "exact",
                    {"sum_a_over_b": "1/3", "phi_upper_bound_all_t": str(bound),
                     "largest_phi_seen_t_lt_T": _q(worst), "T": T,
                     "closed_form_induction_step": bool(induction)},
                    witness={"M(t)": "[[1, 4^-(t+1)], [4^-(t+1), 1]]",
                             "phi(P(t)) <= ": str(bound)},
                    narrower="ergodic when sum a_t/b_t = infinity (Lemma 8 as stated)",
                    scope=witness("M(t) = [[1, 4^-(t+1)], [4^-(t+1), 1]], all t"))


# ----------------------------------------------------------------------------------------
# Lemma 7
# ----------------------------------------------------------------------------------------

def lemma7_mask_enumeration(N_max: int = 4, N_max_no_loops: int = 3) -> Evidence:
    """Exhaustive over all masks on ``N <= N_max`` tokens, with and without self-loops:
    the products of a sequence in ``M_{G,eps,C1,C2}`` (support = Boolean powers of the
    mask) are positive from some ``t`` on iff the mask is primitive; with self-loops,
    primitive iff strongly connected.  Otherwise a zero entry recurs forever, and no
    positive rank-one ``S(t)`` has ``P/S -> 1``: Lemma 7 needs strong connectivity and A1."""
    rows = {}
    bad = []
    sc_without_loops_not_primitive = None
    for N in range(1, N_max + 1):
        for loops in ((True, False) if N <= N_max_no_loops else (True,)):
            n = n_sc = n_prim = 0
            for M, sc, diam, first in _mask_facts(N, loops):
                n += 1
                n_sc += sc
                n_prim += first is not None
                if loops and (first is not None) != sc:
                    bad.append({"mask": M.astype(int).tolist()})
                if not loops and sc and first is None and sc_without_loops_not_primitive is None:
                    sc_without_loops_not_primitive = M.astype(int).tolist()
            rows[f"N={N},self_loops={loops}"] = {"masks": n, "strongly_connected": n_sc,
                                                 "eventually_positive": n_prim}
    st = ("with self-loops: products eventually positive iff the mask is strongly connected; "
          "without: strongly connected is not enough")
    if bad:
        return Evidence(st, "fails", "exact", rows, witness=bad[0],
                        scope=witness("a mask"))
    return Evidence(st, "holds", "exact",
                    {"counts": rows,
                     "strongly_connected_without_self_loops_never_positive":
                         sc_without_loops_not_primitive},
                    scope=universal(f"every mask with self-loops on N <= {N_max} tokens "
                                    f"(without: N <= {N_max_no_loops}), every sequence in "
                                    "M_{G,eps,C1,C2} (supports only)",
                                    "exhaustive enumeration; Wielandt bound (N-1)^2+1 on "
                                    "the first positive power"))


def check_lemma7(M, seq, eps: F, C1: F, C2: F) -> Evidence:
    """Lemma 7 (quantitative) on one sequence from ``M_{G,eps,C1,C2}``, exactly.

    If the mask is not primitive (not strongly connected, or missing self-loops in a
    periodic way) the supports of ``P(t)`` repeat with a zero entry: ``fails`` (the printed
    statement has no mask hypothesis), with the recurring zero as witness.  Otherwise, with
    ``T`` the first power at which the mask's support is positive (the diameter under A1),
    blocks ``B_k = P((k+1)T-1 : kT)`` and ``Theta_K = prod_{k<K} (1-rho_k)/(1+rho_k)``
    (``rho_k`` = min/max entry of ``B_k``), check at every ``t >= T-1`` that
    ``tau(P(t)) <= Theta_{K(t)}``, ``K(t) = floor((t+1)/T)`` (Lemmas 8-9), that
    ``Theta_K <= theta^K`` with the a-priori ``theta = (1-rho)/(1+rho)``,
    ``rho = (eps C1/C2)^T``, and that ``max|P/S - 1| <= 1/phi - 1`` for ``S = u w^T``."""
    Md = _masks.to_dense(M)
    mats = []
    for t, (D, A) in enumerate(seq):
        _check_member(D, A, Md, eps, C1, C2, t)
        mats.append(D @ A)
    pat = eventual_pattern(Md)
    if not pat["positive_eventually"]:
        k = pat["zero_at_power"]
        i, j = pat["zero_entry"]
        seen = None
        if k <= len(mats):
            seen = str(product(mats[:k])[i, j])
        return Evidence("partial products P(t) are ergodic (Definition 8)", "fails", "exact",
                        {"pattern": pat},
                        witness={"zero_entry": [i, j],
                                 "zero_at_t": [k - 1 + n * pat["period"] for n in range(4)],
                                 "recurs_with_period": pat["period"],
                                 "P_ij_exact_at_first_t": seen,
                                 "mask": Md.astype(int).tolist(),
                                 "why": "P_ij(t) = 0 infinitely often, so P_ij/S_ij = 0 for "
                                        "any positive S: not ergodic"},
                        narrower="ergodic when the mask is strongly connected with "
                                 "self-loops (Lemma 9's hypotheses)",
                        scope=witness("this mask: every sequence in M_{G,eps,C1,C2}"))
    T = pat["first_positive_power"]
    rho = (eps * C1 / C2) ** T
    theta = hartfiel_factor(rho)
    P = None
    Theta = F(1)
    K = 0
    checked = 0
    devs = []
    for t, Mt in enumerate(mats):
        P = Mt if P is None else Mt @ P
        if (t + 1) % T == 0:
            B = product(mats[t + 1 - T:t + 1])
            Theta *= hartfiel_factor(_entry_ratio(B))
            K += 1
            if Theta > theta ** K:
                return Evidence("Theta_K <= theta^K (Lemma 9 a priori)", "fails", "exact",
                                {}, witness={"K": K, "Theta": str(Theta),
                                             "theta^K": str(theta ** K)},
                                scope=witness("this sequence"))
        if K == 0:
            continue
        ph = cross_ratio_min(P)
        if ph < _phi_bound(Theta):
            return Evidence("tau(P(t)) <= Theta_K(t)", "fails", "exact", {"T": T},
                            witness={"t": t, "phi": str(ph), "Theta": str(Theta),
                                     "required_phi": str(_phi_bound(Theta))},
                            scope=witness("this sequence at t"))
        S = np.array([[P[i, 0] * P[0, j] / P[0, 0] for j in range(P.shape[1])]
                      for i in range(P.shape[0])], dtype=object)
        dev = max(abs(P[i, j] / S[i, j] - 1) for i in range(P.shape[0])
                  for j in range(P.shape[1]))
        if dev > 1 / ph - 1:
            return Evidence("max|P/S - 1| <= 1/phi - 1", "fails", "exact", {},
                            witness={"t": t, "dev": str(dev), "phi": str(ph)},
                            scope=witness("this sequence at t"))
        checked += 1
        if (t + 1) % T == 0:
            devs.append([t, _q(dev), _q(_dev_bound(Theta))])
    return Evidence("tau(P(t)) <= prod of block factors <= theta^floor((t+1)/T) at every t; "
                    "max|P/S - 1| <= 1/phi - 1 -> 0 (ergodic, Definition 8)", "holds", "exact",
                    {"T_first_positive_power": T, "rho_a_priori": _q(rho),
                     "theta_a_priori": _q(theta), "blocks": K, "Theta_last": _q(Theta),
                     "times_checked": checked,
                     "dev_at_block_ends_[t, max|P/S-1|, bound]": devs[-3:]})


def lemma7_disconnected_witness() -> Evidence:
    """Two complete 2-token blocks, self-loops, no edge between them: ``P(t)`` stays
    block diagonal for every sequence: Lemma 7 as printed (no mask hypothesis) fails."""
    M = np.zeros((4, 4), dtype=bool)
    M[:2, :2] = True
    M[2:, 2:] = True
    rng = np.random.default_rng(0)
    seq = random_sequence(M, 6, F(1, 4), F(1), F(2), rng)
    return check_lemma7(M, seq, F(1, 4), F(1), F(2))


def lemma7_no_self_loop_witness() -> Evidence:
    """Strongly connected but without self-loops (A1 broken): ``M = [[0, 1], [1, 0]]``;
    the products alternate between diagonal and anti-diagonal: never positive."""
    M = np.array([[False, True], [True, False]])
    rng = np.random.default_rng(0)
    seq = random_sequence(M, 6, F(1), F(1), F(2), rng)
    return check_lemma7(M, seq, F(1), F(1), F(2))


# ----------------------------------------------------------------------------------------
# Lemma 10
# ----------------------------------------------------------------------------------------

def lemma10_identity() -> Evidence:
    """With ``S = u v^T`` (``u, v`` positive) and ``E = P - S``:
    ``E_ij / u_i = v_j (P_ij / S_ij - 1)`` (SymPy), and ``0 < v_j <= ||v||_2 = 1``;
    hence ``|E_ij| / u_i <= |P_ij / S_ij - 1|``, which tends to 0 under ergodicity."""
    import sympy

    P, u, v = sympy.symbols("P u v", positive=True)
    lhs = (P - u * v) / u
    rhs = v * (P / (u * v) - 1)
    ok = sympy.simplify(lhs - rhs) == 0
    return Evidence("E_ij/u_i = v_j (P_ij/S_ij - 1) and |E_ij|/u_i <= |P_ij/S_ij - 1| when "
                    "||v||_2 = 1", "holds" if ok else "fails", "exact", {"identity": ok},
                    scope=universal("all positive P_ij, u_i, v_j (v_j <= ||v||_2 = 1)",
                                    "SymPy identity"))


def check_lemma10(M, seq, eps: F, C1: F, C2: F, *, dps: int = 30, cap: int = 240,
                  every: int = 1) -> Evidence:
    """Lemma 10 on one sequence from ``M_{G,eps,C1,C2}``: with ``w_j = P_1j / P_11``,
    ``v = w / ||w||_2`` (unit, positive), ``u_i = P_i1 ||w||_2``, ``S = u v^T`` (exactly
    rational: ``S_ij = P_i1 P_1j / P_11``) and ``E = P - S``, check at every ``t``

    * exactly: ``E_ij / P_i1 = w_j (P_ij / S_ij - 1)`` (the identity, scaled by ``||w||``)
      and ``w_j^2 <= ||w||^2`` (so ``v_j <= 1``);
    * certified (arb): ``|E_ij| / u_i <= delta_t := max |P/S - 1|`` (exact rational);

    and reports ``max |E_ij|/u_i`` as a ball at the last step.  If some entry of ``P(t)``
    is zero with every column hit (for any positive unit ``v``,
    ``max_ij |E_ij|/u_i >= max_j v_j >= 1/sqrt(N)``) at infinitely many ``t``
    (:func:`eventual_pattern`), the conclusion fails: ``fails`` with witness."""
    Md = _masks.to_dense(M)
    N = Md.shape[0]
    mats = []
    for t, (D, A) in enumerate(seq):
        _check_member(D, A, Md, eps, C1, C2, t)
        mats.append(D @ A)
    pat = eventual_pattern(Md)
    if not pat["positive_eventually"]:
        # find a power in the cycle whose zeros hit every column
        k0, per = pat["k0"], pat["period"]
        for k in range(k0, k0 + per):
            Bk = boolean_power(Md, k)
            if (~Bk).any(axis=0).all():
                return Evidence("E_ij(t)/u_i(t) -> 0 for some positive u, unit v", "fails",
                                "exact", {"pattern": pat},
                                witness={"power_k": k, "period": per,
                                         "zero_pattern": (~Bk).astype(int).tolist(),
                                         "why": "at t = k-1 + n*period every column j has a "
                                                "zero P_ij, where |E_ij|/u_i = v_j; so "
                                                "max |E/u| >= max_j v_j >= 1/sqrt(N)",
                                         "mask": Md.astype(int).tolist()},
                                narrower="holds when the products are ergodic (Lemma 7)",
                                scope=witness("this mask: every sequence in "
                                              "M_{G,eps,C1,C2}, every positive S"))
        return Evidence("E_ij(t)/u_i(t) -> 0", "open", "exact",
                        {"pattern": pat, "open_reason": "products never positive but some "
                                                        "column is positive: the canonical "
                                                        "S is not defined"})
    Ps = []
    P = None
    for Mt in mats:
        P = Mt if P is None else Mt @ P
        Ps.append(P)
    first = next((t for t, P in enumerate(Ps) if all(v > 0 for v in P.ravel())), None)
    if first is None:
        return Evidence("E_ij(t)/u_i(t) -> 0", "open", "exact",
                        {"open_reason": "sequence too short: P(t) never positive"})
    # exact part
    deltas = []
    for t in range(first, len(Ps)):
        P = Ps[t]
        w = [P[0, j] / P[0, 0] for j in range(N)]
        w2 = sum(x * x for x in w)
        S = [[P[i, 0] * w[j] for j in range(N)] for i in range(N)]
        delta = max(abs(P[i, j] / S[i][j] - 1) for i in range(N) for j in range(N))
        for i in range(N):
            for j in range(N):
                E = P[i, j] - S[i][j]
                if E / P[i, 0] != w[j] * (P[i, j] / S[i][j] - 1) or w[j] ** 2 > w2:
                    return Evidence("Lemma 10 identity", "fails", "exact", {},
                                    witness={"t": t, "i": i, "j": j},
                                    scope=witness("this sequence"))
        deltas.append((t, delta))

    times = [t for t, _ in deltas][::every]
    if deltas[-1][0] not in times:
        times.append(deltas[-1][0])
    dmap = dict(deltas)

    def run(d):
        be = get_backend(f"arb:{d}")
        undecided = []
        last = None
        with be.context():
            for t in times:
                P = Ps[t]
                w = [P[0, j] / P[0, 0] for j in range(N)]
                nw = be.scalar(sum(x * x for x in w)).sqrt()
                worst = None
                for i in range(N):
                    for j in range(N):
                        E = P[i, j] - P[i, 0] * w[j]
                        q = be.scalar(abs(E) / P[i, 0]) / nw      # |E_ij| / u_i
                        worst = q if worst is None or q.upper() > worst.upper() else worst
                        bound = be.scalar(dmap[t])
                        if q > bound:
                            return Evidence("|E_ij|/u_i <= max|P/S - 1|", "fails",
                                            "certified", {"digits": d},
                                            witness={"t": t, "i": i, "j": j, "E_over_u": str(q),
                                                     "bound": str(dmap[t])},
                                            scope=witness("this sequence at t"))
                        if not q <= bound:
                            undecided.append([t, i, j])
                last = (t, worst)
        return Evidence("|E_ij(t)|/u_i(t) <= max|P(t)/S(t) - 1| (-> 0 by Lemma 7) at every t "
                        "with P(t) positive", "holds" if not undecided else "open",
                        "certified",
                        {"first_positive_t": first, "times_checked": len(times),
                         "delta_first": _q(deltas[0][1]), "delta_last": _q(deltas[-1][1]),
                         "max_E_over_u_last": str(last[1]) if last else None,
                         "undecided": undecided[:10], "digits": d})

    return escalate(run, dps, cap)
