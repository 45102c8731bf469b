"""Theorem 3 (1) / Appendix F.1-F.2: the Jordan-chain equilibria (counterexamples.jordan)."""
import mpmath
import pytest
import sympy as sp

from counterexamples import jordan
from counterexamples.jordan import (ConstructionError, equilibria, equilibrium, value_matrix,
                                    verify_equilibrium)
from numeric.errors import AssumptionError, RankCollapseError, ShapeError
from counterexamples.surds import to_surd
from rankcollapse.cli import main
from tests.conftest import thorough
from counterexamples import jordan_facts
import math
from fractions import Fraction
import numpy as np
from scipy.optimize import brentq
from counterexamples import jordan as J
from counterexamples.surds import matrix_to_surd
from numeric.errors import AssumptionError, ShapeError

SIZES = [(3, 3), (3, 5), (4, 2), (2, 2)] + ([(5, 5), (6, 4), (4, 7)] if thorough() else [])


def test_value_matrix_structure():
    w = sp.Symbol("w")
    W = value_matrix(4, w)
    assert W == sp.eye(4) + sp.Matrix(4, 4, lambda i, j: w if j == i + 1 else 0)
    e_d = sp.Matrix([[0, 0, 0, 1]])
    assert e_d * W == e_d                      # e_d is the eigenvector at eigenvalue 1
    with pytest.raises(ShapeError, match="d must be"):
        value_matrix(0, 2)


@pytest.mark.parametrize("n,d", SIZES)
def test_every_rank_every_sign_exact(n, d):
    """Every sign choice of every rank, at the sharp w = N-1 and at the paper's w = N."""
    for w in {max(n - 1, 1), n}:
        W = value_matrix(d, w)
        for k in range(1, min(n, d) + 1):
            mats = equilibria(n, d, k, w)
            for X in mats:
                ev = verify_equilibrium(X, W, k=k)
                assert ev.status == "holds" and ev.level == "exact", ev
                assert ev.details["rank"] == k
            m = n - k + 1
            expected = 2 ** k
            if k >= 2 and w == m:
                expected = 2 if w == 1 else 2 ** (k - 1)
            assert len(mats) == expected
            assert len({tuple(X) for X in mats}) == len(mats)   # really distinct


def test_count_equilibria_paper_value_vs_sharp():
    assert jordan.count_equilibria(4, 4, 4) == {1: 2, 2: 4, 3: 8, 4: 16}
    assert jordan.count_equilibria(4, 4, 3) == {1: 2, 2: 2, 3: 8, 4: 16}   # |w| = N-1
    assert jordan.count_equilibria(4, 4, sp.Rational(5, 2)) == {1: 2, 3: 8, 4: 16}  # rank 2 lost


def test_paper_formulas_and_closed_form():
    """X_2, X_3 as printed in Appendix F.1 (k = N, first token e_d)."""
    w = sp.Symbol("w", positive=True)
    X = equilibrium(4, 4, 4, 1 + sp.Symbol("s", positive=True), [1, -1, 1, 1])
    X = X.subs(sp.Symbol("s", positive=True), w - 1)
    assert sp.simplify(X.row(1) - sp.Matrix([[0, 0, -1 / w, -sp.sqrt(1 - 1 / w ** 2)]])) == sp.zeros(1, 4)
    assert sp.simplify(X.row(2) - sp.Matrix([[0, 1 / w ** 2, sp.sqrt(1 / w ** 2 - 1 / w ** 4),
                                             sp.sqrt(1 - 1 / w ** 2)]])) == sp.zeros(1, 4)
    # rank-k chain start (Step 2): [0_{d-2}, -(N-k+1)/w, +-sqrt(1 - (N-k+1)^2/w^2)]
    Y = equilibrium(5, 4, 3, 7, [1, -1, 1])
    assert list(Y.row(3)) == [0, 0, sp.Rational(-3, 7), -sp.sqrt(1 - sp.Rational(9, 49))]


