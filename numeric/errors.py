"""Exceptions that name the violated assumption or argument."""
from __future__ import annotations


class RankCollapseError(ValueError):
    """Base class: bad input that the theory or the code cannot accept."""


class MaskError(RankCollapseError):
    """The mask is not a square boolean matrix, or a row has no allowed key."""


class AssumptionError(RankCollapseError):
    """An assumption of the paper (A1, A2, A3, (*), ...) fails for the given input.

    ``assumption`` names it, e.g. ``"A1"``; ``where`` locates the failure (tokens, layer).
    """

    def __init__(self, assumption: str, message: str, where=None):
        self.assumption = assumption
        self.where = where
        super().__init__(f"assumption {assumption} violated: {message}")


class ShapeError(RankCollapseError):
    """Arrays whose shapes do not fit together."""


class NonFiniteError(RankCollapseError):
    """NaN or infinity in an input, or produced where it must not be."""


class ZeroRowError(RankCollapseError):
    """LayerNorm met a zero token, which has no direction."""

    def __init__(self, tokens, layer=None, kind: str = "paper"):
        self.tokens = list(tokens)
        self.layer = layer
        where = f" at layer {layer}" if layer is not None else ""
        if kind == "full":
            super().__init__(
                f"full LayerNorm with eps = 0 of a constant row is undefined: token(s) "
                f"{self.tokens}{where} have all entries equal (centring leaves a zero "
                "vector, whose variance is 0)")
        elif kind == "precision":
            super().__init__(
                f"LayerNorm cannot be applied at this precision: the norm of token(s) "
                f"{self.tokens}{where} is a ball that contains 0 (its digits are exhausted; "
                "the token may well be nonzero): raise the precision")
        else:
            super().__init__(
                f"LayerNorm of a zero row is undefined: token(s) {self.tokens}{where} are "
                "zero (the paper's LN divides each token by its 2-norm)")
