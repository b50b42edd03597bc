"""The texts of a step that evidence spans point into (the `evidence` section of
schemas/taxonomy.default.json), rendered one canonical way.

Spans store code-point offsets plus the quote, so they survive re-rendering; every consumer (CLI,
GUI, export, detectors) must take a step's texts from here so offsets mean the same everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from reviewer.edits import diff_text
from reviewer.errors import LabelRejected
from reviewer.model import EvidenceSpan, ToolCall, Trajectory

SOURCES: tuple[str, ...] = ("thinking", "text", "tool_call", "tool_output", "diff", "final_answer")


def render_arguments(arguments: dict[str, Any]) -> list[str]:
    """One line per argument; string values verbatim so code in them reads (and quotes) as code."""
    lines: list[str] = []
    for key, value in arguments.items():
        if isinstance(value, str):
            lines.append(f"{key}:\n{value}" if "\n" in value else f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return lines


def render_tool_calls(calls: list[ToolCall]) -> str:
    return "\n\n".join("\n".join([call.name, *render_arguments(call.arguments)]) for call in calls)


def source_text(trajectory: Trajectory, step: int, source: str) -> str | None:
    """The text a span with this step and source points into; None if the step or source does not exist."""
    if source == "final_answer":
        return trajectory.final_answer
    if not 0 <= step < len(trajectory.steps) or trajectory.steps[step].index != step:
        return None
    s = trajectory.steps[step]
    if source == "text":
        return s.text
    if source == "thinking":
        return s.thinking
    if source == "tool_call":
        return render_tool_calls(s.tool_calls) if s.tool_calls else None
    if source == "tool_output":
        return s.text if s.role == "tool" else None
    if source == "diff":
        edits = [diff_text(e) for e in trajectory.file_edits if e.step == step]
        return "\n".join(edits) if edits else None
    return None


def span_problem(trajectory: Trajectory, span: EvidenceSpan) -> str | None:
    """Why a span does not fit the trajectory, or None when its offsets and quote match the text."""
    text = source_text(trajectory, span.step, span.source)
    if text is None:
        return f"step {span.step} has no {span.source} text"
    if not 0 <= span.start <= span.end <= len(text):
        return f"offsets {span.start}..{span.end} fall outside the {span.source} of step {span.step} ({len(text)} characters)"
    if text[span.start : span.end] != span.quote:
        return f"quote does not match the {span.source} of step {span.step} at {span.start}..{span.end}"
    return None


def span_at(
    trajectory: Trajectory, step: int, source: str, start: int, end: int, role: str | None, codes: list[str]
) -> EvidenceSpan:
    """The span of `start..end` of a step's canonical text (`source_text`), quoting it: how a script
    names evidence by offsets alone. `LabelRejected` says in one line why offsets do not fit."""
    text = source_text(trajectory, step, source) or ""
    span = EvidenceSpan(step, source, start, end, text[start:end], role, list(codes))
    problem = span_problem(trajectory, span)
    if problem is not None:
        raise LabelRejected(f"evidence {step}:{source}:{start}:{end}: {problem}")
    return span
