"""Facts about the masked softmax, certified with arb balls.

>>> import numpy as np
>>> from numeric import masks
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((4, 3)); W = rng.standard_normal((3, 3))
>>> row_stochastic(masks.causal(4), X, W, W).status
'holds'
"""
from __future__ import annotations

import numpy as np

from numeric import masks as _masks
from numeric.attention import attention
from numeric.precision import get_backend

from .evidence import Evidence, universal


def row_stochastic_symbolic(max_degree: int = 6) -> Evidence:
    """For every in-degree ``n <= max_degree`` and real scores ``R_1..R_n`` (SymPy symbols
    declared real): the masked softmax weights ``exp(R_j) / sum_k exp(R_k)`` sum to 1
    exactly and each is positive.  Off the mask the weight is 0 by definition.

    >>> row_stochastic_symbolic(3).status
    'holds'
    """
    import sympy as sp

    bad = []
    for n in range(1, max_degree + 1):
        R = sp.symbols(f"R1:{n + 1}", real=True)
        Z = sum(sp.exp(r) for r in R)
        w = [sp.exp(r) / Z for r in R]
        if sp.simplify(sum(w) - 1) != 0 or not all(x.is_positive for x in w):
            bad.append(n)
    statement = "sum_j exp(R_j)/sum_k exp(R_k) = 1 and every weight > 0"
    if bad:
        return Evidence(statement, "open", "exact", {"not_confirmed_for_n": bad,
                                                     "open_reason": "SymPy did not confirm"})
    return Evidence(statement, "holds", "exact", {"max_degree": max_degree},
                    scope=universal(f"every row of in-degree n <= {max_degree}, every real "
                                    "score vector", "symbolic (SymPy, real symbols)"))


def row_stochastic(M, X, W_Q, W_K, *, dps: int = 50) -> Evidence:
    """For a mask ``M`` in which every token attends to at least one token, the masked
    attention ``A`` is row-stochastic with support exactly ``M``: ``A_ij > 0`` iff
    ``M[i, j]``, and ``sum_j A_ij = 1``.

    Certified with arb balls at ``dps`` digits on the given instance: every entry on the
    mask is certainly positive, every entry off it is exactly zero, and
    ``|sum_j A_ij - 1| <= 10^(5 - dps)`` is certain (a rigorous inequality; equality
    itself cannot be decided by balls)."""
    be = get_backend(f"arb:{dps}")
    Md = _masks.to_dense(M)
    with be.context():
        A = attention(X, W_Q, W_K, M, backend=be)
        tol = be.scalar(10) ** (5 - dps)
        on = [(i, j) for i in range(A.shape[0]) for j in range(A.shape[1]) if Md[i, j]]
        bad_pos = [(i, j) for (i, j) in on if not A[i, j] > 0]
        bad_off = [(i, j) for i in range(A.shape[0]) for j in range(A.shape[1])
                   if not Md[i, j] and not A[i, j].is_zero()]
        bad_sum = [i for i in range(A.shape[0]) if not abs(A[i].sum() - 1) <= tol]
    ok = not (bad_pos or bad_off or bad_sum)
    return Evidence("A is row-stochastic with support exactly M", "holds" if ok else "fails",
                    "certified", {"N": int(A.shape[0]), "edges": len(on), "digits": dps},
                    None if ok else {"not_positive": bad_pos[:5], "nonzero_off_mask":
                                     bad_off[:5], "row_sum_not_1": bad_sum[:5]})
