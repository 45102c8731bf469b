"""Build the Theorem 3 equilibria (Appendix F.1) exactly and verify them.

Causal mask, W_Q = W_K = 0, post-LN, W_V = I + w J (d x d, w on the superdiagonal).
A rank-K equilibrium puts the first N-K+1 tokens at e_d and continues with a Jordan
chain of W_V; it is real iff |w| >= N-K+1 (K >= 2; any w for K = 1).  Each equilibrium
is printed exactly and in decimals, with the exact verification F(X) = X, rank K.

Examples:
  rankcollapse counterexample --n 3 --d 3 --rank 3 --w 2 --signs +-+
  rankcollapse counterexample --n 4 --d 4 --rank 2 --w 15/2 --all
  rankcollapse counterexample --n 3 --d 2 --rank 2 --w "sqrt(50)" --format json
  rankcollapse counterexample --n 3 --d 3 --rank 3 --w 3 --format latex

With --certify-delta DELTA, each printed equilibrium is continued to W_Q = DELTA Z_Q,
W_K = DELTA Z_K (Z seeded Gaussian, --seed) and the perturbed equilibrium is PROVED to
exist (Newton at high precision, then an interval Krawczyk test in arb, token by token;
token 1 and the block tokens stay exactly at +-e_d).  Per token the box width and
status are printed (exact / certified / open); "open" means not proved, not disproved:
  rankcollapse counterexample --n 3 --d 3 --rank 3 --w 3 --certify-delta 0.01 --seed 0

With --coupled, the computer-assisted proof of Theorem 3 (2) for the COUPLED system at
N = d = 2 (both tokens moving) runs for one w: certified invariant traps (arb), then
boxes of initial angles (theta_1, theta_2) propagated in arb and subdivided --depth times
(default 6) until each is proved to keep the tokens apart forever, proved to collapse,
or left undecided.  Prints the traps, the certified measure (a lower bound on the
non-collapsing fraction of the torus) and the two-sided enclosure; --json lists every
certified box in radians.  Progress of the subdivision goes to stderr:
  rankcollapse counterexample --coupled --w 2
  rankcollapse counterexample --coupled --w 3/2 --depth 6 --json
  rankcollapse counterexample --coupled --w 2 --n 5 --d 3 --json   # every N, d by reduction

--signs gives K signs (e.g. --signs -++): the first is an overall sign that multiplies the
whole equilibrium X -> -X; each of the others is the sign of the last coordinate of one
chain token BEFORE that overall sign is applied.  w is read exactly ("7", "15/2",
"sqrt(50)"); a decimal string is read exactly ("1.5" is 3/2); w must be algebraic and |w| <= 1e12.
"""
from __future__ import annotations

import json

import sys

from rankcollapse import argtypes

# SymPy and the constructions are imported inside the functions that use them, so that
# `rankcollapse --help` does not pay for them (see benchmarks/README.md, start-up time).

NAME = "counterexample"
#: the largest N and d accepted: the exact verification grows like N^2 d (N = d = 80 takes
#: about 12 s here; 128 about a minute)
MAX_SIZE = 128
#: --all builds 2^rank equilibria: rank 10 gives 1024 of them
MAX_ALL_RANK = 10
HELP = "print the Theorem 3 equilibria of a given rank exactly, verified"


def configure(p):
    p.add_argument("--n", type=argtypes.bounded_int(1, MAX_SIZE, "--n"), default=None,
                   help=f"number of tokens N, 1..{MAX_SIZE} (required unless --coupled)")
    p.add_argument("--d", type=argtypes.bounded_int(1, MAX_SIZE, "--d"), default=None,
                   help=f"token dimension d, 1..{MAX_SIZE} (required unless --coupled)")
    p.add_argument("--rank", type=argtypes.bounded_int(1, MAX_SIZE, "--rank"), default=None,
                   help="rank K (default min(N, d))")
    p.add_argument("--w", required=True, help="superdiagonal entry of W_V, exact: 7, 15/2, sqrt(50)")
    p.add_argument("--signs", default=None,
                   help="K signs such as -++ (default all +): the overall sign X -> -X, then "
                        "the last-coordinate sign of each chain token before it")
    p.add_argument("--all", action="store_true", help="every distinct sign choice")
    p.add_argument("--format", choices=["table", "json", "latex"], default="table",
                   help="table (default), json, or latex (SymPy's LaTeX of W_V and X*)")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument("--digits", type=argtypes.bounded_int(1, 1000, "--digits"), default=12,
                   help="digits of the decimals (12)")
    p.add_argument("--certify-delta", default=None, metavar="DELTA",
                   help="also certify (Krawczyk, arb) the equilibrium near each one for "
                        "W_Q, W_K of scale DELTA (exact decimal, e.g. 0.01 or 1/100)")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="seed of the W_Q, W_K directions for --certify-delta, and of the "
                        "soundness re-runs for --coupled (0)")
    p.add_argument("--coupled", action="store_true",
                   help="prove Theorem 3 (2) at this w: the coupled N = d = 2 system "
                        "(certified traps and boxes, arb); with --n/--d, every N and d by "
                        "reduction to it (certified measure, W_V, sample points)")
    p.add_argument("--depth", default=None,
                   help="--coupled: levels of 4-way box subdivision (default 6, at most 10)")
    p.add_argument("--jobs", type=argtypes.bounded_int(1, 256, "--jobs"), default=1,
                   help="--coupled: joblib workers certifying the boxes (default 1); the boxes "
                        "certified are the same as with one worker")
    p.add_argument("--parallel-backend", default=None, metavar="NAME",
                   help="--coupled: joblib backend for --jobs (loky by default; threading, "
                        "or a registered one such as dask)")


