"""Universal proofs (z3 at fixed small sizes, SymPy certificates and symbolic sizes), each
with a negative control: the same machinery on a perturbed statement (an inequality
flipped or strengthened, a hypothesis dropped, the printed form with p > 1/2) must answer
``fails`` or ``open``, never ``holds``.  Also: every claim of the three modules carries a
scope."""
import pytest

pytest.importorskip("z3")

from fractions import Fraction  # noqa: E402

import numpy as np  # noqa: E402
import z3  # noqa: E402

from numeric import masks  # noqa: E402
from theory import ergodicity as E  # noqa: E402
from theory import proofs_symbolic as S  # noqa: E402
from theory import proofs_z3 as Z  # noqa: E402

MS = 5000   # generous budget: the machine is shared


def _universal(ev):
    assert ev.status == "holds", (ev.statement, ev.details.get("open_reason"))
    assert ev.scope is not None and ev.scope.kind == "universal"
    assert ev.scope.domain and ev.scope.method
    return ev


def _not_holds(ev):
    assert ev.status in ("fails", "open"), ev.statement
    return ev


# ------------------------------------------------------------------------ the decider
def test_decide_unsat_sat_unknown_and_query_text():
    x, y = z3.Reals("x y")
    ev = _universal(Z.decide("x^2 + y^2 >= 2xy", [], x * x + y * y >= 2 * x * y,
                             domain="all real x, y"))
    assert "(check-sat)" in ev.details["smtlib"] and ev.details["result"] == "unsat"
    assert ev.details["hypotheses_satisfiable"] is True
    # the query text reruns: z3 parses it back and answers unsat again
    s = z3.Solver()
    s.from_string(ev.details["smtlib"])
    assert s.check() == z3.unsat
    # flipped: sat, with an exactly re-checked model as witness
    bad = _not_holds(Z.decide("x^2 + y^2 < 2xy", [], x * x + y * y < 2 * x * y,
                              domain="all real x, y"))
    assert bad.status == "fails" and bad.details["model_rechecked_exactly"]
    assert bad.scope.kind == "witness"
    # vacuous hypotheses are not a proof
    vac = Z.decide("x > 0 under x < 0 and x > 1", [x < 0, x > 1], x > 0, domain="none")
    assert vac.status == "open" and "vacuous" in vac.details["open_reason"]


def _unknown_on_call(monkeypatch, which: int):
    """Make the ``which``-th ``z3.Solver.check`` call (1-based) answer ``unknown``."""
    real = z3.Solver.check
    calls = {"n": 0}

    def check(self, *a):
        calls["n"] += 1
        return z3.unknown if calls["n"] == which else real(self, *a)
    monkeypatch.setattr(z3.Solver, "check", check)
    return calls


def test_decide_unknown_satisfiability_of_hypotheses_is_open(monkeypatch):
    """unsat on the negation but ``unknown`` on the hypotheses alone: the proof could be
    vacuous, so the verdict is open, never holds."""
    x = z3.Real("x")
    calls = _unknown_on_call(monkeypatch, 2)
    ev = Z.decide("x^2 >= 0 for x > 1", [x > 1], x * x >= 0, domain="all x > 1")
    assert calls["n"] == 2 and ev.details["result"] == "unsat"
    assert ev.status == "open" and ev.scope is None
    assert ev.details["hypotheses_satisfiable"] == "unknown"
    assert "satisfiable" in ev.details["open_reason"]


def test_decide_unknown_on_the_query_is_open(monkeypatch):
    x = z3.Real("x")
    _unknown_on_call(monkeypatch, 1)
    ev = Z.decide("x^2 >= 0", [], x * x >= 0, domain="all real x")
    assert ev.status == "open" and "unknown" in ev.details["open_reason"]


