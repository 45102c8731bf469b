"""The Coq development in formal/: it builds, every theorem the registry names is closed
under the global context, a weakened or abandoned proof is caught, and the definitions
that Coq evaluates agree with the Python ones of theory/ on rational instances.

Skipped with a one-line reason when coqc is not installed (``rankcollapse.formal.
INSTALL_HINT`` says how)."""
from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from rankcollapse import formal
from rankcollapse.claims import load

pytestmark = pytest.mark.skipif(formal.coq_version() is None,
                                reason=f"coqc not installed ({formal.INSTALL_HINT})")


def _registry_names() -> list[str]:
    return sorted({n for c in load().values() for n in c.formal})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """formal/ compiled once in a scratch directory (the checkout is not touched)."""
    work = tmp_path_factory.mktemp("coq")
    err = formal.build(work)
    assert err == "", err
    return work


@pytest.fixture()
def scratch(tmp_path) -> Path:
    """A copy of formal/'s sources to break on purpose."""
    dst = tmp_path / "formal"
    dst.mkdir()
    shutil.copy2(formal.FORMAL_DIR / "_CoqProject", dst)
    for f in formal.source_files():
        shutil.copy2(f, dst)
    return dst


# ------------------------------------------------------------------ the development
@pytest.fixture(scope="module")
def formal_cache(tmp_path_factory):
    """One cache for this module: the first re-check builds, the later ones read it."""
    return tmp_path_factory.mktemp("formal-cache")


def test_every_registry_theorem_is_closed(monkeypatch, formal_cache):
    monkeypatch.setenv("RANKCOLLAPSE_CACHE", str(formal_cache))
    names = _registry_names()
    assert "RankCollapse.MuBound.theorem1_mu" in names and len(names) >= 10
    rep = formal.recheck(names, use_cache=True)
    assert rep.status == "checked", rep.error
    assert not rep.cached
    for n in names:
        assert rep.theorems[n]["assumptions"] == formal.CLOSED, n
        assert rep.theorems[n]["statement"].startswith("forall"), n
    # the statement Coq prints is the one the notes describe: theorem1_mu's conclusion
    mu = rep.theorems["RankCollapse.MuBound.theorem1_mu"]["statement"]
    assert "(1 - eps ^+ r) ^+ (size ps %/ r)" in mu and "reach" in mu
    # the second call reads the cache keyed by the source hash: no rebuild
    again = formal.recheck(names, use_cache=True)
    assert again.cached and again.theorems == rep.theorems
    # a changed source changes the key: the cache no longer answers for it
    assert formal.source_hash() != formal.source_hash(version="another coqc")


def test_sources_contain_no_axiom_or_abandoned_proof():
    for f in formal.source_files():
        assert formal.forbidden_tokens(f.read_text(encoding="utf-8")) == [], f.name


