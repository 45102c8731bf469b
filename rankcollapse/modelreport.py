"""What a practitioner reads about a model's schedule (used by ``mask --schedule``).

* :func:`reach_summary`: from every start layer of the period, the layer whose mask
  completes the reach and its kind, and the radius the local layers alone would give
  (so one sees which layers carry the reach).
* :func:`theorem1_summary`: Theorem 1's rate for stated weight bounds, the assumptions it
  rests on in words, and whether it says anything at this size: over the model's depth L
  the bound ``C (1 - eps^r)^(t/r)`` can fall by at most the factor ``(1 - eps^r)^(L/r)``;
  when that guarantees less than a 1% decrease the bound is called vacuous, in words.
* :func:`sink_summary`: attention sinks (gpt-oss): ``A_sink = diag(c) A`` with
  ``c_i = S_i / (S_i + e^s)``, what is proved about them (claims ``sink-*``), and for a
  given logit ``s`` the range of ``c`` the score bound allows.
"""
from __future__ import annotations

import math

VACUOUS_DECREASE = 0.01


def _kind(label: str) -> str:
    for k, word in (("window", "sliding"), ("chunk", "chunked"), ("full", "full"),
                    ("complete", "complete"), ("global", "global")):
        if k in label:
            return word
    return label


def reach_summary(sch, rep: dict) -> dict:
    from theory.schedules import causal_schedule_radius, mask_is_causal, schedule_radius

    P = sch.period
    per = rep.get("radius_per_start") or []
    starts = []
    for s, k in enumerate(per):
        if k in (None, math.inf) or k < 1:
            continue
        last = (s + k - 1) % P
        starts.append({"start": s, "layers": k, "completed_by_layer": last,
                       "completed_by": sch.labels[last] if sch.labels else ""})
    kinds = {_kind(lab) for lab in sch.labels}
    out = {"per_start": starts}
    local_idx = [i for i, lab in enumerate(sch.labels) if _kind(lab) in ("sliding", "chunked")]
    full_idx = [i for i, lab in enumerate(sch.labels) if _kind(lab) == "full"]
    closers = {_kind(x["completed_by"]) for x in starts}
    if local_idx and full_idx:
        local = [sch.masks[i] for i in local_idx]
        r_loc = _uniform_causal_window_radius(local)
        if r_loc is None:
            r_loc = causal_schedule_radius(local) if all(mask_is_causal(M) for M in local) \
                else schedule_radius(local)
        out["radius_local_layers_only"] = r_loc
        what = "oo (the chunks never exchange information)" if r_loc == math.inf \
            else str(r_loc)
        out["words"] = (
            f"the full-attention layers carry the reach: from every start the reach is "
            f"completed by {'a full-attention layer' if closers == {'full'} else 'the layers listed'}"
            f"; the radius is the longest wait for one ({rep['radius']} layers). With the "
            f"{'/'.join(sorted({_kind(sch.labels[i]) for i in local_idx}))} layers alone "
            f"the radius would be {what}" +
            (f", more than the {sch.depth} layers" if r_loc > (sch.depth or 0) else "") + ".")
    elif kinds <= {"sliding"}:
        out["words"] = (f"every layer is the same sliding window: the window carries the reach, "
                        f"token 0's influence moving a window width per layer "
                        f"(radius {rep['radius']}).")
    elif kinds <= {"complete", "full"}:
        out["words"] = "every layer attends to every allowed token: one layer reaches all."
    else:
        out["words"] = f"layer kinds {sorted(kinds)}: see the per-start table."
    return out


