"""OpenHands V0 event streams: saved trajectories, conversation exports and evaluation `output.jsonl`.

One file (or one `output.jsonl` line) is one trajectory. Events are actions (what the agent, or
the user, did) and observations (what came back, linked to their action by `cause`). Actions
become steps with one tool call; observations become tool results. The editor's real arguments
often live only in the model response kept in `tool_call_metadata`, and edit observations record
whole file contents before and after: both are used, as they are what the agent actually did.
Bookkeeping events (agent state changes, null observations, system prompts, memory recalls) carry
nothing a reviewer reads as the agent's work; they are counted in `metadata["skipped_events"]`.
V1 (a directory of `events/event-*.json`) is a different format and is not read here.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from reviewer.edits import make_diff
from reviewer.formats.build import TrajectoryBuilder
from reviewer.formats.shape import Malformed, expected, guarded, json_type
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Outcome, Step, Trajectory

SKIPPED_ACTIONS = frozenset({"system", "recall", "change_agent_state", "null", "condensation", "condensation_request"})
# `think` observations only say "Your thought has been logged."; the thought itself is kept.
SKIPPED_OBSERVATIONS = frozenset({"agent_state_changed", "null", "recall", "think", "condense"})
ERROR_OBSERVATIONS = frozenset({"error", "user_rejected"})
# Keys of an action's args that are bookkeeping, not arguments the model chose.
NOT_ARGUMENTS = frozenset({"thought", "impl_source", "translated_ipython_code"})


def field_of(obj: dict[str, Any], key: str, kind: type, pointer: str) -> Any:
    """`obj[key]` when it is absent, null or of `kind`; anything else is a Malformed at its pointer."""
    value = obj.get(key)
    if value is None or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        return value
    raise Malformed(f"{pointer}/{key}", expected(json_type(kind()), value))


def is_event(value: Any) -> bool:
    """The shape every V0 event shares: an integer id, a source, and an action or observation type."""
    return (
        isinstance(value, dict)
        and type(value.get("id")) is int
        and isinstance(value.get("source"), str)
        and isinstance(value.get("action", value.get("observation")), str)
    )


def event_list(value: Any) -> tuple[list[Any], str] | None:
    """(events, their pointer) for a bare event list or a conversation export `{"trajectory": [...]}`."""
    events, pointer = (value.get("trajectory"), "/trajectory") if isinstance(value, dict) else (value, "")
    if isinstance(events, list) and any(is_event(e) for e in events[:3]):
        return events, pointer
    return None


def is_eval_record(value: Any) -> bool:
    return isinstance(value, dict) and "instance_id" in value and "history" in value


def model_response(event: dict[str, Any]) -> dict[str, Any] | None:
    """The LLM response behind an action; older files store it as a JSON string."""
    metadata = event.get("tool_call_metadata")
    response = metadata.get("model_response") if isinstance(metadata, dict) else None
    if isinstance(response, str):
        try:
            response = json.loads(response)
        except ValueError:
            return None
    return response if isinstance(response, dict) else None


def response_message(response: dict[str, Any] | None) -> dict[str, Any]:
    choices = response.get("choices") if response else None
    first = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    message = first.get("message")
    return message if isinstance(message, dict) else {}


def model_call(response: dict[str, Any] | None, call_id: str | None) -> tuple[str, Any] | None:
    """(function name, arguments as the model wrote them) of the response's tool call `call_id`."""
    calls = response_message(response).get("tool_calls")
    for call in calls if isinstance(calls, list) else ():
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and call.get("id") == call_id and isinstance(function.get("name"), str):
            return function["name"], function.get("arguments")
    return None


def plain_arguments(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None and k not in NOT_ARGUMENTS}


def compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass
class Action:
    """One action event with its fields checked: what every mapping of an action needs."""

    kind: str
    args: dict[str, Any]
    event: dict[str, Any]
    where: str
    event_id: int | None
    source: str | None
    thought: str
    meta: dict[str, Any]  # the step's metadata
    response: dict[str, Any] | None

    @classmethod
    def of(cls, event: dict[str, Any], where: str) -> Action:
        kind = field_of(event, "action", str, where)
        args = field_of(event, "args", dict, where) or {}
        event_id = field_of(event, "id", int, where)
        source = field_of(event, "source", str, where)
        thought = field_of(args, "thought", str, f"{where}/args") or ""
        meta = compact({"event_id": event_id, "action": kind, "source": source if source != "agent" else None})
        return cls(kind, args, event, where, event_id, source, thought, meta, model_response(event))

    @property
    def stamp(self) -> Any:
        return self.event.get("timestamp")

    def call(self, from_model: tuple[str, Any] | None) -> tuple[str, Any]:
        """(name, arguments): shell and Python keep canonical names; the editor takes the model's own
        arguments (the event's args lose `command`/`file_text` in many versions); others follow the model."""
        if self.kind in ("run", "run_ipython"):
            key = "command" if self.kind == "run" else "code"
            value = field_of(self.args, key, str, f"{self.where}/args")
            if value is None:
                raise Malformed(f"{self.where}/args/{key}", f"a {self.kind} action needs a string '{key}'")
            extra = {"is_input": True} if self.args.get("is_input") is True else {}
            return ("bash" if self.kind == "run" else "python"), {key: value, **extra}
        if self.kind == "edit":
            return "str_replace_editor", from_model[1] if from_model else plain_arguments(self.args)
        return from_model or (self.kind, plain_arguments(self.args))


