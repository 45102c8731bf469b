"""The grammar of exact numbers (theory.exact_text): values against an independent
Fraction evaluation, and text that must never run or hang."""
from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from counterexamples.jordan import ConstructionError, parse_w
from theory.exact_text import (MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, NumberSyntaxError,
                               parse_exact)


# --------------------------------------------------------------- independent evaluation
@st.composite
def rational_expressions(draw, depth=3):
    """(text, value) pairs: the value computed with Fraction, independently of the parser."""
    if depth == 0 or draw(st.booleans()):
        k = draw(st.integers(0, 10 ** 6))
        if draw(st.booleans()):
            frac = draw(st.integers(0, 999))
            text = f"{k}.{frac:03d}"
            return text, Fraction(k) + Fraction(frac, 1000)
        return str(k), Fraction(k)
    op = draw(st.sampled_from("+-*/^n"))
    a_text, a = draw(rational_expressions(depth=depth - 1))
    if op == "n":
        return f"-({a_text})", -a
    if op == "^":
        e = draw(st.integers(-3, 3))
        if a == 0 and e < 0:
            e = -e
        return f"({a_text})^{e}", a ** e
    b_text, b = draw(rational_expressions(depth=depth - 1))
    if op == "/" and b == 0:
        op = "*"
    value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[op]
    return f"({a_text}){op}({b_text})", value


@given(rational_expressions())
def test_rational_text_matches_fraction_arithmetic(pair):
    text, value = pair
    if len(text) > MAX_LENGTH:
        with pytest.raises(NumberSyntaxError, match="at most"):
            parse_exact(text)
        return
    e = parse_exact(text)
    assert e.is_Rational
    assert Fraction(int(e.p), int(e.q)) == value


@pytest.mark.parametrize("text, expected", [
    ("7", sp.Integer(7)), ("15/2", sp.Rational(15, 2)), ("1.5", sp.Rational(3, 2)),
    (".25", sp.Rational(1, 4)), ("sqrt(50)", 5 * sp.sqrt(2)), ("2^-3", sp.Rational(1, 8)),
    ("2**10", sp.Integer(1024)), ("1 + sqrt(2)", 1 + sp.sqrt(2)), ("-(3)", sp.Integer(-3)),
    ("--3", sp.Integer(3)), ("1e5", sp.Integer(100000)), ("2.5E-1", sp.Rational(1, 4)),
    ("1e+2", sp.Integer(100)), ("2*3+4", sp.Integer(10)), ("2+3*4", sp.Integer(14)),
    ("8/4/2", sp.Integer(1)), ("10-3-2", sp.Integer(5)), ("-2^2", sp.Integer(-4)),
])
def test_known_values_and_precedence(text, expected):
    assert sp.simplify(parse_exact(text) - expected) == 0


@pytest.mark.parametrize("text, fragment", [
    ("__import__('os').system('echo hi')", "position 0"),
    ("exec('1')", "position 0"), ("x", "position 0"), ("1e", "exponent"),
    ("1e1000000000", "exceeds"), ("1e5e5", "position 3"),
    ("1/0", "division by zero"), ("sqrt(-2)", "negative"), ("2^1000", "exceeds"),
    ("10**10**10", "single exponent"), ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
                                        "nested"),
    ("-" * 20000 + "1", "at most"), ("", "empty"), ("1 2", "space inside"),
    ("9" * 41, "digits"), ("0^-1", "negative power"), ("sqrt(2", "')'"), ("1.", None),
    ("\u0661", "position 0"),  # a non-ASCII digit is not a digit of the grammar
])
def test_refused_text_names_the_problem(text, fragment):
    if fragment is None:  # "1." is a valid DECIMAL: the control that the grammar is not empty
        assert parse_exact(text) == 1
        return
    with pytest.raises(NumberSyntaxError) as info:
        parse_exact(text)
    assert fragment in str(info.value)


def test_exponent_limit_is_inclusive():
    assert parse_exact(f"1^{MAX_EXPONENT}") == 1
    with pytest.raises(NumberSyntaxError):
        parse_exact(f"1^{MAX_EXPONENT + 1}")


def test_parse_w_never_executes_text(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    with pytest.raises(ConstructionError, match="cannot read"):
        parse_w(payload)
    assert not marker.exists()


def test_parse_w_refuses_objects_that_are_not_numbers():
    class Sneaky:
        def __str__(self):
            return "__import__('os')"
    with pytest.raises(ConstructionError, match="must be an int"):
        parse_w(Sneaky())
    with pytest.raises(ConstructionError, match="must be an int"):
        parse_w(None)
    assert parse_w(3) == 3 and parse_w(Fraction(3, 2)) == sp.Rational(3, 2)


def test_command_line_weight_is_not_executed(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    out = subprocess.run([sys.executable, "-m", "rankcollapse", "counterexample", "--n", "3",
                          "--d", "3", "--rank", "2", "--w", payload],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "cannot read" in out.stderr and "Traceback" not in out.stderr
    assert not marker.exists()
