"""A native file's rows, made from its JSON value without building objects, are those of the objects.

Import workers turn a native file's checked value straight into the rows the store inserts
(`Rows.of_value`); the objects (`Trajectory.from_dict`) are built only when something asks for them.
Every shape the schema allows must give the rows the objects give: keys in any order, defaults left
out, optional values written as null, version 1 files (their test runs found in the transcript).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reviewer.import_read import ReadOptions, read_file
from reviewer.model import Source, Trajectory
from reviewer.store.trajectories import Rows


def odd_trajectory() -> dict[str, Any]:
    return {
        "steps": [
            {"role": "user", "index": 0, "text": "Fix the parser; run pytest"},
            {
                "index": 1,
                "role": "assistant",
                "tool_calls": [
                    {"name": "bash", "id": "c1"},  # no arguments, keys out of order
                    {"id": "c2", "name": "bash", "arguments": {"command": "python -m pytest -q"}, "raw_arguments": None},
                    {"id": "c3", "name": "edit", "arguments": {}, "parse_error": "not JSON", "raw_arguments": "{x"},
                ],
                "metadata": {},
                "thinking": None,
            },
            {"index": 2, "role": "tool", "tool_result": {"call_id": "c1"}, "text": "ok"},
            {
                "index": 3,
                "role": "tool",
                "tool_result": {"is_error": True, "call_id": "c2"},
                "text": "=== 1 failed, 2 passed in 0.12s ===",
            },
            {"index": 4, "role": "assistant", "metadata": {"n": 10**30}},  # no text: ""
        ],
        "task": {"prompt": "Fix the parser", "instance": None},
        "id": "odd",
        "schema_version": 2,
        "file_edits": [{"step": 1, "path": "src/p.py", "after": "x = 1\n"}],  # no status: unknown
        "outcome": {"reward": 1, "grader_result": "pass"},
        "source": {"format": "something else", "file": "elsewhere.json"},  # the importer's source wins
    }


def read_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows_both_ways(path: Path) -> tuple[Rows, Rows]:
    read = read_file(path, ReadOptions(1 << 30), lambda _id: False)
    assert read.errors == [] and len(read.items) == 1
    item = read.items[0]
    objects = Rows.of(item.trajectory, "")  # built as the in-process import builds them
    rows = read.portable().items[0].rows
    assert rows is not None
    return rows, objects


def test_rows_from_the_value_are_the_objects_rows(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(odd_trajectory()), encoding="utf-8")
    rows, objects = _rows_both_ways(path)
    assert rows == objects
    steps = {r[1]: r for r in rows.steps}
    assert steps[1][5] == (
        '[{"id":"c1","name":"bash","arguments":{}},{"id":"c2","name":"bash","arguments":{"command":"python -m pytest -q"}},'
        '{"id":"c3","name":"edit","arguments":{},"raw_arguments":"{x","parse_error":"not JSON"}]'
    )
    assert steps[1][9] is None and steps[4][3] == "" and steps[4][9] == '{"n":1000000000000000000000000000000}'
    assert (steps[2][6], steps[2][7], steps[3][7]) == ("c1", 0, 1)
    assert rows.edits == [("odd", 0, 1, "src/p.py", None, "x = 1\n", None, None, None, "unknown", None)]
    head = rows.head
    assert head[5:8] == ("native", "odd.json", read_sha(path))
    assert head[10] == '{"grader_result":"pass","tests_passed":null,"tests_failed":null,"reward":1}'
    assert head[13] == "{}"


def test_a_version_1_file_gets_its_test_runs_found(tmp_path: Path) -> None:
    v1 = odd_trajectory()
    v1["schema_version"] = 1
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(v1), encoding="utf-8")
    rows, objects = _rows_both_ways(path)
    assert rows == objects
    runs = json.loads(rows.head[14])
    assert [(r["step"], r["result_step"], r["passed"], r["failed"]) for r in runs] == [(1, 3, 2, 1)]


def test_the_objects_are_built_only_when_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(odd_trajectory()), encoding="utf-8")
    item = read_file(path, ReadOptions(1 << 30), lambda _id: False).items[0]
    assert item.read is None  # nothing built yet: a worker sends rows made from the value
    trajectory = item.trajectory
    assert isinstance(trajectory, Trajectory) and trajectory.source == Source("native", "odd.json", read_sha(path))
    assert trajectory.to_dict()["steps"][1]["tool_calls"][0] == {"id": "c1", "name": "bash", "arguments": {}}
