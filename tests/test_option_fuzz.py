"""Every option of every subcommand, generated from the argument parsers themselves, fed
the values that broke the tool before: huge, negative, nan, inf, 1e400, empty,
non-numeric, and unwritable paths.  Each case runs ``main`` in a forked child under
resource limits (1.5 GiB of address space above the parent's, 60 s of CPU: limits, not
wall-clock asserts) and must end with a documented exit code, no traceback, and, when the
input is refused, exactly one line on stderr."""
from __future__ import annotations

import argparse
import os
import resource
import sys

import pytest

from rankcollapse.cli import build_parser

#: documented exit codes (rankcollapse --help)
DOCUMENTED = {0, 1, 2, 74, 130, 141}

#: a cheap, valid command line per subcommand; one option at a time is replaced
BASE = {
    "verify": ["verify", "--claim", "attention-row-stochastic"],
    "simulate": ["simulate", "--n", "4", "--d", "2", "--layers", "2"],
    "mask": ["mask", "causal", "--n", "8"],
    "counterexample": ["counterexample", "--n", "3", "--d", "3", "--w", "3"],
    "figures": ["figures", "--out", "{tmp}/figs", "--only", "fig1"],
    "probe": ["probe", "--layers", "1", "--seq-len", "4", "--batch", "1"],
    "blueprint": ["blueprint", "--out", "{tmp}/site", "--no-evidence"],
    "explain": ["explain", "corollary-2"],
}

THOROUGH = os.environ.get("RANKCOLLAPSE_PROFILE") == "thorough"
#: the values that broke the tool before; the thorough profile adds the rest of the classes
NUMERIC_BAD = ["1e400", "nan", "-1", "99999999999999999999"] + \
    (["inf", "", "abc"] if THOROUGH else [])
PATH_BAD = ["/proc/x", "{tmp}/a_file.txt"] + (["/dev/null/x", ""] if THOROUGH else [])
TEXT_BAD = ["__import__('os').system('true')", "a" * 5000] + (["", "\x00"] if THOROUGH else [])
CHOICE_BAD = ["not-a-choice"] + ([""] if THOROUGH else [])

#: options whose value is free text validated by the command itself
TEXT_OPTIONS = {"--claim", "--w", "--signs", "--certify-delta", "--depth", "--backend",
                "--schedule", "--globals", "--mask", "--instance", "--model", "--only",
                "--parallel-backend", "--from-json", "--figures"}
PATH_OPTIONS = {"--out", "--plot"}


def _subparsers():
    p = build_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def _cases():
    out = []
    for name, sp in _subparsers().items():
        for a in sp._actions:
            if not a.option_strings or a.nargs == 0 or isinstance(a, argparse._HelpAction):
                continue
            opt = a.option_strings[-1]
            if a.choices is not None:
                values = CHOICE_BAD
            elif opt in PATH_OPTIONS:
                values = PATH_BAD
            elif opt in TEXT_OPTIONS:
                values = TEXT_BAD
            else:
                values = NUMERIC_BAD
            for v in values:
                out.append(pytest.param(name, opt, v, id=f"{name}{opt}={v[:12]!r}"))
    return out


def _argv(name: str, opt: str, value: str, tmp) -> list[str]:
    base = [x.replace("{tmp}", str(tmp)) for x in BASE[name]]
    value = value.replace("{tmp}", str(tmp))
    if opt in base:
        i = base.index(opt)
        return base[:i] + [f"{opt}={value}"] + base[i + 2:]
    return base + [f"{opt}={value}"]


def _child(argv, out_path, err_path):
    """Runs in a process forked by a single-threaded fork server (no lock can be held by
    another thread at fork time): limits, redirection, then the command."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (used + 1536 * 2 ** 20, hard))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 61))
    fd_out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    fd_err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd_out, 1)
    os.dup2(fd_err, 2)
    sys.stdout = os.fdopen(1, "w")
    sys.stderr = os.fdopen(2, "w")
    try:
        from rankcollapse.cli import main
        try:
            code = main(argv)
        except SystemExit as exc:                         # argparse exits
            code = exc.code if isinstance(exc.code, int) else 2
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code or 0))
    except BaseException:
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(99)


_CTX = None


def _context():
    """A fork server that imports the heavy modules once: every child starts warm."""
    global _CTX
    if _CTX is None:
        import multiprocessing as mp
        _CTX = mp.get_context("forkserver")
        _CTX.set_forkserver_preload(["numpy", "sympy", "flint", "rankcollapse.cli",
                                     "rankcollapse.claims", "numeric.dynamics",
                                     "counterexamples.jordan", "counterexamples.coupled_proof",
                                     "rankcollapse.explain", "rankcollapse.models",
                                     "tests.test_option_fuzz"])
    return _CTX


#: a deadlock guard, not a speed requirement: a child still running after this many seconds
#: of wall time is stuck (its CPU limit is 60 s), and the case fails
HANG_GUARD = 600


def _run_limited(argv, tmp) -> tuple[int, str]:
    """main(argv) in a child process with address-space and CPU limits; (code, stderr)."""
    err_path, out_path = tmp / "stderr.txt", tmp / "stdout.txt"
    p = _context().Process(target=_child, args=(argv, str(out_path), str(err_path)))
    p.start()
    p.join(HANG_GUARD)
    if p.is_alive():
        p.kill()
        p.join()
        return -9, "child did not finish (deadlock or hang)"
    err = err_path.read_text(errors="replace") if err_path.exists() else ""
    code = p.exitcode
    return (code if code is not None and code >= 0 else code), err


@pytest.mark.parametrize("name, opt, value", _cases())
def test_every_option_answers_in_one_line(name, opt, value, tmp_path):
    (tmp_path / "a_file.txt").write_text("x")
    argv = _argv(name, opt, value, tmp_path)
    code, err = _run_limited(argv, tmp_path)
    assert "Traceback" not in err, (argv, err[-2000:])
    assert "internal error" not in err, (argv, err[-2000:])
    assert code in DOCUMENTED, (argv, code, err[-2000:])
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[")]
        assert len(lines) == 1, (argv, err)


def test_the_generator_covers_every_option():
    """A negative control on the generator: every option of every subcommand appears."""
    cases = {(c.values[0], c.values[1]) for c in _cases()}
    for name, sp in _subparsers().items():
        assert name in BASE, f"add a cheap base command line for {name!r}"
        for a in sp._actions:
            if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction):
                assert (name, a.option_strings[-1]) in cases
