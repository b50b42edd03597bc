"""Small widgets every part of the app shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor, QTextDocument, QTextFormat, QWheelEvent
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QPlainTextEdit, QStackedWidget, QTextEdit, QVBoxLayout, QWidget

EVIDENCE = QColor("#fde9a9")  # the background of evidence spans, in the transcript and the diffs alike


class PlainLabel(QLabel):
    """A label that never interprets its text as rich text, whatever the text looks like (docs/untrusted-text.md R1):
    a default QLabel guesses rich text from content, and trajectory text is adversarial."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, wrap: bool = False):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        self.setText(text)


class FocusWheelComboBox(QComboBox):
    """A combo box the mouse wheel changes only after the person focused it (click or Tab).

    A stock QComboBox takes focus from the wheel and steps its value, so scrolling a form past one
    silently edits the field under the pointer, and in the label form that edit is saved at once.
    Unfocused, this one ignores the wheel, which Qt then hands to the parent: the form scrolls."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Qt's default, WheelFocus, lets the wheel focus it

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


def ask_first(parent: QWidget, title: str, text: str, go: str, then: Callable[[], object]) -> QMessageBox:
    """A question before a step the person may regret (plain text; Enter goes, Esc stays): `then` runs
    only if they chose `go`. Opened window-modal and returned at once, so callers and tests hold it."""
    box = QMessageBox(QMessageBox.Icon.Question, title, "", parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    ok = box.button(QMessageBox.StandardButton.Ok)
    ok.setText(go)
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _code: box.clickedButton() is ok and then())
    box.open()
    return box


def hidden_until_reveal(owner: QWidget, placeholder: QWidget, content: QWidget) -> QStackedWidget:
    """Fill `owner` with a stack showing `placeholder` (page 0) until the first pass, `content`
    (page 1) after: panels that must stay blind swap pages rather than hide children one by one."""
    stack = QStackedWidget()
    stack.addWidget(placeholder)
    stack.addWidget(content)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(stack)
    return stack


def paint_evidence(editor: QPlainTextEdit, ranges: Iterable[tuple[int, int]]) -> None:
    """Evidence backgrounds over these [start, end) UTF-16 ranges of the editor's text (replacing any
    before); empty ranges are skipped."""
    document: QTextDocument = editor.document()
    selections = []
    for start, end in ranges:
        if start == end:
            continue
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(EVIDENCE)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selections.append(selection)
    editor.setExtraSelections(selections)
