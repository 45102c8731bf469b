"""A randomly initialised BERT-base forward pass in numpy, at float32, float64 or mpmath.

Written to settle whether the paper's "LayerNorm keeps mu(X(t)) at a stable level above zero
at random initialisation" (Section 5, Fig. 2) survives a change of floating-point precision.
Everything follows ``transformers.BertModel`` at initialisation (``_init_weights``):

* Weights N(0, std^2) with ``std = 0.02`` (``initializer_range``), all biases zero (they are
  omitted: adding a zero is exact in every precision), LayerNorm gain 1 and bias 0 (omitted for
  the same reason), ``eps = 1e-12`` (``layer_norm_eps``).
* Embeddings: word (vocabulary 30522) + absolute position (512) + token type (2, all tokens of
  type 0), then the embedding LayerNorm.  Rows of the word table are drawn lazily, one
  generator per id (``seed, 11, id``), so the 30522 x 768 table is never built; every row has
  the distribution it would have in the full table.
* Self-attention: ``h`` heads of size ``d / h``; ``Q = X W_Q``, ``K = X W_K``, ``V = X W_V``
  (``d x d``), scores ``Q_h K_h^T / sqrt(d / h)`` restricted to the mask, softmax, heads
  concatenated and multiplied by ``W_O`` (``d x d``).
* Feed-forward: ``GELU(Y W_1) W_2`` with ``W_1`` of shape ``d x 4d`` and erf-GELU (BERT's).

Variants (Fig. 2's five curves), ``Attn`` the masked multi-head attention above:

* ``san``          ``X' = Attn(X)``
* ``san_skip``     ``X' = X + Attn(X)``
* ``san_ln``       ``X' = LN(Attn(X))``
* ``san_skip_ln``  ``X' = LN(X + Attn(X))``                        (LN after the skip)
* ``full``         ``Y = LN(X + Attn(X))``, ``X' = LN(Y + FFN(Y))``   (a BERT layer)

Precision: weights and embeddings are drawn once in float64 and rounded to the working type
(``float32``: what PyTorch does by default; ``float64``; ``mpmath:DPS``: the float64 numbers
taken exactly, then every operation at DPS digits).  So the three precisions run the same
model on the same input, up to the rounding of the weights to float32.  ``mu`` is computed in
float64 from the float32 state (an exact conversion), and in mpmath for mpmath states.

>>> s = BertShape(n=6, d=8, heads=2, layers=2)
>>> ids = zipf_ids(s, 0, 0)
>>> int(ids[0]), int(ids[-1])
(101, 102)
>>> r = run([ids], {"complete": _complete(6)}, ("san_ln",), s, seed=0, precision="float64")
>>> r["mu"]["complete"]["san_ln"].shape
(3, 1)
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import mpmath
import numpy as np

from . import masks as _masks
from .errors import RankCollapseError, ShapeError
from .precision import get_backend

__all__ = ["BertShape", "VARIANTS", "PRECISIONS", "zipf_ids", "layer_weights", "embed",
           "layer_step", "run", "unit_roundoff", "Prec"]

VARIANTS = ("san", "san_skip", "san_ln", "san_skip_ln", "full")
PRECISIONS = ("float32", "float64")   # plus "mpmath:DPS"

CLS, SEP = 101, 102           # bert-base-uncased's [CLS] and [SEP]
FIRST_WORDPIECE = 999         # ids below are [PAD], [unusedK], [UNK], [CLS], [SEP], [MASK]


@dataclass(frozen=True)
class BertShape:
    """Sizes and initialisation of the model (defaults: BERT-base)."""

    n: int = 128              # tokens, [CLS] ... [SEP]
    d: int = 768              # hidden size
    heads: int = 12
    layers: int = 12
    vocab: int = 30522
    max_pos: int = 512
    std: float = 0.02         # initializer_range
    ln_eps: float = 1e-12     # layer_norm_eps
    zipf_s: float = 1.0       # exponent of the token-frequency law

    @property
    def d_head(self) -> int:
        return self.d // self.heads

    @property
    def d_ff(self) -> int:
        return 4 * self.d

    def check(self) -> "BertShape":
        for k in ("n", "d", "heads", "layers"):
            if getattr(self, k) < 1:
                raise RankCollapseError(f"{k} must be >= 1, got {getattr(self, k)}")
        if self.n < 3:
            raise RankCollapseError("need n >= 3 tokens: [CLS], at least one word, [SEP]")
        if self.d % self.heads:
            raise ShapeError(f"hidden size d = {self.d} must be a multiple of heads = "
                             f"{self.heads}")
        if self.n > self.max_pos:
            raise ShapeError(f"n = {self.n} tokens exceed the {self.max_pos} positions")
        return self

    def describe(self) -> str:
        return (f"random-init BERT (std {self.std:g}, zero biases, LN gain 1 / bias 0 / eps "
                f"{self.ln_eps:g}): {self.heads} heads, hidden {self.d}, FFN {self.d_ff} "
                f"(erf-GELU), {self.n} tokens, {self.layers} layers; inputs [CLS] + "
                f"Zipf(s={self.zipf_s:g}) word-piece ids with repeats + [SEP], word + position"
                f" + type-0 embeddings, embedding LN")


def _complete(n):
    return _masks.complete(n)


# --------------------------------------------------------------------------- precision

def unit_roundoff(precision: str) -> float:
    """Machine epsilon of the working type (float32 2^-23, float64 2^-52, mpmath 10^-dps)."""
    if precision == "float32":
        return float(np.finfo(np.float32).eps)
    if precision == "float64":
        return float(np.finfo(np.float64).eps)
    return 10.0 ** (-get_backend(precision).digits)


class Prec:
    """The handful of elementwise operations the forward pass needs, per number type."""

    def __init__(self, spec: str):
        self.spec = spec
        if spec in ("float32", "float64"):
            from scipy.special import erf

            self.dtype = np.dtype(spec)
            self.obj = False
            self._erf = erf
        elif isinstance(spec, str) and spec.startswith("mpmath"):
            self.be = get_backend(spec)
            self.dtype = object
            self.obj = True
            self._erf = np.frompyfunc(mpmath.erf, 1, 1)
        else:
            raise RankCollapseError(f"precision must be 'float32', 'float64' or 'mpmath:DPS', "
                                    f"got {spec!r}")
        self.eps = unit_roundoff(spec)

    def context(self):
        return self.be.context() if self.obj else contextlib.nullcontext()

    def arr(self, a):
        """A float64 array in this type (float32: rounded; mpmath: exact)."""
        if self.obj:
            return self.be.asarray(np.asarray(a, dtype=np.float64))
        return np.asarray(a, dtype=np.float64).astype(self.dtype)

    def c(self, x):
        return self.be.scalar(x) if self.obj else self.dtype.type(x)

    def exp(self, a):
        return self.be.exp(a) if self.obj else np.exp(a)

    def sqrt(self, a):
        return self.be.sqrt(a) if self.obj else np.sqrt(a)

    def erf(self, a):
        return self._erf(a)

    def to64(self, a) -> np.ndarray:
        return np.asarray(self.be.to_float(a) if self.obj else a, dtype=np.float64)


@contextlib.contextmanager
def single_thread_blas():
    """Run numpy's bundled OpenBLAS on one thread inside the block (restored afterwards).

    The products here are small (128 x 64 per head); on a shared machine OpenBLAS's threads
    make them up to 100x slower.  A no-op when numpy uses another BLAS."""
    fns = _openblas_thread_fns()
    if fns is None:
        yield
        return
    get, set_ = fns
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)


_BLAS_FNS: list = []


def _openblas_thread_fns():
    if not _BLAS_FNS:
        found = None
        try:
            import ctypes
            import glob
            import os

            libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
            for path in glob.glob(os.path.join(libdir, "*openblas*")):
                lib = ctypes.CDLL(path)
                for pre, suf in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                                 ("openblas", "64_"), ("openblas", "")):
                    g = getattr(lib, f"{pre}_get_num_threads{suf}", None)
                    st = getattr(lib, f"{pre}_set_num_threads{suf}", None)
                    if g is not None and st is not None:
                        found = (g, st)
                        break
                if found:
                    break
        except OSError:
            found = None
        _BLAS_FNS.append(found)
    return _BLAS_FNS[0]


# --------------------------------------------------------------------------- inputs

def _rng(*key) -> np.random.Generator:
    return np.random.default_rng([int(k) for k in key])


def zipf_ids(s: BertShape, seed: int, sample: int) -> np.ndarray:
    """``[CLS], w_1 .. w_{n-2}, [SEP]``: word-piece ids with a Zipf law of exponent
    ``s.zipf_s`` over the word-piece vocabulary (ids 999..vocab-1, ranked by a fixed random
    permutation drawn from ``seed``), so frequent ids repeat as in text.  No corpus is used."""
    words = np.arange(FIRST_WORDPIECE, s.vocab)
    perm = _rng(seed, 12).permutation(words)
    ranks = np.arange(1, len(words) + 1, dtype=float)
    p = ranks ** -s.zipf_s
    p /= p.sum()
    r = _rng(seed, 13, sample).choice(len(words), size=s.n - 2, p=p)
    return np.concatenate([[CLS], perm[r], [SEP]]).astype(np.int64)


def _word_rows(ids, s: BertShape, seed: int) -> np.ndarray:
    ids = np.asarray(ids)
    rows = {int(i): _rng(seed, 11, int(i)).normal(0.0, s.std, s.d) for i in np.unique(ids)}
    return np.stack([rows[int(i)] for i in ids.ravel()]).reshape(*ids.shape, s.d)


def embedding_sum(ids_list, s: BertShape, seed: int) -> np.ndarray:
    """Float64 ``E[ids] + P[0..n-1] + T[0]`` for each id sequence, shape ``(B, n, d)``."""
    ids = np.asarray(ids_list)
    if ids.ndim != 2 or ids.shape[1] != s.n:
        raise ShapeError(f"ids must have shape (B, {s.n}), got {ids.shape}")
    if ids.min() < 0 or ids.max() >= s.vocab:
        raise RankCollapseError(f"token ids must lie in [0, {s.vocab})")
    P = _rng(seed, 14).normal(0.0, s.std, (s.max_pos, s.d))[:s.n]
    T = _rng(seed, 15).normal(0.0, s.std, (2, s.d))[0]
    return _word_rows(ids, s, seed) + P + T


def layer_norm(Y, eps, p: Prec):
    """torch's layer_norm over the last axis (biased variance), gain 1, bias 0."""
    d = Y.shape[-1]
    C = Y - Y.sum(axis=-1, keepdims=True) / p.c(d)
    var = (C * C).sum(axis=-1, keepdims=True) / p.c(d)
    return C / p.sqrt(var + p.c(eps))