def _uniform_causal_window_radius(local):
    """Every local layer the same causal window of w tokens back (a Pattern with nothing
    else): token 0's influence is the prefix [0, k w] after k layers, so the radius is
    ceil((N - 1) / w) (inf for w = 0) without propagating layer by layer; ``None`` for any
    other schedule (tests/test_model_configs.py checks it against the search)."""
    from numeric.sparse_attention import Pattern

    p = local[0]
    if not all(isinstance(M, Pattern) and M.causal and M.window is not None
               and M.chunk is None and not M.dense and not M.globals and M.block == 1
               and M.block_edges is None and M.window == p.window and M.n == p.n
               for M in local):
        return None
    if p.n == 1:
        return 0
    return math.inf if p.window == 0 else -(-(p.n - 1) // int(p.window))


def theorem1_summary(sch, rep: dict, *, CQ, CK, CV, B0, d_qk) -> dict:
    import mpmath

    from theory.bounds import rate_summary

    r, L = rep["radius"], sch.depth
    maxdeg = rep["max_in_degree"]
    rs = rate_summary(maxdeg, r, max(1, rep.get("n_centres") or 0), CQ=CQ, CK=CK, CV=CV,
                      B0=B0, d_qk=d_qk)["theorem1"]
    with mpmath.workdps(40):
        eps = mpmath.mpf(rs["eps"])
        rr = max(int(r), 1)
        a = eps ** rr
        log10_a = float(mpmath.log10(a)) if a > 0 else -math.inf
        depth_blocks = mpmath.mpf(L) / rr if L else mpmath.mpf(0)
        # guaranteed relative decrease of the bound over the whole depth
        dec = -mpmath.expm1(depth_blocks * mpmath.log1p(-a)) if a < 1 else mpmath.mpf(1)
        log10_dec = float(mpmath.log10(dec)) if dec > 0 else -math.inf
    vac = bool(dec < VACUOUS_DECREASE)
    assume = (f"pure self-attention X' = A X W_V (no residual, MLP or normalisation), one "
              f"head, ||W_Q||_2 <= {CQ}, ||W_K||_2 <= {CK}, value-matrix products <= {CV}, "
              f"input token norms <= {B0}, d_QK = {d_qk} (stated bounds, not this "
              f"checkpoint's weights); eps = exp(-2 (B0 CV)^2 CQ CK / sqrt(d_QK)) / max|N_i| "
              f"is the worst case over all such weights, and max|N_i| = {maxdeg}")
    if vac:
        words = (f"vacuous: over all {L} layers the bound can fall by a fraction "
                 f"of at most 10^{math.ceil(log10_dec) if math.isfinite(log10_dec) else log10_dec} of "
                 f"its starting value (eps^r = 10^"
                 f"{log10_a:.1f}; it would need about {rs.get('layers_per_e_fold')} layers "
                 "per factor e). It says nothing about this network; only the geometry "
                 "(radius against depth) carries over.")
    else:
        words = (f"over all {L} layers the bound falls by at least a fraction "
                 f"{float(dec):.3g} of its starting value.")
    return {"weight_bounds": {"CQ": CQ, "CK": CK, "CV": CV, "B0": B0, "d_qk": d_qk},
            "eps": rs["eps"], "log10_eps_to_r": round(log10_a, 2),
            "one_minus_rate": rs.get("one_minus_rate"),
            "layers_per_e_fold": rs.get("layers_per_e_fold"),
            "log10_decrease_over_depth": round(log10_dec, 2), "vacuous": vac,
            "assumes": assume, "words": words}


def sink_summary(sch, rep: dict, sink, *, CQ, CK, CV, B0, d_qk) -> dict:
    """Attention sinks: the model, what is proved (claim ids), and for a logit ``sink``
    the interval of ``c_i`` allowed by the score bound ``|R_ij| <= (B0 CV)^2 CQ CK /
    sqrt(d_QK)`` (every token attends to at least itself and at most max|N_i| tokens)."""
    import mpmath

    out = {"present_in_model": bool(getattr(sch, "spec", None) and sch.spec.sink),
           "model": "a learned logit s per head joins each softmax and its column is dropped: "
                    "A_sink = diag(c) A with c_i = S_i / (S_i + e^s), S_i = sum_j exp(R_ij), "
                    "so c_i in (0, 1) and the rows of A_sink sum to c_i < 1: the row-"
                    "stochastic hypothesis of Theorems 1-3 fails",
           "values": "learned per head, stored in the weights (gpt-oss: self.sinks), not in "
                     "the config; pass --sink LOGIT to see their effect",
           "what_holds": {
               "sink-post-ln-invariance": "post-LN (3), one head: the trajectory is exactly "
                                          "the sink-free one (a positive row scaling does not "
                                          "change a direction); not with several heads "
                                          "whose sinks differ, nor with a residual",
               "sink-san-shrink": "SAN (2): mu(X(t)) <= sqrt(N) c_max^t B0 C_V for every mask "
                                  "(tokens shrink); Theorem 1's consensus rate is lost",
               "sink-san-consensus-fails": "SAN: tokens need not meet (relative consensus fails "
                                           "for every sink, N = 2 causal)",
               "sink-san-direction": "SAN: directions need not collapse either (token 0 plus "
                                     "m tokens attending to all: collapse iff m <= 1 + e^-s)",
               "sink-pre-ln": "pre-LN: unchanged without the residual; with it (gpt-oss's own "
                              "block) the sink acts as a per-token step size and changes "
                              "the trajectory"}}
    if sink is None:
        return out
    logits = list(sink) if isinstance(sink, (list, tuple)) else [sink]
    with mpmath.workdps(30):
        S = (mpmath.mpf(B0) * CV) ** 2 * CQ * CK / mpmath.sqrt(d_qk)
        es = mpmath.exp(mpmath.mpf(min(logits)))          # the weakest sink: largest c
        es_hi = mpmath.exp(mpmath.mpf(max(logits)))       # the strongest: smallest c
        D = rep["max_in_degree"]
        lo = mpmath.exp(-S) / (mpmath.exp(-S) + es_hi)
        hi = D * mpmath.exp(S) / (D * mpmath.exp(S) + es)
        per_e = -1 / mpmath.log(hi) if hi < 1 else mpmath.inf
        gap = es / (D * mpmath.exp(S) + es)                    # 1 - c_max
    out.update({"logit": logits[0] if len(logits) == 1 else logits, "score_bound": float(S),
                "c_min_bound": mpmath.nstr(lo, 6), "c_max_bound": mpmath.nstr(hi, 12),
                "one_minus_c_max": mpmath.nstr(gap, 6),
                "san_shrink_layers_per_e": mpmath.nstr(per_e, 6),
                "words": f"with s = {logits[0] if len(logits) == 1 else logits}: c_i in [{mpmath.nstr(lo, 4)}, 1 - "
                         f"{mpmath.nstr(gap, 4)}] under the stated weight bounds (the upper "
                         f"end from a row of max|N_i| = {D} keys); in SAN every token "
                         f"shrinks at least by c_max per layer ({mpmath.nstr(per_e, 4)} "
                         "layers per factor e)"})
    return out
