"""No user string is ever evaluated: the project's source calls no ``eval``, ``exec``,
``sympify`` / ``S()`` or ``parse_expr`` (method calls such as a z3 model's ``.eval`` are a
different function and allowed)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("numeric", "theory", "counterexamples", "rankcollapse", "tools", "benchmarks")
FORBIDDEN = {"eval", "exec", "sympify", "parse_expr", "compile", "__import__"}
FORBIDDEN_ATTR = {"sympify", "parse_expr", "S"}       # sp.sympify(...), sympy.S(...)


def _calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in FORBIDDEN:
                yield node.lineno, f.id
            elif isinstance(f, ast.Attribute) and f.attr in FORBIDDEN_ATTR and \
                    isinstance(f.value, ast.Name) and f.value.id in ("sp", "sympy"):
                yield node.lineno, f"{f.value.id}.{f.attr}"


#: reviewed exceptions: (file, call) -> why it never sees a user's text
ALLOWED = {("tools/mutate.py", "compile"): "compiles the project's own mutated source files"}


def test_no_evaluating_call_in_the_source():
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            found += [(rel, ln, name) for ln, name in _calls(path)
                      if (rel, name) not in ALLOWED]
    assert not found, found


def test_the_scanner_finds_what_it_forbids(tmp_path):
    """Negative control: a file with each forbidden call is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import sympy as sp\neval('1')\nsp.sympify('x')\nexec('y = 1')\n"
                   "sp.S('2')\nm.eval(h)\n")
    assert [name for _, name in _calls(bad)] == ["eval", "sp.sympify", "exec", "sp.S"]
