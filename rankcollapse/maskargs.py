"""Command-line arguments that describe a mask family, shared by the subcommands."""
from __future__ import annotations

import argparse

from numeric import masks
from numeric.errors import MaskError


def add_mask_arguments(p: argparse.ArgumentParser, *, positional: bool = False) -> None:
    names = ", ".join(masks.FAMILIES)
    if positional:
        p.add_argument("family", metavar="FAMILY", help=f"mask family: {names}")
    else:
        p.add_argument("--mask", dest="family", default="causal", metavar="FAMILY",
                       help=f"mask family: {names} (default causal)")
    p.add_argument("--w", type=int, default=1, help="window half-width (default 1)")
    p.add_argument("--dilation", type=int, default=2, help="dilated_window: dilation (2)")
    p.add_argument("--stride", type=int, default=4, help="strided: stride (4)")
    p.add_argument("--block", type=int, default=4, help="block_local: block size (4)")
    p.add_argument("--prefix", type=int, default=1, help="prefix_lm: prefix length (1)")
    p.add_argument("--globals", default="0",
                   help="global_window: comma-separated global tokens (default 0)")


def mask_params(args) -> dict:
    fam = args.family.replace("-", "_")
    if fam not in masks.FAMILIES:
        raise MaskError(f"unknown mask family {args.family!r}; choose from "
                        f"{', '.join(masks.FAMILIES)}")
    _, pnames = masks.FAMILIES[fam]
    params = {k: getattr(args, k) for k in pnames}
    if fam == "global_window":
        try:
            params["globals"] = tuple(int(g) for g in str(args.globals).split(",") if g.strip())
        except ValueError:
            raise MaskError(f"--globals must be comma-separated integers, got "
                            f"{args.globals!r}") from None
    return {"family": fam, **params}


def mask_from_args(args, n: int, *, sparse: bool = False):
    params = mask_params(args)
    fam = params.pop("family")
    ctor, _ = masks.FAMILIES[fam]
    return ctor(n, **params, sparse=sparse)
