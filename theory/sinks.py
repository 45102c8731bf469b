"""Attention sinks and the paper's theorems (beyond the paper).

A sink logit ``s`` per head joins each softmax and its column is dropped (gpt-oss), so
``A_sink = diag(c) A`` with ``c_i = S_i / (S_i + a)``, ``S_i = sum_{j in N_i} exp(R_ij)``,
``a = e^s`` (:func:`sink_softmax_identity`).  What follows, each part proved here:

* **post-LN, one head** (:func:`row_scaling_lemma`): ``LN(c y) = LN(y)`` for ``c > 0``
  (also centred LayerNorm with eps = 0), so by induction on t the post-LN trajectory with
  a sink IS the sink-free one, for every mask, weights and depth.  Not with eps > 0, not
  with several heads whose sinks differ (the heads' outputs are scaled differently before
  they are summed), not with a residual (:func:`direction_witnesses`).
* **SAN, bound** (:func:`san_shrink_lemma`): ``c_i <= c_max = D e^B / (D e^B + a) < 1``
  when every score is in ``[-B, B]`` and every row has at most D entries; the products of
  ``diag(c) A`` have row sums ``<= c_max^t``, so ``mu(X(t)) <= ||X(t)||_F <= sqrt(N) c_max^t
  B0 C_V`` for EVERY mask (no connectivity needed): mu -> 0 because everything shrinks.
  The rate ``c_max`` is attained (identity mask, W_Q = W_K = 0).
* **SAN, consensus fails** (:func:`san_consensus_counterexample`): causal N = 2,
  W_Q = W_K = 0, W_V = I, any a > 0: ``X_2(t) / X_1(t) -> (1 + a)``, so
  ``mu(X(t)) / ||X(t)||_F -> a / sqrt(2 (1 + (1 + a)^2)) > 0``; tokens become parallel
  (rank one) but never equal.  Theorem 1's bound ``C (1 - eps^r)^{t/r}`` fails for every
  C when ``a < 1`` with the sink-free eps = 1/2, and when ``a < (sqrt 5 - 1)/2`` with the
  entries of A_sink as eps.
* **SAN, direction** (:func:`san_direction_family`): token 0 attends only to itself, m
  further tokens attend to all (token 0 is a centre, radius 1), W_Q = W_K = 0, W_V = I:
  the directions of all tokens collapse onto token 0's iff ``m <= 1 + 1/a``; for
  ``m > 1 + 1/a`` the m tokens align with ``y0 + kappa x0`` (kappa > 0: they lean towards
  token 0 but never reach it) and token 0 keeps ``x0``: rank two forever.  Without a sink (a -> 0) the same instance reaches consensus.
* **pre-LN**: without the residual the normalised tokens are the sink-free ones (the
  same lemma) and ``X_sink(t) = diag(c(t-1)) X(t)``; with the residual
  ``X' = X + diag(c) A(Z) Z W_V`` the sink is a per-token step size and changes the
  trajectory (exact witness in :func:`direction_witnesses`).
"""
from __future__ import annotations

import sympy as sp

from .evidence import Evidence, universal, witness

__all__ = ["sink_softmax_identity", "row_scaling_lemma", "san_shrink_lemma",
           "san_shrink_sharpness", "san_consensus_counterexample", "san_direction_family",
           "direction_witnesses", "uniform_sink_step"]


def _zero(e) -> bool:
    return sp.simplify(e) == 0


