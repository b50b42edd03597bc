"""The evidence popover: a small frame at the selection, not a modal dialog over it.

`E` on selected text opens it where the selection is: type-ahead codes (several may be ticked,
see `code_picker`), the role (the taxonomy's evidence roles; the first is the default) and an
optional note. Enter saves (in the codes, the role or the note), Esc or a click outside leaves
without saving. The quote is the agent's text: shown one-lined, as plain text.

Public API: `EvidencePopover(taxonomy)`; `open_at(point, quote, codes=(), role=None, note="")`;
signal `saved(role, codes, note)`; `codes` (its `CodeChecklist`), `role`, `note`.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QFormLayout, QFrame, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from reviewer.gui.code_picker import CodeChecklist, taxonomy_rows
from reviewer.gui.screen_fit import on_screen
from reviewer.gui.widgets import FocusWheelComboBox, PlainLabel
from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import one_line


def selection_point(fallback: QWidget) -> QPoint:
    """Where the selection is on screen: under the text cursor of the focused text view, else the
    middle of `fallback` (the tab being read)."""
    focused = QApplication.focusWidget()
    if isinstance(focused, QPlainTextEdit):
        rect = focused.cursorRect()
        return focused.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 4))
    return fallback.mapToGlobal(fallback.rect().center())


class EvidencePopover(QFrame):
    saved = Signal(str, list, str)  # role, codes, note

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.quote = PlainLabel(wrap=True)
        self.codes = CodeChecklist(taxonomy_rows(taxonomy), self)
        self.codes.list.setFixedHeight(self.codes.list.sizeHintForRow(0) * 6 + 4)
        self.codes.finished.connect(self._save)
        self.role = FocusWheelComboBox()
        for role in taxonomy.evidence_roles:
            self.role.addItem(role, role)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Optional note")
        fields = QFormLayout()
        fields.addRow("Role", self.role)
        fields.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.quote)
        layout.addWidget(self.codes)
        layout.addLayout(fields)
        layout.addWidget(PlainLabel("Enter saves · Esc leaves · Tab: role, note"))
        self.setFixedWidth(360)

    def open_at(self, point: QPoint, quote: str, codes: Iterable[str] = (), role: str | None = None, note: str = "") -> None:
        self.quote.setText(f"“{one_line(quote, 120)}”")
        self.codes.set_checked(list(codes))
        self.codes.filter.clear()
        self.role.setCurrentIndex(max(0, self.role.findData(role)) if role else 0)
        self.note.setText(note)
        screen = QApplication.screenAt(point) or QApplication.primaryScreen()
        area = screen.availableGeometry()
        self.adjustSize()
        self.move(on_screen(QRect(point, self.size()), area))
        self.show()
        self.activateWindow()
        self.codes.filter.setFocus(Qt.FocusReason.PopupFocusReason)

    def _save(self) -> None:
        if not self.isVisible():
            return  # saved already: one Enter, one span
        self.close()
        self.saved.emit(self.role.currentData(), self.codes.checked(), self.note.text().strip())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # from the role or the note (they pass Enter on)
            self._save()
        else:
            super().keyPressEvent(event)
