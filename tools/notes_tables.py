"""Regenerate the parts of paper_notes.md that are made from the registry: the claims table
(``rankcollapse verify --markdown``), the two walkthrough lists and the pasted walkthroughs
(:mod:`rankcollapse.notes_generated`).  Run it after changing
a card; tests/soundness/test_notes_match_registry.py and tests/soundness/test_cards.py fail
until the notes agree with the cards and a registry run.

    python tools/notes_tables.py            # rewrite paper_notes.md in place
    python tools/notes_tables.py --check    # exit 1 if it would change anything
"""
from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from pathlib import Path

NOTES = Path(__file__).resolve().parents[1] / "paper_notes.md"


def claims_table() -> str:
    from rankcollapse.cli import main
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        main(["verify", "--markdown"])
    return buf.getvalue().strip()


def regenerate(text: str) -> str:
    from rankcollapse.notes_generated import regenerate as walkthroughs
    table = claims_table()
    text = re.sub(r"\| claim \| paper \|.*?\n\d+ claims, seed 0:[^\n]*", lambda m: table, text,
                  count=1, flags=re.S)
    return walkthroughs(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report whether it would change")
    args = ap.parse_args(argv)
    old = NOTES.read_text()
    new = regenerate(old)
    if args.check:
        print("paper_notes.md is up to date" if new == old else "paper_notes.md is stale")
        return 0 if new == old else 1
    NOTES.write_text(new)
    print("paper_notes.md: rewritten" if new != old else "paper_notes.md: unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
