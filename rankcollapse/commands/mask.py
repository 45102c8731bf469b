"""Graph facts of an attention mask (the paper's Definitions 1-5) next to their closed forms.

Examples:
  rankcollapse mask causal --n 16
  rankcollapse mask sliding_window --n 131072 --w 1
  rankcollapse mask global_window --n 4096 --w 2 --globals 0,5 --json
  rankcollapse mask sliding_window --n 8 --no-self-loops      # A1 is flagged
  rankcollapse mask --from my_mask.npy                         # your own mask
  rankcollapse mask --from edges.txt                           # an edge list "i j" per line
  rankcollapse mask --schedule gemma-3-27b                     # a released checkpoint
  rankcollapse mask --schedule gpt-oss-20b --sink 0.5          # with an attention sink
  rankcollapse mask --schedule my_config.json                  # your own config.json

With --from FILE: a boolean .npy (numpy.save; 0/1 integers accepted), a sparse .npz
(scipy.sparse.save_npz) or an edge list, whose grammar is:
  # text  a comment;  "n N"  optional first entry, the number of tokens;
  "i j"   token i attends to token j (M[i, j], the paper's edge j -> i), 0-based.
The same facts and Theorem 1 / 2 rates as for a family; no closed form to compare with.
A bad file is refused in one line naming it.

With --schedule NAME|CONFIG.json: the model's attention schedule (one mask per layer, read
from its configuration through transformers' own configuration class when installed, else
the documented reader of rankcollapse/configs.py, which refuses what it cannot derive) at
--n tokens (default: the checkpoint's context, max_position_embeddings): the schedule
radius, the depth, which layers carry the reach, Theorem 1's rate with the assumptions it
rests on and, when it is vacuous at this size, a sentence saying so; the source of every
number.  Released checkpoints: gemma-2-9b, gemma-3-27b, gemma-3-4b, command-r7b,
llama-4-scout, gpt-oss-20b, gpt-oss-120b, mistral-7b-v0.1, deepseek-r1-distill-qwen-7b,
electra-base, longformer-base-4096, bigbird-roberta-base.  Class defaults of the
configuration classes (no released checkpoint): mistral-7b, gemma-2, gemma-3, cohere2,
llama-4, gpt-oss, longformer, bigbird.  gpt-oss has attention sinks (A_sink = diag(c) A,
rows summing to c_i < 1); --sink LOGIT shows the range of c and what it does.

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
from rankcollapse import argtypes
from rankcollapse.maskargs import add_mask_arguments, mask_file, mask_params, sink_logits
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
    p.add_argument("--max-bfs", type=argtypes.bounded_int(0, 1 << 20, "--max-bfs"), default=64,
                   help="BFS runs allowed to the diameter search under --diameter auto (64)")
    p.add_argument("--max-edges", type=float, default=1e7,
                   help="skip the graph search (closed forms only) above this many edges "
                        "(1e7: the searches take about 90 bytes an edge, so 1e7 edges is "
                        "about 1 GiB)")
    p.add_argument("--no-self-loops", action="store_true",
                   help="drop the diagonal (violates A1; distances do not change)")
    g = p.add_argument_group("Theorem 1 / Theorem 2 rates from weight bounds")
    g.add_argument("--cq", type=argtypes.positive_float("--cq", allow_zero=True), default=1.0,
                   help="bound on ||W_Q||_2 (A2), default 1")
    g.add_argument("--ck", type=argtypes.positive_float("--ck", allow_zero=True), default=1.0,
                   help="bound on ||W_K||_2 (A2), default 1")
    g.add_argument("--cv", type=argtypes.positive_float("--cv", allow_zero=True), default=1.0,
                   help="bound on the value-matrix products (A3), default 1")
    g.add_argument("--token-norm", type=argtypes.positive_float("--token-norm"), default=1.0,
                   help="largest input token norm B0, default 1")
    g.add_argument("--dqk", type=argtypes.positive_float("--dqk"), default=1.0, help="temperature d_QK, default 1")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--schedule", metavar="NAME|CONFIG.json", default=None,
                   help="a model's attention schedule: a released checkpoint (gemma-3-27b, "
                        "command-r7b, mistral-7b-v0.1, llama-4-scout, gpt-oss-20b, ...), class "
                        "defaults (mistral-7b, gemma-3, ...) or a config .json")
    p.add_argument("--from", dest="from_file", metavar="FILE", type=mask_file, default=None,
                   help="your own mask: a boolean .npy, a scipy.sparse .npz, or an edge list "
                        "('i j' per line: token i attends to j; optional first line 'n N')")
    p.add_argument("--sink", metavar="LOGIT[,LOGIT...]", type=sink_logits, default=None,
                   help="--schedule: an attention-sink logit (one, or one per head) to show "
                        "its effect (gpt-oss has learned sinks; their values are in the "
                        "weights)")
    p.add_argument("--bigbird-training", action="store_true",
                   help="--schedule with BigBird: training mode (seeded random blocks; "
                        "evaluation mode, the default, has none)")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="--bigbird-training: seed of the random blocks (0)")
    for a in p._actions:      # FAMILY is optional when --schedule / --from is given
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
    if getattr(args, "schedule", None) and getattr(args, "from_file", None):
        raise MaskError("--from and --schedule exclude each other: give one")
    if getattr(args, "schedule", None):
        if args.family is not None:
            raise MaskError(f"--schedule sets the masks itself: drop the family "
                            f"{args.family!r}")
        return _run_schedule(args)
    if getattr(args, "sink", None) is not None:
        raise MaskError("--sink applies to --schedule (a model's attention)")
    if getattr(args, "from_file", None):
        return _run_file(args)
    if args.family is None:
        raise MaskError("give a mask FAMILY, --from FILE or --schedule NAME|CONFIG.json")
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
    closed = _closed_form_rows(family, n, params)     # validates the family's parameters
    est = _edge_estimate(family, n, params)
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


# ---------------------------------------------------------------------------- mask files
def _run_file(args) -> int:
    from numeric import masks
    from theory import graphs

    from rankcollapse.maskargs import DEFAULTS
    given = [k for k in DEFAULTS if getattr(args, k, None) is not None]
    if given or args.family is not None:
        what = f"--{given[0]}" if given else f"the family {args.family!r}"
        raise MaskError(f"--from FILE gives the mask itself: drop {what}")
    if args.max_bfs < 2:
        raise MaskError(f"--max-bfs must be at least 2, got {args.max_bfs}")
    with Progress("mask --from", None) as prog:
        M = masks.load_mask_file(args.from_file)
        n = M.shape[0]
        if args.n is not None and args.n != n:
            raise MaskError(f"--n {args.n} disagrees with the mask file, which has N = {n}")
        if args.no_self_loops:
            M = masks.without_self_loops(M)
        prog.update(0, "mask loaded")
        dia = {"auto": "auto", "always": True, "never": False}[args.diameter]
        facts = graphs.graph_facts(M, diameter=dia, max_bfs=args.max_bfs)
    report = {"file": args.from_file, "n": n, "sparse": bool(masks.is_sparse(M)),
              "edge_convention": "j -> i iff token i attends to token j (M[i, j])",
              "search": facts, "rates": _rates(args, M, facts)}
    if args.json:
        print(json.dumps(jsonable(report), indent=2))
        return 0
    f = facts
    print(f"mask from {args.from_file}  N={n}  ({f['edges']} edges)")
    print(f"edge convention: {report['edge_convention']}\n")
    a1 = (f"yes ({n}/{n} tokens)" if f["a1"] else
          f"NO: {f['n_missing_self_loops']} tokens lack a self-loop (first "
          f"{f['missing_self_loops']}): Theorems 1-2 do not apply")
    head = ", ".join(map(str, f["centers_head"]))
    more = ", ..." if f["n_centers"] > len(f["centers_head"]) else ""
    dia_s = "not computed" if f["diameter"] is None else _fmt(f["diameter"])
    rows = [("A1 (self-loops)", a1),
            ("strongly connected", f"{'yes' if f['strongly_connected'] else 'no'} "
                                   f"({f['n_scc']} SCC)"),
            ("quasi-strongly connected", "yes" if f["quasi_strongly_connected"] else "no"),
            ("centre nodes", f"{f['n_centers']}" + (f": {head}{more}" if f["n_centers"] else "")),
            ("radius", _fmt(f["radius"]) + (f" (from centre {f['radius_centre']})"
                                            if f["radius_centre"] is not None and n > 1 else "")),
            ("diameter", dia_s)]
    w = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"{k.ljust(w)}  {v}")
    if f["diameter"] is None:
        print(f"\ndiameter {f['diameter_note']}")
    _print_rates(report["rates"])
    return 0


# ---------------------------------------------------------------------------- schedules
def _run_schedule(args) -> int:
    from rankcollapse.models import model_row

    n = args.n
    if n is not None and n < 1:
        raise MaskError(f"--n must be a positive integer, got {n}")
    with Progress("mask --schedule", None) as prog:
        row = model_row(args.schedule, n, seed=args.seed, CQ=args.cq, CK=args.ck, CV=args.cv,
                        B0=args.token_norm, d_qk=args.dqk, sink=args.sink,
                        bigbird_training=args.bigbird_training)
        prog.update(0, "done")
    if args.json:
        print(json.dumps(jsonable(row), indent=2))
        return 0
    _print_schedule(row)
    return 0


def _print_schedule(row: dict) -> None:
    prov = row.get("provenance", {})
    print(f"schedule {row['model']}  ({row['kind']})")
    print(f"read by: {row['route']}")
    print(f"N = {row['N']} tokens  [{prov.get('N', 'given')}]")
    print(f"layers = {row['layers']}, {row['direction']} "
          f"{'decoder' if row['direction'] == 'causal' else 'encoder'} "
          f"[{prov.get('direction', '')}], period {row['period']}")
    if row.get("checkpoint_note"):
        print(f"note: {row['checkpoint_note']}")
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
    print(f"\nschedule radius: {_fmt(r) if r is not None else 'undefined (A1 fails)'}"
          + (f"  (per start layer: {row['radius_per_start']})"
             if row.get("radius_per_start") and len(row["radius_per_start"]) > 1 else ""))
    if "radius_window_W_per_layer" in row:
        print(f"  counting a window W as moving W tokens per layer (the Mistral paper's "
              f"count): {row['radius_window_W_per_layer']}; transformers' mask "
              f"kv_idx > q_idx - W moves W - 1")
    if row.get("radius_exceeds_depth") is not None:
        print(f"radius against depth: {r} {'>' if row['radius_exceeds_depth'] else '<='} "
              f"{row['layers']} layers: " +
              ("Theorem 1's block is longer than the network, so its rate says nothing "
               "within one forward pass" if row["radius_exceeds_depth"] else
               "some token's influence reaches every token within one forward pass"))
    reach = row.get("reach")
    if reach:
        print(f"which layers carry the reach: {reach['words']}")
    t1 = row.get("theorem1")
    if t1:
        print(f"\nTheorem 1 (SAN bound mu <= C (1 - eps^r)^(t/r)): eps = {t1['eps']}, "
              f"eps^r = 10^{t1['log10_eps_to_r']}, rate = 1 - {t1['one_minus_rate']}, "
              f"{t1['layers_per_e_fold']} layers per factor e")
        print(f"  rests on: {t1['assumes']}")
        print(f"  at this size: {t1['words']}")
    sk = row.get("sink")
    if sk:
        print(f"\nattention sinks{' (in this model)' if sk['present_in_model'] else ''}: "
              f"{sk['model']}")
        print(f"  values: {sk['values']}")
        if "words" in sk:
            print(f"  {sk['words']}")
        for cid, what in sk["what_holds"].items():
            print(f"  {cid}: {what}")
    print("\nsources:")
    for k, v in row["sources"].items():
        where = prov.get(k)
        print(f"  {k} = {v}" + (f"  [{where}]" if where and where != "file" else ""))
    extra = {k: v for k, v in prov.items() if k not in row["sources"]
             and k not in ("N", "direction", "route")}
    for k, v in extra.items():
        print(f"  {k}: {v}")
