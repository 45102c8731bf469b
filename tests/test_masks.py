import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, strategies as st

from numeric import masks
from numeric.errors import AssumptionError, MaskError
from tests.strategies import family_masks


def test_paper_masks_small():
    assert (masks.sliding_window(4, 1).astype(int) == np.array(
        [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]])).all()
    assert (masks.unidirectional_window(3, 1).astype(int) == np.array(
        [[1, 0, 0], [1, 1, 0], [0, 1, 1]])).all()
    assert (masks.causal(3) == np.tril(np.ones((3, 3), bool))).all()
    assert masks.complete(3).all()


def test_families_have_self_loops():
    for name, (ctor, pnames) in masks.FAMILIES.items():
        M = ctor(9, **{p: 2 for p in pnames})
        assert masks.missing_self_loops(M).size == 0, name


@given(family_masks())
def test_dense_and_sparse_constructions_agree(fm):
    """The sparse path filters generated candidates, the dense path evaluates the
    predicate on the full grid: two independent constructions."""
    name, kw, n, M = fm
    S = masks.FAMILIES[name][0](n, **kw, sparse=True)
    assert sp.issparse(S) and S.dtype == bool
    assert (S.toarray() == M).all()


def test_sparse_window_is_linear_in_n():
    S = masks.sliding_window(131072, 2, sparse=True)
    assert S.nnz == 5 * 131072 - 6
    G = masks.global_window(131072, 1, (0, 7), sparse=True)
    assert G.nnz < 8 * 131072


def test_from_edges_conventions_and_no_silent_self_loops():
    M = masks.from_edges(3, [(0, 1)], convention="query-key")
    assert M[0, 1] and not M[1, 0] and not M.diagonal().any()
    P = masks.from_edges(3, [(0, 1)], convention="paper")  # edge 0 -> 1: token 1 attends to 0
    assert P[1, 0] and not P[0, 1]
    assert masks.from_edges(3, [], convention="paper", self_loops=True).diagonal().all()
    with pytest.raises(MaskError, match="convention"):
        masks.from_edges(3, [(0, 1)], convention="rows")


@pytest.mark.parametrize("bad, msg", [
    (np.ones((2, 3), bool), "square"),
    (np.ones((3, 3), int), "boolean"),
    ([[True]], "numpy"),
])
def test_bad_masks_are_named(bad, msg):
    with pytest.raises(MaskError, match=msg):
        masks.as_mask(bad)


def test_a1_violation_names_tokens():
    M = masks.without_self_loops(masks.causal(4))
    with pytest.raises(AssumptionError, match=r"A1.*\[0, 1, 2, 3\]") as e:
        masks.check_a1(M)
    assert e.value.assumption == "A1"
    S = masks.without_self_loops(masks.sliding_window(5, 1, sparse=True))
    assert masks.missing_self_loops(S).tolist() == [0, 1, 2, 3, 4]
    assert masks.empty_rows(masks.without_self_loops(masks.causal(3))).tolist() == [0]


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_bad_sizes(n):
    with pytest.raises(MaskError, match="n must be"):
        masks.causal(n)


def test_bad_family_parameters():
    with pytest.raises(MaskError, match="w must be"):
        masks.sliding_window(4, -1)
    with pytest.raises(MaskError, match="global token"):
        masks.global_window(4, 1, (9,))
    with pytest.raises(MaskError, match="prefix"):
        masks.prefix_lm(3, 5)


@given(st.integers(2, 30), st.integers(1, 5))
def test_strided_pattern_definition(n, s):
    M = masks.strided(n, s)
    for i in range(n):
        for j in range(n):
            assert M[i, j] == (j <= i and ((i - j) < s or (i - j) % s == 0))
