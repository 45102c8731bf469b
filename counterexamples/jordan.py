"""Theorem 3 (1) and Appendix F.1-F.2: equilibria of every rank from one Jordan-type value matrix.

Setting (paper's Appendix F.1).  Causal mask, ``W_Q = W_K = 0``, so the attention matrix
is the causal average ``A_ij = 1/i`` for ``j <= i`` (tokens numbered from 1), and the
post-LN map is ``F(X) = D A X W_V`` with ``D`` rescaling each row to unit 2-norm.
Tokens are rows; a matrix acts on the right, ``x -> x W_V``.
``W_V = I + w J`` with ``J`` the superdiagonal shift, so ``x W_V = x + w (0, x_1, ..., x_{d-1})``.

Writing ``S_i = X_1 + ... + X_i``, a configuration of unit tokens is a fixed point iff
``S_i W_V = lambda_i X_i`` with ``lambda_i = ||S_i W_V|| > 0`` for every i
(the 1/i of the average disappears under the normalisation).

The construction (rank k, ``1 <= k <= min(N, d)``, block size ``m = N - k + 1``):

* tokens 1..m sit at ``e_d`` (``e_d W_V = e_d``, so ``lambda_i = i``);
* chain tokens ``X_{m+j}``, ``j = 1..k-1``, solve ``X_{m+j} (I - W_V) = V_{j-1}`` with
  ``V_0 = S_m W_V = m e_d`` and ``V_{j-1} = X_{m+j-1}`` (``lambda = 1``).  In closed form
  (``l_0 = m``, ``l_1 = s_1 sqrt(1 - m^2/w^2)``, ``l_j = s_j sqrt(1 - 1/w^2)`` for j >= 2,
  signs ``s_j`` in {+1, -1}):  ``X_{m+j}[d - i] = (-1/w)^i l_{j-i}`` for ``0 <= i <= j``,
  zero elsewhere.  Chain token j uses the last j+1 coordinates, so rank k needs ``d >= k``.
* an overall sign ``s_0`` (F is odd) gives ``2^k`` sign vectors ``(s_0, ..., s_{k-1})``.

Exact condition on w (found here, compare the paper's ``w >= N``): the construction is
real iff ``|w| >= N - k + 1`` for ``k >= 2`` (any w for k = 1).  Equality is allowed: the
configuration is still a rank-k equilibrium, but ``l_1 = 0`` so ``s_1`` no longer matters
(and if ``|w| = 1`` neither does any ``s_j``): the ``2^k`` sign vectors give ``2^(k-1)``
(resp. 2) distinct equilibria.  All ranks at once with the SAME W_V therefore need only
``|w| >= N - 1`` (all ``2^k`` distinct iff ``|w| > N - 1``); the paper's ``w >= N`` is
sufficient, one more than needed.  Beyond the construction (F.2's stable rank, the SAN
control, equilibria below the threshold, rank one only for ``|w| < 1``): see
:mod:`counterexamples.jordan_facts`.

>>> X = equilibrium(3, 3, 3, 2, signs=[1, -1, 1])
>>> X.row(1)
Matrix([[0, -1/2, -sqrt(3)/2]])
>>> verify_equilibrium(X, value_matrix(3, 2), k=3).status
'holds'
"""
from __future__ import annotations

import itertools
import numbers
from fractions import Fraction

import flint
import mpmath
import sympy as sp

from numeric.errors import AssumptionError, RankCollapseError, ShapeError, ZeroRowError
from theory.evidence import Evidence, combine
from theory.exact_text import NumberSyntaxError, parse_exact

from .surds import Surd, matrix_to_surd

__all__ = [
    "ConstructionError", "value_matrix", "construction_threshold", "equilibrium",
    "equilibria", "sign_vectors", "post_ln_causal_map", "san_causal_map",
    "verify_equilibrium", "count_equilibria", "prove_fixed_point_symbolic", "parse_w",
]


#: largest |w| accepted: beyond it exact surd arithmetic on 1/w^2 blows up
W_MAX = 10 ** 12
#: largest d for the exact d x d value matrix (its d^2 SymPy entries)
D_MAX = 2048


class ConstructionError(RankCollapseError):
    """An argument outside what the Jordan-chain construction accepts (e.g. a sign)."""


