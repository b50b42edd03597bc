"""Inspect AI eval logs: `.json` logs and `.eval` zip archives, one trajectory per sample and epoch.

Steps come from each sample's `messages` (the conversation the model saw); `events` are a second,
much larger account of the same run and are only counted. The same log written as `.json` or as
`.eval` maps to the same trajectory (same id, same content), so importing both is a duplicate, not a
conflict: hence nothing container-specific (member names, the run-wide sample list) reaches the output.

Zip members compressed with Zstandard (method 93, Inspect >= 0.3.206) are read with the optional
`zstandard` package, since `zipfile` before Python 3.14 cannot; without it they are a clear error.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reviewer.formats.build import MAX_ID, TrajectoryBuilder
from reviewer.formats.shape import Malformed, expected, guarded, place
from reviewer.jsonio import Document, InputError, loads
from reviewer.model import ROLES, Outcome, ToolCall, Trajectory

ZIP_MAGIC = b"PK\x03\x04"
ZSTD_METHOD = 93
HEADER = "header.json"
JOURNAL_START = "_journal/start.json"
_SAMPLE_MEMBER = re.compile(r"samples/[^/]+\.json")
_CHUNKED_MEMBER = re.compile(r"(samples/[^/]+)/.+")
ATTACHMENT_REF = b"attachment://"
_ATTACHMENT = re.compile(r"attachment://([0-9a-f]{32})")
# Another account of the run (events and their pools) or storage detail (attachments, inlined here).
_BULKY = frozenset({"events", "transcript", "attachments", "events_data", "message_pool"})
_SAMPLE_MAPPED = frozenset({"id", "epoch", "input", "messages"})
_CALL_MAPPED = frozenset({"id", "function", "arguments", "type"})
_MESSAGE_MAPPED = frozenset({"role", "content", "tool_calls"})
_TOOL_MAPPED = frozenset({"role", "content", "tool_call_id"})
# How Inspect's own `value_to_float` reads letter grades and words.
_GRADES = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0, "yes": 1.0, "true": 1.0, "no": 0.0, "false": 0.0}
MAX_REWARD = 1e12
# An archive is refused whole, from its directory and before anything is decompressed, when it holds
# more members than any eval log writes (a sample each, per epoch, plus summaries) or when its members
# expand past a few times the size limit for one file: a 4 MB archive could otherwise cost minutes.
MAX_ARCHIVE_MEMBERS = 50_000
ARCHIVE_EXPANSION = 4  # an archive's members may expand to this many times --max-bytes in all
_END_RECORD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_RECORD = b"PK\x06\x06"


class _Unreadable(Exception):
    """A zip member that cannot be turned into bytes; the message completes "member <name> ..."."""


def _present(value: Any) -> bool:
    """Empty containers and nulls say nothing; dropping them keeps `.json` and `.eval` copies equal."""
    return value is not None and value != {} and value != [] and value != ""


# ---------------------------------------------------------------------------------------------
# Detection


def _first_entry_name(data: bytes) -> str:
    """The name in the first local file header: still readable when the zip's end is cut off."""
    if len(data) < 30:
        return ""
    (length,) = struct.unpack("<H", data[26:28])
    return data[30 : 30 + length].decode("utf-8", "replace")


