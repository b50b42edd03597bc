"""The `?` dialog: the keymap table, grouped, so the help can never drift from the real bindings.

Public API: `ShortcutHelp(parent=None, table=SHORTCUTS, verdicts=())`, a non-modal QDialog (the
reviewer may keep it open beside the window). `verdicts` are the taxonomy's verdict labels in
order; when given, the number keys read "Verdict: Cheat" instead of "option 3". `tree` is the
QTreeView and `model` its QStandardItemModel: one row per group, one child per shortcut (keys,
description), descriptions whole, broken into lines of `WRAP` characters at spaces. The window passes its own table: the keymap's
rows and the label-field keys generated from the project's taxonomy. Below it, `digits` says what digits do in a focused field of
the label form, where they are not the verdict keys.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QTreeView, QVBoxLayout, QWidget

from reviewer.gui.keymap import FOCUSED_FIELD_DIGITS, SHORTCUTS, VERDICT_ACTIONS, Shortcut
from reviewer.gui.widgets import PlainLabel

WRAP = 84  # characters per line of a description: item views size rows by their lines, not by wrapping


def shown_keys(shortcut: Shortcut) -> str:
    """The keys as this platform spells them ("Ctrl+F" on Linux, "⌘F" on macOS)."""
    return "  or  ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in shortcut.keys)


def description(shortcut: Shortcut, verdicts: Sequence[str]) -> str:
    if shortcut.action in VERDICT_ACTIONS:
        position = VERDICT_ACTIONS.index(shortcut.action)
        if position < len(verdicts):
            return f"Verdict: {verdicts[position]}"
    return shortcut.description


class ShortcutHelp(QDialog):
    def __init__(self, parent: QWidget | None = None, table: Iterable[Shortcut] = SHORTCUTS, verdicts: Sequence[str] = ()):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Keys", "Action"])
        groups: dict[str, QStandardItem] = {}
        for shortcut in table:
            if shortcut.group not in groups:
                header = QStandardItem(shortcut.group)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                groups[shortcut.group] = header
                self.model.appendRow([header, QStandardItem()])
            whole = textwrap.fill(description(shortcut, verdicts), WRAP, break_on_hyphens=False, break_long_words=False)
            groups[shortcut.group].appendRow([QStandardItem(shown_keys(shortcut)), QStandardItem(whole)])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setRootIsDecorated(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)  # whole descriptions (wrapped at WRAP characters)
        self.tree.setItemsExpandable(False)
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, self.tree.rootIndex(), True)
        self.tree.expandAll()
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.digits = PlainLabel(FOCUSED_FIELD_DIGITS, wrap=True)
        layout.addWidget(self.tree)
        layout.addWidget(self.digits)
        layout.addWidget(buttons)
        self.resize(760, 720)
