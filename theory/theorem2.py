"""Theorem 2 and Corollary 1: post-LN collapse with orthogonal value matrices.

Post-LN dynamics ``X(t+1) = D(t) A(t) X(t) W_V(t)`` on tokens of unit norm, ``W_V(t)``
orthogonal.  Write ``phi(t) = min_{i,j} <X_i(t), X_j(t)>``.  The proofs rest on a
one-block recursion: over ``r`` layers (``r`` the radius) the products of ``D A`` have
entries at least ``eps^r`` in the column of every centre ``c`` whose eccentricity is at
most ``r`` (``D >= 1`` by Lemma 5; walk from ``c``, wait on self-loops), and

    phi(t + r) >= n_r eps^{2r} + (1 - n_r eps^{2r}) phi(t)      whenever phi(t) >= 0,

with ``n_r`` the number of such centres.  The paper counts ALL centres (``N`` for a
strongly connected mask in Theorem 2, ``n`` in the refinement); that is right when every
centre has eccentricity ``r`` (complete mask; a single centre), but a centre farther
than ``r`` from some token need not have a column ``>= eps^r`` after ``r`` layers, and
the recursion with all centres then fails (:func:`centre_count_witness`).  ``eps`` is Lemma 4's
``exp(-2 CQ CK / sqrt(d_qk)) / max_i |N_i|``.  Under (*) the paper shows ``phi`` becomes
non-negative after some ``t0`` (not explicit); under ``phi(0) >= 0`` the recursion holds
from ``t = 0``.  Iterating gives ``1 - phi(t) <= (1 - n eps^{2r})^{floor(t/r)}`` and
``mu(X(t))^2 <= N (1 - phi(t))``, so ``mu`` decays at least like
``(1 - n eps^{2r})^{t/(2r)}``.

The checks run the trajectory in arb balls with exactly orthogonal rational ``W_V``
(Cayley transforms) and compare with certainty.
"""
from __future__ import annotations

import numpy as np

from numeric import masks as _masks
from numeric.dynamics import simulate
from numeric.errors import AssumptionError
from numeric.precision import get_backend

from . import graphs
from .bounds import _layers_list, ball_rate, edge_weights, lemma1_eps, norm2_upper, upper_max
from .evidence import Evidence, escalate

__all__ = ["inner_min", "check_orthogonal", "phi_recursion", "centres_within_radius",
           "min_attention_weight", "centre_count_witness", "mu_phi_relation"]


def inner_min(X, be):
    """``phi(X) = min_{i,j} <X_i, X_j>`` as a ball (X in arb)."""
    G = X @ X.T
    vals = G.ravel().tolist()
    out = vals[0]
    for v in vals[1:]:
        out = out.min(v)
    return out


def check_orthogonal(W, be, t=None) -> None:
    """Raise :class:`AssumptionError` unless ``W W^T = I`` EXACTLY.

    The hypothesis is decided in rational arithmetic (a float is a dyadic rational, so a
    float matrix that is orthogonal only to rounding is rejected: use exactly orthogonal
    rational matrices, e.g. Cayley transforms).  Entries that are not exact numbers
    (balls) are rejected too: the hypothesis could not be decided.

    >>> from numeric.precision import get_backend
    >>> check_orthogonal([[0, 1], [1, 0]], get_backend("arb:30"))
    >>> check_orthogonal([[0.6, 0.8], [-0.8, 0.6]], get_backend("arb:30"))
    Traceback (most recent call last):
    ...
    numeric.errors.AssumptionError: assumption W_V orthogonal violated: W_V W_V^T differs from I at entry (0, 0) by 4.44e-17 (computed exactly from the rational value of the input)
    """
    from .stochastic import InexactInputError, as_exact_matrix

    where = f" at layer {t}" if t is not None else ""
    try:
        F = as_exact_matrix(W, name="W_V", allow_float=True)
    except InexactInputError:
        raise AssumptionError("W_V orthogonal", f"W_V{where} has entries that are not exact "
                              "numbers: orthogonality cannot be decided", where=t) from None
    d = len(F)
    for i in range(d):
        for j in range(d):
            g = sum(a * b for a, b in zip(F[i], F[j])) - (1 if i == j else 0)
            if g != 0:
                raise AssumptionError("W_V orthogonal", f"W_V W_V^T differs from I at entry "
                                      f"({i}, {j}){where} by {float(g):.3g} (computed exactly "
                                      "from the rational value of the input)", where=t)


