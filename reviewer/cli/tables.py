"""Tables that stay readable at any width: in a terminal of 80 columns, in a pipe, in a file.

Rich fits a table that is too wide by shrinking every column alike, which cuts each cell to a few
letters and an ellipsis ("fie…", "Krip…"). A `Listing` decides at render time, for the width it is
given: every column at its natural width if that fits; else every column at least as wide as its
longest word, the rest of the width shared out, words wrapped, never cut; else without the columns
marked as droppable, the least needed first (the caption says which are left out); and when not
even the others fit, one block per row, each cell on a line of its own under its header. Free-text
columns (`fold`) may break a long word rather than hold the table up.

Cells are `Text` (a `str` is taken literally, never as markup), so what the store holds cannot
style the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

FOLD_MINIMUM = 16  # characters a free-text column keeps when its words are longer
PADDING = 2  # one space either side of a cell
NOT_SHOWN = "not shown at this width: {}"


def _text(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text(value)


@dataclass(frozen=True, slots=True)
class Column:
    header: str | Text
    justify: str = "left"  # "left" or "right"
    drop: int = 0  # 0: always shown; others are left out when the table does not fit, highest first
    fold: bool = False  # free text: a word longer than the column is broken, not the table widened


@dataclass(slots=True)
class Row:
    cells: list[Text]
    style: str = ""


@dataclass
class Listing:
    columns: Sequence[Column]
    title: str | Text | None = None
    caption: str | None = None
    rows: list[Row] = field(default_factory=list)

    def add_row(self, *cells: str | Text, style: str = "") -> None:
        self.rows.append(Row([_text(cell) for cell in cells], style))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        sizes = [self._size(console, options, i) for i in range(len(self.columns))]
        for shown in self._choices():
            widths = _widths([sizes[i] for i in shown], options.max_width)
            if widths is not None:
                yield self._table(shown, widths)
                return
        yield self._blocks()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(FOLD_MINIMUM, options.max_width), options.max_width)

    def _choices(self) -> Iterator[list[int]]:
        """Column positions to try, all first, then dropping the most droppable one at a time."""
        shown = list(range(len(self.columns)))
        yield shown
        for level in sorted({c.drop for c in self.columns if c.drop}, reverse=True):
            shown = [i for i in shown if self.columns[i].drop != level]
            yield shown

    def _size(self, console: Console, options: ConsoleOptions, i: int) -> tuple[int, int]:
        """Column `i`'s narrowest width that cuts no word (for free text, at most `FOLD_MINIMUM` or
        its header's longest word) and its widest useful one."""
        column = self.columns[i]
        header = Measurement.get(console, options, _text(column.header))
        sizes = [header, *(Measurement.get(console, options, row.cells[i]) for row in self.rows)]
        low, high = max(s.minimum for s in sizes), max(s.maximum for s in sizes)
        if column.fold:
            low = min(low, max(FOLD_MINIMUM, header.minimum))
        return low, max(high, low)

    def _table(self, shown: list[int], widths: list[int]) -> Table:
        left_out = [str(c.header) for i, c in enumerate(self.columns) if i not in shown]
        notes = [n for n in (self.caption, NOT_SHOWN.format(", ".join(left_out)) if left_out else None) if n]
        table = Table(title=self.title, caption="\n".join(notes) or None)
        for i, width in zip(shown, widths, strict=True):
            column = self.columns[i]
            table.add_column(
                column.header, justify="right" if column.justify == "right" else "left", width=width, overflow="fold"
            )
        for row in self.rows:
            table.add_row(*(row.cells[i] for i in shown), style=row.style)
        return table

    def _blocks(self) -> Group:
        """One block per row: its first cell, then each other cell under its header."""
        parts: list[Text | Table] = [_text(self.title)] if self.title else []
        for row in self.rows:
            parts.append(Text.assemble(row.cells[0], style=f"bold {row.style}"))
            fields = Table.grid(padding=(0, 1))
            fields.add_column(style="dim", no_wrap=True)
            fields.add_column(overflow="fold")
            for column, cell in zip(self.columns[1:], row.cells[1:], strict=True):
                if cell.plain:
                    fields.add_row(Text.assemble("  ", column.header), cell)
            parts.append(fields)
        if self.caption:
            parts.append(Text(self.caption, style="dim"))
        return Group(*parts)


def _widths(sizes: list[tuple[int, int]], width: int) -> list[int] | None:
    """Content widths for columns of these (narrowest, widest) sizes in a table `width` wide, or None
    when even the narrowest do not fit: every column its widest if all fit, else its narrowest and
    a share of what is left in proportion to how much wider it would be."""
    room = width - (len(sizes) + 1) - PADDING * len(sizes)  # borders, then padding
    lows, highs = [low for low, _ in sizes], [high for _, high in sizes]
    if sum(lows) > room:
        return None
    if sum(highs) <= room:
        return highs
    spare, wants = room - sum(lows), [high - low for low, high in sizes]
    shares = [spare * want // sum(wants) for want in wants]
    for k in sorted(range(len(shares)), key=lambda k: wants[k] - shares[k], reverse=True)[: spare - sum(shares)]:
        shares[k] += 1  # what integer division left over, to the columns that want most
    return [low + share for low, share in zip(lows, shares, strict=True)]
