"""Step cards without widgets: a collapsed section's head and tail, pages of an expanded one, positions that map back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.edits import DiffTexts
from reviewer.gui.step_cards import HEADER, render_card
from reviewer.gui.step_sections import MAX_SHOWN, PREVIEW_LINES, StepTexts, preview, utf16_len
from reviewer.model import Step, Task, ToolResult, Trajectory

PYTEST_TAIL = "FAILED tests/test_a.py::test_x - assert 1 == 2\n=========== 1 failed, 41 passed in 0.52s ===========\n"


def run(output: str) -> StepTexts:
    t = Trajectory("t", Task("x"), [Step(0, "user", "go"), Step(1, "tool", output, tool_result=ToolResult("c"))])
    return StepTexts(t, DiffTexts([]))


def test_a_collapsed_test_log_shows_its_summary_line() -> None:
    log = "".join(f"tests/test_a.py::test_{k} PASSED\n" for k in range(500)) + PYTEST_TAIL
    head, tail = preview(log)
    assert log[head[0] : head[1]].count("\n") == PREVIEW_LINES - 1 and log[tail[0] :].endswith("0.52s ===========\n")
    assert "1 failed, 41 passed" in log[tail[0] : tail[1]]
    card = render_card(run(log), 1, lambda s: False, lambda s: 0)
    assert "test_2 PASSED\n⋯ 496 lines hidden (C shows all)\ntests/test_a.py::test_499" in card.text  # test_3 .. test_498
    assert [p.shown.start for p in card.pieces] == [0, tail[0]]


def test_a_short_collapsed_section_shows_its_head_only() -> None:
    text = "one\ntwo\nthree\nfour\nfive"
    assert preview(text) == [(0, len("one\ntwo\nthree"))]
    assert preview("x" * 5000) == [(0, 300), (4700, 5000)]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab\n😀\x1b[31m", max_size=3000), st.booleans())
def test_every_piece_sits_where_the_card_says(output: str, expanded: bool) -> None:
    """The card's positions (UTF-16) put each piece's shown text exactly there, and headers cover no piece."""
    card = render_card(run(output or "x"), 1, lambda s: expanded, lambda s: 0)
    units = card.text.encode("utf-16-le")
    assert card.length == utf16_len(card.text)
    for piece in card.pieces:
        shown = units[2 * piece.start : 2 * piece.end].decode("utf-16-le")
        assert shown == piece.shown.shown
        for start, length, style in card.runs:
            if style is HEADER:
                assert start + length <= piece.start or start >= piece.end


def test_an_expanded_output_longer_than_a_page_notes_the_next_page() -> None:
    log = "".join(f"line {k:06d}\n" for k in range(60_000))  # 720 K characters
    card = render_card(run(log), 1, lambda s: True, lambda s: 0)
    [piece] = card.pieces
    assert piece.shown.end == MAX_SHOWN and len(card.pages) == 1
    page = card.pages[0]
    assert page.source == "tool_output" and page.focus == MAX_SHOWN + MAX_SHOWN // 4  # the next window overlaps this one
    assert "below: scroll down to show them" in card.text
    later = render_card(run(log), 1, lambda s: True, lambda s: page.focus)
    assert later.pieces[0].shown.start == MAX_SHOWN - MAX_SHOWN // 4 and "above: scroll up to show them" in later.text


def test_paging_through_long_lines_skips_nothing() -> None:
    """Lines of 30 K characters narrow the window well below MAX_SHOWN: each page still overlaps the last."""
    log = "".join(f"{k:03d}" + "x" * 30_000 + "\n" for k in range(40))  # 1.2 M characters
    focus = 0
    covered = 0
    for _ in range(200):
        card = render_card(run(log), 1, lambda s: True, lambda s, at=focus: at)
        [piece] = card.pieces
        assert piece.shown.start <= covered  # no gap after what the last page showed
        covered = max(covered, piece.shown.end)
        forward = [p for p in card.pages if p.focus > piece.shown.start]
        if covered == len(log):
            break
        focus = forward[-1].focus
    assert covered == len(log)
