"""Every keyboard shortcut of the review app, as one declarative table.

Public API:
- `Shortcut(action, keys, description, group)`: one row; `keys` are `QKeySequence` strings in
  portable form ("Ctrl+F", "]"), the first one is the primary key shown first in help.
- `SHORTCUTS`: the table. `ACTIONS`: its action names, in order. `VERDICT_ACTIONS`: `verdict_1`..
  `verdict_6`, which pick the taxonomy's verdict options by position (the table does not hard-code
  verdict codes, so a project taxonomy with other verdicts keeps its number keys).
- `install(widget, handlers, table=SHORTCUTS) -> list[QShortcut]`: binds every action to its
  handler on `widget` (window-wide). It raises `KeymapError` when an action has no handler, a
  handler names no action, or one key sequence is bound twice: a silent gap or an ambiguous key
  (Qt then fires neither binding) would only show up as "the key does nothing".
- `typed_digit(event) -> int | None`: the digit a key event types, for the form's fields.
  `FOCUSED_FIELD_DIGITS`: the help's sentence on what digits do in a focused field.

Shortcuts are created with auto-repeat off: a held `3` must set the verdict once, not stream
label events (Anki's `applyShortcuts` does the same). Bare letter keys do not steal typing:
editable text widgets accept Qt's ShortcutOverride for printable keys, so `r` typed into the
rationale is text, while the same key in the read-only transcript focuses the rationale.
Digits work the same way: they are the verdict keys only while focus is outside the label form's
fields. A focused scale, choice, code list or the verdict radios accept the ShortcutOverride for
every digit (`typed_digit`) and take the digit themselves (see `label_form`), so `4` on a focused
intent scale sets intent 4 and never the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


class KeymapError(ValueError):
    """The table and the handlers do not fit together; raised at install, before any key works."""


@dataclass(frozen=True, slots=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]
    description: str
    group: str


VERDICT_ACTIONS: tuple[str, ...] = tuple(f"verdict_{n}" for n in range(1, 7))

SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("next_trajectory", ("J", "N"), "Next trajectory in the list", "Navigate"),
    Shortcut("previous_trajectory", ("K", "P"), "Previous trajectory in the list", "Navigate"),
    Shortcut("next_disputed", ("Shift+J",), "Next disputed trajectory", "Navigate"),
    # Brackets rather than Up/Down: arrows must keep moving inside lists, tables and text.
    Shortcut("next_step", ("]",), "Next step of the transcript", "Navigate"),
    Shortcut("previous_step", ("[",), "Previous step of the transcript", "Navigate"),
    Shortcut("jump_to_step", ("Ctrl+G",), "Jump to a step by number", "Navigate"),
    Shortcut(
        "toggle_view", ("D",), "Open the current step's edit in the diffs (else its file's net change); again: back", "View"
    ),
    Shortcut("toggle_collapse", ("C",), "Collapse or expand the section under the cursor (else the step's first)", "View"),
    Shortcut("toggle_step_sections", ("Shift+C",), "Collapse or expand every section of the current step", "View"),
    Shortcut("find", ("Ctrl+F",), "Find in the transcript, collapsed text included", "View"),
    Shortcut("find_next", ("F3",), "Next hit of the find", "View"),
    Shortcut("find_previous", ("Shift+F3",), "Previous hit of the find", "View"),
    *(
        Shortcut(action, (str(n),), f"Set the verdict to option {n} of the label form (unless a form field has focus)", "Label")
        for n, action in enumerate(VERDICT_ACTIONS, start=1)
    ),
    Shortcut(
        "pick_codes",
        ("G",),
        "Pick categories and markers: type to filter by code or name, Space or a digit ticks,"
        " Enter closes (Enter after typing ticks the highlighted code when none was ticked)",
        "Label",
    ),
    Shortcut(
        "add_evidence",
        ("E",),
        "Evidence from the selected text: a popover at the selection takes codes (typed),"
        " role and note, Enter saves; on the evidence list, edits the chosen span",
        "Label",
    ),
    Shortcut("focus_rationale", ("R",), "Write the rationale (scrolled into view)", "Label"),
    Shortcut("accept_suggestion", ("A",), "Accept the selected suggestion into the final label", "Label"),
    Shortcut("leave_field", ("Esc",), "Leave the text box or form field, back to the transcript (nothing changes)", "Label"),
    Shortcut("undo", ("Ctrl+Z",), "Undo the last label edit", "Label"),
    Shortcut("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the label edit", "Label"),
    Shortcut("reveal", ("V",), "Reveal other reviewers, suggestions and grader (after your first pass)", "Review"),
    Shortcut(
        "done",
        ("Ctrl+Return", "Ctrl+Enter"),
        "Done: on to the next trajectory of this queue that still needs you (in My slots: claim your next slot)"
        " (an incomplete first pass asks first); an adjudicator settles the adjudication, the gold label",
        "Review",
    ),
    Shortcut("skip", ("X",), "Skip this trajectory with a reason (kept with your label), on to the next", "Review"),
    Shortcut("flag", ("F",), "Flag this trajectory with a reason (broken, needs an expert), on to the next", "Review"),
    Shortcut("help", ("?", "F1"), "Show this list of shortcuts", "Help"),
)

ACTIONS: tuple[str, ...] = tuple(s.action for s in SHORTCUTS)

FOCUSED_FIELD_DIGITS = (
    "Digits act on the focused field of the label form: a scale takes that value (the chosen value again "
    "clears it); a choice, a list of codes or the verdict takes option n (0 clears a choice; a code is "
    "ticked or unticked). A digit the field has no option for does nothing. Anywhere else, digits set the verdict."
)

CHORD_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


def typed_digit(event: QEvent) -> int | None:
    """The digit a key press, or Qt's ShortcutOverride ahead of it, types (top row or keypad).

    None for any other event or key, and for a digit held with Ctrl, Alt or Meta: such a chord is
    another shortcut. Shift is allowed, as layouts such as AZERTY need it to type digits.
    """
    if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) or not isinstance(event, QKeyEvent):
        return None
    if event.modifiers() & CHORD_MODIFIERS:
        return None
    key = event.key()
    return key - Qt.Key.Key_0 if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 else None


def normalized(key: str) -> str:
    """The key in Qt's canonical portable spelling, so "ctrl+f" and "Ctrl+F" count as the same key."""
    sequence = QKeySequence(key)
    if sequence.isEmpty():
        raise KeymapError(f"not a key sequence: {key!r}")
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def check(table: Iterable[Shortcut], handlers: Mapping[str, object]) -> None:
    """Raise `KeymapError` unless every action has one handler and every key one action."""
    table = tuple(table)
    actions = [s.action for s in table]
    doubled = sorted({a for a in actions if actions.count(a) > 1})
    if doubled:
        raise KeymapError(f"actions listed twice: {', '.join(doubled)}")
    missing = [a for a in actions if a not in handlers]
    if missing:
        raise KeymapError(f"no handler for: {', '.join(missing)}")
    unknown = sorted(set(handlers) - set(actions))
    if unknown:
        raise KeymapError(f"handlers for unknown actions: {', '.join(unknown)}")
    owner: dict[str, str] = {}
    for shortcut in table:
        for key in shortcut.keys:
            canonical = normalized(key)
            if canonical in owner:
                raise KeymapError(f"key {canonical} is bound to both {owner[canonical]} and {shortcut.action}")
            owner[canonical] = shortcut.action


def install(
    widget: QWidget, handlers: Mapping[str, Callable[[], object]], table: Iterable[Shortcut] = SHORTCUTS
) -> list[QShortcut]:
    """Create one non-repeating window-wide QShortcut per key; check everything before creating any."""
    table = tuple(table)
    check(table, handlers)
    created: list[QShortcut] = []
    for shortcut in table:
        for key in shortcut.keys:
            qs = QShortcut(QKeySequence(key), widget)
            qs.setAutoRepeat(False)
            qs.setObjectName(f"shortcut:{shortcut.action}:{normalized(key)}")
            qs.activated.connect(handlers[shortcut.action])
            created.append(qs)
    return created
