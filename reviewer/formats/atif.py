"""ATIF, the Agent Trajectory Interchange Format that Harbor (Terminal-Bench) writes as `trajectory.json`.

One file is one run, unless it names a continuation (`continued_trajectory_ref`): then the files are
chained into one trajectory, because a reviewer must judge the whole run, not the part before a
context hand-off. A step's observations answer that same step's tool calls, so they become tool
steps right after it. terminus-2 has no tool calls at all: its JSON reply is turned into readable
text plus one `keystrokes` pseudo-call per command, so its shell work can be reviewed like any other.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.formats.build import TrajectoryBuilder, text_of
from reviewer.formats.shape import SHAPE_ERRORS, Malformed, bad_record, expected, optional
from reviewer.formats.siblings import beside, inside, read_beside
from reviewer.formats.text_calls import fenced_command, function_calls
from reviewer.jsonio import Document, InputError
from reviewer.model import Step, ToolCall, Trajectory

ROLES = {"system": "system", "user": "user", "agent": "assistant"}
# Step keys mapped onto the canonical step; every other key is kept in the step's metadata.
_MAPPED_STEP_KEYS = {"source", "message", "reasoning_content", "tool_calls", "observation", "timestamp"}
# Calls whose `message` argument is the agent's closing statement (OpenHands and SWE-agent style).
_FINISH_TOOLS = {"finish", "submit", "task_complete"}


def is_atif(value: Any) -> bool:
    return (
        isinstance(value, dict) and isinstance(value.get("schema_version"), str) and value["schema_version"].startswith("ATIF-v")
    )


@dataclass
class _Part:
    """One file of a continuation chain: where errors point, and its parsed root."""

    file: str
    root: dict[str, Any]
    sha256: str = ""


@dataclass
class _Chain:
    parts: list[_Part]
    notes: list[str] = field(default_factory=list)


class AtifFormat:
    name = "atif"
    suffixes: tuple[str, ...] = (".json",)

    def sniff(self, doc: Document) -> bool:
        return not doc.looks_like_jsonl() and is_atif(doc.value)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        try:
            trajectory = convert(doc)
        except InputError as exc:
            yield None, exc
            return
        yield None, trajectory


def convert(doc: Document) -> Trajectory:
    """One ATIF file (and the continuations it names) as a trajectory, for formats that hold ATIF
    inside something larger (a Harbor trial folder); raises InputError for content that is not ATIF."""
    if not is_atif(doc.value):
        raise InputError(doc.name, "/schema_version", "not an ATIF trajectory: schema_version must start with 'ATIF-v'")
    head = _chain_head(doc) or doc  # a continuation reads as the whole run its head starts
    chain = _chain(head)
    if len(chain.parts) == 1:
        return _trajectory(chain)
    # Each file of a chain of N reads as the whole run: a folder holding it would build that run N
    # times. It is built once per process, while its files keep their bytes, and handed out as copies
    # (the importer stamps each copy with the file it read).
    key = (tuple((part.file, part.sha256) for part in chain.parts), tuple(chain.notes))
    if key not in _BUILT:
        _BUILT[key] = _trajectory(chain).to_dict()
        while len(_BUILT) > 8:
            _BUILT.popitem(last=False)
    return Trajectory.from_dict(_BUILT[key])


_BUILT: OrderedDict[tuple[tuple[tuple[str, str], ...], tuple[str, ...]], dict[str, Any]] = OrderedDict()


def _chain(doc: Document) -> _Chain:
    """The file and the continuations it names, in order; stops (with a note) on a cycle, a missing or
    unreadable file, or a reference that leaves the folder (a hostile file must not make us read elsewhere)."""
    chain = _Chain([_Part(doc.name, doc.value, doc.sha256)])
    seen = {doc.path.resolve()}
    path: Path | None = doc.path
    while path is not None:
        ref = chain.parts[-1].root.get("continued_trajectory_ref")
        if ref is None:
            path = _next_by_name(path)  # Harbor's own naming, when the file does not say
            if path is None:
                break
            ref = path.name
        elif not isinstance(ref, str) or Path(ref).name != ref or ref in ("", ".", ".."):
            chain.notes.append(f"continued_trajectory_ref {ref!r} is not a file name in the same folder: continuation not read")
            break
        else:
            path = _continuation(doc.path, ref)
        if path.resolve() in seen:
            chain.notes.append(f"continuation {ref} was already read (cycle): chain stopped")
            break
        if path.is_symlink() and not inside(path, path.parent):
            chain.notes.append(f"continuation {ref} is a link leading out of the folder: not read")
            break
        try:
            part = read_beside(path, doc.max_bytes)
            root = part.value
        except InputError as exc:
            chain.notes.append(f"continuation {ref} not read: {exc.message}")
            break
        if not is_atif(root):
            chain.notes.append(f"continuation {ref} is not an ATIF trajectory: chain stopped")
            break
        seen.add(path.resolve())
        chain.parts.append(_Part(str(path), root, part.sha256))
    return chain


_DEFAULT_NAME = "trajectory.json"  # what Harbor names the first file; continuations are trajectory.cont-N.json
_CONT_NAME = re.compile(r"^(?P<prefix>.*)trajectory(?:\.cont-(?P<n>\d+))?\.json$")


def _continuation(head: Path, ref: str) -> Path:
    """The file a reference names. Harbor writes the name it gave (`trajectory.cont-1.json`); runs copied
    out of their trial folder carry a prefix on every file (`task.trajectory.json`, `task.trajectory.cont-1.json`):
    the prefixed sibling is the continuation when the plain name is not there."""
    plain = head.parent / ref
    prefix = _CONT_NAME.match(head.name)
    if plain.exists() or plain.is_symlink() or prefix is None or not prefix["prefix"]:
        return plain
    return head.parent / f"{prefix['prefix']}{ref}"


def _next_by_name(path: Path) -> Path | None:
    """`<prefix>trajectory.cont-<N+1>.json` beside `<prefix>trajectory[.cont-N].json`, if it is there."""
    found = _CONT_NAME.match(path.name)
    if found is None:
        return None
    following = path.parent / f"{found['prefix']}trajectory.cont-{int(found['n'] or 0) + 1}.json"
    return following if inside(following, path.parent) else None


def _chain_head(doc: Document) -> Document | None:
    """The first file of the chain this file continues, if it is beside it: reading any part of a run
    gives the whole run, whichever file is imported and in whatever order the files arrive.

    Only files that look like continuations are checked, and only neighbours that could start their
    chain are followed, so a folder of many ordinary trajectories is not read once per file.
    """
    if not _continues(doc.value, doc.path):
        return None
    prefix = _CONT_NAME.match(doc.path.name)
    for sibling in beside(doc.path, "*.json"):
        named = prefix is not None and sibling.name == f"{prefix['prefix']}{_DEFAULT_NAME}"
        try:
            other = read_beside(sibling, doc.max_bytes)
            if (
                not (named or b"continued_trajectory_ref" in other.data)
                or not is_atif(other.value)
                or _continues(other.value, sibling)
            ):
                continue
            if any(Path(part.file).resolve() == doc.path.resolve() for part in _chain(other).parts[1:]):
                return other
        except InputError:
            continue  # an unreadable neighbour is reported when it is imported itself
    return None


def _continues(root: dict[str, Any], path: Path) -> bool:
    """Whether a file continues another: it repeats copied context, or has Harbor's `.cont-N` name."""
    steps = root.get("steps")
    copied = isinstance(steps, list) and any(isinstance(s, dict) and s.get("is_copied_context") is True for s in steps)
    return copied or ".cont-" in path.name


