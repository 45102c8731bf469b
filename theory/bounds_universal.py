"""The ingredients of Lemma 1, Theorem 1, Theorem 2 and Corollary 1, proved for whole
domains by a decision procedure (z3, nonlinear real arithmetic).

Each function states one inequality, asserts its hypotheses and the NEGATION of its
conclusion, and asks z3 for a model: ``unsat`` is a proof for every real input of the
stated domain (scope ``universal``), ``sat`` a counterexample (``fails``, the model is
the witness), ``unknown`` or a timeout ``open``.  The query (SMT-LIB) is kept in the
evidence so anyone can rerun it with ``z3 -smt2``.  Every query goes through
:func:`theory.proofs_z3.decide` (which also refuses a vacuous unsat).

* :func:`lemma1_weight_bound`: masked softmax weights are ``>= exp(-2S)/|N_i|`` when
  every score lies in ``[-S, S]`` (Lemma 1's explicit eps), for in-degrees ``<= k``.
* :func:`popoviciu`: ``sum_i (y_i - mean)^2 <= n (max - min)^2 / 4`` (the column step of
  Theorem 1's constant ``C``), for ``n <= k``.
* :func:`mu_pairwise_identity` (SymPy, not z3): ``mu(X)^2 = (1/2N) sum_{m,n} ||X_m - X_n||^2``,
  the identity of Appendix B.2 (the paper's route to Theorem 1).
* :func:`one_block_recursion`: the one-block recursion behind Corollary 1 and Theorem 2
  at radius 1, ``phi(t+1) >= n eps^2 + (1 - n eps^2) phi(t)`` whenever ``phi(t) >= 0``,
  for the causal mask (``n = 1``) and the complete mask (``n = N``), small ``N``.

>>> lemma1_weight_bound(3).status
'holds'
>>> popoviciu(3, factor=5).status   # a false constant: n osc^2 / 5 is too small
'fails'
"""
from __future__ import annotations


from .evidence import Evidence, universal
from .proofs_z3 import decide

__all__ = ["lemma1_weight_bound", "popoviciu", "one_block_recursion", "popoviciu_symbolic",
           "mu_pairwise_identity"]


def lemma1_weight_bound(max_degree: int = 6, *, timeout_ms: int = 10000,
                        factor: int = 1) -> Evidence:
    """For every in-degree ``n <= max_degree``, every ``S >= 0`` and every scores
    ``R_i1..R_in`` in ``[-S, S]``: ``exp(R_i1) / sum_k exp(R_ik) >= exp(-2S) / n``.

    With ``u_k = exp(R_ik)`` in ``[lo, hi]``, ``lo = exp(-S)``, ``hi = exp(S)``, this is the
    polynomial statement ``u_1 / sum u_k >= lo / (n hi)`` for all ``0 < lo <= u_k <= hi``
    (exp is increasing and positive, and ``lo / hi = exp(-2S)``), decided by z3 for each
    ``n``.  ``factor > 1`` claims the false ``factor * lo / (n hi)`` (a negative control).
    """
    import z3

    parts = []
    for n in range(1, max_degree + 1):
        lo, hi = z3.Reals("lo hi")
        u = z3.Reals(" ".join(f"u{k}" for k in range(n)))
        hyps = [lo > 0, hi >= lo] + [z3.And(lo <= v, v <= hi) for v in u]
        goal = u[0] * n * hi >= factor * lo * sum(u)   # u_1 / sum >= factor lo / (n hi)
        parts.append(decide(f"u_1/sum u_k >= {factor} lo/({n} hi)", hyps, goal,
                            domain=f"in-degree {n}", timeout_ms=timeout_ms))
    return _conj("A_ij >= exp(-2S)/|N_i| for every score vector in [-S, S]^n" +
                 ("" if factor == 1 else f" (times {factor}: negative control)"),
                 f"every S >= 0, every in-degree n <= {max_degree}, every score vector in "
                 "[-S, S]^n", parts)


