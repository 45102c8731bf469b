"""Walkthroughs of Section 4.3 and Appendices E-F.3: LayerNorm's scale invariance, the
N = d = 2 example's fixed points and its printed derivative (Lemma 11's proof), Lemma 12,
the failure of Lemma 13 for d = 4, and the certified coupled proof of Theorem 3 (2)."""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from numeric.errors import RankCollapseError

from .core import Walkthrough, walkthrough
from theory import layernorm as LN  # noqa: F401

F = Fraction


@walkthrough({"c": Fraction(3)}, "LN(c Y) = LN(Y) for c > 0, "
             "row by row, exactly")
def scale(c):
    if c == 0:
        raise RankCollapseError("--instance c must be nonzero")
    Y = sp.Matrix([[1, 2, 2], [3, 0, 4], [-1, 1, 1]])
    cs = sp.Rational(c.numerator, c.denominator)
    w = Walkthrough(f"Y with rows (1,2,2), (3,0,4), (-1,1,1); "
                    f"c = {c}", {"c": c}, "exact (SymPy)")
    L, Lc = LN.ln_exact(Y), LN.ln_exact(cs * Y)
    for i in range(3):
        w.value(f"row {i + 1}", f"LN(Y)_{i + 1}", list(L.row(i)), why="LN(y) = y/||y||")
        w.compare(f"row {i + 1}", f"LN({c} Y)_{i + 1}", list(Lc.row(i)), "=", f"LN(Y)_{i + 1}",
                  list(L.row(i)), holds=Lc.row(i) == L.row(i), expect=c > 0,
                  why="LN scale invariance: ||c y|| = c ||y||, c > 0" if c > 0 else
                  "negative control: c < 0 flips the sign")
    Ln = LN.ln_exact(-cs * Y)
    w.compare("negative control: c -> -c flips every row", "LN(-c Y)", list(Ln.row(0)), "=",
              "LN(Y)_1", list(L.row(0)), holds=Ln.row(0) == L.row(0), expect=False,
              why="negative control: scale invariance needs c > 0")
    return w


# ------------------------------------------------------------------------ Appendix E
@walkthrough({"w": "2"}, "A and B exactly, g(y) = y at both, one "
             "post-LN step fixes [(0,1), A] and [(0,1), B], g'(y_B) = 1 - sqrt(w^2-1)/w")
def appendix_e(w):
    from counterexamples import jordan as J
    from counterexamples import plane as PL

    wv = J.parse_w(w)
    if not wv > 1:
        raise RankCollapseError(f"--instance w={w}: Appendix E needs w > 1")
    y = sp.Symbol("y", real=True)
    W = J.value_matrix(2, wv)
    wk = Walkthrough(f"N = d = 2, causal mask, W_Q = W_K = 0, W_V = [[1, w], [0, 1]], w = {wv}; "
                     "token 1 at (0, 1)", {"w": wv}, "exact (SymPy)")
    A, B = PL.fixed_points(wv)
    dg = sp.diff(PL.g(y, wv, "left"), y)
    for name, P in (("A", A), ("B", B)):
        wk.section(f"The fixed point {name}")
        wk.value(name, name, list(P), why="Appendix E: X_21 = -1/w")
        wk.compare(f"{name} is a unit vector", f"|{name}|^2", sp.simplify(P[0] ** 2 + P[1] ** 2),
                   "=", "1", sp.Integer(1), why="post-LN tokens lie on the circle")
        X = sp.Matrix([[0, 1], list(P)])
        new = PL.ln_step(X, W)
        for i in range(2):
            wk.compare(f"one post-LN step keeps token 2, coordinate {i + 1}",
                       f"LN(Att X W_V)_2{i + 1}", sp.simplify(new[1, i]), "=", f"{name}_{i + 1}",
                       P[i], why="Appendix E: causal average, LN scale invariance")
        yv = sp.simplify(P[1] / P[0])
        wk.value(f"ratio y_{name}", f"{name}_2 / {name}_1", yv, why="y = X_22 / X_21")
        wk.compare(f"g(y_{name}) = y_{name}", f"g(y_{name})", sp.simplify(PL.g(yv, wv, "left")),
                   "=", f"y_{name}", yv, why="Appendix E: g(y) = y at the fixed points")
        d = sp.simplify(dg.subs(y, yv))
        wk.compare(f"g'(y_{name}) = 1 + {name}_2", f"g'(y_{name})", d, "=", f"1 + {name}_2",
                   sp.simplify(1 + P[1]), why="Lemma 11: g' = 1 + X_22")
        if name == "A":
            wk.compare("A repels (g' > 1)", "g'(y_A)", d, ">", "1", sp.Integer(1),
                       why="A_2 > 0: g'(y_A) > 1, repelling")
        else:
            wk.compare("B attracts (0 < g' < 1)", "g'(y_B)", d, "<", "1", sp.Integer(1),
                       why="B_2 < 0: g'(y_B) < 1")
            wk.compare("B attracts (g' > 0)", "g'(y_B)", d, ">", "0", sp.Integer(0),
                       why="Lemma 11: g' > 0")
    ev = PL.prove_fixed_points(wv)
    wk.compare("cross-check: prove_fixed_points (Jordan equilibria, no other fixed point)",
               "status", ev.status, "=", "holds", "holds", holds=ev.status == "holds",
               why="Appendix E: sign of g(y) - y, (29)")
    wk.section("Negative control: y = 0 (the unit vector (-1, 0)) is not fixed")
    wk.compare("g(0) = 0", "g(0)", sp.simplify(PL.g(sp.Integer(0), wv, "left")), "=", "0",
               sp.Integer(0), expect=False, why="negative control: X_21 = -1, not -1/w")
    return wk


