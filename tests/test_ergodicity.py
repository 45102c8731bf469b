"""Exact checks of the Dobrushin facts, Lemma 2, Lemma 3, Corollary 2 and the rate's
monotonicity (theory.ergodicity), with a negative control for every claim."""
from __future__ import annotations

import doctest
import random
from decimal import Decimal
from fractions import Fraction as F

import numpy as np
import pytest
import sympy

from numeric import masks
from numeric.errors import AssumptionError, MaskError, RankCollapseError, ShapeError
from tests.conftest import thorough
from theory import ergodicity as E

SEED = 20240518


# ------------------------------------------------------------------ input handling
def test_exact_inputs_and_clear_errors():
    # floats are refused, with a message naming the remedy
    with pytest.raises(E.InexactInputError, match="allow_float=True"):
        E.as_stochastic([[0.5, 0.5], [1, 0]])
    with pytest.raises(E.InexactInputError):
        E.as_stochastic(np.array([[0.5, 0.5], [1.0, 0.0]]))
    with pytest.raises(E.InexactInputError):
        E.exact(sympy.Float(0.25))
    # ... or converted exactly when asked
    A = E.as_stochastic([[0.5, 0.5], [0.25, 0.75]], allow_float=True)
    assert A == ((F(1, 2), F(1, 2)), (F(1, 4), F(3, 4)))
    assert E.exact(0.1, allow_float=True) == F(3602879701896397, 36028797018963968)
    # exact inputs of every kind
    B = E.as_stochastic([[sympy.Rational(1, 3), "2/3"], [np.int64(1), Decimal("0")]])
    assert B == ((F(1, 3), F(2, 3)), (F(1), F(0)))
    assert E.as_stochastic(sympy.Matrix([[1, 0], [0, 1]])) == ((1, 0), (0, 1))
    # assumptions are named
    with pytest.raises(AssumptionError, match="row-stochastic") as ei:
        E.as_stochastic([[1, 0], ["1/2", "1/3"]])
    assert ei.value.assumption == "row-stochastic"
    with pytest.raises(AssumptionError) as ei:
        E.as_stochastic([[2, -1], [0, 1]])
    assert ei.value.assumption == "nonnegative"
    with pytest.raises(ShapeError):
        E.as_stochastic([[1, 0]])
    with pytest.raises(E.InexactInputError):
        E.exact(True)
    with pytest.raises(RankCollapseError):
        E.exact("one half")
    assert issubclass(E.InexactInputError, RankCollapseError)


def test_known_values_and_helpers():
    half = F(1, 2)
    assert E.dobrushin([[1, 0], [0, 1]]) == 1
    assert E.dobrushin([[half, half], [half, half]]) == 0
    assert E.dobrushin([[1, 0, 0], [half, half, 0], [0, half, half]]) == 1
    assert E.dobrushin_overlap([[1, 0, 0], [half, half, 0], [0, half, half]]) == 1
    assert E.dobrushin([[1]]) == 0
    P = E.as_stochastic([[F(1, 3), F(2, 3)], [F(1, 2), F(1, 2)]])
    assert E.dobrushin(P) == F(1, 6) == 1 - E.column_floor(P)
    # product order: A(1) A(0)
    A0 = E.as_stochastic([[1, 0], [half, half]])
    A1 = E.as_stochastic([[0, 1], [1, 0]])
    assert E.left_product([A0, A1]) == E.matmul(A1, A0)
    assert E.trajectory([A0, A1], (F(0), F(1)))[-1] == E.matvec(A1, E.matvec(A0, (F(0), F(1))))
    # radius by BFS on the paper's masks
    assert E.mask_radius(masks.complete(5)) == 1
    assert E.mask_radius(masks.causal(5)) == 1
    assert E.mask_radius(masks.unidirectional_window(5, 1)) == 4
    assert E.centres_and_radius(masks.sliding_window(5, 1))[:2] == (2, [2])
    with pytest.raises(AssumptionError, match="quasi-strongly connected"):
        E.mask_radius(masks.block_local(4, 2))