def phi_recursion(M, X0, layers, T: int, *, n_centres: int | None = None, dps: int = 60,
                  cap: int = 960, mode: str = "post-ln", require_orthogonal: bool = True,
                  require_phi0_nonneg: bool = False, eps_override=None) -> Evidence:
    """Check ``phi(t + r) >= n eps^{2r} + (1 - n eps^{2r}) phi(t)`` for every
    ``t <= T - r`` with ``phi(t) >= 0``, on one post-LN (or pre-LN) trajectory.

    ``n_centres`` defaults to ``n_r``, the number of centres of eccentricity ``<= r``
    (:func:`centres_within_radius`); pass ``1`` for Corollary 1 as stated, or the paper's
    count of all centres to test its reading.  Raises :class:`AssumptionError` for A1, a mask
    without centre, or a ``W_V`` that is not exactly orthogonal (unless
    ``require_orthogonal=False``, which negative controls use).  ``require_phi0_nonneg=True``
    is Corollary 1's setting: an input with a certainly negative cosine raises
    :class:`AssumptionError` ("phi(0) >= 0").

    Soundness: a layer whose ``phi(t)`` ball straddles 0 (the hypothesis undecided) or
    whose recursion comparison is undecided counts as undecided; the digits are doubled
    from ``dps`` up to ``cap`` until none is left, else the verdict is ``open``.  Also
    reports ``t0`` (the first ``t`` with ``phi(t) >= 0`` certain) and the measured decay of
    ``1 - phi`` as a ball."""
    return escalate(lambda k: _phi_recursion_at(M, X0, layers, T, n_centres, k, mode,
                                                require_orthogonal, require_phi0_nonneg,
                                                eps_override), dps, cap)


