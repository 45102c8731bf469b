"""Regenerate the parts of paper_notes.md that are made from the registry: the claims table
(``rankcollapse verify --markdown``) and the two walkthrough lists.  Run it after changing
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


def walkthrough_lists() -> str:
    from rankcollapse.claims import load, walkthroughs
    reg, walks = load(), walkthroughs()
    have = sorted(walks)
    without = [c for c in reg if c not in walks]
    return (f"Walkthroughs ({len(have)}, from `rankcollapse explain --list`): "
            + ", ".join(f"`{c}`" for c in have) + ".\n\n"
            f"Without a walkthrough ({len(without)} of the {len(reg)} claims; `explain` "
            "prints the statement, the uses, the function, the test and the notes section): "
            + ", ".join(f"`{c}`" for c in without) + ".")


def regenerate(text: str) -> str:
    table = claims_table()
    text = re.sub(r"\| claim \| paper \|.*?\n\d+ claims, seed 0:[^\n]*", lambda m: table, text,
                  count=1, flags=re.S)
    text = re.sub(r"Walkthroughs \(\d+, from `rankcollapse explain --list`\):.*?\n\n"
                  r"Without a walkthrough \(.*?\.\n", lambda m: walkthrough_lists() + "\n", text,
                  count=1, flags=re.S)
    return text


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
