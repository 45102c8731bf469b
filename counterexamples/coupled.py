"""The real coupled system of Theorem 3 (2): all tokens moving at once.

Setting.  Causal mask, ``W_Q = W_K = 0`` (so ``A`` is the causal average), paper's
LayerNorm (post-LN), ``W_V = I + wJ`` (d x d).  Token i moves to
``(X_1 + ... + X_i) W_V`` normalised (the 1/i of the average disappears under LN).  The
paper's Appendix F.3 argues token by token, ASSUMING each earlier token has already
converged; here nothing is assumed.

* :func:`step_batch` is the float64 batched update (a specialisation of
  :func:`numeric.dynamics.simulate` for this setting, ~20x faster; pinned to it in
  ``tests/test_coupled.py``).  High-precision checks go through ``simulate`` itself
  (``mpmath:DPS`` / ``arb:DPS``).
* "Near rank one" (:func:`rank_one_ratio`): ``dist_rank_one(X) / ||X||_F`` (Frobenius
  distance to the nearest rank-<=1 matrix, relative) below ``threshold`` at the final T.
  Collapsing samples ALIGN geometrically fast (ratio ~1e-12 by t = 100) even though every
  token's POSITION converges only algebraically (token 1: ``||X_1(t) - e_d|| ~ (d-1)/(w t)``),
  so the classification is stable early; the fraction still drifts by O(1/T) because a
  token 1 starting near ``-e_d`` with small ``x_11 > 0`` needs ~``1/(w x_11)`` steps to
  turn round.  :func:`basin_fraction` reports the fraction at several T, the gap between
  the two classes, and the count in an ambiguous band, so the choice of T is visible.

>>> import numpy as np
>>> r = basin_fraction(2, 2, 2.0, samples=200, T=200, seed=1)
>>> 0.0 < r["fraction"] < 0.3 and r["ambiguous"] == 0
True
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from numeric import masks
from numeric.dynamics import simulate
from numeric.errors import RankCollapseError, ShapeError
from numeric.measures import dist_rank_one

from .f3 import hypotheses, rational_unit_vector, wilson

__all__ = [
    "value_matrix_float", "step_batch", "run_batch", "uniform_sphere", "rank_one_ratio",
    "basin_fraction", "hp_spot_check", "convergence_rates", "lemma13_coupled_search",
    "certify_coupled_witness",
]


def value_matrix_float(d: int, w: float) -> np.ndarray:
    """``I + wJ`` as float64 (``x W = x + w (0, x_1, ..., x_{d-1})``)."""
    if not isinstance(d, int) or d < 1:
        raise ShapeError(f"d must be a positive integer, got {d!r}")
    return np.eye(d) + float(w) * np.eye(d, k=1)


def step_batch(X: np.ndarray, W: np.ndarray, ln: bool = True) -> np.ndarray:
    """One layer for a batch ``(B, N, d)``: post-LN ``LN(cumsum(X) W)`` or, with
    ``ln=False``, the SAN ``(cumsum(X) / i) W`` (causal average, W_Q = W_K = 0)."""
    Y = np.cumsum(X, axis=-2)
    if not ln:
        Y /= np.arange(1, X.shape[-2] + 1)[:, None]
        return Y @ W
    Y = Y @ W
    n = np.linalg.norm(Y, axis=-1, keepdims=True)
    if np.any(n == 0):
        raise RankCollapseError("a token sum vanished: LayerNorm of a zero row is undefined")
    return Y / n


def run_batch(X0, w, T: int, record=(), ln: bool = True, every=None):
    """Iterate T layers; returns ``(X_T, {t: X_t for t in record})``; ``every(t, X)`` is
    called after each layer (for per-step measurements)."""
    X = np.array(X0, dtype=float)
    W = value_matrix_float(X.shape[-1], w)
    rec = {}
    record = set(record)
    for t in range(1, T + 1):
        X = step_batch(X, W, ln)
        if t in record:
            rec[t] = X.copy()
        if every is not None:
            every(t, X)
    return X, rec


def uniform_sphere(B: int, N: int, d: int, rng) -> np.ndarray:
    """B samples of N independent uniform points on ``S^{d-1}`` (Gaussian, normalised)."""
    X = rng.standard_normal((B, N, d))
    return X / np.linalg.norm(X, axis=-1, keepdims=True)


def rank_one_ratio(X) -> np.ndarray:
    """``dist_rank_one(X) / ||X||_F``: 0 iff rank <= 1; scale invariant (works without LN)."""
    X = np.asarray(X, dtype=float)
    return dist_rank_one(X) / np.linalg.norm(X, axis=(-2, -1))


def basin_fraction(N: int, d: int, w: float, samples: int = 2000, T: int = 1000,
                   checkpoints=None, threshold: float = 0.05, seed: int = 0,
                   ln: bool = True) -> dict:
    """Fraction of uniform inputs in ``(S^{d-1})^N`` NOT near rank one after T layers
    (``rank_one_ratio >= threshold``), with a Wilson 95% interval, plus the same fraction
    at the checkpoints (the trend over T), the largest ratio among the near-rank-one
    samples and the smallest among the others (the gap), and how many fall in the
    ambiguous band ``[threshold / 100, threshold)``.  float64, seeded."""
    for name, v in (("samples", samples), ("T", T)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise RankCollapseError(f"{name} must be an integer >= 1, got {v!r}")
    rng = np.random.default_rng(seed)
    X0 = uniform_sphere(samples, N, d, rng)
    cps = sorted(set(checkpoints or [max(1, T // 10), max(1, T // 3), T // 2]) | {T})
    XT, rec = run_batch(X0, w, T, record=cps, ln=ln)
    trend = {t: float(np.mean(rank_one_ratio(rec[t]) >= threshold)) for t in cps}
    r = rank_one_ratio(XT)
    hi = r >= threshold
    k = int(hi.sum())
    return {"N": N, "d": d, "w": w, "samples": samples, "T": T, "seed": seed, "ln": ln,
            "threshold": threshold, "not_rank_one": k, "fraction": k / samples,
            "wilson95": wilson(k, samples), "trend": trend,
            "max_ratio_rank_one": float(r[~hi].max()) if (~hi).any() else None,
            "min_ratio_not_rank_one": float(r[hi].min()) if hi.any() else None,
            "ambiguous": int(((r >= threshold / 100) & ~hi).sum()),
            "_X0": X0, "_r": r}


def hp_spot_check(X0, w, T: int, dps: int = 30, threshold: float = 0.05) -> dict:
    """Re-run one input with :func:`numeric.dynamics.simulate` at ``mpmath:dps`` and the
    float64 :func:`step_batch`; report both rank-one ratios and whether they agree."""
    X0 = np.asarray(X0, dtype=float)
    N, d = X0.shape
    Z = np.zeros((d, 1))
    tr = simulate(X0, masks.causal(N), (Z, Z, value_matrix_float(d, w)), T, mode="post-ln",
                  backend=f"mpmath:{dps}")
    Xhp = tr.as_float()[-1]
    Xf, _ = run_batch(X0[None], w, T)
    rhp, rf = float(rank_one_ratio(Xhp)), float(rank_one_ratio(Xf[0]))
    return {"ratio_hp": rhp, "ratio_float64": rf, "agree": (rhp >= threshold) == (rf >= threshold),
            "max_abs_diff": float(np.abs(Xhp - Xf[0]).max()), "T": T, "dps": dps}


def _fit(x, y):
    """Least squares ``y = a + b x``: slope b and R^2."""
    A = np.vstack([np.ones_like(x), x]).T
    coef, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    ss = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float(((A @ coef - y) ** 2).sum()) / ss if ss > 0 else 1.0
    return float(coef[1]), r2


def convergence_rates(N: int = 3, d: int = 3, w: float = 2.0, samples: int = 200,
                      T: int = 2000, seed: int = 0, threshold: float = 0.05) -> dict:
    """Measured convergence rates, without assuming a form.

    * token 1: ``e(t) = ||X_1(t) - sign(x_11(0)) e_d||``; fits of ``log e`` against
      ``log t`` (algebraic, slope -p) and against ``t`` (geometric), both on
      ``t in [T/10, T]``, median R^2 over samples; ``e(T)/e(T/2)`` (algebraic: ``2^-p``;
      geometric: ~0); and ``t e(t)`` at T against the prediction ``(d-1)/w``.
    * every token i: the step length ``||X_i(t+1) - X_i(t)||`` ~ ``t^-(p_i+1)`` if
      ``||X_i(t) - X_i(inf)|| ~ t^-p_i``; median ``p_i`` per final class.
    * collapsing samples: the per-step factor of ``rank_one_ratio`` (geometric alignment).
    """
    rng = np.random.default_rng(seed)
    X0 = uniform_sphere(samples, N, d, rng)
    s1 = np.sign(X0[:, 0, 0])
    ed = np.zeros(d)
    ed[-1] = 1
    ts = np.unique(np.geomspace(max(1, T // 10), T, 40).astype(int))
    e1, steps, ratios = {}, {}, {}
    prev = {"X": X0}
    tset = set(ts.tolist()) | set((ts - 1).tolist())
    early = [5, 10, 15, 20, 25, 30]

    def every(t, X):
        if t in tset:
            if t in set(ts.tolist()):
                e1[t] = np.linalg.norm(X[:, 0, :] - s1[:, None] * ed, axis=-1)
                steps[t] = np.linalg.norm(X - prev["X"], axis=-1)
        if t in early:
            ratios[t] = rank_one_ratio(X)
        prev["X"] = X

    XT, _ = run_batch(X0, w, T, every=every)
    lt = np.log(ts.astype(float))
    E = np.array([e1[t] for t in ts])                     # (len(ts), B)
    alg, geo = [], []
    for b in range(samples):
        alg.append(_fit(lt, np.log(E[:, b])))
        geo.append(_fit(ts.astype(float), np.log(E[:, b])))
    r_final = rank_one_ratio(XT)
    collapsed = r_final < threshold
    S = np.array([steps[t] for t in ts])                   # (len(ts), B, N)
    p_tok = {}
    for i in range(N):
        for cls, m in (("rank_one", collapsed), ("not_rank_one", ~collapsed)):
            ps = [-_fit(lt, np.log(S[:, b, i]))[0] - 1 for b in np.flatnonzero(m)
                  if np.all(S[:, b, i] > 0)]
            if ps:
                p_tok[f"token{i + 1}_{cls}"] = float(np.median(ps))
    R = np.array([ratios[t] for t in early])
    fac = []
    for b in np.flatnonzero(collapsed):
        v = R[:, b]
        if np.all(v > 1e-14):
            fac.append(math.exp(_fit(np.array(early, float), np.log(v))[0]))
    half = E[np.searchsorted(ts, T // 2) if T // 2 in ts else np.argmin(abs(ts - T // 2))]
    return {"N": N, "d": d, "w": w, "samples": samples, "T": T, "seed": seed,
            "token1_slope_loglog_median": float(np.median([a[0] for a in alg])),
            "token1_R2_loglog_median": float(np.median([a[1] for a in alg])),
            "token1_R2_geometric_median": float(np.median([g[1] for g in geo])),
            "token1_ratio_e(T)/e(T/2)_median": float(np.median(E[-1] / half)),
            "token1_t_e(t)_at_T_median": float(np.median(T * E[-1])),
            "predicted_t_e(t)": (d - 1) / w,
            "token_exponents_p": p_tok,
            "rank_one_alignment_factor_per_step_median": float(np.median(fac)) if fac else None,
            "fraction_rank_one": float(collapsed.mean())}


def lemma13_coupled_search(d: int = 3, w: float = 2.0, samples: int = 2000, T: int = 300,
                           seed: int = 0, threshold: float = 0.05, eps=None) -> dict:
    """N = 2, all tokens moving.  Token 1 uniform with ``x_11 > 0`` (so it tends to +e_d,
    the lemma's limit) -- or, with ``eps``, ``X_1 = (v, 1)/||(v, 1)||`` with v uniform in
    the ball of radius eps of R^(d-1) and ``x_11 > 0`` ("nearly converged") -- and token 2 uniform conditioned on Lemma 13's
    hypotheses.  Counts the
    pairs whose token 2 leaves ``{x_{2,d-1} <= -1/w}`` (Wilson 95%) and, among those, the
    ones still not near rank one at T.  Returns the first leaving pair (float64)."""
    rng = np.random.default_rng(seed)
    rows = []
    while sum(len(r) for r in rows) < samples:
        Y = uniform_sphere(4 * samples, 1, d, rng)[:, 0]
        f = (Y[:, :d - 2] ** 2).sum(1) / Y[:, d - 2] ** 2
        ok = (Y[:, :d - 2] < 0).all(1) & (Y[:, d - 2] <= -1 / w) & (f <= math.sqrt(w * w - 1))
        rows.append(Y[ok])
    X2 = np.concatenate(rows)[:samples]
    ed = np.zeros(d)
    ed[-1] = 1
    if eps is None:
        X1 = uniform_sphere(samples, 1, d, rng)[:, 0]
    else:   # e_d + v, v uniform in the ball of radius eps of the tangent space, normalised
        v = uniform_sphere(samples, 1, d - 1, rng)[:, 0]
        v *= eps * rng.random((samples, 1)) ** (1 / (d - 1))
        X1 = np.concatenate([v, np.ones((samples, 1))], axis=1)
        X1 /= np.linalg.norm(X1, axis=1, keepdims=True)
    X1[:, 0] = np.abs(X1[:, 0])
    X0 = np.stack([X1, X2], axis=1)
    left = np.zeros(samples, bool)
    first = np.full(samples, -1)

    def every(t, X):
        out = X[:, 1, d - 2] > -1 / w + 1e-9
        first[out & ~left] = t
        left[:] |= out

    XT, _ = run_batch(X0, w, T, every=every)
    r = rank_one_ratio(XT)
    k = int(left.sum())
    idx = np.flatnonzero(left)
    return {"d": d, "w": w, "samples": samples, "T": T, "seed": seed, "eps": eps, "left": k,
            "fraction_left": k / samples, "wilson95": wilson(k, samples),
            "left_and_not_rank_one": int((left & (r >= threshold)).sum()),
            "left_and_rank_one": int((left & (r < threshold)).sum()),
            "all_rank_one": int((r < threshold).sum()),
            "first_witness": X0[idx[0]].tolist() if k else None,
            "first_exit_time": int(first[idx[0]]) if k else None}


def certify_coupled_witness(X0, w, steps: int, digits: int = 60) -> dict:
    """Make a float witness exact and certify it.  Each row becomes a nearby unit vector
    with rational coordinates (:func:`counterexamples.f3.rational_unit_vector`); Lemma 13's
    hypotheses on token 2 and ``x_11 > 0`` are checked exactly; the coupled system is run
    in ``arb`` balls (:func:`numeric.dynamics.simulate`, ``arb:digits``) and the exit
    ``x_{2,d-1}(t) > -1/w`` is certified when the ball lies above ``-1/w``.  Returns the
    exact rows (as strings p/q), the certified exit times, and the decoupled check (token
    1 held at e_d) for contrast."""
    X0 = np.asarray(X0, dtype=float)
    N, d = X0.shape
    wq = Fraction(w).limit_denominator(10 ** 6)
    rows = [rational_unit_vector(r) for r in X0]
    assert all(sum(v * v for v in r) == 1 for r in rows)
    hyp = hypotheses(rows[1][:-1], wq)
    Xobj = np.array(rows, dtype=object)
    Wobj = np.array([[Fraction(int(i == j)) + (wq if j == i + 1 else 0) for j in range(d)]
                     for i in range(d)], dtype=object)
    Z = np.array([[Fraction(0)] for _ in range(d)], dtype=object)
    import flint
    tr = simulate(Xobj, masks.causal(N), (Z, Z, Wobj), steps, mode="post-ln",
                  backend=f"arb:{digits}")
    certified, undecided = [], []
    old = flint.ctx.prec
    flint.ctx.prec = int(digits * 3.33) + 8
    try:
        bound = -flint.arb(flint.fmpq(wq.numerator, wq.denominator)) ** -1
        for t, X in enumerate(tr.X):
            v = X[1, d - 2]
            if v > bound:
                certified.append(t)
            elif not v < bound and not v == bound:
                undecided.append(t)
        radius = float(max(x.rad() for x in tr.X[-1].flat))
    finally:
        flint.ctx.prec = old
    return {"w": str(wq), "rows": [[str(v) for v in r] for r in rows],
            "x11_positive": rows[0][0] > 0, "token2_hypotheses": hyp,
            "certified_exit_times": certified, "undecided_times": undecided,
            "steps": steps, "digits": digits, "final_ball_radius": radius}
