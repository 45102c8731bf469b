"""The numbers the notes quote from the registry come from it: the claims table's status and
level per claim, the claim count, and the walkthrough lists (with a planted mismatch as the
negative control)."""
from __future__ import annotations

import re
from pathlib import Path

from rankcollapse.claims import REGISTRY, load
from rankcollapse.claims import walkthroughs

WALKTHROUGHS = walkthroughs()

NOTES = Path(__file__).resolve().parents[2] / "paper_notes.md"
load()


def table_rows(text: str) -> dict:
    """``{claim id: (status, level)}`` from the notes' claims table."""
    start = text.index("## The claims at a glance")
    end = text.index("## Where the paper is loose or wrong")
    rows = {}
    for line in text[start:end].splitlines():
        m = re.match(r"\| `([a-z0-9-]+)` \| [^|]* \| (holds|fails|open) \| ([a-z-]+) \|", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


def mismatches(rows: dict, results: list) -> list:
    by_id = {r["id"]: (r["status"], r["level"]) for r in results}
    out = [cid for cid, v in rows.items() if by_id.get(cid) != v]
    out += [cid for cid in by_id if cid not in rows]
    return out


def test_claims_table_matches_a_registry_run(results):
    rows = table_rows(NOTES.read_text())
    assert len(rows) == len(REGISTRY)
    assert mismatches(rows, results) == []
    claims_line = re.search(r"(\d+) claims, seed 0: (\d+) holds, (\d+) fails", NOTES.read_text())
    assert claims_line and int(claims_line.group(1)) == len(REGISTRY)
    assert int(claims_line.group(2)) == sum(r["status"] == "holds" for r in results)


def test_planted_mismatch_is_caught(results):
    text = NOTES.read_text()
    rows = table_rows(text)
    cid = next(iter(rows))
    status, level = rows[cid]
    planted = dict(rows, **{cid: ("fails" if status == "holds" else "holds", level)})
    assert mismatches(planted, results) == [cid]


def test_walkthrough_lists_are_the_registered_ones():
    text = NOTES.read_text()
    m = re.search(r"Walkthroughs \((\d+), from `rankcollapse explain --list`\): (.*?)\.\n", text)
    assert m and int(m.group(1)) == len(WALKTHROUGHS)
    listed = set(re.findall(r"`([a-z0-9-]+)`", m.group(2)))
    assert listed == set(WALKTHROUGHS)
    w = re.search(r"Without a walkthrough \((\d+) of the (\d+) claims.*?\): (.*?)\.\n", text)
    assert w and int(w.group(2)) == len(REGISTRY)
    assert set(re.findall(r"`([a-z0-9-]+)`", w.group(3))) == set(REGISTRY) - set(WALKTHROUGHS)