def _certify(args, k, w, results):
    """Krawczyk certification for --certify-delta; None when not asked."""
    if args.certify_delta is None:
        return None
    from counterexamples import krawczyk
    from numeric.errors import RankCollapseError
    from theory.exact_text import NumberSyntaxError, parse_rational
    try:
        delta = parse_rational(args.certify_delta, name="--certify-delta")
    except NumberSyntaxError:
        raise RankCollapseError(f"--certify-delta must be an exact number such as 0.01 or "
                                f"1/100, got {args.certify_delta!r}") from None
    if delta < 0:
        raise RankCollapseError(f"--certify-delta must be >= 0, got {args.certify_delta}")
    return [krawczyk.certify_perturbed(args.n, args.d, k, w, delta, seed=args.seed, X0=X)
            for X, _ in results]


def _cert_lines(ev):
    yield (f"  perturbed (delta = {ev.details['delta']}, seed {ev.details['seed']}): "
           f"{ev.status} / {ev.level}; max distance to the Jordan equilibrium "
           f"{ev.details['distance_to_jordan']:.3e}")
    for t in ev.details["tokens"]:
        yield (f"    token {t['token']}: {t['status']:<9} box width {t.get('width', float('nan')):.2e}"
               + (f"  ({t['reason']})" if t.get("reason") else ""))


def _decimal(M, digits: int):
    import sympy as sp
    return [[str(sp.N(v, digits)) for v in M.row(i)] for i in range(M.rows)]


def _build(args):
    from counterexamples import jordan
    k = args.rank if args.rank is not None else min(args.n, args.d)
    w = jordan.parse_w(args.w)
    W = jordan.value_matrix(args.d, w)
    if args.all:
        from numeric.errors import RankCollapseError
        if args.signs:
            raise RankCollapseError("--signs and --all exclude each other")
        if k > MAX_ALL_RANK:
            raise RankCollapseError(
                f"--all at rank {k} would build 2^{k} equilibria; --all is for rank <= "
                f"{MAX_ALL_RANK} (2^{MAX_ALL_RANK} equilibria): lower --rank or give --signs")
        mats = jordan.equilibria(args.n, args.d, k, w)
    else:
        mats = [jordan.equilibrium(args.n, args.d, k, w, args.signs)]
    results = [(X, jordan.verify_equilibrium(X, W, k=k)) for X in mats]
    return k, w, W, results


def _backend(args):
    """The joblib backend named by --parallel-backend, checked before any work."""
    from numeric.errors import RankCollapseError
    name = args.parallel_backend
    if name is None:
        return None
    from joblib.parallel import BACKENDS
    if name not in BACKENDS and name not in ("loky", "threading", "multiprocessing"):
        raise RankCollapseError(f"--parallel-backend: unknown joblib backend {name!r}; known: "
                                f"{', '.join(sorted(BACKENDS))}")
    return name


