"""The dependency graph read off the cards (rankcollapse/claims/uses_graph.py): every use
resolves to a registered claim or a declared node, every declared node is used, the graph
has no cycle, every card has a kind, and a malformed card (dangling use, cycle, unknown
kind, differing routes without a repair) is rejected (negative controls)."""
import pytest

from rankcollapse import claims as C
from rankcollapse.claims import Config, load, run
from rankcollapse.claims import uses_graph as U

REG = load()


def test_every_use_resolves_every_node_is_used_and_no_cycle():
    problems = U.problems()
    assert problems == [], "the cards' graph:\n  " + "\n  ".join(problems)


def test_every_card_and_node_has_a_kind():
    g = U.graph()
    assert set(g["nodes"]) == set(REG) | set(C.NODES)
    assert all(n["kind"] in C.KINDS for n in g["nodes"].values())


def test_negative_control_dangling_use_is_reported(monkeypatch):
    """A card whose uses name a node that does not exist fails the check above."""
    t1 = REG["theorem-1"]
    monkeypatch.setattr(t1, "uses_ours", t1.uses["ours"] + ["lemma-does-not-exist"])
    problems = U.problems()
    assert any("lemma-does-not-exist" in p and "theorem-1" in p for p in problems), problems
    with pytest.raises(AssertionError, match="lemma-does-not-exist"):
        test_every_use_resolves_every_node_is_used_and_no_cycle()


def test_negative_control_cycle_and_unused_node_are_reported(monkeypatch):
    monkeypatch.setattr(REG["lemma-1"], "uses_paper", REG["lemma-1"].uses_paper + ("theorem-1",))
    assert any(p.startswith("cycle:") and "theorem-1" in p and "lemma-1" in p
               for p in U.problems())
    monkeypatch.setitem(C.NODES, "lemma-orphan", C.Node("lemma-orphan", "lemma", "x", "x"))
    assert "node lemma-orphan is declared but no card uses it" in U.problems()
    assert U.find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


def test_negative_control_malformed_cards_are_refused():
    def fn(cfg):
        return None
    with pytest.raises(ValueError, match="kind must be one of"):
        C.claim("lemma-zz", "ref", "st", kind="lemmma")(fn)
    with pytest.raises(ValueError, match="repair sentence is required"):
        C.claim("lemma-zz", "ref", "st", uses=["lemma-1"], ours=["lemma-2"])(fn)
    with pytest.raises(ValueError, match="names the claim itself"):
        C.claim("lemma-zz", "ref", "st", uses=["lemma-zz"])(fn)
    with pytest.raises(ValueError, match="marked @walkthrough"):
        C.claim("lemma-zz", "ref", "st", walkthrough=fn)(fn)
    with pytest.raises(ValueError, match="declared twice"):
        C.node("lemma-1", "lemma", "t", "s")
    assert "lemma-zz" not in REG


def test_kind_defaults_from_the_id():
    assert C.kind_from_id("corollary-99") == "corollary"
    assert C.kind_from_id("something-else") == "finding"


def test_registry_carries_uses_and_run_reports_them():
    t1 = REG["theorem-1"].uses
    assert "corollary-2" in t1["paper"] and "appendix-b2-mu-identity" in t1["paper"]
    assert "popoviciu" in t1["ours"] and "dobrushin-column-bound" in t1["ours"]
    out = run(REG["dobrushin-column-bound"], Config())
    assert out["uses"] == {"paper": [], "ours": []}
    assert run(REG["corollary-2"], Config())["uses"]["paper"] == ["lemma-3"]


def test_both_routes_to_theorem_1():
    """The paper's route goes through Lemma 2 and the mu identity of Appendix B.2; ours
    through the Dobrushin nodes and Popoviciu, not Lemma 2."""
    paper, ours = U.ancestors("theorem-1", "paper"), U.ancestors("theorem-1", "ours")
    assert {"lemma-1", "lemma-2", "lemma-3", "corollary-2", "appendix-b2-mu-identity"} <= paper
    assert {"lemma-1", "lemma-3", "corollary-2", "dobrushin-column-bound",
            "dobrushin-submultiplicative", "popoviciu"} <= ours
    assert "lemma-2" not in ours and "popoviciu" not in paper


def test_route_subgraph_has_only_real_uses_edges():
    for route in ("paper", "ours"):
        sub = U.route_subgraph("theorem-1", route)
        adj = U.adjacency(route)
        assert sub["edges"], route
        for u, v in sub["edges"]:
            assert u in adj[v], (route, u, v)
        assert set(sub["nodes"]) == U.ancestors("theorem-1", route) | {"theorem-1"}


def test_theorem_3_2_routes():
    """Ours: Appendix E's monotone map, Lemma 11 and the plane reduction; the paper's:
    Lemmas 12 and 13."""
    paper, ours = U.ancestors("theorem-3-2", "paper"), U.ancestors("theorem-3-2", "ours")
    assert {"lemma-12", "lemma-13"} <= paper
    assert {"lemma-11", "appendix-e-fixed-points", "plane-reduction"} <= ours
    assert not {"lemma-12", "lemma-13"} & ours


def test_figures_are_outputs_of_rankcollapse_figures():
    """Every figure a card names is saved under that name by some figure module."""
    import re
    from pathlib import Path

    import rankcollapse.figures as F
    src = "".join(p.read_text() for p in Path(F.__file__).parent.glob("*.py"))
    saved = set(re.findall(r'save\(ctx, "([a-z0-9_]+)"', src)) | set(F.FIGURES)
    assert {"theory_theorem1", "fig1"} <= saved
    named = {f for c in REG.values() for f in c.figures}
    assert named and named <= saved, named - saved
