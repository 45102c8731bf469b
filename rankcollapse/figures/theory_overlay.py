"""Theory overlays.

* ``theory_theorem1``: Theorem 1's bound ``C (1 - eps^r)^(t/r)`` with the explicit
  constants of :func:`theory.bounds.theorem1_constants` (Lemma 1's ``eps``, radius ``r``,
  A3's ``CV``) drawn against the measured ``mu(X(t))`` on small single-head instances, one
  per mask; the certified check :func:`theory.bounds.check_theorem1` is run on each.
* ``theory_radius``: the measured per-layer collapse rate of SAN against the mask radius
  (:func:`theory.graphs.radius`) for uni-directional windows ``unidirectional_window(n, w)``
  of several lengths ``n`` and widths ``w`` (radius ``ceil((n-1)/w)``): random ``W_Q, W_K``
  with orthogonal ``W_V``, and ``W_Q = W_K = 0``.  Drawn as the decay exponent
  ``-log(rate)``, next to Theorem 1's exponent ``-log(1 - eps^r)/r`` with ``eps`` the
  smallest attention weight seen on the trajectory (a valid ``eps`` for Lemma 3).

With ``W_Q = W_K = 0`` and ``w = 1`` the attention matrix is lower bidiagonal with 1/2
(row 0: [1]); eigenvalue 1/2 with a Jordan block of size ``n - 1``, so
``mu ~ t^(n-2) 2^(-t)``: the asymptotic rate is 1/2 for every ``n`` but the transient
grows with ``n``.  The figure shows what is measured over a finite horizon.
"""
from __future__ import annotations

import numpy as np

from numeric import masks
from numeric.attention import attention
from numeric.dynamics import simulate
from numeric.weights import random_layer, sphere_points
from theory import graphs
from theory.bounds import check_theorem1, theorem1_constants

from .common import Context, mpl, parallel, save, stamp

NAME = "theory"
TITLE = "Theorem 1 bound vs measured mu; collapse rate vs mask radius"

SMALL_MASKS = {
    "complete": masks.complete, "causal": masks.causal,
    "sliding_window": lambda n: masks.sliding_window(n, 1),
    "unidirectional_window": lambda n: masks.unidirectional_window(n, 1),
}


def theorem1_instance(mask: str, n: int, d: int, T: int, seed: int, qk_scale: float):
    rng = np.random.default_rng([seed, 7, n, d])
    lay = random_layer(d, rng, qk_scale=qk_scale, value="orthogonal")
    X0 = sphere_points((n, d), rng)
    M = SMALL_MASKS[mask](n)
    K = theorem1_constants(M, X0, lay, T)
    ev = check_theorem1(M, X0, lay, T)
    mu = simulate(X0, M, lay, T).mu()
    bound = np.array([float(K.bound(t).mid()) for t in range(T + 1)])
    floor_b = np.array([float(K.bound_floor(t).mid()) for t in range(T + 1)])
    return {"mask": mask, "n": n, "d": d, "T": T, "qk_scale": qk_scale,
            "eps": float(K.eps.mid()), "r": K.r, "C": float(K.C.mid()),
            "rate_bound": float(K.rate().mid()), "mu": np.asarray(mu, float),
            "bound": bound, "bound_floor": floor_b, "check_status": ev.status,
            "check_level": ev.level, "measured_rate": ev.details.get("measured_rate")}


def _short_ball(text) -> str:
    """A certified ball (text) with 4 digits, or the text itself when it is not a ball."""
    try:
        import flint
        return flint.arb(text).str(4)
    except (TypeError, ValueError):
        return str(text)


def fit_rate(mu: np.ndarray, lo: float = 1e-12) -> float:
    """Per-layer rate: least-squares slope of log mu over the second half of the stretch
    where ``mu / mu(0) > lo`` (below that, float64 noise)."""
    mu = np.asarray(mu, float)
    ok = np.nonzero(mu / mu[0] > lo)[0]
    last = ok[-1] if len(ok) else 0
    a = last // 2
    if last - a < 2:
        return float("nan")
    t = np.arange(a, last + 1)
    return float(np.exp(np.polyfit(t, np.log(mu[a:last + 1]), 1)[0]))


