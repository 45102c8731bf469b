"""Theorem 3 (2) for every N >= 2 and d >= 2, by reduction to the coupled N = d = 2 proof.

Weights (Theorem 3 is existential in them): causal mask, ``W_Q = W_K = 0`` (A2), and

    W_V = (S (+) 0_{d-2}) / ||S||_2,      S = [[1, w], [0, 1]]  (the N = d = 2 shear).

LayerNorm does not see the factor ``1/||S||_2``; it makes A3 hold (products have norm
``<= 1``, :func:`prove_a3`).  For ``d = 2`` this is the paper's ``I + wJ``.

The reduction, each step checked here:

1. **In-plane reduction** (:func:`prove_block_identity`, SymPy with a symbolic ``d``): for a
   row ``y = [y_a | y_b]`` (``y_a`` in R^2) one has ``y W_V = [y_a S | 0] / ||S||``.  So after
   one layer every token lies in the plane of ``e_1, e_2`` whenever its causal average has a
   nonzero in-plane part, and from then on the plane is invariant: the N tokens follow the
   N-token, d = 2 dynamics exactly.
2. **Causal decoupling** (:func:`prove_causal_decoupling`): token ``i`` attends to ``j <= i``
   only, so tokens 1 and 2 follow the two-token system whatever tokens ``3..N`` do.
3. **Certified set**: the coupled N = d = 2 proof (:mod:`counterexamples.coupled_proof`)
   gives boxes ``B`` of angles ``(theta_1, theta_2)`` from which ``|sin(theta_2 - theta_1)|
   >= c > 0`` for every ``t >= T``.  For ``d = 2`` the inputs with ``(X_1, X_2)`` in ``B``
   (any ``X_3..X_N``) qualify.  For ``d >= 3`` the first layer maps token 1's in-plane
   direction ``alpha_1`` to ``L(alpha_1)`` and token 2's to ``L(angle(u_1 + u_2))``
   (``u_i`` the in-plane parts, ``L`` the angle map of ``S``, a increasing bijection); the
   open product set :func:`preimage_set` (``alpha_1`` in ``L^{-1}`` of the box's first
   side, ``|u_1| < r_1``; ``alpha_2`` in the middle half of ``L^{-1}`` of its second side,
   ``|u_2| > r_1 / sin(delta)``) is mapped into the box, and its measure has a closed form
   (the in-plane direction of a uniform point of ``S^{d-1}`` is uniform and independent of
   ``rho^2 = |u|^2``, which is Beta(1, (d-2)/2): ``P(rho^2 <= s) = 1 - (1 - s)^{(d-2)/2}``).
   The sign-flip copies ``X -> -X`` double it.
4. **The rest is null**: the inputs where some later token's pre-LayerNorm vector vanishes
   at some layer form a null set.  At ``t = 0`` this asks an in-plane part to vanish
   (codimension 2).  At ``t >= 1``, given tokens ``1..i-1``, token ``i``'s step is the circle
   map ``x -> dir((c + x/i) S)``, and each direction has at most two preimages
   (:func:`prove_finite_preimages`, exact); so the bad starts of token ``i`` at layer 1 are
   countable, and their preimage in ``S^{d-1}`` is a countable union of hypersurfaces.
   This last measure-theoretic glue (countable unions, Fubini) is argued in words, not by
   machine.

On that set, rows 1 and 2 of ``X(t)`` keep ``|sin(angle)| >= c`` for ``t >= T + 1``
(``T + 0`` for ``d = 2``): ``X(t)`` has rank >= 2 and does not converge to a rank-one
subspace.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import sympy as sp

from numeric import masks
from numeric.errors import RankCollapseError, ShapeError
from theory.evidence import Evidence, combine, exhaustive, universal
from theory.evidence import witness as witness_scope

from . import coupled_proof as cp

__all__ = ["shear", "value_matrix", "value_matrix_float", "prove_block_identity",
           "prove_causal_decoupling", "prove_finite_preimages", "prove_a3", "preimage_set",
           "certified_measure", "product_measure", "first_layer", "sample_points", "check_point", "prove",
           "MAX_D"]

#: largest d accepted by the command (the measure formula holds for every d)
MAX_D = 4096


def shear(w) -> sp.Matrix:
    """``S = [[1, w], [0, 1]]`` (row vectors: ``(a, b) S = (a, w a + b)``)."""
    q = cp.parse_w_rational(w)
    w = sp.Rational(q.numerator, q.denominator)
    return sp.Matrix([[1, w], [0, 1]])


def _norm_S(w: sp.Rational) -> sp.Expr:
    """``||S||_2 = (w + sqrt(w^2 + 4)) / 2`` for ``w > 0`` (the largest singular value)."""
    return (w + sp.sqrt(w ** 2 + 4)) / 2


def value_matrix(d: int, w) -> sp.Matrix:
    """``W_V = (S (+) 0_{d-2}) / ||S||_2``, exact.

    >>> value_matrix(3, 2)[0, 1] == 2 / (1 + sp.sqrt(2))
    True
    """
    if not isinstance(d, int) or d < 2:
        raise ShapeError(f"d must be an integer >= 2 (the plane needs two coordinates), got {d!r}")
    S = shear(w)
    s = _norm_S(S[0, 1])
    W = sp.zeros(d, d)
    W[:2, :2] = S / s
    return W


def value_matrix_float(d: int, w) -> np.ndarray:
    W = np.zeros((d, d))
    wf = float(cp.parse_w_rational(w))
    s = (wf + math.sqrt(wf * wf + 4)) / 2
    W[0, 0] = W[1, 1] = 1 / s
    W[0, 1] = wf / s
    return W


# ----------------------------------------------------------------------------- the steps
def prove_block_identity(lower_right: str = "zero") -> Evidence:
    """``[y_a | y_b] (S (+) 0_k) = [y_a S | 0]`` for a symbolic ``k = d - 2 >= 0`` and a
    symbolic ``S`` (SymPy block algebra): every ``d`` at once.  ``lower_right="identity"``
    checks ``S (+) I_k`` instead (a negative control: the out-of-plane part survives)."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    ya, yb = sp.MatrixSymbol("y_a", 1, 2), sp.MatrixSymbol("y_b", 1, k)
    S = sp.MatrixSymbol("S", 2, 2)
    if lower_right not in ("zero", "identity"):
        raise RankCollapseError(f"lower_right must be 'zero' or 'identity', got {lower_right!r}")
    low = sp.ZeroMatrix(k, k) if lower_right == "zero" else sp.Identity(k)
    W = sp.BlockMatrix([[S, sp.ZeroMatrix(2, k)], [sp.ZeroMatrix(k, 2), low]])
    prod = sp.block_collapse(sp.BlockMatrix([[ya, yb]]) * W)
    blocks = prod.blocks if isinstance(prod, sp.BlockMatrix) else None
    ok = (blocks is not None and blocks.shape == (1, 2)
          and sp.simplify(blocks[0, 0] - ya * S) == sp.ZeroMatrix(1, 2)
          and blocks[0, 1] == sp.ZeroMatrix(1, k))
    return Evidence("[y_a | y_b] (S (+) 0_(d-2)) = [y_a S | 0]: after one layer every token "
                    "is in the plane of e_1, e_2, and the plane is invariant",
                    "holds" if ok else "fails", "exact", {"product": str(prod)},
                    scope=universal("every d >= 2 (k = d - 2 symbolic), every row y, every 2x2 S",
                                    "SymPy block-matrix algebra") if ok else
                    witness_scope(f"block product {prod}"))


