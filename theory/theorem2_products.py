"""Lemmas 8, 9 and 10 of Appendix C: bounds on products of the post-LN matrices ``D A``.

Split from :mod:`theory.theorem2_lemmas` (which defines the notation, the exact matrix
helpers and Lemmas 4 and 7, and re-exports everything here).

* **Lemma 9** (:func:`check_lemma9`): every product of ``T`` consecutive factors (``T`` the
  diameter) has entries in ``[(eps C1)^T, C2^T]``; the printed ``T + 1`` factors fail.
* **Lemma 8** (:func:`check_lemma8`, Hartfiel): Birkhoff's contraction bound and the
  divergence hypothesis ``sum a_t / b_t = inf``.
* **Lemma 10** (:func:`check_lemma10`): ``|E_ij| / u_i <= max |P/S - 1|``.
"""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np

from numeric import masks as _masks
from numeric.errors import AssumptionError, RankCollapseError
from numeric.precision import get_backend

from .evidence import Evidence, escalate, universal, witness
from .theorem2_common import (_check_member, _dev_bound, _entry_ratio, _mask_facts,
                              _phi_bound, _q, _to_list, _z3_evidence, _z3_prove,
                              boolean_power, cross_ratio_min, eventual_pattern, fmatrix,
                              hartfiel_factor, product)

__all__ = ["check_lemma8", "lemma8_minor_bound_z3", "lemma8_birkhoff_2x2_z3",
           "lemma8_summable_witness", "check_lemma9", "lemma9_mask_enumeration",
           "lemma9_step_z3", "lemma9_paper_indexing_witness", "check_lemma10",
           "lemma10_identity"]


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
            return z3.Or(y > C2 * m, y < 0)
        return f

    def lo(N):
        def f(s):
            a = [z3.Real(f"a{k}") for k in range(N)]
            x = [z3.Real(f"x{k}") for k in range(N)]
            D, C1, eps, L = z3.Reals("D C1 eps L")
            s.add(*[v >= 0 for v in a], *[v >= 0 for v in x], a[0] >= eps, eps > 0,
                  D >= C1, C1 > 0, x[0] >= L, L >= 0)
            return D * z3.Sum([a[k] * x[k] for k in range(N)]) < eps * C1 * L
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
        return p * t * b * b < a * a * q * r

    def g(s):  # tau monotone: phi1 >= phi2 (square roots x1 >= x2 > 0) => tau1 <= tau2
        x1, x2 = z3.Reals("x1 x2")
        s.add(x1 >= x2, x2 > 0, x1 <= 1)
        return (1 - x1) * (1 + x2) > (1 - x2) * (1 + x1)

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
        return ab(pc - qc) * (pa + qa) * (pb + qb) > ab(pa - qa) * ab(pb - qb) * (pc + qc)

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
