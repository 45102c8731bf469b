"""Walkthroughs: one proof, walked on a concrete instance, every inequality with both sides.

A walkthrough is a list of steps: a ``section`` (a stage of the proof), a ``value`` (a
quantity of the instance) or a ``compare`` (an inequality or identity of the proof, with
the value of each side and the verdict).  Verdicts are decided by :func:`decide`:

* ``Fraction`` / int / SymPy numbers: exactly (SymPy by the sign of the simplified
  difference; a sign SymPy cannot decide is reported undecided, never support);
* python-flint ``arb`` balls: certainly (a comparison of overlapping balls is undecided).

Each ``compare`` also says what was ``expect``-ed: a negative control (e.g. the too-small
constant ``C = osc(x(0))``) is expected to fail, and is reported as such.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from numeric.errors import RankCollapseError
from theory.exact_text import NumberSyntaxError, parse_rational

#: largest integer instance parameter of a walkthrough (sizes, layers, seeds)
MAX_INSTANCE_INT = 1000


@dataclass
class Step:
    kind: str                  # "section" | "value" | "compare" | "note"
    label: str
    lhs: str = ""              # the expression (text)
    lhs_value: str = ""
    rel: str = ""              # "<=", "<", ">=", ">", "=", ":="
    rhs: str = ""
    rhs_value: str = ""
    holds: bool | None = None  # compare: the verdict (None = undecided)
    expect: bool = True        # compare: False for a negative control
    exact: bool = True         # decided in exact arithmetic (else: certified balls)
    why: str = ""              # the lemma, hypothesis or definition this step uses

    @property
    def as_expected(self) -> bool:
        return self.holds is not None and self.holds == self.expect


@dataclass
class Walkthrough:
    title: str
    instance: dict
    level: str
    steps: list = field(default_factory=list)
    # filled from the claim's card by :func:`run_walkthrough`
    claim: str = ""
    ref: str = ""
    statement: str = ""
    _why: str = field(default="", repr=False)

    # builders ------------------------------------------------------------------
    def section(self, title: str, text: str = "") -> None:
        """Start a stage of the proof (and forget the reason set by :meth:`because`)."""
        self._why = ""
        self.steps.append(Step("section", title, lhs=text))

    def because(self, why: str) -> None:
        """The lemma, hypothesis or definition the following values and comparisons use
        (until the next section or the next ``because``)."""
        self._why = why

    def note(self, text: str) -> None:
        self.steps.append(Step("note", text))

    def value(self, label: str, expr: str, value, *, why: str = "") -> None:
        self.steps.append(Step("value", label, lhs=expr, lhs_value=fmt(value), rel=":=",
                               why=why or self._why))

    def compare(self, label: str, lhs: str, lv, rel: str, rhs: str, rv, *,
                expect: bool = True, holds=None, why: str = "") -> bool | None:
        exact = not (_is_ball(lv) or _is_ball(rv))
        verdict = decide(lv, rel, rv) if holds is None else holds
        self.steps.append(Step("compare", label, lhs, fmt(lv), rel, rhs, fmt(rv), verdict,
                               expect, exact, why or self._why))
        return verdict

    # summary -------------------------------------------------------------------
    def summary(self) -> dict:
        cmp = [s for s in self.steps if s.kind == "compare"]
        return {"comparisons": len(cmp),
                "as_expected": sum(s.as_expected for s in cmp),
                "undecided": sum(s.holds is None for s in cmp),
                "unexpected": [s.label for s in cmp if s.holds is not None and not s.as_expected],
                "negative_controls": sum(not s.expect for s in cmp)}

    def to_json(self) -> dict:
        return {"claim": self.claim, "ref": self.ref, "title": self.title,
                "statement": self.statement, "instance": {k: str(v) for k, v in self.instance.items()},
                "level": self.level, "steps": [asdict(s) for s in self.steps],
                "summary": self.summary()}


def walkthrough(params: dict, doc: str = ""):
    """Mark ``fn(**params) -> Walkthrough`` as a walkthrough; ``params`` gives each instance
    parameter's default (its type converts the input).  Which claim it walks is said on
    the claim's card (``walkthrough=`` of :func:`rankcollapse.claims.claim`), not here."""

    def deco(fn):
        fn.walk_params = dict(params)
        fn.walk_doc = doc or (fn.__doc__ or "")
        return fn

    return deco


