"""What each claim's proof uses: the dependency table behind ``Claim.uses`` and the blueprint.

Every entry names a node of the dependency graph: a registered claim (``rankcollapse verify
--list``) or one of the declared non-claim nodes below (the assumptions A1-A3 and (*), the
class ``A_{G,eps}`` of Definition 6, and two background facts that the two routes to
Theorem 1 rest on).  For each node:

* ``kind``: one of :data:`KINDS`;
* ``paper``: the nodes the paper's proof uses (its route);
* ``ours``: the nodes our proof uses, where we repaired or replaced the paper's route
  (omitted when equal to ``paper``);
* ``repair``: one line saying what differs, when the routes differ;
* ``tex``: a short LaTeX statement (rendered to MathML by the blueprint);
* ``idea_paper`` / ``idea_ours``: the proof ideas, side by side on the claim's page (when
  absent, the blueprint quotes the "Proof idea" of the claim's section of paper_notes.md).

A claim registered but absent from :data:`TABLE` gets no dependencies and a kind inferred
from its id (:func:`kind_from_id`); :func:`missing_from_table` lists such claims, and the
registry test reports them.

>>> validate(TABLE, set(TABLE))
[]
>>> validate({"lemma-x": {"kind": "lemma", "paper": ["nowhere"]}}, {"lemma-x"})
["lemma-x uses 'nowhere' (paper route), which is neither a registered claim nor a declared node"]
>>> find_cycle({"a": {"paper": ["b"]}, "b": {"paper": ["a"]}})
['a', 'b', 'a']
"""
from __future__ import annotations

KINDS = ("definition", "lemma", "corollary", "theorem", "remark", "finding", "assumption",
         "experiment")

#: Nodes of the graph that are not registered claims (``claim: False``).
NON_CLAIMS = {
    "assumption-a1": {
        "kind": "assumption", "title": "A1: self-loops",
        "statement": "A1: every token attends to itself (the mask G has all self-loops).",
        "tex": r"(i,i)\in E\quad\forall i",
    },
    "assumption-a2": {
        "kind": "assumption", "title": "A2: bounded W_Q, W_K",
        "statement": "A2: the query and key matrices are bounded uniformly in t.",
        "tex": r"\sup_t \|W_Q(t)\|_2 \le C_Q,\quad \sup_t \|W_K(t)\|_2 \le C_K",
    },
    "assumption-a3": {
        "kind": "assumption", "title": "A3: bounded value products",
        "statement": "A3: the products of value matrices are bounded uniformly in t.",
        "tex": r"\sup_t \|W_V(0)W_V(1)\cdots W_V(t)\|_2 \le C_V",
    },
    "assumption-full-rank": {
        "kind": "assumption", "title": "(*): N <= d, X(0) full rank",
        "statement": "(*): N <= d and X(0) has full rank (Theorem 2).",
        "tex": r"N \le d,\quad \operatorname{rank} X(0) = N",
    },
    "assumption-quasi-strong": {
        "kind": "assumption", "title": "G quasi-strongly connected",
        "statement": "The mask graph is quasi-strongly connected: some token (a centre) "
                     "reaches every token (Theorem 1, Corollary 1).",
    },
    "assumption-strong": {
        "kind": "assumption", "title": "G strongly connected",
        "statement": "The mask graph is strongly connected (Theorem 2, Lemmas 7 and 9).",
    },
    "assumption-orthogonal-wv": {
        "kind": "assumption", "title": "W_V orthogonal",
        "statement": "Every value matrix is orthogonal (Theorem 2, Corollary 1).",
        "tex": r"W_V(t)\,W_V(t)^\top = I",
    },
    "assumption-phi0": {
        "kind": "assumption", "title": "phi(0) >= 0",
        "statement": "No two input tokens have a negative cosine (Corollary 1).",
        "tex": r"\phi(0)=\min_{i,j}\langle X_i(0),X_j(0)\rangle\ge 0",
    },
    "definition-6": {
        "kind": "definition", "title": "Definition 6: the class A_{G,eps}",
        "statement": "Definition 6: A_{G,eps} is the set of row-stochastic A with A_ij >= eps "
                     "on the edges of G (and 0 off them).",
        "tex": r"\mathcal{A}_{G,\epsilon}=\{A\ \text{row-stochastic}:\ A_{ij}\ge\epsilon"
               r"\ \text{if}\ (j,i)\in E,\ A_{ij}=0\ \text{otherwise}\}",
    },
    "appendix-b2-mu-identity": {
        "kind": "lemma", "title": "Appendix B.2: mu via pairwise distances",
        "statement": "Appendix B.2 (the paper's route to Theorem 1): mu(X)^2 = (1/2N) "
                     "sum_{m,n} ||X_m - X_n||^2, bounded column by column by the "
                     "oscillations of Corollary 2, with A3 for the value matrices.",
        "tex": r"\mu(X)^2=\frac{1}{2N}\sum_{m,n}\|X_m-X_n\|^2",
    },
    "popoviciu": {
        "kind": "lemma", "title": "Popoviciu's inequality",
        "statement": "Popoviciu: sum_i (y_i - mean y)^2 <= N osc(y)^2 / 4 (our route to "
                     "Theorem 1; proved symbolically for every N in theory.bounds_universal).",
        "tex": r"\sum_{i=1}^N (y_i-\bar y)^2 \le \frac{N}{4}\,(\max y-\min y)^2",
    },
    "plane-reduction": {
        "kind": "lemma", "title": "Reduction to the plane (our route to Theorem 3 (2))",
        "statement": "With W_Q = W_K = 0 and W_V = (S (+) 0_(d-2))/||S||, one post-LN layer "
                     "puts every token in the plane of e_1, e_2, which stays invariant; "
                     "tokens 1 and 2 then follow the coupled N = d = 2 system whatever the "
                     "later tokens do (counterexamples.plane_reduction: block identity for "
                     "symbolic d, causal decoupling, certified preimage measure).",
        "tex": r"[y_a\mid y_b]\,(S\oplus 0)=[y_a S\mid 0]",
    },
}