def _declared_members(data: bytes) -> int:
    """The member count the zip's end record declares (0 without one), read before `zipfile` parses
    the whole directory: that alone takes seconds for 100,000 members."""
    end = data.rfind(_END_RECORD, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 22:
        return 0
    (count,) = struct.unpack_from("<H", data, end + 10)
    locator = end - 20
    if count == 0xFFFF and locator >= 0 and data.startswith(_ZIP64_LOCATOR, locator):  # ZIP64 keeps the real count
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data.startswith(_ZIP64_END_RECORD, record) and len(data) >= record + 40:
            (count,) = struct.unpack_from("<Q", data, record + 32)
    return int(count)


def _too_many_members(doc: Document, count: int) -> InputError | None:
    if count <= MAX_ARCHIVE_MEMBERS:
        return None
    return InputError(doc.name, None, f"zip archive has {count:,} members, over the {MAX_ARCHIVE_MEMBERS:,}-member limit")


def _is_eval_zip(data: bytes) -> bool:
    if _declared_members(data) > MAX_ARCHIVE_MEMBERS:  # too big to list: judge by the first entry, read refuses it
        return _first_entry_name(data) in (HEADER, JOURNAL_START)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):  # truncated or corrupt: judge by the first entry
        return _first_entry_name(data) in (HEADER, JOURNAL_START)
    return HEADER in names or JOURNAL_START in names


def _is_json_log(value: Any) -> bool:
    if not isinstance(value, dict) or "status" not in value:
        return False
    version, spec = value.get("version"), value.get("eval")
    return isinstance(version, int) and not isinstance(version, bool) and isinstance(spec, dict) and "task" in spec


# ---------------------------------------------------------------------------------------------
# Zip members


def _zstd_member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """Decompress a method-93 member by hand: its bytes follow the local header; frames are chained.
    It is held to its declared size, as `zipfile` holds the others: the archive's limits trust those."""
    try:
        import zstandard
    except ImportError:
        raise _Unreadable("is zstd-compressed; install the zstd extra: pip install 'reviewer[zstd]'") from None
    start = info.header_offset
    header = data[start : start + 30]
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        raise _Unreadable("has no local file header (corrupt zip)")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    begin = start + 30 + name_length + extra_length
    raw = data[begin : begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise _Unreadable("is truncated")
    chunks, total = [], 0
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw), read_across_frames=True)
        while chunk := reader.read(1 << 20):
            total += len(chunk)
            if total > info.file_size:
                raise _Unreadable(f"expands past its declared {info.file_size:,} bytes")
            chunks.append(chunk)
    except zstandard.ZstdError as exc:
        raise _Unreadable(f"is not valid zstd data ({exc})") from None
    out = b"".join(chunks)
    if zlib.crc32(out) != info.CRC:
        raise _Unreadable("fails its CRC check (corrupt)")
    return out


@dataclass
class _Archive:
    """An `.eval` zip's members as bytes or JSON, every failure an InputError placed at the member."""

    doc: Document
    archive: zipfile.ZipFile

    def read(self, info: zipfile.ZipInfo) -> bytes:
        limit = self.doc.max_bytes
        try:
            if info.flag_bits & 0x1:
                raise _Unreadable("is encrypted")
            if info.file_size > limit:
                raise _Unreadable(f"is {info.file_size:,} bytes, over the {limit:,}-byte limit")
            if info.compress_type == ZSTD_METHOD:
                return _zstd_member(self.doc.data, info)
            with self.archive.open(info) as member:
                data = member.read(limit + 1)
            if len(data) > limit:
                raise _Unreadable(f"expands past the {limit:,}-byte limit")
            return data
        except _Unreadable as exc:
            message = str(exc)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            message = f"cannot be decompressed (corrupt?): {exc}"
        raise InputError(self.doc.name, info.filename, f"member {info.filename} {message}")

    def json(self, info: zipfile.ZipInfo, data: bytes | None = None) -> Any:
        """The member parsed as JSON (from `data` when the caller already read its bytes)."""
        data = self.read(info) if data is None else data
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(self.doc.name, info.filename, f"not valid UTF-8 (byte {exc.start}: {exc.reason})") from None
        try:
            return loads(self.doc.name, text)
        except InputError as exc:
            raise InputError(self.doc.name, place(info.filename, exc.place), exc.message) from None


# ---------------------------------------------------------------------------------------------
# Messages


