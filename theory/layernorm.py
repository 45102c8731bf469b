"""LayerNorm facts, stated and proved with SymPy.

The paper's LayerNorm is ``LN(y) = y / ||y||_2`` row by row (no centring, gain, bias or
epsilon).  Each function states one fact in its docstring and returns an
:class:`~theory.evidence.Evidence`.

>>> scale_invariance(3).status
'holds'
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from numeric.errors import RankCollapseError, ShapeError

from .evidence import Evidence

__all__ = [
    "ln_exact", "scale_invariance", "post_ln_value_scaling", "orthogonal_equivariance",
    "remark2_conjugation", "hemisphere_vector", "hemisphere", "full_layernorm_reduction",
    "merge_into_value_matrix", "lemma5_bounds", "rational_rotation",
]


def ln_exact(Y: sp.Matrix) -> sp.Matrix:
    """The paper's LN on an exact SymPy matrix (rows to unit 2-norm)."""
    rows = []
    for i in range(Y.rows):
        r = Y.row(i)
        nrm = sp.sqrt(sum(v**2 for v in r))
        if nrm == 0:
            raise RankCollapseError(f"LayerNorm of a zero row: token {i} is zero")
        rows.append(r / nrm)
    return sp.Matrix.vstack(*rows)


def _zero(expr) -> bool:
    """Exact zero test: simplify, then (for radicals) a second opinion via radsimp."""
    e = sp.simplify(expr)
    if e == 0:
        return True
    return sp.radsimp(sp.expand(e)) == 0


def scale_invariance(d: int, *, c_positive: bool = True) -> Evidence:
    """For every nonzero ``x in R^d`` and every real ``c > 0``: ``LN(c x) = LN(x)``.

    Proved symbolically: ``x_1..x_d`` real symbols, ``c`` a positive symbol; then
    ``sqrt(sum (c x_i)^2) = c sqrt(sum x_i^2)`` because ``c > 0``.  With
    ``c_positive=False`` (``c`` negative: the assumption broken on purpose) the same
    check must report ``fails``, since then ``LN(c x) = -LN(x)``.
    """
    c = sp.Symbol("c", positive=True) if c_positive else sp.Symbol("c", negative=True)
    x = sp.Matrix([sp.symbols(f"x1:{d + 1}", real=True)])
    diff = ln_exact(c * x) - ln_exact(x)
    ok = all(_zero(e) for e in diff)
    return Evidence(f"LN(c x) = LN(x) for all x in R^{d} \\ {{0}} and all "
                    f"c {'>' if c_positive else '<'} 0", "holds" if ok else "fails", "exact",
                    {"d": d, "symbols": f"x_i real, c {'positive' if c_positive else 'negative'}"},
                    None if ok else {"difference": [str(e) for e in diff]},
                    None if ok else "LN(c x) = sign(c) LN(x) for c != 0")


def post_ln_value_scaling(d: int = 2, n: int = 2) -> Evidence:
    """Post-LN dynamics do not see a positive rescaling of ``W_V``: for every ``A`` and
    ``X`` with ``A X W_V`` free of zero rows and every ``c > 0``,
    ``LN(A X (c W_V)) = LN(A X W_V)``.  (So ``W_V`` may be normalised to meet A3.)

    Proved with a symbolic ``n x d`` matrix ``Y = A X W_V`` (every row is a generic real
    vector) and a positive symbol ``c``.
    """
    c = sp.Symbol("c", positive=True)
    Y = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"y{i}{j}", real=True))
    ok = all(_zero(e) for e in ln_exact(Y * c) - ln_exact(Y))
    return Evidence(f"LN(Y c) = LN(Y) for generic real {n}x{d} Y and c > 0 (post-LN step is "
                    "invariant under W_V -> c W_V)", "holds" if ok else "fails", "exact",
                    {"n": n, "d": d})