def prove_causal_decoupling(n_max: int = 64, family=None) -> Evidence:
    """The causal mask is lower triangular (token i attends to j <= i only): tokens 1..m
    never see later tokens.  True by definition for every N; checked on the library's
    masks for N = 1..n_max (``family``: another mask constructor, for negative controls)."""
    family = family or masks.causal
    bad = [n for n in range(1, n_max + 1)
           if not np.array_equal(np.asarray(family(n), bool),
                                 np.tril(np.ones((n, n), bool)))]
    return Evidence("causal(N) is lower triangular with the diagonal: tokens 1..m evolve "
                    "independently of tokens m+1..N", "holds" if not bad else "fails",
                    "exact", {"checked_N": f"1..{n_max}", "bad": bad},
                    scope=exhaustive(f"numeric.masks.causal(N), N = 1..{n_max}",
                                     "comparison with the lower-triangular pattern", n_max)
                    if not bad else witness_scope(f"N = {bad[0]}"))


def prove_finite_preimages() -> Evidence:
    """Token i's step, given the earlier tokens' sum ``c``: ``x -> dir((c + x/i) S)`` on the
    unit circle.  A direction ``y`` is hit by ``x`` iff ``c + x/i = lam y`` with ``lam > 0`` and
    ``|x| = 1``, i.e. ``lam^2 - 2 lam <y, c> + |c|^2 - 1/i^2 = 0``: a monic quadratic in
    ``lam``, at most two roots, so at most two preimages (S invertible changes nothing)."""
    lam, i = sp.symbols("lam i", positive=True)
    c1, c2, t = sp.symbols("c1 c2 t", real=True)
    y = sp.Matrix([sp.cos(t), sp.sin(t)])
    c = sp.Matrix([c1, c2])
    x = i * (lam * y - c)                       # from c + x/i = lam y
    eq = sp.expand(sp.simplify((x.T * x)[0] - 1) / i ** 2)
    poly = sp.Poly(sp.simplify(eq), lam)
    lead = sp.simplify(poly.LC())
    ok = poly.degree() == 2 and lead == 1
    return Evidence("each direction has at most two preimages under x -> dir((c + x/i) S): "
                    "|x| = 1 is a monic quadratic in lam", "holds" if ok else "open", "exact",
                    {"quadratic": str(sp.collect(sp.simplify(eq), lam)),
                     "degree": poly.degree(), "leading_coefficient": str(lead),
                     "not_machine_checked": "the glue: countable unions of null sets are "
                     "null; the preimage of a countable set of directions under "
                     "X_i(0) -> X_i(1) is a countable union of hypersurfaces of S^(d-1)"},
                    scope=universal("every c in R^2, every i >= 1, every direction y",
                                    "SymPy polynomial algebra") if ok else None)