@pytest.mark.parametrize("n,d,k", [(3, 3, 1), (3, 3, 2), (3, 3, 3), (3, 4, 2)]
                         + ([(4, 4, 2), (4, 4, 3), (4, 4, 4)] if thorough() else []))
def test_symbolic_all_w_above_threshold(n, d, k):
    ev = jordan.prove_fixed_point_symbolic(n, d, k)
    assert ev.status == "holds" and ev.level == "exact", ev
    assert ev.details["equality_allowed"] is True


def test_symbolic_w_without_inequality_is_not_claimed():
    """Negative control: w merely positive (not >= N-k+1) must not be proved."""
    w = sp.Symbol("w", positive=True)
    X = equilibrium(3, 3, 2, w)          # accepted: the inequality is undecidable here
    ev = verify_equilibrium(X, value_matrix(3, w), k=2)
    assert ev.status != "holds"


def test_perturbed_equilibrium_fails():
    W = value_matrix(3, 3)
    X = equilibrium(3, 3, 3, 3, "+-+")
    Y = X.copy()
    Y[2, 0] += sp.Rational(1, 1000)
    assert verify_equilibrium(Y, W).status == "fails"
    # a unit-norm perturbation: rotate token 3 in the (0, 1) plane by (3/5, 4/5)
    R = sp.Matrix([[sp.Rational(3, 5), -sp.Rational(4, 5), 0],
                   [sp.Rational(4, 5), sp.Rational(3, 5), 0], [0, 0, 1]])
    Z = X.copy()
    Z[2, :] = X.row(2) * R
    ev = verify_equilibrium(Z, W)
    assert ev.status == "fails" and ev.witness["token"] == 2
    # wrong sign of a block token: X_1 + X_2 = 0 gives a zero row
    B = equilibrium(3, 3, 2, 3)
    B[1, :] = -B.row(1)
    assert verify_equilibrium(B, W).status == "fails"
    # right fixed point, wrong rank claimed
    ev = verify_equilibrium(X, W, k=2)
    assert ev.status == "fails" and ev.witness == {"expected_rank": 2, "rank": 3}


def test_sympy_path_agrees_with_surd_path():
    X = equilibrium(3, 3, 3, 2, "+-+")
    W = value_matrix(3, 2)
    ev_fast = verify_equilibrium(X, W, k=3)
    ev_slow = jordan._verify_sympy(X, W)
    assert ev_fast.details["arithmetic"] == "multiquadratic-surd"
    assert ev_slow[0] is True and ev_slow[2] == 3
    Y = X.copy()
    Y[1, 1] = -Y[1, 1]
    assert jordan._verify_sympy(Y, W)[0] is False


def test_below_threshold_rejected_equality_allowed():
    with pytest.raises(AssumptionError, match="w=5/2 is below"):
        equilibrium(4, 4, 2, sp.Rational(5, 2))
    with pytest.raises(AssumptionError, match="N-k\\+1"):
        equilibria(5, 5, 3, 2)
    X = equilibrium(4, 4, 2, 3)          # |w| = N - k + 1: allowed, degenerate sign
    assert X == equilibrium(4, 4, 2, 3, "+-")
    assert verify_equilibrium(X, value_matrix(4, 3), k=2).ok
    # negative w mirrors positive w (conjugation by diag(+-1)), |w| is what matters
    Xn = equilibrium(3, 3, 3, -2)
    assert verify_equilibrium(Xn, value_matrix(3, -2), k=3).ok
    with pytest.raises(AssumptionError):
        equilibrium(3, 3, 2, -1)


