"""Appendix E / Section 4.3.1: the N = d = 2 example, Lemma 11, the invariant arcs, Remark 2.

Causal mask, ``W_Q = W_K = 0`` so ``A = [[1, 0], [1/2, 1/2]]``; ``W_V = [[1, w], [0, 1]]``
with ``w > 1``; post-LN dynamics ``X <- D A X W_V`` (rows are tokens, ``x -> x W_V``).

* Token 1 alone: ``x W_V = (x_1, x_2 + w x_1)``, so its ratio ``r = x_2/x_1`` moves to
  ``r + w`` and the sign of ``x_1`` is kept: token 1 tends to ``(0, sign(x_1))``.
* Token 2 with token 1 at ``(0, 1)``: the new token is proportional to
  ``(a, b + 1 + w a)`` for ``X_2 = (a, b)``; the sign of ``a`` is kept and the ratio
  ``y = b/a`` moves to ``g(y) = y + w + 1/a``.  On the unit circle ``1/a = -sqrt(1+y^2)``
  on the left half (a < 0) and ``+sqrt(1+y^2)`` on the right half.
* Fixed points of g: only on the left half, ``a = -1/w``: ``A = (-1/w, +sqrt(1-1/w^2))``
  and ``B = (-1/w, -sqrt(1-1/w^2))``.
* Lemma 11: ``g'(y) = 1 + X_22 > 0`` on each open half (the paper prints
  ``1 + X_21``; its own derivation, and Lemma 12's analogue ``1 + X_{2,d}``, give
  ``1 + X_22``: a typo that does not affect the conclusion, since both are >= 0).
* Scale invariance (``c W_V``) and Remark 2 (``Z^T W_V Z``) are proved in
  :mod:`theory.layernorm` (claims ``layernorm-scale-invariance`` and ``remark-2``).
* Angles ``theta`` with ``X_2 = (cos theta, sin theta)``; ``theta_A = pi - acos(1/w)``,
  ``theta_B = pi + acos(1/w)``.  Four open arcs are invariant: the right half
  ``(-pi/2, pi/2)`` and ``(pi/2, theta_A)`` go to ``(0, 1)`` (collapse onto token 1);
  ``(theta_A, theta_B)`` and ``(theta_B, 3 pi/2)`` go to ``B``.  The basin of B is the
  open interval ``(theta_A, 3 pi/2)``; ``(0, -1)`` itself is excluded (``X_1 + X_2 = 0``
  is a zero row, where LayerNorm is undefined).

>>> A_pt, B_pt = fixed_points(sp.Integer(2))
>>> B_pt
(-1/2, -sqrt(3)/2)
>>> basin_of_B(sp.Integer(2))
Interval.open(2*pi/3, 3*pi/2)
"""
from __future__ import annotations

import random

import mpmath
import sympy as sp

from numeric.errors import AssumptionError
from theory.evidence import Evidence, combine
from theory.layernorm import ln_exact

from .jordan import equilibrium, parse_w, value_matrix, verify_equilibrium

__all__ = [
    "attention_matrix", "token1_ratio_step", "token2_ratio_map", "g", "fixed_points",
    "prove_fixed_points", "prove_ratio_maps", "lemma11", "lemma11_paper_formula",
    "invariant_arcs", "prove_invariant_arcs", "basin_of_B", "check_basin_numerically",
    "ln_step",
]

y = sp.Symbol("y", real=True)


def _w_gt_1(w) -> sp.Expr:
    w = parse_w(w)
    if w.is_number and not w > 1:
        raise AssumptionError("w > 1", f"the Appendix E example needs w > 1, got w={w}")
    return w


def attention_matrix() -> sp.Matrix:
    """Causal attention with ``W_Q = W_K = 0`` for two tokens: ``[[1, 0], [1/2, 1/2]]``."""
    return sp.Matrix([[1, 0], [sp.Rational(1, 2), sp.Rational(1, 2)]])


def ln_step(X: sp.Matrix, W: sp.Matrix, A: sp.Matrix | None = None) -> sp.Matrix:
    """One post-LN step ``D A X W`` (A defaults to the causal average)."""
    n = X.rows
    if A is None:
        A = sp.Matrix(n, n, lambda i, j: sp.Rational(1, i + 1) if j <= i else 0)
    return ln_exact(A * X * W)


def token1_ratio_step(w) -> Evidence:
    """Token 1: ``(x W_V)_2 / (x W_V)_1 = x_2/x_1 + w`` and ``(x W_V)_1 = x_1`` (so the
    sign of ``x_1`` is invariant), proved symbolically."""
    x1, x2 = sp.symbols("x1 x2", real=True, nonzero=True)
    w = parse_w(w)
    new = sp.Matrix([[x1, x2]]) * value_matrix(2, w)
    ok = sp.simplify(new[1] / new[0] - (x2 / x1 + w)) == 0 and new[0] == x1
    return Evidence("token 1: ratio r -> r + w and x_1 kept (so X_1(t) -> (0, sign x_1(0)))",
                    "holds" if ok else "fails", "exact", {"w": str(w)})