def radius_task(n: int, w: int, kind: str, seed: int, d: int, T: int):
    M = masks.unidirectional_window(n, w)
    r = graphs.radius(M)
    rng = np.random.default_rng([seed, 8, n, w])
    if kind == "zero":
        lay = (np.zeros((d, d)), np.zeros((d, d)), np.eye(d))
    else:
        lay = random_layer(d, rng, qk_scale=1.0, value="orthogonal")
    X0 = sphere_points((n, d), rng)
    tr = simulate(X0, M, lay, T)
    mu = np.asarray(tr.mu(), float)
    eps = min(float(attention(X, lay[0], lay[1], M)[M].min()) for X in tr.X[:-1])
    below = np.nonzero(mu / mu[0] < 1e-6)[0]
    return {"n": n, "w": w, "kind": kind, "seed": seed, "radius": int(r),
            "rate": fit_rate(mu), "eps_seen": eps,
            "layers_to_1e-6": int(below[0]) if len(below) else None,
            "bound_exponent": float(-np.log1p(-eps ** r) / r), "mu": mu}


def make_theorem1(ctx: Context) -> list:
    n, d = ctx.opt("t1_n", 5, 5), 3
    T = int(ctx.opt("t1_layers", 60, 40))
    qk = 0.3
    tasks = [(m, n, d, T, ctx.seed, qk) for m in SMALL_MASKS]
    res = parallel(ctx, theorem1_instance, tasks, "theorem1")
    plt = mpl()
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.4))
    for ax, r in zip(axes, res):
        t = np.arange(T + 1)
        shown = r["mu"] > 1e-15 * r["mu"][0]          # below: float64 round-off
        ax.semilogy(t[shown], r["mu"][shown], "k-", label="measured mu(X(t)) (float64)")
        ax.semilogy(t, r["bound"], "C3--", label="C (1 - eps^r)^(t/r)")
        ax.semilogy(t, r["bound_floor"], "C1:", label="C' (1 - eps^r)^floor(t/r)")
        ax.set_title(f"{r['mask']}: r = {r['r']}, eps = {r['eps']:.3g}, C = {r['C']:.3g}\n"
                     f"bound rate {r['rate_bound']:.4f}/layer, measured "
                     f"{_short_ball(r['measured_rate'])}; check: {r['check_status']} "
                     f"({r['check_level']})",
                     fontsize=8)
        ax.set_xlabel("layer t")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("mu (log scale)")
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("Theorem 1 with explicit constants (theory.bounds) against measured mu, "
                 "single head, SAN", fontsize=11)
    stamp(fig, f"N = {n}, d = {d}, W_Q, W_K ~ N(0, {qk}^2/d) entries, W_V Haar orthogonal (A3; CV bounded "
               f"rigorously by min(Frobenius, Hoelder) norms, >= 1), same weights every layer, X(0) uniform on the sphere; eps from Lemma 1 "
               f"(exp(-2S)/max in-degree); seed {ctx.seed}")
    fig.tight_layout(rect=(0, 0.05, 1, 0.94))
    return save(ctx, "theory_theorem1", fig, {"title": "Theorem 1 bound vs measured mu",
                                              "instances": res})