@pytest.mark.parametrize("kwargs,exc,pattern", [
    (dict(n=3, d=2, k=3, w=5), ShapeError, "k=3 exceeds min"),
    (dict(n=3, d=3, k=0, w=5), ShapeError, "k must be >= 1"),
    (dict(n=3, d=3, k=2, w=5, signs=[1, 1, 1]), ShapeError, "length k=2"),
    (dict(n=3, d=3, k=2, w=5, signs=[1, 0]), ConstructionError, "signs must be"),
    (dict(n=3, d=3, k=2, w=5, signs="+x"), ConstructionError, "signs"),
    (dict(n=3, d=3, k=2, w=2.5), ConstructionError, "float"),
])
def test_bad_arguments(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        equilibrium(**kwargs)
    assert issubclass(exc, RankCollapseError)


def test_without_layernorm_not_fixed_and_collapses():
    """Negative control: same A and W_V, no LayerNorm."""
    W = value_matrix(3, 3)
    for k in (2, 3):
        X = equilibrium(3, 3, k, 3)
        assert jordan.san_causal_map(X, W) != X                          # exact
    X1 = equilibrium(3, 3, 1, 3)
    assert jordan.san_causal_map(X1, W) == X1          # honest: rank one IS SAN-fixed
    out = jordan_facts.san_collapse(equilibrium(3, 3, 3, 3), W, steps=80)
    mus = out["mu"]
    assert mus[0] > mpmath.mpf("0.25") and mus[-1] < mpmath.mpf("1e-20")
    assert all(b < a for a, b in zip(mus[20:], mus[21:]))               # monotone tail
    rate = (mus[-1] / mus[-11]) ** (mpmath.mpf(1) / 10)
    assert 0.4 < rate < 0.7                                              # ~1/2 times poly(t)
    assert abs(out["last_row_limit"][2] - 1) < mpmath.mpf("1e-10")      # rows -> e_d


def test_stable_rank_f2():
    s = sp.Symbol("s", nonnegative=True)
    for N in (2, 3, 4):
        X = equilibrium(N, N, N, 1 + s, [1] * N)
        b = jordan_facts.stable_rank_bound(X)
        assert sp.simplify(b["frobenius2"] - N) == 0
        assert sp.simplify(b["last_column2"] - (N - (N - 1) / (1 + s) ** 2)) == 0
    X = equilibrium(4, 4, 4, 3)
    cert = jordan_facts.stable_rank_certified(X)
    upper = jordan_facts.stable_rank_bound(X)["srank_upper"]
    assert upper == sp.Rational(4, 1) / (4 - sp.Rational(3, 9))
    assert cert["srank"] <= to_surd(upper).arb(200)
    assert cert["srank"] >= 1
    # delta: w = sqrt(1/delta + 1) gives the bound <= 1 + delta for every N
    delta = sp.Rational(1, 10)
    w = sp.sqrt(1 / delta + 1)
    for N in (2, 5, 50):
        assert N / (N - (N - 1) / w ** 2) <= 1 + delta


def test_stable_rank_negative_control():
    """The F.2 bound uses ||X e_d||^2 = N - (N-1)/w^2; for a non-equilibrium (the
    identity, SRank = N) the same formula is violated."""
    X = sp.eye(3)
    cert = jordan_facts.stable_rank_certified(X)
    formula = sp.Rational(3) / (3 - sp.Rational(2, 4))       # F.2 bound at w = 2: 6/5
    assert cert["srank"] > to_surd(formula).arb(200)          # SRank(I) = 3 violates it


def test_tail_equilibria_below_paper_threshold():
    ev = jordan_facts.tail_equilibrium(4, 3, 2, "3/2")       # the paper's rank 2 needs w >= 3
    assert ev.status == "holds", ev
    assert ev.details["singular_values"][2].startswith("0")
    ev = jordan_facts.tail_equilibrium(5, 4, 3, 1)
    assert ev.status == "holds", ev
    assert jordan_facts.rank_one_only(4, 3, "1/2").status == "holds"
    assert jordan_facts.rank_one_only(4, 3, "-9/10").status == "holds"
    with pytest.raises(AssumptionError):
        jordan_facts.rank_one_only(4, 3, 2)                   # negative control: |w| >= 1
    with pytest.raises(AssumptionError, match="\\|w\\| >= 1"):
        jordan_facts.tail_equilibrium(4, 3, 2, "1/2")


# ------------------------------------------------------------------------------ CLI
def test_cli_table(capsys):
    assert main(["counterexample", "--n", "3", "--d", "3", "--rank", "3", "--w", "2",
                 "--signs", "+-+"]) == 0
    out = capsys.readouterr().out
    assert "holds / exact" in out and "-0.866025403784" in out


def test_cli_json_all_sqrt_w(capsys):
    import json
    assert main(["counterexample", "--n", "3", "--d", "2", "--rank", "2", "--w", "sqrt(50)",
                 "--all", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["w"] == "5*sqrt(2)" and len(doc["equilibria"]) == 4
    assert all(e["verification"]["status"] == "holds" for e in doc["equilibria"])
    assert doc["equilibria"][0]["exact"][2][0] == "-sqrt(2)/5"


def test_cli_latex(capsys):
    assert main(["counterexample", "--n", "2", "--d", "2", "--w", "15/2", "--format", "latex"]) == 0
    assert "\\frac{2}{15}" in capsys.readouterr().out


@pytest.mark.parametrize("argv,msg", [
    (["--n", "4", "--d", "4", "--rank", "2", "--w", "2"], "below"),
    (["--n", "4", "--d", "3", "--rank", "4", "--w", "9"], "exceeds min"),
    (["--n", "3", "--d", "3", "--rank", "2", "--w", "9", "--signs", "+"], "length"),
    (["--n", "3", "--d", "3", "--w", "banana("], "cannot read"),
])
def test_cli_errors(capsys, argv, msg):
    assert main(["counterexample", *argv]) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


# ---------------------------------------------------------------- pinned by mutation testing
# (counterexamples.jordan against independent computations (mutation testing): SymPy's)

def test_surd_rank_vs_sympy_rank():
    r2, r3 = sp.sqrt(2), sp.sqrt(3)
    mats = [
        sp.Matrix([[1, r2, 0], [2, 2 * r2, 0], [0, 1, r3]]),            # dependent rows
        sp.Matrix([[1, r2, 1], [1, 0, r3], [2, r2, 1 + r3]]),           # row3 = row1 + row2
        sp.Matrix([[r2, 1, 0], [1, r2 / 2, 0], [0, 0, 0], [r3, 1, 1]]),
        sp.Matrix([[1, 2, 3], [1, 2, 3], [0, 0, 1]]),
        sp.Matrix([[0, r2, 1], [0, 1, r2], [1, 0, 0]]),
        sp.Matrix([[1, r2], [r2, 2], [r3, r3 * r2]]),
    ]
    for M in mats:
        assert J._surd_rank(matrix_to_surd(M)) == M.rank(simplify=True), M


def test_negative_w_and_sizes():
    for n, d, k, w in ((3, 3, 2, -2), (3, 3, 3, -3), (4, 3, 2, Fraction(-7, 2))):
        X = J.equilibrium(n, d, k, w)
        ev = J.verify_equilibrium(X, J.value_matrix(d, w), k=k)
        assert ev.status == "holds" and ev.details["rank"] == k
    with pytest.raises(AssumptionError):
        J.equilibrium(3, 3, 2, Fraction(-3, 2))                  # |w| < n - k + 1 = 2
    for bad in ((0, 3, 1), (3, 0, 1), (3, 3, 0), (2, 3, 3)):
        with pytest.raises(ShapeError):
            J.equilibrium(*bad, 3)


def test_zero_token_sum_is_not_an_equilibrium():
    """Token 2 = -token 1: S_2 W_V = 0, the post-LN map is undefined there."""
    ev = J.verify_equilibrium(sp.Matrix([[0, 1], [0, -1]]), J.value_matrix(2, 3))
    assert ev.status == "fails" and "opposite" in ev.witness["reason"]
    ev = J.verify_equilibrium(sp.Matrix([[0, 1], [1, 0]]), J.value_matrix(2, 3))
    assert ev.status == "fails" and "parallel" in ev.witness["reason"]


def test_stable_rank_bound_vs_numpy():
    for args in ((3, 3, 3, 2), (4, 3, 2, 3), (3, 2, 2, 3)):
        X = J.equilibrium(*args)
        b = jordan_facts.stable_rank_bound(X)
        Xf = np.array(X.evalf(30).tolist(), dtype=float)
        assert float(b["frobenius2"]) == pytest.approx((Xf ** 2).sum(), rel=1e-14)
        assert float(b["last_column2"]) == pytest.approx((Xf[:, -1] ** 2).sum(), rel=1e-14)
        srank = (Xf ** 2).sum() / np.linalg.norm(Xf, 2) ** 2
        assert srank <= float(b["srank_upper"]) + 1e-12


def test_san_collapse_vs_numpy():
    X0 = J.equilibrium(3, 3, 3, 3)
    W = J.value_matrix(3, 3)
    r = jordan_facts.san_collapse(X0, W, steps=40, dps=30)
    Xf = np.array(X0.evalf(30).tolist(), dtype=float)
    Wf = np.array(W.tolist(), dtype=float)
    A = np.tril(np.ones((3, 3))) / np.arange(1, 4)[:, None]
    mus = [np.linalg.norm(Xf - Xf.mean(0))]
    X = Xf
    for _ in range(40):
        X = A @ X @ Wf
        mus.append(np.linalg.norm(X - X.mean(0)))
    got = [float(v) for v in r["mu"]]
    assert np.allclose(got, mus, rtol=1e-9, atol=1e-10)   # float64 loses ~1e-12 by t = 40
    assert got[-1] < 1e-3 * got[0]


def _tail_lambdas(n, d, k, w):
    """Independent: chain rows, then each tail token u (lambda I - W) = S W with ||u|| = 1,
    lambda > 1 found by brentq on float64."""
    rows = [np.eye(d)[-1]]
    c = math.sqrt(1 - 1 / w ** 2)
    for _ in range(1, k):
        prev = rows[-1]
        rows.append(np.append(-prev[1:] / w, c))
    W = np.eye(d) + w * np.eye(d, k=1)
    lams = []
    for _ in range(k, n):
        v = np.sum(rows, axis=0) @ W
        g = lambda lam: np.linalg.norm(np.linalg.solve((lam * np.eye(d) - W).T, v)) - 1
        lam = brentq(g, 1 + 1e-9, 1e6)
        lams.append(lam)
        rows.append(np.linalg.solve((lam * np.eye(d) - W).T, v))
    return lams, np.array(rows)


@pytest.mark.parametrize("n, d, k, w", [(3, 3, 2, 2), (4, 3, 1, 3), (4, 4, 3, 2)])
def test_tail_equilibrium_vs_independent_solve(n, d, k, w):
    ev = jordan_facts.tail_equilibrium(n, d, k, w, dps=30)
    assert ev.status == "holds" and ev.level == "numeric-hp"
    lams, X = _tail_lambdas(n, d, k, w)
    assert [float(x) for x in ev.details["lambdas"]] == pytest.approx(lams, rel=1e-9)
    lo, hi = (float(Fraction(s)) for s in ev.details["first_tail_bracket"])
    assert 1 < lo < lams[0] < hi
    assert np.linalg.matrix_rank(X, tol=1e-9) == k
    sv = np.linalg.svd(X, compute_uv=False)
    assert [float(s) for s in ev.details["singular_values"]][:k] == pytest.approx(sv[:k],
                                                                                   rel=1e-6)
    if k == 1:                                 # all tokens e_d: lambda_i = i exactly
        assert lams == pytest.approx(list(range(2, n + 1)))


def test_rank_one_only_cases():
    ev = jordan_facts.rank_one_only(4, 3, Fraction(1, 2))
    assert ev.status == "holds"
    assert [c["lambda_roots"] for c in ev.details["cases"]] == [[str(i)] for i in range(2, 5)]
    assert not any(c["chain_branch"] for c in ev.details["cases"])
    for w in (1, 2, Fraction(-3, 2)):
        with pytest.raises(AssumptionError, match=r"\|w\| < 1"):
            jordan_facts.rank_one_only(3, 3, w)
    assert jordan_facts.rank_one_only(3, 3, 0).status == "holds"