def _run_coupled(args) -> int:
    from counterexamples import coupled_proof as cp
    from theory.evidence import jsonable
    from numeric.errors import RankCollapseError
    from rankcollapse.progress import Progress

    w = cp.parse_w_rational(args.w)
    if w <= 1:
        raise RankCollapseError(f"--w must be > 1 for Theorem 3 (2), got {w}: the non-collapsing "
                                "equilibrium B = (-1/w, -sqrt(1 - 1/w^2)) exists only for w > 1 "
                                "(for |w| < 1 every equilibrium has rank one)")
    if args.depth is None:
        depth = cp.DEFAULT_DEPTH
    else:
        try:
            depth = int(str(args.depth))
        except ValueError:
            raise RankCollapseError(f"--depth must be an integer, got {args.depth!r}") from None
        if not 0 <= depth <= cp.MAX_DEPTH:
            raise RankCollapseError(f"--depth must be between 0 and {cp.MAX_DEPTH} (each "
                                    f"level multiplies the work by up to 4), got {depth}")
    n = 2 if args.n is None else args.n
    dim = 2 if args.d is None else args.d
    if n < 2 or dim < 2:
        raise RankCollapseError(f"--coupled needs N >= 2 and d >= 2 (two tokens in a plane), "
                                f"got N = {n}, d = {dim}")
    with Progress(f"coupled proof w={w}", total=None) as bar:
        def progress(level, done, apart, coll, pending):
            bar.update(done, f"boxes: level {level}/{depth}, {apart} apart, {coll} collapse, "
                             f"{pending} to split")
        ev, res = cp.prove(w, depth=depth, progress=progress if args.jobs == 1 else None,
                           seed=args.seed, jobs=args.jobs, backend=_backend(args))
    fmt = "json" if args.json else args.format
    if (n, dim) != (2, 2):
        return _print_reduction(args, w, n, dim, ev, res, fmt)
    d = ev.details
    if fmt == "json":
        doc = {"w": str(w), "depth": depth, "status": ev.status, "level": ev.level,
               "scope": ev.scope.to_json() if ev.scope else None,
               "certified_measure": d["certified_measure"],
               "certified_measure_exact": d["certified_measure_exact"],
               "certified_collapse_measure": d["certified_collapse_measure"],
               "non_collapsing_fraction_enclosure": d["non_collapsing_fraction_enclosure"],
               "traps": d["traps"], "max_T": d["max_T"],
               "boxes": d["certified_boxes"], "boxes_sign_flip": d["certified_boxes_sign_flip"],
               "undecided_measure": d["undecided_measure"],
               "undecided_reasons": d["undecided_reasons"],
               "soundness": d["soundness_apart"], "soundness_collapse": d["soundness_collapse"],
               "seconds": d["prove_seconds"]}
        print(json.dumps(jsonable(doc), indent=2))
    else:
        print(f"Theorem 3 (2), coupled N = d = 2, w = {w}: {ev.status} / {ev.level}")
        apart = [t for t in d["traps"] if t["kind"] == "apart"]
        coll = [t for t in d["traps"] if t["kind"] == "collapse"]
        print(f"certified traps: {len(apart)} apart, {len(coll)} collapse")
        for t in apart:
            print(f"  apart: phi >= {t['phi_c']:.6f}, theta_2 in [{t['j_lo']:.6f}, phi + "
                  f"{t['D']:g}]  (J within [{t['J'][0]:.4f}, {t['J'][1]:.4f}]), "
                  f"|sin(theta_2 - theta_1)| >= {t['separation_c']:.4f}, "
                  f"dG/dtheta at B = {t.get('dG/dtheta_at_B', float('nan')):.4f}")
        for t in coll:
            print(f"  collapse: phi >= {t['phi_c']:.6f}, -{t['D1']:g} <= theta_2 - theta_1 "
                  f"<= {t['D2']:g}")
        lo, hi = d["non_collapsing_fraction_enclosure"]
        print(f"boxes (depth {depth}): {d['boxes_apart']} apart, {d['boxes_collapse']} "
              f"collapse, {d['boxes_undecided']} undecided (max T {d['max_T']})")
        print(f"certified measure (fraction of the torus, x_11 < 0 copies included): "
              f"{lo:.6f} = {d['certified_measure_exact']}")
        print(f"non-collapsing fraction enclosure: [{lo:.6f}, {hi:.6f}]")
        print(f"undecided: {d['undecided_reasons']}")
        s = d["soundness_apart"]
        print(f"soundness re-run (mpmath:{s.get('dps')}, T = {s.get('T')}, {s.get('points')} "
              f"points in certified boxes): {'ok' if s.get('ok') else s.get('ok')}")
        print(f"time {d['prove_seconds']:.1f} s; --json lists every box in radians")
    return 0 if ev.ok else 1


