"""Attention masks.

Convention (shared by the whole project): a mask is a square boolean matrix ``M`` with
``M[i, j]`` true iff token ``i`` attends to token ``j``.  Rows are queries, as in the
attention matrix.  In the paper's graph language ``M[i, j]`` means the edge ``(j, i)``
(from ``j`` to ``i``) is in ``E``.

Every family takes ``sparse=False``; with ``sparse=True`` it returns a
``scipy.sparse.csr_array`` of dtype bool built from index arrays, never from a dense
``N x N`` array, so a window over 131072 tokens costs O(N w) memory.

Self-loops are part of each family's definition (every family below contains the
diagonal, so satisfies A1); :func:`from_edges` adds none unless asked.

>>> causal(3).astype(int)
array([[1, 0, 0],
       [1, 1, 0],
       [1, 1, 1]])
>>> int(sliding_window(4, 1).sum())
10
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import scipy.sparse as sp

from .errors import AssumptionError, MaskError

__all__ = [
    "complete", "causal", "sliding_window", "unidirectional_window", "dilated_window",
    "strided", "block_local", "global_window", "prefix_lm", "from_edges", "FAMILIES",
    "as_mask", "is_sparse", "missing_self_loops", "empty_rows", "check_a1", "to_dense",
    "row_indices", "without_self_loops", "n_edges",
]


# ---------------------------------------------------------------------------- helpers
#: the largest sequence length accepted (index arrays are int64; beyond this nothing fits)
MAX_TOKENS = 2 ** 31
#: a dense mask above this many entries (bytes) is refused: use ``sparse=True``
DENSE_LIMIT = 2 ** 32


def _check_n(n) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise MaskError(f"n must be a positive integer, got {n!r}")
    if n < 1:
        raise MaskError(f"n must be a positive integer, got {n}")
    if n > MAX_TOKENS:
        raise MaskError(f"n = {n} tokens is more than this library supports ({MAX_TOKENS})")
    return int(n)


def _check_nonneg(name: str, w) -> int:
    if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, np.integer)) or w < 0:
        raise MaskError(f"{name} must be a non-negative integer, got {w!r}")
    return int(w)


def _check_pos(name: str, w) -> int:
    w = _check_nonneg(name, w)
    if w < 1:
        raise MaskError(f"{name} must be a positive integer, got {w}")
    return w


def _build(n: int, pred: Callable, candidates: Callable, sparse: bool):
    """Dense: evaluate ``pred`` on the full grid.  Sparse: filter ``candidates()``.

    The two paths are independent on purpose: tests compare them.
    """
    if not sparse:
        if n * n > DENSE_LIMIT:
            raise MaskError(f"a dense mask on n = {n} tokens needs n^2 = {n * n:.3g} bytes "
                            f"(more than {DENSE_LIMIT / 2 ** 30:.0f} GiB): pass sparse=True")
        i = np.arange(n)[:, None]
        j = np.arange(n)[None, :]
        return np.ascontiguousarray(np.broadcast_to(pred(i, j), (n, n))).astype(bool)
    rows, cols = candidates()
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    ok = (rows >= 0) & (rows < n) & (cols >= 0) & (cols < n)
    rows, cols = rows[ok], cols[ok]
    keep = np.asarray(pred(rows, cols), dtype=bool)
    rows, cols = rows[keep], cols[keep]
    M = sp.csr_array((np.ones(rows.size, dtype=bool), (rows, cols)), shape=(n, n))
    M.sum_duplicates()
    M.sort_indices()
    return M


def _offset_candidates(n: int, offsets: Iterable[int]):
    offsets = np.unique(np.asarray(list(offsets), dtype=np.int64))
    i = np.repeat(np.arange(n, dtype=np.int64), offsets.size)
    j = i + np.tile(offsets, n)
    return i, j


def _all_pairs(n: int):
    i = np.repeat(np.arange(n, dtype=np.int64), n)
    j = np.tile(np.arange(n, dtype=np.int64), n)
    return i, j


# ---------------------------------------------------------------------------- families
def complete(n: int, *, sparse: bool = False):
    """Every token attends to every token (bidirectional attention)."""
    n = _check_n(n)
    return _build(n, lambda i, j: (i >= 0) & (j >= 0), lambda: _all_pairs(n), sparse)


def causal(n: int, *, sparse: bool = False):
    """Token i attends to tokens j <= i."""
    n = _check_n(n)
    return _build(n, lambda i, j: j <= i, lambda: _all_pairs(n), sparse)


def sliding_window(n: int, w: int = 1, *, sparse: bool = False):
    """Token i attends to j with |i - j| <= w.  ``w = 1`` is the paper's (i-1, i, i+1)."""
    n, w = _check_n(n), _check_nonneg("w", w)
    return _build(n, lambda i, j: np.abs(i - j) <= w,
                  lambda: _offset_candidates(n, range(-w, w + 1)), sparse)


