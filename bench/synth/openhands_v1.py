"""Synthetic OpenHands V1 conversation folders for the import benchmark.

Each conversation is a folder `<id>/` with `base_state.json` and `events/event-NNNNN-<uuid>.json`:
the system prompt, the task, then turns of an ActionEvent (a thought, reasoning, the tool call as
the model sent it) and its ObservationEvent: a terminal command with its exit code, or every fourth
turn the file editor with the file before and after. `steps` counts the canonical steps an import
produces. Deterministic: the same arguments write the same bytes; the paths returned are the state
files (the folders' leads).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth.atif import turn_call, turn_output


def _events(i: int, steps: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    def add(kind: str, **fields: Any) -> str:
        uid = f"{i:08d}-0000-4000-8000-{len(events):012d}"
        events.append(
            {"id": uid, "timestamp": f"2026-01-01T00:{len(events) // 60 % 60:02d}:{len(events) % 60:02d}", "kind": kind, **fields}
        )
        return uid

    add(
        "SystemPromptEvent",
        source="agent",
        system_prompt={"type": "text", "text": "You are OpenHands agent."},
        tools=[{"title": "terminal"}, {"title": "file_editor"}],
    )
    task = f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests."
    add("MessageEvent", source="user", llm_message={"role": "user", "content": [{"type": "text", "text": task}]})
    known = ""
    for turn in range(max(1, (steps - 2) // 2)):
        name, args = turn_call(turn)
        tool = "file_editor" if name == "str_replace_editor" else "terminal"
        call_id = f"call_{i}_{turn}"
        action = add("ActionEvent", source="agent", thought=[{"type": "text", "text": f"Turn {turn}."}],
                     reasoning_content="Check what the test expects first.", thinking_blocks=[],
                     action={**args, "kind": "FileEditorAction" if tool == "file_editor" else "TerminalAction"},
                     tool_name=tool, tool_call_id=call_id,
                     tool_call={"id": call_id, "name": tool, "arguments": json.dumps(args)},
                     llm_response_id=f"resp-{i}-{turn}", security_risk="LOW")  # fmt: skip
        if tool == "file_editor":
            before = known
            after = args["file_text"] if args["command"] == "create" else before.replace(args["old_str"], args["new_str"], 1)
            known = after
            observation = {"content": [{"type": "text", "text": "File edited."}], "is_error": False,
                           "command": args["command"], "path": args["path"], "prev_exist": args["command"] != "create",
                           "old_content": before or None, "new_content": after, "kind": "FileEditorObservation"}  # fmt: skip
        else:
            observation = {"content": [{"type": "text", "text": turn_output(turn)}], "is_error": False,
                           "command": args["command"], "exit_code": 0,
                           "metadata": {"exit_code": 0, "prefix": "", "suffix": "\n[The command completed with exit code 0.]"},
                           "kind": "TerminalObservation"}  # fmt: skip
        add(
            "ObservationEvent",
            source="environment",
            tool_name=tool,
            tool_call_id=call_id,
            observation=observation,
            action_id=action,
        )
    return events


def write(folder: Path, n: int, steps: int) -> list[Path]:
    leads = []
    for i in range(n):
        conversation = folder / f"{i:032x}"
        (conversation / "events").mkdir(parents=True, exist_ok=True)
        for k, event in enumerate(_events(i, steps)):
            (conversation / "events" / f"event-{k:05d}-{event['id']}.json").write_text(json.dumps(event), encoding="utf-8")
        state = {"id": f"synth-openhands-v1-{i:06d}", "agent": {"llm": {"model": "synthetic-model"}, "kind": "Agent"},
                 "workspace": {"working_dir": "/app"}, "execution_status": "finished", "max_iterations": 500}  # fmt: skip
        (conversation / "base_state.json").write_text(json.dumps(state), encoding="utf-8")
        leads.append(conversation / "base_state.json")
    return leads
