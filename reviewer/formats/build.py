"""Assembling a canonical trajectory from a foreign format, one message or event at a time.

Every importer meets the same problems: tool results to pair with their calls (by id, by order
when ids repeat or are missing), ids to keep unique, file edits to reconstruct from the calls, and
whatever could not be mapped to report rather than drop. `TrajectoryBuilder` solves them once; an
importer only walks its format and calls `step`, `result` and `build`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reviewer.formats.edit_reconstruction import FileTracker, can_write_files, edits_from_patch
from reviewer.formats.message_code import message_edits
from reviewer.formats.shape import Malformed, expect
from reviewer.model import Agent, FileEdit, Outcome, Step, Task, ToolCall, ToolResult, Trajectory

MAX_ID = 512


def text_of(value: Any) -> str:
    """Text from the shapes content takes across formats: str, None, or a list of parts with `text`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif part.get("type") in ("image", "image_url", "input_image"):
                    parts.append("[image]")
                elif part.get("type"):
                    parts.append(f"[{part['type']}]")
        return "\n".join(parts)
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return json.dumps(value, ensure_ascii=False)


def parse_arguments(raw: Any) -> tuple[dict[str, Any], str | None, str | None]:
    """(arguments, raw_arguments, parse_error) from a dict, a JSON string, or anything else."""
    if isinstance(raw, dict):
        return raw, None, None
    if raw is None:
        return {}, None, None
    if not isinstance(raw, str):
        return {"value": raw}, None, None
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return {}, raw, f"arguments are not JSON: {exc}"
    if isinstance(parsed, dict):
        return parsed, raw, None
    return {"value": parsed}, raw, None


def openai_tool_call(b: TrajectoryBuilder, call: Any, pointer: str) -> ToolCall:
    """An OpenAI-style `tool_calls` item (`{id, function: {name, arguments}}`, or flat) as a ToolCall."""
    expect(call, dict, pointer, "a tool call object")
    function = call.get("function") if isinstance(call.get("function"), dict) else call
    name = function.get("name")
    if not isinstance(name, str) or not name:
        raise Malformed(f"{pointer}/function/name", "tool call without a name")
    return b.call(call.get("id"), name, function.get("arguments"))


@dataclass
class _Call:
    call: ToolCall
    original_id: str | None
    answered: bool = False


