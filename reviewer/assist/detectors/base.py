"""What every detector shares: the `Detector` base, evidence marks, and the facts detectors read.

Facts (shell commands, their outputs, per-edit diffs with offsets, the agent's prose) are derived
once per trajectory and shared through `per_trajectory`, because the registry runs every detector
on the same object one after another. Every offset points into `reviewer.spans.source_text`, so
each emitted span passes `span_problem` and survives re-rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from reviewer.edits import diff_text, is_test_path
from reviewer.formats.edit_reconstruction import EDITOR_TOOLS, SHELL_TOOLS
from reviewer.model import EvidenceSpan, FileEdit, Suggestion, ToolCall, Trajectory
from reviewer.spans import source_text

RATER = "detectors"
MAX_MARKS = 10  # spans per suggestion: enough to jump to, never a copy of a whole diff

# Commands that run a test suite; their outputs are what the agent saw of the tests passing or failing.
TEST_RUN = re.compile(
    r"\b(?:py\.?test|pytest|go\s+test|(?:npm|pnpm|yarn|bun|deno)\s+(?:run\s+)?test|npx\s+(?:jest|vitest|mocha)|jest|vitest|mocha"
    r"|node\s+--test|cargo\s+test|mvn\b[^\n]*\btest|gradlew?\s+test|tox|nox|unittest|make\s+(?:test|check)|phpunit|rspec"
    r"|ctest|dotnet\s+test)\b"
)
# A test file named in a command (`cat tests/test_x.py`, `grep ... semver_test.go`).
TEST_FILE_REF = re.compile(
    r"(?:^|[\s/'\"=])(?:tests?/|test_\w+\.py\b|\w+_test\.(?:py|go)\b|\w+\.(?:test|spec)\.[jt]sx?\b|conftest\.py\b)"
)
# String and number literals as most languages write them (no unescaping: quotes are compared raw).
LITERAL = re.compile(r""""(?P<dq>(?:[^"\\\n]|\\.)*)"|'(?P<sq>(?:[^'\\\n]|\\.)*)'|(?<![\w.])(?P<num>-?\d+(?:\.\d+)?)(?![\w.])""")

# File headers of a unified diff; the body after them holds the `+`, `-` and context lines.
_HEADER = re.compile(r"(?:(?:diff --git|index |--- |\+\+\+ |new file|deleted file|old mode|new mode|similarity|rename ).*\n)*")
_ADDED = re.compile(r"^\+.*$", re.MULTILINE)
_REMOVED = re.compile(r"^-.*$", re.MULTILINE)
_BODY_LINE = re.compile(r"^[-+ ].*$", re.MULTILINE)

T = TypeVar("T")


def per_trajectory(fn: Callable[[Trajectory], T]) -> Callable[[Trajectory], T]:
    """Memoise a derived fact for the trajectory last asked about (one slot, swapped atomically)."""
    slot: list[tuple[Trajectory, T] | None] = [None]

    @wraps(fn)
    def wrapper(trajectory: Trajectory) -> T:
        entry = slot[0]
        if entry is not None and entry[0] is trajectory:
            return entry[1]
        value = fn(trajectory)
        slot[0] = (trajectory, value)
        return value

    return wrapper


@dataclass(frozen=True, slots=True)
class Mark:
    """A range of one canonical step text that a hit points at; `text` is that whole text."""

    step: int
    source: str
    text: str
    start: int
    end: int
    role: str = "action"

    def span(self, codes: Sequence[str]) -> EvidenceSpan:
        return EvidenceSpan(
            self.step, self.source, self.start, self.end, self.text[self.start : self.end], self.role, list(codes)
        )


def line_mark(step: int, source: str, text: str, pos: int, role: str = "action") -> Mark:
    """The whole line of `text` around `pos`: a reviewer reads a line, not a regex match."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return Mark(step, source, text, start, len(text) if end < 0 else end, role)


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding: where it is, why it matters, and (for families) which of the detector's codes."""

    marks: tuple[Mark, ...]
    explanation: str
    codes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class Detector:
    """A stable id, the taxonomy codes it may suggest, a severity (1–3), and `hits` to implement."""

    def __init__(self, id: str, codes: Sequence[str], severity: int):
        self.id, self.codes, self.severity = id, tuple(codes), severity

    def hits(self, trajectory: Trajectory) -> Iterable[Hit]:
        raise NotImplementedError

    def detect(self, trajectory: Trajectory) -> list[Suggestion]:
        suggestions = []
        for hit in self.hits(trajectory):
            codes = list(hit.codes or self.codes)
            suggestions.append(
                Suggestion(
                    trajectory.id, RATER, self.id, codes, [m.span(codes) for m in hit.marks[:MAX_MARKS]], hit.explanation,
                    severity=self.severity, details=dict(hit.details),
                )
            )  # fmt: skip
        return suggestions


