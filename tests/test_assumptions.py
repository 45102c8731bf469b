"""What each hypothesis buys (theory/assumptions.py): the witnesses, and negative controls
showing that restoring the hypothesis brings the collapse back."""
from __future__ import annotations

import numpy as np
import pytest

from numeric.dynamics import simulate
from theory import assumptions as A


@pytest.mark.parametrize("hyp", list(A.HYPOTHESES))
def test_witness(hyp):
    ev = A.HYPOTHESES[hyp][1]()
    assert ev.status == "holds", ev
    assert ev.level in ("exact", "certified")
    assert ev.scope is not None and ev.scope.kind == "witness"


def test_tanh_product_bound_is_a_lower_bound():
    lo = A.tanh_product_lower(2)
    true = float(np.prod(np.tanh(2.0 * np.arange(1, 60))))
    assert float(lo.lower()) <= true + 1e-14 and lo > 0.5
    assert not A.tanh_product_lower(1, K=1) > 0.9   # a weaker tail is not > 0.9


def _mu_end(X0, M, layers, T, mode):
    tr = simulate(np.asarray(X0, float), np.asarray(M, bool), layers, T, mode=mode)
    return float(tr.mu()[-1])


def test_restoring_a1_collapses():
    M = np.ones((2, 2), bool)          # the 2-cycle plus self-loops
    assert _mu_end(np.eye(2), M, (np.zeros((2, 2)),) * 2 + (np.eye(2),), 3, "post-ln") < 1e-12


def test_restoring_a2_collapses():
    # bounded W_Q = W_K = I instead of sqrt(8 (t+1)): mu decays
    assert _mu_end([[1.0], [-1.0]], np.ones((2, 2), bool),
                   (np.eye(1), np.eye(1), np.eye(1), 1.0), 200, "san") < 1e-3


def test_restoring_orthogonality_collapses():
    assert _mu_end([[0.6, 0.8], [-0.6, 0.8]], np.ones((2, 2), bool),
                   (np.eye(2), np.eye(2), np.eye(2), 1.0), 200, "post-ln") < 1e-6
    # the witness itself keeps mu >= 3 sqrt(2)/5
    assert _mu_end([[0.6, 0.8], [-0.6, 0.8]], np.ones((2, 2), bool),
                   (np.eye(2), np.eye(2), np.diag([4.0, 1.0]), 1.0), 200, "post-ln") \
        >= 3 * np.sqrt(2) / 5


def test_restoring_a3_collapses():
    M = np.tril(np.ones((2, 2), bool))
    assert _mu_end([[0.0], [1.0]], M, (np.zeros((1, 1)),) * 2 + (np.eye(1),), 60, "san") < 1e-15
    assert _mu_end([[0.0], [1.0]], M, (np.zeros((1, 1)),) * 2 + (4 * np.eye(1),), 10, "san") \
        == pytest.approx(2 ** 10 / np.sqrt(2))


def test_orthogonal_witness_holds_under_both_temperature_readings():
    """diag(5, 1) keeps the mirror pair apart for d_QK = 1 and d_QK = 2 (certified growth
    factor > 1 for each); the earlier diag(4, 1) collapses under d_QK = 2 (negative control,
    float64 run and the certified factor < 1)."""
    import numpy as np
    from theory.assumptions import _float_mu_tail, witness_orthogonal
    ev = witness_orthogonal()
    assert ev.status == "holds" and "d_QK = 1 or 2" in ev.scope.domain
    for key in ("d_qk=1", "d_qk=2"):
        lo = float(ev.details["growth_factor_lower"][key].strip("[").split()[0])
        assert lo > 1
        assert ev.details["float64_mu_T60_and_0"][key][0] > 1.4   # -> sqrt(2)
    assert ev.details["diag(4,1)_at_d_qk=2_factor_below_1"] is True
    X0 = [[0.6, 0.8], [-0.6, 0.8]]
    mu4 = _float_mu_tail(X0, np.ones((2, 2), bool),
                         (np.eye(2), np.eye(2), np.diag([4.0, 1.0]), 2.0), 200, "post-ln")[0]
    assert mu4 < 1e-6            # collapses: the witness depended on d_QK = 1