def _trajectory(chain: _Chain) -> Trajectory:
    b = TrajectoryBuilder()
    b.notes.extend(chain.notes)
    seen: set[str] | None = set() if len(chain.parts) > 1 else None  # turns already read, to drop copied context
    continuations: list[dict[str, Any]] = []
    for n, part in enumerate(chain.parts):
        if n:
            b.continuation(Path(chain.parts[n - 1].file).name, Path(part.file).name, n + 1, len(chain.parts))
        try:
            skipped = _add_part(b, part, seen, continuation=n > 0)
        except SHAPE_ERRORS as exc:
            raise bad_record(part.file, None, exc) from None
        if n:
            continuations.append({"file": Path(part.file).name, "copied_context_skipped": skipped, **_root_extras(part.root)})
    root = chain.parts[0].root
    try:
        agent = optional(root.get("agent"), dict, "/agent", "an object")
    except Malformed as exc:
        raise bad_record(chain.parts[0].file, None, exc) from None
    metadata = _root_extras(root)
    if continuations:
        metadata["continuations"] = continuations
        metadata["parts"] = [{"file": Path(p.file).name, "sha256": p.sha256, "id": _id(p)} for p in chain.parts]
    return b.build(
        id=_id(chain.parts[0]),
        prompt=next((s.text for s in b.steps if s.role == "user"), ""),
        model=_model(agent, [part.root for part in chain.parts]),
        scaffold=agent.get("name") if isinstance(agent.get("name"), str) else None,
        final_answer=_final_answer(b.steps),
        metadata=metadata,
    )


