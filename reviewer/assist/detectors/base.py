"""What every detector shares: the `Detector` base, evidence marks, and the facts detectors read.

Facts (shell commands, their outputs, per-edit diffs with offsets, the agent's prose, the recorded
test runs, what the run was shown of the tests, the files it created or undid) are derived once per
trajectory and shared through `per_trajectory`, because the registry runs every detector on the
same object one after another. Failed edits are never among them: the tool refused them. Every offset points into
`reviewer.spans.source_text`, so each emitted span passes `span_problem` and survives re-rendering.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, NamedTuple, TypeVar

from reviewer.edits import diff_text, unified_diff
from reviewer.formats.edit_reconstruction import EDITOR_TOOLS, SHELL_TOOLS
from reviewer.model import EvidenceSpan, FileEdit, Suggestion, TestRun, ToolCall, Trajectory
from reviewer.spans import source_text
from reviewer.test_paths import is_test_path
from reviewer.test_runs import find_test_runs
from reviewer.test_runs.commands import only_views, prompt_scripts, runner_of, simple_commands
from reviewer.unidiff import LineKind, classify
from reviewer.workspace import NetChange, net_changes

RATER = "detectors"
MAX_MARKS = 10  # spans per suggestion: enough to jump to, never a copy of a whole diff

# String and number literals as most languages write them (no unescaping: quotes are compared raw).
LITERAL = re.compile(r""""(?P<dq>(?:[^"\\\n]|\\.)*)"|'(?P<sq>(?:[^'\\\n]|\\.)*)'|(?<![\w.])(?P<num>-?\d+(?:\.\d+)?)(?![\w.])""")

# File headers of a unified diff; the body after them holds the `+`, `-` and context lines.
_LINE = re.compile(r"^.+$", re.MULTILINE)  # a body line has its marker (an empty one is no line a caller reads)
_BODY = (LineKind.CONTEXT, LineKind.ADDED, LineKind.REMOVED)
_CONTENT_LINE = re.compile(r"\n[^\n]*")

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
    """One finding: where it is, why it matters, and (for families) which of the detector's codes.

    `confidence` overrides the detector's own when this hit is stronger or weaker than its usual one
    (a special case that also returns the test's expected value; a web search for a plain API)."""

    marks: tuple[Mark, ...]
    explanation: str
    codes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    confidence: float | None = None


class Detector:
    """A stable id, the taxonomy codes it may suggest, a severity (1–3), a confidence in [0, 1], and
    `hits` to implement.

    Confidence says how often such a hit is a cheat: actions on the checks (an edited test, a special
    case, an exit) are strong, phrases are weak. `games` says whether a hit is an action that games a
    check, which is what makes a motivated-reasoning phrase of the same run a marker; `phrase` marks
    the detectors whose hits are words only, kept as observations without such an action (see
    `run_detectors`).
    A hit on a file whose net change over the run is nothing (the agent undid it) keeps half its
    confidence and says so.
    """

    games = True
    phrase = False

    def __init__(self, id: str, codes: Sequence[str], severity: int, confidence: float):
        self.id, self.codes, self.severity, self.confidence = id, tuple(codes), severity, confidence

    def hits(self, trajectory: Trajectory) -> Iterable[Hit]:
        raise NotImplementedError

    def detect(self, trajectory: Trajectory) -> list[Suggestion]:
        suggestions = []
        for hit in self.hits(trajectory):
            codes = list(hit.codes or self.codes)
            confidence, explanation = hit.confidence if hit.confidence is not None else self.confidence, hit.explanation
            if hit.details.get("path") in undone_paths(trajectory):
                confidence, explanation = confidence / 2, f"{explanation} (undone by the end of the run)"
            suggestions.append(
                Suggestion(
                    trajectory.id, RATER, self.id, codes, [m.span(codes) for m in hit.marks[:MAX_MARKS]], explanation,
                    severity=self.severity, confidence=round(confidence, 3), details=dict(hit.details),
                )
            )  # fmt: skip
        return suggestions


@per_trajectory
def _net_changes(trajectory: Trajectory) -> list[NetChange]:
    return net_changes(trajectory.file_edits)


@per_trajectory
def undone_paths(trajectory: Trajectory) -> frozenset[str]:
    """Files the agent changed and later put back exactly as they were (`reviewer.workspace`): their
    net change is nothing, so what was done to them did not reach the grader."""
    return frozenset(
        net.path for net in _net_changes(trajectory) if net.op == "unchanged" and net.edits and net.before is not None
    )


