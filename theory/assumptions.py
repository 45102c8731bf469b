"""What each hypothesis of Theorem 1, Theorem 2 and Corollary 1 buys.

For each hypothesis, an instance that meets every OTHER hypothesis of the theorem(s)
named, violates this one, and where the conclusion (``mu(X(t)) -> 0``, let alone
exponentially) fails for all t: exactly (rational / SymPy arithmetic plus an argument
valid for every t, stated in the docstring) or certified (arb balls for the one
inequality the argument needs).  Every check returns :class:`Evidence` with a
``witness`` scope.

Conventions: tokens are rows; ``M[i, j]`` true iff token i attends to j; SAN is
``X' = A X W_V``, post-LN ``X' = D A X W_V`` with rows scaled to unit norm.

Hypotheses (theorem in brackets):

* A1 self-loops [T1, T2, C1]: a 2-cycle without self-loops swaps the tokens forever.
* A2 bounded W_Q, W_K [T1; T2, C1]: ``W_Q(t) = W_K(t) = sqrt(q_t) I`` with ``q_t`` growing
  linearly makes attention hard fast enough that the product of the per-layer
  contractions converges to a positive number.
* A3 bounded products of W_V [T1]: ``W_V = 4`` on a causal pair doubles mu every layer.
* quasi-strong connectivity [T1, C1] / strong connectivity [T2]: two tokens that only
  attend to themselves never move.
* orthogonal W_V [T2, C1]: ``W_V = diag(5, 1)`` on the complete mask pushes two mirror
  tokens apart faster than attention pulls them together.
* N <= d with full-rank X(0) [T2]: three tokens at 120 degrees in the plane (N > d), or an
  antipodal pair (rank 1), are fixed points with mu > 0.
* phi(0) >= 0 [C1]: an antipodal pair under the causal mask is a fixed point.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from .evidence import Evidence, witness

__all__ = ["HYPOTHESES", "witness_a1", "witness_a2", "witness_a3",
           "witness_quasi_strong", "witness_strong", "witness_orthogonal",
           "witness_full_rank", "witness_phi0", "tanh_product_lower"]


def _mu2(X) -> Fraction:
    """``mu(X)^2`` exactly for a list of rational rows."""
    n, d = len(X), len(X[0])
    mean = [sum(r[k] for r in X) / n for k in range(d)]
    return sum((r[k] - mean[k]) ** 2 for r in X for k in range(d))


def _uniform_attention_step(M, X, WV):
    """One SAN step with ``W_Q = W_K = 0`` (attention uniform on each row's keys), exact."""
    n, d = len(X), len(X[0])
    Y = []
    for i in range(n):
        keys = [j for j in range(n) if M[i][j]]
        avg = [sum(X[j][k] for j in keys) / len(keys) for k in range(d)]
        Y.append([sum(avg[a] * WV[a][b] for a in range(d)) for b in range(d)])
    return Y


def _float_mu_tail(X0, M, layers, T, mode):
    """mu(X(T)) by the library's float64 dynamics (illustration, not the verdict)."""
    from numeric.dynamics import simulate

    tr = simulate(np.asarray(X0, float), np.asarray(M, bool), layers, T, mode=mode)
    return float(tr.mu()[-1]), float(tr.mu()[0])


def witness_a1() -> Evidence:
    """Without A1: ``M = [[0, 1], [1, 0]]`` (each token attends only to the other; strongly
    connected), ``W_Q = W_K = 0`` (A2), ``W_V = I`` (A3, orthogonal), ``X(0) = I`` (N = d =
    2, full rank, unit rows, phi(0) = 0).  Then ``A = M`` (one key per row), ``X(1)`` is
    ``X(0)`` with its rows swapped and ``X(2) = X(0)``: the trajectory is periodic, rows
    keep unit norm (so SAN and post-LN agree) and ``mu(X(t)) = 1`` for every t.  Fails
    Theorem 1, Theorem 2 and Corollary 1 exactly."""
    M = [[False, True], [True, False]]
    I2 = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]]
    X1 = _uniform_attention_step(M, I2, I2)
    X2 = _uniform_attention_step(M, X1, I2)
    periodic = X2 == I2 and X1 == [I2[1], I2[0]]
    mus = [_mu2(I2), _mu2(X1)]
    ok = periodic and all(m == 1 for m in mus)
    return Evidence("without A1, mu(X(t)) = 1 for all t (no collapse)",
                    "holds" if ok else "fails", "exact",
                    {"mask": M, "W_Q": "0", "W_K": "0", "W_V": "I", "X0": "I (2x2)",
                     "mu_squared_t0_t1": [str(m) for m in mus], "period": 2,
                     "why_all_t": "X(2) = X(0) exactly, so X(t) alternates between two "
                                  "row permutations of X(0); mu is permutation invariant",
                     "float64_mu_T100": _float_mu_tail(I2, M, (np.zeros((2, 2)),
                                                               np.zeros((2, 2)), np.eye(2)),
                                                       100, "post-ln")[0],
                     "fails": "Theorem 1, Theorem 2, Corollary 1 (mu -> 0)"},
                    scope=witness("N = d = 2 two-cycle mask without self-loops, W_Q = W_K = 0, "
                                  "W_V = I, X(0) = I"))


