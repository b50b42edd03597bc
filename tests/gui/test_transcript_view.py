"""The transcript view, offscreen: navigation, collapsing, find, evidence spans, hostile content, ANSI colour, speed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFont, QPalette, QTextCursor  # noqa: E402

from reviewer.ansi import contrast  # noqa: E402
from reviewer.gui import transcript_view  # noqa: E402
from reviewer.gui.step_model import StepListModel  # noqa: E402
from reviewer.gui.step_sections import MAX_SHOWN, ShownText  # noqa: E402
from reviewer.gui.transcript_view import TranscriptView  # noqa: E402
from reviewer.gui.workers import app_pool  # noqa: E402
from reviewer.model import EvidenceSpan, FileEdit, Step, Task, ToolCall, ToolResult, Trajectory  # noqa: E402
from reviewer.spans import source_text, span_problem  # noqa: E402
from tests.conftest import SAMPLE_DATA  # noqa: E402

HOSTILE = (
    '<img src="file:///etc/passwd"> <a href="x">link</a> <b>bold</b>\n# Heading\n**md** [l](http://x)\n'
    "\x1b[31mred\x1b[0m \u202eevil\u202c zero\u200bwidth\x00nul 😀 end"
)
BIG_OUTPUT = "\n".join(f"line {k} 😀 output" for k in range(100_000))


def run() -> Trajectory:
    """Every kind of section, astral characters, one long tool output and one edit."""
    steps = [
        Step(0, "user", "Fix it 😀 please"),
        Step(
            1,
            "assistant",
            "I will look 😀 at x\x1b[1m.",
            thinking="Hmm 😀 the \u202etest\u202c is wrong",
            tool_calls=[ToolCall("c1", "bash", {"command": "cat 😀.py\nls"})],
        ),  # fmt: skip
        Step(2, "tool", BIG_OUTPUT, tool_result=ToolResult("c1")),
        Step(3, "assistant", HOSTILE),
    ]
    edit = FileEdit("src/a.py", 1, "x = 1\n", "x = '😀'\n")
    return Trajectory("t-1", Task("Task: fix <b>it</b> 😀"), steps, file_edits=[edit])


@pytest.fixture
def view(qtbot) -> TranscriptView:
    w = TranscriptView()
    qtbot.addWidget(w)
    w.resize(1000, 700)
    with qtbot.waitExposed(w):
        w.show()
    w.set_trajectory(run())
    return w


def find(qtbot, view: TranscriptView, text: str) -> int:
    """Start a find and wait for its count."""
    with qtbot.waitSignal(view.find_finished, timeout=10_000) as blocker:
        view.find_text(text)
    return blocker.args[0]


def select(view: TranscriptView, source: str, start: int, end: int) -> None:
    """Select source offsets [start, end) in the viewer, as a mouse drag would (UTF-16 positions)."""
    piece = view._piece(source)
    assert piece is not None
    cursor = view.viewer.textCursor()
    cursor.setPosition(piece.start + piece.shown.to_shown(start))
    cursor.setPosition(piece.start + piece.shown.to_shown(end), QTextCursor.MoveMode.KeepAnchor)
    view.viewer.setTextCursor(cursor)


def test_step_model_passes_the_model_tester(qtmodeltester) -> None:
    model = StepListModel()
    model.set_trajectory(run())
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    assert model.data(model.index(1, 0)).startswith("✎ #1 assistant  ·  I will look")  # it edits a file


def test_loads_pins_the_task_and_navigates(view: TranscriptView, qtbot) -> None:
    assert view.task.toPlainText() == "Task: fix <b>it</b> 😀" and view.task.isReadOnly()
    assert view.current_step() == 0 and view.steps.uniformItemSizes()
    with qtbot.waitSignal(view.step_selected) as blocker:
        view.next_step()
    assert blocker.args == [1] and view.steps.currentIndex().row() == 1
    shown = view.viewer.toPlainText()
    assert "▾ Thinking" in shown and "bash\ncommand:\ncat 😀.py" in shown and "+x = '😀'" in shown
    view.show_step(3)
    view.next_step()
    assert view.current_step() == 3
    body = QTextCursor(view.viewer.document())
    body.setPosition(view._piece("text").start + 1)  # type: ignore[union-attr]
    assert body.charFormat().fontWeight() == QFont.Weight.Normal  # headers are bold, step text is not
    view.previous_step()
    assert view.current_step() == 2


def test_list_selection_loads_the_step_after_a_debounce(view: TranscriptView, qtbot) -> None:
    view.steps.setCurrentIndex(view.model.index(3, 0))
    assert view.current_step() == 0
    qtbot.waitUntil(lambda: view.current_step() == 3)


def test_long_output_starts_collapsed_with_its_size_and_toggles(view: TranscriptView) -> None:
    view.show_step(2)
    shown = view.viewer.toPlainText()
    assert "▸ Tool output  ·  100,000 lines" in shown and "⋯ 99,994 lines hidden" in shown
    assert "line 99999 " in shown  # the tail, where a test run prints its summary
    assert "line 50000 " not in shown and view.viewer.document().blockCount() < 60
    view.toggle_section("tool_output")
    assert "▾ Tool output" in view.viewer.toPlainText()
    assert len(view.viewer.toPlainText()) < MAX_SHOWN + 1000  # capped even when expanded
    view.toggle_section()  # the section under the cursor: the title it left the cursor on
    assert "▸ Tool output" in view.viewer.toPlainText()


def test_thinking_collapses_first(view: TranscriptView, qtbot) -> None:
    view.show_step(1)
    view.viewer.setFocus()
    view.toggle_section()  # the app's C key (its press on a real window: tests/gui/test_panels.py)
    assert "▸ Thinking" in view.viewer.toPlainText()


def test_find_reaches_collapsed_text_expands_it_and_selects_the_hit(view: TranscriptView, qtbot) -> None:
    assert find(qtbot, view, "LINE 76543 😀") == 1
    assert view.current_step() == 2 and "▾ Tool output" in view.viewer.toPlainText()
    assert view.viewer.textCursor().selectedText() == "line 76543 😀"
    assert view.find_status.text() == "hit 1 of 1 · step 2 · tool output"
    span = view.selected_span()
    assert span is not None and span.source == "tool_output" and span_problem(view.trajectory, span) is None
    assert view.find_next() and view.current_step() == 2
    assert view.viewer.textCursor().selectedText() == "line 76543 😀"  # only one hit: wraps to itself


def test_find_counts_hits_from_the_current_step_and_walks_them_without_searching(view: TranscriptView, qtbot) -> None:
    view.show_step(1)
    # 1 in step 0, 4 in step 1 (thinking, text, tool call, edit), 100,000 in step 2: over the cap, so the
    # hits counted are those from the current step on, numbered from there
    assert find(qtbot, view, "😀") == transcript_view.MAX_HITS
    assert view.find_status.text() == "hit 1 of 10,000+ · step 1 · thinking" and view.current_step() == 1
    assert view.find_next() and view.find_status.text() == "hit 2 of 10,000+ · step 1 · text"
    with qtbot.assertNotEmitted(view.find_finished, wait=100):
        view.find_previous()
        assert view.find_previous()  # wraps to the last hit counted, without searching again
    assert view.find_status.text() == "hit 10,000 of 10,000+ · step 2 · tool output" and view.current_step() == 2
    assert view.viewer.textCursor().selectedText() == "😀" and "▾ Tool output" in view.viewer.toPlainText()
    assert find(qtbot, view, "I will look") == 1 and (view.current_step(), view.selected_span().source) == (1, "text")  # type: ignore[union-attr]
    assert find(qtbot, view, "no such text anywhere") == 0 and view.find_status.text() == "no match"
    assert not view.find_next() and not view.find_previous()


def test_hits_are_numbered_in_run_order_and_wrap(view: TranscriptView, qtbot) -> None:
    view.show_step(3)
    assert find(qtbot, view, "x") == 6  # step 0 text, step 1 text and edit (2), step 3 text (2)
    assert view.find_status.text() == "hit 5 of 6 · step 3 · text"  # the first at or after the current step
    assert view.find_next() and view.find_status.text() == "hit 6 of 6 · step 3 · text"
    assert view.find_next() and view.find_status.text() == "hit 1 of 6 · step 0 · text" and view.current_step() == 0
    assert view.find_previous() and view.find_status.text() == "hit 6 of 6 · step 3 · text"
    assert view.selected_span() == EvidenceSpan(3, "text", HOSTILE.rindex("x"), HOSTILE.rindex("x") + 1, "x")


def test_moves_asked_for_while_the_search_runs_apply_when_it_lands(qtbot) -> None:
    w = TranscriptView()
    qtbot.addWidget(w)
    w.set_trajectory(Trajectory("big", Task("t"), [Step(k, "assistant", f"step {k} " + "word " * 2000) for k in range(2000)]))
    w.find_text("step 1")  # steps 1, 10-19, 100-199, 1000-1999
    w.find_next()
    with qtbot.waitSignal(w.find_finished, timeout=10_000) as blocker:
        w.find_next()
    assert blocker.args == [1 + 10 + 100 + 1000] and w.find_status.text() == "hit 3 of 1,111 · step 11 · text"


def test_a_new_text_or_trajectory_drops_the_old_search(qtbot) -> None:
    w = TranscriptView()
    qtbot.addWidget(w)
    big = Trajectory("big", Task("t"), [Step(k, "assistant", f"step {k} " + "word " * 2000) for k in range(3000)])
    w.set_trajectory(big)
    counts: list[int] = []
    w.find_finished.connect(counts.append)
    w.find_text("word")  # would reach the cap
    with qtbot.waitSignal(w.find_finished, timeout=10_000):
        w.find_text("step 2999")
    assert counts == [1] and w.current_step() == 2999 and w.find_status.text() == "hit 1 of 1 · step 2999 · text"
    w.show_step(0)
    w.find_text("step 2999")
    w.set_trajectory(run())  # the search of the old run is cancelled; its results, if any, are dropped
    qtbot.waitUntil(lambda: app_pool("find").activeThreadCount() == 0)
    qtbot.wait(20)
    assert counts == [1] and w.current_step() == 0 and w.find_status.text() == "" and w.trajectory.id == "t-1"  # type: ignore[union-attr]
    qtbot.keyClick(w.find_field, Qt.Key.Key_Return)  # same text, new run: Enter searches again
    qtbot.waitUntil(lambda: w.find_status.text() == "no match")


def test_find_field_and_shortcut(view: TranscriptView, qtbot) -> None:
    view.viewer.setFocus()
    view.focus_find()  # the app's Ctrl+F
    assert view.find_field.hasFocus()
    with qtbot.waitSignal(view.find_finished, timeout=10_000) as blocker:
        qtbot.keyClicks(view.find_field, "evil")
        qtbot.keyClick(view.find_field, "\r")
    assert blocker.args == [1] and view.current_step() == 3 and view.selected_span() is not None
    with qtbot.assertNotEmitted(view.find_finished, wait=100):
        qtbot.keyClick(view.find_field, "\r")  # same text again: the next hit, no new search
    assert view.find_status.text() == "hit 1 of 1 · step 3 · text"


def test_typing_searches_after_a_pause(view: TranscriptView, qtbot) -> None:
    counts: list[int] = []
    view.find_finished.connect(counts.append)
    with qtbot.waitSignal(view.find_finished, timeout=10_000):
        qtbot.keyClicks(view.find_field, "bold")  # one search for the whole word, not one per key
    qtbot.wait(transcript_view.FIND_DEBOUNCE_MS + 50)
    assert counts == [1] and view.viewer.textCursor().selectedText() == "bold"
    view.find_field.clear()
    qtbot.keyClicks(view.find_field, "x = '")
    assert view.find_next()  # F3 before the pause: searches now, and shows the first hit
    qtbot.waitUntil(lambda: view.find_status.text() == "hit 1 of 1 · step 1 · edits")


@pytest.mark.parametrize(
    ("step", "source", "needle"),
    [(1, "thinking", "😀 the \u202etest"), (1, "text", "look 😀 at x\x1b[1m"), (1, "tool_call", "cat 😀.py\nls"),
     (1, "diff", "+x = '😀'"), (3, "text", "\u202eevil\u202c zero\u200bwidth\x00nul 😀"), (2, "tool_output", "line 2 😀")],
)  # fmt: skip
def test_selected_span_is_valid_in_every_kind_of_section(view: TranscriptView, step: int, source: str, needle: str) -> None:
    view.show_step(step)
    text = source_text(view.trajectory, step, source)  # type: ignore[arg-type]
    assert text is not None
    start = text.index(needle)
    select(view, source, start, start + len(needle))
    span = view.selected_span()
    assert span == EvidenceSpan(step, source, start, start + len(needle), needle)
    assert span_problem(view.trajectory, span) is None  # type: ignore[arg-type]


def test_selection_in_collapsed_then_expanded_output_and_across_sections(view: TranscriptView) -> None:
    view.show_step(2)
    select(view, "tool_output", 5, 12)
    first = view.selected_span()
    view.toggle_section("tool_output")
    text = source_text(view.trajectory, 2, "tool_output")  # type: ignore[arg-type]
    start = text.index("line 4000 ")  # type: ignore[union-attr]  # beyond the preview, inside the window
    select(view, "tool_output", start, start + 12)
    for span in (first, view.selected_span()):
        assert span is not None and span_problem(view.trajectory, span) is None  # type: ignore[arg-type]
    view.show_step(1)
    cursor = view.viewer.textCursor()
    cursor.setPosition(view._piece("thinking").start + 1)  # type: ignore[union-attr]
    cursor.setPosition(view._piece("text").start + 3, QTextCursor.MoveMode.KeepAnchor)  # type: ignore[union-attr]
    view.viewer.setTextCursor(cursor)
    assert view.selected_span() is None


def test_highlight_and_show_span(view: TranscriptView) -> None:
    span = EvidenceSpan(3, "text", HOSTILE.index("evil"), HOSTILE.index("evil") + 4, "evil")
    view.highlight_spans([span])
    assert view.viewer.extraSelections() == [] or view.current_step() != 3
    assert view.show_span(span) and view.current_step() == 3
    [painted] = view.viewer.extraSelections()
    assert painted.cursor.selectedText() == "evil" and view.viewer.textCursor().selectedText() == "evil"
    deep = EvidenceSpan(2, "tool_output", BIG_OUTPUT.index("line 88888 "), BIG_OUTPUT.index("line 88888 ") + 10, "line 88888")
    view.highlight_spans([deep])
    assert view.show_span(deep) and view.viewer.extraSelections()[0].cursor.selectedText() == "line 88888"
    assert not view.show_span(EvidenceSpan(99, "text", 0, 1, "x"))


def test_hostile_content_is_plain_text(view: TranscriptView) -> None:
    view.show_step(3)
    shown = view.viewer.toPlainText()
    assert '<img src="file:///etc/passwd"> <a href="x">link</a> <b>bold</b>' in shown and "**md** [l](http://x)" in shown
    assert "\\x1b[31mred\\x1b[0m \\u202eevil\\u202c zero\\u200bwidth\\x00nul 😀" in shown  # colour only in tool output
    html = view.viewer.document().toHtml()
    assert "<img" not in html and "<a href" not in html and "<b>" not in html
    assert not any(
        f.isImageFormat() or (f.isCharFormat() and f.toCharFormat().isAnchor()) for f in view.viewer.document().allFormats()
    )  # nothing to load
    assert view.model.data(view.model.index(3, 0)).count("<img") == 1  # shown, inert (no tooltip role)
    assert view.model.data(view.model.index(3, 0), 3) is None  # ToolTipRole


@pytest.mark.parametrize("kind", ["10 MB line", "100k-line output", "5,000 steps"])
def test_huge_content_stays_under_a_time_budget(qtbot, kind: str) -> None:
    w = TranscriptView()
    qtbot.addWidget(w)
    w.resize(1000, 700)
    with qtbot.waitExposed(w):
        w.show()
    if kind == "10 MB line":
        steps = [Step(0, "assistant", "<b>x</b> " * 1_250_000)]
    elif kind == "100k-line output":
        steps = [Step(0, "tool", BIG_OUTPUT + "\n" + HOSTILE)]
    else:
        steps = [Step(k, "assistant", f"step {k} " + "word " * 2000) for k in range(5000)]
    t = Trajectory("big", Task("t"), steps)
    start = time.perf_counter()
    w.set_trajectory(t)
    w.toggle_section()
    w.grab()
    assert time.perf_counter() - start < 1.5, kind  # measured: 10 MB line 0.17 s, 100k lines 0.08 s, 5,000 steps 0.03 s
    start = time.perf_counter()
    with qtbot.waitSignal(w.find_finished, timeout=10_000) as blocker:
        w.find_text("nul")
    assert blocker.args[0] or kind != "100k-line output"
    w.show_step(len(steps) - 1)
    assert time.perf_counter() - start < 5, kind  # a scan of 50 MB: 0.4 s quiet, 1.6 s at load 8 on 2 cores


def test_shown_text_maps_escapes_and_surrogates_both_ways() -> None:
    text = "a\x1b😀b\u202ec"
    shown = ShownText(text, 0, len(text))
    assert shown.shown == "a\\x1b😀b\\u202ec" and shown.utf16_length == len(shown.shown) + 1
    for offset in range(len(text) + 1):
        assert shown.to_source(shown.to_shown(offset)) == offset
    assert shown.to_source(2, round_up=True) == 2 and shown.to_source(2) == 1  # inside the \x1b escape


def test_sample_data_renders_to_png(qtbot, tmp_path: Path) -> None:
    t = Trajectory.from_dict(json.loads((SAMPLE_DATA / "conftest-report-patching.json").read_text()))
    w = TranscriptView()
    qtbot.addWidget(w)
    w.resize(1200, 750)
    with qtbot.waitExposed(w):
        w.show()
    w.set_trajectory(t)
    w.show_step(6)
    assert w.grab().save(str(tmp_path / "transcript.png"))


ANSI_OUTPUT = (
    "\x1b[1m============ test session starts ============\x1b[0m\n"
    "tests/test_a.py \x1b[32m.\x1b[0m\x1b[31mF\x1b[0m\n"
    "\x1b[31mFAILED\x1b[0m tests/test_a.py::test_b - \x1b[1;31mAssertionError\x1b[0m\n"
    "\x1b[30;40mblack on black\x1b[0m \x1b[8mconcealed\x1b[0m \x1b[38;2;255;255;255mwhite\x1b[0m \x1b[2mfaint\x1b[0m "
    "\x1b[7mreverse\x1b[0m \x1b[47;37mwhite on white\x1b[0m \x1b[38;5;231;48;5;231mcube white\x1b[0m\n"
    "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\ \x1b[2K\x1b[1Aerased \x1b lone"
)


@pytest.fixture
def coloured(view: TranscriptView) -> TranscriptView:
    """The view showing a pytest run's coloured output, hostile colours and other escapes included."""
    steps = [Step(0, "assistant", "run the tests", tool_calls=[ToolCall("c1", "bash", {"command": "pytest"})]),
             Step(1, "tool", ANSI_OUTPUT, tool_result=ToolResult("c1"))]  # fmt: skip
    view.set_trajectory(Trajectory("ansi", Task("t"), steps))
    view.show_step(1)
    return view


