"""What the transcript viewer shows of a step, and how shown positions map back to source offsets (Qt-free).

Hidden ANSI colour codes make k source characters show as 0; escapes make 1 show as several; astral
characters are 2 UTF-16 units. Evidence spans must still be exact slices of the source text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.ansi import BASIC, SGR, Style
from reviewer.gui.step_sections import MAX_LINE, MAX_SHOWN, Found, Hit, ShownText, StepTexts, cut_note, utf16_len, window
from reviewer.model import Step, Task, ToolCall, Trajectory
from reviewer.textsafe import strip_sgr, visible

RED = BASIC[1]
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
FRAGMENTS = [
    "a", "b", " ", "\n", "😀", "é", "\x1b", "[", "31", "m", ";", "\u202e", "\x00", "\t",
    "\x1b[31m", "\x1b[0m", "\x1b[m", "\x1b[1;38;2;255;255;255m", "\x1b[8m", "\x1b[2K", "\x1b]8;;http://x\x1b\\",
]  # fmt: skip
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=24).map("".join)


class OldShownText:
    """ShownText as it was before ANSI support: the oracle for the default (ansi=False) mode."""

    def __init__(self, text: str, start: int, end: int):
        self.start, self.end = start, end
        raw = text[start:end]
        self.shown = visible(raw)
        self._esc_raw: list[int] = []
        self._esc_shown: list[int] = []
        self._esc_width: list[int] = []
        if len(self.shown) != len(raw):
            changed = "".join(c for c in set(raw) if visible(c) != c)
            extra = 0
            for m in re.finditer(f"[{re.escape(changed)}]", raw):
                width = len(visible(m.group()))
                self._esc_raw.append(m.start())
                self._esc_shown.append(m.start() + extra)
                self._esc_width.append(width)
                extra += width - 1
        self._extra_before = [0, *accumulate(w - 1 for w in self._esc_width)]
        self._astral = [m.start() for m in _ASTRAL.finditer(self.shown)]
        self._astral_u16 = [p + k for k, p in enumerate(self._astral)]
        self.utf16_length = len(self.shown) + len(self._astral)

    def to_source(self, unit: int, round_up: bool = False) -> int:
        shown = max(0, min(unit, self.utf16_length))
        shown -= bisect_left(self._astral_u16, shown)
        k = bisect_right(self._esc_shown, shown) - 1
        if k < 0:
            return self.start + shown
        inside = shown - self._esc_shown[k]
        if inside >= self._esc_width[k]:
            return self.start + self._esc_raw[k] + 1 + inside - self._esc_width[k]
        return self.start + self._esc_raw[k] + (1 if inside and round_up else 0)

    def to_shown(self, offset: int) -> int:
        raw = max(0, min(offset, self.end) - self.start)
        shown = raw + self._extra_before[bisect_left(self._esc_raw, raw)]
        return shown + bisect_left(self._astral, shown)


def boundaries(shown: str) -> list[int]:
    """The UTF-16 position of every code point boundary of `shown` (never inside a surrogate pair)."""
    return [utf16_len(shown[:k]) for k in range(len(shown) + 1)]


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(0, 40), st.integers(0, 40))
def test_default_mode_is_unchanged(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    new, old = ShownText(text, start, end), OldShownText(text, start, end)
    assert (new.shown, new.start, new.end, new.utf16_length) == (old.shown, old.start, old.end, old.utf16_length)
    assert new.shown == visible(text[start:end]) and new.runs == [] and new.ansi_codes == 0
    for unit in range(-1, new.utf16_length + 2):
        assert new.to_source(unit) == old.to_source(unit)
        assert new.to_source(unit, round_up=True) == old.to_source(unit, round_up=True)
    for offset in range(-1, len(text) + 2):
        assert new.to_shown(offset) == old.to_shown(offset)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_ansi_mode_hides_sgr_and_every_selection_is_an_exact_quote(text: str) -> None:
    shown = ShownText(text, 0, len(text), ansi=True)
    assert shown.shown == visible(strip_sgr(text)) and shown.utf16_length == utf16_len(shown.shown)
    assert shown.ansi_codes == len(SGR.findall(text))
    units = boundaries(shown.shown)
    for p in units:  # a shown boundary survives the trip to the source and back, rounding either way
        assert shown.to_shown(shown.to_source(p)) <= p <= shown.to_shown(shown.to_source(p, round_up=True))
    for i, a in enumerate(units):
        for j in range(i + 1, len(units)):
            start, end = shown.to_source(a), shown.to_source(units[j], round_up=True)
            assert 0 <= start <= end <= len(text)
            quote = text[start:end]
            assert not SGR.match(quote) and not re.search(f"(?:{SGR.pattern})\\Z", quote)  # no hidden code at either edge
            a2, b2 = shown.to_shown(start), shown.to_shown(end)  # the span's highlight: the selection, whole escapes
            assert a2 <= a and units[j] <= b2 and visible(strip_sgr(quote)) == shown.shown[units.index(a2) : units.index(b2)]


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(0, 60), st.integers(0, 60))
def test_a_window_never_cuts_a_colour_code(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    shown = ShownText(text, start, end, ansi=True)
    assert shown.start <= start and end <= shown.end
    for m in SGR.finditer(text):
        assert not m.start() < shown.start < m.end() and not m.start() < shown.end < m.end()
    for offset in range(shown.start, shown.end + 1):
        assert 0 <= shown.to_shown(offset) <= shown.utf16_length


def test_hidden_codes_at_start_end_and_adjacent() -> None:
    text = "\x1b[31m\x1b[1mFAILED\x1b[0m\x1b[m"
    shown = ShownText(text, 0, len(text), ansi=True)
    assert shown.shown == "FAILED" and shown.ansi_codes == 4
    assert shown.runs == [(0, 6, Style(RED, bold=True))]
    start, end = shown.to_source(0), shown.to_source(6, round_up=True)
    assert text[start:end] == "FAILED"  # neither leading nor trailing codes are quoted
    assert shown.to_source(6) == len(text) and shown.to_source(0, round_up=True) == 0  # the other roundings, for completeness
    assert shown.to_shown(0) == shown.to_shown(7) == 0 and shown.to_shown(len(text)) == 6  # inside a code: where it sits
    only_codes = ShownText("\x1b[31m\x1b[0m", 0, 10, ansi=True)
    assert only_codes.shown == "" and only_codes.utf16_length == 0 and only_codes.runs == [] and only_codes.ansi_codes == 2


def test_astral_escapes_and_colour_mixed() -> None:
    text = "😀\x1b[32mok😀\x1b\x1b[0m b\u202e😀\x1b[1m!"
    shown = ShownText(text, 0, len(text), ansi=True)
    assert shown.shown == "😀ok😀\\x1b b\\u202e😀!"
    green, bold = Style(BASIC[2]), Style(bold=True)
    assert shown.runs == [(2, 10, green), (20, 21, bold)]  # UTF-16: 😀 is two units; green ends after the lone ESC
    needles = ("ok😀\x1b", "k😀\x1b", " b\u202e😀", "!", "😀\x1b[32mok")  # the last spans a hidden code, which the quote keeps
    for needle in needles:
        start = text.index(needle)
        end = start + len(needle)
        a, b = shown.to_shown(start), shown.to_shown(end)
        got_start, got_end = shown.to_source(a), shown.to_source(b, round_up=True)
        assert text[got_start:got_end] == needle
    lone = text.index("\x1b\x1b")  # shown as \\x1b at UTF-16 6..10
    assert shown.to_source(8) == lone and shown.to_source(8, round_up=True) == lone + 1 and shown.to_shown(lone) == 6


def test_style_before_a_window_carries_into_it() -> None:
    text = "\x1b[31m" + "x" * 50 + "\x1b[0m tail"
    shown = ShownText(text, 20, 40, ansi=True)
    assert shown.runs == [(0, 20, Style(RED))] and shown.ansi_codes == 0
    cut = ShownText(text, 2, 30, ansi=True)  # a window starting inside the code widens to include it
    assert cut.start == 0 and cut.shown == "x" * 25 and cut.runs == [(0, 25, Style(RED))]


def run(n: int = 6) -> Trajectory:
    steps = [Step(0, "user", "find NEEDLE here")]
    for i in range(1, n):
        calls = [ToolCall(f"c{i}", "bash", {"command": "echo needle"})] if i % 2 else []
        steps.append(Step(i, "assistant", f"step {i} needle and Needle", thinking="no" if i % 3 else "needle", tool_calls=calls))
    return Trajectory("find", Task("t"), steps)


def test_find_all_counts_every_hit_in_run_order_from_the_origin() -> None:
    texts, pattern = StepTexts(run()), re.compile("needle", re.IGNORECASE)
    seen: list[Hit] = []
    found = texts.find_all(pattern, 3, cap=100, on_first=seen.append)
    assert found is not None and not found.capped
    assert [(h.step, h.source) for h in found.hits[:3]] == [(0, "text"), (1, "text"), (1, "text")]
    order = ["thinking", "text", "tool_output", "tool_call", "diff"]  # as a step shows its sections
    assert found.hits == sorted(found.hits, key=lambda h: (h.step, order.index(h.source), h.start))
    assert len(found.hits) == 1 + 5 * 2 + 3 + 1  # step 0; two in each step's text; three tool calls; one thinking
    assert found.hits[found.first] == seen[0] == Hit(3, "thinking", 0, 6)  # the first hit at or after step 3
    assert texts.find_all(pattern, 0, cap=100) == Found(found.hits, False, 0)


def test_find_all_wraps_caps_and_stops() -> None:
    texts = StepTexts(run())
    only_first = texts.find_all(re.compile("NEEDLE here"), 4, cap=10)
    assert only_first == Found([Hit(0, "text", 5, 16)], False, 0)  # nothing after step 4: wraps to the first
    capped = texts.find_all(re.compile("needle", re.IGNORECASE), 4, cap=3)
    assert capped is not None and capped.capped and [h.step for h in capped.hits] == [4, 4, 5] and capped.first == 0
    assert texts.find_all(re.compile("absent"), 2, cap=10) == Found([], False, 0)
    assert texts.find_all(re.compile("needle"), 0, cap=10, stop=lambda: True) is None


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("x" * 10_000_000, 5_000_000),  # one unbreakable 10 MB line
        ("\x1b\x00" * 100_000, 0),  # control characters: each shows as a 4-character escape
        ("ok\n" + "y" * 300_000 + "\nend", 0),
    ],
)
def test_an_expanded_window_never_shows_an_over_long_line(text: str, focus: int) -> None:
    start, end = window(text, True, focus)
    assert start <= focus <= end and end - start > 0
    assert max(len(visible(line)) for line in text[start:end].split("\n")) <= MAX_LINE


def test_ordinary_text_keeps_the_full_window() -> None:
    lines = ("word " * 30 + "\n") * 2_000  # 300 K characters in short lines
    assert window(lines, True, 0) == (0, MAX_SHOWN)
    assert window(lines[:150_000], True, 0) == (0, 150_000)
    long_but_fine = "z" * (MAX_LINE - 10)
    assert window(long_but_fine, True, 0) == (0, len(long_but_fine))


def naive_cut(text: str, max_line: int) -> str:
    """The oracle: each line's first `max_line` characters made visible, the rest replaced by its note."""
    return "\n".join(visible(line[:max_line]) + (cut_note(len(line) - max_line) if len(line) > max_line else "")
                     for line in text.split("\n"))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "\n", "😀", "\x1b", "\u202e", "\x00", "é"]), max_size=30).map("".join), st.integers(1, 6))
