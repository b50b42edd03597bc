"""Unified diffs, read one way by everything that reads them: the app's diff panes and highlighting,
edit reconstruction from patches and printed diffs, and whatever else needs a diff's lines. Qt-free.

Reading a line: `classify` says what each line of a diff is (header, hunk header, context, added,
removed, note), counting each hunk's lengths from its `@@` header so `--- x` inside a hunk is a
removal, not a header; a hunk whose position is unknown (`@@ position unknown @@`, written for edits
whose file was never seen) runs to the end. `header_path` reads a `---`/`+++` line's file.

Reading content: splitting is lenient (a file's piece runs to the next file's header) so a
hand-written patch is still shown as it was written. Reading content out of a diff is strict: a
hunk's lines must add up to the counts in its `@@` header, and applying it needs every context and
removed line to match the known file exactly. A diff cut short (a truncated tool output) or a patch
that does not fit gives no content, never an approximation.

Writing: `hunk_header` and `placeless_header` are the `@@` lines edit reconstruction writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_PLACELESS = re.compile(r"^@@ [^-+\d][^@]* @@$")  # `@@ position unknown @@`, `@@ insert after line 3 @@` (`placeless_header`)
NO_NEWLINE = "\\ No newline at end of file"


class LineKind(IntEnum):
    """What one line of a diff is (and, for FILLER, a row a side-by-side view adds)."""

    HEADER = 0  # diff --git, index, ---, +++
    HUNK = 1  # @@ -a,b +c,d @@
    CONTEXT = 2
    ADDED = 3
    REMOVED = 4
    NOTE = 5  # "\ No newline at end of file", and notes a view adds (truncation, unknown before-state)
    FILLER = 6  # empty row that keeps the two sides of a side-by-side view aligned


_MARKERS = {" ": LineKind.CONTEXT, "": LineKind.CONTEXT, "+": LineKind.ADDED, "-": LineKind.REMOVED, "\\": LineKind.NOTE}


def hunk_lengths(line: str) -> tuple[int, int, int, int] | None:
    """(old start, old length, new start, new length) of an `@@ -a,b +c,d @@` line; None for any other."""
    match = _HUNK.match(line)
    if match is None:
        return None
    return (
        int(match[1]),
        int(match[2]) if match[2] is not None else 1,
        int(match[3]),
        int(match[4]) if match[4] is not None else 1,
    )


def body_kind(line: str) -> LineKind | None:
    """The kind of a line inside a hunk, by its marker; None for a line no hunk can hold."""
    return _MARKERS.get(line[:1])


def classify(lines: list[str]) -> list[LineKind]:
    """Kinds of a diff's lines (without line ends), counting hunk lengths so `--- x` inside a hunk is a
    removal. Lenient, for showing: a line a hunk cannot hold counts as context."""
    kinds: list[LineKind] = []
    old_left = new_left = 0
    for line in lines:
        if old_left > 0 or new_left > 0:
            kind = body_kind(line) or LineKind.CONTEXT
            kinds.append(kind)
            old_left -= kind in (LineKind.CONTEXT, LineKind.REMOVED)
            new_left -= kind in (LineKind.CONTEXT, LineKind.ADDED)
        elif (lengths := hunk_lengths(line)) is not None:
            kinds.append(LineKind.HUNK)
            old_left, new_left = lengths[1], lengths[3]
        elif _PLACELESS.match(line):
            kinds.append(LineKind.HUNK)
            old_left = new_left = len(lines)  # a snippet's one hunk, length unsaid: every line after it
        elif line.startswith("\\"):
            kinds.append(LineKind.NOTE)
        else:
            kinds.append(LineKind.HEADER)
    return kinds


def change_counts(diff: str) -> tuple[int, int]:
    """(lines added, lines removed) of a diff."""
    kinds = classify(diff.split("\n"))
    return kinds.count(LineKind.ADDED), kinds.count(LineKind.REMOVED)


def header_path(line: str) -> str:
    """The file a `--- ` or `+++ ` header line names, git's `a/`/`b/` prefix dropped (`/dev/null` as is)."""
    return strip_components(_header_name(line), None)


def _header_name(line: str) -> str:
    """The raw name of a `--- `/`+++ ` line (`a/x.py`, `/dev/null`): up to a tab (diff -u's timestamp)."""
    return line[4:].split("\t", 1)[0].strip()


def patch_paths(patch: str) -> list[str]:
    """Files a multi-file patch touches, from its `+++` headers (`---` for deletions), in order."""
    lines = patch.split("\n")
    paths = [
        header_path(line)
        for line, kind in zip(lines, classify(lines), strict=True)
        if kind is LineKind.HEADER and line.startswith(("+++ ", "--- "))
    ]
    return list(dict.fromkeys(path for path in paths if path != "/dev/null"))


def hunk_header(old_start: int, old_len: int, new_start: int, new_len: int) -> str:
    """An `@@` line as `diff -u` writes it (an empty range names the line before; a length of 1 is left out)."""

    def span(start: int, length: int) -> str:
        return str(start) if length == 1 else f"{start - 1 if length == 0 else start},{length}"

    return f"@@ -{span(old_start, old_len)} +{span(new_start, new_len)} @@\n"


def placeless_header(where: str = "position unknown") -> str:
    """The `@@` line of a hunk whose place in its file is unknown, saying in words what is known of it;
    `classify` runs such a hunk to the end of the diff."""
    return f"@@ {where} @@\n"


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
            minus = _header_name(line)
        elif line.startswith("+++ ") and minus is not None:
            plus = _header_name(line)
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
    hunk, such as a shell prompt, cut off); None when a hunk is cut short or miscounted. Strict, for
    content: a line no hunk can hold inside a hunk fails it."""
    lines = chunk.splitlines(keepends=True)
    hunks: list[Hunk] = []
    end = next((i for i, line in enumerate(lines) if line.startswith("@@")), len(lines))
    i = end
    while i < len(lines) and (lengths := hunk_lengths(lines[i])) is not None:
        old_start, old_len, new_start, new_len = lengths
        body: list[str] = []
        olds = news = 0
        i += 1
        while i < len(lines) and (olds < old_len or news < new_len or (lines[i].startswith("\\") and body)):
            line = lines[i].removesuffix("\n")
            kind = body_kind(line)
            if kind is None:
                return None
            olds += kind in (LineKind.CONTEXT, LineKind.REMOVED)
            news += kind in (LineKind.CONTEXT, LineKind.ADDED)
            body.append(line if line else " ")
            i += 1
        if olds != old_len or news != new_len:
            return None
        hunks.append(Hunk(old_start, old_len, new_start, new_len, tuple(body)))
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
