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

--signs gives one sign per token group: the overall sign, then the sign of the last
coordinate of each chain token (K signs in all).  w is read exactly ("7", "15/2",
"sqrt(50)"); a decimal string is read exactly ("1.5" is 3/2); w must be algebraic and |w| <= 1e12.
"""
from __future__ import annotations

import json

import sympy as sp

from counterexamples import jordan
from theory.evidence import jsonable

NAME = "counterexample"
HELP = "print the Theorem 3 equilibria of a given rank exactly, verified"


def configure(p):
    p.add_argument("--n", type=int, required=True, help="number of tokens N")
    p.add_argument("--d", type=int, required=True, help="token dimension d")
    p.add_argument("--rank", type=int, default=None, help="rank K (default min(N, d))")
    p.add_argument("--w", required=True, help="superdiagonal entry of W_V, exact: 7, 15/2, sqrt(50)")
    p.add_argument("--signs", default=None, help="K signs such as +-+ (default all +)")
    p.add_argument("--all", action="store_true", help="every distinct sign choice")
    p.add_argument("--format", choices=["table", "json", "latex"], default="table")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument("--digits", type=int, default=12, help="digits of the decimals (12)")
    p.add_argument("--certify-delta", default=None, metavar="DELTA",
                   help="also certify (Krawczyk, arb) the equilibrium near each one for "
                        "W_Q, W_K of scale DELTA (exact decimal, e.g. 0.01 or 1/100)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the W_Q, W_K directions for --certify-delta (0)")


def _certify(args, k, w, results):
    """Krawczyk certification for --certify-delta; None when not asked."""
    if args.certify_delta is None:
        return None
    from fractions import Fraction

    from counterexamples import krawczyk
    from numeric.errors import RankCollapseError
    try:
        delta = Fraction(args.certify_delta)
    except (ValueError, ZeroDivisionError):
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


def _decimal(M: sp.Matrix, digits: int):
    return [[str(sp.N(v, digits)) for v in M.row(i)] for i in range(M.rows)]


def _build(args):
    k = args.rank if args.rank is not None else min(args.n, args.d)
    w = jordan.parse_w(args.w)
    W = jordan.value_matrix(args.d, w)
    if args.all:
        if args.signs:
            from numeric.errors import RankCollapseError
            raise RankCollapseError("--signs and --all exclude each other")
        mats = jordan.equilibria(args.n, args.d, k, w)
    else:
        mats = [jordan.equilibrium(args.n, args.d, k, w, args.signs)]
    results = [(X, jordan.verify_equilibrium(X, W, k=k)) for X in mats]
    return k, w, W, results


def run(args) -> int:
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
    return 0 if ok else 1