def is_walkthrough(fn) -> bool:
    return callable(fn) and hasattr(fn, "walk_params")


# ---------------------------------------------------------------------- values
def _is_ball(v) -> bool:
    return type(v).__name__ in ("arb", "acb")


def _sympy(v) -> bool:
    return hasattr(v, "free_symbols") and hasattr(v, "is_number")


def fmt(v) -> str:
    """Exact values as exact text (with a decimal approximation when not an integer);
    balls with their radius; vectors and matrices element-wise."""
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(fmt(x) for x in v) + ")"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        return f"{v} (~{float(v):.6g})"
    if _is_ball(v):
        return v.str(10)
    if _sympy(v):
        import sympy as sp
        if getattr(v, "is_Matrix", False):
            return "(" + ", ".join(fmt(x) for x in v) + ")"
        s = sp.sstr(v)
        if v.is_number and not v.is_Integer:
            try:
                return f"{s} (~{float(sp.N(v, 20)):.6g})"
            except TypeError:
                return s
        return s
    return str(v)


_REL = {"<=": lambda d: d <= 0, "<": lambda d: d < 0, ">=": lambda d: d >= 0,
        ">": lambda d: d > 0, "=": lambda d: d == 0}


def decide(lv, rel: str, rv) -> bool | None:
    """The verdict of ``lv rel rv``: exact for rationals and SymPy numbers, certain for
    balls, ``None`` when undecided."""
    if rel not in _REL:
        raise ValueError(f"unknown relation {rel!r}")
    if _is_ball(lv) or _is_ball(rv):
        a = lv if _is_ball(lv) else _as_arb(lv)
        b = rv if _is_ball(rv) else _as_arb(rv)
        ops = {"<=": (a <= b, a > b), "<": (a < b, a >= b), ">=": (a >= b, a < b),
               ">": (a > b, a <= b), "=": (a == b, a != b)}
        yes, no = ops[rel]
        return True if yes else (False if no else None)
    if _sympy(lv) or _sympy(rv):
        import sympy as sp
        d = sp.simplify(sp.nsimplify(lv) - sp.nsimplify(rv)) if not (
            _sympy(lv) and _sympy(rv)) else sp.simplify(lv - rv)
        if d.is_zero:
            sign = 0
        elif d.is_positive:
            sign = 1
        elif d.is_negative:
            sign = -1
        else:
            return None
        return _REL[rel](sign)
    return _REL[rel](Fraction(lv) - Fraction(rv))


def _as_arb(v):
    """An exact number (int, Fraction, SymPy Rational) as a point ball (exact)."""
    import flint
    if getattr(v, "is_Rational", False):
        v = Fraction(int(v.p), int(v.q))
    if isinstance(v, int):
        return flint.arb(v)
    if isinstance(v, Fraction):
        return flint.arb(v.numerator) / v.denominator
    raise TypeError(f"cannot compare a ball with {type(v).__name__} {v!r} rigorously")


# ---------------------------------------------------------------------- rendering
def _verdict(s: Step) -> str:
    if s.holds is None:
        return "undecided"
    word = "holds" if s.holds else "FAILS"
    if not s.expect:
        return "FAILS (as expected)" if not s.holds else "holds (expected to FAIL!)"
    return word