def g(yv, w, half: str = "left"):
    """The ratio map of token 2 (token 1 at (0, 1)) on one half of the circle:
    ``y + w - sqrt(1 + y^2)`` on the left (a < 0), ``y + w + sqrt(1 + y^2)`` on the right."""
    s = -1 if half == "left" else 1
    return yv + w + s * sp.sqrt(1 + yv ** 2)


def _point(yv, half):
    """The unit vector on the given half with ratio y."""
    a = (-1 if half == "left" else 1) / sp.sqrt(1 + yv ** 2)
    return a, a * yv


def token2_ratio_map(w, half: str) -> Evidence:
    """With token 1 at (0, 1) and token 2 at the unit vector of ratio y on ``half``, one
    exact post-LN step gives a token 2 on the same half with ratio ``g(y)``."""
    w = parse_w(w)
    a, b = _point(y, half)
    X = sp.Matrix([[0, 1], [a, b]])
    new = ln_step(X, value_matrix(2, w))
    ratio_ok = sp.simplify(new[1, 1] / new[1, 0] - g(y, w, half)) == 0
    # before LN the first coordinate of token 2 is exactly a/2; LN divides by a norm > 0
    half_ok = sp.simplify((attention_matrix() * X * value_matrix(2, w))[1, 0] - a / 2) == 0
    tok1_ok = list(new.row(0)) == [0, 1]
    return Evidence(f"token 2 on the {half} half: y -> g(y) = y + w {'-' if half == 'left' else '+'}"
                    f" sqrt(1+y^2), same half, token 1 stays at (0, 1)",
                    "holds" if ratio_ok and half_ok and tok1_ok else "fails", "exact",
                    {"w": str(w), "ratio": ratio_ok, "half_kept": half_ok, "token1": tok1_ok})


def prove_ratio_maps(w=None) -> Evidence:
    """Both halves, for all w > 1 when ``w`` is None (``w = 1 + s``, s > 0)."""
    w = 1 + sp.Symbol("s", positive=True) if w is None else _w_gt_1(w)
    return combine("ratio maps of the N = d = 2 example",
                   [token1_ratio_step(w), token2_ratio_map(w, "left"),
                    token2_ratio_map(w, "right")], {"w": str(w)})


def fixed_points(w):
    """``A = (-1/w, sqrt(1 - 1/w^2))`` and ``B = (-1/w, -sqrt(1 - 1/w^2))``."""
    w = _w_gt_1(w)
    c = sp.sqrt(sp.expand(w ** 2 - 1)) / w      # = sqrt(1 - 1/w^2), provably real for w > 1
    return (-1 / w, c), (-1 / w, -c)


def prove_fixed_points(w=None) -> Evidence:
    """For all w > 1 (or the given w): ``[(0,1), A]`` and ``[(0,1), B]`` are fixed points
    of the post-LN map (exact), they are the paper's rank-2 Jordan equilibria
    (signs ``++`` and ``+-``), and ``y_A = -sqrt(w^2-1)``, ``y_B = sqrt(w^2-1)`` are the
    only fixed points of g (left half: ``g(y) = y`` iff ``sqrt(1+y^2) = w``; right half:
    ``g(y) - y = w + sqrt(1+y^2) > 0``)."""
    w = 1 + sp.Symbol("s", positive=True) if w is None else _w_gt_1(w)
    W = value_matrix(2, w)
    parts = []
    for name, P, sv in zip("AB", fixed_points(w), ("++", "+-")):
        X = sp.Matrix([[0, 1], list(P)])
        ev = verify_equilibrium(X, W, k=2)
        same = sp.simplify(X - equilibrium(2, 2, 2, w, sv)) == sp.zeros(2, 2)
        parts.append(Evidence(f"[(0,1), {name}] is a rank-2 fixed point = Jordan equilibrium {sv}",
                              ev.status if same else "fails", ev.level, ev.details, ev.witness))
    yA, yB = -sp.sqrt(w ** 2 - 1), sp.sqrt(w ** 2 - 1)
    roots = sp.solve(sp.Eq(sp.sqrt(1 + y ** 2), w), y)
    only = sorted(roots, key=sp.default_sort_key) == sorted([yA, yB], key=sp.default_sort_key)
    gfix = all(sp.simplify(g(v, w) - v) == 0 for v in (yA, yB))
    parts.append(Evidence("g(y_A) = y_A, g(y_B) = y_B, no other fixed point",
                          "holds" if only and gfix else "fails", "exact",
                          {"y_A": str(yA), "y_B": str(yB), "solve": [str(r) for r in roots]}))
    return combine(f"Appendix E fixed points A and B (w = {w})", parts, {"w": str(w)})


