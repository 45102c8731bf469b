"""Every public function answers or refuses: hostile, malformed and extreme values get a
:class:`numeric.errors.RankCollapseError` (one line naming the argument), never a raw
numpy / SymPy / flint exception, a NaN or a silent 0.

The rule checked here, for each function and each hostile value: the call either returns
a result with no NaN in it, or raises ``RankCollapseError`` whose message is one line.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import attention as att
from numeric import layernorm as ln
from numeric import masks, measures
from numeric.errors import RankCollapseError
from numeric.precision import get_backend

HOSTILE_SCALARS = [-1, 0, -0.5, 1.5, math.nan, math.inf, -math.inf, 10 ** 30, "3", None,
                   True, [2], 2 ** 70]


def _answers_or_refuses(fn, *args, **kw):
    try:
        out = fn(*args, **kw)
    except RankCollapseError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg, f"{fn.__name__}: multi-line error {msg!r}"
        return None
    arr = np.asarray(out, dtype=object).ravel() if not np.isscalar(out) else [out]
    for v in arr:
        if isinstance(v, (float, np.floating)):
            assert not math.isnan(v), f"{fn.__name__}{args}: silent NaN"
    return out


@pytest.mark.parametrize("family", ["complete", "causal", "sliding_window",
                                    "unidirectional_window", "strided", "block_local",
                                    "prefix_lm", "global_window", "dilated_window"])
@pytest.mark.parametrize("bad", HOSTILE_SCALARS)
def test_mask_families_refuse_bad_sizes(family, bad):
    fn = getattr(masks, family)
    if family in ("strided", "block_local", "prefix_lm"):
        _answers_or_refuses(fn, bad, 2)
        _answers_or_refuses(fn, 4, bad)
    else:
        _answers_or_refuses(fn, bad)
        if family not in ("complete", "causal"):
            _answers_or_refuses(fn, 4, bad)


@pytest.mark.parametrize("spec", ["arb:100000000", "mpmath:100000000", "mpmath:-3", "arb:abc",
                                  "float32", "", 5, "mpmath:10**9", "arb:1e3", "arb:15"])
def test_get_backend_refuses_bad_specs(spec):
    with pytest.raises(RankCollapseError):
        get_backend(spec)


BAD_TOKENS = [np.array([[np.nan, 1.0], [1.0, 2.0]]), np.array([[np.inf, 1.0], [0.0, 1.0]]),
              np.zeros((0, 3)), np.zeros((3, 0)), np.array([1.0, 2.0]),
              np.array([["a", "b"]]), np.zeros((2, 2), dtype=complex)]


@pytest.mark.parametrize("name", sorted(measures.MEASURES))
@pytest.mark.parametrize("k", range(len(BAD_TOKENS)))
def test_measures_refuse_bad_tokens(name, k):
    _answers_or_refuses(measures.MEASURES[name], BAD_TOKENS[k])


@pytest.mark.parametrize("k", range(len(BAD_TOKENS)))
def test_layernorm_refuses_bad_tokens(k):
    _answers_or_refuses(ln.layernorm, BAD_TOKENS[k])
    _answers_or_refuses(ln.layer_norm_full, BAD_TOKENS[k])


@pytest.mark.parametrize("eps", [-1, math.nan, math.inf, "x", None])
def test_full_layernorm_refuses_bad_eps(eps):
    _answers_or_refuses(ln.layer_norm_full, np.ones((2, 3)), eps=eps)


def test_attention_refuses_mismatches():
    X = np.ones((3, 2))
    W = np.eye(2)
    for M in (masks.causal(4), np.ones((3, 3)), np.eye(3, dtype=bool)[:, :2], "causal"):
        _answers_or_refuses(att.attention, X, W, W, M)
    for Wbad in (np.eye(3), np.full((2, 2), np.nan), np.ones(2)):
        _answers_or_refuses(att.attention, X, Wbad, W, masks.causal(3))
    _answers_or_refuses(att.attention, X, W, W, masks.causal(3), d_qk=0)
    _answers_or_refuses(att.attention, X, W, W, masks.causal(3), d_qk=-2)


@settings(max_examples=25)
@given(st.floats(allow_nan=True, allow_infinity=True, width=64),
       st.integers(1, 4), st.integers(1, 4))
def test_measures_never_return_nan(v, n, d):
    X = np.full((n, d), v)
    for fn in measures.MEASURES.values():
        _answers_or_refuses(fn, X)


def test_simulate_refuses_bad_arguments():
    from numeric.dynamics import simulate
    X0 = np.ones((3, 2)) + np.eye(3, 2)
    lay = (np.eye(2), np.eye(2), np.eye(2))
    M = masks.causal(3)
    for kw in ({"T": -1}, {"T": 1.5}, {"T": "3"}, {"mode": "post"}, {"backend": "arb:5"},
               {"backend": "mpmath:100000000"}):
        args = dict(T=2)
        args.update(kw)
        T = args.pop("T")
        _answers_or_refuses(simulate, X0, M, lay, T, **args)
    _answers_or_refuses(simulate, np.full((3, 2), np.nan), M, lay, 2)
    _answers_or_refuses(simulate, X0, masks.causal(4), lay, 2)
    _answers_or_refuses(simulate, X0, M, (np.eye(3), np.eye(2), np.eye(2)), 2)


@pytest.mark.parametrize("argv", [
    ["verify", "--seed", "-1"], ["verify", "--json", "--markdown"], ["verify", "--claim", "x"],
    ["counterexample", "--n", "3", "--d", "3", "--w", "3", "--seed", "-1"],
    ["counterexample", "--n", "200", "--d", "2", "--w", "3"],
    ["counterexample", "--n", "3", "--d", "3", "--rank", "2", "--w", "0"],
    ["counterexample", "--n", "3", "--d", "3", "--w", "abc"],
    ["counterexample", "--coupled", "--w", "2", "--depth", "99"],
    ["simulate", "--backend", "arb:100000000"], ["simulate", "--backend", "mpmath:5"],
    ["mask", "causal", "--n", "-3"], ["nonsense"],
])
def test_cli_refuses_in_one_line_with_exit_2(argv, capsys):
    from rankcollapse.cli import main
    with pytest.raises(SystemExit) as e:
        code = main(argv)
        raise SystemExit(code)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error" in err[0] and "Traceback" not in err[0], err


def test_counterexample_signs_may_start_with_minus(capsys):
    from rankcollapse.cli import main
    assert main(["counterexample", "--n", "3", "--d", "3", "--w", "3", "--signs", "-++",
                 "--json"]) == 0
    import json
    doc = json.loads(capsys.readouterr().out)
    assert doc["equilibria"][0]["exact"][0][-1] == "-1"     # the overall sign flips e_d


def test_counterexample_not_certified_says_why_on_stderr(capsys):
    from rankcollapse.cli import main
    assert main(["counterexample", "--n", "3", "--d", "3", "--w", "3", "--certify-delta",
                 "1e6"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not certified" in err[0]


def test_a_mask_without_self_loops_warns_through_the_api():
    from numeric.dynamics import AssumptionWarning, simulate
    I = np.eye(2)
    with pytest.warns(AssumptionWarning, match="A1 fails"):
        simulate(np.eye(2), masks.without_self_loops(masks.complete(2)), (I, I, I), 2)


def test_table_survives_a_zero_token():
    """A zero token has no direction: phi is undefined, the other measures are kept."""
    from numeric.dynamics import simulate
    Z, I = np.zeros((2, 2)), np.eye(2)
    tr = simulate(np.array([[0.0, 0.0], [1.0, 2.0]]), masks.causal(2), (Z, Z, I), 2)
    rows = tr.table()
    assert all(r["phi"] is None and r["mu"] > 0 for r in rows)
    assert "undefined" in tr.format()


@pytest.mark.parametrize("argv,msg", [
    (["simulate", "--mask", "causal", "--w", "5"], "does not apply"),
    (["simulate", "--plot", "/nonexistent-dir/x.png"], "does not exist"),
    (["simulate", "--plot", "x.foo"], "unknown image format"),
    (["simulate", "--backend", "mpmath:30", "--n", "4000", "--layers", "1"], "operations"),
    (["mask", "causal", "--n", "8", "--max-edges", "-5"], "--max-edges"),
])
def test_simulate_and_mask_refuse_silently_ignored_options(argv, msg, capsys):
    from rankcollapse.cli import main
    try:
        code = main(argv)
    except SystemExit as exc:              # refused by the argument parser itself
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and msg in err[0]


def test_simulate_notes_degenerate_windows_and_plots_after_the_table(tmp_path, capsys):
    from rankcollapse.cli import main
    assert main(["simulate", "--mask", "sliding_window", "--w", "100", "--n", "8",
                 "--layers", "2"]) == 0
    assert "is the complete mask" in capsys.readouterr().err
    assert main(["simulate", "--mask", "sliding_window", "--w", "0", "--layers", "2"]) == 0
    assert "no centre node" in capsys.readouterr().err
    out_path = tmp_path / "myplot"
    assert main(["simulate", "--layers", "3", "--plot", str(out_path)]) == 0
    out = capsys.readouterr().out
    assert out.index("   t ") < out.index("plot written to") and f"{out_path}.png" in out
    assert (tmp_path / "myplot.png").stat().st_size > 1000


def test_simulate_json_rank_is_an_integer(capsys):
    import json
    from rankcollapse.cli import main
    assert main(["simulate", "--layers", "2", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert all(isinstance(r["rank"], int) for r in rows)


def test_rate_summary_refuses_zero_centres():
    """Found by mutation testing: n_centres = 0 used to divide by zero."""
    from theory.bounds import rate_summary
    for args in ((1, 0, 0), (3, 1, 0), (0, 1, 1), (3, -1, 1)):
        _answers_or_refuses(rate_summary, *args)
    with pytest.raises(RankCollapseError, match="n_centres"):
        rate_summary(1, 0, 0)