def test_theorem2_z3_wrapper_goes_through_decide(monkeypatch):
    """theorem2_lemmas' query wrapper: vacuous hypotheses and an undecided satisfiability
    check are open; a genuine proof holds; a false statement fails with a model."""
    from theory.theorem2_lemmas import _z3_evidence, _z3_prove
    x = z3.Real("x")

    def vacuous(h):
        h.add(x > 1, x < 0)
        return x < 0                      # negation of x >= 0

    def proved(h):
        h.add(x > 1)
        return x < 0

    def false(h):
        h.add(x > -1)
        return x < 0

    assert _z3_evidence("v", [_z3_prove(vacuous, 2000)], "d").status == "open"
    assert _z3_evidence("p", [_z3_prove(proved, 2000)], "d").status == "holds"
    f = _z3_evidence("f", [_z3_prove(false, 2000)], "d")
    assert f.status == "fails" and f.witness["z3_model"]
    _unknown_on_call(monkeypatch, 2)
    assert _z3_evidence("u", [_z3_prove(proved, 2000)], "d").status == "open"


# ---------------------------------------------------------------------------- Lemma 2
@pytest.mark.parametrize("n", [2, 3])
def test_lemma2_z3_every_T(n):
    _universal(Z.lemma2_one_step(n, timeout_ms=MS))
    for ev in Z.lemma2_induction(n, timeout_ms=MS):
        _universal(ev)


def test_lemma2_printed_form_negative_control():
    """(12) as printed: sat for p > 1/2 (counterexample), unsat for p <= 1/2."""
    for n in (2, 3):
        ev = Z.lemma2_printed(n, p_above_half=True, timeout_ms=MS)
        assert ev.status == "fails" and ev.scope.kind == "witness"
        assert Fraction(ev.witness["model"]["p"]) > Fraction(1, 2)
        _universal(Z.lemma2_printed(n, p_above_half=False, timeout_ms=MS))
    _universal(Z.lemma2_printed_from_symmetric(timeout_ms=MS))


def test_lemma2_eps_form_without_self_loop_hypothesis():
    """Drop A_00 >= eps: the eps form of (11) becomes sat."""
    x = Z._vec(2, "x")
    M, m, p, eps = z3.Reals("M m p eps")
    A, h = Z._stochastic(2, "A")
    hyps = Z._is_max(x, M) + Z._is_min(x, m) + [p >= 0, p <= 1, x[0] == p * m + (1 - p) * M,
                                                eps > 0, eps <= 1] + h
    y = Z._mul(A, x)[0]
    ev = Z.decide("Lemma 2 eps form without A_00 >= eps", hyps,
                  y <= p * eps * m + (1 - p * eps) * M, domain="n = 2")
    assert ev.status == "fails"
    # and the same query with the hypothesis is a proof
    _universal(Z.decide("Lemma 2 eps form", hyps + [A[0][0] >= eps],
                        y <= p * eps * m + (1 - p * eps) * M, domain="n = 2"))


# --------------------------------------------------------------------- Dobrushin facts
@pytest.mark.parametrize("n", [2, 3])
def test_dobrushin_z3(n):
    _universal(Z.dobrushin_formulas(n, timeout_ms=MS))
    _universal(Z.dobrushin_column(n, timeout_ms=MS))
    for ev in Z.dobrushin_contraction(n, timeout_ms=MS):
        _universal(ev)


def test_dobrushin_negative_controls_z3():
    _universal(Z.dobrushin_submultiplicative(2, timeout_ms=MS))
    # drop stochasticity: both statements get a counterexample
    assert Z.dobrushin_submultiplicative(2, drop_stochastic=True, timeout_ms=MS).status == "fails"
    assert Z.dobrushin_column(3, drop_stochastic=True, timeout_ms=MS).status == "fails"
    # a too strong contraction factor (tau/2) is refuted
    P, h = Z._stochastic(2, "P")
    tau, M, m = z3.Reals("tau M m")
    x = Z._vec(2, "x")
    y = Z._mul(P, x)
    ev = Z.decide("osc(Px) <= tau/2 osc(x)", h + Z._tau_is(P, tau) +
                  [z3.And(m <= v, v <= M) for v in x], y[0] - y[1] <= tau / 2 * (M - m),
                  domain="n = 2")
    assert ev.status == "fails"


# ------------------------------------------------------------------ Lemma 3, Cor. 2
def test_lemma3_blocks_and_corollary2():
    ev = Z.lemma3_proofs(timeout_ms=MS)
    assert ev.status == "holds" and ev.scope.kind == "universal"
    cor = Z.corollary2_proof(timeout_ms=MS)
    assert cor.status == "holds" and cor.scope.kind == "universal"


