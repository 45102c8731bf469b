"""Universal proofs with SymPy: symbolic sizes or parameters, and polynomial certificates.

Three kinds of argument, each returning :class:`~theory.evidence.Evidence` with a
``universal`` scope naming its domain and method:

* **Certificates** (Lemma 5).  An inequality ``target >= 0`` under polynomial equality
  hypotheses ``h_k = 0`` and sign hypotheses on some atoms is proved by exhibiting
  ``target = sum_i c_i * q_i^2 + (an element of the ideal of the h_k)`` where every
  ``c_i`` is a product of atoms known to be ``>= 0``.  SymPy checks the identity
  (definitional hypotheses are substituted, the rest reduced modulo a Groebner basis);
  a certificate that does not reduce to 0 is ``open`` (a perturbed statement gets ``open``,
  never ``holds``).
* **Generic matrices** (Lemma 6).  A matrix identity is checked with every entry a
  separate symbol, at fixed small sizes; the adjugate replaces the inverse so the only
  hypothesis left is ``det != 0``.
* **Symbolic sizes** (Theorem 3 (1) and Appendix F.2).  The closed form of the Jordan
  chain is checked with symbolic ``N``, ``k``, chain index ``j``, coordinate index ``i``
  and symbolic ``w``; the identities are the steps of an induction over the tokens which
  the docstring spells out.

>>> lemma6_symbolic(2, 3).status
'holds'
"""
from __future__ import annotations

import itertools
import random

import sympy as sp

from .evidence import Evidence, universal, witness

__all__ = [
    "check_certificate", "lemma5_upper", "lemma5_lower", "orthogonal_norm", "lemma5_symbolic",
    "lemma6_symbolic", "jordan_chain_symbolic", "f2_stable_rank_symbolic",
]

LEVEL = "exact"


# ------------------------------------------------------------------------ certificates
def check_certificate(statement: str, target, terms, *, nonneg_atoms, definitions=None,
                      ideal=(), gens=(), domain: str) -> Evidence:
    """Prove ``target >= 0`` from a certificate.

    ``terms``: pairs ``(factors, q)``: the term is ``prod(factors) * q**2``; every factor
    must be one of ``nonneg_atoms`` (symbols the hypotheses make ``>= 0``).
    ``definitions``: ``{symbol: expr}`` hypotheses ``symbol = expr`` (substituted).
    ``ideal``: the remaining equality hypotheses ``h = 0``, given as a Groebner basis in
    ``gens`` (lex); ``target - certificate`` must reduce to 0 modulo them.
    """
    nonneg = set(nonneg_atoms)
    bad = [f for fs, _ in terms for f in fs if f not in nonneg]
    if bad:
        return Evidence(statement, "open", LEVEL,
                        {"open_reason": f"certificate factors {bad} are not known >= 0"})
    cert = sp.Add(*[sp.Mul(*fs) * q ** 2 for fs, q in terms])
    diff = sp.expand(target - cert)
    if definitions:
        diff = sp.expand(diff.subs(definitions))
    rem = diff
    if ideal and diff != 0:
        rem = sp.reduced(diff, list(ideal), *gens, order="lex")[1]
    details = {"certificate_terms": len(terms), "hypotheses_in_ideal": len(ideal),
               "method": "target - sum(nonneg * square) reduced modulo the hypotheses"}
    if sp.expand(rem) == 0:
        return Evidence(statement, "holds", LEVEL, details,
                        scope=universal(domain, "SymPy: polynomial certificate (sum of "
                                                "nonnegative multiples of squares, modulo "
                                                "the equality hypotheses)"))
    details["remainder"] = str(rem)[:500]
    details["open_reason"] = "the certificate does not reduce to 0: not a proof"
    return Evidence(statement, "open", LEVEL, details)


def _lemma5_symbols(N: int, d: int):
    a = sp.symbols(f"a0:{N}", nonnegative=True)
    X = [sp.symbols(f"x{j}_0:{d}", real=True) for j in range(N)]
    v = sp.symbols(f"v0:{d}", real=True)
    s = sp.symbols(f"s0:{N}", nonnegative=True)  # s_j = <X_j, v> - gamma >= 0
    g = sp.Symbol("gamma", positive=True)
    return a, X, v, s, g


def _dot(u, w):
    return sum((p * q for p, q in zip(u, w)), sp.Integer(0))


