"""Line-numbered windows of a file as SWE-agent's editors print them, and the edit between two of them.

SWE-agent's windowed and cursor editors never print a diff: after each command they show a window
of the file (`[File: path (N lines total)]`, `(K more lines above)`, `123:text` lines, cursor
markers). The window shown before an edit and the one after it give the changed lines with their
real numbers, as long as the change lies inside both windows: lines above an edit keep their
numbers, lines below it move by the change in the total. Nothing outside the windows is invented:
when the change is not seen whole (the windows do not overlap around it, or it runs past their
edges), there is no windowed edit and callers fall back to what the command itself says.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.edits import header_name, make_diff
from reviewer.unidiff import hunk_header

_HEADER = re.compile(r"^\[File: (?P<path>[^\n]+?) \((?P<total>\d+) lines total\)\]\r?$", re.MULTILINE)
_ABOVE = re.compile(r"\(\d+ more lines above\)")
_CURSOR = frozenset({"<<<<< START CURSOR >>>>>", "<<<<< END CURSOR >>>>>"})


@dataclass(frozen=True, slots=True)
class Window:
    """Lines `first`.. of a file of `total` lines, as shown."""

    path: str
    total: int
    first: int
    lines: tuple[str, ...]

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1

    @property
    def whole(self) -> bool:
        return self.first == 1 and len(self.lines) == self.total

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    @classmethod
    def of_file(cls, path: str, content: str) -> Window:
        """A file whose whole content is known, as a window over all of it."""
        lines = tuple(content.split("\n"))
        lines = lines[:-1] if content.endswith("\n") or not content else lines
        return cls(path, len(lines), 1, lines)


def windows_in(text: str) -> list[Window]:
    """Every window an output shows, in order (a refused edit shows the would-be window, then the original)."""
    found = []
    for header in _HEADER.finditer(text):
        total = int(header["total"])
        # A window holds at most `total` numbered lines, two cursor markers and its "more lines" notes.
        lines_after = text[header.end() + 1 :].split("\n", min(total, 10**7) + 4)
        first, lines = _numbered(lines_after)
        if first is not None and first >= 1 and first + len(lines) - 1 <= total:
            found.append(Window(header["path"], total, first, tuple(lines)))
        elif first is None and total == 0:
            found.append(Window(header["path"], 0, 1, ()))
    return found


def _numbered(lines: list[str]) -> tuple[int | None, list[str]]:
    """(first line number, texts) of the consecutive `N:text` lines a window shows, markers skipped."""
    first: int | None = None
    texts: list[str] = []
    for line in lines:
        line = line.removesuffix("\r")
        if line in _CURSOR or (first is None and _ABOVE.fullmatch(line)):
            continue
        number, colon, rest = line.partition(":")
        if not colon or not number.isdigit() or not number.isascii():
            break
        if first is None:
            first = int(number)
        elif int(number) != first + len(texts):
            break
        texts.append(rest)
    return first, texts


@dataclass(frozen=True, slots=True)
class WindowEdit:
    """The change between two windows: a diff with real line numbers; whole files when one side was whole."""

    diff: str
    before: str | None
    after: str | None


def edit_between(path: str, before: Window, after: Window, added: str | None = None) -> WindowEdit | None:
    """The edit that turned the file shown in `before` into the one shown in `after`, or None when the
    windows do not show it whole. `added`: the text the command wrote, which must show in `after`."""
    delta = after.total - before.total
    lo = max(before.first, after.first)  # the first line both windows show, in old and new numbering alike
    hi_old = min(before.last, after.last - delta)  # the last old line whose new place the after-window shows
    hi_new = hi_old + delta
    if hi_old < lo - 1 or hi_new < lo - 1:
        return None
    old = before.lines[lo - before.first : hi_old - before.first + 1]
    new = after.lines[lo - after.first : hi_new - after.first + 1]
    top = lo == 1 or (bool(old) and bool(new) and old[0] == new[0])
    bottom = (hi_old == before.total and hi_new == after.total) or (bool(old) and bool(new) and old[-1] == new[-1])
    if old == new or not (top and bottom) or (added is not None and added not in "\n".join(new)):
        return None
    whole_before = (
        "".join(line + "\n" for line in (*before.lines[: lo - 1], *old, *before.lines[hi_old:])) if before.whole else None
    )
    whole_after = "".join(line + "\n" for line in (*after.lines[: lo - 1], *new, *after.lines[hi_new:])) if after.whole else None
    if whole_before is None and whole_after is not None:
        whole_before = "".join(line + "\n" for line in (*after.lines[: lo - 1], *old, *after.lines[hi_new:]))
    elif whole_after is None and whole_before is not None:
        whole_after = "".join(line + "\n" for line in (*before.lines[: lo - 1], *new, *before.lines[hi_old:]))
    if whole_before is not None and whole_after is not None:
        return WindowEdit(make_diff(path, whole_before, whole_after), whole_before, whole_after)
    return WindowEdit(_hunks(path, old, new, lo), None, None)


def _opcodes(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with the common head and tail taken off first: difflib is quadratic at worst,
    and a window (a hostile one too) may be long where an edit is a few lines."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    middle = difflib.SequenceMatcher(None, old[head : len(old) - tail], new[head : len(new) - tail], autojunk=False)
    codes = [("equal", 0, head, 0, head)] if head else []
    codes += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle.get_opcodes()]
    if tail:
        codes.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return codes


def _groups(codes: list[tuple[str, int, int, int, int]], context: int = 3) -> list[list[tuple[str, int, int, int, int]]]:
    """Opcodes in hunks with `context` equal lines around each change, as `SequenceMatcher.get_grouped_opcodes`."""
    codes = [c for c in codes if c[1] != c[2] or c[3] != c[4]]
    if codes and codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if codes and codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[tuple[str, int, int, int, int]]] = [[]]
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            groups[-1].append((tag, i1, i1 + context, j1, j1 + context))
            groups.append([])
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        groups[-1].append((tag, i1, i2, j1, j2))
    return [g for g in groups if g and not (len(g) == 1 and g[0][0] == "equal")]


def _hunks(path: str, old: Sequence[str], new: Sequence[str], first: int) -> str:
    """A unified diff of two runs of lines that both start at line `first` of their file."""
    out = [f"--- {header_name('a', path)}\n", f"+++ {header_name('b', path)}\n"]
    for group in _groups(_opcodes(old, new)):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(hunk_header(first + i1, i2 - i1, first + j1, j2 - j1))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [f" {line}\n" for line in old[a1:a2]]
                continue
            out += [f"-{line}\n" for line in old[a1:a2]]
            out += [f"+{line}\n" for line in new[b1:b2]]
    return "".join(out)
