"""Universal proofs at fixed small sizes with the z3 decision procedure (nonlinear real
arithmetic), for the ergodicity facts of Appendix B.1.

Method.  Each fact is a query: assert the hypotheses and the NEGATION of the conclusion
over real variables (matrix entries, vector entries, ``p``, ``eps``, ...).

* ``unsat``  is the proof: no real input of the stated domain violates the statement
  (``holds``, scope ``universal``);
* ``sat``    gives a counterexample: z3's model (exact rationals or algebraic numbers), which
  is re-evaluated exactly by z3 before it is reported (``fails``, scope ``witness``);
* ``unknown`` / timeout is ``open``: never support.

Every query runs with a time budget (``timeout_ms``), is timed, and carries its SMT-LIB text
(``details["smtlib"]``) so anyone can rerun it with ``z3 -smt2 file.smt2``.

The families below are fixed sizes ``n`` (2 or 3, some 4).  Where the paper's statement
quantifies over every ``T`` or ``k``, the z3 part proves the base and the induction step
(each at a fixed n), and the docstring says how the steps combine.

>>> ev = lemma2_one_step(2)
>>> ev.status, ev.scope.kind
('holds', 'universal')
>>> lemma2_printed(2, p_above_half=True).status
'fails'
"""
from __future__ import annotations

import time
from fractions import Fraction
from itertools import combinations

import numpy as np

from numeric import masks as _masks

from .evidence import Evidence, combine, universal, witness

__all__ = [
    "z3_available", "decide", "lemma2_one_step", "lemma2_induction", "lemma2_printed",
    "lemma2_proofs", "lemma2_printed_from_symmetric", "dobrushin_formulas", "dobrushin_column",
    "dobrushin_contraction",
    "dobrushin_submultiplicative", "lemma3_block", "osc_nonincreasing", "lemma3_proofs",
    "corollary2_proof", "LEMMA3_MASKS",
]

LEVEL = "exact"
DEFAULT_TIMEOUT_MS = 2000


def z3_available() -> bool:
    try:
        import z3  # noqa: F401
    except ImportError:  # pragma: no cover - z3-solver is a dependency
        return False
    return True


def _z3():
    import z3
    return z3


def _version() -> str:
    return "z3 " + _z3().get_version_string()


def _model_dict(model) -> dict:
    """Declared constants of a model as exact strings (function interpretations such as
    z3's internal division-by-zero table are left out)."""
    out = {}
    for dcl in sorted(model.decls(), key=lambda d: d.name()):
        if dcl.arity() != 0:
            continue
        v = model[dcl]
        if hasattr(v, "is_real") and _z3().is_rational_value(v):
            out[dcl.name()] = str(Fraction(v.numerator_as_long(), v.denominator_as_long()))
        elif _z3().is_algebraic_value(v):
            out[dcl.name()] = f"{v.sexpr()} ~ {v.approx(20).as_decimal(20)}"
        else:
            out[dcl.name()] = str(v)
    return out


