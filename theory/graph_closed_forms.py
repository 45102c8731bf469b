"""Closed forms (SymPy, in N and the family parameters) of the centre count, radius and
diameter of every mask family in :data:`numeric.masks.FAMILIES`, and their check against
the exact searches of :mod:`theory.graph_search` on a deterministic grid plus seeded
random instances."""
from __future__ import annotations

import itertools
import math
from typing import Callable, Iterable

import numpy as np
import scipy.sparse as sp
import sympy

from numeric import masks as _masks
from numeric.errors import MaskError, RankCollapseError

from .evidence import Evidence, exhaustive, merge_scopes, sampled, universal, witness
from .exact_text import as_sympy
from .graph_search import (SearchLimitExceeded, _as_number, n_edges_of, center_nodes, diameter, diameter_search,
                           distances_from, eccentricity, graph_facts, is_strongly_connected,
                           n_centers, radius, radius_search)

__all__ = ["N", "SYMBOLS", "A_FIRST", "B_LAST", "closed_form", "closed_form_value",
           "family_mask", "check_closed_forms", "closed_form_instances"]


# ============================================================================ closed forms
N = sympy.Symbol("N", integer=True, positive=True)
_SYM = {
    "w": sympy.Symbol("w", integer=True, nonnegative=True),
    "dilation": sympy.Symbol("g", integer=True, positive=True),
    "stride": sympy.Symbol("s", integer=True, positive=True),
    "block": sympy.Symbol("b", integer=True, positive=True),
    "prefix": sympy.Symbol("p", integer=True, nonnegative=True),
}
#: the parameter symbols of :func:`closed_form`, by parameter name
SYMBOLS = _SYM
#: first and last non-global token of a global_window mask (see :func:`closed_form`)
A_FIRST = sympy.Symbol("a", integer=True, nonnegative=True)
B_LAST = sympy.Symbol("z", integer=True)
_oo = sympy.oo


def _window_forms(w, directed: bool) -> dict:
    one = sympy.Eq(N, 1)
    if directed:   # unidirectional window: centre 0 only
        return {
            "n_centers": sympy.Piecewise((1, one | (w >= 1)), (0, True)),
            "radius": sympy.Piecewise((0, one), (_oo, sympy.Eq(w, 0)),
                                      (sympy.ceiling((N - 1) / w), True)),
            "diameter": sympy.Piecewise((0, one), (_oo, True)),
        }
    return {
        "n_centers": sympy.Piecewise((N, one | (w >= 1)), (0, True)),
        "radius": sympy.Piecewise((0, one), (_oo, sympy.Eq(w, 0)),
                                  (sympy.ceiling((N - 1) / (2 * w)), True)),
        "diameter": sympy.Piecewise((0, one), (_oo, sympy.Eq(w, 0)),
                                    (sympy.ceiling((N - 1) / w), True)),
    }


def _param(params: dict, name: str, default=None):
    if name in params and params[name] is not None:
        v = params[name]
        return sympy.Integer(v) if isinstance(v, (int, np.integer)) else v
    if default is not None:
        return sympy.Integer(default)
    return _SYM[name]


