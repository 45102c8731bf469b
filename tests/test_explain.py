"""`rankcollapse explain`: walkthroughs compute with the library, print both sides of every
comparison, decide them exactly (or certainly, for balls), and flag negative controls."""
import json
from fractions import Fraction

import pytest

from rankcollapse.cli import main
from rankcollapse.claims import walk as explain
from rankcollapse.claims import walkthroughs
from rankcollapse.explain import render

WALKTHROUGHS = walkthroughs()
from rankcollapse.explain.core import decide

REQUIRED = ["corollary-2", "lemma-2", "lemma-3", "theorem-1", "lemma-1", "theorem-3-1",
            "appendix-f2-stable-rank", "theorem-2", "lemma-11"]


def test_required_walkthroughs_exist():
    assert set(REQUIRED) <= set(WALKTHROUGHS)


@pytest.mark.parametrize("cid", sorted(WALKTHROUGHS))
def test_every_walkthrough_runs_and_every_comparison_is_as_expected(cid):
    w = explain(cid)
    sm = w.summary()
    assert sm["comparisons"] > 0
    assert sm["unexpected"] == [] and sm["undecided"] == 0, sm
    for s in w.steps:
        if s.kind == "compare":
            assert s.lhs_value and s.rhs_value and s.rel
    for fmt in ("markdown", "latex"):
        assert cid in render(w, fmt)


def test_corollary2_on_the_path_example_is_exact_and_attained():
    w = explain("corollary-2")
    js = w.to_json()
    steps = {s["label"]: s for s in js["steps"]}
    r = 3  # n = 4 path: radius 3
    att = steps[f"C is attained at t = r - 1 = {r - 1}"]
    assert att["rel"] == "=" and att["holds"] and att["lhs_value"] == att["rhs_value"] == "1"
    assert any(s["lhs"] == "osc(x(0))^r / (1 - eps^r)^(r-1)" and s["lhs_value"].startswith("729/676")
               for s in js["steps"])
    neg = [s for s in js["steps"] if not s["expect"]]
    assert len(neg) == 1 and neg[0]["holds"] is False and neg[0]["rhs_value"].startswith("26/27")
    # Lemma 2 at t = 1, x(1) = (0, 2/3, 1, 1): the token strictly inside (i = 1, p = 1/3)
    # and one token at an end (i = 0), each for T = 1..r; every step names T and p
    l11 = [s["label"] for s in js["steps"] if s["label"].startswith("(11)")]
    assert len(l11) == 2 * r and all("p=" in x and "T=" in x for x in l11)
    assert {x.split(",")[0] for x in l11} == {"(11) i=0", "(11) i=1"}
    assert any("i=1" in x and "p=1/3" in x for x in l11)
    assert [s["lhs"] for s in js["steps"] if s["kind"] == "value" and
            s["label"].startswith("t = ") and s["lhs"].startswith("x(")] == \
        [f"x({t})" for t in range(7)]


def test_theorem31_prints_every_residual():
    w = explain("theorem-3-1", ["n=3,d=3,w=3"])
    res = [s for s in w.steps if s.kind == "compare" and "residual" in s.label]
    assert len(res) == 3 * 3 and all(s.holds and s.lhs_value == "0" for s in res)
    assert sum(1 for s in w.steps if s.kind == "value" and s.lhs.endswith("W_V")
               and s.lhs.startswith("S_")) == 9
    w2 = explain("theorem-3-1", ["k=2", "signs=+-"])
    assert w2.instance["k"] == 2 and w2.summary()["unexpected"] == []


def test_negative_control_a_false_instance_is_reported_not_hidden():
    # eps = 1/2 on the path: still in the class, everything holds; C too small still fails
    w = explain("corollary-2", ["n=3", "eps=1/2"])
    assert w.summary()["unexpected"] == []
    # decide() never calls an undecided ball comparison support
    import flint
    a = flint.arb(1, 0.5)
    assert decide(a, "<=", Fraction(1)) is None
    assert decide(flint.arb(1, 1e-9), "<", 2) is True
    assert decide(Fraction(27, 26), "<=", Fraction(1)) is False


def test_cli_json_markdown_latex(capsys):
    assert main(["explain", "corollary-2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["claim"] == "corollary-2" and doc["summary"]["unexpected"] == []
    assert main(["explain", "lemma-11", "--format", "latex"]) == 0
    assert r"\begin{align*}" in capsys.readouterr().out
    assert main(["explain", "theorem-3-1", "--instance", "k=1"]) == 0
    assert "| token 1: residual |" in capsys.readouterr().out


def test_cli_errors_are_one_line(capsys):
    assert main(["explain", "lemma-99"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown claim id 'lemma-99'" in err
    assert main(["explain", "corollary-2", "--instance", "nn=4"]) == 2
    assert "has no parameter 'nn'" in capsys.readouterr().err


def test_claim_without_walkthrough_says_so(capsys):
    no = next(c for c in ("remark-2", "lemma-5", "lemma-6") if c not in WALKTHROUGHS)
    assert main(["explain", no]) == 0
    out = capsys.readouterr().out
    assert "No walkthrough exists yet" in out and "encoded in" in out


@pytest.mark.parametrize("cid", sorted(WALKTHROUGHS))
def test_every_comparison_says_why(cid):
    """The study guide's "why" column: each comparison names the lemma, equation,
    hypothesis or definition it uses (or that it is a negative control, and of what)."""
    w = explain(cid)
    missing = [s.label for s in w.steps if s.kind == "compare" and not s.why.strip()]
    assert missing == [], f"{cid}: comparisons without a reason: {missing[:5]}"


def test_why_is_rendered_and_reset_by_a_section():
    from rankcollapse.explain.core import Walkthrough
    w = Walkthrough("t", {}, "exact")
    w.because("Lemma 2, (11)")
    w.compare("a", "x", 1, "<=", "y", 2)
    w.section("next")
    w.compare("b", "x", 1, "<=", "y", 2)
    w.compare("c", "x", 1, "<=", "y", 2, why="A1")
    assert [s.why for s in w.steps if s.kind == "compare"] == ["Lemma 2, (11)", "", "A1"]
    md = render(w)
    assert "| why |" in md and "Lemma 2, (11) |" in md
    assert "(A1)" in render(w, "latex")