def format_of(view: TranscriptView, word: str):  # noqa: ANN201 (QTextCharFormat)
    """The char format of the first character of `word` in the viewer (no astral characters before it here)."""
    cursor = QTextCursor(view.viewer.document())
    cursor.setPosition(view.viewer.toPlainText().index(word) + 1)  # a cursor reports the character before it
    return cursor.charFormat()


def test_ansi_colours_are_formats_not_escapes(coloured: TranscriptView) -> None:
    shown = coloured.viewer.toPlainText()
    assert "\x1b[31m" not in shown and "\\x1b[31m" not in shown and "[0m" not in shown and "[1;31m" not in shown
    assert "FAILED tests/test_a.py::test_b - AssertionError\n" in shown and "tests/test_a.py .F\n" in shown
    [title] = [line for line in shown.splitlines() if line.startswith("▾ Tool output")]
    assert title.endswith("·  ANSI colours")  # the reviewer is told formatting was applied
    base = coloured.viewer.palette().color(QPalette.ColorRole.Base).getRgb()[:3]
    red = format_of(coloured, "FAILED").foreground().color()
    assert red.red() > 150 and red.green() < 60 and contrast(red.getRgb()[:3], base) >= 4.5
    assert format_of(coloured, "AssertionError").fontWeight() == QFont.Weight.Bold
    assert format_of(coloured, " tests/test_a.py::").foreground().style() == Qt.BrushStyle.NoBrush  # the reset worked
    header = format_of(coloured, "▾ Tool output")
    assert header.background().style() != Qt.BrushStyle.NoBrush  # headers have a background, which agent text never has


