import json

import pytest

from rankcollapse.cli import main


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in ("verify", "simulate"):
        assert cmd in out


def test_simulate_json_shows_collapse(capsys):
    assert main(["simulate", "--mask", "complete", "--n", "6", "--d", "3", "--layers", "40",
                 "--value", "identity", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["rows"]
    assert doc["parameters"]["seed"] == 0 and rows[-1]["t"] == 40
    last = rows[-1]["mu"]
    # collapsed below float64 resolution: reported as "<res", never as a silent 0.0
    assert (isinstance(last, str) and last.startswith("<")) or last < 1e-6 * rows[0]["mu"]


def test_simulate_table_and_plot(tmp_path, capsys):
    png = tmp_path / "mu.png"
    assert main(["simulate", "--n", "5", "--d", "3", "--layers", "5", "--mode", "post-ln",
                 "--batch", "3", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "means over 3 inputs" in out and png.stat().st_size > 1000


@pytest.mark.parametrize("argv, msg", [
    (["simulate", "--mask", "nope"], "unknown mask family"),
    (["simulate", "--n", "0"], "argument --n: must be between 1 and"),
    (["simulate", "--backend", "quad"], "unknown backend"),
    (["verify", "--claim", "no-such-claim"], "unknown claim"),
])
def test_bad_input_one_clear_line(argv, msg, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:              # refused by the argument parser itself
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err


def test_verify_json_document(capsys):
    assert main(["verify", "--claim", "attention-row-stochastic", "--claim",
                 "layernorm-scale-invariance", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ids = [c["id"] for c in doc["claims"]]
    assert ids == ["attention-row-stochastic", "layernorm-scale-invariance"]
    for c in doc["claims"]:
        assert {"id", "statement", "status", "level", "evidence", "seconds"} <= set(c)
        assert c["status"] == "holds"


def test_verify_reports_crash_as_error(monkeypatch, capsys):
    from rankcollapse import claims

    claims.load()
    c = claims.REGISTRY["attention-row-stochastic"]
    monkeypatch.setattr(c, "check", lambda cfg: 1 / 0)
    assert main(["verify", "--claim", "attention-row-stochastic"]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_verify_strict_exit_on_failing_claim(monkeypatch, capsys):
    from rankcollapse import claims
    from theory.evidence import Evidence

    claims.load()
    c = claims.REGISTRY["attention-row-stochastic"]
    from theory.evidence import witness
    monkeypatch.setattr(c, "check", lambda cfg: Evidence("x", "fails", "exact", {}, {"w": 1},
                                                         scope=witness("x")))
    assert main(["verify", "--claim", c.id]) == 0
    assert main(["verify", "--claim", c.id, "--strict"]) == 1
    assert "witness" in capsys.readouterr().out


def test_verify_refuses_a_verdict_without_scope(monkeypatch, capsys):
    """A check that says holds but not for which inputs is reported as an error."""
    from rankcollapse import claims
    from theory.evidence import Evidence

    claims.load()
    c = claims.REGISTRY["attention-row-stochastic"]
    monkeypatch.setattr(c, "check", lambda cfg: Evidence("x", "holds", "exact", {}))
    assert main(["verify", "--claim", c.id]) == 1
    assert "states no scope" in capsys.readouterr().out


def test_a_shadowing_package_is_named_in_one_line(tmp_path):
    """A foreign top-level `theory` earlier on the path is detected, not used silently."""
    import os
    import subprocess
    import sys
    (tmp_path / "theory").mkdir()
    (tmp_path / "theory" / "__init__.py").write_text("")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", "import sys; from rankcollapse.cli import "
                          "main; sys.exit(main(['verify', '--list']))"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 2
    err = out.stderr.strip().splitlines()
    assert len(err) == 1 and "'theory'" in err[0] and "shadows" in err[0]


def test_family_names_of_the_parser_match_the_library():
    from numeric import masks
    from rankcollapse.maskargs import FAMILY_NAMES
    assert tuple(masks.FAMILIES) == FAMILY_NAMES


def test_thorough_announces_its_measured_time(capsys):
    from rankcollapse.cli import main
    assert main(["verify", "--thorough", "--claim", "lemma-5"]) == 0
    err = capsys.readouterr().err
    assert "[verify] --thorough: 1 claim, about" in err and "peak memory" in err
    assert "lemma-5: holds" in err


def test_an_option_error_names_the_option_once(capsys):
    from rankcollapse.cli import main, one_mention
    assert one_mention("argument --n: --n must be between 1 and 9") == \
        "argument --n: must be between 1 and 9"
    assert one_mention("argument --seed: the seed must be >= 0") == \
        "argument --seed: the seed must be >= 0"
    try:
        main(["simulate", "--n", "-3"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "argument --n: must be between 1 and" in err and err.count("--n") == 1
