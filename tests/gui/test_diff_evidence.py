"""Evidence spans in the diff diff_view, offscreen: selections become "diff" spans that `span_problem` accepts
(UTF-16 vs code points, escaped control characters, several edits at one step), spans are painted over
exactly their quote, and `show_span` finds and selects the edit holding a span."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCursor  # noqa: E402

from reviewer import edits as edits_module  # noqa: E402
from reviewer.edits import diff_text, make_diff  # noqa: E402
from reviewer.gui.diff_panes import MAX_LINE  # noqa: E402
from reviewer.gui.diff_view import SYNC_CHARS, DiffView  # noqa: E402
from reviewer.gui.step_sections import (
    cut_note,  # noqa: E402
    utf16_len,  # noqa: E402
)
from reviewer.gui.widgets import EVIDENCE  # noqa: E402
from reviewer.model import EvidenceSpan, FileEdit, Step, Task, Trajectory  # noqa: E402
from reviewer.spans import source_text, span_problem  # noqa: E402
from reviewer.textsafe import visible  # noqa: E402

HOSTILE = '<img src="file:///etc/passwd"> <b>b</b> \x1b[31mred\x1b[0m \u202eevil 😀'
ODD = "s = '😀😀 \x1b[31m \u202e'; target = 1\n"  # emoji (2 UTF-16 units each) and control characters first


def made(edits: list[FileEdit], final_patch: str | None = None) -> Trajectory:
    steps = [Step(i, "assistant", "") for i in range(1 + max(e.step for e in edits))]
    return Trajectory("t", Task("fix it"), steps, file_edits=edits, final_patch=final_patch)


def edit(path: str, step: int, before: str, after: str) -> FileEdit:
    return FileEdit(path, step, None, None, make_diff(path, before, after))


def select_shown(editor, needle: str) -> None:
    """Select the first occurrence of `needle` in what the editor shows (Qt positions are UTF-16)."""
    text = editor.toPlainText()
    start = utf16_len(text[: text.index(needle)])
    cursor = QTextCursor(editor.document())
    cursor.setPosition(start)
    cursor.setPosition(start + utf16_len(needle), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)


def span_for(t: Trajectory, step: int, quote: str, after: int = 0) -> EvidenceSpan:
    text = source_text(t, step, "diff")
    assert text is not None
    start = text.index(quote, after)
    return EvidenceSpan(step, "diff", start, start + len(quote), quote)


def painted(diff_view: DiffView) -> list[str]:
    """The text under each extra selection of the unified diff_view, as the transcript paints evidence."""
    selections = diff_view.unified.extraSelections()
    assert all(s.format.background().color() == EVIDENCE for s in selections)
    return [s.cursor.selectedText().replace("\u2029", "\n") for s in selections]


def test_plain_ascii_selection_is_a_diff_span(diff_view) -> None:
    t = made([edit("a.py", 1, "x = 1\ny = 2\n", "x = 1\ny = 20\n")])
    diff_view.set_trajectory(t)
    assert diff_view.selected_span() is None  # nothing selected
    select_shown(diff_view.unified, "y = 20")
    span = diff_view.selected_span()
    assert span is not None and (span.step, span.source, span.quote) == (1, "diff", "y = 20")
    assert span_problem(t, span) is None
    select_shown(diff_view.unified, "+++ b/a.py\n@@")  # across lines
    span = diff_view.selected_span()
    assert span is not None and span.quote == "+++ b/a.py\n@@" and span_problem(t, span) is None


def test_selection_in_the_second_edit_of_a_step_is_offset_past_the_first(diff_view) -> None:
    first, second = edit("a.py", 2, "alpha\n", "alpha 2\n"), edit("b.py", 2, "beta\n", "beta 2\n")
    t = made([edit("z.py", 1, "", "other step\n"), first, second])
    diff_view.set_trajectory(t)
    diff_view.select_row(2)
    select_shown(diff_view.unified, "beta 2")
    span = diff_view.selected_span()
    assert span is not None and span.quote == "beta 2" and span.step == 2
    assert span.start == len(diff_text(first)) + 1 + diff_text(second).index("beta 2")
    assert span_problem(t, span) is None


def test_emoji_and_control_characters_before_the_selection(diff_view) -> None:
    t = made([edit("a.py", 0, "", "first\n"), edit("odd.py", 0, "x = 0\n", ODD)])
    diff_view.set_trajectory(t)
    diff_view.select_row(1)
    assert "😀😀 \\x1b[31m \\u202e" in diff_view.unified.toPlainText()
    select_shown(diff_view.unified, "target = 1")
    span = diff_view.selected_span()
    assert span is not None and span.quote == "target = 1" and span_problem(t, span) is None
    select_shown(diff_view.unified, "😀 \\x1b[31m")  # an emoji through an escape
    span = diff_view.selected_span()
    assert span is not None and span.quote == "😀 \x1b[31m" and span_problem(t, span) is None
    select_shown(diff_view.unified, "1b")  # inside the escape: the whole escaped character
    span = diff_view.selected_span()
    assert span is not None and span.quote == "\x1b" and span_problem(t, span) is None
    select_shown(diff_view.unified, "u202e")
    span = diff_view.selected_span()
    assert span is not None and span.quote == "\u202e" and span_problem(t, span) is None


def test_no_span_from_side_by_side_or_the_final_patch(diff_view) -> None:
    applied = FileEdit("a.py", 1, None, None, make_diff("a.py", "x = 1\n", "x = 2\n"), status="applied")
    t = made([applied], final_patch=make_diff("a.py", "x = 1\n", "x = 2\n"))
    diff_view.set_trajectory(t)
    select_shown(diff_view.unified, "x = 2")
    assert diff_view.selected_span() is not None
    diff_view.set_side_by_side(True)
    select_shown(diff_view.left, "x = 1")
    assert diff_view.selected_span() is None
    diff_view.set_side_by_side(False)
    for row, caption in ((1, "net change over the run"), (2, "final patch")):  # a file's net change, the final patch
        diff_view.select_row(row)
        assert caption in diff_view.caption.text()
        select_shown(diff_view.unified, "x = 2")
        assert diff_view.selected_span() is None


def test_highlight_paints_exactly_the_quotes_of_the_shown_edit(diff_view) -> None:
    first, odd = edit("a.py", 2, "", "alpha\nbeta\n"), edit("odd.py", 2, "x = 0\n", ODD)
    t = made([edit("z.py", 1, "", "alpha\n"), first, odd])
    in_odd = span_for(t, 2, "😀 \x1b[31m \u202e'; target", after=len(diff_text(first)))
    in_first = span_for(t, 2, "alpha\n+beta")  # two lines
    elsewhere = [span_for(t, 1, "alpha"), EvidenceSpan(2, "text", 0, 5, "alpha")]
    diff_view.set_trajectory(t)
    diff_view.highlight_spans([in_odd, in_first, *elsewhere])
    assert painted(diff_view) == ["alpha"]  # row 0 is step 1's edit: only its "diff" span
    diff_view.select_row(2)
    assert painted(diff_view) == [visible(in_odd.quote)] == ["😀 \\x1b[31m \\u202e'; target"]
    diff_view.select_row(1)
    assert painted(diff_view) == ["alpha\n+beta"]
    diff_view.set_side_by_side(True)
    assert painted(diff_view) == []
    diff_view.set_side_by_side(False)
    assert painted(diff_view) == ["alpha\n+beta"]
    diff_view.highlight_spans([])
    assert painted(diff_view) == []


def test_highlight_and_show_span_wait_for_a_big_edit_to_land(diff_view, qtbot) -> None:
    big_after = "".join(f"value_{i} = {i}\n" for i in range(4_000)) + "needle = 'here'\n"
    t = made([edit("small.py", 0, "", "a = 1\n"), edit("big.py", 1, "", big_after)])
    assert len(t.file_edits[1].diff) > SYNC_CHARS
    span = span_for(t, 1, "needle = 'here'")
    diff_view.set_trajectory(t)
    diff_view.highlight_spans([span])
    assert diff_view.show_span(span)
    assert diff_view.table.currentIndex().row() == 1 and diff_view.unified.toPlainText() == "" and painted(diff_view) == []
    with qtbot.waitSignal(diff_view.highlighted, timeout=10_000):
        pass
    assert painted(diff_view) == ["needle = 'here'"]
    assert diff_view.unified.textCursor().selectedText() == "needle = 'here'" and diff_view.selected_span() == span
    first_shown = diff_view.unified.firstVisibleBlock().blockNumber()
    assert first_shown > 3_000  # scrolled to the span


def test_a_small_edit_after_a_big_one_at_its_step_is_built_off_thread(diff_view, qtbot, monkeypatch) -> None:
    """Its span offset needs the length of the big edit's diff: difflib, so not on the GUI thread."""
    before = "".join(f"line {i}\n" for i in range(3000))
    big = FileEdit("big.txt", 1, before, before.replace("line 7\n", "line 7 changed\n"))
    t = made([big, edit("small.py", 1, "a = 1\n", "a = 2\n")])
    big_diff_threads: list[str] = []
    real = edits_module.diff_text
    monkeypatch.setattr(
        edits_module, "diff_text", lambda e: (e is big and big_diff_threads.append(threading.current_thread().name)) or real(e)
    )
    diff_view.set_trajectory(t)
    diff_view.select_row(1)
    qtbot.waitUntil(lambda: diff_view.unified.toPlainText() != "" and not diff_view.is_highlighting(), timeout=10_000)
    # whether the counting task or the pane builder computed it first, it was a worker
    assert big_diff_threads and threading.main_thread().name not in big_diff_threads
    select_shown(diff_view.unified, "a = 2")
    span = diff_view.selected_span()
    assert span is not None and span_problem(t, span) is None
    assert span.start == len(diff_text(big)) + 1 + diff_text(t.file_edits[1]).index("a = 2")


