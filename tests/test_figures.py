"""The figures at tiny sizes (internal size override): files written, numbers sane, the
robust trends asserted, and negative controls for the trend summaries."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from numeric.errors import RankCollapseError
from rankcollapse.cli import main
from rankcollapse.figures import make_figures
from rankcollapse.figures import fig2_mu
from rankcollapse.figures.common import Context, Sizes, bert_like_layer, synthetic_inputs

TINY = {"n": 8, "d": 16, "heads": 2, "samples": 3, "layers": 6,
        "phase_layers": 15, "basin_grid": 10, "basin_layers": 60, "t1_n": 4, "t1_layers": 15,
        "radius_n": (4, 8), "radius_w": (1, 2), "radius_seeds": 1, "radius_layers": 80}


def _run(tmp_path, only, **kw):
    kw.setdefault("backend", "sequential")
    return make_figures(tmp_path, quick=True, only=only, jobs=1, seed=3, override=TINY,
                        progress=False, **kw)


def _finite(x):
    if isinstance(x, dict):
        return all(_finite(v) for v in x.values())
    if isinstance(x, list):
        return all(_finite(v) for v in x)
    if isinstance(x, float):
        return not math.isnan(x)
    return True


def _load(tmp_path, name):
    png = tmp_path / f"{name}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((tmp_path / f"{name}.json").read_text())
    assert data["seed"] == 3 and data["quick"] is True
    return data


@pytest.fixture(scope="module")
def fig2_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("fig2")
    _run(out, ["fig2", "fig8"])
    return out, _load(out, "fig2"), _load(out, "fig8")


def test_fig2_san_collapses_and_local_masks_slower(fig2_data):
    _, d, _ = fig2_data
    tr = d["trends"]
    for m in ("complete", "causal", "sliding_window", "unidirectional_window"):
        assert tr[m]["san_muT"] < 0.9 * tr[m]["san_mu0"], m     # SAN mu decreases
    assert tr["complete"]["san_muT"] < tr["unidirectional_window"]["san_muT"]
    for c in d["curves"]:
        assert len(c["mu_mean"]) == TINY["layers"] + 1 and _finite(c["mu_mean"])
        assert min(c["mu_mean"]) >= 0


def test_fig2_post_ln_stays_away_from_zero_on_local_masks(fig2_data):
    tr = fig2_data[1]["trends"]
    for m in ("sliding_window", "unidirectional_window"):
        assert tr[m]["ln_min_over_mu0"] > 0.1, (m, tr[m])


def test_fig8_spectra_sane(fig2_data):
    _, _, d8 = fig2_data
    for c in d8["per_config"]:
        sv = np.asarray(c["sv_norm"])
        assert sv.shape == (TINY["layers"] + 1, min(TINY["n"], TINY["d"]))
        assert np.allclose(sv[:, 0], 1) and np.all(np.diff(sv, axis=1) <= 1e-12)
        assert all(1 <= r <= min(TINY["n"], TINY["d"]) for r in c["rank"])
        assert all(0 <= a <= 1 for a in c["avg_abs_cos"])


def test_trends_negative_control():
    """The trend summary must report a non-collapsing SAN and an LN collapse when fed them."""
    T, S = 6, 2
    res = []
    for m in fig2_mu.MASKS:
        for v in fig2_mu.VARIANTS:
            mu = np.ones((T + 1, S)) * (np.linspace(1, 2, T + 1)[:, None] if v == "san"
                                        else np.geomspace(1, 1e-20, T + 1)[:, None])
            res.append({"mask": m, "variant": v, "mu": mu})
    tr = fig2_mu.trends(res)
    assert not tr["complete"]["san_monotone_decreasing"]
    assert tr["complete"]["san_ratio_T"] > 1
    assert tr["causal"]["ln_min_over_mu0"] < 1e-15


def test_fig3_temperature(tmp_path):
    _run(tmp_path, ["fig3"])
    d = _load(tmp_path, "fig3")
    assert d["temperatures"] == [1 / 64, 1.0, 64.0]
    assert len(d["curves"]) == 12 and all(_finite(c["mu_mean"]) for c in d["curves"])
    # complete mask: sharper attention (d_QK = 1/64) slows the first layer's collapse
    assert d["trends"]["complete"]["early_collapse_slower_for_smaller_dqk"]


def test_fig1_phase(tmp_path):
    _run(tmp_path, ["fig1"])
    d = _load(tmp_path, "fig1")
    w = d["w"]
    assert np.allclose(d["A"], [-1 / w, math.sqrt(1 - 1 / w ** 2)])
    assert np.allclose(d["B"], [-1 / w, -math.sqrt(1 - 1 / w ** 2)])
    for mu in d["san_mu"]:
        assert mu[-1] < 1e-3 * mu[0]                     # without LN the tokens meet
    # with LN, token 1 near the top and token 2 inside the arc (A, 3pi/2): token 2 -> B
    tA = math.pi - math.acos(1 / w)
    for r in d["ln_runs"]:
        if abs(r["theta1_0"] - math.pi / 2) < 0.1 and tA < r["theta2_0"] < 1.5 * math.pi:
            assert np.allclose(r["token2_final"], d["B"], atol=0.05), r["theta2_0"]
    assert 0 < d["coupled_basin"]["fraction_apart"] <= 1


def test_theory_overlays(tmp_path):
    _run(tmp_path, ["theory"])
    d = _load(tmp_path, "theory_theorem1")
    for inst in d["instances"]:
        assert inst["check_status"] == "holds"
        assert all(m <= b * (1 + 1e-12) for m, b in zip(inst["mu"], inst["bound"]))
    r = _load(tmp_path, "theory_radius")
    radii = {(x["n"], x["w"]): x["radius"] for x in r["runs"]}
    assert radii[(8, 1)] == 7 and radii[(8, 2)] == 4
    for x in r["runs"]:
        if x["kind"] == "zero" and x["w"] == 1:
            assert 0.3 < x["rate"] < 0.75                 # Jordan block at 1/2, transient


def test_fig6_and_fig9_and_parallel_backend(tmp_path):
    res = _run(tmp_path, ["fig6", "fig9"], backend="threading")
    assert set(res["files"]) == {"fig6", "fig9"}
    d6 = _load(tmp_path, "fig6")
    assert len(d6["layers"]) == TINY["layers"] + 1
    d9 = _load(tmp_path, "fig9")
    for pos in ("sinusoidal", "random"):
        assert 0 <= d9["positions"][pos]["fraction_negative"] <= 1


def test_reproducible():
    s = Sizes(n=6, d=8, heads=2, samples=1, layers=1)
    a, b = bert_like_layer(5, 0, s), bert_like_layer(5, 0, s)
    assert np.array_equal(a.W_V, b.W_V) and np.array_equal(synthetic_inputs(5, 0, s),
                                                           synthetic_inputs(5, 0, s))
    assert not np.array_equal(a.W_Q, bert_like_layer(6, 0, s).W_Q)


def test_bad_input_is_named(tmp_path, capsys):
    with pytest.raises(RankCollapseError, match="multiple"):
        Context(out=tmp_path, override={"d": 10, "heads": 3}).sizes(Sizes(), Sizes())
    with pytest.raises(RankCollapseError, match="unknown figure"):
        make_figures(tmp_path, only=["fig99"])
    assert main(["figures", "--out", str(tmp_path), "--only", "nope"]) == 2
    assert "unknown figure" in capsys.readouterr().err
    with pytest.raises(RankCollapseError, match="joblib backend"):
        _run(tmp_path, ["fig3"], backend="no-such-backend")