def test_lemma3_negative_controls_z3():
    # drop A1 (self-loops) on complete(2): the swap keeps osc -> counterexample
    ev = Z.lemma3_block(masks.complete(2), "complete(2)", r=1, self_loops=False, timeout_ms=MS)
    assert ev.status == "fails" and ev.scope.kind == "witness"
    # r below the radius of the uni-directional path (r = 2): the one-step bound is false
    G = masks.unidirectional_window(3, 1)
    assert E.mask_radius(G) == 2
    _not_holds(Z.lemma3_block(G, "unidirectional_window(3, 1) with r = 1", r=1,
                              timeout_ms=MS))
    # removing self-loops from causal(3) makes the hypotheses empty: vacuous, not a proof
    vac = Z.lemma3_block(masks.causal(3), "causal(3)", r=1, self_loops=False, timeout_ms=MS)
    assert vac.status == "open"


# --------------------------------------------------------------------- LayerNorm facts
@pytest.mark.parametrize("N,d", [(2, 2), (3, 2)])
def test_lemma5_certificates(N, d):
    _universal(S.lemma5_upper(N, d))
    _universal(S.lemma5_lower(N, d))
    _universal(S.orthogonal_norm(d))


def test_lemma5_negative_controls():
    _not_holds(S.lemma5_upper(2, 2, unit_tokens=False))   # tokens off the sphere
    _not_holds(S.lemma5_upper(2, 2, bound=0))            # ||y||^2 <= 0: flipped/too strong
    _not_holds(S.lemma5_lower(2, 2, gamma_power=1))      # ||y||^2 >= gamma: false for gamma < 1


def test_lemma6_generic_matrix_and_negative_control():
    for N, d in [(2, 2), (2, 3), (3, 3)]:
        _universal(S.lemma6_symbolic(N, d))
    ev = S.lemma6_symbolic(2, 3, construction="no-inverse")
    assert ev.status == "fails" and ev.scope.kind == "witness"
    X = np.array(ev.witness["X"], dtype=float)
    assert abs(np.linalg.det(X @ X.T)) > 0


# ------------------------------------------------------------------------ Theorem 3
def test_jordan_chain_any_N_and_negative_control():
    ev = _universal(S.jordan_chain_symbolic())
    assert "every N" in ev.scope.domain
    bad = S.jordan_chain_symbolic(threshold_shift=1)
    assert bad.status == "fails" and bad.witness["||chain token 1||^2"] != "1"


def test_f2_symbolic_N():
    ev = _universal(S.f2_stable_rank_symbolic())
    assert "every N" in ev.scope.domain


def test_f2_symbolic_matches_constructions():
    """The symbolic-N formula agrees with the exact construction at small N."""
    import sympy as sp
    from counterexamples import jordan, jordan_facts
    for N, w in [(3, 2), (4, 5)]:
        b = jordan_facts.stable_rank_bound(jordan.equilibrium(N, N, N, w))
        assert sp.simplify(b["last_column2"] - (N - sp.Rational(N - 1, w ** 2))) == 0


# ---------------------------------------------------------------- registry scopes
IDS = ["dobrushin-submultiplicative", "dobrushin-column-bound", "lemma-2",
       "lemma-2-printed-lower-bound", "lemma-3", "corollary-2", "rate-monotone-in-r-and-eps",
       "layernorm-scale-invariance", "remark-2", "lemma-6", "lemma-5", "appendix-a-no-merge",
       "full-layernorm-reduction", "theorem-3-1", "theorem-3-1-any-w-at-least-1",
       "appendix-f2-stable-rank", "appendix-e-fixed-points", "lemma-11",
       "lemma-11-printed-derivative"]
UNIVERSAL_PART = {"dobrushin-submultiplicative", "dobrushin-column-bound", "lemma-2", "lemma-3",
                  "corollary-2", "rate-monotone-in-r-and-eps", "lemma-6", "lemma-5",
                  "theorem-3-1", "appendix-f2-stable-rank", "appendix-e-fixed-points",
                  "layernorm-scale-invariance", "full-layernorm-reduction", "lemma-11"}


