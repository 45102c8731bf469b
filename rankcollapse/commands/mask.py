"""Graph facts of an attention mask (the paper's Definitions 1-5) next to their closed forms.

Examples:
  rankcollapse mask causal --n 16
  rankcollapse mask sliding_window --n 131072 --w 1
  rankcollapse mask global_window --n 4096 --w 2 --globals 0,5 --json
  rankcollapse mask sliding_window --n 8 --no-self-loops      # A1 is flagged
  rankcollapse mask --schedule mistral-7b                      # a real model's schedule
  rankcollapse mask --schedule gemma-3 --n 32768 --json
  rankcollapse mask --schedule my_config.json                  # your own config.json

With --schedule NAME|CONFIG.json: the model's attention schedule (one mask per layer,
built from its configuration fields; see rankcollapse/models.py) at --n tokens (default:
the config's max_position_embeddings, at most 131072): the schedule radius (the block
length of Theorem 1 for schedules), the model's depth, whether the radius exceeds the
depth (Theorem 1's rate then says nothing within one forward pass), Theorem 1's rate for
the stated weight bounds, and the config field each number came from.  Models:
mistral-7b, gemma-2, gemma-3, cohere2, llama-4, gpt-oss, longformer, bigbird.

Edge convention: the paper's edge j -> i means token i attends to token j (M[i, j]).
Shown: A1 (every token attends to itself), strong and quasi-strong connectivity, the centre
nodes (nodes from which every token is reachable), the radius (smallest out-eccentricity of
a centre; the r of Theorems 1-2) and the diameter, each searched exactly by sparse BFS and
compared with the family's closed form (theory.graphs.closed_form).  Masks with more than
4096 tokens are built sparse.  The diameter search is exact but may need many BFS runs: by
default it stops after 64 runs and says so (--diameter always lifts the cap, never skips).
"""
from __future__ import annotations

import json
import math

from numeric.errors import MaskError
from rankcollapse.maskargs import add_mask_arguments, mask_params
from rankcollapse.progress import Progress
from theory.evidence import jsonable

# numpy, SymPy and the graph searches are imported on use, so that `--help` is fast

NAME = "mask"
HELP = "graph facts of a mask family: centres, radius, diameter vs closed forms"

SPARSE_FROM = 4096
FACTS = ("n_centers", "radius", "diameter")


def configure(p):
    add_mask_arguments(p, positional=True)
    p.add_argument("--n", type=int, default=None,
                   help="number of tokens N (16; with --schedule: the config's "
                        "max_position_embeddings, at most 131072)")
    p.add_argument("--sparse", action="store_true",
                   help=f"build the mask as scipy.sparse (automatic above N = {SPARSE_FROM})")
    p.add_argument("--diameter", choices=["auto", "always", "never"], default="auto",
                   help="auto: exact bounded search, stopped after --max-bfs BFS runs; "
                        "always: no cap; never: skip (default auto)")
    p.add_argument("--max-bfs", type=int, default=64,
                   help="BFS runs allowed to the diameter search under --diameter auto (64)")
    p.add_argument("--max-edges", type=float, default=5e7,
                   help="skip the graph search (closed forms only) above this many edges "
                        "(5e7)")
    p.add_argument("--no-self-loops", action="store_true",
                   help="drop the diagonal (violates A1; distances do not change)")
    g = p.add_argument_group("Theorem 1 / Theorem 2 rates from weight bounds")
    g.add_argument("--cq", type=float, default=1.0, help="bound on ||W_Q||_2 (A2), default 1")
    g.add_argument("--ck", type=float, default=1.0, help="bound on ||W_K||_2 (A2), default 1")
    g.add_argument("--cv", type=float, default=1.0,
                   help="bound on the value-matrix products (A3), default 1")
    g.add_argument("--token-norm", type=float, default=1.0,
                   help="largest input token norm B0, default 1")
    g.add_argument("--dqk", type=float, default=1.0, help="temperature d_QK, default 1")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--schedule", metavar="NAME|CONFIG.json", default=None,
                   help="a real model's attention schedule (mistral-7b, gemma-2, gemma-3, "
                        "cohere2, llama-4, gpt-oss, longformer, bigbird) or a config .json")
    p.add_argument("--seed", type=int, default=0,
                   help="--schedule bigbird: seed of the random blocks (0)")
    for a in p._actions:      # FAMILY is optional when --schedule is given
        if a.dest == "family":
            a.nargs, a.default = "?", None