def unidirectional_window(n: int, w: int = 1, *, sparse: bool = False):
    """Token i attends to j with i - w <= j <= i.  ``w = 1`` is the paper's (i-1, i)."""
    n, w = _check_n(n), _check_nonneg("w", w)
    return _build(n, lambda i, j: (j <= i) & (i - j <= w),
                  lambda: _offset_candidates(n, range(-w, 1)), sparse)


def dilated_window(n: int, w: int = 1, dilation: int = 2, *, causal: bool = False,
                   sparse: bool = False):
    """Token i attends to j = i + k * dilation for |k| <= w (k <= 0 when ``causal``).

    With ``dilation > 1`` and ``w >= 1`` tokens in different residue classes mod
    ``dilation`` never meet: the mask is disconnected (a useful negative control).
    """
    n, w, g = _check_n(n), _check_nonneg("w", w), _check_pos("dilation", dilation)

    def pred(i, j):
        d = i - j
        ok = (np.abs(d) <= w * g) & (d % g == 0)
        return ok & (d >= 0) if causal else ok

    lo = -w if not causal else -w
    hi = w if not causal else 0
    return _build(n, pred, lambda: _offset_candidates(n, [k * g for k in range(lo, hi + 1)]),
                  sparse)


def strided(n: int, stride: int, *, sparse: bool = False):
    """Sparse Transformer strided pattern (Child et al. 2019), causal.

    Token i attends to j <= i when ``i - j < stride`` (local part) or
    ``(i - j) % stride == 0`` (strided part).
    """
    n, s = _check_n(n), _check_pos("stride", stride)
    s = min(s, n)   # a stride >= n gives the causal mask; so does n (no huge offset sets)

    def pred(i, j):
        d = i - j
        return (d >= 0) & ((d < s) | (d % s == 0))

    def cand():
        offs = set(range(-(s - 1), 1)) | {-k * s for k in range(0, (n - 1) // s + 1)}
        return _offset_candidates(n, offs)

    return _build(n, pred, cand, sparse)


def block_local(n: int, block: int, *, sparse: bool = False):
    """Token i attends to j in the same block of ``block`` consecutive tokens.

    Disconnected (no centre node) as soon as ``block < n``.
    """
    n, b = _check_n(n), _check_pos("block", block)
    b = min(b, n)   # one block covering every token
    return _build(n, lambda i, j: (i // b) == (j // b),
                  lambda: _offset_candidates(n, range(-(b - 1), b)), sparse)


def _check_globals(n: int, globals_) -> np.ndarray:
    g = np.unique(np.asarray(list(globals_), dtype=np.int64))
    if g.size and (g.min() < 0 or g.max() >= n):
        raise MaskError(f"global token indices must lie in [0, {n}), got {list(globals_)}")
    return g


def global_window(n: int, w: int = 1, globals: Iterable[int] = (0,), *,
                  sparse: bool = False):
    """Sliding window of half-width w plus global tokens (Longformer / BigBird style).

    Every token attends to every global token, and every global token attends to every
    token; otherwise ``|i - j| <= w``.  A global token is a centre node of radius 1.
    """
    n, w = _check_n(n), _check_nonneg("w", w)
    g = _check_globals(n, globals)

    def pred(i, j):
        return (np.abs(i - j) <= w) | np.isin(i, g) | np.isin(j, g)

    def cand():
        r1, c1 = _offset_candidates(n, range(-w, w + 1))
        ar = np.arange(n, dtype=np.int64)
        r2 = np.concatenate([np.repeat(g, n), np.tile(ar, g.size)])
        c2 = np.concatenate([np.tile(ar, g.size), np.repeat(g, n)])
        return np.concatenate([r1, r2]), np.concatenate([c1, c2])

    return _build(n, pred, cand, sparse)


def prefix_lm(n: int, prefix: int, *, sparse: bool = False):
    """Prefix-LM: tokens attend bidirectionally within the first ``prefix`` tokens;
    every token attends to the whole prefix and causally to the tokens before it."""
    n, p = _check_n(n), _check_nonneg("prefix", prefix)
    if p > n:
        raise MaskError(f"prefix must be at most n = {n}, got {p}")
    return _build(n, lambda i, j: (j < p) | (j <= i), lambda: _all_pairs(n), sparse)


def from_edges(n: int, edges: Iterable[tuple[int, int]], *, convention: str,
               self_loops: bool = False, sparse: bool = False):
    """A mask from a list of edges.

    ``convention="query-key"``: ``(i, j)`` means token i attends to token j (``M[i, j]``).
    ``convention="paper"``: ``(j, i)`` is the paper's edge from j to i, i.e. i attends to j.
    No self-loops are added unless ``self_loops=True``.
    """
    n = _check_n(n)
    if convention not in ("query-key", "paper"):
        raise MaskError(f"convention must be 'query-key' or 'paper', got {convention!r}")
    e = np.asarray(list(edges), dtype=np.int64).reshape(-1, 2)
    if e.size and (e.min() < 0 or e.max() >= n):
        raise MaskError(f"edge endpoints must lie in [0, {n})")
    rows, cols = (e[:, 0], e[:, 1]) if convention == "query-key" else (e[:, 1], e[:, 0])
    if self_loops:
        ar = np.arange(n, dtype=np.int64)
        rows, cols = np.concatenate([rows, ar]), np.concatenate([cols, ar])
    M = sp.csr_array((np.ones(rows.size, dtype=bool), (rows, cols)), shape=(n, n))
    M.sum_duplicates()
    M.sort_indices()
    return M if sparse else M.toarray()


#: name -> (constructor, names of its integer parameters), for the command line.
FAMILIES = {
    "complete": (complete, ()),
    "causal": (causal, ()),
    "sliding_window": (sliding_window, ("w",)),
    "unidirectional_window": (unidirectional_window, ("w",)),
    "dilated_window": (dilated_window, ("w", "dilation")),
    "strided": (strided, ("stride",)),
    "block_local": (block_local, ("block",)),
    "global_window": (global_window, ("w",)),
    "prefix_lm": (prefix_lm, ("prefix",)),
}


# ---------------------------------------------------------------------------- validation
def is_sparse(M) -> bool:
    return sp.issparse(M)


def as_mask(M):
    """Validate a mask: square, boolean, dense numpy or scipy.sparse.  Returns it unchanged
    (sparse masks converted to CSR).  Raises :class:`MaskError` naming the problem."""
    if sp.issparse(M):
        if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
            raise MaskError(f"mask must be square with at least one token, got shape "
                            f"{M.shape}")
        if M.dtype != np.bool_:
            raise MaskError(f"mask must be boolean, got dtype {M.dtype} "
                            "(convert with .astype(bool) if 0/1 is meant)")
        return M.tocsr()
    if not isinstance(M, np.ndarray):
        raise MaskError(f"mask must be a numpy bool array or a scipy.sparse array, "
                        f"got {type(M).__name__}")
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
        raise MaskError(f"mask must be square with at least one token, got shape {M.shape}")
    if M.dtype != np.bool_:
        raise MaskError(f"mask must be boolean, got dtype {M.dtype} "
                        "(convert with .astype(bool) if 0/1 is meant)")
    return M


def to_dense(M) -> np.ndarray:
    M = as_mask(M)
    return M.toarray() if sp.issparse(M) else M


def n_edges(M) -> int:
    M = as_mask(M)
    return int(M.nnz if sp.issparse(M) else M.sum())


def _diagonal(M) -> np.ndarray:
    return np.asarray(M.diagonal(), dtype=bool)


def missing_self_loops(M) -> np.ndarray:
    """Tokens i with ``M[i, i]`` false (where A1 fails)."""
    return np.flatnonzero(~_diagonal(as_mask(M)))


def empty_rows(M) -> np.ndarray:
    """Tokens that attend to nothing: their softmax is undefined."""
    M = as_mask(M)
    counts = np.diff(M.indptr) if sp.issparse(M) else M.sum(axis=1)
    return np.flatnonzero(np.asarray(counts) == 0)


def check_a1(M) -> None:
    """Raise :class:`AssumptionError` ("A1") if some token lacks its self-loop."""
    bad = missing_self_loops(M)
    if bad.size:
        shown = bad[:10].tolist()
        more = f" (and {bad.size - 10} more)" if bad.size > 10 else ""
        raise AssumptionError("A1", f"tokens {shown}{more} do not attend to themselves "
                              "(M[i, i] is false)", where=bad.tolist())


def without_self_loops(M):
    """A copy of ``M`` with the diagonal cleared (for negative controls)."""
    M = as_mask(M)
    if sp.issparse(M):
        C = M.tolil(copy=True)
        C.setdiag(False)
        C = sp.csr_array(C)
        C.eliminate_zeros()
        return C
    C = M.copy()
    np.fill_diagonal(C, False)
    return C


def row_indices(M) -> list[np.ndarray]:
    """For each query i, the sorted array of keys j it attends to (N_i)."""
    M = as_mask(M)
    if sp.issparse(M):
        return [M.indices[M.indptr[i]:M.indptr[i + 1]] for i in range(M.shape[0])]
    return [np.flatnonzero(row) for row in M]