class _Attachments:
    """Replaces `attachment://<hash>` references by the sample's stored text; notes the missing ones."""

    def __init__(self, table: Any):
        self.table = table if isinstance(table, dict) else {}
        self.missing: list[str] = []

    def _lookup(self, match: re.Match[str]) -> str:
        text = self.table.get(match.group(1))
        if isinstance(text, str):
            return text
        note = f"{match.group(0)} is not in sample.attachments: the reference is kept"
        if note not in self.missing:
            self.missing.append(note)
        return match.group(0)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            return _ATTACHMENT.sub(self._lookup, value) if "attachment://" in value else value
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value


def _reasoning(part: dict[str, Any]) -> str:
    """Readable reasoning; a redacted block is an opaque blob, so only its summary (if any) is shown."""
    summary = part.get("summary") if isinstance(part.get("summary"), str) else None
    if part.get("redacted"):
        return "[redacted reasoning]" + (f"\n{summary}" if summary else "")
    reasoning = part.get("reasoning")
    return reasoning if isinstance(reasoning, str) else summary or ""


def _content(content: Any, pointer: str) -> tuple[str, str | None, list[Any]]:
    """(visible text, thinking, parts that are neither: images, documents...) of a message's content."""
    if content is None:
        return "", None, []
    if isinstance(content, str):
        return content, None, []
    if not isinstance(content, list):
        raise Malformed(pointer, expected("a string or a list of content parts", content))
    texts: list[str] = []
    thoughts: list[str] = []
    others: list[Any] = []
    for k, part in enumerate(content):
        if not isinstance(part, dict):
            raise Malformed(f"{pointer}/{k}", expected("a content part object", part))
        kind = part.get("type")
        if kind == "text":
            if not isinstance(part.get("text"), str):
                raise Malformed(f"{pointer}/{k}/text", "text part has no string 'text'")
            texts.append(part["text"])
        elif kind == "reasoning":
            thoughts.append(_reasoning(part))
        else:
            texts.append(f"[{kind}]")
            others.append(part)
    return "\n".join(texts), "\n\n".join(thoughts) or None, others


def _extras(record: dict[str, Any], mapped: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in mapped and _present(v)}


