"""Aider chat history: `.aider.chat.history.md`, the Markdown log Aider appends to in the repository.

Every run starts a session, `# aider chat started at <time>`; each session is one trajectory. Aider
writes what the person typed as `#### ` lines, its own console output as `> ` lines (a multi-line
message either repeats `> ` on each line or continues unprefixed until a line ending in the two
spaces of a Markdown line break), and the model's reply as plain text after a blank line. So a reply
is told from the console by that blank line, and nothing inside a fenced code block is taken for
console output or input.

A reasoning model's thinking, which Aider writes into the reply between its reasoning tags, is the
step's thinking; the rest is the reply. Edits are the reply's SEARCH/REPLACE blocks (the file named on
the line before the fence), kept one edit per block with source `message`; in the `whole` edit format
(named in the session's `Model: … with whole edit format` line), each file listed whole after its name.
Whether each happened is read from the console lines after the reply, as Aider words them: `Applied edit
to <file>`; `SearchReplaceNoExactMatch` with the block that failed (and `The other N SEARCH/REPLACE
blocks were applied successfully` for the rest); `The LLM did not conform to the edit format` alone
(nothing applied); `Skipping edits to <file>` and `Did not apply edit to <file> (--dry-run)`. A reply
nothing answers stays `unknown`. `/run`, `/test` and `!` commands become shell calls answered by the
output that follows them; a reply's shell commands the person let Aider run (`Running <command>`) are
calls too, answered only when Aider says they failed (it does not write their output).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewer.edits import make_diff
from reviewer.formats.build import TrajectoryBuilder
from reviewer.formats.search_replace import DIVIDER, REPLACE, SEARCH, Block, apply_blocks, blocks_diff, parse_blocks
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Step, Trajectory

HISTORY = ".aider.chat.history.md"
_HEADER_TEXT = "# aider chat started at "
# What a line names (a date, a file, a command) ends on a character that is not whitespace (`.*?\S`, here
# and below): a lazy `.+?` before `\s*$` ended at every place inside a run of spaces and read the rest of
# the run each time, quadratic in a hostile line. A name of whitespace alone is no name.
_HEADER = re.compile(rf"^{_HEADER_TEXT}(.*?\S)\s*$")
_CONSOLE = re.compile(r"^>( |$)")
_USER = re.compile(r"^####( |$)")
# Aider fences its blocks with ``` or ~~~, and for some models with an HTML-like tag pair (its wrap
# fences, `base_coder.all_fences`: source, code, pre, codeblock, sourcecode), opening or closing.
_FENCE = re.compile(r"^ {0,3}(```|~~~|</?(?:source|code|pre|codeblock|sourcecode)>)")
_COMMAND = re.compile(r"^(?:/(?:run|test)\s+|!)(.+)$", re.DOTALL)
_MODEL = re.compile(r"^(?:Main model|Models|Model): (\S+) with (\S+) edit format")
_VERSION = re.compile(r"^Aider (v\S+)")
_APPLIED = re.compile(r"^Applied edit to (.*?\S)\s*$", re.MULTILINE)
_SKIPPED = re.compile(r"^(?:Skipping edits to (.*?\S)|Did not apply edit to (.+?) \(--dry-run\))\s*$", re.MULTILINE)
_NO_MATCH = re.compile(
    r"^## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in (.*?\S)\s*$", re.MULTILINE
)
_OTHERS_APPLIED = re.compile(r"^# The other \d+ SEARCH/REPLACE blocks? were applied successfully", re.MULTILINE)
_NONCONFORMING = "The LLM did not conform to the edit format."
# Aider names a new file on one line and asks on the next; `y` creates it.
_CREATED = re.compile(r"^(.*?\S)\s*\nCreate new file\? \(Y\)es/\(N\)o \[Yes\]: y\s*$", re.MULTILINE)
_EXITED = re.compile(r"exited with status (\d+)")
_RUN_ASKED = re.compile(r"^Run shell commands?(?:\(s\))?\? .*?(\w+)\s*$")
_RUNNING = re.compile(r"^Running (.*?\S)\s*$")
_FAILED_RUN = re.compile(r"^Command '(.+)' exited with status [1-9]\d*\s*$")
_SNIFF_CHARS = 64 * 1024
# Aider ends a console message with the Markdown line break after its last non-blank character (it
# strips the message first), so an output line of spaces alone does not end it.
_LAST_LINE = re.compile(r"(?:\S|^>\s*)  $")
_MODELINE = re.compile(r"^-\*- .* -\*-\s*$")  # Emacs mode line some history files start with
# A reasoning model's thinking, as Aider writes it into the reply (`reasoning_tags.REASONING_TAG`), or in
# the model's own `<think>` tag (Aider's `reasoning_tag` setting); Aider strips it before reading edits.
_REASONING = re.compile(r"<(thinking-content-[0-9a-f]+|think)>\s*(.*?)\s*</\1>\s*", re.DOTALL)


def is_history(doc: Document) -> bool:
    """A session header at the start of a line near the top (found by substring first: every file a
    folder walk offers is asked)."""
    if _HEADER_TEXT.encode() not in doc.data[:_SNIFF_CHARS]:
        return False
    head = doc.data[:_SNIFF_CHARS].decode("utf-8", errors="replace")  # a history badly encoded is still ours: reading says where
    return any(_HEADER.match(line) for line in head.splitlines())


@dataclass
class _Block:
    """A run of lines of one kind: `user`, `console` or `reply`, with the line it started on."""

    kind: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n")


@dataclass
class _Session:
    started: str | None
    line: int
    blocks: list[_Block] = field(default_factory=list)


def _strip_break(line: str) -> str:
    return line[:-2] if line.endswith("  ") else line


def sessions(text: str) -> list[_Session]:
    """The sessions of a history file, each a list of blocks (the part before the first header is a
    session too, when the file was cut)."""
    found = [_Session(None, 1)]
    lines = text.split("\n")
    i = 0
    fenced = False
    while i < len(lines):
        line, number = lines[i], i + 1
        i += 1
        session = found[-1]
        last = session.blocks[-1] if session.blocks else None
        header = _HEADER.match(line)
        if number == 1 and _MODELINE.match(line):
            continue
        if header:
            found.append(_Session(header.group(1), number))
            fenced = False
            continue
        if last is not None and last.kind == "reply" and not _ends_reply(lines, i - 1, fenced):
            last.lines.append(line)  # blank lines too: a reply has paragraphs
            fenced = fenced != bool(_FENCE.match(line))
            continue
        if _USER.match(line):
            block = last if last is not None and last.kind == "user" and lines[i - 2].strip() else None
            if block is None:
                block = _Block("user", number)
                session.blocks.append(block)
            block.lines.append(_strip_break(line[5:] if len(line) > 4 else ""))
        elif _CONSOLE.match(line):
            block = last if last is not None and last.kind == "console" else None
            if block is None:
                block = _Block("console", number)
                session.blocks.append(block)
            block.lines.append(_strip_break(line)[2:])
            if not _LAST_LINE.search(line):
                end = _continuation_end(lines, i)  # an unprefixed continuation of a multi-line message
                block.lines += [_strip_break(more) for more in lines[i:end]]
                i = end
        elif line.strip():
            block = _Block("reply", number, [line])
            session.blocks.append(block)
            fenced = bool(_FENCE.match(line))
    return [s for s in found if any(b.kind in ("user", "reply") for b in s.blocks)]


def _continuation_end(lines: list[str], start: int) -> int:
    """Where the unprefixed continuation of the console message on line `start - 1` ends (exclusive): at
    the first line ending in Aider's line break. When a typed line, a header or the next whole console
    message after a blank line comes first, the message was that one line and its break was lost (an
    editor stripping trailing spaces from the committed history): what follows, a reply say, is not
    output. (Output may hold `> ` lines of its own: pytest quotes the failing source that way.)"""
    for k in range(start, len(lines)):
        line = lines[k]
        next_message = _CONSOLE.match(line) and _LAST_LINE.search(line) and not lines[k - 1].strip()
        if _HEADER.match(line) or _USER.match(line) or next_message:
            return start
        if _LAST_LINE.search(line):
            return k + 1
    return len(lines)


def _ends_reply(lines: list[str], index: int, fenced: bool) -> bool:
    """A reply ends at a line the person typed (Aider writes it after an empty line, ending in a Markdown
    line break: even inside a code block, where an interrupted reply stops), or outside a code block at
    console output after an empty line; a `> ` line inside a paragraph is a Markdown quote."""
    line = lines[index]
    after_blank = index > 0 and not lines[index - 1].strip()
    typed = bool(_USER.match(line)) and (not fenced or (after_blank and line.endswith("  ")))
    return typed or (not fenced and bool(_CONSOLE.match(line)) and after_blank)


# --- edits ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Edit:
    """One SEARCH/REPLACE block of a file, or (`whole`) the file's whole new content as `block.replace`."""

    path: str
    block: Block
    whole: bool = False


