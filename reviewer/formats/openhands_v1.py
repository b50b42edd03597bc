"""OpenHands V1 (software-agent-sdk) conversation folders: `conversations/<id>/base_state.json` and one
file per event, `events/event-<NNNNN>-<uuid>.json`, each discriminated by `kind`.

The folder is one trajectory, read through its `base_state.json` (any event file stands for it; a folder
without one is read through its first event). Events are read in sequence order: the system prompt (and
its updates, when a restored conversation's tools changed), messages, actions (the model's tool calls,
with its thought and reasoning; actions of one LLM response share a step) and the observations,
rejections and agent errors that answer them by `tool_call_id`. The file editor's observation holds the
file before and after the edit, which wins over a reconstruction from the call. An event file that
cannot be read costs one error line naming it, not the conversation. The state file's secrets (API keys,
the secret registry) are never copied.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from reviewer.edits import make_diff
from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.folder import FolderFiles, sibling
from reviewer.formats.shape import SHAPE_ERRORS, Malformed, as_object, bad_record, expect, whole_value
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Step, Trajectory

STATE = "base_state.json"
EVENTS = "events"
REDACTED = "[redacted thinking]"
_EVENT_NAME = re.compile(r"^event-(\d+)-[\w-]+\.json$")
_ANSWERS = frozenset({"ObservationEvent", "UserRejectObservation", "AgentErrorEvent"})
_SUMMARIES = frozenset({"Condensation", "CondensationSummaryEvent"})


def _is_event(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("kind"), str)
        and value["kind"].endswith(("Event", "Observation", "Condensation"))
        and "id" in value
    )


def _is_state(value: Any) -> bool:
    """A conversation's state: its agent (`Agent`, or a subclass under its own kind such as the SDK's
    `ProbeAgent`) with the model settings, and where the run is."""
    agent = value.get("agent") if isinstance(value, dict) else None
    return (
        isinstance(agent, dict)
        and isinstance(agent.get("kind"), str)
        and isinstance(agent.get("llm"), dict)
        and "execution_status" in value
    )


@lru_cache(maxsize=256)
def _first_event(events: Path) -> Path | None:
    """The first event file of an events folder (cached: the importer asks once per event file)."""
    found = sorted(p for p in events.glob("event-*.json") if _EVENT_NAME.match(p.name))
    return found[0] if found else None


def _text(parts: Any) -> str:
    """TextContent lists (`[{type: text, text}]`), as the model got them."""
    return text_of(parts) if isinstance(parts, list | str) else ""


def _thinking(event: dict[str, Any]) -> str | None:
    thoughts = []
    if isinstance(event.get("reasoning_content"), str) and event["reasoning_content"]:
        thoughts.append(event["reasoning_content"])
    for block in event.get("thinking_blocks") or ():
        if isinstance(block, dict) and isinstance(block.get("thinking"), str):
            thoughts.append(block["thinking"])
        elif isinstance(block, dict) and block.get("type") == "redacted_thinking":
            thoughts.append(REDACTED)
    return "\n\n".join(thoughts) or None


@dataclass
class _Walk:
    b: TrajectoryBuilder = field(default_factory=TrajectoryBuilder)
    skipped: Counter[str] = field(default_factory=Counter)
    step_of_call: dict[str, int] = field(default_factory=dict)
    response: tuple[str, Step] | None = None  # the LLM response whose actions are gathering in a step
    prompt: str | None = None
    final_answer: str | None = None
    tools: list[str] = field(default_factory=list)

    def event(self, event: Any, where: str) -> None:
        expect(event, dict, where, "an event object")
        kind = event.get("kind")
        if not isinstance(kind, str):
            raise Malformed(f"{where}/kind", "event has no string 'kind'")
        stamp = event.get("timestamp") if isinstance(event.get("timestamp"), str) else None
        if kind != "ActionEvent":
            self.response = None
        if kind in ("SystemPromptEvent", "SystemPromptUpdateEvent"):  # the update: tools changed on a restore
            prompt = event.get("system_prompt")
            meta: dict[str, Any] = {"system_prompt": True}
            if kind == "SystemPromptUpdateEvent":
                meta["update"] = event.get("reason") if isinstance(event.get("reason"), str) else True
            self.b.step("system", text_of(prompt) if prompt is not None else "", timestamp=stamp, metadata=meta)
            tools = [t.get("name") or t.get("title") or t.get("kind") for t in event.get("tools") or () if isinstance(t, dict)]
            self.tools = [t for t in tools if isinstance(t, str)]
        elif kind == "MessageEvent":
            self.message(event, where, stamp)
        elif kind == "ActionEvent":
            self.action(event, where, stamp)
        elif kind in _ANSWERS:
            self.answer(kind, event, where, stamp)
        elif kind in _SUMMARIES:
            summary = event.get("summary")
            self.b.step(
                "system",
                summary if isinstance(summary, str) else "",
                timestamp=stamp,
                metadata={"compaction": True, "kind": kind},
            )
        elif kind == "ConversationErrorEvent":
            detail = event.get("detail")
            self.b.step(
                "system",
                detail if isinstance(detail, str) else "",
                timestamp=stamp,
                metadata={"notice": "error", "code": event.get("code")},
            )
        else:
            self.skipped[kind] += 1

    def message(self, event: dict[str, Any], where: str, stamp: str | None) -> None:
        llm = expect(event.get("llm_message"), dict, f"{where}/llm_message", "an object")
        role = llm.get("role")
        if role not in ("user", "assistant", "system"):
            raise Malformed(f"{where}/llm_message/role", f"unknown role {json.dumps(role)[:40]}")
        meta = {"extended_content": _text(event["extended_content"])} if event.get("extended_content") else {}
        step = self.b.step(role, _text(llm.get("content")), thinking=_thinking(llm), timestamp=stamp, metadata=meta)
        if role == "user" and self.prompt is None and step.text.strip():
            self.prompt = step.text
        if role == "assistant" and step.text.strip():
            self.final_answer = step.text

    def action(self, event: dict[str, Any], where: str, stamp: str | None) -> None:
        call_record = expect(event.get("tool_call"), dict, f"{where}/tool_call", "an object")
        name = call_record.get("name") or event.get("tool_name")
        if not isinstance(name, str) or not name:
            raise Malformed(f"{where}/tool_call/name", "tool call without a name")
        call = self.b.call(event.get("tool_call_id") or call_record.get("id"), name, call_record.get("arguments"))
        response = event.get("llm_response_id") if isinstance(event.get("llm_response_id"), str) else None
        if self.response is not None and response is not None and self.response[0] == response:
            step = self.response[1]  # another call of the same LLM response
            step.tool_calls.append(call)
        else:
            action = event.get("action")
            meta = {k: event[k] for k in ("summary", "security_risk") if isinstance(event.get(k), str)}
            if isinstance(action, dict) and isinstance(action.get("kind"), str):
                meta["action"] = action["kind"]
            step = self.b.step(
                "assistant", _text(event.get("thought")), thinking=_thinking(event), calls=[call], timestamp=stamp, metadata=meta
            )
            self.response = (response, step) if response is not None else None
        self.step_of_call[call.id] = step.index
        if name == "finish" and isinstance(call.arguments.get("message"), str):
            self.final_answer = call.arguments["message"]

    def answer(self, kind: str, event: dict[str, Any], where: str, stamp: str | None) -> None:
        meta: dict[str, Any] = {"kind": kind}
        if kind == "ObservationEvent":
            observation = expect(event.get("observation"), dict, f"{where}/observation", "an object")
            text, failed = _shown(observation), observation.get("is_error") is True
            code = observation.get("exit_code")
            if type(code) is int:
                meta["exit_code"] = code
                failed = failed or code != 0
            if isinstance(observation.get("kind"), str):
                meta["observation"] = observation["kind"]
        elif kind == "UserRejectObservation":
            reason = event.get("rejection_reason")
            text, failed = f"Action rejected: {reason if isinstance(reason, str) else 'User rejected the action'}", True
            meta["rejection_source"] = event.get("rejection_source")
        else:
            error = event.get("error")
            text, failed = (error if isinstance(error, str) else ""), True
        if event.get("extended_content"):
            text += "\n" + _text(event["extended_content"])
        step = self.b.result(
            event.get("tool_call_id"), text, is_error=failed, name=event.get("tool_name"), timestamp=stamp, metadata=meta
        )
        if kind == "ObservationEvent" and not failed and step.tool_result is not None:
            made = self.step_of_call.get(step.tool_result.call_id)
            edit = _recorded_edit(event["observation"], made) if made is not None else None
            if edit is not None:
                self.b.add_edit(edit)


def _shown(observation: dict[str, Any]) -> str:
    """What the model was shown: the content, framed by a terminal's prefix and suffix (exit codes, timeouts)."""
    text = _text(observation.get("content"))
    meta = observation.get("metadata")
    if isinstance(meta, dict):
        prefix, suffix = meta.get("prefix"), meta.get("suffix")
        text = (prefix if isinstance(prefix, str) else "") + text + (suffix if isinstance(suffix, str) else "")
    return text