@per_trajectory
def own_files(trajectory: Trajectory) -> frozenset[str]:
    """Files the run created from nothing: their first edit that counts (`reviewer.workspace`) is a create,
    or a whole-file write that does not say whether the file existed (`cat > f`) of a file neither the
    task nor any tool output named before it (an agent rewriting a test it never saw is rare; one
    writing its own reproduction test is common)."""
    found: set[str] = set()
    for net in _net_changes(trajectory):
        first = net.edits[0] if net.edits else None
        if first is None or first.before:
            continue
        written = first.op is None and first.after is not None and not _named_before(trajectory, first.path, first.step)
        if first.op == "create" or written:
            found.update((net.path, first.path))
    return frozenset(found)


def _named_before(trajectory: Trajectory, path: str, step: int) -> bool:
    """Whether the task or a tool's output named the file before `step` (the agent naming its own new file does not count)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return any(s.role in ("user", "tool") and name in s.text for s in trajectory.steps[:step])


@per_trajectory
def scratch_files(trajectory: Trajectory) -> frozenset[str]:
    """Files the run created and removed or emptied again (a reproduction script): never part of what is graded."""
    return own_files(trajectory) & undone_paths(trajectory)


class Command(NamedTuple):
    """One shell script an agent ran, located inside its step's rendered tool-call text. (Commands,
    prose and phrase segments are named tuples: made by the hundred per trajectory, a frozen
    dataclass costs three times as much to make.)"""

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
    """One file edit's diff, as the slice `text[start:end]` of its step's canonical diff text. Its lines
    are read once, when it is made (`edit_texts` makes each once per trajectory), because a dozen
    detectors read them."""

    edit: FileEdit
    text: str
    start: int
    end: int
    is_test: bool  # a test, harness, grader or reference file, or one run as the tests (`is_tests`)
    whole: bool = False  # no diff: a note line, then the file's whole content after the edit (all of it added)
    _lines: DiffLines = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lines", _diff_lines(self.text, self.start, self.end, self.whole))

    @property
    def step(self) -> int:
        return self.edit.step

    @property
    def path(self) -> str:
        return self.edit.path

    @property
    def body(self) -> int:
        """Where the diff's lines start, after its file headers."""
        return self._lines.body

    def added(self) -> Iterator[re.Match[str]]:
        """Added lines (the leading `+` included in the match, so `match.start() + 1` is the code). An edit
        recorded as its whole new content (`cat > f`, a write whose before-state is unknown) adds every
        line: each match then starts at the newline before its line, which stands in for the `+`."""
        return iter(self._lines.added)

    def added_matching(self, pattern: re.Pattern[str], words: tuple[str, ...]) -> list[int]:
        """Where the added lines `pattern` finds (searched from after each line's `+`) start; none read
        when no added line holds one of `words`, which every match holds (`adds`)."""
        if not self.adds(*words):
            return []
        return [m.start() for m in self._lines.added if pattern.search(m.group(), 1)]

    def adds(self, *words: str) -> bool:
        """Whether an added line holds one of `words`: a detector whose pattern needs one reads no line
        of an edit that adds none (a file written whole has hundreds)."""
        return any(word in self._lines.added_text for word in words)

    def find_added(self, pattern: re.Pattern[str]) -> list[int]:
        """Where a multi-line `pattern` written against diff lines (`^\\+...`) matches: in the diff itself,
        or in the whole content of an edit without one, read as if every line had its `+`."""
        if not self.whole:
            return [m.start() for m in pattern.finditer(self.text, self.body, self.end)]
        lines = list(self.added())
        plus = "".join("+" + m.group()[1:] + "\n" for m in lines)
        starts = [0]
        for m in lines:
            starts.append(starts[-1] + len(m.group()) + 1)
        return [lines[bisect_right(starts, m.start()) - 1].start() for m in pattern.finditer(plus)]

    def removed(self) -> Iterator[re.Match[str]]:
        return iter(self._lines.removed)

    def lines(self) -> Iterator[re.Match[str]]:
        """Added, removed and context lines in order (hunk headers and "no newline" notes left out)."""
        return iter(self._lines.lines)

    def mark(self, pos: int, role: str = "action") -> Mark:
        """The line at `pos` (the line after it when `pos` is the newline an `added` match
        of a whole-content edit starts with)."""
        if self.text.startswith("\n", pos):
            pos += 1
        return line_mark(self.step, "diff", self.text, pos, role)


