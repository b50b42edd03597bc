"""The guidelines panel: every help text of the taxonomy and its hard-case rules, read-only.

Public API: `GuidelinesPanel(taxonomy, parent=None)`; `set_taxonomy(taxonomy)` rebuilds it (a project
may load its own taxonomy); `scroll_to(section) -> bool` shows a field's section by field name
("verdict", "intent", ...), "evidence" or "hard_cases"; `find_text(text) -> bool` selects the next match,
wrapping, as typed into the panel's find box. `view` is the read-only QTextEdit, `find_box` the box.

Taxonomy files are project data a reviewer may have been sent, so they are treated like trajectory
text: the document is built with `QTextCursor.insertText` and formats only (no HTML, no Markdown
parsing, nothing that could load a resource), with control characters made visible.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QFont, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QLineEdit, QTextEdit, QVBoxLayout, QWidget

from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import visible

HARD_CASES = "hard_cases"
EVIDENCE = "evidence"


def _format(*, bold: bool = False, larger: bool = False, muted: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    if larger:
        fmt.setProperty(QTextCharFormat.Property.FontSizeAdjustment, 1)
    if muted:
        fmt.setForeground(QColor("#5f6368"))
    return fmt


PLAIN, TERM, HEADING, NOTE = _format(), _format(bold=True), _format(bold=True, larger=True), _format(muted=True)


class _Writer:
    """Appends paragraphs through one cursor: the only way text enters the panel."""

    def __init__(self, document: QTextDocument):
        self.cursor = QTextCursor(document)
        self.started = False

    def paragraph(self, *runs: tuple[str, QTextCharFormat], top: float = 2, indent: int = 0) -> int:
        block = QTextBlockFormat()
        block.setTopMargin(top)
        block.setIndent(indent)
        if self.started:
            self.cursor.insertBlock(block)
        else:
            self.cursor.setBlockFormat(block)
            self.started = True
        position = self.cursor.position()
        for text, fmt in runs:
            self.cursor.insertText(visible(text), fmt)
        return position

    def heading(self, text: str, note: str | None = None) -> int:
        position = self.paragraph((text, HEADING), top=0 if not self.started else 16)
        if note:
            self.paragraph((note, NOTE))
        return position

    def entry(self, term: str, text: str | None) -> None:
        self.paragraph((term, TERM), *([("  " + text, PLAIN)] if text else []), top=4, indent=1)


def _has_guidance(spec: dict[str, Any]) -> bool:
    return bool(spec.get("help") or spec.get("anchors") or any(o.get("help") for o in spec.get("options", ())))


class GuidelinesPanel(QWidget):
    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find in guidelines")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.returnPressed.connect(lambda: self.find_text(self.find_box.text()))
        self.find_box.textEdited.connect(self._find_from_start)
        self.view = QTextEdit()
        self.view.setReadOnly(True)
        self.view.setAcceptRichText(False)
        self.view.setUndoRedoEnabled(False)
        self.view.document().setDocumentMargin(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.find_box)
        layout.addWidget(self.view)
        self._sections: dict[str, int] = {}
        self.set_taxonomy(taxonomy)

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        document = self.view.document()
        document.clear()
        writer = _Writer(document)
        self._sections = {}
        for name, spec in taxonomy.fields.items():
            if not _has_guidance(spec):
                continue
            self._sections[name] = writer.heading(spec.get("label", name), spec.get("help"))
            for option in spec.get("options", ()):
                writer.entry(f"{option.get('label', option['code'])} ({option['code']})", option.get("help"))
            for value, text in sorted(spec.get("anchors", {}).items(), key=lambda kv: int(kv[0])):
                writer.entry(value, text)
        roles = taxonomy.data["evidence"]["roles"]
        self._sections[EVIDENCE] = writer.heading("Evidence roles", "What each evidence span shows.")
        for role in roles:
            writer.entry(role.get("label", role["code"]), role.get("help"))
        for rule in taxonomy.data["evidence"].get("rules", ()):
            writer.paragraph(("Rule: " + rule["message"], NOTE), top=6, indent=1)
        self._sections[HARD_CASES] = writer.heading("Hard cases", "How the guidelines settle recurring disputes.")
        for case in taxonomy.data.get("hard_cases", ()):
            writer.paragraph((case["title"], TERM), top=10, indent=1)
            writer.paragraph((case["text"], PLAIN), indent=1)
        self.view.moveCursor(QTextCursor.MoveOperation.Start)

    def scroll_to(self, section: str) -> bool:
        if section not in self._sections:
            return False
        cursor = self.view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self.view.setTextCursor(cursor)  # scrolling from the end puts the heading at the top
        cursor.setPosition(self._sections[section])
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()
        return True

    def find_text(self, text: str) -> bool:
        if not text:
            return False
        if self.view.find(text):
            return True
        self.view.moveCursor(QTextCursor.MoveOperation.Start)
        return self.view.find(text)

    def _find_from_start(self, text: str) -> None:
        self.view.moveCursor(QTextCursor.MoveOperation.Start)
        self.find_text(text)
