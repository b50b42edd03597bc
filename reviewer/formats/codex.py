"""OpenAI Codex CLI session rollouts: `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`.

One file is one session, whatever the number of turns in it. Each line is `{timestamp, type,
payload}`: `response_item` lines are what the model saw and said (messages, reasoning, function and
custom tool calls and their outputs), `event_msg` lines are what the CLI did around them (the text
the person typed, command exit codes, the files a patch changed, token counts), `turn_context` lines
name the model. Files from before September 2025 have no envelope: a first line of session facts,
then bare response items and `{"record_type": "state"}` markers; both are read.

The transcript comes from the response items; events only add facts to it, so the file is read
twice: facts by call id first, then the steps. What `apply_patch` changed is taken from the CLI's
own record (`patch_apply_end`, with real line numbers) over a reconstruction from the patch text.
Reasoning the provider encrypted stays unread: the step shows "[redacted reasoning]" and counts it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewer.edits import header_name, make_diff
from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.shape import Malformed, bad_record, expect, expected
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Step, Trajectory

SCAFFOLD = "codex"
REDACTED = "[redacted reasoning]"  # encrypted by the provider: only the fact that there was some
_ENVELOPES = frozenset({"session_meta", "response_item", "event_msg", "turn_context", "compacted"})
_ITEMS = frozenset(
    {
        "message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
        "custom_tool_call_output", "local_shell_call", "web_search_call",
    }
)  # fmt: skip
_ROLES = {"user": "user", "assistant": "assistant", "developer": "system", "system": "system"}
_OUTPUTS = frozenset({"function_call_output", "custom_tool_call_output"})
# Text Codex puts in user messages on its own: repository instructions and the environment, not the person.
_INJECTED = ("# AGENTS.md instructions", "<environment_context>", "<user_instructions>", "<INSTRUCTIONS>")
_EXIT = re.compile(r"^Process exited with code (-?\d+)$", re.MULTILINE)
_FAILED = re.compile(r"^[\w.]+ (?:verification )?failed\b")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$", re.MULTILINE)
_OPS = {"add": "create", "delete": "delete", "update": "modify"}
_SNIFF_LINES = 5


def _envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in _ENVELOPES and isinstance(value.get("payload"), dict)


def _legacy_meta(value: Any) -> bool:
    """The first line of a file from before the envelope: session facts, no `type`."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and "timestamp" in value
        and "type" not in value
        and ("instructions" in value or "git" in value)
    )


def _bare_item(value: Any) -> bool:
    return isinstance(value, dict) and (value.get("type") in _ITEMS or value.get("record_type") == "state")


def is_rollout(doc: Document) -> bool:
    """A session line (or a legacy first line) at the top. A file that is one JSON value is not ours; one
    whose broken lines keep it from looking like JSONL still is, so those lines get their own errors."""
    if not doc.looks_like_jsonl():
        try:
            _ = doc.value
        except InputError:
            pass  # lines that do not parse: the rollout may still be read line by line
        else:
            return False  # one JSON value, not a rollout
    head = list(doc.head_values(_SNIFF_LINES))
    if not head:
        return False
    if _envelope(head[0]):
        return head[0]["type"] == "session_meta" or all(_envelope(v) for v in head)
    return _legacy_meta(head[0]) and len(head) > 1 and _bare_item(head[1])


@dataclass(slots=True)
class _Line:
    number: int
    kind: str  # session_meta | response_item | event_msg | turn_context | compacted
    payload: dict[str, Any]
    timestamp: str | None


def _parse_line(number: int, value: Any, first: bool) -> _Line | None:
    """A checked line, or None for a legacy state marker."""
    if not isinstance(value, dict):
        raise Malformed("", expected("an object", value))
    stamp = value.get("timestamp") if isinstance(value.get("timestamp"), str) else None
    if "payload" in value or value.get("type") in _ENVELOPES:
        kind = value.get("type")
        if not isinstance(kind, str):
            raise Malformed("/type", "line has no string 'type'")
        payload = expect(value.get("payload"), dict, "/payload", "an object")
        return _Line(number, kind, payload, stamp)  # a kind this reader does not know is counted, not an error
    if value.get("record_type") == "state":
        return None
    if first and _legacy_meta(value):
        return _Line(number, "session_meta", value, stamp)
    if value.get("type") in _ITEMS:
        return _Line(number, "response_item", value, stamp)
    raise Malformed("/type", "line is neither a rollout envelope nor a response item")


