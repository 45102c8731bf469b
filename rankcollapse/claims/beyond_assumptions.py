"""What each hypothesis of Theorem 1, Theorem 2 and Corollary 1 buys (theory/assumptions.py):
one registry entry per hypothesis, each an instance meeting every other hypothesis where
the conclusion fails."""
from __future__ import annotations

from theory import assumptions as A

from . import Config, claim

#: hypothesis -> (card id, title, the hypothesis in TeX)
_CARDS = {
    "A1": ("assumption-a1", "A1: self-loops",
        r"(i,i)\in E\quad\forall i"),
    "A2": ("assumption-a2", "A2: bounded W_Q, W_K",
        r"\sup_t \|W_Q(t)\|_2 \le C_Q,\quad \sup_t \|W_K(t)\|_2 \le C_K"),
    "A3": ("assumption-a3", "A3: bounded value products",
        r"\sup_t \|W_V(0)W_V(1)\cdots W_V(t)\|_2 \le C_V"),
    "quasi-strong connectivity": ("assumption-quasi-strong", "G quasi-strongly connected",
        ""),
    "strong connectivity": ("assumption-strong", "G strongly connected",
        ""),
    "orthogonal W_V": ("assumption-orthogonal-wv", "W_V orthogonal",
        r"W_V(t)\,W_V(t)^\top = I"),
    "N <= d, full-rank X(0)": ("assumption-full-rank", "(*): N <= d, X(0) full rank",
        r"N \le d,\quad \operatorname{rank} X(0) = N"),
    "phi(0) >= 0": ("assumption-phi0", "phi(0) >= 0",
        r"\phi(0)=\min_{i,j}\langle X_i(0),X_j(0)\rangle\ge 0"),
}

