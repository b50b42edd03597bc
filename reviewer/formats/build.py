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

from reviewer.edits import make_diff
from reviewer.formats.edit_reconstruction import FileTracker, edits_from_patch, is_editor_call
from reviewer.formats.message_code import message_edits
from reviewer.formats.refusals import refused, reports_created
from reviewer.formats.shape import Malformed, expect
from reviewer.model import Agent, FileEdit, Outcome, Step, Task, ToolCall, ToolResult, Trajectory
from reviewer.test_runs import find_test_runs

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
    _results: dict[str, Step] = field(default_factory=dict)  # call id -> the step answering it
    _extra_edits: list[tuple[FileEdit, str | None]] = field(default_factory=list)
    # Whether a run without tools is a chat whose replies hold the solution (chat logs, Inspect's
    # generate-only tasks: `message_code`), not a tool's Q&A session whose code blocks explain.
    solution_in_replies: bool = False
    _cwds: dict[int, str] = field(default_factory=dict)  # step index -> the shell's working directory from then on
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
        """A tool step answering a call: by id, else (no id, or ids that repeat) the oldest unanswered call.

        The result is an error when the format says so, or when an editor's own words say it refused
        the edit (`refusals.refused`): formats rarely flag those."""
        target = self._match(str(call_id) if call_id not in (None, "") else None, name)
        meta = dict(metadata or {})
        if target is None and call_id not in (None, ""):
            meta["unpaired_call_id"] = str(call_id)
            self.notes.append(f"step {len(self.steps)}: tool result for unknown call {call_id!r}")
        step = self.step("tool", output, timestamp=timestamp, metadata=meta)
        if target is not None:
            target.answered = True
            step.tool_result = ToolResult(target.call.id, bool(is_error) or refused(target.call, step.text))
            self._results[target.call.id] = step
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

    def continuation(self, previous: str, file: str, part: int, parts: int, **facts: Any) -> Step:
        """The boundary where a run split over several files goes on in the next one: a system step
        saying so, so a reviewer sees where one file ends (and what the agent may have lost there)."""
        text = f"continued from file {previous}: the steps below are from {file} (part {part} of {parts})"
        return self.step("system", text, metadata={"continued_from": previous, "continuation_file": file, **facts})

    def working_directory(self, path: str) -> None:
        """Where the agent's shell runs from the next step on: relative paths in its commands are read
        against it (without one they stay as written)."""
        if path:
            self._cwds[len(self.steps)] = path

    def add_edit(self, edit: FileEdit, call_id: str | None = None) -> None:
        """An edit the format records itself (an observation's diff or file contents), made by call
        `call_id` (None: the only call of the edit's step). It wins over a reconstruction of the same
        file by the same call, and takes its status from the call's result like every other edit."""
        self._extra_edits.append((edit, call_id))

    def status(self, call: ToolCall) -> str:
        """`applied` when the call's result is not an error, `failed` when an editor's is, else `unknown`.

        A shell or Python call that ends in an error says nothing of the files it wrote on the way
        (`cat > conftest.py <<EOF … EOF && pytest` fails with the tests): its edits stay `unknown`."""
        result = self._results.get(call.id)
        if result is None or result.tool_result is None:
            return "unknown"
        if not result.tool_result.is_error:
            return "applied"
        return "failed" if is_editor_call(call) else "unknown"

    def edits(self, final_patch: str | None) -> list[FileEdit]:
        """Every call's edits in order, each with the status of its call. A failed call's edit is kept
        (what it attempted) but the file's known content stays as it was: it changed nothing.

        Diffs the workspace printed become observed edits (`FileTracker.observe`; the run's last output
        holding the whole submission is the submission itself), and fill in edits whose content was
        unknown, as the submitted patch does at the end. A chat-style run (`solution_in_replies`) without
        any tool call gets the code blocks of its replies as edits (`message_code`): in a run with
        tools, or an agent's Q&A session, they are quotes and explanations."""
        tracker = FileTracker()
        recorded, loose = self._recorded_by_call()
        found: list[FileEdit] = []
        submitted = final_patch.replace("\r\n", "\n").strip() if final_patch else None
        last_output = max((s.index for s in self.steps if s.tool_result is not None), default=None)
        calls = {c.call.id: c.call for c in self._calls}
        for step in self.steps:
            tracker.cwd = self._cwds.get(step.index, tracker.cwd)
            for call in step.tool_calls:
                found += self._call_edits(tracker, call, step.index, recorded.pop(call.id, []))
            answered = calls.get(step.tool_result.call_id) if step.tool_result is not None else None
            if answered is not None and self.status(answered) != "failed":
                final = submitted if step.index == last_output else None
                found += tracker.observe(answered, step.text, step.index, final)
        found = self._with_loose(found, loose + [e for edits in recorded.values() for e in edits])
        if self.solution_in_replies and not found and not self._calls:
            found = message_edits(self.steps)  # a chat without tools: the solution is in the replies
        found.sort(key=lambda e: e.step)
        if final_patch and self.steps:
            tracker.learn_from_submission(final_patch.replace("\r\n", "\n"), self.steps[-1].index)
            found += [_applied(e) for e in edits_from_patch(final_patch, self.steps[-1].index)]
        self._filled = tracker.filled
        return found

    def _recorded_by_call(self) -> tuple[dict[str, list[FileEdit]], list[FileEdit]]:
        """Recorded edits by the call that made them, and those no call can be found for."""
        by_call: dict[str, list[FileEdit]] = {}
        loose: list[FileEdit] = []
        for edit, call_id in self._extra_edits:
            if call_id is None and 0 <= edit.step < len(self.steps) and len(self.steps[edit.step].tool_calls) == 1:
                call_id = self.steps[edit.step].tool_calls[0].id
            if call_id is None:
                loose.append(edit)
            else:
                by_call.setdefault(call_id, []).append(edit)
        return by_call, loose

    @staticmethod
    def _with_loose(found: list[FileEdit], loose: list[FileEdit]) -> list[FileEdit]:
        """Recorded edits of a step with several calls (which one made it, unknown) replace the
        reconstructions of their file at their step, and take their status and op."""
        twins = {(e.step, e.path): e for e in found}
        for edit in loose:
            twin = twins.get((edit.step, edit.path))
            if twin is not None:
                edit.status, edit.op = twin.status, edit.op or twin.op
        recorded = {
            (e.step, path) for e in loose for path in (e.path, e.from_path) if path
        }  # a rename stands for its old path too
        return [e for e in found if (e.step, e.path) not in recorded] + loose

    def _call_edits(self, tracker: FileTracker, call: ToolCall, step: int, recorded: list[FileEdit]) -> list[FileEdit]:
        """One call's edits: reconstructed from its arguments, or recorded (by file), all of its status."""
        status = self.status(call)
        saved = tracker.checkpoint() if status == "failed" else None
        made = tracker.edits_for(call, step)
        result = self._results.get(call.id)
        if status == "applied" and result is not None and reports_created(result.text):
            made = [_created(e) for e in made]
        own_paths = {path for e in recorded for path in (e.path, e.from_path) if path}  # a rename stands for its old path too
        edits = [e for e in made if e.path not in own_paths]
        for own in recorded:
            edits.append(_merged(own, next((e for e in made if e.path == own.path), None), tracker))
        if saved is not None:
            tracker.rollback(saved)
        for edit in edits:
            edit.status = status
        return edits

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
            test_runs=find_test_runs(self.steps, prompt),
            final_patch=final_patch,
            final_answer=final_answer,
            metadata=meta,
        )


