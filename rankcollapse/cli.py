"""The ``rankcollapse`` command."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import __version__, commands

PREFERRED = ["verify", "simulate", "mask", "counterexample", "figures", "probe"]


def _command_modules():
    found = sorted(m.name for m in pkgutil.iter_modules(commands.__path__))
    names = [n for n in PREFERRED if n in found] + [n for n in found if n not in PREFERRED]
    return [importlib.import_module(f"{commands.__name__}.{n}") for n in names]


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line naming the argument (no usage block), exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_mention(message)} (see {self.prog} --help)\n")


def one_mention(message: str) -> str:
    """argparse prefixes ``argument --out:`` to a type's message, which often names the
    option itself: say it once.

    >>> one_mention("argument --out: --out: '/proc/x' is on a pseudo filesystem")
    "argument --out: '/proc/x' is on a pseudo filesystem"
    >>> one_mention("argument --n: --n must be between 1 and 9, got -3")
    'argument --n: must be between 1 and 9, got -3'
    >>> one_mention("argument --seed: the seed must be an integer >= 0")
    'argument --seed: the seed must be an integer >= 0'
    """
    import re
    return re.sub(r"^argument (\S+): \1:? ", r"argument \1: ", message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="rankcollapse",
        description="Check the claims of 'On the Role of Attention Masks and LayerNorm in "
                    "Transformers' (Wu et al., NeurIPS 2024): exact algebra, certified "
                    "intervals, high-precision and float64 numerics.",
        epilog="Exit codes (every command): 0 done (a claim that fails is a finding, with "
               "its witness); 1 a check crashed, or a pass/fail run (verify --strict, "
               "counterexample) did not pass; 2 bad input, refused in one line; 74 the "
               "output could not be written (disk full); 130 interrupted (Ctrl-C); 141 the "
               "output stream was closed (e.g. piped into head).",
    )
    p.add_argument("--version", action="version", version=f"rankcollapse {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _command_modules():
        sp = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.configure(sp)
        sp.set_defaults(_run=mod.run)
    return p


def main(argv=None) -> int:
    from . import check_layers
    try:
        check_layers()
    except ImportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    from .argtypes import join_sign_strings
    parser = build_parser()
    args = parser.parse_args(join_sign_strings(list(sys.argv[1:] if argv is None else argv)))
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    from numeric.errors import RankCollapseError

    name = f"rankcollapse {args.command}"
    import warnings
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            code = int(args._run(args) or 0)
        sys.stdout.flush()
        # warnings become one line each, without file paths (the API keeps warnings.warn)
        for msg in dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught):
            print(f"{name}: warning: {msg}", file=sys.stderr)
        return code
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, non-zero
        _silence_stdout()
        return 141
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted (Ctrl-C); the lines above are what was finished",
              file=sys.stderr)
        return 130
    except RankCollapseError as exc:
        # bad input: one clear line naming the violated assumption or argument
        print(f"{name}: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{name}: error: out of memory; choose a smaller size (each command's --help "
              "says which options set the size)", file=sys.stderr)
        return 1
    except OSError as exc:
        import errno
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
            _silence_stdout()
            print(f"{name}: error: could not write the output ({exc.strerror})",
                  file=sys.stderr)
            return 74
        return _internal_error(name, exc)
    except Exception as exc:  # a bug: one line for a user, the traceback on request
        return _internal_error(name, exc)


def _internal_error(name: str, exc: BaseException) -> int:
    import os
    if os.environ.get("RANKCOLLAPSE_DEBUG"):
        raise exc
    print(f"{name}: internal error: {type(exc).__name__}: {exc} (a bug in rankcollapse; "
          "please report it with the command line; RANKCOLLAPSE_DEBUG=1 shows the traceback)",
          file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not print a second
    BrokenPipe / ENOSPC traceback at exit."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
