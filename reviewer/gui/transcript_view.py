"""The transcript: task pinned on top, an outline of the steps beside one continuous scroll of step cards.

Every step reads as a card (`step_cards`: header, then thinking, text or tool output, tool calls,
edits as a diff), one after the other in one read-only `QPlainTextEdit`. A 5,000-step, 50 MB run is
never put in the document whole (about 100 MB of UTF-16 plus layout, and seconds on the GUI thread):
the document holds a window of consecutive cards around what is on screen. Scrolling near either end
adds the next cards (a few per event, so no event stalls), and cards far out of sight are dropped;
the text on screen stays where it is while cards come and go above it. Any step is one jump away in
the outline (a `QListView` with uniform rows: cheap for any number of steps), and the outline follows
the card at the top of the transcript.

The outline marks steps with edits (✎), test or grader file edits (⚠), failed tool calls (⊘), test
runs (the icon: `step_model`), evidence spans (◆), find hits (⌕) and, only once the reviewer's first
pass is revealed (`reviewer.blind`, the main window decides), steps that detectors, judges or
classifiers point at (⚑).

All trajectory text goes in as plain text (docs/untrusted-text.md R1), control characters shown as
escapes, ANSI colour (SGR) sequences in tool output hidden and applied as char formats
(`reviewer.ansi`: foreground clamped to a readable colour, nothing that could hide text), and
selections map back to code-point offsets of `spans.source_text`, so evidence spans taken here pass
`span_problem`. Section headers have a background no agent text can have (ANSI backgrounds are
ignored), so coloured output cannot pass for a header.

Find runs in a worker (`workers.Task` in the app-wide "find" pool) over its own `StepTexts`: it counts
every hit (up to `MAX_HITS`), the first hit at or after the current step shows as soon as it is
found, and F3 / Shift+F3 then walk the hit list without searching again. A newer find or trajectory
cancels the old search and drops its results (token).

Public API, for the main window:
- `set_trajectory(t)`, `trajectory`, `current_step()`
- `show_step(i)`, `next_step()`, `previous_step()`; signal `step_selected(int)`
- `toggle_section(source=None)`: collapse or expand the section under the cursor (or `source`);
  `toggle_step()`: all sections of the current step; `folded` / `set_folded(kinds)`: the kinds of
  section that start collapsed (signal `folded_changed`, for the app's settings)
- `find_text(text)`, `find_next() -> bool`, `find_previous() -> bool`, `focus_find()`: every step and section,
  collapsed text included; asynchronous, signal `find_finished(int)` (the hit count) when the count is known
- `selected_span() -> EvidenceSpan | None`, `highlight_spans(spans)`, `show_span(span) -> bool`
- `set_suggestions(suggestions)`: outline marks for what raters point at (the app passes none before the reveal)
Its keys are in the app's one table (`keymap.SHORTCUTS`), bound to these methods by the main window.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from time import perf_counter

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.ansi import Colour, Style, readable
from reviewer.edits import QUICK_DIFF_CHARS, DiffTexts
from reviewer.gui.step_cards import Card, Piece, render_card
from reviewer.gui.step_model import LEGEND, StepListModel
from reviewer.gui.step_sections import TITLES, Found, Hit, Section, StepTexts
from reviewer.gui.widgets import PlainLabel, paint_evidence
from reviewer.gui.workers import Task, app_pool
from reviewer.model import EvidenceSpan, Suggestion, Trajectory
from reviewer.textsafe import visible

TASK_CHARS = 100_000  # the pinned task is a summary; the full prompt is the first user step
TASK_LINES = 5
DEBOUNCE_MS = 60  # outline-driven jumps wait this long, so holding an arrow key does not jump to every step
FIND_DEBOUNCE_MS = 300  # typing in the find field searches once the reviewer pauses (Enter searches at once)
MAX_HITS = 10_000  # a find stops counting here ("10,000+"): enough to walk, bounded in memory and time
MAX_STYLED_RUNS = 10_000  # ANSI-coloured runs formatted per card (~5 ms per 1,000); the rest shows plain
FILL_MS = 20  # cards are added for at most this long per event; the rest follows in the next turn of the loop
AHEAD_PAGES = 2  # cards are added while less than this many screens of text lie beyond the one on screen
KEEP_PAGES = 4  # cards wholly further than this many screens away are dropped
TRIM_AFTER = 8  # ... once the window holds more cards than this
HEADER = QColor("#55606e")
HEADER_BACKGROUND = QColor("#eceff3")
FOLDABLE = ("thinking", "tool_output", "tool_call", "diff")  # the kinds a reviewer may fold by default

_TOKENS = itertools.count(1)  # search and diff tokens: a late result of an older request is dropped


def _read_only(editor: QPlainTextEdit) -> QPlainTextEdit:
    editor.setReadOnly(True)
    editor.setUndoRedoEnabled(False)
    editor.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return editor


class TranscriptView(QWidget):
    step_selected = Signal(int)
    find_finished = Signal(int)  # the hit count (at most MAX_HITS) of the search `find` started
    folded_changed = Signal(list)  # the kinds of section that start collapsed, as the reviewer set them

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._trajectory: Trajectory | None = None
        self._texts: StepTexts | None = None
        self._find_texts: StepTexts | None = None  # the find worker's own, over the same trajectory
        self._step = -1
        self._expanded: dict[tuple[int, str], bool] = {}  # the reviewer's toggles; default: short sections open
        self._focus: dict[tuple[int, str], int] = {}  # where an expanded over-long section's window is centred
        self._folded: frozenset[str] = frozenset()  # kinds of section collapsed unless toggled open
        self._cards: list[Card] = []  # the window of consecutive steps in the document
        self._starts: list[int] = []  # where each card starts in the document (UTF-16)
        self._diff_tasks: dict[int, int] = {}  # step -> token of its diff being computed in a worker
        self._moving = False  # a programmatic scroll: the current step is set, not read from the top card
        self._filling = False
        self._spans: list[EvidenceSpan] = []
        self._formats: dict[tuple[Style, Colour], QTextCharFormat] = {}
        self._needle = ""  # the text of the latest find
        self._task: Task | None = None  # its search, while it runs
        self._found: Found | None = None  # its hits, once counted
        self._current = -1  # the index in `_found.hits` shown
        self._shown_hit: Hit | None = None  # the hit last selected by find
        self._moves = 0  # F3 / Shift+F3 presses while the search runs, applied when it lands

        self.task = _read_only(QPlainTextEdit())
        self.find_field = QLineEdit()
        self.find_field.setPlaceholderText("Find in all steps (Ctrl+F)")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.returnPressed.connect(self._on_find_return)
        self.find_field.textEdited.connect(self._on_find_edited)
        self.find_status = PlainLabel()
        self._find_timer = QTimer(self, singleShot=True, interval=FIND_DEBOUNCE_MS)
        self._find_timer.timeout.connect(self._on_find_paused)
        self.model = StepListModel()
        self.steps = QListView()
        self.steps.setUniformItemSizes(True)
        self.steps.setLayoutMode(QListView.LayoutMode.Batched)  # a 5,000-step list is laid out across event-loop turns
        self.steps.setBatchSize(500)
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setModel(self.model)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.steps.setMinimumWidth(100)
        self.steps.selectionModel().currentChanged.connect(self._on_current_changed)
        self.legend = PlainLabel(LEGEND, wrap=True)  # a small key under the outline
        font = self.legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.legend.setFont(font)
        self.viewer = _read_only(QPlainTextEdit())
        self.viewer.setMinimumWidth(280)
        self.viewer.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._load_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._load_timer.timeout.connect(self._load_current_row)
        self._fill_timer = QTimer(self, singleShot=True, interval=0)
        self._fill_timer.timeout.connect(self._fill)
        self.fold_actions: dict[str, QAction] = {}
        self._layout_widgets()
        self.setFocusProxy(self.viewer)  # Esc (the window's) comes back to the text being read

    def _layout_widgets(self) -> None:
        find_bar = QHBoxLayout()
        find_bar.setContentsMargins(0, 0, 0, 0)
        find_bar.addWidget(self.find_field, 1)
        for text, slot in (("▲", self.find_previous), ("▼", self.find_next)):
            button = QToolButton()
            button.setText(text)
            button.clicked.connect(slot)
            find_bar.addWidget(button)
        find_bar.addWidget(self.find_status)
        fold = QToolButton()
        fold.setText("Fold")
        fold.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(fold)
        for kind in FOLDABLE:
            action = menu.addAction(f"Start {TITLES[kind].lower()} collapsed")  # fixed words only
            action.setCheckable(True)
            action.toggled.connect(self._on_fold_toggled)
            self.fold_actions[kind] = action
        fold.setMenu(menu)
        find_bar.addWidget(fold)
        outline = QWidget()
        column = QVBoxLayout(outline)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.steps, 1)
        column.addWidget(self.legend)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(outline)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 1)  # both narrow with the window, the text most
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([230, 770])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.task)
        layout.addLayout(find_bar)
        layout.addWidget(self.splitter, 1)

    # -- loading and navigation

    @property
    def trajectory(self) -> Trajectory | None:
        return self._trajectory

    def current_step(self) -> int:
        return self._step

    def set_trajectory(self, trajectory: Trajectory | None, diffs: DiffTexts | None = None) -> None:
        """Show a run; `diffs` are its diff texts when another view already computes them."""
        self._load_timer.stop()
        self._fill_timer.stop()
        self._clear()  # before the texts change: a scroll while clearing must find no card of the old run
        self._stop_find()
        self._needle = ""  # Enter searches the new run, even for the same text
        self._trajectory, self._step = trajectory, -1
        diffs = diffs if diffs is not None or trajectory is None else DiffTexts(trajectory.file_edits)
        self._texts = StepTexts(trajectory, diffs) if trajectory else None
        self._find_texts = StepTexts(trajectory, diffs) if trajectory else None  # the worker's own, same diff cache
        self._expanded.clear()
        self._focus.clear()
        self._diff_tasks.clear()
        self._spans = []
        self.model.set_trajectory(trajectory)
        prompt = trajectory.task.prompt if trajectory else ""
        self.task.setPlainText(visible(prompt[:TASK_CHARS]) + ("\n…" if len(prompt) > TASK_CHARS else ""))
        lines = min(TASK_LINES, prompt.count("\n", 0, TASK_CHARS) + 1)  # short tasks leave room for the transcript
        self.task.setFixedHeight(self.task.fontMetrics().lineSpacing() * lines + 12)
        self.find_status.clear()
        if trajectory and trajectory.steps:
            self.show_step(0)

    def show_step(self, index: int) -> None:
        """Scroll step `index`'s card to the top, at once (programmatic jumps are not debounced)."""
        if self._trajectory is None or not 0 <= index < len(self._trajectory.steps):
            return
        self._load_timer.stop()
        with self._programmatic():
            if self._card_index(index) is None:
                self._open_at(index)
            k = self._card_index(index)
            assert k is not None
            cursor = QTextCursor(self.viewer.document())
            cursor.setPosition(self._starts[k])
            self.viewer.setTextCursor(cursor)
            self._scroll_to(self._starts[k])
            self._set_step(index)
            self._fill()

    def next_step(self) -> None:
        self.show_step(self._step + 1)

    def previous_step(self) -> None:
        self.show_step(self._step - 1)

    def _on_current_changed(self, current: QModelIndex | QPersistentModelIndex, _previous: object) -> None:
        if current.isValid() and current.row() != self._step:
            self._load_timer.start()

    def _load_current_row(self) -> None:
        row = self.steps.currentIndex().row()
        if row >= 0 and row != self._step:
            self.show_step(row)

    def _set_step(self, step: int) -> None:
        if step == self._step:
            return
        self._step = step
        if self.steps.currentIndex().row() != step:
            self.steps.setCurrentIndex(self.model.index(step, 0))
        self.step_selected.emit(step)

    @contextmanager
    def _programmatic(self) -> Iterator[None]:
        """Scrolls inside are the view's own: the current step is what the caller sets, not the top card."""
        was, self._moving = self._moving, True
        try:
            yield
        finally:
            self._moving = was

    # -- the window of cards

    def _clear(self) -> None:
        self._cards, self._starts = [], []  # first: clearing scrolls, and a scroll must find no card
        self.viewer.clear()

    def _card_index(self, step: int) -> int | None:
        if not self._cards or not self._cards[0].step <= step <= self._cards[-1].step:
            return None
        return step - self._cards[0].step

    def _card_at(self, position: int) -> int:
        return max(0, bisect_right(self._starts, position) - 1)

    def _open_at(self, step: int) -> None:
        """A fresh window starting at `step` (one card before it, so scrolling up is at once possible)."""
        self._clear()
        self._insert(0, self._render(step))
        if step > 0:
            self._insert(0, self._render(step - 1))
        self._apply_highlights()

    def _render(self, step: int) -> Card:
        assert self._texts is not None
        texts = self._texts
        diffs = texts.diffs
        pending = step in self._diff_tasks or diffs.uncomputed_at(step) > QUICK_DIFF_CHARS  # difflib on big files: a worker
        if pending and step not in self._diff_tasks:
            token = next(_TOKENS)
            self._diff_tasks[step] = token
            task = Task(token, lambda _cancelled, _report: diffs.at_step(step))
            task.signals.done.connect(self._on_diff_computed)
            task.start(app_pool("diff-count"))
        mark = self.model.mark(step)
        return render_card(
            texts,
            step,
            lambda section: self._is_open(step, section),
            lambda section: self._focus.get((step, section.source), 0),
            mark=mark.describe() if mark is not None else None,
            diff_pending=pending,
            budget=MAX_STYLED_RUNS,
        )

    def _is_open(self, step: int, section: Section) -> bool:
        default = not section.long and section.source not in self._folded
        return self._expanded.get((step, section.source), default)

    def _insert(self, k: int, card: Card) -> None:
        """Put `card` in the document before card `k` (k = len: at the end)."""
        at = self._starts[k] if k < len(self._cards) else self._end()
        cursor = QTextCursor(self.viewer.document())
        cursor.beginEditBlock()
        cursor.setPosition(at)
        cursor.insertText(card.text, QTextCharFormat())  # a plain format, never the neighbouring header's
        self._format(cursor, at, card)
        cursor.endEditBlock()
        self._cards.insert(k, card)
        self._starts.insert(k, at)
        for j in range(k + 1, len(self._starts)):
            self._starts[j] += card.length

    def _remove(self, k: int) -> None:
        card, at = self._cards.pop(k), self._starts.pop(k)
        cursor = QTextCursor(self.viewer.document())
        cursor.setPosition(at)
        cursor.setPosition(at + card.length, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        for j in range(k, len(self._starts)):
            self._starts[j] -= card.length

    def _replace(self, step: int) -> None:
        """Render a step's card again (toggled, paged, its diff computed), the text on screen kept in place."""
        k = self._card_index(step)
        if k is None:
            return
        with self._keeping_top(by_text=True):
            self._remove(k)
            self._insert(k, self._render(step))
        self._apply_highlights()

    def _end(self) -> int:
        return self._starts[-1] + self._cards[-1].length if self._cards else 0

    def _format(self, cursor: QTextCursor, at: int, card: Card) -> None:
        header = self._header_format()
        for start, length, style in card.runs:
            cursor.setPosition(at + start)
            cursor.setPosition(at + start + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(header if style is None else self._ansi_format(style))

    def _top(self) -> int:
        """The document position at the top left of the viewer."""
        return self.viewer.cursorForPosition(QPoint(0, 0)).position()

    @contextmanager
    def _keeping_top(self, by_text: bool = False) -> Iterator[None]:
        """Keep the text at the top of the viewer where it is while cards change above or around it.

        With `by_text` (the top card itself is rendered again, perhaps with another page of a section), the
        anchor is the section's title or a source offset in its text, so the same text stays on screen."""
        if not self._cards:
            yield
            return
        top = self._top()
        k = self._card_at(top)
        card, at = self._cards[k], self._starts[k]
        rel = top - at
        piece = next((p for p in card.pieces if p.region <= rel < p.end), None) if by_text else None
        anchor = (
            None
            if piece is None
            else (piece.section.source, piece.shown.to_source(rel - piece.start) if rel >= piece.start else None)
        )
        step = card.step
        with self._programmatic():
            yield
            j = self._card_index(step)
            if j is None:
                return
            new, target = self._cards[j], self._starts[j] + min(rel, self._cards[j].length - 1)
            if anchor is not None:
                source, src = anchor
                found = [p for p in new.pieces if p.section.source == source]
                hit = next((p for p in found if src is None or p.shown.start <= src <= p.shown.end), None)
                if hit is not None:
                    target = self._starts[j] + (hit.region + 1 if src is None else hit.start + hit.shown.to_shown(src))
            self._scroll_to(target)

    def _scroll_to(self, position: int) -> None:
        """Put the line holding `position` at the top (the scroll bar counts lines)."""
        block = self.viewer.document().findBlock(position)
        line = 0
        layout = block.layout()
        if layout is not None and layout.lineCount():
            found = layout.lineForTextPosition(position - block.position())
            line = found.lineNumber() if found.isValid() else 0
        self.viewer.verticalScrollBar().setValue(block.firstLineNumber() + line)

    def _on_scrolled(self, _value: int) -> None:
        if self._moving or self._filling or not self._cards:
            return
        self._fill()
        bar, last = self.viewer.verticalScrollBar(), self._cards[-1]
        at_end = bar.value() >= bar.maximum() and self._trajectory is not None and last.step == len(self._trajectory.steps) - 1
        self._set_step(last.step if at_end else self._cards[self._card_at(self._top())].step)  # the end: the last step

    def _fill(self) -> None:
        """Add cards while less than AHEAD_PAGES screens lie beyond the screen either way, drop far ones.

        Works for FILL_MS at most, then continues in the next turn of the event loop."""
        if self._filling or not self._cards or self._trajectory is None:
            return
        self._filling = True
        try:
            self._turn_pages()
            bar, last = self.viewer.verticalScrollBar(), len(self._trajectory.steps) - 1
            ahead = AHEAD_PAGES * max(bar.pageStep(), 10)
            deadline = perf_counter() + FILL_MS / 1000
            more = False
            window = (self._cards[0].step, self._cards[-1].step)
            while self._cards[-1].step < last and bar.maximum() - bar.value() < ahead:
                self._insert(len(self._cards), self._render(self._cards[-1].step + 1))
                if more := perf_counter() > deadline:
                    break
            while not more and self._cards[0].step > 0 and bar.value() < ahead:
                with self._keeping_top():
                    self._insert(0, self._render(self._cards[0].step - 1))
                more = perf_counter() > deadline
            added = window[0] - self._cards[0].step + self._cards[-1].step - window[1]
            self._trim(added + 1)
            if window != (self._cards[0].step, self._cards[-1].step) and self._spans:
                self._apply_highlights()
            if more:
                self._fill_timer.start()
        finally:
            self._filling = False

    def _trim(self, limit: int) -> None:
        """Drop cards wholly more than KEEP_PAGES screens above or below the screen, at most `limit` each way:
        as many as this event added and one more, so the window stays bounded and dropping costs no more
        at once than adding."""
        if len(self._cards) <= TRIM_AFTER:
            return
        document = self.viewer.document()
        keep = KEEP_PAGES * max(self.viewer.viewport().height() // max(self.viewer.fontMetrics().lineSpacing(), 1), 10)
        for _ in range(limit):
            if (
                len(self._cards) <= 3
                or document.findBlock(self._starts[1]).blockNumber() >= document.findBlock(self._top()).blockNumber() - keep
            ):
                break
            with self._keeping_top():
                self._remove(0)
        for _ in range(limit):
            if (
                len(self._cards) <= 3
                or document.findBlock(self._starts[-1]).blockNumber() <= document.findBlock(self._bottom()).blockNumber() + keep
            ):
                break
            self._remove(len(self._cards) - 1)

    def _bottom(self) -> int:
        return self.viewer.cursorForPosition(QPoint(0, self.viewer.viewport().height())).position()

    def _turn_pages(self) -> None:
        """An expanded section's "more lines" note in sight: show the next page of it in its place."""
        if not any(card.pages for card in self._cards):
            return
        top, bottom = self._top(), self._bottom()
        for card, at in zip(self._cards, self._starts, strict=True):
            for page in card.pages:
                if top <= at + page.position <= bottom:
                    self._focus[(card.step, page.source)] = page.focus
                    self._replace(card.step)
                    return  # one page per event; the next scroll turns the next

    def _on_diff_computed(self, token: int, _text: object, _error: object) -> None:
        step = next((s for s, t in self._diff_tasks.items() if t == token), None)
        if step is not None:
            del self._diff_tasks[step]
            self._replace(step)  # still in the window: show it with its edits

    # -- sections: collapse, expand, fold by default

    def _piece(self, source: str, step: int | None = None) -> Piece | None:
        """The first shown piece of `source` in a step's card (the current step's by default), at its
        document position; None when that step is not in the window or shows no such section."""
        k = self._card_index(self._step if step is None else step)
        if k is None:
            return None
        pieces = self._cards[k].pieces_of(source)
        if not pieces:
            return None
        p, at = pieces[0], self._starts[k]
        return Piece(p.section, at + p.region, at + p.start, p.shown)

    def _cursor_place(self) -> int:
        """Where the reviewer is: the text cursor when it is on screen, else the top of the screen."""
        rect = self.viewer.cursorRect()
        if self.viewer.viewport().rect().intersects(rect):
            return self.viewer.textCursor().position()
        return self._top()

    def toggle_section(self, source: str | None = None) -> None:
        """Collapse or expand one section of the current step: `source`, else the one under the cursor
        (or the top of the screen), else the step's first."""
        k = self._card_index(self._step)
        if k is None or not self._cards[k].pieces:
            return
        card, at = self._cards[k], self._starts[k]
        if source is None:
            place = self._cursor_place()
            if not at <= place < at + card.length:
                place = at
            piece = next((p for p in reversed(card.pieces) if p.region <= place - at), card.pieces[0])
        else:
            found = card.pieces_of(source)
            if not found:
                return
            piece = found[0]
        section = piece.section
        key = (card.step, section.source)
        self._expanded[key] = not self._is_open(card.step, section)
        self._replace(card.step)
        self._cursor_to_title(card.step, section.source)

    def toggle_step(self) -> None:
        """Collapse every section of the current step when any is open, else expand them all."""
        k = self._card_index(self._step)
        if k is None or not self._cards[k].pieces:
            return
        card = self._cards[k]
        sections = {p.section.source: p.section for p in card.pieces}
        open_any = any(self._is_open(card.step, s) for s in sections.values())
        for source in sections:
            self._expanded[(card.step, source)] = not open_any
        self._replace(card.step)
        self._cursor_to_title(card.step, next(iter(sections)))

    def _cursor_to_title(self, step: int, source: str) -> None:
        title = self._piece(source, step)
        if title is not None:
            cursor = self.viewer.textCursor()
            cursor.setPosition(title.region + 3)  # inside the title line (after its line break and arrow)
            self.viewer.setTextCursor(cursor)
            with self._programmatic():
                self.viewer.ensureCursorVisible()

    @property
    def folded(self) -> list[str]:
        return sorted(self._folded)

    def set_folded(self, kinds: Iterable[str]) -> None:
        """The kinds of section that start collapsed (a section the reviewer toggled keeps its state)."""
        folded = frozenset(k for k in kinds if k in FOLDABLE)
        for kind, action in self.fold_actions.items():
            action.blockSignals(True)
            action.setChecked(kind in folded)
            action.blockSignals(False)
        if folded != self._folded:
            self._folded = folded
            self._rerender_all()

    def _on_fold_toggled(self) -> None:
        self.set_folded(kind for kind, action in self.fold_actions.items() if action.isChecked())
        self.folded_changed.emit(self.folded)

    def _rerender_all(self) -> None:
        if self._cards:
            with self._keeping_top():
                for card in list(self._cards):
                    k = self._card_index(card.step)
                    assert k is not None
                    self._remove(k)
                    self._insert(k, self._render(card.step))
            self._apply_highlights()

    def _reveal(self, hit: Hit) -> bool:
        """Show the step, expand the section if the hit is not shown, and select `hit` (code points).

        A non-empty hit that shows as nothing (it lies inside a hidden ANSI colour code) selects the
        character after it, so the reviewer still sees where it is.
        """
        if self._trajectory is None or self._texts is None or not 0 <= hit.step < len(self._trajectory.steps):
            return False
        located = self._locate(hit)
        if located is None:
            key = self._key(hit.step, hit.source)
            if key is None:
                return False
            self._expanded[key] = True
            self._focus[key] = hit.start
            with self._programmatic():
                if self._card_index(hit.step) is None:
                    self._open_at(hit.step)
                else:
                    self._replace(hit.step)
            located = self._locate(hit)
            if located is None:
                return False
        at, piece = located
        a, b = piece.shown.to_shown(hit.start), piece.shown.to_shown(hit.end)
        cursor = self.viewer.textCursor()
        cursor.setPosition(at + a)
        if a == b and hit.start < hit.end and piece.shown.utf16_length:
            if a == piece.shown.utf16_length:
                cursor.movePosition(QTextCursor.MoveOperation.PreviousCharacter, QTextCursor.MoveMode.KeepAnchor)
            else:
                cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor)
        else:
            cursor.setPosition(at + b, QTextCursor.MoveMode.KeepAnchor)
        with self._programmatic():
            self.viewer.setTextCursor(cursor)
            self.viewer.ensureCursorVisible()
            self._set_step(hit.step)
            self._fill()
        return True

    def _locate(self, hit: Hit) -> tuple[int, Piece] | None:
        """(document position of the piece's text, the piece) showing all of `hit`, if one is in the window."""
        k = self._card_index(hit.step)
        if k is None:
            return None
        for piece in self._cards[k].pieces_of(hit.source):
            if piece.shown.start <= hit.start and hit.end <= piece.shown.end:
                return self._starts[k] + piece.start, piece
        return None

    def _key(self, step: int, source: str) -> tuple[int, str] | None:
        """The toggle key of the section showing `source` at `step` (the final answer may be shown as the text)."""
        assert self._texts is not None
        k = self._card_index(step)
        sections = [p.section for p in self._cards[k].pieces] if k is not None else self._texts.sections(step)
        section = next((s for s in sections if s.shows(source)), None)
        if section is None and k is not None:
            section = next((s for s in self._texts.sections(step) if s.shows(source)), None)
        return (step, section.source) if section is not None else None

    def _header_format(self) -> QTextCharFormat:
        """Headers have a background, which no ANSI-coloured agent text can have, so none can fake one."""
        fmt = QTextCharFormat()
        fmt.setForeground(HEADER)
        fmt.setBackground(HEADER_BACKGROUND)
        fmt.setFontWeight(QFont.Weight.DemiBold)
        return fmt

    def _ansi_format(self, style: Style) -> QTextCharFormat:
        """The format of an ANSI style, its colour clamped to one readable on the viewer's background (cached)."""
        base = self.viewer.palette().color(QPalette.ColorRole.Base)
        background = (base.red(), base.green(), base.blue())
        fmt = self._formats.get((style, background))
        if fmt is None:
            fmt = QTextCharFormat()
            if style.colour is not None:
                fmt.setForeground(QColor(*readable(style.colour, background)))
            if style.bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            if style.italic:
                fmt.setFontItalic(True)
            if style.underline:
                fmt.setFontUnderline(True)
            self._formats[(style, background)] = fmt
        return fmt

    # -- find

    def focus_find(self) -> None:
        self.find_field.setFocus()
        self.find_field.selectAll()

    def find_text(self, text: str) -> None:
        """Start searching every step for `text` (case-insensitive), cancelling any search before it.

        Returns at once. The first hit at or after the current step is selected as soon as it is found;
        `find_finished` carries the count once every hit is known.
        """
        self._find_timer.stop()
        if self.find_field.text() != text:
            self.find_field.setText(text)
        self._stop_find()
        self._needle = text
        if not text or self._find_texts is None:
            self.find_status.clear()
            return
        texts, pattern, origin = self._find_texts, re.compile(re.escape(text), re.IGNORECASE), max(self._step, 0)
        task = Task(next(_TOKENS), lambda cancelled, report: texts.find_all(pattern, origin, MAX_HITS, cancelled, report))
        task.signals.progress.connect(self._on_first_hit)
        task.signals.done.connect(self._on_find_done)
        self._task = task
        self.find_status.setText("searching…")
        task.start(app_pool("find"))

    def find_next(self) -> bool:
        """Select the next hit (wrapping); False when there is no search or it found nothing."""
        return self._move(1)

    def find_previous(self) -> bool:
        """Select the previous hit (wrapping); False when there is no search or it found nothing."""
        return self._move(-1)

    def _move(self, by: int) -> bool:
        if self._find_timer.isActive():  # typed but not yet searched: search now, showing the first hit
            self.find_text(self.find_field.text())
            return True
        if self._task is not None:
            self._moves += by  # taken when the hit list lands
            return True
        if self._found is None or not self._found.hits:
            return False
        self._show_hit((self._current + by) % len(self._found.hits))
        return True

    def _stop_find(self) -> None:
        """Cancel the running search (its results will be dropped) and forget the hit list."""
        self._find_timer.stop()
        if self._task is not None:
            self._task.withdraw(app_pool("find"))
        self._task, self._found, self._current, self._shown_hit, self._moves = None, None, -1, None, 0
        self.model.set_marked("find", ())

    def _on_first_hit(self, token: int, hit: Hit) -> None:
        if self._task is None or token != self._task.token or self._shown_hit is not None:
            return
        self._shown_hit = hit
        self._reveal(hit)
        self.find_status.setText(f"{self._where(hit)} · counting hits…")

    def _on_find_done(self, token: int, found: Found | None, _error: object) -> None:
        if self._task is None or token != self._task.token or found is None:
            return  # a newer search or trajectory owns the view now
        self._task = None
        self._found = found
        self.model.set_marked("find", (hit.step for hit in found.hits))
        if found.hits:
            index = (found.first + self._moves) % len(found.hits)
            # the first hit is on screen already, maybe scrolled since by the reviewer: leave it be
            self._show_hit(index, reveal=found.hits[index] != self._shown_hit)
        else:
            self.find_status.setText("no match")
        self._moves = 0
        self.find_finished.emit(len(found.hits))

    def _show_hit(self, index: int, reveal: bool = True) -> None:
        assert self._found is not None
        self._current = index
        hit = self._shown_hit = self._found.hits[index]
        if reveal:
            self._reveal(hit)
        total = f"{len(self._found.hits):,}{'+' if self._found.capped else ''}"
        self.find_status.setText(f"hit {index + 1:,} of {total} · {self._where(hit)}")

    def _where(self, hit: Hit) -> str:
        return f"step {hit.step} · {TITLES[hit.source].lower()}"

    def _on_find_edited(self, _text: str) -> None:
        self._find_timer.start()

    def _on_find_paused(self) -> None:
        self.find_text(self.find_field.text())

    def _on_find_return(self) -> None:
        text = self.find_field.text()
        searched = self._task is not None or self._found is not None
        if text == self._needle and searched and not self._find_timer.isActive():
            self.find_next()
        else:
            self.find_text(text)

    # -- evidence and outline marks

    def selected_span(self) -> EvidenceSpan | None:
        """The viewer's selection as an evidence span (code points into `source_text`); None across sections."""
        cursor = self.viewer.textCursor()
        a, b = cursor.selectionStart(), cursor.selectionEnd()
        if a == b or not self._cards:
            return None
        k = self._card_at(a)
        card, at = self._cards[k], self._starts[k]
        for piece in card.pieces:
            if at + piece.start <= a and b <= at + piece.end:
                start = piece.shown.to_source(a - at - piece.start)
                end = piece.shown.to_source(b - at - piece.start, round_up=True)
                if start == end:
                    return None
                return EvidenceSpan(card.step, piece.section.source, start, end, piece.section.text[start:end])
        return None

    def highlight_spans(self, spans: list[EvidenceSpan]) -> None:
        """Paint these spans wherever their step is shown (replaces the previous set), and mark their steps."""
        self._spans = list(spans)
        texts = self._texts
        self.model.set_marked("evidence", (texts.step_of(s.step, s.source) for s in spans) if texts else ())
        self._apply_highlights()

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        """Mark the steps raters point at, in suggestions about the run shown (others are ignored). The main
        window passes none before the reveal (reviewer.blind)."""
        texts = self._texts
        shown = [s for s in suggestions if texts is not None and s.trajectory_id == texts.trajectory.id]
        steps = (texts.step_of(e.step, e.source) for s in shown for e in s.evidence) if texts else ()
        self.model.set_marked("suggestion", steps)

    def show_span(self, span: EvidenceSpan) -> bool:
        """Jump to a span and select it; False when the trajectory has no such step or section."""
        if self._texts is None:
            return False
        return self._reveal(Hit(self._texts.step_of(span.step, span.source), span.source, span.start, span.end))

    def _apply_highlights(self) -> None:
        ranges = []
        for span in self._spans:
            shown_at = self._texts.step_of(span.step, span.source) if self._texts is not None else -1
            k = self._card_index(shown_at)
            if k is None:
                continue
            at = self._starts[k]
            for piece in self._cards[k].pieces_of(span.source):
                start = at + piece.start
                ranges.append((start + piece.shown.to_shown(span.start), start + piece.shown.to_shown(span.end)))
        paint_evidence(self.viewer, ranges)
