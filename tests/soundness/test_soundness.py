"""The soundness suite: a check may say ``holds`` only when every comparison in it was
decided, and never on a false statement.

For each check that computes with balls or finite precision there are two families:

* FALSE instances (a constant claimed too strong: ``eps`` above the truth, too many
  centres): the check must answer ``fails`` or ``open``, never ``holds``;
* STARVED instances (few digits, long horizons, tiny mu): ``holds`` is allowed only if
  nothing was left undecided, and an independent high-precision recomputation (mpmath,
  written here from the definitions, not with :mod:`numeric`) must agree.

The first test is the case that was reported: ``theorem-1`` under ``--thorough`` said
``holds`` from balls that had lost every digit.
"""
from __future__ import annotations

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from numeric import masks
from numeric.weights import cayley_orthogonal, gaussian, sphere_points
from rankcollapse.claims import Config
from rankcollapse.claims.section4_1_theorem1 import _instances
from theory.bounds import check_lemma1, check_theorem1, theorem1_constants
from theory.bounds_universal import popoviciu
from theory.evidence import Evidence, escalate
from theory.theorem2 import phi_recursion

from ..conftest import examples

MASKS = {"complete": masks.complete, "causal": masks.causal,
         "sliding_window": lambda n: masks.sliding_window(n, 1),
         "unidirectional_window": lambda n: masks.unidirectional_window(n, 1)}


# ----------------------------------------------------------------------------------------
# an independent SAN trajectory in mpmath, from the definitions
def _mp_mu_trajectory(M, X0, layers, T, dps):
    """mu(X(t)), t = 0..T, for X(t+1) = softmax_M(X W_Q (X W_K)^T / sqrt(d_qk)) X W_V."""
    with mpmath.workdps(dps):
        X = mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in X0])
        n, d = X.rows, X.cols
        Md = masks.to_dense(M)

        def mu(X):
            mean = [sum(X[i, k] for i in range(n)) / n for k in range(d)]
            return mpmath.sqrt(sum((X[i, k] - mean[k]) ** 2 for i in range(n)
                                   for k in range(d)))

        out = [mu(X)]
        for t in range(T):
            WQ, WK, WV = (mpmath.matrix([[mpmath.mpf(float(v)) for v in r] for r in W])
                          for W in layers[t][:3])
            Q, K = X * WQ, X * WK
            s = mpmath.sqrt(WQ.cols)
            A = mpmath.matrix(n, n)
            for i in range(n):
                sc = {j: sum(Q[i, k] * K[j, k] for k in range(Q.cols)) / s
                      for j in range(n) if Md[i, j]}
                top = max(sc.values())
                z = sum(mpmath.exp(v - top) for v in sc.values())
                for j, v in sc.items():
                    A[i, j] = mpmath.exp(v - top) / z
            X = A * X * WV
            out.append(mu(X))
        return out


def _ball(text: str):
    return flint.arb(text)


# ----------------------------------------------------------------------------------------
def test_theorem1_reported_case_is_never_holds_on_lost_digits():
    """The causal instance of `verify --thorough` at T = 150: at 40 digits the mu ball has
    lost all its digits.  With no room to raise the precision the check must say open
    (it said holds); with escalation it must decide, and every ratio it prints must be a
    ball that is certainly < 1."""
    name, M, X0, layers = _instances(Config(0, True))[1]
    assert name == "causal"
    starved = check_theorem1(M, X0, layers, 150, dps=40, cap=40)
    assert starved.status == "open"
    assert starved.details["digits_tried"] == [40] and starved.details["n_undecided"] > 0
    assert "cap of 40 digits" in starved.details["open_reason"]
    full = check_theorem1(M, X0, layers, 150, dps=40)
    assert full.status == "holds" and full.details["digits_tried"][-1] > 40
    assert full.details["n_undecided"] == 0
    assert _ball(full.details["mu_T_over_bound_T"]) < 1
    rate = _ball(full.details["measured_rate"])
    assert 0 < rate < 1          # a per-layer factor of a decaying quantity
    # the independent trajectory agrees with the certified ball for mu(T)
    mp = _mp_mu_trajectory(M, X0, layers, 150, 200)
    assert _ball(full.details["mu_T"]).contains(flint.arb(mpmath.nstr(mp[150], 50)))