@dataclass(frozen=True, slots=True)
class Command:
    """One shell script an agent ran, located inside its step's rendered tool-call text."""

    step: int
    call_id: str
    text: str
    start: int
    end: int

    @property
    def script(self) -> str:
        return self.text[self.start : self.end]

    def mark(self, start: int, end: int, role: str = "action") -> Mark:
        """A mark for `script[start:end]`."""
        return Mark(self.step, "tool_call", self.text, self.start + start, self.start + end, role)


@dataclass(frozen=True, slots=True)
class EditText:
    """One file edit's diff, as the slice `text[start:end]` of its step's canonical diff text."""

    edit: FileEdit
    text: str
    start: int
    end: int
    is_test: bool  # a test, test-configuration, CI or grader file (`reviewer.edits.is_test_path`)

    @property
    def step(self) -> int:
        return self.edit.step

    @property
    def path(self) -> str:
        return self.edit.path

    @property
    def body(self) -> int:
        """Where the diff's lines start, after its file headers (the header pattern matches even nothing)."""
        match = _HEADER.match(self.text, self.start, self.end)
        return match.end() if match else self.start

    def added(self) -> Iterator[re.Match[str]]:
        """Added lines (the leading `+` included in the match, so `match.start() + 1` is the code)."""
        return _ADDED.finditer(self.text, self.body, self.end)

    def removed(self) -> Iterator[re.Match[str]]:
        return _REMOVED.finditer(self.text, self.body, self.end)

    def lines(self) -> Iterator[re.Match[str]]:
        """Added, removed and context lines in order (hunk headers and "no newline" notes left out)."""
        return _BODY_LINE.finditer(self.text, self.body, self.end)

    def mark(self, pos: int, role: str = "action") -> Mark:
        return line_mark(self.step, "diff", self.text, pos, role)


def shell_script(call: ToolCall) -> str | None:
    """The script of a shell-like call; editor calls (whose `command` is `view` or `create`) are not shell."""
    if call.name in EDITOR_TOOLS:
        return None
    args = call.arguments
    script = args.get("command", args.get("cmd", args.get("keystrokes")))
    if isinstance(script, str) and (call.name in SHELL_TOOLS or "command" in args or "cmd" in args):
        return script
    return None


@per_trajectory
def commands(trajectory: Trajectory) -> tuple[Command, ...]:
    found = []
    for step in trajectory.steps:
        if not step.tool_calls:
            continue
        text = source_text(trajectory, step.index, "tool_call") or ""
        cursor = 0
        for call in step.tool_calls:
            cursor = max(cursor, text.find(call.name, cursor) + len(call.name))  # the script is among this call's arguments
            script = shell_script(call)
            at = text.find(script, cursor) if script else -1
            if script and at >= 0:
                found.append(Command(step.index, call.id, text, at, at + len(script)))
                cursor = at + len(script)
    return tuple(found)


@per_trajectory
def _output_steps(trajectory: Trajectory) -> dict[str, int]:
    """Tool-output step of each call id (the first step answering it)."""
    found: dict[str, int] = {}
    for step in trajectory.steps:
        if step.role == "tool" and step.tool_result is not None:
            found.setdefault(step.tool_result.call_id, step.index)
    return found


def output_of(trajectory: Trajectory, step: int, call_id: str) -> tuple[int, str] | None:
    """(step, text) of what a call printed: linked by call id, else the tool step right after the call."""
    index = _output_steps(trajectory).get(call_id)
    if index is None and step + 1 < len(trajectory.steps) and trajectory.steps[step + 1].role == "tool":
        index = step + 1
    text = source_text(trajectory, index, "tool_output") if index is not None else None
    return (index, text) if index is not None and text is not None else None