def _swap(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_negative_control_weakened_hypothesis_fails_to_compile(scratch, tmp_path):
    """Drop the self-loop hypothesis (A1) from the centre-column lemma: the proof no longer
    goes through, and the failure names the file and the line."""
    _swap(scratch / "CentreColumn.v", "selfloops G -> (forall i, reach G r c i) -> size ps = r",
          "(forall i, reach G r c i) -> size ps = r")
    rep = formal.recheck(["RankCollapse.CentreColumn.centre_column"], root=scratch,
                         use_cache=False)
    assert rep.status == "failed" and not rep.ok
    assert re.match(r"CentreColumn\.v, line \d+: ", rep.error), rep.error


def test_negative_control_admitted_is_refused(scratch):
    text = (scratch / "Oscillation.v").read_text(encoding="utf-8")
    # abandon the last proof of the file
    i = text.rindex("Qed.")
    (scratch / "Oscillation.v").write_text(text[:i] + "Admitted." + text[i + 4:],
                                           encoding="utf-8")
    rep = formal.recheck(["RankCollapse.Oscillation.osc_contract_tau"], root=scratch,
                         use_cache=False)
    assert rep.status == "failed" and "Admitted" in rep.error and "Oscillation.v" in rep.error


def test_negative_control_library_axiom_shows_in_print_assumptions(scratch):
    """A theorem that uses a library axiom (classical logic) passes the source scan, which
    sees no Axiom keyword, but Print Assumptions names the axiom: never `checked`."""
    (scratch / "Cheat.v").write_text(
        "From Coq Require Import Classical.\n"
        "Lemma excluded (P : Prop) : P \\/ ~ P.\nProof. exact (classic P). Qed.\n",
        encoding="utf-8")
    (scratch / "_CoqProject").write_text("-Q . RankCollapse\nCheat.v\n", encoding="utf-8")
    assert formal.forbidden_tokens((scratch / "Cheat.v").read_text()) == []
    rep = formal.recheck(["RankCollapse.Cheat.excluded"], root=scratch, use_cache=False)
    assert rep.status == "failed" and "not closed" in rep.error
    assert "classic" in rep.theorems["RankCollapse.Cheat.excluded"]["assumptions"]


def test_forbidden_scan_ignores_comments_but_not_code():
    assert formal.forbidden_tokens("(* Admitted *) Lemma a : True. Proof. by []. Qed.") == []
    assert formal.forbidden_tokens("Lemma a : True.\nProof. admit. Qed.") == [(2, "admit")]
    assert formal.forbidden_tokens('Definition s := "Axiom".') == []


def test_without_coqc_nothing_is_claimed(monkeypatch):
    rep = formal.recheck(_registry_names(), coqc="/nonexistent/coqc")
    assert rep.status == "unavailable" and "not re-checked" in rep.reason
    assert "apt-get install coq" in rep.reason


def test_failed_build_names_file_and_line(scratch):
    _swap(scratch / "Defs.v", "End Defs.", "Check this_name_does_not_exist.\nEnd Defs.")
    rep = formal.recheck(["RankCollapse.Defs.lprod_nil"], root=scratch, use_cache=False)
    assert rep.status == "failed"
    assert re.match(r"Defs\.v, line \d+: .*this_name_does_not_exist", rep.error), rep.error


# ------------------------------------------------------------------ Coq's values vs Python's
_PAIR = re.compile(r"=\s*\(\(?(-?\d+)\)?%Z,\s*\(?(-?\d+)\)?%Z\)")
_BOOL = re.compile(r"=\s*(true|false)\s*:\s*bool")


def _coq_rat(x: Fraction) -> str:
    return f"({x.numerator}%:~R / {x.denominator}%:~R)"


def _coq_mat(P) -> str:
    return "[:: " + "; ".join("[:: " + "; ".join(_coq_rat(Fraction(v)) for v in row) + "]"
                              for row in P) + "]"


def _coq_mask(M) -> str:
    return "[:: " + "; ".join("[:: " + "; ".join("true" if v else "false" for v in row) + "]"
                              for row in M) + "]"


#: row distributions with small denominators: Coq's `rat` computes in unary, so the
#: instances keep numerators and denominators small (a few products of 3 x 3 matrices)
_ROWS = {1: [(1,)], 2: [(Fraction(1, 2),) * 2, (Fraction(1, 4), Fraction(3, 4)),
                        (Fraction(3, 4), Fraction(1, 4))],
         3: [(Fraction(1, 4), Fraction(1, 4), Fraction(1, 2)),
             (Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)),
             (Fraction(1, 4), Fraction(1, 2), Fraction(1, 4))]}


def _random_stochastic(rng, n, M):
    """Exact rational matrix, >= 1/4 on the mask M, 0 off it, rows summing to 1."""
    P = []
    for i in range(n):
        idx = [j for j in range(n) if M[i][j]]
        choices = _ROWS[len(idx)]
        w = choices[int(rng.integers(len(choices)))]
        row = [Fraction(0)] * n
        for j, v in zip(idx, w):
            row[j] = Fraction(v)
        P.append(row)
    return P


def _instances():
    from numeric import masks
    rng = np.random.default_rng(20261204)
    out = []
    for M in (masks.unidirectional_window(3, 1), masks.causal(3), masks.sliding_window(3, 1)):
        M = np.asarray(M, bool)
        mats = [_random_stochastic(rng, 3, M) for _ in range(2)]
        x = [Fraction(int(v)) for v in rng.integers(-5, 6, size=3)]
        out.append((M, Fraction(1, 4), mats, x))
    return out


