"""A queue that flows: the list's progress, the next item that still needs the viewer, and the
questions before moving on (an incomplete label) or setting an item aside (a skip or flag's reason).

The statuses and what counts as needing the viewer are the store's (`reviewer.store.listing`);
this module only walks the list as shown (its order, its filters) and asks.

Public API: `progress_text(counts) -> str`; `next_needing(model, start) -> int | None`;
`ask_to_move_on(parent, missing, then) -> QMessageBox`; `ask_reason(parent, kind, current, then)
-> QInputDialog` (`then(reason)` on OK).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from reviewer.gui.trajectory_model import TrajectoryTableModel
from reviewer.gui.widgets import ask_first
from reviewer.store.listing import NEEDS_ME

SET_ASIDE = ("skipped", "flagged")


def progress_text(counts: dict[str, int]) -> str:
    """ "12 of 40 done · 2 skipped": done is complete (first pass or final); set aside is said apart."""
    total = sum(counts.values())
    done = total - sum(counts[s] for s in (*NEEDS_ME, *SET_ASIDE))
    aside = " · ".join(f"{counts[s]} {s}" for s in SET_ASIDE if counts[s])
    return f"{done} of {total} done" + (f" · {aside}" if aside else "")


def next_needing(model: TrajectoryTableModel, start: int) -> int | None:
    """The first row after `start` (in the list's order, wrapping once, fetching pages as needed) whose
    status still needs the viewer; None when no other row does."""
    row, wrapped = start, False
    while True:
        row += 1
        while row >= model.rowCount() and model.canFetchMore():
            model.fetchMore()
        if row >= model.rowCount():
            if wrapped:
                return None
            wrapped, row = True, 0
        if wrapped and row >= start:
            return None
        if model.status(row) in NEEDS_ME:
            return row


def ask_to_move_on(parent: QWidget, missing: list[str], then: Callable[[], object]) -> QMessageBox:
    text = (
        "Your label still lacks:\n" + "\n".join(f"• {m}" for m in missing) + "\n\nIt is saved as it is; you can come back to it."
    )
    return ask_first(parent, "Move on with an incomplete label?", text, "Move on", then)


def ask_reason(parent: QWidget, kind: str, current: str | None, then: Callable[[str], object]) -> QInputDialog:
    """Why skip or flag (kept with the label); with `current` (set aside so already) the reason is
    shown to edit, and an empty answer takes it back."""
    ask = QInputDialog(parent)
    ask.setWindowTitle("Skip" if kind == "skip" else "Flag")
    ask.setLabelText(f"Why {kind} this trajectory? (kept with your label)" + ("\nEmpty: take it back." if current else ""))
    ask.setTextValue(current or "")
    ask.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    ask.accepted.connect(lambda: then(ask.textValue()))
    ask.open()
    return ask
