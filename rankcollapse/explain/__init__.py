"""``rankcollapse explain``: walk one proof on a concrete instance (see :mod:`.core`).

Walkthroughs register themselves with :func:`core.walkthrough`; importing this package
imports them all (:data:`MODULES`).
"""
from __future__ import annotations

from . import (appendix_e_f, bounds, core, ergodicity, remarks, theorem2, theorem2_lemmas,
               theorem3)
from .core import WALKTHROUGHS, Step, Walkthrough, explain, render

MODULES = (ergodicity, remarks, bounds, theorem2, theorem2_lemmas, theorem3, appendix_e_f)

__all__ = ["WALKTHROUGHS", "Step", "Walkthrough", "explain", "render", "core", "MODULES"]
