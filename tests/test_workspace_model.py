"""The workspace contract of schema version 2: each edit's op, status and rename source, and test runs.

Other tools read `reviewer show --json` and the export: these keys round-trip exactly, version 1
files still import, and inconsistent records are refused with a pointer.
"""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.model import SCHEMA_VERSION, Trajectory
from reviewer.store import Store
from reviewer.synthetic import trajectory
from tests.conftest import Cli


def workspace_trajectory() -> dict:
    t = trajectory(7, 6)
    t["file_edits"] = [
        {"path": "src/a.py", "step": 1, "before": "x = 1\n", "after": "x = 2\n", "diff": None, "source": "tool_call",
         "op": "modify", "status": "applied"},
        {"path": "src/a.py", "step": 2, "before": None, "after": None, "diff": None, "source": "tool_call",
         "op": "modify", "status": "failed"},
        {"path": "tests/test_b.py", "step": 3, "from_path": "tests/test_a.py", "op": "rename", "status": "applied",
         "source": "bash"},
        {"path": "hello.js", "step": 4, "op": "delete", "status": "unknown", "source": "bash"},
    ]  # fmt: skip
    t["test_runs"] = [
        {"step": 2, "result_step": 3, "command": "pytest -q", "framework": "pytest", "passed": 3, "failed": 1,
         "errors": None, "skipped": 0, "failing": ["tests/test_b.py::test_x"]},
    ]  # fmt: skip
    return t


def test_version_2_keys_round_trip_through_import_and_show(tmp_path: Path, cli: Cli) -> None:
    source = tmp_path / "w.json"
    source.write_text(json.dumps(workspace_trajectory()))
    assert cli("import", str(source), "--no-detect").exit_code == 0
    shown = json.loads(cli("show", "synthetic-0-000007", "--json", "--reveal-outcome").stdout)
    assert shown["schema_version"] == SCHEMA_VERSION == 2
    assert [(e["path"], e["op"], e["status"], e.get("from_path")) for e in shown["file_edits"]] == [
        ("src/a.py", "modify", "applied", None),
        ("src/a.py", "modify", "failed", None),
        ("tests/test_b.py", "rename", "applied", "tests/test_a.py"),
        ("hello.js", "delete", "unknown", None),
    ]
    assert shown["test_runs"] == workspace_trajectory()["test_runs"]


def test_version_1_files_import_with_unknown_status(tmp_path: Path, store: Store) -> None:
    t = trajectory(8, 6)
    t["schema_version"] = 1
    t["file_edits"] = [{"path": "a.py", "step": 1, "before": "", "after": "y\n", "source": "tool_call"}]
    read = Trajectory.from_dict(t)
    assert [(e.op, e.status) for e in read.file_edits] == [(None, "unknown")] and read.test_runs == []


def test_inconsistent_workspace_records_are_refused_with_a_pointer(tmp_path: Path, cli: Cli) -> None:
    bad = workspace_trajectory()
    bad["file_edits"][2].pop("from_path")  # a rename from nowhere
    bad["test_runs"][0]["result_step"] = 99
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    wrong_status = workspace_trajectory()
    wrong_status["file_edits"][0]["status"] = "done"
    (tmp_path / "status.json").write_text(json.dumps(wrong_status))
    result = cli("import", str(tmp_path / "bad.json"), str(tmp_path / "status.json"), "--no-detect")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any("bad.json:/file_edits/2/from_path" in line for line in errors), errors
    assert any("status.json:/file_edits/0/status" in line for line in errors), errors


def test_every_broken_workspace_link_is_named() -> None:
    from reviewer.checks import trajectory_problems

    bad = workspace_trajectory()
    bad["file_edits"][2].pop("from_path")
    bad["file_edits"][0]["from_path"] = "elsewhere.py"  # only a rename names where it came from
    bad["test_runs"][0]["result_step"] = 99
    pointers = [pointer for pointer, _ in trajectory_problems(bad)]
    assert pointers == ["/file_edits/0/from_path", "/file_edits/2/from_path", "/test_runs/0/result_step"]
