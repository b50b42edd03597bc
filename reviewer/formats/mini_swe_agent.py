"""mini-SWE-agent trajectories: the `.traj.json` object (`messages`, `info`, `trajectory_format`) and the
bare message list its tests and early versions write.

Messages are OpenAI chat messages with mini-SWE-agent's conventions on top. Text-mode models put one
command in a fenced block (```mswea_bash_command in v2, ```bash in v1): it becomes a `bash` call
(`extra.actions` wins when present; a reply without exactly one block ran nothing, as in the agent).
The user turn after an action is its output, `<returncode>N</returncode><output>…</output>`, so it
becomes the call's tool result, an error when the return code is not 0. Tool-calling models use
`tool_calls` and `role: "tool"`; v2 Responses-API runs store the response object and
`function_call_output` items. The final `exit` message (v2), or the user turn after the completion
marker (v1), is the submission.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from reviewer.formats.build import TrajectoryBuilder, openai_tool_call, text_of
from reviewer.formats.shape import Malformed, dig, each, expect, guarded, leftovers, optional, whole_value
from reviewer.formats.swe_agent import file_stem, outcome_from, split_submission, thinking_of
from reviewer.jsonio import Document, InputError
from reviewer.model import ToolCall, Trajectory

_FENCE = re.compile(r"```(?:mswea_bash_command|bash)[ \t]*\r?\n")
_RETURNCODE = re.compile(r"\s*<returncode>\s*(-?\d+)\s*</returncode>")
_COMPLETION_MARKERS = ("COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT", "MINI_SWE_AGENT_FINAL_OUTPUT")
_MESSAGE_KEYS = frozenset(
    "role content tool_calls tool_call_id thinking_blocks reasoning_content extra object output call_id".split()
)
# Mapped elsewhere: the raw API reply (repeats the content), the parsed calls, the step time, the run's end.
_EXTRA_DUPLICATES = frozenset({"response", "actions", "timestamp", "exit_status", "submission"})
_TOP_KEYS = frozenset({"messages", "info", "instance_id"})


def _looks_like_mini_messages(messages: Any) -> bool:
    """mini-SWE-agent's own marks: parsed `extra.actions`, or a fenced command answered by a `<returncode>` turn."""
    if not isinstance(messages, list):
        return False
    fenced = observed = False
    for message in messages:
        if not isinstance(message, dict):
            continue
        extra = message.get("extra")
        if isinstance(extra, dict) and isinstance(extra.get("actions"), list):
            return True
        content = message.get("content")
        if not isinstance(content, str):
            continue
        if message.get("role") == "assistant" and _FENCE.search(content):
            fenced = True
        elif message.get("role") == "user" and _RETURNCODE.match(content):
            observed = True
        if fenced and observed:
            return True
    return False


def _is_mini(value: Any) -> bool:
    if isinstance(value, list):
        return _looks_like_mini_messages(value)
    if not isinstance(value, dict):
        return False
    marker = value.get("trajectory_format")
    if isinstance(marker, str) and marker.startswith("mini-swe-agent"):
        return True
    info = value.get("info")
    if isinstance(info, dict) and "mini_version" in info:
        return True
    return isinstance(info, dict) and _looks_like_mini_messages(value.get("messages"))