@pytest.mark.parametrize("word", ["black on black", "concealed", "white ", "faint", "reverse", "white on white", "cube white"])
def test_hostile_colours_stay_readable(coloured: TranscriptView, word: str) -> None:
    fmt = format_of(coloured, word)
    base = coloured.viewer.palette().color(QPalette.ColorRole.Base).getRgb()[:3]
    assert fmt.background().style() == Qt.BrushStyle.NoBrush and not fmt.fontStrikeOut()
    if fmt.foreground().style() != Qt.BrushStyle.NoBrush:
        assert contrast(fmt.foreground().color().getRgb()[:3], base) >= 4.5


def test_other_escapes_and_links_stay_visible_and_inert(coloured: TranscriptView) -> None:
    shown = coloured.viewer.toPlainText()
    assert "\\x1b]8;;http://evil.example/\\x1b\\click me\\x1b]8;;\\x1b\\ \\x1b[2K\\x1b[1Aerased \\x1b lone" in shown
    assert not any(f.isCharFormat() and f.toCharFormat().isAnchor() for f in coloured.viewer.document().allFormats())


def test_a_selection_across_hidden_codes_is_a_valid_span(coloured: TranscriptView) -> None:
    shown = coloured.viewer.toPlainText()
    cursor = coloured.viewer.textCursor()
    cursor.setPosition(shown.index("FAILED"))
    cursor.setPosition(shown.index("AssertionError") + len("AssertionError"), QTextCursor.MoveMode.KeepAnchor)
    coloured.viewer.setTextCursor(cursor)
    span = coloured.selected_span()
    assert span is not None and span_problem(coloured.trajectory, span) is None  # type: ignore[arg-type]
    assert span.quote == "FAILED\x1b[0m tests/test_a.py::test_b - \x1b[1;31mAssertionError"  # no hidden code at the edges
    cursor.setPosition(shown.index(".F\n") + 1)
    cursor.setPosition(shown.index(".F\n") + 2, QTextCursor.MoveMode.KeepAnchor)
    coloured.viewer.setTextCursor(cursor)
    span = coloured.selected_span()
    assert span is not None and span.quote == "F" and span_problem(coloured.trajectory, span) is None  # type: ignore[arg-type]
    coloured.highlight_spans([span])
    assert [s.cursor.selectedText() for s in coloured.viewer.extraSelections()] == ["F"]