@dataclass
class EventWalk:
    """One trajectory's events in order, mapped onto a TrajectoryBuilder."""

    b: TrajectoryBuilder = field(default_factory=TrajectoryBuilder)
    call_by_event: dict[int, str] = field(default_factory=dict)  # action event id -> its call's original id
    step_of_call: dict[str, int] = field(default_factory=dict)  # unique call id -> the step that made it
    skipped: Counter[str] = field(default_factory=Counter)
    reasoned: set[str] = field(default_factory=set)  # model responses whose reasoning is already shown
    prompt: str | None = None
    model: str | None = None
    system_prompt: str | None = None
    closing: str | None = None  # the agent's last message since its last tool call
    final_answer: str | None = None

    def events(self, items: list[Any], pointer: str) -> None:
        for i, item in enumerate(items):
            where = f"{pointer}/{i}"
            if isinstance(item, list):  # old evaluation histories: [action, observation] pairs
                if len(item) != 2:
                    raise Malformed(where, f"a history pair should be [action, observation], not {len(item)} items")
                made = self.event(item[0], f"{where}/0")
                self.event(item[1], f"{where}/1", pair_call=made)
            else:
                self.event(item, where)

    def event(self, event: Any, where: str, pair_call: str | None = None) -> str | None:
        """Map one event; returns the original id of the tool call an action made, if it made one."""
        if not isinstance(event, dict):
            raise Malformed(where, expected("an event object", event))
        if "action" in event:
            return self.action(event, where)
        if "observation" in event:
            self.observation(event, where, pair_call)
            return None
        raise Malformed(where, "event has neither 'action' nor 'observation'")

    def action(self, event: dict[str, Any], where: str) -> str | None:
        act = Action.of(event, where)
        if act.kind in SKIPPED_ACTIONS:
            self.skipped[f"action:{act.kind}"] += 1
            if act.kind == "system" and self.system_prompt is None:
                self.system_prompt = field_of(act.args, "content", str, f"{where}/args")
            return None
        if self.model is None and act.response and isinstance(act.response.get("model"), str):
            self.model = act.response["model"]
        if act.kind == "message":
            self.message(act)
        elif act.kind == "think":
            self.b.step("assistant", "", thinking=act.thought or None, timestamp=act.stamp, metadata=act.meta)
        elif act.kind in ("finish", "reject"):
            self.finish(act)
        else:
            return self.tool_action(act)
        return None

    def message(self, act: Action) -> None:
        text = field_of(act.args, "content", str, f"{act.where}/args")
        if text is None:
            text = field_of(act.event, "message", str, act.where) or ""
        if act.args.get("image_urls"):
            act.meta["image_urls"] = act.args["image_urls"]
        if act.source == "user":
            self.prompt = text if self.prompt is None else self.prompt
            self.b.step("user", text, timestamp=act.stamp, metadata=act.meta)
        else:
            self.b.step("assistant", text, timestamp=act.stamp, metadata=act.meta)
            self.closing = text

    def finish(self, act: Action) -> None:
        final = field_of(act.args, "final_thought", str, f"{act.where}/args") or ""
        text = "\n\n".join(dict.fromkeys(t for t in (act.thought, final) if t))
        if act.args.get("outputs"):
            act.meta["outputs"] = act.args["outputs"]
        self.b.step("assistant", text, timestamp=act.stamp, metadata=act.meta)
        if act.kind == "finish":
            self.final_answer = text or self.closing

    def tool_action(self, act: Action) -> str | None:
        tcm = act.event.get("tool_call_metadata")
        tool_call_id = field_of(tcm, "tool_call_id", str, f"{act.where}/tool_call_metadata") if isinstance(tcm, dict) else None
        original = tool_call_id or (f"event-{act.event_id}" if act.event_id is not None else None)
        name, arguments = act.call(model_call(act.response, tool_call_id))
        call = self.b.call(original, name, arguments)
        role = "user" if act.source == "user" else "assistant"
        step = self.b.step(
            role, act.thought, thinking=self.reasoning(act.response), calls=[call], timestamp=act.stamp, metadata=act.meta
        )
        self.step_of_call[call.id] = step.index
        if act.event_id is not None and original is not None:
            self.call_by_event[act.event_id] = original
        self.closing = None
        return original

    def reasoning(self, response: dict[str, Any] | None) -> str | None:
        """The response's reasoning, shown once even when the response made several actions."""
        text = response_message(response).get("reasoning_content")
        key = str(response.get("id")) if response else ""
        if not isinstance(text, str) or not text or key in self.reasoned:
            return None
        self.reasoned.add(key)
        return text

    def observation(self, event: dict[str, Any], where: str, pair_call: str | None) -> None:
        kind = field_of(event, "observation", str, where)
        if kind in SKIPPED_OBSERVATIONS:
            self.skipped[f"observation:{kind}"] += 1
            return
        content = field_of(event, "content", str, where) or ""
        extras = field_of(event, "extras", dict, where) or {}
        cause = field_of(event, "cause", int, where)
        metadata = extras.get("metadata")
        run_meta = metadata if isinstance(metadata, dict) else {}
        exit_code = run_meta.get("exit_code", extras.get("exit_code"))
        failed = kind in ERROR_OBSERVATIONS or (type(exit_code) is int and exit_code != 0)
        meta = compact(
            {
                "event_id": event.get("id"),
                "observation": kind,
                "cause": cause,
                "exit_code": exit_code,
                "error_id": extras.get("error_id"),
            }
        )
        step = self.b.result(
            self.answered(event, cause, pair_call),
            self.shown(content, extras, run_meta),
            is_error=failed,
            timestamp=event.get("timestamp"),
            metadata=meta,
        )
        if kind == "edit" and step.tool_result is not None and not step.tool_result.is_error:
            self.recorded_edit(extras, content, step)

    def answered(self, event: dict[str, Any], cause: int | None, pair_call: str | None) -> str | None:
        """The original id of the call an observation answers: by `cause`, else by tool call id, else
        the action it is paired with (None lets the builder take the oldest unanswered call)."""
        if cause is not None:
            return self.call_by_event.get(cause, f"event-{cause}")
        tcm = event.get("tool_call_metadata")
        tool_call_id = tcm.get("tool_call_id") if isinstance(tcm, dict) else None
        return tool_call_id if isinstance(tool_call_id, str) and tool_call_id else pair_call

    @staticmethod
    def shown(content: str, extras: dict[str, Any], run_meta: dict[str, Any]) -> str:
        """What the agent was shown: the editor's formatted output, or the command output framed by
        OpenHands' prefix and suffix (where timeouts and exit codes are reported)."""
        formatted = extras.get("formatted_output_and_error")
        if isinstance(formatted, str) and formatted:
            return formatted
        prefix, suffix = run_meta.get("prefix"), run_meta.get("suffix")
        return (prefix if isinstance(prefix, str) else "") + content + (suffix if isinstance(suffix, str) else "")

    def recorded_edit(self, extras: dict[str, Any], content: str, step: Step) -> None:
        """What the edit observation recorded, attributed to the action that made it.

        The editor OpenHands runs (`impl_source: oh_aci`) stores the call's `old_str`/`new_str` as
        `old_content`/`new_content`, not the file (only a `create`'s new content is the whole file),
        and the diff of the whole file, with its real line numbers, as `diff`. Older editors stored
        the whole file before and after."""
        path = extras.get("path")
        if not isinstance(path, str) or not path or step.tool_result is None:
            return
        call_id = step.tool_result.call_id
        action_step = self.step_of_call.get(call_id, step.index)
        call = next((c for c in self.b.steps[action_step].tool_calls if c.id == call_id), None)
        command = call.arguments.get("command") if call is not None else None
        snippets = extras.get("impl_source") == "oh_aci" and command != "create"
        old, new = extras.get("old_content"), extras.get("new_content")
        before = old if isinstance(old, str) and not snippets else None
        after = new if isinstance(new, str) and not snippets else None
        if before is None and after is not None and (command == "create" or extras.get("prev_exist") is False):
            before = ""  # recorded as a new file
        if before is not None and after is not None:
            diff: str | None = make_diff(path, before, after)
        else:
            recorded_diff = extras.get("diff")
            recorded = recorded_diff if isinstance(recorded_diff, str) and recorded_diff else content
            diff = recorded if recorded.startswith("--- ") else None
            diff = diff if diff is None or diff.endswith("\n") else diff + "\n"
        if diff is None and after is None:
            return  # nothing beyond the call: its reconstruction stands
        op = "create" if before == "" else None
        self.b.add_edit(FileEdit(path, action_step, before, after, diff, "observation", op), call_id)

    def build(self, pointer: str, **fields: Any) -> Trajectory:
        if not self.b.steps:
            skipped = ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items())) or "no events"
            raise Malformed(pointer, f"no messages or actions to import ({skipped})")
        metadata = fields.pop("metadata")
        if self.skipped:
            metadata["skipped_events"] = dict(sorted(self.skipped.items()))
        if self.system_prompt:
            metadata["system_prompt"] = self.system_prompt
        return self.b.build(final_answer=self.final_answer, scaffold="openhands", metadata=metadata, **fields)