def lemma11(w=None) -> Evidence:
    """Lemma 11: g is non-decreasing.  Exactly: on each half ``g'(y) = 1 + X_22`` with
    ``X_22 = y a`` the second coordinate of token 2, and ``g'(y) > 0`` since
    ``|X_22| = |y|/sqrt(1+y^2) < 1``: proved by the identity
    ``(1 + X_22)(1 - X_22) = 1/(1 + y^2) > 0`` together with ``1 - X_22 > 0``."""
    w = 1 + sp.Symbol("s", positive=True) if w is None else _w_gt_1(w)
    parts = []
    for half in ("left", "right"):
        a, b = _point(y, half)
        dg = sp.diff(g(y, w, half), y)
        formula = sp.simplify(dg - (1 + b)) == 0
        prod = sp.simplify((1 + b) * (1 - b) - 1 / (1 + y ** 2)) == 0
        # 1 - X_22 > 0 and 1 + X_22 > 0: |X_22| < 1 from X_22^2 = y^2/(1+y^2) < 1
        below_one = sp.simplify(1 - b ** 2 - 1 / (1 + y ** 2)) == 0
        ok = formula and prod and below_one
        parts.append(Evidence(f"{half} half: g'(y) = 1 + X_22 > 0", "holds" if ok else "fails",
                              "exact", {"g'(y)": str(sp.simplify(dg)), "X_22": str(b)}))
    return combine("Lemma 11: g is (strictly) increasing on each half of the circle", parts,
                   {"w": str(w)})


def lemma11_paper_formula(w=None) -> Evidence:
    """The paper prints ``dg/dy = 1 + X_21``.  Compare with the true derivative; fails with
    the witness y = 0 on the right half (true g' = 1, printed formula 2)."""
    w = 1 + sp.Symbol("s", positive=True) if w is None else _w_gt_1(w)
    for half in ("right", "left"):
        a, b = _point(y, half)
        diff = sp.simplify(sp.diff(g(y, w, half), y) - (1 + a))
        if diff != 0:
            val = diff.subs(y, 0)
            return Evidence("paper's formula dg/dy = 1 + X_21", "fails", "exact",
                            {"true": "1 + X_22"},
                            witness={"half": half, "y": 0, "true_minus_printed": str(val)},
                            narrower="dg/dy = 1 + X_22 >= 0 (Lemma 11's conclusion holds)")
    return Evidence("paper's formula dg/dy = 1 + X_21", "holds", "exact", {})


def invariant_arcs(w) -> list[dict]:
    """The four invariant open arcs (angles of token 2, exact) and where each goes."""
    w = _w_gt_1(w)
    tA, tB = sp.pi - sp.acos(1 / w), sp.pi + sp.acos(1 / w)
    return [
        {"arc": sp.Interval.open(-sp.pi / 2, sp.pi / 2), "half": "right", "limit": (0, 1),
         "y_range": (-sp.oo, sp.oo)},
        {"arc": sp.Interval.open(sp.pi / 2, tA), "half": "left", "limit": (0, 1),
         "y_range": (-sp.oo, -sp.sqrt(w ** 2 - 1))},
        {"arc": sp.Interval.open(tA, tB), "half": "left", "limit": fixed_points(w)[1],
         "y_range": (-sp.sqrt(w ** 2 - 1), sp.sqrt(w ** 2 - 1))},
        {"arc": sp.Interval.open(tB, 3 * sp.pi / 2), "half": "left", "limit": fixed_points(w)[1],
         "y_range": (sp.sqrt(w ** 2 - 1), sp.oo)},
    ]


