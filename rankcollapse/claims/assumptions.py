"""What each hypothesis of Theorem 1, Theorem 2 and Corollary 1 buys (theory/assumptions.py):
one registry entry per hypothesis, each an instance meeting every other hypothesis where
the conclusion fails."""
from __future__ import annotations

from theory import assumptions as A

from . import Config, claim

#: hypothesis -> (card id, title, the hypothesis in TeX)
_CARDS = {
    "A1": ("assumption-a1", "A1: self-loops",
        r"(i,i)\in E\quad\forall i"),
    "A2": ("assumption-a2", "A2: bounded W_Q, W_K",
        r"\sup_t \|W_Q(t)\|_2 \le C_Q,\quad \sup_t \|W_K(t)\|_2 \le C_K"),
    "A3": ("assumption-a3", "A3: bounded value products",
        r"\sup_t \|W_V(0)W_V(1)\cdots W_V(t)\|_2 \le C_V"),
    "quasi-strong connectivity": ("assumption-quasi-strong", "G quasi-strongly connected",
        ""),
    "strong connectivity": ("assumption-strong", "G strongly connected",
        ""),
    "orthogonal W_V": ("assumption-orthogonal-wv", "W_V orthogonal",
        r"W_V(t)\,W_V(t)^\top = I"),
    "N <= d, full-rank X(0)": ("assumption-full-rank", "(*): N <= d, X(0) full rank",
        r"N \le d,\quad \operatorname{rank} X(0) = N"),
    "phi(0) >= 0": ("assumption-phi0", "phi(0) >= 0",
        r"\phi(0)=\min_{i,j}\langle X_i(0),X_j(0)\rangle\ge 0"),
}


def _register(hyp: str, cid: str, title: str, tex: str):
    theorems, fn, what = A.HYPOTHESES[hyp]

    @claim(cid, f"{theorems} (what the hypothesis buys; beyond the paper)",
           f"Without {hyp} (every other hypothesis of {theorems} kept) the conclusion "
           f"mu(X(t)) -> 0 fails: {what}.",
           assumptions=tuple(h for h in A.HYPOTHESES if h != hyp),
           test="tests/test_assumptions.py::test_witness",
           notes="What each assumption buys (beyond the paper)",
           kind="assumption", title=title, tex=tex, uses=[],
           idea_paper=f"A hypothesis of {theorems}: assumed, not proved.",
           idea_ours="An instance meeting every other hypothesis on which the conclusion "
                     "fails shows the hypothesis cannot be dropped.")
    def check(cfg: Config, _fn=fn):
        return _fn()

    check.__name__ = cid.replace("-", "_")
    return check


for _hyp, (_cid, _title, _tex) in _CARDS.items():
    _register(_hyp, _cid, _title, _tex)