def from_events(doc: Document, value: Any) -> Trajectory:
    """A saved trajectory (bare list) or a conversation export (`{"trajectory": [...]}`)."""
    found = event_list(value)
    if found is None:
        raise Malformed(
            "", "not an OpenHands event list: expected a list of events with integer 'id', 'source' and 'action' or 'observation'"
        )
    events, pointer = found
    walk = EventWalk()
    walk.events(events, pointer)
    form = "conversation_export" if pointer else "event_list"
    return walk.build(pointer, id=doc.path.stem, prompt=walk.prompt or "", model=walk.model, metadata={"openhands_form": form})


def outcome_of(test_result: dict[str, Any]) -> Outcome:
    """SWE-bench grading as OpenHands' eval_infer records it in `test_result.report`."""
    report = test_result.get("report")
    if not isinstance(report, dict):
        return Outcome()
    if report.get("error_eval") is True:
        return Outcome("error")
    resolved = report.get("resolved")
    return Outcome("pass" if resolved else "fail") if isinstance(resolved, bool) else Outcome("unknown")


def from_eval_record(record: Any, seen: Counter[str]) -> Trajectory:
    """One `output.jsonl` line: the agent's history plus the task, the patch and the grading."""
    if not isinstance(record, dict):
        raise Malformed("", expected("an evaluation record object", record))
    instance_id = record.get("instance_id")
    if type(instance_id) not in (str, int) or instance_id == "":
        raise Malformed("/instance_id", expected("a non-empty string", instance_id))
    history = record.get("history")
    if not isinstance(history, list):
        error = record.get("error")
        why = f" (the run failed: {error})" if isinstance(error, str) and error else ""
        raise Malformed("/history", expected("a list of events", history) + why)
    walk = EventWalk()
    walk.events(history, "/history")
    test_result = field_of(record, "test_result", dict, "") or {}
    run = field_of(record, "metadata", dict, "") or {}
    instance = field_of(record, "instance", dict, "") or {}
    llm_config = run.get("llm_config")
    llm = llm_config if isinstance(llm_config, dict) else {}
    out_dir = run.get("eval_output_dir")
    base = (
        f"{posixpath.basename(out_dir.rstrip('/'))}/{instance_id}"
        if isinstance(out_dir, str) and out_dir.strip("/")
        else str(instance_id)
    )
    seen[base] += 1
    patch = test_result.get("git_patch")
    instruction = record.get("instruction")
    metadata = compact(
        {
            "openhands_form": "eval_output",
            "run": {k: v for k, v in run.items() if k not in ("llm_config", "agent_config", "condenser_config")} or None,
            "test_result": {k: v for k, v in test_result.items() if k != "git_patch"} or None,
            "metrics": record.get("metrics"),
            "error": record.get("error"),
            "instance": instance or None,
        }
    )
    return walk.build(
        "/history",
        id=base if seen[base] == 1 else f"{base}#{seen[base]}",
        prompt=instruction if isinstance(instruction, str) and instruction else walk.prompt or "",
        task_id=str(instance_id),
        repo=instance.get("repo") if isinstance(instance.get("repo"), str) else None,
        instance=str(instance_id),
        model=walk.model or (llm.get("model") if isinstance(llm.get("model"), str) else None),
        outcome=outcome_of(test_result),
        final_patch=patch if isinstance(patch, str) and patch.strip() else None,
        metadata=metadata,
    )


def first_record(doc: Document) -> Any:
    for _, value in doc.records():
        if not isinstance(value, InputError):
            return value
    return None


class OpenhandsFormat:
    name = "openhands"
    suffixes: tuple[str, ...] = (".json", ".jsonl")

    def sniff(self, doc: Document) -> bool:
        if doc.looks_like_jsonl():
            return is_eval_record(first_record(doc))
        value = doc.value
        return is_eval_record(value) or event_list(value) is not None

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        seen: Counter[str] = Counter()
        if doc.looks_like_jsonl():
            for line, value in doc.records():
                if isinstance(value, InputError):
                    yield str(line), value
                else:
                    yield str(line), guarded(doc, str(line), partial(from_eval_record, value, seen))
            return
        value = doc.value
        if is_eval_record(value):
            yield None, guarded(doc, None, lambda: from_eval_record(value, seen))
        else:
            yield None, guarded(doc, None, lambda: from_events(doc, value))