def test_find_reads_tool_output_as_shown(coloured: TranscriptView, qtbot) -> None:
    assert find(qtbot, coloured, "1;31m") == 0  # hidden colour codes are not text the reviewer can see
    assert find(qtbot, coloured, "failed") == 1 and coloured.viewer.textCursor().selectedText() == "FAILED"
    span = coloured.selected_span()
    assert span is not None and span.quote == "FAILED" and span_problem(coloured.trajectory, span) is None  # type: ignore[arg-type]


def test_step_list_preview_drops_colour_codes(coloured: TranscriptView) -> None:
    row = coloured.model.data(coloured.model.index(1, 0))
    assert row.startswith("#1 tool  ·  ============ test session starts") and "x1b" not in row and "[1m" not in row


def test_styled_runs_are_capped_per_step(view: TranscriptView, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcript_view, "MAX_STYLED_RUNS", 3)
    view.set_trajectory(Trajectory("many", Task("t"), [Step(0, "tool", " ".join(f"\x1b[3{k % 8}mw{k}" for k in range(50)))]))
    assert "ANSI colours (first 3 runs)" in view.viewer.toPlainText()
    assert format_of(view, "w2 ").foreground().style() != Qt.BrushStyle.NoBrush
    assert format_of(view, "w9 ").foreground().style() == Qt.BrushStyle.NoBrush and "[3" not in view.viewer.toPlainText()


