"""LayerNorm: the paper's (rows to unit 2-norm) and the full one (torch semantics).

The paper's LayerNorm divides each token (row) by its Euclidean norm: no centring, no
gain, no bias, no epsilon.  Tokens then live on the unit sphere.

Full LayerNorm, as ``torch.nn.functional.layer_norm`` over the last axis:
``(y - mean(y)) / sqrt(var(y) + eps) * gain + bias`` with the biased variance.
With ``eps = 0`` and no gain or bias it equals ``sqrt(d) * (y P) / ||y P||`` with
``P = I - 11^T / d`` (centring), i.e. the paper's LN after the linear map ``P``.

>>> import numpy as np
>>> layernorm(np.array([[3.0, 4.0]]))
array([[0.6, 0.8]])
"""
from __future__ import annotations

import numpy as np

from .errors import RankCollapseError, ShapeError, ZeroRowError
from .precision import FLOAT64, Backend, get_backend

__all__ = ["layernorm", "layer_norm_full", "row_norms"]


def row_norms(Y, *, backend: Backend = FLOAT64):
    """2-norm of each row.  In float64 each row is first divided by its largest absolute
    entry, so a tiny but nonzero row (e.g. ``1e-160``, whose squares underflow to 0) keeps
    its direction: only an exactly zero row has norm 0.  mpmath and arb have exponents
    wide enough not to need this.

    >>> float(row_norms(np.array([[3e-160, 4e-160]]))[0])
    5e-160
    """
    if backend.dtype is object:
        return backend.sqrt((Y * Y).sum(axis=-1))
    m = np.abs(Y).max(axis=-1)
    safe = np.where(m > 0, m, 1.0)
    Z = Y / safe[..., None]
    return m * np.sqrt((Z * Z).sum(axis=-1))


def _normalise(Y, backend: Backend, layer):
    if backend.dtype is not object:
        # divide by the largest entry first: the direction of a tiny (even subnormal) or
        # huge row is computed from numbers of order 1, with no underflow or overflow
        m = np.abs(Y).max(axis=-1)
        bad = m == 0
        Y = Y / np.where(bad, 1.0, m)[..., None]
    n = row_norms(Y, backend=backend)
    bad = backend.may_be_zero(n)
    if np.any(bad):
        idx = np.argwhere(bad)
        tokens = idx[:, -1].tolist() if idx.ndim == 2 else idx.tolist()
        flat = np.asarray(n, dtype=object).reshape(-1)
        exactly = all(_is_exact_zero(v) for v, b in zip(flat, np.asarray(bad).reshape(-1)) if b)
        raise ZeroRowError(sorted(set(tokens))[:10], layer,
                           kind="paper" if exactly else "precision")
    return Y / n[..., None]


def _is_exact_zero(v) -> bool:
    """True for a float or mpf equal to 0 and for an arb ball that is exactly 0; False for a
    ball that only contains 0 (its digits are exhausted)."""
    is_zero = getattr(v, "is_zero", None)
    if callable(is_zero):
        return bool(is_zero())
    return v == 0


def _rows_of(Y):
    """``Y`` must have at least one axis of length >= 1 (the features of a token)."""
    if Y.ndim < 1 or Y.shape[-1] < 1:
        raise ShapeError(f"LayerNorm needs tokens with at least one feature, got shape "
                         f"{Y.shape}")
    return Y


def layernorm(Y, *, layer=None, backend="float64"):
    """The paper's LayerNorm: each row divided by its 2-norm.

    The rule for tiny rows: a row is refused only when it is exactly zero (for arb: when
    its norm cannot be certified nonzero); a nonzero row whose squared norm would
    underflow is rescaled before squaring (:func:`row_norms`), so it keeps its direction.
    A zero row raises :class:`ZeroRowError` naming the token and, if given, the layer."""
    be = get_backend(backend)
    with be.context():
        return _normalise(_rows_of(be.asarray(Y)), be, layer)


def layer_norm_full(Y, *, eps=1e-5, gain=None, bias=None, layer=None, backend="float64"):
    """Full LayerNorm over the last axis with torch's semantics (biased variance).

    With ``eps = 0`` a row with all entries equal has no direction and raises
    :class:`ZeroRowError`."""
    be = get_backend(backend)
    try:
        ok = np.isscalar(eps) and not isinstance(eps, str) and 0 <= float(eps) < np.inf
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise RankCollapseError(f"LayerNorm eps must be a finite number >= 0, got {eps!r}")
    with be.context():
        Y = _rows_of(be.asarray(Y))
        d = Y.shape[-1]
        C = Y - Y.sum(axis=-1, keepdims=True) / be.scalar(d)
        var = (C * C).sum(axis=-1) / be.scalar(d)
        if float(eps) == 0:
            if np.any(be.may_be_zero(var)):
                bad = np.argwhere(be.may_be_zero(var))
                raise ZeroRowError(sorted(set(bad[:, -1].tolist()))[:10], layer, kind="full")
            out = C / be.sqrt(var)[..., None]
        else:
            out = C / be.sqrt(var + be.scalar(eps))[..., None]
        if gain is not None:
            out = out * be.asarray(gain)
        if bias is not None:
            out = out + be.asarray(bias)
        return out
