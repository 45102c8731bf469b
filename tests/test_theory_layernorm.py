import sympy as sp
import pytest

from numeric.errors import RankCollapseError
from theory import layernorm as L
import numpy as np
from numeric.errors import RankCollapseError, ShapeError

R = sp.Rational


def test_scale_invariance_negative_control():
    assert L.scale_invariance(3).status == "holds"
    ev = L.scale_invariance(2, c_positive=False)     # assumption c > 0 broken
    assert ev.status == "fails" and ev.witness


def test_remark2_and_equivariance():
    assert L.orthogonal_equivariance(3).status == "holds"
    assert L.remark2_conjugation(2, 2, w=3).status == "holds"
    Z = L.rational_rotation(3)
    assert Z * Z.T == sp.eye(3) and Z != sp.eye(3)


def test_remark2_negative_control(monkeypatch):
    """Conjugating by a non-orthogonal Z breaks the identity: the check must fail."""
    monkeypatch.setattr(L, "rational_rotation", lambda d: sp.Matrix([[2, 1], [0, 1]]))
    assert L.remark2_conjugation(2, 2).status == "fails"


def test_hemisphere_negative_control():
    assert L.hemisphere([[1, 0, 0], [0, 1, 0], [1, 1, 1]]).status == "holds"
    ev = L.hemisphere([[1, 0], [0, 1], [-1, -1]])     # 3 tokens in R^2: (*) broken
    assert ev.status == "fails" and ev.witness["y (y >= 0, X^T y = 0)"] == ["1", "1", "1"]
    with pytest.raises(RankCollapseError, match=r"\(\*\)"):
        L.hemisphere_vector([[1, 0], [2, 0]])


def test_lemma5_negative_control():
    X = sp.Matrix([[1, 0], [R(3, 5), R(4, 5)]])
    A = sp.Matrix([[1, 0], [R(1, 2), R(1, 2)]])
    assert L.lemma5_bounds(X, sp.eye(2), A).status == "holds"
    with pytest.raises(RankCollapseError, match="orthogonal"):
        L.lemma5_bounds(X, sp.Matrix([[2, 0], [0, 1]]), A)
    with pytest.raises(RankCollapseError, match="sphere"):
        L.lemma5_bounds(sp.Matrix([[2, 0], [0, 1]]), sp.eye(2), A)


def test_lemma5_upper_bound_is_attained():
    # token 0 attends only to itself, so ||(A X W)_0|| = 1: D_00 = 1 exactly
    X = sp.Matrix([[1, 0], [R(3, 5), R(4, 5)]])
    A = sp.Matrix([[1, 0], [R(1, 2), R(1, 2)]])
    ev = L.lemma5_bounds(X, sp.eye(2), A)
    norms = [sp.Rational(s) for s in ev.details["norms_sq"]]
    assert max(norms) == 1 and min(norms) >= sp.Rational(ev.details["gamma_sq"])


def test_merge_positive_and_negative():
    A3 = sp.Matrix([[1, 0, 0], [R(1, 2), R(1, 2), 0], [R(1, 3), R(1, 3), R(1, 3)]])
    ev = L.merge_into_value_matrix(A3, [[1, 0], [0, 1], [1, 1]], sp.eye(2))
    assert ev.status == "fails"        # no W' exists: LN is not a right factor
    A2 = sp.Matrix([[1, 0], [R(1, 2), R(1, 2)]])
    assert L.merge_into_value_matrix(A2, sp.eye(2), sp.eye(2)).status == "holds"


def test_full_reduction():
    assert L.full_layernorm_reduction(3).status == "holds"
    with pytest.raises(RankCollapseError, match="exact check"):
        L.merge_into_value_matrix([[0.5]], [[1]], [[1]])


# ---------------------------------------------------------------- pinned by mutation testing
# (theory.layernorm: the SymPy facts cross-checked with float64 numpy (mutation testing).)

def _f(M):
    return np.array(sp.Matrix(M).evalf(30).tolist(), dtype=float)


def _ln(Y):
    return Y / np.linalg.norm(Y, axis=1, keepdims=True)


def test_ln_exact_matches_numpy_and_refuses_zero_rows():
    Y = sp.Matrix([[3, 4], [1, -1], [sp.Rational(1, 2), 2]])
    assert np.allclose(_f(L.ln_exact(Y)), _ln(_f(Y)), atol=1e-15)
    with pytest.raises(RankCollapseError, match="token 1"):
        L.ln_exact(sp.Matrix([[1, 0], [0, 0]]))


def test_scale_invariance_and_its_negative_control():
    assert L.scale_invariance(2).status == "holds"
    neg = L.scale_invariance(2, c_positive=False)
    assert neg.status == "fails" and neg.witness and "sign(c)" in neg.narrower
    ev = L.post_ln_value_scaling(2, 2)
    assert ev.status == "holds" and ev.details == {"n": 2, "d": 2}


