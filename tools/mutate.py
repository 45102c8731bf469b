#!/usr/bin/env python3
"""Small AST mutation tester for rankcollapse (stdlib only).

How to rerun
------------
From the repository root, with the project's virtualenv active::

    python tools/mutate.py numeric/dynamics.py                    # 30 mutants, seed 0
    python tools/mutate.py numeric/dynamics.py --per-file 30 --seed 0 \\
        --json tools/mutation_reports/after_dynamics.json
    python tools/mutate.py --all-files --per-file 30 --seed 0     # every mapped module
    python tools/mutate.py theory/theorem2.py --all               # every mutant, no sampling
    python tools/mutate.py theory/theorem2.py --list              # enumerate, do not run
    python tools/mutate.py numeric/dynamics.py --check-isolation  # prove the copy is imported
    # the reports in tools/mutation_reports/:
    python tools/mutate.py numeric/dynamics.py --no-kill-tests \
        --json tools/mutation_reports/before_dynamics.json            # BEFORE: old tests only
    python tools/mutate.py numeric/dynamics.py --rerun-survivors \
        tools/mutation_reports/before_dynamics.json \
        --json tools/mutation_reports/after_dynamics.json             # AFTER: all tests

What it does: for each source file it enumerates single-point mutants (operator swaps
``+``/``-``, ``*``/``/``, ``**`` -> ``*``, ``//`` -> ``/``; comparison swaps ``<``/``<=``,
``>``/``>=``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``; ``and``/``or``; unary
minus or ``not`` dropped, unary minus added to a numeric constant; numeric constants
``0->1``, ``1->0``, ``1->2``, ``k->k+1``; ``True``/``False``; one operand of a ``+``/``-``
dropped; ``min``/``max`` swapped (calls and ``.min``/``.max`` methods); a ``return``'s
value removed; an ``if`` / conditional-expression test negated; augmented assignment
operators swapped).  Mutants are applied as a textual replacement of the node's source
span, so comments, docstrings and doctests stay byte-identical (no mutant lives in a
docstring: string constants are never mutated).

A seeded sample of ``--per-file`` mutants (or ``--all``) is run one at a time, serially,
in a private copy of the tree (``/work/main`` minus ``.git``, ``.venv*``, caches) with
``cwd`` and ``PYTHONPATH`` set to the copy and ``PYTHONDONTWRITEBYTECODE=1``, so the
editable install is never what gets imported (``--check-isolation`` shows the imported
paths and runs one deliberately lethal mutant).  Each run is::

    python -m pytest -x -q -p no:cacheprovider <mapped tests> --doctest-modules <module>

A mutant is *killed* when pytest fails, *timeout* when it exceeds the per-mutant timeout
(counted as killed, reported separately) and *survived* when the tests pass.  The
report gives the per-file kill %, and every survivor with line number, original and
mutated source line; ``--json PATH`` writes it machine-readable.  ``--rerun-survivors
BEFORE.json`` reruns only that report's survivors when the source and the sample are
unchanged (tests were only added, so a killed mutant stays killed) and carries the rest
over, marked ``carried_over``.  Every pytest run holds an exclusive ``flock`` on
``/tmp/rankcollapse-pytest.lock`` (``MUTATE_LOCK``), so concurrent mutation runs and manual
``flock /tmp/rankcollapse-pytest.lock python -m pytest ...`` never run two pytests at once.

The file -> tests mapping (:data:`TEST_MAP`) was derived by reading ``tests/``: the test
files that import the module directly, (the tests written to kill surviving mutants live in
the module's own test file; files that do not exist are skipped).
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# module -> test files (relative to the repo root).  Derived from the imports in tests/.
TEST_MAP: dict[str, list[str]] = {
    # numeric/
    "numeric/dynamics.py": ["tests/test_dynamics.py", "tests/properties/test_collapse_props.py",
                            "tests/properties/test_backends.py"],
    "numeric/attention.py": ["tests/test_attention.py"],
    "numeric/layernorm.py": ["tests/test_layernorm.py"],
    "numeric/masks.py": ["tests/test_masks.py", "tests/properties/test_graph_closed_forms.py"],
    "numeric/measures.py": ["tests/test_measures.py"],
    "numeric/precision.py": ["tests/properties/test_backends.py",
                             "tests/test_precision.py", "tests/test_measures.py"],
    "numeric/weights.py": ["tests/test_weights.py", "tests/test_theorem2.py"],
    "numeric/errors.py": ["tests/test_errors.py", "tests/test_attention.py"],
    # theory/
    "theory/theorem2.py": ["tests/test_theorem2.py"],
    "theory/bounds.py": ["tests/test_bounds.py", "tests/properties/test_theorem1_bound.py"],
    "theory/graphs.py": ["tests/test_graphs.py", "tests/properties/test_graph_closed_forms.py"],
    "theory/ergodicity.py": ["tests/test_ergodicity.py", "tests/properties/test_ergodicity_props.py"],
    "theory/layernorm.py": ["tests/test_theory_layernorm.py"],
    "theory/theorem2_lemmas.py": ["tests/test_theorem2_lemmas.py", "tests/test_universal_proofs.py"],
    "theory/theorem2_products.py": ["tests/test_theorem2_lemmas.py"],
    "theory/proofs_z3.py": ["tests/test_universal_proofs.py", "tests/soundness/test_soundness.py"],
    "theory/schedules.py": ["tests/test_schedules.py"],
    # modules split out this round: the tests of the module they came from
    "theory/dobrushin.py": ["tests/test_ergodicity.py"],
    "theory/mask_class.py": ["tests/test_ergodicity.py", "tests/test_formal.py"],
    "theory/ergodicity_lemmas.py": ["tests/test_ergodicity.py", "tests/properties/test_ergodicity_props.py"],
    "theory/ergodicity_instances.py": ["tests/test_ergodicity.py"],
    "theory/graph_search.py": ["tests/test_graphs.py"],
    "theory/graph_closed_forms.py": ["tests/test_graphs.py",
                                     "tests/properties/test_graph_closed_forms.py"],
    "theory/graph_checks.py": ["tests/test_graphs.py"],
    "theory/theorem2_common.py": ["tests/test_theorem2_lemmas.py"],
    "theory/exact_text.py": ["tests/test_exact_text.py"],
    "counterexamples/interval_newton.py": ["tests/test_krawczyk.py", "tests/test_f4.py"],
    "counterexamples/jordan_facts.py": ["tests/test_jordan.py"],
    "counterexamples/plane_reduction.py": ["tests/test_plane_reduction.py"],
    "counterexamples/coupled_steps.py": ["tests/test_coupled_steps.py"],
    "theory/attention_facts.py": ["tests/test_attention.py", "tests/test_evidence.py"],
    "theory/evidence.py": ["tests/test_evidence.py", "tests/test_registry.py"],
    # counterexamples/
    "counterexamples/krawczyk.py": ["tests/test_krawczyk.py", "tests/test_f4.py"],
    "counterexamples/f3.py": ["tests/test_f3.py", "tests/test_coupled.py"],
    "counterexamples/f4_search.py": ["tests/test_f4.py"],
    "counterexamples/coupled_proof.py": ["tests/test_coupled_proof.py"],
    "counterexamples/coupled.py": ["tests/test_coupled.py"],
    "counterexamples/jordan.py": ["tests/test_jordan.py", "tests/properties/test_jordan_props.py"],
    "counterexamples/plane.py": ["tests/test_plane.py"],
    "counterexamples/stability.py": ["tests/test_stability.py"],
    "counterexamples/surds.py": ["tests/test_surds.py", "tests/test_jordan.py",
                                 "tests/properties/test_jordan_props.py"],
}

# tests left out of a module's runs, with the reason (they fail on the unmutated tree)
# (the one entry, tests/test_layernorm.py::test_rows_have_unit_norm for numeric/layernorm.py,
# went with the row_norms underflow fix in 47dcfcf)
# theory/theorem2_lemmas.py: the registry-wide scope test of test_universal_proofs.py runs
# claims with a Coq part, re-checked by coqc when formal/ changes (35 s per run, and "open"
# while formal/ is being edited); it tests the registry, not theorem2_lemmas
DESELECT: dict[str, list[str]] = {
    "theory/theorem2_lemmas.py": [
        "tests/test_universal_proofs.py::test_every_claim_of_these_modules_has_a_scope"],
}

_ARITH = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
          ast.Pow: [ast.Mult], ast.FloorDiv: [ast.Div]}
_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
        ast.NotIn: ast.In}
_SYM = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
        ast.FloorDiv: "//", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
        ast.NotIn: "not in", ast.And: "and", ast.Or: "or"}


@dataclass
class Mutant:
    index: int          # position in the enumeration of the file
    kind: str
    line: int
    node_id: int        # index of the node in ast.walk order
    arg: object         # kind-specific
    description: str
    original_line: str = ""
    mutated_line: str = ""


# ----------------------------------------------------------------------------- enumeration
def _skip_nodes(tree) -> set[int]:
    """ids of nodes we must not touch: annotations, f-string internals, docstrings."""
    skip = set()

    def mark(n):
        for m in ast.walk(n):
            skip.add(id(m))

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            mark(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
                if a.annotation is not None:
                    mark(a.annotation)
            if node.returns is not None:
                mark(node.returns)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.body and isinstance(node.body[0], ast.Expr) and \
                    isinstance(node.body[0].value, ast.Constant) and \
                    isinstance(node.body[0].value.value, str):
                mark(node.body[0])
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                for t in node.targets):
            mark(node)
    return skip


def _num_changes(v):
    if isinstance(v, bool):
        return [not v]
    if isinstance(v, int):
        return {0: [1], 1: [0, 2]}.get(v, [v + 1])
    if isinstance(v, float):
        return {0.0: [1.0], 1.0: [0.0, 2.0]}.get(v, [v + 1])
    return []


def enumerate_mutants(src: str) -> list[Mutant]:
    tree = ast.parse(src)
    skip = _skip_nodes(tree)
    out: list[Mutant] = []

    def add(kind, node, nid, arg, desc):
        out.append(Mutant(len(out), kind, node.lineno, nid, arg, desc))

    for nid, node in enumerate(ast.walk(tree)):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        if isinstance(node, ast.BinOp):
            for new in _ARITH.get(type(node.op), []):
                add("binop", node, nid, new.__name__,
                    f"{_SYM[type(node.op)]} -> {_SYM[new]}")
            if isinstance(node.op, (ast.Add, ast.Sub)):
                add("drop_right", node, nid, None, "a +/- b -> a")
                if isinstance(node.op, ast.Add):
                    add("drop_left", node, nid, None, "a + b -> b")
        elif isinstance(node, ast.AugAssign) and type(node.op) in _ARITH:
            for new in _ARITH[type(node.op)]:
                add("augassign", node, nid, new.__name__,
                    f"{_SYM[type(node.op)]}= -> {_SYM[new]}=")
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _CMP:
                    add("compare", node, nid, k,
                        f"{_SYM[type(op)]} -> {_SYM[_CMP[type(op)]]}")
        elif isinstance(node, ast.BoolOp):
            add("boolop", node, nid, None,
                f"{_SYM[type(node.op)]} -> {'or' if isinstance(node.op, ast.And) else 'and'}")
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                add("drop_unary", node, nid, None, "-x -> x")
            elif isinstance(node.op, ast.Not):
                add("drop_unary", node, nid, None, "not x -> x")
        elif isinstance(node, ast.Constant):
            for new in _num_changes(node.value):
                add("const", node, nid, new, f"{node.value!r} -> {new!r}")
            if (isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
                    and node.value != 0):
                add("negate_const", node, nid, None, f"{node.value!r} -> -{node.value!r}")
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("min", "max"):
                add("minmax", node, nid, None, f"{f.id} -> {'max' if f.id == 'min' else 'min'}")
            elif isinstance(f, ast.Attribute) and f.attr in ("min", "max"):
                add("minmax", node, nid, None,
                    f".{f.attr} -> .{'max' if f.attr == 'min' else 'min'}")
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            add("return_none", node, nid, None, "return x -> return None")
        elif isinstance(node, (ast.If, ast.IfExp, ast.While)) and not isinstance(node, ast.While):
            add("negate_if", node, nid, None, "if c -> if not c")
    # de-duplicate the unary-minus cases: "-1" is UnaryOp(Constant 1): keep both kinds
    return out


# ----------------------------------------------------------------------------- application
def _span(lines: list[str], node) -> tuple[int, int, int, int]:
    return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset


def _replace(src: str, node, text: str) -> str:
    """Replace the source span of ``node`` by ``text`` (offsets are utf-8 byte columns)."""
    b = src.encode("utf-8").split(b"\n")
    l0, c0, l1, c1 = node.lineno - 1, node.col_offset, node.end_lineno - 1, node.end_col_offset
    head = b"\n".join(b[:l0]) + (b"\n" if l0 else b"") + b[l0][:c0]
    tail = b[l1][c1:] + (b"\n" if l1 < len(b) - 1 else b"") + b"\n".join(b[l1 + 1:])
    return (head + text.encode("utf-8") + tail).decode("utf-8")


def apply_mutant(src: str, m: Mutant) -> str:
    tree = ast.parse(src)
    node = list(ast.walk(tree))[m.node_id]
    new = copy.deepcopy(node)
    paren = True
    if m.kind == "binop":
        new.op = getattr(ast, m.arg)()
    elif m.kind == "drop_right":
        new = new.left
    elif m.kind == "drop_left":
        new = new.right
    elif m.kind == "augassign":
        new.op = getattr(ast, m.arg)()
        paren = False
    elif m.kind == "compare":
        ops = list(new.ops)
        ops[m.arg] = _CMP[type(ops[m.arg])]()
        new.ops = ops
    elif m.kind == "boolop":
        new.op = ast.Or() if isinstance(new.op, ast.And) else ast.And()
    elif m.kind == "drop_unary":
        new = new.operand
    elif m.kind == "const":
        new.value = m.arg
    elif m.kind == "negate_const":
        new = ast.UnaryOp(ast.USub(), new)
    elif m.kind == "minmax":
        f = new.func
        if isinstance(f, ast.Name):
            f.id = "max" if f.id == "min" else "min"
        else:
            f.attr = "max" if f.attr == "min" else "min"
    elif m.kind == "return_none":
        return _replace(src, node, "return None")
    elif m.kind == "negate_if":
        test_src = ast.get_source_segment(src, node.test)
        return _replace(src, node.test, f"not ({test_src})")
    else:
        raise ValueError(m.kind)
    text = ast.unparse(new)
    if paren:
        text = f"({text})"
    return _replace(src, node, text)


def describe(src: str, m: Mutant, mutated: str) -> None:
    """Fill in the original and mutated source line(s) of ``m``."""
    ol = src.splitlines()
    ml = mutated.splitlines()
    i = m.line - 1
    m.original_line = ol[i].strip()
    # the mutated text starts on the same line; line counts can differ for multi-line spans
    shift = len(ml) - len(ol)
    m.mutated_line = " ".join(s.strip() for s in ml[i:i + 1 + max(0, shift)])


# ----------------------------------------------------------------------------- running
def make_copy(dest: Path) -> Path:
    ign = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.pyc", ".pytest_cache",
                                 ".hypothesis", "*.egg-info", "mutation_reports")
    shutil.copytree(REPO, dest, ignore=ign, symlinks=True)
    return dest


def _env(copy_dir: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy_dir) + (os.pathsep + env["PYTHONPATH"]
                                         if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.setdefault("RANKCOLLAPSE_PROFILE", "ci")
    return env


_NO_KILL = False   # --no-kill-tests: leave out tests/test_kill_*.py (the "before" numbers)


def tests_for(module: str) -> list[str]:
    return [t for t in TEST_MAP.get(module, []) if (REPO / t).exists()
            and not (_NO_KILL and Path(t).name.startswith("test_kill_"))]


_DOCTESTS: dict[str, bool] = {}   # module -> include its doctests (False: they fail unmutated)


def pytest_cmd(module: str, tests: list[str]) -> list[str]:
    doc = ["--doctest-modules", module] if _DOCTESTS.get(module, True) else []
    desel = [a for t in DESELECT.get(module, []) for a in ("--deselect", t)]
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
            "-p", "no:randomly", *tests, *doc, *desel]


LOCK = os.environ.get("MUTATE_LOCK", "/tmp/rankcollapse-pytest.lock")


def run_tests(copy_dir: Path, module: str, tests: list[str], timeout: float):
    """One pytest run; holds an exclusive lock on :data:`LOCK` (``MUTATE_LOCK``) so that
    mutation runs and manual ``flock LOCK python -m pytest ...`` runs never overlap."""
    import fcntl
    with open(LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            return _run_tests(copy_dir, module, tests, timeout)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run_tests(copy_dir: Path, module: str, tests: list[str], timeout: float):
    t0 = time.monotonic()
    try:
        p = subprocess.run(pytest_cmd(module, tests), cwd=copy_dir, env=_env(copy_dir),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        return "timeout", time.monotonic() - t0, (e.stdout or "")[-2000:] if isinstance(
            e.stdout, str) else ""
    status = "survived" if p.returncode == 0 else "killed"
    if p.returncode not in (0, 1):
        status = "killed"  # collection/import errors, interrupted runs: the mutant broke it
    return status, time.monotonic() - t0, p.stdout[-2000:]


def check_isolation(module: str) -> int:
    with tempfile.TemporaryDirectory(prefix="mutate-") as td:
        cd = make_copy(Path(td) / "tree")
        pkgs = "numeric theory counterexamples".split()
        code = ("import importlib;" + ";".join(
            f"print('{p}', importlib.import_module('{p}').__file__)" for p in pkgs))
        out = subprocess.run([sys.executable, "-c", code], cwd=cd, env=_env(cd),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(out.stdout, end="")
        ok = all(str(cd) in line for line in out.stdout.splitlines() if line.strip())
        print("imports come from the copy:", ok)
        # a deliberately lethal mutant: the module raises on import
        path = cd / module
        src = path.read_text()
        path.write_text(src + "\nraise RuntimeError('lethal mutant')\n")
        status, secs, tail = run_tests(cd, module, tests_for(module), 600)
        print(f"lethal mutant on {module}: {status} ({secs:.1f}s)")
        path.write_text(src)
        status0, secs0, tail0 = run_tests(cd, module, tests_for(module), 600)
        print(f"unmutated {module}: {status0} ({secs0:.1f}s)")
        return 0 if ok and status == "killed" and status0 == "survived" else 1


def _carry_over(prev_path: str | None, module: str, src: str, muts) -> dict:
    """Results of a previous report on the SAME sample of the SAME source that a run with
    more tests cannot change: killed / timed-out mutants stay killed when tests are only
    added.  Used by ``--rerun-survivors``; returns ``{mutant index: result}`` (empty when
    the source or the sample differs)."""
    if not prev_path or not Path(prev_path).is_file():
        return {}
    prev = json.loads(Path(prev_path).read_text())
    if isinstance(prev, list):
        prev = next((r for r in prev if r.get("file") == module), {})
    res = {r["index"]: r for r in prev.get("results", [])}
    lines = src.splitlines()
    same = (prev.get("file") == module and prev.get("enumerated") == len(enumerate_mutants(src))
            and sorted(res) == sorted(m.index for m in muts)
            and all(lines[r["line"] - 1].strip() == r["original_line"] for r in res.values()))
    if not same:
        print(f"{module}: {prev_path} is for another source or sample: full run",
              file=sys.stderr)
        return {}
    return {i: r for i, r in res.items() if r["status"] in ("killed", "timeout")}


def mutate_file(module: str, per_file: int | None, seed: int, timeout: float | None,
                verbose: bool = True, rerun_survivors: str | None = None) -> dict:
    src = (REPO / module).read_text()
    muts = enumerate_mutants(src)
    total = len(muts)
    if per_file is not None and per_file < total:
        muts = sorted(random.Random(seed).sample(muts, per_file), key=lambda m: m.index)
    tests = tests_for(module)
    report = {"file": module, "seed": seed, "enumerated": total, "sampled": len(muts),
              "tests": tests, "deselected": DESELECT.get(module, []), "results": []}
    with tempfile.TemporaryDirectory(prefix="mutate-") as td:
        cd = make_copy(Path(td) / "tree")
        target = cd / module
        status0, base, tail0 = run_tests(cd, module, tests, 1800)
        if status0 != "survived" and "[doctest]" in tail0:
            # the module's own doctests fail unmutated: run without them, and say so
            _DOCTESTS[module] = False
            report["doctests_excluded"] = "the module's doctests fail on the unmutated tree"
            print(f"{module}: doctests fail unmutated; running without them", file=sys.stderr)
            status0, base, tail0 = run_tests(cd, module, tests, 1800)
        report["baseline_seconds"] = round(base, 2)
        if status0 != "survived":
            report["error"] = "tests fail on the unmutated tree:\n" + tail0
            print(f"{module}: BASELINE FAILS\n{tail0}", file=sys.stderr)
            return report
        tmo = timeout if timeout is not None else max(30.0, 3 * base + 10)
        report["timeout_seconds"] = tmo
        carried = _carry_over(rerun_survivors, module, src, muts)
        if carried:
            report["carried_over_from"] = rerun_survivors
        for k, m in enumerate(muts):
            if m.index in carried:
                report["results"].append({**carried[m.index], "carried_over": True})
                continue
            try:
                mutated = apply_mutant(src, m)
                compile(mutated, module, "exec")
            except (SyntaxError, ValueError) as e:   # should not happen; recorded
                report["results"].append({**asdict(m), "status": "invalid", "error": str(e)})
                continue
            describe(src, m, mutated)
            target.write_text(mutated)
            status, secs, tail = run_tests(cd, module, tests, tmo)
            target.write_text(src)
            rec = {**asdict(m), "status": status, "seconds": round(secs, 2)}
            report["results"].append(rec)
            if verbose:
                print(f"  [{k + 1}/{len(muts)}] {module}:{m.line} {m.description:<28} "
                      f"{status} ({secs:.1f}s)", file=sys.stderr, flush=True)
    res = report["results"]
    valid = [r for r in res if r["status"] != "invalid"]
    killed = sum(r["status"] in ("killed", "timeout") for r in valid)
    report["killed"] = sum(r["status"] == "killed" for r in valid)
    report["timeouts"] = sum(r["status"] == "timeout" for r in valid)
    report["survived"] = sum(r["status"] == "survived" for r in valid)
    report["kill_percent"] = round(100.0 * killed / len(valid), 1) if valid else None
    return report


def print_report(reports: list[dict]) -> None:
    print(f"{'file':<36} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} "
          f"{'kill %':>6}")
    tot = [0, 0, 0, 0]
    for r in reports:
        if "error" in r:
            print(f"{r['file']:<36} baseline tests fail")
            continue
        n = r["killed"] + r["timeouts"] + r["survived"]
        tot = [tot[0] + n, tot[1] + r["killed"], tot[2] + r["timeouts"], tot[3] + r["survived"]]
        print(f"{r['file']:<36} {n:>7} {r['killed']:>6} {r['timeouts']:>7} "
              f"{r['survived']:>8} {r['kill_percent']:>6}")
    if len(reports) > 1 and tot[0]:
        print(f"{'TOTAL':<36} {tot[0]:>7} {tot[1]:>6} {tot[2]:>7} {tot[3]:>8} "
              f"{round(100 * (tot[1] + tot[2]) / tot[0], 1):>6}")
    for r in reports:
        surv = [x for x in r.get("results", []) if x["status"] == "survived"]
        if surv:
            print(f"\nsurvivors in {r['file']}:")
            for x in surv:
                print(f"  line {x['line']:>4} [{x['description']}]\n"
                      f"       - {x['original_line']}\n       + {x['mutated_line']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Mutation testing of rankcollapse modules against their mapped tests "
                    "(runs every mutant in a private copy of the tree).",
        epilog="Mapped modules: " + ", ".join(TEST_MAP))
    ap.add_argument("files", nargs="*", help="source files relative to the repo root, e.g. "
                                              "numeric/dynamics.py")
    ap.add_argument("--per-file", type=int, default=30, help="mutants sampled per file "
                                                             "(default 30)")
    ap.add_argument("--all", action="store_true", help="run every enumerated mutant")
    ap.add_argument("--all-files", action="store_true", help="every module in TEST_MAP")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per mutant (default max(30, 3 x baseline + 10))")
    ap.add_argument("--json", metavar="PATH", help="write the report as JSON (one file: the "
                                                   "report; several: a list)")
    ap.add_argument("--list", action="store_true", help="list the sampled mutants, do not run")
    ap.add_argument("--check-isolation", action="store_true",
                    help="show that the copy's modules are imported and that a lethal mutant "
                         "is killed")
    ap.add_argument("--no-kill-tests", action="store_true",
                    help="leave out tests/test_kill_*.py (reproduces the 'before' numbers)")
    ap.add_argument("--rerun-survivors", metavar="REPORT.json",
                    help="take the killed / timed-out mutants of an earlier report on the same "
                         "source and sample as killed (adding tests cannot revive them) and "
                         "run only its survivors; falls back to a full run otherwise")
    ap.add_argument("-q", "--quiet", action="store_true", help="no per-mutant progress")
    a = ap.parse_args(argv)
    global _NO_KILL
    _NO_KILL = a.no_kill_tests
    files = list(TEST_MAP) if a.all_files else a.files
    if not files:
        ap.error("name at least one file (or --all-files)")
    for f in files:
        if not (REPO / f).is_file():
            ap.error(f"no such file: {f}")
    if a.check_isolation:
        return max(check_isolation(f) for f in files)
    per = None if a.all else a.per_file
    if a.list:
        for f in files:
            src = (REPO / f).read_text()
            muts = enumerate_mutants(src)
            n = len(muts)
            if per is not None and per < n:
                muts = sorted(random.Random(a.seed).sample(muts, per), key=lambda m: m.index)
            print(f"{f}: {n} mutants enumerated, {len(muts)} selected")
            for m in muts:
                describe(src, m, apply_mutant(src, m))
                print(f"  {m.line:>4} {m.description:<26} | {m.original_line}\n"
                      f"  {'':>4} {'':<26} | {m.mutated_line}")
        return 0
    reports = []
    for f in files:
        print(f"== {f}", file=sys.stderr, flush=True)
        reports.append(mutate_file(f, per, a.seed, a.timeout, verbose=not a.quiet,
                                   rerun_survivors=a.rerun_survivors))
    print_report(reports)
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(reports[0] if len(reports) == 1 else reports,
                                           indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
