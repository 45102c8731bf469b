"""One claim, one place: what every view says about a claim is what its card says.

Two kinds of check.  Structurally, no view module (the commands, the blueprint, the
walkthroughs, the command line) names a claim or node id as a string of its own: a view
that did would be stating something about that claim off its card.  Behaviourally, each
view's output is compared with the cards: ``verify --json`` (id, reference, statement,
assumptions, uses, Coq names, erratum, test), ``explain --list`` and ``explain`` (which
claims have a walkthrough, and the reference and statement a walkthrough prints), and the
notes' claims table (reference and erratum class).  The blueprint's pages are compared
with the cards in tests/test_blueprint.py.  Negative controls plant an id in a view's
source and an altered card, and see each check fail.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from rankcollapse.claims import NODES, REGISTRY, load, walkthroughs
from rankcollapse.cli import main

ROOT = Path(__file__).resolve().parents[2]
load()
IDS = set(REGISTRY) | set(NODES)

#: the views: everything of the front door that is not a card module or the registry
VIEW_FILES = sorted([*ROOT.glob("rankcollapse/commands/*.py"),
                     *ROOT.glob("rankcollapse/blueprint/*.py"),
                     *ROOT.glob("rankcollapse/explain/*.py"),
                     ROOT / "rankcollapse/cli.py", ROOT / "rankcollapse/wording.py",
                     ROOT / "rankcollapse/notes_generated.py"])


def id_literals(source: str, ids) -> list[tuple[int, str]]:
    """``(line, id)`` for every string constant in ``source`` that is exactly a claim or
    node id (an id inside a longer sentence, e.g. a help example, is not a statement
    about that claim and is not reported)."""
    out = []
    for n in ast.walk(ast.parse(source)):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in ids:
            out.append((n.lineno, n.value))
    return sorted(out)


def test_no_view_names_a_claim():
    found = {str(p.relative_to(ROOT)): id_literals(p.read_text(), IDS) for p in VIEW_FILES}
    found = {k: v for k, v in found.items() if v}
    assert found == {}, ("views that state something about a claim off its card "
                         f"(move it onto the card): {found}")


def test_negative_control_a_planted_id_is_found():
    src = (ROOT / "rankcollapse/commands/explain.py").read_text()
    planted = src + '\n\nSPECIAL = {"lemma-2": "a note kept off the card"}\n'
    line = planted.count("\n")
    assert id_literals(planted, IDS) == [(line, "lemma-2")]
    assert id_literals('x = "see lemma-2 for the bound"', IDS) == []


def card_fields(c) -> dict:
    return {"id": c.id, "ref": c.ref, "statement": c.statement,
            "assumptions": list(c.assumptions), "uses": c.uses, "formal": list(c.formal),
            "erratum": ({"class": c.erratum[0], "reason": c.erratum[1]} if c.erratum
                        else None), "test": c.test}


def verify_mismatches(results: list, registry) -> list[str]:
    out = []
    for r in results:
        want = card_fields(registry[r["id"]])
        for k, v in want.items():
            if r.get(k) != v:
                out.append(f"{r['id']}.{k}")
    return out


def test_verify_json_says_what_the_cards_say(results):
    assert {r["id"] for r in results} == {c.id for c in REGISTRY.values() if c.default}
    assert verify_mismatches(results, REGISTRY) == []


def test_negative_control_an_altered_card_is_caught(results, monkeypatch):
    r = next(r for r in results if r["id"] == "theorem-1")
    monkeypatch.setattr(REGISTRY["theorem-1"], "uses_ours", ("lemma-1",))
    assert verify_mismatches([r], REGISTRY) == ["theorem-1.uses"]


def test_explain_lists_exactly_the_cards_with_a_walkthrough(capsys):
    assert main(["explain", "--list"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^([a-z][a-z0-9-]*) ", out, flags=re.M)
    assert listed == list(walkthroughs())
    assert listed == [c.id for c in REGISTRY.values() if c.walkthrough is not None]
    tail = re.search(r"without one: (.*)$", out, flags=re.M).group(1).split(", ")
    assert tail == [c.id for c in REGISTRY.values() if c.walkthrough is None]


@pytest.mark.parametrize("cid", ["lemma-2", "remark-2"])
def test_explain_prints_the_cards_reference_and_statement(cid, capsys):
    main(["explain", cid, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    c = REGISTRY[cid]
    assert (doc["claim"], doc["ref"], doc["statement"]) == (c.id, c.ref, c.statement)
    if c.walkthrough is None:
        assert doc["uses"] == c.uses and doc["test"] == c.test


def notes_table(text: str) -> dict:
    """``{id: (reference, erratum class)}`` from the notes' claims table."""
    start = text.index("## The claims at a glance")
    end = text.index("## Where the paper is loose or wrong")
    rows = {}
    for line in text[start:end].splitlines():
        cells = [x.strip() for x in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([a-z0-9-]+)`", cells[0]) if len(cells) >= 5 else None
        if m:
            rows[m.group(1)] = (cells[1], cells[4])
    return rows


def notes_mismatches(rows: dict, registry) -> list[str]:
    return sorted(cid for cid, (ref, err) in rows.items()
                  if cid not in registry or ref != registry[cid].ref.replace("|", "/")
                  or err != (registry[cid].erratum[0] if registry[cid].erratum else "-"))


def test_notes_table_says_what_the_cards_say():
    rows = notes_table((ROOT / "paper_notes.md").read_text())
    assert set(rows) == set(REGISTRY)
    assert notes_mismatches(rows, REGISTRY) == []


def test_negative_control_notes_row_off_its_card():
    rows = notes_table((ROOT / "paper_notes.md").read_text())
    ref, err = rows["lemma-3"]
    assert notes_mismatches(dict(rows, **{"lemma-3": (ref + " (edited)", err)}),
                            REGISTRY) == ["lemma-3"]