def _recorded_edit(observation: dict[str, Any], step: int) -> FileEdit | None:
    """The file editor's record of an edit: contents before (empty for a new file) and after."""
    path, command = observation.get("path"), observation.get("command")
    if not isinstance(path, str) or not path or command in (None, "view"):
        return None
    created = observation.get("prev_exist") is False
    before = "" if created else observation.get("old_content")
    after = observation.get("new_content")
    if not isinstance(before, str) or not isinstance(after, str):
        return None
    return FileEdit(
        path, step, before, after, make_diff(path, before, after), "observation", "create" if created else "modify", "applied"
    )


def _event_number(path: Path) -> int:
    found = _EVENT_NAME.match(path.name)
    return int(found.group(1)) if found else -1


def _state_facts(state: Any) -> tuple[str | None, dict[str, Any]]:
    """(model, the state's reviewable facts): never its keys or secret registry."""
    if not isinstance(state, dict):
        return None, {}
    llm = as_object(as_object(state.get("agent")).get("llm"))
    facts: dict[str, Any] = {k: state[k] for k in ("id", "execution_status", "max_iterations") if state.get(k) is not None}
    working_dir = as_object(state.get("workspace")).get("working_dir")
    if isinstance(working_dir, str):
        facts["working_dir"] = working_dir
    usage = as_object(as_object(as_object(state.get("stats")).get("usage_to_metrics")).get("agent"))
    if usage:
        facts["usage"] = {k: usage[k] for k in ("accumulated_cost", "accumulated_token_usage") if k in usage}
    model = llm.get("model")
    return model if isinstance(model, str) else None, facts