# ---------------------------------------------------------------------------- building
def parse_w(w) -> sp.Expr:
    """Exact value of ``w``: int, Fraction, SymPy number or symbol, or a string such as
    ``"7"``, ``"15/2"``, ``"sqrt(50)"``.  Floats are refused (no silent rounding).

    >>> parse_w("sqrt(50)")
    5*sqrt(2)
    """
    if isinstance(w, float):
        raise ConstructionError(f"w={w!r} is a float; give it exactly (int, 'p/q', 'sqrt(q)')")
    if isinstance(w, Fraction):
        return sp.Rational(w.numerator, w.denominator)
    if isinstance(w, str):
        # a user's text: read by the stated grammar of theory.exact_text, never executed
        try:
            e = parse_exact(w)
        except NumberSyntaxError as exc:
            raise ConstructionError(f"w: {exc}") from None
        if e.is_algebraic is not True:
            raise ConstructionError(f"w={w!r} is not algebraic; give a rational or a radical "
                                    "such as 'sqrt(50)' so the checks stay exact")
    elif isinstance(w, bool) or not isinstance(w, (numbers.Integral, sp.Basic)):
        raise ConstructionError(f"w must be an int, a Fraction, a SymPy expression or text "
                                f"such as '15/2' or 'sqrt(50)'; got {type(w).__name__}")
    else:
        e = sp.Integer(int(w)) if isinstance(w, numbers.Integral) else w
    if e.is_number and (e.is_real is not True or e.has(sp.Float)):
        raise ConstructionError(f"w={w!r} must be an exact real number")
    if e.is_number and abs(e) > W_MAX:
        raise ConstructionError(f"|w| = {sp.N(abs(e), 5)} is larger than {W_MAX:.0e}: the "
                                "exact arithmetic would not finish; the equilibria depend on "
                                "w only through 1/w, so a smaller w shows the same picture")
    return e