def _applied(edit: FileEdit) -> FileEdit:
    """A submitted patch is the harness's record of the workspace at the end: it happened."""
    edit.status = "applied"
    return edit


def _created(edit: FileEdit) -> FileEdit:
    """An edit whose result says it created the file: before it there was nothing."""
    if edit.before is None and edit.after is not None:
        edit.before, edit.diff = "", make_diff(edit.path, "", edit.after)
    if edit.op is None:
        edit.op = "create"
    return edit


def _changed_lines(diff: str) -> list[str]:
    return [line.rstrip("\n") for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))]


def _merged(own: FileEdit, made: FileEdit | None, tracker: FileTracker) -> FileEdit:
    """A recorded edit, completed by the call's reconstruction where they agree, and the tracker told.

    The record wins: its diff carries the tool's own line numbers. When it holds only a diff and the
    reconstruction knew the whole file and makes the same changes, the record keeps the whole
    before and after too (the file stays known); when they disagree the file's content is unknown."""
    if own.op is None and made is not None:
        own.op = made.op
    if (
        own.after is None and made is not None and own.before is None and made.before is not None and made.after is not None
        and own.diff is not None and made.diff is not None and _changed_lines(own.diff) == _changed_lines(made.diff)
    ):  # fmt: skip
        own.before, own.after = made.before, made.after
    tracker.note(own)  # the file is as the record says (its content unknown when the record has none)
    return own
