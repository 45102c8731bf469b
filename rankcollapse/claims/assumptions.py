"""What each hypothesis of Theorem 1, Theorem 2 and Corollary 1 buys (theory/assumptions.py):
one registry entry per hypothesis, each an instance meeting every other hypothesis where
the conclusion fails."""
from __future__ import annotations

from theory import assumptions as A

from . import Config, claim

_IDS = {
    "A1": "assumption-a1",
    "A2": "assumption-a2",
    "A3": "assumption-a3",
    "quasi-strong connectivity": "assumption-quasi-strong",
    "strong connectivity": "assumption-strong",
    "orthogonal W_V": "assumption-orthogonal-wv",
    "N <= d, full-rank X(0)": "assumption-full-rank",
    "phi(0) >= 0": "assumption-phi0",
}


def _register(hyp: str, cid: str):
    theorems, fn, what = A.HYPOTHESES[hyp]

    @claim(cid, f"{theorems} (what the hypothesis buys; beyond the paper)",
           f"Without {hyp} (every other hypothesis of {theorems} kept) the conclusion "
           f"mu(X(t)) -> 0 fails: {what}.",
           assumptions=tuple(h for h in A.HYPOTHESES if h != hyp),
           test="tests/test_assumptions.py::test_witness",
           notes="What each assumption buys (beyond the paper)")
    def check(cfg: Config, _fn=fn):
        return _fn()

    check.__name__ = cid.replace("-", "_")
    return check


for _hyp, _cid in _IDS.items():
    _register(_hyp, _cid)
