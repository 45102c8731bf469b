"""Theorem 3 beyond ``W_Q = W_K = 0``: equilibria near the Jordan ones, PROVED to exist
(the generic certified root finding is in :mod:`counterexamples.interval_newton`).

Setting.  Post-LN self-attention ``F(X)_i = LN(sum_j A_ij(X) X_j W_V)`` with
``A = softmax_M((X W_Q)(X W_K)^T / sqrt(d_qk))`` (masked, row-wise), tokens are rows,
LN divides each row by its 2-norm.  For the causal mask, ``W_V = I + wJ`` and
``W_Q = delta Z_Q``, ``W_K = delta Z_K`` (``Z`` seeded Gaussian, entries N(0, 1/d)),
we look for the equilibria that continue the Jordan-chain equilibria
(:func:`counterexamples.jordan.equilibrium`) as delta grows from 0.

Sound formulation (why the Jacobian is not hopelessly singular).

* Ambient equations.  Each token is an unknown ``x in R^d`` and solves
  ``G_i(x) = x - F_i(x) = 0``; a zero lies on the sphere automatically (``x = LN(.)``).
  With ``DF_i = P M`` (``P`` the projection onto ``x^perp``), ``(I - P M) v = 0`` forces
  ``v = P M v`` to be tangent, so the ambient ``d x d`` Jacobian ``I - DF_i`` is singular
  iff the tangent-space linearisation has eigenvalue exactly 1.  No parametrisation of
  the sphere and no Lagrange multiplier are needed.
* Token 1 attends only to itself: ``F_1(X) = LN(X_1 W_V)`` for every ``W_Q, W_K``.
  ``e_d W_V = e_d`` (row convention: ``x W_V = x + w (0, x_1, .., x_{d-1})``, so the last
  basis vector is a LEFT eigenvector), hence ``X_1 = +-e_d`` is an exact fixed point; its
  tangent linearisation is the top-left ``(d-1) x (d-1)`` block of ``W_V``, unipotent
  (every eigenvalue 1), so ``I - DF_1`` is singular there and no Newton/Krawczyk
  argument can isolate it.  We do not need one: token 1 is fixed EXACTLY.
* Block tokens ``2..m`` (``m = N - k + 1``) sit at ``e_d`` too: every token they attend to
  equals ``e_d``, so ``sum_j A_ij e_d W_V = e_d`` whatever ``A`` is — exact.  (They are
  also nondegenerate: Krawczyk isolates them, their blocks have eigenvalues near 1/i.)
* Chain tokens ``m+1..N``: causal means token i's equation involves tokens ``<= i`` only,
  so the Jacobian is block lower-triangular.  We certify token by token: for token i,
  a parametric Krawczyk test with the EARLIER tokens given as boxes (arb balls, zero
  derivative) proves: for EVERY choice of earlier tokens in their boxes there is exactly
  one zero of ``G_i`` in the box of token i.  Chaining from the exact tokens gives an
  equilibrium ``X*`` with every token in its box.  A chain token whose block has
  eigenvalue 1 (e.g. ``|w| = 1``, or ``|w| = N - k + 1`` for the first chain token)
  cannot pass and is reported "open".
* Rank: tokens ``1..m`` are EQUAL (exact), so ``rank X* <= k``; a ``k x k`` minor of the
  distinct rows with an arb determinant excluding 0 gives ``rank X* >= k``.

Krawczyk test (Krawczyk 1969, Moore; parametric form).  For a box ``X``, a point
``c in X``, a real matrix ``C`` and an interval matrix ``J`` enclosing ``G'(x; p)`` over
``x in X`` and all parameters ``p`` in their boxes,
``K = c - C G(c; [p]) + (I - C J)(X - c)``.  If ``K`` lies in the interior of ``X``, then for
every ``p`` the map ``G(.; p)`` has exactly one zero in ``X`` (and ``C``, ``J`` are
nonsingular).  Everything is evaluated in python-flint ``arb`` balls; weights are exact
rationals (floats are dyadic rationals, delta a Fraction), so the proof is about the
stated weights.  Interval Jacobians come from forward-mode automatic differentiation
(:class:`Dual`) run on arb balls, one code path with the mpmath Newton solver.

>>> from fractions import Fraction
>>> r = certify_perturbed(3, 3, 3, 3, delta=Fraction(1, 100), seed=0)
>>> r.status, [t["status"] for t in r.details["tokens"]]
('holds', ['exact', 'certified', 'certified'])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
import sympy as sp

from numeric import masks as _masks
from numeric.errors import AssumptionError, RankCollapseError, ShapeError
from numeric.weights import gaussian
from theory.evidence import Evidence

from . import jordan
from .interval_newton import (KIT_ARB, KIT_FLOAT, KIT_MP, Dual, Kit,  # noqa: F401
                              KrawczykResult, _arb_sqrt, _dot, _exp, _seed_duals, _sqrt,
                              _to_mpf, _value_and_jacobian, _vecmat, krawczyk, newton,
                              post_ln_rows, to_arb)

__all__ = [
    "Dual", "KIT_FLOAT", "KIT_MP", "KIT_ARB", "post_ln_rows", "krawczyk", "KrawczykResult",
    "newton", "perturbation_weights", "to_arb", "token_block_spectrum", "certify_perturbed",
    "largest_certified_delta", "delta_grid", "certified_rank_lower_bound", "chain_support",
    "transverse_eigenvalue_one",
]


# ---------------------------------------------------------------- the causal problem
def delta_grid(lo_exp: int = -6, hi_exp: int = 0) -> list[Fraction]:
    """Geometric grid ``1, 3`` times powers of ten from ``10^lo_exp`` to ``10^hi_exp``
    (exact Fractions).

    >>> [str(x) for x in delta_grid(-2, 0)]
    ['1/100', '3/100', '1/10', '3/10', '1']
    """
    out = []
    for e in range(lo_exp, hi_exp + 1):
        for m in (1, 3):
            v = Fraction(m) * Fraction(10) ** e
            if v <= Fraction(10) ** hi_exp:
                out.append(v)
    return out


def perturbation_weights(d: int, seed: int, d_qk: int | None = None):
    """Seeded directions ``Z_Q, Z_K`` (d x d_qk float64 Gaussian, entries N(0, 1/d)); the
    weights are ``W_Q = delta Z_Q``, ``W_K = delta Z_K``."""
    rng = np.random.default_rng(seed)
    d_qk = d_qk or d
    return gaussian(d, d_qk, rng), gaussian(d, d_qk, rng)


def _exact_weights(Z, delta):
    return [[Fraction(float(v)) * Fraction(delta) for v in row] for row in Z]


def _wv_exact(d, w):
    W = jordan.value_matrix(d, w)
    if not all(v.is_Rational for v in W):
        raise RankCollapseError(f"--certify-delta needs a rational w (exact arb inputs), got w={w}")
    return [[Fraction(int(W[i, j].p), int(W[i, j].q)) for j in range(d)] for i in range(d)]


def _conv_matrix(W, kit):
    return [[kit.conv(v) for v in row] for row in W]


def token_block_spectrum(X, i, M, W_Q, W_K, W_V, dps: int = 40):
    """Eigenvalues of the tangent-space linearisation of ``F_i`` in token i alone (other
    tokens frozen) at configuration ``X`` (mpmath).  ``I - DF_i`` is singular iff 1 is
    among them.  For token 1 at ``e_d`` under the causal mask: the top-left block of
    ``W_V`` (unipotent), every eigenvalue exactly 1.

    >>> import sympy
    >>> X = [[0, 0, 1], [0, 0, 1]]
    >>> W = [[1, 3, 0], [0, 1, 3], [0, 0, 1]]
    >>> Z = [[0] * 3 for _ in range(3)]
    >>> [mpmath.nstr(abs(v), 6) for v in token_block_spectrum(X, 0, _masks.causal(2), Z, Z, W)]
    ['1.0', '1.0']
    """
    with mpmath.workdps(dps):
        Xm = [[_to_mpf(v) for v in row] for row in X]
        d = len(Xm[0])
        WQ, WK, WV = (_conv_matrix(W, KIT_MP) for W in (W_Q, W_K, W_V))

        def Fi(x):
            Y = [list(r) for r in Xm]
            Y[i] = x
            return post_ln_rows(Y, [i], M, WQ, WK, WV, KIT_MP)[0]

        _, J = _value_and_jacobian(Fi, Xm[i], KIT_MP)
        J = mpmath.matrix(J)  # column convention: J[a, b] = d F_a / d x_b
        x = mpmath.matrix(Xm[i])
        # orthonormal basis of x^perp
        # orthonormal basis of x^perp: Gram-Schmidt on x, e_1, ..., e_d
        basis = [x / mpmath.norm(x)]
        for b in range(d):
            v = mpmath.matrix([1 if a == b else 0 for a in range(d)])
            for u in basis:
                v = v - (u.T * v)[0] * u
            if mpmath.norm(v) > mpmath.mpf(10) ** (-dps // 3) and len(basis) < d:
                basis.append(v / mpmath.norm(v))
        B = mpmath.matrix(d, d - 1)
        for c in range(1, d):
            for a in range(d):
                B[a, c - 1] = basis[c][a]
        T = B.T * J * B
        ev = mpmath.eig(T, left=False, right=False)
        return list(ev)


def _jordan_start(n, d, k, w, signs):
    X = jordan.equilibrium(n, d, k, w, signs)
    return [[X[i, j] for j in range(d)] for i in range(n)]


def _rank_minor(rows_arb, k):
    """Certified: some k x k minor of the given rows (arb balls) excludes 0."""
    d = len(rows_arb[0])
    import itertools
    best = None
    for cols in itertools.combinations(range(d - 1, -1, -1), k):
        Mk = flint.arb_mat([[r[c] for c in cols] for r in rows_arb[:k]])
        det = Mk.det()
        if not det.contains(0):
            return True, {"columns": list(cols), "det": str(det)}
        best = best or {"columns": list(cols), "det": str(det)}
    return False, best


def certified_rank_lower_bound(boxes, k):
    """True if every matrix with rows in the given boxes has rank >= k (some k x k minor
    of k of the rows is certified nonzero).  Rows are tried in the order given."""
    import itertools
    for rows in itertools.combinations(range(len(boxes)), k):
        ok, info = _rank_minor([boxes[r] for r in rows], k)
        if ok:
            info["rows"] = list(rows)
            return True, info
    return False, {}


def chain_support(n: int, d: int, k: int, i: int) -> list[int]:
    """0-based coordinates that token i (0-based) of the rank-k configuration may use:
    block tokens ``i < m`` only ``e_d``; chain token ``j = i - m + 1`` the last ``j + 1``.

    ``V_j = span(e_{d-j}, .., e_d)`` is W_V-invariant in the row convention
    (``(x W_V)_l = x_l + w x_{l-1}``), so if the earlier tokens lie in ``V_j`` and
    ``x in V_{j+1}``, then ``F_i(x) in V_{j+1}`` whatever the attention weights are.

    >>> chain_support(3, 4, 3, 0), chain_support(3, 4, 3, 2)
    ([3], [1, 2, 3])
    """
    m = n - k + 1
    j = max(0, i - m + 1)
    return list(range(d - 1 - j, d))


def transverse_eigenvalue_one(n: int, d: int, k: int, i: int) -> int:
    """Number of tangent directions of token i (0-based) with linearisation eigenvalue
    EXACTLY 1, for every ``W_Q, W_K``: token 1 has ``d - 1`` (unipotent block of W_V);
    a chain token whose support misses ``l = d - j - 1 >= 1`` leading coordinates has
    ``l`` of them; block tokens ``2..m`` none.

    Proof (chain token): let ``p`` be its first nonzero coordinate.  Earlier tokens vanish
    at ``p`` and below, so ``y_p = a_ii (x W_V)_p = a_ii x_p`` and the fixed-point equation
    gives ``a_ii = ||y||``.  For a coordinate ``q < p`` every term of ``dF_q`` except
    ``a_ii (dx W_V)_q / ||y||`` carries a factor ``y_q = 0`` or ``F_q = 0``: the block of the
    unused coordinates is the top-left block of ``W_V`` (unipotent), times 1.

    >>> [transverse_eigenvalue_one(3, 3, 3, i) for i in range(3)]
    [2, 1, 0]
    """
    m = n - k + 1
    if i == 0:
        return d - 1
    if i < m:
        return 0
    return d - len(chain_support(n, d, k, i))


def _solve_and_certify(n, d, k, WV, ZQ, ZK, delta, start, dps, subspace=True, certify=True):
    """Token-by-token Newton + Krawczyk for one delta.

    Chain tokens are solved in their W_V-invariant coordinate subspace (``subspace=True``);
    with ``subspace=False`` the full R^d is used, which fails for every chain token with a
    transverse eigenvalue 1 (the negative control of the degeneracy).  Returns
    ``(solution rows, per-token records, arb boxes)``."""
    M = _masks.causal(n)
    m = n - k + 1
    WQe, WKe = _exact_weights(ZQ, delta), _exact_weights(ZK, delta)
    tokens = []
    sol = [list(r) for r in start]
    boxes = []              # arb rows (exact points for the exact tokens)
    with mpmath.workdps(dps):
        WQm, WKm, WVm = (_conv_matrix(W, KIT_MP) for W in (WQe, WKe, WV))
    old = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 16
    try:
        WQa, WKa, WVa = (_conv_matrix(W, KIT_ARB) for W in (WQe, WKe, WV))
        sgn = 1 if start[0][d - 1] > 0 else -1
        for i in range(n):
            ones = transverse_eigenvalue_one(n, d, k, i)
            if i < m:
                sol[i] = [0] * (d - 1) + [sgn]
                boxes.append([flint.arb(v) for v in sol[i]])
                why = ("exact: token 1 attends only to itself and e_d W_V = e_d; its block "
                       "is unipotent (Krawczyk cannot isolate it)" if i == 0 else
                       "exact: every token it attends to equals +-e_d, so y = +-e_d for any A")
                tokens.append({"token": i + 1, "status": "exact", "width": 0.0, "reason": why,
                               "eigenvalue_one_directions": ones})
                continue
            idx = chain_support(n, d, k, i) if subspace else list(range(d))

            def embed(v, zero):
                x = [zero] * d
                for a, t in zip(idx, v):
                    x[a] = t
                return x

            def G_mp(v, i=i):
                x = embed(v, mpmath.mpf(0))
                Y = [list(r) for r in sol[:i]] + [x]
                f = post_ln_rows(Y, [i], M[:i + 1, :i + 1], WQm, WKm, WVm, KIT_MP)[0]
                return [x[a] - f[a] for a in idx]

            with mpmath.workdps(dps):
                v, info = newton(G_mp, [sol[i][a] for a in idx], dps=dps)
            if not info["converged"]:
                tokens.append({"token": i + 1, "status": "open", "reason": "Newton failed",
                               "newton": {k_: info[k_] for k_ in ("iterations", "reason")
                                          if k_ in info},
                               "eigenvalue_one_directions": ones})
                return sol, tokens, boxes
            sol[i] = embed(v, mpmath.mpf(0))
            prev = list(boxes)

            def G_arb(vb, i=i, prev=prev):
                x = embed(vb, flint.arb(0))
                f = post_ln_rows(prev + [x], [i], M[:i + 1, :i + 1], WQa, WKa, WVa, KIT_ARB)[0]
                return [x[a] - f[a] for a in idx]

            if not certify:     # continuation sub-step: Newton only
                boxes.append([to_arb(t) for t in sol[i]])
                tokens.append({"token": i + 1, "status": "newton"})
                continue
            res = krawczyk(G_arb, v, dps=dps)
            rec = {"token": i + 1, "coordinates": [a + 1 for a in idx],
                   "eigenvalue_one_directions": ones}
            if not res.ok:
                rec.update(status="open", reason=res.reason, width=res.max_width())
                tokens.append(rec)
                return sol, tokens, boxes
            # the coordinates outside the subspace are exact zeros: F maps V into V
            full = embed(res.box, flint.arb(0))
            f_out = post_ln_rows(prev + [full], [i], M[:i + 1, :i + 1], WQa, WKa, WVa,
                                 KIT_ARB)[0]
            assert all(f_out[a].is_zero() for a in range(d) if a not in idx)
            boxes.append(full)
            rec.update(status="certified", width=res.max_width(), inflations=res.iterations,
                       box=[str(b) for b in res.box])
            tokens.append(rec)
    finally:
        flint.ctx.prec = old
    return sol, tokens, boxes


def certify_perturbed(n: int, d: int, k: int, w, delta, seed: int = 0, signs=None,
                      dps: int = 50, start=None, subspace: bool = True,
                      X0=None) -> Evidence:
    """Prove that the causal post-LN map with ``W_V = I + wJ``, ``W_Q = delta Z_Q``,
    ``W_K = delta Z_K`` (``Z`` from :func:`perturbation_weights` with ``seed``) has an
    equilibrium of rank exactly k near the Jordan one ``jordan.equilibrium(n, d, k, w,
    signs)``: tokens ``1..N-k+1`` exactly at ``+-e_d``, each chain token in a certified
    box (unique there given the earlier tokens).

    ``status``: ``holds`` (certified) or ``open`` (Newton or Krawczyk failed: NOT a
    disproof).  ``details["tokens"]`` lists per token the status and box width.
    """
    if not (isinstance(delta, (int, Fraction)) or isinstance(delta, str)):
        raise RankCollapseError(f"delta must be exact (int, Fraction or decimal string), got {delta!r}")
    delta = Fraction(delta)
    if delta < 0:
        raise RankCollapseError(f"delta must be >= 0, got {delta}")
    WV = _wv_exact(d, w)
    ZQ, ZK = perturbation_weights(d, seed)
    jx = (_jordan_start(n, d, k, w, signs) if X0 is None
          else [[X0[i, j] for j in range(d)] for i in range(n)])
    if start is None:
        with mpmath.workdps(dps):
            start = [[_to_mpf(v) for v in row] for row in jx]
    sol, tokens, boxes = _solve_and_certify(n, d, k, WV, ZQ, ZK, delta, start, dps, subspace)
    stmt = (f"causal post-LN, N={n}, d={d}, W_V = I + {w}J, W_Q = W_K-scale {delta} "
            f"(seed {seed}): an equilibrium of rank {k} exists near the Jordan one")
    details = {"n": n, "d": d, "k": k, "w": str(w), "delta": str(delta), "seed": seed,
               "signs": signs, "dps": dps, "tokens": tokens}
    details["distance_to_jordan"] = max(abs(float(sol[i][j]) - float(jx[i][j]))
                                        for i in range(n) for j in range(d))
    if any(t["status"] == "open" for t in tokens) or len(tokens) < n:
        return Evidence(stmt, "open", "certified", details,
                        narrower="not proved at this delta (Newton/Krawczyk failed); no disproof")
    m = n - k + 1
    old = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 16
    try:
        distinct = [boxes[0]] + boxes[m:]
        ok, info = _rank_minor(distinct, k)
    finally:
        flint.ctx.prec = old
    details["rank_certificate"] = info
    details["solution"] = [[float(v) for v in row] for row in sol]
    details["solution_mp"] = sol
    if not ok:
        return Evidence(stmt, "open", "certified", details,
                        narrower="equilibrium certified, rank >= k not certified")
    return Evidence(stmt, "holds", "certified", details)


def largest_certified_delta(n: int, d: int, k: int, w, seed: int = 0, signs=None,
                            grid=None, dps: int = 40, substeps: int = 2) -> dict:
    """Continuation along an increasing delta grid (Newton restarted from the previous
    solution); returns the largest grid delta up to which EVERY grid value certified
    (``None`` if the first fails), the first failure, and per-delta statuses."""
    grid = list(grid) if grid is not None else delta_grid()
    with mpmath.workdps(dps):
        start = [[_to_mpf(v) for v in row] for row in _jordan_start(n, d, k, w, signs)]
    largest, first_fail, per = None, None, []
    WV = _wv_exact(d, w)
    ZQ, ZK = perturbation_weights(d, seed)
    prev_delta = None
    for delta in grid:
        if prev_delta is not None and substeps > 0:
            # path following: Newton-only sub-steps (geometric) between grid points, so
            # that the branch is followed and not jumped over
            ratio = (float(delta) / float(prev_delta)) ** (1.0 / (substeps + 1))
            for s_ in range(1, substeps + 1):
                dl = Fraction(float(prev_delta) * ratio ** s_).limit_denominator(10 ** 12)
                sol, toks, _ = _solve_and_certify(n, d, k, WV, ZQ, ZK, dl, start, dps,
                                                  certify=False)
                if any(t["status"] == "open" for t in toks):
                    break
                start = [[mpmath.mpf(v) for v in r] for r in sol]
        prev_delta = delta
        ev = certify_perturbed(n, d, k, w, delta, seed, signs, dps, start=start)
        per.append({"delta": str(delta), "status": ev.status,
                    "max_width": max((t.get("width", 0.0) for t in ev.details["tokens"]),
                                     default=0.0),
                    "distance_to_jordan": ev.details["distance_to_jordan"]})
        if ev.status != "holds":
            first_fail = {"delta": str(delta), "tokens": ev.details["tokens"]}
            break
        largest = delta
        with mpmath.workdps(dps):
            start = [[mpmath.mpf(v) for v in row] for row in ev.details["solution_mp"]]
    near = [p["delta"] for p in per if p["status"] == "holds" and p["distance_to_jordan"] <= 0.05]
    return {"n": n, "d": d, "k": k, "w": str(w), "seed": seed, "signs": signs,
            "largest_near_delta": near[-1] if near else None,
            "largest_certified_delta": None if largest is None else str(largest),
            "largest_float": None if largest is None else float(largest),
            "first_failure": first_fail, "per_delta": per}

