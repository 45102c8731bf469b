"""Appendix F.4: equilibria of rank >= 2 under symmetric (undirected) masks.

The paper asks whether equilibria like those of Theorem 3 (rank >= 2, for the post-LN
map ``F(X)_i = LN(sum_j A_ij X_j W_V)``) exist when the mask is undirected, e.g. the
complete graph, and conjectures that they do not.  What is trivially impossible and what
is not:

* Complete mask and ``W_Q = W_K = 0``: ``A = 11^T / N``, so every ``F_i(X)`` equals
  ``LN(mean(X) W_V)``: a fixed point has ALL tokens equal (rank one, in fact one point).
  Proved exactly by :func:`complete_zero_qk_rank_one`.  This is the only case the
  paper's averaging construction can reach, and there the conjecture holds.
* Any mask, any ``W_Q, W_K``, ``N = d``: if ``X`` has unit rows, is invertible, and
  ``A(X)`` is invertible, then ``W_V = X^{-1} A(X)^{-1} X`` makes ``X`` a fixed point, since
  ``A(X)`` does not depend on ``W_V`` and ``A X W_V = X``.  So rank-N equilibria exist for
  the complete mask as soon as ``W_Q, W_K`` make the rows of ``A`` differ, and for the
  sliding window already with ``W_Q = W_K = 0`` (rational!).  :func:`exact_witness`
  builds ``X = I``: complete mask, ``W_Q = W_K = I``, ``W_V = (c-1)I + ... `` (``c = e^{1/sqrt(N)}``)
  and proves ``F(X) = X`` and a rank-one equilibrium for the SAME weights exactly.
* Whether such equilibria appear for GENERIC random weights is what
  :func:`search` measures: damped Newton from many random starts on the sphere (and from
  clustered starts), polished at high precision and certified with the Krawczyk test of
  :mod:`counterexamples.krawczyk` on the full ``N d``-dimensional system (no causal
  structure: all tokens at once).  Rank >= 2 is certified by a 2 x 2 minor whose arb
  determinant excludes 0 over the boxes.

>>> complete_zero_qk_rank_one(3, 2).status
'holds'
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import flint
import mpmath
import numpy as np
import sympy as sp

from numeric import masks as _masks
from numeric.errors import RankCollapseError
from numeric.weights import gaussian, haar_orthogonal
from theory.evidence import Evidence, combine

from . import krawczyk as kz

__all__ = ["complete_zero_qk_rank_one", "exact_witness", "symmetric_mask", "residual_f64",
           "newton_f64", "certify_equilibrium", "search", "random_weights"]


def symmetric_mask(kind: str, n: int) -> np.ndarray:
    """``"complete"`` or ``"window"`` (i attends to i-1, i, i+1): symmetric masks with A1."""
    if kind == "complete":
        return _masks.complete(n)
    if kind == "window":
        return _masks.sliding_window(n, 1)
    raise RankCollapseError(f"mask kind must be 'complete' or 'window', got {kind!r}")


# ------------------------------------------------------------------------ exact facts
def complete_zero_qk_rank_one(n: int, d: int) -> Evidence:
    """Complete mask, ``W_Q = W_K = 0``, any ``W_V``: for a SYMBOLIC configuration X
    (N x d symbols) every row of ``A X W_V`` is the same (SymPy, exact), hence every
    fixed point of the post-LN map has all tokens equal.

    >>> complete_zero_qk_rank_one(2, 2).details["rows_equal"]
    True
    """
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"v{i}{j}", real=True))
    A = sp.Matrix(n, n, lambda i, j: sp.Rational(1, n))  # softmax of a zero score row
    Y = A * X * W
    equal = all(sp.expand(Y[i, j] - Y[0, j]) == 0 for i in range(n) for j in range(d))
    stmt = (f"complete mask, N={n}, d={d}, W_Q = W_K = 0: all rows of A X W_V coincide, so "
            "every post-LN equilibrium has all tokens equal (rank one)")
    return Evidence(stmt, "holds" if equal else "fails", "exact", {"rows_equal": equal})


def exact_witness(n: int, mask: str = "complete") -> Evidence:
    """Exact counterexample to the literal F.4 conjecture, N = d = n.

    ``X = I_n`` (unit rows, rank n).  Complete mask: ``W_Q = W_K = I_n`` (``d_qk = n``, so
    ``R = I / sqrt(n)``), ``c = exp(1/sqrt(n))``, ``A = ((c-1) I + 11^T)/(c + n - 1)``.
    Window mask: ``W_Q = W_K = 0``, A the rational window average.  ``W_V = A^{-1}``
    (times any positive constant).  Then ``A X W_V = I``, so ``F(X) = X``: rank n.
    With the SAME weights, ``u = pi / ||pi||`` (``pi`` the stationary row of A,
    ``pi A^{-1} = pi``) repeated n times is a rank-one equilibrium.  All checked in SymPy.

    >>> exact_witness(2).status
    'holds'
    """
    M = symmetric_mask(mask, n)
    X = sp.eye(n)
    c = sp.Symbol("c", positive=True)     # c = exp(1/sqrt(n)) > 1 for the complete mask
    if mask == "complete":
        # scores R = X W_Q (X W_K)^T / sqrt(n) = I / sqrt(n): exp gives c on the diagonal
        E = sp.Matrix(n, n, lambda i, j: c if i == j else 1)
    else:
        E = sp.Matrix(n, n, lambda i, j: 1 if M[i, j] else 0)
    A = sp.Matrix(n, n, lambda i, j: E[i, j] / sum(E.row(i)))
    if sp.simplify(A.det()) == 0:
        return Evidence(f"{mask} mask, N = d = {n}: X = I gives an invertible A(X)", "open",
                        "exact", {"mask": mask, "n": n, "reason": "A(I) is singular (e.g. the "
                                  "window mask for n = 2 is the complete mask): no witness"})
    det = sp.factor(A.det())
    if mask == "complete":
        c_val = sp.exp(1 / sp.sqrt(n))
        # det = ((c-1)/(c+n-1))^(n-1) / ... : nonzero iff c != 1, and c = e^(1/sqrt n) > 1
        det_nonzero = sp.simplify(det.subs(c, 1 + sp.Symbol("s", positive=True))) != 0
    else:
        c_val = None
        det_nonzero = det != 0
    WV = sp.simplify(A.inv())
    Y = sp.simplify(A * X * WV - sp.eye(n))
    fixed = bool(det_nonzero) and all(sp.simplify(v) == 0 for v in Y)  # A X W_V = I: LN(e_i) = e_i
    # rank one with the same weights: stationary distribution of A (pi A = pi, so pi W_V = pi)
    ns = (A.T - sp.eye(n)).nullspace()
    pi = sp.simplify(ns[0].T / sum(ns[0]))
    rank1 = (all(sp.simplify(v) == 0 for v in pi * WV - pi)
             and all(sp.simplify(v).is_positive for v in pi))
    stmt = (f"{mask} mask, N = d = {n}: X = I is an exact post-LN equilibrium of rank {n} for "
            f"W_V = A(I)^(-1), and with the same weights u = pi/||pi|| repeated is one of rank 1")
    details = {"mask": mask, "n": n, "W_Q": "I" if mask == "complete" else "0",
               "c": str(c_val) if c_val is not None else None, "det_A": str(det),
               "W_V": str(WV), "A": str(A), "stationary": str(pi), "fixed_rank_n": fixed,
               "rank_one_same_weights": rank1, "d_qk": n}
    ok = fixed and rank1 and X.rank() == n
    return Evidence(stmt, "holds" if ok else "fails", "exact", details)


# ---------------------------------------------------------------------- float64 Newton
def random_weights(d: int, rng, qk_scale: float, value: str, w: float = 2.0):
    """``W_Q, W_K`` Gaussian (entries N(0, qk_scale^2/d)); ``W_V``: ``"gaussian"``,
    ``"orthogonal"`` (Haar) or ``"jordan"`` (``I + wJ``)."""
    WQ = gaussian(d, d, rng, qk_scale)
    WK = gaussian(d, d, rng, qk_scale)
    if value == "gaussian":
        WV = gaussian(d, d, rng)
    elif value == "orthogonal":
        WV = haar_orthogonal(d, rng)
    elif value == "jordan":
        WV = np.eye(d) + w * np.eye(d, k=1)
    else:
        raise RankCollapseError(f"value kind must be gaussian, orthogonal or jordan, got {value!r}")
    return WQ, WK, WV


def _F_np(X, M, WQ, WK, WV):
    """float64 post-LN map via :mod:`numeric` (one code path)."""
    from numeric.attention import attention
    from numeric.layernorm import layernorm
    return layernorm(attention(X, WQ, WK, M) @ X @ WV)


def residual_f64(X, M, WQ, WK, WV) -> float:
    return float(np.max(np.abs(X - _F_np(X, M, WQ, WK, WV))))


def _lists(W):
    return [[float(v) for v in r] for r in W]


def _G_full(M, WQ, WK, WV, kit, n, d):
    rows = list(range(n))

    def G(v):
        X = [v[i * d:(i + 1) * d] for i in range(n)]
        F = kz.post_ln_rows(X, rows, M, WQ, WK, WV, kit)
        return [X[i][j] - F[i][j] for i in range(n) for j in range(d)]

    return G


def newton_f64(X0, M, WQ, WK, WV, iters: int = 40, tol: float = 1e-13):
    """Levenberg-Marquardt-damped Newton for ``X = F(X)`` in float64 (Jacobian exact, by
    dual numbers).  Returns ``(X, converged)``."""
    with np.errstate(all="ignore"):
        return _newton_f64(X0, M, WQ, WK, WV, iters, tol)


def _newton_f64(X0, M, WQ, WK, WV, iters, tol):
    n, d = X0.shape
    G = _G_full(M, _lists(WQ), _lists(WK), _lists(WV), kz.KIT_FLOAT, n, d)
    x = X0.reshape(-1).astype(float)
    lam = 1e-6
    for _ in range(iters):
        try:
            val, jac = kz._value_and_jacobian(G, list(x), kz.KIT_FLOAT)
        except (ZeroDivisionError, OverflowError, ValueError):
            return x.reshape(n, d), False
        g, J = np.array(val, float), np.array(jac, float)
        r0 = np.linalg.norm(g)
        if r0 < tol:
            return x.reshape(n, d), True
        while True:
            try:
                step = np.linalg.solve(J.T @ J + lam * np.eye(n * d), J.T @ g)
                xn = x - step
                r1 = np.linalg.norm(np.array(G(list(xn)), float))
                r1 = r1 if np.isfinite(r1) else np.inf
            except (np.linalg.LinAlgError, ZeroDivisionError, OverflowError, ValueError):
                r1 = np.inf
            if r1 < r0:
                x, lam = xn, max(lam / 10, 1e-15)
                break
            lam *= 10
            if lam > 1e8:
                return x.reshape(n, d), False
    ok = np.linalg.norm(np.array(G(list(x)), float)) < 1e-10
    return x.reshape(n, d), ok


# ------------------------------------------------------------------------ certifying
def certify_equilibrium(X, M, WQ, WK, WV, dps: int = 40, min_rank: int = 2) -> dict:
    """Polish ``X`` by mpmath Newton on the full system and run the Krawczyk test on all
    ``N d`` unknowns at once (weights taken EXACTLY: floats are dyadic rationals).
    Returns a record with ``certified`` (unique equilibrium in the box), the box width,
    and ``rank_at_least`` certified by an arb minor."""
    n, d = X.shape
    G_mp = None
    with mpmath.workdps(dps):
        WQm, WKm, WVm = ([[mpmath.mpf(float(v)) for v in r] for r in W] for W in (WQ, WK, WV))
        G_mp = _G_full(M, WQm, WKm, WVm, kz.KIT_MP, n, d)
        x, info = kz.newton(G_mp, [mpmath.mpf(float(v)) for v in X.reshape(-1)], dps=dps)
    rec = {"newton": info["converged"]}
    if not info["converged"]:
        rec.update(certified=False, reason="Newton did not converge at high precision")
        return rec
    old = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 16
    try:
        WQa, WKa, WVa = ([[kz.to_arb(float(v)) for v in r] for r in W] for W in (WQ, WK, WV))
        G_arb = _G_full(M, WQa, WKa, WVa, kz.KIT_ARB, n, d)
        res = kz.krawczyk(G_arb, x, dps=dps)
        rec.update(certified=res.ok, width=res.max_width() if res.box else None,
                   reason=res.reason)
        if res.ok:
            boxes = [res.box[i * d:(i + 1) * d] for i in range(n)]
            r = 0
            for k in range(min(n, d), 0, -1):
                ok, info2 = kz.certified_rank_lower_bound(boxes, k)
                if ok:
                    r = k
                    rec["rank_certificate"] = info2
                    break
            rec["rank_at_least"] = r
    finally:
        flint.ctx.prec = old
    rec["X"] = [[float(v) for v in x[i * d:(i + 1) * d]] for i in range(n)]
    return rec


def _numeric_rank(X, tol=1e-6):
    s = np.linalg.svd(X, compute_uv=False)
    return int(np.sum(s > tol * s[0]))


def _distinct(found, X, tol=1e-7):
    return all(np.max(np.abs(X - Y)) > tol for Y in found)


def search(masks=("complete", "window"), sizes=((3, 3),), qk_scales=(0.0, 1.0, 3.0),
           values=("gaussian", "orthogonal", "jordan"), weight_samples: int = 1,
           starts: int = 8, seed: int = 0, certify_max: int = 2, dps: int = 30) -> dict:
    """Random search for post-LN equilibria of rank >= 2 under symmetric masks.

    For each mask, (N, d), W_Q/W_K scale, W_V kind and weight sample (seeded), run
    :func:`newton_f64` from ``starts`` random starts on the sphere; collect distinct
    converged equilibria with their numerical rank; certify up to ``certify_max`` of the
    rank >= 2 ones per weight sample (Krawczyk, full system).  Returns the counts and
    the certified witnesses."""
    rng = np.random.default_rng(seed)
    runs, witnesses = [], []
    totals = {"weight_samples": 0, "starts": 0, "converged": 0, "distinct": 0,
              "rank>=2": 0, "certified_rank>=2": 0, "krawczyk_failed": 0}
    for mask, (n, d), scale, value in itertools.product(masks, sizes, qk_scales, values):
        M = symmetric_mask(mask, n)
        for _ in range(weight_samples):
            WQ, WK, WV = random_weights(d, rng, scale, value)
            totals["weight_samples"] += 1
            found, ranks = [], []
            for _ in range(starts):
                X0 = rng.standard_normal((n, d))
                X0 /= np.linalg.norm(X0, axis=1, keepdims=True)
                totals["starts"] += 1
                X, ok = newton_f64(X0, M, WQ, WK, WV)
                if not ok or residual_f64(X, M, WQ, WK, WV) > 1e-10:
                    continue
                totals["converged"] += 1
                if _distinct(found, X):
                    found.append(X)
                    ranks.append(_numeric_rank(X))
            totals["distinct"] += len(found)
            hi = [X for X, r in zip(found, ranks) if r >= 2]
            totals["rank>=2"] += len(hi)
            cert = 0
            for X in hi[:certify_max]:
                rec = certify_equilibrium(X, M, WQ, WK, WV, dps=dps)
                if rec.get("certified") and rec.get("rank_at_least", 0) >= 2:
                    cert += 1
                    totals["certified_rank>=2"] += 1
                    if len(witnesses) < 3:
                        witnesses.append({"mask": mask, "n": n, "d": d, "qk_scale": scale,
                                          "W_V": value, "W_Q": WQ.tolist(), "W_K": WK.tolist(),
                                          "W_V_matrix": WV.tolist(), "X": rec["X"],
                                          "box_width": rec["width"],
                                          "rank_at_least": rec["rank_at_least"]})
                elif not rec.get("certified"):
                    totals["krawczyk_failed"] += 1
            runs.append({"mask": mask, "n": n, "d": d, "qk_scale": scale, "W_V": value,
                         "distinct": len(found), "ranks": sorted(ranks),
                         "certified_rank>=2": cert})
    return {"seed": seed, "masks": list(masks), "sizes": [list(s) for s in sizes],
            "qk_scales": list(qk_scales), "values": list(values),
            "weight_samples": weight_samples, "starts": starts, "totals": totals,
            "runs": runs, "witnesses": witnesses}