_A123 = ["assumption-a1", "assumption-a2", "assumption-a3"]

#: The uses table, one entry per registered claim.
TABLE: dict[str, dict] = {
    # ---------------------------------------------------------------- Section 3
    "attention-row-stochastic": {
        "kind": "lemma", "paper": ["assumption-a1"],
        "tex": r"A_{ij}=\frac{e^{R_{ij}}\,\mathbb{1}[(j,i)\in E]}{\sum_{k:(k,i)\in E}e^{R_{ik}}},"
               r"\quad \sum_j A_{ij}=1",
    },
    "definition-centre-radius": {
        "kind": "definition", "paper": [],
        "tex": r"r(G)=\min_{c\ \text{centre}}\ \max_i\ \operatorname{dist}(c,i)",
    },
    "closed-forms-masks": {"kind": "finding", "paper": ["definition-centre-radius"]},
    "centres-complete-vs-causal": {"kind": "remark", "paper": ["definition-centre-radius"]},
    "remark-radius-diameter": {
        "kind": "remark", "paper": ["definition-centre-radius"],
        "tex": r"r(G)\le \operatorname{diam}(G)\le 2\,r(G)",
    },
    "graph-search-scales": {"kind": "finding", "paper": ["definition-centre-radius"]},
    # ---------------------------------------------------------------- Appendix B.1
    "dobrushin-submultiplicative": {
        "kind": "lemma", "paper": [],
        "tex": r"\tau(PQ)\le\tau(P)\,\tau(Q),\quad "
               r"\tau(P)=\tfrac12\max_{i,j}\|P_{i\cdot}-P_{j\cdot}\|_1",
    },
    "dobrushin-column-bound": {
        "kind": "lemma", "paper": [],
        "tex": r"\min_i P_{ic}\ge\delta\ \Rightarrow\ \tau(P)\le 1-\delta",
    },
    "lemma-2": {
        "kind": "lemma", "paper": ["attention-row-stochastic", "assumption-a1"],
        "repair": "(12) as printed has p where 1 - p is meant; we state and check the "
                  "symmetric form with q = 1 - p (lemma-2-printed-lower-bound).",
        "tex": r"x_i(t)=p\,m(t)+(1-p)M(t)\ \Rightarrow\ x_i(t+T)\le p\,\pi\,m(t)+(1-p\,\pi)M(t),"
               r"\quad \pi=\prod_{s=t}^{t+T-1}A_{ii}(s)",
        "idea_paper": "x_i(t+1) <= A_ii x_i(t) + (1 - A_ii) M(t); induct on T using that M is "
                      "non-increasing. (12) 'by a symmetric argument', printed with the same p.",
        "idea_ours": "The same induction for (11); the symmetric argument gives (12) with "
                     "q = 1 - p in place of p: x_i(t+T) >= q pi M + (1 - q pi) m.",
    },
    "lemma-2-printed-lower-bound": {"kind": "finding", "paper": ["lemma-2"]},
    "lemma-3": {
        "kind": "lemma",
        "paper": ["lemma-2", "definition-6", "definition-centre-radius", "assumption-a1",
                  "assumption-quasi-strong"],
        "ours": ["dobrushin-column-bound", "dobrushin-submultiplicative",
                 "definition-6", "definition-centre-radius", "assumption-a1",
                 "assumption-quasi-strong"],
        "repair": "The paper's case split proves only p <= 1/2; we prove p = 1 by the centre "
                  "column >= eps^r (Dobrushin), or by using both one-sided bounds at once.",
        "tex": r"M(t+kr)-m(t+kr)\le (1-p\,\epsilon^r)^k\,\big(M(t)-m(t)\big),\quad 0\le p\le 1",
        "idea_paper": "Split on where the centre's value x_c(t) lies relative to p m + (1-p) M; "
                      "walk from the centre along shortest paths with Lemma 2 (steps (14)-(17)). "
                      "Case 2 cites (12) with the misprinted p, so the split covers p <= 1/2 "
                      "only.",
        "idea_ours": "Every product of r consecutive matrices of A_{G,eps} has each centre's "
                     "column >= eps^r (shortest path, then wait on self-loops: A1), so "
                     "tau <= 1 - eps^r (dobrushin-column-bound) and sub-multiplicativity gives "
                     "the factor (1 - eps^r)^k: p = 1, the form Corollary 2 needs.",
    },
    "corollary-2": {
        "kind": "corollary", "paper": ["lemma-3"],
        "repair": "The paper's C(x(0)) is implicit; ours is explicit and attained: "
                  "C = osc(x(0)) (1 - eps^r)^{-(r-1)/r}, from Lemma 3 with p = 1.",
        "tex": r"M(t)-m(t)\le C\,(1-\epsilon^r)^{t/r},\quad "
               r"C=\operatorname{osc}(x(0))\,(1-\epsilon^r)^{-(r-1)/r}",
        "idea_paper": "Iterate Lemma 3 over blocks of r steps; 'there exists C(x(0)) > 0'.",
        "idea_ours": "t = kr + s with 0 <= s <= r - 1: osc(t) <= osc(kr) <= (1-eps^r)^k osc(0) "
                     "<= C (1-eps^r)^{t/r}. Equality at t = r - 1 on the path example.",
    },
    "rate-monotone-in-r-and-eps": {
        "kind": "remark", "paper": ["theorem-1"],
        "tex": r"\rho(\epsilon,r)=(1-\epsilon^r)^{1/r}\ \uparrow\ \text{in}\ r,\ "
               r"\downarrow\ \text{in}\ \epsilon",
    },
    # ---------------------------------------------------------------- Lemma 1, Theorem 1
    "lemma-1": {
        "kind": "lemma", "paper": ["attention-row-stochastic"] + _A123,
        "tex": r"A_{ij}(t)\ge\epsilon=\frac{e^{-2S}}{\max_i|N_i|},\quad "
               r"S=\frac{B^2 C_Q C_K}{\sqrt{d_{qk}}}",
        "idea_paper": "Tokens stay bounded (A3), so scores are bounded (A2); a softmax of "
                      "bounded scores puts at least e^{-2S}/|N_i| on every edge.",
    },
    "theorem-1": {
        "kind": "theorem",
        "paper": ["lemma-1", "corollary-2", "appendix-b2-mu-identity", "assumption-a3"],
        "ours": ["lemma-1", "corollary-2", "dobrushin-column-bound",
                 "dobrushin-submultiplicative", "popoviciu", "assumption-a3"],
        "repair": "Route through Dobrushin's coefficient (p = 1 in Lemma 3) and Popoviciu's "
                  "inequality, with every constant explicit.",
        "tex": r"\mu(X(t))\le C\,(1-\epsilon^r)^{t/r},\quad "
               r"C=C_V\,\frac{\sqrt N}{2}\sqrt{\textstyle\sum_k \operatorname{osc}_k(0)^2}\,"
               r"(1-\epsilon^r)^{-(r-1)/r}",
        "idea_paper": "Appendix B.2: X(t) = P(t) X(0) W(t); Lemma 1 puts the attention "
                      "matrices in A_{G,eps}; Corollary 2 applied column by column bounds "
                      "|X_m - X_n| and mu^2 = (1/2N) sum_{m,n} |X_m - X_n|^2 with A3 for W(t) "
                      "gives the rate (1 - eps^r)^{t/r} with an implicit C.",
        "idea_ours": "Same skeleton, repaired and explicit: the centre column of every "
                     "r-product is >= eps^r so tau <= 1 - eps^r (Dobrushin) and each column's "
                     "oscillation shrinks by that factor; Popoviciu gives mu(P X0) <= "
                     "sqrt(N)/2 sqrt(sum_k osc_k^2); A3 gives the factor C_V.",
    },
    # ---------------------------------------------------------------- LayerNorm
    "layernorm-scale-invariance": {
        "kind": "lemma", "paper": [],
        "tex": r"\mathrm{LN}(c\,Y)=\mathrm{LN}(Y)\quad (c>0)",
    },
    "remark-2": {
        "kind": "remark", "paper": [],
        "tex": r"F_{Z^\top W_V Z}(XZ)=F_{W_V}(X)\,Z\quad (Z\ \text{orthogonal})",
    },
    "lemma-6": {"kind": "lemma", "paper": ["assumption-full-rank"]},
    "lemma-5": {"kind": "lemma", "paper": ["lemma-6"]},
    "appendix-a-no-merge": {"kind": "remark", "paper": []},
    "full-layernorm-reduction": {"kind": "finding", "paper": []},
    # ---------------------------------------------------------------- Theorem 2 and lemmas
    "lemma-4": {
        "kind": "lemma", "paper": ["attention-row-stochastic", "assumption-a2"],
        "tex": r"A_{ij}\ge\frac{1}{1+(n-1)e^{2S}}\ge\frac{e^{-2S}}{n},\quad "
               r"S=\frac{\|W_Q\|_2\|W_K\|_2}{\sqrt{d_{qk}}}",
    },
    "lemma-8": {"kind": "lemma", "paper": []},
    "lemma-9": {
        "kind": "lemma", "paper": ["definition-centre-radius"],
        "ours": ["definition-centre-radius", "assumption-a1", "assumption-strong"],
        "repair": "T must be the diameter (a product of T factors is positive iff T >= diam), "
                  "with A1 and strong connectivity; the printed indexing is off by one.",
    },
    "lemma-7": {
        "kind": "lemma", "paper": ["lemma-8", "lemma-9"],
        "ours": ["lemma-8", "lemma-9", "assumption-a1", "assumption-strong"],
        "repair": "The printed lemma states no hypothesis on G: it needs A1 and strong "
                  "connectivity (checked exhaustively for N <= 4).",
    },
    "lemma-10": {"kind": "lemma", "paper": ["lemma-7"]},
    "theorem-2": {
        "kind": "theorem",
        "paper": ["lemma-4", "lemma-5", "lemma-6", "lemma-7", "lemma-10", "assumption-a1",
                  "assumption-a2", "assumption-full-rank", "assumption-strong",
                  "assumption-orthogonal-wv"],
        "ours": ["lemma-4", "lemma-5", "lemma-6", "lemma-7", "lemma-10",
                 "definition-centre-radius", "assumption-a1", "assumption-a2",
                 "assumption-full-rank", "assumption-strong", "assumption-orthogonal-wv"],
        "repair": "The one-block recursion counts only the centres of eccentricity <= r "
                  "(n_r), not all N centres (theorem-2-centre-count).",
        "tex": r"\phi(t+r)\ge n_r\epsilon^{2r}+(1-n_r\epsilon^{2r})\,\phi(t),\quad "
               r"\mu(X(t))\le C\,(1-n_r\epsilon^{2r})^{t/(2r)}",
        "idea_paper": "On the sphere scores are bounded (Lemma 4), D >= 1 (Lemma 5), the "
                      "hemisphere (Lemma 6) and the ergodicity lemmas (7-10) make phi >= 0 "
                      "after some t0; then over r layers every centre's column is >= eps^r "
                      "and phi(t+r) >= N eps^{2r} + (1 - N eps^{2r}) phi(t).",
        "idea_ours": "The same recursion with n_r, the centres whose eccentricity is at most "
                     "r: a farther centre's column need not reach eps^r in r layers "
                     "(certified witness on the sliding window).",
    },
    "corollary-1": {
        "kind": "corollary",
        "paper": ["lemma-4", "lemma-5", "assumption-a1", "assumption-a2",
                  "assumption-quasi-strong", "assumption-orthogonal-wv", "assumption-phi0"],
        "ours": ["lemma-4", "lemma-5", "definition-centre-radius", "assumption-a1",
                 "assumption-a2", "assumption-quasi-strong", "assumption-orthogonal-wv",
                 "assumption-phi0"],
        "repair": "n counts the centres of eccentricity <= r.",
        "tex": r"\phi(0)\ge0\ \Rightarrow\ \phi(t+r)\ge n\epsilon^{2r}+(1-n\epsilon^{2r})\phi(t)",
    },
    "pre-ln-remark": {"kind": "remark", "paper": ["corollary-1"]},
    "theorem-2-centre-count": {"kind": "finding", "paper": ["theorem-2"]},
    # ---------------------------------------------------------------- Theorem 3, App. E, F
    "theorem-3-1": {
        "kind": "theorem", "paper": ["layernorm-scale-invariance"],
        "repair": "The construction needs only |w| >= N - k + 1 for rank k (|w| >= N - 1 for "
                  "all ranks at once), one less than the paper's w >= N.",
        "tex": r"X=\mathrm{LN}(A X W_V)\iff S_iW_V=\lambda_i X_i,\ \lambda_i=\|S_iW_V\|>0,"
               r"\quad S_i=\textstyle\sum_{j\le i}X_j",
        "idea_paper": "Causal mask with W_Q = W_K = 0: the first m = N - k + 1 tokens sit at "
                      "e_d, and each chain token solves X_{m+j}(I - W_V) = X_{m+j-1} for the "
                      "Jordan-type W_V = I + wJ; the square roots are real when w >= N.",
        "idea_ours": "The same chain in closed form, verified exactly in surd arithmetic for "
                     "every sign choice; the exact condition is |w| >= N - k + 1.",
    },
    "theorem-3-1-any-w-at-least-1": {"kind": "finding", "paper": ["theorem-3-1"]},
    "appendix-f2-stable-rank": {
        "kind": "remark", "paper": ["theorem-3-1"],
        "tex": r"\operatorname{SRank}(X^*)=\frac{\|X^*\|_F^2}{\|X^*\|_2^2}\le"
               r"\frac{N}{N-(N-1)/w^2}",
    },
    "appendix-e-fixed-points": {"kind": "remark", "paper": ["layernorm-scale-invariance"]},
    "lemma-11": {
        "kind": "lemma", "paper": ["appendix-e-fixed-points"],
        "tex": r"g(y)=y+w\mp\sqrt{1+y^2},\quad g'(y)=1+X_{22}>0",
    },
    "lemma-11-printed-derivative": {"kind": "finding", "paper": ["lemma-11"]},
    "theorem-3-perturbed-equilibria": {"kind": "finding", "paper": ["theorem-3-1"]},
    "appendix-f4-conjecture": {"kind": "remark", "paper": ["theorem-3-1"]},
    "lemma-12": {"kind": "lemma", "paper": []},
    "lemma-13": {"kind": "lemma", "paper": ["lemma-12"]},
    "lemma-13-invariance-coupled": {"kind": "finding", "paper": ["lemma-13"]},
    "theorem-3-2": {
        "kind": "theorem", "paper": ["lemma-12", "lemma-13", "theorem-3-1"],
        "ours": ["lemma-11", "appendix-e-fixed-points", "plane-reduction"],
        "repair": "Certify the coupled N = d = 2 system (traps and boxes in arb, using "
                  "Appendix E's monotone angle map) instead of the token-by-token argument, "
                  "then reduce every N and d to it with W_V = (S (+) 0)/||S||.",
        "idea_paper": "Treat tokens one at a time, each assuming the earlier ones have "
                      "converged: token 1 tends to e_d; Lemma 13 keeps token 2 away from it.",
        "idea_ours": "Certified invariant traps and boxes of starting angles for both tokens "
                      "moving at once (N = d = 2); one layer of W_V = (S (+) 0)/||S|| maps any "
                      "N, d to that plane, and tokens 1, 2 never see later tokens.",
    },
    "equilibria-stability": {"kind": "finding", "paper": ["theorem-3-1"]},
    "convergence-rate-ln-example": {"kind": "finding", "paper": ["theorem-3-1"]},
    # ---------------------------------------------------------------- experiments
    "experiment-ln-random-init": {"kind": "experiment", "paper": []},
    "theorem-3-2-monte-carlo": {"kind": "experiment", "paper": ["theorem-3-2"]},
    # ---------------------------------------------------------------- hypotheses: what each
    # buys (registered claims refuting the conclusion without it; their own nodes)
    "assumption-a1": {"kind": "assumption", "paper": []},
    "assumption-a2": {"kind": "assumption", "paper": []},
    "assumption-a3": {"kind": "assumption", "paper": []},
    "assumption-quasi-strong": {"kind": "assumption", "paper": []},
    "assumption-strong": {"kind": "assumption", "paper": []},
    "assumption-orthogonal-wv": {"kind": "assumption", "paper": []},
    "assumption-full-rank": {"kind": "assumption", "paper": []},
    "assumption-phi0": {"kind": "assumption", "paper": []},
    # ---------------------------------------------------------------- schedules (beyond)
    "schedule-radius-single-mask": {"kind": "finding", "paper": ["definition-centre-radius"]},
    "theorem-1-schedule": {
        "kind": "theorem", "paper": ["theorem-1", "schedule-radius-single-mask"],
        "tex": r"\mu(X(t))\le C\,(1-\epsilon^r)^{t/r},\quad r=\text{schedule radius}",
    },
    "schedule-negative-controls": {"kind": "finding", "paper": ["theorem-1-schedule"]},
    "real-model-schedules": {"kind": "experiment", "paper": ["schedule-radius-single-mask"]},
    "checkpoint-schedules": {"kind": "experiment", "paper": ["schedule-radius-single-mask"]},
    # ---------------------------------------------------------------- attention sinks (beyond)
    "sink-model": {"kind": "finding", "paper": ["attention-row-stochastic"]},
    "sink-post-ln-invariance": {
        "kind": "theorem", "paper": ["sink-model", "layernorm-scale-invariance"],
        "tex": r"X_{\mathrm{sink}}(t)=X(t)\ \text{(post-LN, one head)}"},
    "sink-san-shrink": {
        "kind": "theorem", "paper": ["sink-model", "assumption-a2", "assumption-a3"],
        "tex": r"\mu(X(t))\le\sqrt N\,c_{\max}^t B_0 C_V,\ c_{\max}=\frac{De^B}{De^B+e^s}"},
    "sink-san-consensus-fails": {"kind": "finding", "paper": ["sink-model", "theorem-1"]},
    "sink-san-direction": {"kind": "finding", "paper": ["sink-model", "theorem-1"]},
    "sink-pre-ln": {"kind": "finding", "paper": ["sink-model", "sink-post-ln-invariance"]},
}

