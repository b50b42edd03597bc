"""Evidence spans in the diff view, offscreen: selections become "diff" spans that `span_problem` accepts
(UTF-16 vs code points, escaped control characters, several edits at one step), spans are painted over
exactly their quote, and `show_span` finds and selects the edit holding a span."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCursor  # noqa: E402

from reviewer.edits import diff_text, make_diff  # noqa: E402
from reviewer.gui import diff_view as diff_view_module  # noqa: E402
from reviewer.gui.diff_view import EVIDENCE, MAX_LINE, SYNC_CHARS, DiffView  # noqa: E402
from reviewer.gui.highlight import utf16_len  # noqa: E402
from reviewer.gui.step_sections import cut_note  # noqa: E402
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


@pytest.fixture
def view(qtbot) -> DiffView:
    v = DiffView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    with qtbot.waitExposed(v):
        v.show()
    return v


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


def painted(view: DiffView) -> list[str]:
    """The text under each extra selection of the unified view, as the transcript paints evidence."""
    selections = view.unified.extraSelections()
    assert all(s.format.background().color() == EVIDENCE for s in selections)
    return [s.cursor.selectedText().replace("\u2029", "\n") for s in selections]


def test_plain_ascii_selection_is_a_diff_span(view) -> None:
    t = made([edit("a.py", 1, "x = 1\ny = 2\n", "x = 1\ny = 20\n")])
    view.set_trajectory(t)
    assert view.selected_span() is None  # nothing selected
    select_shown(view.unified, "y = 20")
    span = view.selected_span()
    assert span is not None and (span.step, span.source, span.quote) == (1, "diff", "y = 20")
    assert span_problem(t, span) is None
    select_shown(view.unified, "+++ b/a.py\n@@")  # across lines
    span = view.selected_span()
    assert span is not None and span.quote == "+++ b/a.py\n@@" and span_problem(t, span) is None


def test_selection_in_the_second_edit_of_a_step_is_offset_past_the_first(view) -> None:
    first, second = edit("a.py", 2, "alpha\n", "alpha 2\n"), edit("b.py", 2, "beta\n", "beta 2\n")
    t = made([edit("z.py", 1, "", "other step\n"), first, second])
    view.set_trajectory(t)
    view.select_row(2)
    select_shown(view.unified, "beta 2")
    span = view.selected_span()
    assert span is not None and span.quote == "beta 2" and span.step == 2
    assert span.start == len(diff_text(first)) + 1 + diff_text(second).index("beta 2")
    assert span_problem(t, span) is None


def test_emoji_and_control_characters_before_the_selection(view) -> None:
    t = made([edit("a.py", 0, "", "first\n"), edit("odd.py", 0, "x = 0\n", ODD)])
    view.set_trajectory(t)
    view.select_row(1)
    assert "😀😀 \\x1b[31m \\u202e" in view.unified.toPlainText()
    select_shown(view.unified, "target = 1")
    span = view.selected_span()
    assert span is not None and span.quote == "target = 1" and span_problem(t, span) is None
    select_shown(view.unified, "😀 \\x1b[31m")  # an emoji through an escape
    span = view.selected_span()
    assert span is not None and span.quote == "😀 \x1b[31m" and span_problem(t, span) is None
    select_shown(view.unified, "1b")  # inside the escape: the whole escaped character
    span = view.selected_span()
    assert span is not None and span.quote == "\x1b" and span_problem(t, span) is None
    select_shown(view.unified, "u202e")
    span = view.selected_span()
    assert span is not None and span.quote == "\u202e" and span_problem(t, span) is None


def test_no_span_from_side_by_side_or_the_final_patch(view) -> None:
    t = made([edit("a.py", 1, "x = 1\n", "x = 2\n")], final_patch=make_diff("a.py", "x = 1\n", "x = 2\n"))
    view.set_trajectory(t)
    select_shown(view.unified, "x = 2")
    assert view.selected_span() is not None
    view.set_side_by_side(True)
    select_shown(view.left, "x = 1")
    assert view.selected_span() is None
    view.set_side_by_side(False)
    view.select_row(1)
    assert "final patch" in view.caption.text()
    select_shown(view.unified, "x = 2")
    assert view.selected_span() is None


def test_highlight_paints_exactly_the_quotes_of_the_shown_edit(view) -> None:
    first, odd = edit("a.py", 2, "", "alpha\nbeta\n"), edit("odd.py", 2, "x = 0\n", ODD)
    t = made([edit("z.py", 1, "", "alpha\n"), first, odd])
    in_odd = span_for(t, 2, "😀 \x1b[31m \u202e'; target", after=len(diff_text(first)))
    in_first = span_for(t, 2, "alpha\n+beta")  # two lines
    elsewhere = [span_for(t, 1, "alpha"), EvidenceSpan(2, "text", 0, 5, "alpha")]
    view.set_trajectory(t)
    view.highlight_spans([in_odd, in_first, *elsewhere])
    assert painted(view) == ["alpha"]  # row 0 is step 1's edit: only its "diff" span
    view.select_row(2)
    assert painted(view) == [visible(in_odd.quote)] == ["😀 \\x1b[31m \\u202e'; target"]
    view.select_row(1)
    assert painted(view) == ["alpha\n+beta"]
    view.set_side_by_side(True)
    assert painted(view) == []
    view.set_side_by_side(False)
    assert painted(view) == ["alpha\n+beta"]
    view.highlight_spans([])
    assert painted(view) == []


def test_highlight_and_show_span_wait_for_a_big_edit_to_land(view, qtbot) -> None:
    big_after = "".join(f"value_{i} = {i}\n" for i in range(4_000)) + "needle = 'here'\n"
    t = made([edit("small.py", 0, "", "a = 1\n"), edit("big.py", 1, "", big_after)])
    assert len(t.file_edits[1].diff) > SYNC_CHARS
    span = span_for(t, 1, "needle = 'here'")
    view.set_trajectory(t)
    view.highlight_spans([span])
    assert view.show_span(span)
    assert view.table.currentIndex().row() == 1 and view.unified.toPlainText() == "" and painted(view) == []
    with qtbot.waitSignal(view.highlighted, timeout=10_000):
        pass
    assert painted(view) == ["needle = 'here'"]
    assert view.unified.textCursor().selectedText() == "needle = 'here'" and view.selected_span() == span
    first_shown = view.unified.firstVisibleBlock().blockNumber()
    assert first_shown > 3_000  # scrolled to the span


def test_a_small_edit_after_a_big_one_at_its_step_is_built_off_thread(view, qtbot, monkeypatch) -> None:
    """Its span offset needs the length of the big edit's diff: difflib, so not on the GUI thread."""
    before = "".join(f"line {i}\n" for i in range(3000))
    big = FileEdit("big.txt", 1, before, before.replace("line 7\n", "line 7 changed\n"))
    t = made([big, edit("small.py", 1, "a = 1\n", "a = 2\n")])
    big_diff_threads: list[str] = []
    real = diff_view_module.diff_text
    monkeypatch.setattr(
        diff_view_module, "diff_text", lambda e: (e is big and big_diff_threads.append(threading.current_thread().name)) or real(e)
    )
    view.set_trajectory(t)
    view.select_row(1)
    qtbot.waitUntil(lambda: view.unified.toPlainText() != "" and not view.is_highlighting(), timeout=10_000)
    # whether the counting task or the pane builder computed it first, it was a worker
    assert big_diff_threads and threading.main_thread().name not in big_diff_threads
    select_shown(view.unified, "a = 2")
    span = view.selected_span()
    assert span is not None and span_problem(t, span) is None
    assert span.start == len(diff_text(big)) + 1 + diff_text(t.file_edits[1]).index("a = 2")


