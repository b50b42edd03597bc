"""ANSI colour sequences: what is rendered, what hostile colour is neutralised, and the preview stripping (Qt-free)."""

from __future__ import annotations

import pytest

from reviewer.ansi import BASIC, PLAIN, SGR, Style, apply, contrast, readable, style_at, xterm_colour
from reviewer.textsafe import one_line, strip_sgr, visible

RED = BASIC[1]
WHITE = (255, 255, 255)


@pytest.mark.parametrize(
    ("params", "style"),
    [
        ("31", Style(RED)),
        ("91", Style(BASIC[9])),
        ("1;3;4", Style(None, True, True, True)),
        ("1;3;4;22;23;24", PLAIN),
        ("31;39", PLAIN),
        ("31;0", PLAIN),
        ("31;", PLAIN),  # an empty field is 0, as in terminals
        ("", PLAIN),
        ("38;5;196", Style((255, 0, 0))),
        ("38;5;244", Style((128, 128, 128))),
        ("38;5;9", Style(BASIC[9])),
        ("38;2;1;2;3", Style((1, 2, 3))),
        ("48;2;255;255;255;31", Style(RED)),  # the background's arguments are skipped, not read as codes
        ("48;5;15;1", Style(None, bold=True)),
        ("40;41;47;100;107;49", PLAIN),  # backgrounds ignored
        ("2;5;6;7;8;9", PLAIN),  # faint, blink, reverse, conceal, strike-through ignored
        ("38;2;300;0;0;1", PLAIN),  # malformed colour: the rest of the sequence is dropped
        ("38;5", PLAIN),
        ("38;7;1", PLAIN),
    ],
)
def test_apply_renders_only_harmless_attributes(params: str, style: Style) -> None:
    assert apply(PLAIN, params) == style


def test_apply_builds_on_the_current_style() -> None:
    bold_red = apply(apply(PLAIN, "1"), "31")
    assert bold_red == Style(RED, bold=True)
    assert apply(bold_red, "22") == Style(RED) and apply(bold_red, "39") == Style(bold=True)


def test_xterm_palette_cube_and_greys() -> None:
    assert xterm_colour(16) == (0, 0, 0) and xterm_colour(231) == WHITE and xterm_colour(21) == (0, 0, 255)
    assert xterm_colour(232) == (8, 8, 8) and xterm_colour(255) == (238, 238, 238)


@pytest.mark.parametrize("background", [WHITE, (0, 0, 0), (30, 30, 30), (128, 128, 128), (255, 255, 224)])
def test_every_colour_is_made_readable_on_the_background(background: tuple[int, int, int]) -> None:
    colours = [xterm_colour(n) for n in range(256)] + [WHITE, background, (254, 254, 254), (1, 1, 1)]
    for colour in colours:
        assert contrast(readable(colour, background), background) >= 4.5, (colour, background)
    assert readable((0, 0, 0), WHITE) == (0, 0, 0) and readable((200, 0, 0), WHITE) == (200, 0, 0)  # readable ones kept
    assert readable(WHITE, WHITE) != WHITE and readable((0, 0, 0), (0, 0, 0)) != (0, 0, 0)


def test_style_at_follows_the_sequences_before_a_position() -> None:
    text = "\x1b[31mred\x1b[1mbold\x1b[0mplain"
    assert style_at(text, 0) == PLAIN and style_at(text, 5) == Style(RED)
    assert style_at(text, text.index("bold")) == Style(RED, bold=True) and style_at(text, len(text)) == PLAIN
    assert style_at(text, 3) == PLAIN  # inside the first sequence: it is not complete before the position


def test_only_sgr_sequences_match() -> None:
    assert [m.group(1) for m in SGR.finditer("\x1b[31m\x1b[m\x1b[2K\x1b[1A\x1b]8;;x\x1b\\\x1b[?25l\x1b[1;2H")] == ["31", ""]
    assert SGR.search("\x1b[" + "1;" * 40 + "m") is None  # an absurdly long one stays visible


def test_strip_sgr_keeps_every_other_escape_for_visible() -> None:
    text = "\x1b[1;31mFAILED\x1b[0m \x1b[2Kerase \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b"
    assert strip_sgr(text) == "FAILED \x1b[2Kerase \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b"
    assert one_line(strip_sgr(text)) == "FAILED \\x1b[2Kerase \\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\ \\x1b"
    assert visible(text).startswith("\\x1b[1;31mFAILED")  # visible() itself is unchanged


def test_a_step_list_row_never_shows_half_a_colour_code() -> None:
    from reviewer.gui.step_model import FIRST_LINE, step_summary
    from reviewer.model import Step, ToolResult

    codes = "\x1b[0m" * (FIRST_LINE - 1)  # a line of colour codes: little is left to show once they are gone
    for k in range(12):  # every place the row's cut can fall inside the last code
        text = codes + "x" * k + "\x1b[38;5;196mred\x1b[0m"
        row = step_summary(Step(1, "tool", text, tool_result=ToolResult("c")))
        assert "\\x1b" not in row and "[38" not in row, (k, row)
    lone = step_summary(Step(1, "tool", "ends with a lone escape \x1b", tool_result=ToolResult("c")))
    assert lone.endswith("\\x1b  ·  25 chars")  # an uncut line keeps what is really there
