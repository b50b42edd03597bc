"""Making agent-written text inert before it reaches a terminal or a widget.

Trajectories are adversarial input: an escape sequence can recolour, hide or rewrite what a
reviewer sees, and bidi controls can reorder code. Control characters are shown as visible
escapes (`\\x1b`, `\\u202e`) rather than dropped, so the reviewer sees that they were there.

A carriage return ending a line (`\r\n`, Windows-made output) is a line ending and shows as one; a
carriage return anywhere else (a progress bar redrawing its line, a CR hiding what precedes it on a
terminal) is shown as `\x0d`.

Public API: `visible(text)`, `one_line(text, limit)`, `strip_sgr(text)` (for one-line previews of
coloured tool output; a viewer that renders colour uses `reviewer.ansi` instead), `INVISIBLE` and
`shown_as(match)` (what one of its matches shows as, for viewers that map shown positions back),
`csv_row(values, raw)` (the one way this package writes a CSV line; see there for formula injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from reviewer.ansi import SGR

# The CR of a CRLF line ending; C0 controls except tab and newline, DEL, C1 controls, and Unicode bidi/format controls.
INVISIBLE = re.compile("\r(?=\n)|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def shown_as(match: re.Match[str]) -> str:
    """What one INVISIBLE match shows as: nothing for the CR of a line ending, else the character's escape."""
    char = match.group()
    if char == "\r" and match.string.startswith("\n", match.end()):
        return ""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """The text with every control or invisible formatting character shown as an escape (a CRLF as a line end)."""
    return INVISIBLE.sub(shown_as, text)


def one_line(text: str, limit: int = 300) -> str:
    """A short single-line form, for tables and error messages."""
    flat = " ".join(visible(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def strip_sgr(text: str) -> str:
    """The text without ANSI colour (SGR) sequences; every other escape is kept for `visible` to show.

    Only for short previews (a step list row): dropping colour loses nothing a reviewer needs there,
    while `visible` would spell out `\\x1b[31m` in every row of a coloured pytest log.
    """
    return SGR.sub("", text)


# A cell starting with one of these is run as a formula by spreadsheets (OWASP, "CSV Injection"):
# `=HYPERLINK(...)` in a task id or model name opens a link when the export is opened.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """`value`, with a text that starts like a formula prefixed by `'` so a spreadsheet shows it as text.

    Only text is touched: a number (an int `-1`, a float) is data a spreadsheet should read as a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: Iterable[Any], *, raw: bool = False) -> str:
    """One CSV line (`\n`-terminated); every CSV writer of the package goes through here.

    By default every text cell is neutralised (`spreadsheet_cell`) and quoted, as OWASP recommends:
    the quotes keep a spreadsheet from splitting or re-reading the cell; numbers stay unquoted numbers.
    `raw` writes the values as they are (minimal quoting), for tools that need the exact bytes.
    """
    buffer = io.StringIO()
    if raw:
        csv.writer(buffer, lineterminator="\n").writerow(values)
    else:
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC).writerow(spreadsheet_cell(v) for v in values)
    return buffer.getvalue()