def _timestamp(value: Any) -> str | None:
    """mini-SWE-agent stamps messages with `time.time()` seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _returncode(message: dict[str, Any], text: str) -> int | None:
    extra = message.get("extra")
    code = extra.get("returncode") if isinstance(extra, dict) else None
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    match = _RETURNCODE.match(text)
    return int(match[1]) if match else None


class _MessageReader:
    """One message list into one trajectory's steps."""

    def __init__(self, messages: list[Any]):
        self.b = TrajectoryBuilder()
        self.prompt: str | None = None
        self.pending: list[ToolCall] = []
        self.submission: str | None = None
        self.exit_status: str | None = None
        tag = "mswea_bash_command" if any(_mentions(m, "```mswea_bash_command") for m in messages) else "bash"
        self.action = re.compile(rf"```{tag}\s*\n(.*?)\n```", re.DOTALL)

    def message(self, index: int, message: Any, pointer: str) -> None:
        expect(message, dict, pointer, "a message object")
        extra = optional(message.get("extra"), dict, f"{pointer}/extra", "an extra object")
        meta = {"message_index": index, **leftovers(message, _MESSAGE_KEYS), **leftovers(extra, _EXTRA_DUPLICATES)}
        when = _timestamp(extra.get("timestamp"))
        if isinstance(extra.get("exit_status"), str):
            self.exit_status = extra["exit_status"]
        if isinstance(extra.get("submission"), str):
            self.submission = extra["submission"]
        if message.get("object") == "response":
            return self._response(message, pointer, meta, when)
        if message.get("type") == "function_call_output":
            return self._result(message.get("call_id"), message.get("output"), message, meta, when)
        role = expect(message.get("role"), str, f"{pointer}/role", "the message role as a string")
        content = message.get("content")
        if role == "assistant":
            calls = self._calls(message, extra, pointer)
            self.b.step("assistant", content, thinking=thinking_of(message), calls=calls, timestamp=when, metadata=meta)
            self.pending = calls
        elif role == "tool":
            self._result(message.get("tool_call_id"), content, message, meta, when)
        elif role == "user":
            self._user(content, message, meta, when)
        elif role == "exit":
            self._exit(content, extra, message, meta, when)
        elif role in ("system", "developer"):
            self.b.step("system", content, timestamp=when, metadata=meta)
        else:
            raise Malformed(f"{pointer}/role", f"unknown role {role!r} (expected system, user, assistant, tool or exit)")

    def _calls(self, message: dict[str, Any], extra: dict[str, Any], pointer: str) -> list[ToolCall]:
        tool_calls = message.get("tool_calls")
        if tool_calls:
            expect(tool_calls, list, f"{pointer}/tool_calls", "a list of tool calls")
            return [openai_tool_call(self.b, call, f"{pointer}/tool_calls/{j}") for j, call in enumerate(tool_calls)]
        actions = extra.get("actions")
        if actions:
            expect(actions, list, f"{pointer}/extra/actions", "a list of actions")
            return [self._action(action, f"{pointer}/extra/actions/{j}") for j, action in enumerate(actions)]
        commands = self.action.findall(text_of(message.get("content")))
        return [self.b.call(None, "bash", {"command": commands[0].strip()})] if len(commands) == 1 else []

    def _action(self, action: Any, pointer: str) -> ToolCall:
        expect(action, dict, pointer, "an action object")
        command = expect(action.get("command"), str, f"{pointer}/command", "the command as a string")
        return self.b.call(action.get("tool_call_id"), "bash", {"command": command})

    def _response(self, message: dict[str, Any], pointer: str, meta: dict[str, Any], when: str | None) -> None:
        """A Responses-API reply: output items of text, reasoning and function calls."""
        output = optional(message.get("output"), list, f"{pointer}/output", "a list of output items")
        texts, thinking, calls = [], [], []
        for j, item in enumerate(output):
            expect(item, dict, f"{pointer}/output/{j}", "an output item object")
            if item.get("type") == "function_call":
                calls.append(self.b.call(item.get("call_id") or item.get("id"), item.get("name"), item.get("arguments")))
            elif item.get("type") == "reasoning":
                thinking.append(text_of(item.get("summary")) or text_of(item.get("content")))
            else:
                texts.append(text_of(item.get("content")))
        reasoning = "\n\n".join(t for t in thinking if t) or None
        self.b.step("assistant", "\n".join(t for t in texts if t), thinking=reasoning, calls=calls, timestamp=when, metadata=meta)
        self.pending = calls

    def _user(self, content: Any, message: dict[str, Any], meta: dict[str, Any], when: str | None) -> None:
        """The first user turn is the task; one right after an action is that action's output."""
        if self.prompt is None:
            self.prompt = text_of(content)
            self.b.step("user", content, timestamp=when, metadata=meta)
        elif self.pending:
            self._result(None, content, message, meta, when)
        else:
            self.b.step("user", content, timestamp=when, metadata=meta)

    def _exit(self, content: Any, extra: dict[str, Any], message: dict[str, Any], meta: dict[str, Any], when: str | None) -> None:
        """v2's closing message: what the submitting command printed (or why the run stopped)."""
        meta["role"] = "exit"
        if "submission" not in extra:
            self.submission = text_of(content)
        if self.pending:
            self._result(None, content, message, meta, when)
        else:
            self.b.step("user", content, timestamp=when, metadata=meta)

    def _result(self, call_id: Any, output: Any, message: dict[str, Any], meta: dict[str, Any], when: str | None) -> None:
        text = text_of(output)
        answered = next((c for c in self.pending if call_id in (None, c.id)), None)
        if answered is not None:
            self.pending.remove(answered)
            if meta.get("role") != "exit" and _is_v1_submission(answered, text):
                self.submission = text
                meta["submission"] = True
        code = _returncode(message, text)
        self.b.result(call_id, text, is_error=code is not None and code != 0, timestamp=when, metadata=meta)


