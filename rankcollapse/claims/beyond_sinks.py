"""Beyond the paper: attention sinks (gpt-oss), theory/sinks.py and numeric/sinks.py."""
from __future__ import annotations

import numpy as np

from numeric import masks
from theory import sinks as T
from theory.evidence import Evidence, combine, sampled, witness

from . import Config, claim

NOTES = "Attention sinks and released checkpoints (beyond the paper)"
REF = "Beyond the paper: attention sinks"


@claim("sink-model", REF,
       "A sink logit s joining the softmax with its column dropped gives A_sink = diag(c) A, "
       "c_i = S_i/(S_i + e^s) in (0, 1): the rows sum to c_i < 1, so the row-stochastic "
       "hypothesis of Theorems 1-3 fails (symbolic for rows of up to 5 allowed keys; keeping "
       "the sink column instead is refuted).",
       test="tests/test_sinks.py::test_sink_model_negative_control", notes=NOTES,
       kind="finding",
       uses=["attention-row-stochastic"],
       idea_paper=("Not in the paper: its attention is row-stochastic by construction "
                   "(Section 3.1); a sink logit (as in gpt-oss) is outside that model."),
       idea_ours=("With S_i = sum over the allowed keys of exp(R_ij) and a = e^s, the "
                  "softmax over [R_i, s] with the sink's column dropped is (S_i/(S_i + a)) "
                  "times the masked softmax, so A_sink = diag(c) A with c_i in (0, 1) and "
                  "the rows sum to c_i < 1; SymPy proves the identity for symbolic real "
                  "scores and s for every row length k <= 5. Negative control: keeping the "
                  "sink's column and renormalising the rest is not of this form (refuted)."))
def sink_model(cfg: Config):
    ev = T.sink_softmax_identity(5 if not cfg.thorough else 8)
    control = T.sink_softmax_identity(3, drop_column=False)
    ev.details["negative_control_sink_column_kept"] = control.status
    if control.status != "fails":
        return Evidence(ev.statement, "fails", "exact", ev.details,
                        witness={"negative_control": "not caught"}, scope=ev.scope)
    return ev


@claim("sink-post-ln-invariance", REF,
       "Post-LN (3) with one head: a sink changes nothing. LN(c y) = LN(y) for c > 0 in every "
       "dimension, so by induction on t the trajectory with a sink is the sink-free one, for "
       "every mask, weights and depth (also centred LayerNorm with eps = 0). It fails, with "
       "exact witnesses, for two heads whose sinks differ, for a residual, and for eps > 0.",
       assumptions=("one head",),
       test="tests/test_sinks.py::test_post_ln_invariance_and_controls", notes=NOTES,
       kind="theorem",
       tex=r"X_{\mathrm{sink}}(t)=X(t)\ \text{(post-LN, one head)}",
       uses=["sink-model", "layernorm-scale-invariance"],
       idea_paper=("Not in the paper (sinks are outside its model); it extends Section "
                   "4.3.1's scale invariance of LN from W_V to the rows of A."),
       idea_ours=("Induction on t: if the trajectories agree at t, the scores and A(t) "
                  "agree, the sink only multiplies row i of A X W_V by c_i > 0, and LN(c "
                  "y) = LN(y), so they agree at t + 1, for every mask, weight sequence and "
                  "depth. The row-scaling lemma is proved by SymPy for every c > 0 and y "
                  "!= 0 in any dimension (also centred LN with eps = 0; an exact witness "
                  "shows eps > 0 breaks it), and exact one-layer witnesses (causal N = d = "
                  "2, X(0) = I, W_Q = W_K = 0, W_V = I, sink logit 0) show the invariance "
                  "fails for two heads whose sinks differ and with a residual."))
def post_ln_invariance(cfg: Config):
    lemma = T.row_scaling_lemma()
    w = T.direction_witnesses()
    expect = {"post-ln, one head": [], "post-ln, two heads, sinks 1 and none": True,
              "post-ln with residual": True}
    bad = {k: w[k]["changed_tokens"] for k, e in expect.items()
           if (e == [] and w[k]["changed_tokens"]) or (e is True and not w[k]["changed_tokens"])}
    ctrl = Evidence("exact one-layer witnesses: unchanged with one head; changed with two "
                    "heads whose sinks differ and with a residual",
                    "fails" if bad else "holds", "exact",
                    {k: w[k] for k in expect}, witness=bad or None,
                    scope=witness("causal N = d = 2, X(0) = I, W_Q = W_K = 0, W_V = I (second "
                                  "head: the swap), sink logit 0 (a = 1)"))
    return combine("post-LN with one head is sink-invariant; several heads or a residual are "
                   "not", [lemma, ctrl],
                   {"induction": "X_s(t) = X(t) gives the same scores, hence the same A(t); "
                                 "c(t) > 0 whatever it is; LN(diag(c) A X W_V) = "
                                 "LN(A X W_V) row by row"})