def tanh_product_lower(rate: int = 2, K: int = 12, dps: int = 40):
    """A certified lower bound (arb) of ``prod_{k >= 1} tanh(rate k)``: the first ``K``
    factors exactly in balls, the tail by ``prod (1 - x_k) >= 1 - sum x_k`` and
    ``1 - tanh(x) <= 2 exp(-2x)``: ``tail >= 1 - 2 e^{-2 rate (K+1)} / (1 - e^{-2 rate})``."""
    from flint import arb, ctx

    old = ctx.dps
    ctx.dps = dps
    try:
        P = arb(1)
        for k in range(1, K + 1):
            P *= (arb(rate) * k).tanh()
        q = (arb(-2) * rate).exp()
        tail = 1 - 2 * (arb(-2) * rate * (K + 1)).exp() / (1 - q)
        return P * tail
    finally:
        ctx.dps = old


def witness_a2() -> Evidence:
    """Without A2 (W_Q, W_K unbounded), two instances, certified.

    (a) Theorem 1: N = 2, d = 1, complete mask, ``X(0) = [1, -1]``, ``W_V = 1``,
    ``W_Q(t) = W_K(t) = sqrt(q_t)``, ``q_t = 8 (t + 1)``, ``d_qk = 1``.  The tokens stay
    ``[a_t, -a_t]`` and ``a_{t+1} = a_t tanh(q_t a_t^2)``.  Claim ``a_t >= 1/2`` for all t:
    if ``a_k >= 1/2`` for ``k < t`` then ``q_k a_k^2 >= 2 (k + 1)`` and
    ``a_t >= prod_{k >= 1} tanh(2k) > 1/2`` (certified).  So ``mu(X(t)) = sqrt(2) a_t >=
    sqrt(2)/2`` forever.

    (b) Theorem 2 and Corollary 1: post-LN, N = d = 2, complete mask (strongly connected),
    ``W_V = I`` (orthogonal), ``X(0)`` rows ``(4/5, 3/5)`` and ``(4/5, -3/5)`` (full rank,
    phi(0) = 7/25 >= 0), ``W_Q(t) = W_K(t) = sqrt(q_t) I`` with ``q_t = 17 (t + 1)``.  The
    mirror symmetry is kept exactly; with ``rho = s / c`` (second over first coordinate of
    token 1), ``rho_{t+1} = tanh(q_t s_t^2) rho_t``.  If ``rho_k >= 3/8`` for ``k < t``
    then ``s_k^2 >= 9/73`` and ``q_k s_k^2 >= 2 (k + 1)``, so ``rho_t >= (3/4) prod tanh(2k)
    > 3/8``: ``mu(X(t)) = sqrt(2) s_t >= sqrt(18/73)`` for all t."""
    P = tanh_product_lower(2)
    ok_a = bool(P > 0.5)
    # (b): q_k s^2 >= 17 (k+1) 9/73 >= 2 (k+1) needs 17 * 9 >= 2 * 73 (exact)
    ok_b = Fraction(17 * 9, 73) >= 2 and bool(P * 3 / 4 > 0.375)
    # illustration: float64 runs of both instances
    sq = lambda t: np.sqrt(8.0 * (t + 1))
    mu_a = _float_mu_tail([[1.0], [-1.0]], np.ones((2, 2), bool),
                          lambda t: (np.array([[sq(t)]]), np.array([[sq(t)]]),
                                     np.eye(1), 1.0), 30, "san")
    sq2 = lambda t: np.sqrt(17.0 * (t + 1)) * np.eye(2)
    mu_b = _float_mu_tail([[0.8, 0.6], [0.8, -0.6]], np.ones((2, 2), bool),
                          lambda t: (sq2(t), sq2(t), np.eye(2), 1.0), 30, "post-ln")
    ok = ok_a and ok_b
    return Evidence("without A2, mu(X(t)) stays above a positive constant for all t "
                    "(Theorem 1 instance and Theorem 2 / Corollary 1 instance)",
                    "holds" if ok else "open", "certified",
                    {"prod_tanh_2k_lower": str(P), "needs": "> 1/2",
                     "theorem1_instance": {"q_t": "8(t+1)", "mu_lower_all_t": "sqrt(2)/2",
                                           "float64_mu_T30_and_0": mu_a},
                     "theorem2_instance": {"q_t": "17(t+1)", "mu_lower_all_t": "sqrt(18/73)",
                                           "phi0": "7/25", "float64_mu_T30_and_0": mu_b},
                     "fails": "Theorem 1 (a); Theorem 2 and Corollary 1 (b)"},
                    scope=witness("(a) N=2, d=1 complete mask, q_t = 8(t+1); (b) N=d=2 "
                                  "complete mask post-LN, q_t = 17(t+1)") if ok else None)


