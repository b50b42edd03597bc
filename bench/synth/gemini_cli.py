"""Synthetic Gemini CLI sessions (the JSON conversation record) for the import benchmark.

Each file is one session: the task as a user message, then turns of a gemini message (a thought
summary, token counts, one tool call with its result and status: write_file the first time, replace
with the CLI's display record of the file before and after every fourth turn, run_shell_command
otherwise) and a closing answer. `steps` counts the canonical steps an import produces.
Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth import write_files
from bench.synth.atif import turn_output


def _calc(turn: int) -> str:
    return "def add(a, b):\n    return a - b\n" if turn < 3 else f"def add(a, b):\n    return a + b  # {turn}\n"


def _call(i: int, turn: int, at: str) -> dict[str, Any]:
    cid = f"tool-{i:06d}-{turn:04d}"
    if turn == 0:
        name, args, output, display = (
            "write_file",
            {"file_path": "src/calc.py", "content": _calc(0)},
            "Successfully created and wrote to new file: /app/src/calc.py.",
            None,
        )
    elif turn % 4 == 3:
        old, new = _calc(turn - 4 if turn > 3 else 0), _calc(turn)
        args = {"file_path": "src/calc.py", "old_string": old.splitlines()[1], "new_string": new.splitlines()[1]}
        name, output = "replace", "Successfully modified file: /app/src/calc.py (1 replacements)."
        display = {"fileDiff": "...", "fileName": "calc.py", "originalContent": old, "newContent": new}
    else:
        name, args = "run_shell_command", {"command": f"python -m pytest tests/test_calc.py -q -k case_{turn}"}
        output, display = f"Command: {args['command']}\nOutput: {turn_output(turn)}\nExit Code: 0", None
    record = {"id": cid, "name": name, "args": args,
              "result": [{"functionResponse": {"id": cid, "name": name, "response": {"output": output}}}],
              "status": "success", "timestamp": at, "displayName": name, "renderOutputAsMarkdown": True}  # fmt: skip
    if display is not None:
        record["resultDisplay"] = display
    return record


def _session(i: int, steps: int) -> dict[str, Any]:
    task = f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests."
    messages: list[dict[str, Any]] = [{"id": f"u-{i}", "timestamp": "2026-01-01T00:00:00.000Z", "type": "user", "content": task}]
    turns = max(1, (steps - 2) // 2)
    for turn in range(turns):
        at = f"2026-01-01T00:{turn // 60 % 60:02d}:{turn % 60:02d}.000Z"
        messages.append({
            "id": f"g-{i}-{turn}", "timestamp": at, "type": "gemini", "content": "",
            "thoughts": [{"subject": f"Turn {turn}", "description": "Check what the test expects before changing any code.",
                          "timestamp": at}],
            "toolCalls": [_call(i, turn, at)], "model": "gemini-2.5-pro",
            "tokens": {"input": 1000 + 50 * turn, "output": 60, "cached": 0, "thoughts": 20, "tool": 0,
                       "total": 1080 + 50 * turn},
        })  # fmt: skip
    messages.append(
        {
            "id": f"g-{i}-end",
            "timestamp": "2026-01-01T01:00:00.000Z",
            "type": "gemini",
            "content": "The test passes now: add() adds.",
            "model": "gemini-2.5-pro",
        }
    )
    return {"sessionId": f"synth-gemini-{i:06d}", "projectHash": "0" * 64, "startTime": "2026-01-01T00:00:00.000Z",
            "lastUpdated": "2026-01-01T01:00:00.000Z", "messages": messages}  # fmt: skip


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(
        folder, n, lambda i: f"session-2026-01-01T00-00-{i:06d}.json", lambda i: json.dumps(_session(i, steps), indent=2)
    )
