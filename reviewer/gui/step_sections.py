"""What one step shows in the transcript's detail viewer, and how shown positions map back to its texts.

Qt-free, so it is tested without widgets. A step is shown as sections (thinking, text or tool output,
tool calls, edits), each the canonical `spans.source_text` of its source, so an evidence span taken
from a selection has offsets that `span_problem` accepts. What is shown differs from the source in
three ways, all tracked here: control characters become visible escapes (`textsafe.visible`), ANSI
colour (SGR) sequences are hidden and turned into style runs (opt-in, `reviewer.ansi`), and a section
shows only a window of its text (a preview when collapsed, at most `MAX_SHOWN` characters when
expanded). Qt counts positions in UTF-16 units, Python in code points (docs/untrusted-text.md R7): `ShownText` converts
between shown UTF-16 positions and source code-point offsets.

Public API:
- `Section`, `TITLES`, `window(text, expanded, focus)`, `page_focus(text, start, end, forward)`, `preview(text)`,
  `human_size(chars)`, `utf16_len(text)`
- `StepTexts(t, diffs=None)`: `sections(step, with_diff=True)`, `find_all(pattern, origin, cap, stop, on_first) ->
  Found | None`; `Hit`, `Found`
- `ShownText(text, start, end, *, ansi=False)`: `.shown`, `.start`, `.end`, `.utf16_length`,
  `.to_source(unit, round_up=False)`, `.to_shown(offset)`; with `ansi`, also `.runs` and `.ansi_codes`
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from reviewer.ansi import PLAIN, SGR, Style, apply, style_at
from reviewer.edits import DiffTexts
from reviewer.model import Trajectory
from reviewer.spans import source_text
from reviewer.textsafe import INVISIBLE, shown_as

LONG_LINES = 200  # a section longer than this (or LONG_CHARS) starts collapsed
LONG_CHARS = 20_000
PREVIEW_LINES = 3  # what a collapsed section still shows at each end, so the reviewer sees what was folded
PREVIEW_CHARS = 300  # (the tail matters most in test output: the summary line is printed last)
# An expanded section shows at most this many characters around its focus: wrapped text costs
# ~0.3 s per MB to lay out, and the viewer must stay responsive on a 10 MB single line.
MAX_SHOWN = 200_000
# ... and no line of more than this many shown characters: Qt lays out a line without break
# opportunities in worse than linear time (200 K characters of "x": ~0.7 s, 20 K: ~25 ms), and
# escapes make a line of control characters up to six times longer than its source.
MAX_LINE = 20_000

TITLES: dict[str, str] = {
    "thinking": "Thinking",
    "text": "Text",
    "tool_output": "Tool output",
    "tool_call": "Tool calls",
    "diff": "Edits",
    "final_answer": "Final answer",
}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SGR_OR_INVISIBLE = re.compile(f"{SGR.pattern}|{INVISIBLE.pattern}")  # group 1 is None for an invisible character


@dataclass(frozen=True, slots=True)
class Section:
    """One text of a step; `also` names a second source with the very same text, shown once (the
    final answer, when it is the last step's text): spans of either source map into it."""

    source: str
    text: str
    also: str | None = None

    def shows(self, source: str) -> bool:
        return source in (self.source, self.also)

    @property
    def long(self) -> bool:
        return len(self.text) > LONG_CHARS or self.text.count("\n") >= LONG_LINES

    def size(self) -> str:
        """Lines and characters, for the section header and the step list."""
        lines = self.text.count("\n") + 1
        return f"{lines:,} line{'s' if lines != 1 else ''}, {human_size(len(self.text))}"


@dataclass(frozen=True, slots=True)
class Hit:
    step: int
    source: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Found:
    """The hits of one search: in run order when complete; when `capped` (more than the cap exist), the
    first ones from the origin step on, in search order, so the hits near the reviewer are never cut."""

    hits: list[Hit]
    capped: bool
    first: int  # index in `hits` of the first hit at or after the origin step (0 when none is)


def human_size(chars: int) -> str:
    if chars < 1000:
        return f"{chars} chars"
    return f"{chars / 1000:.1f} K chars" if chars < 1_000_000 else f"{chars / 1_000_000:.1f} M chars"


def utf16_len(text: str) -> int:
    """The length Qt counts: UTF-16 code units (an astral character is two)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def window(text: str, expanded: bool, focus: int = 0) -> tuple[int, int]:
    """The [start, end) of `text` a section shows: a preview when collapsed, else around `focus` at
    most MAX_SHOWN characters, narrowed further when a line in them would show over MAX_LINE."""
    if expanded:
        start, end = _around(len(text), focus, MAX_SHOWN)
        longest = max(text[start:end].split("\n"), key=len)
        # Each escape is at most 6 characters wide: a bound, counted without building the escapes.
        if len(longest) > MAX_LINE // 6 and (shown := len(longest) + 5 * INVISIBLE.subn("", longest)[1]) > MAX_LINE:
            start, end = _around(len(text), focus, MAX_LINE * len(longest) // shown)
        return start, end
    end = -1
    for _ in range(PREVIEW_LINES):
        end = text.find("\n", end + 1, PREVIEW_CHARS)
        if end < 0:
            return 0, min(len(text), PREVIEW_CHARS)
    return 0, end


def page_focus(text: str, start: int, end: int, forward: bool) -> int:
    """The focus of the page after (or before) the expanded window [start, end): a window that overlaps
    this one by about a quarter, so no line is skipped even where `window` narrows around long lines."""
    width = end - start
    focus = end + width // 4 if forward else start - width // 4
    for _ in range(4):
        a, b = window(text, True, focus)
        if forward and a >= end:
            focus -= a - end + (b - a) // 4
        elif not forward and b <= start:
            focus += start - b + (b - a) // 4
        else:
            break
    return focus


def preview(text: str) -> list[tuple[int, int]]:
    """What a collapsed section shows: its first and its last PREVIEW_LINES lines (each end at most
    PREVIEW_CHARS); the head alone when the two would meet. Test output prints its summary last."""
    head = window(text, False)
    end = len(text)
    while end and text[end - 1] == "\n":  # trailing blank lines are no tail
        end -= 1
    low = max(0, end - PREVIEW_CHARS)
    start = end
    for _ in range(PREVIEW_LINES):
        found = text.rfind("\n", low, start)
        if found < 0:
            start = low
            break
        start = found
    else:
        start += 1  # the line after that line break
    if start <= head[1] + 1:
        return [head]
    return [head, (start, len(text))]


def _around(length: int, focus: int, width: int) -> tuple[int, int]:
    if length <= width:
        return 0, length
    start = max(0, min(focus - width // 2, length - width))
    return start, start + width


class StepTexts:
    """The sections of every step of one trajectory, built on demand (a 5,000-step run is never rendered whole)."""

    def __init__(self, trajectory: Trajectory, diffs: DiffTexts | None = None):
        """`diffs`: the trajectory's diff texts, shared with the other views (difflib is slow)."""
        self.trajectory = trajectory
        self.diffs = diffs if diffs is not None else DiffTexts(trajectory.file_edits)

    def sections(self, step: int, with_diff: bool = True) -> list[Section]:
        """The step's sections; without `with_diff`, its edits are left out (their diff is not computed)."""
        s = self.trajectory.steps[step]
        final = self.trajectory.final_answer if step == self.last_step else None
        said = "tool_output" if s.role == "tool" else "text"
        once = final is not None and final == s.text and said == "text"  # the final answer is that text: show it once
        texts = [
            ("thinking", s.thinking, None),
            ("final_answer" if once else said, s.text, "text" if once else None),
            ("tool_call", source_text(self.trajectory, step, "tool_call") if s.tool_calls else None, None),
            ("diff", self.diffs.at_step(step) if with_diff else None, None),
            ("final_answer", None if once else final, None),
        ]
        return [Section(source, text, also) for source, text, also in texts if text]

    @property
    def last_step(self) -> int:
        """Where the final answer is shown, and the step its evidence spans carry (as the sample labels do)."""
        return len(self.trajectory.steps) - 1

    def step_of(self, step: int, source: str) -> int:
        """The step a span is shown at: a "final_answer" span at the last step, whatever its own step says
        (`spans.source_text` ignores it for that source)."""
        return self.last_step if source == "final_answer" else step

    def find_all(self, pattern: re.Pattern[str], origin: int, cap: int, stop: Callable[[], bool] = lambda: False,
                 on_first: Callable[[Hit], None] | None = None) -> Found | None:  # fmt: skip
        """Every match in every step and section (collapsed text included), visiting steps from `origin` and wrapping.

        Meant for a worker thread with its own `StepTexts` (the diff cache is not shared). `on_first` gets
        the first hit at or after `origin` as soon as it is found, so a viewer can show it before the count
        is known; `stop` is polled once per step and makes the search return None.
        """
        n = len(self.trajectory.steps)
        hits: list[Hit] = []
        after = None  # how many hits lie at or after `origin`, known once the search wraps to step 0
        for k in range(n):
            if stop():
                return None
            step = (origin + k) % n
            if step == 0 and k:
                after = len(hits)
            for section in self.sections(step):
                for start, end in _matches(pattern, section):
                    hits.append(Hit(step, section.source, start, end))
                    if len(hits) == 1 and on_first is not None:
                        on_first(hits[0])
                    if len(hits) > cap:
                        return Found(hits[:cap], True, 0)
        if after is None:
            after = len(hits)
        ordered = hits[after:] + hits[:after]
        return Found(ordered, False, len(hits) - after if after else 0)


def _matches(pattern: re.Pattern[str], section: Section) -> Iterator[tuple[int, int]]:
    """Source [start, end) of each match in a section as the reviewer reads it.

    Tool output is shown with its colour codes hidden, so it is searched without them (a phrase
    coloured word by word still matches) and each hit mapped back to source offsets.
    """
    text = section.text
    if section.source != "tool_output" or "\x1b[" not in text:
        yield from (m.span() for m in pattern.finditer(text))
        return
    plain: list[str] = []
    runs: list[tuple[int, int]] = []  # (where a kept run starts in the plain text, and in the source)
    kept = pos = 0
    for m in SGR.finditer(text):
        if m.start() > pos:
            runs.append((kept, pos))
            plain.append(text[pos : m.start()])
            kept += m.start() - pos
        pos = m.end()
    if pos < len(text):
        runs.append((kept, pos))
        plain.append(text[pos:])
    starts = [r[0] for r in runs]

    def source(at: int) -> int:
        k = bisect_right(starts, at) - 1
        return runs[k][1] + at - runs[k][0]

    for m in pattern.finditer("".join(plain)):
        if m.end() > m.start():
            yield source(m.start()), source(m.end() - 1) + 1


class ShownText:
    """The window [start, end) of a source text as displayed, with maps between shown UTF-16 and source offsets.

    What is shown differs from the source by replacements of k source characters with w shown ones:
    a control character becomes its escape (k=1, w=len(escape)); with `ansi=True` an ANSI colour (SGR)
    sequence is hidden (k=len(sequence), w=0) and its effect recorded in `runs`, and the window is
    widened to whole sequences so none is cut into visible half-escapes. Without `ansi` the text is
    exactly `textsafe.visible` of the window (the diff view relies on that).

    With `max_line`, the rest of any line longer than that is replaced by a note of its length (`cut_note`):
    Qt lays out a long line in worse than linear time (a 1 MB minified file on one line: ~0.3 s).

    Mapping a shown position back where hidden sequences sit: a selection's start maps after them and
    its end (`round_up`) before them, so a quote never begins or ends with an invisible colour code.
    """

    def __init__(self, text: str, start: int, end: int, *, ansi: bool = False, max_line: int | None = None):
        if ansi and max_line is not None:
            raise ValueError("max_line is for text without colour codes (a cut could split a sequence)")
        if ansi:
            start, end = _whole_sequences(text, start, end)
        self.start, self.end = start, end
        raw = text[start:end]
        cuts = _line_cuts(raw, max_line) if max_line is not None else []
        self._raw: list[int] = []  # where each replacement starts in the window (code points)
        self._len: list[int] = []  # how many source characters it replaces
        self._at: list[int] = []  # where its shown form starts in `shown` (code points)
        self._width: list[int] = []  # how long its shown form is (0: hidden)
        self.ansi_codes = 0  # SGR sequences hidden in this window
        runs: list[tuple[int, Style]] = []  # (shown code point, style from there on), when the style changes
        style = style_at(text, start) if ansi else PLAIN
        if style != PLAIN:
            runs.append((0, style))
        parts: list[str] = []
        pos = shift = 0  # shift: shown position minus window position, before the current replacement
        for a, b, shown, params in _replacements(raw, ansi, cuts):
            parts += (raw[pos:a], shown)
            self._raw.append(a)
            self._len.append(b - a)
            self._at.append(a + shift)
            self._width.append(len(shown))
            shift += len(shown) - (b - a)
            pos = b
            if params is not None:
                self.ansi_codes += 1
                if (after := apply(style, params)) != style:
                    style = after
                    runs.append((self._at[-1], style))
        self.shown = "".join([*parts, raw[pos:]]) if parts else raw
        self._delta = [0, *accumulate(w - k for w, k in zip(self._width, self._len, strict=True))]
        self._astral = [m.start() for m in _ASTRAL.finditer(self.shown)]  # code-point positions in `shown`
        self._astral_u16 = [p + k for k, p in enumerate(self._astral)]
        self.utf16_length = len(self.shown) + len(self._astral)
        self.runs = self._styled_runs(runs)

    def _u16(self, shown: int) -> int:
        return shown + bisect_left(self._astral, shown)

    def _styled_runs(self, changes: list[tuple[int, Style]]) -> list[tuple[int, int, Style]]:
        """The non-plain stretches as (UTF-16 start, UTF-16 end, style): empty ones dropped, touching equal ones merged."""
        ends = [at for at, _ in changes[1:]] + [len(self.shown)] if changes else []
        runs: list[tuple[int, int, Style]] = []
        for (a, style), b in zip(changes, ends, strict=True):
            if style == PLAIN or a >= b:
                continue
            if runs and runs[-1][1] == a and runs[-1][2] == style:
                a = runs.pop()[0]
            runs.append((a, b, style))
        return [(self._u16(a), self._u16(b), style) for a, b, style in runs]

    def to_source(self, unit: int, round_up: bool = False) -> int:
        """The source offset of a shown UTF-16 position; inside an escape, its character's start (or end).

        At a hidden sequence: after it, or before it with `round_up` (see the class docstring).
        """
        shown = max(0, min(unit, self.utf16_length))
        shown -= bisect_left(self._astral_u16, shown)
        k = (bisect_left if round_up else bisect_right)(self._at, shown) - 1
        if k < 0:
            return self.start + shown
        inside = shown - self._at[k]
        if inside < self._width[k]:
            return self.start + self._raw[k] + (self._len[k] if round_up else 0)  # round_up: inside > 0
        return self.start + self._raw[k] + self._len[k] + inside - self._width[k]

    def to_shown(self, offset: int) -> int:
        """The shown UTF-16 position of a source offset, clamped to the window; inside a replacement, its start."""
        raw = max(0, min(offset, self.end) - self.start)
        j = bisect_left(self._raw, raw)  # replacements starting before `raw`
        if j and raw < self._raw[j - 1] + self._len[j - 1]:
            return self._u16(self._at[j - 1])
        return self._u16(raw + self._delta[j])


def cut_note(chars: int) -> str:
    return f" … [{chars:,} more characters on this line not shown]"


def _line_cuts(raw: str, max_line: int) -> list[tuple[int, int]]:
    """The [start, end) of what lies beyond `max_line` characters on each longer line."""
    return [m.span(1) for m in re.finditer(f"[^\n]{{{max_line}}}([^\n]+)", raw)]


def _replacements(raw: str, ansi: bool, cuts: list[tuple[int, int]]) -> list[tuple[int, int, str, str | None]]:
    """(start, end, shown form, SGR params or None) of every replacement in `raw`, in order.

    Escapes and colour codes inside a cut are part of the cut."""
    found: list[tuple[int, int, str, str | None]] = []
    starts = [a for a, _ in cuts]
    for m in (_SGR_OR_INVISIBLE if ansi else INVISIBLE).finditer(raw):
        a, b = m.span()
        k = bisect_right(starts, a) - 1
        if k >= 0 and a < cuts[k][1]:
            continue
        params = m.group(1) if ansi else None
        found.append((a, b, "" if params is not None else shown_as(m), params))
    if cuts:
        found += [(a, b, cut_note(b - a), None) for a, b in cuts]
        found.sort()
    return found


def _whole_sequences(text: str, start: int, end: int) -> tuple[int, int]:
    """The window widened so that it cuts no SGR sequence (at most one sequence's length each side)."""
    reach = 68  # the longest SGR sequence: ESC [ 64 params m
    for m in SGR.finditer(text, max(0, start - reach), min(len(text), start + reach)):
        if m.start() < start < m.end():
            start = m.start()
    for m in SGR.finditer(text, max(0, end - reach), min(len(text), end + reach)):
        if m.start() < end < m.end():
            end = m.end()
    return start, end