@dataclass
class _Facts:
    """What the events say, by call id, and what the person typed: read before the steps are built."""

    exits: dict[str, dict[str, Any]] = field(default_factory=dict)  # exec_command_end
    patches: dict[str, dict[str, Any]] = field(default_factory=dict)  # patch_apply_end
    typed: list[str] = field(default_factory=list)  # user_message texts
    models: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    cwd: str | None = None
    last_message: str | None = None  # task_complete.last_agent_message of the last turn
    aborted: list[str] = field(default_factory=list)
    usage: dict[str, Any] | None = None  # the session's total tokens, from the last token count


def _facts(lines: list[_Line]) -> _Facts:
    facts = _Facts()
    for line in lines:
        p = line.payload
        if line.kind == "session_meta":
            if not facts.meta:
                facts.meta = p
            else:
                facts.meta.setdefault("later_session_meta", []).append(p.get("id"))
        elif line.kind == "turn_context":
            model, cwd = p.get("model"), p.get("cwd")
            if isinstance(model, str) and model not in facts.models:
                facts.models.append(model)
            if isinstance(cwd, str) and facts.cwd is None:
                facts.cwd = cwd
        elif line.kind == "event_msg":
            kind, call_id = p.get("type"), p.get("call_id")
            if kind == "user_message" and isinstance(p.get("message"), str):
                facts.typed.append(p["message"].strip())
            elif kind == "exec_command_end" and isinstance(call_id, str):
                facts.exits[call_id] = p
            elif kind == "patch_apply_end" and isinstance(call_id, str):
                facts.patches[call_id] = p
            elif kind == "task_complete" and isinstance(p.get("last_agent_message"), str):
                facts.last_message = p["last_agent_message"]
            elif kind == "turn_aborted":
                facts.aborted.append(str(p.get("reason")))
            elif (
                kind == "token_count" and isinstance(p.get("info"), dict) and isinstance(p["info"].get("total_token_usage"), dict)
            ):
                facts.usage = p["info"]["total_token_usage"]
    if facts.cwd is None and isinstance(facts.meta.get("cwd"), str):
        facts.cwd = facts.meta["cwd"]
    if isinstance(facts.meta.get("model"), str) and facts.meta["model"] not in facts.models:
        facts.models.insert(0, facts.meta["model"])
    return facts


def _output(raw: Any) -> tuple[str, int | None, bool | None]:
    """(text, exit code, success) of a tool output: a string, a JSON string `{output, metadata}` (older
    CLIs), or an object `{content, success}`."""
    if isinstance(raw, dict):
        text = raw.get("content", raw.get("output"))
        success = raw.get("success")
        return text_of(text), None, success if isinstance(success, bool) else None
    if not isinstance(raw, str):
        return text_of(raw), None, None
    if raw.startswith("{") and '"output"' in raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("output"), str):
            metadata = parsed.get("metadata")
            code = metadata.get("exit_code") if isinstance(metadata, dict) else None
            return parsed["output"], code if type(code) is int else None, None
    head = raw.split("\nOutput:\n", 1)[0]
    found = _EXIT.search(head)
    return raw, int(found.group(1)) if found else None, None


def _reasoning(p: dict[str, Any]) -> tuple[str, bool]:
    """(readable reasoning, whether some of it is encrypted) of a reasoning item."""
    parts = [text_of([s]) for s in p.get("summary") or () if isinstance(s, dict)]
    parts += [text_of([c]) for c in p.get("content") or () if isinstance(c, dict)]
    readable = "\n\n".join(part for part in parts if part)
    return readable, isinstance(p.get("encrypted_content"), str) and bool(p["encrypted_content"])


