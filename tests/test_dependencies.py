"""The dependency table (rankcollapse/claims/dependencies.py): every ``uses`` reference
resolves to a registered claim or a declared non-claim node, the graph has no cycle, every
tabled claim has a kind, and a dangling reference or a cycle is rejected (negative
controls).  Claims missing from the table are listed (skip with the list as the reason; a
failure with RANKCOLLAPSE_STRICT_DEPS=1)."""
import os

import pytest

from rankcollapse.claims import Config, load, run
from rankcollapse.claims import dependencies as D

REG = load()


def test_every_reference_resolves_and_no_cycle():
    problems = D.validate(D.TABLE, set(REG))
    assert problems == [], "dependency table:\n  " + "\n  ".join(problems)
    assert D.find_cycle(D.TABLE) is None


def test_every_tabled_entry_and_node_has_a_kind():
    for cid, e in D.TABLE.items():
        assert e.get("kind") in D.KINDS, f"{cid}: kind {e.get('kind')!r}"
    for nid, e in D.NON_CLAIMS.items():
        assert e.get("kind") in D.KINDS, nid
    g = D.graph(REG)
    assert all(n["kind"] in D.KINDS for n in g["nodes"].values())


def test_claims_missing_from_the_table_are_listed():
    missing = D.missing_from_table(REG)
    stale = D.stale_entries(REG)
    msg = (f"claims registered but missing from rankcollapse/claims/dependencies.py TABLE "
           f"(they get uses = [] and a kind from their id): {missing}" if missing else "")
    if stale:
        msg += f"; table entries naming no registered claim: {stale}"
    if msg:
        if os.environ.get("RANKCOLLAPSE_STRICT_DEPS") == "1":
            pytest.fail(msg)
        pytest.skip(msg)


def test_negative_control_dangling_reference_is_rejected(monkeypatch):
    """A claim whose ``uses`` names a claim that does not exist fails the check above."""
    table = dict(D.TABLE)
    table["theorem-1"] = {**table["theorem-1"],
                          "ours": table["theorem-1"]["ours"] + ["lemma-does-not-exist"]}
    problems = D.validate(table, set(REG))
    assert any("lemma-does-not-exist" in p and "theorem-1" in p for p in problems), problems
    synthetic = {"lemma-x": {"kind": "lemma", "paper": ["nowhere"]}}
    assert D.validate(synthetic, {"lemma-x"}, {}) == [
        "lemma-x uses 'nowhere' (paper route), which is neither a registered claim nor a "
        "declared node"]
    # the registry test itself fails on such a table
    monkeypatch.setattr(D, "TABLE", table)
    with pytest.raises(AssertionError, match="lemma-does-not-exist"):
        test_every_reference_resolves_and_no_cycle()


def test_negative_control_cycle_and_bad_kind_are_rejected():
    table = {"lemma-a": {"kind": "lemma", "paper": ["lemma-b"]},
             "lemma-b": {"kind": "lemma", "paper": [], "ours": ["lemma-a"]},
             "lemma-c": {"kind": "lemma-ish", "paper": []}}
    problems = D.validate(table, set(table), {})
    assert any(p.startswith("cycle: lemma-a -> lemma-b -> lemma-a") for p in problems), problems
    assert any("lemma-c has kind 'lemma-ish'" in p for p in problems), problems


def test_untabled_claim_gets_empty_uses_and_inferred_kind():
    e = D.node("corollary-99", table={})
    assert e["kind"] == "corollary" and e["paper"] == e["ours"] == []
    assert D.uses_of("lemma-99") == {"paper": [], "ours": []}


def test_registry_carries_uses_and_run_reports_them():
    t1 = REG["theorem-1"].uses
    assert "corollary-2" in t1["paper"] and "appendix-b2-mu-identity" in t1["paper"]
    assert "popoviciu" in t1["ours"] and "dobrushin-column-bound" in t1["ours"]
    out = run(REG["dobrushin-column-bound"], Config())
    assert out["uses"] == {"paper": [], "ours": []}
    assert run(REG["corollary-2"], Config())["uses"]["paper"] == ["lemma-3"]


def _closure(cid, route):
    seen, todo = set(), [cid]
    while todo:
        u = todo.pop()
        for v in D.uses_of(u)[route]:
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return seen


def test_both_routes_to_theorem_1_are_in_the_graph():
    """Lemma 1 -> Lemma 2 -> Lemma 3 -> Corollary 2 -> Theorem 1 (the paper's route) and the
    Dobrushin route: every node of each chain is used, transitively, by Theorem 1 on that
    route, and the routes differ where we repaired Lemma 3."""
    for route, spec in D.ROUTES.items():
        assert spec["chain"][-1] == "theorem-1"
        closure = _closure("theorem-1", route)
        for n in spec["chain"][:-1] + spec["side"]:
            assert n in closure, f"{n} is not on the {route} route to theorem-1"
    assert "lemma-2" in _closure("theorem-1", "paper")
    assert "lemma-2" not in _closure("theorem-1", "ours")
    assert "popoviciu" not in _closure("theorem-1", "paper")


def test_figures_name_known_nodes():
    assert set(D.FIGURES) <= set(REG) | set(D.NON_CLAIMS)
