"""Exact statements of the paper's definitions and lemmas.

Each lemma is a function whose docstring states it and whose body proves it (SymPy,
exact rationals) or checks it (interval / high-precision numerics), returning an
:class:`theory.evidence.Evidence`.  May use :mod:`numeric`; never imports ``rankcollapse``.
"""

#: marks this package as rankcollapse's own (see rankcollapse/__init__.py)
__rankcollapse_layer__ = "theory"
