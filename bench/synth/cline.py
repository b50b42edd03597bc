"""Synthetic Cline task folders for the import benchmark.

Each task is a folder `<task id>/` holding `api_conversation_history.json` and `ui_messages.json`:
the task, then turns of an assistant message with one XML tool call (write_to_file the first time,
replace_in_file every fourth turn, execute_command otherwise) answered by a user message headed
`[tool for 'x'] Result:` with Cline's environment details; edits are answered with the whole file
as saved. The UI messages give each request's reasoning and the file operations. `steps` counts the
canonical steps an import produces. Deterministic: the same arguments write the same bytes; the
paths returned are the history files (the folders' leads).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth.atif import turn_output

T0 = 1760000000000


def _env(turn: int) -> dict[str, Any]:
    return {
        "type": "text",
        "text": f"<environment_details>\n# VSCode Visible Files\nsrc/calc.py\n\n# Current Time\nturn {turn}\n\n"
        "# Current Mode\nACT MODE\n</environment_details>",
    }


def _saved(path: str, content: str) -> str:
    return (
        f"The content was successfully saved to {path}.\n\nHere is the full, updated content of the file that was saved:\n\n"
        f'<final_file_content path="{path}">\n{content}\n</final_file_content>\n\n'
        "IMPORTANT: For any future changes to this file, use the final_file_content shown above as your reference.\n\n"
    )


def _calc(turn: int) -> str:
    return "def add(a, b):\n    return a - b\n" if turn < 3 else f"def add(a, b):\n    return a + b  # {turn}\n"


def _turn(turn: int) -> tuple[str, str, str, dict[str, Any] | None]:
    """(assistant text, result header, result text, the UI's tool record) of one turn."""
    if turn in (0, 3) or turn % 4 == 3:
        if turn == 0:
            call = f"<write_to_file>\n<path>src/calc.py</path>\n<content>\n{_calc(0)}</content>\n</write_to_file>"
            return (
                f"Creating the module.\n\n{call}",
                "[write_to_file for 'src/calc.py'] Result:",
                _saved("src/calc.py", _calc(0)),
                {"tool": "newFileCreated", "path": "src/calc.py"},
            )
        old = _calc(turn - 4 if turn > 3 else 0).splitlines()[1]
        new = _calc(turn).splitlines()[1]
        diff = f"------- SEARCH\n{old}\n=======\n{new}\n+++++++ REPLACE"
        call = f"<replace_in_file>\n<path>src/calc.py</path>\n<diff>\n{diff}\n</diff>\n</replace_in_file>"
        return (
            f"Fixing add() for turn {turn}.\n\n{call}",
            "[replace_in_file for 'src/calc.py'] Result:",
            _saved("src/calc.py", _calc(turn)),
            {"tool": "editedExistingFile", "path": "src/calc.py"},
        )
    command = f"python -m pytest tests/test_calc.py -q -k case_{turn}"
    call = f"<execute_command>\n<command>{command}</command>\n<requires_approval>false</requires_approval>\n</execute_command>"
    return (
        f"Running case {turn}.\n\n{call}",
        f"[execute_command for '{command}'] Result:",
        f"Command executed.\nOutput:\n{turn_output(turn)}",
        None,
    )


def _task(i: int, steps: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    t0 = T0 + i * 10**6
    task = f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests."
    history: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": f"<task>\n{task}\n</task>"}, _env(0)], "ts": t0}
    ]
    ui: list[dict[str, Any]] = [{"ts": t0 - 1, "type": "say", "say": "text", "text": task}]
    turns = max(1, (steps - 2) // 2)
    for turn in range(turns):
        at = t0 + 1000 * (turn + 1)
        text, header, result, tool = _turn(turn)
        request = {"request": "...", "tokensIn": 1000 + 50 * turn, "tokensOut": 60, "cost": 0.001}
        ui.append({"ts": at + 10, "type": "say", "say": "api_req_started", "text": json.dumps(request)})
        ui.append(
            {
                "ts": at + 20,
                "type": "say",
                "say": "reasoning",
                "text": f"Turn {turn}: check what the test expects before changing any code.",
            }
        )
        if tool is not None:
            ui.append({"ts": at + 30, "type": "ask", "ask": "tool", "text": json.dumps(tool)})
        history.append(
            {
                "role": "assistant",
                "content": [{"type": "text", "text": text}],
                "ts": at + 500,
                "modelInfo": {"modelId": "synthetic-model", "providerId": "anthropic", "mode": "act"},
            }
        )
        history.append(
            {
                "role": "user",
                "content": [{"type": "text", "text": header}, {"type": "text", "text": result}, _env(turn + 1)],
                "ts": at + 900,
            }
        )
    done = "<attempt_completion>\n<result>\nThe test passes now: add() adds.\n</result>\n</attempt_completion>"
    history.append({"role": "assistant", "content": [{"type": "text", "text": done}], "ts": t0 + 1000 * (turns + 1)})
    return history, ui


def write(folder: Path, n: int, steps: int) -> list[Path]:
    leads = []
    for i in range(n):
        task = folder / f"synth-cline-{i:06d}"
        task.mkdir(parents=True, exist_ok=True)
        history, ui = _task(i, steps)
        (task / "api_conversation_history.json").write_text(json.dumps(history), encoding="utf-8")
        (task / "ui_messages.json").write_text(json.dumps(ui), encoding="utf-8")
        leads.append(task / "api_conversation_history.json")
    return leads