def _is_v1_submission(call: ToolCall, output: str) -> bool:
    """v1 stops at the completion marker and records what followed it instead of an observation."""
    command = str(call.arguments.get("command", ""))
    return any(marker in command for marker in _COMPLETION_MARKERS) and not _RETURNCODE.match(output)


def _mentions(message: Any, needle: str) -> bool:
    return isinstance(message, dict) and message.get("role") == "assistant" and needle in text_of(message.get("content"))


def _read(doc: Document, value: Any) -> Trajectory:
    if isinstance(value, list):
        messages, info, top, base = value, {}, {"trajectory_format": "message list"}, ""
    else:
        expect(value, dict, "", "a mini-SWE-agent object or message list")
        messages = expect(value.get("messages"), list, "/messages", "a list of messages")
        info = optional(value.get("info"), dict, "/info", "an info object")
        top, base = value, "/messages"
    reader = _MessageReader(messages)
    each(messages, base, reader.message)
    if not reader.b.steps:
        raise Malformed(base, "no messages: nothing to import")
    submission = info.get("submission") if isinstance(info.get("submission"), str) else reader.submission
    final_patch, final_answer, note = split_submission(submission)
    model_name = dig(info, "config", "model", "model_name")
    instance = top.get("instance_id") if isinstance(top.get("instance_id"), str) else None
    metadata = leftovers(top, _TOP_KEYS)  # trajectory_format and whatever else the file carries
    if exit_status := info.get("exit_status") or reader.exit_status:
        metadata["exit_status"] = exit_status
    if info:
        metadata["info"] = {k: v for k, v in info.items() if k != "submission"}
    if note:
        metadata["final_patch_normalized"] = note
    return reader.b.build(
        id=file_stem(doc.path), prompt=reader.prompt or "", task_id=instance or file_stem(doc.path), instance=instance,
        model=model_name if isinstance(model_name, str) else None, scaffold="mini-swe-agent",
        outcome=outcome_from(info), final_patch=final_patch, final_answer=final_answer, metadata=metadata,
    )  # fmt: skip


class MiniSweAgentFormat:
    name = "mini-swe-agent"
    suffixes: tuple[str, ...] = (".traj.json", ".json")

    def sniff(self, doc: Document) -> bool:
        return _is_mini(whole_value(doc))

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        try:
            value = doc.value
        except InputError as exc:
            yield None, exc
            return
        yield None, guarded(doc, None, lambda: _read(doc, value))
