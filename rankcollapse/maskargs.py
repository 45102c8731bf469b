"""Command-line arguments that describe a mask family, shared by the subcommands."""
from __future__ import annotations

import argparse

#: the names of numeric.masks.FAMILIES, kept here so that building the parser does not
#: import numpy / scipy (start-up time); tests/test_cli.py checks the two agree
FAMILY_NAMES = ("complete", "causal", "sliding_window", "unidirectional_window",
                "dilated_window", "strided", "block_local", "global_window", "prefix_lm")


def add_mask_arguments(p: argparse.ArgumentParser, *, positional: bool = False) -> None:
    names = ", ".join(FAMILY_NAMES)
    if positional:
        p.add_argument("family", metavar="FAMILY", help=f"mask family: {names}")
    else:
        p.add_argument("--mask", dest="family", default="causal", metavar="FAMILY",
                       help=f"mask family: {names} (default causal)")
    p.add_argument("--w", type=int, default=None,
                   help="window half-width of the window families (default 1)")
    p.add_argument("--dilation", type=int, default=None, help="dilated_window: dilation (2)")
    p.add_argument("--stride", type=int, default=None, help="strided: stride (4)")
    p.add_argument("--block", type=int, default=None, help="block_local: block size (4)")
    p.add_argument("--prefix", type=int, default=None, help="prefix_lm: prefix length (1)")
    p.add_argument("--globals", default=None,
                   help="global_window: comma-separated global tokens (default 0)")


#: defaults of the family parameters (None in argparse, so that an option given to a
#: family that does not use it can be refused instead of silently ignored)
DEFAULTS = {"w": 1, "dilation": 2, "stride": 4, "block": 4, "prefix": 1, "globals": "0"}


def mask_params(args) -> dict:
    from numeric import masks
    from numeric.errors import MaskError

    fam = args.family.replace("-", "_")
    if fam not in masks.FAMILIES:
        raise MaskError(f"unknown mask family {args.family!r}; choose from "
                        f"{', '.join(masks.FAMILIES)}")
    _, pnames = masks.FAMILIES[fam]
    if fam == "global_window" and "globals" not in pnames:
        pnames = (*pnames, "globals")      # the global tokens are a parameter too
    given = [k for k in DEFAULTS if getattr(args, k, None) is not None]
    unused = [k for k in given if k not in pnames]
    if unused:
        takes = ", ".join(f"--{k}" for k in pnames) or "no parameters"
        raise MaskError(f"--{unused[0]} does not apply to the {fam} mask (it takes {takes})")
    params = {k: getattr(args, k) if getattr(args, k, None) is not None else DEFAULTS[k]
              for k in pnames}
    if fam == "global_window":
        try:
            params["globals"] = tuple(int(g) for g in str(params["globals"]).split(",")
                                      if g.strip())
        except ValueError:
            raise MaskError(f"--globals must be comma-separated integers, got "
                            f"{params['globals']!r}") from None
    return {"family": fam, **params}


def mask_notes(params: dict, n: int) -> list[str]:
    """One-line notes on degenerate parameters (the mask is still built as asked)."""
    fam, w = params.get("family"), params.get("w")
    out = []
    if w is not None and fam in ("sliding_window", "unidirectional_window", "dilated_window",
                                 "global_window"):
        if w == 0:
            out.append(f"--w 0: every token attends only to itself (the identity mask"
                       f"{' plus the global tokens' if fam == 'global_window' else ''}); "
                       + ("no centre node, so Theorems 1-2 give no rate"
                          if fam != "global_window" else "the global tokens are the centres"))
        elif fam in ("sliding_window", "unidirectional_window") and w >= n - 1:
            out.append(f"--w {w} >= N-1 = {n - 1}: the window covers every token, so this "
                       f"{fam} is the {'complete' if fam == 'sliding_window' else 'causal'} "
                       "mask")
    return out


def mask_from_args(args, n: int, *, sparse: bool = False):
    from numeric import masks

    params = mask_params(args)
    fam = params.pop("family")
    ctor, _ = masks.FAMILIES[fam]
    return ctor(n, **params, sparse=sparse)


def sink_logits(text: str) -> tuple[float, ...]:
    """``--sink``: one attention-sink logit for every head, or a comma-separated list with
    one per head (exact decimals or fractions, e.g. ``0.5``, ``-2``, ``1/3``)."""
    import math

    from theory.exact_text import NumberSyntaxError, parse_rational

    parts = [t.strip() for t in str(text).split(",")]
    if not parts or any(not t for t in parts) or len(parts) > 4096:
        raise argparse.ArgumentTypeError(f"--sink takes a number or a comma-separated list of "
                                         f"numbers (one per head), got {text[:40]!r}")
    out = []
    for t in parts:
        try:
            q = parse_rational(t, name="--sink")
        except (NumberSyntaxError, ValueError) as exc:
            raise argparse.ArgumentTypeError(" ".join(str(exc).split())[:200]) from None
        if abs(q) > 700:        # e^s must be a finite float64 (and a useful sink)
            raise argparse.ArgumentTypeError(f"--sink: a logit must lie in [-700, 700], got {t}")
        v = float(q)
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"--sink: a logit must be finite, got {t}")
        out.append(v)
    return tuple(out)


def mask_file(text: str) -> str:
    """``--from`` / ``--mask-file``: the path of a mask file (checked when it is loaded)."""
    if not text or "\x00" in text:
        raise argparse.ArgumentTypeError("a mask file path is needed (.npy, .npz or an edge "
                                         "list)")
    return text
