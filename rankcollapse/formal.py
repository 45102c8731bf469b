"""Re-check the Coq development in ``formal/`` and report what it proves.

A claim may name Coq theorems (its ``formal`` field).  They count as evidence only when
this module has re-checked them in this run, or finds a cache entry keyed by the SHA-256
of every ``.v`` file, ``_CoqProject`` and the ``coqc --version`` text:

1. every file listed in ``formal/_CoqProject`` compiles with ``coqc`` (in a scratch copy,
   so the checkout is not touched), in the listed order;
2. no source contains ``Admitted``, ``admit``, ``Axiom``, ``Parameter``, ``Conjecture``,
   ``Hypothesis`` / ``Variable`` outside a Section, after comments are removed;
3. ``Print Assumptions`` answers ``Closed under the global context`` for every named
   theorem, and ``Check`` gives its statement, which the report shows.

Without ``coqc`` nothing is claimed: :func:`recheck` returns status ``unavailable`` with
the one-line install hint, and claims keep the level they computed themselves.  A failing
build names the file and line that failed.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FORMAL_DIR", "INSTALL_HINT", "FormalReport", "recheck", "build", "run_coq",
           "coqdoc_html", "coqdoc_anchor",
           "CoqError", "source_files",
           "source_hash", "coq_version", "forbidden_tokens", "strip_comments",
           "LOGICAL_ROOT"]

FORMAL_DIR = Path(__file__).resolve().parent.parent / "formal"
LOGICAL_ROOT = "RankCollapse"
INSTALL_HINT = ("apt-get install coq libcoq-mathcomp-ssreflect libcoq-mathcomp-algebra "
                "libcoq-mathcomp-fingroup libcoq-mathcomp-algebra-tactics")
WARNINGS = "-notation-overridden,-ambiguous-paths,-notation-incompatible-format"
FORBIDDEN = ("Admitted", "admit", "Axiom", "Axioms", "Parameter", "Parameters",
             "Conjecture")
CLOSED = "Closed under the global context"
BUILD_TIMEOUT = 900      # seconds for the whole development (measured: well under 3 min)


def coq_version(coqc: str | None = None) -> str | None:
    """``coqc --version`` text, or None when coqc is not installed."""
    coqc = coqc or shutil.which("coqc")
    if not coqc:
        return None
    try:
        out = subprocess.run([coqc, "--version"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def source_files(root: Path = FORMAL_DIR) -> list[Path]:
    """The ``.v`` files of ``_CoqProject`` in build order."""
    project = root / "_CoqProject"
    if not project.is_file():
        raise FileNotFoundError(f"no _CoqProject in {root}")
    files = [ln.strip() for ln in project.read_text(encoding="utf-8").splitlines()
             if ln.strip().endswith(".v") and not ln.strip().startswith("-")]
    return [root / f for f in files]


def source_hash(root: Path = FORMAL_DIR, version: str | None = None) -> str:
    """SHA-256 over ``_CoqProject``, every listed ``.v`` file and the Coq version."""
    h = hashlib.sha256()
    h.update((root / "_CoqProject").read_bytes())
    for f in source_files(root):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    h.update((version or "").encode())
    return h.hexdigest()


def strip_comments(text: str) -> str:
    """Coq source with ``(* ... *)`` comments (nested) and string literals removed.

    >>> strip_comments('Lemma a : True. (* Admitted (* nested *) *) Proof. exact I. Qed.')
    'Lemma a : True.   Proof. exact I. Qed.'
    """
    out, depth, i = [], 0, 0
    in_string = False
    while i < len(text):
        two = text[i:i + 2]
        if in_string:
            if text[i] == '"':
                in_string = False
            i += 1
            continue
        if two == "(*":
            depth += 1
            i += 2
            continue
        if two == "*)" and depth:
            depth -= 1
            i += 2
            if not depth:
                out.append(" ")
            continue
        if not depth:
            if text[i] == '"':
                in_string = True
            else:
                out.append(text[i])
        i += 1
    return "".join(out)


def forbidden_tokens(text: str) -> list[tuple[int, str]]:
    """``(line, token)`` for every axiom-introducing or proof-abandoning command in
    ``text`` outside comments; top-level ``Hypothesis`` / ``Variable`` count too (inside a
    ``Section`` they become arguments of the theorems and are harmless).

    >>> forbidden_tokens('Axiom x : False.\\nLemma y : True. Proof. admit. Admitted.')
    [(1, 'Axiom'), (2, 'admit'), (2, 'Admitted')]
    >>> forbidden_tokens('Section S. Variable n : nat. End S.')
    []
    >>> forbidden_tokens('Variable n : nat.')
    [(1, 'Variable')]
    """
    code = strip_comments(text)
    found = []
    depth = 0
    for lineno, line in enumerate(code.splitlines(), 1):
        for m in re.finditer(r"\b(Section|End|Variables?|Hypothes[ie]s|Context|"
                             + "|".join(FORBIDDEN) + r")\b", line):
            tok = m.group(1)
            if tok == "Section":
                depth += 1
            elif tok == "End":
                depth = max(0, depth - 1)
            elif tok in ("Variable", "Variables", "Hypothesis", "Hypotheses", "Context"):
                if depth == 0:
                    found.append((lineno, tok))
            else:
                found.append((lineno, tok))
    return found


@dataclass
class FormalReport:
    """Outcome of re-checking the development.

    ``status``: ``checked`` (built, axiom-free, every theorem closed), ``failed`` (with
    ``error`` naming the file and line, or the theorem with assumptions) or
    ``unavailable`` (no coqc or no sources; nothing is claimed)."""

    status: str
    reason: str = ""
    coq_version: str | None = None
    source_hash: str = ""
    theorems: dict = field(default_factory=dict)   # name -> {"statement", "assumptions"}
    seconds: float = 0.0
    cached: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "checked"

    def to_json(self) -> dict:
        return {"status": self.status, "reason": self.reason, "coq_version": self.coq_version,
                "source_hash": self.source_hash, "theorems": self.theorems,
                "seconds": round(self.seconds, 2), "cached": self.cached,
                "error": self.error}


def _cache_dir() -> Path:
    base = os.environ.get("RANKCOLLAPSE_CACHE") or os.environ.get("XDG_CACHE_HOME") \
        or str(Path.home() / ".cache")
    return Path(base) / "rankcollapse" / "formal"


def _first_error(stderr: str, fallback: str) -> str:
    """``File.v, line N: message`` from coqc's error output."""
    m = re.search(r'File "(?:[^"]*/)?([^"/]+\.v)", line (\d+), characters (\d+)-(\d+):'
                  r"\s*\n?(.*?)(?:\n\S|\Z)", stderr, re.S)
    if m:
        msg = " ".join(m.group(5).split())[:300]
        return f"{m.group(1)}, line {m.group(2)}: {msg}"
    return (" ".join(stderr.split())[:300]) or fallback


