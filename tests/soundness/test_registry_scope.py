"""Every verdict of the default registry run states its scope, and no ``holds`` rests on
an undecided comparison anywhere in its evidence (one run of every default claim)."""
from __future__ import annotations

from rankcollapse.claims import load
from theory.evidence import SCOPES

load()


def _walk(node, path=""):
    """Yield (path, key, value) for every key in a nested evidence document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def test_every_verdict_states_its_scope(results):
    assert not [r["id"] for r in results if r["status"] == "error"]
    for r in results:
        if r["status"] == "open":
            continue
        assert r["scope"] is not None, r["id"]
        assert r["scope"]["kind"] in SCOPES, r["id"]
        if r["scope"]["kind"] == "sampled":
            assert r["scope"]["instances"] >= 1 and r["scope"]["generator"], r["id"]
        if r["scope"]["kind"] == "universal":
            assert r["scope"]["domain"] and r["scope"]["method"], r["id"]
        if r["status"] == "fails":
            assert r["witness"] is not None, r["id"]


def test_no_holds_rests_on_an_undecided_comparison(results):
    for r in results:
        if r["status"] != "holds":
            continue
        for path, key, val in _walk(r["evidence"]):
            if key == "undecided":
                assert not val, f"{r['id']}{path}: undecided comparisons {val}"
            if key == "n_undecided":
                assert not val or (isinstance(val, list) and not any(val)), \
                    f"{r['id']}{path}: {val} undecided"
            if key == "parts" and isinstance(val, list):   # combine's conjuncts
                bad = [q.get("status") for q in val
                       if isinstance(q, dict) and q.get("status") not in ("holds", None)]
                assert not bad, f"{r['id']}{path}: a conjunct is {bad}"


def test_at_least_a_third_of_holds_have_a_universal_part(results):
    holds = [r for r in results if r["status"] == "holds"]
    uni = [r for r in holds if r["scope"]["kind"] == "universal" or
           (r["scope"]["kind"] == "mixed" and
            any(p["kind"] == "universal" for p in r["scope"]["parts"]))]
    assert 3 * len(uni) >= len(holds), sorted(r["id"] for r in holds if r not in uni)


def test_lemmas_1_to_6_and_theorems_1_2_have_a_universal_part(results):
    want = {"lemma-1", "lemma-2", "lemma-3", "lemma-4", "lemma-5", "lemma-6", "theorem-1",
            "theorem-2", "corollary-1"}
    by_id = {r["id"]: r for r in results}
    missing = []
    for cid in sorted(want & set(by_id)):
        sc = by_id[cid]["scope"]
        if not (sc and (sc["kind"] == "universal" or
                        (sc["kind"] == "mixed" and
                         any(p["kind"] == "universal" for p in sc["parts"])))):
            missing.append(cid)
    assert not missing, f"no universal part: {missing}"