#: The two routes to Theorem 1, drawn as chains on the blueprint's graph page.  An arrow
#: means "feeds the next step of the argument".
ROUTES = {
    "paper": {
        "title": "The paper's route (Appendix B.2)",
        "chain": ["lemma-1", "lemma-2", "lemma-3", "corollary-2", "theorem-1"],
        "side": ["assumption-a3", "appendix-b2-mu-identity"],
        "note": "Lemma 1 puts the attention matrices in A_{G,eps}; Lemma 2's one-sided bounds "
                "walk from the centre (Lemma 3, case split: p <= 1/2 only); Corollary 2 "
                "column by column; mu^2 = (1/2N) sum |X_m - X_n|^2 with A3.",
    },
    "ours": {
        "title": "Our repaired route",
        "chain": ["lemma-1", "dobrushin-column-bound", "dobrushin-submultiplicative",
                  "lemma-3", "corollary-2", "theorem-1"],
        "side": ["assumption-a3", "popoviciu"],
        "note": "Centre column >= eps^r gives tau <= 1 - eps^r; sub-multiplicativity gives "
                "Lemma 3 with p = 1; Corollary 2 with the attained C; Popoviciu column by "
                "column and A3 give Theorem 1's explicit C.",
    },
}

#: Figures (names of `rankcollapse figures` outputs, without .png) illustrating a claim.
FIGURES = {
    "theorem-1": ["theory_theorem1"],
    "rate-monotone-in-r-and-eps": ["theory_radius"],
    "corollary-2": ["theory_theorem1"],
    "appendix-e-fixed-points": ["fig1"],
    "lemma-11": ["fig1"],
    "appendix-f2-stable-rank": ["fig8"],
    "theorem-2": ["fig2"],
    "corollary-1": ["fig2"],
    "experiment-ln-random-init": ["fig2_precision", "fig2"],
}


