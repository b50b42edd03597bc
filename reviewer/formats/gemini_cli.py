"""Gemini CLI sessions: `~/.gemini/tmp/<project hash>/chats/session-<time>-<id>.json` (a conversation
record) or `.jsonl` (the same records appended line by line), and saved chats (`/chat save`:
the model's history as Gemini API `Content`, `{role: user|model, parts}`).

A session record keeps each message once: `user`, `gemini` (text, thought summaries, token counts,
the model, and the tool calls it made with their results and status), and the CLI's own `info`,
`warning` and `error` notices. One gemini record holds every call made until the model next spoke;
calls stamped with the same time were made together and become one step, each followed by its
result. The JSONL form rewrites a message by appending it again under the same id, rewinds with
`{"$rewindTo": id}` and updates metadata with `{"$set": …}`: read as the CLI reads it.

Since 2026 a gemini message's content also holds its thought parts (its thinking, not its reply), the
environment turn is wrapped in `<session_context>`, every call of a batch may list the responses to the
whole batch (a call's result is the response with its id), and user records that only send responses
back repeat the calls' results (not steps). Thoughts that leaked into the text before a `[Thought: true]`
marker (gemini-cli #23525) are thinking too. A shell call succeeds whatever the command did: its
output's `Exit Code: N` (or signal, or cancel) says the command failed.

Edits: `write_file` (`file_path`, `content`) and `replace` (`file_path`, `old_string`,
`new_string`). The CLI's display record, when kept, holds the file before and after; otherwise the
result says whether the write created or overwrote the file, and the content before is known only
when an earlier edit in the session wrote it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from reviewer.edits import make_diff
from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.edit_reconstruction import snippet_diff
from reviewer.formats.shape import Malformed, bad_record, expect, expected, guarded
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Trajectory

SCAFFOLD = "gemini-cli"
_TYPES = frozenset({"user", "gemini", "info", "warning", "error"})
_EDITS = frozenset({"write_file", "replace"})
_CREATED = "Successfully created and wrote to new file"
_OVERWROTE = "Successfully overwrote file"
_SNIFF_LINES = 5
_LEAKED_THOUGHT = re.compile(r"\n?\[Thought: true\]")
# The shell tool's call succeeds whatever the command did; its output says how the command ended
# (`packages/core/src/tools/shell.ts`: `Exit Code: N`, `Signal: S`, a cancel or its timeout).
_SHELL = "run_shell_command"
_SHELL_FAILED = re.compile(
    r"^(?:Exit Code: -?[1-9]\d*|Signal: (?!\(none\))\S+|Command was (?:cancelled by user|automatically cancelled))",
    re.MULTILINE,
)
# The first turn of every Gemini CLI chat: the CLI's description of the environment, not the person.
_CONTEXT = "This is the Gemini CLI. We are setting up the context"


def _is_session(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("sessionId"), str)
        and isinstance(value.get("messages"), list)
        and (
            isinstance(value.get("projectHash"), str)
            or any(isinstance(m, dict) and m.get("type") in _TYPES for m in value["messages"][:_SNIFF_LINES])
        )
    )


def saved_chat(value: Any) -> list[Any] | None:
    """A saved chat's Content list (bare, or under `history`), or None."""
    history = value.get("history") if isinstance(value, dict) else value
    if not isinstance(history, list) or not history:
        return None
    head = history[:_SNIFF_LINES]
    if not all(isinstance(c, dict) and c.get("role") in ("user", "model") and isinstance(c.get("parts"), list) for c in head):
        return None
    return history if any(c["role"] == "model" for c in history) else None


def _jsonl_head(doc: Document) -> bool:
    """The first line of a JSONL session: `{sessionId, projectHash, ...}` and no messages of its own."""
    for value in doc.head_values(1):
        return (
            isinstance(value, dict)
            and isinstance(value.get("sessionId"), str)
            and isinstance(value.get("projectHash"), str)
            and "messages" not in value  # a whole session written on one line is the JSON form
        )
    return False


def _jsonl_records(doc: Document, errors: list[InputError]) -> dict[str, Any]:
    """The conversation record a JSONL session amounts to, as the CLI rebuilds it."""
    record: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for number, value in doc.records():
        if isinstance(value, InputError):
            errors.append(value)
            continue
        if not isinstance(value, dict):
            errors.append(bad_record(doc.name, number, Malformed("", expected("an object", value))))
            continue
        if isinstance(value.get("$rewindTo"), str):
            ids = list(messages)
            cut = ids.index(value["$rewindTo"]) if value["$rewindTo"] in ids else 0
            for gone in ids[cut:]:
                del messages[gone]
        elif isinstance(value.get("id"), str):
            messages[value["id"]] = value  # a later record of the same message replaces it in place
        elif isinstance(value.get("$set"), dict):
            record.update(value["$set"])
        elif isinstance(value.get("sessionId"), str):
            record.update(value)
    record["messages"] = list(messages.values())
    return record


