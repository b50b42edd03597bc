"""Consistency rules a schema cannot express, applied to every imported trajectory whatever its format."""

from __future__ import annotations

from reviewer.model import Trajectory


def trajectory_problems(t: Trajectory) -> list[tuple[str, str]]:
    """(JSON pointer, message) for each broken link: step order, call/result pairing, edit steps."""
    found: list[tuple[str, str]] = []
    call_ids: set[str] = set()
    for position, step in enumerate(t.steps):
        if step.index != position:
            found.append((f"/steps/{position}/index", f"step index {step.index} out of order (expected {position})"))
        for k, call in enumerate(step.tool_calls):
            if call.id in call_ids:
                found.append((f"/steps/{position}/tool_calls/{k}/id", f"tool call id {call.id!r} used twice"))
            call_ids.add(call.id)
        if step.tool_result is not None:
            if step.role != "tool":
                found.append((f"/steps/{position}/tool_result", f"a {step.role} step cannot carry a tool result"))
            elif step.tool_result.call_id not in call_ids:
                found.append(
                    (f"/steps/{position}/tool_result/call_id", f"no earlier tool call has id {step.tool_result.call_id!r}")
                )
    for k, edit in enumerate(t.file_edits):
        if edit.step >= len(t.steps):
            found.append((f"/file_edits/{k}/step", f"edit points at step {edit.step}, but there are {len(t.steps)} steps"))
        if (edit.op == "rename") != (edit.from_path is not None):
            found.append((f"/file_edits/{k}/from_path", "a rename names the path it came from, and only a rename does"))
    for k, run in enumerate(t.test_runs):
        for key, at in (("step", run.step), ("result_step", run.result_step)):
            if at is not None and at >= len(t.steps):
                found.append((f"/test_runs/{k}/{key}", f"test run points at step {at}, but there are {len(t.steps)} steps"))
    return found
