"""The paper's figures, reproduced at random initialisation on synthetic inputs.

One module per figure; each has ``NAME``, ``TITLE`` and ``make(ctx) -> [paths]`` writing a
PNG and the JSON numbers behind it.  :func:`make_figures` runs a selection.
"""
from __future__ import annotations

import time
from pathlib import Path

from numeric.errors import RankCollapseError

from . import fig1_phase, fig2_mu, fig2_precision, fig3_temperature, fig6_deep, fig8_spectra, \
    fig9_cosines, schedules, theory_overlay
from .common import Context

#: name -> module, in the order they are made (fig8 reuses fig2's sweep)
FIGURES = {m.NAME: m for m in (fig1_phase, fig2_mu, fig8_spectra, fig3_temperature,
                                 fig6_deep, fig9_cosines, theory_overlay, fig2_precision,
                                 schedules)}

__all__ = ["FIGURES", "Context", "make_figures"]


def make_figures(out, *, quick: bool = False, only=None, jobs: int = -1, seed: int = 0,
                 backend: str | None = None, override: dict | None = None,
                 progress: bool = True) -> dict:
    """Make the figures named in ``only`` (default all) into ``out``; returns
    ``{"files": {name: [paths]}, "seconds": {name: s}, "total_seconds": s}``."""
    names = list(FIGURES) if not only else list(only)
    bad = [n for n in names if n not in FIGURES]
    if bad:
        raise RankCollapseError(f"unknown figure(s) {bad}; choose from {', '.join(FIGURES)}")
    ctx = Context(out=Path(out), quick=quick, seed=seed, jobs=jobs, backend=backend,
                  override=dict(override or {}), progress=progress)
    files, secs = {}, {}
    t00 = time.perf_counter()
    for n in names:
        t0 = time.perf_counter()
        files[n] = [str(p) for p in FIGURES[n].make(ctx)]
        secs[n] = time.perf_counter() - t0
    return {"files": files, "seconds": secs, "total_seconds": time.perf_counter() - t00,
            "out": str(out), "quick": quick, "seed": seed}
