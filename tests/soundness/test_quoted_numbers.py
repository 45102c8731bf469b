"""Numbers the README and the notes quote from a registry computation are tied to it.

A quoted number carries its source right after it as an HTML comment (invisible when the
Markdown is rendered): ``0.927<!--rc theorem-1 evidence.parts.3.details.per_mask.complete.
bound_rate_per_layer-->``: the claim id, then the path into that claim's entry of
``rankcollapse verify --json`` (list items by index).  The test runs the registry (seed 0,
shared with the other soundness tests), reads the value (the midpoint of a ball, or an
exact fraction) and requires the quoted number to be that value rounded to the digits
printed.  A planted mismatch is the negative control.
"""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = ("README.md", "paper_notes.md")
QUOTE = re.compile(r"(-?\d+(?:\.\d+)?(?:e-?\d+)?|\d+/\d+)<!--rc ([a-z0-9-]+) ([^ >]+)-->")


def quotes(text: str) -> list[tuple[str, str, str]]:
    return QUOTE.findall(text)


def lookup(results: list, cid: str, path: str):
    node = next(r for r in results if r["id"] == cid)
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def value_of(v) -> Fraction:
    """A registry value as an exact number: an arb ball's midpoint, a fraction, a float."""
    if isinstance(v, (int, float)):
        return Fraction(v)
    s = str(v).strip()
    m = re.fullmatch(r"\[(-?[\d.e+-]*)\s*\+/-\s*[\d.e+-]+\]", s)
    if m:
        return Fraction(m.group(1)) if m.group(1) else Fraction(0)
    return Fraction(s)


def agrees(quoted: str, v) -> bool:
    """``quoted`` is ``v`` rounded to the digits printed (a fraction must match exactly)."""
    val = value_of(v)
    if "/" in quoted:
        return Fraction(quoted) == val
    q = Fraction(quoted)
    mant = quoted.split("e")[0].lstrip("-")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    exp = int(quoted.split("e")[1]) if "e" in quoted else 0
    half_unit = Fraction(1, 2) * Fraction(10) ** (exp - decimals)
    return abs(val - q) <= half_unit


def mismatches(text: str, results: list) -> list[str]:
    out = []
    for q, cid, path in quotes(text):
        try:
            v = lookup(results, cid, path)
        except (StopIteration, KeyError, IndexError, ValueError):
            out.append(f"{q} <- {cid} {path}: no such value in the registry's JSON")
            continue
        if not agrees(q, v):
            out.append(f"{q} <- {cid} {path}: the registry says {v}")
    return out


@pytest.mark.parametrize("name", FILES)
def test_quoted_numbers_match_the_registry(name, results):
    text = (ROOT / name).read_text()
    assert mismatches(text, results) == []


def test_the_key_numbers_are_tied():
    """The numbers that disagreed across the notes, the README and the site (Theorem 1's
    rates per mask, the coupled proof's certified measure) carry their source."""
    tied = {(cid, path.split(".")[-1]) for name in FILES
            for _, cid, path in quotes((ROOT / name).read_text())}
    assert ("theorem-1", "measured_rate_per_layer") in tied
    assert ("theorem-1", "bound_rate_per_layer") in tied
    assert any(cid == "theorem-3-2" for cid, _ in tied)


def test_negative_control_a_planted_number_is_caught(results):
    text = (ROOT / "paper_notes.md").read_text()
    q, cid, path = quotes(text)[0]
    planted = text.replace(f"{q}<!--rc {cid} {path}-->", f"{q}9<!--rc {cid} {path}-->", 1)
    assert mismatches(planted, results) == [
        f"{q}9 <- {cid} {path}: the registry says {lookup(results, cid, path)}"]
    assert agrees("0.927", "[0.926700096619627 +/- 1.70e-16]")
    assert agrees("0.93", "[0.926700096619627 +/- 1.70e-16]")
    assert not agrees("0.92", "[0.926700096619627 +/- 1.70e-16]")
    assert agrees("6.4e-17", "[6.4274e-17 +/- 3.86e-22]") and not agrees("1e-8", "[6.4274e-17 +/- 3.86e-22]")
    assert agrees("63/1024", "63/1024") and not agrees("63/1023", "63/1024")
