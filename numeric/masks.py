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
    "row_indices", "without_self_loops", "n_edges", "load_mask_file",
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
    try:
        items = list(globals_)
    except TypeError:
        raise MaskError(f"globals must be a list of token indices, got {globals_!r}") from None
    bad = [v for v in items if isinstance(v, (bool, np.bool_))
           or not isinstance(v, (int, np.integer))]
    if bad:
        raise MaskError(f"global token indices must be integers, got {bad[:3]!r}")
    g = np.unique(np.asarray(items, dtype=np.int64))
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
    pairs = []
    for k, edge in enumerate(edges):
        try:
            i, j = edge
        except (TypeError, ValueError):
            raise MaskError(f"edge {k} must be a pair (i, j), got {edge!r}") from None
        for v in (i, j):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise MaskError(f"edge {k}: endpoints must be integers, got {edge!r}")
        pairs.append((int(i), int(j)))
    e = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
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


# ---------------------------------------------------------------------------- mask files
#: the largest N a mask file may declare (index arrays stay small; graph searches are linear)
FILE_MAX_TOKENS = 1 << 24
#: the most edge lines an edge-list file may hold
FILE_MAX_EDGES = 50_000_000

EDGE_LIST_GRAMMAR = """\
edge list (any file that is not .npy / .npz), one item per line:
  # text            a comment (also after an entry); blank lines are ignored
  n N               optional, before any edge: the number of tokens N
  i j               token i attends to token j (M[i, j]; the paper's edge j -> i),
                    0-based integers; repeats are allowed
without an "n" line N = 1 + the largest index; self-loops only where listed"""


def _mask_values(path, arr, what):
    """A boolean array from bool, or from integers that are all 0 or 1."""
    if arr.dtype == np.bool_:
        return arr
    if np.issubdtype(arr.dtype, np.integer):
        bad = arr[(arr != 0) & (arr != 1)]
        if bad.size == 0:
            return arr.astype(bool)
        raise MaskError(f"mask file {path}: {what} entries must be booleans or the integers "
                        f"0 and 1, got {bad.ravel()[0]}")
    raise MaskError(f"mask file {path}: {what} entries must be booleans (or the integers 0 "
                    f"and 1), got dtype {arr.dtype}")


def load_mask_file(path) -> "np.ndarray | sp.csr_array":
    """A mask from a file: a boolean ``.npy`` (``numpy.save``; 0/1 integers accepted), a
    sparse ``.npz`` (``scipy.sparse.save_npz``), or an edge list (:data:`EDGE_LIST_GRAMMAR`).
    ``.npz`` and edge lists load as CSR.  Raises :class:`MaskError` in one line naming the
    file and what is wrong; self-loops are not added (A1 is checked where it is used)."""
    import os

    p = os.fspath(path)
    if not os.path.exists(p):
        raise MaskError(f"mask file {p!r} not found")
    if os.path.isdir(p):
        raise MaskError(f"mask file {p!r} is a directory")
    ext = os.path.splitext(p)[1].lower()
    try:
        if ext == ".npy":
            arr = np.load(p, allow_pickle=False)
            if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 1:
                raise MaskError(f"mask file {p!r}: a mask is a square 2-D array, got shape "
                                f"{arr.shape}")
            return as_mask(np.ascontiguousarray(_mask_values(p, arr, "the")))
        if ext == ".npz":
            try:
                M = sp.load_npz(p)
            except (ValueError, KeyError):
                raise MaskError(f"mask file {p!r} is not a scipy.sparse .npz (write it with "
                                "scipy.sparse.save_npz)") from None
            if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 1:
                raise MaskError(f"mask file {p!r}: a mask is square, got shape {M.shape}")
            if M.shape[0] > FILE_MAX_TOKENS:
                raise MaskError(f"mask file {p!r}: N = {M.shape[0]} is above "
                                f"{FILE_MAX_TOKENS}")
            M = sp.csr_array(M)
            M.eliminate_zeros()
            M.data = _mask_values(p, M.data, "the stored")
            return as_mask(M)
    except MaskError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise MaskError(f"mask file {p!r} cannot be read as {ext}: "
                        f"{' '.join(str(exc).split())[:150]}") from None
    return _load_edge_list(p)


def _load_edge_list(p: str):
    n, rows, cols = None, [], []
    try:
        fh = open(p, encoding="utf-8")
    except OSError as exc:
        raise MaskError(f"mask file {p!r}: {exc.strerror}") from None
    with fh:
        try:
            for k, line in enumerate(fh, 1):
                body = line.split("#", 1)[0].split()
                if not body:
                    continue
                where = f"mask file {p!r} line {k}"
                if body[0] == "n":
                    if n is not None or rows:
                        raise MaskError(f"{where}: 'n N' must come once, before the edges")
                    if len(body) != 2 or not body[1].isdigit() or int(body[1]) < 1:
                        raise MaskError(f"{where}: expected 'n N' with an integer N >= 1")
                    n = int(body[1])
                    if n > FILE_MAX_TOKENS:
                        raise MaskError(f"{where}: N = {n} is above {FILE_MAX_TOKENS}")
                    continue
                if len(body) != 2 or not (body[0].isdigit() and body[1].isdigit()):
                    raise MaskError(f"{where}: expected 'i j' (two integers >= 0: token i "
                                    f"attends to token j), got {line.strip()[:60]!r}")
                i, j = int(body[0]), int(body[1])
                top = n if n is not None else FILE_MAX_TOKENS
                if i >= top or j >= top:
                    raise MaskError(f"{where}: index {max(i, j)} is outside [0, {top})")
                rows.append(i)
                cols.append(j)
                if len(rows) > FILE_MAX_EDGES:
                    raise MaskError(f"mask file {p!r}: more than {FILE_MAX_EDGES} edges")
        except UnicodeDecodeError:
            raise MaskError(f"mask file {p!r} is neither .npy, .npz nor a text edge list "
                            "(not UTF-8 text)") from None
    if not rows:
        raise MaskError(f"mask file {p!r} lists no edge ('i j' lines: token i attends to j)")
    if n is None:
        n = 1 + max(max(rows), max(cols))
    return from_edges(n, zip(rows, cols), convention="query-key", sparse=True)
