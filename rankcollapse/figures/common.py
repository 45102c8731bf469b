"""Shared setup of the figures: sizes, the BERT-like random model, synthetic inputs, the
joblib sweep, and saving a PNG with its numbers (JSON) and a parameter stamp.

The random model (random initialisation, no downloads, no text):

* ``h`` heads, hidden size ``d``, head size ``d_head = d / h`` (BERT: 12, 768, 64).
* Per layer ``t``: ``W_Q^h, W_K^h`` of shape ``d x d_head`` with N(0, 1/d) entries
  (:func:`numeric.weights.gaussian`, fan-in), value ``V = [V^1 ... V^h]`` and output
  ``W_O`` both ``d x d`` with N(0, 1/d) entries; head ``h``'s value matrix with the output
  projection folded in is ``W_V^h = V^h W_O[h]`` (``d x d``, rank ``d_head``), so the sum
  over heads equals ``concat_h(A_h X V^h) W_O`` exactly as in BERT.  Fresh weights per
  layer, drawn from ``(seed, t)``: every mask and every mode sees the same weights.
* Inputs: i.i.d. N(0, 1) "token embeddings" plus sinusoidal (or random N(0,1)) position
  embeddings, passed through the embedding LayerNorm (full LN, eps 1e-5) as BERT does.
  Synthetic: no tokenizer and no Wikipedia text.
* Dynamics :func:`numeric.dynamics.simulate`, full LayerNorm (centring, eps 1e-5, no gain /
  bias, as torch at initialisation) for the LN variants.

>>> s = Sizes(n=8, d=16, heads=2, samples=2)
>>> s.d_head
8
>>> X = synthetic_inputs(0, 0, s)
>>> X.shape
(8, 16)
"""
from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from numeric import masks as _masks
from numeric.dynamics import Layer, simulate
from numeric.errors import RankCollapseError
from numeric.layernorm import layer_norm_full
from numeric.weights import gaussian

LN_EPS = 1e-5

#: name -> (label, constructor n -> mask); the four masks of the paper's experiments
MASKS = {
    "complete": ("complete", lambda n: _masks.complete(n)),
    "causal": ("causal", lambda n: _masks.causal(n)),
    "sliding_window": ("sliding window (i-1, i, i+1)", lambda n: _masks.sliding_window(n, 1)),
    "unidirectional_window": ("uni-directional window (i-1, i)",
                              lambda n: _masks.unidirectional_window(n, 1)),
}

#: name -> (label, simulate keyword arguments)
VARIANTS = {
    "san": ("SAN", dict(mode="san", skip=False)),
    "san_skip": ("SAN + skip", dict(mode="san", skip=True)),
    "san_ln": ("SAN + LN (post-LN)", dict(mode="post-ln", skip=False)),
    "san_skip_ln": ("SAN + skip + LN (LN after skip)", dict(mode="post-ln", skip=True)),
}


@dataclass(frozen=True)
class Sizes:
    """Sizes of one figure run."""

    n: int = 128            # tokens
    d: int = 768            # hidden size
    heads: int = 12
    samples: int = 32       # random inputs
    layers: int = 12
    positions: str = "sinusoidal"

    @property
    def d_head(self) -> int:
        return self.d // self.heads

    def check(self) -> "Sizes":
        for k in ("n", "d", "heads", "samples", "layers"):
            if getattr(self, k) < 1:
                raise RankCollapseError(f"size {k} must be >= 1, got {getattr(self, k)}")
        if self.d % self.heads:
            raise RankCollapseError(f"hidden size d = {self.d} must be a multiple of the "
                                    f"number of heads {self.heads}")
        if self.positions not in ("sinusoidal", "random"):
            raise RankCollapseError("positions must be 'sinusoidal' or 'random'")
        return self