@dataclass
class TrajectoryBuilder:
    """Steps in order; tool results linked to calls; notes for whatever did not fit."""

    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _calls: list[_Call] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)
    _failed_calls: set[str] = field(default_factory=set)
    _extra_edits: list[FileEdit] = field(default_factory=list)
    _cwds: dict[int, str] = field(default_factory=dict)
    _filled: list[dict[str, object]] = field(default_factory=list)

    @property
    def next_index(self) -> int:
        return len(self.steps)

    def call(self, call_id: Any, name: Any, arguments: Any) -> ToolCall:
        """A ToolCall with a unique id (repeated or missing ids are renamed, pairing keeps the original)."""
        args, raw, error = parse_arguments(arguments)
        original = str(call_id)[:MAX_ID] if call_id not in (None, "") else None
        unique = original or f"call_{len(self._calls) + 1}"
        n = 1
        while unique in self._ids:
            n += 1
            unique = f"{original or 'call'}#{n}"[:MAX_ID]
        self._ids.add(unique)
        call = ToolCall(unique, (str(name) if name not in (None, "") else "unknown")[:MAX_ID], args, raw, error)
        self._calls.append(_Call(call, original))
        return call

    def step(
        self,
        role: str,
        text: Any = "",
        *,
        thinking: str | None = None,
        calls: Iterable[ToolCall] = (),
        timestamp: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Step:
        step = Step(
            len(self.steps), role, text_of(text), thinking or None, list(calls), None,
            str(timestamp) if timestamp is not None else None, metadata or {},
        )  # fmt: skip
        self.steps.append(step)
        return step

    def result(
        self,
        call_id: Any,
        output: Any,
        *,
        is_error: bool = False,
        name: str | None = None,
        timestamp: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Step:
        """A tool step answering a call: by id, else (no id, or ids that repeat) the oldest unanswered call."""
        target = self._match(str(call_id) if call_id not in (None, "") else None, name)
        meta = dict(metadata or {})
        if target is None and call_id not in (None, ""):
            meta["unpaired_call_id"] = str(call_id)
            self.notes.append(f"step {len(self.steps)}: tool result for unknown call {call_id!r}")
        step = self.step("tool", output, timestamp=timestamp, metadata=meta)
        if target is not None:
            target.answered = True
            step.tool_result = ToolResult(target.call.id, bool(is_error))
            if is_error:
                self._failed_calls.add(target.call.id)
        return step

    def _match(self, call_id: str | None, name: str | None) -> _Call | None:
        open_calls = [c for c in self._calls if not c.answered]
        if call_id is not None:
            by_id = [c for c in open_calls if c.original_id == call_id]
            if len(by_id) > 1 and name:
                by_id = [c for c in by_id if c.call.name == name] or by_id
            if by_id:
                return by_id[0]
            if any(c.original_id == call_id for c in self._calls):
                return None  # answered twice: keep the second output, unlinked
            if open_calls and all(c.original_id is None for c in open_calls):
                return open_calls[0]
            return None
        if name:
            named = [c for c in open_calls if c.call.name == name]
            if named:
                return named[0]
        return open_calls[0] if open_calls else None

    def working_directory(self, path: str) -> None:
        """Where the agent's shell runs from the next step on: relative paths in its commands are read
        against it (without one they stay as written)."""
        if path:
            self._cwds[len(self.steps)] = path

    def add_edit(self, edit: FileEdit) -> None:
        """An edit the format records itself (an observation's old/new content): it wins over a
        reconstruction of the same file at the same step."""
        self._extra_edits.append(edit)

    def edits(self, final_patch: str | None) -> list[FileEdit]:
        tracker = FileTracker()
        found: list[FileEdit] = []
        recorded = {(e.step, e.path) for e in self._extra_edits}
        recorded_at: dict[int, list[FileEdit]] = {}
        for edit in self._extra_edits:
            recorded_at.setdefault(edit.step, []).append(edit)
        calls = {c.call.id: c.call for c in self._calls}
        submitted = final_patch.replace("\r\n", "\n").strip() if final_patch else None
        last_output = max((s.index for s in self.steps if s.tool_result is not None), default=None)
        for step in self.steps:
            tracker.cwd = self._cwds.get(step.index, tracker.cwd)
            for call in step.tool_calls:
                if call.id in self._failed_calls:
                    continue  # a failed edit call changed nothing
                found += [e for e in tracker.edits_for(call, step.index) if (e.step, e.path) not in recorded]
            for edit in recorded_at.get(step.index, ()):
                tracker.note(edit)  # what the format recorded is what the file holds
            answered = calls.get(step.tool_result.call_id) if step.tool_result is not None else None
            if answered is not None and answered.id not in self._failed_calls:
                final = submitted if step.index == last_output else None  # the submit command printing the patch
                found += tracker.observe(answered, step.text, step.index, final)  # a diff the workspace printed
        found += self._extra_edits
        if not any(can_write_files(c) for s in self.steps for c in s.tool_calls) and not found:
            found += message_edits(self.steps)  # no tool wrote files: the solution is in the messages
        found.sort(key=lambda e: e.step)
        if final_patch and self.steps:
            tracker.learn_from_submission(final_patch.replace("\r\n", "\n"), self.steps[-1].index)
            found += edits_from_patch(final_patch, self.steps[-1].index)
        self._filled = tracker.filled
        return found

    def build(
        self,
        *,
        id: str,
        prompt: str,
        task_id: str | None = None,
        repo: str | None = None,
        instance: str | None = None,
        model: str | None = None,
        scaffold: str | None = None,
        outcome: Outcome | None = None,
        final_patch: str | None = None,
        final_answer: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Trajectory:
        meta = dict(metadata or {})
        if self.notes:
            meta["import_notes"] = self.notes
        file_edits = self.edits(final_patch)
        if self._filled:
            meta["edits_filled_from_observed_diffs"] = self._filled
        return Trajectory(
            id=str(id)[:MAX_ID],
            task=Task(prompt, task_id, repo, instance),
            steps=self.steps,
            agent=Agent(model, scaffold),
            outcome=outcome or Outcome(),
            file_edits=file_edits,
            final_patch=final_patch,
            final_answer=final_answer,
            metadata=meta,
        )