def decide(statement: str, hypotheses: list, conclusion, *, domain: str,
           timeout_ms: int = DEFAULT_TIMEOUT_MS, name: str = "") -> Evidence:
    """Prove ``hypotheses => conclusion`` for all real values of the variables, by asking
    z3 whether ``hypotheses and not conclusion`` is satisfiable (see the module docstring).

    ``domain`` names the inputs covered (it becomes the universal scope's domain).

    >>> import z3
    >>> x = z3.Real("x")
    >>> decide("x^2 >= 0", [], x * x >= 0, domain="all real x").status
    'holds'
    >>> ev = decide("x^2 > 0", [], x * x > 0, domain="all real x")
    >>> ev.status, ev.witness["model"]
    ('fails', {'x': '0'})
    """
    z3 = _z3()
    s = z3.Solver()
    s.set("timeout", int(timeout_ms))
    for h in hypotheses:
        s.add(h)
    neg = z3.Not(conclusion)
    s.add(neg)
    smt = s.sexpr() + "(check-sat)\n"
    t0 = time.perf_counter()
    res = s.check()
    secs = time.perf_counter() - t0
    vacuous = None
    if res == z3.unsat:  # the proof; make sure it is not vacuous (hypotheses satisfiable)
        sh = z3.Solver()
        sh.set("timeout", int(timeout_ms))
        sh.add(*hypotheses)
        vacuous = sh.check()
    details = {"query": name or statement, "result": str(res), "seconds": round(secs, 4),
               "timeout_ms": int(timeout_ms), "solver": _version(),
               "method": "hypotheses and NOT(conclusion) asserted; unsat = proof",
               "smtlib": smt}
    method = f"{_version()} decision procedure (nonlinear real arithmetic): negation unsat"
    if res == z3.unsat:
        details["hypotheses_satisfiable"] = (True if vacuous == z3.sat else
                                             False if vacuous == z3.unsat else "unknown")
        if vacuous == z3.unsat:
            details["open_reason"] = ("vacuous: the hypotheses themselves are unsatisfiable, "
                                      "so unsat proves nothing about the intended inputs")
            details["attempted_domain"] = domain
            return Evidence(statement, "open", LEVEL, details)
        if vacuous != z3.sat:
            details["open_reason"] = ("z3 could not decide whether the hypotheses are "
                                      f"satisfiable ({sh.reason_unknown()}), so the unsat "
                                      "answer may be vacuous")
            details["attempted_domain"] = domain
            return Evidence(statement, "open", LEVEL, details)
        return Evidence(statement, "holds", LEVEL, details,
                        scope=universal(domain, method))
    if res == z3.sat:
        m = s.model()
        # exact re-check of the model: every hypothesis true, the conclusion false
        rechecked = all(z3.is_true(m.eval(h, model_completion=True)) for h in hypotheses) \
            and z3.is_true(m.eval(neg, model_completion=True))
        details["model_rechecked_exactly"] = rechecked
        wit = {"model": _model_dict(m), "query": name or statement}
        if not rechecked:
            details["open_reason"] = "z3 returned a model that did not re-check exactly"
            return Evidence(statement, "open", LEVEL, details)
        return Evidence(statement, "fails", LEVEL, details, wit,
                        scope=witness(f"z3 model of hypotheses and NOT(conclusion): "
                                      f"{_model_dict(m)}"))
    details["open_reason"] = (f"z3 answered unknown ({s.reason_unknown()}) within "
                              f"{timeout_ms} ms")
    # nothing was established: no scope (the attempted domain is in the details)
    details["attempted_domain"] = domain
    return Evidence(statement, "open", LEVEL, details)


# ---------------------------------------------------------------------- building blocks
def _stochastic(n: int, name: str, G=None, eps=None):
    """Row-stochastic n x n matrix of real variables (support G, entries >= eps on G)."""
    z3 = _z3()
    A = [[(z3.Real(f"{name}_{i}{j}") if G is None or G[i, j] else z3.RealVal(0))
          for j in range(n)] for i in range(n)]
    hyps = [z3.Sum(row) == 1 for row in A]
    for i in range(n):
        for j in range(n):
            if G is None or G[i, j]:
                hyps.append(A[i][j] >= (0 if eps is None else eps))
    return A, hyps


def _vec(n: int, name: str):
    z3 = _z3()
    return [z3.Real(f"{name}{k}") for k in range(n)]


def _mul(A, x):
    z3 = _z3()
    return [z3.Sum([a * v for a, v in zip(row, x)]) for row in A]


def _is_max(x, M):
    z3 = _z3()
    return [M >= v for v in x] + [z3.Or([M == v for v in x])]


def _is_min(x, m):
    z3 = _z3()
    return [m <= v for v in x] + [z3.Or([m == v for v in x])]


def _abs(e):
    z3 = _z3()
    return z3.If(e >= 0, e, -e)


def _min(a, b):
    z3 = _z3()
    return z3.If(a <= b, a, b)


def _half_l1(u, v):
    return _z3().Sum([_abs(a - b) for a, b in zip(u, v)]) / 2


