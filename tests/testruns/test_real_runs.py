"""Test runs found in real trajectory files, checked by hand against the raw files.

- mini-SWE-agent, SWE-bench run of django__django-10999 (gruckion/mini-swe-agent): messages 22, 24
  and 30 run `python3 tests/runtests.py <module>` (Django's unittest runner); the answers (messages
  23, 25, 31) print `Ran 12 tests ... OK`, `Ran 17 tests ... OK`, `Ran 1 test ... OK`. The grader's
  report for the same run says not resolved: what the agent saw is not the outcome.
- OpenHands multi-SWE-bench `output.jsonl` (ponyc, C): the agent builds with `make`/`cmake` and runs a
  program it named `test` (`ponyc test.pony -o . && ./test`); no command runs a test suite.
- SWE-agent's test repository runs (1.x and the function-calling demonstration): the agent runs
  `python3 tests/missing_colon.py`, a script that lives in tests/ but tests nothing (it prints 8.2);
  the 0.x pydicom run only runs `python reproduce_bug.py`.
- The sample data (native files recording their test runs; a version 1 copy finds the same ones on import).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.formats import detect
from reviewer.jsonio import Document
from reviewer.model import TestRun, Trajectory
from reviewer.test_runs import marks, status, went_green
from tests.conftest import Cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
DJANGO = FIXTURES / "swebench_report/20251118_gemini-3-pro-74pct/trajs/django__django-10999/django__django-10999.traj.json"


def read(path: Path) -> list[Trajectory]:
    doc = Document(path, path.read_bytes())
    found = [t for _, t in detect(doc).read(doc)]
    assert all(isinstance(t, Trajectory) for t in found), found
    return found  # type: ignore[return-value]


def test_django_runs_its_unittest_suites_three_times() -> None:
    (t,) = read(DJANGO)
    assert t.test_runs == [
        TestRun(22, "python3 tests/runtests.py utils_tests.test_dateparse", 23, "unittest", 12, 0, 0, 0),
        TestRun(24, "python3 tests/runtests.py utils_tests.test_duration", 25, "unittest", 17, 0, 0, 0),
        TestRun(30, "python3 tests/runtests.py utils_tests.test_dateparse_negative_duration", 31, "unittest", 1, 0, 0, 0),
    ]
    raw = json.loads(DJANGO.read_text())["messages"]
    for run in t.test_runs:  # the steps are the file's messages, call and answer
        assert run.command in raw[run.step]["content"] and "Ran " in raw[run.result_step]["content"]
    assert [status(r) for r in t.test_runs] == ["passed"] * 3 and went_green(t.test_runs) == {}


def test_openhands_ponyc_runs_build_commands_and_a_program_named_test_but_no_tests() -> None:
    runs = read(FIXTURES / "openhands/multi_swe_bench_output.jsonl")
    assert [len(t.steps) for t in runs] == [45, 67, 99]
    commands = [c.arguments["command"] for t in runs for s in t.steps for c in s.tool_calls if c.name == "bash"]
    assert "cd /workspace && ./ponylang__ponyc__0.1/ponyc test.pony -o . && ./test" in commands
    assert "cd /workspace/ponylang__ponyc__0.1 && make clean && make" in commands
    assert [t.test_runs for t in runs] == [[], [], []]


@pytest.mark.parametrize(
    "name", ["swe-agent/6e44b9__sweagenttestrepo-1c2844.traj", "swe-agent/function_calling_simple.traj",
             "swe-agent/pydicom__pydicom-1458.traj", "mini-swe-agent/github_issue.traj.json"],
)  # fmt: skip
def test_scripts_that_are_no_tests_are_no_test_runs(name: str) -> None:
    (t,) = read(FIXTURES / name)
    commands = [c.arguments.get("command", "") for s in t.steps for c in s.tool_calls]
    assert any("missing_colon.py" in c or "reproduce_bug.py" in c for c in commands)
    assert t.test_runs == []


def test_sample_data_runs_and_the_run_that_went_green() -> None:
    (t,) = read(SAMPLE_DATA / "conftest-report-patching.json")
    assert [
        (r.step, r.result_step, r.framework, r.passed, r.failed, r.errors, r.skipped, len(r.failing)) for r in t.test_runs
    ] == [
        (4, 5, "pytest", 6, 8, 0, 0, 8),
        (8, 9, "pytest", 11, 3, 0, 0, 3),
        (12, 13, "pytest", 12, 2, 0, 0, 2),
        (16, 17, "pytest", 12, 2, 0, 0, 2),
        (20, 21, "pytest", 14, 0, 0, 0, 0),
    ]
    assert t.test_runs[3].failing == [
        "tests/test_dot_segments.py::test_remove_dot_segments[/a/b/..-/a/]",
        "tests/test_dot_segments.py::test_remove_dot_segments[/a/b/.-/a/b/]",
    ]
    assert marks(t.test_runs)[21].was_failing is t.test_runs[3]  # the conftest patch made the same suite pass


def test_sample_data_other_frameworks_and_runs_that_printed_nothing() -> None:
    (go,) = read(SAMPLE_DATA / "special-cased-input.json")
    assert [(r.framework, r.passed, r.failed, r.errors, r.skipped, r.failing) for r in go.test_runs] == [
        ("go", None, 1, 0, None, ["TestCompare"]),  # without -v go prints failures only
        ("go", None, 1, 0, None, ["TestCompare"]),
        ("go", None, 1, 0, None, ["TestCompare"]),
        ("go", 2, 0, 0, 0, []),  # `go test -v`: TestCompare and TestParseRejects pass
    ]
    (node,) = read(SAMPLE_DATA / "disclosed-special-case.json")
    assert [(r.command.split("&& ")[-1][:8], r.framework, r.passed, r.failed) for r in node.test_runs] == [
        ("npm test", "node", 5, 2), ("npm test", "node", 6, 1), ("npm test", "node", 4, 3), ("npm test", "node", 7, 0),
    ]  # fmt: skip
    (exits,) = read(SAMPLE_DATA / "sys-exit-in-test-path.json")
    # the conftest's sys.exit(0): first pytest printed "no tests ran", then nothing at all
    assert [status(r) for r in exits.test_runs] == ["failed", "failed", "failed", "none ran", "unknown"]


def test_test_runs_survive_the_store_and_show_json(tmp_path: Path, cli: Cli) -> None:
    assert cli("import", str(DJANGO), "--no-detect").exit_code == 0
    (row,) = json.loads(cli("list", "--json").stdout)
    shown = json.loads(cli("show", row["id"], "--json").output)
    assert [(r["step"], r["result_step"], r["framework"], r["passed"]) for r in shown["test_runs"]] == [
        (22, 23, "unittest", 12), (24, 25, "unittest", 17), (30, 31, "unittest", 1),
    ]  # fmt: skip


def test_a_version_1_file_finds_the_runs_a_version_2_file_records(tmp_path: Path) -> None:
    data = json.loads((SAMPLE_DATA / "conftest-report-patching.json").read_text())
    recorded = data.pop("test_runs")
    old = tmp_path / "v1.json"
    old.write_text(json.dumps({**data, "schema_version": 1}))
    (t,) = read(old)
    assert [r.to_dict() for r in t.test_runs] == recorded and len(recorded) == 5
    unrecorded = tmp_path / "v2.json"
    unrecorded.write_text(json.dumps(data))  # version 2 without the key: the file says what ran, nothing is added
    (t,) = read(unrecorded)
    assert t.test_runs == []
