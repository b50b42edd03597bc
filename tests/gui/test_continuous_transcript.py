"""The continuous transcript: every step in one scroll of cards, a window of them in the document, the outline beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from reviewer.gui.step_sections import MAX_SHOWN  # noqa: E402
from reviewer.gui.transcript_view import TranscriptView  # noqa: E402
from reviewer.model import EvidenceSpan, FileEdit, Step, Task, ToolCall, ToolResult, Trajectory  # noqa: E402
from tests.conftest import SAMPLE_DATA  # noqa: E402
from tests.formats.test_swe_agent import read_one  # noqa: E402
from tests.gui.conftest import shown  # noqa: E402

PYDICOM = Path(__file__).parents[1] / "fixtures" / "swe-agent" / "pydicom__pydicom-1458.traj"


def long_run(n: int = 400, lines: int = 40) -> Trajectory:
    """Alternating calls and outputs; step k's output says `output of step k` on each line."""
    steps = [Step(0, "user", "Fix the parser.")]
    for k in range(1, n):
        if k % 2:
            steps.append(Step(k, "assistant", f"Running step {k}.", thinking=f"thinking at step {k}\n" * 3,
                              tool_calls=[ToolCall(f"c{k}", "bash", {"command": f"pytest tests/test_{k}.py"})]))  # fmt: skip
        else:
            steps.append(Step(k, "tool", f"output of step {k}\n" * lines, tool_result=ToolResult(f"c{k - 1}")))
    edits = [FileEdit("tests/test_parser.py", 1, "a\n", "b\n", status="applied"), FileEdit("src/p.py", 3, "x\n", "y\n")]
    return Trajectory("long", Task("Fix the parser."), steps, file_edits=edits)


@pytest.fixture
def view(qtbot) -> TranscriptView:
    return shown(qtbot, TranscriptView(), 1000, 600)


def top_line(view: TranscriptView) -> str:
    return view.viewer.firstVisibleBlock().text()


def page_down(view: TranscriptView) -> None:
    bar = view.viewer.verticalScrollBar()
    bar.setValue(bar.value() + bar.pageStep())
    QApplication.processEvents()


def test_the_real_runs_outline_marks_its_edits_and_failed_calls(view: TranscriptView) -> None:
    """pydicom-1458 (SWE-agent): the editor refused three edits with syntax errors at steps 13, 15 and 17."""
    t = read_one(PYDICOM)
    view.set_trajectory(t)
    assert view.model.marked("edit") == {2, 4, 12, 14, 16, 18, 22, 25}
    assert view.model.marked("failed_call") == {13, 15, 17} and view.model.marked("test_edit") == frozenset()
    row = view.model.data(view.model.index(13, 0))
    assert row.startswith("⊘ #13 tool") and "syntax error" in row
    for _ in range(200):  # read on, in one scroll, to the first refusal
        if view.current_step() >= 13:
            break
        page_down(view)
    assert "Your proposed edit has introduced new syntax error" in view.viewer.toPlainText()