def test_long_lines_are_cut_with_a_note_and_map_exactly(text: str, max_line: int) -> None:
    shown = ShownText(text, 0, len(text), max_line=max_line)
    assert shown.shown == naive_cut(text, max_line) and shown.utf16_length == utf16_len(shown.shown)
    units = boundaries(shown.shown)
    for i, a in enumerate(units):
        for b in units[i + 1 :]:
            start, end = shown.to_source(a), shown.to_source(b, round_up=True)
            assert 0 <= start <= end <= len(text)  # any selection, notes included, is a span of the source
            assert shown.to_shown(start) <= a and b <= shown.to_shown(end)
    for offset in range(len(text) + 1):
        assert 0 <= shown.to_shown(offset) <= shown.utf16_length


def test_cutting_and_colour_do_not_mix() -> None:
    with pytest.raises(ValueError, match="max_line"):
        ShownText("\x1b[31mred", 0, 9, ansi=True, max_line=3)


def test_find_reads_tool_output_as_shown_so_a_coloured_phrase_matches() -> None:
    output = "== \x1b[31mFAILED\x1b[0m \x1b[1mtests/test_a.py\x1b[0m::\x1b[32mtest_x\x1b[0m - assert 1 == 2"
    t = Trajectory("t", Task("x"), [Step(0, "user", "go"), Step(1, "tool", output, tool_result=None),
                                     Step(2, "assistant", "saw \x1b[31mFAILED\x1b[0m \x1b[1mtests")])  # fmt: skip
    found = StepTexts(t).find_all(re.compile(re.escape("FAILED tests/test_a.py::test_x"), re.IGNORECASE), 0, 100)
    assert found is not None
    (hit,) = found.hits  # not in the assistant's text: colour codes are only hidden in tool output
    assert (hit.step, hit.source) == (1, "tool_output")
    assert strip_sgr(output[hit.start : hit.end]) == "FAILED tests/test_a.py::test_x"
    assert output[hit.start : hit.end].startswith("FAILED") and output[hit.start : hit.end].endswith("test_x")
    plain = StepTexts(t).find_all(re.compile("assert 1"), 0, 100)
    assert plain is not None and [(h.step, output[h.start : h.end]) for h in plain.hits] == [(1, "assert 1")]
