"""Detector and model-judge suggestions for the open trajectory, hidden until the first pass is saved.

Public API:
- `AssistPanel(parent=None)`.
- `set_suggestions(suggestions)`: the open trajectory's suggestions; kept in memory only while hidden.
- `set_revealed(revealed)`: True after the reviewer's blind first pass (and the reveal); False again
  when another trajectory opens. Before it, no widget holds any suggestion text, count or verdict,
  and there is no Accept button on screen: the placeholder says when they become available.
- Signals: `jump_to_evidence(EvidenceSpan)` when an evidence row is activated (double click or
  Enter); `accept(Suggestion)` from the Accept button for the selected suggestion (the lead copies
  its codes and evidence into the label, with provenance).
- `tree`: the QTreeView over `model`, a QStandardItemModel with one row per suggestion and one child
  row per evidence span (the object behind a row is in column 0 under `ITEM`); `details`: the full
  explanation (or quote) of the current row.

Suggestions come from detectors run on agent text and from model judges: every string is shown
through item text or `setPlainText` (never rich text, never a tooltip) and made visible first.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.widgets import PlainLabel, hidden_until_reveal
from reviewer.model import EvidenceSpan, Suggestion
from reviewer.textsafe import one_line, visible

PLACEHOLDER = (
    "Detector and model suggestions are available after your first pass.\n\n"
    "Save a first-pass verdict, then reveal (V): your first-pass label stays as you saved it."
)
COLUMNS = ("Rater", "Source", "Codes", "Verdict", "Evidence", "Explanation")
MAX_COLUMN_WIDTH = 200
ITEM = Qt.ItemDataRole.UserRole  # the Suggestion or EvidenceSpan behind a row


def _items(texts: list[str], value: Suggestion | EvidenceSpan) -> list[QStandardItem]:
    items = [QStandardItem(text) for text in texts]
    items[0].setData(value, ITEM)
    return items


def _row(suggestion: Suggestion) -> list[str]:
    return [
        one_line(suggestion.rater, 60),
        one_line(suggestion.source, 60),
        one_line(", ".join(suggestion.codes), 120),
        one_line(suggestion.verdict or "", 40),
        str(len(suggestion.evidence)),
        one_line(suggestion.explanation),
    ]


def _evidence_row(span: EvidenceSpan) -> list[str]:
    where = f"step {span.step} · {span.source}" + (f" · {span.role}" if span.role else "")
    return [one_line(where, 80), "", one_line(", ".join(span.codes), 120), "", "", one_line(span.quote)]


class AssistPanel(QWidget):
    jump_to_evidence = Signal(object)  # EvidenceSpan
    accept = Signal(object)  # Suggestion

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._suggestions: list[Suggestion] = []
        self._revealed = False
        self.placeholder = PlainLabel(PLACEHOLDER, wrap=True)  # constant text, never trajectory text
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMargin(24)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.activated.connect(self._on_activated)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setUndoRedoEnabled(False)
        self.details.setPlaceholderText("Select a suggestion to read its full explanation.")
        self.accept_button = QPushButton("Accept into the label")
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(self._on_accept)
        self.summary = PlainLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.accept_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setSizes([300, 100])
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(splitter, 1)
        column.addLayout(bar)
        self.stack = hidden_until_reveal(self, self.placeholder, content)

    def set_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        self._suggestions = list(suggestions)
        self._refresh()

    def set_revealed(self, revealed: bool) -> None:
        self._revealed = revealed
        self._refresh()

    def selected_suggestion(self) -> Suggestion | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        top = index.parent() if index.parent().isValid() else index
        return top.siblingAtColumn(0).data(ITEM)

    def _refresh(self) -> None:
        """Rebuild from scratch: while hidden the widgets hold nothing to leak."""
        self.model.removeRows(0, self.model.rowCount())
        self.details.clear()
        self.summary.clear()
        self.accept_button.setEnabled(False)
        self.stack.setCurrentIndex(1 if self._revealed else 0)
        if not self._revealed:
            return
        for suggestion in self._suggestions:
            row = _items(_row(suggestion), suggestion)
            for span in suggestion.evidence:
                row[0].appendRow(_items(_evidence_row(span), span))
            self.model.appendRow(row)
        self.tree.expandAll()
        for column in range(len(COLUMNS) - 1):  # fit, but leave the explanation room to be read
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, min(self.tree.columnWidth(column), MAX_COLUMN_WIDTH))
        count = len(self._suggestions)
        self.summary.setText(f"{count} suggestion{'s' if count != 1 else ''} · double-click evidence to jump to it")
        if not count:
            self.summary.setText("No suggestions for this trajectory.")

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        suggestion = self.selected_suggestion()
        self.accept_button.setEnabled(suggestion is not None)
        if suggestion is None:
            self.details.clear()
            return
        value = current.siblingAtColumn(0).data(ITEM)
        text = value.quote if isinstance(value, EvidenceSpan) else suggestion.explanation
        self.details.setPlainText(visible(text))

    def _on_activated(self, index: QModelIndex) -> None:
        value = index.siblingAtColumn(0).data(ITEM)
        if isinstance(value, EvidenceSpan):
            self.jump_to_evidence.emit(value)

    def _on_accept(self) -> None:
        suggestion = self.selected_suggestion()
        if suggestion is not None:
            self.accept.emit(suggestion)