def test_every_claim_of_these_modules_has_a_scope():
    from rankcollapse.claims import Config, load, run
    reg = load()
    assert set(IDS) <= set(reg)
    for cid in IDS:
        out = run(reg[cid], Config(seed=0))
        assert out["status"] in ("holds", "fails"), (cid, out["evidence"].get("error"))
        sc = out["scope"]
        assert sc is not None and sc["kind"] in ("universal", "sampled", "mixed", "witness"), cid
        if out["status"] == "fails":
            assert sc["kind"] == "witness", cid
        if cid in UNIVERSAL_PART:
            kinds = [sc["kind"]] + [p["kind"] for p in sc.get("parts", [])]
            assert "universal" in kinds, (cid, sc)
        if sc["kind"] in ("sampled", "mixed"):
            for p in ([sc] if sc["kind"] == "sampled" else sc["parts"]):
                if p["kind"] == "sampled":
                    assert p["instances"] >= 1 and p["generator"], cid


# ------------------------------------------------------------- round 3 (mutation)
def _hypotheses(ev):
    """The hypotheses of a decided query, read back from its SMT-LIB text (every assertion
    but the last, which is the negated conclusion)."""
    s = z3.Solver()
    s.from_string(ev.details["smtlib"])
    return list(s.assertions())[:-1]


def test_lemma2_queries_cover_the_stated_parameter_range():
    """A proof over a narrower domain than stated would still be unsat: check that the
    hypotheses of every Lemma 2 query admit both ends of the stated ranges, p in [0, 1]
    and pi in [0, 1] (each end alone, with everything else free)."""
    evs = [Z.lemma2_one_step(2, timeout_ms=MS), *Z.lemma2_induction(2, timeout_ms=MS),
           Z.lemma2_printed(2, p_above_half=False, timeout_ms=MS),
           Z.lemma2_printed_from_symmetric(timeout_ms=MS)]
    checked = 0
    for ev in evs:
        _universal(ev)
        hyps = _hypotheses(ev)
        names = {str(v) for h in hyps for v in z3.z3util.get_vars(h)}
        for var in ("p", "pi"):
            if var not in names:
                continue
            top = Fraction(1, 2) if ev.details["query"].startswith(
                ("lemma2-printed-n", "lemma2-printed-from")) and var == "p" else 1
            for val in (0, top):
                s = z3.Solver()
                s.set("timeout", MS)
                s.add(*hyps, z3.Real(var) == z3.RealVal(val))
                assert s.check() == z3.sat, (ev.details["query"], var, val)
                checked += 1
    # p in the eight queries but osc-nonincreasing (7); pi in the two induction steps, the
    # eps form and printed-from-symmetric (4); two ends each
    assert checked == 2 * (7 + 4)


def test_mu_pairwise_identity_and_negative_control():
    """Appendix B.2's identity holds for every N (symbolic) and at each size; with 1/N or
    1/4N in place of 1/2N a witness is found, and its value is recomputed in Fractions."""
    from fractions import Fraction

    from theory.bounds_universal import mu_pairwise_identity
    ev = mu_pairwise_identity(4, 2)
    assert ev.status == "holds" and ev.level == "exact" and ev.scope.kind == "universal"
    assert "every N" in ev.scope.domain
    for factor in (1, 4):
        bad = mu_pairwise_identity(3, 1, factor=factor)
        assert bad.status == "fails" and bad.scope.kind == "witness"
        X = [[Fraction(v) for v in row] for row in bad.witness["X"]]
        n, d = len(X), len(X[0])
        mean = [sum(X[i][k] for i in range(n)) / n for k in range(d)]
        mu2 = sum((X[i][k] - mean[k]) ** 2 for i in range(n) for k in range(d))
        pairs = sum((X[i][k] - X[m][k]) ** 2 for i in range(n) for m in range(n)
                    for k in range(d))
        assert mu2 - pairs / (factor * n) == Fraction(bad.details["lhs - rhs at the witness"])
        assert mu2 == pairs / (2 * n)          # the true identity at the same witness