def _shrink_instances(cfg: Config):
    """(name, mask, X0, (W_Q, W_K, W_V, d_qk), sink) with ||W_V||_F < 1 (so C_V = 1)."""
    rng = np.random.default_rng(cfg.seed + 40)
    n, d = 5, 3
    fams = [("causal", masks.causal(n)), ("sliding_window(1)", masks.sliding_window(n, 1)),
            ("complete", masks.complete(n)), ("identity", np.eye(n, dtype=bool))]
    out = []
    for name, M in fams:
        for s in (-1.0, 0.0, 1.5):
            X0 = rng.standard_normal((n, d))
            G = rng.standard_normal((d, d))
            WV = G / (np.linalg.norm(G) * 1.001)
            if name == "identity":                 # the sharp case: X(t) = c^t X(0)
                WQ = WK = np.zeros((d, d))
                WV = np.eye(d)
            else:
                WQ, WK = 0.4 * rng.standard_normal((d, d)), 0.4 * rng.standard_normal((d, d))
            out.append((name, M, X0, (WQ, WK, WV, 1.0), s))
    return out


def check_shrink_bound(cfg: Config, *, T_layers: int = 16, rate_factor: float = 1.0,
                       dps: int = 40) -> Evidence:
    """mu(X(t)) <= sqrt(N) c_max^t B0 C_V on sampled instances, every comparison decided in
    arb balls (norms as Frobenius norms, upper bounds of the 2-norms).  ``rate_factor < 1``
    multiplies c_max (a negative control: the identity-mask instances then fail)."""
    import flint

    from numeric import sinks as NS
    from numeric.precision import get_backend

    be = get_backend(f"arb:{dps}")
    checked, undecided, bad = 0, [], None
    with be.context():
        for name, M, X0, (WQ, WK, WV, dqk), s in _shrink_instances(cfg):
            tr = NS.simulate(X0, M, (WQ, WK, WV, dqk), T_layers, sink=s, mode="san",
                             backend=be.name)
            fro = (lambda W: sum(flint.arb(float(x)) ** 2 for x in np.ravel(W)).sqrt())
            CQ, CK = fro(WQ), fro(WK)
            # C_V = 1: W_V = I exactly, or ||W_V||_2 <= ||W_V||_F < 1 (submultiplicative)
            if not (np.array_equal(WV, np.eye(WV.shape[0])) or fro(WV) < 1):
                raise AssertionError("instance with ||W_V||_F >= 1")
            B0 = max(sum(flint.arb(float(x)) ** 2 for x in row).sqrt() for row in X0)
            B = CQ * CK * B0 ** 2 / flint.arb(dqk).sqrt()
            D = int(np.asarray(M).sum(axis=1).max())
            cmax = D * B.exp() / (D * B.exp() + flint.arb(s).exp()) * flint.arb(rate_factor)
            n = X0.shape[0]
            mus = tr.mu()
            for t, m in enumerate(mus):
                bound = flint.arb(n).sqrt() * cmax ** t * B0
                checked += 1
                if m < bound:
                    continue
                if m > bound:
                    bad = bad or {"instance": name, "sink": s, "t": t, "mu": str(m),
                                  "bound": str(bound)}
                else:
                    undecided.append({"instance": name, "t": t})
    status = "fails" if bad else ("open" if undecided else "holds")
    return Evidence("mu(X(t)) <= sqrt(N) c_max^t B0 C_V (SAN with a sink)", status, "certified",
                    {"comparisons": checked, "layers": T_layers, "digits": dps,
                     "rate_factor": rate_factor, "undecided": undecided[:5]},
                    witness=bad,
                    scope=sampled(len(_shrink_instances(cfg)), "masks causal / window(1) / "
                                  "complete / identity at N = 5, d = 3, sink logits -1, 0, 1.5; "
                                  "Gaussian X(0), W_Q, W_K (x0.4), W_V Gaussian scaled to "
                                  "Frobenius norm < 1; on the identity mask W_Q = W_K = 0, "
                                  "W_V = I", cfg.seed + 40))