@walkthrough({"w": "2"}, "the printed g'(y) = 1 + X_21 against "
             "the true 1 + X_22")
def lemma11_printed(w):
    from .theorem3 import lemma11
    full = lemma11(w)
    out = Walkthrough(full.title, full.instance, full.level)
    keep = False
    for s in full.steps:
        keep = keep or (s.kind == "section" and "printed" in s.label)
        if keep:
            out.steps.append(s)
    return out


# ------------------------------------------------------------------------------ Lemma 12
@walkthrough({}, "d = 3, w = 2 at the rational point x = (-2/3, -2/3, -1/3): h(y) "
             "is the next ratio and dh/dy = c (1 + x_d) > 0")
def lemma12():
    from counterexamples import f3

    wv, y, rho, f, Y, x, c, h = f3._symbolic_token(3)
    sub = {wv: 2, rho[0]: 1, rho[1]: 1}
    y0 = sp.Rational(1, 2)
    xs = [sp.nsimplify(v.subs(sub).subs(y, y0)) for v in x]
    w = Walkthrough("d = 3, w = 2, token 1 at e_3; token 2 with ratios rho = (1, 1) "
                    "and y = x_3/x_2 = 1/2, i.e. x = (-2/3, -2/3, -1/3)", {},
                    "exact (SymPy rationals)")
    w.section("The point")
    w.value("token 2", "x", xs, why="ratios rho = (1, 1), y = 1/2")
    w.compare("unit vector", "||x||^2", sum(v ** 2 for v in xs), "=", "1", sp.Integer(1),
              why="post-LN tokens lie on the sphere")
    w.compare("branch x_(d-1) < 0", "x_2", xs[1], "<", "0", sp.Integer(0),
              why="Lemma 12: the branch x_(d-1) < 0")
    z = f3.token2_step(xs, 2)
    w.value("z = x W_V + e_3", "z", z, why="token 1 at e_d, e_d W_V = e_d")
    hs = h.subs(sub)
    w.section("h_t(y) = c_t (w + y + 1/x_(d-1)) is the next ratio")
    w.value("c_t", "rho_2(t) / rho_2(t+1)", sp.nsimplify(c.subs(sub)),
            why="Lemma 12: c_t in (0, 1]")
    w.compare("h(1/2) is the next ratio", "h(y)", sp.nsimplify(hs.subs(y, y0)), "=",
              "z_3 / z_2", z[-1] / z[-2], why="Lemma 12: h_t(y) = c_t (w + y + 1/x_(d-1))")
    dh = sp.diff(hs, y).subs(y, y0)
    rhs = (c * (1 + x[-1])).subs(sub).subs(y, y0)
    w.section("The derivative")
    w.compare("dh/dy = c (1 + x_d)", "dh/dy at y = 1/2", sp.nsimplify(sp.simplify(dh)), "=",
              "c (1 + x_3)", sp.nsimplify(sp.simplify(rhs)),
              why="Lemma 12: d(1/x_(d-1))/dy = x_d")
    w.compare("Lemma 12: strictly increasing", "dh/dy at y = 1/2", sp.nsimplify(sp.simplify(dh)),
              ">", "0", sp.Integer(0), why="Lemma 12: c_t > 0, |x_d| < 1")
    ev = f3.lemma12((3,))
    w.compare("cross-check: lemma12((3,)) (symbolic in rho, y, w)", "status", ev.status, "=",
              "holds", "holds", holds=ev.status == "holds", why="Lemma 12, symbolic (SymPy)")
    w.section("Negative control: the printed left fraction (denominator w x_(d-1) + x_d)")
    ev = f3.printed_ratio_formula()
    d = ev.details
    w.compare("printed fraction = next ratio (x = (-1/3, -2/3, 2/3))", "printed", d["printed"],
              "=", "true next ratio", d["true"], expect=False,
              why="negative control: the printed fraction, refuted")
    w.compare("the factorised form printed next to it", "factorised", d["factorised_form"], "=",
              "true next ratio", d["true"], why="Lemma 12: the factorised h is right")
    return w