def prove_a3() -> Evidence:
    """A3 for ``W_V = (S (+) 0)/||S||``: ``||W_V^k||_2 = sigma(k w) / sigma(w)^k <= 1`` with
    ``sigma(x) = exp(asinh(x/2))`` (the norm of ``[[1, x], [0, 1]]``), because ``asinh`` is
    concave on ``[0, oo)`` with ``asinh(0) = 0``, hence ``asinh(k x) <= k asinh(x)``."""
    x = sp.Symbol("x", nonnegative=True)
    sigma = x / 2 + sp.sqrt(x ** 2 / 4 + 1)
    same = sp.simplify(sp.exp(sp.asinh(x / 2).rewrite(sp.log)) - sigma) == 0
    M = sp.Matrix([[1, x], [0, 1]])
    top = sp.simplify(max((M.T * M).eigenvals().keys(), key=lambda e: e.subs(x, 1)))
    norm_ok = sp.simplify(sp.expand(top - sigma ** 2)) == 0     # sigma >= 0, so sigma = sqrt(top)
    d2 = sp.simplify(sp.diff(sp.asinh(x), x, 2))
    concave = sp.simplify(d2 + x / (x ** 2 + 1) ** sp.Rational(3, 2)) == 0
    ok = same and norm_ok and concave
    return Evidence("A3: every product of the normalised W_V has spectral norm <= 1",
                    "holds" if ok else "open", "exact",
                    {"norm_of_[[1,x],[0,1]]": str(sigma), "equals_exp_asinh(x/2)": same,
                     "asinh''(x)": str(d2), "concave_on_[0,oo)": concave},
                    scope=universal("every w > 0, every k >= 0", "SymPy (closed-form norm, "
                                    "concavity of asinh)") if ok else None)