def make_radius(ctx: Context) -> list:
    ns = ctx.opt("radius_n", (4, 8, 16, 32, 64), (4, 8, 16, 32))
    ws = ctx.opt("radius_w", (1, 2, 4), (1, 2, 4))
    seeds = int(ctx.opt("radius_seeds", 4, 2))
    T = int(ctx.opt("radius_layers", 400, 300))
    d = 8
    tasks = [(n, w, kind, ctx.seed + s, d, T) for kind in ("random", "zero")
             for n in ns for w in ws if w < n for s in range(seeds if kind == "random" else 1)]
    res = parallel(ctx, radius_task, tasks, "radius")
    plt = mpl()
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    marks = dict(zip(ws, "osD^v"))
    ax = axes[0]
    for w in ws:
        for n in ns:
            pts = [x for x in res if x["kind"] == "random" and x["w"] == w and x["n"] == n]
            if not pts:
                continue
            r = pts[0]["radius"]
            ex = [-np.log(x["rate"]) for x in pts if np.isfinite(x["rate"])]
            ax.plot([r] * len(ex), ex, marks[w], color=f"C{ns.index(n)}", ms=6, alpha=0.8)
            ax.plot([r], [np.mean([x["bound_exponent"] for x in pts])], marks[w],
                    mfc="none", color="0.4", ms=9)
            z = next(x for x in res if x["kind"] == "zero" and x["w"] == w and x["n"] == n)
            ax.plot([r], [-np.log(z["rate"])], marks[w], mfc="none", color=f"C{ns.index(n)}",
                    ms=5, mew=1.5)
    ax.plot([], [], "o", mfc="none", color="0.4", ms=9,
            label="Theorem 1 exponent -log(1-eps^r)/r\n(eps = smallest weight seen)")
    ax.plot([], [], "o", mfc="none", color="k", ms=5, mew=1.5, label="measured, W_Q = W_K = 0")
    ax.plot([], [], "o", color="k", ms=6, label="measured, random W_Q, W_K")
    ax.set_xscale("log")
    _radius_ticks(ax)
    ax.set_yscale("log")
    ax.set_xlabel("radius r = ceil((N-1)/w) (log)")
    ax.set_ylabel("decay exponent -log(rate) per layer (log)")
    ax.set_title("asymptotic decay exponent (fit over the late layers)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6.5, loc="lower left")
    ax = axes[1]
    for kind, fill in (("random", None), ("zero", "none")):
        for x in res:
            if x["kind"] == kind and x["layers_to_1e-6"] is not None:
                ax.plot(x["radius"], x["layers_to_1e-6"], marks[x["w"]], mfc=fill,
                        color=f"C{ns.index(x['n'])}", ms=6, alpha=0.8)
    for w in ws:
        ax.plot([], [], marks[w], color="k", label=f"window w = {w}")
    for n in ns:
        ax.plot([], [], "s", color=f"C{ns.index(n)}", label=f"N = {n}")
    ax.plot([], [], "o", mfc="none", color="k", label="open: W_Q = W_K = 0")
    ax.set_xscale("log")
    _radius_ticks(ax)
    ax.set_yscale("log")
    ax.set_xlabel("radius r = ceil((N-1)/w) (log)")
    ax.set_ylabel("layers until mu/mu(0) < 1e-6 (log)")
    ax.set_title("finite-depth collapse: layers to lose 6 decades", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper left", ncol=2)
    ax = axes[2]
    for n in ns:
        x = next((x for x in res if x["kind"] == "zero" and x["w"] == 1 and x["n"] == n), None)
        if x is not None:
            ax.semilogy(np.maximum(x["mu"] / x["mu"][0], 1e-18), color=f"C{ns.index(n)}",
                        label=f"N = {n} (radius {x['radius']})")
    tt = np.arange(T + 1)
    ax.semilogy(tt, 2.0 ** -tt, "k:", label="2^-t")
    ax.set_ylim(1e-18, 10)
    ax.set_xlabel("layer t")
    ax.set_ylabel("mu(X(t)) / mu(X(0)) (log)")
    ax.set_title("W_Q = W_K = 0, w = 1: mu ~ t^(N-2) 2^-t\n(same asymptotic rate, longer "
                 "transient for larger N)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.suptitle("Measured SAN collapse rate against the radius of uni-directional windows",
                 fontsize=11)
    stamp(fig, f"unidirectional_window(N, w), single head, d = {d}, {T} layers, same weights "
               f"every layer, X(0) uniform on the sphere; rate = exp(slope of log mu over the "
               f"second half of the stretch where mu/mu(0) > 1e-12); {seeds} seeds from "
               f"{ctx.seed}")
    fig.tight_layout(rect=(0, 0.05, 1, 0.94))
    summary = [{k: v for k, v in x.items() if k != "mu"} for x in res]
    return save(ctx, "theory_radius", fig, {"title": "collapse rate vs radius",
                                            "runs": summary, "layers": T, "d": d})


def make(ctx: Context) -> list:
    return make_theorem1(ctx) + make_radius(ctx)


def _radius_ticks(ax) -> None:
    """Plain integer ticks on the log radius axis (the default minor labels overlap)."""
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    ax.xaxis.set_major_locator(FixedLocator([1, 2, 4, 8, 16, 32, 64]))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
