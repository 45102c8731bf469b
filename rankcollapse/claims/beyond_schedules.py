"""Beyond the paper: masks that change from layer to layer (theory/schedules.py,
rankcollapse/models.py)."""
from __future__ import annotations

import math

import numpy as np

from numeric import masks
from numeric.errors import AssumptionError
from numeric.weights import gaussian, haar_orthogonal
from theory import graphs
from theory import schedules as S
from theory.evidence import exhaustive, Evidence, combine, sampled, witness

from . import Config, claim

NOTES = "Theorem 1 for schedules (beyond the paper)"


def _family_masks(n: int):
    out = []
    for fam, (ctor, pnames) in masks.FAMILIES.items():
        params = {"w": 2, "dilation": 2, "stride": 3, "block": 3, "prefix": 2,
                  "globals": (0,)}
        kw = {k: params[k] for k in pnames}
        out.append((fam, ctor(n, **kw)))
    return out


@claim("schedule-radius-single-mask", "Beyond the paper: schedules",
       "For one mask M (with A1), the schedule search on [M, M] gives radius(M) and the "
       "schedule centres are center_nodes(M); a window mask alternating with the complete "
       "mask has schedule radius <= 2.",
       assumptions=("A1",), test="tests/test_schedules.py::test_single_mask_equals_radius",
       notes=NOTES,
       kind="finding",
       uses=["definition-centre-radius"],
       idea_paper=("Not in the paper: it fixes one mask for all layers and only remarks "
                   "(Section 3.3) that time-varying masks with similar regularity would "
                   "also work."),
       idea_ours=("The schedule radius is the maximum over start phases of the minimum "
                  "over tokens c of the layers needed for c's influence set F_k(c) to "
                  "cover every token. Under A1 the sets F_k only grow and c's reach on [M, "
                  "M] is its out-eccentricity, so the schedule radius is radius(M) and the "
                  "schedule centres are the centres of M; alternating a window with the "
                  "complete mask gives radius <= 2 (the self-loop keeps c, the complete "
                  "layer covers all). Checked by exact integer frontier propagation on "
                  "every mask family at N in {2, 5, 9, 16, 33} and 60 random digraphs "
                  "(sampled)."))
def single_mask(cfg: Config):
    rng = np.random.default_rng(cfg.seed)
    sizes = (2, 5, 9, 16, 33) if not cfg.thorough else (2, 3, 5, 9, 16, 33, 64, 129)
    checked, mism = 0, []
    for n in sizes:
        for fam, M in _family_masks(n):
            r, c = graphs.radius(M), graphs.center_nodes(M).tolist()
            r2 = S.schedule_radius([M, M])          # general search (period 2)
            c2 = S.schedule_centres([M, M]).tolist()
            checked += 1
            if r != r2 or c != c2:
                mism.append({"family": fam, "n": n, "radius": r, "schedule": r2})
    n_rand = 60 if not cfg.thorough else 400
    for _ in range(n_rand):
        n = int(rng.integers(2, 12))
        M = rng.random((n, n)) < rng.uniform(0.05, 0.5)
        np.fill_diagonal(M, True)
        checked += 1
        if graphs.radius(M) != S.schedule_radius([M, M]):
            mism.append({"random": M.astype(int).tolist()})
    alt = []
    for n in sizes:
        for w in (1, 2):
            r = S.schedule_radius([masks.sliding_window(n, w), masks.complete(n)])
            alt.append(r)
            if not r <= 2:
                mism.append({"window_alternating_complete": {"n": n, "w": w, "radius": r}})
    if mism:
        return Evidence("schedule radius of one mask == radius", "fails", "exact",
                        {"checked": checked}, witness=mism[0],
                        scope=witness("the first mismatching mask"))
    return Evidence("schedule_radius([M, M]) == radius(M), schedule_centres == center_nodes; "
                    "window alternating with complete: radius <= 2", "holds", "exact",
                    {"masks_checked": checked, "families": list(masks.FAMILIES),
                     "sizes": list(sizes), "window_complete_radii": alt,
                     "why_exact": "integer frontier propagation; every comparison is of "
                                  "integers"},
                    scope=sampled(checked, f"every mask family at N in {list(sizes)} plus "
                                  f"{n_rand} random digraphs with self-loops (N 2-11)",
                                  cfg.seed))


