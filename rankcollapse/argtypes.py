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
