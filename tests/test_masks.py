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


# ---------------------------------------------------------------- pinned by mutation testing
# (numeric.masks: every family against a double loop over (i, j) written from its)

def _loop(n, rule):
    return np.array([[bool(rule(i, j)) for j in range(n)] for i in range(n)])


RULES = {
    "complete": (masks.complete, {}, lambda i, j: True),
    "causal": (masks.causal, {}, lambda i, j: j <= i),
    "sliding_window": (masks.sliding_window, {"w": 2}, lambda i, j: abs(i - j) <= 2),
    "unidirectional_window": (masks.unidirectional_window, {"w": 2},
                              lambda i, j: i - 2 <= j <= i),
    "dilated_window": (masks.dilated_window, {"w": 2, "dilation": 3},
                       lambda i, j: any(j == i + 3 * k for k in range(-2, 3))),
    "dilated_causal": (lambda n, **k: masks.dilated_window(n, causal=True, **k),
                       {"w": 2, "dilation": 2},
                       lambda i, j: any(j == i + 2 * k for k in range(-2, 1))),
    "strided": (masks.strided, {"stride": 3},
                lambda i, j: j <= i and (i - j < 3 or (i - j) % 3 == 0)),
    "block_local": (masks.block_local, {"block": 3}, lambda i, j: i // 3 == j // 3),
    "global_window": (masks.global_window, {"w": 1, "globals": (0, 5)},
                      lambda i, j: abs(i - j) <= 1 or i in (0, 5) or j in (0, 5)),
    "prefix_lm": (masks.prefix_lm, {"prefix": 3}, lambda i, j: j < 3 or j <= i),
}


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("n", [1, 2, 7, 11])
def test_family_matches_its_definition(name, n):
    ctor, kw, rule = RULES[name]
    if name == "prefix_lm":
        kw = {"prefix": min(3, n)}
        rule = (lambda p: lambda i, j: j < p or j <= i)(min(3, n))
    if name == "global_window":
        kw = {"w": 1, "globals": tuple(g for g in (0, 5) if g < n)}
        rule = (lambda G: lambda i, j: abs(i - j) <= 1 or i in G or j in G)(kw["globals"])
    want = _loop(n, rule)
    dense = ctor(n, **kw)
    assert dense.dtype == np.bool_ and dense.shape == (n, n)
    assert np.array_equal(dense, want)
    sparse = ctor(n, sparse=True, **kw)
    assert sp.issparse(sparse) and np.array_equal(sparse.toarray(), want)
    assert masks.n_edges(sparse) == masks.n_edges(dense) == int(want.sum())
    assert [list(r) for r in masks.row_indices(sparse)] == \
        [list(r) for r in masks.row_indices(dense)] == [list(np.flatnonzero(r)) for r in want]


def test_parameter_validation():
    for bad in (0, -1, 2.0, True):
        with pytest.raises(MaskError, match="n must be a positive integer"):
            masks.causal(bad)
    with pytest.raises(MaskError, match="w must be a non-negative"):
        masks.sliding_window(5, -1)
    masks.sliding_window(5, 0)                                 # w = 0 is allowed
    with pytest.raises(MaskError, match="stride must be a positive"):
        masks.strided(5, 0)
    with pytest.raises(MaskError, match="dilation"):
        masks.dilated_window(5, 1, 0)
    with pytest.raises(MaskError, match="prefix must be at most"):
        masks.prefix_lm(4, 5)
    masks.prefix_lm(4, 4)
    with pytest.raises(MaskError, match="global token indices"):
        masks.global_window(5, 1, globals=(5,))
    with pytest.raises(MaskError, match="global token indices"):
        masks.global_window(5, 1, globals=(-1,))
    masks.global_window(5, 1, globals=(0, 4))


def test_from_edges_conventions():
    qk = masks.from_edges(4, [(0, 1), (2, 3)], convention="query-key")
    assert qk[0, 1] and qk[2, 3] and qk.sum() == 2
    paper = masks.from_edges(4, [(0, 1), (2, 3)], convention="paper")
    assert np.array_equal(paper, qk.T)
    loops = masks.from_edges(3, [(0, 1)], convention="paper", self_loops=True, sparse=True)
    assert sp.issparse(loops) and np.array_equal(loops.toarray(),
                                                  np.eye(3, dtype=bool) | _loop(3, lambda i, j: (i, j) == (1, 0)))
    with pytest.raises(MaskError, match="convention"):
        masks.from_edges(3, [], convention="keys")
    for bad in ([(0, 3)], [(-1, 0)]):
        with pytest.raises(MaskError, match="edge endpoints"):
            masks.from_edges(3, bad, convention="paper")


def test_validation_and_a1():
    with pytest.raises(MaskError, match="square"):
        masks.as_mask(np.ones((2, 3), bool))
    with pytest.raises(MaskError, match="square"):
        masks.as_mask(np.ones(3, bool))
    with pytest.raises(MaskError, match="boolean"):
        masks.as_mask(np.ones((2, 2)))
    with pytest.raises(MaskError, match="boolean"):
        masks.as_mask(sp.csr_array(np.ones((2, 2))))
    with pytest.raises(MaskError, match="square"):
        masks.as_mask(sp.csr_array(np.ones((2, 3), bool)))
    with pytest.raises(MaskError):
        masks.as_mask([[True]])
    assert sp.isspmatrix_csr(masks.as_mask(sp.coo_array(np.eye(2, dtype=bool)))) or \
        masks.as_mask(sp.coo_array(np.eye(2, dtype=bool))).format == "csr"
    M = masks.without_self_loops(masks.causal(14))
    assert masks.missing_self_loops(M).tolist() == list(range(14))
    assert masks.empty_rows(M).tolist() == [0]
    assert masks.empty_rows(masks.without_self_loops(masks.causal(4, sparse=True))).tolist() == [0]
    with pytest.raises(AssumptionError, match=r"and 4 more") as e:
        masks.check_a1(M)
    assert "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" in str(e.value)
    masks.check_a1(masks.causal(3))
    S = masks.without_self_loops(masks.sliding_window(5, 1, sparse=True))
    assert sp.issparse(S) and S.nnz == 8 and not S.diagonal().any()
    assert np.array_equal(masks.to_dense(S), masks.without_self_loops(masks.sliding_window(5, 1)))