class OpenhandsV1Format:
    name = "openhands_v1"
    suffixes: tuple[str, ...] = (".json",)

    def sniff(self, doc: Document) -> bool:
        value = whole_value(doc)
        return _is_state(value) or _is_event(value)

    def lead(self, path: Path) -> Path | None:
        if path.name == STATE and (path.parent / EVENTS).is_dir():
            return path
        if path.parent.name == EVENTS and _EVENT_NAME.match(path.name):
            return sibling(path.parent, STATE) or _first_event(path.parent)
        return None

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        root = doc.path.parent.parent if doc.path.parent.name == EVENTS and doc.path.name != STATE else doc.path.parent
        folder = FolderFiles(doc, root)
        state = folder.value(STATE)
        walk = _Walk()
        unreadable: list[str] = []
        events = sorted(folder.listing(EVENTS, "event-*.json"), key=_event_number)
        for path in events:
            relative = f"{EVENTS}/{path.name}"
            try:
                walk.event(folder.read_path(path).value, "")
            except InputError as exc:
                unreadable.append(str(relative))
                yield exc.place, exc
            except SHAPE_ERRORS as exc:
                unreadable.append(str(relative))
                yield None, bad_record(str(path), None, exc)
        if not any(s.role in ("user", "assistant") for s in walk.b.steps):
            why = "no event files" if not events else "no messages or actions"
            yield (
                None,
                InputError(
                    str(root / EVENTS) if not events else doc.name,
                    None,
                    f"OpenHands V1 conversation with {why}: nothing to import",
                ),
            )
            return
        walk.b.notes.extend(folder.notes)
        model, facts = _state_facts(state)
        meta: dict[str, Any] = {"state": facts, "events": len(events)}
        if walk.skipped:
            meta["skipped_events"] = dict(sorted(walk.skipped.items()))
        if walk.tools:
            meta["tools"] = walk.tools
        if unreadable:
            meta["unreadable_events"] = unreadable
        key = facts.get("id")
        yield None, walk.b.build(
            id=key if isinstance(key, str) and key else root.name, prompt=walk.prompt or "", model=model, scaffold="openhands",
            final_answer=walk.final_answer, metadata=meta,
        )  # fmt: skip