def prove_invariant_arcs(w=None) -> Evidence:
    """Invariance and limits of the four arcs, exactly.

    Left half: ``(g(y) - y) (w + sqrt(1+y^2)) = w^2 - 1 - y^2`` (identity), so
    ``g(y) > y`` iff ``|y| < sqrt(w^2-1)``.  With g increasing (Lemma 11) and fixed at
    ``y_A < y_B``: ``(-inf, y_A)``, ``(y_A, y_B)``, ``(y_B, inf)`` are mapped into
    themselves; monotone orbits converge to a fixed point or to ``-inf``: the middle and
    upper intervals to ``y_B`` (point B), the lower one to ``-inf`` (point (0, 1)).
    Right half: ``g(y) - y = w + sqrt(1+y^2) >= w > 1`` so ``y -> +inf`` (point (0, 1)).
    Also checks that the arc endpoints' angles match the ratios (``tan theta = y``).
    """
    w = 1 + sp.Symbol("s", positive=True) if w is None else _w_gt_1(w)
    ident = sp.simplify((g(y, w) - y) * (w + sp.sqrt(1 + y ** 2)) - (w ** 2 - 1 - y ** 2)) == 0
    right = sp.simplify(g(y, w, "right") - y - w - sp.sqrt(1 + y ** 2)) == 0
    A_pt, B_pt = fixed_points(w)
    tA, tB = sp.pi - sp.acos(1 / w), sp.pi + sp.acos(1 / w)
    angles = all(sp.simplify(sp.cos(t) - P[0]) == 0 and sp.simplify(sp.sin(t) - P[1]) == 0
                 for t, P in ((tA, A_pt), (tB, B_pt)))
    parts = [Evidence("left half: sign(g(y) - y) = sign(w^2 - 1 - y^2)",
                      "holds" if ident else "fails", "exact", {}),
             Evidence("right half: g(y) - y = w + sqrt(1 + y^2) > 0", "holds" if right else "fails",
                      "exact", {}),
             Evidence("theta_A = pi - acos(1/w), theta_B = pi + acos(1/w) are A and B",
                      "holds" if angles else "fails", "exact", {}),
             lemma11(w), prove_fixed_points(w)]
    return combine("the four arcs of Appendix E are invariant; two go to B, two to (0, 1)",
                   parts, {"w": str(w)})


def basin_of_B(w) -> sp.Interval:
    """Angles of token 2 that converge to B when token 1 sits at (0, 1): the open interval
    ``(pi - acos(1/w), 3 pi / 2)`` (everything strictly between A and the bottom point)."""
    w = _w_gt_1(w)
    return sp.Interval.open(sp.pi - sp.acos(1 / w), 3 * sp.pi / 2)


def check_basin_numerically(w, samples: int = 200, steps: int = 400, dps: int = 40,
                            seed: int = 0) -> Evidence:
    """Iterate token 2 (token 1 held at (0, 1), the paper's assumption) from sampled
    angles at ``dps`` digits and compare the limit (B or (0, 1)) with :func:`basin_of_B`.
    Angles: a uniform grid plus seeded random ones, skipping those within 1e-8 of A,
    B-antipode (0, -1) and (0, 1).  Level numeric-hp."""
    w = _w_gt_1(w)
    basin = basin_of_B(w)
    rng = random.Random(seed)
    with mpmath.workdps(dps):
        wm = mpmath.mpf(sp.N(w, dps + 5))
        B = (-1 / wm, -mpmath.sqrt(1 - 1 / wm ** 2))
        lo, hi = (mpmath.mpf(sp.N(basin.start, dps + 5)), mpmath.mpf(sp.N(basin.end, dps + 5)))
        specials = [lo, hi, mpmath.pi / 2, mpmath.pi / 2 + 2 * mpmath.pi]
        thetas = [mpmath.mpf(i) / samples * 2 * mpmath.pi for i in range(samples)]
        thetas += [mpmath.mpf(rng.random()) * 2 * mpmath.pi for _ in range(samples)]
        agree = disagree = skipped = 0
        witness = None
        tol = mpmath.mpf(10) ** (-dps // 2)
        for th in thetas:
            if min(abs(th - s) for s in specials + [s - 2 * mpmath.pi for s in specials]) < 1e-8:
                skipped += 1
                continue
            a, b = mpmath.cos(th), mpmath.sin(th)
            for _ in range(steps):
                u, v = a, b + 1 + wm * a        # (X_1 + X_2) W with X_1 = (0, 1)
                nrm = mpmath.sqrt(u * u + v * v)
                a, b = u / nrm, v / nrm
            to_B = mpmath.sqrt((a - B[0]) ** 2 + (b - B[1]) ** 2) < tol
            to_top = mpmath.sqrt(a ** 2 + (b - 1) ** 2) < tol
            t = th if th > mpmath.pi / 2 - 1e-30 else th + 2 * mpmath.pi  # into (pi/2, 5pi/2)
            predicted_B = lo < t < hi
            if (to_B and predicted_B) or (to_top and not predicted_B):
                agree += 1
            else:
                disagree += 1
                witness = witness or {"theta": mpmath.nstr(th, 20), "final": [mpmath.nstr(a, 10),
                                      mpmath.nstr(b, 10)], "predicted_B": predicted_B}
    return Evidence(f"token 2 converges to B iff its angle lies in {basin} (w = {w}, token 1 at (0,1))",
                    "holds" if disagree == 0 else "fails", "numeric-hp",
                    {"samples": agree + disagree, "agree": agree, "skipped_near_boundary": skipped,
                     "steps": steps, "dps": dps, "seed": seed, "tolerance": f"1e-{dps // 2}"},
                    witness=witness)
