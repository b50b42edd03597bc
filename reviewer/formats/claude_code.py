"""Claude Code session logs (JSONL) and plain Anthropic Messages API JSON.

Both speak in Anthropic content blocks: an assistant message holds text, thinking and tool_use
blocks, and tool outputs come back as tool_result blocks inside the *next user* message, so a
"user" turn may hold no human text at all. A Claude Code session adds structure on top: one object
per line ordered by a `parentUuid` chain, one API response sometimes spread over several lines
sharing `message.id`, compaction boundaries followed by a machine-written summary, `/clear`
commands that start a new conversation in the same file, and sub-agent ("sidechain") lines.

Sub-agents become trajectories of their own, `<sessionId>/agent-<agentId>`: what a sub-agent edits
or runs is reviewed like any agent's work, and a sub-agent file (`agent-<id>.jsonl`, nothing but
sidechain lines) then imports under the same id whether its lines sit in the session file (older
Claude Code) or apart. The main trajectory lists them in `metadata["subagents"]`; the Task result
that names an agent links to it in its step metadata (`subagent`).
"""

from __future__ import annotations

import heapq
import json
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeGuard

from reviewer.edits import make_diff
from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.cline import is_history as is_cline_history
from reviewer.formats.shape import Malformed, bad_record, expected, guarded
from reviewer.formats.siblings import beside, read_beside
from reviewer.jsonio import Document, InputError, read_document
from reviewer.model import FileEdit, Step, ToolCall, Trajectory

SCAFFOLD = "claude-code"
REDACTED = "[redacted thinking]"
_CALL_BLOCKS = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})
_ANTHROPIC_ONLY = _CALL_BLOCKS | {"tool_result", "thinking", "redacted_thinking"}
_TEXT_FIELD = {"text": "text", "thinking": "thinking"}  # block type -> the string field it must carry
_CONVERSATION = frozenset({"user", "assistant", "system"})
_CLEAR = re.compile(r"<command-name>/clear</command-name>")
_AGENT_IN_TEXT = re.compile(r"\bagentId:\s*([\w-]+)")
_COMMAND_PREFIXES = ("<command-", "<local-command-")
# Line flags a reviewer must see: injected, machine-written or error text is not the human's or the model's.
_FLAGS = {"isMeta": "meta", "isCompactSummary": "compact_summary", "isApiErrorMessage": "api_error"}
_NOT_HUMAN = ("meta", "compact_summary", "command")  # step metadata marking user text nobody typed as a task
_SESSION_FACTS = {"sessionId": "session_id", "cwd": "cwd", "gitBranch": "git_branch", "version": "version", "slug": "slug"}
_SNIFF_LINES = 50
_PREAMBLE = frozenset({"summary", "file-history-snapshot", "queue-operation"})  # Claude Code's lines before a message
_PREAMBLE_LINES = 5_000  # at most this many of them read past the window, so a huge file of other lines stays cheap
_SHORT = 200  # longest string of a structured tool result kept in step metadata
# toolUseResult fields that repeat the tool output, the call arguments or a file: not worth a second copy.
_COPIES = frozenset({"stdout", "stderr", "content", "prompt", "originalFile", "oldString", "newString", "filePath"})


def _string_in(value: Any, names: frozenset[str]) -> TypeGuard[str]:
    """Membership that a list or object where a string belongs (unhashable) cannot trip."""
    return isinstance(value, str) and value in names


def _id_part(value: Any) -> str | None:
    """A session or agent id fit for a trajectory id: a non-empty string without control characters."""
    return value if isinstance(value, str) and value and value.isprintable() else None


def _blocks(content: Any, pointer: str) -> list[dict[str, Any]]:
    """A message's content as checked blocks (a plain string is one text block), so mapping never trips."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise Malformed(pointer, expected("a string or a list of content blocks", content))
    for k, block in enumerate(content):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise Malformed(f"{pointer}/{k}", "content block must be an object with a string 'type'")
        name = _TEXT_FIELD.get(block["type"])
        if name and not isinstance(block.get(name), str):
            raise Malformed(f"{pointer}/{k}/{name}", f"{block['type']} block needs a string '{name}'")
    return content


def _is_result(kind: str) -> bool:
    """tool_result, and the server tools' web_search_tool_result, mcp_tool_result and the like."""
    return kind == "tool_result" or kind.endswith("_tool_result")


def _result_text(content: Any) -> str:
    """A tool result's text; a search hit (a title and a url, no text) shows where the agent looked."""
    if not isinstance(content, list):
        return text_of(content)
    return "\n".join(_search_hit(part) or text_of([part]) for part in content)