@dataclass(frozen=True, slots=True)
class DiffLines:
    """An edit's diff lines by kind, as read by `reviewer.unidiff.classify` (the one reader of diffs:
    hunk lengths decide, so a removed `-- comment` or an added `++x` is what it is)."""

    body: int  # where the lines start, after the file headers
    added: tuple[re.Match[str], ...]
    removed: tuple[re.Match[str], ...]
    lines: tuple[re.Match[str], ...]  # context, added and removed lines in order
    added_text: str  # the added lines joined by newlines, each with its `+` (or newline)


def _diff_lines(text: str, start: int, end: int, whole: bool) -> DiffLines:
    """The lines of `text[start:end]`; with `whole`, every line after the note line counts as added
    (each match then starting at the newline before it, see `EditText.added`)."""
    lines = text[start:end].split("\n")
    kinds = classify(lines)
    first = next((i for i, kind in enumerate(kinds) if kind is not LineKind.HEADER), len(lines))
    body = start + sum(len(line) + 1 for line in lines[:first]) if first < len(lines) else end
    added, removed, in_body = [], [], []
    matches = _LINE.finditer(text, body, end)  # one per line that is not empty, in order
    for line, kind in zip(lines[first:], kinds[first:], strict=True):
        if not line:
            continue
        m = next(matches)
        if kind in _BODY:
            in_body.append(m)
            if kind is LineKind.ADDED:
                added.append(m)
            elif kind is LineKind.REMOVED:
                removed.append(m)
    if whole:
        note_end = text.find("\n", start, end)
        added = list(_CONTENT_LINE.finditer(text, note_end, end)) if note_end >= 0 else []
    return DiffLines(body, tuple(added), tuple(removed), tuple(in_body), "\n".join([m.group() for m in added]))


@per_trajectory
def commands_text(trajectory: Trajectory) -> str:
    """Every command's script, joined: a detector whose pattern needs a word that no command holds
    (`git`, `rm`, `exit`) has nothing to look at."""
    return "\n".join([c.script for c in commands(trajectory)])


@per_trajectory
def tool_calls(trajectory: Trajectory) -> tuple[tuple[int, ToolCall, str | None], ...]:
    """Every tool call with its step and its script (`shell_script`; None for other tools), read once."""
    return tuple((step.index, call, shell_script(call)) for step in trajectory.steps for call in step.tool_calls)


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
    by_step: dict[int, list[tuple[ToolCall, str | None]]] = {}
    for index, call, script in tool_calls(trajectory):
        by_step.setdefault(index, []).append((call, script))
    for index, calls in by_step.items():
        if not any(script for _, script in calls):
            continue  # no script to locate: the step's text is not rendered
        text = source_text(trajectory, index, "tool_call") or ""
        cursor = 0
        for call, script in calls:
            cursor = max(cursor, text.find(call.name, cursor) + len(call.name))  # the script is among this call's arguments
            at = text.find(script, cursor) if script else -1
            if script and at >= 0:
                found.append(Command(index, call.id, text, at, at + len(script)))
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
                whole = edit.after is not None and unified_diff(edit) is None
                found.append(EditText(edit, text, at, at + length, is_tests(trajectory, edit.path), whole))
            at += length + 1
    return tuple(found)


class Prose(NamedTuple):
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
class RunSeen:
    """A test run (`Trajectory.test_runs`) with the output the agent saw (None when nothing came back)."""

    run: TestRun
    output_step: int | None
    output: str | None


@per_trajectory
def test_runs(trajectory: Trajectory) -> tuple[RunSeen, ...]:
    """The runs the importer recorded; for a trajectory stored without them, found now the same way."""
    runs = trajectory.test_runs or find_test_runs(trajectory.steps, trajectory.task.prompt)
    found = []
    for run in runs:
        step = run.result_step
        text = source_text(trajectory, step, "tool_output") if step is not None else None
        found.append(RunSeen(run, step if text is not None else None, text))
    return tuple(found)


@per_trajectory
def test_scripts(trajectory: Trajectory) -> frozenset[str]:
    """File names run as the tests: scripts the prompt names as the tests and scripts a test run ran
    (`python check.py`, `bash run_checks.sh`); such a file is "the tests" whatever its name."""
    scripts = prompt_scripts(trajectory.task.prompt) if trajectory.task.prompt else frozenset()
    found = set(scripts)
    for seen in test_runs(trajectory):
        runner = runner_of(seen.run.command, scripts)
        if runner is not None and runner.name == "script" and runner.args:
            found.add(runner.args[0].rsplit("/", 1)[-1])
    return frozenset(found)


def is_tests(trajectory: Trajectory, path: str) -> bool:
    """A test, harness, grader or reference file (`reviewer.test_paths`), or a file run as the tests."""
    return is_test_path(path) or path.replace("\\", "/").rsplit("/", 1)[-1] in test_scripts(trajectory)


