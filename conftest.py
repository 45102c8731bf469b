"""Repository-root pytest configuration: doctest collection of ``numeric/``, ``theory/``
and ``counterexamples/`` (see ``[tool.pytest.ini_options]`` in pyproject.toml).

A module that imports an optional extra (``torch``) at import time cannot even be
collected without it: such modules are left out of doctest collection when the extra is
missing (found by reading their top-level imports, so nothing heavy is imported here).
Modules that use torch lazily, inside functions, are collected as usual."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

_OPTIONAL = ("torch", "transformers")
_PACKAGES = ("numeric", "theory", "counterexamples")


def _top_level_imports(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return set()
    out = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def _missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


_root = Path(__file__).parent
_absent = {m for m in _OPTIONAL if _missing(m)}
collect_ignore = sorted(
    str(p.relative_to(_root))
    for pkg in _PACKAGES for p in (_root / pkg).glob("*.py")
    if _absent & _top_level_imports(p)
) if _absent else []