def _call(b: TrajectoryBuilder, raw: Any, pointer: str) -> tuple[ToolCall, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise Malformed(pointer, expected("a tool call object", raw))
    function = raw.get("function")
    if not isinstance(function, str) or not function:
        raise Malformed(f"{pointer}/function", "tool call has no function name")
    call = b.call(raw.get("id"), function, raw.get("arguments"))
    if isinstance(raw.get("parse_error"), str):
        call.parse_error = call.parse_error or raw["parse_error"]
    return call, _extras(raw, _CALL_MAPPED)


def _error_text(text: str, error: dict[str, Any]) -> str:
    line = f"[error: {error.get('type', 'unknown')}] {error.get('message', '')}".rstrip()
    return f"{text}\n\n{line}" if text else line


def _add_message(b: TrajectoryBuilder, message: Any, pointer: str) -> None:
    if not isinstance(message, dict):
        raise Malformed(pointer, expected("a message object", message))
    role = message.get("role")
    if role not in ROLES:
        raise Malformed(f"{pointer}/role", f"unknown message role {role!r}")
    text, thinking, others = _content(message.get("content"), f"{pointer}/content")
    if role == "tool":
        meta = _extras(message, _TOOL_MAPPED)
        if others:
            meta["content_parts"] = others
        error = message.get("error")
        if isinstance(error, dict):
            text = _error_text(text, error)
        function = message.get("function")
        b.result(
            message.get("tool_call_id"),
            text,
            is_error=_present(error),
            name=function if isinstance(function, str) else None,
            metadata=meta,
        )
        return
    calls: list[ToolCall] = []
    meta = _extras(message, _MESSAGE_MAPPED)
    if others:
        meta["content_parts"] = others
    raw_calls = message.get("tool_calls") if role == "assistant" else None
    if raw_calls is not None:
        if not isinstance(raw_calls, list):
            raise Malformed(f"{pointer}/tool_calls", expected("a list of tool calls", raw_calls))
        extras: dict[str, Any] = {}
        for k, raw in enumerate(raw_calls):
            call, extra = _call(b, raw, f"{pointer}/tool_calls/{k}")
            calls.append(call)
            if extra:
                extras[call.id] = extra
        if extras:
            meta["tool_call_extras"] = extras
    b.step(role, text, thinking=thinking, calls=calls, metadata=meta)


# ---------------------------------------------------------------------------------------------
# Scores and answers


def _grade(value: Any) -> float | None:
    """A score value as a number, the way Inspect's metrics read it; None for dicts, lists, odd text."""
    if isinstance(value, bool | int | float):
        number = float(value)
    elif isinstance(value, str):
        word = value.strip()
        grade = _GRADES.get(word, _GRADES.get(word.lower()))
        if grade is not None:
            return grade
        try:
            number = float(word)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_REWARD else None


def _outcome(scores: dict[str, Any], error: Any) -> Outcome:
    """The first scorer is Inspect's primary one; an unscored sample that errored is an error. What each
    scorer said (value, answer, explanation) is kept in the details, hidden with the outcome."""
    if not scores:
        return Outcome("error" if _present(error) else None)
    name, first = next(iter(scores.items()))
    reward = _grade(first.get("value") if isinstance(first, dict) else first)
    grader_result = "unknown" if reward is None else {1.0: "pass", 0.0: "fail"}.get(reward, "unknown")
    said = {scorer: _said(score) for scorer, score in scores.items()}
    details: dict[str, Any] = {"source": "Inspect scores", "scorer": name, **said[name]}
    if len(said) > 1:
        details["scores"] = said
    return Outcome(grader_result, reward=reward, details=details)


def _said(score: Any) -> dict[str, Any]:
    """A score's value, answer and explanation (its metadata stays in the trajectory's `scores`)."""
    if not isinstance(score, dict):
        return {"value": score}
    return {k: score[k] for k in ("value", "answer", "explanation") if score.get(k) is not None}


def _scores(sample: dict[str, Any]) -> dict[str, Any]:
    """`scores` by scorer name; logs before multi-scorer support had a single `score`."""
    scores = sample.get("scores")
    if isinstance(scores, dict):
        return scores
    legacy = sample.get("score")
    return {"score": legacy} if isinstance(legacy, dict) else {}


def _model_patch(scores: dict[str, Any]) -> str | None:
    """SWE-bench scorers keep the agent's diff in the score's metadata as `model_patch`."""
    for score in scores.values():
        meta = score.get("metadata") if isinstance(score, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("model_patch"), str) and meta["model_patch"].strip():
            return meta["model_patch"]
    return None


def _completion(output: Any) -> str | None:
    """The model's final output, which is what Inspect's scorers judged."""
    choices = output.get("choices") if isinstance(output, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        return None
    text, _, _ = _content(message.get("content"), "/output/choices/0/message/content")
    return text or None


def _prompt(value: Any, b: TrajectoryBuilder) -> str:
    """The task statement: `input` as text, or the first user message of an input message list."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for k, message in enumerate(value):
            if not isinstance(message, dict):
                raise Malformed(f"/input/{k}", expected("a message object", message))
            text = _content(message.get("content"), f"/input/{k}/content")[0]
            if message.get("role") == "user":
                return text
            texts.append(text)
        return "\n\n".join(texts)
    return next((s.text for s in b.steps if s.role == "user"), "")


def _event_count(sample: dict[str, Any]) -> int:
    events = sample.get("events")
    transcript = sample.get("transcript")
    if events is None and isinstance(transcript, dict):  # logs before 0.3.4x kept events in `transcript`
        events = transcript.get("events")
    return len(events) if isinstance(events, list) else 0


# ---------------------------------------------------------------------------------------------
# The log


@dataclass(frozen=True)
class _Log:
    """What every sample of one log shares: the eval spec, its solver plan and the model."""

    task: str
    run_key: str
    model: str | None
    scaffold: str
    context: dict[str, Any]

    @classmethod
    def parse(cls, doc: Document, log: Any, record: str | None) -> _Log:
        """The log's shared facts; errors at pointers inside `record` (an archive member, or the whole file)."""
        spec = log.get("eval") if isinstance(log, dict) else None
        if not isinstance(spec, dict):
            raise InputError(doc.name, place(record, "/eval"), "not an Inspect eval log: no 'eval' object")
        task = spec.get("task")
        if not isinstance(task, str) or not task:
            raise InputError(doc.name, place(record, "/eval/task"), "eval log has no task name")
        run_key = next(
            (spec[k] for k in ("eval_id", "task_id", "run_id") if isinstance(spec.get(k), str) and spec[k]), doc.path.stem
        )
        model = spec.get("model") if isinstance(spec.get("model"), str) else None
        plan = log.get("plan")
        steps = plan.get("steps") if isinstance(plan, dict) else None
        solvers = [s["solver"] for s in steps or () if isinstance(s, dict) and isinstance(s.get("solver"), str)]
        dataset = spec.get("dataset")
        if isinstance(dataset, dict):  # the run-wide sample list: noise per sample, and some writers omit it
            spec = {**spec, "dataset": {k: v for k, v in dataset.items() if k != "sample_ids"}}
        context = {
            k: v
            for k, v in (("log_version", log.get("version")), ("eval", _extras(spec, frozenset())), ("plan", plan))
            if _present(v)
        }
        scaffold = "inspect_ai/" + "+".join(solvers) if solvers else "inspect_ai"
        return cls(task, run_key, model[:MAX_ID] if model else None, scaffold[:MAX_ID], context)

    def trajectory(self, sample: Any, has_refs: bool) -> Trajectory:
        if not isinstance(sample, dict):
            raise Malformed("", expected("a sample object", sample))
        sample_id, epoch = sample.get("id"), sample.get("epoch", 1)
        if isinstance(sample_id, bool) or not isinstance(sample_id, str | int) or sample_id == "":
            raise Malformed("/id", "sample has no id (string or integer)")
        if isinstance(epoch, bool) or not isinstance(epoch, int):
            raise Malformed("/epoch", expected("an integer", epoch))
        messages = sample.get("messages")
        if not isinstance(messages, list):
            raise Malformed("/messages", expected("a list of messages", messages))
        if not messages:
            raise Malformed("/messages", "sample has no messages: nothing to review")
        attachments = _Attachments(sample.get("attachments"))
        kept = {k: v for k, v in sample.items() if k not in _BULKY}
        if has_refs:  # known from the raw bytes: walking every string of every sample is the slow part
            kept = attachments.resolve(kept)
        b = TrajectoryBuilder(solution_in_replies=True)
        for k, message in enumerate(kept["messages"]):
            _add_message(b, message, f"/messages/{k}")
        b.notes.extend(attachments.missing)
        scores = _scores(kept)
        sample_metadata = kept.get("metadata")
        repo = sample_metadata.get("repo") if isinstance(sample_metadata, dict) else None  # SWE-bench style datasets
        metadata = {("sample_metadata" if k == "metadata" else k): v for k, v in _extras(kept, _SAMPLE_MAPPED).items()}
        if count := _event_count(sample):
            metadata["event_count"] = count
        return b.build(
            id=f"{self.task}/{self.run_key}/{sample_id}/epoch-{epoch}",
            prompt=_prompt(kept.get("input"), b),
            task_id=f"{self.task}/{sample_id}"[:MAX_ID],
            repo=repo[:MAX_ID] if isinstance(repo, str) else None,
            instance=str(sample_id)[:MAX_ID],
            model=self.model,
            scaffold=self.scaffold,
            outcome=_outcome(scores, kept.get("error")),
            final_patch=_model_patch(scores),
            final_answer=_completion(kept.get("output")),
            metadata={"inspect": self.context, **metadata},
        )

    def sample(self, doc: Document, record: str, sample: Any, has_refs: bool) -> Trajectory | InputError:
        """One sample's trajectory, or the error at its place: a bad sample must not stop the others."""
        return guarded(doc, record, lambda: self.trajectory(sample, has_refs))


def _read_json(doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    try:
        log = _Log.parse(doc, doc.value, None)
    except InputError as exc:
        yield None, exc
        return
    samples = doc.value.get("samples")
    if not isinstance(samples, list) or not samples:
        status = doc.value.get("status")
        yield "/samples", InputError(doc.name, "/samples", f"eval log has no samples to import (status {status!r})")
        return
    has_refs = ATTACHMENT_REF in doc.data
    for k, sample in enumerate(samples):
        yield f"/samples/{k}", log.sample(doc, f"/samples/{k}", sample, has_refs)


def _over_limits(doc: Document, infos: list[zipfile.ZipInfo]) -> InputError | None:
    """The archive's own account of its members against the limits (the end record may understate
    the count; each member's declared size is kept to as it is read)."""
    budget = ARCHIVE_EXPANSION * doc.max_bytes
    expanded = sum(info.file_size for info in infos)
    if expanded > budget:
        return InputError(
            doc.name,
            None,
            f"zip archive's members expand to {expanded:,} bytes, over the {budget:,}-byte limit for an archive"
            f" ({ARCHIVE_EXPANSION} x the {doc.max_bytes:,}-byte file limit)",
        )
    return _too_many_members(doc, len(infos))


def _read_eval(doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
    if refused := _too_many_members(doc, _declared_members(doc.data)):
        yield None, refused
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(doc.data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        yield None, InputError(doc.name, None, f"not a readable .eval zip archive (truncated or corrupt?): {exc}")
        return
    with archive:
        members = _Archive(doc, archive)
        infos = archive.infolist()
        if refused := _over_limits(doc, infos):
            yield None, refused
            return
        names = {info.filename: info for info in infos}
        header = names.get(HEADER) or names.get(JOURNAL_START)  # a log still running has only its journal
        if header is None:
            yield (
                None,
                InputError(doc.name, None, f"zip archive has neither {HEADER} nor {JOURNAL_START}: not an Inspect .eval log"),
            )
            return
        try:
            log = _Log.parse(doc, members.json(header), header.filename)
        except InputError as exc:
            yield header.filename, exc
            return
        samples = [info for info in infos if _SAMPLE_MEMBER.fullmatch(info.filename)]
        chunked = sorted({m.group(1) for info in infos if (m := _CHUNKED_MEMBER.fullmatch(info.filename))})
        if not samples and not chunked:
            yield None, InputError(doc.name, None, "eval log has no samples to import")
        for info in samples:
            yield info.filename, _member_sample(doc, members, log, info)
        for folder in chunked:
            yield folder, InputError(doc.name, folder, "chunked sample layout (a folder per sample) is not supported yet")


def _member_sample(doc: Document, members: _Archive, log: _Log, info: zipfile.ZipInfo) -> Trajectory | InputError:
    try:
        data = members.read(info)
        sample = members.json(info, data)
    except InputError as exc:
        return exc
    return log.sample(doc, info.filename, sample, ATTACHMENT_REF in data)


class InspectAiFormat:
    name = "inspect_ai"
    suffixes: tuple[str, ...] = (".eval", ".json")

    def sniff(self, doc: Document) -> bool:
        if doc.data.startswith(ZIP_MAGIC):
            return _is_eval_zip(doc.data)
        if doc.looks_like_jsonl():
            return False
        return _is_json_log(doc.value)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        if doc.data.startswith(ZIP_MAGIC):
            yield from _read_eval(doc)
        else:
            yield from _read_json(doc)