def to_markdown(w: Walkthrough) -> str:
    out = [f"# Walkthrough: `{w.claim}` ({w.ref})", ""]
    if w.statement:
        out += [f"**Statement.** {w.statement}", ""]
    out += [f"**{w.title}**", "",
            "**Instance:** " + (", ".join(f"{k} = {v}" for k, v in w.instance.items())
                                or "fixed (no parameters)") + "  ",
            f"**Arithmetic:** {w.level}", ""]
    table_open = False
    for s in w.steps:
        if s.kind == "compare":
            if not table_open:
                if out and out[-1] != "":
                    out.append("")
                out += ["| step | left side | value | | right side | value | verdict | why |",
                        "|---|---|---|---|---|---|---|---|"]
                table_open = True
            c = [x.replace("|", "\\|") for x in (s.label, s.lhs, s.lhs_value, s.rhs,
                                                  s.rhs_value, s.why)]
            out.append(f"| {c[0]} | `{c[1]}` | {c[2]} | {s.rel} | `{c[3]}` | {c[4]} | "
                       f"{_verdict(s)} | {c[5]} |")
            continue
        if table_open:
            out.append("")
            table_open = False
        if s.kind == "section":
            if out and out[-1] != "":
                out.append("")
            out += [f"## {s.label}", ""] + ([s.lhs, ""] if s.lhs else [])
        elif s.kind == "value":
            out.append(f"- {s.label}: `{s.lhs}` = {s.lhs_value}"
                       + (f" ({s.why})" if s.why else ""))
        else:
            out += ["", s.label, ""]
    if table_open:
        out.append("")
    sm = w.summary()
    tail = (f"**{sm['comparisons']} comparisons: {sm['as_expected']} as expected"
            + (f" (including {sm['negative_controls']} expected failure(s): negative "
               "controls or refuted statements)" if sm["negative_controls"] else "")
            + (f", {sm['undecided']} undecided" if sm["undecided"] else "")
            + (f"; NOT as expected: {', '.join(sm['unexpected'])}" if sm["unexpected"] else "")
            + ".**")
    out += ["", tail]
    return "\n".join(out).replace("\n\n\n", "\n\n")


_TEX_REL = {"<=": r"\le", "<": "<", ">=": r"\ge", ">": ">", "=": "=", ":=": ":="}


_TT = {"\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "&": r"\&", "%": r"\%",
       "#": r"\#", "{": r"\{", "}": r"\}", "~": r"\~{}", "$": r"\$", "<": r"\textless{}",
       ">": r"\textgreater{}", "|": r"\textbar{}"}


def _tt(s: str) -> str:
    """Escape text for LaTeX (one pass, so escapes are not escaped again)."""
    return re.sub(r"[\\_^&%#{}~$<>|]", lambda m: _TT[m.group(0)], s)


def _texval(v: str) -> str:
    v = re.sub(r"\s*\(~([^)]*)\)", r" \\approx \1", v)
    v = re.sub(r"(?<![\w.])(-?\d+)/(\d+)(?![\w.])", r"\\tfrac{\1}{\2}", v)
    v = re.sub(r"sqrt\(([^()]*)\)", r"\\sqrt{\1}", v).replace("**", "^")
    v = v.replace("+/-", r"\pm").replace("*", r"\,").replace("->", r"\to ")
    return v.replace("[", r"\left[").replace("]", r"\right]") if "\\pm" in v else v