@dataclass
class Context:
    """What every figure needs: output directory, mode, seed, parallelism, size overrides."""

    out: Path
    quick: bool = False
    seed: int = 0
    jobs: int = -1
    backend: str | None = None          # joblib backend name (loky, threading, dask, ray)
    override: dict = field(default_factory=dict)   # tests: tiny sizes for every figure
    progress: bool = True
    timings: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)     # sweeps shared between figures

    def sizes(self, full: Sizes, quick: Sizes) -> Sizes:
        s = quick if self.quick else full
        if self.override:
            s = replace(s, **{k: v for k, v in self.override.items()
                              if k in Sizes.__dataclass_fields__})
        return s.check()

    def opt(self, key, full, quick):
        """A non-size option (e.g. list of N) with quick/override variants."""
        if key in self.override:
            return self.override[key]
        return quick if self.quick else full


# --------------------------------------------------------------------------- model

def _rng(*key) -> np.random.Generator:
    return np.random.default_rng([int(k) for k in key])


def bert_like_layer(seed: int, t: int, s: Sizes, d_qk=None) -> Layer:
    """Layer ``t`` of the random BERT-like model (see the module docstring).  ``d_qk`` is
    the temperature (default ``d_head``)."""
    rng = _rng(seed, 2, t)
    h, d, dh = s.heads, s.d, s.d_head
    WQ = np.stack([gaussian(d, dh, rng) for _ in range(h)])
    WK = np.stack([gaussian(d, dh, rng) for _ in range(h)])
    V = gaussian(d, d, rng)
    WO = gaussian(d, d, rng)
    WV = np.stack([V[:, k * dh:(k + 1) * dh] @ WO[k * dh:(k + 1) * dh] for k in range(h)])
    return Layer(WQ, WK, WV, d_qk)


