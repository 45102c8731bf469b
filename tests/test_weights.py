"""numeric.weights: seeded generators checked against their definitions (mutation testing)."""
import numpy as np
import pytest
import sympy

from numeric import weights as W
from numeric.errors import RankCollapseError


def test_gaussian_is_fan_in_scaled():
    a = W.gaussian(4, 3, np.random.default_rng(5), 2.0)
    b = np.random.default_rng(5).standard_normal((4, 3)) * 2.0 / 2.0   # scale / sqrt(rows)
    assert a.shape == (4, 3) and np.array_equal(a, b)
    c = W.gaussian(4, 3, np.random.default_rng(5))                     # default scale 1
    assert np.array_equal(c, np.random.default_rng(5).standard_normal((4, 3)) / 2.0)
    big = W.gaussian(400, 300, np.random.default_rng(0), 3.0)
    assert big.std() == pytest.approx(3.0 / 20.0, rel=0.02)


def test_haar_orthogonal_is_the_sign_fixed_qr():
    rng = np.random.default_rng(2)
    Q = W.haar_orthogonal(5, rng)
    assert np.allclose(Q @ Q.T, np.eye(5), atol=1e-13)
    Z = np.random.default_rng(2).standard_normal((5, 5))
    R = Q.T @ Z                                   # Z = Q R with R upper, diag(R) > 0
    assert np.allclose(np.tril(R, -1), 0, atol=1e-12) and np.all(np.diag(R) > 0)


def test_value_matrix_kinds():
    rng = np.random.default_rng(0)
    O = W.value_matrix("orthogonal", 4, rng)
    assert np.allclose(O @ O.T, np.eye(4))
    G = W.value_matrix("gaussian", 4, np.random.default_rng(9))
    assert np.array_equal(G, W.gaussian(4, 4, np.random.default_rng(9)))
    assert np.array_equal(W.value_matrix("identity", 3, rng), np.eye(3))
    with pytest.raises(RankCollapseError, match="orthogonal, gaussian or identity"):
        W.value_matrix("unitary", 3, rng)


def test_random_layer_shapes_and_head_scaling():
    WQ, WK, WV = W.random_layer(4, np.random.default_rng(0))
    assert WQ.shape == WK.shape == WV.shape == (4, 4)
    assert np.allclose(WV @ WV.T, np.eye(4))
    WQ, WK, WV = W.random_layer(4, np.random.default_rng(0), heads=3, d_qk=2, qk_scale=0.5)
    assert WQ.shape == WK.shape == (3, 4, 2) and WV.shape == (3, 4, 4)
    for h in range(3):                       # each head's value matrix is orthogonal / 3
        assert np.allclose(9 * WV[h] @ WV[h].T, np.eye(4))
    _, _, WI = W.random_layer(3, np.random.default_rng(0), heads=2, value="identity")
    assert np.array_equal(WI, np.stack([np.eye(3)] * 2))


def test_sphere_points_and_cayley():
    P = W.sphere_points((3, 6, 4), np.random.default_rng(0))
    assert P.shape == (3, 6, 4) and np.allclose(np.linalg.norm(P, axis=-1), 1)
    for d in (2, 4):
        Q = W.cayley_orthogonal(d, np.random.default_rng(d))
        M = sympy.Matrix(Q.tolist())
        assert M * M.T == sympy.eye(d) and M != sympy.eye(d)


def test_cayley_skew_part_takes_both_signs():
    """S has entries of both signs across seeds, so Q[0, 1] = -2s / (1 + s^2) does too."""
    signs = {np.sign(float(W.cayley_orthogonal(2, np.random.default_rng(s))[0, 1]))
             for s in range(12)}
    assert {-1.0, 1.0} <= signs