@settings(max_examples=examples(6))
@given(mask=st.sampled_from(sorted(MASKS)), n=st.integers(2, 5), d=st.integers(2, 3),
       T=st.integers(10, 90), dps=st.integers(16, 22), grow=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_theorem1_starved_precision(mask, n, d, T, dps, grow, seed):
    """Few digits and long horizons: holds only when decided, and then truly."""
    rng = np.random.default_rng(seed)
    M = MASKS[mask](n)
    X0 = rng.standard_normal((n, d))
    layers = [(gaussian(d, d, rng, 0.3), gaussian(d, d, rng, 0.3), np.eye(d))
              for _ in range(T)]
    ev = check_theorem1(M, X0, layers, T, dps=dps, cap=4 * dps if grow else dps)
    assert ev.status in ("holds", "open")   # the statement is true: never fails
    if ev.status == "open":
        assert ev.details["n_undecided"] > 0 and "open_reason" in ev.details
        return
    assert ev.details["n_undecided"] == 0
    K = theorem1_constants(M, X0, layers, T, dps=60)
    mp = _mp_mu_trajectory(M, X0, layers, T, 60 + T)
    for t in (0, T // 2, T):
        assert mp[t] <= mpmath.mpf(K.bound(t).upper().str(30, radius=False))


@settings(max_examples=examples(6))
@given(mask=st.sampled_from(["sliding_window", "unidirectional_window", "causal"]),
       n=st.integers(3, 5), eps=st.floats(0.6, 0.999), seed=st.integers(0, 2 ** 16),
       dps=st.integers(16, 40))
def test_theorem1_false_constant_never_holds(mask, n, eps, seed, dps):
    """eps claimed far above Lemma 1's: the promised rate is faster than the truth.
    Wherever the independent trajectory violates the bound, the check must not hold."""
    rng = np.random.default_rng(seed)
    M = MASKS[mask](n)
    X0 = rng.standard_normal((n, 2))
    Z = np.zeros((2, 2))
    T = 40
    K = theorem1_constants(M, X0, (Z, Z, np.eye(2)), T, dps=60, eps_override=eps)
    mp = _mp_mu_trajectory(M, X0, [(Z, Z, np.eye(2))] * T, T, 80)
    violated = any(mp[t] > mpmath.mpf(K.bound(t).upper().str(30, radius=False)) * 1.000001
                   for t in range(T + 1))
    assume(violated)
    ev = check_theorem1(M, X0, (Z, Z, np.eye(2)), T, dps=dps, cap=dps, eps_override=eps)
    assert ev.status in ("fails", "open")


@settings(max_examples=examples(5))
@given(mask=st.sampled_from(sorted(MASKS)), n=st.integers(2, 5), dps=st.integers(16, 30),
       factor=st.floats(1.01, 3.0), seed=st.integers(0, 2 ** 16))
def test_lemma1_false_and_starved(mask, n, dps, factor, seed):
    """eps claimed above the smallest weight must never hold; starved digits give open
    or a decided holds (checked against the smallest weight computed in mpmath)."""
    rng = np.random.default_rng(seed)
    M = MASKS[mask](n)
    X0 = rng.standard_normal((n, 2))
    lay = (gaussian(2, 2, rng, 1.0), gaussian(2, 2, rng, 1.0), np.eye(2))
    ev = check_lemma1(M, X0, lay, 5, dps=dps, cap=dps)
    if ev.status == "holds":
        assert ev.details["undecided"] == []
    smallest = _ball(check_lemma1(M, X0, lay, 5, dps=60).details["smallest_weight"])
    assume(smallest.lower() > 0)
    too_big = float(smallest.upper()) * factor
    if too_big >= 1:
        return
    bad = check_lemma1(M, X0, lay, 5, dps=dps, cap=dps, eps_override=too_big)
    assert bad.status in ("fails", "open")


def _orth_layers(rng, d, T):
    return [(gaussian(d, d, rng, 0.5), gaussian(d, d, rng, 0.5), cayley_orthogonal(d, rng))
            for _ in range(T)]


@settings(max_examples=examples(5))
@given(mask=st.sampled_from(["causal", "complete", "sliding_window"]), n=st.integers(2, 4),
       T=st.integers(4, 30), dps=st.integers(16, 30), seed=st.integers(0, 2 ** 16))
def test_phi_recursion_starved(mask, n, T, dps, seed):
    """Starved digits (the complete mask collapses doubly exponentially): the recursion
    holds only with nothing undecided; at the cap it is open with the digits tried."""
    rng = np.random.default_rng(seed)
    X0 = np.abs(sphere_points((n, 3), rng))
    ev = phi_recursion(MASKS[mask](n), X0, _orth_layers(rng, 3, T), T, dps=dps, cap=2 * dps)
    if ev.status == "holds":
        assert ev.details["n_undecided"] == 0 and ev.details["steps_checked"] > 0
    else:
        assert ev.status == "open"
        assert ev.details["digits_tried"][-1] <= 2 * dps


def _mp_phi_trajectory(M, X0, layer, T, dps):
    """phi(X(t)) (min cosine) along the paper's post-LN dynamics, mpmath, from the
    definitions: X(t+1) = rows of A X W_V scaled to unit norm."""
    with mpmath.workdps(dps):
        n, d = X0.shape
        Md = masks.to_dense(M)
        X = [[mpmath.mpf(float(v)) for v in row] for row in X0]
        WQ, WK, WV = ([[mpmath.mpf(float(v)) for v in r] for r in W] for W in layer)
        dot = lambda a, b: mpmath.fsum(x * y for x, y in zip(a, b))
        unit = lambda a: [x / mpmath.sqrt(dot(a, a)) for x in a]
        mul = lambda a, W: [mpmath.fsum(a[k] * W[k][j] for k in range(len(a)))
                            for j in range(len(W[0]))]
        X = [unit(x) for x in X]
        phis = []
        for t in range(T + 1):
            phis.append(min(dot(X[i], X[j]) for i in range(n) for j in range(n)))
            Q, K = [mul(x, WQ) for x in X], [mul(x, WK) for x in X]
            Y = []
            for i in range(n):
                sc = {j: dot(Q[i], K[j]) / mpmath.sqrt(len(WQ[0])) for j in range(n)
                      if Md[i, j]}
                z = mpmath.fsum(mpmath.exp(v) for v in sc.values())
                row = [mpmath.fsum(mpmath.exp(sc[j]) / z * X[j][k] for j in sc)
                       for k in range(d)]
                Y.append(unit(mul(row, WV)))
            X = Y
        return phis


@settings(max_examples=examples(5), suppress_health_check=[HealthCheck.filter_too_much,
                                                           HealthCheck.too_slow])
@given(mask=st.sampled_from(["causal", "complete", "sliding_window"]), n=st.integers(2, 4),
       frac=st.floats(0.7, 0.99), dps=st.integers(16, 60), seed=st.integers(0, 2 ** 16))
def test_phi_recursion_false_constant_never_holds(mask, n, frac, dps, seed):
    """Too many centres and an eps above the true weights: wherever the independent
    trajectory breaks 1 - phi(t+r) <= (1 - n eps^{2r})(1 - phi(t)) (r the radius) at a
    layer with phi(t) >= 0, the check must fail (or stay open), never hold."""
    rng = np.random.default_rng(seed)
    X0 = np.abs(sphere_points((n, 3), rng))
    layer = (gaussian(3, 3, rng, 1.0), gaussian(3, 3, rng, 1.0), np.eye(3))
    M = MASKS[mask](n)
    from theory.graphs import radius
    r = int(radius(M))
    eps = frac / np.sqrt(n)
    a = n * eps ** (2 * r)
    T = 6
    ph = _mp_phi_trajectory(M, X0, layer, T, 60)
    violated = any(ph[t] >= 0 and (1 - ph[t + r]) > (1 - a) * (1 - ph[t]) * (1 + 1e-9)
                   for t in range(T - r + 1))
    assume(violated)
    ev = phi_recursion(M, X0, layer, T, n_centres=n, eps_override=eps, dps=dps, cap=dps)
    assert ev.status in ("fails", "open")


def test_escalate_never_turns_undecided_into_support():
    calls = []

    def never(dps):
        calls.append(dps)
        return Evidence("x < y", "open", "certified", {"undecided": [1]})

    ev = escalate(never, 10, 80)
    assert ev.status == "open" and calls == [10, 20, 40, 80]
    assert ev.details["digits_tried"] == [10, 20, 40, 80]
    with pytest.raises(ValueError):
        escalate(never, 0, 10)


def test_z3_timeout_is_open_not_holds():
    """A decision procedure that runs out of time gives no proof."""
    ev = popoviciu(6, timeout_ms=1)
    assert ev.status == "open" and ev.scope is None and "open_reason" in ev.details
    import z3
    x = z3.Real("x")
    from theory.proofs_z3 import decide
    assert decide("x^2 >= 0", [], x * x >= 0, domain="all x").status == "holds"
    bad = decide("x^2 >= 1", [], x * x >= 1, domain="all x")
    from fractions import Fraction
    assert bad.status == "fails" and Fraction(bad.witness["model"]["x"]) ** 2 < 1
