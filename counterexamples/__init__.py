"""Constructions behind the paper's counterexamples (Theorem 3, Appendices E-F).

* :mod:`counterexamples.jordan` -- the value matrix ``I + wJ`` and the Jordan-chain
  equilibria of every rank, verified exactly; the sharp condition on w.
* :mod:`counterexamples.plane`  -- the N = d = 2 example: ratio maps, A and B, Lemma 11,
  the invariant arcs and the basin of B.
* :mod:`counterexamples.surds`  -- exact arithmetic with sums of square roots (fast,
  canonical zero tests) used by the verifications.

May import :mod:`numeric` and :mod:`theory`; never ``rankcollapse``.
"""

#: marks this package as rankcollapse's own (see rankcollapse/__init__.py)
__rankcollapse_layer__ = "counterexamples"