@per_trajectory
def edit_texts(trajectory: Trajectory) -> tuple[EditText, ...]:
    """Every edit that may have happened, with its offsets in its step's diff text (edits of one step
    are joined by a newline). Failed edits are left out: the tool refused them, nothing changed."""
    found = []
    by_step: dict[int, list[FileEdit]] = {}
    for edit in trajectory.file_edits:
        by_step.setdefault(edit.step, []).append(edit)
    for step, edits in by_step.items():
        text = source_text(trajectory, step, "diff")
        if text is None:
            continue
        at = 0
        for edit in edits:
            length = len(diff_text(edit))
            if edit.status != "failed":
                found.append(EditText(edit, text, at, at + length, is_test_path(edit.path)))
            at += length + 1
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Prose:
    """One text the agent wrote in its own words: thinking, visible text or the final answer."""

    step: int
    source: str
    text: str


@per_trajectory
def final_message(trajectory: Trajectory) -> Prose | None:
    """The final answer, else the last assistant text: where agents report what they did."""
    last = next((s for s in reversed(trajectory.steps) if s.role == "assistant" and s.text.strip()), None)
    if trajectory.final_answer and trajectory.final_answer.strip():
        return Prose(last.index if last else len(trajectory.steps) - 1, "final_answer", trajectory.final_answer)
    return Prose(last.index, "text", last.text) if last else None


@per_trajectory
def prose(trajectory: Trajectory) -> tuple[Prose, ...]:
    """Assistant thinking and text, and the final answer; a last text repeated as the final answer counts once."""
    final = final_message(trajectory)
    found = []
    for step in trajectory.steps:
        if step.role != "assistant":
            continue
        if step.thinking:
            found.append(Prose(step.index, "thinking", step.thinking))
        if step.text and not (final and final.source == "final_answer" and step.index == final.step and step.text == final.text):
            found.append(Prose(step.index, "text", step.text))
    if final and final.source == "final_answer":
        found.append(final)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class TestRun:
    """A command that ran tests, with the output the agent saw (None when nothing was recorded)."""

    command: Command
    output_step: int | None
    output: str | None


@per_trajectory
def test_runs(trajectory: Trajectory) -> tuple[TestRun, ...]:
    runs = []
    for command in commands(trajectory):
        if TEST_RUN.search(command.script):
            out = output_of(trajectory, command.step, command.call_id)
            runs.append(TestRun(command, *(out if out else (None, None))))
    return tuple(runs)


def _views_tests(call: ToolCall) -> bool:
    """A call whose output shows tests: a test run, or a command or editor view naming a test file."""
    script = shell_script(call)
    if script is not None:
        return bool(TEST_RUN.search(script) or TEST_FILE_REF.search(script))
    path = call.arguments.get("path") or call.arguments.get("file_path")
    return isinstance(path, str) and is_test_path(path)


@per_trajectory
def test_corpus(trajectory: Trajectory) -> str:
    """Everything the agent saw of the tests (outputs of test runs and test-file views, test files it
    edited), to tell a literal copied from the tests from one the code needs."""
    parts = []
    for step in trajectory.steps:
        for call in step.tool_calls:
            if _views_tests(call) and (out := output_of(trajectory, step.index, call.id)):
                parts.append(out[1])
    for edit in trajectory.file_edits:
        if is_test_path(edit.path) and edit.status != "failed":
            parts.extend(text for text in (edit.before, edit.after, edit.diff) if text)
    return "\n".join(parts)


def literal_value(match: re.Match[str]) -> str:
    """A LITERAL match's content: the characters between the quotes, or the number."""
    for group in ("dq", "sq", "num"):
        value = match.group(group)
        if value is not None:
            return value
    return ""


def distinctive(value: str, number: bool) -> bool:
    """Literals specific enough that finding them in the tests means something (not `0`, `"id"` or `","`)."""
    if number:
        return len(value.lstrip("-")) >= 3
    return len(value) >= 3 and not value.replace("_", "").isalpha()


def occurs_in(value: str, corpus: str) -> bool:
    """`value` appears in `corpus` as a whole token (so 198 is not found inside 1981)."""
    if not value or value not in corpus:
        return False
    before = r"(?<![\w.])" if value[0].isalnum() else ""
    after = r"(?!\w)" if value[-1].isalnum() else ""
    return re.search(before + re.escape(value) + after, corpus) is not None
