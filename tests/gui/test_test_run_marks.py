"""Test runs in the app: the step list marks each step holding a run's output with a coloured icon
(failed, passed, passing after the same tests failed, no counts), the counts in its tooltip, and the
step's header says the same. Nothing the agent wrote reaches the tooltip (Qt renders it as rich text)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from reviewer.gui.step_model import StepListModel, mark_icon  # noqa: E402
from reviewer.gui.transcript_view import TranscriptView  # noqa: E402
from reviewer.model import Step, Task, TestRun, ToolCall, ToolResult, Trajectory  # noqa: E402

HOSTILE_NAME = '<img src="file:///etc/passwd"> tests/test_a.py::test_x'


def run() -> Trajectory:
    calls = ["python -m pytest -q tests/a.py", "pytest tests/a.py", "npm test <b>now</b>", "cat notes.txt"]
    steps = [Step(0, "user", "fix it")]
    for k, command in enumerate(calls):
        steps.append(Step(len(steps), "assistant", "", tool_calls=[ToolCall(f"c{k}", "bash", {"command": command})]))
        steps.append(Step(len(steps), "tool", "output", tool_result=ToolResult(f"c{k}")))
    runs = [
        TestRun(1, calls[0], 2, "pytest", 2, 1, 0, 0, [HOSTILE_NAME]),
        TestRun(3, calls[1], 4, "pytest", 3, 0, 0, 0),
        TestRun(5, calls[2], 6, "<b>jest</b>"),  # a framework name from a file: not repeated in rich text
    ]
    return Trajectory("t-runs", Task("fix it"), steps, test_runs=runs)


def tips(model: StepListModel) -> list[object]:
    return [model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole) for row in range(model.rowCount())]


def pixel(icon_kind: str, x: int, y: int) -> QColor:
    return mark_icon(icon_kind).pixmap(32, 32).toImage().pixelColor(x, y)


def test_marked_steps_have_an_icon_and_counts_in_the_tooltip(qapp, qtmodeltester) -> None:
    model = StepListModel()
    model.set_trajectory(run())
    qtmodeltester.check(model)
    assert tips(model) == [
        None, None, "tests failed · pytest: 1 failed, 2 passed", None,
        "tests passed · pytest: 3 passed · failing before (step 1), passing now", None, "test run · tests: no counts printed",
        None, None,
    ]  # fmt: skip
    icons = [model.data(model.index(row, 0), Qt.ItemDataRole.DecorationRole).cacheKey() for row in range(model.rowCount())]
    kinds = ["none", "none", "failed", "none", "went green", "none", "unknown", "none", "none"]
    assert icons == [mark_icon(kind).cacheKey() for kind in kinds]  # unmarked rows get an empty icon: the rows line up
    assert model.data(model.index(2, 0)).startswith("#2 tool")  # the row's text is unchanged
    assert model.mark(4) is not None and model.mark(3) is None


def test_the_icons_differ_at_a_glance(qapp) -> None:
    failed = pixel("failed", 16, 16)
    assert failed.red() > 150 and failed.green() < 100  # a red ✗
    assert pixel("went green", 16, 4).name() == "#1a7f37"  # a white ✓ on a green disc
    assert pixel("passed", 16, 4).alpha() == 0  # a green ✓ alone
    assert len({mark_icon(kind).cacheKey() for kind in ("failed", "passed", "went green", "unknown", "none ran", "none")}) == 6
    assert all(pixel("none", x, y).alpha() == 0 for x in range(0, 32, 4) for y in range(0, 32, 4))


def test_no_tooltip_without_test_runs(qapp) -> None:
    model = StepListModel()
    model.set_trajectory(Trajectory("t", Task("x"), [Step(0, "user", "x"), Step(1, "assistant", "y")]))
    assert tips(model) == [None, None]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None


def test_the_step_header_says_what_the_run_saw(transcript: TranscriptView, tmp_path: Path) -> None:
    view = transcript
    view.set_trajectory(run())
    view.show_step(4)
    header = view.viewer.textCursor().block().text()  # the card's first line: show_step leaves the cursor there
    assert header == "#4  ·  tool  ·  answers c1  ·  tests passed · pytest: 3 passed · failing before (step 1), passing now"
    view.show_step(2)
    assert "tests failed · pytest: 1 failed, 2 passed" in view.viewer.textCursor().block().text()
    view.steps.setFocus()
    view.grab().save(str(tmp_path / "test-run-marks.png"))  # looked at by hand when this was written