def popoviciu(max_n: int = 5, *, timeout_ms: int = 10000, factor: int = 4) -> Evidence:
    """For every ``n <= max_n`` and every ``y`` in ``R^n``:
    ``sum_i (y_i - mean(y))^2 <= n osc(y)^2 / factor`` (Popoviciu's inequality for
    ``factor = 4``, the column step of Theorem 1's constant; ``factor > 4`` is false).

    Both sides are invariant under ``y -> y + s`` and scale by ``k^2`` under ``y -> k y``,
    so it suffices to prove it for ``y`` in ``[0, 1]^n`` (``osc <= 1``): this is the query."""
    import z3

    parts = []
    for n in range(1, max_n + 1):
        y = z3.Reals(" ".join(f"y{k}" for k in range(n)))
        mean = sum(y) / n
        hyps = [z3.And(0 <= v, v <= 1) for v in y]
        goal = factor * sum((v - mean) ** 2 for v in y) <= n
        parts.append(decide(f"sum (y - mean)^2 <= {n} / {factor} on [0, 1]^{n}", hyps, goal,
                            domain=f"n = {n}", timeout_ms=timeout_ms))
    return _conj(f"sum_i (y_i - mean)^2 <= n osc(y)^2 / {factor}",
                 f"every n <= {max_n}, every y in R^n", parts)


def popoviciu_symbolic() -> Evidence:
    """Popoviciu for EVERY ``n``: ``sum_i (y_i - mean)^2 <= n osc(y)^2 / 4``.

    After shifting and scaling, ``y`` lies in ``[0, 1]^n``.  The left side is a convex
    function of ``y`` (a sum of squares of linear forms), so its maximum over the cube is
    at a vertex; a vertex with ``k`` ones gives ``k (n - k) / n``, and
    ``n/4 - k (n - k)/n = (n - 2k)^2 / (4n) >= 0``: SymPy checks the vertex value and this
    identity with ``n, k`` symbolic.

    >>> popoviciu_symbolic().status
    'holds'
    """
    import sympy as sp

    n, k = sp.symbols("n k", positive=True)
    mean = k / n
    vertex = sp.simplify(k * (1 - mean) ** 2 + (n - k) * mean ** 2)   # k ones, n-k zeros
    ok_vertex = sp.simplify(vertex - k * (n - k) / n) == 0
    gap = sp.factor(sp.Rational(1, 4) * n - k * (n - k) / n)
    ok_gap = sp.simplify(gap - (n - 2 * k) ** 2 / (4 * n)) == 0
    details = {"vertex_value": str(vertex), "n/4 - vertex": str(gap)}
    if ok_vertex and ok_gap:
        return Evidence("sum_i (y_i - mean)^2 <= n osc(y)^2 / 4", "holds", "exact", details,
                        scope=universal("every n >= 1, every y in R^n",
                                        "symbolic (SymPy) after convexity reduces to "
                                        "vertices of the cube"))
    return Evidence("sum_i (y_i - mean)^2 <= n osc(y)^2 / 4", "open", "exact",
                    {**details, "open_reason": "SymPy did not confirm the identities"})


