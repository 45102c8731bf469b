"""theory.evidence (levels, scopes: universal, exhaustive, sampled, witness, mixed) and
theory.attention_facts.

The rules checked are the ones the design states: a conjunction fails if any part fails,
is open if any part is open, and is only as strong as its weakest part; scopes of a
conjunction merge (universal, sampled with instances summed, or mixed); precision is
doubled up to a cap."""
import json
from fractions import Fraction

import numpy as np
import pytest

from numeric import masks
from theory import attention_facts as AF
from theory import evidence as E


def _ev(status, level, scope=None, witness=None):
    return E.Evidence("s", status, level, {}, witness, scope=scope)


def test_combine_status_level_and_witness():
    U = E.universal("d = 3", "z3")
    for statuses, want in ((("holds", "holds"), "holds"), (("holds", "open"), "open"),
                           (("open", "fails"), "fails"), (("fails", "holds"), "fails")):
        parts = [_ev(s, "exact", U, witness={"i": k} if s == "fails" else None)
                 for k, s in enumerate(statuses)]
        c = E.combine("all", parts)
        assert c.status == want and c.ok == (want == "holds")
        assert c.witness == (next(({"i": k} for k, s in enumerate(statuses) if s == "fails"),
                                  None))
        assert len(c.details["parts"]) == 2
    for levels in (("exact", "numeric"), ("certified", "numeric-hp"), ("exact", "certified")):
        c = E.combine("all", [_ev("holds", lv, U) for lv in levels])
        assert c.level == max(levels, key=E.LEVELS.index)           # the weakest
    with pytest.raises(ValueError):
        E.combine("none", [])
    S = E.sampled(3, "g", 1)
    failing = E.combine("x", [_ev("holds", "exact", U), _ev("fails", "numeric", S)])
    assert failing.scope == S                                 # the failing part's scope
    given = E.combine("x", [_ev("holds", "exact", U)], scope=S, details={"k": 1})
    assert given.scope == S and given.details["k"] == 1


def test_merge_scopes():
    U1, U2 = E.universal("d = 3", "z3"), E.universal("d = 4", "sympy")
    S1, S2 = E.sampled(5, "gen A", 1), E.sampled(7, "gen B", 2)
    u = E.merge_scopes([U1, U2, U1])
    assert u.kind == "universal" and u.domain == "d = 3; d = 4" and u.method == "z3; sympy"
    s = E.merge_scopes([S1, S2])
    assert s.kind == "sampled" and s.instances == 12 and s.seed == [1, 2]
    assert E.merge_scopes([S1, E.sampled(2, "gen A", 1)]).seed == 1
    m = E.merge_scopes([U1, S1])
    assert m.kind == "mixed" and m.short() == "mixed(universal 1, sampled 5)" and m.has_universal_part
    nested = E.merge_scopes([m, S2])
    assert nested.kind == "mixed" and len(nested.parts) == 3 and nested.short() == "mixed(universal 1, sampled 12)"
    w = E.merge_scopes([E.witness("x0"), E.witness("x1")])
    assert w.kind == "witness" and w.domain == "x0; x1"
    assert E.merge_scopes([U1, None]) is None and E.merge_scopes([]) is None
    assert not S1.has_universal_part and U1.has_universal_part
    assert not E.merge_scopes([S1, E.witness("w")]).kind == "sampled"


def test_scope_and_evidence_validation():
    for bad in (dict(kind="other"), dict(kind="universal", domain="x"),
                dict(kind="sampled", instances=0, generator="g"),
                dict(kind="sampled", instances=3), dict(kind="witness")):
        with pytest.raises(ValueError):
            E.Scope(**bad)
    with pytest.raises(ValueError):
        E.Evidence("s", "maybe", "exact")
    with pytest.raises(ValueError):
        E.Evidence("s", "holds", "roughly")
    with pytest.raises(ValueError):
        E.Evidence("s", "holds", "exact", scope="universal")