@dataclass
class _Walk:
    """Response items to steps: reasoning waits for the reply it precedes, calls made together share a step."""

    facts: _Facts
    b: TrajectoryBuilder = field(default_factory=TrajectoryBuilder)
    open: Step | None = None  # the assistant step the next calls of the same reply join
    thinking: list[str] = field(default_factory=list)
    encrypted: int = 0
    step_of_call: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # call id -> tool name
    patches: dict[str, str] = field(default_factory=dict)  # call id -> apply_patch text
    unmapped: Counter[str] = field(default_factory=Counter)
    last_usage: Step | None = None

    def item(self, line: _Line) -> None:
        p, stamp = line.payload, line.timestamp
        kind = p.get("type")
        if kind == "message":
            self.message(p, stamp)
        elif kind == "reasoning":
            readable, encrypted = _reasoning(p)
            if self.open is not None and (self.open.text or self.open.tool_calls):
                self.open = None  # reasoning starts the next reply
            if readable or encrypted:
                self.thinking.append(readable or REDACTED)
            self.encrypted += encrypted
        elif kind in ("function_call", "custom_tool_call", "local_shell_call", "web_search_call"):
            self.call(p, stamp)
        elif kind in _OUTPUTS:
            self.result(p, stamp)
        else:
            self.unmapped[f"response_item:{kind}"] += 1

    def assistant_step(self, text: str, stamp: str | None, meta: dict[str, Any] | None = None) -> Step:
        thinking = "\n\n".join(t for t in self.thinking if t) or None
        extra = dict(meta or {})
        if self.encrypted:
            extra["redacted_reasoning"] = self.encrypted
        step = self.b.step("assistant", text, thinking=thinking, timestamp=stamp, metadata=extra)
        self.thinking, self.encrypted, self.open = [], 0, step
        self.last_usage = step
        return step

    def message(self, p: dict[str, Any], stamp: str | None) -> None:
        raw_role = p.get("role")
        role = _ROLES.get(raw_role) if isinstance(raw_role, str) else None
        if role is None:
            raise Malformed("/payload/role", f"unknown message role {json.dumps(p.get('role'))[:40]}")
        content = p.get("content")
        if content is not None and not isinstance(content, str | list):
            raise Malformed("/payload/content", expected("a string or a list of parts", content))
        text = text_of(content)
        meta = {"phase": p["phase"]} if isinstance(p.get("phase"), str) else {}
        if role == "assistant":
            if self.open is not None and not self.open.text and not self.open.tool_calls:
                self.open.text = text
            else:
                self.assistant_step(text, stamp, meta)
            return
        self.open = None
        if role == "user" and not self.typed_by_person(text):
            meta["injected"] = True
        self.b.step(role, text, timestamp=stamp, metadata=meta)

    def typed_by_person(self, text: str) -> bool:
        """Whether a user message is what the person typed (the CLI's `user_message` event says so), not
        instructions or environment the CLI added."""
        if self.facts.typed:
            return text.strip() in self.facts.typed
        return not text.lstrip().startswith(_INJECTED)

    def call(self, p: dict[str, Any], stamp: str | None) -> None:
        kind = p["type"]
        call_id = p.get("call_id") if isinstance(p.get("call_id"), str) else p.get("id")
        if kind == "function_call":
            name, arguments = p.get("name"), p.get("arguments")
        elif kind == "custom_tool_call":
            name, arguments = p.get("name"), {"input": p.get("input")}
        elif kind == "local_shell_call":
            name, arguments = "local_shell", p.get("action")
        else:
            name, arguments = "web_search", p.get("action")
        if not isinstance(name, str) or not name:
            raise Malformed("/payload/name", "tool call without a name")
        call = self.b.call(call_id, name, arguments)
        step = self.open if self.open is not None else self.assistant_step("", stamp)
        step.tool_calls.append(call)
        self.step_of_call[call.id] = step.index
        if isinstance(call_id, str):
            self.names[call_id] = name
            patch = call.arguments.get("input")
            if name == "apply_patch" and isinstance(patch, str):
                self.patches[call_id] = patch

    def result(self, p: dict[str, Any], stamp: str | None) -> None:
        self.open = None
        call_id = p.get("call_id")
        text, code, success = _output(p.get("output"))
        ended = self.facts.exits.get(call_id) if isinstance(call_id, str) else None
        patched = self.facts.patches.get(call_id) if isinstance(call_id, str) else None
        meta: dict[str, Any] = {}
        if code is not None:
            meta["exit_code"] = code
        if ended is not None:
            meta["command_exit_code"] = ended.get("exit_code")
            if isinstance(ended.get("duration"), dict):
                meta["duration"] = ended["duration"]
        name = self.names.get(call_id, "") if isinstance(call_id, str) else ""
        failed = (
            (code is not None and code != 0)
            or success is False
            or (patched is not None and patched.get("success") is False)
            or bool(_FAILED.match(text))
        )
        step = self.b.result(call_id, text, is_error=failed, name=name or None, timestamp=stamp, metadata=meta)
        made = self.step_of_call.get(step.tool_result.call_id) if step.tool_result else None
        if made is not None and patched is not None and not failed:
            self.recorded_edits(str(call_id), made, patched)

    def recorded_edits(self, call_id: str, step: int, patched: dict[str, Any]) -> None:
        """The files `patch_apply_end` says the patch changed, attributed to the call's step. Paths are
        spelled as the patch spells them, so they replace the reconstruction from the patch text."""
        changes = patched.get("changes")
        if not isinstance(changes, dict):
            return
        named = _PATCH_FILE.findall(self.patches.get(call_id, ""))
        for path, change in changes.items():
            if isinstance(path, str) and isinstance(change, dict):
                moved = change.get("move_path")
                target = self.spelled(moved, named) if isinstance(moved, str) and moved else None
                edit = _change_edit(self.spelled(path, named), target, step, change)
                if edit is not None:
                    self.b.add_edit(edit)

    def spelled(self, path: str, named: list[str]) -> str:
        cwd = (self.facts.cwd or "").rstrip("/")
        for name in named:
            if name.strip() == path or (cwd and f"{cwd}/{name.strip()}" == path):
                return name.strip()
        return path[len(cwd) + 1 :] if cwd and path.startswith(cwd + "/") else path