# --- building the trajectory -------------------------------------------------------------------------


def _thoughts(value: Any) -> str | None:
    parts = []
    for thought in value if isinstance(value, list) else ():
        if isinstance(thought, dict):
            parts.append("\n".join(t for t in (thought.get("subject"), thought.get("description")) if isinstance(t, str) and t))
    return "\n\n".join(p for p in parts if p) or None


def _response_text(result: Any, display: Any, call_id: Any = None) -> str:
    """A tool's answer as the model got it: the functionResponse `output` (or `error`), plus other parts.
    A call made with others may hold the responses to all of them (Gemini CLI 2026 records each batch's
    whole list under every call): only those answering `call_id` are its answer, when any does."""
    parts = [
        p for p in (result if isinstance(result, list) else [result] if isinstance(result, dict) else ()) if isinstance(p, dict)
    ]
    own = [p for p in parts if isinstance(p.get("functionResponse"), dict) and p["functionResponse"].get("id") == call_id]
    if call_id is not None and own:
        parts = [p for p in parts if p in own or not isinstance(p.get("functionResponse"), dict)]
    texts: list[str] = []
    for part in parts:
        response = part.get("functionResponse")
        if isinstance(response, dict):
            body = response.get("response")
            said = [body[k] for k in ("output", "error") if isinstance(body.get(k), str)] if isinstance(body, dict) else []
            if said:
                texts += said  # a cancelled call may hold both: what it printed, and why it stopped
            elif body is not None:
                texts.append(json.dumps(body, ensure_ascii=False))
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
    if not texts and isinstance(display, str):
        texts.append(display)
    return "\n".join(texts)


