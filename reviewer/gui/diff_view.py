"""The diff view: a trajectory's file edits, each shown unified or side by side, built and highlighted off-thread.

Public API (wired by the main window):
- `DiffView.set_trajectory(t: Trajectory | None)`: list `t.file_edits` (path, step, "+n −m"; test and
  grader files get a red TEST badge; edits the tool refused say "failed — not applied", greyed), then
  each file's net change over the run (`workspace.net_changes`, step column "net"), plus a "final
  patch" entry when `t.final_patch` exists, and show the first entry. The change counts (and the
  final patch's badge) arrive from the worker.
- `DiffView.select_row(row)`, `DiffView.show_step(step) -> bool`, `DiffView.show_edit_near(step) -> bool`
  (the step's edit, else the net change of the file edited last before it): choose an entry.
- `DiffView.set_side_by_side(on)`, `DiffView.side_by_side`: unified or side-by-side viewer.
- `DiffView.selected_span() -> EvidenceSpan | None`: the selection in the unified view of a file
  edit as a span with source "diff" (None in side by side, for the final patch, or with no selection).
- `DiffView.highlight_spans(spans)`: paint the "diff" spans that fall in the shown edit (unified view);
  replaces the previous set; `set_trajectory` clears it.
- `DiffView.show_span(span) -> bool`: show the edit holding the span, unified, and select the span.
- `DiffView.is_highlighting()`: the shown entry's text or formats have not all landed yet.
- Signal `jump_to_step(int)`: an edit was activated (Enter or double-click): show that step.
- Signal `highlighted()`: text and highlighting of the shown entry have fully landed (tests, benchmarks).

Nothing that grows with the diff runs on the GUI thread: panes are built (`diff_panes.build`, Qt-free)
and lexed by `workers.Task`s in the app's one-thread "diff" pool, changes are counted in a "diff-count"
pool of their own (stale tasks withdrawn, late results dropped by token), and text and formats go in
by slices (`highlight.SlicedLoader`). While a big entry is being built its panes are empty
("loading…"), never the previous entry's text under the new caption. Entries under `SYNC_CHARS` are
built at once, so stepping through small edits shows no empty frame.

Trajectory text reaches the screen only through `QPlainTextEdit.setPlainText`/`QTextCursor.insertText`
(after `textsafe.visible`, so control and bidi characters show as escapes), item-model display
strings and plain-text labels; colours are char formats, extra selections and painted line
backgrounds, never HTML, and no tooltip carries trajectory text. Diffs over `diff_panes.MAX_CHARS`
are cut on a line boundary with a note, lines over `diff_panes.MAX_LINE` likewise. The unified
text of an edit is `edits.diff_text(edit)`, which evidence spans with source "diff" index into
(offset by the edits before it at the same step, `spans.source_text`); `step_sections.ShownText`
maps between its code points and the shown UTF-16.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPaintEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.edits import FAILED, QUICK_DIFF_CHARS, DiffTexts
from reviewer.gui.diff_panes import PENDING, Built, Entry, build, counted, entries, line_numbers
from reviewer.gui.highlight import Pane, Range, SlicedLoader, line_ranges
from reviewer.gui.widgets import PlainLabel, paint_evidence
from reviewer.gui.workers import Cancelled, Task, Work, app_pool
from reviewer.model import EvidenceSpan, Trajectory
from reviewer.textsafe import one_line
from reviewer.unidiff import LineKind

# Entries whose inputs (diff, before, after, patch) total at most this are built on the GUI thread.
SYNC_CHARS = QUICK_DIFF_CHARS
COUNT_BATCH_SECONDS = 0.05  # counts found so far are reported at least this often
BACKGROUNDS = {
    LineKind.ADDED: QColor("#e6ffec"),
    LineKind.REMOVED: QColor("#ffebe9"),
    LineKind.HUNK: QColor("#ddf4ff"),
    LineKind.HEADER: QColor("#f3f4f6"),
    LineKind.FILLER: QColor("#f6f6f6"),
    LineKind.NOTE: QColor("#fff8c5"),
}
GUTTER = QColor("#f6f8fa")
GUTTER_TEXT = QColor("#6e7781")
TEST_BADGE = QColor("#c62828")
FAILED_TEXT = QColor("#8c8c8c")


class EditListModel(QAbstractTableModel):
    """Rows: badge, file, step, change. Plain display strings only; no tooltips."""

    HEADERS = ("", "file", "step", "change")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[Entry] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    def reset(self, rows: list[Entry]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def set_counted(self, counts: list[tuple[int, str, bool]]) -> None:
        """Fill in `(row, change, is_test)` from the worker."""
        for row, change, is_test in counts:
            self.rows[row].change, self.rows[row].is_test = change, is_test
        if counts:
            first, last = min(c[0] for c in counts), max(c[0] for c in counts)
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.HEADERS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return "TEST" if entry.is_test else ""
            if column == 1:
                return one_line(entry.path, 200)
            if column == 2:
                return "net" if entry.net is not None else "" if entry.step is None else str(entry.step)
            return entry.change
        if column == 0 and entry.is_test:
            if role == Qt.ItemDataRole.BackgroundRole:
                return TEST_BADGE
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor("white")
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.FontRole:
            if column == 0 or (column == 1 and entry.is_test):
                return self._bold
            if entry.edit is None:
                return self._italic
        if role == Qt.ItemDataRole.ForegroundRole and column > 0 and entry.edit is not None and entry.edit.status == "failed":
            return FAILED_TEXT  # refused by the tool: it changed nothing
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and entry.is_test:
            return TEST_BADGE
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


# ---- viewers ----------------------------------------------------------------------------------------


class _Gutter(QWidget):
    """The line numbers beside a pane, painted by the pane for its visible lines only."""

    def __init__(self, pane: DiffPane):
        super().__init__(pane)
        self.pane = pane

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self.pane.paint_gutter(self, event)


class DiffPane(QPlainTextEdit):
    """A read-only, non-wrapping viewer of one pane: line numbers (`side`: "both" old and new, as a unified
    diff has them, or "old" / "new" for a side by side pane) and line backgrounds painted, text and formats
    loaded in slices."""

    def __init__(self, side: str = "both", parent: QWidget | None = None):
        super().__init__(parent)
        self.side = side
        self.numbers: list[tuple[int | None, int | None]] = []
        self.gutter = _Gutter(self)
        self._digits = 0
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.kinds: list[LineKind] = []
        self._first_change = 0
        self.loader = SlicedLoader(self)
        self.loader.text_loaded.connect(self._open_at_change)

    @property
    def busy(self) -> bool:
        return self.loader.busy

    def start_loading(self) -> None:
        """Empty until `show_pane`, saying so; busy meanwhile."""
        self.kinds = []
        self._set_numbers([])
        self.setPlaceholderText("loading…")
        self.loader.reset(awaiting=True)

    def show_pane(self, pane: Pane) -> None:
        """Load the pane's text; its ranges follow through `loader.apply`."""
        self.setPlaceholderText("")
        self.kinds = pane.kinds
        self._set_numbers(line_numbers(pane, self.side))
        changed = (LineKind.ADDED, LineKind.REMOVED, LineKind.FILLER)
        self._first_change = next((n for n, kind in enumerate(pane.kinds) if kind in changed), 0)
        self.loader.load(pane.text)

    def clear_pane(self) -> None:
        self.kinds = []
        self._set_numbers([])
        self.setPlaceholderText("")
        self.loader.reset(awaiting=False)

    def _set_numbers(self, numbers: list[tuple[int | None, int | None]]) -> None:
        self.numbers = numbers
        top = max((n for pair in numbers for n in pair if n is not None), default=0)
        self._digits = len(str(top)) if top else 0
        columns = 0 if not self._digits else (2 if self.side == "both" else 1)
        width = columns * (self._digits + 1) * self.fontMetrics().horizontalAdvance("9") + (6 if columns else 0)
        self.setViewportMargins(width, 0, 0, 0)
        self._place_gutter()
        self.gutter.update()

    def _place_gutter(self) -> None:
        rect = self.contentsRect()
        self.gutter.setGeometry(rect.left(), rect.top(), self.viewportMargins().left(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._place_gutter()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 (Qt override)
        super().scrollContentsBy(dx, dy)
        if dy:
            self.gutter.update()

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """The numbers of the visible lines: blank where a line has none (headers, fillers, unplaced snippets)."""
        painter = QPainter(gutter)
        painter.fillRect(event.rect(), GUTTER)
        painter.setPen(GUTTER_TEXT)
        painter.setFont(self.font())
        block, offset = self.firstVisibleBlock(), self.contentOffset()
        digits = self._digits
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset)
            if top.top() > event.rect().bottom():
                break
            n = block.blockNumber()
            if n < len(self.numbers):
                old, new = self.numbers[n]
                shown = (old, new) if self.side == "both" else (old if self.side == "old" else new,)
                text = " ".join("".rjust(digits) if k is None else str(k).rjust(digits) for k in shown)
                painter.drawText(QRectF(2, top.top(), gutter.width() - 4, top.height()), Qt.AlignmentFlag.AlignRight, text)
            block = block.next()
        painter.end()

    def _open_at_change(self) -> None:
        self.verticalScrollBar().setValue(max(0, self._first_change - 3))  # whole-file views open at the change

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """Full-width backgrounds for the visible lines only, then the text on top."""
        painter = QPainter(self.viewport())
        block, offset, width = self.firstVisibleBlock(), self.contentOffset(), self.viewport().width()
        bottom = event.rect().bottom()
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset)
            if top.top() > bottom:
                break
            n = block.blockNumber()
            colour = BACKGROUNDS.get(self.kinds[n]) if n < len(self.kinds) else None
            if colour is not None:
                painter.fillRect(QRectF(0, top.top(), width, top.height()), colour)
            block = block.next()
        painter.end()
        super().paintEvent(event)