def closed_form(family: str, **params) -> dict:
    """Closed forms for the family's number of centres, radius and diameter.

    Returns a dict of SymPy expressions in ``N`` (and the family's parameters: ``w``,
    dilation ``g``, stride ``s``, block ``b``, prefix ``p``; an integer passed in
    ``params`` is substituted), with ``oo`` for an infinite radius/diameter, plus
    ``"derivation"`` (a short reason).  The forms hold for every ``N >= 1`` and every
    admissible parameter value (the constructors in :mod:`numeric.masks` define them):

    * complete: ``N`` centres; radius = diameter = 1 (0 when N = 1).
    * causal: centre 0 only; radius 1; diameter oo (N > 1).
    * sliding_window(w): all N centres (w >= 1), ``d(i, j) = ceil(|i - j| / w)``;
      radius ``ceil((N-1)/(2w))`` (at a middle token), diameter ``ceil((N-1)/w)``.
    * unidirectional_window(w): centre 0 only, radius ``ceil((N-1)/w)``, diameter oo.
    * dilated_window(w, g): residue classes mod g never meet: no centre when g >= 2 and
      N >= 2; for g = 1 it is the (uni)directional window.
    * strided(s): centre 0 only; 0 reaches ``q s`` and ``0..s-1`` in one step and
      ``q s + r`` in two; radius 2 once N >= s + 2 and s >= 2, else 1.
    * block_local(b): complete when b >= N, else no centre.
    * global_window(w, globals G): with G non-empty all N tokens are centres, radius 1,
      diameter 2 iff two non-global tokens lie more than w apart: with ``a`` the first and
      ``z`` the last non-global token, diameter ``2 if z - a > w else 1``; for fixed G and
      ``N >= max(G) + 2``, ``a = mex(G)`` and ``z = N - 1``.  Empty G: sliding window.
    * prefix_lm(p): centres the prefix (token 0 when p = 0), radius 1, diameter 1 only
      for p = N.

    >>> f = closed_form("sliding_window")
    >>> f["radius"]
    Piecewise((0, Eq(N, 1)), (oo, Eq(w, 0)), (ceiling((N - 1)/(2*w)), True))
    >>> closed_form("strided", stride=4)["radius"].subs(N, 100)
    2
    """
    one = sympy.Eq(N, 1)
    r1 = sympy.Piecewise((0, one), (1, True))
    if family == "complete":
        return {"n_centers": N, "radius": r1, "diameter": r1,
                "derivation": "every token attends to every token: one step everywhere"}
    if family == "causal":
        return {"n_centers": sympy.Integer(1), "radius": r1,
                "diameter": sympy.Piecewise((0, one), (_oo, True)),
                "derivation": "every token attends to token 0; token i>0 never reaches 0"}
    if family == "sliding_window":
        out = _window_forms(_param(params, "w", None), directed=False)
        out["derivation"] = "d(i, j) = ceil(|i-j|/w); ecc(i) = ceil(max(i, N-1-i)/w)"
        return out
    if family == "unidirectional_window":
        out = _window_forms(_param(params, "w", None), directed=True)
        out["derivation"] = "only token 0 reaches all; d(0, i) = ceil(i/w)"
        return out
    if family == "dilated_window":
        w, g = _param(params, "w"), _param(params, "dilation")
        base = _window_forms(w, directed=bool(params.get("causal", False)))
        split = sympy.Ne(N, 1) & (g >= 2)   # two residue classes are non-empty
        out = {
            "n_centers": sympy.Piecewise((0, split), (base["n_centers"], True)),
            "radius": sympy.Piecewise((_oo, split), (base["radius"], True)),
            "diameter": sympy.Piecewise((_oo, split), (base["diameter"], True)),
            "derivation": "tokens in different residue classes mod g never meet; "
                          "g = 1 is the plain window",
        }
        return out
    if family == "strided":
        s = _param(params, "stride")
        return {
            "n_centers": sympy.Integer(1),
            "radius": sympy.Piecewise((0, one), (1, (N <= s + 1) | sympy.Eq(s, 1)),
                                      (2, True)),
            "diameter": sympy.Piecewise((0, one), (_oo, True)),
            "derivation": "causal; 0 -> q s and 0 -> r (r < s) in one step, "
                          "q s + r in two",
        }
    if family == "block_local":
        b = _param(params, "block")
        return {
            "n_centers": sympy.Piecewise((N, b >= N), (0, True)),
            "radius": sympy.Piecewise((0, one), (1, b >= N), (_oo, True)),
            "diameter": sympy.Piecewise((0, one), (1, b >= N), (_oo, True)),
            "derivation": "complete inside a block, no edge between blocks",
        }
    if family == "global_window":
        w = _param(params, "w", None)
        G = params.get("globals", (0,))
        G = sorted({int(x) for x in G})
        if not G:
            out = _window_forms(w, directed=False)
            out["derivation"] = "no global token: a sliding window"
            return out
        a = next(i for i in itertools.count() if i not in G)
        return {
            "n_centers": N, "radius": r1,
            "diameter": sympy.Piecewise((0, one), (1, B_LAST - A_FIRST <= w), (2, True)),
            "defs": {A_FIRST: sympy.Integer(a), B_LAST: N - 1},
            "valid_for": f"N >= {max(G) + 2} for the defs of a, z (a, z are the first and "
                         "last non-global token; z - a = -1 when every token is global)",
            "derivation": "every token is adjacent to a global token (distance <= 2 via it);"
                          " distance 1 iff |i - j| <= w or one of them is global",
        }
    if family == "prefix_lm":
        p = _param(params, "prefix")
        return {
            "n_centers": sympy.Max(p, 1), "radius": r1,
            "diameter": sympy.Piecewise((0, one), (1, sympy.Eq(p, N)), (_oo, True)),
            "derivation": "prefix tokens are attended by everyone; a token i >= p only "
                          "reaches tokens >= i",
        }
    raise MaskError(f"unknown mask family {family!r}; choose one of: "
                    f"{', '.join(_masks.FAMILIES)}")


