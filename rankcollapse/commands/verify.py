"""Run the claims registry: each claim of the paper, checked at the strongest level we
can afford, with status holds / fails / open.

Examples:
  rankcollapse verify                 # the default set, a table
  rankcollapse verify --json          # one JSON document for programs
  rankcollapse verify --list          # the claim ids
  rankcollapse verify --claim theorem-1 --claim lemma-3
  rankcollapse verify --thorough --seed 7   # larger samples and sizes (about 2 min)

Exit status: 0 when every check ran (a claim that FAILS is a finding, reported with its
witness); 1 when a check crashed; with --strict also 1 when a claim fails or stays open;
2 for bad input (an unknown claim id, a negative seed, conflicting options).

Each verdict has a status (holds / fails / open), a level (exact, certified,
numeric-hp, numeric) and a scope: universal (proved for a whole stated domain), sampled
(n instances, generator, seed), mixed (both), witness (one explicit instance).
"""
from __future__ import annotations

import json
import sys
import time

from numeric.errors import RankCollapseError
from rankcollapse import argtypes
from rankcollapse.claims import Config, load, run as run_claim
from rankcollapse.progress import Heartbeat, Progress

NAME = "verify"
HELP = "check the paper's claims and report status, level and evidence"


def configure(p):
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--claim", action="append", metavar="ID", help="run only this claim "
                   "(repeatable); see --list")
    p.add_argument("--all", action="store_true",
                   help="also run claims registered as non-default (none at present: every "
                        "claim runs by default; --thorough is what makes a run heavier)")
    out.add_argument("--markdown", action="store_true",
                     help="print a Markdown table (claim, reference, status, level, covers, "
                          "seconds, test)")
    p.add_argument("--list", action="store_true", help="list claim ids and exit")
    p.add_argument("--thorough", action="store_true",
                   help="larger samples and sizes (about 3 minutes; a line per claim)")
    p.add_argument("--seed", type=argtypes.seed, default=0,
                   help="seed of every sampled check, an integer >= 0 (default 0); the same "
                        "seed gives the same JSON")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 if a claim fails or stays open")
    p.add_argument("--verbose", "-v", action="store_true", help="print evidence details")


def scope_text(scope: dict | None, long: bool = False) -> str:
    """The scope column: ``universal``, ``sampled(n)``, ``mixed(+n)``, ``witness`` (or
    ``-`` when a check stated none); ``long`` adds the domain / generator / seed."""
    if not scope:
        return "-"
    kind = scope["kind"]
    if kind == "sampled":
        short = f"sampled({scope['instances']})"
        extra = f"{scope['generator']}; seed {scope.get('seed')}"
    elif kind == "mixed":
        parts = scope["parts"]
        n = sum(p.get("instances", 0) for p in parts if p["kind"] == "sampled")
        short = f"mixed(+{n})"
        extra = " | ".join(scope_text(p, True) for p in parts)
    else:
        short = kind
        extra = scope.get("domain", "") + (f" [{scope['method']}]" if scope.get("method")
                                           else "")
    return f"{short}: {extra}" if long else short


def covers_text(scope: dict | None) -> str:
    """The ``covers`` cell of the Markdown table: the universal domains, the number of
    sampled instances and their seed, or the witness."""
    if not scope:
        return "-"
    kind = scope["kind"]
    if kind == "universal":
        return "all of: " + scope["domain"]
    if kind == "witness":
        return "witness: " + scope["domain"]
    if kind == "sampled":
        return f"{scope['instances']} sampled (seed {scope.get('seed')})"
    uni = [p["domain"] for p in scope["parts"] if p["kind"] in ("universal", "witness")]
    n = sum(p.get("instances", 0) for p in scope["parts"] if p["kind"] == "sampled")
    return "all of: " + "; ".join(uni) + f" + {n} sampled"


def _short(ev: dict) -> str:
    keep = {k: v for k, v in ev.items() if k not in ("checked", "parts", "traceback")}
    s = ", ".join(f"{k}={v}" for k, v in keep.items())
    return s if len(s) <= 70 else s[:67] + "..."


def _announce_thorough(chosen) -> None:
    """Before a --thorough run: how long it took when last measured (per-claim seconds in
    rankcollapse/claims/thorough_seconds.json, from benchmarks/bench_verify.py)."""
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "claims" / "thorough_seconds.json"
    try:
        table = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    secs = table.get("seconds", {})
    known = [secs[c.id] for c in chosen if c.id in secs]
    if not known:
        return
    top = max(((secs.get(c.id, 0), c.id) for c in chosen))
    noun = "claim" if len(chosen) == 1 else "claims"
    total = sum(known)
    took = f"{total / 60:.1f} min" if total >= 60 else f"{total:.0f} s"
    print(f"[verify] --thorough: {len(chosen)} {noun}, about {took} when "
          f"last measured ({table.get('measured', '')[:10]}; the longest, {top[1]}, "
          f"{top[0]:.0f} s; peak memory {table.get('peak_rss_mib', '?')} MiB)",
          file=sys.stderr, flush=True)