def test_show_span_selects_the_second_edit_of_a_step(view) -> None:
    first, odd = edit("a.py", 2, "", "alpha\n"), edit("odd.py", 2, "x = 0\n", ODD)
    t = made([edit("z.py", 1, "", "alpha\n"), first, odd])
    span = span_for(t, 2, "target = 1", after=len(diff_text(first)))
    view.set_trajectory(t)
    view.set_side_by_side(True)
    assert view.show_span(span)
    assert view.table.currentIndex().row() == 2 and not view.side_by_side and "odd.py" in view.caption.text()
    assert view.unified.textCursor().selectedText() == "target = 1"
    assert view.selected_span() == span
    assert view.show_span(span_for(t, 2, "alpha"))  # back to the first edit of the step
    assert view.table.currentIndex().row() == 1 and view.unified.textCursor().selectedText() == "alpha"
    assert not view.show_span(EvidenceSpan(0, "diff", 0, 1, "x"))  # step 0 edited nothing
    assert not view.show_span(EvidenceSpan(2, "text", 0, 1, "x"))
    assert not view.show_span(EvidenceSpan(2, "diff", 10_000, 10_001, "x"))  # past every edit of the step


def test_hostile_text_stays_plain(view) -> None:
    t = made([FileEdit("<b>x</b>\u202e.py", 0, None, None, make_diff("evil.py", "x = 1\n", HOSTILE + "\n"))])
    view.set_trajectory(t)
    select_shown(view.unified, visible(HOSTILE))
    span = view.selected_span()
    assert span is not None and span.quote == HOSTILE and span_problem(t, span) is None
    view.highlight_spans([span])
    assert painted(view) == [visible(HOSTILE)]
    shown = view.unified.toPlainText()
    assert "\x1b" not in shown and "\u202e" not in shown and '<img src="file:///etc/passwd">' in shown
    assert view.unified.document().toHtml().count("<img") == 0 and "<b>x</b>" in view.caption.text()


