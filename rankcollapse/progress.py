"""Progress on stderr for slow work: a redrawn line on a terminal, sparse lines in logs."""
from __future__ import annotations

import sys
import time


class Progress:
    """``with Progress("simulate", total=T) as p: ... p.update(t)``.

    Quiet for the first ``delay`` seconds, so fast runs print nothing."""

    def __init__(self, label: str, total: int | None = None, *, enabled: bool = True,
                 delay: float = 1.0, stream=None):
        self.label, self.total, self.enabled, self.delay = label, total, enabled, delay
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()
        self.last = 0.0
        self.shown = False

    def __enter__(self):
        return self

    def update(self, done: int, info: str = "") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.t0 < self.delay or (now - self.last < (0.2 if self.tty else 5.0)):
            return
        self.last = now
        tot = f"/{self.total}" if self.total else ""
        msg = f"[{self.label}] {done}{tot} {info} ({now - self.t0:.1f} s)"
        if self.tty:
            self.stream.write("\r\033[K" + msg)
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()
        self.shown = True

    def __exit__(self, *exc):
        if self.enabled and self.shown and self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
        return False
