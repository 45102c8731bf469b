"""Time every claim of `rankcollapse verify` (default and --thorough) and write the
thorough per-claim seconds that `verify --thorough` uses for its up-front estimate.

    python benchmarks/bench_verify.py            # prints both totals
    python benchmarks/bench_verify.py --write    # also rewrites rankcollapse/claims/thorough_seconds.json
"""
from __future__ import annotations

import datetime
import json
import pathlib
import sys
import time

from rankcollapse.claims import Config, load, run

OUT = pathlib.Path(__file__).resolve().parent.parent / "rankcollapse/claims/thorough_seconds.json"


def main() -> None:
    reg = load()
    totals = {}
    per = {}
    for thorough in (False, True):
        t0 = time.perf_counter()
        for c in reg.values():
            r = run(c, Config(0, thorough))
            if thorough:
                per[c.id] = round(r["seconds"], 1)
        totals[thorough] = time.perf_counter() - t0
    print(f"default verify: {totals[False]:.1f} s; --thorough: {totals[True]:.1f} s "
          f"(ratio {totals[True] / totals[False]:.1f})")
    if "--write" in sys.argv:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024   # kB -> MiB
        OUT.write_text(json.dumps({"measured": f"{datetime.date.today()}, "
                                   "benchmarks/bench_verify.py, wall seconds",
                                   "peak_rss_mib": peak, "seconds": per}, indent=1) + "\n")
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