#: card id -> (idea_paper, idea_ours): why the hypothesis is there, and the witness
_IDEAS = {
    "assumption-a1": (
        ("Not in the paper: A1 is stated (Section 4) as making masked attention well "
         "defined, and Lemmas 2-3 and 9 use the self-loops, but no example shows it is "
         "needed. Why it matters: without self-loops an influence cannot wait at a token, "
         "and a periodic (non-primitive) mask such as a 2-cycle gives products that never "
         "contract (tau = 1 forever)."),
        ("Exact witness meeting every other hypothesis of Theorem 1, Theorem 2 and "
         "Corollary 1: N = d = 2, mask [[0, 1], [1, 0]] (strongly connected, no self-"
         "loops), W_Q = W_K = 0, W_V = I, X(0) = I; A equals the mask, so X(1) is X(0) "
         "with its rows swapped and X(2) = X(0), the rows stay unit (SAN and post-LN "
         "agree), and mu(X(t)) = 1 for all t."),
    ),
    "assumption-a2": (
        ("Not in the paper: A2 is motivated by efficient attention computation and used to"
         " get a uniform eps (Lemmas 1 and 4), but no example shows it is needed. Why it "
         "matters: if the scores grow, the attention can sharpen fast enough that the per-"
         "layer contraction factors have a convergent product, so no uniform eps exists."),
        ("Certified witnesses: (a) Theorem 1: N = 2, d = 1, complete mask, X(0) = [1, -1],"
         " W_V = 1, W_Q = W_K = sqrt(8(t+1)): the tokens stay +-a_t with a_(t+1) = a_t "
         "tanh(q_t a_t^2), and by induction a_t >= prod_(k>=1) tanh(2k) > 1/2 (arb lower "
         "bound with a bounded tail), so mu >= sqrt(2)/2 for all t. (b) Theorem 2 / "
         "Corollary 1: post-LN, N = d = 2, complete mask, W_V = I, rows (4/5, +-3/5) (full"
         " rank, phi(0) = 7/25), q_t = 17(t+1): the mirror symmetry is kept, rho_(t+1) = "
         "tanh(q_t s_t^2) rho_t stays >= 3/8, and mu >= sqrt(18/73) for all t."),
    ),
    "assumption-a3": (
        ("Not in the paper: A3 (whose display is missing from the extraction) keeps the "
         "SAN trajectories bounded and is used in Lemma 1 and in (20); no example shows it"
         " is needed. Why it matters: without it the value products can expand the "
         "differences between tokens faster than attention averages them."),
        ("Exact witness for Theorem 1: causal N = 2, d = 1, W_Q = W_K = 0 (so A = [[1, 0],"
         " [1/2, 1/2]]), W_V = 4, X(0) = [0, 1]: x_1' = 4 x_1 and x_2' = 2(x_1 + x_2), so "
         "x_2' - x_1' = 2(x_2 - x_1) (a SymPy identity in symbolic x_1, x_2) and mu(X(t)) "
         "= 2^t mu(X(0)), while the products 4^t are unbounded."),
    ),
    "assumption-quasi-strong": (
        ("Not in the paper: Theorem 1 and Corollary 1 assume a centre, and the paper "
         "explains informally that a common context token drives the collapse, but gives "
         "no example without one. Why it matters: without a centre no product of attention"
         " matrices needs a column bounded away from 0, so separate groups of tokens never"
         " mix."),
        ("Exact witness: N = d = 2, identity mask (A1 holds, no centre), W_Q = W_K = 0, "
         "W_V = I, X(0) = I: A = I, so X(t) = X(0) for every t under SAN and post-LN, and "
         "mu = 1."),
    ),
    "assumption-strong": (
        ("Not in the paper: Theorem 2 assumes strong connectivity (it is what makes the "
         "products D A eventually positive in Lemmas 7 and 9), without an example showing "
         "it is needed."),
        ("The same exact frozen witness as for quasi-strong connectivity (identity mask, N"
         " = d = 2, X(0) = I of full rank, W_Q = W_K = 0, W_V = I): X(t) = X(0) and mu = "
         "1. The narrower question, a quasi-strongly but not strongly connected mask with "
         "phi(0) < 0 and full-rank X(0) where mu does not tend to 0, is left open (the "
         "causal pair collapses except from antipodal, rank-one starts)."),
    ),
    "assumption-orthogonal-wv": (
        ("Not in the paper as a necessity result, though Appendix E / Theorem 3 show that "
         "a non-orthogonal W_V (with the causal mask) can prevent collapse; Theorem 2 and "
         "Corollary 1 use orthogonality to keep inner products and to get D_ii >= 1."),
        ("Certified witness on a strongly connected mask with phi(0) >= 0, so only "
         "orthogonality fails for both Theorem 2 and Corollary 1: complete mask, post-LN, "
         "N = d = 2, W_Q = W_K = I, W_V = diag(5, 1), X(0) rows (3/5, 4/5), (-3/5, 4/5) "
         "(phi(0) = 7/25). The mirror symmetry x_2 = (-s, c) is kept exactly and (s/c)' = "
         "5 tanh(s^2/sqrt(d_QK)) (s/c); while s^2 >= 9/25 the factor exceeds 1 (certified "
         "in arb for d_QK = 1 and 2), so s never decreases and mu = sqrt(2) s >= 3 "
         "sqrt(2)/5 for all t."),
    ),
    "assumption-full-rank": (
        ("Not in the paper: (*) is used only to place X(0) in an open hemisphere (Lemma "
         "6), which bounds D (Lemma 5) and drives the ergodicity argument; no example "
         "shows it is needed."),
        ("Exact witnesses (complete mask, post-LN, W_Q = W_K = W_V = I): (a) N = 3 > d = 2"
         " with tokens at 120 degrees: x_j + x_k = -x_i gives the update ((3 sigma - 1)/2)"
         " x_i with self-weight sigma = e/(e + 2 e^(-1/2)) > 1/3, so LN returns x_i, a "
         "fixed point with mu^2 = 3; (b) N = d = 2, the antipodal pair (e_1, -e_1) of rank"
         " one: sigma = e/(e + e^(-1)) > 1/2, again a fixed point, mu^2 = 2."),
    ),
    "assumption-phi0": (
        ("Not in the paper: Corollary 1 replaces (*) and strong connectivity by phi(0) >= "
         "0, which keeps every inner product non-negative in its recursion, and Appendix "
         "G.4 (Fig. 9) reports non-negative initial cosines in BERT and ALBERT; no example"
         " shows the hypothesis is needed."),
        ("Exact witness: causal mask, post-LN, N = d = 2, W_Q = W_K = W_V = I, X(0) = "
         "(e_1, -e_1) (phi(0) = -1): token 1 attends only to itself, and token 2 puts "
         "weight a = e^(-1)/(e^(-1) + e) < 1/2 on token 1, so its update (2a - 1) e_1 is a"
         " negative multiple of e_1 and LN returns -e_1: a fixed point with mu = sqrt 2 "
         "for all t."),
    ),
}


def _register(hyp: str, cid: str, title: str, tex: str):
    theorems, fn, what = A.HYPOTHESES[hyp]

    @claim(cid, f"{theorems} (what the hypothesis buys; beyond the paper)",
           f"Without {hyp} (every other hypothesis of {theorems} kept) the conclusion "
           f"mu(X(t)) -> 0 fails: {what}.",
           assumptions=tuple(h for h in A.HYPOTHESES if h != hyp),
           test="tests/test_assumptions.py::test_witness",
           notes="What each assumption buys (beyond the paper)",
           kind="assumption", title=title, tex=tex, uses=[],
           idea_paper=_IDEAS[cid][0], idea_ours=_IDEAS[cid][1])
    def check(cfg: Config, _fn=fn):
        return _fn()

    check.__name__ = cid.replace("-", "_")
    return check


for _hyp, (_cid, _title, _tex) in _CARDS.items():
    _register(_hyp, _cid, _title, _tex)
