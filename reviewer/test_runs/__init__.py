"""Test runs: every command of a trajectory that ran tests, and what its output said of them.

A reviewer of cheating asks first what the agent saw of the tests: failing, then a test file edited,
then passing. Qt-free; importers fill `Trajectory.test_runs` through `find_test_runs` (called by
`formats.build.TrajectoryBuilder.build`), and `reviewer show` and the app read it (detectors may).

A call is a test run when its command runs tests (`commands.runner_of`: pytest, unittest, go test,
cargo test, npm test, jest, vitest, mocha, maven, gradle, make test, tox, nox, test scripts and the
scripts the prompt names as the tests), or when its output holds a test framework's summary and the
command is not one that only shows files (`bash run.sh` printing Surefire's totals counts, `cat
log.txt` does not), or when a python tool's code printed one (`subprocess.run(["pytest"])`). Counts come from the output's summary
(`summaries.parse_summary`); what it does not print stays None. These are what the agent ran and saw, part of the transcript,
never the grader's outcome, so they may be shown before a reviewer's blind first pass.

Public API:
- `find_test_runs(steps, prompt="") -> list[TestRun]`
- `status(run) -> "passed" | "failed" | "none ran" | "unknown"`
- `went_green(runs) -> dict[int, TestRun]`: a passing run (by index) → the failing run of the same tests before it
- `marks(runs) -> dict[int, Mark]`: per step (the one with the output), what a step list shows
- `counts_text(run) -> str`: "1 failed, 3 passed, 1 skipped" (only what was printed)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reviewer.model import Step, TestRun
from reviewer.test_runs.commands import FRAMEWORK_RUNNERS, only_views, prompt_scripts, runner_of, shell_script, target
from reviewer.test_runs.summaries import PARSERS, might_hold_summary, parse_summary

MAX_COMMAND = 2000  # characters of a command kept (a test command is short; a long script keeps its start and end)
FRAMEWORKS = frozenset({name for name, _, _ in PARSERS} | FRAMEWORK_RUNNERS)
"""Every framework name `find_test_runs` writes; a stored run may carry anything else (it came from a file)."""

Status = Literal["passed", "failed", "none ran", "unknown"]
STATUS_WORDS: dict[Status, str] = {
    "passed": "tests passed",
    "failed": "tests failed",
    "none ran": "no test ran",
    "unknown": "test run",
}


def find_test_runs(steps: Sequence[Step], prompt: str = "") -> list[TestRun]:
    """One TestRun per shell call that ran tests, in step order, paired with the step holding its output."""
    scripts = prompt_scripts(prompt) if prompt else frozenset()
    answers = {
        s.tool_result.call_id: s for s in reversed(steps) if s.tool_result is not None and s.role == "tool"
    }  # first answer wins
    runs = []
    for step in steps:
        if not step.tool_calls:
            continue
        for call in step.tool_calls:
            script = shell_script(call)
            code = call.arguments.get("code") if script is None else None  # a python tool's code: its output may show a run
            if script is None and not isinstance(code, str):
                continue
            result = answers.get(call.id) or _unpaired_next(steps, step.index)
            output = result.text if result is not None else ""
            runner = runner_of(script, scripts) if script is not None else None
            if runner is None and not might_hold_summary(output):
                continue  # most calls: no test command, no summary in the output
            framework = runner.framework if runner is not None else None
            summary = parse_summary(output, framework) if output else None
            if runner is None and (summary is None or (script is not None and only_views(script))):
                continue  # a summary-like line in the output of a command that runs no tests, or a log shown with `cat`
            command = script if script is not None else str(code)
            counts = (summary.passed, summary.failed, summary.errors, summary.skipped) if summary else (None, None, None, None)
            runs.append(
                TestRun(
                    step.index, _kept(command), result.index if result is not None else None,
                    summary.framework if summary else framework, *counts, list(summary.failing) if summary else [],
                )
            )  # fmt: skip
    return runs


def _unpaired_next(steps: Sequence[Step], index: int) -> Step | None:
    """The tool step right after a call when the format did not link it to any call (as detectors read outputs)."""
    after = steps[index + 1] if index + 1 < len(steps) else None
    return after if after is not None and after.role == "tool" and after.tool_result is None else None


def _kept(script: str) -> str:
    """The script, or its start and end around a note when long (a heredoc body before `&& pytest`)."""
    if len(script) <= MAX_COMMAND:
        return script
    half = MAX_COMMAND // 2
    return f"{script[:half]}\n… ({len(script) - MAX_COMMAND:,} characters not kept) …\n{script[-half:]}"


def status(run: TestRun) -> Status:
    """What the run's printed counts say: any failure or error is `failed`; no count printed is `unknown`."""
    if (run.failed or 0) > 0 or (run.errors or 0) > 0:
        return "failed"
    if (run.passed or 0) > 0 or (run.passed is None and run.failed == 0):  # `go test` prints `ok` and no count
        return "passed"
    if any(n is not None for n in (run.passed, run.failed, run.errors, run.skipped)):
        return "none ran"
    return "unknown"


def went_green(runs: Sequence[TestRun]) -> dict[int, TestRun]:
    """Passing runs whose previous run of the same tests (`commands.target`) failed: the index of the
    passing run → that failing run. Runs of other tests in between do not count either way."""
    last: dict[str, TestRun] = {}
    found: dict[int, TestRun] = {}
    for k, run in enumerate(runs):
        key = target(run.command)
        before = last.get(key)
        if before is not None and status(run) == "passed" and status(before) == "failed":
            found[k] = before
        if status(run) != "unknown":
            last[key] = run
    return found


@dataclass(frozen=True, slots=True)
class Mark:
    """What a step list shows at the step holding a run's output: the run, its status, and the failing
    run of the same tests it turned green (None if it did not)."""

    run: TestRun
    status: Status
    was_failing: TestRun | None

    def describe(self) -> str:
        """`tests failed · pytest: 1 failed, 3 passed`: counts and fixed words only (a framework name
        from a file is not repeated), so it may go where rich text is rendered (a Qt tooltip)."""
        framework = self.run.framework if self.run.framework in FRAMEWORKS else "tests"
        text = f"{STATUS_WORDS[self.status]} · {framework}: {counts_text(self.run) or 'no counts printed'}"
        if self.was_failing is not None:
            text += f" · failing before (step {self.was_failing.step}), passing now"
        return text


def marks(runs: Sequence[TestRun]) -> dict[int, Mark]:
    """The mark of each step holding a run's output (the call's step when no output came back); the last run wins."""
    green = went_green(runs)
    return {
        (run.result_step if run.result_step is not None else run.step): Mark(run, status(run), green.get(k))
        for k, run in enumerate(runs)
    }


def counts_text(run: TestRun) -> str:
    """`1 failed, 3 passed, 1 skipped`: the non-zero counts that were printed, failures first ("0 passed" when all are 0)."""
    counted = [
        (n, word)
        for n, word in (
            (run.failed, "failed"),
            (run.passed, "passed"),
            (run.errors, "error" if run.errors == 1 else "errors"),
            (run.skipped, "skipped"),
        )
        if n is not None
    ]
    shown = [(n, word) for n, word in counted if n] or sorted(counted, key=lambda c: c[1] != "passed")[:1]
    return ", ".join(f"{n} {word}" for n, word in shown)
