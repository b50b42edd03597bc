"""ANSI SGR (colour) sequences in tool output: what a viewer may render, and what it must ignore.

Qt-free, so it is tested without widgets. Tool output is often coloured (`\\x1b[31mFAILED\\x1b[0m`);
showing the escapes raw is noise, but colour is also a way for an agent to hide text from a
reviewer (white on white, black on black, concealed, faint). So only SGR sequences (`ESC [ params m`)
are interpreted, and only the harmless part of them: foreground colour, bold, italic, underline,
and their resets. Background colours, conceal (8), faint (2), blink, reverse video (7) and strike-through
are ignored, and every foreground colour is moved to one readable on the viewer's background
(`readable`, a WCAG contrast floor). Other CSI and OSC sequences (cursor moves, erase line, OSC 8
hyperlinks) are not parsed here: the viewer shows them as visible escapes (`textsafe.visible`).

Public API:
- `SGR`: the pattern of one SGR sequence (params bounded, so a pathological one stays visible)
- `Style`, `PLAIN`, `apply(style, params) -> Style`: the text state after one sequence
- `style_at(text, pos) -> Style`: the state in force at `pos` (bounded look-back)
- `readable(colour, background) -> colour`: the colour moved to a contrast floor against `background`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

Colour = tuple[int, int, int]

# Params bounded to 64 characters: real sequences are short, and the bound keeps window snapping and
# `int()` cheap on hostile input (a longer sequence is shown as escapes instead).
SGR = re.compile(r"\x1b\[([0-9;]{0,64})m")
MIN_CONTRAST = 4.5  # WCAG AA for normal text
LOOK_BACK = 100_000  # how far before a window `style_at` looks for the colour in force

# The xterm defaults for colours 0-15 (30-37 and 90-97); any of them is clamped by `readable`.
BASIC: tuple[Colour, ...] = (
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
)  # fmt: skip
_CUBE = (0, 95, 135, 175, 215, 255)


@dataclass(frozen=True, slots=True)
class Style:
    """What an SGR state shows; `colour` None is the viewer's own text colour."""

    colour: Colour | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False


PLAIN = Style()


def xterm_colour(n: int) -> Colour:
    """Colour `n` of the 256-colour palette (38;5;n): 16 basic, a 6x6x6 cube, 24 greys."""
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        return _CUBE[n // 36], _CUBE[n // 6 % 6], _CUBE[n % 6]
    grey = 8 + 10 * (n - 232)
    return grey, grey, grey


def _extended(codes: list[int], i: int) -> tuple[Colour | None, int]:
    """The colour of `38;5;n` / `38;2;r;g;b` (or 48;...) whose mode is at `codes[i]`,
    and how many codes it used (0: malformed)."""
    mode = codes[i] if i < len(codes) else None
    if mode == 5 and i + 1 < len(codes) and codes[i + 1] <= 255:
        return xterm_colour(codes[i + 1]), 2
    if mode == 2 and i + 3 < len(codes) and max(codes[i + 1 : i + 4]) <= 255:
        r, g, b = codes[i + 1 : i + 4]
        return (r, g, b), 4
    return None, 0


@lru_cache(maxsize=4096)  # output repeats a few sequences thousands of times; a viewer parses them per render
def apply(style: Style, params: str) -> Style:
    """The style after `ESC [ params m`; codes not listed in the module docstring change nothing."""
    codes = [int(p) if p else 0 for p in params.split(";")]  # "" and empty fields mean 0 (reset), as in terminals
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            style = PLAIN
        elif code in (1, 22):
            style = replace(style, bold=code == 1)  # 22 also ends faint, which is never shown
        elif code in (3, 23):
            style = replace(style, italic=code == 3)
        elif code in (4, 24):
            style = replace(style, underline=code == 4)
        elif 30 <= code <= 37 or 90 <= code <= 97:
            style = replace(style, colour=BASIC[code - 30 if code < 90 else code - 82])
        elif code == 39:
            style = replace(style, colour=None)
        elif code in (38, 48):  # 48 (background) is parsed only to skip its arguments
            colour, used = _extended(codes, i + 1)
            if not used:
                break  # a malformed colour: terminals drop the rest of the sequence
            if code == 38:
                style = replace(style, colour=colour)
            i += used
        i += 1
    return style


def style_at(text: str, pos: int) -> Style:
    """The style in force at `pos`, from the sequences before it (at most LOOK_BACK characters back).

    Used when a viewer shows a window that starts inside a long text; the bound keeps that cheap on a
    10 MB output full of colours, at the cost of a possibly wrong (still readable) colour at the window start.
    """
    style = PLAIN
    for m in SGR.finditer(text, max(0, pos - LOOK_BACK), pos):
        style = apply(style, m.group(1))
    return style


def _luminance(colour: Colour) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Colour, b: Colour) -> float:
    """The WCAG contrast ratio, 1 (same luminance) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def readable(colour: Colour, background: Colour, minimum: float = MIN_CONTRAST) -> Colour:
    """`colour`, mixed towards black (light background) or white (dark one) just enough to reach `minimum` contrast."""
    if contrast(colour, background) >= minimum:
        return colour
    target = (0, 0, 0) if contrast((0, 0, 0), background) >= contrast((255, 255, 255), background) else (255, 255, 255)

    def mix(t: float) -> Colour:
        r, g, b = (round(c + (d - c) * t) for c, d in zip(colour, target, strict=True))
        return r, g, b

    low, high = 0.0, 1.0
    for _ in range(12):
        middle = (low + high) / 2
        if contrast(mix(middle), background) >= minimum:
            high = middle
        else:
            low = middle
    return mix(high)
