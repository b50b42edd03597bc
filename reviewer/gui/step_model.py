"""The transcript's step list as a Qt list model: one row per step, `#index role  first line  size`.

Rows are computed in `data()` from the step itself (only the visible rows are asked for when the
view has uniform item sizes), so a 5,000-step run costs nothing to load. No tooltip role: Qt renders
tooltips as rich text, and step text is untrusted (docs/untrusted-text.md R2). ANSI colour codes are dropped from
a tool output's preview (the viewer renders them there; spelled out they would fill a coloured log's row).

Public API: `step_summary(step)`, `StepListModel` (`set_trajectory(t)`; display and user (role) data).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from reviewer.gui.step_sections import human_size
from reviewer.model import Step, Trajectory
from reviewer.textsafe import one_line, strip_sgr

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
FIRST_LINE = 80
_PARTIAL_SGR = re.compile(r"\x1b(?:\[[0-9;]*)?\Z")


def step_summary(step: Step) -> str:
    """`#12 assistant  Let me run the tests  · bash · 1.2 K chars`: what a reviewer scans the list by."""
    head = step.text or step.thinking or ""
    line = head[: FIRST_LINE * 4].split("\n", 1)[0]
    if step.role == "tool":
        if len(line) == FIRST_LINE * 4:  # cut: a colour code may be cut in half at the end
            line = _PARTIAL_SGR.sub("", line)
        line = strip_sgr(line)
    line = one_line(line, FIRST_LINE)
    calls = ", ".join(c.name for c in step.tool_calls)
    size = len(step.text) + len(step.thinking or "")
    parts = [f"#{step.index} {step.role}", line, calls, human_size(size) if size else ""]
    return "  ·  ".join(p for p in parts if p)


class StepListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._steps: list[Step] = []

    def set_trajectory(self, trajectory: Trajectory | None) -> None:
        self.beginResetModel()
        self._steps = trajectory.steps if trajectory else []
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._steps)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return step_summary(self._steps[index.row()])
        if role == Qt.ItemDataRole.UserRole:
            return self._steps[index.row()].role
        return None
