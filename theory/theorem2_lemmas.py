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

from .evidence import Evidence, escalate, universal, witness

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


from .theorem2_common import (_Hypotheses, _check_member, _dev_bound,  # noqa: F401
                              _entry_ratio, _mask_facts, _phi_bound, _q, _to_list,
                              _z3_evidence, _z3_prove, boolean_power, cross_ratio_min,
                              eventual_pattern, fmatrix, hartfiel_factor, product,
                              random_member, random_sequence, rational_sphere_points)


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
            return z3.Or(sharp_fails, paper_below_sharp)
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


# Lemmas 8-10 live in theory.theorem2_products (re-exported here)
from .theorem2_products import (check_lemma8, check_lemma9, check_lemma10,  # noqa: E402
                                lemma8_birkhoff_2x2_z3, lemma8_minor_bound_z3,
                                lemma8_summable_witness, lemma9_mask_enumeration,
                                lemma9_paper_indexing_witness, lemma9_step_z3,
                                lemma10_identity)
