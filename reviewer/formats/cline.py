"""Cline and Roo Code task folders: `api_conversation_history.json` beside `ui_messages.json` and
`task_metadata.json` (`~/.../globalStorage/<extension>/tasks/<task id>/`).

The API history is what the model saw: Anthropic messages whose tool calls are XML tags in the
assistant's text (`<write_to_file><path>…</path><content>…</content></write_to_file>`), or
`tool_use` blocks when the model called tools natively. Tool results come back in the next user
message as text headed `[read_file for 'x'] Result:` (or inside `tool_result` blocks), followed by
the `<environment_details>` Cline adds to every turn. The UI messages add what the history lacks:
the model's reasoning, and whether a write created a file or overwrote one. The folder is one
trajectory: its history file is the lead, and any file of the folder stands for it.

Edits: Cline answers a successful write_to_file/replace_in_file with the whole file as saved
(`<final_file_content>`, user edits and auto-formatting included), so the file after is known; the
file before is what an earlier result showed, or what undoing the SEARCH/REPLACE blocks on the file
after gives when that is unambiguous. A refused edit is kept as `failed`, one never answered as
`unknown`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewer.edits import make_diff
from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.folder import FolderFiles, sibling
from reviewer.formats.search_replace import Block, apply_blocks, blocks_diff, parse_blocks, undo_blocks
from reviewer.formats.shape import Malformed, expected, guarded, whole_value
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Step, ToolCall, Trajectory

HISTORY = "api_conversation_history.json"
UI_MESSAGES = "ui_messages.json"
METADATA = "task_metadata.json"
MEMBERS = (HISTORY, UI_MESSAGES, METADATA)
REDACTED = "[redacted thinking]"
# Tool names Cline and Roo Code parse out of the assistant's text (`toolUseNames`).
TOOLS = frozenset(
    """execute_command read_file write_to_file replace_in_file apply_diff insert_content search_and_replace
    search_files list_files list_code_definition_names browser_action use_mcp_tool access_mcp_resource
    ask_followup_question attempt_completion plan_mode_respond act_mode_respond new_task switch_mode
    load_mcp_documentation web_fetch web_search codebase_search fetch_instructions update_todo_list
    condense summarize_task report_bug new_rule generate_explanation run_slash_command focus_chain
    list_files_recursive apply_patch""".split()
)
_EDIT_TOOLS = frozenset({"write_to_file", "replace_in_file", "apply_diff"})
_OPEN_TOOL = re.compile(r"<(" + "|".join(sorted(TOOLS, key=len, reverse=True)) + r")>")
_PARAM = re.compile(r"<([a-z][a-z0-9_]*)>")
# Starting where a run of whitespace starts (`(?<!\s)`), read once: tried from every place inside a long
# run, `\s*` read the rest of it each time (quadratic); the same text is removed.
_INTERRUPTED = re.compile(r"(?<!\s)\s*+\[Response interrupted by [^\]]*\]\s*$")
_RESULT = re.compile(r"^\[([\w-]+)(?: for (.*?))?\] Result:[ \t]*\n?", re.DOTALL)
_TASK = re.compile(r"<task>\n?(.*?)\n?</task>", re.DOTALL)
_FINAL = re.compile(r'<final_file_content path="([^"\n]*)">\n')
_FILE_CONTENT = re.compile(r'<file_content path="([^"\n]*)">\n(.*?)\n</file_content>', re.DOTALL)
_ROO_OPERATION = re.compile(r"<operation>(created|modified)</operation>")
# How Cline and Roo Code word a tool result that did not do what was asked (`formatResponse`), and a
# command that failed: Cline's `CommandOrchestrator` (`Command failed with exit code N.`, or a signal),
# Roo Code's `ExecuteCommandTool` (`Command executed in … '<dir>'. Command execution was not successful`,
# a signal, a cancel or its timeout).
_FAILED = re.compile(
    r"\s*(?:The tool execution failed|The user denied this operation|Missing value for required parameter"
    r"|This tool cannot be used in PLAN MODE|Tool \[[\w-]+\] was not executed|Access to .* is blocked by the \.\w+ignore"
    r"|Command failed with exit code -?\d+\.|Command terminated by signal "
    r"|Command executed in (?:terminal within working directory )?'[^'\n]*'\. "
    r"(?:Command execution was not successful|Process terminated by signal)"
    r"|The command was (?:cancelled by the user|terminated after exceeding))"
)
_USER_CHANGED = ("The user made the following updates to your content", "the following auto-formatting to your content")
_UI_OPS = {"newFileCreated": "create", "editedExistingFile": "modify"}
_SNIFF_MESSAGES = 6


# --- recognising the three files -------------------------------------------------------------------


def _texts(message: dict[str, Any]) -> Iterator[str]:
    """The text a message carries: a string, text blocks, and the text inside tool_result blocks."""
    content = message.get("content")
    if isinstance(content, str):
        yield content
        return
    for block in content if isinstance(content, list) else ():
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            yield block["text"]
        elif isinstance(block, dict) and block.get("type") == "tool_result":
            yield text_of(block.get("content"))


def _cline_marked(text: str) -> bool:
    return text.lstrip().startswith("<task>") or "<environment_details>" in text or _RESULT.match(text) is not None


def is_history(value: Any) -> bool:
    """Anthropic messages that Cline wrote: a user turn near the top carries its `<task>`, its
    `<environment_details>` or a `[tool for 'x'] Result:` header. Checked by the Claude Code and
    OpenAI chat readers too, so a Cline history is never half-read as theirs."""
    if not isinstance(value, list) or not value or not isinstance(value[0], dict) or value[0].get("role") != "user":
        return False
    head = value[:_SNIFF_MESSAGES]
    return any(isinstance(m, dict) and m.get("role") == "user" and any(_cline_marked(t) for t in _texts(m)) for m in head)


def _is_ui_messages(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    return all(
        isinstance(m, dict) and type(m.get("ts")) is int and m.get("type") in ("say", "ask") and isinstance(m.get(m["type"]), str)
        for m in value[:_SNIFF_MESSAGES]
    )


def _is_task_metadata(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("files_in_context"), list)


# --- the assistant's XML tool calls ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class XmlCall:
    name: str
    params: dict[str, str]
    complete: bool


def parse_calls(text: str) -> list[XmlCall]:
    """The tool uses Cline reads in an assistant text, in order: a known tool's tag, its parameters as
    child tags (values trimmed, as Cline trims them); an unclosed last one is partial, as when the
    response was cut off. A `content` may hold the closing tags themselves, so its last `</content>`
    ends it."""
    text = _INTERRUPTED.sub("", text)
    found: list[XmlCall] = []
    pos = 0
    while (opened := _OPEN_TOOL.search(text, pos)) is not None:
        name, start = opened.group(1), opened.end()
        close = f"</{name}>"
        content_end = text.rfind("</content>", start) if name in ("write_to_file", "new_rule") else -1
        end = text.find(close, max(start, content_end))
        body = text[start:] if end < 0 else text[start:end]
        found.append(XmlCall(name, _params(body, name), end >= 0))
        if end < 0:
            break
        pos = end + len(close)
    return found


def _params(body: str, tool: str) -> dict[str, str]:
    params: dict[str, str] = {}
    pos = 0
    while (opened := _PARAM.search(body, pos)) is not None:
        name, start = opened.group(1), opened.end()
        close = f"</{name}>"
        end = body.rfind(close) if name == "content" and tool in ("write_to_file", "new_rule") else body.find(close, start)
        if end < start:
            params.setdefault(name, body[start:].strip())  # unclosed: the value so far
            break
        params.setdefault(name, body[start:end].strip())
        pos = end + len(close)
    return params


# --- the UI messages: reasoning and file operations per request ---------------------------------------


@dataclass
class _Ui:
    """What the UI messages add to assistant message k of the history (by time, else by request order)."""

    reasoning: dict[int, list[str]] = field(default_factory=dict)
    ops: dict[int, dict[str, str]] = field(default_factory=dict)  # path -> create|modify
    usage: dict[str, float] = field(default_factory=dict)
    completion: str | None = None


def _ui(messages: list[Any], history: list[Any]) -> tuple[_Ui, str | None]:
    """Spread the UI messages over the assistant messages; (result, a note when they could not be)."""
    found = _Ui()
    assistants = [k for k, m in enumerate(history) if isinstance(m, dict) and m.get("role") == "assistant"]
    stamps = [m.get("ts") if isinstance(m, dict) else None for m in history]
    timed = all(type(s) is int for s in stamps)
    requests = [m for m in messages if isinstance(m, dict) and m.get("say") == "api_req_started"]
    if not timed and len(requests) != len(assistants):
        return (
            found,
            f"{UI_MESSAGES}: {len(requests)} requests for {len(assistants)} assistant messages and no times: not matched",
        )
    windows = _windows(assistants, stamps) if timed else ([], [])
    request = -1
    for m in messages:
        if not isinstance(m, dict) or type(m.get("ts")) is not int:
            continue
        if m.get("say") == "api_req_started":
            request += 1
            _add_usage(found.usage, m.get("text"))
        owner = (
            _owner(m["ts"], assistants, windows) if timed else (assistants[request] if 0 <= request < len(assistants) else None)
        )
        if owner is None:
            continue
        text = m["text"] if isinstance(m.get("text"), str) else ""
        if m.get("say") == "reasoning" and text:
            found.reasoning.setdefault(owner, []).append(text)
        elif m.get("ask") == "tool" or m.get("say") == "tool":
            tool = _json_object(text)
            kind = tool.get("tool")
            op = _UI_OPS.get(kind) if isinstance(kind, str) else None
            if op is not None and isinstance(tool.get("path"), str):
                found.ops.setdefault(owner, {})[tool["path"]] = op
        elif m.get("say") == "completion_result" and text:
            found.completion = text
    return found, None


def _windows(assistants: list[int], stamps: list[Any]) -> tuple[list[float], list[float]]:
    """For each assistant message, the times its request's UI messages fall in: after the user message
    before it, up to the user message after it (approvals and results are shown before the next turn)."""
    lows = [float(stamps[k - 1]) if k > 0 else float("-inf") for k in assistants]
    highs = [float(stamps[k + 1]) if k + 1 < len(stamps) else float("inf") for k in assistants]
    return lows, highs


def _owner(ts: int, assistants: list[int], windows: tuple[list[float], list[float]]) -> int | None:
    lows, highs = windows
    k = bisect_left(highs, ts)
    return assistants[k] if k < len(assistants) and ts > lows[k] else None


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _add_usage(usage: dict[str, float], text: Any) -> None:
    request = _json_object(text) if isinstance(text, str) else {}
    for key in ("tokensIn", "tokensOut", "cacheWrites", "cacheReads", "cost"):
        value = request.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            usage[key] = usage.get(key, 0) + value


# --- the conversation ---------------------------------------------------------------------------------


@dataclass
class _Call:
    call: ToolCall
    step: int
    op: str | None  # what the UI said the write did


@dataclass
class _Walk:
    ui: _Ui
    b: TrajectoryBuilder = field(default_factory=TrajectoryBuilder)
    calls: dict[str, _Call] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # file contents a tool result showed
    prompt: str | None = None
    final_answer: str | None = None
    models: list[str] = field(default_factory=list)

    def message(self, k: int, message: Any) -> None:
        where = f"/{k}"
        if not isinstance(message, dict):
            raise Malformed(where, expected("a message object", message))
        role, content = message.get("role"), message.get("content")
        if role not in ("user", "assistant"):
            raise Malformed(f"{where}/role", f"role must be user or assistant, not {json.dumps(role)[:40]}")
        if isinstance(content, str):
            blocks: list[Any] = [{"type": "text", "text": content}]
        elif isinstance(content, list):
            blocks = content
        else:
            raise Malformed(f"{where}/content", expected("a string or a list of content blocks", content))
        for j, block in enumerate(blocks):
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                raise Malformed(f"{where}/content/{j}", "content block must be an object with a string 'type'")
        stamp = _stamp(message.get("ts"))
        info = message.get("modelInfo")
        if isinstance(info, dict) and isinstance(info.get("modelId"), str) and info["modelId"] not in self.models:
            self.models.append(info["modelId"])
        if role == "assistant":
            self.assistant(k, blocks, stamp)
        else:
            self.user(blocks, stamp)

    def assistant(self, k: int, blocks: list[dict[str, Any]], stamp: str | None) -> None:
        texts: list[str] = []
        thoughts = list(self.ui.reasoning.get(k, ()))
        calls: list[ToolCall] = []
        partial = False
        for block in blocks:
            kind = block["type"]
            if kind == "text":
                text = text_of([block])
                texts.append(text)
                for xml in parse_calls(text):
                    calls.append(self.b.call(None, xml.name, dict(xml.params)))
                    partial = partial or not xml.complete
            elif kind == "thinking" and isinstance(block.get("thinking"), str):
                thoughts.append(block["thinking"])
            elif kind == "redacted_thinking":
                thoughts.append(REDACTED)
            elif kind == "tool_use":
                calls.append(self.b.call(block.get("id"), block.get("name"), block.get("input")))
        meta = {"partial_tool_call": True} if partial else {}
        step = self.b.step(
            "assistant", "\n\n".join(texts), thinking="\n\n".join(thoughts) or None, calls=calls, timestamp=stamp, metadata=meta
        )
        ops = self.ui.ops.get(k, {})
        for call in calls:
            path = call.arguments.get("path")
            self.calls[call.id] = _Call(call, step.index, ops.get(path) if isinstance(path, str) else None)
            if call.name == "attempt_completion" and isinstance(call.arguments.get("result"), str):
                self.final_answer = call.arguments["result"]

    def user(self, blocks: list[dict[str, Any]], stamp: str | None) -> None:
        """Text before the first result is the person's (or Cline's) message; each `[tool] Result:`
        header, or tool_result block, starts a tool output; environment details go to metadata."""
        said: list[str] = []
        results: list[tuple[str | None, str | None, list[str]]] = []  # (tool name, tool_use_id, texts)
        environment: list[str] = []
        for block in blocks:
            text = text_of([block]) if block["type"] != "tool_result" else text_of(block.get("content"))
            header = _RESULT.match(text)
            if block["type"] == "tool_result":
                results.append((header.group(1) if header else None, str(block.get("tool_use_id") or "") or None, [text]))
            elif header is not None:
                results.append((header.group(1), None, [text]))
            elif text.lstrip().startswith("<environment_details>"):
                environment.append(text)
            elif results:
                results[-1][2].append(text)
            else:
                said.append(text)
        self.remember_files("\n".join(said))
        if said or not results:
            step = self.b.step("user", "\n\n".join(said), timestamp=stamp)
            if self.prompt is None:
                task = _TASK.search(step.text)
                self.prompt = task.group(1) if task else step.text
        for name, call_id, texts in results:
            step = self.result(name, call_id, "\n\n".join(texts), stamp)
        if environment:
            step.metadata["environment_details"] = "\n\n".join(environment)

    def result(self, name: str | None, call_id: str | None, text: str, stamp: str | None) -> Step:
        body = text[m.end() :] if (m := _RESULT.match(text)) else text
        failed = _FAILED.match(body) is not None
        step = self.b.result(call_id, text, is_error=failed, name=name, timestamp=stamp)
        made = self.calls.get(step.tool_result.call_id) if step.tool_result else None
        if made is not None and made.call.name in _EDIT_TOOLS:
            self.b.add_edit(self.edit(made, body, "failed" if failed else "applied"))
        self.remember_files(body)
        return step

    def remember_files(self, text: str) -> None:
        """Whole files a message shows (`<file_content path=…>`: mentions, an edit reverted on failure)."""
        for path, content in _FILE_CONTENT.findall(text):
            self.known[path] = content

    def edit(self, made: _Call, body: str, status: str) -> FileEdit:
        """The edit a write_to_file / replace_in_file / apply_diff call made (or tried to make)."""
        args = made.call.arguments
        path = str(args.get("path"))
        blocks, _ = parse_blocks(str(args.get("diff", "")))
        written = args.get("content") if made.call.name == "write_to_file" and isinstance(args.get("content"), str) else None
        roo = _ROO_OPERATION.search(body)
        op = made.op or (("create" if roo.group(1) == "created" else "modify") if roo else None)
        op = op or (None if made.call.name == "write_to_file" else "modify")
        if status != "applied":
            return FileEdit(
                path, made.step, None, written, blocks_diff(path, blocks) if blocks else None, "tool_call", op, status
            )
        before, after, source = self.contents(path, op, body, blocks, written)
        if after is None:
            self.known.pop(path, None)
        else:
            self.known[path] = after
        diff: str | None = make_diff(path, before, after) if before is not None and after is not None else None
        if diff is None and blocks:
            diff = blocks_diff(path, blocks)
        return FileEdit(path, made.step, before, after, diff, source, op or ("modify" if before is not None else None), status)

    def contents(
        self, path: str, op: str | None, body: str, blocks: list[Block], written: str | None
    ) -> tuple[str | None, str | None, str]:
        """(before, after, source) of an applied edit: the file after as Cline reports it saved, else (Roo
        Code reports no file) as the call wrote it or its blocks make it; the file before as a result
        showed it, else by undoing the blocks on the file after (not when the user changed the file too)."""
        before = self.known.get(path, "" if op == "create" else None)
        final = _final_content(body)
        if final is not None:
            if before is None and blocks and not any(phrase in body for phrase in _USER_CHANGED):
                before = undo_blocks(final, blocks)
            return before, final, "observation"
        if written is not None:
            return before, written, "tool_call"
        return before, apply_blocks(before, blocks) if before is not None else None, "tool_call"

    def unanswered_edits(self) -> None:
        """Edit calls no result answered (the task ended, or was cut off, first): kept as `unknown`."""
        answered = {s.tool_result.call_id for s in self.b.steps if s.tool_result}
        for call_id, made in self.calls.items():
            if made.call.name in _EDIT_TOOLS and call_id not in answered and isinstance(made.call.arguments.get("path"), str):
                self.b.add_edit(self.edit(made, "", "unknown"))


def _final_content(body: str) -> str | None:
    """The file as saved, from Cline's `<final_file_content path=…>` (the last closing tag ends it)."""
    opened = _FINAL.search(body)
    if opened is None:
        return None
    end = body.rfind("\n</final_file_content>")
    return body[opened.end() : end] if end >= opened.end() else None