def test_doctests():
    from theory import ergodicity_suites, stochastic
    res = [doctest.testmod(m, optionflags=doctest.ELLIPSIS)
           for m in (E, stochastic, ergodicity_suites)]
    assert sum(r.attempted for r in res) > 10 and sum(r.failed for r in res) == 0


def test_random_generators_respect_the_class():
    rng = random.Random(SEED)
    for _ in range(20):
        n = rng.randint(1, 6)
        G = E.random_qsc_mask(n, rng)
        assert not masks.missing_self_loops(G).size
        r, centres, _ = E.centres_and_radius(G)  # raises if not quasi-strongly connected
        eps = F(1, int(G.sum(axis=1).max()) * rng.randint(1, 3))
        A = E.random_in_class(G, eps, rng)
        E.in_class(E.as_stochastic(A), G, eps)
    with pytest.raises(AssumptionError, match="eps"):
        E.random_in_class(masks.complete(3), F(1, 2), rng)
    with pytest.raises(MaskError):
        E.random_in_class(np.zeros((2, 2), dtype=bool), F(1, 4), rng)


def test_radius_agrees_with_theory_graphs():
    graphs = pytest.importorskip("theory.graphs")
    if not hasattr(graphs, "radius"):
        pytest.skip("theory.graphs.radius not written yet")
    rng = random.Random(SEED)
    cases = [G for n in (2, 3, 5) for G in E.paper_masks(n).values()]
    cases += [E.random_qsc_mask(rng.randint(2, 7), rng) for _ in range(20)]
    for G in cases:
        assert graphs.radius(G) == E.mask_radius(G)


# ------------------------------------------------------------------ Dobrushin
def test_dobrushin_suite_holds():
    ev = E.suite_dobrushin(SEED, instances=200 if thorough() else 60)
    assert ev.status == "holds" and ev.level == "exact", ev
    assert ev.details["instances"] >= 60


def test_dobrushin_negative_controls(monkeypatch):
    # contraction and sub-multiplicativity need stochastic rows: break it on purpose
    D = [[1, 0], [0, 2]]  # nonnegative, rows do not sum to 1
    with pytest.raises(AssumptionError):
        E.check_osc_contraction([(D, [1, 1])])
    ev = E.check_osc_contraction([(D, [1, 1])], validate=False)
    assert ev.status == "fails" and ev.witness["osc(Px)"] == "1" and ev.witness["osc(x)"] == "0"
    ev = E.check_submultiplicative([(D, D)], validate=False)
    assert ev.status == "fails"
    assert F(ev.witness["tau(PQ)"]) == F(5, 2) > F(ev.witness["tau(P)tau(Q)"]) == F(9, 4)
    # a wrong coefficient (missing the 1/2) is caught by the formula check
    from theory import dobrushin as DB
    monkeypatch.setattr(DB, "_tau", lambda P: 2 * E.dobrushin_overlap(P))
    ev = E.check_dobrushin_formulas([[[1, 0], ["1/2", "1/2"]]])
    assert ev.status == "fails" and ev.witness["P"] == [["1", "0"], ["1/2", "1/2"]]


def test_osc_contraction_is_sharp():
    rng = random.Random(SEED)
    for _ in range(30):
        P = E.random_stochastic(rng.randint(2, 5), rng)
        x = E.extremal_vector(P)
        assert E.osc(E.matvec(P, x)) == E._tau(P) * E.osc(x)


def test_column_bound_negative_control():
    P = [["1/2", "1/2", 0], ["1/4", "1/2", "1/4"], [0, "1/2", "1/2"]]
    assert E.check_column_bound([(P, "1/2")]).status == "holds"
    assert E.dobrushin(P) == F(1, 2)
    # claim a larger delta than the column carries: refused, or fails when not validated
    with pytest.raises(AssumptionError, match="column bound"):
        E.check_column_bound([(P, "3/4")])
    ev = E.check_column_bound([([[1, 0], [0, 1]], "1/2")], validate=False)
    assert ev.status == "fails" and ev.witness["tau"] == "1"