def _edge_estimate(family: str, n: int, params: dict) -> int:
    w = params.get("w", 1)
    if family in ("complete",):
        return n * n
    if family in ("causal", "prefix_lm"):
        return n * (n + 1) // 2 + n * params.get("prefix", 0)
    if family == "strided":
        s = params["stride"]
        return n * (s + n // s + 1)
    if family == "block_local":
        return n * min(n, params["block"])
    if family == "global_window":
        return n * (2 * w + 1) + 2 * n * len(params.get("globals", ()))
    return n * (2 * w + 1)


def _closed_form_rows(family: str, n: int, params: dict) -> dict:
    """For each fact: the branch of the closed form that applies, and its value."""
    import sympy
    
    from theory import graphs
    # symbolic in N and the parameters (only the set of global tokens is fixed)
    forms = graphs.closed_form(family, **{k: v for k, v in params.items() if k == "globals"})
    values = graphs.closed_form_value(family, n, **params)
    subs = {graphs.N: n}
    for k, v in params.items():
        sym = graphs.SYMBOLS.get(k)
        if sym is not None:
            subs[sym] = v
    defs = forms.get("defs", {})
    out = {}
    for key in FACTS:
        expr = forms[key]
        shown = expr
        if isinstance(expr, sympy.Piecewise):
            env = dict(subs)
            if defs:  # global_window: first / last non-global token
                env[graphs.A_FIRST] = _global_bounds(n, params)[0]
                env[graphs.B_LAST] = _global_bounds(n, params)[1]
            for e, cond in expr.args:
                from theory.exact_text import as_sympy
                if bool(as_sympy(cond).subs(env)):
                    shown = e
                    break
        out[key] = {"expression": str(shown), "piecewise": str(expr),
                    "value": values[key]}
    if defs:
        out["defs"] = {str(k): str(v) for k, v in defs.items()}
    return out


def _global_bounds(n: int, params: dict) -> tuple[int, int]:
    g = set(params.get("globals", ()))
    rest = [i for i in range(n) if i not in g]
    return (rest[0], rest[-1]) if rest else (0, -1)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "oo"
    return str(v)


def run(args) -> int:
    from numeric import masks
    from theory import graphs
    if getattr(args, "schedule", None):
        return _run_schedule(args)
    if args.family is None:
        raise MaskError("give a mask FAMILY or --schedule NAME|CONFIG.json")
    if args.n is None:
        args.n = 16
    if args.n < 1:
        raise MaskError(f"--n must be a positive integer, got {args.n}")
    if args.max_bfs < 2:
        raise MaskError(f"--max-bfs must be at least 2, got {args.max_bfs}")
    if not 0 < args.max_edges < math.inf:
        raise MaskError(f"--max-edges must be a positive number, got {args.max_edges}")
    params = mask_params(args)
    family = params.pop("family")
    if family == "global_window" and params["globals"] and max(params["globals"]) >= args.n:
        raise MaskError(f"--globals must lie in [0, {args.n}), got {args.globals}")
    n = args.n
    sparse = args.sparse or n > SPARSE_FROM
    est = _edge_estimate(family, n, params)
    closed = _closed_form_rows(family, n, params)
    report = {"family": family, "params": params, "n": n, "sparse": sparse,
              "edge_convention": "j -> i iff token i attends to token j (M[i, j])",
              "closed_form": closed}
    if est > args.max_edges:
        report["search"] = None
        report["search_note"] = (f"skipped: about {est:.3g} edges > --max-edges "
                                 f"{args.max_edges:.3g}; closed forms only")
        report["agree"] = {k: None for k in FACTS}
    else:
        with Progress("mask", None) as prog:
            M = graphs.family_mask(family, n, sparse=sparse, **params)
            prog.update(0, "mask built")
            if args.no_self_loops:
                M = masks.without_self_loops(M)
            dia = {"auto": "auto", "always": True, "never": False}[args.diameter]
            facts = graphs.graph_facts(M, diameter=dia, max_bfs=args.max_bfs)
        report["search"] = facts
        report["agree"] = {k: (None if facts[k] is None else facts[k] == closed[k]["value"])
                           for k in FACTS}
        report["rates"] = _rates(args, M, facts)
    if args.json:
        print(json.dumps(jsonable(report), indent=2))
        return 0
    _print_table(report)
    if report.get("search") is not None:
        _print_rates(report["rates"])
    return 0


def _rates(args, M, facts):
    """Theorem 1 / Theorem 2 constants for the given weight bounds (None without a centre
    or without A1, where the theorems say nothing)."""
    import numpy as np
    
    from theory.bounds import rate_summary
    from theory.theorem2 import centres_within_radius
    if facts["radius"] is None or math.isinf(facts["radius"]) or not facts["a1"]:
        return None
    deg = int(np.max(np.asarray(M.sum(axis=1)).ravel()))
    # Theorem 2's rate may count only centres of eccentricity <= r (one BFS each); for
    # many centres fall back to 1, which gives a valid (slower) rate
    if facts["n_centers"] <= 2000:
        n_r, how = len(centres_within_radius(M)), "centres of eccentricity <= r"
    else:
        n_r, how = 1, "lower bound 1 (too many centres to check each eccentricity)"
    out = rate_summary(deg, facts["radius"], n_r, CQ=args.cq, CK=args.ck,
                       CV=args.cv, B0=args.token_norm, d_qk=args.dqk)
    out["theorem2"]["n_centres_counted"] = how
    out["bounds"] = {"CQ": args.cq, "CK": args.ck, "CV": args.cv, "B0": args.token_norm,
                     "d_qk": args.dqk}
    return out


def _print_rates(rt) -> None:
    if rt is None:
        print("\nTheorem 1 / 2 rates: none (needs A1 and a centre node)")
        return
    b = rt["bounds"]
    print(f"\nrates for ||W_Q|| <= {b['CQ']}, ||W_K|| <= {b['CK']}, value products <= "
          f"{b['CV']}, token norm <= {b['B0']}, d_QK = {b['d_qk']} "
          f"(r = {rt['r']}, max |N_i| = {rt['max_in_degree']}):")
    for key, label in (("theorem1", "Theorem 1 (SAN): mu <= C (1-eps^r)^(t/r)"),
                       ("theorem2", "Theorem 2 / Cor. 1 (LN): (1 - n eps^2r)^(t/2r)")):
        x = rt[key]
        if not x["valid"]:
            print(f"  {label}: eps = {x['eps']}, no rate ({x['reason']})")
            continue
        print(f"  {label}: eps = {x['eps']}, rate = 1 - {x['one_minus_rate']}, "
              f"{x['layers_per_e_fold']} layers per factor e")


def _print_table(rep: dict) -> None:
    ps = "  ".join(f"{k}={','.join(map(str, v)) if isinstance(v, tuple) else v}"
                   for k, v in rep["params"].items())
    f = rep["search"]
    kind = "sparse" if rep["sparse"] else "dense"
    edges = f"{f['edges']} edges" if f else "not built"
    print(f"mask {rep['family']}  N={rep['n']}" + (f"  {ps}" if ps else "")
          + f"  ({kind}, {edges})")
    print(f"edge convention: {rep['edge_convention']}")
    if f is None:
        print(rep["search_note"])
    print()
    rows = [("fact", "search", "closed form", "agree")]

    def yn(b):
        return "yes" if b else "no"

    if f:
        a1 = (f"yes ({f['n']}/{f['n']} tokens)" if f["a1"] else
              f"NO: {f['n_missing_self_loops']} tokens lack a self-loop "
              f"(first {f['missing_self_loops']})")
        rows += [("A1 (self-loops)", a1, "", ""),
                 ("strongly connected", f"{yn(f['strongly_connected'])} ({f['n_scc']} SCC)",
                  "", ""),
                 ("quasi-strongly connected", yn(f["quasi_strongly_connected"]), "", "")]
    cf = rep["closed_form"]
    for key, label in (("n_centers", "centre nodes"), ("radius", "radius"),
                       ("diameter", "diameter")):
        if f is None:
            s = "-"
        elif key == "n_centers":
            head = ", ".join(map(str, f["centers_head"]))
            more = ", ..." if f["n_centers"] > len(f["centers_head"]) else ""
            s = f"{f['n_centers']}" + (f": {head}{more}" if f["n_centers"] else "")
        elif key == "radius":
            s = _fmt(f["radius"])
            if f["radius_centre"] is not None and f["n"] > 1:
                s += f" (from centre {f['radius_centre']}, {f['radius_bfs_runs']} BFS)"
        else:
            s = _fmt(f["diameter"])
            if f["diameter"] is None:
                s = "not computed"
            elif f.get("diameter_bfs_runs"):
                s += f" ({f['diameter_bfs_runs']} BFS)"
        c = cf[key]
        expr = c["expression"]
        form = f"{expr} = {_fmt(c['value'])}" if expr != _fmt(c["value"]) else expr
        agree = rep["agree"][key]
        rows.append((label, s, form, "-" if agree is None else yn(agree)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(x.ljust(widths[i]) for i, x in enumerate(r)).rstrip())
    if f and f["diameter"] is None:
        print(f"\ndiameter {f['diameter_note']}")
    if "defs" in cf:
        a, z = _global_bounds(rep["n"], rep["params"])
        print(f"\nwhere a, z are the first and last non-global token: here a = {a}, z = {z}"
              + ("" if z >= 0 else " (every token is global: z - a := -1)"))


# ---------------------------------------------------------------------------- schedules
def _run_schedule(args) -> int:
    from rankcollapse.models import model_row

    n = args.n
    if n is not None and n < 1:
        raise MaskError(f"--n must be a positive integer, got {n}")
    with Progress("mask --schedule", None) as prog:
        row = model_row(args.schedule, n, seed=args.seed, CQ=args.cq, CK=args.ck, CV=args.cv,
                        B0=args.token_norm, d_qk=args.dqk)
        prog.update(0, "done")
    if args.json:
        print(json.dumps(jsonable(row), indent=2))
        return 0
    print(f"schedule {row['model']}  N={row['N']}  layers={row['layers']}  "
          f"period={row['period']}")
    print("edge convention: j -> i iff token i attends to token j (M[i, j]); layer t uses "
          "masks[t % period]")
    runs = []
    for lab in row["pattern"]:
        if runs and runs[-1][1] == lab:
            runs[-1][0] += 1
        else:
            runs.append([1, lab])
    print("pattern (one period): " + "; ".join(f"{k} x {lab}" if k > 1 else lab
                                              for k, lab in runs))
    for p in row["problems"]:
        print(f"PROBLEM: {p}")
    r = row["radius"]
    print(f"schedule radius: {_fmt(r) if r is not None else 'undefined (A1 fails)'}"
          + (f"  (per start layer: {row['radius_per_start']})"
             if row.get("radius_per_start") and len(row["radius_per_start"]) > 1 else ""))
    if "radius_window_W_per_layer" in row:
        print(f"  (counting a window W as moving W tokens per layer, as the Mistral paper "
              f"does: {row['radius_window_W_per_layer']}; transformers' mask "
              f"kv_idx > q_idx - W moves W - 1)")
    if row.get("radius_exceeds_depth") is not None:
        print(f"radius > depth ({row['layers']}): "
              + ("YES: Theorem 1's rate says nothing within one forward pass"
                 if row["radius_exceeds_depth"] else "no"))
    t1 = row.get("theorem1")
    if t1:
        b = t1["weight_bounds"]
        print(f"Theorem 1 (||W_Q||<={b['CQ']}, ||W_K||<={b['CK']}, value products<={b['CV']},"
              f" token norm<={b['B0']}, d_QK={b['d_qk']}; max |N_i| = {row['max_in_degree']}):"
              f" eps = {t1['eps']}, eps^r = 10^{t1['log10_eps_to_r']}, rate = 1 - "
              f"{t1['one_minus_rate']}, {t1['layers_per_e_fold']} layers per factor e")
    print("sources: " + ", ".join(f"{k}={v}" for k, v in row["sources"].items()))
    return 0