def test_json_round_trip_keeps_exact_values():
    ev = E.Evidence("s", "fails", "certified",
                    {"q": Fraction(1, 3), "a": np.arange(3), "f": np.float64(0.5),
                     "inf": float("inf"), "b": np.bool_(True), 2: (1, None)},
                    witness={"x": [Fraction(-2, 5)]}, narrower="n",
                    scope=E.sampled(4, "g", seed=np.int64(9)))
    out = json.loads(json.dumps(ev.to_json()))
    assert out["details"] == {"q": "1/3", "a": [0, 1, 2], "f": 0.5, "inf": "inf", "b": True,
                              "2": [1, None]}
    assert out["witness"] == {"x": ["-2/5"]} and out["narrower"] == "n"
    assert out["scope"] == {"kind": "sampled", "instances": 4, "generator": "g", "seed": 9}
    assert E.universal("D", "M").to_json() == {"kind": "universal", "domain": "D",
                                               "method": "M"}
    assert "witness" in str(ev) and str(ev).startswith("[fails / certified] s")


def test_escalate_doubles_until_decided_or_capped():
    calls = []

    def chk(d):
        calls.append(d)
        return E.Evidence("x", "holds" if d >= 200 else "open", "certified",
                          {"undecided": [] if d >= 200 else [1]})
    ev = E.escalate(chk, 25, 1000)
    assert ev.status == "holds" and calls == [25, 50, 100, 200]
    assert ev.details["digits_tried"] == calls
    calls.clear()
    ev = E.escalate(chk, 25, 100)
    assert ev.status == "open" and calls == [25, 50, 100] and "cap of 100" in \
        ev.details["open_reason"]
    # open for another reason (nothing undecided): no escalation
    calls.clear()
    E.escalate(lambda d: calls.append(d) or E.Evidence("x", "open", "exact", {}), 10, 80)
    assert calls == [10]
    for dps, cap in ((0, 10), (20, 10)):
        with pytest.raises(ValueError):
            E.escalate(chk, dps, cap)


def test_row_stochastic_certified_and_negative_control():
    rng = np.random.default_rng(1)
    X, W = rng.standard_normal((5, 3)), rng.standard_normal((3, 3))
    for M in (masks.causal(5), masks.sliding_window(5, 1)):
        ev = AF.row_stochastic(M, X, W, W, dps=30)
        assert ev.status == "holds" and ev.level == "certified"
        assert ev.details == {"N": 5, "edges": int(M.sum()), "digits": 30}
    sym = AF.row_stochastic_symbolic(2)
    assert sym.status == "holds" and sym.level == "exact" and sym.scope.kind == "universal"


def test_row_stochastic_symbolic_default_degree():
    ev = AF.row_stochastic_symbolic()
    assert ev.status == "holds" and ev.details == {"max_degree": 6}
    assert "n <= 6" in ev.scope.domain


def test_exhaustive_scope_is_its_own_kind():
    X1, X2 = E.exhaustive("N = 1..64", "each size", 64), E.exhaustive("the eight schedules")
    assert X1.short() == "exhaustive(64)" and X2.short() == "exhaustive"
    assert not X1.has_universal_part                       # a finite set is not universal
    x = E.merge_scopes([X1, E.exhaustive("N = 65..80", "each size", 16)])
    assert x.kind == "exhaustive" and x.instances == 80 and x.domain == "N = 1..64; N = 65..80"
    assert E.merge_scopes([X1, X2]).instances is None      # an uncounted part: no total
    m = E.merge_scopes([E.universal("d", "z3"), X1, E.sampled(3, "g", 0)])
    assert m.kind == "mixed" and m.counts() == {"universal": 1, "exhaustive": 1, "sampled": 3}
    assert X1.to_json() == {"kind": "exhaustive", "domain": "N = 1..64", "method": "each size",
                            "instances": 64}
    with pytest.raises(ValueError, match="finite set"):
        E.Scope("exhaustive")


def test_roles_survive_merging_and_are_checked():
    U = E.universal("every x", "Coq").with_role("statement")
    I = E.universal("every y", "z3").with_role("ingredient")
    m = E.merge_scopes([U, I])
    assert m.kind == "mixed" and [p.role for p in m.parts] == ["statement", "ingredient"]
    assert m.to_json()["parts"][0]["role"] == "statement"
    assert E.merge_scopes([E.universal("a", "b"), E.universal("c", "d")]).kind == "universal"
    with pytest.raises(ValueError, match="role"):
        E.universal("x", "y").with_role("everything")


def test_formal_is_the_strongest_level():
    assert E.LEVELS[0] == "formal" and E.LEVELS.index("formal") < E.LEVELS.index("exact")
    c = E.combine("x", [_ev("holds", "formal", E.universal("a", "Coq")),
                        _ev("holds", "exact", E.universal("b", "sympy"))])
    assert c.level == "exact"                              # the weakest part decides
