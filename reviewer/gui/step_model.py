"""The transcript's step list as a Qt list model: one row per step, `#index role  first line  size`.

Rows are computed in `data()` from the step itself (only the visible rows are asked for when the
view has uniform item sizes), so a 5,000-step run costs nothing to load. ANSI colour codes are dropped
from a tool output's preview (the viewer renders them there; spelled out they would fill a coloured log's row).

A step holding a test run's output is marked (`reviewer.test_runs.marks`): a coloured icon, green ✓
passed, red ✗ failed, a white ✓ on green for a run that passed after the same tests failed, grey ?
when no counts were printed, amber ○ when no test ran. Its tooltip gives the counts. Tooltips are
rich text in Qt and step text is untrusted (docs/untrusted-text.md R2), so only that one, made of counts and fixed
words (`Mark.describe`), is ever set; no step text goes into a tooltip.

Each row starts with glyphs for what the step holds (`OUTLINE`, explained by `LEGEND`): edits, edits of
test or grader files, a failed tool call, evidence spans, find hits, and what raters point at (set by
the transcript, which gets none before the reveal).

Public API: `step_summary(step)`, `StepListModel` (`set_trajectory(t)`, `mark(step)`, `set_marked(kind, steps)`,
`marked(kind)`; display, decoration, tooltip (marked steps only) and user (role) data), `mark_icon(kind)`,
`OUTLINE`, `LEGEND`, `outline_marks(t)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from reviewer.gui.step_sections import human_size
from reviewer.model import Step, Trajectory
from reviewer.test_paths import is_test_path
from reviewer.test_runs import Mark, marks
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


# The outline's glyphs, in the order they are shown.
OUTLINE: dict[str, str] = {
    "edit": "✎",
    "test_edit": "⚠",
    "failed_call": "⊘",
    "evidence": "◆",
    "find": "⌕",
    "suggestion": "⚑",
}
LEGEND = "✎ edit  ⚠ test/grader file  ⊘ failed call  ◆ evidence  ⌕ find hit  ⚑ suggested  ✓✗ test run"


def outline_marks(trajectory: Trajectory) -> dict[str, frozenset[int]]:
    """The steps with edits, with edits of test or grader files, and with failed tool calls (the error result's step)."""
    edits = trajectory.file_edits
    return {
        "edit": frozenset(e.step for e in edits),
        "test_edit": frozenset(e.step for e in edits if is_test_path(e.path) or (e.from_path and is_test_path(e.from_path))),
        "failed_call": frozenset(
            k for k, s in enumerate(trajectory.steps) if s.tool_result is not None and s.tool_result.is_error
        ),
    }


# (glyph, glyph colour, disc colour or None) per mark kind; "went green" is a passing run after the same tests failed.
MARK_STYLES: dict[str, tuple[str, str, str | None]] = {
    "passed": ("✓", "#1a7f37", None),
    "went green": ("✓", "#ffffff", "#1a7f37"),
    "failed": ("✗", "#cf222e", None),
    "none ran": ("○", "#9a6700", None),
    "unknown": ("?", "#6e7781", None),
    "none": ("", "#000000", None),  # an empty icon, so marked and unmarked rows line up
}
_ICONS: dict[str, QIcon] = {}


def mark_kind(mark: Mark | None) -> str:
    if mark is None:
        return "none"
    return "went green" if mark.was_failing is not None else mark.status


def mark_icon(kind: str) -> QIcon:
    """The icon of a mark kind, drawn once (needs a QGuiApplication)."""
    icon = _ICONS.get(kind)
    if icon is None:
        glyph, colour, disc = MARK_STYLES[kind]
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if disc is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(disc))
            painter.drawEllipse(QRectF(1, 1, 30, 30))
        font = QFont()
        font.setPixelSize(24)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(colour))
        painter.drawText(QRectF(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, glyph)
        painter.end()
        icon = _ICONS[kind] = QIcon(pixmap)
    return icon


class StepListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._steps: list[Step] = []
        self._marks: dict[int, Mark] = {}
        self._marked: dict[str, frozenset[int]] = {}
        self._summaries: dict[int, str] = {}  # the rows painted so far: repaints as the transcript scrolls cost nothing

    def set_trajectory(self, trajectory: Trajectory | None) -> None:
        self.beginResetModel()
        self._steps = trajectory.steps if trajectory else []
        self._marks = marks(trajectory.test_runs) if trajectory else {}
        self._marked = outline_marks(trajectory) if trajectory else {}
        self._summaries = {}
        self.endResetModel()

    def set_marked(self, kind: str, steps: Iterable[int]) -> None:
        """Mark these steps (by position) with `kind`'s glyph, replacing that kind's marks."""
        new = frozenset(s for s in steps if 0 <= s < len(self._steps))
        old = self._marked.get(kind, frozenset())
        if new == old:
            return
        self._marked[kind] = new
        changed = new ^ old
        self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), 0), [Qt.ItemDataRole.DisplayRole])

    def marked(self, kind: str) -> frozenset[int]:
        return self._marked.get(kind, frozenset())

    def glyphs(self, row: int) -> str:
        return "".join(glyph for kind, glyph in OUTLINE.items() if row in self._marked.get(kind, ()))

    def mark(self, step: int) -> Mark | None:
        """The test run whose output this step holds, if any."""
        return self._marks.get(step)

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._steps)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            row = index.row()
            summary = self._summaries.get(row)
            if summary is None:
                summary = self._summaries[row] = step_summary(self._steps[row])
            glyphs = self.glyphs(row)
            return f"{glyphs} {summary}" if glyphs else summary
        if role == Qt.ItemDataRole.UserRole:
            return self._steps[index.row()].role
        if role == Qt.ItemDataRole.DecorationRole and self._marks:
            return mark_icon(mark_kind(self._marks.get(index.row())))
        if role == Qt.ItemDataRole.ToolTipRole and (mark := self._marks.get(index.row())) is not None:
            return mark.describe()  # counts and fixed words only: no agent text in rich text
        return None