def rational_rotation(d: int, a: int = 3, b: int = 4) -> sp.Matrix:
    """An exact orthogonal ``d x d`` matrix with rational entries: Givens rotations by the
    Pythagorean angle ``(a^2-b^2, 2ab)/(a^2+b^2)`` on consecutive coordinate pairs, times
    a permutation, so that no coordinate is fixed."""
    if d < 1:
        raise ShapeError(f"d must be positive, got {d}")
    r = a * a + b * b
    cs, sn = sp.Rational(a * a - b * b, r), sp.Rational(2 * a * b, r)
    Z = sp.eye(d)
    for k in range(d - 1):
        G = sp.eye(d)
        G[k, k], G[k, k + 1], G[k + 1, k], G[k + 1, k + 1] = cs, -sn, sn, cs
        Z = Z * G
    assert Z * Z.T == sp.eye(d)
    return Z


def orthogonal_equivariance(d: int) -> Evidence:
    """``LN(x Z) = LN(x) Z`` for every orthogonal ``Z`` (norms are preserved).

    Proved for symbolic ``x`` and one exact rational orthogonal ``Z`` (Givens rotations
    with Pythagorean cosines); the general case is the one-line identity
    ``||x Z|| = ||x||`` for orthogonal ``Z``, which the check confirms for this ``Z``.
    """
    Z = rational_rotation(d)
    x = sp.Matrix([sp.symbols(f"x1:{d + 1}", real=True)])
    ok = all(_zero(e) for e in ln_exact(x * Z) - ln_exact(x) * Z)
    norm_ok = _zero(sum(v**2 for v in x * Z) - sum(v**2 for v in x))
    return Evidence(f"LN(x Z) = LN(x) Z for symbolic x in R^{d}, Z exact orthogonal",
                    "holds" if ok and norm_ok else "fails", "exact", {"d": d, "Z": str(Z)})


def _post_ln_step_uniform(X: sp.Matrix, W: sp.Matrix, mask) -> sp.Matrix:
    """Post-LN step with ``W_Q = W_K = 0``: ``A`` averages each token's allowed keys."""
    n = X.rows
    A = sp.zeros(n, n)
    for i in range(n):
        keys = [j for j in range(n) if mask[i][j]]
        for j in keys:
            A[i, j] = sp.Rational(1, len(keys))
    return ln_exact(A * X * W)


def remark2_conjugation(n: int = 2, d: int = 2, w=2) -> Evidence:
    """Remark 2: with ``W_Q = W_K = 0`` and ``Z`` orthogonal, the post-LN step ``F_W``
    satisfies ``F_{Z^T W Z}(X Z) = F_W(X) Z``; so trajectories for ``Z^T W_V Z`` are the
    trajectories for ``W_V`` rotated by ``Z``.

    Proved for symbolic ``X`` (generic real ``n x d``), the causal mask, the Appendix E/F
    value matrix (identity plus ``w`` on the superdiagonal) and an exact rational ``Z``.
    """
    Z = rational_rotation(d)
    W = sp.eye(d) + sp.Matrix(d, d, lambda i, j: w if j == i + 1 else 0)
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    causal = [[j <= i for j in range(n)] for i in range(n)]
    lhs = _post_ln_step_uniform(X * Z, Z.T * W * Z, causal)
    rhs = _post_ln_step_uniform(X, W, causal) * Z
    ok = all(_zero(e) for e in lhs - rhs)
    return Evidence(f"F_(Z^T W Z)(X Z) = F_W(X) Z for symbolic {n}x{d} X, causal mask, "
                    f"W = I + {w} J", "holds" if ok else "fails", "exact",
                    {"n": n, "d": d, "w": str(w)})


def _as_exact_matrix(X) -> sp.Matrix:
    M = sp.Matrix(X)
    for v in M:
        if isinstance(v, sp.Float) or not v.is_number:
            raise RankCollapseError("exact check needs rational or algebraic entries, got "
                                    f"{v!r}; convert floats with sympy.nsimplify or Fraction")
    return M.applyfunc(lambda v: sp.Rational(v) if isinstance(v, (int, Fraction)) else v)