@dataclass
class _Walk:
    b: TrajectoryBuilder = field(default_factory=TrajectoryBuilder)
    known: dict[str, str] = field(default_factory=dict)  # contents an earlier edit in the session left
    models: list[str] = field(default_factory=list)

    def message(self, k: int, m: Any) -> None:
        where = f"/messages/{k}"
        expect(m, dict, where, "a message object")
        kind = m.get("type")
        if kind not in _TYPES:
            raise Malformed(f"{where}/type", f"unknown message type {json.dumps(kind)[:40]}")
        stamp = m.get("timestamp") if isinstance(m.get("timestamp"), str) else None
        content = m.get("content")
        text, in_parts, leaked = _split_reply(content) if kind == "gemini" else (text_of(content), None, None)
        if kind == "user":
            if not text and _only_responses(content):
                return  # the calls' results sent back to the model: already each call's result
            self.b.step("user", text, timestamp=stamp, metadata={"injected": True} if _is_context(text) else None)
            return
        if kind != "gemini":
            self.b.step("system", text, timestamp=stamp, metadata={"notice": kind})
            return
        model = m.get("model")
        if isinstance(model, str) and model not in self.models:
            self.models.append(model)
        meta = {"tokens": m["tokens"]} if isinstance(m.get("tokens"), dict) else {}
        calls = expect(m.get("toolCalls", []), list, f"{where}/toolCalls", "a list of tool calls")
        groups = [list(g) for _, g in groupby(enumerate(calls), key=lambda kc: _call_time(kc[1]))] or [[]]
        thinking = "\n\n".join(t for t in (_thoughts(m.get("thoughts")) or in_parts, leaked) if t) or None
        self.turn(where, groups[0], text, thinking, stamp, meta)
        for group in groups[1:]:  # later turns of the same record: stamped with their calls' time
            self.turn(where, group, "", None, _call_time(group[0][1]), {})

    def turn(
        self, where: str, calls: list[tuple[int, Any]], text: str, thinking: str | None, stamp: str | None, meta: dict[str, Any]
    ) -> None:
        """One model turn: its text and the calls it made, each followed by its result."""
        made = []
        for j, record in calls:
            expect(record, dict, f"{where}/toolCalls/{j}", "a tool call object")
            name = record.get("name")
            if not isinstance(name, str) or not name:
                raise Malformed(f"{where}/toolCalls/{j}/name", "tool call without a name")
            made.append((record, self.b.call(record.get("id"), name, record.get("args"))))
        step = self.b.step("assistant", text, thinking=thinking, calls=[c for _, c in made], timestamp=stamp, metadata=meta)
        for record, call in made:
            status = record.get("status")
            output = _response_text(record.get("result"), record.get("resultDisplay"), record.get("id"))
            failed = status != "success" or (call.name == _SHELL and _SHELL_FAILED.search(output) is not None)
            at = record.get("timestamp") if isinstance(record.get("timestamp"), str) else None
            self.b.result(record.get("id"), output, is_error=failed, name=call.name, timestamp=at, metadata={"status": status})
            if call.name in _EDITS:
                edit = self.edit(call.name, call.arguments, step.index, output, record.get("resultDisplay"), failed)
                if edit is not None:
                    self.b.add_edit(edit)

    def contents(self, history: list[Any]) -> None:
        """A saved chat: `user` contents are the person's text or function responses, `model` contents text,
        thought parts and function calls."""
        steps_of: dict[str, int] = {}
        for k, content in enumerate(history):
            where = f"/{k}"
            expect(content, dict, where, "a content object")
            parts = expect(content.get("parts"), list, f"{where}/parts", "a list of parts")
            texts: list[str] = []
            thoughts: list[str] = []
            calls = []
            for j, part in enumerate(parts):
                expect(part, dict, f"{where}/parts/{j}", "a part object")
                if isinstance(part.get("text"), str):
                    (thoughts if part.get("thought") is True else texts).append(part["text"])
                elif isinstance(part.get("functionCall"), dict):
                    call = part["functionCall"]
                    calls.append(self.b.call(call.get("id"), call.get("name"), call.get("args")))
                elif isinstance(part.get("functionResponse"), dict):
                    self.response(part, steps_of)
            if content["role"] == "model":
                step = self.b.step("assistant", "\n".join(texts), thinking="\n\n".join(thoughts) or None, calls=calls)
                steps_of.update((call.id, step.index) for call in calls)
            elif texts:
                text = "\n".join(texts)
                self.b.step("user", text, metadata={"injected": True} if _is_context(text) else None)

    def response(self, part: dict[str, Any], steps_of: dict[str, int]) -> None:
        response = part["functionResponse"]
        body = response.get("response")
        failed = isinstance(body, dict) and "error" in body and "output" not in body
        output = _response_text([part], None)
        step = self.b.result(response.get("id"), output, is_error=failed, name=response.get("name"))
        made = next(
            (c for s in self.b.steps for c in s.tool_calls if step.tool_result and c.id == step.tool_result.call_id), None
        )
        if made is not None and made.name in _EDITS:
            edit = self.edit(made.name, made.arguments, steps_of[made.id], output, None, failed)
            if edit is not None:
                self.b.add_edit(edit)

    def edit(self, tool: str, args: dict[str, Any], step: int, output: str, display: Any, failed: bool) -> FileEdit | None:
        path = args.get("file_path") or args.get("absolute_path") or args.get("path")
        if not isinstance(path, str) or not path:
            return None
        content, old, new = (
            args.get(k) if isinstance(args.get(k), str) else None for k in ("content", "old_string", "new_string")
        )
        op = "create" if output.startswith(_CREATED) else "modify" if output.startswith(_OVERWROTE) or tool == "replace" else None
        attempted = snippet_diff(path, old, new or "") if tool == "replace" and old is not None else None
        if failed:
            return FileEdit(path, step, None, content, attempted, "tool_call", op, "failed")
        recorded = display if isinstance(display, dict) and isinstance(display.get("newContent"), str) else None
        before: str | None
        after: str | None
        if recorded is not None:
            original = recorded.get("originalContent")
            before = original if isinstance(original, str) else ""
            op = op or ("create" if original is None else "modify")
            after, source = recorded["newContent"], "observation"
        else:
            before = "" if op == "create" else self.known.get(path)
            after = content if tool == "write_file" else _replaced(before, old, new, args.get("expected_replacements"))
            source = "tool_call"
        if after is None:
            self.known.pop(path, None)
        else:
            self.known[path] = after
        diff = make_diff(path, before, after) if before is not None and after is not None else attempted
        return FileEdit(path, step, before, after, diff, source, op, "applied")


def _replaced(before: str | None, old: str | None, new: str | None, expected: Any) -> str | None:
    """`replace` changes every occurrence, and only when there are as many as expected (default 1)."""
    if before is None or not old or new is None:
        return None
    count = expected if type(expected) is int and expected > 0 else 1
    return before.replace(old, new) if before.count(old) == count else None