def kind_from_id(cid: str) -> str:
    """The kind a claim id suggests (for claims not yet in the table).

    >>> kind_from_id("lemma-14"), kind_from_id("theorem-3-2"), kind_from_id("odd-one")
    ('lemma', 'theorem', 'finding')
    """
    for k in ("definition", "lemma", "corollary", "theorem", "remark", "assumption",
              "experiment"):
        if cid.startswith(k):
            return k
    return "finding"


def _routes(entry: dict) -> tuple[list, list]:
    paper = list(entry.get("paper", []))
    ours = list(entry.get("ours", paper))
    return paper, ours


def node(cid: str, table: dict | None = None, registered=None) -> dict:
    """The table entry of ``cid`` with defaults filled in (kind, paper, ours, claim).

    A declared non-claim node that is also registered (e.g. ``assumption-a1``, whose claim
    shows what the hypothesis buys) merges both: the node's text, the claim's evidence.
    ``claim`` says whether ``cid`` is registered (in ``registered``, when given)."""
    table = TABLE if table is None else table
    e = dict(NON_CLAIMS.get(cid, {}))
    if cid in table:
        e.update(table[cid])
        e.setdefault("kind", kind_from_id(cid))
    elif not e:
        e = {"kind": kind_from_id(cid), "untabled": True}
    e["claim"] = (cid not in NON_CLAIMS or cid in table) if registered is None \
        else cid in registered
    e["paper"], e["ours"] = _routes(e)
    return e