def mu_pairwise_identity(max_n: int = 5, max_d: int = 2, *, factor=2) -> Evidence:
    """Appendix B.2's identity ``mu(X)^2 = (1/(factor N)) sum_{m,n} ||X_m - X_n||^2`` with
    ``mu(X) = ||X - 1 mean(X)||_F``; true for ``factor = 2`` only.

    Two independent parts.  For every ``N`` and ``d``: both sides are sums over the ``d``
    columns, and for one column ``x`` with ``S1 = sum x_i``, ``S2 = sum x_i^2`` linearity
    of finite sums gives ``sum_{i,j} (x_i - x_j)^2 = 2 N S2 - 2 S1^2`` and
    ``sum_i (x_i - S1/N)^2 = S2 - S1^2/N``; SymPy checks the identity between these with
    ``N, S1, S2`` symbolic.  For ``N <= max_n``, ``d <= max_d``: SymPy expands both sides
    as polynomials in the ``N d`` symbolic entries and compares them exactly (no
    reduction by hand).  With another ``factor`` the sizes check finds a witness.

    >>> mu_pairwise_identity(3, 1).status, mu_pairwise_identity(3, 1, factor=1).status
    ('holds', 'fails')
    """
    import sympy as sp

    from .evidence import witness

    statement = f"mu(X)^2 = (1/({factor} N)) sum_(m,n) ||X_m - X_n||^2"
    factor = sp.nsimplify(factor)
    N, S1, S2 = sp.symbols("N S1 S2", positive=True)
    pair_sum, centred = 2 * N * S2 - 2 * S1 ** 2, S2 - S1 ** 2 / N
    reduced = sp.simplify(pair_sum / (factor * N) - centred)
    sizes = []
    for n in range(1, max_n + 1):
        for d in range(1, max_d + 1):
            X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}_{j}", real=True))
            mean = sp.ones(1, n) * X / n
            mu2 = sum((X[i, k] - mean[0, k]) ** 2 for i in range(n) for k in range(d))
            pairs = sum((X[i, k] - X[m, k]) ** 2 for i in range(n) for m in range(n)
                        for k in range(d))
            diff = sp.expand(mu2 - pairs / (factor * n))
            sizes.append({"N": n, "d": d, "lhs - rhs": str(diff)})
            if diff != 0:
                # a witness: the first two tokens differ in one coordinate
                wit = {X[i, k]: (1 if (i, k) == (0, 0) else 0) for i in range(n)
                       for k in range(d)}
                val = diff.subs(wit)
                if val != 0:
                    return Evidence(statement, "fails", "exact",
                                    {"sizes_checked": sizes, "N": n, "d": d,
                                     "lhs - rhs at the witness": str(val)},
                                    witness={"X": [[wit[X[i, k]] for k in range(d)]
                                                   for i in range(n)]},
                                    scope=witness(f"N = {n}, d = {d}, X = e_1 e_1^T"))
    details = {"every N, d: (2 N S2 - 2 S1^2)/(factor N) - (S2 - S1^2/N)": str(reduced),
               "sizes_checked": [f"N={x['N']}, d={x['d']}" for x in sizes]}
    if reduced == 0:
        return Evidence(statement, "holds", "exact", details,
                        scope=universal("every N >= 1, d >= 1, every real X in R^(N x d)",
                                        "SymPy: the identity in N, S1 = sum x_i, S2 = sum "
                                        "x_i^2 (column by column, by linearity of finite sums);"
                                        f" cross-checked as a polynomial identity in the "
                                        f"entries for N <= {max_n}, d <= {max_d}"))
    return Evidence(statement, "open", "exact",
                    {**details, "open_reason": "the sizes agree but the reduction in N, S1, "
                                               "S2 does not simplify to 0"})


