"""SEARCH/REPLACE edit blocks, the edit language of Aider and Cline (and Roo Code's apply_diff).

    <<<<<<< SEARCH            (Cline also writes `------- SEARCH`)
    lines the file holds
    =======
    lines to put there
    >>>>>>> REPLACE           (Cline also writes `+++++++ REPLACE`)

The tools replace the first exact occurrence of each SEARCH text, block after block. Applying them
again here rebuilds the file after the edit when the file before it is known; when only the file
after is known (Cline reports it), undoing the blocks rebuilds the file before, but only where each
REPLACE text occurs exactly once, so nothing is guessed. Otherwise the edit keeps the blocks alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.edits import header_name
from reviewer.unidiff import placeless_header

SEARCH = re.compile(r"^(?:<{5,}|-{5,}) ?SEARCH\s*$")
DIVIDER = re.compile(r"^={5,}\s*$")
REPLACE = re.compile(r"^(?:>{5,}|\+{5,}) ?REPLACE\s*$")
# Roo Code's apply_diff starts a block with where it goes: `:start_line:12` (and `-------`).
_ROO_HEADER = re.compile(r"^:(?:start|end)_line:\s*\d+\s*$|^-{3,}\s*$")


@dataclass(frozen=True, slots=True)
class Block:
    search: str
    replace: str


def parse_blocks(text: str) -> tuple[list[Block], bool]:
    """The blocks of a SEARCH/REPLACE text, and whether it was complete (an unclosed block is dropped)."""
    blocks: list[Block] = []
    lines = text.splitlines(keepends=True)
    i, complete = 0, True
    while i < len(lines):
        if not SEARCH.match(lines[i]):
            i += 1
            continue
        i += 1
        while i < len(lines) and _ROO_HEADER.match(lines[i]) and not DIVIDER.match(lines[i]):
            i += 1
        search: list[str] = []
        while i < len(lines) and not DIVIDER.match(lines[i]):
            search.append(lines[i])
            i += 1
        replace: list[str] = []
        i += 1
        while i < len(lines) and not REPLACE.match(lines[i]):
            replace.append(lines[i])
            i += 1
        if i >= len(lines):
            complete = False
            break
        blocks.append(Block("".join(search), "".join(replace)))
        i += 1
    return blocks, complete


def apply_blocks(before: str, blocks: list[Block]) -> str | None:
    """The file after the blocks, or None when a SEARCH text is not in it (the tool would have refused)."""
    text = before
    for block in blocks:
        if not block.search:
            text += block.replace  # an empty SEARCH creates the file, or adds to its end
        elif block.search in text:
            text = text.replace(block.search, block.replace, 1)
        else:
            return None
    return text


def undo_blocks(after: str, blocks: list[Block]) -> str | None:
    """The file before the blocks, from the file after them, when each REPLACE text occurs exactly once."""
    text = after
    for block in reversed(blocks):
        if not block.search:
            if not text.endswith(block.replace):
                return None
            text = text[: len(text) - len(block.replace)]
            continue
        if not block.replace or text.count(block.replace) != 1:
            return None
        text = text.replace(block.replace, block.search, 1)
    return text


def blocks_diff(path: str, blocks: list[Block]) -> str:
    """The blocks as hunks of a diff whose line numbers are unknown: what the edit asked for, nothing more."""
    out = [f"--- {header_name('a', path)}\n+++ {header_name('b', path)}\n"]
    for block in blocks:
        out.append(placeless_header())
        out += [f"-{line}\n" for line in block.search.splitlines()]
        out += [f"+{line}\n" for line in block.replace.splitlines()]
    return "".join(out)
