"""One training or scoring example: the texts a classifier reads, kept apart by channel, and the gold verdict.

An example is made from an export record with `--features` (`reviewer export`), whether the record
comes from a file or straight from the store, so a model trained from an export file is the model
trained from the project. The record's `sections` say which kind of text lies where in the
canonical text (`reviewer.export.render`); three channels take the agent's own doing:

- actions: its tool calls (commands and editor arguments);
- diffs: the file edits' diffs and the final patch;
- reasoning: its thinking, its visible text and the final answer.

The task prompt and the tool outputs are left out: the prompt is the same for every run of a task
(grouped evaluation would only learn to recognise tasks), outputs are the environment's words.
Each channel is capped at CHANNEL_CAP characters, its first and last halves, so one huge run costs
what any big run costs; every place kept remembers where it came from, so an n-gram found in a
channel maps back to an evidence span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHANNELS: tuple[str, ...] = ("actions", "diffs", "reasoning")
CHANNEL_OF: dict[str, str] = {
    "tool_call": "actions",
    "diff": "diffs",
    "final_patch": "diffs",
    "thinking": "reasoning",
    "text": "reasoning",
    "final_answer": "reasoning",
}
CHANNEL_CAP = 50_000
JOIN = "\n"  # between two places of a channel: no n-gram spans it as a word, and a span never does


@dataclass(frozen=True, slots=True)
class Place:
    """One section's share of a channel: where it starts in the channel and its length, and where it
    came from: its step and kind, and how far into the section's own text it starts (a cut section)."""

    offset: int
    length: int
    step: int | None
    kind: str
    skip: int = 0


@dataclass(frozen=True, slots=True)
class Example:
    trajectory_id: str
    task_id: str | None
    channels: dict[str, str]
    places: dict[str, tuple[Place, ...]]
    detectors: tuple[dict[str, Any], ...]
    facts: dict[str, Any]
    verdict: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)

    @property
    def group(self) -> str:
        """Cross-validation group: the task, or the trajectory itself when it names no task."""
        return f"task:{self.task_id}" if self.task_id is not None else f"trajectory:{self.trajectory_id}"


Section = tuple[int, int, int | None, str]  # start, end, step, kind (reviewer.export.render.Section)


def _kept(sections: list[Section]) -> list[tuple[Section, int]]:
    """The parts of a channel's sections within its first and last CHANNEL_CAP / 2 characters, each
    with how far into its section it starts: a section across the middle is cut, one across both
    ends gives two parts, one in the middle is left out."""
    total = sum(end - start for start, end, _, _ in sections)
    if total <= CHANNEL_CAP:
        return [(section, 0) for section in sections]
    head_end, tail_start = CHANNEL_CAP // 2, total - (CHANNEL_CAP - CHANNEL_CAP // 2)
    kept: list[tuple[Section, int]] = []
    at = 0  # where the section starts in the channel before cutting
    for start, end, step, kind in sections:
        length = end - start
        if at < head_end:
            kept.append(((start, start + min(length, head_end - at), step, kind), 0))
        if at + length > tail_start:
            skip = max(0, tail_start - at)
            kept.append(((start + skip, end, step, kind), skip))
        at += length
    return kept


def split_channels(text: str, sections: list[Any]) -> tuple[dict[str, str], dict[str, tuple[Place, ...]]]:
    """Each channel's text (its sections joined by JOIN) and the places it is made of."""
    by_channel: dict[str, list[Section]] = {c: [] for c in CHANNELS}
    for start, end, step, kind in sections:
        channel = CHANNEL_OF.get(kind)
        if channel is not None and 0 <= start <= end <= len(text):
            by_channel[channel].append((start, end, step, kind))
    channels: dict[str, str] = {}
    places: dict[str, tuple[Place, ...]] = {}
    for channel, found in by_channel.items():
        parts: list[str] = []
        kept: list[Place] = []
        offset = 0
        for (start, end, step, kind), skip in _kept(found):
            parts.append(text[start:end])
            kept.append(Place(offset, end - start, step, kind, skip))
            offset += end - start + len(JOIN)
        channels[channel] = JOIN.join(parts)
        places[channel] = tuple(kept)
    return channels, places
