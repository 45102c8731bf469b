"""Every word about the paper: statements no wider than their scope, every finding
classified against the printed statement, and the verify summary by kind of scope."""
from __future__ import annotations

import json

import pytest

from rankcollapse.claims import ERRATUM_CLASSES, REGISTRY, load
from rankcollapse.wording import outruns

load()


def test_no_statement_outruns_its_scope(results):
    bad = {r["id"]: outruns(r["statement"], r["scope"], r["status"]) for r in results}
    assert not {k: v for k, v in bad.items() if v}


def test_negative_control_a_widened_statement_is_caught(results):
    """Widen real statements: a sampled claim that says "every" and a witness that says
    "for all N" are both reported; the same words with a universal part are not."""
    by_kind = {}
    for r in results:
        kinds = {p["kind"] for p in (r["scope"].get("parts") or [r["scope"]])} \
            if r["scope"] else set()
        if r["status"] == "holds":
            by_kind.setdefault(frozenset(kinds), r)
    sampled_only = next(r for k, r in by_kind.items() if k == {"sampled"})
    witness_only = next(r for k, r in by_kind.items() if k == {"witness"})
    universal = next(r for k, r in by_kind.items() if "universal" in k)
    assert outruns("for every input: " + sampled_only["statement"],
                   sampled_only["scope"], "holds") == ["every"]
    assert "for all N" in outruns(witness_only["statement"] + " for all N",
                                  witness_only["scope"], "holds")
    assert outruns(universal["statement"] + " for all N", universal["scope"], "holds") == []
    # a failing claim states the paper's words on purpose
    assert outruns("for all N", sampled_only["scope"], "fails") == []


def test_every_failure_carries_an_erratum_class(results):
    for r in results:
        if r["status"] == "fails":
            assert r["erratum"] and r["erratum"]["class"] in ERRATUM_CLASSES, r["id"]
    for c in REGISTRY.values():
        if c.erratum:
            assert c.erratum[0] in ERRATUM_CLASSES and len(c.erratum[1]) > 40, c.id


@pytest.mark.parametrize("cid, cls", [
    ("lemma-4", "proof gap"), ("lemma-7", "scope remark"), ("lemma-9", "misprint"),
    ("lemma-13", "false as printed"), ("lemma-2-printed-lower-bound", "false as printed"),
    ("lemma-11-printed-derivative", "misprint"), ("remark-radius-diameter", "false as printed"),
])
def test_the_classes_named_in_the_review(cid, cls):
    assert REGISTRY[cid].erratum[0] == cls


def test_a_false_as_printed_entry_has_a_witness_and_fails(results):
    by_id = {r["id"]: r for r in results}
    for c in REGISTRY.values():
        if c.erratum and c.erratum[0] == "false as printed" and c.id in by_id:
            r = by_id[c.id]
            assert r["status"] == "fails" and r["witness"] is not None, c.id


def test_lemma7_primitivity_without_a1(results):
    r = next(r for r in results if r["id"] == "lemma-7")
    w = r["evidence"]["three_cycle_one_self_loop"]
    assert w["A1"] is False and w["first_positive_power"] >= 1
    # independent check: Boolean powers of the mask (paper edges j -> i when M[i][j])
    M = w["mask"]
    P = [row[:] for row in M]
    for k in range(1, 10):
        if all(all(row) for row in P):
            break
        P = [[int(any(P[i][m] and M[m][j] for m in range(3))) for j in range(3)]
             for i in range(3)]
    assert k == w["first_positive_power"]


def test_verify_reports_counts_by_kind(capsys, monkeypatch):
    from rankcollapse.cli import main
    assert main(["verify", "--json", "--claim", "remark-radius-diameter", "--claim",
                 "closed-forms-masks", "--claim", "lemma-11"]) == 0
    doc = json.loads(capsys.readouterr().out)
    s = doc["summary"]
    assert set(s["claims_with_part"]) == {"universal", "exhaustive", "witness", "sampled"}
    kinds = [r["scope"]["kind"] for r in doc["claims"]]
    assert s["claims_with_part"]["sampled"] == sum(k == "sampled" for k in kinds)
    assert doc["claims"][0]["erratum"]["class"] == "false as printed"
