"""Type-ahead code lists: the `G` picker for a label's categories and markers, and the codes of an
evidence span in the evidence popover.

Typing filters the taxonomy's codes by code or name (a substring of either, any case); the list
always has a current row, so Space ticks it (and clears the filter for the next code: "skip" Space
"blame" Space ticks two), a digit 1–9 ticks the n-th shown row (the filter stays, to tick several
of what it shows) and Up/Down move while the filter keeps the keyboard (the list takes no focus). Enter finishes; when nothing was
ticked since the list opened and something was typed, Enter first ticks the current row, so "skip" Enter picks tests.skip.
Every tick is reported at once (`toggled`), so the picker's edits are stored like any other
field's. Codes and names come from the taxonomy, never from a trajectory; rows are plain text.

Public API: `CodeChecklist(rows)` with `rows` = [(field, code, name)], `filter`, `list`,
`set_checked(codes)`, `checked(field=None) -> list[str]`, signals `toggled(field)` and `finished`;
`taxonomy_rows(taxonomy, fields)`; `CodePicker(taxonomy)`: a popup (closes on a click outside or
Esc) that shows a `CodeChecklist` of every multi-choice field, signal `edited(field, codes)`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from reviewer.gui import keymap
from reviewer.gui.widgets import PlainLabel
from reviewer.taxonomy import Taxonomy

Row = tuple[str, str, str]  # field, code, name
ROW_DATA = Qt.ItemDataRole.UserRole


def taxonomy_rows(taxonomy: Taxonomy, fields: list[str] | None = None) -> list[Row]:
    """The codes of these multi-choice fields (all of them by default), in the taxonomy's order."""
    names = fields or [n for n, s in taxonomy.fields.items() if s["kind"] == "multi"]
    return [(n, o["code"], o.get("label", o["code"])) for n in names for o in taxonomy.fields[n].get("options", [])]


def matches(row: Row, typed: str) -> bool:
    needle = typed.strip().lower()
    return not needle or needle in row[1].lower() or needle in row[2].lower()


class CodeChecklist(QWidget):
    toggled = Signal(str)  # the field whose ticked codes changed
    finished = Signal()  # Enter

    def __init__(self, rows: list[Row], parent: QWidget | None = None):
        super().__init__(parent)
        self.rows = rows
        self._ticked_since_open = False
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type a code or name · Space or 1–9 ticks · Enter")
        self.filter.textChanged.connect(self._refilter)
        self.filter.installEventFilter(self)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the filter keeps the keyboard; Tab goes on past the list
        for k in range(len(rows)):
            item = QListWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(ROW_DATA, k)
            self.list.addItem(item)
        self.list.itemChanged.connect(lambda item: self.toggled.emit(self.rows[item.data(ROW_DATA)][0]))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self._refilter("")

    def set_checked(self, codes: set[str] | list[str]) -> None:
        """Show these codes ticked (not an edit: no `toggled`); a fresh start for Enter's tick."""
        chosen = set(codes)
        self.list.blockSignals(True)
        for k in range(self.list.count()):
            item = self.list.item(k)
            item.setCheckState(Qt.CheckState.Checked if self.rows[k][1] in chosen else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._ticked_since_open = False

    def checked(self, field: str | None = None) -> list[str]:
        return [
            code
            for k, (f, code, _name) in enumerate(self.rows)
            if (field is None or f == field) and self.list.item(k).checkState() == Qt.CheckState.Checked
        ]

    def shown_rows(self) -> list[int]:
        return [k for k in range(self.list.count()) if not self.list.item(k).isHidden()]

    def _refilter(self, typed: str) -> None:
        """Show the matching rows, numbered 1–9 as the digits tick them."""
        n = 0
        self.list.blockSignals(True)  # renumbering is no tick
        for k, row in enumerate(self.rows):
            item = self.list.item(k)
            item.setHidden(not matches(row, typed))
            n += not item.isHidden()
            number = str(n) if not item.isHidden() and n <= 9 else " "
            item.setText(f"{number}  {row[2]}   {row[1]}")
        self.list.blockSignals(False)
        shown = self.shown_rows()
        if shown and (self.list.currentRow() not in shown):
            self.list.setCurrentRow(shown[0])

    def tick(self, row: int) -> None:
        item = self.list.item(row)
        self._ticked_since_open = True
        self.list.setCurrentItem(item)
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """The filter and the list share the keys: digits and Space tick, arrows move, Enter finishes.
        The ShortcutOverride is taken for them, so no window shortcut fires while typing here."""
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        key = event if isinstance(event, QKeyEvent) else None
        if key is None:
            return False
        digit = keymap.typed_digit(event)
        code = key.key()
        ours = digit is not None or code in (
            Qt.Key.Key_Space,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        )
        if not ours or key.modifiers() & keymap.CHORD_MODIFIERS:
            return False
        event.accept()
        if event.type() == QEvent.Type.ShortcutOverride:
            return True
        shown = self.shown_rows()
        current = self.list.currentRow()
        if digit is not None:
            if 1 <= digit <= len(shown):
                self.tick(shown[digit - 1])
        elif code == Qt.Key.Key_Space:
            if current in shown:
                self.tick(current)
                self.filter.clear()  # type the next code at once; the ticked row stays current
        elif code in (Qt.Key.Key_Up, Qt.Key.Key_Down) and shown:
            at = shown.index(current) if current in shown else 0
            at = max(0, min(len(shown) - 1, at + (1 if code == Qt.Key.Key_Down else -1)))
            self.list.setCurrentRow(shown[at])
        else:
            if not self._ticked_since_open and self.filter.text().strip() and current in shown:
                self.tick(current)
            self.finished.emit()
        return True


class CodePicker(QFrame):
    """The `G` popup over the label form: tick categories and markers; every tick is stored at once."""

    edited = Signal(str, list)  # field, its ticked codes

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.codes = CodeChecklist(taxonomy_rows(taxonomy), self)
        self.codes.toggled.connect(lambda field: self.edited.emit(field, self.codes.checked(field)))
        self.codes.finished.connect(self.close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(PlainLabel("Categories and markers"))
        layout.addWidget(self.codes)
        self.resize(380, 420)

    def open_at(self, widget: QWidget, codes: list[str]) -> None:
        """Show beside `widget` (the label form) with these codes ticked and an empty filter."""
        self.codes.set_checked(codes)
        self.codes.filter.clear()
        self.move(widget.mapToGlobal(widget.rect().topLeft()))
        self.show()
        self.activateWindow()
        self.codes.filter.setFocus(Qt.FocusReason.PopupFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)
