"""Every reviewer's label of one trajectory, field by field — and for an adjudicator, the workspace
in which the gold label is built from them.

Field by field rather than one column per label: five reviewers with a first pass and a final
label each are ten columns, which cut names and rationales to nothing; one field at a time, each
label's value gets a full-width, wrapped row. The field list marks the fields reviewers disagree
on (≠) and, when adjudicating, shows the adjudication's value.

Public API:
- `ReviewersView(taxonomy, parent=None)`.
- `set_revealed(revealed)`: True only once the viewer may see other reviewers' labels (their own
  first pass frozen, or adjudicating). Before it no widget holds any label text.
- `set_labels(labels)`: the labels to compare, in order (the first two are sides A and B).
- `set_adjudication(session, note="")`: an `AdjudicationSession` makes the view a workspace (pick a
  field's value from a label with its number key, Enter or a double click; `A` takes a whole label;
  reason, resolution and Settle below); None makes it read-only, with `note` saying why.
- `settle()`: settle the adjudication (Ctrl+Return in the window).
- Signals: `changed` after every stored adjudication change; `spans_selected(list[EvidenceSpan])`
  with the spans of the label under the cursor, to highlight (and, on the evidence field, show).
- Parts, for tests: `fields` (QListWidget), `choices` (QTableWidget), `gold`, `status`,
  `resolution_box`, `reason_edit`, `settle_button`.

Labels are other people's writing and quote agent text: every string is item text or plain text
made visible, never rich text or a tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.adjudication import EVIDENCE, RESOLUTIONS, AdjudicationSession
from reviewer.gui import keymap
from reviewer.gui.widgets import FocusWheelComboBox, PlainLabel, hidden_until_reveal
from reviewer.label_session import attempt
from reviewer.model import EvidenceSpan, Label
from reviewer.taxonomy import Taxonomy, field_value
from reviewer.textsafe import one_line, visible

PLACEHOLDER = (
    "Other reviewers' labels are shown after your own first pass.\n\n"
    "Save your first-pass verdict for this trajectory, then reveal (V) to compare."
)
HINT = "1–9 or Enter: take that label's value for this field · A: take the whole label · Ctrl+Return: settle"


def pass_name(label: Label) -> str:
    return "adjudication" if label.adjudication is not None else "first pass" if label.first_pass else "final"


def _option_text(spec: dict[str, Any], code: str) -> str:
    for option in spec.get("options", ()):
        if option["code"] == code:
            label = option.get("label", code)
            return label if label == code else f"{label} ({code})"
    return code


def span_text(span: EvidenceSpan) -> str:
    """One span as a reader wants it: where, what for, and the quote itself (agent text, flattened)."""
    head = " · ".join(x for x in (f"step {span.step}", span.source, span.role or "", ", ".join(span.codes)) if x)
    return f"{head}: “{one_line(span.quote, 300)}”"


class FieldText:
    """How one field's value reads in the workspace, by the field's kind."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy

    def names(self) -> list[str]:
        return [*self.taxonomy.fields, EVIDENCE]

    def title(self, name: str) -> str:
        return "Evidence" if name == EVIDENCE else str(self.taxonomy.fields[name].get("label", name))

    def of(self, label: Label, name: str) -> str:
        if name == EVIDENCE:
            return "\n".join(span_text(s) for s in label.evidence) or "—"
        spec = self.taxonomy.fields[name]
        value = field_value(label, name)
        if value is None or value == [] or value == "":
            return "—"
        if spec["kind"] == "single":
            return _option_text(spec, str(value))
        if spec["kind"] == "multi":
            return ", ".join(value)
        if spec["kind"] == "scale":
            anchor = spec.get("anchors", {}).get(str(value), "")
            return f"{value}: {anchor}" if anchor else str(value)
        return visible(str(value))