def witness_a3() -> Evidence:
    """Without A3: causal mask, N = 2, d = 1, ``W_Q = W_K = 0`` (so ``A = [[1, 0], [1/2,
    1/2]]``), ``W_V = 4``, ``X(0) = [0, 1]``.  Then ``x_1' = 4 x_1``, ``x_2' = 2 (x_1 + x_2)``,
    so ``x_2' - x_1' = 2 (x_2 - x_1)`` and ``mu(X(t)) = 2^t mu(X(0)) -> infinity`` (an
    identity in the symbols x_1, x_2, checked by SymPy)."""
    x1, x2 = sympy.symbols("x1 x2", real=True)
    M = [[True, False], [True, True]]
    Y = _uniform_attention_step(M, [[x1], [x2]], [[sympy.Integer(4)]])
    ident = sympy.simplify((Y[1][0] - Y[0][0]) - 2 * (x2 - x1)) == 0
    X = [[Fraction(0)], [Fraction(1)]]
    mus = []
    for _ in range(6):
        mus.append(_mu2(X))
        X = _uniform_attention_step(M, X, [[Fraction(4)]])
    ok = ident and all(mus[k + 1] == 4 * mus[k] for k in range(5))
    return Evidence("without A3, mu(X(t)) = 2^t mu(X(0)) (grows without bound)",
                    "holds" if ok else "fails", "exact",
                    {"identity": "x2' - x1' = 2 (x2 - x1) for all x1, x2 (SymPy)",
                     "mu_squared_t0_5": [str(m) for m in mus], "W_V_products": "4^k",
                     "fails": "Theorem 1"},
                    scope=witness("causal N = 2, d = 1, W_Q = W_K = 0, W_V = 4, X(0) = [0, 1]"))


def _frozen(mode_note: str, theorem: str) -> Evidence:
    M = [[True, False], [False, True]]
    I2 = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]]
    X1 = _uniform_attention_step(M, I2, I2)
    ok = X1 == I2 and _mu2(I2) == 1
    return Evidence(f"without {mode_note}, X(t) = X(0) and mu = 1 for all t",
                    "holds" if ok else "fails", "exact",
                    {"mask": "identity (each token attends only to itself)", "W_Q": "0",
                     "W_K": "0", "W_V": "I (orthogonal)", "X0": "I (N = d = 2, full rank, "
                     "unit rows, phi(0) = 0)", "why_all_t": "A = I, so X(1) = X(0): a "
                     "fixed point of SAN and of post-LN", "fails": theorem},
                    scope=witness("N = d = 2 identity mask (A1 holds, no centre), "
                                  "W_Q = W_K = 0, W_V = I, X(0) = I"))


def witness_quasi_strong() -> Evidence:
    """Without quasi-strong connectivity (Theorem 1, Corollary 1): two tokens attending
    only to themselves stay put (A1, A2, A3, orthogonal W_V, phi(0) = 0 all hold)."""
    return _frozen("quasi-strong connectivity", "Theorem 1, Corollary 1")


def witness_strong() -> Evidence:
    """Without strong connectivity (Theorem 2): the same frozen pair (N = d, full rank).
    Narrower question left open: a quasi-strongly (not strongly) connected mask with
    phi(0) < 0 (else Corollary 1 applies) where the conclusion fails; searched: the
    causal pair N = 2 collapses (token 2 moves along the circle towards token 1 unless
    antipodal, which is rank 1)."""
    ev = _frozen("strong connectivity", "Theorem 2")
    ev.details["open_narrower"] = ("quasi-strongly but not strongly connected, phi(0) < 0, "
                                   "full rank: no witness found (causal N = 2, d = 2 "
                                   "collapses except from antipodal starts, rank 1)")
    return ev