def _schedule_instances(cfg: Config):
    rng = np.random.default_rng(cfg.seed + 10)
    n, d = (6, 3) if not cfg.thorough else (8, 4)
    T = 30 if not cfg.thorough else 80
    scheds = {
        "window(1) / complete": [masks.sliding_window(n, 1), masks.complete(n)],
        "causal / unidirectional_window(1)": [masks.causal(n), masks.unidirectional_window(n, 1)],
        "block_local(3) / sliding_window(1)": [masks.block_local(n, 3),
                                               masks.sliding_window(n, 1)],
    }
    out = []
    for name, sch in scheds.items():
        X0 = rng.standard_normal((n, d))
        scale = 0.3 / (1 + np.abs(X0).max())
        Q = haar_orthogonal(d, rng)
        layers = [(gaussian(d, d, rng, scale), gaussian(d, d, rng, scale),
                   Q if k % 2 == 0 else Q.T) for k in range(T)]
        out.append((name, sch, X0, layers, T))
    return out


@claim("theorem-1-schedule", "Beyond the paper: Theorem 1 for schedules",
       "Checked on sampled schedules: with A1 on each layer, A2, A3 and a finite schedule "
       "radius r, "
       "mu(X(t)) <= C (1 - eps^r)^(t/r) with eps = exp(-2S)/max over layers of |N_i| and "
       "Theorem 1's C (blocks of r layers; each block's product has a column >= eps^r).",
       assumptions=("A1", "A2", "A3", "finite schedule radius"),
       test="tests/test_schedules.py::test_schedule_theorem1_negative_control", notes=NOTES,
       kind="theorem",
       tex=r"\mu(X(t))\le C\,(1-\epsilon^r)^{t/r},\quad r=\text{schedule radius}",
       uses=["theorem-1", "schedule-radius-single-mask"],
       idea_paper=("Not in the paper beyond the Section 3.3 remark on time-varying masks; "
                   "the natural extension of Theorem 1."),
       idea_ours=("Cut the layers into blocks of r (the schedule radius): whatever the "
                  "phase of a block, some token c has reach <= r from its start, so along "
                  "every walk from c padded with self-loops (A1) each factor is >= eps and "
                  "column c of the block's product is >= eps^r; hence tau <= 1 - eps^r per "
                  "block and the rest is Theorem 1's proof (A3 for the value products, "
                  "Popoviciu per column), with eps = exp(-2S)/max over layers of |N_i| "
                  "(Lemma 1 layer by layer) and Theorem 1's C. The bound is certified in "
                  "arb on three sampled schedules alternating two paper masks (N = 6, d = "
                  "3, 30 layers)."))
def theorem1_schedule(cfg: Config):
    parts, per = [], {}
    for name, sch, X0, layers, T in _schedule_instances(cfg):
        ev = S.check_schedule_theorem1(sch, X0, layers, T)
        ev.scope = sampled(1, f"schedule {name}", cfg.seed)
        parts.append(ev)
        per[name] = {"r": ev.details.get("r"), "eps": ev.details.get("eps"),
                     "status": ev.status, "digits": ev.details.get("digits_tried")}
    return combine("Theorem 1 for schedules on three alternating schedules (certified, arb)",
                   parts, {"per_schedule": per},
                   scope=sampled(len(parts), "three schedules alternating two paper masks, "
                                 "N=6 (8), d=3 (4), Gaussian W_Q, W_K scaled by 0.3/(1+max|X0|),"
                                 " W_V alternating Haar Q and Q^T", cfg.seed + 10))


@claim("schedule-negative-controls", "Beyond the paper: schedules",
       "A schedule with a layer that breaks A1 is refused (AssumptionError naming the "
       "layer), and a schedule that disconnects a token for good has infinite radius and "
       "is reported with a pair of tokens no token reaches both of.",
       test="tests/test_schedules.py::test_negative_controls", notes=NOTES,
       kind="finding",
       uses=["theorem-1-schedule"],
       idea_paper=("Not in the paper: checks that the schedule tools refuse inputs outside "
                   "the theorem's hypotheses."),
       idea_ours=("Exact witnesses: a schedule of window(1) with a complete layer without "
                  "self-loops is refused with an AssumptionError naming layer 1 (without "
                  "A1 influence sets can shrink and the search's monotonicity fails), and "
                  "a causal/window(1) schedule on N = 6 in which token 3 attends only to "
                  "itself in every layer has infinite radius and is reported with a pair "
                  "of tokens (token 3 and another) that no token reaches both of."))
def negative_controls(cfg: Config):
    n = 6
    bad = masks.without_self_loops(masks.complete(n))
    try:
        S.schedule_radius([masks.sliding_window(n, 1), bad])
        a1 = None
    except AssumptionError as exc:
        a1 = str(exc)
    def isolate(M):
        M = M.copy()
        M[3, :] = False
        M[:, 3] = False
        M[3, 3] = True                    # token 3 only attends to itself
        return M

    rep = S.schedule_report([isolate(masks.causal(n)), isolate(masks.sliding_window(n, 1))])
    ok = a1 is not None and "layer 1" in a1 and rep["radius"] == math.inf and rep["problems"]
    return Evidence("A1-breaking layer refused; permanently disconnected token reported",
                    "holds" if ok else "fails", "exact",
                    {"a1_error": a1, "disconnected_report": rep["problems"]},
                    witness=None if ok else {"a1_error": a1, "report": rep},
                    scope=witness("window(1) with a layer of the complete mask without "
                                  "self-loops; causal alternating with window(1), token 3 "
                                  "isolated in both, N = 6"))