@claim("sink-san-shrink", REF,
       "SAN (2) with a sink: for EVERY mask (no connectivity needed), mu(X(t)) <= ||X(t)||_F <= "
       "sqrt(N) c_max^t B0 C_V with c_max = D e^B/(D e^B + e^s) < 1 (D = max |N_i|, B = "
       "CQ CK (B0 C_V)^2/sqrt(d_QK)): mu -> 0 because every token shrinks. The rate c_max is "
       "attained (identity mask), and a faster one is refuted.",
       assumptions=("A2", "A3"),
       test="tests/test_sinks.py::test_san_shrink_bound_and_control", notes=NOTES,
       kind="theorem",
       tex=r"\mu(X(t))\le\sqrt N\,c_{\max}^t B_0 C_V,\ c_{\max}=\frac{De^B}{De^B+e^s}",
       uses=["sink-model", "assumption-a2", "assumption-a3"],
       idea_paper=("Not in the paper (sinks are outside its model); it contrasts with "
                   "Theorem 1, whose mu -> 0 needs a centre."),
       idea_ours=("c_i = S_i/(S_i + a) increases with S_i, and S_i <= D e^B when every "
                  "score lies in [-B, B] and a row has at most D keys, so c_i <= c_max = D "
                  "e^B/(D e^B + a) < 1; products of diag(c) A then have row sums <= "
                  "c_max^t, so each row of X(t) has norm <= c_max^t B0 C_V and mu <= "
                  "||X(t)||_F <= sqrt(N) c_max^t B0 C_V for every mask (everything "
                  "shrinks; this is not consensus). SymPy proves these ingredients for all "
                  "positive S, a, D, B, an exact identity-mask instance (W_Q = W_K = 0, "
                  "W_V = I) attains the rate and refutes a faster one, and the bound is "
                  "certified in arb on twelve sampled instances."))
def san_shrink(cfg: Config):
    lemma = T.san_shrink_lemma()
    lemma.scope = lemma.scope.with_role("ingredient")
    sharp = T.san_shrink_sharpness()
    sample = check_shrink_bound(cfg, T_layers=16 if not cfg.thorough else 48)
    return combine("SAN with a sink: the shrink bound (proof ingredients exact, the bound "
                   "certified on samples, its rate attained)", [lemma, sharp, sample],
                   {"c_max": "D e^B / (D e^B + e^s)",
                    "certified_comparisons": sample.details.get("comparisons"),
                    "rate_attained_on": "identity mask, W_Q = W_K = 0, W_V = I"})


@claim("sink-san-consensus-fails", REF,
       "SAN with a sink: Theorem 1's consensus is lost. Causal N = 2, W_Q = W_K = 0, W_V = I, "
       "any sink weight a = e^s > 0: X_2(t)/X_1(t) -> 1 + a, so mu(X(t))/||X(t)||_F -> "
       "a/sqrt(2(1 + (1+a)^2)) > 0 (parallel, never equal); mu decays at 1/(1+a), so "
       "Theorem 1's bound fails for every C when a < 1 (sink-free eps = 1/2) and when "
       "a < (sqrt 5 - 1)/2 (eps from A_sink's entries). Without a sink the tokens meet.",
       assumptions=("A1", "A2", "A3", "G quasi-strongly connected"),
       test="tests/test_sinks.py::test_consensus_counterexample", notes=NOTES,
       kind="finding",
       uses=["sink-model", "theorem-1"],
       idea_paper=("Not in the paper (sinks are outside its model); it shows that Theorem "
                   "1's consensus conclusion fails once rows sum to less than one."),
       idea_ours=("Causal N = 2, W_Q = W_K = 0, W_V = I, a = e^s > 0: token 1 shrinks by "
                  "1/(1+a) per layer and token 2 follows X_2' = (X_1 + X_2)/(2 + a), so "
                  "the ratio r = X_2/X_1 obeys r' = (1 + a)(1 + r)/(2 + a) with fixed "
                  "point 1 + a: the tokens end parallel but never equal, mu/||X||_F -> "
                  "a/sqrt(2(1 + (1+a)^2)) > 0, and mu decays only like (1 + a)^(-t), "
                  "slower than Theorem 1's (1/2)^t when a < 1. Exact: SymPy in symbolic a "
                  "and t for all a > 0; without a sink the same instance meets at rate "
                  "1/2."))