def _stamp(ts: Any) -> str | None:
    """Cline's millisecond epoch times as ISO 8601 (UTC)."""
    if type(ts) is not int or not 0 < ts < 10**14:
        return None
    return datetime.fromtimestamp(ts / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _variant(metadata: Any) -> str:
    """Roo Code marks its file records `roo_read_date`; Cline `cline_read_date`."""
    records = metadata.get("files_in_context") if isinstance(metadata, dict) else None
    for record in records or ():
        if isinstance(record, dict) and any(key.startswith("roo_") for key in record):
            return "roo-code"
    return "cline"


def _metadata_models(metadata: Any) -> list[str]:
    usage = metadata.get("model_usage") if isinstance(metadata, dict) else None
    return [u["model_id"] for u in usage or () if isinstance(u, dict) and isinstance(u.get("model_id"), str)]


def _trajectory(history_doc: Document, history: Any, ui_messages: Any, metadata: Any, folder: FolderFiles) -> Trajectory:
    if not isinstance(history, list):
        raise Malformed("", expected(f"{HISTORY} to be a list of messages", history))
    if not history:
        raise Malformed("", "no messages: nothing to review")
    ui, note = _ui(ui_messages, history) if isinstance(ui_messages, list) else (_Ui(), None)
    walk = _Walk(ui)
    walk.b.notes.extend(folder.notes)
    if note:
        walk.b.notes.append(note)
    for k, message in enumerate(history):
        walk.message(k, message)
    walk.unanswered_edits()
    models = walk.models + [m for m in _metadata_models(metadata) if m not in walk.models]
    steps = walk.b.steps
    meta: dict[str, Any] = {"task_id": folder.root.name, "files": [name for name in MEMBERS if folder.path(name) is not None]}
    if ui.usage:
        meta["usage"] = ui.usage
    if len(models) > 1:
        meta["models"] = models
    if isinstance(metadata, dict) and isinstance(metadata.get("files_in_context"), list):
        meta["files_in_context"] = len(metadata["files_in_context"])
    last = next((s.text for s in reversed(steps) if s.role == "assistant" and s.text.strip()), None)
    return walk.b.build(
        id=folder.root.name or history_doc.path.stem,
        prompt=walk.prompt or "",
        model=models[0] if models else None,
        scaffold=_variant(metadata),
        final_answer=walk.final_answer or ui.completion or last,
        metadata=meta,
    )


class ClineFormat:
    name = "cline"
    suffixes: tuple[str, ...] = (".json",)
    # Cline's and Roo Code's file editors: their words, not an exit code, say whether they refused.
    editor_tools = _EDIT_TOOLS | {"insert_content", "search_and_replace"}

    def sniff(self, doc: Document) -> bool:
        value = whole_value(doc)
        return is_history(value) or _is_ui_messages(value) or _is_task_metadata(value)

    def lead(self, path: Path) -> Path | None:
        return sibling(path, HISTORY) if path.name in MEMBERS else None

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        folder = FolderFiles(doc, doc.path.parent)
        try:
            history_doc = folder.read(HISTORY)
            if history_doc is None:
                why = folder.notes[0] if folder.notes else f"{HISTORY} is not beside it"
                raise InputError(doc.name, None, f"part of a Cline task folder, but {why}: nothing to import")
            history = history_doc.value
        except InputError as exc:
            yield None, exc
            return
        ui_messages = folder.value(UI_MESSAGES)
        metadata = folder.value(METADATA)
        yield None, guarded(history_doc, None, lambda: _trajectory(history_doc, history, ui_messages, metadata, folder))
