"""Claims about LayerNorm (Remark 2, Lemma 5, Lemma 6, Appendix A, full LayerNorm).

Scope of each verdict: the SymPy identities with symbolic vectors/matrices are
``universal`` on the stated sizes; Lemma 5 and Lemma 6 add polynomial certificates /
generic-matrix identities (:mod:`theory.proofs_symbolic`) to their exact instances
(``mixed``); Appendix A is an existence statement settled by one instance (``witness``).
"""
from __future__ import annotations

import sympy as sp

from theory import layernorm as L
from theory import proofs_symbolic as PS
from theory.evidence import Evidence, combine, sampled, universal, witness

from rankcollapse import explain as walk
from . import Config, claim, with_formal

R = sp.Rational
_SYMPY = "SymPy: symbolic simplification with generic real symbols"


def _if_all_hold(parts, scope):
    """``scope`` for a conjunction whose parts all hold; otherwise ``None`` so that
    :func:`combine` takes the failing (or open) part's scope."""
    return scope if all(p.status == "holds" for p in parts) else None


@claim("layernorm-scale-invariance", "Section 4.3.1 (rescaling W_V)",
       "LN(c x) = LN(x) for c > 0; hence post-LN dynamics are the same for W_V and c W_V.",
       test="tests/test_theory_layernorm.py::test_scale_invariance_negative_control",
       notes="LayerNorm scale invariance",
       formal=("RankCollapse.LayerNormScale.layernorm_scale_invariant",
               "RankCollapse.LayerNormScale.post_ln_traj_value_scale",
               "RankCollapse.LayerNormScale.layernorm_centred_scale_invariant"),
       formal_note="Coq proves it over every real closed field for every d, for the centred "
                   "form too (eps = 0), and for whole post-LN trajectories with W_V(t) scaled "
                   "by any c(t) > 0 and any attention map X -> A(X); LayerNorm with eps > 0, "
                   "where the invariance fails, is not covered.",
       kind="lemma",
       tex=r"\mathrm{LN}(c\,Y)=\mathrm{LN}(Y)\quad (c>0)",
       uses=[],
       walkthrough=walk.appendix_e_f.scale)
def scale_invariance(cfg: Config):
    ds = (1, 2, 3, 4, 5) if cfg.thorough else (1, 2, 3)
    parts = [L.scale_invariance(d) for d in ds] + [L.post_ln_value_scaling(2, 2)]
    sym = combine("LN(c x) = LN(x), symbolic x, c > 0, d in " + str(ds), parts,
                  scope=_if_all_hold(parts, universal(
                      f"every nonzero x in R^d, d in {set(ds)}, every c > 0; the "
                      "post-LN step for every real 2 x 2 Y = A X W_V without zero rows",
                      _SYMPY)))
    parts = [sym]
    note = with_formal("layernorm-scale-invariance", parts,
                       "LN(c y) = LN(y) for c > 0, every d; post-LN trajectories unchanged "
                       "when each W_V(t) is scaled by c(t) > 0",
                       "every d, every row y, every c > 0, every attention map and every "
                       "sequence of value matrices, over every real closed field")
    return combine("LayerNorm scale invariance: Coq for every d and whole trajectories; "
                   "SymPy at d in " + str(ds), parts, note)


@claim("remark-2", "Remark 2 (Section 4.3.1)",
       "With W_Q = W_K = 0 and Z orthogonal, the value matrix Z^T W_V Z produces the "
       "trajectories X(t) Z.",
       test="tests/test_theory_layernorm.py::test_remark2_and_equivariance",
       notes="Remark 2: orthogonal conjugation",
       kind="remark",
       tex=r"F_{Z^\top W_V Z}(XZ)=F_{W_V}(X)\,Z\quad (Z\ \text{orthogonal})",
       uses=[])
def remark2(cfg: Config):
    parts = [L.orthogonal_equivariance(d) for d in (2, 3)] + [L.remark2_conjugation(2, 2)]
    if cfg.thorough:
        parts.append(L.remark2_conjugation(3, 3))
    sizes = "(n, d) = (2, 2)" + (", (3, 3)" if cfg.thorough else "")
    return combine("LN(xZ) = LN(x)Z and F_(Z^T W Z)(XZ) = F_W(X)Z (symbolic X)", parts,
                   scope=_if_all_hold(parts, universal(
                       "every real x in R^d (d = 2, 3) and every real X of size "
                       f"{sizes}, for ONE exact rational orthogonal Z per d "
                       "(theory.layernorm.rational_rotation), causal mask, W_V = I + 2J; "
                       "other Z and W_V are not covered", _SYMPY)))


@claim("lemma-6", "Lemma 6 (Appendix C)",
       "If X(0) has full row rank (N <= d), all tokens lie in a common open hemisphere.",
       assumptions=("(*): N <= d, X(0) full rank",),
       test="tests/test_theory_layernorm.py::test_hemisphere_negative_control",
       notes="Lemma 6: the hemisphere",
       kind="lemma",
       uses=["assumption-full-rank"],
       walkthrough=walk.theorem2_lemmas.lemma6)