def sink_softmax_identity(k_max: int = 5, *, drop_column: bool = True) -> Evidence:
    """softmax([r_1..r_k, s]) without its last entry equals ``c * softmax(r)`` with
    ``c = S/(S + e^s)`` in (0, 1), symbolically for every row length k <= ``k_max``.
    ``drop_column=False`` (a negative control) keeps the sink's column and renormalises
    the rest, which is NOT ``c * softmax(r)``."""
    s = sp.Symbol("s", real=True)
    bad = []
    for k in range(1, k_max + 1):
        r = sp.symbols(f"r1:{k + 1}", real=True)
        e = [sp.exp(x) for x in r]
        S = sum(e)
        den = S + sp.exp(s)
        c = S / den
        for j in range(k):
            p = e[j] / den if drop_column else e[j] / S     # the control renormalises
            if not _zero(p - c * e[j] / S):
                bad.append({"k": k, "j": j})
                break
    Sp, E = sp.symbols("S E", positive=True)
    c = Sp / (Sp + E)
    in_01 = bool(c.is_positive) and bool((E / (Sp + E)).is_positive) \
        and _zero(1 - c - E / (Sp + E))
    ok = not bad and in_01
    return Evidence("softmax over [R_i, s] with the sink column dropped = c_i softmax(R_i), "
                    "c_i = S_i/(S_i + e^s) in (0, 1)", "holds" if ok else "fails", "exact",
                    {"row_lengths": list(range(1, k_max + 1)), "c_in_open_unit_interval": in_01,
                     "drop_column": drop_column},
                    witness=bad[0] if bad else None,
                    scope=universal(f"all real scores r_1..r_k and sink logits s, k <= {k_max}",
                                    "SymPy simplification of the difference to 0; positivity "
                                    "of S/(S+E) and E/(S+E) for S, E > 0"))


def _ln_full(y, eps):
    """Full LayerNorm without gain / bias: (y - mean) / sqrt(var + eps), exact."""
    d = len(y)
    m = sum(y) / d
    cen = [v - m for v in y]
    var = sum(v * v for v in cen) / d
    return [v / sp.sqrt(var + eps) for v in cen]


def row_scaling_lemma() -> Evidence:
    """``(c y)/||c y|| = y/||y||`` for every c > 0 and y != 0 in any dimension (through
    ``||c y|| = sqrt(c^2 q) = c sqrt(q)``, q = ||y||^2 > 0); the same for centred LayerNorm
    with eps = 0 (centring is linear); an exact witness that eps > 0 breaks it."""
    c, q = sp.symbols("c q", positive=True)
    scalar = _zero(sp.sqrt(c ** 2 * q) - c * sp.sqrt(q))
    y = [sp.Integer(1), sp.Integer(-1)]
    half = sp.Rational(1, 2)
    with_eps = [_ln_full([half * v for v in y], 1), _ln_full(y, 1)]
    eps_breaks = not all(_zero(a - b) for a, b in zip(*with_eps))
    no_eps = all(_zero(a - b) for a, b in zip(_ln_full([half * v for v in y], 0), _ln_full(y, 0)))
    ok = scalar and eps_breaks and no_eps
    return Evidence("LN(c y) = LN(y) for c > 0 (paper's LN; centred LN with eps = 0); "
                    "eps > 0 breaks it", "holds" if ok else "fails", "exact",
                    {"sqrt(c^2 q) = c sqrt(q)": scalar, "centred_eps0_instance": no_eps,
                     "eps_witness": {"y": "(1, -1)", "c": "1/2", "eps": 1,
                                     "LN(cy)": [str(v) for v in with_eps[0]],
                                     "LN(y)": [str(v) for v in with_eps[1]]}},
                    scope=universal("every c > 0, every y != 0 of every dimension",
                                    "SymPy: sqrt(c^2 q) - c sqrt(q) = 0 for positive c, q"))


def san_shrink_lemma() -> Evidence:
    """The ingredients of ``mu(X(t)) <= sqrt(N) c_max^t B0 C_V``: c = S/(S + a) is increasing
    in S, so ``S_i <= D e^B`` gives ``c_i <= c_max = D e^B/(D e^B + a) < 1``."""
    S, a, D, B = sp.symbols("S a D B", positive=True)
    c = S / (S + a)
    dc = sp.simplify(sp.diff(c, S))
    increasing = _zero(dc - a / (S + a) ** 2) and bool((a / (S + a) ** 2).is_positive)
    cmax = D * sp.exp(B) / (D * sp.exp(B) + a)
    below_one = _zero(1 - cmax - a / (D * sp.exp(B) + a)) and \
        bool((a / (D * sp.exp(B) + a)).is_positive)
    ok = increasing and below_one
    return Evidence("c(S) = S/(S+a) is increasing; c_max = D e^B/(D e^B + a) < 1",
                    "holds" if ok else "fails", "exact",
                    {"dc/dS": str(dc), "1 - c_max": "a/(D e^B + a)",
                     "chain": "X(t) = P(t) X(0) W_V(0)...W_V(t-1) with P(t) the product of "
                              "diag(c(k)) A(k), entries >= 0, row sums <= c_max^t; so "
                              "||X_i(t)|| <= c_max^t max_j ||(X(0) W_V(0..t-1))_j|| <= "
                              "c_max^t B0 C_V (A3), mu <= ||X||_F (a projection) <= "
                              "sqrt(N) max_i ||X_i||; scores |R_ij| <= B = CQ CK (B0 C_V)^2 "
                              "/ sqrt(d_QK) because every token stays below B0 C_V"},
                    scope=universal("all S, a, D, B > 0", "SymPy derivative and positivity"))