def witness_orthogonal() -> Evidence:
    """Without orthogonal W_V (Theorem 2, Corollary 1): complete mask, N = d = 2,
    ``W_Q = W_K = I``, ``W_V = diag(5, 1)``, ``X(0)`` rows ``(3/5, 4/5)`` and
    ``(-3/5, 4/5)`` (full rank; phi(0) = 7/25 >= 0), under BOTH readings of the temperature
    ``sqrt(d_QK)``: the paper leaves it free (``d_QK = 1``) and W_Q's column count gives
    ``d_QK = 2``.  The mirror symmetry ``x_2 = (-s, c)`` when ``x_1 = (s, c)`` is kept
    exactly; attention to oneself is ``sigma = 1 / (1 + e^{-2 s^2 / sqrt(d_QK)})``, so
    ``(s/c)' = 5 tanh(s^2 / sqrt(d_QK)) (s/c)``.  While ``s^2 >= 9/25``,
    ``5 tanh(9 / (25 sqrt(d_QK))) > 1`` (certified for d_QK = 1 and 2), so ``s`` increases
    and the region is invariant: ``mu(X(t)) = sqrt(2) s_t >= 3 sqrt(2)/5`` for all t.
    (``diag(4, 1)`` works only for d_QK = 1: ``4 tanh(0.36/sqrt 2) < 1``.)"""
    from flint import arb, ctx

    old = ctx.dps
    ctx.dps = 40
    try:
        factors = {dqk: 5 * (arb(9) / 25 / arb(dqk).sqrt()).tanh() for dqk in (1, 2)}
        ok = all(bool(g > 1) for g in factors.values())
        decided = all(bool(g > 1) or bool(g <= 1) for g in factors.values())
        gs = {f"d_qk={k}": str(g) for k, g in factors.items()}
        old_factor = 4 * (arb(9) / 25 / arb(2).sqrt()).tanh()
        old_fails = bool(old_factor < 1)
    finally:
        ctx.dps = old
    mu = {f"d_qk={dqk}": _float_mu_tail([[0.6, 0.8], [-0.6, 0.8]], np.ones((2, 2), bool),
                                       (np.eye(2), np.eye(2), np.diag([5.0, 1.0]),
                                        float(dqk)), 60, "post-ln")
          for dqk in (1, 2)}
    details = {"growth_factor_lower": gs, "needs": "> 1 for both d_qk", "phi0": "7/25",
               "float64_mu_T60_and_0": mu, "mu_limit": "sqrt(2) (tokens -> +-e1)",
               "fails": "Theorem 2, Corollary 1",
               "diag(4,1)_at_d_qk=2_factor_below_1": old_fails}
    if not decided:
        details["open_reason"] = "a growth factor was not decided at 40 digits"
    return Evidence("without orthogonal W_V, mu(X(t)) >= 3 sqrt(2)/5 for all t, for d_QK = 1 "
                    "and d_QK = 2",
                    "holds" if ok else "open", "certified", details,
                    scope=witness("complete mask N = d = 2, post-LN, W_Q = W_K = I, "
                                  "W_V = diag(5, 1), X(0) rows (3/5, 4/5), (-3/5, 4/5), "
                                  "temperature sqrt(d_QK) with d_QK = 1 or 2")
                    if ok else None)