class ReviewersView(QWidget):
    changed = Signal()
    spans_selected = Signal(object)  # list[EvidenceSpan]

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.text = FieldText(taxonomy)
        self._labels: list[Label] = []
        self._revealed = False
        self._session: AdjudicationSession | None = None
        self._note = ""
        self._error = ""
        self._cursor: tuple[str, object] | None = None  # (field, label key) last told to the window

        self.placeholder = PlainLabel(PLACEHOLDER, wrap=True)  # constant text
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMargin(24)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")

        self.status = PlainLabel(wrap=True)
        self.status.setFrameShape(QFrame.Shape.StyledPanel)
        self.status.setMargin(6)
        self.fields = QListWidget()
        self.fields.setTextElideMode(Qt.TextElideMode.ElideRight)  # one line a field: the gold line shows the value whole
        self.fields.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields.currentRowChanged.connect(lambda _row: self._show_choices())
        self.gold = PlainLabel(wrap=True)
        self.gold.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choices = QTableWidget(0, 4)
        self.choices.setHorizontalHeaderLabels(["Key", "Reviewer", "Pass", "Value"])
        self.choices.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.choices.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.choices.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.choices.setWordWrap(True)
        self.choices.verticalHeader().setVisible(False)
        header = self.choices.horizontalHeader()
        for section in range(3):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.choices.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.choices.currentCellChanged.connect(lambda *_: self._emit_spans())
        self.choices.cellDoubleClicked.connect(lambda row, _col: self.pick(row))
        self.hint = PlainLabel(HINT, wrap=True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")

        self.resolution_box = FocusWheelComboBox()
        self.resolution_box.setPlaceholderText("Which side was right…")
        for code, text in RESOLUTIONS:
            self.resolution_box.addItem(text, code)
        self.resolution_box.activated.connect(lambda i: self._edit(lambda s: s.set_resolution(self.resolution_box.itemData(i))))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("Why: cite steps, evidence and the guideline or hard case that settles it.")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(self.reason_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.reason_edit.textChanged.connect(self._typed_reason)
        self.settle_button = QPushButton("Settle (Ctrl+Return)")
        self.settle_button.clicked.connect(self.settle)
        self.adjudication_box = QGroupBox("Adjudication")
        form = QFormLayout(self.adjudication_box)
        form.addRow("Resolution", self.resolution_box)
        form.addRow("Reason", self.reason_edit)
        form.addRow("", self.settle_button)

        for widget in (self.fields, self.choices):
            widget.installEventFilter(self)
        right = QWidget()
        pane = QVBoxLayout(right)
        pane.setContentsMargins(0, 0, 0, 0)
        pane.addWidget(self.gold)
        pane.addWidget(self.choices, 1)
        pane.addWidget(self.hint)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.fields)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 540])
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addWidget(self.adjudication_box)
        self.stack = hidden_until_reveal(self, self.placeholder, content)
        self._refresh()

    # --- binding -----------------------------------------------------------------------------

    def set_labels(self, labels: Sequence[Label]) -> None:
        self._labels = list(labels)
        self._refresh()

    def set_revealed(self, revealed: bool) -> None:
        self._revealed = revealed
        self._refresh()

    def set_adjudication(self, session: AdjudicationSession | None, note: str = "") -> None:
        if session is not self._session:
            self._error = ""
        self._session, self._note = session, note
        self._refresh()

    def shown_labels(self) -> list[Label]:
        return self._labels if self._revealed else []

    def current_field(self) -> str:
        names = self.text.names()
        row = self.fields.currentRow()
        return names[row] if 0 <= row < len(names) else names[0]

    # --- showing -----------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Rebuild from the labels; while hidden nothing is filled in, so no label text exists in any widget."""
        self.stack.setCurrentIndex(1 if self._revealed else 0)
        shown = self.shown_labels()
        session = self._session if self._revealed else None
        row = max(self.fields.currentRow(), 0)
        with QSignalBlocker(self.fields):
            self.fields.clear()
            for name in self.text.names() if shown or session else ():
                self.fields.addItem(QListWidgetItem(self._field_line(name, shown, session)))
            if self.fields.count():
                self.fields.setCurrentRow(min(row, self.fields.count() - 1))
        self._show_choices()
        self._show_adjudication(shown, session)

    def _field_line(self, name: str, shown: list[Label], session: AdjudicationSession | None) -> str:
        values = {self.text.of(lb, name) for lb in shown if lb.adjudication is None}
        line = self.text.title(name) + ("   ≠" if len(values) > 1 else "")
        if session is not None:
            line += "   → " + one_line(self.text.of(session.label, name), 40)
        return line

    def _show_choices(self) -> None:
        shown = self.shown_labels()
        name = self.current_field()
        current = max(self.choices.currentRow(), 0)
        with QSignalBlocker(self.choices):
            self.choices.setRowCount(len(shown))
            for row, label in enumerate(shown):
                cells = (
                    str(row + 1) if row < 9 else "",
                    one_line(label.annotator, 80),
                    pass_name(label),
                    self.text.of(label, name),
                )
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                    self.choices.setItem(row, col, item)
            if shown:
                self.choices.setCurrentCell(min(current, len(shown) - 1), 3)
        session = self._session if self._revealed else None
        self.gold.setVisible(session is not None)
        if session is not None:
            self.gold.setText(f"Adjudication — {self.text.title(name)}: {self.text.of(session.label, name)}")
        self._emit_spans()

    def _show_adjudication(self, shown: list[Label], session: AdjudicationSession | None) -> None:
        self.adjudication_box.setVisible(session is not None)
        self.hint.setVisible(session is not None)
        for position, (code, text) in enumerate(RESOLUTIONS[:2]):
            if position < len(shown):
                text = f"Side {'AB'[position]} ({one_line(shown[position].annotator, 40)}) was right"
            self.resolution_box.setItemText(self.resolution_box.findData(code), text)
        if session is None:
            self.status.setText(self._note)
            self.status.setVisible(bool(self._note) and self._revealed)
            self.status.setStyleSheet("")
            return
        with QSignalBlocker(self.resolution_box):
            self.resolution_box.setCurrentIndex(self.resolution_box.findData(session.resolution) if session.resolution else -1)
        if self.reason_edit.toPlainText() != session.reason:
            with QSignalBlocker(self.reason_edit):
                self.reason_edit.setPlainText(session.reason)
        missing = session.missing()  # listed in full by the label form beside
        if session.settled:
            lines, tone = ["Settled: this adjudication is the gold label. Every change is saved as you make it."], "#166534"
        else:
            still = f"{len(missing)} still needed (listed above the form)" if missing else "complete: settle it (Ctrl+Return)"
            lines, tone = [f"Draft — not the gold label until settled; {still}."], "#854d0e"
        if self._error:
            lines.insert(0, self._error)
            tone = "#9a3412"
        self.status.setText("\n".join(lines))
        self.status.setStyleSheet(f"color: {tone};")
        self.status.setVisible(True)
        self.settle_button.setEnabled(not missing and not session.settled)

    def _emit_spans(self) -> None:
        """Tell the window when the cursor moved to another label or field (not on every refresh: the
        window shows the first span on the evidence field, and typing a reason must not scroll it)."""
        row = self.choices.currentRow()
        shown = self.shown_labels()
        label = shown[row] if 0 <= row < len(shown) else None
        cursor = (self.current_field(), label.key if label is not None else None)
        if cursor != self._cursor:
            self._cursor = cursor
            self.spans_selected.emit(list(label.evidence) if label is not None else [])

    # --- adjudicating --------------------------------------------------------------------------

    def _edit(self, change: Callable[[AdjudicationSession], object]) -> bool:
        """One adjudication change; a refusal is shown in the status line, never swallowed."""
        if self._session is None or not self._revealed:
            return False
        self._error = attempt(self._session, change)
        self._refresh()
        if not self._error:
            self.changed.emit()
        return not self._error

    def pick(self, row: int) -> bool:
        """Take the current field's value from the label in `row`."""
        shown = self.shown_labels()
        if not 0 <= row < len(shown):
            return False
        name, source = self.current_field(), shown[row]
        return self._edit(lambda s: s.pick(name, source))

    def pick_all(self, row: int) -> bool:
        shown = self.shown_labels()
        return 0 <= row < len(shown) and self._edit(lambda s: s.pick_all(shown[row]))

    def settle(self) -> bool:
        return self._edit(lambda s: s.settle())

    def _typed_reason(self) -> None:
        text = self.reason_edit.toPlainText()
        if self._session is not None and text != self._session.reason:
            self._edit(lambda s: s.set_reason(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Digits, Enter and A act on the workspace while it has focus: there a digit picks a label's
        value and never reaches the window's verdict keys (their ShortcutOverride is taken)."""
        if self._session is None or event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        key = cast(QKeyEvent, event)
        digit = keymap.typed_digit(event)
        plain = not key.modifiers() & keymap.CHORD_MODIFIERS
        enter = plain and key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and watched is self.choices
        whole = plain and key.key() == Qt.Key.Key_A
        if not (digit or enter or whole):
            return False
        event.accept()
        if event.type() == QEvent.Type.KeyPress and not key.isAutoRepeat():
            row = digit - 1 if digit else self.choices.currentRow()
            self.pick_all(row) if whole else self.pick(row)
        return True
