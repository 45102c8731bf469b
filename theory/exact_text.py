"""Exact real numbers from text, by a stated grammar (never ``eval`` / ``sympify``).

A user's number (a weight ``w`` on the command line, a value in a file) is parsed by the
recursive-descent grammar below and built from SymPy constructors directly, so no text is
ever executed::

    expr    := term   (('+' | '-') term)*
    term    := factor (('*' | '/') factor)*
    factor  := ('+' | '-') factor | power
    power   := atom [ ('^' | '**') ['-'] INTEGER ]      (one exponent, |exponent| <= 64)
    atom    := NUMBER | 'sqrt' '(' expr ')' | '(' expr ')'
    NUMBER  := (digit+ ['.' digit*] | '.' digit+) [('e' | 'E') ['+' | '-'] digit+]
               (read exactly: '1.5' is 3/2, '1e-6' is 1/1000000; at most 40 digits
               before the exponent, decimal exponent in [-1000, 1000])
    INTEGER := digit+                                     (at most 40 digits)

Spaces between tokens are ignored (not inside a number).  Limits keep every parse small: at most 200 characters, nesting depth
at most 16, integer literals of at most 40 digits, exponents in [-64, 64] with the base's
result checked against :data:`MAX_DIGITS`.  Anything else is a :class:`NumberSyntaxError`
naming the position and what was expected.

>>> parse_exact("sqrt(50)")
5*sqrt(2)
>>> parse_exact("15/2"), parse_exact("1.5"), parse_exact("2^-3")
(15/2, 3/2, 1/8)
>>> parse_exact("__import__('os')")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
NumberSyntaxError: cannot read "__import__('os')" ... unexpected '_' at position 0 ...
"""
from __future__ import annotations

import re
from fractions import Fraction

import sympy as sp

from numeric.errors import RankCollapseError

__all__ = ["NumberSyntaxError", "parse_exact", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS",
           "MAX_EXPONENT", "MAX_DECIMAL_EXPONENT", "GRAMMAR", "parse_rational", "as_sympy"]

MAX_LENGTH = 200
MAX_DEPTH = 16
MAX_DIGITS = 40
MAX_EXPONENT = 64
MAX_DECIMAL_EXPONENT = 1000
GRAMMAR = __doc__.split("::", 1)[1].split("Spaces", 1)[0].strip("\n")


class NumberSyntaxError(RankCollapseError, ValueError):
    """Text that is not an exact number of the grammar in :mod:`theory.exact_text`."""