def _change_edit(path: str, moved: str | None, step: int, change: dict[str, Any]) -> FileEdit | None:
    """One entry of `patch_apply_end.changes` (add with content, delete with content, update with hunks
    and maybe a new path) as an applied edit."""
    kind = change.get("type")
    op = _OPS.get(kind) if isinstance(kind, str) else None
    content = change.get("content") if isinstance(change.get("content"), str) else None
    if op == "create" and content is not None:
        return FileEdit(path, step, "", content, make_diff(path, "", content), "observation", "create", "applied")
    if op == "delete":
        after = ""
        diff = make_diff(path, content, after) if content is not None else f"--- {header_name('a', path)}\n+++ /dev/null\n"
        return FileEdit(path, step, content, after, diff, "observation", "delete", "applied")
    hunks = change.get("unified_diff")
    if op != "modify" or not isinstance(hunks, str):
        return None
    target = moved or path
    diff = f"--- {header_name('a', path)}\n+++ {header_name('b', target)}\n{hunks}"
    if moved:
        return FileEdit(target, step, None, None, diff, "observation", "rename", "applied", path)
    return FileEdit(path, step, None, None, diff, "observation", "modify", "applied")


def _session_id(facts: _Facts, doc: Document) -> str:
    value = facts.meta.get("id")
    return value if isinstance(value, str) and value and value.isprintable() else doc.path.stem


