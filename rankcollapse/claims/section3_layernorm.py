"""Claims about LayerNorm (Remark 2, Lemma 5, Lemma 6, Appendix A, full LayerNorm).

Scope of each verdict: the SymPy identities with symbolic vectors/matrices are
``universal`` on the stated sizes; Lemma 5 and Lemma 6 add polynomial certificates /
generic-matrix identities (:mod:`theory.proofs_symbolic`) to their exact instances
(``mixed``); Appendix A is an existence statement settled by one instance (``witness``).
"""
from __future__ import annotations

import sympy as sp

from theory import layernorm as L
from theory.evidence import Evidence, combine, if_all_hold, universal, witness

from rankcollapse import explain as walk
from . import Config, claim, with_formal

R = sp.Rational
_SYMPY = "SymPy: symbolic simplification with generic real symbols"


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
       walkthrough=walk.appendix_e_f.scale,
       idea_paper=("Stated without proof in Section 4.3.1 (any positive multiple c(t) "
                   "W_V(t) gives the same dynamics) and used in Appendix F.1 Step 3 to "
                   "replace W_V by W_V/||W_V||_2 so that A3 holds; it is immediate from "
                   "||c y|| = c ||y|| for c > 0."),
       idea_ours=("Coq proves LN(c y) = LN(y) for c > 0 over every real closed field in "
                  "every dimension (also for the centred form with eps = 0), and that "
                  "whole post-LN trajectories are unchanged when each W_V(t) is scaled by "
                  "some c(t) > 0, for any attention map X -> A(X); SymPy checks the "
                  "identity for symbolic x at d = 1, 2, 3 and for the post-LN step on a "
                  "symbolic 2 x 2 matrix."))
def scale_invariance(cfg: Config):
    ds = (1, 2, 3, 4, 5) if cfg.thorough else (1, 2, 3)
    parts = [L.scale_invariance(d) for d in ds] + [L.post_ln_value_scaling(2, 2)]
    sym = combine("LN(c x) = LN(x), symbolic x, c > 0, d in " + str(ds), parts,
                  scope=if_all_hold(parts, universal(
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
       uses=[],
       idea_paper=("Remark 2 (Section 4.3.1) is stated without proof. Why it holds: with "
                   "W_Q = W_K = 0 the attention A does not depend on X, A (X Z)(Z^T W_V Z) "
                   "= (A X W_V) Z, and LN(y Z) = LN(y) Z because an orthogonal Z preserves "
                   "row norms; induction on t gives X(t) Z."),
       idea_ours=("SymPy checks LN(x Z) = LN(x) Z for symbolic x (d = 2, 3) and the "
                  "conjugated post-LN step for a symbolic 2 x 2 X on the causal mask with "
                  "W_V = I + 2J, for ONE exact rational orthogonal Z per d (Givens "
                  "rotations with cosine -7/25, sine 24/25); other Z and W_V are not "
                  "covered by the check, although the argument above is general. The "
                  "remark needs W_Q = W_K = 0 (or W_Q, W_K conjugated too), otherwise A "
                  "changes."))
def remark2(cfg: Config):
    parts = [L.orthogonal_equivariance(d) for d in (2, 3)] + [L.remark2_conjugation(2, 2)]
    if cfg.thorough:
        parts.append(L.remark2_conjugation(3, 3))
    sizes = "(n, d) = (2, 2)" + (", (3, 3)" if cfg.thorough else "")
    return combine("LN(xZ) = LN(x)Z and F_(Z^T W Z)(XZ) = F_W(X)Z (symbolic X)", parts,
                   scope=if_all_hold(parts, universal(
                       "every real x in R^d (d = 2, 3) and every real X of size "
                       f"{sizes}, for ONE exact rational orthogonal Z per d "
                       "(theory.layernorm.rational_rotation), causal mask, W_V = I + 2J; "
                       "other Z and W_V are not covered", _SYMPY)))


@claim("appendix-a-no-merge", "Appendix A",
       "LayerNorm multiplies from the left: in general D A X W_V is not A X W' for any W', so "
       "LN cannot be merged into the value matrix.",
       test="tests/test_theory_layernorm.py::test_merge_positive_and_negative",
       notes="Appendix A: LayerNorm is not a value-matrix factor",
       kind="remark",
       uses=[],
       idea_paper=("Appendix A argues from the shape of (3): LayerNorm's D scales rows "
                   "(multiplies from the left), so it cannot be folded into the value "
                   "matrix, which acts on the right; no explicit instance is given."),
       idea_ours=("Exact witness: causal average on N = 3, X = [[1, 0], [0, 1], [1, 1]], "
                  "W_V = I. Rows 2 and 3 of A X are (1/2, 1/2) and (2/3, 2/3), so any A X "
                  "W' keeps row 3 = (4/3) row 2, while D A X makes them equal unit "
                  "vectors; the linear system for a column of W' is inconsistent (exact "
                  "rank test). When A X has full row rank a W' does exist, so a witness "
                  "needs N > d or rank-deficient A X."))
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
       uses=[],
       idea_paper=("Not in the paper: Section 3.2 says LayerNorm is modelled by its row "
                   "scaling only (centring dropped), as in earlier theoretical work."),
       idea_ours=("Centring is the linear map P = I - 11^T/d on the right and the standard "
                  "deviation of y is ||y P||/sqrt(d), so LN_full(y) = sqrt(d) (y P)/||y "
                  "P|| with eps = 0 and no gain or bias; SymPy verifies this for symbolic "
                  "y at d = 2, 3, 4 (every y not a multiple of 1). Since P annihilates the "
                  "all-ones direction, W_V P is singular and never orthogonal on R^d, so "
                  "Theorem 2's hypothesis fails as stated; it can hold on 1^perp (e.g. W_V "
                  "a permutation), but these consequences are argued, not machine-checked."))
def full_reduction(cfg: Config):
    ds = (2, 3, 4, 5) if cfg.thorough else (2, 3, 4)
    parts = [L.full_layernorm_reduction(d) for d in ds]
    return combine("LN_full(y) = sqrt(d) LN(yP), symbolic y", parts,
                   scope=if_all_hold(parts, universal(
                       f"every y in R^d not a multiple of 1, d in {set(ds)}", _SYMPY)))