def san_consensus(cfg: Config):
    return T.san_consensus_counterexample()


@claim("sink-san-direction", REF,
       "SAN with a sink: even the directions need not collapse. Token 0 attends to itself, "
       "m tokens attend to all (token 0 a centre, radius 1), W_Q = W_K = 0, W_V = I, a = e^s: "
       "all directions collapse onto token 0's iff m <= 1 + 1/a; for m > 1 + 1/a (e.g. m = 3, "
       "s = 0) the m tokens align with y0 + kappa x0, kappa > 0, never with x0, and X(t) keeps "
       "rank two.",
       assumptions=("A1", "A2", "A3", "G quasi-strongly connected"),
       test="tests/test_sinks.py::test_direction_family", notes=NOTES,
       kind="finding",
       uses=["sink-model", "theorem-1"],
       idea_paper=("Not in the paper (sinks are outside its model); the mask has a centre "
                   "of radius 1, so without a sink Theorem 1 would give consensus."),
       idea_ours=("Token 0 attends only to itself and shrinks by 1/(1+a) per layer, while "
                  "the m other tokens average all m + 1 tokens (so after one layer they "
                  "coincide) and their common component decays by m/(m + 1 + a); token 0's "
                  "direction dominates the others iff 1/(1+a) >= m/(m + 1 + a), i.e. m <= "
                  "1 + 1/a (equality gives a polynomial factor that still wins), and "
                  "otherwise the m tokens align with y0 + kappa x0 (kappa > 0) and X(t) "
                  "keeps rank two. Exact: SymPy in symbolic m, a and t for every x0 != 0 "
                  "and y0 not a multiple of x0."))
def san_direction(cfg: Config):
    return T.san_direction_family()


@claim("sink-pre-ln", REF,
       "Pre-LN with a sink: without the residual the normalised tokens LN(X(t)) are the "
       "sink-free ones and X_sink(t) = diag(c(t-1)) X(t) (same lemma as post-LN); with the "
       "residual X' = X + diag(c) A(Z) Z W_V the sink is a per-token step size and changes "
       "the directions (exact witness), unlike post-LN.",
       assumptions=("one head",), test="tests/test_sinks.py::test_pre_ln", notes=NOTES,
       kind="finding",
       uses=["sink-model", "sink-post-ln-invariance"],
       idea_paper=("Not in the paper (sinks are outside its model; Section 4.2 only "
                   "remarks that its results carry over to pre-LN)."),
       idea_ours=("Without the residual, Z(t+1) = LN(diag(c) A(Z) Z W_V) = LN(A(Z) Z W_V), "
                  "so the normalised tokens are the sink-free ones and X_sink(t) = "
                  "diag(c(t-1)) X(t), by the same row-scaling lemma as post-LN (SymPy, "
                  "every c > 0 and y != 0). With the residual X' = X + diag(c) A(Z) Z W_V "
                  "the sink acts as a per-token step size and changes the directions, "
                  "shown by an exact one-layer witness (causal N = d = 2, X(0) = I, W_Q = "
                  "W_K = 0, W_V = I, sink logit 0)."))
def pre_ln(cfg: Config):
    lemma = T.row_scaling_lemma()
    w = T.direction_witnesses()
    ok = (w["pre-ln, no residual"]["changed_tokens"] == []
          and w["pre-ln with residual"]["changed_tokens"] != [])
    ctrl = Evidence("exact one-layer witnesses: pre-LN unchanged without the residual, "
                    "changed with it", "holds" if ok else "fails", "exact",
                    {k: w[k] for k in ("pre-ln, no residual", "pre-ln with residual")},
                    witness=None if ok else w,
                    scope=witness("causal N = d = 2, X(0) = I, W_Q = W_K = 0, W_V = I, sink "
                                  "logit 0"))
    return combine("pre-LN: sink-invariant directions without the residual; not with it",
                   [lemma, ctrl], {"why": "Z(t+1) = LN(diag(c) A(Z) Z W_V) = LN(A(Z) Z W_V)"})
