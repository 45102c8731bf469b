"""The registry's promises: every claim names a test that exists (and so can fail), a
section of paper_notes.md, and its statement; ids are unique and in the JSON shape."""
import ast
import pathlib

import pytest

from rankcollapse.claims import REGISTRY, load

ROOT = pathlib.Path(__file__).resolve().parent.parent
load()
CLAIMS = list(REGISTRY.values())


def _test_functions(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                               ast.AsyncFunctionDef))}


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_points_to_an_existing_test(c):
    assert c.statement and c.ref, c.id
    assert "::" in c.test, f"{c.id} names no test"
    file, func = c.test.split("::", 1)
    path = ROOT / file
    assert path.exists(), f"{c.id}: {file} missing"
    assert func.split("[")[0] in _test_functions(path), f"{c.id}: {c.test} missing"


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_has_a_section_in_paper_notes(c):
    notes = (ROOT / "paper_notes.md").read_text()
    assert f"`{c.id}`" in notes, f"{c.id} is not discussed in paper_notes.md"


def test_every_card_module_declares_a_card_and_every_module_is_listed():
    from rankcollapse.claims import CARD_MODULES, HELPER_MODULES
    mods = {c.module.rsplit(".", 1)[1] for c in CLAIMS}
    files = {p.stem for p in (ROOT / "rankcollapse" / "claims").glob("*.py")} - {"__init__"}
    assert mods == {m for m, _ in CARD_MODULES}
    assert files == mods | HELPER_MODULES
