"""Hypothesis properties of theory.ergodicity on exact rational matrices.

Strategies build row-stochastic matrices from small integer weights (normalised with
Fractions), masks with a spanning arborescence and self-loops (quasi-strongly connected),
and members of A_{G,eps} with entries exactly >= eps."""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import ergodicity as E
from tests.conftest import examples

rationals = st.builds(F, st.integers(-20, 20), st.integers(1, 6))


@st.composite
def stochastic(draw, n=None, max_n=5):
    n = n or draw(st.integers(1, max_n))
    rows = []
    for _ in range(n):
        w = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n).filter(lambda v: sum(v) > 0))
        rows.append(tuple(F(v, sum(w)) for v in w))
    return tuple(rows)


@st.composite
def qsc_mask(draw, max_n=6):
    """Random quasi-strongly connected mask with self-loops: node order[k] attends to a
    parent among order[:k], plus extra edges."""
    n = draw(st.integers(1, max_n))
    order = draw(st.permutations(range(n)))
    G = np.eye(n, dtype=bool)
    for k in range(1, n):
        G[order[k], order[draw(st.integers(0, k - 1))]] = True
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n))
    for i, j in extra:
        G[i, j] = True
    return G


@st.composite
def member(draw, G, eps):
    """A row-stochastic A with A_ij >= eps on G and 0 off G."""
    rows = []
    for i in range(G.shape[0]):
        nb = np.flatnonzero(G[i])
        w = draw(st.lists(st.integers(0, 5), min_size=len(nb), max_size=len(nb)))
        if sum(w) == 0:
            w = [1] * len(nb)
        free = 1 - len(nb) * eps
        row = [F(0)] * G.shape[0]
        for j, v in zip(nb, w):
            row[j] = eps + free * F(v, sum(w))
        rows.append(tuple(row))
    return tuple(rows)


@st.composite
def class_sequence(draw, blocks=2):
    G = draw(qsc_mask())
    dmax = int(G.sum(axis=1).max())
    eps = F(1, dmax * draw(st.integers(1, 3)))
    r = E.mask_radius(G)
    mats = [draw(member(G, eps)) for _ in range(max(blocks * r, 1))]
    x = draw(st.lists(rationals, min_size=G.shape[0], max_size=G.shape[0]))
    return G, eps, r, mats, x


@given(stochastic())
def test_two_formulas_agree(P):
    t = E.dobrushin(P)
    assert t == E.dobrushin_overlap(P) and 0 <= t <= 1
    assert t <= 1 - E.column_floor(P)


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(stochastic(n), stochastic(n))))
def test_submultiplicative(PQ):
    P, Q = PQ
    assert E.dobrushin(E.matmul(P, Q)) <= E.dobrushin(P) * E.dobrushin(Q)


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(stochastic(n),
                                                       st.lists(rationals, min_size=n,
                                                                max_size=n))))
def test_osc_contraction(Px):
    P, x = Px
    assert E.check_osc_contraction([(P, x)]).status == "holds"


@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(stochastic(n), min_size=1, max_size=4), st.lists(rationals, min_size=n, max_size=n))))
def test_lemma2(seq):
    mats, x = seq
    eps = min(A[i][i] for A in mats for i in range(len(A)))
    assert E.check_lemma2(mats, x, eps=eps if eps > 0 else None).status == "holds"


@settings(max_examples=examples(15))  # lowered: exact products of up to 2r matrices
@given(class_sequence())
def test_lemma3_and_centre_column(case):
    G, eps, r, mats, x = case
    assert E.check_centre_column(mats, G, eps).status == "holds"
    for p in (F(0), F(1, 2), F(1)):
        assert E.check_lemma3(mats, x, G, eps, p=p).status == "holds"


@settings(max_examples=examples(15))
@given(class_sequence(blocks=3))
def test_corollary2(case):
    G, eps, r, mats, x = case
    assert E.check_corollary2(mats, x, G, eps).status == "holds"


@given(st.builds(F, st.integers(1, 99), st.just(100)), st.integers(1, 9), st.integers(1, 9))
def test_rate_grid(eps, r1, r2):
    if r1 == r2:
        return
    r1, r2 = min(r1, r2), max(r1, r2)
    # (1-eps^r)^(1/r) < (1-eps^r')^(1/r')  <=>  (1-eps^r)^r' < (1-eps^r')^r
    assert (1 - eps ** r1) ** r2 < (1 - eps ** r2) ** r1


@given(stochastic(max_n=4))
def test_witness_strings_roundtrip(P):
    assert E.as_stochastic(E.fmt_matrix(P)) == P