def _to_number(x):
    x = as_sympy(x)
    if x == _oo:
        return math.inf
    if not x.is_Integer:
        raise ValueError(f"closed form did not evaluate to an integer: {x}")
    return int(x)


def closed_form_value(family: str, n: int, **params) -> dict:
    """The closed forms of :func:`closed_form` evaluated at ``N = n`` (ints, ``math.inf``).

    >>> closed_form_value("sliding_window", 10, w=2)
    {'n_centers': 10, 'radius': 3, 'diameter': 5}
    >>> closed_form_value("global_window", 10, w=1, globals=(0, 5))
    {'n_centers': 10, 'radius': 1, 'diameter': 2}
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise MaskError(f"N must be an integer >= 1, got {n!r}")
    for k, lo in (("w", 0), ("stride", 1), ("block", 1), ("dilation", 1)):
        v = params.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))
                              or v < lo):
            what = "a non-negative integer" if lo == 0 else "a positive integer"
            raise MaskError(f"{k} must be {what}, got {v!r}")
    if params.get("prefix") is not None and not 0 <= int(params["prefix"]) <= n:
        raise MaskError(f"prefix must be in [0, N], got {params['prefix']!r}")
    n = int(n)
    forms = closed_form(family, **params)
    subs = {N: n}
    for k, v in params.items():
        if k in _SYM and v is not None:
            subs[_SYM[k]] = int(v)
    if family == "global_window" and "defs" in forms:
        G = {int(x) for x in params.get("globals", (0,))}
        rest = [i for i in range(n) if i not in G] if n <= 4 * len(G) + 4 else None
        if rest is None:  # fast path: many tokens, few globals
            a = next(i for i in itertools.count() if i not in G)
            z = next(i for i in range(n - 1, -1, -1) if i not in G)
        elif rest:
            a, z = rest[0], rest[-1]
        else:
            a, z = 0, -1
        subs[A_FIRST], subs[B_LAST] = a, z
    if family in ("sliding_window", "unidirectional_window", "global_window",
                  "dilated_window") and "w" not in subs and _SYM["w"] not in subs:
        subs[_SYM["w"]] = 1
    if family == "dilated_window" and _SYM["dilation"] not in subs:
        subs[_SYM["dilation"]] = 2
    return {key: _to_number(forms[key].subs(subs))
            for key in ("n_centers", "radius", "diameter")}


def family_mask(family: str, n: int, *, sparse: bool = False, **params):
    """Build ``numeric.masks.FAMILIES[family]`` with its parameters (clear errors)."""
    if family not in _masks.FAMILIES:
        raise MaskError(f"unknown mask family {family!r}; choose one of: "
                        f"{', '.join(_masks.FAMILIES)}")
    fn, names = _masks.FAMILIES[family]
    kwargs = {k: v for k, v in params.items() if v is not None}
    extra = set(kwargs) - set(names) - ({"globals"} if family == "global_window" else set()) \
        - ({"causal"} if family == "dilated_window" else set())
    if extra:
        raise MaskError(f"mask family {family!r} takes parameters {list(names) or 'none'}, "
                        f"not {sorted(extra)}")
    try:
        return fn(n, sparse=sparse, **kwargs)
    except TypeError as exc:
        raise MaskError(f"mask family {family!r} needs parameters {list(names)}: {exc}") \
            from None


def check_closed_forms(instances: Iterable[tuple[str, int, dict]], *,
                       forms: Callable[..., dict] | None = None,
                       sparse_from: int = 2048) -> Evidence:
    """Compare closed forms with the exact graph searches on concrete masks.

    ``instances``: ``(family, n, params)`` triples.  ``forms(family, n, **params)`` defaults
    to :func:`closed_form_value`; pass a deliberately wrong one to see the check fail.
    Level ``exact``: integer BFS against integer closed forms, for the listed instances.

    >>> check_closed_forms([("causal", 5, {}), ("sliding_window", 9, {"w": 2})]).status
    'holds'
    """
    forms = forms or closed_form_value
    checked, mismatches = 0, []
    per_family: dict[str, int] = {}
    for family, n, params in instances:
        M = family_mask(family, n, sparse=n >= sparse_from, **params)
        searched = {"n_centers": n_centers(M), "radius": radius(M), "diameter": diameter(M)}
        expected = forms(family, n, **params)
        checked += 1
        per_family[family] = per_family.get(family, 0) + 1
        for key, val in searched.items():
            if expected.get(key) != val:
                mismatches.append({"family": family, "n": n, "params": params, "fact": key,
                                   "searched": val, "closed_form": expected.get(key)})
    details = {"instances": checked, "per_family": per_family,
               "mismatches": len(mismatches)}
    statement = ("closed forms for centre count, radius and diameter equal the exact "
                 "graph search on every listed instance")
    if mismatches:
        return Evidence(statement, "fails", "exact", details, witness=mismatches[:5])
    return Evidence(statement, "holds", "exact", details)



def closed_form_instances(*, seed: int = 0, random_per_family: int = 12,
                          max_n: int = 40) -> list[tuple[str, int, dict]]:
    """A deterministic grid plus seeded random ``(family, n, params)`` instances covering
    every family of :data:`numeric.masks.FAMILIES` and the edge cases (n = 1, w = 0,
    w >= n, dilation 1, block >= n, prefix 0 and n, globals at both ends)."""
    rng = np.random.default_rng(seed)
    out: list[tuple[str, int, dict]] = []
    for n in (1, 2, 3, 7):
        out += [("complete", n, {}), ("causal", n, {}), ("sliding_window", n, {"w": 0}),
                ("unidirectional_window", n, {"w": 0}), ("sliding_window", n, {"w": n}),
                ("unidirectional_window", n, {"w": n}), ("block_local", n, {"block": n}),
                ("prefix_lm", n, {"prefix": 0}), ("prefix_lm", n, {"prefix": n}),
                ("strided", n, {"stride": 1}), ("dilated_window", n, {"w": 1, "dilation": 1}),
                ("global_window", n, {"w": 0, "globals": (n - 1,)}),
                ("global_window", n, {"w": 1, "globals": tuple(range(n))})]
    for _ in range(random_per_family):
        n = int(rng.integers(1, max_n + 1))
        w = int(rng.integers(0, n + 2))
        out += [
            ("complete", n, {}), ("causal", n, {}),
            ("sliding_window", n, {"w": w}), ("unidirectional_window", n, {"w": w}),
            ("dilated_window", n, {"w": w, "dilation": int(rng.integers(1, 4))}),
            ("strided", n, {"stride": int(rng.integers(1, n + 2))}),
            ("block_local", n, {"block": int(rng.integers(1, n + 2))}),
            ("global_window", n, {"w": w, "globals": tuple(int(x) for x in rng.choice(
                n, size=int(rng.integers(0, min(n, 3) + 1)), replace=False))}),
            ("prefix_lm", n, {"prefix": int(rng.integers(0, n + 1))}),
        ]
    return out

