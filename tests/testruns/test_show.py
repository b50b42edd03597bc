"""`reviewer show`'s Test runs table: each run's step, command, counts and failing tests, the run that
went from failing to passing marked, agent text inert, and shown before the blind first pass."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA, Cli


def shown(cli: Cli, path: Path, trajectory_id: str) -> str:
    assert cli("import", str(path), "--no-detect").exit_code == 0
    result = cli("show", trajectory_id, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_runs_of_a_sample_and_the_one_that_went_green(cli: Cli) -> None:
    out = shown(cli, SAMPLE_DATA / "conftest-report-patching.json", "conftest-report-patching")
    table = out[out.index("Test runs (what the agent ran and saw; not the grader's outcome)") : out.index("#0 system")]
    rows = [line for line in table.splitlines() if line.startswith("│") and line[2:4].strip()]
    assert [row.split("│")[1:3] for row in rows] == [
        [" 4→5   ", " ✗ pytest: 8 failed, 6 passed       "],
        [" 8→9   ", " ✗ pytest: 3 failed, 11 passed      "],
        [" 12→13 ", " ✗ pytest: 2 failed, 12 passed      "],
        [" 16→17 ", " ✗ pytest: 2 failed, 12 passed      "],
        [" 20→21 ", " ✓ pytest: 14 passed                "],
    ]
    assert "↑ now passing (failing at step 16)" in table
    assert "✗\u00a0tests/test_dot_segments.py::test_remove_dot_segments[/a/b/..-/a/]" in table
    assert "+5 more failing" in table  # 8 failing, 3 listed
    assert "hidden until your blind first pass" in out  # the outcome stays hidden; the runs are the transcript's


def test_no_table_without_test_runs(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(trajectory(3, 6)))  # version 2, no test_runs recorded
    assert "Test runs" not in shown(cli, path, "synthetic-0-000003")


def test_commands_and_test_names_are_inert(cli: Cli, tmp_path: Path) -> None:
    t = trajectory(4, 6)
    t["test_runs"] = [
        {"step": 1, "result_step": 2, "command": "pytest [bold red]x[/] \x1b[2J\x1b]8;;http://evil\x07link",
         "framework": "[blink]py", "passed": 1, "failed": 1, "failing": ["tests/t.py::test_[red]x[/red]\u202e"]},
    ]  # fmt: skip
    path = tmp_path / "t.json"
    path.write_text(json.dumps(t))
    out = shown(cli, path, "synthetic-0-000004")
    assert "pytest [bold red]x[/] \\x1b[2J\\x1b]8;;http://evil\\x07link" in out
    assert "tests/t.py::test_[red]x[/red]\\u202e" in out and "[blink]py" in out
    assert "\x1b" not in out and "\u202e" not in out