@claim("real-model-schedules", "Beyond the paper: real models",
       "Schedule radius of the eight class-default configurations (transformers 5.24; not "
       "released checkpoints) at their stated N, against their depth. Anchor: MistralConfig's "
       "defaults (a 4096-token window on all 32 layers, N = 131072) give radius 32 when a "
       "layer moves W tokens (the Mistral paper's count) and 33 under transformers' mask, "
       "which moves W - 1: one more than the 32 layers.",
       test="tests/test_schedules.py::test_model_table",
       notes="Real models' schedules (beyond the paper)",
       kind="experiment",
       uses=["schedule-radius-single-mask"],
       idea_paper=("Not in the paper: it cites Mistral 7B's sliding window, Longformer and "
                   "BigBird as motivation but computes no schedule radii."),
       idea_ours=("Exact integer frontier propagation on the schedules that the eight "
                  "class-default configurations describe (transformers 5.24 snapshot, not "
                  "released checkpoints), at their stated N, compared with their depth. "
                  "Anchor: a 4096-token window on all 32 layers at N = 131072 gives "
                  "ceil(131071/4096) = 32 when a layer moves W tokens (the Mistral paper's "
                  "count) and ceil(131071/4095) = 33 under transformers' mask (a layer "
                  "moves W - 1), one more than the depth; the table is exhaustive over the "
                  "eight configurations, and the Theorem 1 rates printed beside it are "
                  "vacuous at these sizes."))
def real_models(cfg: Config):
    from rankcollapse import models as MD

    rows = {}
    for name in MD.MODELS:
        c = dict(MD.SNAPSHOT[name])
        sch = MD.schedule_from_config(c, None, seed=cfg.seed, use_transformers=False)
        rep = S.schedule_report(sch)
        rows[name] = {"N": sch.n, "layers": sch.depth, "radius": rep["radius"],
                      "radius_exceeds_depth": rep["radius"] > sch.depth,
                      "sources": sch.sources}
        if name == "mistral-7b":
            paper = S.schedule_radius(MD.schedule_from_config(c, None, use_transformers=False,
                                                              window_convention="paper"))
            rows[name]["radius_window_W_per_layer"] = paper
    m = rows["mistral-7b"]
    expected_paper = math.ceil((131072 - 1) / 4096)
    expected_tf = math.ceil((131072 - 1) / 4095)
    ok = m["radius_window_W_per_layer"] == expected_paper == 32 and m["radius"] == expected_tf
    return Evidence("schedule radii of eight class-default configs; Mistral anchor",
                    "holds" if ok else "fails", "exact", {"rows": rows, "anchor": {
                        "paper_convention": [m["radius_window_W_per_layer"], expected_paper],
                        "transformers_convention": [m["radius"], expected_tf]}},
                    scope=exhaustive("the eight class-default schedules (transformers 5.24) "
                                     "at their stated N", "exact integer frontier propagation",
                                     8))


#: audited radii of the released checkpoints (transformers' window convention)
AUDITED = {"gemma-3-27b": 6, "gemma-3-4b": 6, "command-r7b": 4, "gemma-2-9b": 2,
           "llama-4-scout": 4, "deepseek-r1-distill-qwen-7b": 1, "mistral-7b-v0.1": 9,
           "gpt-oss-20b": 2, "gpt-oss-120b": 2, "electra-base": 1,
           "longformer-base-4096": 1, "bigbird-roberta-base": 1}
#: the project's own search runs at most this N (the interval count runs at the full N)
SEARCH_N = 1 << 20