def lemma5_upper(N: int, d: int, *, unit_tokens: bool = True, bound=1) -> Evidence:
    """``||sum_j a_j X_j||^2 <= 1`` for unit tokens ``X_j`` in R^d and ``a >= 0``,
    ``sum a = 1`` (so ``D_ii >= 1``).  Certificate:
    ``1 - ||y||^2 = 1/2 sum_{j,k} a_j a_k ||X_j - X_k||^2`` modulo the hypotheses.

    Negative controls: ``unit_tokens=False`` drops ``||X_j|| = 1``; ``bound`` other than 1
    claims ``||y||^2 <= bound``: both must come out ``open``."""
    a, X, v, s, g = _lemma5_symbols(N, d)
    y = [sum(a[j] * X[j][c] for j in range(N)) for c in range(d)]
    target = bound - _dot(y, y)
    terms = []
    for j, k in itertools.combinations(range(N), 2):
        for c in range(d):
            terms.append(((a[j], a[k]), X[j][c] - X[k][c]))  # 1/2 * 2 for the pair (j,k),(k,j)
    ideal = [_dot(X[j], X[j]) - 1 for j in range(N)] if unit_tokens else []
    gens = [X[j][0] for j in range(N)] + [x for j in range(N) for x in X[j][1:]] + list(a)
    defs = {a[-1]: 1 - sum(a[:-1])}
    return check_certificate(
        f"N = {N}, d = {d}: ||sum_j a_j X_j||^2 <= {bound} for unit X_j, a >= 0, sum a = 1"
        + ("" if unit_tokens else " [unit-norm hypothesis dropped]"),
        target, terms, nonneg_atoms=a, definitions=defs, ideal=ideal, gens=gens,
        domain=f"N = {N} tokens on S^{d - 1}, every row-stochastic attention row a")


def lemma5_lower(N: int, d: int, *, gamma_power: int = 2) -> Evidence:
    """``||sum_j a_j X_j||^2 >= gamma^2`` when ``||v|| = 1``, ``<X_j, v> >= gamma > 0`` for
    every j, ``a >= 0``, ``sum a = 1`` (so ``D_ii <= 1/gamma``).  Certificate (Lagrange's
    identity and ``<y, v> - gamma = sum_j a_j s_j``, ``s_j = <X_j, v> - gamma >= 0``):
    ``||y||^2 - gamma^2 = sum_{c<c'} (y_c v_c' - y_c' v_c)^2 + S^2 + 2 gamma S``,
    ``S = sum_j a_j s_j``, modulo ``||v||^2 = 1``.  (Unit tokens are not needed here.)

    Negative control: ``gamma_power=1`` claims ``||y||^2 >= gamma``, false for gamma < 1:
    must come out ``open``."""
    a, X, v, s, g = _lemma5_symbols(N, d)
    y = [sum(a[j] * X[j][c] for j in range(N)) for c in range(d)]
    target = _dot(y, y) - g ** gamma_power
    terms = []
    for c, c2 in itertools.combinations(range(d), 2):
        terms.append(((), y[c] * v[c2] - y[c2] * v[c]))
    for j in range(N):
        for k in range(N):
            terms.append(((a[j], a[k], s[j], s[k]), sp.Integer(1)))
        terms.append(((g, a[j], s[j]), sp.sqrt(2)))
    defs = {a[-1]: 1 - sum(a[:-1])}
    defs.update({s[j]: _dot(X[j], v) - g for j in range(N)})
    gens = [v[0]] + list(v[1:]) + [x for j in range(N) for x in X[j]] + list(a) + [g]
    return check_certificate(
        f"N = {N}, d = {d}: ||sum_j a_j X_j||^2 >= gamma^{gamma_power} when ||v|| = 1 and "
        "<X_j, v> >= gamma > 0", target, terms, nonneg_atoms=list(a) + list(s) + [g],
        definitions=defs, ideal=[_dot(v, v) - 1], gens=gens,
        domain=f"N = {N}, d = {d}: every a >= 0 with sum a = 1, every unit v, every "
               "gamma > 0 and tokens with <X_j, v> >= gamma")


def orthogonal_norm(d: int) -> Evidence:
    """``||y W||^2 = ||y||^2`` for every orthogonal ``W`` (``W W^T = I``): the identity
    ``||yW||^2 - ||y||^2 = sum_{c,c'} y_c y_c' (W W^T - I)_{cc'}`` with generic W."""
    y = sp.symbols(f"y0:{d}", real=True)
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    yW = sp.Matrix([y]) * W
    E = W * W.T - sp.eye(d)
    diff = sp.expand(_dot(yW, yW) - _dot(y, y)
                     - sum(y[c] * y[c2] * E[c, c2] for c in range(d) for c2 in range(d)))
    ok = diff == 0
    return Evidence(f"||y W||^2 = ||y||^2 for every y in R^{d} and orthogonal W",
                    "holds" if ok else "open", LEVEL, {"d": d},
                    scope=universal(f"d = {d}, every y, every W with W W^T = I",
                                    "SymPy: polynomial identity with generic W") if ok else None)


