"""Detectors on lines an adversarial agent could write to stall them: long runs of whitespace, names
and blank lines where a pattern used to backtrack. Each case once took quadratic or cubic time in the
length of the run (seconds to hours at these sizes: one added line of 3,000 spaces and `x,` took
minutes), so a trajectory could freeze an import or the app. Each is measured in a child process,
so a pattern that regresses fails the test by timing out instead of stalling the suite.

The sizes make the gap unmistakable: linear work on each case takes milliseconds, the old patterns
took at least 15 seconds. Machines here are noisy, so the bound is generous.
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
from reviewer.model import Trajectory
from tests.assist.test_detectors import Build

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 3.0  # per case, in the child; linear work takes well under 0.2 s


def _source_line(line: str) -> Trajectory:
    return Build().write("src/app.py", "def f():\n    return 1\n", f"def f():\n{line}\n    return 1\n").done()


def _test_line(line: str) -> Trajectory:
    before = "def test_f():\n    assert f(1) == 1\n"
    return Build().write("tests/test_app.py", before, f"def test_f():\n{line}\n    assert f(1) == 1\n").done()


def _command(command: str) -> Trajectory:
    return Build().run(command, "ok").done()


# name: (trajectory, the pattern that once backtracked through the run)
CASES: dict[str, Callable[[], Trajectory]] = {
    "entry_indented_with_spaces": lambda: _source_line(" " * 3_000 + "x,"),  # outputs._ENTRY, cubic
    "collection_value_after_spaces": lambda: _source_line("x = " + " " * 60_000),  # outputs._COLLECTION
    "exit_call_with_spaces": lambda: _source_line("sys.exit(" + " " * 60_000),  # exits._UNCONDITIONAL
    "exit_call_then_spaces": lambda: _source_line("sys.exit(0)" + " " * 60_000 + "x"),
    "call_arguments_with_tabs": lambda: _test_line("    self.assertEqual(f(1)," + "\t" * 60_000 + "1)"),  # _CALL
    "expected_value_after_spaces": lambda: _test_line("    assert f(1)" + " " * 60_000 + "x"),  # _AFTER
    "rows_below_blank_lines": lambda: _test_line("\n" * 60_000 + "(1, 2"),  # test_cases._ROW
    "long_name_counted_up": lambda: _source_line("    " + "a" * 60_000 + " = b + 1"),  # _MUTATION, _STORED_UP
    "long_script_name": lambda: _command("python " + "a." * 30_000),  # commands._SCRIPT_FILE
}


def measure(name: str) -> float:
    """Seconds `run_detectors` takes on one case (run in the child)."""
    trajectory = CASES[name]()
    started = time.perf_counter()
    run_detectors(trajectory)
    return time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_line_costs_the_detectors_linear_time(name: str) -> None:
    child = f"import json, sys\nfrom tests.assist.test_hostile_lines import measure\nprint(json.dumps(measure({name!r})))\n"
    try:
        done = subprocess.run(
            [sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, timeout=SECONDS + 30, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: the detectors ran for more than {SECONDS + 30:.0f} s")
    assert json.loads(done.stdout) < SECONDS, name