# ----------------------------------------------------------------------------- the set
def _Linv(theta, w, flint):
    """Continuous lift of the inverse angle map ``theta -> angle(u(theta) S^{-1})``:
    ``theta + atan2(-w cos^2, 1 - w sin cos)`` (``atan2``'s first argument vanishes only
    where ``cos = 0``, and there its second is 1)."""
    s, c = theta.sin(), theta.cos()
    return theta + flint.arb.atan2(-w * c * c, 1 - w * s * c)


def product_measure(len1, r1, len2, r2, d: int):
    """Fraction of ``(S^{d-1})^2`` of the pairs with in-plane directions in arcs of lengths
    ``len1``, ``len2`` and in-plane radii ``rho_1 < r1``, ``rho_2 > r2`` (``d >= 3``):
    ``(len1/2pi) (1 - (1 - r1^2)^b) (len2/2pi) (1 - r2^2)^b``, ``b = (d-2)/2``.  Works on
    arb balls (certified) and on floats."""
    import flint
    if isinstance(len1, float):
        b = (d - 2) / 2
        return (len1 / (2 * math.pi)) * (1 - (1 - r1 * r1) ** b) * (len2 / (2 * math.pi)) \
            * (1 - r2 * r2) ** b
    b = flint.arb(d - 2) / 2
    two_pi = 2 * cp._pi()
    return (len1 / two_pi) * (1 - (1 - r1 * r1) ** b) * (len2 / two_pi) * (1 - r2 * r2) ** b


def preimage_set(box, d: int, w) -> dict:
    """The open product set of inputs ``(x_1, x_2)`` in ``(S^{d-1})^2`` that the first layer
    maps into the box (turns ``(a, b, c, e)``), with its measure as a fraction of
    ``(S^{d-1})^2`` (arb ball) and one explicit point.  ``d >= 3``."""
    import flint
    if d < 3:
        raise ShapeError("preimage_set is for d >= 3 (at d = 2 the box itself is the set)")
    a, b, c, e = box
    wa = cp._arb(cp.parse_w_rational(w))
    two_pi = 2 * cp._pi()
    J1 = (_Linv(two_pi * cp._arb(a), wa, flint), _Linv(two_pi * cp._arb(b), wa, flint))
    J2 = (_Linv(two_pi * cp._arb(c), wa, flint), _Linv(two_pi * cp._arb(e), wa, flint))
    len1, len2 = J1[1] - J1[0], J2[1] - J2[0]
    delta = len2 / 4
    r1 = delta.sin() / flint.arb(2).sqrt()            # so (r1 / sin delta)^2 = 1/2
    measure = product_measure(len1, r1, len2 / 2, r1 / delta.sin(), d)
    return {"box_turns": [str(a), str(b), str(c), str(e)],
            "alpha1": [J1[0], J1[1]], "rho1_below": r1,
            "alpha2": [J2[0] + delta, J2[1] - delta], "rho2_above": r1 / delta.sin(),
            "delta": delta, "measure": measure,
            "positive": bool(len1 > 0) and bool(len2 > 0) and bool(measure > 0)}


def certified_measure(d: int, w, boxes) -> dict:
    """Certified lower bound on the fraction of ``(S^{d-1})^2`` (tokens 1, 2) whose first
    layer lands in the certified boxes (sign-flip copies included).  Tokens 3..N range
    over all of ``S^{d-1}`` except a null set, so the same number bounds the fraction of
    ``(S^{d-1})^N``.  ``d = 2``: the boxes' own measure (no first layer is needed)."""
    import flint
    if d == 2:
        m = 2 * sum((cp.box_measure(bx) for bx, _, _ in boxes), Fraction(0))
        return {"d": 2, "measure": flint.arb(m.numerator) / m.denominator, "exact": str(m),
                "sets": len(boxes), "all_positive": m > 0}
    total = flint.arb(0)
    ok = True
    with cp._prec(cp.PREC):
        for bx, _, _ in boxes:
            s = preimage_set(bx, d, w)
            ok = ok and s["positive"]
            total += s["measure"]
        total = 2 * total
    return {"d": d, "measure": total, "sets": len(boxes), "all_positive": ok,
            "exact": None}


