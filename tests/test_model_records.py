"""The domain records serialise from their fields: every field round-trips, optional keys stay
out while empty (content hashes of stored trajectories depend on it), unknown keys are ignored."""

from __future__ import annotations

import json
from dataclasses import fields

from reviewer import model
from reviewer.model import (
    EvidenceSpan,
    FileEdit,
    Flag,
    Label,
    Outcome,
    Revealed,
    Step,
    Suggestion,
    TestRun,
    ToolCall,
    ToolResult,
    Trajectory,
)
from reviewer.store.trajectories import content_hash
from reviewer.synthetic import trajectory


def test_every_record_class_round_trips_every_field() -> None:
    span = EvidenceSpan(1, "diff", 0, 3, "abc", "action", ["tests.edit"], "the deletion")
    samples = [
        ToolCall("c1", "bash", {"command": "ls"}, '{"command": "ls"}', "bad json"),
        Step(1, "tool", "out", "hm", [], ToolResult("c1", True), "2026-01-01T00:00:00Z", {"k": 1}),
        FileEdit("a.py", 1, "x", "y", None, "bash", "rename", "applied", "b.py"),
        TestRun(1, "pytest", 2, "pytest", 1, 2, 0, None, ["t::x"]),
        Outcome("fail", 1, 2, 0.5, {"source": "report.json"}),
        Label(
            "t",
            "alice",
            False,
            "cheat",
            None,
            ["tests.edit"],
            3,
            ["mr.reframe"],
            2,
            "none",
            2,
            {"ground_truth": "x"},
            3,
            "why",
            [span],
            "2026",
            "2026",
            1.5,
            1,
            Revealed(True, False, True),
            True,
            {"reason": "r"},
            Flag("skip", "too long for now"),
            4,
            "0b8e6d0e-4c1a-4f6e-9d1b-1c2d3e4f5a6b",
            3,
        ),  # fmt: skip
        Suggestion("t", "detectors", "tests", ["tests.edit"], [span], "because", "cheat", 2, 1, 0.5, {"x": 1}, "2026"),
    ]
    for sample in samples:
        again = type(sample).from_dict(json.loads(json.dumps(sample.to_dict())))
        assert again == sample, type(sample).__name__
        assert {f.name for f in fields(sample)} <= set(sample.to_dict()), type(sample).__name__
    records = {c for c in vars(model).values() if isinstance(c, type) and issubclass(c, model.Record) and c is not model.Record}
    assert {type(s) for s in samples} | {
        Trajectory,
        EvidenceSpan,
        Flag,
        Revealed,
        ToolResult,
        model.Task,
        model.Agent,
        model.Source,
    } == records


def test_optional_keys_stay_out_while_empty_and_the_content_hash_holds() -> None:
    t = Trajectory.from_dict(trajectory(5, 8))
    d = t.to_dict()
    assert d["schema_version"] == model.SCHEMA_VERSION and "file" not in d["source"] and "details" not in d["outcome"]
    assert all("metadata" not in s for s in d["steps"]) and all(
        "raw_arguments" not in c for s in d["steps"] for c in s["tool_calls"]
    )
    assert all({"language", "is_test"} <= set(e) and "from_path" not in e for e in d["file_edits"])
    assert Trajectory.from_dict(json.loads(json.dumps(d))) == t  # derived keys are ignored on the way in
    assert content_hash(Trajectory.from_dict(d)) == content_hash(t)
    step = Step.from_dict({"index": 0, "role": "user", "metadata": None, "tool_calls": None})
    assert (step.text, step.metadata, step.tool_calls, step.tool_result) == ("", {}, [], None)
