"""Masked softmax attention.

``A_ij = exp(R_ij) / sum_{k in N_i} exp(R_ik)`` for ``M[i, j]`` true and ``A_ij = 0``
otherwise, with ``R = (X W_Q)(X W_K)^T / sqrt(d_qk)``.  ``A`` is row-stochastic with
support exactly ``M`` (entries off the mask are exact zeros, not underflowed numbers).

``d_qk`` is the temperature; by default the number of columns of ``W_Q``.  Inputs may
carry leading batch axes (``X`` of shape ``(..., N, d)``; float64 batches broadcast).
In float64 each row is shifted by its masked maximum before ``exp`` (no overflow);
mpmath and arb have an unbounded exponent range and skip the shift, which changes ``A``
by nothing in exact arithmetic.

>>> import numpy as np
>>> from numeric import masks
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
>>> A = attention(X, np.eye(2), np.eye(2), masks.causal(3))
>>> bool(np.allclose(A.sum(axis=1), 1)) and bool(A[0, 1] == 0.0)
True
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from . import masks as _masks
from .errors import MaskError, RankCollapseError, ShapeError
from .precision import FLOAT64, Backend, Float64, get_backend

__all__ = ["attention", "scores", "masked_softmax", "check_weights"]


def check_weights(X, W_Q, W_K, W_V=None) -> None:
    """Shapes: ``X (..., N, d)``, ``W_Q, W_K (d, d_qk)``, ``W_V (d, d')``."""
    if np.ndim(X) < 2:
        raise ShapeError(f"tokens X must have shape (..., N, d), got {np.shape(X)}")
    d = np.shape(X)[-1]
    for name, W in (("W_Q", W_Q), ("W_K", W_K)):
        if np.ndim(W) != 2 or np.shape(W)[0] != d:
            raise ShapeError(f"{name} must have shape (d, d_qk) = ({d}, ?), got {np.shape(W)}")
    if np.shape(W_Q) != np.shape(W_K):
        raise ShapeError(f"W_Q and W_K must have the same shape, got {np.shape(W_Q)} and "
                         f"{np.shape(W_K)}")
    if W_V is not None and (np.ndim(W_V) != 2 or np.shape(W_V)[0] != d):
        raise ShapeError(f"W_V must have shape (d, d') = ({d}, ?), got {np.shape(W_V)}")


def _check_mask_fits(M, n: int) -> None:
    if M.shape != (n, n):
        raise ShapeError(f"mask has shape {M.shape} but there are N = {n} tokens")
    empty = _masks.empty_rows(M)
    if empty.size:
        raise MaskError(f"tokens {empty[:10].tolist()} attend to no token (empty mask row): "
                        "softmax undefined; A1 (self-loops) would prevent this")


def rmatmul(X, W):
    """``X @ W`` for ``X`` of shape ``(..., N, d)`` and a 2-D ``W``.  A float64 batch is
    flattened to one 2-D product: numpy's stacked matmul is several times slower than
    one large GEMM here."""
    if X.ndim > 2 and X.dtype == np.float64 and np.ndim(W) == 2:
        return (X.reshape(-1, X.shape[-1]) @ W).reshape(*X.shape[:-1], W.shape[-1])
    return X @ W


def scores(X, W_Q, W_K, d_qk=None, *, backend: Backend = FLOAT64):
    """``R = (X W_Q)(X W_K)^T / sqrt(d_qk)`` for arrays already in ``backend``'s type."""
    Q = rmatmul(X, W_Q)
    K = rmatmul(X, W_K)
    if d_qk is None:
        d_qk = np.shape(W_Q)[1]
    if d_qk != 1:  # scale the N x d_qk factor, not the N x N product
        Q = Q / backend.sqrt(np.array([backend.scalar(d_qk)], dtype=backend.dtype))[0]
    return Q @ np.swapaxes(K, -1, -2)


def masked_softmax(R, M, *, backend: Backend = FLOAT64, overwrite: bool = False):
    """Row-wise softmax of ``R`` restricted to the dense mask ``M``; exact zeros off ``M``.

    ``overwrite=True`` lets the float64 path reuse ``R``'s memory."""
    if isinstance(backend, Float64):
        S = R if overwrite and R.flags.c_contiguous else np.array(R, order="C")
        sums = _exp_rows_f64(S, M)
        S *= 1.0 / sums[..., None]
        return S
    zero = backend.scalar(0)
    E = np.where(M, backend.exp(np.where(M, R, zero)), zero)
    return E / E.sum(axis=-1, keepdims=True)


_EDGE_CHUNK = 1 << 15
_ROW_BLOCK_BYTES = 1 << 18       # rows of S processed together stay in L2 cache


def _threads() -> int:
    """Worker threads for the row blocks: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS when
    set (the BLAS's own setting), else up to 4."""
    import os

    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        v = os.environ.get(k, "")
        if v.isdigit() and int(v) > 0:
            return int(v)
    return max(1, min(4, os.cpu_count() or 1))


_POOL = {}
_USE_THREADS = False   # measured: the BLAS threads already saturate the cores


def _pool(k):
    if k not in _POOL:
        from concurrent.futures import ThreadPoolExecutor
        _POOL[k] = ThreadPoolExecutor(k, thread_name_prefix="rankcollapse-softmax")
    return _POOL[k]


def _exp_rows_f64(S, M):
    """In place: ``S <- exp(S - rowmax)`` on the mask (exact 0 off it); returns the row
    sums.  Works on blocks of rows that fit in cache (every pass then reads cache, not
    memory), the blocks spread over threads (numpy releases the GIL).  ``S`` has shape
    ``(..., N, N)``, ``M`` ``(N, N)`` bool."""
    n = S.shape[-1]
    if not S.flags.c_contiguous:
        raise ValueError("_exp_rows_f64 works in place on a C-contiguous array")
    S2 = S.reshape(-1, n)
    rows = S2.shape[0]
    off = ~np.asarray(M)
    sums = np.empty(rows)
    blk = max(1, min(rows, _ROW_BLOCK_BYTES // (8 * n)))

    def work(a):
        b = min(rows, a + blk)
        X = S2[a:b]
        i = np.arange(a, b) % M.shape[0]
        offb = off[i[0]:i[0] + (b - a)] if i[-1] - i[0] == b - a - 1 else off[i]
        np.copyto(X, -np.inf, where=offb)
        m = X.max(axis=1, keepdims=True)
        np.subtract(X, m, out=X)
        np.exp(X, out=X)
        sums[a:b] = X.sum(axis=1)

    starts = range(0, rows, blk)
    k = _threads() if _USE_THREADS else 1
    if k > 1 and rows * n >= (1 << 16) and len(starts) > 1:
        list(_pool(k).map(work, starts))
    else:
        for a in starts:
            work(a)
    return sums.reshape(S.shape[:-1])


def _sparse_attention(X, W_Q, W_K, M, d_qk):
    """float64 attention on a sparse mask: scores on the edges only, O(nnz d)."""
    n = X.shape[-2]
    rows = np.repeat(np.arange(n), np.diff(M.indptr))
    cols = M.indices
    if d_qk is None:
        d_qk = W_Q.shape[1]
    Q = X @ W_Q
    K = X @ W_K
    # scores on the edges, in chunks of edges so the gathered rows stay small (memory
    # O(N d + nnz), not O(nnz d))
    r = np.empty(rows.size)
    step = _EDGE_CHUNK
    for s in range(0, rows.size, step):
        e = min(rows.size, s + step)
        np.einsum("ij,ij->i", Q[rows[s:e]], K[cols[s:e]], out=r[s:e])
    r /= np.sqrt(d_qk)
    starts = M.indptr[:-1]
    r -= np.repeat(np.maximum.reduceat(r, starts), np.diff(M.indptr))
    e = np.exp(r)
    e /= np.repeat(np.add.reduceat(e, starts), np.diff(M.indptr))
    return sp.csr_array((e, cols.copy(), M.indptr.copy()), shape=(n, n))


def attention(X, W_Q, W_K, M, d_qk=None, *, backend="float64"):
    """The masked attention matrix ``A`` for tokens ``X`` (rows) and mask ``M``.

    ``M`` dense or scipy.sparse (sparse: float64 only; returns a CSR matrix, or a list of
    them for a batch).  Raises :class:`MaskError` for a token with no allowed key and
    :class:`ShapeError` for shapes that do not fit.
    """
    be = get_backend(backend)
    M = _masks.as_mask(M)
    check_weights(X, W_Q, W_K)
    _check_mask_fits(M, np.shape(X)[-2])
    if d_qk is not None and not (np.isscalar(d_qk) and float(d_qk) > 0):
        raise RankCollapseError(f"temperature d_qk must be a positive number, got {d_qk!r}")
    if sp.issparse(M):
        if not isinstance(be, Float64):
            raise RankCollapseError("sparse masks are supported at float64 only; pass a dense "
                                    "mask for the mpmath / arb backends")
        X, W_Q, W_K = (be.asarray(a) for a in (X, W_Q, W_K))
        if X.ndim == 2:
            return _sparse_attention(X, W_Q, W_K, M, d_qk)
        return [_sparse_attention(x, W_Q, W_K, M, d_qk) for x in X.reshape(-1, *X.shape[-2:])]
    with be.context():
        X, W_Q, W_K = (be.asarray(a) for a in (X, W_Q, W_K))
        return masked_softmax(scores(X, W_Q, W_K, d_qk, backend=be), M, backend=be,
                              overwrite=True)