# ------------------------------------------------------------------ Lemma 2
def test_lemma2_suite_holds():
    ev = E.suite_lemma2(SEED, instances=80 if thorough() else 25)
    assert ev.status == "holds" and ev.details["inequalities_checked"] > 500, ev


def test_lemma2_negative_controls():
    swap = [[0, 1], [1, 0]]  # a permutation: no self-loops
    # with enforcement the missing self-loop is named
    with pytest.raises(AssumptionError) as ei:
        E.check_lemma2([swap], [0, 1], eps="1/2")
    assert ei.value.assumption == "A1"
    # without it, the eps-form of the contraction fails, with a rerunnable witness
    ev = E.check_lemma2([swap], [0, 1], eps="1/2", enforce=False)
    assert ev.status == "fails" and ev.witness["violated"].endswith("with eps^T")
    w = ev.witness
    again = E.check_lemma2(w["matrices"], w["x"], eps=w["eps"], enforce=False)
    assert again.status == "fails"
    # the product form (pi = prod A_ii) never fails: for the permutation it is trivial
    assert E.check_lemma2([swap] * 3, [0, 1]).status == "holds"
    # an eps above the true self-loop weight also breaks the eps-form
    A = [["1/3", "2/3"], ["2/3", "1/3"]]
    assert E.check_lemma2([A], [0, 1], eps="1/3").status == "holds"
    assert E.check_lemma2([A], [0, 1], eps="1/2", enforce=False).status == "fails"


def test_lemma2_printed_form_fails():
    from rankcollapse.claims import Config, load, run

    # the smallest witness: A = I, x = (0, 1), token 0 sits at the minimum (p = 1)
    ev = E.check_lemma2([[[1, 0], [0, 1]]], [0, 1], form="printed", min_T=1)
    assert ev.status == "fails"
    assert ev.witness["i"] == 0 and ev.witness["p"] == "1" and ev.witness["T"] == 1
    assert "p <= 1/2" in ev.narrower
    # the intended (symmetric) form holds on the same instance
    assert E.check_lemma2([[[1, 0], [0, 1]]], [0, 1]).status == "holds"
    # the registry entry reports the failure with a witness that reruns
    out = run(load()["lemma-2-printed-lower-bound"], Config(seed=SEED))
    assert out["status"] == "fails" and out["narrower"]
    w = out["witness"]
    assert F(w["p"]) > F(1, 2)
    rerun = E.check_lemma2(w["matrices"], w["x"], form="printed", min_T=1)
    assert rerun.status == "fails"
    assert E.check_lemma2(w["matrices"], w["x"], form="intended").status == "holds"


# ------------------------------------------------------------------ Lemma 3
def test_lemma3_suite_holds():
    if thorough():
        ev = E.suite_lemma3(SEED, sizes=(2, 3, 4, 5, 6, 7), n_random=60, blocks=3)
    else:
        ev = E.suite_lemma3(SEED, sizes=(2, 3, 4, 5), n_random=12)
    assert ev.status == "holds", ev
    assert ev.details["masks"] >= 30 and max(ev.details["radii"]) >= 3


def test_lemma3_p_is_free_and_p1_is_strongest():
    mats, x, G = E.path_example(4, F(1, 3))
    for p in (0, F(1, 4), F(1, 2), F(3, 4), 1):
        assert E.check_lemma3(mats * 3, x, G, F(1, 3), p=p).status == "holds"
    ev = E.check_lemma3(mats, x, G, F(1, 3), p=1)
    assert ev.details["max_lhs_over_rhs"] == "1"  # equality: sharp at k = 1
    with pytest.raises(RankCollapseError):
        E.check_lemma3(mats, x, G, F(1, 3), p=F(3, 2))