def _parse_queries(stdout: str, names: list[str]) -> dict:
    """Split the output of the generated query file at its ``@@`` markers."""
    out = {}
    chunks = re.split(r"^@@ (\S+)\s*$", stdout, flags=re.M)
    # chunks = [prefix, name1, body1, name2, body2, ...]
    for name, body in zip(chunks[1::2], chunks[2::2]):
        body = body.strip()
        if CLOSED in body:
            assumptions = CLOSED
            statement = body.replace(CLOSED, "").strip()
        else:
            idx = body.find("Axioms:")
            assumptions = body[idx:].strip() if idx >= 0 else "(no Print Assumptions output)"
            statement = body[:idx].strip() if idx >= 0 else body
        statement = re.sub(r"^\S+\s*\n\s*:\s*", "", statement, count=1)
        out[name] = {"statement": " ".join(statement.split()), "assumptions": assumptions}
    for n in names:
        out.setdefault(n, {"statement": "", "assumptions": "(not found in Coq's output)"})
    return out


def _query_file(theorems: list[str], base=("Defs",)) -> str:
    """The scratch file that prints each theorem's statement and assumptions between
    ``@@ name`` markers; ``base`` modules are imported too, for readable statements."""
    modules = sorted({t.rsplit(".", 1)[0] for t in theorems})
    mods = list(dict.fromkeys(list(base) + [m.split(".", 1)[1] for m in modules]))
    lines = ["From mathcomp Require Import all_ssreflect all_algebra.",
             "Import GRing.Theory Num.Theory.", "Local Open Scope ring_scope.",
             "Unset Printing Implicit Defensive.",
             f"From {LOGICAL_ROOT} Require Import {' '.join(mods)}."]
    for t in theorems:
        lines += [f'Goal True. idtac "@@ {t}". exact I. Qed.', f"Check {t}.",
                  f"Print Assumptions {t}."]
    return "\n".join(lines) + "\n"