def hemisphere_vector(X) -> sp.Matrix:
    """Lemma 6 (construction): if the ``N x d`` matrix ``X`` has full row rank ``N``
    (so ``N <= d``), then ``v = X^T (X X^T)^{-1} 1`` satisfies ``<X_i, v> = 1 > 0`` for
    every token ``i``: all tokens lie in the open hemisphere ``{x : <x, v> > 0}``.

    >>> hemisphere_vector([[1, 0], [-1, 1]]).T
    Matrix([[1, 2]])
    """
    X = _as_exact_matrix(X)
    if X.rank() < X.rows:
        raise RankCollapseError(f"assumption (*) violated: X has rank {X.rank()} < N = {X.rows} "
                                "(full row rank needs N <= d and independent tokens)")
    return X.T * (X * X.T).inv() * sp.ones(X.rows, 1)


def hemisphere(X) -> Evidence:
    """Decide exactly whether the tokens of ``X`` lie in a common open hemisphere.

    Full row rank: the vector of :func:`hemisphere_vector` proves it.  Otherwise a
    Farkas certificate ``y >= 0``, ``y != 0``, ``X^T y = 0`` proves that no such
    hemisphere exists; we look for one among the nonnegative vectors of the null space
    of ``X^T`` (a basis vector or its negative) and report ``open`` if none is found.
    """
    X = _as_exact_matrix(X)
    if X.rank() == X.rows:
        v = hemisphere_vector(X)
        margins = list(X * v)
        ok = all(m > 0 for m in margins)
        return Evidence("all tokens lie in an open hemisphere {x: <x, v> > 0}",
                        "holds" if ok else "fails", "exact",
                        {"v": [str(c) for c in v], "margins": [str(m) for m in margins]})
    for y in X.T.nullspace():
        for s in (y, -y):
            if all(c >= 0 for c in s) and any(c != 0 for c in s):
                return Evidence("all tokens lie in an open hemisphere", "fails", "exact",
                                {"farkas_y": [str(c) for c in s]},
                                witness={"X": [[str(c) for c in X.row(i)] for i in
                                               range(X.rows)],
                                         "y (y >= 0, X^T y = 0)": [str(c) for c in s]},
                                narrower="the hemisphere exists when X has full row rank "
                                         "(assumption (*))")
    return Evidence("all tokens lie in an open hemisphere", "open", "exact",
                    {"reason": "rank deficient and no sign-definite null vector found"})


def full_layernorm_reduction(d: int) -> Evidence:
    """Full LayerNorm without epsilon, gain or bias is the paper's LN after centring:
    ``LN_full(y) = sqrt(d) * LN(y P)`` with ``P = I - 11^T/d``, for every ``y`` that is not
    a multiple of ``1``.  Hence post-LN dynamics with full LN equal the paper's dynamics
    on ``X / sqrt(d)`` with ``W_V P`` in place of ``W_V`` and ``d W_Q`` in place of ``W_Q``
    (scores are quadratic in the token scale).  Since ``P`` is singular, ``W_V P`` is never
    orthogonal on ``R^d``, so Theorem 2's hypothesis fails as stated; after one layer the
    tokens lie in ``1^perp``, and when ``W_V P`` restricted to ``1^perp`` is orthogonal
    (e.g. ``W_V`` a permutation, or orthogonal with ``1 W_V = +-1``) Theorem 2 applies in
    ``d - 1`` dimensions.  A diagonal gain folds into the next layer's weights; a bias or
    ``eps > 0`` breaks the reduction.  (Only the row identity is proved here.)

    Proved symbolically for a generic real ``y in R^d``.
    """
    y = sp.Matrix([sp.symbols(f"y1:{d + 1}", real=True)])
    mean = sum(y) / d
    centred = y - sp.Matrix([[mean] * d])
    var = sum(v**2 for v in centred) / d
    full = centred / sp.sqrt(var)
    P = sp.eye(d) - sp.ones(d, d) / d
    rhs = sp.sqrt(d) * ln_exact(y * P)
    ok = all(_zero(e) for e in full - rhs)
    singular = P.det() == 0
    return Evidence(f"LN_full(y) = sqrt(d) LN(y P) for generic y in R^{d} (eps = 0, no gain or "
                    "bias); P singular so W_V P is not orthogonal",
                    "holds" if ok and singular else "fails", "exact",
                    {"d": d, "P_singular": singular})