def test_lemma3_negative_controls():
    n = 4
    # (a) drop self-loops: a directed cycle without self-loops, cyclic permutations
    cycle = masks.from_edges(n, [(i, (i - 1) % n) for i in range(n)], convention="query-key")
    perm = [[1 if cycle[i, j] else 0 for j in range(n)] for i in range(n)]
    x = [0, 1, 2, 3]
    with pytest.raises(AssumptionError) as ei:
        E.check_lemma3([perm] * 6, x, cycle, 1)
    assert ei.value.assumption == "A1"
    assert E.mask_radius(cycle) == 3
    ev = E.check_lemma3([perm] * 6, x, cycle, 1, enforce=False)
    assert ev.status == "fails" and ev.witness["lhs"] == "3"
    ev = E.check_centre_column([perm] * 3, cycle, 1, enforce=False)
    assert ev.status == "fails" and ev.witness["tau"] == "1"

    # (b) disconnect the mask: two blocks, no centre; products keep tau = 1
    G = masks.block_local(n, 2)
    rng = random.Random(SEED)
    mats = [E.random_in_class(G, F(1, 4), rng) for _ in range(4)]
    with pytest.raises(AssumptionError) as ei:
        E.check_lemma3(mats, [0, 0, 1, 1], G, F(1, 4))
    assert ei.value.assumption == "quasi-strongly connected"
    assert E._tau(E.left_product(mats)) == 1
    ev = E.check_lemma3(mats, [0, 0, 1, 1], G, F(1, 4), r=1, enforce=False)
    assert ev.status == "fails" and ev.witness["lhs"] == "1"
    assert E.check_centre_column(mats, G, F(1, 4), r=1, enforce=False).status == "fails"

    # (c) eps larger than the true minimum entry: the claimed bound fails
    mats, x, G = E.path_example(4, F(1, 3))
    with pytest.raises(AssumptionError) as ei:
        E.check_lemma3(mats, x, G, F(1, 2))
    assert ei.value.assumption == "eps"
    ev = E.check_lemma3(mats, x, G, F(1, 2), enforce=False)
    assert ev.status == "fails"
    assert F(ev.witness["lhs"]) == 1 - F(1, 27) > F(ev.witness["rhs"]) == 1 - F(1, 8)
    w = ev.witness  # rerun from the strings
    assert E.check_lemma3(w["matrices"], w["x"], w["mask"], w["eps"], r=w["r"],
                          enforce=False).status == "fails"

    # (d) r below the radius
    with pytest.raises(AssumptionError, match="radius"):
        E.check_lemma3(mats, x, G, F(1, 3), r=2)
    assert E.check_lemma3(mats, x, G, F(1, 3), r=2, enforce=False).status == "fails"


