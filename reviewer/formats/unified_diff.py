"""Unified diffs as agents, git and patch write them: split per file, headers read, hunks checked.

Splitting is lenient (a file's piece runs to the next file's header) so a hand-written patch is still
shown as it was written. Reading content out of a diff is strict: a hunk's lines must add up to the
counts in its `@@` header, and applying it needs every context and removed line to match the known
file exactly. A diff cut short (a truncated tool output) or a patch that does not fit gives no
content, never an approximation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NO_NEWLINE = "\\ No newline at end of file"


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: tuple[str, ...]  # each starting with " ", "-", "+" or "\\" (no newline at end)


def split_files(patch: str) -> list[str]:
    """Per-file pieces of a multi-file unified diff, each starting at its `diff --git` or `---` line."""
    lines = patch.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")]
    if not starts:
        starts = [
            i
            for i, line in enumerate(lines)
            if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")
        ]
    ends = [*starts[1:], len(lines)] if starts else []
    return ["".join(lines[a:b]) for a, b in zip(starts, ends, strict=True)]


def _header_names(head: str) -> tuple[str | None, str | None]:
    """The raw old and new names in a piece's headers (`a/x.py`, `/dev/null`), from `---`/`+++` or `diff --git`."""
    minus = plus = None
    for line in head.splitlines():
        if line.startswith("--- ") and minus is None:
            minus = line[4:].split("\t")[0].strip()
        elif line.startswith("+++ ") and minus is not None:
            plus = line[4:].split("\t")[0].strip()
            break
    if plus is None and head.startswith("diff --git "):
        old, sep, new = head.split("\n", 1)[0][len("diff --git ") :].partition(" b/")
        if sep:
            return old, "b/" + new.strip()
    return minus, plus


def strip_components(name: str, strip: int | None) -> str:
    """`a/src/x.py` with patch's -pN applied; N unknown (None): git's `a/` and `b/` prefixes dropped."""
    if strip is None:
        return name[2:] if name[:2] in ("a/", "b/") else name
    return "/".join(name.split("/")[strip:]) if strip else name


@dataclass(frozen=True)
class Piece:
    """What one file's piece of a diff says of its file: the path it changes (its new name, or the old
    one when deleted; None when neither is given), and the op its headers give."""

    path: str | None
    op: str  # create, delete, rename or modify
    from_path: str | None  # a rename's old path


def piece(chunk: str, strip: int | None = None) -> Piece:
    """The file and op of one piece: create (`/dev/null` before, `new file mode`), delete, rename (git's
    `rename from`, or two different names), else modify."""
    head = chunk.split("\n@@", 1)[0]
    minus, plus = _header_names(head)
    path = next((strip_components(name, strip) or None for name in (plus, minus) if name and name != "/dev/null"), None)
    if "\nnew file mode" in head or minus == "/dev/null":
        return Piece(path, "create", None)
    if "\ndeleted file mode" in head or plus == "/dev/null":
        return Piece(path, "delete", None)
    renamed = re.search(r"^rename from (.+)$", head, re.MULTILINE)
    if renamed:
        return Piece(path, "rename", renamed[1].strip())
    if minus and plus and strip_components(minus, strip) != strip_components(plus, strip) and "\ncopy from" not in head:
        return Piece(path, "rename", strip_components(minus, strip))
    return Piece(path, "modify", None)


def parse_hunks(chunk: str) -> tuple[list[Hunk], str] | None:
    """The piece's hunks and its text up to the end of the last one (trailing lines that belong to no
    hunk, such as a shell prompt, cut off); None when a hunk is cut short or miscounted."""
    lines = chunk.splitlines(keepends=True)
    hunks: list[Hunk] = []
    end = next((i for i, line in enumerate(lines) if line.startswith("@@")), len(lines))
    i = end
    while i < len(lines) and (match := _HUNK.match(lines[i])):
        old_len = int(match[2]) if match[2] is not None else 1
        new_len = int(match[4]) if match[4] is not None else 1
        body: list[str] = []
        olds = news = 0
        i += 1
        while i < len(lines) and (olds < old_len or news < new_len or (lines[i].startswith("\\") and body)):
            line = lines[i].removesuffix("\n")
            kind = line[:1] or " "
            if kind == " ":
                olds, news = olds + 1, news + 1
            elif kind == "-":
                olds += 1
            elif kind == "+":
                news += 1
            elif kind != "\\":
                return None
            body.append(line if line else " ")
            i += 1
        if olds != old_len or news != new_len:
            return None
        hunks.append(Hunk(int(match[1]), old_len, int(match[3]), new_len, tuple(body)))
        end = i
    return hunks, "".join(lines[:end])


def _sides(hunk: Hunk) -> tuple[list[str], list[str]]:
    """(old lines, new lines) of a hunk, each with its line end ("\\ No newline" removes it)."""
    old: list[str] = []
    new: list[str] = []
    last: list[list[str]] = []
    for line in hunk.lines:
        kind, text = line[0], line[1:]
        if kind == "\\":
            for side in last:
                side[-1] = side[-1].removesuffix("\n")
            continue
        last = []
        if kind in " -":
            old.append(text + "\n")
            last.append(old)
        if kind in " +":
            new.append(text + "\n")
            last.append(new)
    return old, new


def apply_hunks(before: str, hunks: list[Hunk]) -> str | None:
    """`before` with the hunks applied at their stated lines; None unless every line they expect matches."""
    source = before.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for hunk in hunks:
        old, new = _sides(hunk)
        start = hunk.old_start - 1 if hunk.old_len else hunk.old_start
        if start < at or source[start : start + len(old)] != old:
            return None
        out += source[at:start] + new
        at = start + len(old)
    return "".join(out + source[at:])


def new_file_content(hunks: list[Hunk]) -> str | None:
    """A created file's whole content: its one hunk's added lines."""
    if len(hunks) > 1 or (hunks and hunks[0].old_len):
        return None
    return "".join(_sides(hunks[0])[1]) if hunks else ""


def old_file_content(hunks: list[Hunk]) -> str | None:
    """A deleted file's whole content: its one hunk's removed lines."""
    if len(hunks) > 1 or (hunks and hunks[0].new_len):
        return None
    return "".join(_sides(hunks[0])[0]) if hunks else ""
