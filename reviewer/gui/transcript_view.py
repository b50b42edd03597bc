"""The transcript: task pinned on top, a step list, and ONE detail viewer for the selected step.

A whole run is never concatenated into one document (a 5,000-step, 50 MB run would take seconds to
lay out); the viewer holds one step, split into sections (`step_sections`), each capped, so showing
any step costs about the same. All trajectory text goes in through `setPlainText` (docs/untrusted-text.md R1),
control characters shown as escapes, ANSI colour (SGR) sequences in tool output hidden and applied
as char formats (`reviewer.ansi`: foreground clamped to a readable colour, nothing that could hide
text), and selections map back to code-point offsets of `spans.source_text`, so evidence spans
taken here pass `span_problem`. Section headers have a background no agent text can have (ANSI
backgrounds are ignored), so coloured output cannot pass for a header.

Find runs in a worker (`workers.Task` in the app-wide "find" pool) over its own `StepTexts`: it counts
every hit (up to `MAX_HITS`), the first hit at or after the current step shows as soon as it is
found, and F3 / Shift+F3 then walk the hit list without searching again. A newer find or trajectory
cancels the old search and drops its results (token).

Public API, for the main window:
- `set_trajectory(t)`, `trajectory`, `current_step()`
- `show_step(i)`, `next_step()`, `previous_step()`; signal `step_selected(int)`
- `toggle_section(source=None)`: collapse or expand the section under the cursor (or `source`)
- `find_text(text)`, `find_next() -> bool`, `find_previous() -> bool`, `focus_find()`: every step and section,
  collapsed text included; asynchronous, signal `find_finished(int)` (the hit count) when the count is known
- `selected_span() -> EvidenceSpan | None`, `highlight_spans(spans)`, `show_span(span) -> bool`
Its keys are in the app's one table (`keymap.SHORTCUTS`), bound to these methods by the main window.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import (
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
    QPlainTextEdit,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.ansi import Colour, Style, readable
from reviewer.edits import QUICK_DIFF_CHARS, DiffTexts
from reviewer.gui.step_model import StepListModel
from reviewer.gui.step_sections import TITLES, Found, Hit, Section, ShownText, StepTexts, human_size, utf16_len, window
from reviewer.gui.widgets import PlainLabel, paint_evidence
from reviewer.gui.workers import Task, app_pool
from reviewer.model import EvidenceSpan, Trajectory
from reviewer.textsafe import one_line, visible

TASK_CHARS = 100_000  # the pinned task is a summary; the full prompt is the first user step
TASK_LINES = 5
DEBOUNCE_MS = 60  # list-driven loads wait this long, so holding an arrow key does not render every step
FIND_DEBOUNCE_MS = 300  # typing in the find field searches once the reviewer pauses (Enter searches at once)
MAX_HITS = 10_000  # a find stops counting here ("10,000+"): enough to walk, bounded in memory and time
MAX_STYLED_RUNS = 10_000  # ANSI-coloured runs formatted per step (~5 ms per 1,000); the rest shows plain
# Colour is rendered where terminals put it; an escape in the agent's own text, a command or an edit is
# content the reviewer should see as written (an ESC byte written into a file is worth noticing).
ANSI_SOURCES = frozenset({"tool_output"})
HEADER = QColor("#55606e")
HEADER_BACKGROUND = QColor("#eceff3")


@dataclass(slots=True)
class _Piece:
    """One section's shown text inside the viewer's document."""

    section: Section
    region: int  # where the section's title line starts (UTF-16)
    start: int  # where its shown text starts (UTF-16)
    shown: ShownText


_TOKENS = itertools.count(1)  # search tokens: a late result of an older search is dropped


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

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._trajectory: Trajectory | None = None
        self._texts: StepTexts | None = None
        self._find_texts: StepTexts | None = None  # the find worker's own, over the same trajectory
        self._step = -1
        self._expanded: dict[tuple[int, str], bool] = {}  # the reviewer's toggles; default: short sections open
        self._focus: dict[tuple[int, str], int] = {}  # where an expanded over-long section's window is centred
        self._pieces: list[_Piece] = []
        self._spans: list[EvidenceSpan] = []
        self._formats: dict[tuple[Style, Colour], QTextCharFormat] = {}
        self._needle = ""  # the text of the latest find
        self._task: Task | None = None  # its search, while it runs
        self._diff_token = 0  # the shown step's diff being computed (0: none); a later render drops it
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
        self.steps.selectionModel().currentChanged.connect(self._on_current_changed)
        self.viewer = _read_only(QPlainTextEdit())
        self._load_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._load_timer.timeout.connect(self._load_current_row)
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
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.steps)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.task)
        layout.addLayout(find_bar)
        layout.addWidget(splitter, 1)

    # -- loading and navigation

    @property
    def trajectory(self) -> Trajectory | None:
        return self._trajectory

    def current_step(self) -> int:
        return self._step

    def set_trajectory(self, trajectory: Trajectory | None, diffs: DiffTexts | None = None) -> None:
        """Show a run; `diffs` are its diff texts when another view already computes them."""
        self._load_timer.stop()
        self._stop_find()
        self._needle = ""  # Enter searches the new run, even for the same text
        self._trajectory, self._step = trajectory, -1
        diffs = diffs if diffs is not None or trajectory is None else DiffTexts(trajectory.file_edits)
        self._texts = StepTexts(trajectory, diffs) if trajectory else None
        self._find_texts = StepTexts(trajectory, diffs) if trajectory else None  # the worker's own, same diff cache
        self._expanded.clear()
        self._focus.clear()
        self._spans = []
        self.model.set_trajectory(trajectory)
        prompt = trajectory.task.prompt if trajectory else ""
        self.task.setPlainText(visible(prompt[:TASK_CHARS]) + ("\n…" if len(prompt) > TASK_CHARS else ""))
        lines = min(TASK_LINES, prompt.count("\n", 0, TASK_CHARS) + 1)  # short tasks leave room for the transcript
        self.task.setFixedHeight(self.task.fontMetrics().lineSpacing() * lines + 12)
        self.find_status.clear()
        if trajectory and trajectory.steps:
            self.show_step(0)
        else:
            self.viewer.clear()
            self._pieces = []

    def show_step(self, index: int) -> None:
        """Show step `index` at once (programmatic jumps are not debounced)."""
        if self._trajectory is None or not 0 <= index < len(self._trajectory.steps):
            return
        self._load_timer.stop()
        self._render(index)
        self.viewer.moveCursor(QTextCursor.MoveOperation.Start)

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

    # -- rendering one step

    def _render(self, step: int) -> None:
        assert self._trajectory is not None and self._texts is not None
        s = self._trajectory.steps[step]
        parts: list[str] = []
        formats: list[tuple[int, int, QTextCharFormat]] = []  # (UTF-16 start, length, format)
        header_format = self._header_format()
        budget = MAX_STYLED_RUNS
        self._pieces = []
        pos = 0

        def add(text: str, header: bool = False) -> None:
            nonlocal pos
            length = utf16_len(text)
            if header:
                formats.append((pos, length, header_format))
            parts.append(text)
            pos += length

        meta = [f"#{s.index}", s.role, s.timestamp or ""]
        if s.tool_result is not None:
            meta.append(one_line(f"answers {s.tool_result.call_id}", 80) + (" · ERROR" if s.tool_result.is_error else ""))
        if (mark := self.model.mark(step)) is not None:
            meta.append(mark.describe())
        add("  ·  ".join(m for m in meta if m), header=True)
        diffs = self._texts.diffs
        self._diff_token = 0
        pending = diffs.uncomputed_at(step) > QUICK_DIFF_CHARS  # difflib on big files: seconds, in a worker
        if pending:
            add("\n\n")
            add(f"▸ {TITLES['diff']}  ·  computing the diff…", header=True)
            token = next(_TOKENS)
            self._diff_token = token
            task = Task(token, lambda _cancelled, _report: diffs.at_step(step))
            task.signals.done.connect(self._on_diff_computed)
            task.start(app_pool("diff-count"))
        for section in self._texts.sections(step, with_diff=not pending):
            key = (step, section.source)
            expanded = self._expanded.get(key, not section.long)
            start, end = window(section.text, expanded, self._focus.get(key, 0))
            shown = ShownText(section.text, start, end, ansi=section.source in ANSI_SOURCES)
            runs = shown.runs[:budget]
            budget -= len(runs)
            title = [f"{'▾' if expanded else '▸'} {TITLES[section.source]}", section.size()]
            if shown.ansi_codes:  # the reviewer should know colour codes were hidden and applied
                title.append("ANSI colours" + ("" if len(runs) == len(shown.runs) else f" (first {len(runs):,} runs)"))
            if not expanded:
                title.append("collapsed (C expands)")
            region = pos
            add("\n\n")
            add("  ·  ".join(title), header=True)
            add("\n")
            if shown.start:
                earlier = section.text.count("\n", 0, shown.start)
                add(f"… {earlier:,} earlier lines ({human_size(shown.start)}) not shown\n", header=True)
            self._pieces.append(_Piece(section, region, pos, shown))
            formats += ((pos + a, b - a, self._ansi_format(style)) for a, b, style in runs)
            add(shown.shown)
            if rest := len(section.text) - shown.end:
                lines = section.text.count("\n", shown.end)
                add("\n")
                hint = "" if expanded else " (C shows all)"
                add(f"… {lines:,} more lines ({human_size(rest)}) not shown{hint}", header=True)
        self.viewer.setCurrentCharFormat(QTextCharFormat())  # else setPlainText inherits the cursor's header format
        self.viewer.setPlainText("".join(parts))
        self._apply_formats(formats)
        self._step = step
        self._apply_highlights()
        if self.steps.currentIndex().row() != step:
            self.steps.setCurrentIndex(self.model.index(step, 0))
        self.step_selected.emit(step)

    def _on_diff_computed(self, token: int, _text: object, _error: object) -> None:
        if token == self._diff_token and self._step >= 0:
            self._render(self._step)  # still the step that asked: show it with its edits

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

    def _apply_formats(self, formats: list[tuple[int, int, QTextCharFormat]]) -> None:
        cursor = QTextCursor(self.viewer.document())
        cursor.beginEditBlock()
        for start, length, fmt in formats:
            cursor.setPosition(start)
            cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()

    def _piece(self, source: str) -> _Piece | None:
        return next((p for p in self._pieces if p.section.source == source), None)

    def toggle_section(self, source: str | None = None) -> None:
        """Collapse or expand one section: `source`, else the one under the cursor, else the first."""
        if not self._pieces:
            return
        piece: _Piece | None
        if source is None:
            at = self.viewer.textCursor().position()
            piece = next((p for p in reversed(self._pieces) if p.region <= at), self._pieces[0])
        else:
            piece = self._piece(source)
            if piece is None:
                return
        key = (self._step, piece.section.source)
        self._expanded[key] = not self._expanded.get(key, not piece.section.long)
        self._render(self._step)
        title = self._piece(piece.section.source)
        if title is not None:
            cursor = self.viewer.textCursor()
            cursor.setPosition(title.region + 2)
            self.viewer.setTextCursor(cursor)
            self.viewer.ensureCursorVisible()

    def _reveal(self, hit: Hit) -> bool:
        """Show the step, expand the section and select `hit` (code points) in the viewer.

        A non-empty hit that shows as nothing (it lies inside a hidden ANSI colour code) selects the
        character after it, so the reviewer still sees where it is.
        """
        if self._trajectory is None or not 0 <= hit.step < len(self._trajectory.steps):
            return False
        key = (hit.step, hit.source)
        piece = self._piece(hit.source) if hit.step == self._step else None
        fits = piece is not None and self._expanded.get(key, not piece.section.long) and piece.shown.start <= hit.start
        if not (fits and piece is not None and hit.end <= piece.shown.end):
            self._expanded[key] = True
            self._focus[key] = hit.start
            self._render(hit.step)
            piece = self._piece(hit.source)
        if piece is None:
            return False
        a, b = piece.shown.to_shown(hit.start), piece.shown.to_shown(hit.end)
        cursor = self.viewer.textCursor()
        cursor.setPosition(piece.start + a)
        if a == b and hit.start < hit.end and piece.shown.utf16_length:
            if a == piece.shown.utf16_length:
                cursor.movePosition(QTextCursor.MoveOperation.PreviousCharacter, QTextCursor.MoveMode.KeepAnchor)
            else:
                cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor)
        else:
            cursor.setPosition(piece.start + b, QTextCursor.MoveMode.KeepAnchor)
        self.viewer.setTextCursor(cursor)
        self.viewer.ensureCursorVisible()
        return True

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

    # -- evidence

    def selected_span(self) -> EvidenceSpan | None:
        """The viewer's selection as an evidence span (code points into `source_text`); None across sections."""
        cursor = self.viewer.textCursor()
        a, b = cursor.selectionStart(), cursor.selectionEnd()
        if a == b:
            return None
        for piece in self._pieces:
            if piece.start <= a and b <= piece.start + piece.shown.utf16_length:
                start = piece.shown.to_source(a - piece.start)
                end = piece.shown.to_source(b - piece.start, round_up=True)
                if start == end:
                    return None
                return EvidenceSpan(self._step, piece.section.source, start, end, piece.section.text[start:end])
        return None

    def highlight_spans(self, spans: list[EvidenceSpan]) -> None:
        """Paint these spans whenever their step is shown (replaces the previous set)."""
        self._spans = list(spans)
        self._apply_highlights()

    def show_span(self, span: EvidenceSpan) -> bool:
        """Jump to a span and select it; False when the trajectory has no such step or section."""
        if self._texts is None:
            return False
        return self._reveal(Hit(self._texts.step_of(span.step, span.source), span.source, span.start, span.end))

    def _apply_highlights(self) -> None:
        ranges = []
        for span in self._spans:
            shown_at = self._texts.step_of(span.step, span.source) if self._texts is not None else -1
            piece = self._piece(span.source) if shown_at == self._step else None
            if piece is not None:
                ranges.append((piece.start + piece.shown.to_shown(span.start), piece.start + piece.shown.to_shown(span.end)))
        paint_evidence(self.viewer, ranges)