class _Parser:
    def __init__(self, text: str):
        self.src = text
        self.s = "".join(text.split())
        self.i = 0
        self.depth = 0

    # -------------------------------------------------------------- helpers
    def fail(self, expected: str):
        where = (f"unexpected {self.s[self.i]!r} at position {self.i}" if self.i < len(self.s)
                 else "unexpected end")
        raise NumberSyntaxError(f"cannot read {self.src!r} as an exact number: {where} "
                                f"(expected {expected})")

    def peek(self, tok: str) -> bool:
        return self.s.startswith(tok, self.i)

    def take(self, tok: str) -> bool:
        if self.peek(tok):
            self.i += len(tok)
            return True
        return False

    def digits(self) -> str:
        j = self.i
        while j < len(self.s) and self.s[j].isdigit() and self.s[j].isascii():
            j += 1
        out = self.s[self.i:j]
        if len(out) > MAX_DIGITS:
            raise NumberSyntaxError(f"cannot read {self.src!r}: a literal has more than "
                                    f"{MAX_DIGITS} digits")
        self.i = j
        return out

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise NumberSyntaxError(f"cannot read {self.src!r}: nested more than "
                                    f"{MAX_DEPTH} deep")

    # -------------------------------------------------------------- grammar
    def parse(self) -> sp.Expr:
        if not self.s:
            raise NumberSyntaxError("an exact number is required, got an empty string")
        split = re.search(r"[0-9.]\s+[0-9.]", self.src)
        if split:
            raise NumberSyntaxError(f"cannot read {self.src!r} as an exact number: a space "
                                    f"inside a number at position {split.start() + 1}")
        e = self.expr()
        if self.i != len(self.s):
            self.fail("an operator or the end")
        return e

    def expr(self) -> sp.Expr:
        e = self.term()
        while True:
            if self.take("+"):
                e = e + self.term()
            elif self.take("-"):
                e = e - self.term()
            else:
                return e

    def term(self) -> sp.Expr:
        e = self.factor()
        while True:
            if self.peek("**"):
                self.fail("a single exponent")
            if self.take("*"):
                e = e * self.factor()
            elif self.take("/"):
                d = self.factor()
                if d == 0:
                    raise NumberSyntaxError(f"cannot read {self.src!r}: division by zero")
                e = e / d
            else:
                return e

    def factor(self) -> sp.Expr:
        self.nest()
        try:
            if self.take("+"):
                return self.factor()
            if self.take("-"):
                return -self.factor()
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> sp.Expr:
        base = self.atom()
        if self.take("**") or self.take("^"):
            neg = self.take("-")
            ds = self.digits()
            if not ds:
                self.fail("an integer exponent")
            k = int(ds)
            if k > MAX_EXPONENT:
                raise NumberSyntaxError(f"cannot read {self.src!r}: exponent {k} exceeds "
                                        f"{MAX_EXPONENT}")
            if base == 0 and neg and k:
                raise NumberSyntaxError(f"cannot read {self.src!r}: 0 to a negative power")
            out = base ** (-k if neg else k)
            if out.is_Rational and max(len(str(abs(out.p))), len(str(out.q))) > 4 * MAX_DIGITS:
                raise NumberSyntaxError(f"cannot read {self.src!r}: the power has more than "
                                        f"{4 * MAX_DIGITS} digits")
            if self.peek("**") or self.peek("^"):
                self.fail("a single exponent (write (a^b)^c)")
            return out
        return base

    def atom(self) -> sp.Expr:
        if self.take("sqrt("):
            self.nest()
            e = self.expr()
            self.depth -= 1
            if not self.take(")"):
                self.fail("')'")
            if e.is_negative:
                raise NumberSyntaxError(f"cannot read {self.src!r}: sqrt of a negative number")
            return sp.sqrt(e)
        if self.take("("):
            self.nest()
            e = self.expr()
            self.depth -= 1
            if not self.take(")"):
                self.fail("')'")
            return e
        whole = self.digits()
        frac = ""
        if self.peek("."):
            self.i += 1
            frac = self.digits()
            if not whole and not frac:
                self.fail("digits around '.'")
        elif not whole:
            self.fail("a number, 'sqrt(' or '('")
        if len(whole) + len(frac) > MAX_DIGITS:
            raise NumberSyntaxError(f"cannot read {self.src!r}: a literal has more than "
                                    f"{MAX_DIGITS} digits")
        value = sp.Rational(int(whole or "0") * 10 ** len(frac) + int(frac or "0"),
                            10 ** len(frac))
        if self.take("e") or self.take("E"):
            sign = -1 if self.take("-") else (self.take("+") and 1) or 1
            ds = self.digits()
            if not ds:
                self.fail("the digits of an exponent")
            k = int(ds)
            if k > MAX_DECIMAL_EXPONENT:
                raise NumberSyntaxError(f"cannot read {self.src!r}: decimal exponent {k} "
                                        f"exceeds {MAX_DECIMAL_EXPONENT}")
            value = value * sp.Rational(10) ** (sign * k)
        return value


def parse_exact(text: str) -> sp.Expr:
    """The exact number denoted by ``text`` under :data:`GRAMMAR` (a SymPy number)."""
    if not isinstance(text, str):
        raise NumberSyntaxError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise NumberSyntaxError(f"an exact number is at most {MAX_LENGTH} characters; got "
                                f"{len(text)}")
    return _Parser(text).parse()


def parse_rational(text: str, *, name: str = "value") -> Fraction:
    """The rational number denoted by ``text`` (same grammar, the result must be rational).

    Unlike ``Fraction(text)``, a huge exponent such as ``'1e1000000000'`` is refused at
    once instead of being expanded.

    >>> parse_rational("3/7"), parse_rational("0.25"), parse_rational("1e-3")
    (Fraction(3, 7), Fraction(1, 4), Fraction(1, 1000))
    """
    try:
        e = parse_exact(text)
    except NumberSyntaxError as exc:
        raise NumberSyntaxError(f"{name}: {exc}") from None
    if not e.is_Rational:
        raise NumberSyntaxError(f"{name}: {text!r} is not rational ({e}); give p/q or a "
                                "decimal")
    return Fraction(int(e.p), int(e.q))


def as_sympy(x) -> sp.Basic:
    """A SymPy object for an internal exact value (SymPy object, int, Fraction, python-flint
    ``fmpz`` / ``fmpq``) without ``sympify``; text is refused (use :func:`parse_exact`).

    >>> as_sympy(Fraction(3, 4)), as_sympy(5), as_sympy(sp.sqrt(2))
    (3/4, 5, sqrt(2))
    """
    import numbers

    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, str):
        raise TypeError("text is read by theory.exact_text.parse_exact, never converted directly")
    if isinstance(x, bool):
        return sp.true if x else sp.false
    if isinstance(x, numbers.Integral):
        return sp.Integer(int(x))
    if isinstance(x, numbers.Rational):
        return sp.Rational(int(x.numerator), int(x.denominator))
    name = type(x).__name__
    if name == "fmpz":
        return sp.Integer(int(x))
    if name == "fmpq":
        return sp.Rational(int(x.p), int(x.q))
    raise TypeError(f"not an exact value: {type(x).__name__}")
