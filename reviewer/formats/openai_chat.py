"""OpenAI Chat Completions message lists: the loosest shape, so it is tried last.

Accepted: a bare list of `{role, content}` messages; an object holding one under `messages` or
`traj` (docent's τ-bench wrapper adds `task_id`, `reward`, `info`, `trial`); a list of such objects
(τ-bench's results file); JSONL with one message per line (one trajectory) or one conversation per
line (one trajectory each), decided from the first record. Message lists that belong to a more
specific format (mini-SWE-agent, Anthropic content blocks, Cline histories, Gemini chats) are left alone so they fail loudly
instead of being half-read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.cline import is_history as is_cline_history
from reviewer.formats.gemini_cli import saved_chat as is_gemini_chat
from reviewer.formats.shape import SHAPE_ERRORS, bad_record, expected, place
from reviewer.jsonio import Document, InputError
from reviewer.model import Outcome, ToolCall, Trajectory

ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool", "function": "tool"}
_WRAPPER_KEYS = ("messages", "traj")
# Keys mapped onto the canonical step; any other non-null key is kept in the step's metadata.
_MAPPED = {"role", "content", "tool_calls", "function_call", "reasoning_content", "reasoning", "thinking_blocks", "refusal"}
_ANTHROPIC_BLOCKS = {"tool_use", "tool_result", "thinking", "redacted_thinking", "document"}
_HEAD = 8  # messages looked at when telling a chat log from a format that reuses its shape


@dataclass(frozen=True)
class _At:
    """A place in the input: JSONL line (or None) plus a JSON pointer inside that line or file."""

    line: int | None
    pointer: str = ""

    def __truediv__(self, key: object) -> _At:
        return _At(self.line, f"{self.pointer}/{key}")

    def __str__(self) -> str:
        return place(self.line, self.pointer) or "/"


class OpenaiChatFormat:
    name = "openai_chat"
    suffixes: tuple[str, ...] = (".json", ".jsonl")

    def sniff(self, doc: Document) -> bool:
        if doc.looks_like_jsonl():
            first = next((value for _, value in doc.records()), None)
            return _is_message(first) or is_conversation(first)
        value = doc.value
        return is_conversation(value) or (isinstance(value, list) and bool(value) and is_conversation(value[0]))

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        try:
            yield from _read(doc)
        except InputError as exc:
            yield None, exc


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("role"), str) and value["role"] in ROLES


def messages_of(value: Any) -> list[Any] | None:
    """The message list of a conversation: the value itself, or the list under a wrapper key."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return next((value[k] for k in _WRAPPER_KEYS if isinstance(value.get(k), list)), None)
    return None


def is_conversation(value: Any) -> bool:
    """A non-empty list of objects with a `role`, the first one known, and no other format's marks."""
    messages = messages_of(value)
    if not messages or not _is_message(messages[0]) or not all(isinstance(m, dict) and "role" in m for m in messages):
        return False
    if (isinstance(value, dict) and _is_mini_swe_agent_object(value)) or is_cline_history(messages) or is_gemini_chat(value):
        return False
    return not any(_mini_swe_agent_message(m) for m in messages[:_HEAD]) and not any(_anthropic_message(m) for m in messages)


def _is_mini_swe_agent_object(value: dict[str, Any]) -> bool:
    info = value.get("info")
    return str(value.get("trajectory_format", "")).startswith("mini-swe-agent") or (
        isinstance(info, dict) and "mini_version" in info
    )


def _mini_swe_agent_message(message: dict[str, Any]) -> bool:
    """mini-SWE-agent's message lists: a fenced `mswea_bash_command` action, `<returncode>` observations."""
    content = message.get("content")
    return isinstance(content, str) and (
        "mswea_bash_command" in content or (message.get("role") == "user" and content.lstrip().startswith("<returncode>"))
    )


def _anthropic_message(message: dict[str, Any]) -> bool:
    """Anthropic Messages API turns (a response object, or tool/thinking content blocks) share the
    {role, content} shape but carry tool calls and results where this reader would not look."""
    if message.get("type") == "message":
        return True
    content = message.get("content")
    return isinstance(content, list) and any(isinstance(p, dict) and _is_anthropic_block(p.get("type")) for p in content)


def _is_anthropic_block(kind: Any) -> bool:
    return isinstance(kind, str) and (kind in _ANTHROPIC_BLOCKS or kind.endswith(("_tool_use", "_tool_result")))