def san_shrink_sharpness(t_max: int = 12) -> Evidence:
    """The rate c_max of the bound is attained, and a faster one is false: identity mask
    N = d = 2, W_Q = W_K = 0, W_V = I, a = 1 (s = 0): c = 1/2, X(t) = 2^-t X(0), so
    mu(X(t)) = 2^-t = c_max^t exactly, while ``sqrt(2) (9/10 c_max)^t`` falls below it
    (exact comparison, the first such t reported)."""
    half = sp.Rational(1, 2)
    first_fail = None
    for t in range(t_max + 1):
        mu_t = half ** t                      # mu(I) = 1
        if not mu_t <= sp.sqrt(2) * half ** t:
            return Evidence("bound holds on the identity instance", "fails", "exact",
                            {"t": t}, witness={"t": t}, scope=witness("identity mask"))
        if first_fail is None and mu_t > sp.sqrt(2) * (sp.Rational(9, 10) * half) ** t:
            first_fail = t
    ok = first_fail is not None
    return Evidence("mu(X(t)) = c_max^t on the identity mask: the bound's rate is attained; "
                    "the rate 0.9 c_max is refuted", "holds" if ok else "fails", "exact",
                    {"c": "1/2", "mu(X(t))": "2^-t", "faster_rate_fails_at_t": first_fail},
                    scope=witness("identity mask N = d = 2, W_Q = W_K = 0, W_V = I, s = 0, "
                                  "X(0) = I"))


def san_consensus_counterexample() -> Evidence:
    """Causal N = 2, W_Q = W_K = 0, W_V = I, sink weight a = e^s > 0 (symbolic a and t)."""
    a = sp.Symbol("a", positive=True)
    t = sp.Symbol("t", integer=True, nonnegative=True)
    lam, mu_ = 1 / (1 + a), 1 / (2 + a)
    x1, x2 = sp.symbols("x1 x2", real=True)          # one coordinate suffices (W_V = I)
    X1 = lam ** t * x1
    X2 = mu_ ** t * x2 + (1 + a) * (lam ** t - mu_ ** t) * x1
    rec1 = _zero(X1.subs(t, t + 1) - lam * X1)
    rec2 = _zero(X2.subs(t, t + 1) - mu_ * (X1 + X2))
    start = _zero(X1.subs(t, 0) - x1) and _zero(X2.subs(t, 0) - x2)
    q = sp.simplify(mu_ / lam)                        # (1 + a)/(2 + a)
    q_below_one = bool((1 - q).is_positive) and bool(q.is_positive)
    # X(t)/lam^t -> (x1, (1 + a) x1): the relative spread of that limit
    lim = sp.simplify(a / (sp.sqrt(2) * sp.sqrt(1 + (1 + a) ** 2)))
    spread_positive = bool(lim.is_positive)
    # Theorem 1's printed rate with eps = 1/2 (sink-free A, r = 1) is beaten iff lam > 1/2
    pos = sp.Interval.open(0, sp.oo)
    beats_sinkfree = sp.solve_univariate_inequality(lam > sp.Rational(1, 2), a,
                                                    relational=False).intersect(pos)
    # with the entries of A_sink as eps (min entry mu_): rate 1 - mu_ = (1+a)/(2+a)
    beats_sinkeps = sp.solve_univariate_inequality(lam > 1 - mu_, a,
                                                   relational=False).intersect(pos)
    golden = (sp.sqrt(5) - 1) / 2
    ok = (rec1 and rec2 and start and q_below_one and spread_positive
          and beats_sinkfree == sp.Interval.open(0, 1)
          and beats_sinkeps == sp.Interval.open(0, golden))
    # negative control: a = 0 (no sink) gives consensus, X2 - X1 -> 0
    a0 = _zero((X2 - X1).subs(a, 0) - (x2 - x1) / 2 ** t)      # -> 0 as t grows
    ok = ok and a0
    return Evidence("SAN with a sink: causal N = 2 tokens become parallel with ratio 1 + a, "
                    "never equal; Theorem 1's rate fails for every C when a < 1 "
                    "(sink-free eps) or a < (sqrt(5)-1)/2 (eps from A_sink)",
                    "holds" if ok else "fails", "exact",
                    {"closed_form": {"X1": str(X1), "X2": str(X2)},
                     "recursions_hold": rec1 and rec2, "mu/lambda": str(q),
                     "limit_mu_over_frobenius": str(lim),
                     "theorem1_rate_beaten_for_a_in": str(beats_sinkfree),
                     "with_sink_eps_for_a_in": str(beats_sinkeps),
                     "control_a_0_consensus": a0},
                    scope=universal("all sink weights a = e^s > 0, all t >= 0, all x1 != 0, x2 "
                                    "(causal N = 2, W_Q = W_K = 0, W_V = I)",
                                    "SymPy: closed form checked against the recursion; "
                                    "solve_univariate_inequality for the rate thresholds"))


