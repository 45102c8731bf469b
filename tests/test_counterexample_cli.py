"""Inputs a user might type for w: each refused with one clear line, no hang."""
import pytest

from rankcollapse.cli import main


@pytest.mark.parametrize("w, msg", [
    ("abc", "cannot read"),
    ("pi", "cannot read"),          # only numbers of the stated grammar, no names
    ("1e400", "larger than"),
    ("x+", "cannot read"),
    ("__import__('os')", "cannot read"),
    ("3/2", "N-k+1"),
])
def test_bad_w_is_refused(w, msg, capsys):
    assert main(["counterexample", "--n", "4", "--d", "4", "--rank", "3", "--w", w]) == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err


def test_decimal_w_is_exact(capsys):
    assert main(["counterexample", "--n", "3", "--d", "3", "--rank", "2", "--w", "2.5",
                 "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"w": "5/2"' in out