def reply_edits(text: str) -> list[_Edit]:
    """The SEARCH/REPLACE blocks of a reply, each with the file named before it (Aider's rule: the line
    before the fence, or before the block; a later block of the same fence keeps the last file)."""
    lines = text.split("\n")
    found: list[_Edit] = []
    path: str | None = None
    i = 0
    while i < len(lines):
        if not SEARCH.match(lines[i]):
            i += 1
            continue
        named = _filename(lines, i)
        path = named or path
        end = i + 1
        while end < len(lines) and not REPLACE.match(lines[end]):
            end += 1
        blocks, complete = parse_blocks("\n".join(lines[i : end + 1]) + "\n")
        if path is not None and complete:
            found += [_Edit(path, block) for block in blocks]
        i = end + 1
    return found


def whole_edits(text: str) -> list[_Edit]:
    """The files of a reply in Aider's `whole` edit format (`wholefile_coder.get_edits`): each fenced
    block is the whole new content of the file named on the line before its fence; the first block of a
    file wins. A block with no name before it is left out (Aider takes the file then from the chat's
    files, which the history does not list)."""
    lines = text.split("\n")
    found: dict[str, _Edit] = {}
    name: str | None = None
    content: list[str] = []
    for i, line in enumerate(lines):
        if not _FENCE.match(line):
            content.append(line)
            continue
        if name is not None:
            if name:
                found.setdefault(name, _Edit(name, Block("", "".join(f"{x}\n" for x in content)), whole=True))
            name = None
            continue
        name = lines[i - 1].strip().strip("*").rstrip(":").strip("`").lstrip("#").strip() if i > 0 else ""
        content = []
    if name:  # cut short: Aider writes what came
        found.setdefault(name, _Edit(name, Block("", "".join(f"{x}\n" for x in content)), whole=True))
    return list(found.values())