def sinusoidal_positions(n: int, d: int) -> np.ndarray:
    """The Transformer's sinusoidal position table (``n x d``)."""
    pos = np.arange(n)[:, None]
    i = np.arange(d)[None, :]
    angle = pos / np.power(10000.0, (2 * (i // 2)) / d)
    return np.where(i % 2 == 0, np.sin(angle), np.cos(angle))


def synthetic_inputs(seed: int, sample: int, s: Sizes) -> np.ndarray:
    """``X(0) = LN(E + P)``: i.i.d. N(0,1) token embeddings ``E`` plus positions ``P``
    (sinusoidal, or a fixed random N(0,1) table drawn from ``seed``), full LayerNorm."""
    E = _rng(seed, 1, sample).standard_normal((s.n, s.d))
    if s.positions == "sinusoidal":
        P = sinusoidal_positions(s.n, s.d)
    else:
        P = _rng(seed, 3).standard_normal((s.n, s.d))
    return layer_norm_full(E + P, eps=LN_EPS)


def describe_model(s: Sizes, extra: str = "") -> str:
    return (f"random-init BERT-like model: {s.heads} heads, hidden {s.d}, d_head {s.d_head}, "
            f"{s.n} tokens, {s.samples} samples; SYNTHETIC inputs (N(0,1) token embeddings + "
            f"{s.positions} positions, embedding LN); Gaussian fan-in weights, fresh per layer; "
            f"LN = full LayerNorm (centring, eps {LN_EPS:g}, no gain/bias){extra}")


# --------------------------------------------------------------------------- sweeps

def spectral_summary(X: np.ndarray) -> dict:
    """Float64 measures of one token matrix via :mod:`numeric.measures`: singular values
    (one SVD), numerical rank by numeric.measures.numerical_rank's default rule
    (``max(N, d) * machine eps * sigma_max``, applied to the same singular values so the SVD
    is not repeated), average |cos|."""
    from numeric import measures

    sv = measures.singular_values(X)
    tol = max(X.shape[-2:]) * np.finfo(float).eps * sv[0]
    return {"sv": sv, "rank": int((sv > tol).sum()),
            "avg_abs_cos": float(measures.avg_abs_cosine(X)) if np.all(
                np.linalg.norm(X, axis=-1) > 0) else float("nan")}


def run_config(mask: str, variant: str, s: Sizes, seed: int, samples: list[int], *,
               d_qk=None, spectra: bool = False) -> dict:
    """One sweep task: ``samples`` inputs through ``s.layers`` layers of the random model
    under ``mask`` and ``variant``.  Layer by layer (weights generated once per layer and
    shared by the samples; each sample is a 2-D ``simulate`` call, which runs on BLAS).
    Returns ``mu[t, k]`` and, with ``spectra``, the mean normalised singular spectrum,
    numerical rank, smallest singular value and average |cos| per layer."""
    from numeric import measures

    M = MASKS[mask][1](s.n)
    kw = VARIANTS[variant][1]
    Xs = [synthetic_inputs(seed, k, s) for k in samples]
    T = s.layers
    mu = np.empty((T + 1, len(samples)))
    extra = {"sv_norm": [], "rank": [], "sigma_min": [], "avg_abs_cos": []}

    def record(t):
        for j, X in enumerate(Xs):
            mu[t, j] = float(measures.mu(X))
        if spectra:
            S = [spectral_summary(X) for X in Xs]
            extra["sv_norm"].append(np.mean([r["sv"] / r["sv"][0] for r in S], axis=0).tolist())
            extra["rank"].append(float(np.mean([r["rank"] for r in S])))
            extra["sigma_min"].append(float(np.mean([r["sv"][-1] for r in S])))
            extra["avg_abs_cos"].append(float(np.nanmean([r["avg_abs_cos"] for r in S])))

    record(0)
    for t in range(T):
        layer = bert_like_layer(seed, t, s, d_qk)
        Xs = [simulate(X, M, layer, 1, ln="full", ln_eps=LN_EPS, **kw).X[-1] for X in Xs]
        record(t + 1)
    out = {"mask": mask, "variant": variant, "d_qk": d_qk, "samples": samples,
           "mu": mu.tolist()}
    if spectra:
        out.update(extra)
    return out


def _chunks(n: int, parts: int) -> list[list[int]]:
    parts = max(1, min(n, parts))
    return [list(range(n))[k::parts] for k in range(parts)]


def parallel(ctx: Context, fn: Callable, tasks: list[tuple], label: str) -> list:
    """Run ``fn(*task)`` for every task through joblib (``ctx.jobs`` workers, backend
    ``ctx.backend`` via ``joblib.parallel_config``), with a progress line.  Results come
    back in task order."""
    import joblib

    from rankcollapse.progress import Progress

    backend = ctx.backend or "loky"
    _register_backend(backend)
    results: list = [None] * len(tasks)
    with Progress(label, len(tasks), enabled=ctx.progress) as prog, \
            joblib.parallel_config(backend=backend, n_jobs=ctx.jobs):
        par = joblib.Parallel(return_as="generator_unordered")
        gen = par(joblib.delayed(_indexed)(i, fn, task) for i, task in enumerate(tasks))
        for done, (i, res) in enumerate(gen, 1):
            results[i] = res
            prog.update(done)
    return results


def _indexed(i, fn, task):
    return i, fn(*task)


def _register_backend(name: str) -> None:
    """Make the Dask / Ray joblib backends available by name (they need their packages;
    Dask needs a client: ``DASK_SCHEDULER_ADDRESS`` or a local cluster)."""
    if name == "ray":
        try:
            from ray.util.joblib import register_ray
        except ImportError:
            raise RankCollapseError("joblib backend 'ray' needs ray: pip install 'ray[default]'") \
                from None
        register_ray()
    elif name == "dask":
        try:
            from dask.distributed import Client, get_client
        except ImportError:
            raise RankCollapseError("joblib backend 'dask' needs dask.distributed: "
                                    "pip install 'dask[distributed]'") from None
        try:
            get_client()
        except ValueError:
            Client(os.environ.get("DASK_SCHEDULER_ADDRESS"))
    elif name not in ("loky", "threading", "multiprocessing", "sequential"):
        import joblib.parallel as jp
        if name not in jp.BACKENDS:
            raise RankCollapseError(f"unknown joblib backend {name!r}; use loky, threading, "
                                    f"multiprocessing, sequential, dask or ray (or register "
                                    f"your own with joblib.register_parallel_backend)")


def sweep(ctx: Context, configs: list[dict], s: Sizes, label: str) -> list[dict]:
    """Run ``run_config`` for every config (dict with mask, variant and optional d_qk,
    spectra), samples split into chunks so every worker has work; merge the chunks."""
    n_workers = (os.cpu_count() or 1) if ctx.jobs is None or ctx.jobs < 0 else max(1, ctx.jobs)
    per = max(1, math.ceil(2 * n_workers / max(1, len(configs))))
    chunks = _chunks(s.samples, per)
    tasks = [(c["mask"], c["variant"], s, ctx.seed, ch, c.get("d_qk"), c.get("spectra", False))
             for c in configs for ch in chunks]
    t0 = time.perf_counter()
    raw = parallel(ctx, _run_config_task, tasks, label)
    ctx.timings[label] = ctx.timings.get(label, 0.0) + time.perf_counter() - t0
    merged = []
    for ci, c in enumerate(configs):
        parts = raw[ci * len(chunks):(ci + 1) * len(chunks)]
        mu = np.concatenate([np.asarray(p["mu"]) for p in parts], axis=1)
        order = np.argsort(np.concatenate([p["samples"] for p in parts]))
        res = {"mask": c["mask"], "variant": c["variant"], "d_qk": c.get("d_qk"),
               "mu": mu[:, order]}
        if c.get("spectra"):
            w = np.array([len(p["samples"]) for p in parts], dtype=float)
            for key in ("sv_norm", "rank", "sigma_min", "avg_abs_cos"):
                res[key] = np.tensordot(w / w.sum(), np.array([p[key] for p in parts]), axes=1)
        merged.append(res)
    return merged


def _run_config_task(mask, variant, s, seed, samples, d_qk, spectra):
    return run_config(mask, variant, s, seed, samples, d_qk=d_qk, spectra=spectra)


# --------------------------------------------------------------------------- output

def mpl():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def stamp(fig, text: str) -> None:
    """Parameters and seed printed at the bottom of the figure."""
    import textwrap

    fig.text(0.005, 0.005, "\n".join(textwrap.wrap(text, 190)), fontsize=6.5, va="bottom",
             ha="left", color="0.25")


def _jsonable(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, Sizes):
        return asdict(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def save(ctx: Context, name: str, fig, data: dict) -> list[Path]:
    """Write ``name.png`` and ``name.json`` (numbers, parameters, seed) into ``ctx.out``."""
    plt = mpl()
    ctx.out.mkdir(parents=True, exist_ok=True)
    png, js = ctx.out / f"{name}.png", ctx.out / f"{name}.json"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    data = {"figure": name, "seed": ctx.seed, "quick": ctx.quick, **data}
    js.write_text(json.dumps(data, default=_jsonable, indent=1, allow_nan=True))
    return [png, js]


def mean_std_logspace(mu: np.ndarray):
    """Mean and std over samples (axis 1) of ``mu[t, k]``; zeros kept (plotted at a floor)."""
    return mu.mean(axis=1), mu.std(axis=1)


def plot_band(ax, t, mu: np.ndarray, label: str, color=None, floor: float | None = None):
    """Mean +- std of ``mu`` on log-log axes (layer + 1 on the x axis so layer 0 shows).
    Values below ``floor`` (default ``1e-17 * max``: float64 round-off) are drawn at it."""
    m, sd = mean_std_logspace(mu)
    if floor is None:
        floor = 1e-17 * max(float(np.max(m)), 1e-300)
    x = np.asarray(t) + 1
    line, = ax.plot(x, np.maximum(m, floor), label=label, color=color, lw=1.4)
    lo = np.maximum(m - sd, np.maximum(m, floor) * 1e-3)
    ax.fill_between(x, np.maximum(lo, floor), np.maximum(m + sd, floor), alpha=0.18,
                    color=line.get_color(), lw=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return line