def test_rational_rotation_is_exactly_orthogonal_pythagorean():
    for d in (1, 2, 3):
        Z = L.rational_rotation(d)
        assert Z.shape == (d, d) and Z * Z.T == sp.eye(d)
        assert all(v.is_Rational for v in Z)
    Z2 = L.rational_rotation(2)
    assert Z2 == sp.Matrix([[sp.Rational(-7, 25), sp.Rational(-24, 25)],
                            [sp.Rational(24, 25), sp.Rational(-7, 25)]])
    Z3 = L.rational_rotation(3, 1, 2)                         # (1 - 4, 4) / 5
    assert Z3[0, 0] == sp.Rational(-3, 5)
    with pytest.raises(ShapeError):
        L.rational_rotation(0)
    assert L.orthogonal_equivariance(2).status == "holds"


def test_remark2_conjugation_numerically():
    assert L.remark2_conjugation(2, 2, 2).status == "holds"
    rng = np.random.default_rng(0)
    Z = _f(L.rational_rotation(3))
    W = np.eye(3) + 2 * np.eye(3, k=1)
    X = rng.standard_normal((3, 3))
    A = np.tril(np.ones((3, 3))) / np.arange(1, 4)[:, None]      # causal averages
    lhs = _ln(A @ (X @ Z) @ (Z.T @ W @ Z))
    rhs = _ln(A @ X @ W) @ Z
    assert np.allclose(lhs, rhs, atol=1e-12)


def test_hemisphere_vector_and_decision():
    X = [[1, 0, 0], [-1, 1, 0]]
    v = L.hemisphere_vector(X)
    assert sp.Matrix(X) * v == sp.ones(2, 1)
    ev = L.hemisphere(X)
    assert ev.status == "holds" and ev.details["margins"] == ["1", "1"]
    bad = [[1, 0], [-1, 0], [0, 1]]
    ev = L.hemisphere(bad)
    assert ev.status == "fails" and ev.narrower
    y = sp.Matrix([sp.Rational(c) for c in ev.details["farkas_y"]])
    assert sp.Matrix(bad).T * y == sp.zeros(2, 1) and all(c >= 0 for c in y) and any(y)
    # rank deficient but inside a hemisphere (v = (1, 1)): no certificate either way
    assert L.hemisphere([[1, 0], [2, 0], [0, 1]]).status == "open"
    with pytest.raises(RankCollapseError, match=r"rank 1 < N = 2"):
        L.hemisphere_vector([[1, 1], [2, 2]])
    with pytest.raises(RankCollapseError, match="exact"):
        L.hemisphere_vector([[0.5, 1.0]])


def test_full_layernorm_reduction_numerically():
    ev = L.full_layernorm_reduction(3)
    assert ev.status == "holds" and ev.details["P_singular"] is True
    y = np.random.default_rng(1).standard_normal((4, 3))
    c = y - y.mean(1, keepdims=True)
    full = c / np.sqrt((c ** 2).mean(1, keepdims=True))
    P = np.eye(3) - np.ones((3, 3)) / 3
    assert np.allclose(full, np.sqrt(3) * _ln(y @ P))


def test_merge_into_value_matrix_vs_least_squares():
    I2 = sp.eye(2)
    ok = L.merge_into_value_matrix(I2, [[1, 2], [3, 1]], [[1, 0], [0, 2]])
    assert ok.status == "holds" and ok.details["rank_AX"] == 2
    X = [[1, 0], [2, 0]]                                  # rank 1: rows 2x apart
    ev = L.merge_into_value_matrix(I2, X, I2)
    assert ev.status == "fails" and ev.details["inconsistent_column"] == 0 and ev.narrower
    # independent: least squares cannot reproduce D A X W_V = [[1, 0], [1, 0]]
    Xf, B = np.array(X, float), np.array([[1.0, 0.0], [1.0, 0.0]])
    W, *_ = np.linalg.lstsq(Xf, B, rcond=None)
    assert np.linalg.norm(Xf @ W - B) > 0.1


def test_lemma5_bounds_and_hypotheses():
    X = [[sp.Rational(3, 5), sp.Rational(4, 5)], [1, 0]]
    A = [[1, 0], [sp.Rational(1, 2), sp.Rational(1, 2)]]
    W = L.rational_rotation(2)
    ev = L.lemma5_bounds(X, W, A)
    assert ev.status == "holds"
    Y = _f(sp.Matrix(A) * sp.Matrix(X) * W)
    sq = (Y ** 2).sum(1)
    v = _f(L.hemisphere_vector(X)).ravel()
    gamma = (_f(X) @ v / np.linalg.norm(v)).min()
    assert np.all(sq <= 1 + 1e-15) and np.all(sq >= gamma ** 2 - 1e-15)
    assert [float(sp.Rational(s)) for s in ev.details["norms_sq"]] == pytest.approx(sq)
    with pytest.raises(RankCollapseError, match="unit sphere"):
        L.lemma5_bounds([[1, 1], [1, 0]], W, A)
    with pytest.raises(RankCollapseError, match="orthogonal"):
        L.lemma5_bounds(X, sp.Matrix([[1, 1], [0, 1]]), A)