def embed(ids_list, s: BertShape, seed: int, p: Prec):
    """``X(0) = LN(word + position + type embeddings)`` in precision ``p``; the sum is
    formed in the working type from the rounded tables, as PyTorch does."""
    ids = np.asarray(ids_list)
    P = _rng(seed, 14).normal(0.0, s.std, (s.max_pos, s.d))[:s.n]
    T = _rng(seed, 15).normal(0.0, s.std, (2, s.d))[0]
    E = _word_rows(ids, s, seed)
    with p.context():
        return layer_norm(p.arr(E) + p.arr(P) + p.arr(T), s.ln_eps, p)


# --------------------------------------------------------------------------- layers

def layer_weights(s: BertShape, seed: int, t: int, *, ffn: bool = True) -> dict:
    """Float64 weights of layer ``t`` (``W_Q, W_K, W_V, W_O``: ``d x d``; ``W_1``: ``d x 4d``,
    ``W_2``: ``4d x d``), N(0, std^2), from the generator ``(seed, 16, t)``: the same for every
    mask, variant and precision."""
    rng = _rng(seed, 16, t)
    W = {k: rng.normal(0.0, s.std, (s.d, s.d)) for k in ("Q", "K", "V", "O")}
    if ffn:
        W["1"] = rng.normal(0.0, s.std, (s.d, s.d_ff))
        W["2"] = rng.normal(0.0, s.std, (s.d_ff, s.d))
    return W


