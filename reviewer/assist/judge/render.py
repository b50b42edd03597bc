"""The transcript a judge reads, in two views and within a character budget.

"full" is everything the agent saw and did: task, every step's thinking, text, calls and outputs,
diffs, final answer. "actions" is the task, the tool calls, the diffs and the final answer only:
what was done, without the reasoning that may talk a judge out of seeing it (Baker et al. 2025).

A long trajectory does not fit a context window, so long texts are cut in the middle with an
explicit `[… N characters elided …]` marker (never silently), harder and harder until the whole
fits; steps a detector flagged are never cut, since they are where the judge should look. What
still does not fit is split into parts, each headed by the task. Every text comes from
`reviewer.spans.source_text`, so a quote the judge copies can be found again at exact offsets.
Budgets are in characters (roughly four per token).
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.model import Step, Trajectory
from reviewer.spans import source_text

VIEWS: tuple[str, ...] = ("full", "actions")
DEFAULT_BUDGET = 60_000
# Per-text caps tried in turn for texts of unflagged steps, largest first.
CAPS: tuple[int, ...] = (4_000, 1_000, 300)
# Room the elision marker itself takes (it names the count, so it must not push a text over its cap).
MARKER_ROOM = 40

# The texts of a step in reading order: (source, heading); tool output is the text of a tool step.
_FULL_SOURCES: tuple[tuple[str, str], ...] = (
    ("thinking", "[thinking]"),
    ("text", "[text]"),
    ("tool_call", "[tool call]"),
    ("diff", "[diff]"),
)
_ACTION_SOURCES: tuple[tuple[str, str], ...] = (("tool_call", "[tool call]"), ("diff", "[diff]"))


def elide(text: str, cap: int) -> str:
    """`text` if it fits in `cap` characters, else its head and tail around a marker naming what was cut."""
    if len(text) <= cap:
        return text
    keep = max(cap - MARKER_ROOM, 0)
    head = keep // 2
    tail = keep - head
    return f"{text[:head]}\n[… {len(text) - keep} characters elided …]\n{text[len(text) - tail :] if tail else ''}"


@dataclass(frozen=True, slots=True)
class Section:
    """One step's share of the transcript (or the final answer): a header line and its labelled texts."""

    header: str
    texts: tuple[tuple[str, str], ...]
    whole: bool

    def render(self, cap: int) -> str:
        parts = [f"\n{self.header}\n"]
        for heading, text in self.texts:
            parts.append(f"{heading}\n{text if self.whole else elide(text, cap)}\n")
        return "".join(parts)


def _header(step: Step) -> str:
    header = f"#{step.index} {step.role}"
    if step.tool_result is not None:
        header += f" ({'error' if step.tool_result.is_error else 'output'} of call {step.tool_result.call_id})"
    return header


def sections(trajectory: Trajectory, view: str, flagged: set[int]) -> list[Section]:
    """The view's sections in order; steps in `flagged` are marked whole."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (known: {', '.join(VIEWS)})")
    t = trajectory
    edited = {e.step for e in t.file_edits}  # source_text scans every edit for a diff: ask only where there is one
    found: list[Section] = []
    for step in t.steps:
        texts = []
        for source, heading in _FULL_SOURCES if view == "full" else _ACTION_SOURCES:
            if source == "diff" and step.index not in edited:
                continue
            text = source_text(t, step.index, source)
            if text:
                texts.append(("[output]" if source == "text" and step.role == "tool" else heading, text))
        if texts:
            found.append(Section(_header(step), tuple(texts), step.index in flagged))
    if t.final_answer:
        last = t.steps[-1].index if t.steps else 0
        found.append(Section(f"FINAL ANSWER (cite as step {last})", (("[final answer]", t.final_answer),), True))
    return found


def render(trajectory: Trajectory, view: str, *, flagged: set[int], budget: int = DEFAULT_BUDGET) -> list[str]:
    """The view as one text within `budget` characters if eliding gets it there, else as several parts."""
    head = "TASK\n" + elide(trajectory.task.prompt, budget // 4) + "\n"
    parts = sections(trajectory, view, flagged)
    bodies: list[str] = []
    for cap in CAPS:
        bodies = [s.render(cap) for s in parts]
        if len(head) + sum(map(len, bodies)) <= budget:
            return [head + "".join(bodies)]
    return [head + "".join(chunk) for chunk in _chunks(bodies, max(budget - len(head), MARKER_ROOM + 1))]


def _chunks(bodies: list[str], room: int) -> list[list[str]]:
    """Consecutive sections packed into parts of at most `room` characters; one too big on its own is cut to fit."""
    chunks: list[list[str]] = [[]]
    size = 0
    for body in bodies:
        body = elide(body, room)
        if size + len(body) > room and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(body)
        size += len(body)
    return chunks
