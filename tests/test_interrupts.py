"""Ctrl-C, closed pipes and full disks: one line, a documented exit code, and what was
finished is still reported (verify: the claims run so far; simulate: the layers done)."""
from __future__ import annotations

import errno
import io

import pytest

from rankcollapse.cli import main


def test_verify_interrupted_reports_the_finished_claims(monkeypatch, capsys):
    import rankcollapse.commands.verify as V
    real = V.run_claim
    calls = {"n": 0}

    def flaky(c, config):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(c, config)
    monkeypatch.setattr(V, "run_claim", flaky)
    code = main(["verify", "--claim", "attention-row-stochastic", "--claim", "lemma-11",
                 "--claim", "lemma-5", "--claim", "lemma-6"])
    out, err = capsys.readouterr()
    assert code == 130
    assert "2 claims in" in out and "attention-row-stochastic" in out and "lemma-11" in out
    assert "lemma-5 " not in out.split("claim ")[-1] or "interrupted" in err
    assert "interrupted (Ctrl-C) during lemma-5" in err and "Traceback" not in err


def test_simulate_interrupted_prints_the_layers_done(monkeypatch, capsys):
    import rankcollapse.commands.simulate as S

    class Stop:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def update(self, t, *a):
            if t == 4:
                raise KeyboardInterrupt
    monkeypatch.setattr(S, "Progress", Stop)
    code = main(["simulate", "--n", "4", "--d", "2", "--layers", "50", "--every", "1"])
    out, err = capsys.readouterr()
    assert code == 130
    rows = [ln.split()[0] for ln in out.splitlines() if ln.strip() and ln.split()[0].isdigit()]
    assert rows == ["0", "1", "2", "3"]            # X(0) and the three layers finished
    assert "interrupted (Ctrl-C) after 3 layers" in err


def test_broken_pipe_and_full_disk_are_one_line(monkeypatch, capsys):
    import rankcollapse.commands.verify as V

    def pipe(args):
        raise BrokenPipeError
    monkeypatch.setattr(V, "run", pipe)
    monkeypatch.setattr("rankcollapse.cli._silence_stdout", lambda: None)
    assert main(["verify", "--list"]) == 141

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(V, "run", full)
    assert main(["verify", "--list"]) == 74
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["rankcollapse verify: error: could not write the output (No space left "
                   "on device)"]


def test_an_unexpected_exception_is_one_line_naming_a_bug(monkeypatch, capsys):
    import rankcollapse.commands.verify as V

    def boom(args):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(V, "run", boom)
    monkeypatch.delenv("RANKCOLLAPSE_DEBUG", raising=False)
    assert main(["verify", "--list"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error: ZeroDivisionError" in err[0]
    monkeypatch.setenv("RANKCOLLAPSE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["verify", "--list"])
