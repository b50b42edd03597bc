"""The canonical plain text of a trajectory in training data, and where each span-addressable text starts in it.

Not what the app or the terminal shows (control characters made visible there, for people). A
classifier must see exactly what the agent wrote, and every evidence span must
land on the same characters as in `reviewer.spans.source_text`, so each text is copied verbatim
and its start recorded. Any change to this layout changes training data: bump RENDER_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewer.edits import diff_text
from reviewer.errors import SpanMismatch
from reviewer.model import EvidenceSpan, Trajectory
from reviewer.spans import render_tool_calls

RENDER_VERSION = 2  # 2: an edit the tool refused is marked "failed — not applied" (`edits.diff_text`), never shown as a change


def _key(step: int, source: str) -> tuple[int, str]:
    """`final_answer` belongs to no step (source_text ignores the step), so spans of it share one key."""
    return (-1, source) if source == "final_answer" else (step, source)


Section = tuple[int, int, int | None, str]
"""Where one text lies in the rendered text: start, end, its step (None for the task, final answer and
final patch) and its kind: task, thinking, text (the agent's), user or system (a message's text),
tool_output, tool_call, diff, final_answer, final_patch. All but task and final_patch are addressable
by evidence spans (user and system as source `text`)."""


@dataclass(slots=True)
class Rendered:
    text: str
    places: dict[tuple[int, str], tuple[int, int]]  # (step, source) -> where that text begins in `text`, its length
    sections: list[Section] = field(default_factory=list)  # every non-empty text, in order

    def locate(self, span: EvidenceSpan) -> tuple[int, int]:
        """The span's offsets in the whole text, checked against its source text's bounds and its quote."""
        place = self.places.get(_key(span.step, span.source))
        if place is None:
            raise SpanMismatch(f"step {span.step} has no {span.source} text")
        base, length = place
        if not 0 <= span.start <= span.end <= length:
            raise SpanMismatch(
                f"offsets {span.start}..{span.end} fall outside the {span.source} of step {span.step} ({length} characters)"
            )
        start, end = base + span.start, base + span.end
        if self.text[start:end] != span.quote:
            raise SpanMismatch(f"quote does not match the {span.source} of step {span.step} at {span.start}..{span.end}")
        return start, end


def _diffs_by_step(trajectory: Trajectory) -> dict[int, str]:
    """A step's `diff` text as source_text builds it, for all steps in one pass over the edits."""
    diffs: dict[int, list[str]] = {}
    for edit in trajectory.file_edits:
        diffs.setdefault(edit.step, []).append(diff_text(edit))
    return {step: "\n".join(texts) for step, texts in diffs.items()}


def render(trajectory: Trajectory) -> Rendered:
    """Headed sections in transcript order; an empty text gets no heading but still has a start (spans may be empty).

    Reads the step fields directly rather than calling source_text per text (the export's hot loop);
    a test holds every text here equal to source_text's.
    """
    t = trajectory
    parts: list[str] = []
    places: dict[tuple[int, str], tuple[int, int]] = {}
    length = 0

    def add(piece: str) -> None:
        nonlocal length
        parts.append(piece)
        length += len(piece)

    sections: list[Section] = []

    def section(heading: str, text: str, key: tuple[int, str] | None = None, kind: str | None = None) -> None:
        start = length + (len(heading) + 1 if text else 0)
        if key is not None:
            places[key] = (start, len(text))
        if text:
            step = key[0] if key is not None and key[0] >= 0 else None
            sections.append((start, start + len(text), step, kind or (key[1] if key is not None else "")))
            add(f"{heading}\n{text}\n")

    section(f"TASK {t.task.id or ''}".rstrip(), t.task.prompt, kind="task")
    diffs = _diffs_by_step(t)
    for position, step in enumerate(t.steps):
        i, tool, result = step.index, step.role == "tool", step.tool_result
        add(
            f"\n#{i} {step.role}\n"
            if result is None
            else f"\n#{i} {step.role} ({'error' if result.is_error else 'output'} of {result.call_id})\n"
        )
        if i != position:  # spans address steps by position: a misnumbered step has no addressable text
            continue
        if step.thinking is not None:
            section("[thinking]", step.thinking, (i, "thinking"))
        section(
            "[output]" if tool else "[text]",
            step.text,
            (i, "text"),
            "tool_output" if tool else "text" if step.role == "assistant" else step.role,
        )
        if tool:
            places[(i, "tool_output")] = places[(i, "text")]
        if step.tool_calls:
            section("[tool call]", render_tool_calls(step.tool_calls), (i, "tool_call"))
        if i in diffs:
            section("[diff]", diffs[i], (i, "diff"))
    if t.final_answer is not None:
        section("\nFINAL ANSWER", t.final_answer, _key(-1, "final_answer"))
    if t.final_patch:
        section("\nFINAL PATCH", t.final_patch, kind="final_patch")
    return Rendered("".join(parts), places, sections)