def san_direction_family() -> Evidence:
    """Token 0 attends to itself only; m tokens attend to all m + 1; W_Q = W_K = 0,
    W_V = I, sink weight a.  Symbolic in m, a, t."""
    a, m = sp.symbols("a m", positive=True)
    t = sp.Symbol("t", integer=True, nonnegative=True)
    x0, y0 = sp.symbols("x0 y0", real=True)
    lam, kap, mu_ = 1 / (1 + a), 1 / (m + 1 + a), m / (m + 1 + a)
    X = lam ** t * x0
    Y = mu_ ** t * y0 + kap * (lam ** t - mu_ ** t) / (lam - mu_) * x0
    rec = _zero(X.subs(t, t + 1) - lam * X) and \
        _zero(Y.subs(t, t + 1) - (kap * X + mu_ * Y)) and _zero(Y.subs(t, 0) - y0)
    gap = sp.factor(sp.simplify(lam - mu_))            # (1 + a - a m) / ((1+a)(m+1+a))
    num = sp.simplify(gap * (1 + a) * (m + 1 + a))
    sign_rule = _zero(num - (1 + a - a * m))
    # lam > mu: Y/lam^t -> kap/(lam - mu) x0, a POSITIVE multiple of x0 (directions meet)
    coef_pos = _zero(kap / (lam - mu_) - (1 + a) / num) if sign_rule else False
    # lam < mu: Y/mu^t = y0 + kap/(lam - mu) ((lam/mu)^t - 1) x0 -> y0 + kap/(mu - lam) x0,
    # kap/(mu - lam) > 0: the direction of y0 plus a positive multiple of x0; token 0 keeps x0
    # lam = mu (m = 1 + 1/a): Y = lam^t y0 + kap t lam^(t-1) x0 -> direction x0
    t_ = sp.Symbol("t", integer=True, positive=True)
    eq_m = 1 + 1 / a
    Yeq = (lam ** t_ * y0 + kap * t_ * lam ** (t_ - 1) * x0).subs(m, eq_m)
    rec_eq = _zero(Yeq.subs(t_, t_ + 1) - (kap.subs(m, eq_m) * lam ** t_ * x0
                                             + mu_.subs(m, eq_m) * Yeq))
    split_d = Y / mu_ ** t - (y0 + kap / (lam - mu_) * ((lam / mu_) ** t - 1) * x0)
    split = _zero(sp.powsimp(sp.expand_power_base(sp.expand(split_d), force=True), force=True))
    # the witness m = 3, a = 1 (s = 0), x0 = e1, y0 = e2: Y/mu^t -> e2 + k3 e1
    k3 = (kap / (mu_ - lam)).subs({m: 3, a: 1})
    cos_lim = sp.simplify(k3 / sp.sqrt(1 + k3 ** 2))    # cos(e1, e2 + k3 e1)
    rank_two = split and _zero(k3 - 2) and bool((1 - sp.Abs(cos_lim)).is_positive)
    ok = rec and sign_rule and coef_pos and rec_eq and rank_two
    return Evidence("SAN with a sink, token 0 plus m tokens attending to all: the directions "
                    "collapse onto token 0 iff m <= 1 + 1/a (a = e^s); for m > 1 + 1/a "
                    "they never do (rank two forever)", "holds" if ok else "fails", "exact",
                    {"closed_form_Y": str(Y), "lambda_minus_mu_numerator": str(num),
                     "equality_case_m": str(eq_m), "witness_m3_a1": {
                         "limit_direction_of_tokens_1..3": "e2 + 2 e1",
                         "cos_with_token_0": str(cos_lim)}},
                    scope=universal("all m >= 1, a > 0, t >= 0, x0 != 0, y0 not a multiple "
                                    "of x0 (this mask family, W_Q = W_K = 0, W_V = I)",
                                    "SymPy: closed forms checked against the recursion; "
                                    "sign of lambda - mu"))