def _mm(X, W):
    """``X @ W`` for ``X`` of shape ``(..., k)`` and a 2-D ``W``: one 2-D product (numpy's
    stacked matmul is much slower than one GEMM)."""
    if X.dtype == object:
        return X @ W
    return (X.reshape(-1, X.shape[-1]) @ W).reshape(*X.shape[:-1], W.shape[-1])


def _heads(Z, heads: int):
    """``(B, n, d) -> (B, h, n, d/h)``, contiguous (so the batched products run on BLAS)."""
    B, n, d = Z.shape
    return np.ascontiguousarray(Z.reshape(B, n, heads, d // heads).transpose(0, 2, 1, 3))


def attention_probs(X, WQ, WK, M, heads: int, p: Prec):
    """Per-head masked softmax of ``Q_h K_h^T / sqrt(d_head)``: shape ``(B, h, n, n)``,
    exact zeros off the mask."""
    dh = X.shape[-1] // heads
    Q = _heads(_mm(X, WQ), heads) / p.sqrt(p.arr(np.array([dh], dtype=float)))[0]
    K = _heads(_mm(X, WK), heads)
    R = Q @ np.ascontiguousarray(np.swapaxes(K, -1, -2))
    if p.obj:
        zero = p.c(0)
        E = np.where(M, p.exp(np.where(M, R, zero)), zero)
    else:
        R = np.where(M, R, p.dtype.type(-np.inf))
        R -= R.max(axis=-1, keepdims=True)
        E = np.exp(R, out=R)
    return E / E.sum(axis=-1, keepdims=True)


def attend(X, M, W: dict, heads: int, p: Prec):
    """Masked multi-head self-attention ``concat_h(A_h X W_V^h) W_O``."""
    B, n, d = X.shape
    A = attention_probs(X, W["Q"], W["K"], M, heads, p)
    V = _heads(_mm(X, W["V"]), heads)
    H = np.ascontiguousarray((A @ V).transpose(0, 2, 1, 3)).reshape(B, n, d)
    return _mm(H, W["O"])


def gelu(Z, p: Prec):
    return Z * p.c(0.5) * (p.c(1) + p.erf(Z / p.sqrt(p.arr(np.array([2.0])))[0]))


def layer_step(X, M, W: dict, variant: str, s: BertShape, p: Prec):
    """One layer of ``variant`` on ``X`` of shape ``(B, n, d)`` with weights already in ``p``."""
    if variant not in VARIANTS:
        raise RankCollapseError(f"variant must be one of {VARIANTS}, got {variant!r}")
    Y = attend(X, M, W, s.heads, p)
    if variant == "san":
        return Y
    if variant == "san_skip":
        return X + Y
    if variant == "san_ln":
        return layer_norm(Y, s.ln_eps, p)
    Y = layer_norm(X + Y, s.ln_eps, p)
    if variant == "san_skip_ln":
        return Y
    return layer_norm(Y + _mm(gelu(_mm(Y, W["1"]), p), W["2"]), s.ln_eps, p)


def _mu_fro(X, p: Prec):
    """``mu`` and ``||X||_F`` per sample, as floats: float64 from a float32/float64 state
    (exact conversion), mpmath for an mpmath state (then rounded to float64, which holds
    the values met here)."""
    if p.obj:
        with p.context():
            C = X - X.sum(axis=-2, keepdims=True) / p.c(X.shape[-2])
            mu = p.sqrt((C * C).sum(axis=(-2, -1)))
            fro = p.sqrt((X * X).sum(axis=(-2, -1)))
        return p.to64(mu), p.to64(fro)
    X = X.astype(np.float64)
    C = X - X.mean(axis=-2, keepdims=True)
    return np.sqrt((C * C).sum(axis=(-2, -1))), np.sqrt((X * X).sum(axis=(-2, -1)))


def run(ids_list, masks: dict, variants, s: BertShape, *, seed: int, precision: str,
        callback=None) -> dict:
    """All ``masks`` x ``variants`` on the inputs ``ids_list`` through ``s.layers`` layers in
    one precision.  Layer by layer: the weights of layer ``t`` are drawn once and shared.

    Returns ``{"mu": {mask: {variant: (T+1, B)}}, "fro": same shape (||X(t)||_F),
    "precision", "eps"}``.  ``callback(t)`` after each layer."""
    s.check()
    p = Prec(precision)
    variants = tuple(variants)
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        raise RankCollapseError(f"unknown variant(s) {bad}; choose from {VARIANTS}")
    Ms = {}
    for name, M in masks.items():
        M = np.asarray(_masks.to_dense(_masks.as_mask(M)), dtype=bool)
        if M.shape != (s.n, s.n):
            raise ShapeError(f"mask {name!r} has shape {M.shape}, need ({s.n}, {s.n})")
        if _masks.empty_rows(M).size:
            raise RankCollapseError(f"mask {name!r} has a token that attends to nothing")
        Ms[name] = M
    with single_thread_blas():
        return _run(ids_list, Ms, variants, s, seed, p, precision, callback)


def _run(ids_list, Ms, variants, s, seed, p, precision, callback):
    X0 = embed(ids_list, s, seed, p)
    T, B = s.layers, X0.shape[0]
    states = {(m, v): X0 for m in Ms for v in variants}
    mu = {m: {v: np.empty((T + 1, B)) for v in variants} for m in Ms}
    fro = {m: {v: np.empty((T + 1, B)) for v in variants} for m in Ms}

    def record(t):
        for (m, v), X in states.items():
            mu[m][v][t], fro[m][v][t] = _mu_fro(X, p)

    record(0)
    need_ffn = "full" in variants
    for t in range(T):
        W64 = layer_weights(s, seed, t, ffn=need_ffn)
        with p.context():
            W = {k: p.arr(w) for k, w in W64.items()}
            del W64
            for (m, v), X in states.items():
                X = layer_step(X, Ms[m], W, v, s, p)
                if not p.obj and not np.all(np.isfinite(X)):
                    raise RankCollapseError(f"non-finite values at layer {t + 1} "
                                            f"({m}, {v}, {precision})")
                states[(m, v)] = X
        record(t + 1)
        if callback is not None:
            callback(t + 1)
    return {"mu": mu, "fro": fro, "precision": precision, "eps": p.eps}


def rounding_floor(fro, precision: str):
    """The rounding floor of ``mu``: ``sqrt(N d) * eps * rms|x| = eps * ||X||_F``."""
    return unit_roundoff(precision) * np.asarray(fro, dtype=float)


def floor_ratio(mu, fro, precision: str):
    """``mu / (eps * ||X||_F)``: how many rounding units the measured spread is."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(mu, dtype=float) / rounding_floor(fro, precision)



# --------------------------------------------------------------------------- the floor rule

#: a level within this many rounding units ``eps * ||X||_F`` is "at the floor"
FLOOR_UNITS = 100.0
#: float64 at least this much lower than float32 on the same seed: the level moved with eps
FLOOR_DROP = 1e-3
#: float32 and float64 within this factor: the level does not depend on the precision
GENUINE_FACTOR = 2.0
#: a genuine level is at least this many float64 rounding units above float64's floor
GENUINE_UNITS = 1e3


def classify_level(mu32: float, fro32: float, mu64: float, fro64: float) -> dict:
    """Decide whether a float32 level of ``mu`` is the rounding floor or genuine.

    * ``floor``:   ``mu32 <= FLOOR_UNITS * eps32 * ||X32||_F`` (a few rounding units of the
      token matrix: ``sqrt(N d) * eps32 * rms|x|``) AND the same seed in float64 gives
      ``mu64 <= FLOOR_DROP * mu32`` or is itself within ``FLOOR_UNITS`` float64 units (the
      level moves with the precision).  An exact float32 zero (all rows rounded to the same
      row) counts as the floor when float64 is at its own floor.
    * ``genuine``: ``mu32 / mu64`` within ``[1/GENUINE_FACTOR, GENUINE_FACTOR]`` AND
      ``mu64 > GENUINE_UNITS * eps64 * ||X64||_F`` (the level does not move with precision
      and float64 resolves it).
    * ``undecided`` otherwise (never counted as support either way).

    >>> classify_level(4e-5, 313.0, 5e-13, 313.0)["verdict"]
    'floor'
    >>> classify_level(118.0, 313.0, 118.0, 313.0)["verdict"]
    'genuine'
    >>> classify_level(1e-3, 313.0, 1e-4, 313.0)["verdict"]
    'undecided'
    """
    e32, e64 = unit_roundoff("float32"), unit_roundoff("float64")
    u32 = mu32 / (e32 * fro32) if fro32 > 0 else float("inf")
    u64 = mu64 / (e64 * fro64) if fro64 > 0 else float("inf")
    at32 = u32 <= FLOOR_UNITS
    moved = (mu64 <= FLOOR_DROP * mu32) if mu32 > 0 else False
    at64 = u64 <= FLOOR_UNITS
    floor = bool(at32 and (moved or at64))
    ratio = mu32 / mu64 if mu64 > 0 else (1.0 if mu32 == 0 else float("inf"))
    genuine = bool(1 / GENUINE_FACTOR <= ratio <= GENUINE_FACTOR and u64 > GENUINE_UNITS)
    return {"verdict": "floor" if floor else "genuine" if genuine else "undecided",
            "mu32": float(mu32), "mu64": float(mu64), "ratio32_64": float(ratio),
            "units32": float(u32), "units64": float(u64),
            "floor32": float(e32 * fro32), "floor64": float(e64 * fro64)}


def is_stable(mu_curve, frac: float = 0.25, factor: float = 2.0) -> dict:
    """A level is *stable* if over the last ``frac`` of the layers it fell by less than
    ``factor``: ``mu(T) >= mu(T - q) / factor`` with ``q = max(1, round(frac * T))``."""
    mu_curve = np.asarray(mu_curve, dtype=float)
    T = len(mu_curve) - 1
    q = max(1, int(round(frac * T)))
    a, b = float(mu_curve[T - q]), float(mu_curve[T])
    return {"stable": bool(b >= a / factor), "from_layer": T - q, "mu_from": a, "mu_T": b,
            "drop": (b / a) if a > 0 else float("nan")}