def merge_into_value_matrix(A, X, W_V) -> Evidence:
    """Appendix A: can ``D A X W_V`` (``D`` the row normalisation) be written as
    ``A X W'`` for some matrix ``W'``?  Decided exactly: column by column, the linear
    system ``(A X) w' = b`` is consistent iff ``rank [A X | b] = rank(A X)``.

    Status ``holds`` means a ``W'`` exists (the LN can be merged), ``fails`` means no
    ``W'`` exists: the witness is the column whose system is inconsistent.
    """
    A, X, W = (_as_exact_matrix(m) for m in (A, X, W_V))
    AX = A * X
    B = ln_exact(AX * W)
    r = AX.rank()
    for k in range(B.cols):
        if AX.row_join(B.col(k)).rank() > r:
            return Evidence("D A X W_V = A X W' for some W'", "fails", "exact",
                            {"rank_AX": r, "inconsistent_column": k},
                            witness={"A": str(A.tolist()), "X": str(X.tolist()),
                                     "W_V": str(W.tolist()), "column": k},
                            narrower="a W' exists whenever A X has full row rank (then "
                                     "W' = (A X)^+ D A X W_V)")
    return Evidence("D A X W_V = A X W' for some W'", "holds", "exact", {"rank_AX": r})


def lemma5_bounds(X, W_V, A) -> Evidence:
    """Lemma 5 (as used in Theorem 2): tokens ``X_i`` on the unit sphere, ``W_V``
    orthogonal, ``A`` row-stochastic.  Then ``D_ii = 1/||(A X W_V)_i|| >= 1`` (a convex
    combination of unit vectors has norm at most 1), and if all tokens satisfy
    ``<X_j, v> >= gamma > 0`` for a unit ``v``, then ``D_ii <= 1/gamma``.

    Checked exactly on the given instance: ``||(A X W_V)_i||^2 <= 1`` and
    ``||(A X W_V)_i||^2 >= gamma^2`` with ``gamma = min_j <X_j, v>``, ``v`` the
    normalised hemisphere vector of Lemma 6.
    """
    A, X, W = (_as_exact_matrix(m) for m in (A, X, W_V))
    for i in range(X.rows):
        if sp.simplify(sum(v**2 for v in X.row(i)) - 1) != 0:
            raise RankCollapseError(f"Lemma 5 needs tokens on the unit sphere; token {i} is not")
    if sp.simplify(W * W.T - sp.eye(W.rows)) != sp.zeros(W.rows):
        raise RankCollapseError("Lemma 5 needs an orthogonal W_V (W_V W_V^T = I fails)")
    Y = A * X * W
    sq = [sp.nsimplify(sp.simplify(sum(v**2 for v in Y.row(i)))) for i in range(Y.rows)]
    v = hemisphere_vector(X)
    vn2 = sum(c**2 for c in v)
    gamma2 = 1 / vn2  # X v = 1, so <X_j, v/|v|> = 1/|v| for every token j
    upper = all(sp.simplify(s - 1) <= 0 for s in sq)
    lower = all(sp.simplify(s - gamma2) >= 0 for s in sq)
    ok = upper and lower
    return Evidence("1 <= D_ii <= 1/gamma for tokens on the sphere, orthogonal W_V",
                    "holds" if ok else "fails", "exact",
                    {"norms_sq": [str(s) for s in sq], "gamma_sq": str(gamma2)},
                    None if ok else {"norms_sq": [str(s) for s in sq]})
