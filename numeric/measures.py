"""Measures of collapse.  Each takes tokens ``X`` of shape ``(..., N, d)`` (rows are
tokens) and returns one value per leading index.

* ``mu(X) = ||X - 1 gamma_X||_F`` with ``gamma_X`` the mean token (paper eq. (4));
  ``mu(X)^2 = (1/(2N)) sum_{i,j} ||X_i - X_j||^2``.
* ``min_cosine(X)``: the smallest cosine between two tokens; on the unit sphere this is
  the paper's ``phi(X) = min_{i,j} <X_i, X_j>``.
* ``stable_rank(X) = ||X||_F^2 / ||X||_2^2``; ``singular_values``; ``numerical_rank``;
  ``avg_abs_cosine`` (mean over ``i != j`` of ``|cos|``); ``dist_rank_one`` (Frobenius
  distance to the nearest rank-one matrix, by Eckart-Young).

``mu``, ``min_cosine`` and ``avg_abs_cosine`` work for every backend (arb results are
balls); singular-value measures work in float64 and mpmath.

Caution: ``mu -> 0`` means all tokens equal.  On the sphere ``x`` and ``-x`` give
``mu > 0`` yet rank one; use ``dist_rank_one`` or ``stable_rank`` for rank claims.

>>> import numpy as np
>>> X = np.array([[1.0, 0.0], [-1.0, 0.0]])
>>> float(mu(X)), float(dist_rank_one(X))
(1.4142135623730951, 0.0)
"""
from __future__ import annotations

import functools

import mpmath
import numpy as np

from .errors import NonFiniteError, RankCollapseError, ShapeError
from .precision import Arb, Float64, Mpmath, backend_of

__all__ = ["mu", "min_cosine", "avg_abs_cosine", "singular_values", "stable_rank",
           "numerical_rank", "dist_rank_one", "MEASURES"]


def _tokens(X):
    """Validated tokens and their backend: shape ``(..., N, d)`` with ``N, d >= 1`` and
    every entry finite (a NaN or an infinity would make every measure meaningless)."""
    X = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if X.ndim < 2 or X.shape[-1] < 1 or X.shape[-2] < 1:
        raise ShapeError(f"tokens must have shape (..., N, d) with N, d >= 1, got {X.shape}")
    if X.dtype.kind in "biuf":
        if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
            bad = np.argwhere(~np.isfinite(X))[0].tolist()
            raise NonFiniteError(f"tokens contain NaN or infinity (first at index {bad})")
    elif X.dtype == object:
        for k, v in enumerate(X.flat):
            if isinstance(v, mpmath.mpf) and not mpmath.isfinite(v):
                raise NonFiniteError(f"tokens contain NaN or infinity (flat index {k})")
            # an arb ball whose radius has grown to infinity is not bad input: it is a value
            # known to no digits, and every comparison with it stays undecided (sound)
    else:
        raise ShapeError(f"tokens must be numbers, got dtype {X.dtype}")
    return X, backend_of(X)


def mu(X):
    """Frobenius distance of ``X`` from the matrix whose rows all equal the mean token."""
    X, be = _tokens(X)
    n = X.shape[-2]
    if isinstance(be, Float64):
        # scale by the largest entry: no overflow of the squares (1e200 stays finite)
        m = np.abs(X).max(axis=(-2, -1), keepdims=True)
        m = np.where(m > 0, m, 1.0)
        Y = X / m
        C = Y - Y.mean(axis=-2, keepdims=True)
        return m[..., 0, 0] * np.sqrt((C * C).sum(axis=(-2, -1)))
    C = X - X.sum(axis=-2, keepdims=True) / be.scalar(n)
    return be.sqrt((C * C).sum(axis=(-2, -1)))


def _cosines(X, be):
    if isinstance(be, Float64):   # scale each token first: no overflow of the squares
        m = np.abs(X).max(axis=-1, keepdims=True)
        X = X / np.where(m > 0, m, 1.0)
    norms = be.sqrt((X * X).sum(axis=-1))
    if np.any(be.may_be_zero(norms)):
        raise RankCollapseError("a zero token has no direction: cosine similarity undefined")
    U = X / norms[..., None]
    return U @ np.swapaxes(U, -1, -2)


def _reduce(be, G, op):
    """min / max over the last two axes for any backend (arb: ball of the min)."""
    if isinstance(be, Float64):
        return getattr(np, op)(G, axis=(-2, -1))
    lead = G.shape[:-2]
    flat = G.reshape(-1, G.shape[-2] * G.shape[-1])
    if isinstance(be, Arb):
        f = (lambda a, b: a.min(b)) if op == "min" else (lambda a, b: a.max(b))
    else:
        f = min if op == "min" else max
    out = np.empty(flat.shape[0], dtype=object)
    for k, row in enumerate(flat):
        out[k] = functools.reduce(f, row)
    return out.reshape(lead) if lead else out[0]


