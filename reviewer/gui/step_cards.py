"""One step of the continuous transcript as a card of plain text: what it shows and where.

Qt-free, so it is tested without widgets. A card is the step's header line (number, role, time,
the call it answers, its test-run mark) and its sections (`step_sections`), each under a title
line; the view inserts the text into its document and turns `runs` into character formats. Headers
and notes are runs of `HEADER` (a background no agent text can have); ANSI colour runs carry their
`Style`. Every position is UTF-16 and relative to the card's start, so a card can move in the
document (cards are added and dropped as the reader scrolls) without being rebuilt.

A collapsed section shows its head and its tail (`preview`: test summaries are printed last) with
the number of lines between; an expanded one shows at most `MAX_SHOWN` characters around its focus,
and a `Page` note where more follows, which the view turns into the next page once it is scrolled
into sight.

Public API: `Card`, `Piece`, `Page`, `HEADER`, `render_card(texts, step, expanded, focus, *, mark,
diff_pending, budget)`, `section_title(section, expanded)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reviewer.ansi import Style
from reviewer.gui.step_sections import TITLES, Section, ShownText, StepTexts, human_size, page_focus, preview, utf16_len, window
from reviewer.textsafe import one_line

HEADER = None  # the style of header and note runs (`Run` styles are ANSI `Style`s otherwise)
# Colour is rendered where terminals put it; an escape in the agent's own text, a command or an edit is
# content the reviewer should see as written (an ESC byte written into a file is worth noticing).
ANSI_SOURCES = frozenset({"tool_output"})
Run = tuple[int, int, Style | None]  # (UTF-16 start, length, style or HEADER)


@dataclass(slots=True)
class Piece:
    """One shown stretch of a section (a collapsed section has two: head and tail)."""

    section: Section
    region: int  # where the section's title line starts
    start: int  # where this shown text starts
    shown: ShownText

    @property
    def end(self) -> int:
        return self.start + self.shown.utf16_length


@dataclass(frozen=True, slots=True)
class Page:
    """A note that an expanded section goes on beyond what is shown: `focus` centres the next page."""

    position: int
    source: str
    focus: int


@dataclass(slots=True)
class Card:
    step: int
    text: str
    length: int  # UTF-16
    runs: list[Run] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def pieces_of(self, source: str) -> list[Piece]:
        return [p for p in self.pieces if p.section.shows(source)]


def section_title(section: Section, expanded: bool) -> list[str]:
    title = (
        TITLES[section.source]
        if section.also is None
        else f"{TITLES[section.source]} (the step's {TITLES[section.also].lower()})"
    )
    return [f"{'▾' if expanded else '▸'} {title}", section.size()]


def render_card(
    texts: StepTexts,
    step: int,
    expanded: Callable[[Section], bool],
    focus: Callable[[Section], int],
    *,
    mark: str | None = None,
    diff_pending: bool = False,
    budget: int = 10_000,
) -> Card:
    """The card of `step`. `expanded` and `focus` give each section's state; `budget` caps the ANSI runs
    styled (a coloured log can have hundreds of thousands); `diff_pending` says its edits are computed elsewhere."""
    s = texts.trajectory.steps[step]
    card = Card(step, "", 0)
    parts: list[str] = []

    def add(text: str, header: bool = False) -> None:
        length = utf16_len(text)
        if header:
            card.runs.append((card.length, length, HEADER))
        parts.append(text)
        card.length += length

    meta = [f"#{s.index}", s.role, s.timestamp or ""]
    if s.tool_result is not None:
        meta.append(one_line(f"answers {s.tool_result.call_id}", 80) + (" · ERROR" if s.tool_result.is_error else ""))
    if mark is not None:
        meta.append(mark)
    add("  ·  ".join(m for m in meta if m), header=True)
    if diff_pending:
        add("\n")
        add(f"▸ {TITLES['diff']}  ·  computing the diff…", header=True)
    for section in texts.sections(step, with_diff=not diff_pending):
        is_open = expanded(section)
        ranges = [window(section.text, True, focus(section))] if is_open else preview(section.text)
        ansi = section.source in ANSI_SOURCES
        shown = [ShownText(section.text, a, b, ansi=ansi) for a, b in ranges]
        styled = sum(len(x.runs) for x in shown)
        title = section_title(section, is_open)
        if any(x.ansi_codes for x in shown):  # the reviewer should know colour codes were hidden and applied
            title.append("ANSI colours" + ("" if styled <= budget else f" (first {budget:,} runs)"))
        if not is_open:
            title.append("collapsed (C expands)")
        region = card.length
        add("\n")
        add("  ·  ".join(title), header=True)
        add("\n")
        first = shown[0]
        if first.start:
            earlier = section.text.count("\n", 0, first.start)
            card.pages.append(Page(card.length, section.source, page_focus(section.text, first.start, first.end, False)))
            add(f"… {earlier:,} earlier lines ({human_size(first.start)}) above: scroll up to show them\n", header=True)
        for k, piece_text in enumerate(shown):
            if k:  # between a collapsed section's head and tail
                hidden = section.text.count("\n", shown[k - 1].end, piece_text.start) - 1
                add("\n")
                add(f"⋯ {hidden:,} lines hidden (C shows all)", header=True)
                add("\n")
            card.pieces.append(Piece(section, region, card.length, piece_text))
            runs = piece_text.runs[: max(budget, 0)]
            budget -= len(runs)
            card.runs += ((card.length + a, b - a, style) for a, b, style in runs)
            add(piece_text.shown)
        last = shown[-1]
        if rest := len(section.text) - last.end:
            lines = section.text.count("\n", last.end)
            add("\n")
            if is_open:
                card.pages.append(Page(card.length, section.source, page_focus(section.text, last.start, last.end, True)))
                add(f"… {lines:,} more lines ({human_size(rest)}) below: scroll down to show them", header=True)
            else:
                add(f"… {lines:,} more lines ({human_size(rest)}) not shown (C shows all)", header=True)
    add("\n\n")
    card.text = "".join(parts)
    return card