class DiffView(QWidget):
    """Edit list above a viewer with a unified / side-by-side toggle. See the module docstring."""

    jump_to_step = Signal(int)
    highlighted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pool = app_pool("diff")  # one lexer at a time, tasks in the order started
        # Counting has its own thread: over many big before/after edits it runs difflib for seconds,
        # and the entry the reviewer selects meanwhile must not wait behind it.
        self._count_pool = app_pool("diff-count")
        self.model = EditListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        # Widths from the font, not ResizeToContents: that asks every row's data (12,000 calls for a
        # run with 500 edits) each time the list is filled, on the GUI thread.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for column, sample in ((0, " TEST "), (2, " 00000 "), (3, f" {FAILED} ")):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 12)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.activated.connect(self._on_activated)

        self.caption = PlainLabel()
        self.caption.setMinimumWidth(80)  # a long path is clipped, never widening the window (1,024 px must fit)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.unified_button, self.split_button = QToolButton(), QToolButton()
        self.unified_button.setText("Unified")
        self.split_button.setText("Side by side")
        group = QButtonGroup(self)
        for button in (self.unified_button, self.split_button):
            button.setCheckable(True)
            button.setAutoRaise(True)
            group.addButton(button)
        self.unified_button.setChecked(True)
        self.split_button.toggled.connect(self._on_mode)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.unified_button)
        bar.addWidget(self.split_button)

        self.unified, self.left, self.right = (DiffPane(side) for side in ("both", "old", "new"))
        for pane in (self.unified, self.left, self.right):
            pane.loader.done.connect(self._on_pane_done)
        self.unified.loader.text_loaded.connect(self._on_unified_loaded)
        for a, b in ((self.left, self.right), (self.right, self.left)):
            a.verticalScrollBar().valueChanged.connect(b.verticalScrollBar().setValue)
            a.horizontalScrollBar().valueChanged.connect(b.horizontalScrollBar().setValue)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.left)
        split.addWidget(self.right)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.unified)
        self.stack.addWidget(split)

        viewer = QWidget()
        viewer_column = QVBoxLayout(viewer)
        viewer_column.setContentsMargins(0, 0, 0, 0)
        viewer_column.setSpacing(0)
        viewer_column.addLayout(bar)
        viewer_column.addWidget(self.stack, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(viewer)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._entry: Entry | None = None
        self._texts: DiffTexts | None = None
        self._generation = 0  # bumped per trajectory: drops stale counts
        self._token = 0  # bumped per shown entry or mode: drops stale panes and ranges
        self._built: Built | None = None  # what the shown entry's panes came from, once landed
        self._spans: list[EvidenceSpan] = []
        self._span_to_select: tuple[Entry, EvidenceSpan] | None = None
        self._span_lookup: tuple[EvidenceSpan, list[tuple[int, Entry]]] | None = None  # waiting for edit lengths
        self._tasks: list[Task] = []  # the shown entry's build and lexing
        self._counting: Task | None = None

    # -- public API

    @property
    def side_by_side(self) -> bool:
        return self.stack.currentIndex() == 1

    def set_trajectory(self, t: Trajectory | None, texts: DiffTexts | None = None) -> None:
        """Show a run's edits; `texts` are its diff texts when another view already computes them."""
        self._generation += 1
        if self._counting is not None:
            self._counting.withdraw(self._count_pool)
            self._counting = None
        self._texts = texts if texts is not None or t is None else DiffTexts(t.file_edits)
        self._spans, self._span_to_select = [], None
        self.model.reset(entries(t) if t is not None else [])
        self._entry = None
        if self.model.rows and self._texts is not None:
            self.select_row(0)  # before counting, so the first entry's build is the first task
            self._count(self.model.rows, self._texts)
        else:
            self._token += 1
            self._withdraw()
            self._built = None
            self.caption.setText("no file edits recorded" if t is not None else "")
            for pane in (self.unified, self.left, self.right):
                pane.clear_pane()
            self.unified.setExtraSelections([])

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 1))

    def show_step(self, step: int) -> bool:
        """Select the first edit made at `step`; False when that step edited nothing."""
        for row, entry in enumerate(self.model.rows):
            if entry.step == step:
                self.select_row(row)
                return True
        return False

    def show_edit_near(self, step: int) -> bool:
        """The edit made at `step`, else the net change of the file edited last before it; False when neither exists."""
        if self.show_step(step):
            return True
        before = [e for e in self.model.rows if e.net is None and e.step is not None and e.step < step]
        path = max(before, key=lambda e: e.step or 0).path if before else None
        row = next((row for row, e in enumerate(self.model.rows) if e.net is not None and e.path == path), None)
        if row is None:
            return False
        self.select_row(row)
        return True

    def set_side_by_side(self, on: bool) -> None:
        (self.split_button if on else self.unified_button).setChecked(True)  # the group unchecks the other

    def is_highlighting(self) -> bool:
        return any(p.busy for p in self._shown_panes())

    def selected_span(self) -> EvidenceSpan | None:
        """The unified view's selection in a file edit as a "diff" span; inside an escape, the whole character."""
        built, entry = self._built, self._entry
        cursor = self.unified.textCursor()
        if self.side_by_side or built is None or built.shown is None or entry is None or entry.step is None:
            return None
        start = built.shown.to_source(cursor.selectionStart())
        end = built.shown.to_source(cursor.selectionEnd(), round_up=True)
        if start == end:
            return None
        return EvidenceSpan(entry.step, "diff", built.offset + start, built.offset + end, built.source[start:end])

    def highlight_spans(self, spans: list[EvidenceSpan]) -> None:
        """Paint the "diff" spans that fall in the shown edit, whenever one is shown (replaces the previous set)."""
        self._spans = [span for span in spans if span.source == "diff"]
        self._paint_spans()

    def show_span(self, span: EvidenceSpan) -> bool:
        """Show the edit whose text holds `span.start`, unified, and select the span once its text is in.

        False when no edit of `span.step` holds it (or the span is not from a diff). Which edit holds
        it depends on the lengths of the step's earlier edits: when some are not computed yet (difflib,
        seconds on big files) they are computed by a worker and the answer is True if the step has edits.
        """
        if span.source != "diff" or self._texts is None:
            return False
        rows = [(row, entry) for row, entry in enumerate(self.model.rows) if entry.edit is not None and entry.step == span.step]
        if len(rows) <= 1:  # the step's only edit needs no length
            return bool(rows) and self._show_span_in(span, rows, [span.start])
        texts, indexes = self._texts, [entry.index for _, entry in rows if entry.index is not None]
        if texts.uncomputed(indexes[-1]) > SYNC_CHARS:  # difflib worth a worker
            task = Task(self._generation, lambda _cancelled, _report: [len(texts.text(i)) for i in indexes])
            task.signals.done.connect(self._on_span_lengths)
            self._span_lookup = (span, rows)
            task.start(self._count_pool)
            return True
        return self._show_span_in(span, rows, [len(texts.text(i)) for i in indexes])

    def _on_span_lengths(self, generation: int, lengths: list[int] | None, _error: Exception | None) -> None:
        lookup, self._span_lookup = self._span_lookup, None
        if generation == self._generation and lengths is not None and lookup is not None:
            self._show_span_in(*lookup, lengths)

    def _show_span_in(self, span: EvidenceSpan, rows: list[tuple[int, Entry]], lengths: list[int]) -> bool:
        """Select the row among `rows` (one step's edits, texts of `lengths`) whose text holds the span."""
        offset = 0
        for (row, entry), length in zip(rows, lengths, strict=True):
            if offset <= span.start <= offset + length:
                self.set_side_by_side(False)  # may show the current entry again: before the span is pending
                self._span_to_select = (entry, span)
                self.select_row(row)
                if self._entry is entry and self.unified.loader.text_complete and self._built is not None:
                    self._select_pending_span()  # already shown: nothing else will trigger it
                return True
            offset += length + 1
        return False

    # -- internals

    def _shown_panes(self) -> tuple[DiffPane, ...]:
        return (self.left, self.right) if self.side_by_side else (self.unified,)

    def _on_mode(self, side_by_side: bool) -> None:
        self.stack.setCurrentIndex(1 if side_by_side else 0)
        self._show()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._entry = self.model.rows[current.row()] if current.isValid() else None
        self._show()

    def _caption(self) -> None:
        entry = self._entry
        if entry is not None:
            where = (
                f"step {entry.step}"
                if entry.step is not None
                else "net change over the run"
                if entry.net is not None
                else "end of run"
            )
            badge = "TEST FILE · " if entry.is_test else ""
            self.caption.setText(f"{badge}{one_line(entry.path, 200)} · {where} · {entry.change}")

    def _show(self) -> None:
        """Show the current entry in the current mode: at once when small, else from the worker."""
        entry, texts = self._entry, self._texts
        if entry is None or texts is None:
            return
        self._token += 1
        self._withdraw()
        token, side_by_side = self._token, self.side_by_side
        self._built = None
        if self._span_to_select is not None and (self._span_to_select[0] is not entry or side_by_side):
            self._span_to_select = None
        self.unified.setExtraSelections([])
        self._caption()
        shown = self._shown_panes()
        for pane in (self.unified, self.left, self.right):
            if pane not in shown:
                pane.clear_pane()
        if entry.size() <= SYNC_CHARS and (entry.index is None or texts.uncomputed(entry.index) <= SYNC_CHARS):
            self._on_built(token, build(entry, side_by_side, texts), None)
            return
        for pane in shown:
            pane.start_loading()

        def work(cancelled: Callable[[], bool], _report: Callable[[object], None]) -> Built:
            if cancelled() or self._deleted():
                raise Cancelled
            return build(entry, side_by_side, texts)

        self._start(Task(token, work), self._on_built)

    def _start(self, task: Task, on_done: Callable[[int, Any, Exception | None], None]) -> None:
        task.signals.done.connect(on_done)
        task.start(self._pool)
        self._tasks.append(task)

    def _withdraw(self) -> None:
        """Withdraw the shown entry's tasks: queued ones never start, a running one stops at its next check."""
        for task in self._tasks:
            task.withdraw(self._pool)
        self._tasks = []

    def _deleted(self) -> bool:
        """The view was deleted (tasks hold it): nobody will withdraw its tasks, so they stop by themselves."""
        return not shiboken6.isValid(self)

    def _on_built(self, token: int, built: Built | None, _error: Exception | None) -> None:
        if token != self._token or built is None:
            return  # a newer selection owns the viewers now
        self._built = built
        for n, (viewer, pane) in enumerate(zip(self._shown_panes(), built.panes, strict=True)):
            viewer.show_pane(pane)
            self._start(Task(token, self._lexing(n, pane)), self._on_lexed)

    def _lexing(self, n: int, pane: Pane) -> Work:
        def work(cancelled: Callable[[], bool], _report: Callable[[object], None]) -> tuple[int, list[tuple[Range, ...]]]:
            return n, line_ranges(pane, lambda: cancelled() or self._deleted())

        return work

    def _on_lexed(self, token: int, lexed: tuple[int, list[tuple[Range, ...]]] | None, _error: Exception | None) -> None:
        if token == self._token and lexed is not None:
            n, ranges = lexed
            self._shown_panes()[n].loader.apply(ranges)

    def _count(self, rows: list[Entry], texts: DiffTexts) -> None:
        """Count changes in a task that reports batches, so one huge edit does not hold up the rest."""

        def work(cancelled: Callable[[], bool], report: Callable[[object], None]) -> None:
            batch: list[tuple[int, str, bool]] = []
            sent = time.perf_counter()
            for row, entry in enumerate(rows):
                if cancelled() or self._deleted():
                    raise Cancelled
                if entry.change == PENDING:
                    batch.append((row, *counted(entry, texts)))
                if batch and time.perf_counter() - sent > COUNT_BATCH_SECONDS:
                    report(batch)
                    batch, sent = [], time.perf_counter()
            report(batch)

        self._counting = Task(self._generation, work)
        self._counting.signals.progress.connect(self._on_counted)
        self._counting.start(self._count_pool)

    def _on_counted(self, generation: int, counts: list[tuple[int, str, bool]]) -> None:
        if generation == self._generation:
            self.model.set_counted(counts)
            self._caption()

    def _on_unified_loaded(self) -> None:
        self._paint_spans()
        self._select_pending_span()

    def _shown_range(self, span: EvidenceSpan) -> tuple[int, int] | None:
        """Where a "diff" span shows in the unified view (UTF-16, clipped to the shown text); None if elsewhere."""
        built, entry = self._built, self._entry
        if built is None or built.shown is None or entry is None or span.step != entry.step:
            return None
        if span.end < built.offset or span.start > built.offset + len(built.source):
            return None
        start, end = max(span.start - built.offset, 0), min(span.end - built.offset, len(built.source))
        return built.shown.to_shown(start), built.shown.to_shown(end)

    def _paint_spans(self) -> None:
        shown = not self.side_by_side and self.unified.loader.text_complete
        ranges = [self._shown_range(span) for span in self._spans] if shown else []
        paint_evidence(self.unified, [where for where in ranges if where is not None])

    def _select_pending_span(self) -> None:
        if self._span_to_select is None or self._span_to_select[0] is not self._entry:
            return
        where = self._shown_range(self._span_to_select[1])
        self._span_to_select = None
        if where is not None:
            self.unified.setTextCursor(self._cursor(where[1], where[0]))  # the cursor at the start: scrolled to it
            self.unified.centerCursor()

    def _cursor(self, anchor: int, position: int) -> QTextCursor:
        cursor = QTextCursor(self.unified.document())
        cursor.setPosition(anchor)
        cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _on_activated(self, index: QModelIndex) -> None:
        entry = self.model.rows[index.row()]
        if entry.step is not None:
            self.jump_to_step.emit(entry.step)

    def _on_pane_done(self) -> None:
        if not self.is_highlighting():
            self.highlighted.emit()