def test_show_span_selects_the_second_edit_of_a_step(diff_view) -> None:
    first, odd = edit("a.py", 2, "", "alpha\n"), edit("odd.py", 2, "x = 0\n", ODD)
    t = made([edit("z.py", 1, "", "alpha\n"), first, odd])
    span = span_for(t, 2, "target = 1", after=len(diff_text(first)))
    diff_view.set_trajectory(t)
    diff_view.set_side_by_side(True)
    assert diff_view.show_span(span)
    assert diff_view.table.currentIndex().row() == 2 and not diff_view.side_by_side and "odd.py" in diff_view.caption.text()
    assert diff_view.unified.textCursor().selectedText() == "target = 1"
    assert diff_view.selected_span() == span
    assert diff_view.show_span(span_for(t, 2, "alpha"))  # back to the first edit of the step
    assert diff_view.table.currentIndex().row() == 1 and diff_view.unified.textCursor().selectedText() == "alpha"
    assert not diff_view.show_span(EvidenceSpan(0, "diff", 0, 1, "x"))  # step 0 edited nothing
    assert not diff_view.show_span(EvidenceSpan(2, "text", 0, 1, "x"))
    assert not diff_view.show_span(EvidenceSpan(2, "diff", 10_000, 10_001, "x"))  # past every edit of the step


