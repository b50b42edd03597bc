"""The label form, generated from the taxonomy and bound to one label session at a time: a
reviewer's own label (`ReviewSession`) or an adjudication (`AdjudicationSession`).

Generated, not hand-built, so a project taxonomy (an extra verdict, other categories) changes the
form with no code change. There is no save button: every widget edit goes straight to the session,
which writes it to the store before returning. What the required-when rules still ask for is
listed in an always-visible message at the top, never enforced by silently refusing input.
Since every edit is stored at once, only deliberate input may edit: the combo boxes ignore the
mouse wheel until focused (`FocusWheelComboBox`), so the wheel scrolls the form past them, and a
digit typed in a focused field sets that field (`_Editor.choose`), never the verdict behind it.

Help texts are shown beside the chosen option, never as tooltips (tooltips are rich text), and
every label is a `PlainLabel`. Evidence quotes are agent text: one-lined with control characters
made visible before they reach the list.

Public API (wired by the main window):
- `LabelForm(taxonomy)`; `set_session(session | None, note="")` (pauses the previous session's
  clock; `note` says why nothing is open); `session()`; `note`.
- `set_verdict_by_key(n)`: the n-th verdict (1-based), for the number keys.
- Signal `evidence_activated(EvidenceSpan)` when an evidence item is activated (Enter, double-click).
- `undo()`, `redo()`, `reveal()` (an incomplete first pass asks first, in `reveal_question`),
  `add_evidence(span, role, codes)`, `accept(suggestion)`, `focus_rationale()`.
- Signals: `changed` after every stored change (including undo/redo), `revealed` after the reveal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reviewer.adjudication import AdjudicationSession
from reviewer.gui import keymap
from reviewer.gui.widgets import FocusWheelComboBox, PlainLabel, ask_first
from reviewer.label_session import LabelSession, attempt
from reviewer.model import EvidenceSpan, Suggestion
from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import one_line

HINT_STYLE = "color: palette(placeholder-text);"
SCALE_STYLE = "QPushButton:checked { background: palette(highlight); color: palette(highlighted-text); }"


def _hint(text: str = "") -> PlainLabel:
    label = PlainLabel(text, wrap=True)
    label.setStyleSheet(HINT_STYLE)
    return label


class _Editor(QWidget):
    """One taxonomy field: shows a value, reports edits as `edited(value)`.

    Digits typed while one of its widgets has focus belong to the field (`choose`), not to the
    window's verdict keys: the reviewer is looking at this field, so that is what the key means.
    """

    edited = Signal(object)
    chosen = Signal()  # a digit typed in the field acted on it (`LabelForm.arm` then gives focus back)

    def __init__(self, spec: dict[str, Any]):
        super().__init__()
        self.spec = spec
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(3)
        self.key = ""  # the field key shown before the title (`LabelForm.show_keys`)
        self.title = PlainLabel(spec_title(spec), wrap=True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.layout_.addWidget(self.title)
        if spec.get("help"):
            self.layout_.addWidget(_hint(spec["help"]))

    def show_value(self, value: Any) -> None:
        raise NotImplementedError

    def choose(self, digit: int) -> None:
        """Act on a digit typed in this field; a digit the field has no option for does nothing."""
        raise NotImplementedError

    def take_digits(self, widgets: Iterable[QWidget]) -> None:
        """Route digits typed in these (focusable) widgets to `choose`, ahead of the widgets themselves:
        a combo or a list would otherwise spend them on a keyboard search."""
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        digit = keymap.typed_digit(event)
        if digit is None:
            return False
        event.accept()  # on the ShortcutOverride: the window's verdict shortcut does not fire
        if event.type() == QEvent.Type.KeyPress and not cast(QKeyEvent, event).isAutoRepeat():
            self.choose(digit)  # a held key acts once, like the window's shortcuts
            self.chosen.emit()
        return True

    def focus_target(self) -> QWidget:
        """The widget a field key focuses: the chosen value's, else the first."""
        raise NotImplementedError

    def mark_needed(self, needed: bool) -> None:
        self.title.setText((f"[{self.key}]  " if self.key else "") + spec_title(self.spec) + ("  — needed" if needed else ""))


def spec_title(spec: dict[str, Any]) -> str:
    return spec.get("label", spec["name"])