def _id(part: _Part) -> str:
    """The id a file's run gets (the first file's, for a chain): its session and file name."""
    key, stem = part.root.get("trajectory_id") or part.root.get("session_id"), Path(part.file).stem
    return f"{key}:{stem}" if isinstance(key, str) and key else f"{stem}-{part.sha256[:12]}"


def _add_part(b: TrajectoryBuilder, part: _Part, seen: set[str] | None, *, continuation: bool) -> int:
    """The steps of one file of the chain; returns how many copied-context steps were dropped as repeats."""
    skipped = 0
    origin = {"continuation_file": Path(part.file).name} if continuation else {}
    for i, raw in enumerate(_steps(part)):
        pointer = f"/steps/{i}"
        step = optional(raw, dict, pointer, "an object")
        try:
            if seen is not None:
                mark = _fingerprint(step)
                if continuation and step.get("is_copied_context") is True and mark in seen:
                    skipped += 1
                    continue
                seen.add(mark)
            _add_step(b, pointer, step, origin)
        except Malformed:
            raise
        except SHAPE_ERRORS as exc:  # an unforeseen shape: reported at its step
            raise bad_record(part.file, pointer, exc) from None
    return skipped


def _steps(part: _Part) -> list[Any]:
    steps = part.root.get("steps")
    if not isinstance(steps, list):
        raise Malformed("/steps", expected("a list of steps", steps))
    if not steps:
        raise Malformed("/steps", "no steps: nothing to review")
    return steps


def _root_extras(root: dict[str, Any]) -> dict[str, Any]:
    """Everything at the top level but the steps (version, session, agent, metrics, notes...)."""
    return {k: v for k, v in root.items() if k != "steps"}


def _fingerprint(step: dict[str, Any]) -> str:
    """What makes two steps the same turn, whatever their step ids, timestamps and metrics."""
    return json.dumps(
        [step.get(k) for k in ("source", "message", "reasoning_content", "tool_calls", "observation")], sort_keys=True
    )


def _add_step(b: TrajectoryBuilder, pointer: str, step: dict[str, Any], extra_meta: dict[str, Any]) -> None:
    role = ROLES.get(step["source"]) if isinstance(step.get("source"), str) else None
    if role is None:
        raise Malformed(f"{pointer}/source", f"unknown source {step.get('source')!r} (expected system, user or agent)")
    thinking = step.get("reasoning_content")
    if thinking is not None and not isinstance(thinking, str):
        raise Malformed(f"{pointer}/reasoning_content", expected("a string", thinking))
    meta = {k: v for k, v in step.items() if k not in _MAPPED_STEP_KEYS} | extra_meta
    if isinstance(step.get("extra"), dict) and _is_compaction(step["extra"]):
        meta["compaction"] = True  # a context boundary, not an instruction to the agent
    observation = optional(step.get("observation"), dict, f"{pointer}/observation", "an object")
    results = optional(observation.get("results"), list, f"{pointer}/observation/results", "a list")
    text, calls = _content(b, pointer, step, role)
    if not calls and role == "assistant" and isinstance(step.get("message"), str):
        calls = _written_calls(b, step["message"], answered=bool(results))
        if calls:
            meta["calls_written_as_text"] = True  # parsed from the reply, which is kept as written
    source = b.step(role, text, thinking=thinking, calls=[c for c, _ in calls], timestamp=step.get("timestamp"), metadata=meta)
    origin = {"step_id": step["step_id"]} if "step_id" in step else {}
    _add_results(b, f"{pointer}/observation/results", results, [original for _, original in calls], source, origin | extra_meta)


def _is_compaction(extra: dict[str, Any]) -> bool:
    management = extra.get("context_management")
    return isinstance(management, dict) and management.get("type") == "compaction"


def _content(b: TrajectoryBuilder, pointer: str, step: dict[str, Any], role: str) -> tuple[str, list[tuple[ToolCall, str]]]:
    """(visible text, [(call, the id its observations use)]) for one step."""
    message = step.get("message")
    if message is not None and not isinstance(message, str | list):
        raise Malformed(f"{pointer}/message", expected("a string or a list of content parts", message))
    raw_calls = optional(step.get("tool_calls"), list, f"{pointer}/tool_calls", "a list")
    if raw_calls:
        return text_of(message), [_call(b, f"{pointer}/tool_calls/{k}", c, k) for k, c in enumerate(raw_calls)]
    if role == "assistant" and isinstance(message, str):
        reply = _terminus_reply(message)
        if reply is not None:
            return _terminus_calls(b, reply)
    return text_of(message), []


