"""Walkthroughs: one proof walked on a concrete instance (see :mod:`.core`).

Each walkthrough is a function marked with :func:`core.walkthrough`; the claim it walks
names it on its card (``rankcollapse.claims``), which is how ``rankcollapse explain`` and
the blueprint find it.  Importing this package imports every walkthrough module.
"""
from __future__ import annotations

from . import (appendix_e_f, bounds, core, ergodicity, remarks, theorem2, theorem2_lemmas,
               theorem3)
from .core import Step, Walkthrough, is_walkthrough, render, run_walkthrough

MODULES = (ergodicity, remarks, bounds, theorem2, theorem2_lemmas, theorem3, appendix_e_f)

__all__ = ["Step", "Walkthrough", "is_walkthrough", "render", "run_walkthrough", "core",
           "MODULES"]