def interval_reach_radius(kinds: list, n: int, window: int | None, chunk: int | None) -> float:
    """Radius of a causal schedule by token 0's reach alone, counted on prefixes: after any
    layers token 0's influence is a prefix [0, R] (window W: R -> R + W - 1; chunk C: R ->
    end of R's chunk; full: everything).  Independent of the graph code; inf if it stalls."""
    P, worst = len(kinds), 0
    for s in range(P):
        R, k = 0, 0
        while R < n - 1:
            kind = kinds[(s + k) % P]
            R2 = (n - 1 if kind == "full_attention" else
                  min(n - 1, R + window - 1) if kind == "sliding_attention" else
                  min(n - 1, (R // chunk + 1) * chunk - 1))
            k += 1
            if R2 == R and all(x != "full_attention" for x in kinds) and k >= P:
                return math.inf
            R = R2
        worst = max(worst, k)
    return worst


@claim("checkpoint-schedules", "Beyond the paper: real models",
       "The released checkpoints' configurations (Gemma 3 27B / 4B, Command R7B, Gemma 2 9B, "
       "Llama 4 Scout, a Qwen2 with use_sliding_window false, Mistral 7B v0.1, gpt-oss "
       "20B / 120B, ELECTRA, Longformer, BigBird) read as the library reads them give radii "
       "6, 6, 4, 2, 4, 1, 9 (8 counting W per layer), 2, 2, 1, 1, 1 at their shipped context "
       "(decoders checked against an independent prefix count at the full context); an "
       "ELECTRA config is an encoder; the raw-JSON reading gives the wrong radii; a config "
       "whose pattern cannot be derived is refused in one line.",
       test="tests/test_model_configs.py::test_checkpoint_radii_against_bfs",
       notes="Attention sinks and released checkpoints (beyond the paper)",
       kind="experiment",
       uses=["schedule-radius-single-mask"],
       idea_paper=("Not in the paper: an audit of released models' attention schedules "
                   "against the radius notion of Definition 5 applied to schedules."),
       idea_ours=("Each released configuration is read as the library reads it (class "
                  "defaults, derived layer types, nested text configs, encoder or decoder) "
                  "and its schedule radius found by exact integer frontier propagation, "
                  "with every decoder's radius recounted by an independent prefix count at "
                  "the full context (token 0's influence is always a prefix); exhaustive "
                  "over the twelve configurations (Llama 4 Scout's search capped at N = "
                  "2^20, its prefix count run at 10485760). Negative controls: the "
                  "raw-JSON reading gives wrong radii, and an underivable pattern is "
                  "refused in one line naming the field."))
def checkpoint_schedules(cfg: Config):
    from numeric.errors import RankCollapseError
    from rankcollapse import models as MD

    rows, bad = {}, []
    for name, want in AUDITED.items():
        raw = MD.load_config(name)
        full = MD.schedule_from_config(raw, use_transformers=False)
        ms = full.spec
        n_full = ms.context
        sch = full if full.n <= SEARCH_N else MD.schedule_from_config(
            raw, SEARCH_N, use_transformers=False)
        r = S.schedule_radius(sch)
        row = {"N": n_full, "layers": ms.depth, "direction": ms.direction, "radius": r}
        if sch.n != n_full:
            row["searched_at_N"] = sch.n
        if ms.direction == "causal" and ms.special is None:
            row["prefix_count_at_full_N"] = interval_reach_radius(
                ms.layer_types[:sch.period], n_full, ms.sliding_window, ms.chunk)
            if row["prefix_count_at_full_N"] != r:
                bad.append({name: row})
        if r != want:
            bad.append({name: row, "audited": want})
        rows[name] = row
    if rows["electra-base"]["direction"] != "bidirectional":
        bad.append({"electra-base": "read as a causal decoder"})
    # negative control 1: the raw-JSON reading (every layer sliding with the file's window,
    # default N, no class defaults, text_config ignored) gives wrong radii
    naive = {"gemma-3-27b": interval_reach_radius(["sliding_attention"], 131072, 1024, None),
             "deepseek-r1-distill-qwen-7b":
                 interval_reach_radius(["sliding_attention"], 131072, 4096, None)}
    if naive["gemma-3-27b"] == AUDITED["gemma-3-27b"] or naive["deepseek-r1-distill-qwen-7b"] == 1:
        bad.append({"negative_control_not_caught": naive})
    # negative control 2: an underivable pattern is refused in one line naming the field
    try:
        MD.schedule_from_config({"model_type": "mystery", "num_hidden_layers": 4,
                                 "sliding_window": 64}, 128, use_transformers=False)
        refused = None
    except RankCollapseError as exc:
        refused = str(exc)
    if not refused or "model_type" not in refused or "\n" in refused:
        bad.append({"refusal": refused})
    m = rows["mistral-7b-v0.1"]
    paper = S.schedule_radius(MD.schedule_from_config(MD.load_config("mistral-7b-v0.1"),
                                                      window_convention="paper",
                                                      use_transformers=False))
    return Evidence("released checkpoints' schedule radii (transformers' window convention)",
                    "fails" if bad else "holds", "exact",
                    {"rows": rows, "mistral_v0.1_W_per_layer": paper,
                     "raw_json_reading": naive, "refusal": refused,
                     "mistral_v0.1_radius_vs_depth": [m["radius"], m["layers"]]},
                    witness=bad[0] if bad else None,
                    scope=exhaustive("the twelve released configurations of "
                                     "rankcollapse/checkpoints.py at their shipped context "
                                     "(the search capped at N = 2^20 for Llama 4 Scout, whose "
                                     "prefix count runs at 10485760)",
                                     "exact integer frontier propagation and prefix counts",
                                     len(AUDITED)))
