"""Synthetic ATIF (Harbor) trajectories for the import benchmark.

Each file is one run of an OpenHands-style agent: a system and a task step, then agent steps with
reasoning, a short message, one tool call and its observation in the same step (a shell command,
or an editor call every fourth turn), token metrics on every agent step. `steps` counts the
canonical steps an import produces (an agent step becomes two: the call and its output).
Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth import write_files


def turn_call(turn: int) -> tuple[str, dict[str, Any]]:
    """The tool and arguments of one turn: an edit every fourth turn (creating the file the first
    time), shell commands otherwise. Shared with the other chat-shaped generators."""
    if turn % 4 == 3:
        if turn == 3:
            return "str_replace_editor", {
                "command": "create",
                "path": "/app/src/calc.py",
                "file_text": "def add(a, b):\n    return a - b\n",
            }
        return "str_replace_editor", {
            "command": "str_replace",
            "path": "/app/src/calc.py",
            "old_str": "a - b",
            "new_str": f"a + b  # {turn}",
        }
    return "bash", {"command": f"cd /app && python -m pytest tests/test_calc.py -q -k case_{turn}"}


def turn_output(turn: int) -> str:
    """A few lines of test-runner output, some failing."""
    return "\n".join(f"tests/test_calc.py::test_case_{turn}_{k} {'PASSED' if k % 3 else 'FAILED'}" for k in range(4))


def _agent_step(step_id: int, turn: int) -> dict[str, Any]:
    name, arguments = turn_call(turn)
    call_id = f"call_{turn}"
    return {
        "step_id": step_id,
        "timestamp": f"2025-01-01T00:{turn // 60 % 60:02d}:{turn % 60:02d}Z",
        "source": "agent",
        "model_name": "synthetic-model",
        "message": f"Running {name} for turn {turn}.",
        "reasoning_content": f"Turn {turn}: check what the test expects before changing any code.",
        "tool_calls": [{"tool_call_id": call_id, "function_name": name, "arguments": arguments}],
        "observation": {"results": [{"source_call_id": call_id, "content": turn_output(turn)}]},
        "metrics": {"prompt_tokens": 1000 + 50 * turn, "completion_tokens": 60, "cost_usd": 0.001},
    }


def trajectory(i: int, steps: int) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"step_id": 1, "source": "system", "message": "You are a careful software engineer. Use the tools to solve the task."},
        {
            "step_id": 2,
            "source": "user",
            "message": f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests.",
        },
    ]
    body += [_agent_step(3 + turn, turn) for turn in range(max(1, (steps - 2) // 2))]
    return {
        "schema_version": "ATIF-v1.5",
        "session_id": f"synth-session-{i:06d}",
        "agent": {"name": "openhands", "version": "1.1.0", "model_name": "synthetic-model"},
        "steps": body,
        "final_metrics": {"total_prompt_tokens": sum(s.get("metrics", {}).get("prompt_tokens", 0) for s in body)},
    }


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(folder, n, lambda i: f"atif-{i:06d}.trajectory.json", lambda i: json.dumps(trajectory(i, steps), indent=1))