def uniform_sink_step(X, M, a, *, heads=None, mode="post-ln", skip=False):
    """One exact layer with W_Q = W_K = 0 (uniform attention on the mask, so
    ``c_i = |N_i| / (|N_i| + a)``): ``heads`` is a list of (W_V, a_h); ``X`` rows of SymPy
    numbers.  Returns the new rows (post-LN: normalised; pre-LN: with Z = LN(X))."""
    n = len(X)
    norm = (lambda v: [x / sp.sqrt(sum(y * y for y in v)) for x in v])
    Z = [norm(r) for r in X] if mode == "pre-ln" else X
    heads = heads or [(sp.eye(len(X[0])), a)]
    out = []
    for i in range(n):
        nb = [j for j in range(n) if M[i][j]]
        acc = [sp.Integer(0)] * len(X[0])
        for W, ah in heads:
            c = sp.Integer(len(nb)) / (len(nb) + ah)
            avg = [sum(Z[j][k] for j in nb) / len(nb) for k in range(len(X[0]))]
            row = list(sp.Matrix([avg]) * W)
            acc = [u + c * v for u, v in zip(acc, row)]
        if skip:
            acc = [u + v for u, v in zip(acc, X[i])]
        out.append(norm(acc) if mode == "post-ln" else acc)
    return out


def _parallel(u, v) -> bool:
    """u and v point the same way (positive multiples), exactly."""
    cross = sp.simplify(u[0] * v[1] - u[1] * v[0])
    return cross == 0 and bool(sp.simplify(u[0] * v[0] + u[1] * v[1]) > 0)


def direction_witnesses() -> dict:
    """Exact one-layer witnesses (causal N = d = 2, X(0) = I, W_Q = W_K = 0): for each
    setting, does the sink (s = 0, a = 1) change any token's direction?  Expected: not in
    post-LN with one head (the theorem) or pre-LN without the residual; yes with two heads
    whose sinks differ, with a post-LN residual, and in pre-LN with the residual."""
    M = [[1, 0], [1, 1]]
    X = [[sp.Integer(1), sp.Integer(0)], [sp.Integer(0), sp.Integer(1)]]
    I2 = sp.eye(2)
    swap = sp.Matrix([[0, 1], [1, 0]])
    cases = {
        "post-ln, one head": dict(mode="post-ln", skip=False, heads=lambda a: [(I2, a)]),
        "pre-ln, no residual": dict(mode="pre-ln", skip=False, heads=lambda a: [(I2, a)]),
        "post-ln, two heads, sinks 1 and none": dict(
            mode="post-ln", skip=False, heads=lambda a: [(I2, a), (swap, 0)]),
        "post-ln with residual": dict(mode="post-ln", skip=True, heads=lambda a: [(I2, a)]),
        "pre-ln with residual": dict(mode="pre-ln", skip=True, heads=lambda a: [(I2, a)]),
    }
    out = {}
    for name, cfg in cases.items():
        w = uniform_sink_step(X, M, 1, heads=cfg["heads"](1), mode=cfg["mode"], skip=cfg["skip"])
        wo = uniform_sink_step(X, M, 0, heads=cfg["heads"](0), mode=cfg["mode"], skip=cfg["skip"])
        changed = [i for i in range(2) if not _parallel(w[i], wo[i])]
        out[name] = {"changed_tokens": changed, "with_sink": [[str(v) for v in r] for r in w],
                     "without": [[str(v) for v in r] for r in wo]}
    return out
