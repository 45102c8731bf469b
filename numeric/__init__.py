"""Numeric layer: masks, attention, LayerNorm, the dynamics and the measures.

Depends on nothing else of this project.  Precision is chosen by the caller through
:mod:`numeric.precision` (float64, mpmath at a stated number of digits, or python-flint
``arb`` balls); every update is written once, in :mod:`numeric.attention`,
:mod:`numeric.layernorm` and :mod:`numeric.dynamics`.
"""

#: marks this package as rankcollapse's own (see rankcollapse/__init__.py)
__rankcollapse_layer__ = "numeric"
