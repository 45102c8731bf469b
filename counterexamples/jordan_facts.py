"""Facts about the Jordan equilibria of :mod:`counterexamples.jordan` beyond their
construction: Appendix F.2's stable-rank bound (exact and certified), the negative control
that without LayerNorm the same W_V collapses (SAN), equilibria of every rank for every
``|w| >= 1`` (below the construction's threshold ``N - k + 1``), and rank one only for
``|w| < 1``."""
from __future__ import annotations

import itertools
from fractions import Fraction

import flint
import mpmath
import sympy as sp

from numeric.errors import AssumptionError, RankCollapseError, ShapeError, ZeroRowError
from theory.evidence import Evidence, combine

from .jordan import (ConstructionError, _as_matrix, _check_sizes, _surd_rank, equilibrium,
                     parse_w, san_causal_map, value_matrix, verify_equilibrium)
from .surds import Surd, matrix_to_surd

__all__ = ["stable_rank_bound", "stable_rank_certified", "san_collapse", "tail_equilibrium",
           "rank_one_only"]


# ----------------------------------------------------------------------- F.2 stable rank
def stable_rank_bound(X) -> dict:
    """Appendix F.2, exact part: ``||X||_F^2`` and the lower bound
    ``||X||_2^2 >= ||X e_d||^2`` (v = e_d), hence ``SRank(X) <= ||X||_F^2 / ||X e_d||^2``.

    >>> b = stable_rank_bound(equilibrium(3, 3, 3, 2))
    >>> b["frobenius2"], b["last_column2"], b["srank_upper"]
    (3, 5/2, 6/5)
    """
    X = _as_matrix(X)
    fro = sp.simplify(sum(v ** 2 for v in X))
    col = sp.simplify(sum(X[i, X.cols - 1] ** 2 for i in range(X.rows)))
    return {"frobenius2": fro, "last_column2": col, "srank_upper": sp.simplify(fro / col)}


def stable_rank_certified(X, prec: int = 200) -> dict:
    """``SRank(X) = ||X||_F^2 / lambda_max(X^T X)`` with the largest eigenvalue enclosed
    rigorously (python-flint ``acb_mat.eig``, Rump's method) and ``||X||_F^2`` exact.
    Returns balls; level "certified"."""
    X = _as_matrix(X)
    Xs = matrix_to_surd(X)
    if Xs is None:
        raise ConstructionError("stable_rank_certified needs entries in a multiquadratic field")
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        G = [[sum((Xs[r][a] * Xs[r][b] for r in range(len(Xs))), Surd()).arb(prec)
              for b in range(X.cols)] for a in range(X.cols)]
        eig = flint.acb_mat(G).eig(algorithm="rump", multiple=True)
        # the largest eigenvalue lies in [max of the lower ends, max of the upper ends]:
        # a ball chosen by its midpoint need not contain it when balls overlap
        lo = max(e.real.lower() for e in eig)
        hi = max(e.real.upper() for e in eig)
        lmax = flint.arb(lo).union(flint.arb(hi))
        fro = sum((v * v for r in Xs for v in r), Surd())
        return {"frobenius2": fro.to_sympy(), "lambda_max": lmax,
                "srank": fro.arb(prec) / lmax}
    finally:
        flint.ctx.prec = old


# ---------------------------------------------------------------- negative control: SAN
def san_collapse(X0, W_V, steps: int = 60, dps: int = 50) -> dict:
    """Iterate the SAN ``X -> A X W_V`` (same causal average and W_V, no LayerNorm) from
    ``X0`` in mpmath at ``dps`` digits and record ``mu(X(t)) = ||X - 1 mean||_F``.
    Level numeric-hp.  For the Jordan configurations the rows tend to ``X_1 W^t = +-e_d``
    and mu decays like ``poly(t) 2^{-t}`` (second eigenvalue of A is 1/2)."""
    with mpmath.workdps(dps):
        X = mpmath.matrix([[mpmath.mpf(sp.N(v, dps + 10)) for v in row]
                           for row in _as_matrix(X0).tolist()])
        W = mpmath.matrix([[mpmath.mpf(sp.N(v, dps + 10)) for v in row]
                           for row in _as_matrix(W_V).tolist()])
        n, d = X.rows, X.cols
        A = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(i + 1):
                A[i, j] = mpmath.mpf(1) / (i + 1)

        def mu(Y):
            mean = [sum(Y[i, j] for i in range(n)) / n for j in range(d)]
            return mpmath.sqrt(sum((Y[i, j] - mean[j]) ** 2 for i in range(n) for j in range(d)))

        mus = [mu(X)]
        for _ in range(steps):
            X = A * X * W
            mus.append(mu(X))
        return {"mu": mus, "last_row_limit": [X[n - 1, j] for j in range(d)], "dps": dps}


