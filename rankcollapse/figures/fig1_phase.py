"""Fig. 1: phase portraits of two tokens in the plane (N = d = 2, causal mask,
``W_Q = W_K = 0`` so ``A = [[1, 0], [1/2, 1/2]]``).

(a) No LayerNorm, ``W_V`` a rotation (orthogonal, so A3 holds): token 2 spirals into
    token 1; ``mu -> 0`` (the tokens meet).
(b) Paper's LayerNorm, ``W_V = [[1, w], [0, 1]]``, token 1 at ``(0, 1)`` (where it tends
    whenever ``X_11(0) > 0``): the arrows show one step of token 2 on the unit circle; the
    four invariant arcs of Appendix E are coloured by their limit (``B`` or ``(0, 1)``),
    with the fixed points ``A = (-1/w, sqrt(1-1/w^2))`` and ``B = (-1/w, -sqrt(1-1/w^2))``
    (from :mod:`counterexamples.plane`).
(c) The angle of token 2 per layer for the coupled system (both tokens moving, token 1
    started away from (0, 1)); and ``mu`` per layer for (a) and (b).
"""
from __future__ import annotations

import numpy as np

from numeric import masks
from numeric.dynamics import simulate

from .common import Context, mpl, save, stamp

NAME = "fig1"
TITLE = "phase portraits N = d = 2: without LN the tokens meet, with LN token 2 goes to B"


def arcs(w: float) -> list[dict]:
    """The invariant arcs as float angle intervals (via counterexamples.plane)."""
    import sympy as sp

    from counterexamples.plane import fixed_points, invariant_arcs

    out = []
    for a in invariant_arcs(sp.nsimplify(w)):
        lim = tuple(float(v) for v in a["limit"])
        out.append({"start": float(a["arc"].start), "end": float(a["arc"].end),
                    "limit": lim, "to_B": lim != (0.0, 1.0)})
    A, B = (tuple(float(v) for v in P) for P in fixed_points(sp.nsimplify(w)))
    return out, A, B


def token2_step(theta: np.ndarray, w: float) -> np.ndarray:
    """Angle of token 2 after one post-LN step with token 1 at (0, 1)."""
    a, b = np.cos(theta), np.sin(theta)
    u, v = a / 2, (b + 1) / 2 + w * a / 2        # (A X W_V)_2 = ((0,1) + (a,b))/2 W_V
    return np.arctan2(v, u)