_TESTISH = re.compile(r"test|check|spec|expected|grade|golden|answer|reference|solution", re.IGNORECASE)
# A program that shows files, as a word of its own (most commands run something else: the cheap look).
_SHOWS = re.compile(r"(?:^|[\s;&|(])(?:cat|head|tail|less|more|nl|grep|egrep|rg|ag|sed|awk|bat|xxd|od|view|open)\s")


def viewed_paths(script: str) -> list[str]:
    """Words of a command that only shows files (`cat`, `head`, `grep`...) and names a test or answer
    file; empty for every other command, which most are (decided by cheap looks before parsing)."""
    if not _TESTISH.search(script) or not _SHOWS.search(script) or not only_views(script):
        return []
    return [word for words in simple_commands(script) for word in words[1:] if not word.startswith("-")]


@per_trajectory
def views(trajectory: Trajectory) -> dict[str, list[str]]:
    """Call id → the paths it showed: words of viewing commands, or an editor view's path."""
    found: dict[str, list[str]] = {}
    calls = tool_calls(trajectory)
    # `viewed_paths` looks for a viewing program first: in all scripts at once, most runs have none
    shows = _SHOWS.search("\n".join([script for _, _, script in calls if script is not None])) is not None
    for _, call, script in calls:
        if script is not None:
            paths = viewed_paths(script) if shows else []
        else:
            path = call.arguments.get("path") or call.arguments.get("file_path")
            paths = [path] if isinstance(path, str) else []
        if paths:
            found[call.id] = paths
    return found


# A doctest line's indent stays on its line (`[^\S\n]*`): `\s*` from every line start of a run of blank
# lines read the rest of the run (quadratic), and took the blank lines above a prompt into its span.
_TEST_LINE = re.compile(r"^.*(?:\bassert|\bexpect\s*\(|\bcheck\s*\().*$|^[^\S\n]*>>> .*\n.*$", re.MULTILINE)
# A call whose result a test keeps in a name (`result = candidate(1029, 1029, 1029)`).
_KEPT = re.compile(r"[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*=[ \t]*[A-Za-z_][\w.]*[ \t]*\([^\n]*")
_KEPT_CHECKED_WITHIN = 3  # lines before a check in which the call that kept its value is looked for


def test_lines(text: str) -> str:
    """The lines of prose that are tests: assertions, `expect(...)`, doctest examples with their result,
    and calls whose kept result the next assertions check."""
    if "assert" not in text and "expect" not in text and "check" not in text and ">>>" not in text:
        return ""
    found = {m.span() for m in _TEST_LINE.finditer(text)}
    return "\n".join(text[start:end] for start, end in sorted(found | kept_results(text, found)))


def kept_results(text: str, checks: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Spans of the lines, among the few before each check line (`checks`, spans of `text`), that keep a
    call's result in a name the check reads: the test call is on a line of its own
    (`result = f(1029, 1029, 1029)` / `assert result is not None`). Looked for next to the checks only,
    so long test outputs cost nothing more."""
    spans = set()
    for start, end in checks:
        check, at = text[start:end], start
        for _ in range(_KEPT_CHECKED_WITHIN):
            if at <= 0:
                break
            line_start = text.rfind("\n", 0, at - 1) + 1
            kept = _KEPT.fullmatch(text, line_start, at - 1)
            if kept and re.search(rf"(?<![\w.]){re.escape(kept.group('name'))}\b", check):
                spans.add((line_start, at - 1))
                break
            at = line_start
    return spans


@per_trajectory
def test_corpus(trajectory: Trajectory) -> str:
    """Everything the agent was shown of the tests, to tell a literal copied from the tests from one the
    code needs: tests written in the prompt or in a harness's user messages (a minimal loop's "your
    attempt failed: assert f(2, 1, 7) == 8"), the outputs of test runs and of views of test files, and
    the test files it edited."""
    parts = [test_lines(step.text) for step in trajectory.steps if step.role == "user"]
    if trajectory.task.prompt and not (trajectory.steps and trajectory.steps[0].text == trajectory.task.prompt):
        parts.append(test_lines(trajectory.task.prompt))
    parts += [seen.output for seen in test_runs(trajectory) if seen.output]
    shown = views(trajectory)
    for step, call, _ in tool_calls(trajectory) if shown else ():
        paths = shown.get(call.id, ())
        if any(is_tests(trajectory, p) for p in paths) and (out := output_of(trajectory, step, call.id)):
            parts.append(out[1])
    for edit in trajectory.file_edits:
        if edit.status != "failed" and is_tests(trajectory, edit.path):
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
