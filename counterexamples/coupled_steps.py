"""The hand-written steps of the coupled N = d = 2 proof (:mod:`counterexamples.coupled_proof`),
checked by code, each with a negative control.

* :func:`prove_angle_derivative`: for any 2x2 ``W`` the angle of ``u(a) W`` has derivative
  ``det W / |u(a) W|^2`` (SymPy, symbolic entries); with ``det W = 1`` (the shear) this is
  ``1 / |u(a) W|^2 > 0``, the monotonicity every box propagation rests on.  A ``W`` with
  negative determinant reverses the orientation.
* :func:`prove_token1_limit`: token 1's closed form ``phi(t) = atan2(sin phi_0 + w t cos
  phi_0, cos phi_0)`` tends to ``pi/2`` when ``cos phi_0 > 0`` and to ``-pi/2`` when
  ``cos phi_0 < 0`` (SymPy limits), the first premise of the limit argument.
* :func:`token2_limit_run`: the conclusion of the limit argument on explicit starts, at
  high precision: from a certified apart box token 2 approaches ``sign(x_11) B`` and the
  rows stay apart; from a certified collapse box the gap ``theta_2 - theta_1`` shrinks to 0.
"""
from __future__ import annotations

import sympy as sp

from theory.evidence import Evidence, sampled, universal
from theory.evidence import witness as witness_scope

__all__ = ["angle_derivative", "prove_angle_derivative", "prove_token1_limit",
           "token2_limit_run"]


def angle_derivative(W: sp.Matrix):
    """``d/da angle(u(a) W)`` for ``u(a) = (cos a, sin a)`` (row vector), as
    ``(x y' - y x') / (x^2 + y^2)``, simplified."""
    a = sp.Symbol("a", real=True)
    x, y = (sp.Matrix([[sp.cos(a), sp.sin(a)]]) * W)
    num = sp.simplify(sp.trigsimp(sp.expand(x * sp.diff(y, a) - y * sp.diff(x, a))))
    return a, num, sp.expand(x ** 2 + y ** 2)


def prove_angle_derivative(W: sp.Matrix | None = None) -> Evidence:
    """Numerator of the angle derivative equals ``det W`` (symbolic W by default); for the
    given ``W`` the derivative must be positive everywhere (``det W > 0``)."""
    if W is None:
        p, q, r, s = sp.symbols("p q r s", real=True)
        W = sp.Matrix([[p, q], [r, s]])
        _, num, _ = angle_derivative(W)
        ok = sp.simplify(num - W.det()) == 0
        return Evidence("d/da angle(u(a) W) = det W / |u(a) W|^2 for every 2x2 W; det W = 1 "
                        "gives L'(a) = 1/|u(a) W|^2 > 0", "holds" if ok else "fails", "exact",
                        {"numerator": str(num), "det": str(W.det())},
                        scope=universal("every real 2x2 W, every angle a",
                                        "SymPy (trigonometric simplification)") if ok else
                        witness_scope(f"numerator {num}"))
    _, num, den = angle_derivative(W)
    det = sp.simplify(W.det())
    positive = bool(det > 0)
    return Evidence(f"the angle map of W = {W.tolist()} is increasing (numerator det W = {det})",
                    "holds" if positive else "fails", "exact",
                    {"numerator": str(num), "det": str(det), "denominator": str(den)},
                    scope=universal("every angle a", "SymPy") if positive else
                    witness_scope(f"det W = {det} < 0: the angle map decreases"))


def prove_token1_limit(w=2) -> Evidence:
    """``phi(t) -> pi/2`` for ``cos phi_0 > 0`` and ``-> -pi/2`` for ``cos phi_0 < 0``."""
    t = sp.Symbol("t", positive=True)
    s0 = sp.Symbol("s0", real=True)
    c0 = sp.Symbol("c0", positive=True)
    wv = sp.nsimplify(w)
    phi = sp.atan((s0 + wv * t * c0) / c0)            # atan2(y, x) with x = c0 > 0
    up = sp.limit(phi, t, sp.oo)
    # cos phi_0 < 0: atan2(y, x) with x < 0 and y -> -oo is -pi/2 from below
    c_neg = -c0
    y_neg = s0 + wv * t * c_neg
    down = sp.limit(sp.atan(y_neg / c_neg) - sp.pi, t, sp.oo)     # y < 0, x < 0 branch
    ok = sp.simplify(up - sp.pi / 2) == 0 and sp.simplify(down + sp.pi / 2) == 0
    return Evidence(f"token 1 (w = {w}): phi(t) -> pi/2 if cos phi_0 > 0, -> -pi/2 if "
                    "cos phi_0 < 0", "holds" if ok else "fails", "exact",
                    {"limit_cos_positive": str(up), "limit_cos_negative": str(down)},
                    scope=universal(f"w = {w}, every phi_0 with cos phi_0 != 0",
                                    "SymPy limits of the closed form") if ok else
                    witness_scope("the limits in the details"))


def token2_limit_run(w, theta1: float, theta2: float, T: int = 4000, dps: int = 30) -> dict:
    """Run the coupled two-token system from ``(theta1, theta2)`` for ``T`` layers at ``dps``
    digits (mpmath) and report ``theta_2(T)``, the gap ``theta_2 - theta_1`` and the
    distance of token 2 from ``+-B``, ``B = (-1/w, -sqrt(1 - 1/w^2))``."""
    import math

    import numpy as np

    from numeric import masks
    from numeric.dynamics import simulate

    from .coupled import value_matrix_float
    wf = float(sp.Rational(sp.nsimplify(w)))
    X0 = np.array([[math.cos(theta1), math.sin(theta1)], [math.cos(theta2), math.sin(theta2)]])
    Z = np.zeros((2, 2))
    tr = simulate(X0, masks.causal(2), (Z, Z, value_matrix_float(2, wf), 1.0), T,
                  mode="post-ln", backend=f"mpmath:{dps}")
    x1, x2 = (np.asarray(v, dtype=float) for v in np.asarray(tr.X[-1], dtype=object))
    B = np.array([-1 / wf, -math.sqrt(1 - 1 / wf ** 2)])
    sign = 1 if math.cos(theta1) > 0 else -1
    return {"token1": [float(x1[0]), float(x1[1])], "token2": [float(x2[0]), float(x2[1])],
            "dist_token2_to_signB": float(np.linalg.norm(x2 - sign * B)),
            "sin_gap": float(abs(x1[0] * x2[1] - x1[1] * x2[0])), "T": T, "dps": dps}


def check_limit_conclusions(apart_starts, collapse_starts, w, T: int = 4000) -> Evidence:
    """The conclusions of the limit argument on explicit starts drawn from certified
    boxes: apart starts end near ``sign(x_11) B`` with the rows apart; collapse starts end
    with the rows nearly parallel.  High-precision runs, so level numeric-hp, sampled."""
    runs_a = [token2_limit_run(w, a, b, T) for a, b in apart_starts]
    runs_c = [token2_limit_run(w, a, b, T) for a, b in collapse_starts]
    ok = all(r["dist_token2_to_signB"] < 0.05 and r["sin_gap"] > 0.3 for r in runs_a) and \
        all(r["sin_gap"] < 0.05 for r in runs_c)
    return Evidence(f"apart boxes: token 2 -> sign(x_11) B and rows apart; collapse boxes: "
                    f"gap -> 0 (T = {T}, mpmath)", "holds" if ok else "open", "numeric-hp",
                    {"apart": runs_a, "collapse": runs_c},
                    scope=sampled(len(runs_a) + len(runs_c), "starts drawn in certified "
                                  "apart and collapse boxes", None) if ok else None)
