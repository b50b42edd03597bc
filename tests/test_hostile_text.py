"""Detectors and importers on text an adversarial agent could write to stall them: long runs of
whitespace, names and blank lines where a pattern used to backtrack. Each case once took quadratic or
cubic time in the length of the run (seconds to hours at these sizes: one added line of 3,000 spaces
and `x,` took minutes), so a trajectory could freeze an import or the app. Each is measured in a child
process, so a pattern that regresses fails the test by timing out instead of stalling the suite.

The sizes make the gap unmistakable: every case took more than the bound on the old patterns (most of
them many times more), and takes at most a tenth of it now.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.assist.detectors import run_detectors
from reviewer.formats.aider import AiderFormat
from reviewer.formats.cline import parse_calls
from reviewer.jsonio import Document
from reviewer.model import Trajectory
from reviewer.test_runs.summaries import parse_summary
from tests.assist.test_detectors import Build

ROOT = Path(__file__).resolve().parents[1]
SECONDS = 3.0  # of CPU per case, in the child; linear work takes at most 0.35 s


def _source_line(line: str) -> Trajectory:
    return Build().write("src/app.py", "def f():\n    return 1\n", f"def f():\n{line}\n    return 1\n").done()


def _test_line(line: str) -> Trajectory:
    before = "def test_f():\n    assert f(1) == 1\n"
    return Build().write("tests/test_app.py", before, f"def test_f():\n{line}\n    assert f(1) == 1\n").done()


def _task(task: str) -> Trajectory:
    return Build(task).run("pytest", "ok").done()


def _detected(build: Callable[[], Trajectory]) -> Callable[[], object]:
    return lambda: run_detectors(build())


def _aider(console: str, header: str = "2024-08-05 19:33:32") -> Callable[[], object]:
    """An Aider session whose one edit is followed by `console`, read whole."""
    block = "a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n"
    history = f"\n# aider chat started at {header}\n\n#### Fix it\n\n{block}\n> {console}\n"
    return lambda: list(AiderFormat().read(Document(Path("h.md"), history.encode())))


def _test_outputs(output: str, framework: str) -> Callable[[], object]:
    """Three test runs printing `output`, their summaries read."""
    return lambda: [parse_summary(output, framework) for _ in range(3)]


# name: a trajectory, with the pattern that once backtracked through the run
CASES: dict[str, Callable[[], Trajectory]] = {
    "entry_indented_with_spaces": lambda: _source_line(" " * 3_000 + "x,"),  # outputs._ENTRY, cubic
    "collection_value_after_spaces": lambda: _source_line("x = " + " " * 60_000),  # outputs._COLLECTION
    "exit_call_with_spaces": lambda: _source_line("sys.exit(" + " " * 60_000),  # exits._UNCONDITIONAL
    "exit_call_then_spaces": lambda: _source_line("sys.exit(0)" + " " * 60_000 + "x"),
    "call_arguments_with_tabs": lambda: _test_line("    self.assertEqual(f(1)," + "\t" * 60_000 + "1)"),  # _CALL
    "expected_value_after_spaces": lambda: _test_line("    assert f(1)" + " " * 60_000 + "x"),  # _AFTER
    "rows_below_blank_lines": lambda: _test_line("\n" * 60_000 + "(1, 2"),  # test_cases._ROW
    "long_name_counted_up": lambda: _source_line("    " + "a" * 60_000 + " = b + 1"),  # _MUTATION, _STORED_UP
    "long_script_name_in_the_task": lambda: _task("Run the tests: " + "a." * 30_000),  # commands._SCRIPT_FILE
    "doctest_below_blank_lines": lambda: _test_line("\n" * 60_000 + ">>> f(1)"),  # _DOCTEST, base._TEST_LINE
    "doctest_result_below_blank_lines": lambda: _test_line("    >>> f(1)" + "\n" * 60_000 + "x"),  # _DOCTEST
}
WORK: dict[str, Callable[[], object]] = {
    **{name: _detected(build) for name, build in CASES.items()},
    "aider_applied_name_with_spaces": _aider("Applied edit to a" + " " * 60_000 + "b"),  # aider._APPLIED
    "aider_skipped_name_with_spaces": _aider("Skipping edits to a" + " " * 60_000 + "b"),  # aider._SKIPPED
    "aider_created_name_over_blank_lines": _aider("a" + " \n" * 60_000 + "b"),  # aider._CREATED
    "aider_no_match_name_with_spaces": _aider(
        "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in a" + " " * 60_000 + "b"
    ),  # aider._NO_MATCH
    "aider_command_with_spaces": _aider("Run shell command? (Y)es/(N)o [Yes]: y\n> Running a" + " " * 60_000 + "b"),
    "aider_header_with_spaces": _aider("x", header="a" + " " * 60_000 + "b"),  # aider._HEADER
    "cline_text_of_spaces": lambda: parse_calls(" " * 120_000 + "x"),  # cline._INTERRUPTED
    # three test runs' outputs, each read from its last 1,000,000 characters (one took 0.6-4 s)
    "jest_count_line_of_spaces": _test_outputs("Tests: " + " " * 990_000, "jest"),  # _JEST
    "jest_failing_name_with_spaces": _test_outputs("  ✕ a" + " " * 990_000 + "x\nTests: 1 total\n", "jest"),
    "vitest_count_line_of_spaces": _test_outputs("  Tests  " + " " * 990_000 + "x\n", "vitest"),  # _VITEST
    "vitest_failing_name_with_spaces": _test_outputs(" FAIL a > b" + " " * 990_000 + "x\n Tests  1 failed (1)\n", "vitest"),
}


def measure(name: str) -> float:
    """CPU seconds one case takes, its text made and read (run in the child): a busy machine does not
    make it fail."""
    started = time.process_time()
    WORK[name]()
    return time.process_time() - started


@pytest.mark.parametrize("name", sorted(WORK))
def test_hostile_text_costs_linear_time(name: str) -> None:
    child = f"import json\nfrom tests.test_hostile_text import measure\nprint(json.dumps(measure({name!r})))\n"
    try:
        done = subprocess.run(
            [sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, timeout=SECONDS + 30, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: ran for more than {SECONDS + 30:.0f} s")
    assert json.loads(done.stdout) < SECONDS, name
