"""``rankcollapse explain``: walk one proof on a concrete instance (see :mod:`.core`).

Walkthroughs register themselves with :func:`core.walkthrough`; importing this package
imports them all (:data:`MODULES`).
"""
from __future__ import annotations

from . import bounds, core, ergodicity, more, more2, theorem2, theorem3
from .core import WALKTHROUGHS, Step, Walkthrough, explain, render

MODULES = (ergodicity, bounds, theorem2, theorem3, more, more2)

__all__ = ["WALKTHROUGHS", "Step", "Walkthrough", "explain", "render", "core", "MODULES"]
