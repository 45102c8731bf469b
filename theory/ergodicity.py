"""Ergodicity of products of row-stochastic matrices, exactly (Appendix B.1 of the paper).

Everything here is exact: matrices and vectors are tuples of :class:`fractions.Fraction`.
This module gathers the public names of the modules that state the results, one way
down the layers (no module below imports this one):

* :mod:`theory.stochastic`: exact arithmetic, ``osc``, Dobrushin's ``tau``;
* :mod:`theory.mask_class`: BFS distances, centres, radius, membership of ``A_{G,eps}``;
* :mod:`theory.dobrushin`: the Dobrushin facts;
* :mod:`theory.ergodicity_instances`: seeded exact instances and the path example;
* :mod:`theory.ergodicity_lemmas`: Lemmas 2 and 3, Corollary 2, the rate's monotonicity;
* :mod:`theory.ergodicity_suites`: the seeded suites the registry runs.

Notation (the project's row convention, see ``numeric.masks``):

* ``A`` is row-stochastic (``A_ij >= 0``, rows sum to 1) and acts on a column vector,
  ``x -> A x``; a sequence ``A(0), A(1), ...`` gives ``x(t+1) = A(t) x(t)`` and
  ``x(t) = A(t-1) ... A(0) x(0)``.
* ``M(t) = max_i x_i(t)``, ``m(t) = min_i x_i(t)``, ``osc(x) = max x - min x``.
* A mask ``G`` is a boolean matrix with ``G[i, j]`` true iff token ``i`` attends to ``j``
  (the paper's edge ``(j, i)``).  ``A_{G, eps}`` (the paper's Definition 6) is the set of
  row-stochastic ``A`` with ``A_ij >= eps`` when ``G[i, j]`` and ``A_ij = 0`` otherwise.
* The radius ``r`` of ``G``: the smallest, over centre nodes ``c``, of the largest
  distance from ``c`` to a node (Definition 5), distances along the paper's edges
  ``j -> i`` (``i`` attends to ``j``).

Dobrushin's coefficient ``tau(P) = 1/2 max_{i,j} sum_k |P_ik - P_jk|
= 1 - min_{i,j} sum_k min(P_ik, P_jk)`` is the workhorse: ``osc(P x) <= tau(P) osc(x)``,
``tau(PQ) <= tau(P) tau(Q)``, and a column of ``P`` bounded below by ``delta`` gives
``tau(P) <= 1 - delta``.  A product of ``r`` matrices of ``A_{G,eps}`` has the column of a
centre of eccentricity ``<= r`` bounded below by ``eps^r`` (A1 lets a walk wait at a node),
so ``tau <= 1 - eps^r``: this proves Lemma 3 for every ``p`` in ``[0, 1]`` (p = 1 is the
strongest form) and Corollary 2 with the constant ``C = osc(x(0)) (1-eps^r)^{-(r-1)/r}``,
which is attained.

Each ``check_*`` function states a lemma in its docstring, checks it exactly and returns a
:class:`theory.evidence.Evidence` with level ``"exact"``; on failure the witness holds the
exact matrices and vector as strings, which every function here accepts back.

>>> A = [[1, 0], [Fraction(1, 2), Fraction(1, 2)]]
>>> dobrushin(A)
Fraction(1, 2)
>>> check_osc_contraction([(A, [0, 1])]).status
'holds'
"""
from __future__ import annotations

from fractions import Fraction  # noqa: F401  (doctest namespace)

from .dobrushin import (check_column_bound, check_dobrushin_formulas,  # noqa: F401
                        check_osc_contraction, check_submultiplicative)
from .ergodicity_instances import (paper_masks, path_example, random_in_class,  # noqa: F401
                                   random_qsc_mask, random_stochastic)
from .ergodicity_lemmas import (check_centre_column, check_corollary2,  # noqa: F401
                                check_lemma2, check_lemma3, check_lemma3_proof_steps,
                                check_path_sharpness, corollary2_constant_power,
                                rate_monotone_grid, rate_monotone_symbolic)
from .ergodicity_suites import (DOBRUSHIN_PARTS, suite_corollary2, suite_dobrushin,  # noqa: F401
                                suite_lemma2, suite_lemma2_printed, suite_lemma3)
from .mask_class import (_fails, _holds, centres_and_radius, distances_from,  # noqa: F401
                         in_class, mask_radius)
from .stochastic import *  # noqa: F401,F403  (the exact arithmetic, re-exported)
from .stochastic import (LEVEL, InexactInputError, Matrix, Vector, _as_mask,  # noqa: F401
                         _as_sequence, _tau, as_exact_matrix, as_exact_vector, as_stochastic,
                         column_floor, dobrushin, dobrushin_overlap, exact, extremal_vector,
                         fmt_matrix, fmt_vector, left_product, matmul, matvec, osc,
                         trajectory)


__all__ = [
    "InexactInputError", "exact", "as_exact_matrix", "as_exact_vector", "as_stochastic",
    "matmul", "matvec", "left_product", "trajectory", "osc", "dobrushin",
    "dobrushin_overlap", "column_floor", "extremal_vector", "distances_from",
    "centres_and_radius", "mask_radius", "in_class", "random_stochastic", "random_in_class",
    "random_qsc_mask", "paper_masks", "path_example", "fmt_matrix", "fmt_vector",
    "check_dobrushin_formulas", "check_submultiplicative", "check_osc_contraction",
    "check_column_bound", "check_lemma2", "check_centre_column", "check_lemma3",
    "check_lemma3_proof_steps", "check_corollary2", "corollary2_constant_power",
    "check_path_sharpness",
    "rate_monotone_symbolic", "rate_monotone_grid", "suite_dobrushin", "suite_lemma2",
    "suite_lemma2_printed", "suite_lemma3", "suite_corollary2", "DOBRUSHIN_PARTS",
]