def to_latex(w: Walkthrough) -> str:
    out = [rf"\section*{{Walkthrough: \texttt{{{_tt(w.claim)}}} ({_tt(w.ref)})}}"]
    if w.statement:
        out.append(rf"\paragraph{{Statement.}} {_tt(w.statement)}")
    params = ", ".join(rf"\texttt{{{_tt(str(k))}}} $= {_texval(str(v))}$"
                       for k, v in w.instance.items())
    out.append(rf"\paragraph{{Instance.}} {_tt(w.title)}" + (f": {params}" if params else "")
               + rf". Arithmetic: {_tt(w.level)}.")
    env = False
    for s in w.steps:
        if s.kind in ("compare", "value"):
            if not env:
                out.append(r"\begin{align*}")
                env = True
            if s.kind == "value":
                out.append(rf"&\text{{{_tt(s.label)}}}: && \texttt{{{_tt(s.lhs)}}} = "
                           rf"{_texval(s.lhs_value)} \\")
            else:
                out.append(rf"&\text{{{_tt(s.label)}}}: && {_texval(s.lhs_value)} "
                           rf"{_TEX_REL[s.rel]} {_texval(s.rhs_value)} "
                           rf"&& \text{{{_tt(_verdict(s))}}}"
                           + (rf" && \text{{({_tt(s.why)})}}" if s.why else "") + r" \\")
            continue
        if env:
            out.append(r"\end{align*}")
            env = False
        if s.kind == "section":
            out.append(rf"\subsection*{{{_tt(s.label)}}}" + (f" {_tt(s.lhs)}" if s.lhs else ""))
        else:
            out.append(_tt(s.label))
    if env:
        out.append(r"\end{align*}")
    sm = w.summary()
    out.append(rf"\paragraph{{Summary.}} {sm['comparisons']} comparisons, "
               rf"{sm['as_expected']} as expected, {sm['undecided']} undecided.")
    return "\n".join(out)


def render(w: Walkthrough, fmt_: str = "markdown") -> str:
    if fmt_ == "json":
        return json.dumps(w.to_json(), indent=1)
    if fmt_ == "latex":
        return to_latex(w)
    if fmt_ == "markdown":
        return to_markdown(w)
    raise RankCollapseError(f"unknown format {fmt_!r}; choose markdown, json or latex")


# ---------------------------------------------------------------------- entry point
def parse_instance(items, params: dict, cid: str) -> dict:
    """``["n=4", "eps=1/3"]`` (or ``"n=4,eps=1/3"``) into typed values over ``params``."""
    out = dict(params)
    for item in items or []:
        for kv in str(item).split(","):
            kv = kv.strip()
            if not kv:
                continue
            if "=" not in kv:
                raise RankCollapseError(f"--instance {kv!r}: write KEY=VALUE; {cid} takes "
                                        f"{_keys(params)}")
            k, v = (x.strip() for x in kv.split("=", 1))
            if k not in params:
                raise RankCollapseError(f"--instance: {cid} has no parameter {k!r}; it takes "
                                        f"{_keys(params)}")
            default = params[k]
            try:
                if isinstance(default, bool):
                    out[k] = v.lower() in ("1", "true", "yes")
                elif isinstance(default, int):
                    out[k] = int(v)
                elif isinstance(default, Fraction):
                    out[k] = parse_rational(v, name=k)
                else:
                    out[k] = v
            except (ValueError, ZeroDivisionError, NumberSyntaxError) as exc:
                what = ("a rational number (p/q, a decimal, 1e-3)" if isinstance(default, Fraction)
                        else f"{type(default).__name__} like {default}")
                raise RankCollapseError(f"--instance {k}={v!r}: expected {what}: "
                                        f"{str(exc).splitlines()[0]}") from None
            if isinstance(out[k], int) and not isinstance(out[k], bool) and \
                    not 0 <= out[k] <= MAX_INSTANCE_INT:
                raise RankCollapseError(
                    f"--instance {k}={v}: a walkthrough prints every number of its instance, "
                    f"so integers are limited to 0..{MAX_INSTANCE_INT}")
    return out


def _keys(params) -> str:
    return ", ".join(f"{k} (default {v})" for k, v in params.items()) or "no parameters"


def run_walkthrough(fn, cid: str, instance=None, *, ref: str = "",
                    statement: str = "") -> Walkthrough:
    """Run the walkthrough ``fn`` (see :func:`walkthrough`) of claim ``cid`` on the
    instance (its defaults overridden by ``instance``); ``ref`` and ``statement`` come
    from the claim's card."""
    if not is_walkthrough(fn):
        raise RankCollapseError(f"no walkthrough for {cid!r}")
    kw = parse_instance(instance, fn.walk_params, cid)
    w = fn(**kw)
    w.claim = cid
    w.ref = w.ref or ref
    w.statement = w.statement or statement
    return w