def _print_reduction(args, w, n: int, dim: int, ev2, res, fmt: str) -> int:
    """Theorem 3 (2) at N, d by reduction to the certified N = d = 2 boxes."""
    from counterexamples import coupled_proof as cp
    from counterexamples import plane_reduction as R
    from theory.evidence import jsonable
    ev, out = R.prove(w, dims=(dim,), coupled=(ev2, res))
    m = out["measures"][dim]
    boxes = res["apart_boxes"]
    points = R.sample_points(n, dim, w, boxes, 4, seed=args.seed) if boxes else []
    W = R.value_matrix(dim, w)
    if fmt == "json":
        doc = {"n": n, "d": dim, "w": str(w), "status": ev.status, "level": ev.level,
               "scope": ev.scope.to_json() if ev.scope else None,
               "certified_measure": float(m["measure"].lower()),
               "certified_measure_ball": str(m["measure"]),
               "measure_of": f"fraction of (S^{dim - 1})^{n} (tokens 3..{n} free, minus a "
                             "null set); sign-flip copies included",
               "W_V": [[float(W[i, j]) for j in range(dim)] for i in range(dim)],
               "W_V_exact": [[str(W[i, j]) for j in range(dim)] for i in range(dim)],
               "W_Q": "0", "W_K": "0",
               "points": [X.tolist() for X in points],
               "boxes": cp.boxes_radians(boxes), "T_planar": res["max_T"],
               "reduction": {k: v for k, v in ev.details.items() if k != "parts"},
               "steps": [{"statement": p["statement"], "status": p["status"],
                          "level": p["level"]} for p in ev.details["parts"]]}
        print(json.dumps(jsonable(doc), indent=2))
    else:
        print(f"Theorem 3 (2), causal post-LN, N = {n}, d = {dim}, w = {w}: {ev.status} / "
              f"{ev.level}")
        print(f"weights: W_Q = W_K = 0, W_V = (S (+) 0_{dim - 2}) / ||S||_2, S = [[1, {w}], "
              "[0, 1]]")
        import textwrap
        for p in ev.details["parts"]:
            print(textwrap.fill(f"[{p['status']} / {p['level']}] {p['statement']}", 100,
                                initial_indent="  ", subsequent_indent="      "))
        print(f"certified measure (fraction of (S^{dim - 1})^{n}): >= "
              f"{float(m['measure'].lower()):.6g}  ({m['measure']})")
        print(f"rows 1, 2 stay apart from layer {ev.details['rank_at_least_2_from']}")
        print("--json adds W_V, sample points from the certified set and the boxes")
    return 0 if ev.ok else 1


def run(args) -> int:
    if args.coupled:
        return _run_coupled(args)
    import sympy as sp

    from counterexamples import jordan
    from numeric.errors import RankCollapseError
    from theory.evidence import jsonable
    if args.n is None or args.d is None:
        raise RankCollapseError("--n and --d are required (unless --coupled)")
    k, w, W, results = _build(args)
    certs = _certify(args, k, w, results)
    fmt = "json" if args.json else args.format
    thr = jordan.construction_threshold(args.n, k)
    cond = "any w" if thr is None else f"|w| >= N-K+1 = {thr}"
    if fmt == "json":
        doc = {"n": args.n, "d": args.d, "rank": k, "w": str(w), "w_condition": cond,
               "W_V": [[str(v) for v in W.row(i)] for i in range(W.rows)],
               "equilibria": [{"exact": [[str(v) for v in X.row(i)] for i in range(X.rows)],
                               "decimal": _decimal(X, args.digits),
                               "verification": ev.to_json()} for X, ev in results]}
        if certs is not None:
            for item, cev in zip(doc["equilibria"], certs):
                cj = cev.to_json()
                cj["details"].pop("solution_mp", None)
                item["certification"] = cj
        print(json.dumps(jsonable(doc), indent=2))
    elif fmt == "latex":
        print(f"% N={args.n}, d={args.d}, rank {k}, w = {w}; construction real iff {cond}")
        print(f"W_V = {sp.latex(W)}")
        for X, ev in results:
            print(f"X^* = {sp.latex(X)}  % {ev.status} / {ev.level}")
        for cev in certs or []:
            for line in _cert_lines(cev):
                print("%" + line)
    else:
        print(f"N = {args.n}, d = {args.d}, rank K = {k}, w = {w}  (construction real iff {cond})")
        print("W_V (exact):")
        sp.pprint(W, use_unicode=False)
        for idx, (X, ev) in enumerate(results, 1):
            print(f"\nequilibrium {idx}/{len(results)}: {ev.status} / {ev.level} "
                  f"(rank {ev.details.get('rank')}, {ev.details.get('arithmetic')})")
            sp.pprint(X, use_unicode=False)
            print("decimals:")
            for row in _decimal(X, args.digits):
                print("  " + "  ".join(f"{v:>{args.digits + 4}}" for v in row))
            if ev.witness is not None:
                print(f"  witness: {ev.witness}")
            if certs is not None:
                for line in _cert_lines(certs[idx - 1]):
                    print(line)
    ok = all(ev.ok for _, ev in results)
    if certs is not None:
        ok = ok and all(c.ok for c in certs)
    if not ok:   # say why on stderr, in one line (the details are in the output)
        bad = next((ev for _, ev in results if not ev.ok), None) or \
            next(c for c in certs if not c.ok)
        reason = (bad.details.get("open_reason") or bad.details.get("reason")
                  or bad.narrower or bad.statement)
        print(f"rankcollapse counterexample: {bad.status}: {reason}", file=sys.stderr)
    return 0 if ok else 1
