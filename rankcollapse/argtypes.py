"""Argument types shared by the commands: each refuses a bad value in one line naming it."""
from __future__ import annotations

import argparse


def seed(text: str) -> int:
    """A seed: an integer in ``[0, 2^63)`` (numpy's generators refuse negative seeds)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the seed must be an integer >= 0, got {text!r}")
    if not 0 <= v < 2 ** 63:
        raise argparse.ArgumentTypeError(f"the seed must be an integer in [0, 2^63), got {v}")
    return v


def bounded_int(lo: int, hi: int, what: str):
    """An integer in ``[lo, hi]``; the error names ``what`` and the bounds."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text!r}")
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be between {lo} and {hi}, got {v}")
        return v
    parse.__name__ = what
    return parse


def join_sign_strings(argv: list[str], options=("--signs",)) -> list[str]:
    """``--signs -++`` -> ``--signs=-++``: argparse would read a value starting with '-'
    as an option."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a in options and i + 1 < len(argv) and argv[i + 1] and \
                set(argv[i + 1]) <= {"+", "-"}:
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def positive_float(what: str, hi: float | None = None, allow_zero: bool = False):
    """A finite float ``> 0`` (``>= 0`` with ``allow_zero``; and ``<= hi``): ``nan``, ``inf``,
    ``1e400`` and negative values are refused in one line naming ``what``."""
    import math

    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got {text!r}")
        low_ok = v >= 0 if allow_zero else v > 0
        if not math.isfinite(v) or not low_ok or (hi is not None and v > hi):
            bound = f" and at most {hi:g}" if hi is not None else ""
            rel = ">= 0" if allow_zero else "> 0"
            raise argparse.ArgumentTypeError(f"{what} must be a finite number {rel}{bound}, "
                                             f"got {text!r}")
        return v
    parse.__name__ = what
    return parse


#: pseudo filesystems a result can never be written to
_PSEUDO = ("/proc", "/sys", "/dev")


def _check_writable_dir(path, what: str):
    import os
    from pathlib import Path

    p = Path(path).expanduser().resolve()
    if any(str(p) == r or str(p).startswith(r + "/") for r in _PSEUDO):
        raise argparse.ArgumentTypeError(f"{what}: {path!r} is on a pseudo filesystem "
                                         f"({p.parts[1]}); choose a real directory")
    return p, os


def output_dir(what: str):
    """A directory to write into: created if missing (its parent must exist), refused if it
    is a file, on a pseudo filesystem or not writable.  Checked before any work."""
    def parse(text: str):
        if not text:
            raise argparse.ArgumentTypeError(f"{what} must name a directory, got ''")
        p, os = _check_writable_dir(text, what)
        if p.exists() and not p.is_dir():
            raise argparse.ArgumentTypeError(f"{what}: {text!r} exists and is not a directory")
        probe = p if p.exists() else p.parent
        if not probe.is_dir():
            raise argparse.ArgumentTypeError(f"{what}: the parent directory {str(probe)!r} "
                                             "does not exist")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"{what}: {str(probe)!r} is not writable")
        return text
    parse.__name__ = what
    return parse


def output_file(what: str):
    """A file to write: its directory must exist and be writable; not a directory, not on
    a pseudo filesystem."""
    def parse(text: str):
        if not text:
            raise argparse.ArgumentTypeError(f"{what} must name a file, got ''")
        p, os = _check_writable_dir(text, what)
        if p.is_dir():
            raise argparse.ArgumentTypeError(f"{what}: {text!r} is a directory")
        if not p.parent.is_dir():
            raise argparse.ArgumentTypeError(f"{what}: the directory {str(p.parent)!r} does "
                                             "not exist")
        if not os.access(p.parent, os.W_OK | os.X_OK) or (p.exists() and not
                                                          os.access(p, os.W_OK)):
            raise argparse.ArgumentTypeError(f"{what}: {text!r} is not writable")
        return text
    parse.__name__ = what
    return parse