def _metadata(facts: _Facts, walk: _Walk) -> dict[str, Any]:
    keep = ("id", "timestamp", "cwd", "originator", "cli_version", "source", "model_provider", "git", "later_session_meta")
    meta: dict[str, Any] = {"session": {k: facts.meta[k] for k in keep if facts.meta.get(k) is not None}}
    if len(facts.models) > 1:
        meta["models"] = facts.models
    if facts.aborted:
        meta["turns_aborted"] = facts.aborted
    if facts.usage is not None:
        meta["token_usage"] = facts.usage
    if walk.unmapped:
        meta["unmapped"] = dict(walk.unmapped)
    return meta


def _instructions(meta: dict[str, Any]) -> str | None:
    """The system prompt Codex sent: `base_instructions.text` (2026) or `instructions` (earlier)."""
    base = meta.get("base_instructions")
    if isinstance(base, dict) and isinstance(base.get("text"), str):
        return base["text"]
    return meta["instructions"] if isinstance(meta.get("instructions"), str) else None


def _walk(doc: Document, lines: list[_Line], errors: list[InputError], unreadable: list[int]) -> _Walk:
    """Every line's steps; a line of the wrong shape becomes its error and the others read on."""
    facts = _facts(lines)
    walk = _Walk(facts)
    instructions = _instructions(facts.meta)
    if instructions:
        walk.b.step("system", instructions, metadata={"base_instructions": True})
    for line in lines:
        try:
            _line_step(walk, line)
        except Malformed as bad:
            unreadable.append(line.number)
            errors.append(bad_record(doc.name, line.number, bad))
    return walk


def _trajectory(doc: Document, walk: _Walk, unreadable: list[int]) -> Trajectory:
    facts = walk.facts
    if not any(s.role in ("user", "assistant") for s in walk.b.steps):
        raise InputError(doc.name, None, "Codex rollout has no user or assistant messages")
    meta = _metadata(facts, walk)
    if unreadable:
        meta["unreadable_lines"] = unreadable
    steps = walk.b.steps
    typed = [s for s in steps if s.role == "user" and not s.metadata.get("injected")]
    last = next((s.text for s in reversed(steps) if s.role == "assistant" and s.text.strip()), None)
    return walk.b.build(
        id=_session_id(facts, doc),
        prompt=typed[0].text if typed else next((s.text for s in steps if s.role == "user"), ""),
        model=facts.models[0] if facts.models else None,
        scaffold=SCAFFOLD,
        final_answer=facts.last_message or last,
        metadata=meta,
    )


def _line_step(walk: _Walk, line: _Line) -> None:
    if line.kind == "response_item":
        walk.item(line)
    elif line.kind == "compacted":
        walk.open = None
        message = line.payload.get("message")
        walk.b.step(
            "system", message if isinstance(message, str) else "", timestamp=line.timestamp, metadata={"compaction": True}
        )
    elif line.kind == "event_msg":
        if line.payload.get("type") == "token_count" and walk.last_usage is not None:
            info = line.payload.get("info")
            if isinstance(info, dict) and isinstance(info.get("last_token_usage"), dict):
                walk.last_usage.metadata["token_usage"] = info["last_token_usage"]
                walk.last_usage = None
    elif line.kind not in ("session_meta", "turn_context"):
        walk.unmapped[line.kind] += 1


class CodexFormat:
    name = "codex"
    suffixes: tuple[str, ...] = (".jsonl",)

    def sniff(self, doc: Document) -> bool:
        return is_rollout(doc)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        lines: list[_Line] = []
        unreadable: list[int] = []
        for number, value in doc.records():
            try:
                if isinstance(value, InputError):
                    raise value
                line = _parse_line(number, value, first=not lines and not unreadable)
            except InputError as exc:
                unreadable.append(number)
                yield str(number), exc
                continue
            except Malformed as bad:
                unreadable.append(number)
                yield str(number), bad_record(doc.name, number, bad)
                continue
            if line is not None:
                lines.append(line)
        errors: list[InputError] = []
        walk = _walk(doc, lines, errors, unreadable)
        for error in errors:
            yield error.place, error
        try:
            yield None, _trajectory(doc, walk, sorted(unreadable))
        except InputError as exc:
            yield None, exc