def lemma5_symbolic(sizes=((2, 2), (3, 3))) -> Evidence:
    """Lemma 5 for every input of the stated sizes: ``1 <= D_ii <= 1/gamma``."""
    from .evidence import combine
    parts = []
    for N, d in sizes:
        parts += [lemma5_upper(N, d), lemma5_lower(N, d)]
    parts += [orthogonal_norm(d) for d in sorted({d for _, d in sizes})]
    dom = ", ".join(f"(N, d) = ({N}, {d})" for N, d in sizes)
    ok = all(p.status == "holds" for p in parts)
    return combine(f"Lemma 5: 1 <= D_ii <= 1/gamma for {dom}", parts,
                   scope=None if not ok else universal(
                       f"{dom}: every N tokens on S^(d-1) with <X_j, v> >= gamma "
                                   "> 0 for a unit v, every row-stochastic A, every "
                                   "orthogonal W_V",
                                   "SymPy: polynomial certificates modulo the hypotheses"))


# ------------------------------------------------------------------------------ Lemma 6
def lemma6_symbolic(N: int, d: int, *, construction: str = "paper") -> Evidence:
    """Lemma 6: for EVERY real N x d X of full row rank (``det(X X^T) != 0``),
    ``v = X^T (X X^T)^{-1} 1`` satisfies ``X v = 1``, so ``<X_i, v> = 1 > 0``: all tokens
    lie in the open hemisphere ``{x : <x, v> > 0}``.

    Checked with a generic X (one symbol per entry): with ``G = X X^T`` and its adjugate,
    ``X X^T adj(G) 1 = det(G) 1`` is a polynomial identity, and ``v = X^T adj(G) 1 /
    det(G)``.  ``construction="no-inverse"`` (negative control) uses ``v = X^T 1``: the
    identity fails and an integer witness is reported."""
    X = sp.Matrix(N, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    G = X * X.T
    det = sp.expand(G.det(method="berkowitz"))
    if construction == "paper":
        vnum = X.T * G.adjugate() * sp.ones(N, 1)
        resid = (X * vnum - det * sp.ones(N, 1)).applyfunc(sp.expand)
    elif construction == "no-inverse":
        vnum = X.T * sp.ones(N, 1)
        resid = (X * vnum - sp.ones(N, 1)).applyfunc(sp.expand)
    else:
        raise ValueError(f"unknown construction {construction!r}")
    st = (f"N = {N}, d = {d}: X v = 1 for v = " +
          ("X^T (X X^T)^-1 1" if construction == "paper" else "X^T 1 [inverse dropped]") +
          ", every full-row-rank X")
    if all(e == 0 for e in resid):
        return Evidence(st, "holds", LEVEL, {"N": N, "d": d, "identity":
                                              "X X^T adj(X X^T) 1 = det(X X^T) 1"},
                        scope=universal(f"N = {N}, d = {d}: every real X with det(X X^T) "
                                        "!= 0 (full row rank)",
                                        "SymPy: polynomial identity with a generic X "
                                        "(adjugate form of the inverse)"))
    rng = random.Random(0)
    syms = list(X)
    for _ in range(50):
        pt = {x: rng.randint(-3, 3) for x in syms}
        if det.subs(pt) != 0 and any(e.subs(pt) != 0 for e in resid):
            Xv = X.subs(pt)
            return Evidence(st, "fails", LEVEL, {"N": N, "d": d},
                            witness={"X": Xv.tolist(), "Xv": list(Xv * vnum.subs(pt))},
                            scope=witness(f"integer X = {Xv.tolist()} of full row rank"))
    return Evidence(st, "open", LEVEL, {"open_reason": "identity fails symbolically but no "
                                                       "integer witness found"})


# ------------------------------------------------------------ Theorem 3 (1), F.2: any N
def jordan_chain_symbolic(*, threshold_shift: int = 0) -> Evidence:
    """Theorem 3 (1) for EVERY N, d, k (1 <= k <= min(N, d)) and every real w with
    ``|w| >= m = N - k + 1`` (k >= 2): the construction of
    :func:`counterexamples.jordan.equilibrium` is a fixed point of rank k, for every sign.

    Induction over the tokens.  Tokens ``1..m`` sit at ``e_d``; ``e_d W = e_d`` so
    ``S_i W = i e_d`` and ``F(X)_i = X_i`` with ``lambda_i = i > 0``.  Put ``V_0 = S_m W =
    m e_d``.  Chain token ``j = 1..k-1`` is ``X_{m+j}[d-i] = (-1/w)^i l_{j-i}``
    (``0 <= i <= j``, zero elsewhere) with ``l_0 = m``, ``l_1 = +-sqrt(1 - m^2/w^2)``,
    ``l_i = +-sqrt(1 - 1/w^2)`` (i >= 2).  If ``S_{m+j-1} W = V_{j-1}`` with ``V_{j-1} =
    X_{m+j-1}`` (or ``m e_d`` for j = 1), then ``S_{m+j} W = V_{j-1} + X_{m+j} W``, which
    equals ``X_{m+j}`` (lambda = 1 > 0) iff ``X_{m+j} (I - W) = V_{j-1}``, i.e.
    ``-w X_{m+j}[c-1] = V_{j-1}[c]`` for c >= 2 and ``V_{j-1}[1] = 0``.  With the closed
    form this is (a) ``-w (-1/w)^{i+1} = (-1/w)^i`` (coordinate ``d - i``, ``i < j``), the
    coordinate ``d - j`` and below being 0 on both sides, and ``V_{j-1}[1] = 0`` since
    ``V_{j-1}`` lives on the last j coordinates and ``j <= k - 1 <= d - 1``.  Unit norm:
    (b) for j >= 2, ``w^{-2j} m^2 + w^{-2(j-1)} (1 - m^2/w^2) + (1 - 1/w^2) sum_{i=0}^{j-2}
    w^{-2i} = 1``; (c) for j = 1, ``m^2/w^2 + (1 - m^2/w^2) = 1``.  Reality: (e) the
    radicands are ``>= 0`` iff ``w^2 >= m^2`` (and ``w^2 >= 1``, implied).  Rank k: chain
    token j has its first nonzero entry ``(-1/w)^j m != 0`` at coordinate ``d - j``, so the
    k distinct rows are in echelon form.

    SymPy checks (a), (b) with symbolic ``i, j, m, w`` (geometric sum in ``q = 1/w^2``),
    (c) and (e).  ``threshold_shift`` (negative control) uses ``l_1 = sqrt(1 - (m +
    shift)^2/w^2)``: the norm identity then fails."""
    i, j = sp.symbols("i j", integer=True, nonnegative=True)
    m = sp.Symbol("m", positive=True, integer=True)
    w = sp.Symbol("w", real=True, nonzero=True)
    q = sp.Symbol("q", positive=True)           # q = 1/w^2
    steps = {}
    steps["(a) -w (-1/w)^(i+1) = (-1/w)^i"] = sp.simplify(
        sp.powsimp(-w * (-1 / w) ** (i + 1) - (-1 / w) ** i, force=True)) == 0
    mm = m + threshold_shift
    l1sq = 1 - mm ** 2 * q
    lsq = 1 - q
    # chain token j >= 2: i = j -> l_0 = m, i = j-1 -> l_1, i <= j-2 -> l_{>=2}
    geo = sp.summation(q ** i, (i, 0, j - 2))
    norm_j = q ** j * m ** 2 + q ** (j - 1) * l1sq + lsq * geo
    branches = norm_j.atoms(sp.Piecewise)
    ok_b = True
    for expr in ([norm_j] if not branches else
                 [norm_j.subs(pw, pw.args[-1][0]) for pw in branches]):   # generic q != 1
        ok_b &= sp.simplify(sp.powsimp(sp.expand(expr - 1), force=True)) == 0
    # q = 1 (|w| = 1): the sum is j - 1 and 1 - q = 0
    at_one = sp.simplify((norm_j.subs(q, 1) if not branches else
                          (q ** j * m ** 2 + q ** (j - 1) * l1sq).subs(q, 1)) - 1)
    ok_b &= at_one == 0
    steps["(b) chain token j >= 2 has unit norm (symbolic j, m, q = 1/w^2)"] = bool(ok_b)
    steps["(c) chain token 1 has unit norm"] = sp.simplify(q * m ** 2 + l1sq - 1) == 0
    # (e) radicand 1 - m^2/w^2 = (w^2 - m^2)/w^2 >= 0 iff w^2 >= m^2 (w != 0)
    steps["(e) 1 - m^2/w^2 = (w^2 - m^2)/w^2"] = sp.simplify(
        (1 - m ** 2 / w ** 2) - (w ** 2 - m ** 2) / w ** 2) == 0
    steps["(f) leading entry (-1/w)^j m != 0"] = bool(((-1 / w) ** j * m).is_nonzero)
    st = ("Theorem 3 (1) construction: for every N, d, 1 <= k <= min(N, d) and |w| >= N-k+1, "
          "every sign choice is a rank-k fixed point (symbolic N, k, j, w)"
          + (f" [l_1 with m + {threshold_shift}]" if threshold_shift else ""))
    bad = [k for k, v in steps.items() if not v]
    details = {"steps": {k: bool(v) for k, v in steps.items()}}
    if bad:
        details["failed_steps"] = bad
        # a symbolic identity that does not simplify is only "open"; a failure needs an
        # exact instance: chain token 1 at m = 1, w = 2 + |shift| (real radicands)
        mv, wv = 1, 2 + abs(threshold_shift)
        n1 = (sp.Rational(mv ** 2, wv ** 2) + 1
              - sp.Rational((mv + threshold_shift) ** 2, wv ** 2))
        if n1 != 1:
            return Evidence(st, "fails", LEVEL, details,
                            witness={"m": mv, "w": wv, "||chain token 1||^2": str(n1)},
                            scope=witness(f"m = {mv}, w = {wv}: chain token 1 has squared "
                                          f"norm {n1} != 1"))
        details["open_reason"] = "identities did not simplify to 0; no exact witness found"
        return Evidence(st, "open", LEVEL, details)
    return Evidence(st, "holds", LEVEL, details,
                    scope=universal("every N >= 1, d >= 1, 1 <= k <= min(N, d), every real w "
                                    "with |w| >= N - k + 1 (k >= 2; any w != 0 for k = 1), "
                                    "every sign choice",
                                    "SymPy identities with symbolic N, k, chain index j, "
                                    "coordinate index i and w, combined by the induction over "
                                    "tokens in the docstring"))


def f2_stable_rank_symbolic() -> Evidence:
    """Appendix F.2 for EVERY N >= 1 and every real w with |w| >= 1: the full-rank
    equilibrium (k = N, m = 1) has ``||X||_F^2 = N`` (unit rows, :func:`jordan_chain_symbolic`),
    ``||X e_d||^2 = 1 + (N - 1)(1 - 1/w^2) = N - (N-1)/w^2`` (last coordinates: 1 for token
    1, ``l_j^2 = 1 - 1/w^2`` for the N - 1 chain tokens), ``||X||_2^2 >= ||X e_d||^2``
    (e_d is a unit vector) and ``N - (N-1)/w^2 >= 1 > 0``; hence
    ``SRank(X) <= N / (N - (N-1)/w^2)``; and at ``w = sqrt(1/delta + 1)`` the bound is
    ``1 + delta - delta (1 + delta)/(N + delta) <= 1 + delta``."""
    N = sp.Symbol("N", positive=True, integer=True)
    w = sp.Symbol("w", positive=True)
    jj = sp.Symbol("j", integer=True, positive=True)
    dl = sp.Symbol("delta", positive=True)
    steps = {}
    col = 1 + sp.summation(1 - 1 / w ** 2, (jj, 1, N - 1))
    steps["||X e_d||^2 = N - (N-1)/w^2"] = sp.simplify(col - (N - (N - 1) / w ** 2)) == 0
    steps["N - (N-1)/w^2 - 1 = (N-1)(1 - 1/w^2) (>= 0 for w >= 1)"] = sp.simplify(
        (N - (N - 1) / w ** 2) - 1 - (N - 1) * (1 - 1 / w ** 2)) == 0
    at = (N / (N - (N - 1) / w ** 2)).subs(w, sp.sqrt(1 / dl + 1))
    steps["1 + delta - bound = delta (1 + delta)/(N + delta) at w = sqrt(1/delta + 1)"] = \
        sp.simplify((1 + dl) - at - dl * (dl + 1) / (N + dl)) == 0
    bad = [k for k, v in steps.items() if not v]
    st = ("F.2: SRank(X*) <= N/(N - (N-1)/w^2) for every N and |w| >= 1; w >= sqrt(1/delta + 1) "
          "gives SRank <= 1 + delta (symbolic N, w, delta)")
    if bad:
        return Evidence(st, "open", LEVEL, {"failed_steps": bad})
    return Evidence(st, "holds", LEVEL, {"steps": list(steps)},
                    scope=universal("every N >= 1, every real w with |w| >= 1 (full-rank "
                                    "Jordan equilibria, k = N), every delta > 0",
                                    "SymPy with symbolic N, w, delta (finite sum), plus "
                                    "||X||_2 >= ||X e_d|| and the unit rows of the chain proof"))
