"""The token dynamics of the paper, written once for every number type.

Modes (``h`` heads, ``A_h`` the masked attention of head ``h``, ``LN`` the paper's
LayerNorm unless ``ln="full"``):

* ``"san"``     (2):  ``X' = sum_h A_h(X) X W_V^h``                 (+ ``X`` if ``skip``)
* ``"post-ln"`` (3):  ``X' = LN(sum_h A_h(X) X W_V^h [+ X])``  (LN after the skip)
* ``"pre-ln"``:       ``Z = LN(X)``, ``X' = sum_h A_h(Z) Z W_V^h`` (+ ``X`` if ``skip``)

Multi-head attention is the sum of the heads' outputs: ``concat_h(A_h X V_h) W_O`` with
``W_O`` folded into each head's ``W_V^h`` (shape ``d x d``).  Weights are given as a
:class:`Layer` (or a tuple ``(W_Q, W_K, W_V)``), used at every layer; a sequence of
them, one per layer; or a callable ``t -> Layer``.  ``W_Q`` / ``W_K`` have shape
``(d, d_qk)`` or ``(h, d, d_qk)``, ``W_V`` shape ``(d, d)`` or ``(h, d, d)``.

>>> import numpy as np
>>> from numeric import masks
>>> rng = np.random.default_rng(0)
>>> X0 = rng.standard_normal((4, 3))
>>> tr = simulate(X0, masks.complete(4), (np.eye(3), np.eye(3), np.eye(3)), 30)
>>> bool(tr.mu()[-1] < 1e-6 * tr.mu()[0])
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp

from . import masks as _masks
from . import measures as _measures
from .attention import (_check_mask_fits, _exp_rows_f64, _sparse_attention, masked_softmax,
                        rmatmul, scores)
from .errors import RankCollapseError, ShapeError
from .layernorm import _normalise, layer_norm_full
from .precision import Backend, Float64, get_backend

__all__ = ["Layer", "simulate", "step", "Trajectory", "MODES"]

MODES = ("san", "post-ln", "pre-ln")


@dataclass(frozen=True)
class Layer:
    """Weights of one layer.  ``d_qk`` is the temperature (default: columns of W_Q)."""

    W_Q: Any
    W_K: Any
    W_V: Any
    d_qk: Any = None

    def heads(self) -> int:
        return 1 if np.ndim(self.W_V) == 2 else np.shape(self.W_V)[0]


def _as_layer(obj, t) -> Layer:
    if isinstance(obj, Layer):
        return obj
    if isinstance(obj, tuple) and len(obj) in (3, 4):
        return Layer(*obj)
    raise RankCollapseError(f"weights for layer {t} must be a Layer or a tuple "
                            f"(W_Q, W_K, W_V[, d_qk]), got {type(obj).__name__}")


def _layer_getter(layers, T) -> Callable[[int], Layer]:
    if isinstance(layers, (Layer, tuple)):
        fixed = _as_layer(layers, 0)
        return lambda t: fixed
    if callable(layers):
        return lambda t: _as_layer(layers(t), t)
    if isinstance(layers, Sequence):
        if len(layers) < T:
            raise RankCollapseError(f"{len(layers)} layers of weights given for T = {T} steps")
        return lambda t: _as_layer(layers[t], t)
    raise RankCollapseError("layers must be a Layer, a tuple (W_Q, W_K, W_V), a sequence of "
                            "them, or a callable t -> Layer")


@dataclass
class _Prepared:
    W_Q: list
    W_K: list
    W_V: list
    d_qk: Any


def _prepare(layer: Layer, d: int, be: Backend, skip: bool, t: int) -> _Prepared:
    def heads(W, name, shape_hint):
        W = np.asarray(W) if not isinstance(W, np.ndarray) else W
        if W.ndim == 2:
            W = W[None]
        if W.ndim != 3 or W.shape[1] != d:
            raise ShapeError(f"layer {t}: {name} must have shape {shape_hint} with d = {d}, "
                             f"got {W.shape}")
        return [be.asarray(w) for w in W]

    WQ = heads(layer.W_Q, "W_Q", "(d, d_qk) or (h, d, d_qk)")
    WK = heads(layer.W_K, "W_K", "(d, d_qk) or (h, d, d_qk)")
    WV = heads(layer.W_V, "W_V", "(d, d) or (h, d, d)")
    if not (len(WQ) == len(WK) == len(WV)):
        raise ShapeError(f"layer {t}: W_Q, W_K, W_V have {len(WQ)}, {len(WK)}, {len(WV)} heads")
    if any(q.shape != k.shape for q, k in zip(WQ, WK)):
        raise ShapeError(f"layer {t}: W_Q and W_K shapes differ")
    if any(v.shape[1] != d for v in WV):
        raise ShapeError(f"layer {t}: W_V must map R^d to R^d (shape (d, d)) so that layers "
                         f"compose, got {WV[0].shape}")
    d_qk = layer.d_qk
    if d_qk is not None and not (np.isscalar(d_qk) and float(d_qk) > 0):
        raise RankCollapseError(f"layer {t}: temperature d_qk must be positive, got {d_qk!r}")
    return _Prepared(WQ, WK, WV, d_qk)


def _attend(Z, M, P: _Prepared, be: Backend):
    """``sum_h A_h(Z) Z W_V^h``."""
    out = None
    for WQ, WK, WV in zip(P.W_Q, P.W_K, P.W_V):
        V = rmatmul(Z, WV)
        if sp.issparse(M):
            if Z.ndim == 2:
                Y = _sparse_attention(Z, WQ, WK, M, P.d_qk) @ V
            else:
                Y = np.stack([_sparse_attention(z, WQ, WK, M, P.d_qk) @ v
                              for z, v in zip(Z, V)])
        elif isinstance(be, Float64):
            # unnormalised weights, then divide the N x d product (one N x N pass fewer)
            E = scores(Z, WQ, WK, P.d_qk, backend=be)
            sums = _exp_rows_f64(E, M)
            Y = E @ V
            Y /= sums[..., None]
        elif be.name.startswith("mpmath") and Z.ndim == 2:
            Y = _edge_attend_object(Z, WQ, WK, V, M, P.d_qk, be)
        else:
            Y = masked_softmax(scores(Z, WQ, WK, P.d_qk, backend=be), M, backend=be,
                               overwrite=True) @ V
        out = Y if out is None else out + Y
    return out


def _edge_attend_object(Z, WQ, WK, V, M, d_qk, be: Backend):
    """``A(Z) V`` for object (mpmath) numbers with work only on the mask's edges: scores,
    ``exp`` and the weighted sums of values per edge (no N x N object array, no ``exp``
    of masked entries).  The softmax is not shifted (mpmath has no overflow)."""
    rows, cols = np.nonzero(M)
    Q = rmatmul(Z, WQ)
    K = rmatmul(Z, WK)
    if d_qk is None:
        d_qk = np.shape(WQ)[1]
    if d_qk != 1:
        Q = Q / be.sqrt(np.array([be.scalar(d_qk)], dtype=object))[0]
    r = (Q[rows] * K[cols]).sum(axis=1)
    e = be.exp(r)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    sums = np.add.reduceat(e, starts)
    Y = np.add.reduceat(e[:, None] * V[cols], starts, axis=0)
    return Y / sums[:, None]


def step(X, M, P: _Prepared, *, mode: str, skip: bool, ln: str, ln_eps, be: Backend,
         t: int = 0):
    """One layer of the dynamics on arrays already converted to ``be``."""

    def norm(Y):
        if ln == "paper":
            return _normalise(Y, be, t)
        return layer_norm_full(Y, eps=ln_eps, layer=t, backend=be)

    if mode == "san":
        Y = _attend(X, M, P, be)
        return Y + X if skip else Y
    if mode == "post-ln":
        Y = _attend(X, M, P, be)
        return norm(Y + X if skip else Y)
    if mode == "pre-ln":
        Y = _attend(norm(X), M, P, be)
        return Y + X if skip else Y
    raise RankCollapseError(f"mode must be one of {MODES}, got {mode!r}")


@dataclass
class Trajectory:
    """``X[t]`` for ``t = 0..T`` (arrays of the backend's numbers) and how they were made."""

    X: list
    mode: str
    skip: bool
    ln: str
    backend: str
    level: str
    info: dict = field(default_factory=dict)

    @property
    def T(self) -> int:
        return len(self.X) - 1

    def measure(self, name: str, **kw):
        """A measure at every layer: array of shape ``(T+1, *batch)``."""
        try:
            f = _measures.MEASURES[name]
        except KeyError:
            raise RankCollapseError(f"unknown measure {name!r}; choose from "
                                    f"{sorted(_measures.MEASURES)}") from None
        be = get_backend(self.backend)
        with be.context():
            vals = [f(x, **kw) for x in self.X]
        return np.array(vals, dtype=object if be.dtype is object else None)

    def mu(self):
        return self.measure("mu")

    def min_cosine(self):
        return self.measure("phi")

    def stable_rank(self):
        return self.measure("stable_rank")

    def as_float(self) -> list[np.ndarray]:
        be = get_backend(self.backend)
        return [be.to_float(x) for x in self.X]

    def measure_float(self, name: str, **kw) -> np.ndarray:
        """:meth:`measure` as float64 (arb balls by their midpoints).

        Raises :class:`RankCollapseError` when a nonzero high-precision value lies outside
        float64's range (it would silently become 0 or inf): use :meth:`measure_log10`."""
        v = self.measure(name, **kw)
        if v.dtype != object:
            return np.asarray(v, dtype=float)
        be = get_backend(self.backend)
        f = be.to_float(v)
        lost = (f == 0) & ~np.asarray(be.may_be_zero(v), dtype=bool) | ~np.isfinite(f)
        if np.any(lost):
            t = int(np.argwhere(lost)[0][0])
            raise RankCollapseError(f"measure {name!r} at layer {t} is outside float64 range "
                                    f"({v.ravel()[np.flatnonzero(lost.ravel())[0]]}); use "
                                    "measure_log10() or measure()")
        return f

    def resolution(self, t: int) -> float:
        """Smallest spread of the tokens this precision can resolve at layer ``t``:
        ``10^-digits * max|X_ij| * sqrt(N d)``.  A computed ``mu`` below it is rounding
        noise (for arb balls the radius already says so)."""
        be = get_backend(self.backend)
        X = np.abs(be.to_float(self.X[t]))
        n, d = X.shape[-2:]
        return float(10.0 ** (-(be.digits or 15)) * X.max() * np.sqrt(n * d))

    def measure_log10(self, name: str, **kw) -> np.ndarray:
        """``log10`` of a non-negative measure, computed in the backend's own precision, so
        values far below float64's range (1e-400 at 60 digits) keep their exponent; zero
        gives ``-inf``."""
        v = self.measure(name, **kw)
        if v.dtype != object:
            with np.errstate(divide="ignore"):
                return np.log10(np.asarray(v, dtype=float))
        import mpmath

        def lg(x):
            x = mpmath.mpf(x.mid()) if hasattr(x, "mid") else mpmath.mpf(x)
            return float(mpmath.log10(x)) if x > 0 else -np.inf

        be = get_backend(self.backend)
        with be.context(), mpmath.workdps(max(20, be.digits or 20)):
            return np.vectorize(lg, otypes=[float])(v)

    def table(self, measures=("mu", "phi", "rank", "stable_rank"), every: int = 1) -> list[dict]:
        """Rows ``{"t": t, measure: value}`` every ``every`` layers and at ``T`` (floats;
        means over the batch for a batch).  A high-precision value outside float64's range
        is given as a decimal string instead of being flushed to 0."""
        be = get_backend(self.backend)
        cols, undefined = {}, {}
        for m in measures:
            try:
                cols[m] = self.measure(m)
            except RankCollapseError as exc:   # e.g. phi of a zero token: no direction
                undefined[m] = str(exc)
        ts = sorted(set(range(0, self.T + 1, max(1, every))) | {self.T})
        rows = []
        for t in ts:
            row = {"t": t}
            res = self.resolution(t)
            for m in undefined:
                row[m] = None
            for m, v in cols.items():
                x = np.asarray(v[t])
                if m in ("mu", "dist_rank_one") and be.level != "certified" and \
                        np.all(be.to_float(x) < res):
                    row[m] = f"<{res:.0e}"   # below what this precision can resolve
                elif x.dtype == object:
                    f = be.to_float(x)
                    if np.all(np.isfinite(f)) and not np.any((f == 0) & ~be.may_be_zero(x)):
                        row[m] = float(np.mean(f))
                    else:
                        import mpmath
                        val = x.ravel()[0]
                        val = val.mid() if hasattr(val, "mid") else val
                        row[m] = mpmath.nstr(mpmath.mpf(val), 6)
                else:
                    row[m] = float(np.mean(x))
            rows.append(row)
        return rows

    def format(self, measures=("mu", "phi", "rank", "stable_rank"), every: int = 1) -> str:
        """:meth:`table` as aligned text, one line per printed layer (``undefined`` where a
        measure has no value, e.g. phi with a zero token).

        >>> import numpy as np
        >>> from numeric import masks
        >>> I, Z = np.eye(2), np.zeros((2, 2))      # W_Q = W_K = 0: A averages
        >>> print(simulate(np.array([[1.0, 0.0], [0.0, 1.0]]), masks.causal(2), (Z, Z, I),
        ...                1).format(("mu",)))
                   t            mu
                   0    1.0000e+00
                   1    5.0000e-01
        """
        rows = self.table(measures, every=every)
        head = ["t", *measures]

        def cell(col, v):
            if v is None:
                return f"{'undefined':>12s}"
            if isinstance(v, str):
                return f"{v:>12s}"
            if col in ("t", "rank") and float(v).is_integer():
                return f"{int(v):>12d}"
            return f"{v:>12.4g}" if col == "rank" else f"{v:>12.4e}"

        lines = ["  ".join(f"{h:>12}" for h in head)]
        lines += ["  ".join(cell(h, r[h]) for h in head) for r in rows]
        return "\n".join(lines)


class AssumptionWarning(UserWarning):
    """An assumption of the theorems fails for this run (the run itself is valid)."""


def _warn_a1(masks_list: list) -> None:
    """Warn (not refuse: the dynamics is defined) when a layer's mask has no self-loop at
    some token: A1 fails, and Theorems 1-2 say nothing about the run.  ``masks_list`` is
    the validated period of :func:`_as_mask_schedule`."""
    import warnings

    from .sparse_attention import mask_missing_self_loops

    for k, Mk in enumerate(masks_list):    # masks already validated by _resolve_masks
        miss = mask_missing_self_loops(Mk)
        if len(miss):
            where = f" in layer {k} of the schedule" if len(masks_list) > 1 else ""
            warnings.warn(f"A1 fails{where}: token(s) {list(map(int, miss[:10]))} do not "
                          "attend to themselves, so Theorems 1-2 give no rate for this run",
                          AssumptionWarning, stacklevel=3)
            return


#: a dense float64 mask at least this large and at most this dense runs on the sparse path
SPARSE_MIN_N = 256
SPARSE_MAX_DENSITY = 0.125


def _as_mask_schedule(M) -> list:
    """A list of masks (one per layer of the period) from a mask, a list/tuple of masks,
    a :class:`numeric.sparse_attention.Schedule` or a ``Pattern``."""
    from .sparse_attention import Pattern, Schedule

    if isinstance(M, Schedule):
        items = list(M.masks)
    elif isinstance(M, (list, tuple)):
        items = list(M)
        if not items:
            raise RankCollapseError("an empty list of masks")
    else:
        items = [M]
    return [m if isinstance(m, Pattern) else _masks.as_mask(m) for m in items]


def _resolve_masks(items, n, d, batch, be, sparse, memory_limit) -> list:
    """Choose the attention path per mask and check memory before anything is allocated.

    ``sparse``: ``"auto"`` (CSR for patterns, sparse masks and dense float64 masks of
    density <= SPARSE_MAX_DENSITY with N >= SPARSE_MIN_N), ``True`` or ``False``."""
    from . import sparse_attention as SA

    if sparse not in ("auto", True, False):
        raise RankCollapseError(f"sparse must be 'auto', True or False, got {sparse!r}")
    limit = SA.available_memory() * 0.8 if memory_limit is None else float(memory_limit)
    out = []
    cache = {}
    for m in items:
        if id(m) in cache:
            out.append(cache[id(m)])
            continue
        nn = SA.mask_n(m)
        if nn != n:
            raise ShapeError(f"mask has shape {(nn, nn)} but there are N = {n} tokens")
        use_sparse = isinstance(m, SA.Pattern) or sp.issparse(m)
        if sparse is True:
            use_sparse = True
        elif sparse is False and not isinstance(m, SA.Pattern):
            use_sparse = False
        elif sparse == "auto" and not use_sparse and isinstance(be, Float64) \
                and n >= SPARSE_MIN_N and SA.mask_density(m) <= SPARSE_MAX_DENSITY:
            use_sparse = True
        if sparse == "auto" and isinstance(m, SA.Pattern) and isinstance(be, Float64) \
                and SA.mask_density(m) > SPARSE_MAX_DENSITY \
                and SA.dense_attention_bytes(n, d, batch) + n * n <= limit:
            use_sparse = False           # a dense pattern (a global layer) runs faster dense
        if use_sparse and not isinstance(be, Float64):
            if isinstance(m, SA.Pattern) or sp.issparse(m):
                raise RankCollapseError("sparse masks are supported at float64 only")
            use_sparse = False
        if use_sparse:
            need = SA.sparse_attention_bytes(SA.mask_n_edges(m), n, d, batch)
            what = f"sparse attention on {SA.mask_n_edges(m):.4g} edges"
        else:
            need = SA.dense_attention_bytes(n, d, batch) if isinstance(be, Float64) else 0
            what = f"dense attention (B x N x N = {batch} x {n} x {n} float64)"
        if need > limit:
            raise RankCollapseError(
                f"refusing to allocate: {what} at N = {n}, d = {d} needs about "
                f"{SA.gib(need):.1f} GiB, over the {SA.gib(limit):.1f} GiB available; use a "
                f"sparser mask or a smaller N")
        if use_sparse:
            mm = m.to_sparse() if isinstance(m, SA.Pattern) else sp.csr_array(m)
            mm = sp.csr_array(mm, dtype=bool)
            mm.sort_indices()
        else:
            src = m.to_sparse() if isinstance(m, SA.Pattern) else m
            mm = src.toarray() if sp.issparse(src) else src
        _check_mask_fits(mm, n)
        cache[id(m)] = mm
        out.append(mm)
    return out


#: bytes per stored entry of a high-precision trajectory (object array: a pointer and an
#: mpf / arb object of a few dozen digits)
HP_ENTRY_BYTES = 112


def trajectory_bytes(T: int, batch: int, n: int, d: int, be) -> int:
    """Memory the stored trajectory ``X(0), ..., X(T)`` takes (float64: 8 bytes an entry)."""
    per = 8 if isinstance(be, Float64) else HP_ENTRY_BYTES
    return (int(T) + 1) * int(batch) * int(n) * int(d) * per


def _check_trajectory_fits(T, batch, n, d, be, memory_limit) -> None:
    """Refuse, before the first layer, a run whose stored trajectory does not fit."""
    from . import sparse_attention as SA
    limit = SA.available_memory() * 0.8 if memory_limit is None else float(memory_limit)
    need = trajectory_bytes(T, batch, n, d, be)
    if need > limit:
        raise RankCollapseError(
            f"refusing to run: the trajectory of {T + 1} layers x {batch} x {n} x {d} "
            f"({be.name}) needs about {SA.gib(need):.1f} GiB, over the {SA.gib(limit):.1f} GiB "
            "available; lower the number of layers, the batch or the size")


def simulate(X0, M, layers, T: int, *, mode: str = "san", skip: bool = False,
             ln: str = "paper", ln_eps=0.0, backend="float64", callback=None,
             sparse="auto", memory_limit=None) -> Trajectory:
    """Run ``T`` layers from ``X0`` (shape ``(N, d)`` or a float64 batch ``(B, N, d)``).

    ``M`` is one mask, or a schedule (a list of masks, a
    :class:`numeric.sparse_attention.Schedule`, a ``Pattern``): layer ``t`` uses
    ``masks[t % len(masks)]``.  ``sparse="auto"`` runs float64 attention only on the
    mask's edges for sparse masks, patterns and dense masks of low density
    (``trajectory.info["attention_path"]`` says which); the memory one layer needs is
    estimated first and a one-line :class:`RankCollapseError` refuses a run that does not
    fit in ``memory_limit`` bytes (default: 80% of the available memory).

    ``backend``: ``"float64"``, ``"mpmath:DPS"`` or ``"arb:DPS"`` (rigorous balls).
    ``ln``: ``"paper"`` (rows to unit norm) or ``"full"`` (centring, ``ln_eps``).
    ``callback(t, X)`` is called after each layer (progress).

    Raises :class:`ShapeError`, :class:`MaskError`, :class:`ZeroRowError` (naming the token
    and the layer) or :class:`NonFiniteError` instead of returning NaN.
    """
    be = get_backend(backend)
    if mode not in MODES:
        raise RankCollapseError(f"mode must be one of {MODES}, got {mode!r}")
    if ln not in ("paper", "full"):
        raise RankCollapseError(f"ln must be 'paper' or 'full', got {ln!r}")
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 0:
        raise RankCollapseError(f"T (number of layers) must be a non-negative integer, got {T!r}")
    sched = _as_mask_schedule(M)
    get = _layer_getter(layers, T)
    with be.context():
        X = be.asarray(X0)
        if X.ndim not in (2, 3):
            raise ShapeError(f"X0 must have shape (N, d) or (B, N, d), got {X.shape}")
        if X.ndim == 3 and not isinstance(be, Float64):
            raise RankCollapseError("batches are supported at float64; loop over samples for "
                                    "mpmath / arb")
        d = X.shape[-1]
        batch = X.shape[0] if X.ndim == 3 else 1
        masks_t = _resolve_masks(sched, X.shape[-2], d, batch, be, sparse, memory_limit)
        _check_trajectory_fits(T, batch, X.shape[-2], d, be, memory_limit)
        _warn_a1(sched)
        M = masks_t[0]
        Xs = [X]
        fixed = isinstance(layers, (Layer, tuple))  # the same weights at every layer:
        P_fixed = _prepare(get(0), d, be, skip, 0) if fixed and T else None  # convert once
        for t in range(T):
            P = P_fixed if fixed else _prepare(get(t), d, be, skip, t)
            with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                X = step(X, masks_t[t % len(masks_t)], P, mode=mode, skip=skip, ln=ln,
                         ln_eps=ln_eps, be=be, t=t)
            if isinstance(be, Float64) and not np.all(np.isfinite(X)):
                raise RankCollapseError(f"float64 overflow or NaN at layer {t}: the weights "
                                        "grow the tokens beyond float64 range (A3 violated?); "
                                        "use --backend mpmath or LayerNorm")
            Xs.append(X)
            if callback is not None:
                callback(t + 1, X)
    return Trajectory(Xs, mode, skip, ln, be.name, be.level,
                      {"N": int(X.shape[-2]), "d": int(d), "T": int(T),
                       "batch": int(X.shape[0]) if X.ndim == 3 else None,
                       "attention_path": ["sparse" if sp.issparse(m) else "dense"
                                          for m in masks_t],
                       "period": len(masks_t)})