def make(ctx: Context) -> list:
    w = float(ctx.opt("w", 2.0, 2.0))
    T = int(ctx.opt("phase_layers", 60, 40))
    plt = mpl()
    M = masks.causal(2)
    Z = np.zeros((2, 2))
    fig, axes = plt.subplots(1, 5, figsize=(23, 4.9))
    data = {"title": TITLE, "w": w, "layers": T, "mask": "causal", "W_Q": "0", "W_K": "0"}

    # (a) SAN, rotation W_V
    ang = 0.25
    R = np.array([[np.cos(ang), np.sin(ang)], [-np.sin(ang), np.cos(ang)]])
    ax = axes[0]
    starts = [np.array([[1.0, 0.2], [-0.6, -0.9]]), np.array([[0.3, 1.1], [0.9, -0.7]]),
              np.array([[-0.8, 0.5], [0.2, 1.2]])]
    mus_a = []
    for k, X0 in enumerate(starts):
        tr = simulate(X0, M, (Z, Z, R), T, mode="san")
        P = np.array(tr.X)
        ax.plot(P[:, 0, 0], P[:, 0, 1], "-", color=f"C{k}", lw=1, alpha=0.6)
        ax.plot(P[:, 1, 0], P[:, 1, 1], "--", color=f"C{k}", lw=1)
        ax.plot(*P[0, 0], "o", color=f"C{k}", ms=6)
        ax.plot(*P[0, 1], "s", color=f"C{k}", ms=6)
        mus_a.append(tr.mu())
    ax.plot([], [], "ko", label="token 1 start (solid path)")
    ax.plot([], [], "ks", label="token 2 start (dashed path)")
    ax.set_aspect("equal")
    ax.set_xlabel("x_1")
    ax.set_ylabel("x_2")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"(a) SAN, no LN: W_V = rotation by {ang} rad\ntoken 2 spirals into token 1",
                 fontsize=9)
    ax.grid(alpha=0.3)

    # (b) LN phase portrait on the circle, token 1 at (0, 1)
    ax = axes[1]
    arc_list, A, B = arcs(w)
    for a in arc_list:
        th = np.linspace(a["start"], a["end"], 200)
        ax.plot(np.cos(th), np.sin(th), lw=5, alpha=0.55,
                color="C3" if a["to_B"] else "C0")
    ax.plot([], [], color="C3", lw=5, alpha=0.55, label="invariant arcs -> B")
    ax.plot([], [], color="C0", lw=5, alpha=0.55, label="invariant arcs -> (0, 1)")
    th = np.linspace(0, 2 * np.pi, 48, endpoint=False) + 0.03
    th = th[np.abs(np.cos(th) ** 2 + (np.sin(th) + 1) ** 2) > 1e-3]   # skip (0,-1): zero row
    nxt = token2_step(th, w)
    d = np.angle(np.exp(1j * (nxt - th)))
    sgn = 0.25 * np.sign(d)          # direction of one step along the circle (fixed length)
    ax.quiver(1.18 * np.cos(th), 1.18 * np.sin(th), -np.sin(th) * sgn, np.cos(th) * sgn,
              angles="xy", scale_units="xy", scale=1, width=0.006, color="0.25")
    ax.plot(0, 1, "k^", ms=9, label="token 1 = (0, 1)")
    ax.plot(*A, "o", mfc="white", mec="k", ms=9, label=f"A = ({A[0]:.2f}, {A[1]:.2f}) (repelling)")
    ax.plot(*B, "o", color="k", ms=9, label=f"B = ({B[0]:.2f}, {B[1]:.2f}) (attracting)")
    ax.plot(0, -1, "x", color="k", ms=8, label="(0, -1): zero row, LN undefined")
    ax.set_aspect("equal")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    ax.set_xlabel("x_1")
    ax.set_ylabel("x_2")
    ax.legend(fontsize=6.5, loc="lower right")
    ax.set_title(f"(b) post-LN (paper's LN), W_V = [[1, {w:g}], [0, 1]]\n"
                 "one step of token 2 (arrows), token 1 held at (0, 1)", fontsize=9)

    # (c) coupled runs: angle of token 2 per layer
    ax = axes[2]
    WV = np.array([[1.0, w], [0.0, 1.0]])
    tB, tA = np.arctan2(B[1], B[0]) % (2 * np.pi), np.arctan2(A[1], A[0]) % (2 * np.pi)
    thetas2 = [2.3, 3.0, 4.0, 4.6, 1.9]
    runs = []
    mus_b = []
    for t1, ls in ((np.pi / 2 - 0.05, "-"), (-0.4, "--")):
        for k, t2 in enumerate(thetas2):
            X0 = np.array([[np.cos(t1), np.sin(t1)], [np.cos(t2), np.sin(t2)]])
            tr = simulate(X0, M, (Z, Z, WV), T, mode="post-ln", ln="paper")
            P = np.array(tr.X)
            ang2 = np.unwrap(np.arctan2(P[:, 1, 1], P[:, 1, 0]) % (2 * np.pi))
            ax.plot(np.arange(T + 1), ang2, color=f"C{k}", lw=1.2, ls=ls,
                    label=f"theta_2(0) = {t2:g}" if ls == "-" else None)
            runs.append({"theta1_0": t1, "theta2_0": t2, "theta2": ang2,
                         "token1_final": P[-1, 0], "token2_final": P[-1, 1]})
            mus_b.append((tr.mu(), ls, k))
    ax.plot([], [], "k-", label="token 1 starts at pi/2 - 0.05")
    ax.plot([], [], "k--", label="token 1 starts at -0.4")
    ax.axhline(tB, color="k", ls="--", lw=0.8)
    ax.axhline(tA, color="0.5", ls=":", lw=0.8)
    ax.axhline(np.pi / 2, color="C0", ls="--", lw=0.8)
    ax.axhline(np.pi / 2 + 2 * np.pi, color="C0", ls="--", lw=0.8)
    ax.text(T, tB, " B", va="center", fontsize=8)
    ax.text(T, tA, " A", va="center", fontsize=8)
    ax.text(T, np.pi / 2, " (0,1)", va="center", fontsize=8)
    ax.set_xlabel("layer t")
    ax.set_ylabel("angle of token 2 (rad)")
    ax.legend(fontsize=6.5, loc="center right")
    ax.set_title("(c) coupled post-LN runs (both tokens move); token 1 -> (0,1)\n"
                 "only like 1/t (its ratio x_2/x_1 grows by w per layer)", fontsize=9)
    ax.grid(alpha=0.3)

    # (d) mu per layer
    ax = axes[3]
    for k, m in enumerate(mus_a):
        ax.semilogy(np.maximum(np.asarray(m, float), 1e-17), color=f"C{k}", ls=":", lw=2,
                    label="SAN runs of (a)" if k == 0 else None)
    for j, (m, ls, k) in enumerate(mus_b):
        ax.semilogy(np.maximum(np.asarray(m, float), 1e-17), color=f"C{k}", ls=ls, lw=1,
                    label="post-LN runs of (c)" if j == 0 else None)
    ax.set_xlabel("layer t")
    ax.set_ylabel("mu(X(t)) (log scale)")
    ax.set_title("(d) mu: SAN (dotted) -> 0 exponentially; post-LN runs that reach B\n"
                 "keep mu > 0, runs where token 2 joins token 1 collapse", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    # (e) coupled basin: which (theta_1(0), theta_2(0)) end with token 2 away from token 1
    ax = axes[4]
    G = int(ctx.opt("basin_grid", 90, 60))
    TB = int(ctx.opt("basin_layers", 300, 200))
    t1g = np.linspace(-np.pi / 2, np.pi / 2, G + 2)[1:-1]            # X_11(0) > 0
    t2g = np.linspace(0, 2 * np.pi, G, endpoint=False) + np.pi / G
    T1, T2 = np.meshgrid(t1g, t2g, indexing="ij")
    X0 = np.stack([np.stack([np.cos(T1), np.sin(T1)], -1),
                   np.stack([np.cos(T2), np.sin(T2)], -1)], axis=-2).reshape(-1, 2, 2)
    ok = np.linalg.norm(X0[:, 0] + X0[:, 1], axis=-1) > 1e-6           # no zero row
    XT = simulate(X0[ok], M, (Z, Z, WV), TB, mode="post-ln", ln="paper").X[-1]
    sep = np.full(len(X0), np.nan)
    sep[ok] = np.linalg.norm(XT[:, 0] - XT[:, 1], axis=-1)
    sep = sep.reshape(G, G)
    im = ax.imshow((sep > 0.5).T.astype(float), origin="lower", aspect="auto", cmap="coolwarm",
                   extent=(t1g[0], t1g[-1], 0, 2 * np.pi), vmin=0, vmax=1)
    ax.axhline(tA, color="k", ls=":", lw=0.8)
    ax.axhline(3 * np.pi / 2, color="k", ls=":", lw=0.8)
    # overlay: boxes PROVED (arb) to keep token 2 apart forever (counterexamples.coupled_proof)
    from fractions import Fraction

    from matplotlib.patches import Rectangle

    from counterexamples import coupled_proof as cp
    pdepth = int(ctx.opt("proof_depth", 4, 2))
    proof = cp.certify_boxes(Fraction(w).limit_denominator(1000), depth=pdepth)
    for bx in cp.boxes_radians(proof["apart_boxes"]):
        ax.add_patch(Rectangle((bx["theta1_lo"], bx["theta2_lo"]),
                               bx["theta1_hi"] - bx["theta1_lo"],
                               bx["theta2_hi"] - bx["theta2_lo"], fill=False, ec="k", lw=0.4))
    ax.plot([], [], "s", mfc="none", mec="k", label=f"certified boxes (arb, depth {pdepth}): "
            f"{float(proof['certified_measure']):.4f} of the torus")
    ax.legend(fontsize=6.5, loc="upper left")
    ax.set_xlim(t1g[0], t1g[-1])
    ax.set_xlabel("theta_1(0) (token 1, X_11(0) > 0)")
    ax.set_ylabel("theta_2(0) (token 2)")
    frac = float(np.nanmean(sep > 0.5))
    frac_arc = float(np.mean((t2g > tA) & (t2g < 3 * np.pi / 2)))
    ax.set_title(f"(e) coupled, {TB} layers: red = token 2 apart ({100 * frac:.0f}%),\n"
                 f"boxes = PROVED apart (arb); arc (A, 3pi/2): {100 * frac_arc:.0f}%",
                 fontsize=9)
    data["certified_boxes"] = {
        "depth": pdepth, "certified_measure": float(proof["certified_measure"]),
        "certified_measure_exact": str(proof["certified_measure"]),
        "enclosure": [float(proof["certified_measure"]), float(proof["upper_bound"])],
        "boxes": cp.boxes_radians(proof["apart_boxes"]),
        "note": "boxes on theta_1 in (-pi/2, pi/2); their sign-flip copies (theta + pi) are "
                "certified too and counted in certified_measure"}
    data["coupled_basin"] = {"grid": G, "layers": TB, "fraction_apart": frac,
                             "fraction_if_token1_at_top": frac_arc,
                             "theta1": t1g, "theta2": t2g, "separation": sep}
    stamp(fig, f"N = d = 2, causal mask, W_Q = W_K = 0 (A = [[1,0],[1/2,1/2]]); (a) W_V rotation "
               f"{ang} rad, no LN; (b-e) W_V = [[1,{w:g}],[0,1]], paper's LN (rows to unit norm); "
               f"{T} layers (e: {TB}); deterministic (no random numbers; seed {ctx.seed} unused)")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    data.update({"A": A, "B": B, "arcs": arc_list, "rotation": ang,
                 "san_mu": [np.asarray(m, float) for m in mus_a],
                 "ln_runs": runs, "ln_mu": [np.asarray(m[0], float) for m in mus_b]})
    return save(ctx, NAME, fig, data)