def test_the_final_answer_is_shown_at_the_last_step_and_takes_evidence(view: TranscriptView) -> None:
    import json

    from reviewer.jsonio import read_document
    from reviewer.labelpack import read_labels
    from reviewer.spans import span_problem
    from tests.conftest import SAMPLE_DATA

    t = Trajectory.from_dict(json.loads((SAMPLE_DATA / "false-success-claim.json").read_text(encoding="utf-8")))
    view.set_trajectory(t)
    last = len(t.steps) - 1
    view.show_step(last)
    text = view.viewer.toPlainText()
    assert "Final answer" in text and t.final_answer.splitlines()[0] in text
    start = text.index("I resolved the issue", text.index("Final answer"))
    cursor = view.viewer.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("I resolved the issue"), QTextCursor.MoveMode.KeepAnchor)
    view.viewer.setTextCursor(cursor)
    span = view.selected_span()
    assert span is not None and (span.step, span.source, span.quote) == (last, "final_answer", "I resolved the issue")
    assert span_problem(t, span) is None
    # the sample labels' final-answer evidence: jumped to and highlighted in place
    labels = [item for _, item in read_labels(read_document(SAMPLE_DATA / "labels" / "two_reviewers.jsonl", 1 << 24))]
    spans = [s for lb in labels if lb.trajectory_id == t.id for s in lb.evidence if s.source == "final_answer"]
    assert spans
    view.show_step(0)
    assert view.show_span(spans[0]) and view.current_step() == last
    assert view.viewer.textCursor().selectedText() == spans[0].quote.replace("\n", "\u2029")
    view.highlight_spans(spans)
    assert len(view.viewer.extraSelections()) == len(spans)


def test_a_big_edit_is_diffed_off_the_gui_thread_then_shown(view: TranscriptView, qtbot, monkeypatch) -> None:
    import threading

    from reviewer import edits as edits_module
    from reviewer.model import FileEdit

    before = "".join(f"line {i}\n" for i in range(4000))  # over QUICK_DIFF_CHARS: difflib belongs in a worker
    t = Trajectory("big-edit", Task("t"), [Step(0, "user", "go"), Step(1, "assistant", "editing")],
                   file_edits=[FileEdit("big.txt", 1, before, before.replace("line 7\n", "line 7 changed\n"))])  # fmt: skip
    threads: list[str] = []
    real = edits_module.diff_text
    monkeypatch.setattr(edits_module, "diff_text", lambda e: threads.append(threading.current_thread().name) or real(e))
    view.set_trajectory(t)
    view.show_step(1)
    assert "computing the diff…" in view.viewer.toPlainText()
    qtbot.waitUntil(lambda: "+line 7 changed" in view.viewer.toPlainText(), timeout=10_000)
    assert "computing" not in view.viewer.toPlainText() and view.current_step() == 1
    assert threads and threading.main_thread().name not in threads