def _split_reply(content: Any) -> tuple[str, str | None, str | None]:
    """A gemini message's reply, apart from its thought parts (`thought: true`) and from thoughts that
    leaked into the text before a `[Thought: true]` marker (gemini-cli #23525): (reply, parts, leaked)."""
    parts = [p for p in content if isinstance(p, dict) and p.get("thought") is True] if isinstance(content, list) else []
    text = text_of([p for p in content if p not in parts] if parts else content)
    *thoughts, reply = _LEAKED_THOUGHT.split(text)
    return reply, text_of(parts) if parts else None, "\n\n".join(t.strip() for t in thoughts if t.strip()) or None


def _only_responses(content: Any) -> bool:
    return isinstance(content, list) and bool(content) and all(isinstance(p, dict) and "functionResponse" in p for p in content)


def _is_context(text: str) -> bool:
    """The CLI's description of the environment (wrapped in `<session_context>` since 2026), not the person."""
    return text.lstrip().removeprefix("<session_context>").lstrip().startswith(_CONTEXT)


def _call_time(record: Any) -> str | None:
    stamp = record.get("timestamp") if isinstance(record, dict) else None
    return stamp if isinstance(stamp, str) else None


def _session_trajectory(doc: Document, record: dict[str, Any], place_errors: list[InputError]) -> Trajectory:
    walk = _Walk()
    messages = expect(record.get("messages"), list, "/messages", "a list of messages")
    for k, m in enumerate(messages):
        walk.message(k, m)
    if not any(s.role in ("user", "assistant") for s in walk.b.steps):
        raise Malformed("/messages", "Gemini CLI session has no user or Gemini messages")
    meta = {
        k: record[k]
        for k in ("projectHash", "startTime", "lastUpdated", "summary", "kind", "directories")
        if record.get(k) is not None
    }
    if len(walk.models) > 1:
        meta["models"] = walk.models
    if place_errors:
        meta["unreadable_lines"] = [e.place for e in place_errors]
    steps = walk.b.steps
    users = [s for s in steps if s.role == "user" and s.text.strip() and not s.metadata.get("injected")]
    last = next((s.text for s in reversed(steps) if s.role == "assistant" and s.text.strip()), None)
    return walk.b.build(
        id=record["sessionId"], prompt=users[0].text if users else "", model=walk.models[0] if walk.models else None,
        scaffold=SCAFFOLD, final_answer=last, metadata=meta,
    )  # fmt: skip


def _saved_chat(doc: Document, history: list[Any]) -> Trajectory:
    walk = _Walk()
    walk.contents(history)
    b = walk.b
    users = [s for s in b.steps if s.role == "user" and s.text.strip() and not s.metadata.get("injected")]
    last = next((s.text for s in reversed(b.steps) if s.role == "assistant" and s.text.strip()), None)
    return b.build(
        id=f"{doc.path.stem}-{doc.sha256[:12]}", prompt=users[0].text if users else "", scaffold=SCAFFOLD,
        final_answer=last, metadata={"gemini_form": "saved_chat"},
    )  # fmt: skip


class GeminiCliFormat:
    name = "gemini_cli"
    suffixes: tuple[str, ...] = (".json", ".jsonl")
    editor_tools = _EDITS  # write_file and replace: their words say whether they refused

    def sniff(self, doc: Document) -> bool:
        if doc.looks_like_jsonl():
            return _jsonl_head(doc)
        try:
            value = doc.value
        except InputError:
            if _jsonl_head(doc):  # a JSONL session with a broken line
                return True
            raise
        return _is_session(value) or saved_chat(value) is not None

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        errors: list[InputError] = []
        try:
            value = None if doc.looks_like_jsonl() or _jsonl_head(doc) else doc.value
        except InputError as exc:
            yield None, exc
            return
        if value is None:
            record = _jsonl_records(doc, errors)
            for error in errors:
                yield error.place, error
            if not isinstance(record.get("sessionId"), str):
                yield None, InputError(doc.name, "1", "Gemini CLI session without its first line (sessionId, projectHash)")
                return
            yield None, guarded(doc, None, lambda: _session_trajectory(doc, record, errors))
        elif _is_session(value):
            yield None, guarded(doc, None, lambda: _session_trajectory(doc, value, []))
        else:
            history = saved_chat(value)
            if history is None:
                yield None, InputError(doc.name, None, "not a Gemini CLI session or saved chat")
                return
            yield None, guarded(doc, None, lambda: _saved_chat(doc, history))
