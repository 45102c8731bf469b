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

Each verdict has a status (holds / fails / open), a level (formal, exact, certified,
numeric-hp, numeric) and a scope: universal (every input of an infinite or symbolic
domain), exhaustive (every member of a stated finite set), sampled (n instances,
generator, seed), witness (one explicit instance), or mixed (parts of several kinds; each
part says whether it covers the claim's statement or an ingredient of its proof).
"""
from __future__ import annotations

import json
import sys
import time

from numeric.errors import RankCollapseError
from rankcollapse import argtypes
from rankcollapse.claims import Config, load, run as run_claim
from rankcollapse.progress import Heartbeat, Progress
from theory.evidence import LEVELS, scope_counts, scope_short

SCOPE_KINDS = ("universal", "exhaustive", "mixed", "sampled", "witness")
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
    """The scope column: ``universal``, ``exhaustive(n)``, ``sampled(n)``, ``witness``, or
    for mixed the parts by kind, ``mixed(universal 2, sampled 43)`` (``-`` when a check
    stated none); ``long`` adds the domain / generator / seed and each part's role."""
    if not scope:
        return "-"
    kind = scope["kind"]
    role = f" [covers {scope['role']}]" if scope.get("role") else ""
    short = scope_short(scope)
    if kind == "sampled":
        extra = f"{scope['generator']}; seed {scope.get('seed')}"
    elif kind == "mixed":
        extra = " | ".join(scope_text(p, True) for p in scope["parts"])
    else:
        extra = scope.get("domain", "") + (f" [{scope['method']}]" if scope.get("method")
                                           else "")
    return f"{short}{role}: {extra}" if long else short


def covers_text(scope: dict | None) -> str:
    """The ``covers`` cell of the Markdown table: what each part covers, by kind, with
    the part that covers the claim's own statement named first."""
    if not scope:
        return "-"
    parts = scope["parts"] if scope["kind"] == "mixed" else [scope]
    parts = sorted(parts, key=lambda p: p.get("role") != "statement")

    def one(p):
        k = p["kind"]
        tag = {"statement": "statement: ", "ingredient": "ingredient: "}.get(p.get("role"), "")
        if k == "universal":
            return f"{tag}all of: {p['domain']}"
        if k == "exhaustive":
            return f"{tag}each of: {p['domain']}"
        if k == "witness":
            return f"{tag}witness: {p['domain']}"
        return f"{tag}{p['instances']} sampled (seed {p.get('seed')})"
    return "; ".join(one(p) for p in parts)


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


def _recheck_formal(chosen):
    """Re-check the Coq development once, before the claims that name its theorems; one
    line on stderr when coqc is missing or the build fails.  None if no claim needs it."""
    if not any(c.formal for c in chosen):
        return None
    from rankcollapse.claims import formal_report
    with Heartbeat("verify", "re-checking the Coq proofs in formal/", every=10.0):
        rep = formal_report()
    if rep.status == "unavailable":
        print(f"[verify] formal proofs: {rep.reason}", file=sys.stderr, flush=True)
    elif not rep.ok:
        print(f"[verify] formal proofs did NOT check ({rep.error}); no claim is reported "
              "at level formal", file=sys.stderr, flush=True)
    return rep


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
    formal_rep = _recheck_formal(chosen)
    results = []
    t0 = time.perf_counter()
    interrupted = False
    with Progress("verify", len(chosen), delay=0.5) as prog:
        for k, c in enumerate(chosen):
            prog.update(k, c.id)
            try:
                with Heartbeat("verify", f"{c.id} (claim {k + 1}/{len(chosen)})",
                               every=15.0):
                    results.append(run_claim(c, config))
            except KeyboardInterrupt:
                interrupted = True
                print(f"\n[verify] interrupted (Ctrl-C) during {c.id}: the report below "
                      f"covers the {len(results)} claims finished", file=sys.stderr)
                break
            if args.thorough:   # slow runs: one line per claim, with its time
                r = results[-1]
                print(f"[verify] {k + 1}/{len(chosen)} {c.id}: {r['status']} "
                      f"({r['seconds']:.1f} s)", file=sys.stderr, flush=True)
    total = time.perf_counter() - t0
    counts = {s: sum(r["status"] == s for r in results)
              for s in ("holds", "fails", "open", "error")}
    scopes = {k: sum(1 for r in results if r["status"] == "holds" and r["scope"]
                     and r["scope"]["kind"] == k)
              for k in SCOPE_KINDS}
    parts = {k: 0 for k in ("universal", "exhaustive", "witness", "sampled")}
    for r in results:
        if r["scope"]:
            for k in scope_counts(r["scope"]):
                parts[k] += 1
    levels = {lv: sum(1 for r in results if r["level"] == lv) for lv in LEVELS}
    if args.markdown:
        print("| claim | paper | status | level | erratum class | covers | seconds | test |")
        print("|---|---|---|---|---|---|---|---|")
        for r in results:
            cov = covers_text(r["scope"]).replace("|", "/")
            cls = r["erratum"]["class"] if r.get("erratum") else "-"
            print(f"| `{r['id']}` | {r['ref']} | {r['status']} | {r['level']} | {cls} | {cov} | "
                  f"{r['seconds']:.2f} | `{r['test']}` |")
        print(f"\n{len(results)} claims, seed {args.seed}: " +
              ", ".join(f"{v} {k}" for k, v in counts.items()))
    elif args.json:
        json.dump({"claims": results, "summary": {**counts, "holds_by_scope": scopes,
                                                  "claims_with_part": parts,
                                                  "by_level": levels,
                                                  "seconds": round(total, 2),
                                                  "seed": args.seed,
                                                  "thorough": args.thorough,
                                                  "formal": None if formal_rep is None else
                                                  {k: v for k, v in formal_rep.to_json().items()
                                                   if k != "theorems"}}},
                  sys.stdout, indent=1)
        print()
    else:
        print(f"{'claim':32s} {'status':7s} {'level':10s} {'scope':42s} {'sec':>6s}  evidence")
        for r in results:
            print(f"{r['id']:32s} {r['status']:7s} {str(r['level']):10s} "
                  f"{scope_text(r['scope']):42s} {r['seconds']:6.2f}  "
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
                if r.get("erratum"):
                    print(f"    erratum ({r['erratum']['class']}): {r['erratum']['reason']}")
                for w in r.get("warnings") or []:
                    print(f"    warning inside the check: {w}")
                if r["status"] == "error":
                    print("    " + r["evidence"]["error"])
        noun = "claim" if len(results) == 1 else "claims"
        print(f"\n{len(results)} {noun} in {total:.1f} s: " +
              ", ".join(f"{v} {k}" for k, v in counts.items()) + f" (seed {args.seed})")
        print("holds by scope: " + ", ".join(f"{v} {k}" for k, v in scopes.items()))
        with_formal = [r["id"] for r in results if any(
            p.get("level") == "formal" and p.get("status") == "holds"
            for p in (r["evidence"].get("parts") or []))]
        if with_formal:
            how = "from the cache keyed by the sources" if formal_rep and formal_rep.cached \
                else "in this run"
            print(f"proved in Coq (re-checked {how}; a claim's level is its weakest part): " +
                  ", ".join(with_formal))
        print("claims with a part of each kind: " +
              ", ".join(f"{v} {k}" for k, v in parts.items()))
    if interrupted:
        return 130
    if counts["error"]:
        return 1
    if args.strict and (counts["fails"] or counts["open"]):
        return 1
    return 0