def run(args) -> int:
    reg = load()
    if args.list:
        if args.json:
            json.dump([{"id": c.id, "ref": c.ref, "statement": c.statement,
                        "default": c.default, "test": c.test} for c in reg.values()],
                      sys.stdout, indent=1)
            print()
            return 0
        if args.markdown:
            raise RankCollapseError("--list prints ids; use it with --json or alone")
        for c in reg.values():
            flag = "" if c.default else "  (--all)"
            print(f"{c.id:34s} {c.ref}{flag}")
        return 0
    if args.claim:
        unknown = [i for i in args.claim if i not in reg]
        if unknown:
            raise RankCollapseError(f"unknown claim id(s) {unknown}; see `rankcollapse verify "
                                    "--list`")
        chosen = [reg[i] for i in args.claim]
    else:
        chosen = [c for c in reg.values() if c.default or args.all]
    config = Config(seed=args.seed, thorough=args.thorough)
    if args.thorough:
        _announce_thorough(chosen)
    results = []
    t0 = time.perf_counter()
    with Progress("verify", len(chosen), delay=0.5) as prog:
        for k, c in enumerate(chosen):
            prog.update(k, c.id)
            with Heartbeat("verify", f"{c.id} (claim {k + 1}/{len(chosen)})", every=15.0):
                results.append(run_claim(c, config))
            if args.thorough:   # slow runs: one line per claim, with its time
                r = results[-1]
                print(f"[verify] {k + 1}/{len(chosen)} {c.id}: {r['status']} "
                      f"({r['seconds']:.1f} s)", file=sys.stderr, flush=True)
    total = time.perf_counter() - t0
    counts = {s: sum(r["status"] == s for r in results)
              for s in ("holds", "fails", "open", "error")}
    scopes = {k: sum(1 for r in results if r["status"] == "holds" and r["scope"]
                     and r["scope"]["kind"] == k)
              for k in ("universal", "mixed", "sampled", "witness")}
    if args.markdown:
        print("| claim | paper | status | level | covers | seconds | test |")
        print("|---|---|---|---|---|---|---|")
        for r in results:
            cov = covers_text(r["scope"]).replace("|", "/")
            print(f"| `{r['id']}` | {r['ref']} | {r['status']} | {r['level']} | {cov} | "
                  f"{r['seconds']:.2f} | `{r['test']}` |")
        print(f"\n{len(results)} claims, seed {args.seed}: " +
              ", ".join(f"{v} {k}" for k, v in counts.items()))
    elif args.json:
        json.dump({"claims": results, "summary": {**counts, "holds_by_scope": scopes,
                                                  "seconds": round(total, 2),
                                                  "seed": args.seed,
                                                  "thorough": args.thorough}},
                  sys.stdout, indent=1)
        print()
    else:
        print(f"{'claim':32s} {'status':7s} {'level':10s} {'scope':13s} {'sec':>6s}  evidence")
        for r in results:
            print(f"{r['id']:32s} {r['status']:7s} {str(r['level']):10s} "
                  f"{scope_text(r['scope']):13s} {r['seconds']:6.2f}  "
                  f"{_short(r['evidence'])}")
            if r["status"] in ("fails", "error") or args.verbose:
                print(f"    checked: {r['evidence'].get('checked')}")
                print(f"    covers: {scope_text(r['scope'], True)}")
                print(f"    test: {r['test']}")
                if args.verbose:
                    print("    evidence: " + json.dumps(
                        {k: v for k, v in r["evidence"].items() if k != "traceback"},
                        indent=1).replace("\n", "\n    "))
                if r["witness"] is not None:
                    print(f"    witness: {json.dumps(r['witness'])[:400]}")
                if r["narrower"]:
                    print(f"    what holds instead: {r['narrower']}")
                if r["status"] == "error":
                    print("    " + r["evidence"]["error"])
        noun = "claim" if len(results) == 1 else "claims"
        print(f"\n{len(results)} {noun} in {total:.1f} s: " +
              ", ".join(f"{v} {k}" for k, v in counts.items()) + f" (seed {args.seed})")
        print("holds by scope: " + ", ".join(f"{v} {k}" for k, v in scopes.items()))
    if counts["error"]:
        return 1
    if args.strict and (counts["fails"] or counts["open"]):
        return 1
    return 0
