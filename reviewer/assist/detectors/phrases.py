"""Finding many phrase patterns in long transcripts without one big alternation.

A regex alternation of dozens of phrases costs Python's `re` a try of every branch at every
character (about 0.3 µs per character here, too slow for 200 trajectories a second). Each phrase
therefore names literal anchors, one of which every match contains; the texts are joined once,
every anchor of every phrase is located in one pass of an Aho-Corasick automaton (`ahocorasick_rs`:
one `str.find` pass per anchor, about 80 of them, had cost 1.2 ms per 25 KB of prose, the automaton
0.08 ms), and a phrase's regex runs only in a window around its anchors. The result is exactly what
scanning everything with every regex would give, as long as no match is longer than `WINDOW` on
either side of its anchor.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick

WINDOW = 160  # characters searched on each side of an anchor: longer than any phrase
_SEPARATOR = "\n\x00\n"  # between joined texts; no phrase matches across a NUL


@dataclass(frozen=True, slots=True, eq=False)
class Phrase:
    """A case-insensitive pattern with its label, and lowercase literals every match contains one of.
    Each is made once, at import: compared (and hashed, as a cache key) by identity."""

    code: str
    anchors: tuple[str, ...]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, code: str, anchors: str, pattern: str) -> Phrase:
        """`anchors` separated by `|`, lowercase because they are looked for in the lowercased text."""
        if anchors != anchors.lower():
            raise ValueError(f"anchors must be lowercase: {anchors!r}")
        return cls(code, tuple(anchors.split("|")), re.compile(pattern, re.IGNORECASE))


class Segment(NamedTuple):
    """The part `text[start:end]` of one canonical step text that is to be searched (a named tuple:
    made once per text of the run)."""

    step: int
    source: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Found:
    phrase: Phrase
    segment: Segment
    start: int  # offsets into segment.text
    end: int


def find(phrases: Sequence[Phrase], segments: Sequence[Segment]) -> list[Found]:
    """Every match of every phrase in the segments, in text order within each phrase."""
    return find_each([(phrases, len(segments))], segments)[0]


def find_each(groups: Sequence[tuple[Sequence[Phrase], int]], segments: Sequence[Segment]) -> list[list[Found]]:
    """`find(phrases, segments[:n])` for each `(phrases, n)` of `groups`, the texts joined, lowercased
    and searched for anchors once for all (a group's text is a prefix of the whole)."""
    texts = [s.text[s.start : s.end] for s in segments]
    joined = _SEPARATOR.join(texts)
    lower = joined.lower()
    if len(lower) != len(joined):  # a few characters change length when lowercased: then scan everything
        return [_scan(phrases, segments[:n], _SEPARATOR.join(texts[:n]), None) for phrases, n in groups]
    at_anchor = _occurrences(lower, _anchors(tuple(p for phrases, _ in groups for p in phrases)))
    found = []
    for phrases, n in groups:
        size = sum(map(len, texts[:n])) + len(_SEPARATOR) * max(n - 1, 0)  # of the group's text
        # the anchors inside the group's text (none straddles its end: a separator follows it)
        inside = (
            at_anchor if size == len(joined) else {a: [at for at in ats if at + len(a) <= size] for a, ats in at_anchor.items()}
        )
        found.append(_scan(phrases, segments[:n], joined, (size, inside)))
    return found


def _scan(
    phrases: Sequence[Phrase], segments: Sequence[Segment], joined: str, anchors: tuple[int, dict[str, list[int]]] | None
) -> list[Found]:
    """Each phrase's matches in the first `size` characters of `joined` (the segments' texts joined), in
    windows around its anchors' occurrences (`anchors`: size and occurrences), or everywhere (None)."""
    size = len(joined) if anchors is None else anchors[0]
    offsets: list[int] = []  # where each segment starts in `joined`: wanted only once something matched
    found = []
    for phrase in phrases:
        windows = [(0, size)] if anchors is None else _windows(size, [at for a in phrase.anchors for at in anchors[1][a]])
        for lo, hi in windows:  # disjoint, so no match is found twice
            for m in phrase.pattern.finditer(joined, lo, hi):
                if "\x00" in m.group():
                    continue
                offsets = offsets or _offsets(segments)
                i = bisect_right(offsets, m.start()) - 1
                segment, base = segments[i], segments[i].start - offsets[i]
                found.append(Found(phrase, segment, m.start() + base, m.end() + base))
    return found


def _offsets(segments: Sequence[Segment]) -> list[int]:
    offsets, at = [], 0
    for s in segments:
        offsets.append(at)
        at += s.end - s.start + len(_SEPARATOR)
    return offsets


@lru_cache(maxsize=16)
def _anchors(phrases: tuple[Phrase, ...]) -> tuple[str, ...]:
    """The phrases' anchors, each once."""
    return tuple(dict.fromkeys(a for p in phrases for a in p.anchors))


def _windows(size: int, hits: list[int]) -> Iterator[tuple[int, int]]:
    """Merged ranges around the anchor occurrences `hits` in a text of `size` characters, in order."""
    lo = hi = -1
    for at in sorted(hits):
        if at - WINDOW > hi:
            if hi >= 0:
                yield lo, hi
            lo = max(0, at - WINDOW)
        hi = min(size, at + WINDOW)
    if hi >= 0:
        yield lo, hi


def _occurrences(lower: str, anchors: tuple[str, ...]) -> dict[str, list[int]]:
    """Every start of every anchor in `lower`, overlapping ones included (as a `str.find` from each
    start + 1 finds them), in order, by anchor."""
    found: dict[str, list[int]] = {anchor: [] for anchor in anchors}
    for i, start, _ in _automaton(anchors).find_matches_as_indexes(lower, overlapping=True):
        found[anchors[i]].append(start)
    return found


@lru_cache(maxsize=16)
def _automaton(anchors: tuple[str, ...]) -> AhoCorasick:
    return AhoCorasick(anchors)