def test_lemma3_proof_steps_and_their_negative_control():
    rng = random.Random(SEED)
    for n in (3, 4, 5):
        for name, G in E.paper_masks(n).items():
            eps = F(1, 2 * int(G.sum(axis=1).max()))
            r = E.mask_radius(G)
            mats = [E.random_in_class(G, eps, rng) for _ in range(2 * r)]
            x = [F(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(n)]
            ev = E.check_lemma3_proof_steps(mats, x, G, eps)
            assert ev.status == "holds" and ev.details["comparisons"] > 0, (name, ev)
    # without self-loops a walk cannot wait, and the step "x_i(t+T) <= p eps^T m + ..."
    # for T > dist(c, i) breaks: cyclic permutation on 4 tokens, centre 0 at the minimum
    n = 4
    cycle = masks.from_edges(n, [(i, (i - 1) % n) for i in range(n)], convention="query-key")
    perm = [[1 if cycle[i, j] else 0 for j in range(n)] for i in range(n)]
    ev = E.check_lemma3_proof_steps([perm] * 3, [0, 1, 2, 3], cycle, 1, enforce=False)
    assert ev.status == "fails"
    w = ev.witness
    assert w["T"] > E.distances_from(cycle, w["centre"])[w["i"]]  # the walk had to wait


def test_centre_column_on_paper_masks():
    rng = random.Random(SEED)
    for n in (2, 3, 4, 5):
        for name, G in E.paper_masks(n).items():
            eps = F(1, int(G.sum(axis=1).max()))
            r = E.mask_radius(G)
            mats = [E.random_in_class(G, eps, rng) for _ in range(max(r, 1) + 2)]
            ev = E.check_centre_column(mats, G, eps)
            assert ev.status == "holds", (name, n, ev)


# ------------------------------------------------------------------ Corollary 2
def test_corollary2_suite_holds():
    ev = E.suite_corollary2(SEED, sizes=(2, 3, 4, 5), n_random=20 if thorough() else 8)
    assert ev.status == "holds", ev
    assert ev.details["sharpness_cases"] == 15


def test_corollary2_negative_controls():
    eps = F(1, 3)
    for n in (3, 4, 5):
        mats, x, G = E.path_example(n, eps)
        mats = mats * 3
        assert E.check_corollary2(mats, x, G, eps).status == "holds"
        # C = osc(x0) is not enough: fails at t = r - 1, where the sharp C is attained
        ev = E.check_corollary2(mats, x, G, eps, C=1)
        assert ev.status == "fails" and ev.witness["t"] == 1  # first t with a gap
        # eps larger than the true minimum entry
        assert E.check_corollary2(mats, x, G, F(1, 2), enforce=False).status == "fails"
        with pytest.raises(AssumptionError):
            E.check_corollary2(mats, x, G, F(1, 2))
    # any C a bit below the sharp one fails too (r = 3: C^3 = 1/(1-eps^3)^2)
    mats, x, G = E.path_example(4, eps)
    Cr = E.corollary2_constant_power(E.as_exact_vector(x), eps, 3)
    assert Cr == 1 / (1 - eps ** 3) ** 2
    lo, hi = F(1025, 1000), F(1026, 1000)  # C_sharp = (729/676)^(1/3) = 1.0255...
    assert lo ** 3 < Cr < hi ** 3
    assert E.check_corollary2(mats, x, G, eps, C=lo).status == "fails"
    assert E.check_corollary2(mats, x, G, eps, C=hi).status == "holds"


def test_path_sharpness():
    for n in range(2, 9 if thorough() else 6):
        for eps in (F(1, 2), F(2, 5), F(1, 10)):
            ev = E.check_path_sharpness(n, eps)
            assert ev.status == "holds", ev
    with pytest.raises(AssumptionError):
        E.path_example(3, F(3, 5))  # eps > 1/2 leaves A outside A_{G, eps}


# ------------------------------------------------------------------ rate monotonicity
def test_rate_monotone_symbolic_and_grid():
    ev = E.rate_monotone_symbolic()
    assert ev.status == "holds" and ev.level == "exact", ev
    grid = [F(k, 20) for k in range(1, 20)] + [F(1, 10 ** 4), F(9999, 10 ** 4)]
    ev = E.rate_monotone_grid(grid, 12 if thorough() else 7)
    assert ev.status == "holds" and ev.details["comparisons"] > 300


def test_rate_monotone_negative_control():
    grid = [F(1, 3), F(1, 2), F(2, 3)]
    # a rate constant in r: (1 - eps) = ((1 - eps)^r)^(1/r)
    ev = E.rate_monotone_grid(grid, 4, rate=lambda e, r: (1 - e) ** r)
    assert ev.status == "fails" and ev.witness["violated"] == "increasing in r"
    # a rate increasing in eps: (eps^r)^(1/r) = eps
    ev = E.rate_monotone_grid(grid, 4, rate=lambda e, r: e ** r)
    assert ev.status == "fails"
    with pytest.raises(RankCollapseError):
        E.rate_monotone_grid([F(3, 2)], 3)


# ------------------------------------------------------------------ registry
IDS = ["dobrushin-submultiplicative", "dobrushin-column-bound", "lemma-2",
       "lemma-2-printed-lower-bound", "lemma-3", "corollary-2", "rate-monotone-in-r-and-eps"]


def test_registry_entries():
    from rankcollapse.claims import Config, load, run

    reg = load()
    here = open(__file__).read()
    for cid in IDS:
        c = reg[cid]
        assert c.test.startswith("tests/test_ergodicity.py::")
        assert f"def {c.test.split('::')[1]}(" in here, c.test
        out = run(c, Config(seed=SEED))
        expected = "fails" if cid == "lemma-2-printed-lower-bound" else "holds"
        assert out["status"] == expected and out["level"] == "exact", (cid, out)
        if expected == "fails":
            assert out["witness"] is not None