def lemma6(cfg: Config):
    import numpy as np
    rng = np.random.default_rng(cfg.seed)
    parts = []
    shapes = ((2, 2), (3, 3), (3, 5), (4, 4))
    for n, d in shapes:
        X = sp.Matrix(n, d, lambda i, j: R(int(rng.integers(-9, 10)), int(rng.integers(1, 6))))
        while X.rank() < n:
            X = sp.Matrix(n, d, lambda i, j: R(int(rng.integers(-9, 10)), 1))
        parts.append(L.hemisphere(X))
    smp = combine("exact hemisphere vector v = X^T (X X^T)^-1 1 for random rational full-rank "
                  "X", parts, {"seed": cfg.seed},
                  scope=_if_all_hold(parts, sampled(
                      len(shapes), f"random rational X of shapes {list(shapes)}: "
                                "entries p/q with p in -9..9, q in 1..5 (numpy default_rng), "
                                "redrawn until full row rank", cfg.seed)))
    sizes = ((2, 2), (2, 3), (3, 3), (3, 4)) if cfg.thorough else ((2, 2), (2, 3), (3, 3))
    uni = [PS.lemma6_symbolic(n, d) for n, d in sizes]
    return combine("Lemma 6: X v = 1 for every full-row-rank X (generic symbolic X at fixed "
                   "sizes), plus exact random instances", uni + [smp],
                   {"symbolic_sizes": [list(s) for s in sizes],
                    "general_N": "the identity is X X^T (X X^T)^-1 = I for any invertible "
                                 "Gram matrix; the fixed sizes check it entrywise"})


@claim("lemma-5", "Lemma 5 (Appendix C)",
       "For tokens on the sphere in an open hemisphere {<x, v> >= gamma}, W_V orthogonal and "
       "A row-stochastic: 1 <= D_ii <= 1/gamma.",
       assumptions=("tokens on S^{d-1}", "W_V orthogonal", "open hemisphere"),
       test="tests/test_theory_layernorm.py::test_lemma5_negative_control",
       notes="Lemma 5: bounds on D",
       kind="lemma",
       uses=["lemma-6"],
       walkthrough=walk.theorem2_lemmas.lemma5)
def lemma5(cfg: Config):
    X = sp.Matrix([[1, 0, 0], [R(3, 5), R(4, 5), 0], [R(2, 3), R(1, 3), R(2, 3)]])
    A = sp.Matrix([[1, 0, 0], [R(1, 2), R(1, 2), 0], [R(1, 3), R(1, 3), R(1, 3)]])
    A2 = sp.Matrix([[R(1, 2), R(1, 2), 0], [R(1, 4), R(1, 2), R(1, 4)], [0, R(1, 3), R(2, 3)]])
    W = L.rational_rotation(3)
    iparts = [L.lemma5_bounds(X, W, A), L.lemma5_bounds(X, W, A2),
              L.lemma5_bounds(X, sp.eye(3), A)]
    inst = combine("Lemma 5 bounds on exact instances (Pythagorean tokens, rational rotation)",
                   iparts, scope=_if_all_hold(iparts, sampled(
                       3, "three hand-picked exact instances: Pythagorean unit tokens "
                                    "in R^3, causal and banded row-stochastic A, W_V = a "
                                    "rational rotation or I (not random)", None)))
    sizes = ((2, 2), (3, 2), (2, 3), (3, 3)) if cfg.thorough else ((2, 2), (3, 2))
    uni = PS.lemma5_symbolic(sizes)
    return combine("Lemma 5: certificates for every input at fixed (N, d), plus exact "
                   "instances", [uni, inst])


@claim("appendix-a-no-merge", "Appendix A",
       "LayerNorm multiplies from the left: in general D A X W_V is not A X W' for any W', so "
       "LN cannot be merged into the value matrix.",
       test="tests/test_theory_layernorm.py::test_merge_positive_and_negative",
       notes="Appendix A: LayerNorm is not a value-matrix factor",
       kind="remark",
       uses=[])
def appendix_a(cfg: Config):
    A = sp.Matrix([[1, 0, 0], [R(1, 2), R(1, 2), 0], [R(1, 3), R(1, 3), R(1, 3)]])
    X = sp.Matrix([[1, 0], [0, 1], [1, 1]])
    ev = L.merge_into_value_matrix(A, X, sp.eye(2))
    # the claim "cannot be merged" holds exactly when the merge check fails
    status = "holds" if ev.status == "fails" else "fails"
    return Evidence("there are A, X, W_V with D A X W_V != A X W' for every W'", status,
                    "exact", {**ev.details, "instance": ev.witness,
                              "when_mergeable": ev.narrower},
                    scope=witness("A = causal average (3 x 3), X = [[1, 0], [0, 1], [1, 1]], "
                                  "W_V = I: the linear system for a column of W' is "
                                  "inconsistent (exact ranks)"))


@claim("full-layernorm-reduction", "Section 3 (LN simplification); our addition",
       "Full LayerNorm (eps = 0, no gain or bias) equals sqrt(d) times the paper's LN after "
       "centring P = I - 11^T/d; P is singular, so W_V P is never orthogonal on R^d and "
       "Theorem 2's hypothesis fails as stated (it can hold on 1^perp, e.g. for permutations).",
       test="tests/test_theory_layernorm.py::test_full_reduction",
       notes="Full LayerNorm versus the paper's LayerNorm",
       erratum=("scope remark", "The paper says it models only LayerNorm's rescaling; how far that carries to full LayerNorm (centring) is our addition."),
       kind="finding",
       uses=[])
def full_reduction(cfg: Config):
    ds = (2, 3, 4, 5) if cfg.thorough else (2, 3, 4)
    parts = [L.full_layernorm_reduction(d) for d in ds]
    return combine("LN_full(y) = sqrt(d) LN(yP), symbolic y", parts,
                   scope=_if_all_hold(parts, universal(
                       f"every y in R^d not a multiple of 1, d in {set(ds)}", _SYMPY)))
