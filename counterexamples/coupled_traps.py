"""The coupled N = d = 2 system of Theorem 3 (2): its angle maps and its certified traps.

The box propagation and the proof that uses these traps are in
:mod:`counterexamples.coupled_proof`.

Setting: causal mask, ``W_Q = W_K = 0``, paper's post-LN, ``W_V = [[1, w], [0, 1]]``,
both tokens moving.  Token i is ``(cos theta_i, sin theta_i)``.

Exact reductions (each one line of algebra; see ``paper_notes.md``, "Coupled dynamics:
a certified proof"):

* ``L(a) = a + atan2(w cos^2 a, 1 + w sin a cos a)`` is the angle of ``(cos a, sin a) W_V``,
  lifted continuously (the atan2 argument has ``y >= 0`` and ``x = 1`` where ``y = 0``).
  ``L`` is strictly increasing, ``L'(a) = 1 / |u(a) W_V|^2 > 0`` (``det W_V = 1``), and
  ``L(a + pi) = L(a) + pi``.
* Token 1: ``phi(t) = L^t(phi_0) = atan2(sin phi_0 + w t cos phi_0, cos phi_0)`` (closed
  form, ``x_1(0) W_V^t`` with ``W_V^t = I + t w J``); for ``cos phi_0 > 0`` it increases to
  ``pi/2`` like ``1/(w t)``.
* Token 2: ``x_1 + x_2 = 2 cos(D/2) u((phi + theta)/2)`` with ``D = theta - phi``, so for
  ``|D| < pi`` the new angle is ``G(phi, theta) = L((phi + theta)/2)``.  ``G`` is strictly
  increasing in both arguments, and ``|D| < pi`` is kept forever
  (``D' = L(phi + D/2) - L(phi)``, ``|D/2| < pi/2``), so the lift is consistent along every
  trajectory and a box of starts is enclosed by its two extreme corners (a monotone
  system: no wrapping effect).
* ``X -> -X`` maps trajectories to trajectories and translates the torus by ``(pi, pi)``:
  boxes with ``x_11 < 0`` are the translates of the boxes with ``x_11 > 0`` (same measure,
  disjoint), so the measure certified on the half ``theta_1 in (-pi/2, pi/2)`` is doubled.

Traps (certified in arb, :func:`certify_trap`):

* apart trap ``S(phi_c, j_lo, D) = {phi in [phi_c, pi/2], theta >= j_lo, theta - phi <= D}``
  with ``pi/2 < j_lo``, ``D < pi``: invariant iff ``G(phi_c, j_lo) >= j_lo`` (monotonicity)
  and ``L(phi + D/2) - L(phi) <= D`` on ``[phi_c, pi/2]`` (checked on a partition by
  monotonicity: ``L(p_(k+1) + D/2) - L(p_k) < D``).  In it
  ``sin(theta - phi) >= c = min(sin(j_lo - pi/2), sin D) > 0`` for every t: the smallest
  singular value of X(t) stays ``>= c / sqrt 2``.  With ``j_lo > theta_A`` and
  ``pi/2 + D < 3 pi/2`` the limit map (token 1 at (0, 1)) moves every point of the arc
  toward B (Appendix E, proved exactly), so ``theta_2(t) -> theta_B`` (token 2 -> +B for
  ``x_11 > 0``, -B for ``x_11 < 0``) by an asymptotically-autonomous limsup argument.
* collapse trap ``C(phi_c, D1, D2) = {phi in [phi_c, pi/2], -D1 <= theta - phi <= D2}``
  with ``D2 < theta_A - pi/2``, ``D1 < pi``: invariant by the same partition test on both
  sides; then ``theta - phi -> 0`` (limit map: both arcs go to (0, 1), proved exactly),
  i.e. X(t) converges to rank one.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from fractions import Fraction

from numeric.errors import RankCollapseError
from theory.exact_text import NumberSyntaxError, parse_rational

__all__ = ["parse_w_rational", "L", "dL", "G", "token1", "Trap", "certify_trap",
           "find_traps", "APART_GAPS"]

def parse_w_rational(w) -> Fraction:
    """``w`` as an exact rational ("2", "3/2", "1.5"); a one-line error otherwise."""
    if isinstance(w, Fraction):
        q = w
    elif isinstance(w, int) and not isinstance(w, bool):
        q = Fraction(w)
    else:
        try:
            q = parse_rational(w if isinstance(w, str) else str(w), name="w")
        except NumberSyntaxError as exc:
            raise RankCollapseError(f"--w must be an exact rational number such as 2, 3/2 or "
                                    f"1.5 (the coupled proof works in exact rationals): "
                                    f"{exc}") from None
    if not 0 < q <= 1000:
        raise RankCollapseError(f"w must satisfy 0 < w <= 1000 for the coupled proof, got {q}")
    return q


@contextlib.contextmanager
def _prec(bits: int):
    import flint
    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield
    finally:
        flint.ctx.prec = old


def _arb(q):
    import flint
    if isinstance(q, Fraction):
        return flint.arb(flint.fmpq(q.numerator, q.denominator))
    return flint.arb(q)


def _pi():
    import flint
    return flint.arb.pi()


def L(a, w):
    """Lifted angle of ``(cos a, sin a) W_V`` (arb)."""
    import flint
    s, c = a.sin_cos()
    return a + flint.arb.atan2(w * c * c, 1 + w * s * c)


def dL(a, w):
    """``L'(a) = 1 / |u(a) W_V|^2`` (arb)."""
    s, c = a.sin_cos()
    return 1 / (1 + 2 * w * s * c + w * w * c * c)


