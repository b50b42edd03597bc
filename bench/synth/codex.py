"""Synthetic OpenAI Codex CLI rollouts (JSONL) for the import benchmark.

Each file is one session as the CLI writes it: session facts, a turn context naming the model, the
task as a user message (with the CLI's `user_message` event), then turns of encrypted reasoning, an
`exec_command` call and its output (with the `exec_command_end` event and a token count), and every
fourth turn an `apply_patch` custom tool call with its `patch_apply_end` record. `steps` counts the
canonical steps an import produces (the system prompt, the task, a call and its output per turn).
Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth import write_files
from bench.synth.atif import turn_output

CWD = "/app"


def _line(n: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": f"2025-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000Z", "type": kind, "payload": payload}


def _patch(turn: int) -> tuple[str, dict[str, Any]]:
    """The apply_patch text of one edit turn and the CLI's record of the change."""
    old, new = ("a - b", f"a + b  # {turn}") if turn == 3 else (f"a + b  # {turn - 4}", f"a + b  # {turn}")
    patch = (
        f"*** Begin Patch\n*** Update File: src/calc.py\n@@\n def add(a, b):\n-    return {old}\n+    return {new}\n"
        "*** End Patch\n"
    )
    change = {
        "type": "update",
        "unified_diff": f"@@ -1,2 +1,2 @@\n def add(a, b):\n-    return {old}\n+    return {new}\n",
        "move_path": None,
    }
    return patch, {f"{CWD}/src/calc.py": change}


def _turn(lines: list[dict[str, Any]], i: int, turn: int) -> None:
    call_id = f"call_{i:06d}_{turn:04d}"
    add = lines.append
    add(
        _line(
            len(lines),
            "response_item",
            {"type": "reasoning", "summary": [], "content": None, "encrypted_content": "gAAAAB" + "x" * 200},
        )
    )
    if turn % 4 == 3:
        patch, changes = _patch(turn)
        add(
            _line(
                len(lines),
                "response_item",
                {"type": "custom_tool_call", "status": "completed", "call_id": call_id, "name": "apply_patch", "input": patch},
            )
        )
        add(
            _line(
                len(lines),
                "event_msg",
                {
                    "type": "patch_apply_end",
                    "call_id": call_id,
                    "success": True,
                    "changes": changes,
                    "stdout": "Success.",
                    "stderr": "",
                },
            )
        )
        output = json.dumps(
            {
                "output": "Success. Updated the following files:\nM src/calc.py\n",
                "metadata": {"exit_code": 0, "duration_seconds": 0.1},
            }
        )
        add(_line(len(lines), "response_item", {"type": "custom_tool_call_output", "call_id": call_id, "output": output}))
        return
    command = f"cd /app && python -m pytest tests/test_calc.py -q -k case_{turn}"
    arguments = json.dumps({"cmd": command, "workdir": CWD, "yield_time_ms": 1000})
    add(
        _line(
            len(lines),
            "response_item",
            {"type": "function_call", "name": "exec_command", "arguments": arguments, "call_id": call_id},
        )
    )
    usage = {
        "input_tokens": 1000 + 50 * turn,
        "cached_input_tokens": 0,
        "output_tokens": 60,
        "reasoning_output_tokens": 20,
        "total_tokens": 1060 + 50 * turn,
    }
    add(_line(len(lines), "event_msg", {"type": "token_count", "info": {"total_token_usage": usage, "last_token_usage": usage}}))
    code = 1 if turn % 3 == 0 else 0
    output = (
        f"Chunk ID: {turn:06x}\nWall time: 0.5 seconds\nProcess exited with code {code}\nOriginal token count: 80\n"
        f"Output:\n{turn_output(turn)}"
    )
    add(_line(len(lines), "response_item", {"type": "function_call_output", "call_id": call_id, "output": output}))
    add(
        _line(
            len(lines),
            "event_msg",
            {
                "type": "exec_command_end",
                "call_id": call_id,
                "command": ["/bin/bash", "-lc", command],
                "exit_code": code,
                "duration": {"secs": 0, "nanos": 500},
            },
        )
    )


def _session(i: int, steps: int) -> list[dict[str, Any]]:
    task = f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests."
    meta = {"id": f"synth-codex-{i:06d}", "timestamp": "2025-01-01T00:00:00Z", "cwd": CWD, "originator": "codex_cli_rs",
            "cli_version": "0.125.0", "source": "cli", "model_provider": "openai",
            "base_instructions": {"text": "You are Codex, a coding agent. Solve the task in the workspace."}}  # fmt: skip
    lines = [
        _line(0, "session_meta", meta),
        _line(1, "turn_context", {"turn_id": "t1", "cwd": CWD, "model": "gpt-5-codex", "approval_policy": "never"}),
        _line(2, "response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": task}]}),
        _line(3, "event_msg", {"type": "user_message", "message": task, "images": []}),
    ]
    turns = max(1, (steps - 3) // 2)
    for turn in range(turns):
        _turn(lines, i, turn)
    answer = "The test passes now: add() adds."
    lines.append(
        _line(
            len(lines),
            "response_item",
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": answer}]},
        )
    )
    lines.append(_line(len(lines), "event_msg", {"type": "task_complete", "turn_id": "t1", "last_agent_message": answer}))
    return lines


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(
        folder,
        n,
        lambda i: f"rollout-2025-01-01T00-00-00-{i:06d}.jsonl",
        lambda i: "".join(json.dumps(line) + "\n" for line in _session(i, steps)),
    )