def test_paging_down_reads_every_step_in_one_scroll_with_a_bounded_document(view: TranscriptView) -> None:
    t = long_run()
    view.set_trajectory(t)
    seen: set[int] = set()
    held = 0
    for _ in range(5_000):
        seen |= {card.step for card in view._cards}
        held = max(held, len(view._cards), view.viewer.document().blockCount() // 100)
        if view.current_step() == len(t.steps) - 1:
            break
        page_down(view)
    assert view.current_step() == len(t.steps) - 1 and view.steps.currentIndex().row() == len(t.steps) - 1
    assert seen == set(range(len(t.steps)))  # no step skipped
    assert held <= 12  # a window of cards, never the whole run
    assert "output of step 398" in view.viewer.toPlainText() and "output of step 2\n" not in view.viewer.toPlainText()


def test_a_far_jump_puts_the_step_on_top_and_cards_above_keep_the_text_in_place(view: TranscriptView) -> None:
    view.set_trajectory(long_run())
    view.show_step(300)
    assert top_line(view).startswith("#300  ·  tool") and view._cards[0].step < 300  # earlier cards are there to scroll up into
    bar = view.viewer.verticalScrollBar()
    for _ in range(60):  # up, line by line (no line wraps here), across the cards added above as it goes
        before = view.viewer.firstVisibleBlock().text()
        bar.setValue(bar.value() - 1)
        QApplication.processEvents()
        assert view.viewer.firstVisibleBlock().next().text() == before  # one line up: nothing jumped
    assert view.current_step() < 299 and view.steps.currentIndex().row() == view.current_step()
    assert view._cards[0].step < view.current_step()


def test_the_outline_scrolls_the_transcript_and_the_transcript_the_outline(view: TranscriptView, qtbot) -> None:
    view.set_trajectory(long_run())
    view.steps.setCurrentIndex(view.model.index(250, 0))
    qtbot.waitUntil(lambda: view.current_step() == 250)
    assert top_line(view).startswith("#250  ·  tool")
    for _ in range(3):
        page_down(view)
    assert view.current_step() > 250 and view.steps.currentIndex().row() == view.current_step()


def test_collapsed_state_stays_as_set_when_moving_away_and_back(view: TranscriptView) -> None:
    view.set_trajectory(long_run())
    view.show_step(1)
    view.toggle_section("thinking")
    assert "▸ Thinking" in view.viewer.textCursor().block().text()
    view.show_step(350)  # far: the window is rebuilt there
    assert view._card_index(1) is None
    view.show_step(1)
    piece = view._piece("thinking")
    assert piece is not None and view.viewer.document().findBlock(piece.region + 1).text().startswith("▸ Thinking")


def test_shift_c_collapses_every_section_of_the_step_then_opens_them(view: TranscriptView) -> None:
    view.set_trajectory(long_run())
    view.show_step(3)  # thinking, text, tool call and an edit

    def titles() -> list[str]:
        card = view._cards[view._card_index(3)]  # type: ignore[index]
        return [p.section.source + ("+" if view._is_open(3, p.section) else "-") for p in card.pieces]

    assert titles() == ["thinking+", "text+", "tool_call+", "diff+"]
    view.toggle_step()
    assert titles() == ["thinking-", "text-", "tool_call-", "diff-"]
    view.toggle_step()
    assert titles() == ["thinking+", "text+", "tool_call+", "diff+"]


def test_folded_kinds_start_collapsed_and_a_toggle_still_wins(view: TranscriptView, qtbot) -> None:
    view.set_trajectory(long_run())
    view.show_step(1)
    view.toggle_section("thinking")  # closed by hand: stays closed
    with qtbot.waitSignal(view.folded_changed) as blocker:
        view.fold_actions["tool_output"].setChecked(True)
    assert blocker.args == [["tool_output"]] and view.folded == ["tool_output"]
    view.show_step(2)
    assert "▸ Tool output" in view.viewer.toPlainText() and "▾ Tool output" not in view.viewer.toPlainText()
    view.set_folded([])
    assert "▸ Tool output" not in view.viewer.toPlainText() and "▸ Thinking" in view.viewer.toPlainText()


def test_an_expanded_long_output_pages_in_as_it_is_scrolled(view: TranscriptView) -> None:
    lines = 30_000  # about 0.7 MB: more than MAX_SHOWN characters
    output = "".join(f"line {k:05d} of the log\n" for k in range(lines))
    t = Trajectory(
        "big", Task("x"), [Step(0, "user", "go"), Step(1, "tool", output, tool_result=None), Step(2, "assistant", "done")]
    )
    view.set_trajectory(t)
    view.show_step(1)
    view.toggle_section("tool_output")
    assert "line 00000" in view.viewer.toPlainText() and "line 29999" not in view.viewer.toPlainText()
    assert "below: scroll down to show them" in view.viewer.toPlainText()
    for _ in range(20_000):
        if "line 29999" in top_line(view) or view.current_step() == 2:
            break
        page_down(view)
        assert len(view.viewer.toPlainText()) < 2 * MAX_SHOWN  # one page of it at a time
    assert "line 29999 of the log" in view.viewer.toPlainText() and "#2  ·  assistant" in view.viewer.toPlainText()


def test_evidence_and_find_hits_are_marked_in_the_outline(view: TranscriptView, qtbot) -> None:
    t = long_run()
    view.set_trajectory(t)
    view.highlight_spans([EvidenceSpan(7, "text", 0, 7, "Running")])
    assert view.model.marked("evidence") == {7} and view.model.data(view.model.index(7, 0)).startswith("◆ #7")
    assert view.model.marked("test_edit") == {1} and view.model.marked("edit") == {1, 3}
    with qtbot.waitSignal(view.find_finished, timeout=10_000) as blocker:
        view.find_text("output of step 12\n")
    assert blocker.args == [40] and view.model.marked("find") == {12}
    assert top_line(view) != "" and view.current_step() == 12
    view.find_text("")
    assert view.model.marked("find") == frozenset()


def test_the_final_answer_is_shown_once_when_it_is_the_last_steps_text(view: TranscriptView) -> None:
    t = Trajectory.from_dict(json.loads((SAMPLE_DATA / "false-success-claim.json").read_text(encoding="utf-8")))
    assert t.final_answer == t.steps[-1].text  # the sample's final answer is its last message
    view.set_trajectory(t)
    view.show_step(len(t.steps) - 1)
    text, last = view.viewer.toPlainText(), view._cards[-1].text
    assert text.count(t.final_answer) == 1 and text.count("Final answer") == 1 and "▾ Text" not in last