def one_block_recursion(N: int = 2, mask: str = "causal", n_centres: int = 1, *,
                        timeout_ms: int = 10000) -> Evidence:
    """One post-LN layer on ``N`` unit tokens with ``phi(t) = phi >= 0``, any orthogonal
    ``W_V`` (inner products are preserved, so it drops out) and any attention ``A`` in
    ``A_{G,eps}`` (``A_ij >= eps`` on the edges of ``G``, 0 off them, rows summing to 1),
    on a mask of radius 1: ``phi(t+1) >= n eps^2 + (1 - n eps^2) phi(t)``.

    ``mask`` is ``"causal"`` (Corollary 1: ``n = 1``) or ``"complete"`` (Theorem 2: the
    paper counts ``n = N``).  The paper's route, in three steps:

    1. ``<y_i, y_j> >= phi + (1 - phi) s_ij`` with ``y = A X`` and ``s_ij = sum_k A_ik A_jk``
       (expand, ``<x_k, x_l> >= phi`` for ``k != l``, ``= 1`` for ``k = l``): z3, every
       Gram entry in ``[phi, 1]`` (a superset of the Gram matrices of unit vectors);
    2. ``s_ij >= n eps^2`` for every pair ``i < j``: z3;
    3. ``|y_i| <= 1`` (triangle inequality; Lemma 5's ``D_ii >= 1``), so for
       ``<y_i, y_j> >= 0`` the cosine ``<y_i, y_j> / (|y_i| |y_j|) >= <y_i, y_j>``.

    Steps 1-2 are decided here for each pair (for the complete mask one pair suffices by
    symmetry); step 3 is the two-line argument above."""
    import itertools

    import z3

    if mask not in ("causal", "complete"):
        raise ValueError(f"mask must be 'causal' or 'complete', got {mask!r}")
    if N < 2:
        raise ValueError(f"N must be >= 2, got {N}")
    e, phi = z3.Reals("eps phi")
    A = [[z3.Real(f"a{i}{j}") for j in range(N)] for i in range(N)]
    hyps = [e > 0, e * N <= 1, phi >= 0, phi <= 1]
    for i in range(N):
        hyps.append(sum(A[i]) == 1)
        for j in range(N):
            hyps.append(A[i][j] >= e if (mask == "complete" or j <= i) else A[i][j] == 0)
    G = [[z3.RealVal(1) if k == l else None for l in range(N)] for k in range(N)]
    ghyps = []
    for k, l in itertools.combinations(range(N), 2):
        G[k][l] = G[l][k] = z3.Real(f"g{k}{l}")
        ghyps += [G[k][l] >= phi, G[k][l] <= 1]
    pairs = [(0, 1)] if mask == "complete" else list(itertools.combinations(range(N), 2))
    parts = []
    for i, j in pairs:
        ip = sum(A[i][k] * A[j][l] * G[k][l] for k in range(N) for l in range(N))
        sij = sum(A[i][k] * A[j][k] for k in range(N))
        parts.append(decide(f"<y_{i}, y_{j}> >= phi + (1 - phi) s_{i}{j}", hyps + ghyps,
                            ip >= phi + (1 - phi) * sij, domain=f"pair ({i}, {j})",
                            timeout_ms=timeout_ms))
        parts.append(decide(f"s_{i}{j} >= {n_centres} eps^2", hyps, sij >= n_centres * e * e,
                            domain=f"pair ({i}, {j})", timeout_ms=timeout_ms))
    return _conj(f"phi(t+1) >= {n_centres} eps^2 + (1 - {n_centres} eps^2) phi(t), N = {N}, "
                 f"{mask} mask (radius 1)",
                 f"N = {N}, {mask} mask, every eps in (0, 1/N], every A in A_(G,eps), every "
                 "N unit tokens in any dimension with phi >= 0, every orthogonal W_V", parts)


def _conj(statement: str, domain: str, parts: list[Evidence]) -> Evidence:
    """All parts proved => universal on ``domain``; else the first failure / open part."""
    details = {"parts": [{"case": p.statement, "answer": p.details["result"],
                          "seconds": p.details["seconds"]} for p in parts],
               "query_smtlib_first_case": parts[0].details["smtlib"]}
    bad = next((p for p in parts if p.status == "fails"), None)
    if bad is not None:
        return Evidence(statement, "fails", "exact", details,
                        witness={"case": bad.statement, "model": bad.witness["model"]},
                        scope=bad.scope)
    if any(p.status == "open" for p in parts):
        details["open_reason"] = next(p.details["open_reason"] for p in parts
                                      if p.status == "open")
        return Evidence(statement, "open", "exact", details)
    return Evidence(statement, "holds", "exact", details,
                    scope=universal(domain, "z3 decision procedure, one query per size"))