class CoqError(RuntimeError):
    """coqc rejected a file; the message names the file and line."""


def _coqc_args(coqc: str, work: Path) -> list[str]:
    return [coqc, "-q", "-Q", str(work), LOGICAL_ROOT, "-w", WARNINGS]


def build(work: Path, *, root: Path = FORMAL_DIR, coqc: str | None = None,
          progress=None) -> str:
    """Copy the sources of ``root`` into the directory ``work`` and compile them there in
    ``_CoqProject`` order.  Returns ``""`` on success, else ``File.v, line N: message``."""
    coqc = coqc or shutil.which("coqc")
    files = source_files(root)
    for f in files:
        shutil.copy2(f, work / f.name)
    for i, f in enumerate(files, 1):
        if progress:
            progress(f"coqc {f.name} ({i}/{len(files)})")
        try:
            out = subprocess.run(_coqc_args(coqc, work) + [str(work / f.name)],
                                 capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                                 cwd=work)
        except subprocess.TimeoutExpired:
            return f"{f.name}: coqc timed out after {BUILD_TIMEOUT} s"
        if out.returncode != 0:
            return _first_error(out.stderr + out.stdout, f.name)
    return ""


def run_coq(work: Path, source: str, *, coqc: str | None = None,
            name: str = "RankCollapseQueries.v") -> str:
    """Compile ``source`` (a scratch file) against the development built in ``work`` and
    return what Coq printed; :class:`CoqError` naming the line when it is rejected."""
    coqc = coqc or shutil.which("coqc")
    path = work / name
    path.write_text(source, encoding="utf-8")
    out = subprocess.run(_coqc_args(coqc, work) + [str(path)], capture_output=True,
                         text=True, timeout=BUILD_TIMEOUT, cwd=work)
    if out.returncode != 0:
        raise CoqError(_first_error(out.stderr + out.stdout, name))
    return out.stdout