def G(phi, th, w):
    """Token 2's new (lifted) angle, valid for ``|th - phi| < pi``."""
    return L((phi + th) / 2, w)


def token1(s0, c0, t, w):
    """Closed form of token 1's angle at time t from ``(sin phi_0, cos phi_0)``."""
    import flint
    return flint.arb.atan2(s0 + w * t * c0, c0)


# ----------------------------------------------------------------------------- traps
@dataclass
class Trap:
    """A forward-invariant set of the (phi, theta) dynamics (radians, exact rationals)."""

    kind: str                 # "apart" or "collapse"
    phi_c: Fraction
    a: Fraction               # apart: j_lo;  collapse: D1 (theta - phi >= -D1)
    D: Fraction               # apart: theta - phi <= D;  collapse: D2
    pieces: int = 64
    cert: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "phi_c": float(self.phi_c), "phi_c_exact": str(self.phi_c)}
        if self.kind == "apart":
            out.update(j_lo=float(self.a), j_lo_exact=str(self.a), D=float(self.D),
                       D_exact=str(self.D), J=[float(self.a), float(self.D) + math.pi / 2],
                       J_of_phi="[j_lo, phi + D]")
        else:
            out.update(D1=float(self.a), D2=float(self.D), D1_exact=str(self.a),
                       D2_exact=str(self.D))
        out.update(self.cert)
        return out


def certify_trap(trap: Trap, w: Fraction, bits: int = 128) -> dict:
    """Prove in arb that ``trap`` is forward invariant (module docstring).  Returns
    ``{"status": holds|fails|open, ...}``; an undecided ball comparison makes it ``open``
    (never support), with the comparison listed in ``undecided``."""
    with _prec(bits):
        pi = _pi()
        wa = _arb(w)
        phi_c, a, D = _arb(trap.phi_c), _arb(trap.a), _arb(trap.D)
        half = pi / 2
        undecided, failed = [], []

        def need(name, ok_ball_true, ok_ball_false):
            if ok_ball_true:
                return True
            (failed if ok_ball_false else undecided).append(name)
            return False

        def lt(x, y, name):      # certify x < y
            return need(name, bool(x < y), bool(x >= y))

        lt(phi_c, half, "phi_c < pi/2")
        lt(-half, phi_c, "phi_c > -pi/2")
        # partition of [phi_c, pi/2]
        ps = [phi_c + (half - phi_c) * k / trap.pieces for k in range(trap.pieces)] + [half]
        worst = None
        if trap.kind == "apart":
            lt(half, a, "j_lo > pi/2")
            lt(D, pi, "D < pi")
            lt(a, G(phi_c, a, wa), "G(phi_c, j_lo) > j_lo")
            for k in range(trap.pieces):
                v = L(ps[k + 1] + D / 2, wa) - L(ps[k], wa)
                lt(v, D, f"gap piece {k}")
                worst = v if worst is None else worst.union(v)
            c = min(float((a - half).sin().lower()), float(D.sin().lower()))
            thA = pi - (1 / wa).acos() if w > 1 else None
            to_B = bool(w > 1 and thA < a and half + D < 3 * half)
            out = {"separation_c": c, "limit": "+B (x_11 > 0), -B (x_11 < 0)" if to_B else None}
            # contraction factor dG/dtheta = L'(m)/2 over the trap (partition of m)
            mlo, mhi = (phi_c + a) / 2, half + D / 2
            kap = None
            for k in range(2 * trap.pieces):
                seg = (mlo + (mhi - mlo) * k / (2 * trap.pieces)).union(
                    mlo + (mhi - mlo) * (k + 1) / (2 * trap.pieces))
                v = dL(seg, wa) / 2
                kap = v if kap is None else kap.union(v)
            sup = float(kap.upper()) if kap.is_finite() else None
            out["dG/dtheta_sup_over_trap"] = sup      # informational: the proof is by order
            out["contraction_note"] = ("dG/dtheta exceeds 1 somewhere in the trap (or is "
                                       "not bounded at this partition): invariance is proved "
                                       "by monotonicity, convergence to B by the limsup "
                                       "argument, not by a uniform contraction"
                                       if sup is None or sup >= 1 else
                                       "uniform contraction over the trap")
            if w > 1:
                thB = pi + (1 / wa).acos()
                out["dG/dtheta_at_B"] = float((dL((half + thB) / 2, wa) / 2).mid())
                out["theta_B"] = float(thB.mid())
        else:
            lt(D, (pi - (1 / wa).acos() - half) if w > 1 else -pi, "D2 < theta_A - pi/2")
            lt(a, pi, "D1 < pi")
            for k in range(trap.pieces):
                v = L(ps[k + 1] + D / 2, wa) - L(ps[k], wa)
                lt(v, D, f"upper gap piece {k}")
                u = L(ps[k + 1], wa) - L(ps[k] - a / 2, wa)
                lt(u, a, f"lower gap piece {k}")
                worst = v if worst is None else worst.union(v)
            out = {"limit": "rank one (theta_2 - theta_1 -> 0)"}
        status = "fails" if failed else "open" if undecided else "holds"
        out.update(status=status, failed=failed[:5], undecided=undecided[:5], bits=bits,
                   comparisons=2 * trap.pieces + 4)
        if trap.kind == "apart" and status == "holds" and not out.get("limit"):
            out["limit"] = "not proved (j_lo <= theta_A)"
        return out