def _filename(lines: list[str], at: int) -> str | None:
    for back in (1, 2):
        if at - back < 0:
            return None
        candidate = lines[at - back].strip()
        if _FENCE.match(candidate) and back == 1:
            continue
        name = candidate.strip("`*#: ")
        if (
            name
            and not DIVIDER.match(candidate)
            and not REPLACE.match(candidate)
            and " " not in name
            and not _FENCE.match(candidate)
        ):
            return name
        return None
    return None


def _statuses(edits: list[_Edit], console: str) -> list[str]:
    """Each edit's status from the console output after its reply, worded as Aider words it."""
    if not edits:
        return []
    failed = {(path.strip(), block.search) for path, chunk in _no_match_chunks(console) for block in parse_blocks(chunk)[0]}
    skipped = {a or b for a, b in _SKIPPED.findall(console)}
    applied = set(_APPLIED.findall(console))
    statuses = []
    for edit in edits:
        if edit.path in skipped or (edit.path, edit.block.search) in failed:
            statuses.append("failed")
        elif edit.path in applied or (failed and _OTHERS_APPLIED.search(console)):
            statuses.append("applied")
        elif _NONCONFORMING in console:
            statuses.append("failed")  # the reply could not be applied at all
        else:
            statuses.append("unknown")
    return statuses


def _no_match_chunks(console: str) -> Iterator[tuple[str, str]]:
    matches = list(_NO_MATCH.finditer(console))
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(console)
        yield match.group(1), console[match.end() : end]


@dataclass
class _Files:
    known: dict[str, str] = field(default_factory=dict)  # contents a reply's applied blocks made

    def edit(self, edit: _Edit, step: int, status: str, created: set[str]) -> FileEdit:
        path, block = edit.path, edit.block
        if edit.whole:
            return self._whole(path, block.replace, step, status, created)
        op = "create" if not block.search and path not in self.known else "modify"
        before = self.known.get(path, "" if op == "create" else None)
        after = apply_blocks(before, [block]) if before is not None and status == "applied" else None
        if status == "applied":
            if after is None:
                self.known.pop(path, None)  # Aider matched it another way: the file is no longer known
            else:
                self.known[path] = after
        diff = make_diff(path, before, after) if before is not None and after is not None else blocks_diff(path, [block])
        return FileEdit(path, step, before if after is not None else None, after, diff, "message", op, status)

    def _whole(self, path: str, content: str, step: int, status: str, created: set[str]) -> FileEdit:
        """The file written whole: new when Aider asked to create it, else its content before is what an
        earlier reply of the session made it, or unknown."""
        op = "create" if path in created else "modify"
        before = "" if op == "create" else self.known.get(path)
        if status == "applied":
            self.known[path] = content
        diff = make_diff(path, before, content) if before is not None else None
        return FileEdit(path, step, before, content, diff, "message", op, status)


# --- sessions to trajectories ---------------------------------------------------------------------