def test_a_minified_one_line_file_is_cut_and_still_gives_exact_spans(view, qtbot) -> None:
    before = "var a=" + ",".join(f"f{i}:function(x){{return x+{i}}}" for i in range(20000)) + ";\n"
    after = before.replace("return x+7}", "return x-7}")
    t = made([edit("dist/app.min.js", 1, before, after)])
    start = time.perf_counter()
    view.set_trajectory(t)
    qtbot.waitUntil(lambda: not view.is_highlighting(), timeout=10_000)
    assert time.perf_counter() - start < 3  # measured 0.18 s for 1.4 MB; uncut, Qt took 5 s (1.7 s frozen)
    lines = view.unified.toPlainText().split("\n")
    assert max(map(len, lines)) <= MAX_LINE + len(cut_note(10**7))
    assert any(line.endswith("more characters on this line not shown]") for line in lines)
    select_shown(view.unified, "return x-7")
    span = view.selected_span()
    assert span is not None and span.quote == "return x-7" and span_problem(t, span) is None
    view.highlight_spans([span])
    assert painted(view) == ["return x-7"]


def test_show_span_on_a_steps_only_edit_runs_no_difflib_on_the_gui_thread(view, qtbot, monkeypatch) -> None:
    before = "".join(f"line {i}\n" for i in range(3000))
    big = FileEdit("big.txt", 1, before, before.replace("line 7\n", "line 7 changed\n"))
    t = made([big])
    span = span_for(t, 1, "+line 7 changed")
    threads: list[str] = []
    real = diff_view_module.diff_text
    monkeypatch.setattr(diff_view_module, "diff_text", lambda e: threads.append(threading.current_thread().name) or real(e))
    view.set_trajectory(t)
    assert view.show_span(span)
    qtbot.waitUntil(lambda: view.unified.textCursor().selectedText() == "+line 7 changed", timeout=10_000)
    assert threads and threading.main_thread().name not in threads