# ----------------------------------------------------------------------------- numerics
def first_layer(X, w) -> np.ndarray:
    """One post-LN layer with the causal mask, ``W_Q = W_K = 0`` and this ``W_V`` (float64),
    through the library's one dynamics path (:func:`numeric.dynamics.simulate`); a zero
    pre-LayerNorm row (a null set of inputs) raises :class:`numeric.errors.ZeroRowError`."""
    from numeric.dynamics import simulate
    X = np.asarray(X, float)
    N, d = X.shape
    Z = np.zeros((d, d))
    return np.asarray(simulate(X, masks.causal(N), (Z, Z, value_matrix_float(d, w), 1.0), 1,
                               mode="post-ln").X[1], float)


def _point(s: dict, d: int, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """A random point of the product set (inside its open intervals, with a margin)."""
    lo1, hi1 = (float(v.mid()) for v in s["alpha1"])
    lo2, hi2 = (float(v.mid()) for v in s["alpha2"])
    r1 = float(s["rho1_below"].mid())
    r2 = float(s["rho2_above"].mid())
    a1 = lo1 + (hi1 - lo1) * (0.1 + 0.8 * rng.random())
    a2 = lo2 + (hi2 - lo2) * (0.1 + 0.8 * rng.random())
    rho1 = r1 * (0.1 + 0.8 * rng.random())
    rho2 = min(1.0, r2 + (1 - r2) * (0.1 + 0.8 * rng.random()))

    def lift(alpha, rho):
        v = np.zeros(d)
        v[0], v[1] = rho * math.cos(alpha), rho * math.sin(alpha)
        rest = np.array([rng.gauss(0, 1) for _ in range(d - 2)])
        v[2:] = math.sqrt(max(0.0, 1 - rho * rho)) * rest / np.linalg.norm(rest)
        return v
    return lift(a1, rho1), lift(a2, rho2)


def sample_points(N: int, d: int, w, boxes, n: int, seed: int = 0) -> list[np.ndarray]:
    """``n`` inputs in ``(S^{d-1})^N`` from the certified set (seeded): tokens 1, 2 from the
    product set of a random certified box (or its sign flip), tokens 3..N uniform."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        bx = boxes[rng.randrange(len(boxes))][0]
        if d == 2:
            a, b, c, e = (float(v) for v in bx)
            t1 = 2 * math.pi * (a + (b - a) * (0.1 + 0.8 * rng.random()))
            t2 = 2 * math.pi * (c + (e - c) * (0.1 + 0.8 * rng.random()))
            x1, x2 = np.array([math.cos(t1), math.sin(t1)]), np.array([math.cos(t2), math.sin(t2)])
        else:
            with cp._prec(cp.PREC):
                x1, x2 = _point(preimage_set(bx, d, w), d, rng)
        X = np.zeros((N, d))
        X[0], X[1] = x1, x2
        for i in range(2, N):
            v = np.array([rng.gauss(0, 1) for _ in range(d)])
            X[i] = v / np.linalg.norm(v)
        if k % 2:
            X = -X                                   # the sign-flip copy
        out.append(X)
    return out


def check_point(X, w, box) -> bool:
    """After the first layer (``d >= 3``; none for ``d = 2``), are tokens 1, 2 inside the
    box or its sign flip?  An independent float64 check of the construction."""
    X = np.asarray(X, float)
    Y = first_layer(X, w) if X.shape[1] > 2 else X
    t1 = math.atan2(Y[0, 1], Y[0, 0]) / (2 * math.pi)
    t2 = math.atan2(Y[1, 1], Y[1, 0]) / (2 * math.pi)
    a, b, c, e = (float(v) for v in box)
    for flip in (0.0, 0.5):
        u1 = (t1 - flip + 0.5) % 1 - 0.5
        u2 = (t2 - flip) % 1
        if a <= u1 <= b and c <= u2 <= e:
            return True
    return False


# ----------------------------------------------------------------------------- the claim
def prove(w=2, depth: int = 1, dims=(3,), soundness: int = 4, seed: int = 0, progress=None,
          coupled=None):
    """Theorem 3 (2) for every N >= 2, d >= 2 at this w: the N = d = 2 certified boxes
    (``coupled``, or :func:`counterexamples.coupled_proof.prove` at ``depth``), the three
    reduction steps, A3, and the certified measure at each ``d`` in ``dims``.
    Returns ``(Evidence, details)``."""
    w = cp.parse_w_rational(w)
    if coupled is None:
        coupled = cp.prove(w, depth=depth, soundness=soundness, seed=seed, progress=progress)
    ev2, res = coupled
    boxes = res["apart_boxes"]
    steps = [prove_block_identity(), prove_causal_decoupling(), prove_finite_preimages(),
             prove_a3()]
    measures = {}
    for d in sorted(set(dims) | {2}):
        m = certified_measure(d, w, boxes)
        measures[d] = m
    pos = all(m["all_positive"] and bool(m["measure"] > 0) for m in measures.values())
    # every d >= 3: each factor of the product-set measure is positive (closed form)
    dsym = sp.Symbol("d", integer=True)
    r = sp.Symbol("r", positive=True)
    fac = (1 - (1 - r ** 2) ** ((dsym - 2) / 2)) * sp.Rational(1, 2) ** ((dsym - 2) / 2)
    every_d = Evidence("for every d >= 3 the product-set measure is positive: (1 - (1 - r^2)^"
                       "((d-2)/2)) 2^(-(d-2)/2) > 0 for 0 < r < 1",
                       "holds", "exact", {"factor": str(fac)},
                       scope=universal("every integer d >= 3, every 0 < r < 1",
                                       "0 < 1 - r^2 < 1 and (d-2)/2 > 0 give (1-r^2)^((d-2)/2) "
                                       "< 1; 2^(-(d-2)/2) > 0"))
    meas_ev = Evidence(f"certified measure > 0 at d in {sorted(measures)}",
                       "holds" if pos and boxes else "open", "certified",
                       {f"d={d}": str(m["measure"]) for d, m in measures.items()},
                       scope=exhaustive(f"d in {sorted(measures)}", "arb sums over the "
                                        f"{len(boxes)} certified boxes", len(measures))
                       if pos and boxes else None)
    parts = [ev2] + steps + [every_d, meas_ev]
    T = res["max_T"]
    details = {"w": str(w), "W_V": f"(S (+) 0_(d-2)) / ||S||_2, S = [[1, {w}], [0, 1]]",
               "W_Q": "0", "W_K": "0", "boxes": len(boxes), "T_planar": T,
               "rank_at_least_2_from": f"t >= T + 1 = {None if T is None else T + 1} "
                                       "(d >= 3); t >= T (d = 2)",
               "certified_measure_by_d": {f"d={d}": {"lower_bound": str(m["measure"]),
                                                    "float": float(m["measure"].lower()),
                                                    "exact": m["exact"]}
                                          for d, m in measures.items()},
               "null_set": "inputs where some pre-LayerNorm row vanishes at some layer "
                           "(argued: at most two preimages per circle step, exact; the "
                           "countable-union glue in words)",
               "paper_weights": "for d = 2 W_V is the paper's I + wJ (up to the scale LN "
                                "ignores); for d >= 3 the weights differ from the paper's "
                                "(Theorem 3 is existential in the weights)"}
    ev = combine(f"Theorem 3 (2) for every N >= 2, d >= 2 at w = {w}: reduction to the "
                 "certified N = d = 2 boxes", parts, details)
    if ev.status == "holds":
        ev.scope = universal(
            f"every N >= 2 and d >= 2, w = {w}, W_Q = W_K = 0, W_V = (S (+) 0)/||S||: the "
            "inputs whose first two tokens (after one layer when d >= 3) lie in the "
            f"{len(boxes)} certified boxes or their sign flips, minus a null set",
            "SymPy (reduction for symbolic d, A3, at most two preimages) + arb (boxes, "
            "measure at the listed d) + the measure-theoretic glue in words")
    return ev, {"details": details, "coupled": res, "measures": measures}
