"""Consistency rules a schema cannot express, applied to every imported trajectory whatever its format."""

from __future__ import annotations

from typing import Any


def trajectory_problems(t: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, message) for each broken link: step order, call/result pairing, edit steps.

    Read from the trajectory's JSON form (`Trajectory.to_dict()`, or a native file's value once it
    passed the schema), so a native file is checked before, or without, any objects being built."""
    found: list[tuple[str, str]] = []
    call_ids: set[str] = set()
    steps = t["steps"]
    for position, step in enumerate(steps):
        if step["index"] != position:
            found.append((f"/steps/{position}/index", f"step index {step['index']} out of order (expected {position})"))
        for k, call in enumerate(step.get("tool_calls") or ()):
            if call["id"] in call_ids:
                found.append((f"/steps/{position}/tool_calls/{k}/id", f"tool call id {call['id']!r} used twice"))
            call_ids.add(call["id"])
        result = step.get("tool_result")
        if result is not None:
            if step["role"] != "tool":
                found.append((f"/steps/{position}/tool_result", f"a {step['role']} step cannot carry a tool result"))
            elif result["call_id"] not in call_ids:
                found.append((f"/steps/{position}/tool_result/call_id", f"no earlier tool call has id {result['call_id']!r}"))
    for k, edit in enumerate(t.get("file_edits") or ()):
        if edit["step"] >= len(steps):
            found.append((f"/file_edits/{k}/step", f"edit points at step {edit['step']}, but there are {len(steps)} steps"))
        if (edit.get("op") == "rename") != (edit.get("from_path") is not None):
            found.append((f"/file_edits/{k}/from_path", "a rename names the path it came from, and only a rename does"))
    for k, run in enumerate(t.get("test_runs") or ()):
        for key in ("step", "result_step"):
            at = run.get(key)
            if at is not None and at >= len(steps):
                found.append((f"/test_runs/{k}/{key}", f"test run points at step {at}, but there are {len(steps)} steps"))
    return found