def _tau_is(P, tau):
    """tau == 1/2 max_ij ||P_i - P_j||_1 (as constraints)."""
    z3 = _z3()
    pairs = list(combinations(range(len(P)), 2))
    return ([tau >= _half_l1(P[i], P[j]) for i, j in pairs]
            + [z3.Or([tau == _half_l1(P[i], P[j]) for i, j in pairs])])


# ---------------------------------------------------------------------------- Lemma 2
def _lemma2_setup(n: int, i: int = 0):
    z3 = _z3()
    x = _vec(n, "x")
    M, m, p, eps = z3.Reals("M m p eps")
    hyps = _is_max(x, M) + _is_min(x, m) + [p >= 0, p <= 1, x[i] == p * m + (1 - p) * M]
    return x, M, m, p, eps, hyps


def lemma2_one_step(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """Lemma 2 at T = 1 for every row-stochastic n x n ``A``, every ``x`` and token 0
    (every token by relabelling): with ``x_0 = p m + (1-p) M`` (``M = max x``, ``m =
    min x``, ``0 <= p <= 1``), ``a = A_00`` and any ``eps`` with ``0 <= eps <= a``:
    (11) ``(Ax)_0 <= p a m + (1 - p a) M``, (12) ``(Ax)_0 >= (1-p) a M + (1-(1-p) a) m``
    and both with ``a`` replaced by ``eps``."""
    z3 = _z3()
    x, M, m, p, eps, hyps = _lemma2_setup(n)
    A, h = _stochastic(n, "A")
    hyps = hyps + h + [eps >= 0, A[0][0] >= eps]
    y = _mul(A, x)[0]
    a, q = A[0][0], 1 - p
    concl = z3.And(y <= p * a * m + (1 - p * a) * M, y >= q * a * M + (1 - q * a) * m,
                   y <= p * eps * m + (1 - p * eps) * M, y >= q * eps * M + (1 - q * eps) * m)
    return decide(f"Lemma 2 one step (T = 1), n = {n}: (11), symmetric (12), and both with "
                  "A_ii -> eps", hyps, concl, timeout_ms=timeout_ms,
                  domain=f"n = {n}, every row-stochastic A, every x in R^{n}, every "
                         "0 <= eps <= A_ii", name=f"lemma2-one-step-n{n}")


def lemma2_induction(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> list[Evidence]:
    """Lemma 2 for EVERY T >= 0 at size n, by induction on T; z3 proves each step.

    Write ``U_T = p pi_T m + (1 - p pi_T) M`` and ``L_T = q pi_T M + (1 - q pi_T) m``
    (``q = 1 - p``, ``pi_T`` the product of the first T self-loop weights; ``M, m`` the
    max and min of ``x(t)``).

    * base (T = 0): ``x_i(t) = p m + (1-p) M`` gives ``L_0 <= x_i(t) <= U_0``;
    * step: if every ``y_j`` lies in ``[m, M]``, ``L_T <= y_i <= U_T`` and ``0 <= pi <=
      1``, then for every row-stochastic A: ``(Ay)_i <= U_{T+1}`` and ``(Ay)_i >=
      L_{T+1}`` with ``pi_{T+1} = pi A_ii`` (two queries: together they time out at
      n = 3), and every ``(Ay)_j`` lies in ``[m, M]`` (:func:`osc_nonincreasing`);
    * eps form: ``0 <= e <= pi <= 1`` and ``eps <= a`` give ``e eps <= pi a`` (so
      ``eps^T <= pi_T``), and ``U`` is increasing, ``L`` decreasing, as pi decreases.
    """
    z3 = _z3()
    dom = f"n = {n}, every T >= 0 (induction on T), every row-stochastic A(t..t+T-1), " \
          f"every x in R^{n}, 0 <= p <= 1"
    M, m, p, pi, e, eps, a = z3.Reals("M m p pi e eps a")
    q = 1 - p
    U = lambda P: p * P * m + (1 - p * P) * M  # noqa: E731
    L = lambda P: q * P * M + (1 - q * P) * m  # noqa: E731
    x = _vec(n, "x")
    base = decide(f"Lemma 2 base T = 0, n = {n}",
                  _is_max(x, M) + _is_min(x, m) + [p >= 0, p <= 1,
                                                   x[0] == p * m + (1 - p) * M],
                  z3.And(x[0] <= U(1), x[0] >= L(1),
                         z3.And([z3.And(m <= v, v <= M) for v in x])),
                  domain=dom, timeout_ms=timeout_ms, name=f"lemma2-base-n{n}")
    y = _vec(n, "y")
    A, h = _stochastic(n, "A")
    hyps = h + [m <= v for v in y] + [v <= M for v in y] + [
        p >= 0, p <= 1, pi >= 0, pi <= 1, y[0] <= U(pi), y[0] >= L(pi)]
    Ay = _mul(A, y)
    up = decide(f"Lemma 2 induction step (11), n = {n}: y in [m, M], y_0 <= U(pi) => "
                "(Ay)_0 <= U(pi A_00)", hyps, Ay[0] <= U(pi * A[0][0]),
                domain=dom, timeout_ms=timeout_ms, name=f"lemma2-step-11-n{n}")
    lo = decide(f"Lemma 2 induction step (12), n = {n}: y in [m, M], y_0 >= L(pi) => "
                "(Ay)_0 >= L(pi A_00)", hyps, Ay[0] >= L(pi * A[0][0]),
                domain=dom, timeout_ms=timeout_ms, name=f"lemma2-step-12-n{n}")
    inv = osc_nonincreasing(n, timeout_ms=timeout_ms)
    epsf = decide("Lemma 2 eps form: 0 <= e <= pi, 0 <= eps <= a <= 1 => e eps <= pi a, and "
                  "U, L are monotone in pi (so pi -> eps^T keeps both bounds)",
                  [e >= 0, e <= pi, pi <= 1, eps >= 0, eps <= a, a <= 1, m <= M, p >= 0,
                   p <= 1],
                  z3.And(e * eps <= pi * a, U(pi) <= U(e), L(pi) >= L(e)),
                  domain="all reals with 0 <= e <= pi <= 1, 0 <= eps <= a <= 1, m <= M, "
                         "0 <= p <= 1 (independent of n)",
                  timeout_ms=timeout_ms, name="lemma2-eps-form")
    return [base, up, lo, inv, epsf]


def lemma2_printed(n: int, *, p_above_half: bool, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """(12) exactly as printed (same p as (11)): ``x_0(t) = p m + (1-p) M`` =>
    ``(Ax)_0 >= p A_00 M + (1 - p A_00) m``, one step, restricted to ``p > 1/2`` (expected
    ``sat``: a counterexample) or ``p <= 1/2`` (expected ``unsat``: the narrower statement)."""
    z3 = _z3()
    x, M, m, p, eps, hyps = _lemma2_setup(n)
    A, h = _stochastic(n, "A")
    half = z3.RealVal(Fraction(1, 2))
    hyps = hyps + h + ([p > half] if p_above_half else [p <= half])
    y, a = _mul(A, x)[0], A[0][0]
    rng = "1/2 < p <= 1" if p_above_half else "0 <= p <= 1/2"
    return decide(f"(12) as printed, one step, n = {n}, {rng}: (Ax)_0 >= p A_00 M + "
                  "(1 - p A_00) m", hyps, y >= p * a * M + (1 - p * a) * m,
                  domain=f"n = {n}, every row-stochastic A, every x, {rng}",
                  timeout_ms=timeout_ms, name=f"lemma2-printed-n{n}-"
                                              f"{'p>1/2' if p_above_half else 'p<=1/2'}")


def lemma2_printed_from_symmetric(*, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """For ``p <= 1/2`` the printed lower bound is implied by the symmetric (12) at every
    T: ``p pi M + (1 - p pi) m <= (1-p) pi M + (1 - (1-p) pi) m`` when ``m <= M`` and
    ``0 <= pi``.  With :func:`lemma2_induction` this gives the printed (12) for every T
    when p <= 1/2 (the narrower statement)."""
    z3 = _z3()
    M, m, p, pi = z3.Reals("M m p pi")
    half = z3.RealVal(Fraction(1, 2))
    return decide("p <= 1/2: printed lower bound <= symmetric lower bound",
                  [m <= M, p >= 0, p <= half, pi >= 0, pi <= 1],
                  p * pi * M + (1 - p * pi) * m <= (1 - p) * pi * M + (1 - (1 - p) * pi) * m,
                  domain="all reals m <= M, 0 <= p <= 1/2, 0 <= pi <= 1 (independent of n)",
                  timeout_ms=timeout_ms, name="lemma2-printed-from-symmetric")


def lemma2_proofs(sizes=(2, 3), *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """Lemma 2 (intended form and eps form) for every T, at each size in ``sizes``."""
    parts = []
    for n in sizes:
        parts.append(lemma2_one_step(n, timeout_ms=timeout_ms))
        parts.extend(lemma2_induction(n, timeout_ms=timeout_ms))
    # the eps-form query does not depend on n: keep one copy
    seen, uniq = set(), []
    for ev in parts:
        if ev.details["query"] in seen:
            continue
        seen.add(ev.details["query"])
        uniq.append(ev)
    return combine(f"Lemma 2 (11), symmetric (12), and the eps^T forms, for every T, n in "
                   f"{list(sizes)} (z3: base, induction step, eps form; plus T = 1 directly)",
                   uniq, _timing(uniq), scope=_uscope(
                       uniq, f"n in {set(sizes)}: every T >= 0 (induction on T), every "
                             "row-stochastic A(t), ..., A(t+T-1), every x, every token i, "
                             "0 <= p <= 1, and every eps <= min self-loop weight for the "
                             "eps^T form"))


def _uscope(parts, domain: str):
    """The universal scope of a conjunction of z3 proofs, with a readable domain (``None``
    when some part is not a proof, so that :func:`combine` reports its status)."""
    if any(p.status != "holds" or p.scope is None or p.scope.kind != "universal"
           for p in parts):
        return None
    return universal(domain, f"{_version()} decision procedure (nonlinear real arithmetic): "
                             "each query's negation unsat")


def _timing(parts) -> dict:
    qs = [p.details for p in parts if "seconds" in p.details]
    return {"z3_seconds": round(sum(q["seconds"] for q in qs), 4),
            "z3_queries": {q["query"]: f"{q['result']} in {q['seconds']} s" for q in qs}}


# ------------------------------------------------------------------- Dobrushin facts
def dobrushin_formulas(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """For every row-stochastic n x n P and every pair of rows:
    ``1/2 ||P_i - P_j||_1 = 1 - sum_k min(P_ik, P_jk)``, so the two formulas of tau agree;
    and ``0 <= tau(P) <= 1``."""
    z3 = _z3()
    P, h = _stochastic(n, "P")
    tau = z3.Real("tau")
    pairs = list(combinations(range(n), 2))
    concl = z3.And([_half_l1(P[i], P[j]) == 1 - z3.Sum([_min(P[i][k], P[j][k])
                                                        for k in range(n)])
                    for i, j in pairs] + [tau >= 0, tau <= 1])
    return decide(f"n = {n}: 1/2 ||P_i - P_j||_1 = 1 - sum_k min(P_ik, P_jk) for every pair, "
                  "0 <= tau <= 1", h + _tau_is(P, tau), concl,
                  domain=f"n = {n}, every row-stochastic P", timeout_ms=timeout_ms,
                  name=f"dobrushin-formulas-n{n}")


def dobrushin_column(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                     drop_stochastic: bool = False) -> Evidence:
    """For every row-stochastic n x n P: a column with every entry >= delta gives
    ``tau(P) <= 1 - delta``, and ``tau(P) <= 1 - sum_k min_i P_ik``.

    ``drop_stochastic`` (negative control) only asks ``P >= 0``: the answer must be sat."""
    z3 = _z3()
    if drop_stochastic:
        P = [[z3.Real(f"P_{i}{j}") for j in range(n)] for i in range(n)]
        h = [v >= 0 for row in P for v in row]
    else:
        P, h = _stochastic(n, "P")
    tau, delta = z3.Reals("tau delta")
    cm = _vec(n, "colmin")
    hc = [z3.And([cm[k] <= P[i][k] for i in range(n)] + [z3.Or([cm[k] == P[i][k]
                                                                for i in range(n)])])
          for k in range(n)]
    hyps = h + _tau_is(P, tau) + hc + [P[i][0] >= delta for i in range(n)]
    return decide(f"n = {n}: column 0 >= delta => tau(P) <= 1 - delta; tau(P) <= 1 - "
                  "sum_k min_i P_ik" + (" [P only nonnegative]" if drop_stochastic else ""),
                  hyps, z3.And(tau <= 1 - delta, tau <= 1 - z3.Sum(cm)),
                  domain=f"n = {n}, every row-stochastic P, every delta (column 0; every "
                         "column by relabelling)", timeout_ms=timeout_ms,
                  name=f"dobrushin-column-n{n}" + ("-nonstochastic" if drop_stochastic else ""))


def dobrushin_contraction(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> list[Evidence]:
    """For every row-stochastic n x n P, every x and every pair of rows (i, j):
    ``(Px)_i - (Px)_j <= tau(P) (M - m)`` for all bounds ``m <= x_k <= M`` (so
    ``osc(Px) <= tau(P) osc(x)``), and sharpness: with ``e_k = [P_ik > P_jk]``,
    ``(Pe)_i - (Pe)_j = 1/2 ||P_i - P_j||_1`` (= tau for the extremal pair, osc(e) <= 1).
    Pair (0, 1) covers every pair by relabelling rows."""
    z3 = _z3()
    P, h = _stochastic(n, "P")
    tau, M, m = z3.Reals("tau M m")
    x = _vec(n, "x")
    hyps = h + [tau >= _half_l1(P[i], P[j]) for i, j in combinations(range(n), 2)] + \
        [z3.And(m <= v, v <= M) for v in x]
    y = _mul(P, x)
    contr = decide(f"n = {n}: (Px)_0 - (Px)_1 <= tau(P) (M - m) whenever m <= x <= M",
                   hyps, y[0] - y[1] <= tau * (M - m),
                   domain=f"n = {n}, every row-stochastic P, every x, every row pair "
                          "(relabelling)", timeout_ms=timeout_ms,
                   name=f"dobrushin-contraction-n{n}")
    e = [z3.If(P[0][k] > P[1][k], z3.RealVal(1), z3.RealVal(0)) for k in range(n)]
    sharp = decide(f"n = {n}: the 0/1 vector e_k = [P_0k > P_1k] attains "
                   "(Pe)_0 - (Pe)_1 = 1/2 ||P_0 - P_1||_1", h,
                   z3.Sum([(P[0][k] - P[1][k]) * e[k] for k in range(n)])
                   == _half_l1(P[0], P[1]),
                   domain=f"n = {n}, every row-stochastic P", timeout_ms=timeout_ms,
                   name=f"dobrushin-sharpness-n{n}")
    return [contr, sharp]


def dobrushin_submultiplicative(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                                drop_stochastic: bool = False) -> Evidence:
    """``tau(PQ) <= tau(P) tau(Q)`` for every row-stochastic n x n P, Q (direct query).

    z3 decides n = 2 in milliseconds; for n = 3 the direct query does not finish in
    tens of seconds (tried: per pair of rows, per 0/1 test vector), so it is ``open``
    unless a larger budget is given.  ``drop_stochastic``: entries only >= 0 (negative
    control, must be sat)."""
    z3 = _z3()
    if drop_stochastic:
        P = [[z3.Real(f"P_{i}{j}") for j in range(n)] for i in range(n)]
        Q = [[z3.Real(f"Q_{i}{j}") for j in range(n)] for i in range(n)]
        h = [v >= 0 for row in P + Q for v in row]
    else:
        P, hP = _stochastic(n, "P")
        Q, hQ = _stochastic(n, "Q")
        h = hP + hQ
    tP, tQ, tPQ = z3.Reals("tauP tauQ tauPQ")
    PQ = [[z3.Sum([P[i][k] * Q[k][j] for k in range(n)]) for j in range(n)] for i in range(n)]
    hyps = h + _tau_is(P, tP) + _tau_is(Q, tQ) + _tau_is(PQ, tPQ)
    return decide(f"n = {n}: tau(PQ) <= tau(P) tau(Q)" +
                  (" [P, Q only nonnegative]" if drop_stochastic else ""),
                  hyps, tPQ <= tP * tQ, domain=f"n = {n}, every row-stochastic P, Q",
                  timeout_ms=timeout_ms,
                  name=f"dobrushin-submultiplicative-n{n}" +
                       ("-nonstochastic" if drop_stochastic else ""))


# ------------------------------------------------------------------- Lemma 3 / Cor. 2
def LEMMA3_MASKS(thorough: bool = False) -> dict:
    """The fixed masks whose one-block Lemma 3 z3 decides quickly (name -> mask)."""
    out = {"complete(2)": _masks.complete(2), "causal(2)": _masks.causal(2),
           "complete(3)": _masks.complete(3), "causal(3)": _masks.causal(3),
           "sliding_window(3, 1)": _masks.sliding_window(3, 1),
           "unidirectional_window(3, 1)": _masks.unidirectional_window(3, 1)}
    if thorough:   # unidirectional_window(4, 1) (r = 3) stays unknown after 10 s
        out["causal(4)"] = _masks.causal(4)
    return out


_BLOCK_CACHE: dict = {}


def lemma3_block(G, name: str, r: int | None = None, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                 self_loops: bool = True) -> Evidence:
    """One block of Lemma 3 with p = 1 on the mask ``G`` (radius r): for every eps > 0,
    every ``A(0), ..., A(r-1)`` in ``A_{G,eps}`` and every x with ``m <= x <= M``:
    ``osc(A(r-1) ... A(0) x) <= (1 - eps^r)(M - m)``.  Every k follows by induction on k
    (apply the block bound to ``x(t + (k-1) r)``), and every ``p`` in [0, 1] because
    ``1 - p eps^r >= 1 - eps^r``.

    ``self_loops=False`` (negative control) removes the diagonal from G: A1 dropped."""
    key = (np.asarray(G, dtype=bool).tobytes(), np.asarray(G).shape, name, r, timeout_ms,
           self_loops)
    if key not in _BLOCK_CACHE:   # the same query has the same answer (lemma-3, corollary-2)
        _BLOCK_CACHE[key] = _lemma3_block(G, name, r, timeout_ms, self_loops)
    return _BLOCK_CACHE[key]


def _lemma3_block(G, name, r, timeout_ms, self_loops):
    z3 = _z3()
    from .ergodicity import mask_radius
    G = np.array(G, dtype=bool)
    n = G.shape[0]
    if r is None:
        r = mask_radius(G)
    if not self_loops:
        G = G.copy()
        np.fill_diagonal(G, False)
    eps, M, m = z3.Reals("eps M m")
    x = _vec(n, "x")
    hyps = [eps > 0] + [z3.And(m <= v, v <= M) for v in x]
    cur = x
    for t in range(r):
        A, h = _stochastic(n, f"A{t}", G=G, eps=eps)
        hyps += h
        cur = _mul(A, cur)
    er = eps
    for _ in range(r - 1):
        er = er * eps
    concl = z3.And([cur[i] - cur[j] <= (1 - er) * (M - m)
                    for i in range(n) for j in range(n) if i != j])
    tag = "" if self_loops else " [self-loops removed]"
    return decide(f"Lemma 3 one block on {name}{tag}, r = {r}: osc(x(t+r)) <= (1 - eps^r) "
                  "osc(x(t))", hyps, concl,
                  domain=f"mask {name} (r = {r}), every eps > 0, every A(t..t+r-1) in "
                         "A_{G,eps}, every x", timeout_ms=timeout_ms,
                  name=f"lemma3-block-{name}{'-no-self-loops' if not self_loops else ''}")


def osc_nonincreasing(n: int, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """One row-stochastic step keeps every entry in ``[m, M]``: osc never grows.  Each
    entry of ``A x`` is ``<a, x>`` for a stochastic row ``a``, so the query is about one
    row (every row is the same statement); that keeps it fast at n = 4."""
    z3 = _z3()
    a = _vec(n, "a")
    M, m = z3.Reals("M m")
    x = _vec(n, "x")
    y = z3.Sum([u * v for u, v in zip(a, x)])
    return decide(f"n = {n}: m <= x <= M => m <= (A x)_i <= M (osc(x(t)) is non-increasing)",
                  [v >= 0 for v in a] + [z3.Sum(a) == 1] + [z3.And(m <= v, v <= M) for v in x],
                  z3.And(m <= y, y <= M),
                  domain=f"n = {n}, every row-stochastic A (each row), every x",
                  timeout_ms=timeout_ms, name=f"osc-nonincreasing-n{n}")


def lemma3_proofs(thorough: bool = False, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                  _parts: list | None = None) -> Evidence:
    parts = [lemma3_block(G, name, timeout_ms=timeout_ms)
             for name, G in LEMMA3_MASKS(thorough).items()]
    if _parts is not None:
        _parts.extend(parts)
    names = ", ".join(LEMMA3_MASKS(thorough))
    return combine(f"Lemma 3 (every k >= 0, every p in [0, 1]) on the masks {names}: z3 "
                   "proves one block, induction on k does the rest", parts, _timing(parts),
                   scope=_uscope(parts, f"masks {names}: every eps > 0, every sequence A(n) "
                                        "in A_{G,eps}, every x(0), every t, k >= 0 and p in "
                                        "[0, 1]"))


def corollary2_proof(thorough: bool = False, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Evidence:
    """Corollary 2 with ``C = osc(x0)(1-eps^r)^{-(r-1)/r}`` on the masks of
    :func:`LEMMA3_MASKS`, for all t: write ``t = k r + s`` with ``0 <= s <= r - 1``;
    ``osc(t) <= osc(kr)`` (osc non-increasing, z3) ``<= rho^k osc(0)`` (Lemma 3, z3 block +
    induction) and ``rho^k <= rho^{t/r - (r-1)/r}`` because ``k - (t/r - (r-1)/r) =
    (r - 1 - s)/r >= 0`` and ``0 < rho = 1 - eps^r <= 1`` (SymPy identity below)."""
    import sympy as sp

    block_parts: list = []
    blocks = lemma3_proofs(thorough, timeout_ms=timeout_ms, _parts=block_parts)
    sizes = sorted({np.asarray(G).shape[0] for G in LEMMA3_MASKS(thorough).values()})
    mono = [osc_nonincreasing(n, timeout_ms=timeout_ms) for n in sizes]
    k, s, r = sp.symbols("k s r", positive=True)
    gap = sp.simplify(k - ((k * r + s) / r - (r - 1) / r) - (r - 1 - s) / r)
    alg = Evidence("k - (t/r - (r-1)/r) = (r-1-s)/r for t = k r + s (SymPy)",
                   "holds" if gap == 0 else "fails", LEVEL, {"difference": str(gap)},
                   scope=universal("all k, r >= 1, 0 <= s <= r - 1 (symbols)",
                                   "SymPy simplify"))
    parts = [blocks] + mono + [alg]
    names = ", ".join(LEMMA3_MASKS(thorough))
    return combine("Corollary 2 with the sharp C on the fixed masks of the Lemma 3 proofs, "
                   "every t >= 0", parts, _timing(block_parts + mono),
                   scope=None if any(p.status != "holds" for p in parts) else universal(
                       f"masks {names}: every eps > 0, every A(n) in A_{{G,eps}}, every x(0), "
                       "every t >= 0, C = osc(x(0)) (1 - eps^r)^(-(r-1)/r)",
                       f"{_version()} (one Lemma 3 block per mask, osc non-increasing) + "
                       "induction on k + SymPy exponent identity"))
