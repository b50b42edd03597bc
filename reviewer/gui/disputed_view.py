"""Disputed trajectories: every reviewer's label side by side, and the adjudication form.

Public API:
- `DisputedView(taxonomy, parent=None)`.
- `set_labels(labels)`: the labels of one trajectory (several reviewers; an adjudication label is
  shown as a column too). Columns follow the given order: the first is side A, the second side B.
- `set_revealed(revealed)`: True only after the viewer's own first pass. Before it the table and the
  form are empty and hidden behind a placeholder: nobody's verdict may anchor a blind first pass.
- Signal `adjudicate(verdict: str, reason: str, resolution: str)` from the Adjudicate button, which
  is enabled once a verdict, a resolution and a non-blank reason are chosen. `resolution` is one of
  `RESOLUTIONS` (the label schema's codes).
- `table`: the QTableWidget (one row per field, one column per label; rows where reviewers differ
  are tinted); `verdict_box`, `resolution_box`, `reason_edit`, `adjudicate_button`: the form.

Labels are other people's writing and quote agent text, so every cell is item text made visible,
and the rationale is never parsed as rich text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.widgets import PlainLabel, hidden_until_reveal
from reviewer.model import Label
from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import one_line, visible

PLACEHOLDER = (
    "Other reviewers' labels are shown after your own first pass.\n\n"
    "Save your first-pass verdict for this trajectory, then reveal (V) to compare and adjudicate."
)
RESOLUTIONS: tuple[tuple[str, str], ...] = (
    ("side_a_right", "Side A (first column) was right"),
    ("side_b_right", "Side B (second column) was right"),
    ("both_partly_right", "Both partly right"),
    ("guideline_unclear", "The guideline is unclear"),
    ("new_case", "A new case for the guidelines"),
)
DIFFERS = QBrush(QColor(255, 196, 0, 48))  # a faint amber: visible, not alarming


def _codes(codes: list[str]) -> str:
    return ", ".join(codes) if codes else "—"


def _number(value: int | None) -> str:
    return "—" if value is None else str(value)


ROWS: tuple[tuple[str, Callable[[Label], str]], ...] = (
    ("Verdict", lambda lb: lb.verdict or "—"),
    ("Borderline reason", lambda lb: lb.borderline_reason or "—"),
    ("Categories", lambda lb: _codes(lb.categories)),
    ("Markers", lambda lb: _codes(lb.markers)),
    ("Intent", lambda lb: _number(lb.intent)),
    ("Disclosure", lambda lb: lb.disclosure or "—"),
    ("Severity", lambda lb: _number(lb.severity)),
    ("Confidence", lambda lb: _number(lb.confidence)),
    ("Evidence spans", lambda lb: str(len(lb.evidence))),
    ("Rationale", lambda lb: lb.rationale or "—"),
)


def column_title(label: Label) -> str:
    kind = "adjudication" if label.adjudication is not None else "first pass" if label.first_pass else "final"
    return f"{one_line(label.annotator, 40)} ({kind})"


class DisputedView(QWidget):
    adjudicate = Signal(str, str, str)  # verdict, reason, resolution

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self._labels: list[Label] = []
        self._revealed = False
        self.placeholder = PlainLabel(PLACEHOLDER, wrap=True)  # constant text
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMargin(24)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")
        self.table = QTableWidget(len(ROWS), 0)
        self.table.setVerticalHeaderLabels([name for name, _ in ROWS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.verdict_box = QComboBox()
        verdict = taxonomy.fields["verdict"]
        for option in verdict.get("options", ()):
            self.verdict_box.addItem(one_line(option.get("label", option["code"]), 60), option["code"])
        self.resolution_box = QComboBox()
        for code, text in RESOLUTIONS:
            self.resolution_box.addItem(text, code)
        for box, hint in ((self.verdict_box, "Final verdict…"), (self.resolution_box, "Which side was right…")):
            box.setPlaceholderText(hint)
            box.setCurrentIndex(-1)
            box.currentIndexChanged.connect(self._update_button)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("Why: cite steps, evidence and the guideline or hard case that settles it.")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(self.reason_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.reason_edit.textChanged.connect(self._update_button)
        self.adjudicate_button = QPushButton("Adjudicate")
        self.adjudicate_button.clicked.connect(self._on_adjudicate)
        form_box = QGroupBox("Adjudication")
        form = QFormLayout(form_box)
        form.addRow("Final verdict", self.verdict_box)
        form.addRow("Resolution", self.resolution_box)
        form.addRow("Reason", self.reason_edit)
        form.addRow("", self.adjudicate_button)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(form_box)
        self.stack = hidden_until_reveal(self, self.placeholder, content)
        self._refresh()

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Show these labels; the adjudication draft is kept while they stay one trajectory's (the
        reviewer's own label changes on every keystroke), and cleared for another trajectory."""
        before = {lb.trajectory_id for lb in self._labels}
        self._labels = list(labels)
        if before != {lb.trajectory_id for lb in self._labels}:
            self._reset_form()
        self._refresh()

    def set_revealed(self, revealed: bool) -> None:
        self._revealed = revealed
        self._refresh()

    def _refresh(self) -> None:
        """Rebuild the table; while hidden it has no columns, so no label text exists in any widget."""
        shown = self._labels if self._revealed else []
        self.stack.setCurrentIndex(1 if self._revealed else 0)
        self.table.setColumnCount(len(shown))
        self.table.setHorizontalHeaderLabels([column_title(lb) for lb in shown])
        for row, (_name, value) in enumerate(ROWS):
            cells = [visible(value(lb)) for lb in shown]
            differs = len(set(cells)) > 1 and _name != "Rationale"
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if differs:
                    item.setBackground(DIFFERS)
                self.table.setItem(row, col, item)
        self._name_sides(shown)
        self._update_button()

    def _name_sides(self, shown: list[Label]) -> None:
        """Put the reviewers' names into the side choices, only while their labels are on screen."""
        for position, (code, text) in enumerate(RESOLUTIONS[:2]):
            if position < len(shown):
                text = f"Side {'AB'[position]} ({one_line(shown[position].annotator, 40)}) was right"
            self.resolution_box.setItemText(self.resolution_box.findData(code), text)

    def _reset_form(self) -> None:
        self.verdict_box.setCurrentIndex(-1)
        self.resolution_box.setCurrentIndex(-1)
        self.reason_edit.clear()

    def _update_button(self) -> None:
        ready = (
            self._revealed
            and self.verdict_box.currentIndex() >= 0
            and self.resolution_box.currentIndex() >= 0
            and bool(self.reason_edit.toPlainText().strip())
        )
        self.adjudicate_button.setEnabled(ready)

    def _on_adjudicate(self) -> None:
        if not self.adjudicate_button.isEnabled():
            return
        self.adjudicate.emit(
            self.verdict_box.currentData(), self.reason_edit.toPlainText().strip(), self.resolution_box.currentData()
        )