# ------------------------------------------------------------------------------ Lemma 13
@walkthrough({"w": Fraction(2)}, "d = 4: an exact start meeting every hypothesis "
             "that leaves the region at step 1 (refuted); d = 3: Delta(rho(t)) > 0 on a "
             "rational start (invariance)")
def lemma13(w):
    from counterexamples import f3

    if not w > 1:
        raise RankCollapseError("--instance w must be > 1")
    wk = Walkthrough(f"Token 1 at e_d, W_V = I + w J, w = {w}: the d = 4 witness "
                     "(counterexamples.f3.boundary_witness) and a d = 3 rational start",
                     {"w": w}, "exact (Fractions)")
    bw = f3.boundary_witness(4, w)
    if not bw["exits_at_step_1"]:
        raise RankCollapseError(f"no boundary witness found for w = {w}")
    head = bw["head"]
    hyp = bw["hypotheses"]
    wk.section("d = 4: the start (x_1, x_2, x_3; x_4 = +-sqrt(1 - |head|^2))")
    wk.value("head", "(x_1, x_2, x_3)", head, why="d = 4 witness on the boundary x_3 = -1/w")
    wk.value("x_4^2", "1 - |head|^2", bw["x_d_squared"], why="token 2 on the sphere")
    for k in range(2):
        wk.compare(f"hypothesis x_{k + 1} < 0", f"x_{k + 1}", head[k], "<", "0", 0,
                   why="Lemma 13 hypothesis: x_i(0) < 0, i <= d-2")
    wk.compare("hypothesis x_(d-1) <= -1/w (on the boundary)", "x_3", head[-1], "<=", "-1/w",
               -1 / w, why="Lemma 13 hypothesis: x_(d-1)(0) <= -1/w")
    wk.compare("hypothesis (41): f(0) <= sqrt(w^2 - 1)", "f(0)^2", hyp["f0"] ** 2, "<=",
               "w^2 - 1", w * w - 1, why="Lemma 13 hypothesis (41), squared (f >= 0)")
    wk.value("Delta(rho(0)) (negative: one step leaves the region)", "Delta(rho(0))",
             bw["Delta0"], why="one step keeps the region iff Delta >= 0")
    wk.compare("Delta(rho(0)) >= 0 (the corrected lemma's extra hypothesis)", "Delta(rho(0))",
               bw["Delta0"], ">=", "0", 0, expect=False,
               why="negative control: extra hypothesis Delta >= 0 fails")
    wk.section("d = 4: Lemma 13 as stated, at t = 1",
               "x_3(1) <= -1/w iff w^2 x_3(1)^2 >= 1 (x_3(1) < 0); exact since |z|^2 is "
               "rational on the boundary.")
    wk.compare("Lemma 13: x_3(1) <= -1/w", "w^2 x_3(1)^2", bw["x_(d-1)(1)_squared_times_w2"],
               ">=", "1", 1, expect=False, why="negative control: Lemma 13 as stated, d = 4")
    wk.value("x_3(1) (decimal)", "x_3(1)", f"{bw['x_(d-1)(1)']:.8g}", why="one post-LN step")
    wk.section("d = 3: the lemma holds (Delta > 0 for every w > 1)")
    h3 = [F(-1, 3), F(-2, 3)]
    hy = f3.hypotheses(h3, w)
    wk.value("head", "(x_1, x_2)", h3, why="a rational start, d = 3")
    wk.compare("hypothesis x_2 <= -1/w", "x_2", h3[1], "<=", "-1/w", -1 / w,
               why="Lemma 13 hypothesis: x_(d-1)(0) <= -1/w")
    wk.compare("hypothesis (41)", "f(0)^2", hy["f0"] ** 2, "<=", "w^2 - 1", w * w - 1,
               why="Lemma 13 hypothesis (41), squared (f >= 0)")
    rho = [v / h3[0] for v in h3]
    for t in range(4):
        rt = f3.ratios_at(rho, w, t)
        wk.compare(f"t = {t}: Delta(rho(t)) > 0", "Delta(rho(t))", f3.delta(rt, w), ">", "0", 0,
                   why="d = 3: empty sum in Delta, so Delta > 0")
    cert = f3.invariance_certificate(h3, w)
    wk.compare(f"every integer t >= 0 (Delta polynomial of degree {cert['degree']}, checked "
               f"to t = {cert['checked_up_to']})", "all Delta(rho(t)) >= 0", cert["all_nonneg"],
               "=", "True", True, holds=cert["all_nonneg"] is True,
               why="Delta polynomial in t: roots, then leading sign")
    ev = f3.lemma13_d3()
    wk.compare("cross-check: lemma13_d3 (symbolic, all w > 1)", "status", ev.status, "=",
               "holds", "holds", holds=ev.status == "holds", why="Lemma 13 for d = 3, symbolic")
    return wk