def test_coq_definitions_agree_with_python(built):
    """osc of the product, tau, membership in A_{G,eps} and reachability, evaluated by Coq
    (vm_compute on the computable twins that Compute.v proves equal to Defs.v's matrix
    forms) against theory.stochastic / theory.ergodicity / theory.graphs."""
    from theory import graphs
    from theory import stochastic as S
    from theory.ergodicity import in_class
    from numeric.errors import AssumptionError

    lines = ["From mathcomp Require Import all_ssreflect all_algebra.",
             "Local Open Scope ring_scope.",
             "From RankCollapse Require Import Defs Compute."]
    expected = []
    for k, (M, eps, mats, x) in enumerate(_instances()):
        ps = "[:: " + "; ".join(_coq_mat(P) for P in mats) + "]"
        xs = "[:: " + "; ".join(_coq_rat(v) for v in x) + "]"
        prod = S.left_product([tuple(map(tuple, P)) for P in mats])
        lines.append(f"Eval vm_compute in (let q := osc_seq (mulmxv_seq (lprod_seq {ps}) {xs}) "
                     "in (numq q, denq q)).")
        expected.append(("osc", S.osc(S.matvec(prod, tuple(x)))))
        lines.append(f"Eval vm_compute in (let q := tau_seq {_coq_mat(prod)} in "
                     "(numq q, denq q)).")
        expected.append(("tau", S.dobrushin_overlap(prod)))
        lines.append(f"Eval vm_compute in inclass_seq {_coq_mask(M)} {_coq_rat(eps)} "
                     f"{_coq_mat(mats[0])}.")
        expected.append(("inclass", True))
        # a control that must be refused: eps above the smallest edge weight
        big = min(v for i, row in enumerate(mats[0]) for j, v in enumerate(row) if M[i][j])
        lines.append(f"Eval vm_compute in inclass_seq {_coq_mask(M)} {_coq_rat(big + Fraction(1, 100))} "
                     f"{_coq_mat(mats[0])}.")
        with pytest.raises(AssumptionError):
            in_class(tuple(map(tuple, mats[0])), M, big + Fraction(1, 100))
        expected.append(("inclass", False))
        in_class(tuple(map(tuple, mats[0])), M, eps)          # Python agrees: no raise
        for c in range(3):
            dist = graphs.distances_from(M, c)
            for steps in (0, 1, 2):
                lines.append(f"Eval vm_compute in reach_seq {_coq_mask(M)} {steps} {c} {k % 3}.")
                expected.append(("reach", bool(dist[k % 3] <= steps)))
    out = formal.run_coq(built, "\n".join(lines) + "\n", name="Agree.v")
    values = []
    for m in re.finditer(r"=\s*(\(.*?%Z\)|true|false)", out):
        tok = m.group(0)
        p = _PAIR.search(tok)
        values.append(Fraction(int(p.group(1)), int(p.group(2))) if p else
                      tok.split("=")[1].strip() == "true")
    assert len(values) == len(expected), out
    for (kind, want), got in zip(expected, values):
        assert got == want, (kind, want, got)
    # both values change when the instance does: not a constant answer
    assert len({v for (k, _), v in zip(expected, values) if k == "osc"}) > 1


def test_coq_class_is_wider_than_pythons_off_the_mask(built):
    """A documented difference: Coq's A_{G,eps} does not ask for zeros off the mask,
    theory.ergodicity.in_class does.  Coq accepts a matrix with weight off the mask."""
    from theory.ergodicity import in_class
    from numeric.errors import AssumptionError
    M = [[True, False], [True, True]]
    P = [[Fraction(1, 2), Fraction(1, 2)], [Fraction(1, 2), Fraction(1, 2)]]
    out = formal.run_coq(built, "From mathcomp Require Import all_ssreflect all_algebra.\n"
                         "Local Open Scope ring_scope.\n"
                         "From RankCollapse Require Import Compute.\n"
                         f"Eval vm_compute in inclass_seq {_coq_mask(M)} {_coq_rat(Fraction(1, 4))} "
                         f"{_coq_mat(P)}.\n", name="Wider.v")
    assert _BOOL.search(out).group(1) == "true"
    with pytest.raises(AssumptionError, match="off the mask"):
        in_class(tuple(map(tuple, P)), np.array(M), Fraction(1, 4))


# ------------------------------------------------------------------ the registry's use of it
def test_verify_reports_formal_only_after_a_check(monkeypatch, formal_cache):
    import rankcollapse.claims as C
    from rankcollapse.claims import Config, run
    monkeypatch.setenv("RANKCOLLAPSE_CACHE", str(formal_cache))
    monkeypatch.setattr(C, "_formal_report", None)
    r = run(load()["dobrushin-column-bound"], Config())
    parts = r["evidence"]["parts"]
    assert parts[0]["level"] == "formal" and parts[0]["status"] == "holds"
    assert parts[0]["scope"]["kind"] == "universal" and parts[0]["scope"]["role"] == "statement"
    assert "RankCollapse.PaperRoute.tau_le_column" in parts[0]["details"]["coq_theorems"]
    # a failed build: the part is open (never holds), the claim is open
    monkeypatch.setattr(C, "_formal_report",
                        formal.FormalReport("failed", error="X.v, line 3: boom"))
    r = run(load()["dobrushin-column-bound"], Config())
    assert r["status"] == "open" and "X.v, line 3" in r["evidence"]["parts"][0]["details"][
        "open_reason"]
    # no coqc: no formal part at all, and a one-line note
    monkeypatch.setattr(C, "_formal_report",
                        formal.FormalReport("unavailable", reason="coqc not found: ..."))
    r = run(load()["dobrushin-column-bound"], Config())
    assert all(p["level"] != "formal" for p in r["evidence"]["parts"])
    assert r["evidence"]["formal"].startswith("not re-checked")