def witness_full_rank() -> Evidence:
    """Without (*) (N <= d and full-rank X(0)), Theorem 2: complete mask, post-LN,
    ``W_Q = W_K = I``, ``W_V = I``.  (a) N = 3 > d = 2, tokens at 120 degrees: each token's
    update is ``sigma x_i + (1 - sigma)/2 (x_j + x_k) = ((3 sigma - 1)/2) x_i`` (as
    ``x_j + x_k = -x_i``) with ``sigma = e / (e + 2 e^{-1/2}) > 1/3``: LN returns ``x_i``,
    a fixed point with ``mu^2 = 3``.  (b) N = d = 2, antipodal pair ``(e1, -e1)`` (rank 1):
    ``sigma = e / (e + e^{-1}) > 1/2``, again a fixed point, ``mu^2 = 2``.  Exact (SymPy)."""
    e = sympy.E
    h = sympy.sqrt(3) / 2
    X = [sympy.Matrix([[1, 0]]), sympy.Matrix([[-sympy.Rational(1, 2), h]]),
         sympy.Matrix([[-sympy.Rational(1, 2), -h]])]
    ok = True
    for i in range(3):
        j, k = [m for m in range(3) if m != i]
        dot = lambda a, b: sympy.expand((X[a] * X[b].T)[0])
        # x_j + x_k = -x_i and <x_i, x_j> = <x_i, x_k>: equal weights w on j and k, so the
        # update is (W_ii - w) x_i / sum, a positive multiple of x_i iff <x_i,x_i> > <x_i,x_j>
        ok &= (X[j] + X[k] + X[i]).applyfunc(sympy.expand) == sympy.zeros(1, 2)
        ok &= dot(i, j) == dot(i, k) and bool(dot(i, i) > dot(i, j))
    sigma3 = e / (e + 2 * sympy.exp(-sympy.Rational(1, 2)))
    sigma2 = e / (e + sympy.exp(-1))
    ok &= bool(sigma3 > sympy.Rational(1, 3)) and bool(sigma2 > sympy.Rational(1, 2))
    return Evidence("without (*), post-LN has fixed points with mu > 0 (no collapse)",
                    "holds" if ok else "fails", "exact",
                    {"a": "N = 3 > d = 2, tokens at 120 degrees, mu^2 = 3",
                     "b": "N = d = 2, X(0) = (e1, -e1) of rank 1, mu^2 = 2",
                     "sigma_a": str(sigma3), "sigma_b": str(sigma2),
                     "fails": "Theorem 2"},
                    scope=witness("complete mask, post-LN, W_Q = W_K = W_V = I: three tokens "
                                  "at 120 degrees in the plane; an antipodal pair"))


def witness_phi0() -> Evidence:
    """Without phi(0) >= 0 (Corollary 1): causal mask, N = d = 2, post-LN, ``W_Q = W_K =
    W_V = I``, ``X(0) = (e1, -e1)`` (phi(0) = -1).  Token 1 attends only to itself; token 2
    gives weight ``a = e^{-1} / (e^{-1} + e) < 1/2`` to token 1, so its update is
    ``(2a - 1) e1``, a negative multiple of e1, and LN returns ``-e1``: a fixed point,
    ``mu = sqrt(2)`` for all t.  Exact."""
    a = sympy.exp(-1) / (sympy.exp(-1) + sympy.E)
    ok = bool(2 * a - 1 < 0)
    return Evidence("without phi(0) >= 0, the antipodal pair is a fixed point (mu = sqrt 2)",
                    "holds" if ok else "fails", "exact",
                    {"a": str(a), "2a - 1 < 0": ok, "phi0": -1, "fails": "Corollary 1"},
                    scope=witness("causal N = d = 2, post-LN, W_Q = W_K = W_V = I, "
                                  "X(0) = (e1, -e1)"))


#: hypothesis -> (theorems it appears in, witness function, one-line "what fails")
HYPOTHESES = {
    "A1": ("Theorem 1, Theorem 2, Corollary 1", witness_a1,
           "2-cycle without self-loops swaps the tokens forever: mu = 1 for all t (exact)"),
    "A2": ("Theorem 1, Theorem 2, Corollary 1", witness_a2,
           "W_Q = W_K = sqrt(q_t) I, q_t linear in t: mu >= sqrt(2)/2 (T1) and "
           ">= sqrt(18/73) (T2/C1) for all t (certified)"),
    "A3": ("Theorem 1", witness_a3, "W_V = 4 on a causal pair: mu(t) = 2^t mu(0) (exact)"),
    "quasi-strong connectivity": ("Theorem 1, Corollary 1", witness_quasi_strong,
                                  "identity mask: X(t) = X(0), mu = 1 (exact)"),
    "strong connectivity": ("Theorem 2", witness_strong,
                            "identity mask: X(t) = X(0), mu = 1 (exact); quasi-strong "
                            "with phi(0) < 0 and full rank: open"),
    "orthogonal W_V": ("Theorem 2, Corollary 1", witness_orthogonal,
                       "W_V = diag(5, 1), complete mask, d_QK = 1 or 2: mu >= 3 sqrt(2)/5 "
                       "for all t (certified)"),
    "N <= d, full-rank X(0)": ("Theorem 2", witness_full_rank,
                               "3 tokens at 120 degrees in the plane, or an antipodal pair: "
                               "fixed points, mu > 0 (exact)"),
    "phi(0) >= 0": ("Corollary 1", witness_phi0,
                    "antipodal pair under the causal mask: fixed point, mu = sqrt 2 (exact)"),
}