def _Lf(a, w):
    return a + math.atan2(w * math.cos(a) ** 2, 1 + w * math.sin(a) * math.cos(a))


#: candidate gap bounds D (< pi) of the apart trap, in the order tried: 3 first (the bound
#: of earlier rounds, enough below w of about 7), then closer to pi, which larger w need
#: (the arc [j_lo, phi + D] must reach B at angle 3 pi/2 - asin(1/w)); the separation
#: c >= min(sin(j_lo - pi/2), sin D) shrinks as D approaches pi but stays positive
APART_GAPS = (Fraction(3), Fraction(49, 16), Fraction(99, 32), Fraction(25, 8),
              Fraction(401, 128), Fraction(201, 64))


def _apart_gap(pc: Fraction, wf: float) -> Fraction | None:
    """The first D in :data:`APART_GAPS` with ``L(p + D/2) - L(p) < D`` (float, with a margin)
    at 65 points of ``[phi_c, pi/2]``; None if none passes."""
    for D in APART_GAPS:
        ok = all(_Lf(p + float(D) / 2, wf) - _Lf(p, wf) < float(D) * 0.999
                 for p in (float(pc) + (math.pi / 2 - float(pc)) * i / 64 for i in range(65)))
        if ok:
            return D
    return None


def find_traps(w: Fraction, bits: int = 128) -> list[Trap]:
    """Search candidate traps in float64 (the same generic grid for every w, nothing
    assumed about B), then certify each candidate in arb; return the certified ones."""
    wf = float(w)
    grid = Fraction(1, 256)
    cands = []
    for k in (2, 5, 10, 20, 35, 50, 70, 90, 120, 150, 200):
        pc = Fraction(math.floor((math.pi / 2 - k / 256) * 256), 256)
        # the largest gap bound D (apart: theta - phi <= D < pi) whose invariance
        # L(phi + D/2) - L(phi) <= D passes a float pre-check on [phi_c, pi/2]; D = 3 for
        # w below about 7, smaller for larger w (certified below in arb either way)
        D = _apart_gap(pc, wf)
        if D is None:
            continue
        # smallest j_lo on the grid with G(phi_c, j_lo) > j_lo + margin, scanning upward
        j = Fraction(math.ceil((math.pi / 2 + 0.01) * 256), 256)
        found = None
        while float(j) < float(pc) + float(D):
            if _Lf((float(pc) + float(j)) / 2, wf) > float(j) + 1e-6:
                found = j + grid
                break
            j += grid
        if found is not None:
            cands.append(Trap("apart", pc, found, D))
    for k in (1, 3, 8, 15, 25, 40, 60, 90, 130, 180, 250):
        pc = Fraction(math.floor((math.pi / 2 - k / 256) * 256), 256)
        if not -math.pi / 2 < float(pc):
            continue
        for D2 in (Fraction(n, 64) for n in (32, 24, 16, 12, 8, 4, 2)):
            t = Trap("collapse", pc, Fraction(3), D2)
            ok = True
            for i in range(65):
                p = float(pc) + (math.pi / 2 - float(pc)) * i / 64
                if (_Lf(p + float(D2) / 2, wf) - _Lf(p, wf) >= float(D2) * 0.999 or
                        _Lf(p, wf) - _Lf(p - 1.5, wf) >= 3 * 0.999):
                    ok = False
                    break
            if ok:
                cands.append(t)
                break
    out = []
    for t in cands:
        for pieces in (64, 256):
            t.pieces = pieces
            t.cert = certify_trap(t, w, bits)
            if t.cert["status"] != "open":
                break
        if t.cert["status"] == "holds" and (t.kind == "collapse" or t.cert.get("limit")):
            out.append(t)
    return out


# ----------------------------------------------------------------------------- boxes