def value_matrix(d: int, w) -> sp.Matrix:
    """``W_V = I_d + w J``: ones on the diagonal, ``w`` on the superdiagonal (d x d).

    Row-vector convention: ``e_d W_V = e_d`` (the last basis vector is the eigenvector
    at the only eigenvalue 1) and ``x W_V = x + w (0, x_1, ..., x_{d-1})``.

    >>> value_matrix(3, sp.Symbol("w"))
    Matrix([
    [1, w, 0],
    [0, 1, w],
    [0, 0, 1]])
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ShapeError(f"d must be a positive integer, got d={d!r}")
    if d > D_MAX:
        raise ShapeError(f"d = {d} is too large for an exact d x d SymPy matrix (d^2 entries); "
                         f"at most {D_MAX}")
    w = parse_w(w)
    return sp.Matrix(d, d, lambda i, j: 1 if i == j else (w if j == i + 1 else 0))


def construction_threshold(n: int, k: int):
    """Smallest ``|w|`` for which the rank-k construction is real: ``n - k + 1`` for
    ``k >= 2`` (equality allowed), ``None`` for ``k = 1`` (any w).

    >>> [construction_threshold(5, k) for k in range(1, 6)]
    [None, 4, 3, 2, 1]
    """
    return None if k == 1 else n - k + 1


def _check_sizes(n, d, k):
    for name, v in (("n", n), ("d", d), ("k", k)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise ShapeError(f"{name} must be an integer, got {name}={v!r}")
    if n < 1 or d < 1:
        raise ShapeError(f"n and d must be >= 1, got n={n}, d={d}")
    if k < 1:
        raise ShapeError(f"rank k must be >= 1, got k={k}")
    if k > min(n, d):
        raise ShapeError(f"rank k={k} exceeds min(n, d)=min({n}, {d})={min(n, d)}: "
                         "a rank above min(N, d) cannot exist")


def _check_w(n, k, w) -> sp.Expr:
    w = parse_w(w)
    m = construction_threshold(n, k)
    if m is None:
        return w
    gap = sp.simplify(w ** 2 - m ** 2)
    if gap.is_negative:
        raise AssumptionError(
            f"|w| >= N-k+1 = {m}",
            f"w={w} is below what the rank-{k} construction allows with n={n}: the first "
            f"chain token needs w^2 - (N-k+1)^2 = {gap} >= 0")
    return w


def _check_signs(k, signs) -> tuple[int, ...]:
    if signs is None:
        return (1,) * k
    if isinstance(signs, str):
        if any(c not in "+-" for c in signs):
            raise ConstructionError(f"signs={signs!r}: use only '+' and '-'")
        signs = [1 if c == "+" else -1 for c in signs]
    signs = tuple(signs)
    if len(signs) != k:
        raise ShapeError(f"signs must have length k={k} (one overall sign, then one per "
                         f"chain token), got {len(signs)}")
    for s in signs:
        if isinstance(s, bool) or s not in (1, -1):
            raise ConstructionError(f"signs must be +1 or -1, got {s!r} in {signs!r}")
    return tuple(int(s) for s in signs)


def equilibrium(n: int, d: int, k: int, w, signs=None) -> sp.Matrix:
    """The rank-k equilibrium of the causal post-LN map with ``W_V = value_matrix(d, w)``.

    ``signs = (s_0, ..., s_{k-1})``: ``s_0`` the overall sign, ``s_j`` the sign of the
    last coordinate of chain token j (module docstring gives the closed form).
    Requires ``1 <= k <= min(n, d)`` and ``|w| >= n - k + 1`` when ``k >= 2``.

    >>> equilibrium(3, 2, 2, 3, signs="++")
    Matrix([
    [   0,         1],
    [   0,         1],
    [-2/3, sqrt(5)/3]])
    """
    _check_sizes(n, d, k)
    w = _check_w(n, k, w)
    signs = _check_signs(k, signs)
    m = n - k + 1
    ell = [sp.Integer(m)]
    if k >= 2:
        # radicands written as (w^2 - m^2)/w^2 so that sign assumptions on w (e.g.
        # w = m + s, s >= 0) make them provably non-negative
        ell.append(signs[1] * sp.sqrt(sp.expand(w ** 2 - m ** 2)) / sp.Abs(w))
        c = sp.sqrt(sp.expand(w ** 2 - 1)) / sp.Abs(w)
        ell += [s * c for s in signs[2:]]
    X = sp.zeros(n, d)
    for i in range(m):
        X[i, d - 1] = 1
    for j in range(1, k):
        for i in range(j + 1):
            X[m - 1 + j, d - 1 - i] = (-1 / w) ** i * ell[j - i]
    return signs[0] * X if signs[0] == -1 else X


def sign_vectors(k: int):
    """All ``2^k`` sign vectors, in a fixed order."""
    return list(itertools.product((1, -1), repeat=k))


def _degenerate(n, k, w) -> tuple[bool, ...]:
    """Which sign positions do not change the matrix (their square root vanishes)."""
    m = n - k + 1
    out = [False] * k
    if k >= 2 and (w.is_number and sp.simplify(w ** 2 - m ** 2) == 0):
        out[1] = True
    if w.is_number and sp.simplify(w ** 2 - 1) == 0:
        out[2:] = [True] * (k - 2)
    return tuple(out)


def equilibria(n: int, d: int, k: int, w) -> list[sp.Matrix]:
    """All DISTINCT equilibria of rank k produced by the construction (every sign
    choice, duplicates from vanishing square roots removed): ``2^k`` of them when
    ``|w| > n - k + 1`` (or k = 1), fewer at equality.

    >>> len(equilibria(4, 4, 3, 3)), len(equilibria(4, 4, 3, 2))
    (8, 4)
    """
    _check_sizes(n, d, k)
    w = _check_w(n, k, w)
    deg = _degenerate(n, k, w)
    keys = sorted({tuple(1 if deg[i] else s for i, s in enumerate(sv)) for sv in sign_vectors(k)},
                  reverse=True)
    return [equilibrium(n, d, k, w, key) for key in keys]


def count_equilibria(n: int, d: int, w) -> dict[int, int]:
    """Number of distinct constructed equilibria per rank k = 1..min(n, d), each
    de-duplicated by exact entrywise comparison (not by the formula).  Ranks whose
    construction is not real for this w are left out.

    >>> count_equilibria(3, 3, 3)
    {1: 2, 2: 4, 3: 8}
    >>> count_equilibria(3, 3, 2)      # |w| = N - 1: the rank-2 signs s_1 merge
    {1: 2, 2: 2, 3: 8}
    """
    out = {}
    w = parse_w(w)
    for k in range(1, min(n, d) + 1):
        try:
            mats = [equilibrium(n, d, k, w, sv) for sv in sign_vectors(k)]
        except AssumptionError:
            continue
        out[k] = len({tuple(M) for M in mats})
    return out


# ------------------------------------------------------------------------------ the maps
def _as_matrix(X, name="X") -> sp.Matrix:
    M = sp.Matrix(X)
    if M.rows < 1 or M.cols < 1:
        raise ShapeError(f"{name} must be a non-empty matrix")
    return M


def post_ln_causal_map(X, W_V) -> sp.Matrix:
    """Exact ``F(X) = D A X W_V``: causal average (``W_Q = W_K = 0``), then each row
    scaled to unit 2-norm (the paper's LayerNorm: no centring, gain or bias).

    >>> post_ln_causal_map(sp.Matrix([[1, 0], [0, 1]]), value_matrix(2, 1))
    Matrix([
    [sqrt(2)/2,   sqrt(2)/2],
    [sqrt(5)/5, 2*sqrt(5)/5]])
    """
    Y = san_causal_map(X, W_V)
    rows = []
    for i in range(Y.rows):
        r = Y.row(i)
        n2 = sp.simplify(sum(v ** 2 for v in r))
        if n2 == 0:
            raise ZeroRowError([i])
        rows.append(r / sp.sqrt(n2))
    return sp.Matrix.vstack(*rows)


def san_causal_map(X, W_V) -> sp.Matrix:
    """Exact ``A X W_V`` with the causal average, no LayerNorm (the SAN of eq. (2))."""
    X, W = _as_matrix(X), _as_matrix(W_V, "W_V")
    if W.rows != X.cols or W.cols != X.cols:
        raise ShapeError(f"W_V must be {X.cols} x {X.cols} for X with {X.cols} columns, "
                         f"got {W.rows} x {W.cols}")
    n = X.rows
    A = sp.Matrix(n, n, lambda i, j: sp.Rational(1, i + 1) if j <= i else 0)
    return A * X * W


# ---------------------------------------------------------------------------- verifying
def _surd_rank(rows: list[list[Surd]]) -> int:
    """Exact rank over the multiquadratic field: distinct nonzero rows with pairwise
    distinct leading positions are independent (echelon form after a permutation) and
    the rank is at most the number of distinct rows; otherwise Gaussian elimination."""
    distinct = []
    for r in rows:
        if any(not v.is_zero() for v in r) and all(r != q for q in distinct):
            distinct.append(r)
    leads = [next(j for j, v in enumerate(r) if not v.is_zero()) for r in distinct]
    if len(set(leads)) == len(leads):
        return len(distinct)
    M = [list(r) for r in distinct]
    rank, col, ncols = 0, 0, len(M[0]) if M else 0
    while rank < len(M) and col < ncols:
        piv = next((i for i in range(rank, len(M)) if not M[i][col].is_zero()), None)
        if piv is None:
            col += 1
            continue
        M[rank], M[piv] = M[piv], M[rank]
        inv = M[rank][col].inverse()
        for i in range(rank + 1, len(M)):
            if not M[i][col].is_zero():
                f = M[i][col] * inv
                M[i] = [a - f * b for a, b in zip(M[i], M[rank])]
        rank += 1
        col += 1
    return rank


def _verify_surd(X: list[list[Surd]], W: list[list[Surd]]):
    """Returns (ok, failure-or-None, rank).  Uses: for unit x and y != 0,
    ``y/||y|| = x`` iff ``y - <y,x> x = 0`` and ``<y,x> > 0`` (then ``||y|| = <y,x>``)."""
    n, d = len(X), len(X[0])
    Wnz = [[(a, W[a][b]) for a in range(d) if not W[a][b].is_zero()] for b in range(d)]
    S = [Surd() for _ in range(d)]
    for i, row in enumerate(X):
        n2 = sum((v * v for v in row), Surd())
        if n2 != 1:
            return False, {"token": i, "reason": "row is not a unit vector",
                           "norm^2": n2.to_sympy()}, None
        S = [s + v for s, v in zip(S, row)]
        Y = [sum((S[a] * c for a, c in Wnz[b]), Surd()) for b in range(d)]
        c = sum((y * v for y, v in zip(Y, row)), Surd())
        resid = [y - c * v for y, v in zip(Y, row)]
        bad = next((j for j, r in enumerate(resid) if not r.is_zero()), None)
        if bad is not None:
            return False, {"token": i, "reason": "(S_i W_V) is not parallel to X_i",
                           "coordinate": bad, "residual": resid[bad].to_sympy()}, None
        if c.sign() <= 0:
            return False, {"token": i, "reason": "S_i W_V points opposite to X_i (or is 0)",
                           "<S_i W_V, X_i>": c.to_sympy()}, None
    return True, None, _surd_rank(X)


def _is_zero_sympy(e) -> bool | None:
    """True / False when decided, None when not (symbolic and not simplified to 0)."""
    z = sp.simplify(e)
    if z == 0:
        return True
    if not z.free_symbols:
        v = sp.N(z, 60)
        if abs(v) > sp.Float("1e-45"):
            return False
    return None


def _verify_sympy(X: sp.Matrix, W: sp.Matrix):
    undecided = []
    for i in range(X.rows):
        for j in range(X.cols):
            real = X[i, j].is_real
            if real is False:
                return False, {"token": i, "coordinate": j, "reason": "entry is not real",
                               "X_ij": X[i, j]}, None, []
            if real is None:       # e.g. sqrt(1 - 4/w^2) with only w > 0 assumed
                undecided.append((i, j, "entry not provably real"))
    if undecided:
        return True, None, None, undecided
    F = post_ln_causal_map(X, W)
    for i in range(X.rows):
        n2 = sp.simplify(sum(v ** 2 for v in X.row(i)))
        if _is_zero_sympy(n2 - 1) is False:
            return False, {"token": i, "reason": "row is not a unit vector", "norm^2": n2}, None, []
        for j in range(X.cols):
            z = _is_zero_sympy(F[i, j] - X[i, j])
            if z is False:
                return False, {"token": i, "coordinate": j, "reason": "F(X) != X",
                               "F(X)_ij": F[i, j], "X_ij": X[i, j]}, None, []
            if z is None:
                undecided.append((i, j))
    rank = X.rank(simplify=True)
    return True, None, rank, undecided


def verify_equilibrium(X, W_V, k: int | None = None) -> Evidence:
    """Check exactly that X is a fixed point of the causal post-LN map with
    ``W_Q = W_K = 0`` (``F(X) == X`` entrywise, unit rows) and, if given, that
    ``rank(X) == k``.

    Entries that are rational combinations of square roots of rationals are checked in
    :class:`~counterexamples.surds.Surd` arithmetic (canonical form, so zero tests are
    exact); anything else (e.g. a symbolic w) by SymPy simplification of every entry of
    ``F(X) - X``.  A residual SymPy cannot simplify to 0 leaves the claim ``open``.

    >>> verify_equilibrium(equilibrium(2, 2, 2, 3), value_matrix(2, 3), k=2).details["rank"]
    2
    """
    X, W = _as_matrix(X), _as_matrix(W_V, "W_V")
    stmt = (f"X ({X.rows} x {X.cols}) is a fixed point of the causal post-LN map "
            f"F(X) = D A X W_V with W_Q = W_K = 0" + (f" and rank(X) = {k}" if k else ""))
    Xs, Ws = matrix_to_surd(X), matrix_to_surd(W)
    if Xs is not None and Ws is not None:
        ok, fail, rank = _verify_surd(Xs, Ws)
        undecided, path = [], "multiquadratic-surd"
    else:
        ok, fail, rank, undecided = _verify_sympy(X, W)
        path = "sympy-simplify"
    details = {"n": X.rows, "d": X.cols, "arithmetic": path, "rank": rank}
    if not ok:
        return Evidence(stmt, "fails", "exact", details, witness=fail)
    if undecided:
        details["undecided_entries"] = undecided
        return Evidence(stmt, "open", "exact", details)
    if k is not None and rank != k:
        return Evidence(stmt, "fails", "exact", details,
                        witness={"expected_rank": k, "rank": rank},
                        narrower=f"X is a fixed point of rank {rank}")
    return Evidence(stmt, "holds", "exact", details)


def prove_fixed_point_symbolic(n: int, d: int, k: int) -> Evidence:
    """For ALL real ``w >= n - k + 1`` (``w >= 1`` when k = 1 is not needed: any w > 0),
    every sign choice of the rank-k construction is a fixed point of rank k.

    Proof by SymPy: substitute ``w = m + s`` with ``s >= 0`` (m = n-k+1, or m = 1 for
    k = 1), so every square root has a provably non-negative radicand; then each entry of
    ``F(X) - X`` simplifies to 0, and the rank is k because the distinct rows are in
    echelon form with leading entries ``(-1/w)^j m != 0``.
    """
    _check_sizes(n, d, k)
    m = construction_threshold(n, k) or 1
    s = sp.Symbol("s", nonnegative=True)
    w = m + s
    W = value_matrix(d, w)
    parts = []
    for sv in sign_vectors(k):
        X = equilibrium(n, d, k, w, sv)
        ev = verify_equilibrium(X, W, k=k)
        parts.append(Evidence(f"signs {sv}", ev.status, ev.level, ev.details, ev.witness))
    return combine(f"for every real w >= {m} (w = {m} + s, s >= 0) all {2 ** k} sign choices "
                   f"of the rank-{k} construction (n={n}, d={d}) are fixed points of rank {k}",
                   parts, {"n": n, "d": d, "k": k, "threshold": m, "equality_allowed": True})
