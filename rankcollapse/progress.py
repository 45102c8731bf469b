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


class Heartbeat:
    """``with Heartbeat("verify", "appendix-f4-conjecture"): ...``: while the block runs
    longer than ``every`` seconds, print a line on stderr every ``every`` seconds saying
    what is still running (so a long step is never silent)."""

    def __init__(self, label: str, what: str, *, every: float = 10.0, stream=None,
                 enabled: bool = True):
        import threading

        self.label, self.what, self.every = label, what, every
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self.t0 = time.perf_counter()

    def _beat(self):
        while not self._stop.wait(self.every):
            self.stream.write(f"[{self.label}] still running {self.what} "
                              f"({time.perf_counter() - self.t0:.0f} s)\n")
            self.stream.flush()

    def __enter__(self):
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        return False