def _trajectory(session: _Session, id: str) -> Trajectory:
    b = TrajectoryBuilder()
    files = _Files()
    models: list[str] = []
    facts: dict[str, Any] = {"started_at": session.started, "line": session.line}
    pending: tuple[Step, list[_Edit]] | None = None  # the last reply and its edits, until the console answers
    command = None
    for block in session.blocks:
        text = block.text
        if block.kind == "console":
            for line in block.lines:
                if (found := _MODEL.match(line)) and found.group(1) not in models:
                    models.append(found.group(1))
                    facts.setdefault("edit_format", found.group(2))
                if (found := _VERSION.match(line)) and "aider_version" not in facts:
                    facts["aider_version"] = found.group(1)
            if command is not None:
                exited = _EXITED.search(text)
                b.result(command, text, is_error=bool(exited and exited.group(1) != "0"), metadata={"line": block.line})
                command = None
                continue
            confirmed = _confirmed_commands(block.lines)
            ran = [b.call(f"line-{block.line}-{k}", "bash", {"command": c}) for k, (c, _) in enumerate(confirmed)]
            b.step("system", text, calls=ran, metadata={"aider_output": True, "line": block.line})
            for call, (_, failure) in zip(ran, confirmed, strict=True):
                if failure is not None:  # Aider says only when it failed: otherwise the outcome is unknown
                    b.result(call.id, failure, is_error=True, metadata={"line": block.line})
            if pending is not None:
                _settle(b, files, pending, text)
                pending = None
            continue
        if pending is not None:
            _settle(b, files, pending, "")
            pending = None
        if block.kind == "user":
            run = _COMMAND.match(text)
            calls = [b.call(f"line-{block.line}", "bash", {"command": run.group(1).strip()})] if run else []
            step = b.step("user", text, calls=calls, metadata={"line": block.line})
            command = calls[0].id if calls else None
        else:
            command = None
            thinking, answer = _reasoning(text)
            step = b.step("assistant", answer, thinking=thinking, metadata={"line": block.line})
            pending = (step, whole_edits(answer) if facts.get("edit_format") == "whole" else reply_edits(answer))
    if pending is not None:
        _settle(b, files, pending, "")
    users = [s for s in b.steps if s.role == "user" and not s.text.startswith(("/", "!"))]
    last = next((s.text for s in reversed(b.steps) if s.role == "assistant"), None)
    if len(models) > 1:
        facts["models"] = models
    return b.build(
        id=id, prompt=(users[0].text if users else ""), model=models[0] if models else None, scaffold="aider",
        final_answer=last, metadata=facts,
    )  # fmt: skip


def _confirmed_commands(console: list[str]) -> list[tuple[str, str | None]]:
    """The shell commands a reply suggested that the person let Aider run (`Running <command>` after a
    `Run shell command(s)?` answered yes), each with Aider's `Command '<command>' exited with status N`
    line when it failed. Aider writes no output of theirs into the history."""
    found: list[tuple[str, str | None]] = []
    confirmed = False
    for line in console:
        if (asked := _RUN_ASKED.match(line)) is not None:
            confirmed = asked.group(1).lower() in ("y", "yes", "a", "all")
        elif confirmed and (running := _RUNNING.match(line)) is not None:
            found.append((running.group(1), None))
        elif (failed := _FAILED_RUN.match(line)) is not None:
            found = [(c, line if c == failed.group(1) and seen is None else seen) for c, seen in found]
    return found


def _settle(b: TrajectoryBuilder, files: _Files, pending: tuple[Step, list[_Edit]], console: str) -> None:
    """The edits of a reply, with what the console said happened to them (nothing said: unknown)."""
    step, edits = pending
    created = set(_CREATED.findall(console))
    for edit, status in zip(edits, _statuses(edits, console) if console else ["unknown"] * len(edits), strict=True):
        b.add_edit(files.edit(edit, step.index, status, created))


def _reasoning(reply: str) -> tuple[str | None, str]:
    """A reply's thinking (Aider's reasoning tags) apart from its answer, which alone holds the edits."""
    thinking = [found.group(2) for found in _REASONING.finditer(reply)]
    return ("\n\n".join(thinking) or None, _REASONING.sub("", reply).strip("\n")) if thinking else (None, reply)


def _ids(found: list[_Session]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for session in found:
        base = f"aider-{session.started.replace(' ', 'T')}" if session.started else "aider-before-first-session"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


class AiderFormat:
    name = "aider"
    suffixes: tuple[str, ...] = (HISTORY,)

    def sniff(self, doc: Document) -> bool:
        return is_history(doc)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        try:
            found = sessions(doc.text)
        except InputError as exc:
            yield None, exc
            return
        if not found:
            yield None, InputError(doc.name, None, "Aider chat history without any message typed or answered")
            return
        for session, id in zip(found, _ids(found), strict=True):
            yield str(session.line), _trajectory(session, id)