def recheck(theorems: list[str], *, root: Path = FORMAL_DIR, use_cache: bool = True,
            coqc: str | None = None, progress=None) -> FormalReport:
    """Build ``root`` with coqc and check every fully qualified theorem name in
    ``theorems`` (``RankCollapse.File.name``); see the module docstring."""
    coqc = coqc or shutil.which("coqc")
    version = coq_version(coqc) if coqc else None
    if not version:
        return FormalReport("unavailable", reason="coqc not found: the formal proofs were "
                            f"not re-checked (to install: {INSTALL_HINT})")
    try:
        files = source_files(root)
    except FileNotFoundError as exc:
        return FormalReport("unavailable", reason=f"{exc}: the formal proofs were not "
                            "re-checked", coq_version=version)
    bad = [t for t in theorems if not re.fullmatch(rf"{LOGICAL_ROOT}(\.[A-Za-z_]\w*){{2}}", t)]
    if bad:
        raise ValueError(f"formal theorem names must read {LOGICAL_ROOT}.File.name: {bad}")
    digest = source_hash(root, version)
    # the key covers the sources, the Coq version, the names asked for and the query text
    base = tuple(m for m in ("Defs",) if (root / f"{m}.v") in files)
    query = _query_file(sorted(theorems), base)
    key = hashlib.sha256((digest + "\0" + query).encode()).hexdigest()
    cache = _cache_dir() / f"{key}.json"
    if use_cache and cache.is_file():
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            if data.get("status") == "checked" and data.get("source_hash") == digest:
                rep = FormalReport(**data)
                rep.cached = True
                return rep
        except (OSError, ValueError, TypeError):
            pass
    t0 = time.perf_counter()
    for f in files:
        hits = forbidden_tokens(f.read_text(encoding="utf-8"))
        if hits:
            line, tok = hits[0]
            return FormalReport("failed", coq_version=version, source_hash=digest,
                                error=f"{f.name}, line {line}: forbidden command {tok!r}",
                                seconds=time.perf_counter() - t0)
    with tempfile.TemporaryDirectory(prefix="rankcollapse-coq-") as tmp:
        work = Path(tmp)
        err = build(work, root=root, coqc=coqc, progress=progress)
        if err:
            return FormalReport("failed", coq_version=version, source_hash=digest, error=err,
                                seconds=time.perf_counter() - t0)
        try:
            out = run_coq(work, query, coqc=coqc)
        except CoqError as exc:
            return FormalReport("failed", coq_version=version, source_hash=digest,
                                error=str(exc), seconds=time.perf_counter() - t0)
        found = _parse_queries(out, theorems)
    open_ = [n for n, v in found.items() if v["assumptions"] != CLOSED]
    rep = FormalReport("checked" if not open_ else "failed", coq_version=version,
                       source_hash=digest, theorems=found,
                       seconds=time.perf_counter() - t0,
                       error="" if not open_ else
                       f"not closed under the global context: {', '.join(open_)}")
    if rep.ok and use_cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(rep.to_json()), encoding="utf-8")
        except OSError:
            pass  # a read-only home: the next run re-checks
    return rep


def coqdoc_html(out: Path, *, root: Path = FORMAL_DIR, coqc: str | None = None) -> str:
    """Render the development as HTML into ``out`` with ``coqdoc`` (ships with Coq), after
    building it in a scratch directory (coqdoc reads the ``.glob`` files for its links).
    Returns ``""`` on success, else the reason in one line.  Pages are named
    ``RankCollapse.File.html`` with an anchor per definition and theorem."""
    coqc = coqc or shutil.which("coqc")
    coqdoc = shutil.which("coqdoc")
    if not (coqc and coqdoc):
        return f"coqc / coqdoc not found (to install: {INSTALL_HINT})"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # the rendered pages are cached under the hash of the sources and the Coq version (the
    # pages only show the sources; nothing is claimed from them)
    cached = _cache_dir() / f"coqdoc-{source_hash(root, coq_version(coqc))[:32]}"
    if (cached / "index.html").is_file():
        shutil.copytree(cached, out, dirs_exist_ok=True)
        return ""
    with tempfile.TemporaryDirectory(prefix="rankcollapse-coqdoc-") as tmp:
        work = Path(tmp)
        err = build(work, root=root, coqc=coqc)
        if err:
            return err
        files = [str(work / f.name) for f in source_files(root)]
        res = subprocess.run([coqdoc, "--html", "--utf8", "-d", str(out), "-R", str(work),
                              LOGICAL_ROOT, "--toc", "--index", "index"] + files,
                             capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        if res.returncode != 0:
            return " ".join((res.stderr or res.stdout).split())[:300]
    try:
        tmp_cache = cached.with_name(cached.name + f".tmp{os.getpid()}")
        shutil.copytree(out, tmp_cache, dirs_exist_ok=True)
        tmp_cache.replace(cached)
    except OSError:
        pass  # no cache (read-only home): the next build renders again
    return ""


def coqdoc_anchor(theorem: str) -> str:
    """``RankCollapse.Theorem1.theorem1_core`` -> ``RankCollapse.Theorem1.html#theorem1_core``."""
    module, name = theorem.rsplit(".", 1)
    return f"{module}.html#{name}"
