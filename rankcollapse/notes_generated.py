"""The parts of ``paper_notes.md`` generated from the cards and the walkthroughs.

* the walkthrough lists (which claims have one, which do not);
* each pasted walkthrough: a block that starts with a heading ``### `rankcollapse explain
  ID``` holds the output of that command (headings moved two levels down), up to the
  next such heading or the next ``## `` section.

``tools/notes_tables.py`` rewrites them (and the claims table, from a registry run);
``tests/soundness/test_notes_match_registry.py`` requires that rewriting changes nothing.
The claim ids come from the notes' own headings, not from this module.
"""
from __future__ import annotations

import re

_BLOCK = re.compile(r"(^### `rankcollapse explain ([a-z0-9-]+)`\n\n)(.*?)(?=^### `rankcollapse "
                    r"explain |^## )", re.M | re.S)


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


def pasted_walkthrough(cid: str) -> str:
    """``rankcollapse explain CID`` (Markdown) with its headings two levels down."""
    from rankcollapse.claims import walk
    from rankcollapse.explain import render
    out = render(walk(cid))
    out = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", out, flags=re.M)
    return out.rstrip() + "\n\n"


def regenerate(text: str) -> str:
    """``text`` with the walkthrough lists and every pasted walkthrough regenerated."""
    text = re.sub(r"Walkthroughs \(\d+, from `rankcollapse explain --list`\):.*?\n\n"
                  r"Without a walkthrough \(.*?\.\n", lambda m: walkthrough_lists() + "\n", text,
                  count=1, flags=re.S)
    return _BLOCK.sub(lambda m: m.group(1) + pasted_walkthrough(m.group(2)), text)


def pasted_ids(text: str) -> list[str]:
    return [m.group(2) for m in _BLOCK.finditer(text)]
