"""Structured attention patterns and schedules of masks, for long sequences.

A :class:`Pattern` describes one layer's mask by its structure (a window, a chunk, a dense
(causal) block, global tokens, block-level random edges) rather than by its edges, so that
a 131072-token mask with a 4096-token window (537 million edges) costs O(N) memory.  It
answers the two questions the graph searches need in O(N) time: which tokens a set's
influence reaches in one layer (:meth:`Pattern.forward`) and which tokens influence a set
in one layer (:meth:`Pattern.backward`).  :meth:`Pattern.to_sparse` builds the CSR mask
(our convention, ``M[i, j]`` true iff token ``i`` attends to ``j``) when it fits.

A :class:`Schedule` is a list of masks applied cyclically: layer ``t`` uses
``masks[t % len(masks)]``; each entry is a dense bool array, a scipy.sparse bool array or
a :class:`Pattern`.

Components of a pattern (the mask is their union; ``causal`` intersects each with
``j <= i``):

* ``window=w``   ``|i - j| <= w`` (causal: ``0 <= i - j <= w``); with ``block=b`` the
  window is in blocks of ``b`` tokens: ``|i // b - j // b| <= w``.
* ``chunk=c``    ``i // c == j // c`` (Llama 4's chunked attention).
* ``dense``      every pair (causal: ``j <= i``).
* ``globals``    token ``g`` attends to every token and every token attends to ``g``
  (Longformer, BigBird's global blocks); not combined with ``causal``.
* ``block_edges`` a boolean ``(nb, nb)`` matrix over blocks of ``block`` tokens: query
  block ``a`` attends to key block ``b`` (BigBird's random blocks).

>>> p = Pattern(10, window=2, causal=True)
>>> p.forward(np.eye(1, 10, 0, dtype=bool).ravel()).nonzero()[0].tolist()
[0, 1, 2]
>>> bool((p.to_sparse().toarray() == (np.tril(np.ones((10, 10)), 0) - np.tril(np.ones((10, 10)), -3)).astype(bool)).all())
True
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import masks as _masks
from .errors import MaskError, RankCollapseError

__all__ = ["Pattern", "Schedule", "as_schedule", "mask_forward", "mask_backward",
           "mask_has_self_loops", "mask_in_degree_bound", "mask_density", "gib",
           "available_memory", "dense_attention_bytes", "sparse_attention_bytes"]


@dataclass(frozen=True, eq=False)
class Pattern:
    """One layer's mask, described by its structure (see the module docstring)."""

    n: int
    causal: bool = False
    window: int | None = None
    block: int = 1
    chunk: int | None = None
    dense: bool = False
    globals: tuple = ()
    block_edges: Any = None
    label: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.n, bool) or not isinstance(self.n, (int, np.integer)) or self.n < 1:
            raise MaskError(f"a pattern needs N >= 1 tokens, got {self.n!r}")
        for name in ("window", "chunk"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, (int, np.integer)) or v < (0 if name == "window" else 1)):
                raise MaskError(f"{name} must be a {'non-negative' if name == 'window' else 'positive'} "
                                f"integer, got {v!r}")
        if not isinstance(self.block, (int, np.integer)) or self.block < 1:
            raise MaskError(f"block must be a positive integer, got {self.block!r}")
        if self.block > 1 and self.causal:
            raise MaskError("block-level windows are bidirectional here (BigBird); "
                            "causal patterns use block=1")
        g = tuple(int(x) for x in self.globals)
        if any(not 0 <= x < self.n for x in g):
            raise MaskError(f"global tokens must lie in [0, {self.n}), got {list(g)[:10]}")
        if g and self.causal:
            raise MaskError("global tokens with a causal pattern are not supported")
        object.__setattr__(self, "globals", tuple(sorted(set(g))))
        if self.block_edges is not None:
            be = self.block_edges
            nb = -(-self.n // self.block)
            if be.shape != (nb, nb):
                raise MaskError(f"block_edges must have shape ({nb}, {nb}), got {be.shape}")
            object.__setattr__(self, "block_edges", sp.csr_array(be, dtype=bool))

    # ------------------------------------------------------------------ intervals
    def _intervals(self, backward: bool):
        """``[(lo, hi)]`` int arrays: for each token x, the interval of tokens that x
        attends to (forward) or that attend to x (backward), one pair per component."""
        key = ("iv", backward)
        if key in self._cache:
            return self._cache[key]
        n = self.n
        x = np.arange(n, dtype=np.int64)
        out = []
        if self.window is not None:
            w, b = int(self.window), int(self.block)
            if b > 1:
                bx = x // b
                lo, hi = (bx - w) * b, (bx + w + 1) * b - 1
            elif self.causal:
                lo, hi = (x, x + w) if backward else (x - w, x)
            else:
                lo, hi = x - w, x + w
            out.append((lo, hi))
        if self.chunk is not None:
            c = int(self.chunk)
            start, end = (x // c) * c, (x // c + 1) * c - 1
            if self.causal:
                lo, hi = (x, end) if backward else (start, x)
            else:
                lo, hi = start, end
            out.append((lo, hi))
        if self.dense:
            if self.causal:
                lo, hi = (x, np.full(n, n - 1)) if backward else (np.zeros(n, np.int64), x)
            else:
                lo, hi = np.zeros(n, np.int64), np.full(n, n - 1)
            out.append((lo, hi))
        out = [(np.clip(lo, 0, n - 1), np.clip(hi, 0, n - 1)) for lo, hi in out]
        self._cache[key] = out
        return out

    def _step(self, S: np.ndarray, backward: bool) -> np.ndarray:
        S = np.asarray(S, dtype=bool)
        if S.shape != (self.n,):
            raise MaskError(f"token set must be a bool vector of length {self.n}")
        out = np.zeros(self.n, dtype=bool)
        iv = self._intervals(backward)
        if iv:
            cs = np.concatenate(([0], np.cumsum(S, dtype=np.int64)))
            for lo, hi in iv:
                out |= (cs[hi + 1] - cs[lo]) > 0
        if self.globals:
            g = np.array(self.globals)
            if S.any():
                out[g] = True          # a global token attends to (is attended by) all
            if S[g].any():
                out[:] = True
        if self.block_edges is not None:
            b, nb = self.block, self.block_edges.shape[0]
            pad = np.zeros(nb * b, dtype=bool)
            pad[:self.n] = S
            Sb = pad.reshape(nb, b).any(axis=1).astype(np.int8)
            E = self.block_edges.T if backward else self.block_edges
            hit = (E.astype(np.int8) @ Sb) > 0
            out |= np.repeat(hit, b)[:self.n]
        return out

    def forward(self, S) -> np.ndarray:
        """Tokens ``i`` that attend to some token of ``S`` (one layer of influence)."""
        return self._step(S, False)

    def backward(self, S) -> np.ndarray:
        """Tokens ``j`` that some token of ``S`` attends to."""
        return self._step(S, True)

    # ------------------------------------------------------------------ facts
    def has_self_loops(self) -> bool:
        """A1: every token attends to itself (any interval component contains ``i``)."""
        if self._intervals(False):
            return True
        diag = np.zeros(self.n, dtype=bool)
        diag[list(self.globals)] = True
        if self.block_edges is not None:
            bd = np.asarray(self.block_edges.diagonal(), dtype=bool)
            diag |= np.repeat(bd, self.block)[:self.n]
        return bool(diag.all())

    def in_degree_bound(self) -> int:
        """An upper bound of ``max_i |N_i|`` (exact for one interval component): the
        sum of the components' sizes, capped at N.  An upper bound is what a lower bound
        ``eps = exp(-2S)/max|N_i|`` needs."""
        tot = 0
        for lo, hi in self._intervals(False):
            tot += int((hi - lo + 1).max())
        if self.globals:
            tot = self.n  # a global token attends to every token
        if self.block_edges is not None:
            tot += int(np.diff(self.block_edges.indptr).max(initial=0)) * self.block
        return int(min(tot, self.n))

    def n_edges(self) -> int:
        """Number of edges (exact when the components do not overlap beyond intervals;
        an upper bound otherwise)."""
        tot = 0
        ivs = self._intervals(False)
        if len(ivs) == 1:
            lo, hi = ivs[0]
            tot = int((hi - lo + 1).sum())
        else:
            for lo, hi in ivs:
                tot += int((hi - lo + 1).sum())
        tot += 2 * self.n * len(self.globals)
        if self.block_edges is not None:
            tot += int(self.block_edges.nnz) * self.block * self.block
        return int(min(tot, self.n * self.n))

    def to_sparse(self, *, max_edges: float = 2e8) -> sp.csr_array:
        """The CSR mask ``M[i, j]`` (bool).  Refuses (one line) above ``max_edges``."""
        if "csr" in self._cache:
            return self._cache["csr"]
        ne = self.n_edges()
        if ne > max_edges:
            raise RankCollapseError(
                f"the {self.label or 'pattern'} mask at N = {self.n} has about {ne:.3g} "
                f"edges ({gib(ne * 13):.1f} GiB as CSR); above the limit {max_edges:.3g}")
        n = self.n
        parts = []
        for lo, hi in self._intervals(False):
            lens = hi - lo + 1
            rows = np.repeat(np.arange(n), lens)
            offs = np.arange(rows.size) - np.repeat(np.cumsum(lens) - lens, lens)
            parts.append((rows, lo[rows] + offs))
        for g in self.globals:
            parts.append((np.full(n, g), np.arange(n)))
            parts.append((np.arange(n), np.full(n, g)))
        if self.block_edges is not None:
            C = self.block_edges.tocoo()
            b = self.block
            for a, c in zip(C.row, C.col):
                r = np.arange(a * b, min(n, (a + 1) * b))
                k = np.arange(c * b, min(n, (c + 1) * b))
                parts.append((np.repeat(r, k.size), np.tile(k, r.size)))
        if not parts:
            return sp.csr_array((n, n), dtype=bool)
        rows = np.concatenate([p[0] for p in parts])
        cols = np.concatenate([p[1] for p in parts])
        M = sp.csr_array((np.ones(rows.size, dtype=bool), (rows, cols)), shape=(n, n))
        M.sum_duplicates()
        M.sort_indices()
        M.data[:] = True
        self._cache["csr"] = M
        return M

    def describe(self) -> str:
        bits = []
        if self.window is not None:
            bits.append(f"window {self.window}" + (f" blocks of {self.block}" if self.block > 1 else ""))
        if self.chunk is not None:
            bits.append(f"chunk {self.chunk}")
        if self.dense:
            bits.append("dense")
        if self.globals:
            bits.append(f"{len(self.globals)} global tokens")
        if self.block_edges is not None:
            bits.append(f"{self.block_edges.nnz} random block edges")
        return ("causal " if self.causal else "") + " + ".join(bits or ["empty"])


# ---------------------------------------------------------------------- generic masks
def _int_csr(M):
    """The mask as an int8 CSR (cached on the object where possible)."""
    if sp.issparse(M):
        return sp.csr_array(M, dtype=np.int8)
    return sp.csr_array(np.asarray(M, dtype=np.int8))


def mask_forward(M, S, cache: dict | None = None) -> np.ndarray:
    """One layer of influence: tokens ``i`` with ``M[i, j]`` for some ``j`` in ``S``."""
    if isinstance(M, Pattern):
        return M.forward(S)
    key = (id(M), "f")
    A = cache.get(key) if cache is not None else None
    if A is None:
        A = _int_csr(_masks.as_mask(M))
        if cache is not None:
            cache[key] = A
    return (A @ np.asarray(S, dtype=np.int8)) > 0


def mask_backward(M, S, cache: dict | None = None) -> np.ndarray:
    """Tokens ``j`` with ``M[i, j]`` for some ``i`` in ``S``."""
    if isinstance(M, Pattern):
        return M.backward(S)
    key = (id(M), "b")
    A = cache.get(key) if cache is not None else None
    if A is None:
        A = sp.csr_array(_int_csr(_masks.as_mask(M)).T)
        if cache is not None:
            cache[key] = A
    return (A @ np.asarray(S, dtype=np.int8)) > 0


def mask_n(M) -> int:
    return M.n if isinstance(M, Pattern) else _masks.as_mask(M).shape[0]


def mask_missing_self_loops(M) -> np.ndarray:
    if isinstance(M, Pattern):
        if M.has_self_loops():
            return np.zeros(0, dtype=np.int64)
        return _masks.missing_self_loops(M.to_sparse())
    return _masks.missing_self_loops(M)


def mask_has_self_loops(M) -> bool:
    return mask_missing_self_loops(M).size == 0


def mask_in_degree_bound(M) -> int:
    """``max_i |N_i|`` (exact for arrays; an upper bound for patterns)."""
    if isinstance(M, Pattern):
        return M.in_degree_bound()
    M = _masks.as_mask(M)
    return int(np.max(np.diff(M.indptr)) if sp.issparse(M) else M.sum(axis=1).max())


def mask_n_edges(M) -> int:
    return M.n_edges() if isinstance(M, Pattern) else _masks.n_edges(M)


def mask_density(M) -> float:
    n = mask_n(M)
    return mask_n_edges(M) / float(n * n)


def to_array_mask(M, *, max_edges: float = 2e8):
    """A dense or CSR bool mask for the dynamics (a pattern becomes CSR)."""
    return M.to_sparse(max_edges=max_edges) if isinstance(M, Pattern) else _masks.as_mask(M)


# ---------------------------------------------------------------------- schedules
@dataclass
class Schedule:
    """Masks applied cyclically: layer ``t`` uses ``masks[t % len(masks)]``.

    ``name`` and ``sources`` (config field -> value) say where it came from; ``depth`` is
    the number of layers of the model it describes (``None`` if unknown)."""

    masks: list
    name: str = ""
    depth: int | None = None
    sources: dict = field(default_factory=dict)
    labels: list = field(default_factory=list)

    def __post_init__(self):
        if not self.masks:
            raise MaskError("a schedule needs at least one mask")
        ns = {mask_n(M) for M in self.masks}
        if len(ns) != 1:
            raise MaskError(f"the masks of a schedule must have the same size, got {sorted(ns)}")

    @property
    def n(self) -> int:
        return mask_n(self.masks[0])

    @property
    def period(self) -> int:
        return len(self.masks)

    def mask(self, t: int):
        return self.masks[t % len(self.masks)]

    def __len__(self):
        return len(self.masks)


def as_schedule(obj) -> Schedule:
    """A :class:`Schedule` from a schedule, a list/tuple of masks, or one mask."""
    if isinstance(obj, Schedule):
        return obj
    if isinstance(obj, (list, tuple)):
        return Schedule(list(obj))
    return Schedule([obj])


# ---------------------------------------------------------------------- memory
def gib(nbytes: float) -> float:
    return float(nbytes) / 2.0 ** 30


def available_memory() -> int:
    """Bytes of memory available now (``MemAvailable``; falls back to total pages)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 34


def dense_attention_bytes(n: int, d: int, batch: int = 1) -> int:
    """Peak bytes of one dense float64 attention layer: the ``B x N x N`` score array, the
    mask's ``-inf`` overlay of the same size, and the tokens."""
    return int(2 * 8 * batch * n * n + 8 * 6 * batch * n * d)


def sparse_attention_bytes(nnz: int, n: int, d: int, batch: int = 1) -> int:
    """Peak bytes of one sparse float64 attention layer: per edge its score, weight,
    row and column index (about 40 bytes), the gathered query / key rows of one chunk of
    2^15 edges, and the tokens."""
    return int(batch * (nnz * 40 + 16 * d * min(nnz, 1 << 15)) + 8 * 8 * batch * n * d)