def _phi_recursion_at(M, X0, layers, T, n_centres, dps, mode, require_orthogonal,
                      require_phi0_nonneg, eps_override) -> Evidence:
    be = get_backend(f"arb:{dps}")
    _masks.check_a1(M)
    r = graphs.radius(M)
    if r == float("inf"):
        raise AssumptionError("quasi-strong connectivity", "the mask has no centre node")
    r = max(int(r), 1)
    n = len(centres_within_radius(M)) if n_centres is None else int(n_centres)
    lays = _layers_list(layers, T)
    Md = _masks.to_dense(M)
    max_deg = int(Md.sum(axis=1).max())
    with be.context():
        S = be.scalar(0)
        for t, lay in enumerate(lays):
            if require_orthogonal:
                check_orthogonal(lay.W_V, be, t)
            dqk = lay.d_qk if lay.d_qk is not None else np.shape(lay.W_Q)[1]
            St = norm2_upper(lay.W_Q, be) * norm2_upper(lay.W_K, be) / \
                be.sqrt(np.array([be.scalar(dqk)], dtype=object))[0]
            S = upper_max([S, St], be)
        eps = lemma1_eps(max_deg, S, be) if eps_override is None else be.scalar(eps_override)
        # the theorem starts on the sphere: use the balls of X0 / ||X0_i|| (they contain
        # the exactly normalised input even when float rows are unit only to 1e-16)
        X0 = be.asarray(X0)
        norms = be.sqrt((X0 * X0).sum(axis=1))
        if any(v.contains(0) for v in norms):
            raise AssumptionError("tokens on the sphere", "X(0) has a zero token (or one "
                                  "whose norm cannot be shown nonzero)")
        X0 = X0 / norms[:, None]
        phi0 = inner_min(X0, be)
        if require_phi0_nonneg and phi0 < 0:
            raise AssumptionError("phi(0) >= 0", "two input tokens have a negative cosine "
                                  f"(phi(0) = {phi0}); Corollary 1 assumes none")
    tr = simulate(X0, M, layers, T, mode=mode, backend=be)
    undecided = []
    with be.context():
        if mode == "pre-ln":  # tokens leave the sphere: use cosines
            Xs = [X / be.sqrt((X * X).sum(axis=1))[:, None] for X in tr.X]
        else:
            Xs = tr.X
        phis = [inner_min(X, be) for X in Xs]
        # 1 - phi = max_{i,j} ||X_i - X_j||^2 / 2 for unit tokens: no cancellation near 1
        gaps = [_max_half_sq_dist(X) for X in Xs]
        a = n * eps ** (2 * r)
        t0 = next((t for t, p in enumerate(phis) if p >= 0), None)
        checked = skipped = 0
        for t in range(0, T - r + 1):
            if phis[t] < 0:
                skipped += 1               # hypothesis certainly false: nothing to check
                continue
            if not phis[t] >= 0:
                undecided.append({"t": t, "what": "phi(t) >= 0", "phi_t": str(phis[t])})
                continue
            rhs = (1 - a) * gaps[t]          # the recursion, as 1 - phi(t+r) <= rhs
            if gaps[t + r] > rhs:
                return Evidence("phi(t+r) >= n eps^{2r} + (1 - n eps^{2r}) phi(t) when "
                                "phi(t) >= 0", "fails", "certified",
                                {"r": r, "n": n, "eps": str(eps), "mode": mode,
                                 "digits": dps, "undecided": []},
                                witness={"t": t, "phi_t": str(phis[t]),
                                         "one_minus_phi_t_plus_r": str(gaps[t + r]),
                                         "allowed": str(rhs), "eps_override": eps_override})
            if not gaps[t + r] <= rhs:       # balls too wide to decide
                undecided.append({"t": t, "what": "recursion", "lhs": str(gaps[t + r]),
                                  "rhs": str(rhs)})
                continue
            checked += 1
        pos = [t for t in range(len(gaps)) if gaps[t] > 0]
        rate = ball_rate(gaps, pos[len(pos) // 2], pos[-1], be) if len(pos) > 4 else None
        bound_rate = (1 - a) ** (be.scalar(1) / r) if a < 1 else None
    status = "open" if undecided or not checked else "holds"
    return Evidence("phi(t+r) >= n eps^{2r} + (1 - n eps^{2r}) phi(t) for every t <= "
                    f"{T - r} with phi(t) >= 0",
                    status, "certified",
                    {"T": T, "r": r, "n_centres": n, "eps": str(eps),
                     "n_centres_all": graphs.n_centers(M),
                     "layers_skipped_phi_certainly_negative": skipped,
                     "t0_first_phi_nonneg": t0, "steps_checked": checked,
                     "undecided": undecided[:5], "n_undecided": len(undecided),
                     "bound_rate_1_minus_phi_per_layer":
                         str(bound_rate) if bound_rate is not None else "n eps^{2r} >= 1",
                     "measured_rate_1_minus_phi_per_layer":
                         str(rate) if rate is not None else "not certified",
                     "digits": dps, "mode": mode},
                    None if checked else {"reason": "phi(t) never certainly >= 0 within T",
                                          "phi_T": str(phis[-1])})


def _max_half_sq_dist(X):
    n = X.shape[0]
    best = None
    for i in range(n):
        for j in range(i + 1, n):
            dlt = X[i] - X[j]
            v = (dlt * dlt).sum() / 2
            best = v if best is None else best.max(v)
    return best if best is not None else X[0, 0] * 0


def centres_within_radius(M) -> list[int]:
    """Centres ``c`` with eccentricity ``<= r`` (the radius): exactly those whose column of
    any product of ``r`` attention matrices is bounded below by ``eps^r``."""
    r = graphs.radius(M)
    if r == float("inf"):
        return []
    return [int(c) for c in graphs.center_nodes(M) if graphs.eccentricity(M, c) <= r]


def min_attention_weight(M, X0, layers, T: int, *, mode: str = "post-ln", dps: int = 60):
    """A rigorous lower bound (arb) of every attention weight on an edge of ``M`` along the
    trajectory, layers ``0..T-1``: a valid ``eps`` for the recursion on that horizon."""
    be = get_backend(f"arb:{dps}")
    with be.context():
        low = min(a.lower() for *_, a in edge_weights(M, X0, layers, T, mode=mode, be=be))
        return be.scalar(0) + low


def centre_count_witness(dps: int = 60) -> Evidence:
    """The recursion with ALL centres counted fails: sliding window ``N = d = 3``
    (centres 0, 1, 2; eccentricities 2, 1, 2; radius 1), ``W_V = I``,
    ``W_Q = W_K = diag(sqrt(log 2), sqrt(log 2), 0)``, ``d_qk = 1``, and
    ``X(0)`` the normalised rows ``(1, .05, .05), (.05, .05, 1), (.05, 1, .05)`` (full rank,
    ``phi(0) > 0``).  With ``eps`` a certified lower bound of every attention weight over
    the first 40 layers, ``phi(1) >= 3 eps^2 + (1 - 3 eps^2) phi(0)`` is certainly false,
    while the same check with ``n_r = 1`` centre of eccentricity ``<= r`` holds.

    Status ``fails`` means the paper's count is refuted on this instance."""
    import math

    from numeric import masks

    M = masks.sliding_window(3, 1)
    q = math.sqrt(math.log(2))
    W = np.diag([q, q, 0.0])
    X0 = np.array([[1, .05, .05], [.05, .05, 1], [.05, 1, .05]])
    layer = (W, W, np.eye(3), 1)
    eps = min_attention_weight(M, X0 / np.linalg.norm(X0, axis=1, keepdims=True), layer, 40,
                               dps=dps)
    all_c = phi_recursion(M, X0, layer, 40, n_centres=graphs.n_centers(M), dps=dps,
                          eps_override=eps)
    within = phi_recursion(M, X0, layer, 40, dps=dps, eps_override=eps)
    status = "fails" if all_c.status == "fails" else "open"
    return Evidence("phi(t+r) >= n eps^{2r} + (1 - n eps^{2r}) phi(t) with n = ALL centres "
                    "(Theorem 2's N, the refinement's n), eps any lower bound of the weights",
                    status, "certified",
                    {"mask": "sliding_window(3, 1)", "eccentricities": [2, 1, 2], "r": 1,
                     "eps_certified_lower_bound": str(eps),
                     "with_all_centres": all_c.status, "with_n_r_centres": within.status,
                     "n_r": len(centres_within_radius(M))},
                    witness=all_c.witness,
                    narrower="holds with n_r = number of centres of eccentricity <= r (the "
                             "complete mask: n_r = N; causal: 1)" if within.status == "holds"
                    else None)


def mu_phi_relation(X, be) -> bool:
    """``mu(X)^2 <= N (1 - phi(X))`` for unit-norm tokens (from
    ``mu^2 = (1/2N) sum ||X_i - X_j||^2 = (1/2N) sum (2 - 2<X_i, X_j>)``); certain?"""
    from numeric.measures import mu
    n = X.shape[0]
    return bool(mu(X) ** 2 <= n * (1 - inner_min(X, be)))  # a ball comparison: certain
