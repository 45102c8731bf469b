"""Linear stability of the Jordan-chain equilibria (Section 4.4: "stable in certain directions").

Setting: causal mask, ``W_Q = W_K = 0``, paper's LN, ``W = W_V = I + wJ``;
``F_i(X) = S_i W / ||S_i W||`` with ``S_i = X_1 + ... + X_i`` (the 1/i of the average
drops out).  At an equilibrium ``S_i W = lambda_i X_i`` (``lambda_i > 0``), and for a
perturbation ``dX`` (rows, tangent: ``dX_j . X_j = 0``)

    ``dF_i = (dX_1 + ... + dX_i) W P_i / lambda_i``,   ``P_i = I - X_i^T X_i``.

So the Jacobian on the tangent space ``T = X_1^perp x ... x X_N^perp`` is block
LOWER-triangular (token i depends on tokens <= i), every block ``j <= i`` is
``v -> v W P_i / lambda_i``, and the spectrum is the union of the diagonal blocks'
spectra.  The diagonal block ``M_i = W P_i / lambda_i`` maps R^d into ``X_i^perp`` (rows),
so ``charpoly(M_i) = x * q_i(x)`` with ``q_i`` the characteristic polynomial of the block on
the tangent space (degree d - 1).

Exactness: entries of the equilibria lie in a multiquadratic field; ``q_i`` is computed
with :class:`counterexamples.surds.Surd` arithmetic, split into square-free factors exactly
(Yun's algorithm over the field), and each factor's roots are isolated with python-flint
``acb_poly.roots`` (rigorous balls).  ``|lambda|`` vs 1 is decided by the balls; a root whose
ball touches the unit circle is decided exactly when the factor vanishes at +-1 (exact
evaluation); otherwise the result is ``open``.  Level: ``certified``.

Findings (tables in :func:`stability_table`): token 1's block at ``e_d`` is ``(I + wJ)`` on
``span(e_1..e_{d-1})``: unipotent (every eigenvalue 1, one Jordan block).  Tokens in the
block at ``e_d`` (``lambda_i = i``) contract with eigenvalue ``1/i``.  Chain tokens
(``lambda = 1``) carry eigenvalue exactly 1 on the coordinates outside their support, plus
a contracting or expanding part depending on the signs.  No equilibrium is hyperbolic:
every one has at least ``d - 1`` neutral directions (token 1).

>>> t = equilibrium_stability(2, 2, 2, 2, signs=(1, -1))
>>> t["counts"]
{'contracting': 1, 'neutral': 1, 'expanding': 0, 'open': 0}
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import flint
import mpmath
import sympy as sp

from numeric.errors import AssumptionError, RankCollapseError
from theory.evidence import Evidence

from . import jordan
from .surds import Surd, matrix_to_surd

__all__ = ["diagonal_blocks", "tangent_charpoly", "squarefree_factors", "classify_roots",
           "equilibrium_stability", "stability_table", "jacobian_blocks_numeric",
           "check_block_formula", "token1_unipotent"]

ZERO, ONE = Surd(), Surd.rational(1)


# ------------------------------------------------------------- polynomials over the field
# a polynomial is a list of Surd coefficients, lowest degree first, no trailing zeros
def _trim(p):
    p = list(p)
    while p and p[-1].is_zero():
        p.pop()
    return p


def _deriv(p):
    return _trim([c * k for k, c in enumerate(p)][1:])


def _sub(a, b):
    n = max(len(a), len(b))
    return _trim([(a[i] if i < len(a) else ZERO) - (b[i] if i < len(b) else ZERO) for i in range(n)])


def _divmod(a, b):
    a, b = _trim(a), _trim(b)
    if not b:
        raise ZeroDivisionError("polynomial division by zero")
    q = [ZERO] * max(0, len(a) - len(b) + 1)
    inv = b[-1].inverse()
    while len(a) >= len(b) and a:
        c = a[-1] * inv
        k = len(a) - len(b)
        q[k] = c
        a = _trim([a[i] - (c * b[i - k] if 0 <= i - k < len(b) else ZERO) for i in range(len(a))])
    return _trim(q), a


def _monic(p):
    p = _trim(p)
    inv = p[-1].inverse()
    return [c * inv for c in p]


def _gcd(a, b):
    a, b = _trim(a), _trim(b)
    while b:
        a, b = b, _divmod(a, b)[1]
    return _monic(a) if a else a


def _eval(p, x):
    v = ZERO
    for c in reversed(p):
        v = v * x + c
    return v


def squarefree_factors(p) -> list[tuple[list, int]]:
    """Yun's square-free decomposition over the field: ``p = c * prod g_k^k``; returns
    ``[(g_k, k)]`` with each ``g_k`` monic, square-free, non-constant."""
    p = _monic(p)
    if len(p) <= 1:
        return []
    dp = _deriv(p)
    a = _gcd(p, dp)
    b = _divmod(p, a)[0]
    c = _divmod(dp, a)[0]
    dd = _sub(c, _deriv(b))
    out, k = [], 1
    while len(b) > 1:
        g = _gcd(b, dd) if dd else _monic(b)
        if len(g) > 1:
            out.append((g, k))
        b = _divmod(b, g)[0]
        c = _divmod(dd, g)[0] if dd else []
        dd = _sub(c, _deriv(b))
        k += 1
    return out


# ------------------------------------------------------------------------------ blocks
def _matmul(A, B):
    return [[sum((A[i][k] * B[k][j] for k in range(len(B))), ZERO) for j in range(len(B[0]))]
            for i in range(len(A))]


def tangent_charpoly(M) -> list:
    """Characteristic polynomial of the d x d Surd matrix M (Faddeev-LeVerrier, exact),
    divided by x (M maps onto ``X_i^perp``, so 0 is an eigenvalue; checked exactly)."""
    n = len(M)
    c = [ZERO] * (n + 1)
    c[n] = ONE
    Mk = [[ZERO] * n for _ in range(n)]
    for k in range(1, n + 1):
        Mk = _matmul(M, Mk)
        for i in range(n):
            Mk[i][i] = Mk[i][i] + c[n - k + 1]
        AM = _matmul(M, Mk)
        tr = sum((AM[i][i] for i in range(n)), ZERO)
        c[n - k] = tr * Fraction(-1, k)
    if not c[0].is_zero():
        raise RankCollapseError("the diagonal block is not singular: not a LN block")
    return c[1:]


def diagonal_blocks(X, w) -> list[dict]:
    """Exact diagonal blocks ``M_i = W P_i / lambda_i`` at an equilibrium X (SymPy matrix with
    surd entries).  Raises :class:`AssumptionError` unless ``S_i W = lambda_i X_i`` with
    ``lambda_i > 0`` exactly for every i (X must be an equilibrium)."""
    n, d = X.shape
    W = jordan.value_matrix(d, w)
    Xs, Ws = matrix_to_surd(X), matrix_to_surd(W)
    if Xs is None or Ws is None:
        raise RankCollapseError("entries must be rational combinations of square roots")
    blocks = []
    S = [ZERO] * d
    for i in range(n):
        S = [S[j] + Xs[i][j] for j in range(d)]
        SW = [sum((S[k] * Ws[k][j] for k in range(d)), ZERO) for j in range(d)]
        lam = sum((SW[j] * Xs[i][j] for j in range(d)), ZERO)
        if lam.sign() <= 0 or any(not (SW[j] - lam * Xs[i][j]).is_zero() for j in range(d)):
            raise AssumptionError("equilibrium", f"token {i + 1}: S_i W is not a positive multiple "
                                                 "of X_i, so X is not a fixed point")
        inv = lam.inverse()
        P = [[(ONE if a == b else ZERO) - Xs[i][a] * Xs[i][b] for b in range(d)] for a in range(d)]
        M = [[v * inv for v in row] for row in _matmul(Ws, P)]
        blocks.append({"token": i + 1, "lambda": lam, "M": M, "X_i": tuple(Xs[i])})
    return blocks


def _acb(c: Surd, prec):
    return flint.acb(c.arb(prec))


def classify_roots(q, max_prec: int = 4096) -> dict:
    """Count the roots of ``q`` (Surd coefficients) by modulus: ``contracting`` (|r| < 1),
    ``neutral`` (|r| = 1), ``expanding`` (|r| > 1), ``open`` (not decided), with
    multiplicity; plus the roots (midpoints).  Square-free factors exactly, then certified
    root isolation; a root ball touching the unit circle counts as neutral only when the
    factor vanishes exactly at +1 or -1 and the ball contains that point."""
    counts = {"contracting": 0, "neutral": 0, "expanding": 0, "open": 0}
    roots = []
    for g, mult in squarefree_factors(q):
        exact_pm1 = {s: _eval(g, Surd.rational(s)).is_zero() for s in (1, -1)}
        prec = 128
        while True:
            old = flint.ctx.prec
            flint.ctx.prec = prec
            try:
                P = flint.acb_poly([_acb(c, prec) for c in g])
                try:
                    rs = P.roots() if len(g) > 2 else [-_acb(g[0], prec) / _acb(g[1], prec)]
                except ValueError:
                    rs = None
                if rs is not None:
                    kinds = []
                    for r in rs:
                        m = abs(r)
                        if m < 1:
                            kinds.append("contracting")
                        elif m > 1:
                            kinds.append("expanding")
                        elif any(exact_pm1[s] and r.contains(flint.acb(s)) for s in (1, -1)):
                            kinds.append("neutral")
                        else:
                            kinds.append(None)
                    if None not in kinds or prec >= max_prec:
                        for r, k in zip(rs, kinds):
                            counts[k or "open"] += mult
                            roots += [complex(r.real.mid(), r.imag.mid())] * mult
                        break
            finally:
                flint.ctx.prec = old
            if prec >= max_prec:
                counts["open"] += mult * (len(g) - 1)
                break
            prec *= 2
    return {"counts": counts, "roots": roots}


@lru_cache(maxsize=None)
def _block_class(key):
    M = [list(r) for r in key]
    q = tangent_charpoly(M)
    res = classify_roots(q)
    return res


def equilibrium_stability(n: int, d: int, k: int, w, signs=None, X=None) -> dict:
    """Per-token and total counts of contracting / neutral / expanding tangent directions
    of the Jacobian of F at the rank-k Jordan equilibrium (or at ``X``), exactly/certified.
    Total directions: ``n (d - 1)``."""
    if X is None:
        X = jordan.equilibrium(n, d, k, w, signs)
    blocks = diagonal_blocks(X, w)
    total = {"contracting": 0, "neutral": 0, "expanding": 0, "open": 0}
    per = []
    for b in blocks:
        key = tuple(tuple(r) for r in b["M"])
        res = _block_class(key)
        for kk, v in res["counts"].items():
            total[kk] += v
        per.append({"token": b["token"], "lambda": b["lambda"].to_sympy(),
                    "counts": res["counts"], "eigenvalues": [complex(round(z.real, 6), round(z.imag, 6))
                                                             for z in res["roots"]]})
    if sum(total.values()) != n * (d - 1):
        raise RankCollapseError("direction count does not add up to n (d - 1)")
    return {"n": n, "d": d, "k": k, "w": str(w), "signs": signs, "counts": total, "tokens": per}


def stability_table(n: int, d: int, w) -> list[dict]:
    """One row per distinct constructed equilibrium of every rank (all sign choices)."""
    rows = []
    for k in range(1, min(n, d) + 1):
        try:
            svs = sorted({tuple(1 if jordan._degenerate(n, k, jordan.parse_w(w))[i] else s
                                for i, s in enumerate(sv)) for sv in jordan.sign_vectors(k)},
                         reverse=True)
        except AssumptionError:
            continue
        for sv in svs:
            try:
                r = equilibrium_stability(n, d, k, w, sv)
            except AssumptionError:
                break
            rows.append({"n": n, "d": d, "w": str(w), "k": k,
                         "signs": "".join("+" if s > 0 else "-" for s in sv), **r["counts"],
                         "per_token": [t["counts"] for t in r["tokens"]]})
    return rows


# ------------------------------------------------------------- independent numeric check
def _F(X, W):
    n = X.rows
    out = mpmath.matrix(n, X.cols)
    S = mpmath.matrix(1, X.cols)
    for i in range(n):
        for j in range(X.cols):
            S[0, j] += X[i, j]
        y = S * W
        nrm = mpmath.norm(y, 2)
        for j in range(X.cols):
            out[i, j] = y[0, j] / nrm
    return out


def jacobian_blocks_numeric(X, w, dps: int = 60):
    """Central finite differences of F at X (``dps`` digits, step ``10^(-dps/3)``) along
    tangent directions: returns ``J[(i, a), (j, b)]`` = component of ``dF_i`` along the
    tangent basis vector b of token i, for a unit tangent perturbation a of token j, and
    the tangent bases."""
    n, d = X.shape
    with mpmath.workdps(dps):
        Xm = mpmath.matrix([[mpmath.mpf(sp.N(X[i, j], dps + 10)) for j in range(d)] for i in range(n)])
        Wm = mpmath.matrix([[mpmath.mpf(sp.N(v, dps + 10)) for v in row]
                            for row in jordan.value_matrix(d, w).tolist()])
        bases = []
        for i in range(n):     # Gram-Schmidt of X_i, e_1, ..., e_d; keep d - 1 tangent vectors
            vecs = [[Xm[i, r] for r in range(d)]]
            for c in range(d):
                u = [mpmath.mpf(1 if r == c else 0) for r in range(d)]
                for v in vecs:
                    p = sum(a * b for a, b in zip(u, v))
                    u = [a - p * b for a, b in zip(u, v)]
                nu = mpmath.sqrt(sum(a * a for a in u))
                if nu > mpmath.mpf(10) ** (-dps // 4) and len(vecs) < d:
                    vecs.append([a / nu for a in u])
            bases.append(vecs[1:])
        h = mpmath.mpf(10) ** (-(dps // 3))
        J = {}
        for j in range(n):
            for a, u in enumerate(bases[j]):
                Xp, Xn = Xm.copy(), Xm.copy()
                for r in range(d):
                    Xp[j, r] += h * u[r]
                    Xn[j, r] -= h * u[r]
                D = (_F(Xp, Wm) - _F(Xn, Wm)) / (2 * h)
                for i in range(n):
                    for b, v in enumerate(bases[i]):
                        J[(i, b), (j, a)] = sum(D[i, r] * v[r] for r in range(d))
        return J, bases


def check_block_formula(X, w, dps: int = 60, blocks=None) -> Evidence:
    """Independent check of the block structure at X: the finite-difference Jacobian has
    zero blocks above the diagonal (causality) and every block ``j <= i`` equals
    ``v -> v W P_i / lambda_i`` (``blocks`` may override the exact diagonal blocks: a
    negative control passes perturbed ones).  Level numeric-hp."""
    n, d = X.shape
    if blocks is None:
        blocks = diagonal_blocks(X, w)
    J, bases = jacobian_blocks_numeric(X, w, dps)
    with mpmath.workdps(dps):
        tol = mpmath.mpf(10) ** (-(dps // 3))
        worst = mpmath.mpf(0)
        where = None
        for i in range(n):
            Mi = [[mpmath.mpf(sp.N(v.to_sympy(), dps)) for v in row] for row in blocks[i]["M"]]
            for j in range(n):
                for a, u in enumerate(bases[j]):
                    pred = [sum(u[r] * Mi[r][c] for r in range(d)) for c in range(d)] if j <= i \
                        else [0] * d
                    for b, v in enumerate(bases[i]):
                        e = abs(J[(i, b), (j, a)] - sum(pred[c] * v[c] for c in range(d)))
                        if e > worst:
                            worst, where = e, (i + 1, j + 1)
        ok = worst < tol
    return Evidence("the tangent Jacobian is block lower-triangular with blocks v W P_i / lambda_i",
                    "holds" if ok else "fails", "numeric-hp",
                    {"max_abs_error": float(worst), "tolerance": float(tol), "dps": dps},
                    witness=None if ok else {"block (i, j)": where, "error": float(worst)})


def token1_unipotent(d: int, w) -> Evidence:
    """Token 1's block at ``e_d``: on ``span(e_1..e_{d-1})`` it is ``(I + wJ)`` of size d-1,
    so every eigenvalue is 1 and, for ``w != 0``, it is ONE Jordan block
    (``(M - I)^(d-2) = w^(d-2) J^(d-2) != 0``).  Exact (SymPy)."""
    w = jordan.parse_w(w)
    W = jordan.value_matrix(d, w)
    P = sp.eye(d)
    P[d - 1, d - 1] = 0
    M = (W * P)[: d - 1, : d - 1]          # e_d-row/column removed: the tangent block
    x = sp.Symbol("x")
    cp = sp.factor(M.charpoly(x).as_expr())
    N = M - sp.eye(d - 1)
    one_block = d <= 2 or (N ** (d - 2) != sp.zeros(d - 1) and N ** (d - 1) == sp.zeros(d - 1))
    ok = sp.expand(cp - (x - 1) ** (d - 1)) == 0 and one_block
    return Evidence(f"d={d}, w={w}: token 1's tangent block at e_d is unipotent, one Jordan block",
                    "holds" if ok else "fails", "exact", {"charpoly": str(cp), "one_jordan_block": one_block})