def uses_of(cid: str, table: dict | None = None) -> dict:
    """``{"paper": [...], "ours": [...]}`` for ``cid`` (both empty when not in the table)."""
    e = node(cid, table)
    return {"paper": list(e["paper"]), "ours": list(e["ours"])}


def validate(table: dict, claim_ids, non_claims: dict | None = None) -> list[str]:
    """Problems with ``table``: references that resolve neither to a registered claim
    (``claim_ids``) nor to a declared non-claim node, unknown kinds, and a cycle."""
    non_claims = NON_CLAIMS if non_claims is None else non_claims
    known = set(claim_ids) | set(non_claims)
    problems = []
    for cid, e in table.items():
        kind = e.get("kind")
        if kind not in KINDS:
            problems.append(f"{cid} has kind {kind!r}, not one of {KINDS}")
        for route in ("paper", "ours"):
            for u in e.get(route, []):
                if u not in known:
                    problems.append(f"{cid} uses {u!r} ({route} route), which is neither a "
                                    "registered claim nor a declared node")
                if u == cid:
                    problems.append(f"{cid} uses itself ({route} route)")
    for nid, e in non_claims.items():
        if e.get("kind") not in KINDS:
            problems.append(f"non-claim node {nid} has kind {e.get('kind')!r}")
    cyc = find_cycle(table)
    if cyc:
        problems.append("cycle: " + " -> ".join(cyc))
    return problems


