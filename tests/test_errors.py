"""numeric.errors: exceptions name the assumption, the tokens and the layer (mutation
testing, issue 8)."""
import numpy as np
import pytest

from numeric.errors import (AssumptionError, MaskError, NonFiniteError, RankCollapseError,
                            ShapeError, ZeroRowError)
from numeric.layernorm import layer_norm_full, layernorm


def test_hierarchy_and_assumption_fields():
    for cls in (MaskError, AssumptionError, ShapeError, NonFiniteError, ZeroRowError):
        assert issubclass(cls, RankCollapseError) and issubclass(cls, ValueError)
    e = AssumptionError("A1", "token 3 has no self-loop", where=[3])
    assert e.assumption == "A1" and e.where == [3]
    assert str(e) == "assumption A1 violated: token 3 has no self-loop"


def test_zero_row_messages_name_tokens_layer_and_kind():
    e = ZeroRowError([1, 4], layer=7)
    assert e.tokens == [1, 4] and e.layer == 7
    assert "[1, 4] at layer 7 are zero" in str(e) and "2-norm" in str(e)
    e0 = ZeroRowError((2,))
    assert "at layer" not in str(e0) and "[2] are zero" in str(e0)
    f = ZeroRowError([0], layer=0, kind="full")
    assert "constant row" in str(f) and "[0] at layer 0 have all entries equal" in str(f)
    # raised by the code paths that mean them
    with pytest.raises(ZeroRowError, match="are zero"):
        layernorm(np.zeros((1, 2)), layer=3)
    with pytest.raises(ZeroRowError, match="constant row"):
        layer_norm_full(np.ones((1, 3)), eps=0)