def min_cosine(X):
    """``min_{i,j} cos(X_i, X_j)`` (``phi`` for tokens on the sphere)."""
    X, be = _tokens(X)
    return _reduce(be, _cosines(X, be), "min")


def avg_abs_cosine(X):
    """Mean of ``|cos(X_i, X_j)|`` over ordered pairs ``i != j`` (needs N >= 2)."""
    X, be = _tokens(X)
    n = X.shape[-2]
    if n < 2:
        raise ShapeError("avg_abs_cosine needs at least two tokens")
    G = abs(_cosines(X, be))
    total = G.sum(axis=(-2, -1)) - np.trace(G, axis1=-2, axis2=-1)
    return total / be.scalar(n * (n - 1))


def _scaled_svd(X):
    """float64 singular values of ``X / m`` and the scale ``m`` (the largest |entry| of each
    matrix): LAPACK never sees numbers near the overflow threshold.  ``X`` is already
    validated by :func:`_tokens` (every caller does that first)."""
    m = np.abs(X).max(axis=(-2, -1))
    m = np.where(m > 0, m, 1.0)
    try:
        return np.linalg.svd(X / m[..., None, None], compute_uv=False), m
    except np.linalg.LinAlgError as exc:
        raise RankCollapseError(f"singular values of the tokens: the float64 SVD did not "
                                f"converge ({exc}); try the mpmath backend") from None


def singular_values(X):
    """Singular values in decreasing order (float64: batched LAPACK on the rescaled
    matrix; mpmath: svd_r)."""
    X, be = _tokens(X)
    if isinstance(be, Float64):
        s, m = _scaled_svd(X)
        with np.errstate(over="ignore"):      # beyond float64: inf, never NaN
            return s * m[..., None]
    if isinstance(be, Mpmath):
        lead = X.shape[-2:]
        flat = X.reshape(-1, *lead)
        with mpmath.workdps(be.digits):
            out = [sorted(mpmath.svd_r(mpmath.matrix(x.tolist()), compute_uv=False),
                          reverse=True) for x in flat]
        return np.array(out, dtype=object).reshape(*X.shape[:-2], min(lead))
    raise RankCollapseError("singular values of arb ball matrices are not implemented; "
                            "use the mpmath backend for spectral measures")


def stable_rank(X):
    """``||X||_F^2 / ||X||_2^2`` (between 1 and rank X); undefined for a zero matrix."""
    X, be = _tokens(X)
    s = _scaled_svd(X)[0] if isinstance(be, Float64) else singular_values(X)
    if np.any(np.asarray(s[..., 0] == 0)):
        raise RankCollapseError("the stable rank of a zero matrix is undefined (0/0)")
    r = s / s[..., :1]                      # relative singular values: no overflow
    return (r * r).sum(axis=-1)


def numerical_rank(X, tol=None):
    """Number of singular values above ``tol``.  Default: numpy's rule
    ``max(N, d) * machine_eps * sigma_max`` in float64; ``max(N, d) * 10^(5 - dps) *
    sigma_max`` in mpmath."""
    X, be = _tokens(X)
    if tol is not None:
        try:
            ok = float(tol) >= 0 and np.isfinite(float(tol))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise RankCollapseError(f"tol must be a finite number >= 0, got {tol!r}")
    s = singular_values(X)
    if tol is None:
        unit = np.finfo(float).eps if isinstance(be, Float64) else mpmath.mpf(10) ** (5 - be.digits)
        tol = max(X.shape[-2:]) * unit * s[..., :1]
    return (s > tol).sum(axis=-1)


def dist_rank_one(X):
    """Frobenius distance to the nearest matrix of rank at most one."""
    X, be = _tokens(X)
    if isinstance(be, Float64):
        sc, m = _scaled_svd(X)              # singular values of X / m, entries <= 1
        with np.errstate(over="ignore"):    # beyond float64: inf, never NaN
            return m * np.sqrt((sc[..., 1:] * sc[..., 1:]).sum(axis=-1))
    s = singular_values(X)
    tail = (s[..., 1:] * s[..., 1:]).sum(axis=-1)
    return be.sqrt(np.asarray(tail, dtype=be.dtype))


#: name -> function, for tables and the command line.
MEASURES = {
    "mu": mu,
    "phi": min_cosine,
    "avg_abs_cos": avg_abs_cosine,
    "stable_rank": stable_rank,
    "rank": numerical_rank,
    "dist_rank_one": dist_rank_one,
}
