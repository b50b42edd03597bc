"""Synthetic OpenAI chat-completions conversations for the import benchmark.

Each file is docent's τ-bench-style wrapper (`task_id`, `reward`, `model`, `messages`) around one
agent run: a system and a task message, then assistant turns (vendor `reasoning_content`, a short
text, one tool call whose arguments are a JSON string) each answered by a `tool` message, an editor
call every fourth turn, a closing answer. Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth import write_files
from bench.synth.atif import turn_call, turn_output


def _turn(turn: int) -> list[dict[str, Any]]:
    name, arguments = turn_call(turn)
    call_id = f"call_{turn:04d}"
    return [
        {
            "role": "assistant",
            "content": None if turn % 2 else f"Running {name} for turn {turn}.",
            "reasoning_content": f"Turn {turn}: check what the test expects before changing any code.",
            "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}],
        },
        {"role": "tool", "tool_call_id": call_id, "content": turn_output(turn)},
    ]


def _conversation(i: int, steps: int) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a careful software engineer. Use the tools to solve the task."},
        {"role": "user", "content": f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests."},
    ]
    for turn in range(max(1, (steps - 3) // 2)):
        messages += _turn(turn)
    messages.append({"role": "assistant", "content": "The test passes now: add() adds."})
    return {"task_id": i, "reward": float(i % 2), "model": "synthetic-model", "messages": messages}


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(folder, n, lambda i: f"chat-{i:06d}.json", lambda i: json.dumps(_conversation(i, steps)))
