import sympy as sp
import pytest

from numeric.errors import RankCollapseError
from theory import layernorm as L

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