def _call(b: TrajectoryBuilder, pointer: str, raw: Any, k: int) -> tuple[ToolCall, str]:
    call = optional(raw, dict, pointer, "an object")
    name = call.get("function_name")
    if not isinstance(name, str) or not name:
        raise Malformed(f"{pointer}/function_name", "a tool call needs a function_name")
    call_id = call.get("tool_call_id")
    original = str(call_id) if call_id not in (None, "") else f"call-{b.next_index}-{k}"
    return b.call(original, name, call.get("arguments")), original


def _written_calls(b: TrajectoryBuilder, message: str, *, answered: bool) -> list[tuple[ToolCall, str]]:
    """Calls the reply writes as text: `<function=NAME>` blocks (OpenHands without function calling),
    else, when the step has an observation to pair with, its one fenced ```bash block."""
    written = function_calls(message)
    command = fenced_command(message) if not written and answered else None
    if command is not None:
        written = [("bash", {"command": command})]
    calls = []
    for k, (name, arguments) in enumerate(written):
        original = f"text-{b.next_index}-{k}"  # unique across a chain, whose step ids restart
        calls.append((b.call(original, name, arguments), original))
    return calls


def _terminus_reply(message: str) -> tuple[str, dict[str, Any], str] | None:
    """terminus-2's reply: (text before, the JSON object, text after), or None when the message is prose.

    The agent tolerates text around the JSON, so the object is looked for between the outer braces; it
    must have terminus-2's required shape (a `commands` list beside `analysis` or `plan`), so JSON that
    another agent merely quotes is left as it is.
    """
    start, end = message.find("{"), message.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        value = json.loads(message[start : end + 1])
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("commands"), list) or not {"analysis", "plan"} & value.keys():
        return None
    return message[:start].strip(), value, message[end + 1 :].strip()


def _terminus_calls(b: TrajectoryBuilder, reply: tuple[str, dict[str, Any], str]) -> tuple[str, list[tuple[ToolCall, str]]]:
    """Every field but the commands as a `Field: value` paragraph (analysis, plan, task_complete...);
    each command as a call."""
    before, value, after = reply
    fields = [
        f"{key.replace('_', ' ').capitalize()}: {v if isinstance(v, str) else json.dumps(v)}"
        for key, v in value.items()
        if key != "commands"
    ]
    lines = [text for text in (before, *fields, after) if text]
    calls = []
    for k, command in enumerate(value["commands"]):
        original = f"keystrokes-{b.next_index}-{k}"  # ids unique across a chain, whose step ids restart
        arguments = command if isinstance(command, dict) else {"keystrokes": command}
        calls.append((b.call(original, "keystrokes", arguments), original))
    return "\n\n".join(lines), calls


def _add_results(
    b: TrajectoryBuilder, pointer: str, results: list[Any], call_ids: list[str], source: Step, origin: dict[str, Any]
) -> None:
    """Observations as tool steps: by `source_call_id`, else the step's calls in order (terminus-2 sends
    one screen for all its commands: it answers the first). A result with nothing to answer and no
    content (a compaction's sub-agent references) stays on the step that produced it."""
    for k, raw in enumerate(results):
        result = optional(raw, dict, f"{pointer}/{k}", "an object")
        own = {key: v for key, v in result.items() if key not in ("source_call_id", "content")}
        call_id = result.get("source_call_id")
        if call_id in (None, "") and k < len(call_ids):
            call_id = call_ids[k]
        content = result.get("content")
        if call_id not in (None, ""):
            b.result(call_id, content, metadata=own | origin)
        elif content is not None:
            b.notes.append(f"step {b.next_index}: observation with no tool call to answer")
            b.step("tool", content, metadata=own | origin)
        else:
            source.metadata.setdefault("observations", []).append(own)


def _model(agent: dict[str, Any], roots: list[dict[str, Any]]) -> str | None:
    if isinstance(agent.get("model_name"), str):
        return agent["model_name"]
    for root in roots:
        for step in root.get("steps") or ():
            if isinstance(step, dict) and isinstance(step.get("model_name"), str):
                return step["model_name"]
    return None


def _final_answer(steps: list[Step]) -> str | None:
    """The last agent step's closing message: a finish call's `message`, else its visible text."""
    last = next((s for s in reversed(steps) if s.role == "assistant"), None)
    if last is None:
        return None
    for call in last.tool_calls:
        if call.name in _FINISH_TOOLS and isinstance(call.arguments.get("message"), str):
            return call.arguments["message"]
    return last.text.strip() or None