def find_cycle(table: dict) -> list[str] | None:
    """A cycle of the uses graph (both routes together) as a list ``[a, b, ..., a]``, or
    ``None``."""
    adj = {}
    for cid, e in table.items():
        p, o = _routes(e)
        adj[cid] = list(dict.fromkeys(p + o))
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {}
    stack: list[str] = []

    def visit(u):
        colour[u] = GREY
        stack.append(u)
        for v in adj.get(u, []):
            c = colour.get(v, WHITE)
            if c == GREY:
                return stack[stack.index(v):] + [v]
            if c == WHITE:
                found = visit(v)
                if found:
                    return found
        stack.pop()
        colour[u] = BLACK
        return None

    for u in adj:
        if colour.get(u, WHITE) == WHITE:
            found = visit(u)
            if found:
                return found
    return None


def missing_from_table(claim_ids) -> list[str]:
    """Registered claims that have no entry in :data:`TABLE`."""
    return [c for c in claim_ids if c not in TABLE]


def stale_entries(claim_ids) -> list[str]:
    """Entries of :data:`TABLE` that name no registered claim."""
    ids = set(claim_ids)
    return [c for c in TABLE if c not in ids]


def graph(claim_ids) -> dict:
    """The whole graph: ``{"nodes": {id: entry}, "edges": [(used, user, route)]}`` with
    ``route`` in {"both", "paper", "ours"}; nodes are every registered claim plus every
    non-claim node some entry uses (and the nodes of :data:`ROUTES`)."""
    ids = list(claim_ids)
    nodes = {cid: node(cid, registered=ids) for cid in ids}
    used = set()
    for cid in ids:
        used.update(nodes[cid]["paper"] + nodes[cid]["ours"])
    for r in ROUTES.values():
        used.update(r["chain"] + r["side"])
    for nid in NON_CLAIMS:
        if nid in used and nid not in nodes:
            nodes[nid] = node(nid, registered=ids)
    edges = []
    for cid in list(nodes):
        p, o = nodes[cid]["paper"], nodes[cid]["ours"]
        for u in dict.fromkeys(p + o):
            if u not in nodes:
                continue  # dangling: reported by validate()
            route = "both" if (u in p and u in o) else ("paper" if u in p else "ours")
            edges.append((u, cid, route))
    return {"nodes": nodes, "edges": edges}


def apply(registry: dict) -> None:
    """Fill ``Claim.uses`` of every registered claim from the table (called by ``load``)."""
    for cid, c in registry.items():
        try:
            c.uses = uses_of(cid)
        except AttributeError:  # an older Claim without the field
            pass
