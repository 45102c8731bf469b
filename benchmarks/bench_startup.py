"""Start-up time of the command: `import rankcollapse.cli` plus building the parser, and
`rankcollapse --help` end to end, against a bare `python -c pass` in the same run (the
ratio is what to compare across machines).  Target: import + parser under 0.3 s.

    python benchmarks/bench_startup.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time


def _wall(argv, reps=5) -> float:
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main() -> None:
    base = _wall([sys.executable, "-c", "pass"])
    cli = _wall([sys.executable, "-c", "import rankcollapse.cli as c; c.build_parser()"])
    helps = _wall([sys.executable, "-m", "rankcollapse.cli", "--help"])
    out = subprocess.run([sys.executable, "-X", "importtime", "-c",
                          "import rankcollapse.cli as c; c.build_parser()"],
                         capture_output=True, text=True).stderr.splitlines()
    heavy = sorted((int(l.split("|")[1]), l.split("|")[2].strip()) for l in out
                   if l.startswith("import time:") and l.split("|")[1].strip().isdigit())
    print(f"python -c pass            {base:.3f} s")
    print(f"import cli + parser       {cli:.3f} s  ({cli / base:.1f}x bare python; "
          f"{cli - base:.3f} s of our own)")
    print(f"rankcollapse --help       {helps:.3f} s  ({helps / base:.1f}x bare python)")
    print("largest cumulative imports (us):", ", ".join(f"{n} {us}" for us, n in heavy[-4:]))


if __name__ == "__main__":
    main()