def test_hostile_text_stays_plain(diff_view) -> None:
    t = made([FileEdit("<b>x</b>\u202e.py", 0, None, None, make_diff("evil.py", "x = 1\n", HOSTILE + "\n"))])
    diff_view.set_trajectory(t)
    select_shown(diff_view.unified, visible(HOSTILE))
    span = diff_view.selected_span()
    assert span is not None and span.quote == HOSTILE and span_problem(t, span) is None
    diff_view.highlight_spans([span])
    assert painted(diff_view) == [visible(HOSTILE)]
    shown = diff_view.unified.toPlainText()
    assert "\x1b" not in shown and "\u202e" not in shown and '<img src="file:///etc/passwd">' in shown
    assert diff_view.unified.document().toHtml().count("<img") == 0 and "<b>x</b>" in diff_view.caption.text()


def test_a_minified_one_line_file_is_cut_and_still_gives_exact_spans(diff_view, qtbot) -> None:
    before = "var a=" + ",".join(f"f{i}:function(x){{return x+{i}}}" for i in range(20000)) + ";\n"
    after = before.replace("return x+7}", "return x-7}")
    t = made([edit("dist/app.min.js", 1, before, after)])
    start = time.perf_counter()
    diff_view.set_trajectory(t)
    qtbot.waitUntil(lambda: not diff_view.is_highlighting(), timeout=10_000)
    assert time.perf_counter() - start < 3  # measured 0.18 s for 1.4 MB; uncut, Qt took 5 s (1.7 s frozen)
    lines = diff_view.unified.toPlainText().split("\n")
    assert max(map(len, lines)) <= MAX_LINE + len(cut_note(10**7))
    assert any(line.endswith("more characters on this line not shown]") for line in lines)
    select_shown(diff_view.unified, "return x-7")
    span = diff_view.selected_span()
    assert span is not None and span.quote == "return x-7" and span_problem(t, span) is None
    diff_view.highlight_spans([span])
    assert painted(diff_view) == ["return x-7"]


def test_show_span_on_a_steps_only_edit_runs_no_difflib_on_the_gui_thread(diff_view, qtbot, monkeypatch) -> None:
    before = "".join(f"line {i}\n" for i in range(3000))
    big = FileEdit("big.txt", 1, before, before.replace("line 7\n", "line 7 changed\n"))
    t = made([big])
    span = span_for(t, 1, "+line 7 changed")
    threads: list[str] = []
    real = edits_module.diff_text
    monkeypatch.setattr(edits_module, "diff_text", lambda e: threads.append(threading.current_thread().name) or real(e))
    diff_view.set_trajectory(t)
    assert diff_view.show_span(span)
    qtbot.waitUntil(lambda: diff_view.unified.textCursor().selectedText() == "+line 7 changed", timeout=10_000)
    assert threads and threading.main_thread().name not in threads


def test_show_span_in_a_step_of_big_edits_finds_the_edit_off_the_gui_thread(diff_view, qtbot, monkeypatch) -> None:
    before = "".join(f"line {i}\n" for i in range(3000))
    first = FileEdit("a.txt", 1, before, before.replace("line 7\n", "line 7 changed\n"))
    second = FileEdit("b.txt", 1, before, before.replace("line 9\n", "line 9 changed\n"))
    t = made([first, second])
    span = span_for(t, 1, "+line 9 changed", after=len(diff_text(first)) + 1)
    threads: list[str] = []
    real = edits_module.diff_text
    monkeypatch.setattr(edits_module, "diff_text", lambda e: threads.append(threading.current_thread().name) or real(e))
    diff_view.set_trajectory(t)
    assert diff_view.show_span(span)  # the lengths it needs are still being computed
    qtbot.waitUntil(lambda: diff_view.unified.textCursor().selectedText() == "+line 9 changed", timeout=10_000)
    assert diff_view.table.currentIndex().row() == 1 and threading.main_thread().name not in threads
    assert not diff_view.show_span(EvidenceSpan(1, "diff", 10**7, 10**7 + 1, "x"))  # lengths known now: beyond every edit
