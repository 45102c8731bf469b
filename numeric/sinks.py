"""Attention sinks (gpt-oss): a learned logit per head joins each softmax, then its column
is dropped.

With scores ``R`` (masked as usual) and a sink logit ``s``::

    softmax([R_i1, ..., R_ik, s])[:k] = c_i * softmax(R_i)      c_i = S_i / (S_i + e^s)

where ``S_i = sum_{j in N_i} exp(R_ij)``: so ``A_sink = diag(c) A`` with ``c_i`` in
``(0, 1)``.  The rows of ``A_sink`` sum to ``c_i < 1``: the attention matrix is
sub-stochastic, and every theorem that uses row-stochasticity loses that hypothesis.
(transformers' ``GptOssAttention``: ``torch.cat([attn_weights, sinks])``, softmax,
``probs[..., :-1]``; the sink logit is not scaled by the temperature.)

:func:`simulate` is :func:`numeric.dynamics.simulate` with one sink logit per head
(``sink=-inf`` is no sink: ``c = 1``).  It reuses that module's weight handling, mask
resolution, LayerNorm and :class:`~numeric.dynamics.Trajectory`; only the attention
differs (``sum_h diag(c_h) A_h Z W_V^h``), and ``tests/test_sinks.py`` checks that with
``sink=-inf`` it reproduces :func:`numeric.dynamics.simulate` in every mode.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from . import dynamics as _dyn
from .attention import _exp_rows_f64, rmatmul, scores
from .errors import RankCollapseError
from .layernorm import _normalise, layer_norm_full
from .precision import Float64, get_backend

__all__ = ["sink_factors", "sink_attention", "simulate", "reference_sink_softmax"]


def _check_sink(sink, heads: int) -> list:
    vals = list(sink) if isinstance(sink, (list, tuple, np.ndarray)) else [sink] * heads
    if len(vals) != heads:
        raise RankCollapseError(f"--sink: {len(vals)} logits given for {heads} heads")
    out = []
    for v in vals:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise RankCollapseError(f"--sink: a sink logit must be a number, got {v!r}") from None
        if math.isnan(f) or f == math.inf:
            raise RankCollapseError(f"--sink: a sink logit must be finite or -inf (no sink), "
                                    f"got {v!r}")
        out.append(v)
    return out


def _sink_value(sink, be):
    s = _check_sink(sink, 1)[0]
    return s if s == -math.inf or isinstance(be, Float64) else be.scalar(s)


def reference_sink_softmax(R, M, s) -> np.ndarray:
    """gpt-oss's eager attention written out (float64, dense): append the logit ``s`` to
    each row's masked scores, softmax over the row, drop the last column.  Used as the
    independent reference in the tests."""
    R = np.where(np.asarray(M, dtype=bool), np.asarray(R, dtype=float), -np.inf)
    n = R.shape[0]
    comb = np.concatenate([R, np.full((n, 1), float(s))], axis=1)
    comb = comb - comb.max(axis=1, keepdims=True)
    P = np.exp(comb)
    P /= P.sum(axis=1, keepdims=True)
    return P[:, :-1]


def _attend_dense(Z, WQ, WK, V, M, d_qk, s, be):
    """``diag(c) A(Z) V`` for one head on a dense mask (every backend)."""
    R = scores(Z, WQ, WK, d_qk, backend=be)
    if isinstance(be, Float64):
        # the same row max as the plain path; c_i = S'_i / (S'_i + e^{s - m_i})
        Rm = np.where(M, R, -np.inf)
        m = Rm.max(axis=-1)
        E = np.array(R, order="C")
        sums = _exp_rows_f64(E, M)
        with np.errstate(over="ignore"):
            tail = np.exp(float(s) - m) if s != -math.inf else 0.0
        c = sums / (sums + tail)
        Y = E @ V
        Y *= (c / sums)[..., None]
        return Y, c
    zero = be.scalar(0)
    E = np.where(M, be.exp(np.where(M, R, zero)), zero)
    S = E.sum(axis=-1)
    c = S / (S + (be.exp(be.scalar(s)) if s != -math.inf else zero))
    return (E / S[..., None]) @ V * c[..., None], c


def _attend_sparse(z, WQ, WK, v, M, d_qk, s):
    n = z.shape[-2]
    rows = np.repeat(np.arange(n), np.diff(M.indptr))
    cols = M.indices
    if d_qk is None:
        d_qk = WQ.shape[1]
    Q, K = z @ WQ, z @ WK
    r = np.einsum("ij,ij->i", Q[rows], K[cols]) / np.sqrt(d_qk)
    starts = M.indptr[:-1]
    m = np.maximum.reduceat(r, starts)
    e = np.exp(r - np.repeat(m, np.diff(M.indptr)))
    sums = np.add.reduceat(e, starts)
    with np.errstate(over="ignore"):
        tail = np.exp(float(s) - m) if s != -math.inf else 0.0
    c = sums / (sums + tail)
    w = e * np.repeat(c / sums, np.diff(M.indptr))
    return sp.csr_array((w, cols.copy(), M.indptr.copy()), shape=(n, n)) @ v, c


def _attend(Z, M, P, be, sinks):
    """``sum_h diag(c_h) A_h(Z) Z W_V^h`` (a batch loops over its samples on sparse masks)."""
    out = None
    for WQ, WK, WV, s in zip(P.W_Q, P.W_K, P.W_V, sinks):
        V = rmatmul(Z, WV)
        if sp.issparse(M):
            if Z.ndim == 2:
                Y, _ = _attend_sparse(Z, WQ, WK, V, M, P.d_qk, s)
            else:
                Y = np.stack([_attend_sparse(z, WQ, WK, v, M, P.d_qk, s)[0]
                              for z, v in zip(Z, V)])
        else:
            Y, _ = _attend_dense(Z, WQ, WK, V, M, P.d_qk, s, be)
        out = Y if out is None else out + Y
    return out


def sink_factors(X, W_Q, W_K, M, sink, d_qk=None, *, backend="float64") -> np.ndarray:
    """The row factors ``c_i = S_i / (S_i + e^s)`` of one head (dense mask)."""
    be = get_backend(backend)
    with be.context():
        X, W_Q, W_K = (be.asarray(a) for a in (X, W_Q, W_K))
        M = np.asarray(M, dtype=bool)
        _, c = _attend_dense(X, W_Q, W_K, X, M, d_qk, _sink_value(sink, be), be)
        return c


def sink_attention(X, W_Q, W_K, M, sink, d_qk=None, *, backend="float64"):
    """``A_sink = diag(c) A`` of one head on a dense mask (rows sum to ``c_i < 1``)."""
    be = get_backend(backend)
    with be.context():
        X, W_Q, W_K = (be.asarray(a) for a in (X, W_Q, W_K))
        M = np.asarray(M, dtype=bool)
        n = X.shape[-2]
        eye = np.eye(n, dtype=float) if isinstance(be, Float64) else \
            np.array([[be.scalar(int(i == j)) for j in range(n)] for i in range(n)],
                     dtype=object)
        Y, _ = _attend_dense(X, W_Q, W_K, eye, M, d_qk, _sink_value(sink, be), be)
        return Y


def _step(X, M, P, *, mode, skip, ln, ln_eps, be, t, sinks):
    def norm(Y):
        return _normalise(Y, be, t) if ln == "paper" else \
            layer_norm_full(Y, eps=ln_eps, layer=t, backend=be)

    if mode == "san":
        Y = _attend(X, M, P, be, sinks)
        return Y + X if skip else Y
    if mode == "post-ln":
        Y = _attend(X, M, P, be, sinks)
        return norm(Y + X if skip else Y)
    if mode == "pre-ln":
        Y = _attend(norm(X), M, P, be, sinks)
        return Y + X if skip else Y
    raise RankCollapseError(f"mode must be one of {_dyn.MODES}, got {mode!r}")


def simulate(X0, M, layers, T: int, *, sink, mode: str = "san", skip: bool = False,
             ln: str = "paper", ln_eps=0.0, backend="float64", callback=None,
             sparse="auto", memory_limit=None) -> _dyn.Trajectory:
    """:func:`numeric.dynamics.simulate` with attention sinks: ``sink`` is one logit for
    every head or a list with one per head (``-inf``: no sink in that head)."""
    be = get_backend(backend)
    if mode not in _dyn.MODES:
        raise RankCollapseError(f"mode must be one of {_dyn.MODES}, got {mode!r}")
    if ln not in ("paper", "full"):
        raise RankCollapseError(f"ln must be 'paper' or 'full', got {ln!r}")
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 0:
        raise RankCollapseError(f"T (number of layers) must be a non-negative integer, got {T!r}")
    sched = _dyn._as_mask_schedule(M)
    get = _dyn._layer_getter(layers, T)
    with be.context():
        X = be.asarray(X0)
        if X.ndim not in (2, 3) or (X.ndim == 3 and not isinstance(be, Float64)):
            raise RankCollapseError(f"X0 must have shape (N, d) (or a float64 batch), got "
                                    f"{X.shape}")
        d = X.shape[-1]
        batch = X.shape[0] if X.ndim == 3 else 1
        masks_t = _dyn._resolve_masks(sched, X.shape[-2], d, batch, be, sparse, memory_limit)
        _dyn._check_trajectory_fits(T, batch, X.shape[-2], d, be, memory_limit)
        _dyn._warn_a1(sched)
        Xs = [X]
        for t in range(T):
            P = _dyn._prepare(get(t), d, be, skip, t)
            sinks = _check_sink(sink, len(P.W_V))
            if not isinstance(be, Float64):
                sinks = [s if s == -math.inf else be.scalar(s) for s in sinks]
            with np.errstate(over="ignore", invalid="ignore"):
                X = _step(X, masks_t[t % len(masks_t)], P, mode=mode, skip=skip, ln=ln,
                          ln_eps=ln_eps, be=be, t=t, sinks=sinks)
            if isinstance(be, Float64) and not np.all(np.isfinite(X)):
                raise RankCollapseError(f"float64 overflow or NaN at layer {t}")
            Xs.append(X)
            if callback is not None:
                callback(t + 1, X)
    return _dyn.Trajectory(Xs, mode, skip, ln, be.name, be.level,
                           {"N": int(X.shape[-2]), "d": int(d), "T": int(T), "sink": sink,
                            "attention_path": ["sparse" if sp.issparse(m) else "dense"
                                               for m in masks_t],
                            "period": len(masks_t)})