def _read(doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    base = f"{doc.path.stem}-{doc.sha256[:12]}"
    if doc.looks_like_jsonl():
        yield from _read_jsonl(doc, base)
        return
    value = doc.value
    if is_conversation(value):
        yield None, _guarded(doc, value, _At(None), base)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield f"/{i}", _guarded(doc, item, _At(None, f"/{i}"), f"{base}:/{i}")
    else:
        raise InputError(doc.name, None, "not an OpenAI chat conversation (a list of {role, content} messages)")


def _read_jsonl(doc: Document, base: str) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    """One conversation per line, or one message per line; the first record says which."""
    records = list(doc.records())
    if not _is_message(records[0][1]):
        for line, value in records:
            yield str(line), value if isinstance(value, InputError) else _guarded(doc, value, _At(line), f"{base}:{line}")
        return
    bad = next((value for _, value in records if isinstance(value, InputError)), None)
    if bad is not None:
        raise bad  # a conversation with a lost message would misrepresent what happened
    try:
        yield None, _conversation(doc, None, [(_At(line), value) for line, value in records], base)
    except SHAPE_ERRORS as exc:
        raise bad_record(doc.name, None, exc) from None


def _guarded(doc: Document, value: Any, at: _At, id: str) -> Trajectory | InputError:
    try:
        messages = messages_of(value)
        if messages is None:
            raise InputError(doc.name, str(at), "expected a list of messages, or an object with 'messages' or 'traj'")
        key = next((k for k in _WRAPPER_KEYS if isinstance(value, dict) and value.get(k) is messages), None)
        inner = at / key if key else at
        if not messages:
            raise InputError(doc.name, str(inner), "no messages: nothing to review")
        return _conversation(
            doc, value if isinstance(value, dict) else None, [(inner / i, m) for i, m in enumerate(messages)], id
        )
    except InputError as exc:
        return exc
    except SHAPE_ERRORS as exc:
        return bad_record(doc.name, str(at), exc)


def _conversation(doc: Document, wrapper: dict[str, Any] | None, messages: list[tuple[_At, Any]], id: str) -> Trajectory:
    b = TrajectoryBuilder(solution_in_replies=True)
    for at, message in messages:
        _add_message(b, doc.name, at, message)
    wrapper = wrapper or {}
    reward = wrapper.get("reward")
    task_id = wrapper.get("task_id")
    model = wrapper.get("model")
    last = next((s for s in reversed(b.steps) if s.role == "assistant"), None)
    return b.build(
        id=id,
        prompt=next((s.text for s in b.steps if s.role == "user"), ""),
        task_id=str(task_id) if task_id is not None else None,
        model=model if isinstance(model, str) else None,
        outcome=Outcome(reward=float(reward)) if isinstance(reward, int | float) and not isinstance(reward, bool) else None,
        final_answer=(last.text.strip() or None) if last is not None and not last.tool_calls else None,
        metadata={k: v for k, v in wrapper.items() if k not in _WRAPPER_KEYS},
    )


def _add_message(b: TrajectoryBuilder, file: str, at: _At, message: Any) -> None:
    if not isinstance(message, dict):
        raise InputError(file, str(at), expected("a message object", message))
    if not _is_message(message):
        raise InputError(file, str(at / "role"), f"unknown role {message.get('role')!r}")
    role = ROLES[message["role"]]
    meta = {k: v for k, v in message.items() if k not in _MAPPED and v is not None}
    text = _text(file, at, message)
    if role == "tool":
        call_id = (
            meta.pop("tool_call_id", None) if message["role"] == "tool" else None
        )  # `function` results name the call instead
        name = message.get("name") if isinstance(message.get("name"), str) else None
        b.result(call_id, text, is_error=_is_error(message, text), name=name, metadata=meta)
        return
    calls = _calls(b, file, at, message) if role == "assistant" else []
    b.step(role, text, thinking=_thinking(message), calls=calls, metadata=meta)


def _text(file: str, at: _At, message: dict[str, Any]) -> str:
    """Visible text: content (string or parts, refusal parts included) and a top-level `refusal`."""
    content = message.get("content")
    if content is not None and not isinstance(content, str | list):
        raise InputError(file, str(at / "content"), expected("a string or a list of content parts", content))
    if isinstance(content, list):
        content = [{"text": p["refusal"]} if isinstance(p, dict) and isinstance(p.get("refusal"), str) else p for p in content]
    text = text_of(content)
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal and refusal not in text:
        text = f"{text}\n\n{refusal}" if text else refusal
    return text


def _is_error(message: dict[str, Any], text: str) -> bool:
    """Chat tool messages carry no error flag; vendors add `is_error`/`error`, and τ-bench-style
    environments answer a failed call with text starting `Error:`."""
    return bool(message.get("is_error") or message.get("error")) or text.lstrip().startswith("Error:")


def _thinking(message: dict[str, Any]) -> str | None:
    """Vendor reasoning fields: `reasoning_content` (DeepSeek, vLLM), `reasoning` (OpenRouter),
    `thinking_blocks` (LiteLLM's Anthropic passthrough)."""
    parts = [message[k] for k in ("reasoning_content", "reasoning") if isinstance(message.get(k), str) and message[k]]
    for block in message.get("thinking_blocks") or ():
        if isinstance(block, dict):
            parts.append(block["thinking"] if isinstance(block.get("thinking"), str) else "[redacted thinking]")
    return "\n\n".join(parts) or None


def _calls(b: TrajectoryBuilder, file: str, at: _At, message: dict[str, Any]) -> list[ToolCall]:
    raw_calls = message.get("tool_calls") or []
    if not isinstance(raw_calls, list):
        raise InputError(file, str(at / "tool_calls"), expected("a list of tool calls", raw_calls))
    calls = [_call(b, file, at / "tool_calls" / k, raw) for k, raw in enumerate(raw_calls)]
    legacy = message.get("function_call")
    if legacy is not None:
        calls.append(_call(b, file, at / "function_call", legacy))  # deprecated: {name, arguments}, no id
    return calls


def _call(b: TrajectoryBuilder, file: str, at: _At, raw: Any) -> ToolCall:
    """`function` calls (arguments a JSON string or, in some logs, an object), `custom` calls
    (free-form `input`), bare `{name, arguments}` (the deprecated `function_call`), and Inspect-style
    calls whose `function` is the name itself."""
    if not isinstance(raw, dict):
        raise InputError(file, str(at), expected("a tool call object", raw))
    arguments: Any  # whatever the log holds: the builder parses and checks it
    if isinstance(raw.get("custom"), dict):
        body, where, arguments = raw["custom"], at / "custom", {"input": raw["custom"].get("input")}
    elif isinstance(raw.get("function"), dict):
        body, where = raw["function"], at / "function"
        arguments = body.get("arguments")
    else:
        body, where = raw, at
        arguments = raw.get("arguments")
    name = raw["function"] if isinstance(raw.get("function"), str) else body.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(file, str(where / "name"), "a tool call needs a name")
    return b.call(raw.get("id"), name, arguments)
