"""Seeded random weights and inputs for experiments and property tests.

>>> import numpy as np
>>> Q = haar_orthogonal(4, np.random.default_rng(0))
>>> bool(np.allclose(Q @ Q.T, np.eye(4)))
True
"""
from __future__ import annotations

import numpy as np

from .errors import RankCollapseError

__all__ = ["haar_orthogonal", "cayley_orthogonal", "gaussian", "value_matrix", "random_layer",
           "sphere_points"]


def haar_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed orthogonal ``d x d`` matrix (QR of a Gaussian, signs fixed)."""
    Z = rng.standard_normal((d, d))
    Q, R = np.linalg.qr(Z)
    return Q * np.sign(np.diag(R))


def gaussian(rows: int, cols: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    """Entries N(0, scale^2 / rows): the usual fan-in initialisation."""
    return rng.standard_normal((rows, cols)) * (scale / np.sqrt(rows))


def value_matrix(kind: str, d: int, rng: np.random.Generator) -> np.ndarray:
    """``"orthogonal"`` (Haar), ``"gaussian"`` (fan-in), or ``"identity"``."""
    if kind == "orthogonal":
        return haar_orthogonal(d, rng)
    if kind == "gaussian":
        return gaussian(d, d, rng)
    if kind == "identity":
        return np.eye(d)
    raise RankCollapseError(f"value matrix kind must be orthogonal, gaussian or identity, "
                            f"got {kind!r}")


def random_layer(d: int, rng: np.random.Generator, *, heads: int = 1, d_qk: int | None = None,
                 qk_scale: float = 1.0, value: str = "orthogonal"):
    """``(W_Q, W_K, W_V)`` for ``heads`` heads (2-D arrays when ``heads == 1``)."""
    d_qk = d_qk or d
    WQ = np.stack([gaussian(d, d_qk, rng, qk_scale) for _ in range(heads)])
    WK = np.stack([gaussian(d, d_qk, rng, qk_scale) for _ in range(heads)])
    WV = np.stack([value_matrix(value, d, rng) for _ in range(heads)])
    if heads > 1 and value != "identity":
        WV = WV / heads  # keep the sum of heads at the scale of one head
    return (WQ[0], WK[0], WV[0]) if heads == 1 else (WQ, WK, WV)


def sphere_points(shape, rng: np.random.Generator) -> np.ndarray:
    """Uniform points on the unit sphere: rows of a Gaussian array, normalised."""
    X = rng.standard_normal(shape)
    return X / np.linalg.norm(X, axis=-1, keepdims=True)


def cayley_orthogonal(d: int, rng: np.random.Generator, *, size: int = 5):
    """An EXACTLY orthogonal ``d x d`` matrix with rational entries (``Fraction`` object
    array): the Cayley transform ``(I - S)(I + S)^{-1}`` of a random rational
    skew-symmetric ``S`` with integer entries in ``[-size, size]``.

    Exact orthogonality matters where a claim assumes it: a float64 "orthogonal" matrix
    is orthogonal only to ~1e-16, which ball arithmetic would (rightly) notice.

    >>> Q = cayley_orthogonal(3, np.random.default_rng(1))
    >>> import sympy
    >>> M = sympy.Matrix(Q.tolist()); M * M.T == sympy.eye(3)
    True
    """
    import sympy

    S = sympy.zeros(d, d)
    for i in range(d):
        for j in range(i + 1, d):
            v = sympy.Rational(int(rng.integers(-size, size + 1)), int(rng.integers(1, size + 1)))
            S[i, j], S[j, i] = v, -v
    Q = (sympy.eye(d) - S) * (sympy.eye(d) + S).inv()
    from fractions import Fraction
    out = np.empty((d, d), dtype=object)
    for i in range(d):
        for j in range(d):
            q = sympy.Rational(Q[i, j])
            out[i, j] = Fraction(int(q.p), int(q.q))
    return out