def _search_hit(part: Any) -> str | None:
    if not isinstance(part, dict) or "text" in part or not isinstance(part.get("url"), str):
        return None
    return f"{part['title']} <{part['url']}>" if isinstance(part.get("title"), str) else part["url"]


def _timestamp(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= 64 else None


def _small_facts(recorded: Any) -> dict[str, Any]:
    """The short facts of Claude Code's structured tool result (status, agentId, durations, flags); the
    copies of outputs, prompts and file contents it also holds are shown elsewhere or kept in the original bytes."""
    if not isinstance(recorded, dict):
        return {}
    return {
        k: v
        for k, v in recorded.items()
        if k not in _COPIES and (isinstance(v, bool | int | float) or (isinstance(v, str) and len(v) <= _SHORT))
    }


def _recorded_edit(call: ToolCall, step: int, recorded: dict[str, Any]) -> FileEdit | None:
    """Claude Code's own record of an Edit or Write (`toolUseResult`) holds the whole file before the
    edit: a full diff where the call alone gives only the replaced snippet."""
    path, before = recorded.get("filePath"), recorded.get("originalFile")
    if not isinstance(path, str) or not path:
        return None
    op: str | None = "modify"
    if call.name == "Write" and isinstance(recorded.get("content"), str):
        before = "" if before is None and recorded.get("type") == "create" else before
        after = recorded["content"]
        op = "create" if recorded.get("type") == "create" else "modify" if recorded.get("type") == "update" else None
    elif call.name == "Edit" and isinstance(before, str):
        old, new = recorded.get("oldString"), recorded.get("newString")
        if not (isinstance(old, str) and isinstance(new, str) and old and old in before):
            return None
        after = before.replace(old, new, -1 if recorded.get("replaceAll") is True else 1)
    else:
        return None
    if not isinstance(before, str):
        return None
    return FileEdit(path, step, before, after, make_diff(path, before, after), "observation", op)


def _agent_id(block: dict[str, Any], recorded: Any) -> str | None:
    """The sub-agent a Task result names: in `toolUseResult.agentId`, or as `agentId: …` in its text."""
    if isinstance(recorded, dict) and _id_part(recorded.get("agentId")):
        return recorded["agentId"]
    found = _AGENT_IN_TEXT.search(text_of(block.get("content")))
    return found.group(1) if found else None


@dataclass
class _Writer:
    """Anthropic messages to builder steps; remembers which step made each call, for recorded edits."""

    session_id: str | None = None
    b: TrajectoryBuilder = field(default_factory=TrajectoryBuilder)
    calls: dict[str, tuple[int, ToolCall]] = field(default_factory=dict)
    agents: list[str] = field(default_factory=list)

    def message(
        self, role: str, blocks: list[dict[str, Any]], timestamp: str | None, metadata: dict[str, Any], recorded: Any = None
    ) -> None:
        if role == "assistant":
            self.assistant(blocks, timestamp, metadata)
        elif role == "user":
            self.user(blocks, timestamp, metadata, recorded)
        else:
            self.b.step(role, blocks, timestamp=timestamp, metadata=metadata)

    def assistant(self, blocks: list[dict[str, Any]], timestamp: str | None, metadata: dict[str, Any]) -> None:
        texts, thoughts, calls, results = [], [], [], []
        kinds = Counter(block["type"] for block in blocks)
        for block in blocks:
            kind = block["type"]
            if kind == "text":
                texts.append(block["text"])
            elif kind == "thinking":
                thoughts.append(block["thinking"])
            elif kind == "redacted_thinking":  # opaque ciphertext: only the fact that there was some
                thoughts.append(REDACTED)
            elif kind in _CALL_BLOCKS:
                calls.append(self.b.call(block.get("id"), block.get("name"), block.get("input")))
            elif _is_result(kind):
                results.append(block)
        meta = dict(metadata)
        if kinds["redacted_thinking"]:
            meta["redacted_thinking"] = kinds["redacted_thinking"]
        known = {"text", "thinking", "redacted_thinking", *_CALL_BLOCKS}
        unmapped = {kind: n for kind, n in kinds.items() if kind not in known and not _is_result(kind)}
        if unmapped:
            meta["unmapped_blocks"] = unmapped
        step = self.b.step(
            "assistant", "\n\n".join(texts), thinking="\n\n".join(thoughts), calls=calls, timestamp=timestamp, metadata=meta
        )
        self.calls.update((call.id, (step.index, call)) for call in calls)
        for block in results:  # server tools answer inside the same response
            self.result(block, timestamp, metadata, None)

    def user(self, blocks: list[dict[str, Any]], timestamp: str | None, metadata: dict[str, Any], recorded: Any) -> None:
        """Tool results become tool steps; the text around them stays one user step per run of blocks."""
        pending: list[dict[str, Any]] = []
        for block in blocks:
            if not _is_result(block["type"]):
                pending.append(block)
                continue
            self._user_text(pending, timestamp, metadata)
            pending = []
            self.result(block, timestamp, metadata, recorded)
            recorded = None  # a line's structured result belongs to its (only) tool result
        self._user_text(pending, timestamp, metadata)

    def _user_text(self, blocks: list[dict[str, Any]], timestamp: str | None, metadata: dict[str, Any]) -> None:
        if not blocks:
            return
        text = text_of(blocks)
        meta = {**metadata, "command": True} if text.lstrip().startswith(_COMMAND_PREFIXES) else metadata
        self.b.step("user", text, timestamp=timestamp, metadata=meta)

    def result(self, block: dict[str, Any], timestamp: str | None, metadata: dict[str, Any], recorded: Any) -> None:
        meta = dict(metadata)
        if facts := _small_facts(recorded):
            meta["tool_use_result"] = facts
        agent = _agent_id(block, recorded)
        if agent is not None:
            self.agents.append(agent)
            if self.session_id is not None:
                meta["subagent"] = f"{self.session_id}/agent-{agent}"
        is_error = block.get("is_error") is True
        step = self.b.result(
            block.get("tool_use_id"), _result_text(block.get("content")), is_error=is_error, timestamp=timestamp, metadata=meta
        )
        made = self.calls.get(step.tool_result.call_id) if step.tool_result else None
        if made is not None and not is_error and isinstance(recorded, dict):
            edit = _recorded_edit(made[1], made[0], recorded)
            if edit is not None:
                self.b.add_edit(edit, made[1].id)


def _prompt(steps: list[Step]) -> str:
    """The first user text somebody typed; failing that, any user text (a session of slash commands)."""
    users = [s for s in steps if s.role == "user" and s.text.strip()]
    human = [s for s in users if not any(s.metadata.get(flag) for flag in _NOT_HUMAN)]
    return (human or users)[0].text if users else ""


def _final_answer(steps: list[Step]) -> str | None:
    last = next((s for s in reversed(steps) if s.role == "assistant"), None)
    return last.text if last is not None and last.text.strip() else None


# --- Claude Code sessions -------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    """One checked conversation line, with the fields ordering, merging and splitting ask for."""

    number: int
    record: dict[str, Any]
    kind: str
    blocks: list[dict[str, Any]]
    uuid: str | None
    parent: str | None
    message_id: str | None = None
    model: str | None = None
    part: int = 0  # which file of a run split over several (sessions sharing a slug) the line is from

    @property
    def sidechain(self) -> bool:
        return self.record.get("isSidechain") is True

    @property
    def is_clear(self) -> bool:
        return self.kind == "user" and any(b["type"] == "text" and _CLEAR.search(b["text"]) for b in self.blocks)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _parse_line(number: int, value: Any) -> _Line:
    if not isinstance(value, dict):
        raise Malformed("", expected("an object", value))
    kind = value.get("type")
    if not isinstance(kind, str):
        raise Malformed("/type", "line has no string 'type'")
    # logicalParentUuid carries the chain across a compaction boundary, whose parentUuid is null.
    line = _Line(
        number, value, kind, [], _string(value.get("uuid")), _string(value.get("parentUuid") or value.get("logicalParentUuid"))
    )
    if kind not in ("user", "assistant"):
        return line
    message = value.get("message")
    if not isinstance(message, dict):
        raise Malformed("/message", f"{kind} line has no 'message' object")
    if "content" not in message:
        raise Malformed("/message/content", "message has no 'content'")
    line.blocks = _blocks(message["content"], "/message/content")
    if kind == "assistant":
        line.message_id = _string(message.get("id"))
        model = _string(message.get("model"))
        line.model = None if model is None or model.startswith("<") else model  # <synthetic>: Claude Code's own text
    return line


def _is_session_line(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _string_in(value.get("type"), _CONVERSATION)
        and isinstance(value.get("sessionId"), str)
        and isinstance(value.get("uuid"), str)
    )


def _looks_like_session(doc: Document) -> bool:
    """A conversation line near the top, before any line that is not an object with a `type` (every
    Claude Code line has one; snapshot and summary lines have no uuid). Unparseable lines are passed
    over: one broken line must not hide a session from its importer, the reader reports it. Claude
    Code's own preamble lines (a resumed session's summaries, snapshots, queued prompts) do not count
    towards the window: a long-lived session can start with more of them than the window holds."""
    counted = 0
    for value in doc.head_values(_SNIFF_LINES + _PREAMBLE_LINES):
        if _is_session_line(value):
            return True
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            return False
        if value["type"] not in _PREAMBLE:
            counted += 1
            if counted == _SNIFF_LINES:
                return False
    return False


def _chain_order(lines: list[_Line]) -> list[_Line]:
    """Parents before children, file order otherwise; lines caught in a parent cycle keep file order at the end."""
    position = {line.uuid: i for i, line in enumerate(lines) if line.uuid is not None}
    children: dict[int, list[int]] = {}
    ready: list[int] = []
    for i, line in enumerate(lines):
        parent = position.get(line.parent) if line.parent is not None else None
        if parent is None or parent == i:
            ready.append(i)
        else:
            children.setdefault(parent, []).append(i)
    order: list[int] = []
    while ready:  # already a heap: appended in increasing order
        i = heapq.heappop(ready)
        order.append(i)
        for child in children.get(i, ()):
            heapq.heappush(ready, child)
    placed = set(order)
    return [lines[i] for i in order] + [line for i, line in enumerate(lines) if i not in placed]


def _units(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped into steps: the lines of one API response (same `message.id`) make one unit,
    placed where its first line is."""
    units: list[list[_Line]] = []
    by_message: dict[str, list[_Line]] = {}
    for line in lines:
        key = line.message_id
        if key is not None and key in by_message:
            by_message[key].append(line)
            continue
        units.append([line])
        if key is not None:
            by_message[key] = units[-1]
    return units


def _merged_blocks(unit: list[_Line]) -> list[dict[str, Any]]:
    """The blocks of a split response, each once (a resumed session may repeat a line's block)."""
    if len(unit) == 1:
        return unit[0].blocks
    seen: set[str] = set()
    blocks = []
    for line in unit:
        for block in line.blocks:
            key = json.dumps(block, sort_keys=True)
            if key not in seen:
                seen.add(key)
                blocks.append(block)
    return blocks


def _unit_metadata(unit: list[_Line], main_model: str | None) -> dict[str, Any]:
    first = unit[0]
    meta: dict[str, Any] = {"uuid": first.uuid, "line": first.number}
    if first.parent is not None:
        meta["parent_uuid"] = first.parent
    if len(unit) > 1:
        meta["merged_uuids"] = [line.uuid for line in unit[1:]]
    for key, flag in _FLAGS.items():
        if first.record.get(key) is True:
            meta[flag] = True
    if first.kind == "assistant":
        message = unit[-1].record["message"]
        meta["message_id"] = first.message_id
        meta.update({k: message[k] for k in ("stop_reason", "usage") if message.get(k) is not None})
        if first.model not in (None, main_model):
            meta["model"] = first.model
    if first.kind == "system":
        meta["subtype"] = first.record.get("subtype")
        if first.record.get("subtype") == "compact_boundary":
            meta["compact_boundary"] = True
            if isinstance(first.record.get("compactMetadata"), dict):
                meta["compact_metadata"] = first.record["compactMetadata"]
    return meta


def _write_unit(w: _Writer, unit: list[_Line], main_model: str | None) -> None:
    first = unit[0]
    meta = _unit_metadata(unit, main_model)
    stamp = _timestamp(first.record.get("timestamp"))
    if isinstance(first.record.get("cwd"), str):
        w.b.working_directory(first.record["cwd"])  # where the Bash tool's relative paths point
    if first.kind == "system":
        content = first.record.get("content")
        w.b.step("system", content if isinstance(content, str) else "", timestamp=stamp, metadata=meta)
    else:
        w.message(first.kind, _merged_blocks(unit), stamp, meta, first.record.get("toolUseResult"))


def _keep(line: _Line, skipped: Counter[str], titles: list[str]) -> bool:
    """Conversation lines are kept; the rest (snapshots, progress, timing...) are counted, titles kept."""
    record = line.record
    if line.kind == "summary" and isinstance(record.get("summary"), str):
        titles.append(record["summary"])
    if (
        line.kind == "system"
        and record.get("subtype") != "compact_boundary"
        and not (isinstance(record.get("content"), str) and record["content"])
    ):
        skipped[f"system:{record.get('subtype')}"] += 1
        return False
    if line.kind not in _CONVERSATION:
        skipped[line.kind] += 1
        return False
    return True


def _facts(lines: list[_Line]) -> dict[str, Any]:
    """Session-wide facts (session id, cwd, branch, Claude Code version), from the first line that has each."""
    facts: dict[str, Any] = {}
    for key, name in _SESSION_FACTS.items():
        value = next((line.record[key] for line in lines if isinstance(line.record.get(key), str)), None)
        if value is not None:
            facts[name] = value
    return facts


def _models(lines: list[_Line]) -> list[str]:
    """Every model that answered, first one first (sub-agents often run a smaller one)."""
    return list(dict.fromkeys(line.model for line in lines if line.model is not None))


def _conversation(lines: list[_Line], session_id: str, files: tuple[str, ...] = ()) -> _Writer:
    """Steps of one conversation; where it goes on in the next file of a split run (`files`), a
    boundary step says so."""
    models = _models(lines)
    w = _Writer(session_id)
    part = lines[0].part if lines else 0
    for unit in _units(lines):
        if unit[0].part != part and files:
            w.b.continuation(files[part], files[unit[0].part], unit[0].part + 1, len(files))
            part = unit[0].part
        w.session_id = _id_part(unit[0].record.get("sessionId")) or session_id  # Task results link the file's own sub-agents
        _write_unit(w, unit, models[0] if models else None)
    return w


def _trajectory(w: _Writer, lines: list[_Line], id: str, metadata: dict[str, Any]) -> Trajectory:
    models = _models(lines)
    meta = {**_facts(lines), **metadata}
    if len(models) > 1:
        meta["models"] = models
    steps = w.b.steps
    return w.b.build(
        id=id, prompt=_prompt(steps), model=models[0] if models else None, scaffold=SCAFFOLD,
        final_answer=_final_answer(steps), metadata=meta,
    )  # fmt: skip


def _substantive(steps: list[Step]) -> bool:
    """A conversation worth a trajectory: the model spoke, or somebody typed something."""
    return any(s.role == "assistant" or (s.role == "user" and not any(s.metadata.get(f) for f in _NOT_HUMAN)) for s in steps)


def _split_on_clear(lines: list[_Line]) -> list[tuple[int | None, list[_Line]]]:
    """(line of the /clear that began it, lines) per conversation; the /clear line itself is dropped."""
    segments: list[tuple[int | None, list[_Line]]] = [(None, [])]
    for line in lines:
        if line.is_clear:
            segments.append((line.number, []))
        else:
            segments[-1][1].append(line)
    return segments


def _agent_groups(lines: list[_Line], stem: str) -> dict[str, list[_Line]]:
    """Sidechain lines by sub-agent: the line's `agentId`, else the `agent-<id>` file name, else the chain root."""
    fallback = stem if stem.startswith("agent-") else None
    key_of: dict[str, str] = {}
    groups: dict[str, list[_Line]] = {}
    for line in lines:
        agent = _id_part(line.record.get("agentId"))
        if agent is not None:
            key = f"agent-{agent}"
        else:
            key = fallback or key_of.get(line.parent or "") or f"sidechain-{len(groups) + 1}"
        if line.uuid is not None:
            key_of[line.uuid] = key
        groups.setdefault(key, []).append(line)
    return groups


@dataclass
class _Session:
    """One file's conversation lines in chain order, with the facts every trajectory from it carries."""

    doc: Document
    lines: list[_Line]
    metadata: dict[str, Any]
    session_id: str
    files: tuple[str, ...] = ()  # the files of a run split over several, in order (empty for one file)

    def subagents(self) -> Iterator[tuple[str, str | None, Trajectory | InputError]]:
        """(place, agent id, trajectory) for each sub-agent."""
        groups = _agent_groups([line for line in self.lines if line.sidechain], self.doc.path.stem)
        for key, lines in groups.items():
            agent = key.removeprefix("agent-") if key.startswith("agent-") else None
            meta = {**self.metadata, "parent_session": self.session_id}
            if agent is not None:
                meta["agent_id"] = agent
            made = guarded(
                self.doc, str(lines[0].number), partial(_subagent, lines, self.session_id, f"{self.session_id}/{key}", meta)
            )
            yield str(lines[0].number), agent, made

    def conversations(self) -> list[tuple[int | None, _Writer | InputError, list[_Line]]]:
        """(line of the /clear that began it, steps, lines) for each main conversation worth importing."""
        found: list[tuple[int | None, _Writer | InputError, list[_Line]]] = []
        for cleared_at, lines in _split_on_clear([line for line in self.lines if not line.sidechain]):
            if not lines:
                continue
            w = guarded(self.doc, str(lines[0].number), partial(_conversation, lines, self.session_id, self.files))
            if isinstance(w, InputError) or _substantive(w.b.steps):
                found.append((cleared_at, w, lines))
        return found


def _subagent(lines: list[_Line], session_id: str, id: str, metadata: dict[str, Any]) -> Trajectory:
    return _trajectory(_conversation(lines, session_id), lines, id, metadata)


def _collect(doc: Document, records: Iterable[tuple[int, Any]], errors: list[tuple[int, InputError]]) -> _Session:
    """Parse and check every line; a bad line becomes an error at its place and the others read on."""
    lines: list[_Line] = []
    skipped: Counter[str] = Counter()
    titles: list[str] = []
    seen: set[str] = set()
    for number, value in records:
        try:
            if isinstance(value, InputError):
                raise value
            line = _parse_line(number, value)
        except InputError as exc:
            errors.append((number, exc))
            continue
        except Malformed as bad:
            errors.append((number, bad_record(doc.name, number, bad)))
            continue
        if not _keep(line, skipped, titles):
            continue
        if line.uuid is not None:
            if line.uuid in seen:
                skipped["repeated uuid"] += 1
                continue
            seen.add(line.uuid)
        lines.append(line)
    metadata: dict[str, Any] = {}
    if skipped:
        metadata["skipped_lines"] = dict(skipped)
    if titles:
        metadata["titles"] = titles
    if errors:
        metadata["unreadable_lines"] = [number for number, _ in errors]
    session_id = next((line.record["sessionId"] for line in lines if _id_part(line.record.get("sessionId"))), doc.path.stem)
    return _Session(doc, _chain_order(lines), metadata, session_id)


def _read_session(doc: Document, records: Iterable[tuple[int, Any]]) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    errors: list[tuple[int, InputError]] = []
    own = _collect(doc, records, errors)
    parts = _parts(doc, own)
    for number, error in errors:
        yield str(number), error
    own_agents = list(own.subagents())  # each file stores its own sub-agents
    for place, _, made in own_agents:
        yield place, made
    if len(parts) == 1:
        yield from _run(doc, parts, own, own_agents, bool(errors))
        return
    # Every file of a run of N sessions sharing a slug reads as the whole run: a folder of them would
    # build it N times. It is built once per process, while its files keep their bytes, and handed out
    # as copies (the importer stamps each copy with the file it read), as for ATIF continuations. A
    # run that could not be built is not remembered: its error names the file being read.
    key = tuple((str(p.doc.path), p.doc.sha256) for p in parts)
    if key not in _RUNS:
        run = list(_run(doc, parts, own, own_agents, bool(errors)))
        if any(isinstance(built, InputError) for _, built in run):
            yield from run
            return
        _RUNS[key] = [(at, built.to_dict()) for at, built in run if isinstance(built, Trajectory)]
        while len(_RUNS) > 8:
            _RUNS.popitem(last=False)
    for at, stored in _RUNS[key]:
        yield at, Trajectory.from_dict(stored)


_RUNS: OrderedDict[tuple[tuple[str, str], ...], list[tuple[str | None, dict[str, Any]]]] = OrderedDict()


def _run(
    doc: Document,
    parts: list[_Session],
    own: _Session,
    own_agents: list[tuple[str, str | None, Trajectory | InputError]],
    had_errors: bool,
) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    """The main conversations of the run `parts` make (read through `doc`, the file `own`), every
    part's sub-agents linked."""
    subagents: dict[str, dict[str, Any]] = {}
    for part in parts:
        for _, agent, made in own_agents if part is own else part.subagents():
            if isinstance(made, Trajectory):
                subagents[agent or made.id] = {"trajectory": made.id, "steps": len(made.steps)}
    session = parts[0] if len(parts) == 1 else _joined(parts)
    conversations = session.conversations()
    linked = [
        [subagents[a] for a in dict.fromkeys(w.agents) if a in subagents] if isinstance(w, _Writer) else []
        for _, w, _ in conversations
    ]
    unlinked = [s for s in subagents.values() if not any(s in group for group in linked)]
    for n, (cleared_at, w, lines) in enumerate(conversations):
        if isinstance(w, InputError):
            yield str(lines[0].number), w
            continue
        meta = dict(session.metadata)
        if len(conversations) > 1:
            meta.update(conversation=n + 1, conversations=len(conversations))
        if cleared_at is not None:
            meta["cleared_at_line"] = cleared_at
        if found := linked[n] + (unlinked if n == 0 else []):
            meta["subagents"] = found
        id = session.session_id if n == 0 else f"{session.session_id}#{n + 1}"
        yield str(lines[0].number), guarded(doc, str(lines[0].number), partial(_trajectory, w, lines, id, meta))
    if not subagents and not conversations and not had_errors:
        yield None, InputError(doc.name, None, "Claude Code session has no user or assistant messages")


# --- runs split over several session files -----------------------------------------------------------

# Claude Code names a session (`slug`, "encapsulated-mapping-wolf") and keeps the name when a plan is
# carried out in a new session ("Implement the following plan", "Now execute the plan"): the files of
# one project folder sharing a slug are one run.
_SLUG = re.compile(rb'"slug"\s*:\s*"([^"\\]{1,200})"')
_slugs: dict[tuple[str, int, int], str | None] = {}  # (path, size, mtime) -> slug: a folder is scanned once per file, read once


def _slug_of(path: Path, max_bytes: int) -> str | None:
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in _slugs:
            found = _SLUG.search(read_document(path, max_bytes).data)
            _slugs[key] = found.group(1).decode("utf-8", "replace") if found else None
        return _slugs[key]
    except (OSError, InputError):
        return None


_folders: dict[tuple[str, int, int], dict[str | None, list[Path]]] = {}  # (folder, mtime, limit) -> session files by slug


def _sharing(path: Path, slug: str, max_bytes: int) -> list[Path]:
    """The other session files of `path`'s folder with this slug (sub-agents' files aside). The folder
    is scanned once while it is unchanged, not once per file of it."""
    folder = path.parent
    try:
        key = (str(folder.resolve()), folder.stat().st_mtime_ns, max_bytes)
    except OSError:
        return []
    if key not in _folders:
        groups: dict[str | None, list[Path]] = {}
        for other in beside(path, "*.jsonl") + ([path] if path.suffix == ".jsonl" else []):
            if not other.name.startswith("agent-"):
                groups.setdefault(_slug_of(other, max_bytes), []).append(other)
        _folders[key] = {found: sorted(paths) for found, paths in groups.items()}
    return [p for p in _folders[key].get(slug, []) if p != path]


def _parts(doc: Document, own: _Session) -> list[_Session]:
    """The sessions of the run this file belongs to, in the order they ran: the files beside it with the
    same slug (sub-agent files aside), or this one alone."""
    slug = next((line.record["slug"] for line in own.lines if isinstance(line.record.get("slug"), str)), None)
    if slug is None or all(line.sidechain for line in own.lines):  # a sub-agent's file is its own run
        return [own]
    sessions = [own]
    for path in _sharing(doc.path, slug, doc.max_bytes):
        try:
            session = _session_beside(path, doc.max_bytes)
        except InputError:
            continue  # reported when that file is imported itself
        if session is not None and session.session_id != own.session_id and not all(line.sidechain for line in session.lines):
            sessions.append(session)
    return sorted(
        sessions, key=lambda s: (min((str(line.record.get("timestamp") or "") for line in s.lines), default=""), s.doc.path.name)
    )


_BESIDE: OrderedDict[tuple[str, str, int], _Session | None] = OrderedDict()


def _session_beside(path: Path, max_bytes: int) -> _Session | None:
    """Another session file of the run, its lines parsed and checked once per process while it keeps
    its bytes (every file of a run of N asks for the N - 1 others); None when it is no session."""
    other = read_beside(path, max_bytes)
    key = (str(path.resolve()), other.sha256, max_bytes)
    if key not in _BESIDE:
        records = _session_records(other)
        _BESIDE[key] = _collect(other, records, []) if records is not None else None
        while len(_BESIDE) > 64:
            _BESIDE.popitem(last=False)
    _BESIDE.move_to_end(key)
    return _BESIDE[key]


def _joined(parts: list[_Session]) -> _Session:
    """One session of the main lines of every part, in order; a line repeated from an earlier file (a
    resumed session copies the history) is read once."""
    seen: set[str] = set()
    lines: list[_Line] = []
    for k, part in enumerate(parts):
        for line in part.lines:
            if line.sidechain or (line.uuid is not None and line.uuid in seen):
                continue
            if line.uuid is not None:
                seen.add(line.uuid)
            line.part = k
            lines.append(line)
    files = tuple(p.doc.path.name for p in parts)
    metadata = {
        **parts[0].metadata,
        "parts": [{"file": p.doc.path.name, "sha256": p.doc.sha256, "id": p.session_id, "lines": len(p.lines)} for p in parts],
    }
    return _Session(parts[0].doc, _chain_order(lines), metadata, parts[0].session_id, files)


# --- Anthropic Messages API JSON --------------------------------------------------------------------


def _has_anthropic_blocks(message: Any) -> bool:
    if not isinstance(message, dict) or not isinstance(message.get("content"), list):
        return False
    return any(isinstance(block, dict) and _string_in(block.get("type"), _ANTHROPIC_ONLY) for block in message["content"])


def _api_messages(value: Any) -> list[tuple[str, Any]] | None:
    """(pointer, message) for a Messages API request, a bare message list or one response; None if not ours.

    Only Anthropic marks it: typed tool_use/tool_result/thinking blocks, a top-level `system` beside
    `messages`, or a response's `type: "message"`. Plain text chats are left to the OpenAI importer.
    """
    if is_cline_history(value):
        return None  # Cline's history: Anthropic messages with its own tool calls and results
    if isinstance(value, list):
        found = [(f"/{k}", m) for k, m in enumerate(value)]
    elif isinstance(value, dict) and isinstance(value.get("messages"), list):
        found = [(f"/messages/{k}", m) for k, m in enumerate(value["messages"])]
        if "system" in value and found:
            return found
    elif isinstance(value, dict) and value.get("type") == "message" and isinstance(value.get("content"), list):
        return [("", value)]
    else:
        return None
    return found if any(_has_anthropic_blocks(m) for _, m in found) else None


def _api_message(message: Any, pointer: str) -> tuple[str, list[dict[str, Any]]]:
    if not isinstance(message, dict):
        raise Malformed(pointer or "/", expected("a message object", message))
    role = message.get("role")
    if not _string_in(role, _CONVERSATION):
        raise Malformed(f"{pointer}/role", f"role must be user, assistant or system, not {json.dumps(role)[:40]}")
    if "content" not in message:
        raise Malformed(f"{pointer}/content", "message has no 'content'")
    return role, _blocks(message["content"], f"{pointer}/content")


def _read_api(doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    value = doc.value
    found = _api_messages(value)
    if found is None:
        yield None, InputError(doc.name, None, "not an Anthropic Messages request, response or message list")
        return
    request = isinstance(value, dict) and "messages" in value
    w = _Writer()
    if request and value.get("system") is not None:
        try:
            w.b.step("system", _blocks(value["system"], "/system"), metadata={"system_prompt": True})
        except Malformed as bad:
            yield None, bad_record(doc.name, None, bad)
    models: list[str] = [value["model"]] if request and isinstance(value.get("model"), str) else []
    for pointer, message in found:
        try:
            role, blocks = _api_message(message, pointer)
        except Malformed as bad:
            yield None, bad_record(doc.name, None, bad)
            continue
        meta = {k: v for k, v in message.items() if k not in ("role", "content")}
        if isinstance(message.get("model"), str):
            models.append(message["model"])
        w.message(role, blocks, None, meta)
    if not w.b.steps:
        yield None, InputError(doc.name, "/messages" if request else None, "no messages")
        return
    extra = {k: v for k, v in value.items() if k not in ("model", "system", "messages")} if request else {}
    model = models[0] if models else None
    yield None, guarded(doc, None, partial(_api_trajectory, w, doc.path.stem, model, extra))


def _api_trajectory(w: _Writer, id: str, model: str | None, metadata: dict[str, Any]) -> Trajectory:
    steps = w.b.steps
    return w.b.build(id=id, prompt=_prompt(steps), model=model, final_answer=_final_answer(steps), metadata=metadata)


def _session_records(doc: Document) -> Iterable[tuple[int, Any]] | None:
    """The numbered lines of a Claude Code session file, or None for other content. A session of one
    line parses as a whole; one whose first lines are not all objects still reads line by line."""
    if doc.looks_like_jsonl():
        return doc.records() if _looks_like_session(doc) else None
    try:
        value = doc.value
    except InputError:
        if _looks_like_session(doc):
            return doc.records()
        raise
    return [(1, value)] if _is_session_line(value) else None


class ClaudeCodeFormat:
    name = "claude_code"
    suffixes: tuple[str, ...] = (".jsonl", ".json")

    def sniff(self, doc: Document) -> bool:
        if _session_records(doc) is not None:
            return True
        return not doc.looks_like_jsonl() and _api_messages(doc.value) is not None

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        records = _session_records(doc)
        yield from _read_session(doc, records) if records is not None else _read_api(doc)