class _Choice(_Editor):
    """A single choice: radio buttons (numbered, for the verdict keys) or a combo box."""

    def __init__(self, spec: dict[str, Any], radios: bool):
        super().__init__(spec)
        self.options = spec.get("options", [])
        self.detail = _hint()
        self.group: QButtonGroup | None
        self.combo: FocusWheelComboBox | None
        if radios:
            self.group = QButtonGroup(self)
            grid = QGridLayout()
            grid.setSpacing(2)
            for i, option in enumerate(self.options):
                button = QRadioButton(
                    f"{i + 1}  {option.get('label', option['code'])}" if i < 9 else option.get("label", option["code"])
                )
                self.group.addButton(button, i)
                grid.addWidget(button, i // 2, i % 2)
            self.group.idClicked.connect(lambda i: self.edited.emit(self.options[i]["code"]))
            self.layout_.addLayout(grid)
            self.combo = None
            self.take_digits(self.group.buttons())
        else:
            self.group = None
            self.combo = FocusWheelComboBox()
            self.combo.addItem("—", None)
            for i, option in enumerate(self.options):  # numbered as the digits pick them
                self.combo.addItem(
                    f"{i + 1}  {option.get('label', option['code'])}" if i < 9 else option.get("label", option["code"]),
                    option["code"],
                )
            self.combo.activated.connect(lambda i: self.edited.emit(self.combo.itemData(i)))
            self.layout_.addWidget(self.combo)
            self.take_digits([self.combo])
        self.layout_.addWidget(self.detail)

    def show_value(self, value: Any) -> None:
        codes = [o["code"] for o in self.options]
        index = codes.index(value) if value in codes else -1
        if self.group is not None:
            self.group.setExclusive(False)  # an exclusive group cannot show "nothing chosen"
            for button in self.group.buttons():
                button.setChecked(self.group.id(button) == index)
            self.group.setExclusive(True)
        elif self.combo is not None:  # always, without a group
            self.combo.setCurrentIndex(index + 1)
        self.detail.setText(self.options[index].get("help", "") if index >= 0 else "")
        self.detail.setVisible(bool(self.detail.text()))

    def focus_target(self) -> QWidget:
        if self.group is not None:
            return self.group.checkedButton() or self.group.buttons()[0]
        return cast(QWidget, self.combo)

    def choose(self, digit: int) -> None:
        """Option n (1-based, as the radios are numbered); 0 clears a combo (its "—"), never the verdict."""
        if 1 <= digit <= len(self.options):
            self.edited.emit(self.options[digit - 1]["code"])
        elif digit == 0 and self.combo is not None:
            self.edited.emit(None)


class _Multi(_Editor):
    """Checkable codes; the help of the current row is shown under the list (not as a tooltip)."""

    def __init__(self, spec: dict[str, Any]):
        super().__init__(spec)
        self.options = spec.get("options", [])
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        for option in self.options:
            item = QListWidgetItem(f"{option.get('label', option['code'])}   {option['code']}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        rows = min(len(self.options), 7)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth() + 2)
        self.detail = _hint()
        self.list.currentRowChanged.connect(self._show_help)
        self.list.itemChanged.connect(lambda _item: self.edited.emit(self.checked()))
        self.layout_.addWidget(self.list)
        self.layout_.addWidget(self.detail)
        self._show_help(-1)
        self.take_digits([self.list])

    def focus_target(self) -> QWidget:
        return self.list

    def checked(self) -> list[str]:
        return [o["code"] for i, o in enumerate(self.options) if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def choose(self, digit: int) -> None:
        """Tick or untick option n (1-based) as a click on its box does, and show its help."""
        if 1 <= digit <= len(self.options):
            item = self.list.item(digit - 1)
            self.list.setCurrentItem(item)
            ticked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)

    def _show_help(self, row: int) -> None:
        self.detail.setText(self.options[row].get("help", "") if 0 <= row < len(self.options) else "")
        self.detail.setVisible(bool(self.detail.text()))

    def show_value(self, value: Any) -> None:
        chosen = set(value or ())
        for i, option in enumerate(self.options):
            state = Qt.CheckState.Checked if option["code"] in chosen else Qt.CheckState.Unchecked
            self.list.item(i).setCheckState(state)


class _Scale(_Editor):
    """min..max as toggle buttons (click the chosen one again to clear) and the chosen value's anchor."""

    def __init__(self, spec: dict[str, Any]):
        super().__init__(spec)
        self.values = list(range(spec["min"], spec["max"] + 1))
        self.anchors: dict[str, str] = spec.get("anchors", {})
        row = QHBoxLayout()
        row.setSpacing(2)
        self.buttons: list[QPushButton] = []
        for v in self.values:
            button = QPushButton(str(v))
            button.setCheckable(True)
            button.setFixedWidth(34)
            button.setStyleSheet(SCALE_STYLE)
            button.clicked.connect(lambda checked, v=v: self.edited.emit(v if checked else None))
            self.buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.detail = _hint()
        self.layout_.addWidget(self.detail)
        self.take_digits(self.buttons)

    def focus_target(self) -> QWidget:
        return next((b for b in self.buttons if b.isChecked()), self.buttons[0])

    def choose(self, digit: int) -> None:
        """The value equal to the digit, by clicking its button: the chosen value again clears it."""
        if digit in self.values:
            self.buttons[self.values.index(digit)].click()

    def show_value(self, value: Any) -> None:
        for v, button in zip(self.values, self.buttons, strict=True):
            button.setChecked(v == value)
        anchor = self.anchors.get(str(value), "") if value is not None else ""
        self.detail.setText(f"{value}: {anchor}" if anchor else "")
        self.detail.setVisible(bool(anchor))


class _Text(_Editor):
    """Free text, written on every keystroke (the store folds a burst of typing into one history event)."""

    def __init__(self, spec: dict[str, Any]):
        super().__init__(spec)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 5 + 12)
        self.edit.textChanged.connect(self._typed)
        self.layout_.addWidget(self.edit)
        self._showing = False

    def focus_target(self) -> QWidget:
        return self.edit

    def _typed(self) -> None:
        if not self._showing:
            self.edited.emit(self.edit.toPlainText())

    def show_value(self, value: Any) -> None:
        if self.edit.toPlainText() != (value or ""):
            self._showing = True
            try:
                self.edit.setPlainText(value or "")
            finally:
                self._showing = False


def _editor(spec: dict[str, Any]) -> _Editor:
    kind = spec["kind"]
    if kind == "single":
        return _Choice(spec, radios=spec["name"] == "verdict")
    if kind == "multi":
        return _Multi(spec)
    if kind == "scale":
        return _Scale(spec)
    return _Text(spec)


def evidence_text(span: EvidenceSpan) -> str:
    """One list row: where, what for, and the quote flattened (it is agent text)."""
    codes = ", ".join(span.codes)
    head = " · ".join(x for x in (f"step {span.step}", span.source, span.role or "no role", codes) if x)
    note = f"\nNote: {one_line(span.note, 160)}" if span.note else ""
    return f"{head}\n“{one_line(span.quote, 160)}”{note}"


class LabelForm(QWidget):
    changed = Signal()
    revealed = Signal()
    evidence_activated = Signal(object)  # EvidenceSpan: the reviewer wants to see it in place

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None):
        super().__init__(parent)
        self.taxonomy = taxonomy
        self._session: LabelSession | None = None
        self._error = ""
        self.note = ""
        self._waiting = ""  # changes the file has not taken yet, and why
        self.reveal_question: QMessageBox | None = None  # open while an incomplete first pass asks

        self.mode = PlainLabel(wrap=True)
        font = self.mode.font()
        font.setBold(True)
        self.mode.setFont(font)
        self.reveal_button = QPushButton("Reveal others")
        self.reveal_button.clicked.connect(self.reveal)
        top = QHBoxLayout()
        top.addWidget(self.mode, 1)
        top.addWidget(self.reveal_button)
        self.message = PlainLabel(wrap=True)
        self.message.setFrameShape(QFrame.Shape.StyledPanel)
        self.message.setMargin(6)

        body = QWidget()
        form = QVBoxLayout(body)
        form.setSpacing(12)
        self.editors: dict[str, _Editor] = {}
        for name, spec in taxonomy.fields.items():
            editor = _editor(spec)
            editor.edited.connect(lambda value, name=name: self._edit(lambda s: s.set_field(name, value)))
            self.editors[name] = editor
            form.addWidget(editor)
            editor.chosen.connect(self._give_focus_back)
        form.addStretch(1)
        self._armed: tuple[_Editor, QWidget | None] | None = None  # the field a field key focused, and who had focus

        # The evidence list sits under the scrolled fields, always on screen: Enter jumps to a span, Del removes it.
        evidence_title = PlainLabel("Evidence  (select text, E · Enter jumps · Del removes · E edits)", wrap=True)
        font = evidence_title.font()
        font.setBold(True)
        evidence_title.setFont(font)
        self.evidence = QListWidget()
        self.evidence.setWordWrap(True)
        self.evidence.setAlternatingRowColors(True)
        self.evidence.setSpacing(2)
        self.evidence.setFixedHeight(self.evidence.fontMetrics().lineSpacing() * 6 + 8)
        self.evidence.installEventFilter(self)
        self.remove_button = QPushButton("Remove evidence")
        self.remove_button.clicked.connect(self._remove_current_evidence)
        self.evidence.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.evidence.itemActivated.connect(lambda _item: self._activate_evidence(self.evidence.currentRow()))

        self.fields_scroll = QScrollArea()
        self.fields_scroll.setWidgetResizable(True)
        self.fields_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(self.message)
        outer.addWidget(self.fields_scroll, 1)
        outer.addWidget(evidence_title)
        outer.addWidget(self.evidence)
        outer.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.refresh()

    def show_keys(self, keys: dict[str, str]) -> None:
        """Put each field's key before its title, so the form teaches its own keys."""
        for name, key in keys.items():
            self.editors[name].key = key
            self.editors[name].mark_needed(False)

    def arm(self, name: str) -> bool:
        """A field key: bring the field into view and focus it, so the next digit sets it (see
        `_Editor.choose`); focus then goes back to where it was. False (and why, in the message)
        for a field the label cannot show yet."""
        editor = self.editors[name]
        if self._session is None or not self._session.field_visible(name):
            self._error = f"{spec_title(editor.spec)} is not shown yet" + (
                "" if self._session is None else ": it appears once your first pass is revealed"
            )
            self._show_status(self._session.missing() if self._session is not None else [])
            return False
        focused = QApplication.focusWidget()
        back = self._armed[1] if self._armed else focused if focused is not None and not self.isAncestorOf(focused) else None
        self.fields_scroll.ensureWidgetVisible(editor)
        editor.focus_target().setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._armed = (editor, back)  # `I` then `L`: the digit goes to disclosure, focus still goes back
        return True

    def disarm(self) -> None:
        """Forget the field a field key focused (Esc left it): a later digit there keeps the focus."""
        self._armed = None

    def _give_focus_back(self) -> None:
        armed, self._armed = self._armed, None
        if armed is not None and armed[0] is self.sender() and armed[1] is not None:
            armed[1].setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Del on the evidence list removes the current span (and takes the key from any shortcut)."""
        if watched is self.evidence and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            if cast(QKeyEvent, event).key() == Qt.Key.Key_Delete:
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self._remove_current_evidence()
                return True
        return False

    # --- binding -----------------------------------------------------------------------------

    def session(self) -> LabelSession | None:
        return self._session

    def set_session(self, session: LabelSession | None, note: str = "") -> None:
        """Show another trajectory's label; the old one's clock is paused."""
        if self._session is not None:
            self._session.pause()
        self._session = session
        self._error = ""
        self.note = note
        self.evidence.clear()  # no span of the previous label stays current
        self.refresh()
        self.fields_scroll.verticalScrollBar().setValue(0)  # another item starts at its verdict

    def refresh(self) -> None:
        """Show the session's current label; widgets never hold state of their own."""
        session = self._session
        self.setEnabled(session is not None)
        missing = session.missing() if session is not None else []
        needed = {m.split(" ", 1)[0] for m in missing}
        for name, editor in self.editors.items():
            editor.setVisible(session is None or session.field_visible(name))
            editor.mark_needed(name in needed)
            with QSignalBlocker(editor):  # showing a value is not an edit
                editor.show_value(session.value(name) if session is not None else None)
        self._show_evidence()
        self._show_status(missing)

    def _activate_evidence(self, row: int) -> None:
        if self._session is not None and 0 <= row < len(self._session.label.evidence):
            self.evidence_activated.emit(self._session.label.evidence[row])

    def _show_evidence(self) -> None:
        row = self.evidence.currentRow()  # kept across an edit, so Enter, Del and E go on with the same span
        self.evidence.clear()
        for span in self._session.label.evidence if self._session is not None else ():
            self.evidence.addItem(evidence_text(span))
        self.evidence.setCurrentRow(min(row, self.evidence.count() - 1))
        self.remove_button.setEnabled(self.evidence.currentRow() >= 0)

    def _show_status(self, missing: list[str]) -> None:
        session = self._session
        if session is None:
            self.mode.setText(self.note or "No trajectory open")
        elif isinstance(session, AdjudicationSession):
            state = "settled: the gold label" if session.settled else "draft, not the gold label until settled"
            self.mode.setText(f"Adjudication — {state}. Every label is visible; your own labels are not touched")
        elif session.revealed:
            self.mode.setText("Final label — other labels, suggestions and grader outcome visible")
        else:
            self.mode.setText("First pass — blind")
        self.reveal_button.setVisible(session is not None and session.may_reveal)
        lines = [self._error] if self._error else []
        if self._waiting:
            lines.insert(0, self._waiting)
        flag = session.label.flag if session is not None else None
        if flag is not None:
            lines.append(f"{'Skipped' if flag.kind == 'skip' else 'Flagged'}: {one_line(flag.reason, 200)}")
        if missing:
            lines += ["Still needed:", *(f"• {m}" for m in missing)]
        elif isinstance(session, AdjudicationSession) and not session.settled and not self._error:
            lines.append("Complete: settle it (Ctrl+Return) to make it the gold label.")
        elif session is not None and not self._error:
            lines.append("Complete. Every change is saved as you make it.")
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))
        tone = "#9a3412" if self._error or self._waiting else "#854d0e" if missing else "#166534"
        self.message.setStyleSheet(f"color: {tone};")

    def set_save_state(self, waiting: int, error: str, refused: str = "") -> None:
        """Say at once when the file refused changes (they are kept, in order, and retried); a short
        wait behind another process's write is no news. A server's refusal for the login (`refused`)
        is said as it is: no retry can help, the changes are only kept in memory."""
        changes = f"{waiting} change{'s' if waiting != 1 else ''}"
        if waiting and refused:
            self._waiting = f"NOT SAVED — {one_line(refused, 200)} ({changes} kept in memory, lost when the app closes)"
        elif waiting and error:
            self._waiting = (
                f"NOT SAVED YET — retrying: {one_line(error, 200) or 'waiting for the project file'}"
                f" ({changes} kept in order; nothing is lost while the app runs)"
            )
        else:
            self._waiting = ""
        self._show_status(self._session.missing() if self._session is not None else [])

    # --- actions -----------------------------------------------------------------------------

    def _edit(self, change: Callable[[LabelSession], object]) -> bool:
        """Run one session change; a refusal is shown in the message, never swallowed."""
        if self._session is None:
            return False
        self._error = attempt(self._session, change)
        self.refresh()
        if not self._error:
            self.changed.emit()
        return not self._error

    def set_verdict_by_key(self, n: int) -> bool:
        codes = self.taxonomy.codes("verdict")
        return 1 <= n <= len(codes) and self._edit(lambda s: s.set_field("verdict", codes[n - 1]))

    def undo(self) -> bool:
        return self._edit(lambda s: s.undo())

    def redo(self) -> bool:
        return self._edit(lambda s: s.redo())

    def set_field(self, name: str, value: object) -> bool:
        """One field from outside the form's own widgets (the code picker)."""
        return self._edit(lambda s: s.set_field(name, value))

    def add_evidence(self, span: EvidenceSpan, role: str, codes: list[str], note: str = "") -> bool:
        return self._edit(lambda s: s.add_evidence(span, role, codes, note))

    def edit_evidence(self, row: int, role: str, codes: list[str], note: str = "") -> bool:
        return self._edit(lambda s: s.edit_evidence(row, role, codes, note))

    def set_flag(self, kind: str | None, reason: str = "") -> bool:
        return self._edit(lambda s: s.set_flag(kind, reason))

    def accept(self, suggestion: Suggestion) -> bool:
        return self._edit(lambda s: s.accept(suggestion))

    def _remove_current_evidence(self) -> None:
        row = self.evidence.currentRow()
        if row >= 0:
            self._edit(lambda s: s.remove_evidence(row))

    def reveal(self) -> bool:
        """Freeze the first pass and show the others; an incomplete first pass asks first (saying what
        is missing: Enter reveals, Esc keeps editing). Ctrl+Z undoes the reveal until the final label
        is edited."""
        session = self._session
        if session is None or not session.may_reveal:
            return self._edit(lambda s: s.reveal())  # explains why not
        missing = session.missing()
        if missing:
            self._ask_reveal(missing)
            return False
        return self._reveal_now()

    def _reveal_now(self) -> bool:
        if not self._edit(lambda s: s.reveal()):
            return False
        self.revealed.emit()
        return True

    def _ask_reveal(self, missing: list[str]) -> None:
        session = self._session
        self.reveal_question = ask_first(
            self,
            "Reveal with an incomplete first pass?",
            "Your first pass still lacks:\n" + "\n".join(f"• {m}" for m in missing)
            + "\n\nRevealing freezes it as it is and shows other reviewers' labels, suggestions and the grader outcome."
            " Ctrl+Z undoes the reveal until you edit the final label.",
            "Reveal anyway",
            lambda: self._session is session and self._reveal_now(),
        )  # fmt: skip

    def focus_rationale(self) -> None:
        """Scroll the rationale into view and type there; Esc (the window's) leaves it."""
        editor = self.editors.get("rationale")
        if isinstance(editor, _Text):
            self.fields_scroll.ensureWidgetVisible(editor)
            editor.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