# ------------------------------------------------------- beyond the paper's construction
def _chain_then_tail_surd(n, d, k, w: Surd):
    """Chain of k-1 tokens after ONE token at e_d (needs |w| >= 1), as Surd rows."""
    rows = [[Surd() for _ in range(d)] for _ in range(k)]
    rows[0][d - 1] = Surd.rational(1)
    c = Surd.sqrt_of(1 - (w * w).c.get(1, 0) ** -1) if k >= 2 else None
    winv = w.inverse()
    for j in range(1, k):
        prev = rows[j - 1]
        rows[j] = [(-1) * winv * prev[p + 1] for p in range(d - 1)] + [c]
    return rows


def tail_equilibrium(n: int, d: int, k: int, w, dps: int = 50) -> Evidence:
    """Equilibria of rank k for every ``|w| >= 1`` (beyond the paper's ``|w| >= N-k+1``).

    Construction: ``X_1 = e_d``, chain tokens ``X_2..X_k`` (lambda = 1, needs only
    ``|w| >= 1``), then TAIL tokens ``X_i = S_{i-1} W (lambda_i I - W)^{-1}`` with
    ``lambda_i > 1`` a root of ``f(lambda) = ||S_{i-1} W (lambda I - W)^{-1}||^2 - 1``.
    Existence (proof): ``S_{i-1} W = lambda_{i-1} X_{i-1} != 0`` so ``f -> +inf`` as
    ``lambda -> 1+`` and ``f -> -1`` as ``lambda -> inf``; by continuity a root exists,
    and then ``S_i W = lambda_i X_i`` with ``lambda_i > 0``, i.e. ``F(X)_i = X_i``.  Tail
    tokens lie in ``span(e_{d-k+1}, ..., e_d)`` (invariant under W) which the first k
    tokens already span, so the rank is exactly k.

    Check: the first tail token's root is bracketed between rationals at which f has
    opposite exactly-decided signs (intermediate value theorem: certified); the whole
    configuration is then computed at ``dps`` digits and checked (numeric-hp).
    Requires ``k < n`` (otherwise there is no tail) and ``w`` with rational ``w^2``.
    """
    _check_sizes(n, d, k)
    wq = parse_w(w)
    ws = matrix_to_surd(sp.Matrix([[wq]]))
    if ws is None or not (ws[0][0] * ws[0][0]).is_rational():
        raise ConstructionError(f"tail_equilibrium needs w with rational w^2, got {wq}")
    ws = ws[0][0]
    if (ws * ws - 1).sign() < 0:
        raise AssumptionError("|w| >= 1", f"w={wq}: the chain needs 1 - 1/w^2 >= 0")
    if k >= n:
        raise ShapeError(f"tail_equilibrium needs k < n (a tail token), got k={k}, n={n}")
    head = _chain_then_tail_surd(n, d, k, ws)
    # certified bracket for the first tail token: v = S_k W = X_k (lambda_k = 1) if k >= 2
    if k >= 2:
        v = head[-1]
    else:
        v = [Surd() for _ in range(d - 1)] + [Surd.rational(1)]

    def f(lam: Fraction) -> Surd:
        u, prev = [], Surd()
        for j in range(d):                    # u (lam I - W) = v, W = I + wJ
            cur = (v[j] + ws * prev) * Fraction(1) / (lam - 1) if j else v[0] / (lam - 1)
            u.append(cur)
            prev = cur
        return sum((x * x for x in u), Surd()) - 1

    lo, hi = Fraction(1) + Fraction(1, 2), Fraction(2)
    while f(lo).sign() <= 0:
        lo = 1 + (lo - 1) / 2
    while f(hi).sign() >= 0:
        hi = 2 * hi
    # numeric-hp construction of the whole configuration
    with mpmath.workdps(dps):
        wm = mpmath.mpf(sp.N(wq, dps + 10))
        rows = [[mpmath.mpf(sp.N(x.to_sympy(), dps + 10)) for x in r] for r in head]
        lams = []
        for i in range(k, n):
            Sv = [sum(r[j] for r in rows) for j in range(d)]
            vv = [Sv[0]] + [Sv[j] + wm * Sv[j - 1] for j in range(1, d)]

            def solve(lam, vv=vv):
                u = [vv[0] / (lam - 1)]
                for j in range(1, d):
                    u.append((vv[j] + wm * u[-1]) / (lam - 1))
                return u

            g = lambda lam: mpmath.fsum(x * x for x in solve(lam)) - 1  # noqa: E731
            a, b = mpmath.mpf(1) + mpmath.mpf(10) ** -3, mpmath.mpf(2)
            while g(a) <= 0:
                a = 1 + (a - 1) / 10
            while g(b) >= 0:
                b *= 2
            lam = mpmath.findroot(g, (a, b), solver="anderson")
            lams.append(lam)
            rows.append(solve(lam))
        Xm = mpmath.matrix(rows)
        W = mpmath.matrix([[1 if i == j else (wm if j == i + 1 else 0) for j in range(d)]
                           for i in range(d)])
        resid = mpmath.mpf(0)
        S = [mpmath.mpf(0)] * d
        for i in range(n):
            S = [S[j] + Xm[i, j] for j in range(d)]
            y = [sum(S[a] * W[a, b] for a in range(d)) for b in range(d)]
            ny = mpmath.sqrt(mpmath.fsum(t * t for t in y))
            resid = max(resid, max(abs(y[j] / ny - Xm[i, j]) for j in range(d)))
        sv = sorted(mpmath.svd_r(Xm, compute_uv=False), reverse=True)
        num_rank = sum(1 for s in sv if s > mpmath.mpf(10) ** (-dps // 2))
        tol = mpmath.mpf(10) ** (-(dps - 10))
        ok = resid < tol and num_rank == k
        details = {"n": n, "d": d, "k": k, "w": str(wq), "dps": dps,
                   "first_tail_bracket": [str(lo), str(hi)],
                   "lambdas": [mpmath.nstr(x, 15) for x in lams],
                   "max_residual": mpmath.nstr(resid, 5),
                   "singular_values": [mpmath.nstr(x, 8) for x in sv]}
    stmt = (f"a rank-{k} equilibrium exists for n={n}, d={d}, w={wq} (|w| >= 1; the paper's "
            f"construction would need |w| >= {n - k + 1})")
    # a Newton solve that does not meet the tolerance proves nothing either way: open
    if not ok:
        details["open_reason"] = (f"residual {details['max_residual']} or numerical rank "
                                  f"{num_rank} (want {k}) not within 1e-{dps - 10}")
    return Evidence(stmt, "holds" if ok else "open", "numeric-hp", details)


def rank_one_only(n: int, d: int, w) -> Evidence:
    """For ``|w| < 1`` every equilibrium (causal, ``W_Q = W_K = 0``, ``W_V = I + wJ``)
    has rank one: all tokens equal ``+-e_d`` with the sign of token 1.

    Proof, by induction on the token index.  Token 1: ``X_1 W = lambda X_1``, so
    ``X_1 = +-e_d``.  If ``S_{i-1} = (i-1) s e_d``, the fixed-point equation is
    ``X_i (lambda I - W) = (i-1) s e_d`` with ``lambda = ||S_i W|| > 0``.  For
    ``lambda != 1``, ``(lambda I - W)`` is invertible and ``e_d (lambda I - W)^{-1} =
    e_d / (lambda - 1)``, so ``X_i = +-e_d``, and the unit norm forces ``lambda = i``
    (token ``s e_d``) or ``lambda = 2 - i <= 0`` (excluded).  For ``lambda = 1``:
    ``-w (0, x_1, ..., x_{d-1}) = (i-1) s e_d`` gives ``|x_{d-1}| = (i-1)/|w| > 1``
    (as ``i - 1 >= 1 > |w|``), impossible for a unit vector; for w = 0 there is no
    solution at all.  So token i is ``s e_d`` again.

    The check evaluates this case analysis exactly for the given (n, d, w): it solves
    both branches with SymPy for every i and confirms the only unit solutions.
    """
    w = parse_w(w)
    if not (w.is_number and sp.Abs(w) < 1):
        raise AssumptionError("|w| < 1", f"rank_one_only needs |w| < 1, got w={w}")
    lam = sp.Symbol("lambda", positive=True)
    found = []
    for i in range(2, n + 1):
        # lambda != 1 branch: X = (i-1) e_d / (lambda - 1), unit norm
        sols = [L for L in sp.solve(sp.Eq(((i - 1) / (lam - 1)) ** 2, 1), lam) if L != 1]
        # lambda = 1 branch: needs ((i-1)/w)^2 <= 1
        chain_ok = bool(w != 0 and ((i - 1) / w) ** 2 <= 1)
        found.append({"i": i, "lambda_roots": [str(L) for L in sols], "chain_branch": chain_ok})
        if sols != [i] or chain_ok:
            return Evidence(f"for |w| = |{w}| < 1 every equilibrium has rank one", "fails",
                            "exact", {"n": n, "d": d}, witness=found[-1])
    return Evidence(f"for |w| = |{w}| < 1 every equilibrium (n={n}, d={d}) has rank one",
                    "holds", "exact", {"n": n, "d": d, "cases": found})