# --------------------------------------------------------------------------- Theorem 3 (2)
@walkthrough({}, "w = 2: one certified apart trap (phi_c, j_lo, D, G(phi_c, "
             "j_lo) > j_lo, sin D) and one certified box with its T and measure")
def theorem32():
    from counterexamples import coupled_proof as C

    wq = Fraction(2)
    traps = C.find_traps(wq)
    box = (F(3, 16), F(1, 4), F(7, 16), F(1, 2))
    w = Walkthrough("N = d = 2, causal mask, W_Q = W_K = 0, W_V = [[1, 2], "
                    "[0, 1]]; angles theta_1 = phi (token 1), theta_2 = theta (token 2)", {},
                    "certified (arb balls, 128 bits; exact rationals for the trap and box "
                    "edges and the measure)")
    with C._prec(128):
        verdict, T, idx = C.propagate_box(box, traps, wq)
        if verdict != "apart":
            raise RankCollapseError(f"the box {box} is not certified at w = 2 ({verdict})")
        tr = traps[idx]
        pi = C._pi()
        wa = C._arb(wq)
        phi_c, j_lo, D = C._arb(tr.phi_c), C._arb(tr.a), C._arb(tr.D)
        w.section("One apart trap S(phi_c, j_lo, D)",
                  "S = {phi in [phi_c, pi/2], theta >= j_lo, theta - phi <= D}; invariant iff "
                  "G(phi_c, j_lo) >= j_lo and L(phi + D/2) - L(phi) <= D on [phi_c, pi/2].")
        w.value("phi_c", "phi_c", tr.phi_c, why="trap: token 1's cone [phi_c, pi/2]")
        w.value("j_lo", "j_lo", tr.a, why="trap: lower edge of theta")
        w.value("D", "D", tr.D, why="trap: largest gap theta - phi")
        w.compare("phi_c < pi/2", "phi_c", phi_c, "<", "pi/2", pi / 2,
                  why="trap S: token 1's cone is non-empty")
        w.compare("j_lo > pi/2", "j_lo", j_lo, ">", "pi/2", pi / 2,
                  why="trap S: theta above token 1's cone")
        w.compare("D < pi", "D", D, "<", "pi", pi, why="trap S: gap stays in (0, pi)")
        w.compare("the lower edge is pushed up", "G(phi_c, j_lo)", C.G(phi_c, j_lo, wa), ">",
                  "j_lo", j_lo, why="trap invariance: G monotone, G(phi_c, j_lo) >= j_lo")
        w.compare("separation: sin D > 0", "sin D", D.sin(), ">", "0", 0,
                  why="apart: gap <= D < pi")
        w.compare("separation: sin(j_lo - pi/2) > 0", "sin(j_lo - pi/2)", (j_lo - pi / 2).sin(),
                  ">", "0", 0, why="apart: gap >= j_lo - pi/2 > 0")
        thA = pi - (1 / wa).acos()
        w.compare("j_lo above theta_A (limit map goes to B)", "j_lo", j_lo, ">",
                  "theta_A = pi - acos(1/w)", thA, why="Appendix E: basin of B above theta_A")
        w.section("The gap never exceeds D: L(phi + D/2) - L(phi) <= D on [phi_c, pi/2]",
                  f"Split [phi_c, pi/2] into {tr.pieces} pieces [p_k, p_(k+1)]; L is "
                  "increasing, so on a piece the new gap is at most L(p_(k+1) + D/2) - "
                  "L(p_k). Shown: the first three pieces and the tightest one; the "
                  "cross-check below runs every piece.")
        half = pi / 2
        ps = [phi_c + (half - phi_c) * k / tr.pieces for k in range(tr.pieces)] + [half]
        from counterexamples.coupled_traps import L as angle_map
        gaps = [angle_map(ps[k + 1] + D / 2, wa) - angle_map(ps[k], wa)
                for k in range(tr.pieces)]
        tight = max(range(tr.pieces), key=lambda k: gaps[k].mid())
        for k in sorted({0, 1, 2, tight} & set(range(tr.pieces))):
            w.compare(f"piece k = {k}" + (" (the tightest)" if k == tight else ""),
                      f"L(p_{k + 1} + D/2) - L(p_{k})", gaps[k], "<", "D", D,
                      why="L increasing (L' = 1/|u W_V|^2 > 0): a piece's gap is bounded "
                          "by its corners")
        cert = C.certify_trap(tr, wq)
        w.compare(f"cross-check: certify_trap ({cert['comparisons']} ball comparisons, "
                  f"{tr.pieces} pieces)", "status", cert["status"], "=", "holds", "holds",
                  holds=cert["status"] == "holds",
                  why="trap forward invariant, piece by piece")
        w.section("One certified box (turns; radians = 2 pi turns)",
                  "The two extreme corners enclose the box (monotone system).")
        w.value("box", "(theta_1 lo, theta_1 hi, theta_2 lo, theta_2 hi) in turns", list(box),
                why="one of the certified boxes")
        w.value("steps until inside the trap", "T", T, why="propagate_box: corners in the trap")
        w.value("measure (fraction of the torus)", "|box|", C.box_measure(box),
                why="exact: width times height")
        cache = C._Cache(wa)
        lo, hi = 2 * pi * C._arb(box[2]), 2 * pi * C._arb(box[3])
        for t in range(T):
            lo, hi = C.G(cache.phi_at(box[0], t), lo, wa), C.G(cache.phi_at(box[1], t), hi, wa)
        plo = cache.phi_at(box[0], T)
        w.compare(f"t = {T}: token 1 in the cone", "phi_lo(T)", plo, ">", "phi_c", phi_c,
                  why="monotone map: lower corner bounds the box")
        w.compare(f"t = {T}: theta above the lower edge", "theta_lo(T)", lo, ">", "j_lo", j_lo,
                  why="monotone map: lower corner bounds the box")
        w.compare(f"t = {T}: gap below D", "theta_hi(T) - phi_lo(T)", hi - plo, "<", "D", D,
                  why="monotone map: extreme corners bound the gap")
        w.section("Negative control: the same box is not yet in the trap at t = 0")
        p0 = cache.phi_at(box[0], 0)
        w.compare("t = 0: token 1 in the cone", "phi_lo(0)", p0, ">", "phi_c", phi_c,
                  expect=False, why="negative control: box not yet in the trap")
    return w
