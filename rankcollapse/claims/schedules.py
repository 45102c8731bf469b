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
from theory.evidence import exhaustive, Evidence, combine, sampled, universal, witness

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
       notes=NOTES)
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
       test="tests/test_schedules.py::test_schedule_theorem1_negative_control", notes=NOTES)
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
       test="tests/test_schedules.py::test_negative_controls", notes=NOTES)
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
       "Schedule radius of eight real models' attention patterns at their context length, "
       "against their depth; Mistral's 4096-token window spans 32 layers at N = 131072 "
       "when a layer moves W tokens (33 under transformers' mask, which moves W - 1).",
       test="tests/test_schedules.py::test_model_table", notes="Real models' schedules (beyond the paper)")
def real_models(cfg: Config):
    from rankcollapse import models as MD

    rows = {}
    for name in MD.MODELS:
        c = dict(MD.SNAPSHOT[name])
        sch = MD.schedule_from_config(c, None, seed=cfg.seed)
        rep = S.schedule_report(sch)
        rows[name] = {"N": sch.n, "layers": sch.depth, "radius": rep["radius"],
                      "radius_exceeds_depth": rep["radius"] > sch.depth,
                      "sources": sch.sources}
        if name == "mistral-7b":
            paper = S.schedule_radius(MD.schedule_from_config(c, None,
                                                              window_convention="paper"))
            rows[name]["radius_window_W_per_layer"] = paper
    m = rows["mistral-7b"]
    expected_paper = math.ceil((131072 - 1) / 4096)
    expected_tf = math.ceil((131072 - 1) / 4095)
    ok = m["radius_window_W_per_layer"] == expected_paper == 32 and m["radius"] == expected_tf
    return Evidence("schedule radii of eight model configs; Mistral anchor", "holds" if ok
                    else "fails", "exact", {"rows": rows, "anchor": {
                        "paper_convention": [m["radius_window_W_per_layer"], expected_paper],
                        "transformers_convention": [m["radius"], expected_tf]}},
                    scope=exhaustive("the eight model schedules (config defaults of "
                                     "transformers 5.24) at their stated N",
                                     "exact integer frontier propagation", 8))
