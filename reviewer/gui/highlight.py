"""Pygments highlighting that never blocks the GUI thread: lex in a worker, put text and formats in slices.

Pygments is pure Python (~1 MB/s for Python source) and `QSyntaxHighlighter` is eager, so lexing a
big diff inside `highlightBlock` would freeze the window for seconds. Instead:

1. `line_ranges` (Qt-free) lexes the shown lines once into per-line `(utf16_start, length,
   token_id)` tuples. Code lines of a diff are lexed as whole old-side and new-side streams per
   file, so multi-line strings and comments stay right; the diff prefix and header lines get the
   `DiffLexer` token types (`Generic.Inserted`, `Generic.Deleted`, `Generic.Heading`, ...).
2. The caller runs it in a worker (`workers.Task`), which hands plain Python results back to the GUI
   thread; nothing here that runs there touches a widget or a `QTextDocument`.
3. `SlicedLoader` puts a text into an editor and then its formats (one cached `QTextCharFormat` per
   token type, built on the GUI thread) straight into the blocks' layouts, visible blocks first, in
   ~8 ms slices, so the event loop keeps running while megabytes of text and formats land.

Positions are UTF-16 code units (what Qt counts), never code points (docs/untrusted-text.md R7).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Comment, Generic, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextLayout
from PySide6.QtWidgets import QPlainTextEdit

from reviewer.edits import language_for
from reviewer.gui.step_sections import utf16_len
from reviewer.gui.workers import Cancelled
from reviewer.unidiff import LineKind, header_path

Range = tuple[int, int, int]  # utf16_start, length, token id (`token_type` gives the Pygments type back)
_RowRange = tuple[int, int, int, int]  # row, utf16_start, length, token id
STYLE = get_style_by_name("default")
SLICE_SECONDS = 0.008  # GUI-thread budget per slice of inserted text or applied formats: well under one frame
CHUNK_CHARS = 32_768  # text appended per insertText, cut at the next line break: ~1-2 ms each
FORMAT_BATCH = 64  # blocks formatted between two looks at the clock


_TOKEN_TYPES: list[_TokenType] = []  # token id -> token type; only grows
_TOKEN_LOCK = threading.Lock()


@cache
def token_id(ttype: _TokenType) -> int:
    """A small int standing for a token type in ranges.

    Ranges hold ints, not token types, so a megabyte of them is tuples of ints, which Python's cycle
    collector stops tracking. Tuples holding a token type stay tracked: 200 k of them made each full
    collection (run by whichever thread allocates, GIL held) block the GUI thread for ~50 ms.
    """
    with _TOKEN_LOCK:  # two threads may both miss the cache: each gets a valid id
        _TOKEN_TYPES.append(ttype)
        return len(_TOKEN_TYPES) - 1


def token_type(tid: int) -> _TokenType:
    return _TOKEN_TYPES[tid]


_CODE = (LineKind.CONTEXT, LineKind.ADDED, LineKind.REMOVED)
_WHOLE_LINE = {LineKind.HEADER: Generic.Heading, LineKind.HUNK: Generic.Subheading, LineKind.NOTE: Comment}
_PREFIX = {LineKind.ADDED: Generic.Inserted, LineKind.REMOVED: Generic.Deleted}


@dataclass(slots=True)
class Pane:
    """The lines one viewer shows (already made visible and truncated) and what each line is.

    `prefix` is 1 when code lines keep their diff marker (unified view), 0 when they do not
    (side-by-side). `language` is the Pygments alias for code lines until a `+++ path` header
    switches it (multi-file patches).
    """

    lines: list[str]
    kinds: list[LineKind]
    prefix: int
    language: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _style_of(ttype: _TokenType) -> Mapping[str, Any]:
    """The style of a token type, or of its nearest parent the style knows: some lexers make their own
    types (the Pony lexer's `Name.Type`), which `style_for_token` refuses with a KeyError."""
    while not STYLE.styles_token(ttype) and ttype.parent is not None:
        ttype = ttype.parent
    return STYLE.style_for_token(ttype)


@cache
def _styled(ttype: _TokenType) -> bool:
    """Whether the style gives this token type any look; unstyled tokens cost no setFormat call."""
    s = _style_of(ttype)
    return bool(s["color"] or s["bold"] or s["italic"] or s["underline"])


def _lex_stream(
    pane: Pane, rows: list[int], language: str, out: list[_RowRange], cancelled: Callable[[], bool], removed_only: bool
) -> None:
    """Lex the code of `rows` as one text and add each row's ranges (shifted past the prefix) to `out`.

    With `removed_only`, context rows are lexed for continuity but their ranges come from the new side.
    """
    try:
        lexer = get_lexer_by_name(language, stripnl=False, stripall=False, ensurenl=True)
    except ClassNotFound:
        return
    lines, kinds, prefix = pane.lines, pane.kinds, pane.prefix
    code = "\n".join(lines[r][prefix:] for r in rows) + "\n"
    k, col = 0, prefix
    row, kept = rows[0], not removed_only or kinds[rows[0]] is LineKind.REMOVED
    for n, (ttype, value) in enumerate(lexer.get_tokens(code)):
        if n % 2000 == 0 and cancelled():
            raise Cancelled
        parts = value.split("\n")
        tid = token_id(ttype) if _styled(ttype) else None
        for i, part in enumerate(parts):
            if i:
                k += 1
                if k >= len(rows):
                    return
                row, col = rows[k], prefix
                kept = not removed_only or kinds[row] is LineKind.REMOVED
            if part:
                length = utf16_len(part)
                if tid is not None and kept:
                    last = out[-1] if out else None
                    if last is not None and last[0] == row and last[3] == tid and last[1] + last[2] == col:
                        out[-1] = (row, last[1], last[2] + length, tid)
                    else:
                        out.append((row, col, length, tid))
                col += length


def line_ranges(pane: Pane, cancelled: Callable[[], bool] = lambda: False) -> list[tuple[Range, ...]]:
    """Per shown line, the styled token ranges in UTF-16 units. Pure: safe to run in a worker.

    Per file section, removed lines are lexed with the old-side stream (context + removed) and
    added lines with the new-side stream (context + added); context takes the new side when the
    section adds anything. A side with no changes is not lexed twice. Ranges are gathered in one
    flat list and grouped per line at the end into tuples: no list per line, and nothing the cycle
    collector keeps tracking (see `token_id`).
    """
    flat: list[_RowRange] = []
    sections: list[tuple[str, list[int], list[int], bool, bool]] = []
    language, added, removed = pane.language, False, False
    old: list[int] = []
    new: list[int] = []
    for row, (line, kind) in enumerate(zip(pane.lines, pane.kinds, strict=True)):
        if kind in _WHOLE_LINE:
            if line:
                flat.append((row, 0, utf16_len(line), token_id(_WHOLE_LINE[kind])))
            if kind is LineKind.HEADER and line.startswith("+++ "):
                sections.append((language, old, new, added, removed))
                language, old, new, added, removed = language_for(header_path(line)), [], [], False, False
        elif kind in _CODE:
            if pane.prefix and kind in _PREFIX:
                flat.append((row, 0, pane.prefix, token_id(_PREFIX[kind])))
            if kind is not LineKind.ADDED:
                old.append(row)
                removed |= kind is LineKind.REMOVED
            if kind is not LineKind.REMOVED:
                new.append(row)
                added |= kind is LineKind.ADDED
    sections.append((language, old, new, added, removed))
    for language, old, new, added, removed in sections:
        if language == "text":
            continue
        if old and (removed or not added):
            _lex_stream(pane, old, language, flat, cancelled, removed_only=added)
        if added:
            _lex_stream(pane, new, language, flat, cancelled, removed_only=False)
    flat.sort(key=itemgetter(0))  # stable: a line's prefix range stays before its tokens
    out: list[tuple[Range, ...]] = [()] * len(pane.lines)
    for row, group in groupby(flat, key=itemgetter(0)):
        out[row] = tuple((start, length, tid) for _, start, length, tid in group)
    return out


@cache
def char_format(ttype: _TokenType) -> QTextCharFormat:
    """The one shared format for a token type, from the Pygments style (GUI thread only)."""
    style = _style_of(ttype)
    fmt = QTextCharFormat()
    if style["color"]:
        fmt.setForeground(QColor(f"#{style['color']}"))
    if style["bold"]:
        fmt.setFontWeight(QFont.Weight.Bold)
    if style["italic"]:
        fmt.setFontItalic(True)
    if style["underline"]:
        fmt.setFontUnderline(True)
    return fmt


def _format_range(start: int, length: int, tid: int) -> QTextLayout.FormatRange:
    r = QTextLayout.FormatRange()
    r.start, r.length, r.format = start, length, char_format(_TOKEN_TYPES[tid])
    return r


class SlicedLoader(QObject):
    """Puts a text, then its token formats, into a `QPlainTextEdit` in ~8 ms slices of the GUI thread.

    Text: the first chunk by `setPlainText`, so the first screenful paints at once; the rest is
    appended at the end with a `QTextCursor`, whole lines at a time (`setPlainText` of 2 MB alone
    blocks for ~100 ms). Formats: no `QSyntaxHighlighter`, which is eager: inside `setPlainText`, and
    for every appended block, it calls the Python `highlightBlock` once per block. Instead each block's
    `QTextLayout` gets its `FormatRange`s (what a highlighter sets too) and `markContentsDirty` lays it
    out again, visible blocks first. Formats go in once the whole text is in: every block exists then,
    and nothing edits a formatted block afterwards.

    `busy` from `reset(awaiting=True)` or `load` until the text and the ranges have landed; then `done`.
    `text_loaded` says the whole text is in (positions past the first chunk exist from then on).
    """

    text_loaded = Signal()
    done = Signal()

    def __init__(self, editor: QPlainTextEdit):
        super().__init__(editor)
        self._editor = editor
        self._awaiting_text = False
        self._text = ""
        self._at = 0  # how much of `_text` is in the document
        self._inserting = False
        self._cursor = QTextCursor(editor.document())
        self._awaiting_ranges = False
        self._ranges: Sequence[Sequence[Range]] = ()
        self._pending: list[int] = []  # block numbers still to format, a stack
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    @property
    def busy(self) -> bool:
        return self._awaiting_text or self._inserting or self._awaiting_ranges or bool(self._pending)

    @property
    def text_complete(self) -> bool:
        return not self._awaiting_text and not self._inserting

    def reset(self, awaiting: bool) -> None:
        """Empty the editor and drop pending work; `awaiting` when a text will follow (busy until then)."""
        self._timer.stop()
        self._text, self._at, self._inserting = "", 0, False
        self._awaiting_ranges, self._ranges, self._pending = False, (), []
        self._awaiting_text = awaiting
        self._editor.setPlainText("")

    def load(self, text: str) -> None:
        """Show `text` (the first slice now, the rest from the event loop); its ranges follow by `apply`."""
        self.reset(awaiting=False)
        self._text, self._inserting, self._awaiting_ranges = text, True, True
        self._step()

    def apply(self, ranges: Sequence[Sequence[Range]]) -> None:
        """Per-block ranges for the loaded text; applied once the whole text is in."""
        self._awaiting_ranges, self._ranges = False, ranges
        if not self._inserting:
            self._queue_formats()
        self._step()

    def _step(self) -> None:
        """Insert text, then apply formats, until the time budget is spent; the timer resumes the rest.

        Each step does at least one chunk or batch, so the work ends however slow the machine.
        """
        deadline = time.perf_counter() + SLICE_SECONDS
        worked = False
        while self._inserting and (not worked or time.perf_counter() < deadline):
            self._insert_chunk()
            worked = True
        if self._inserting:
            self._timer.start()
            return
        document, pending, ranges = self._editor.document(), self._pending, self._ranges
        while pending and (not worked or time.perf_counter() < deadline):
            worked = True
            for n in reversed(pending[-FORMAT_BATCH:]):
                block = document.findBlockByNumber(n)
                block.layout().setFormats([_format_range(*r) for r in ranges[n]])
                document.markContentsDirty(block.position(), block.length())
            del pending[-FORMAT_BATCH:]
        if pending:
            self._timer.start()
        else:
            self._timer.stop()
            if not self._awaiting_ranges and not self._awaiting_text:
                self.done.emit()

    def _insert_chunk(self) -> None:
        text, at = self._text, self._at
        cut = text.find("\n", at + CHUNK_CHARS)
        cut = len(text) if cut < 0 else cut
        if at == 0:
            self._editor.setPlainText(text[:cut])
            self._cursor = QTextCursor(self._editor.document())
            self._cursor.movePosition(QTextCursor.MoveOperation.End)
        else:
            self._cursor.insertText(text[at:cut])
        self._at = cut
        if cut == len(text):
            self._inserting = False
            self.text_loaded.emit()
            if not self._awaiting_ranges:
                self._queue_formats()

    def _queue_formats(self) -> None:
        """Stack the blocks that have ranges: visible ones on top, then the rest from the top down."""
        editor, ranges = self._editor, self._ranges
        first = editor.firstVisibleBlock().blockNumber()
        last = first + editor.viewport().height() // max(1, editor.fontMetrics().height()) + 1
        rows = [n for n in range(len(ranges) - 1, -1, -1) if ranges[n]]
        self._pending = [n for n in rows if not first <= n <= last] + [n for n in rows if first <= n <= last]
