"""Synthetic mini-SWE-agent `.traj.json` files (v2, text-based model) for the import benchmark.

Each file is the object mini-SWE-agent saves: `info` (model config, exit status, submitted patch),
`messages` and `trajectory_format`. The model replies with a THOUGHT and one ```mswea_bash_command
block (parsed into `extra.actions`), each answered by a `<returncode>` observation; every third
command rewrites a file with a heredoc and some tests fail (non-zero return code). The run ends with
the completion marker and v2's `exit` message carrying the submission. Deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth import write_files

START = 1_750_000_000.0  # message timestamps count from here, one second apart


def _command(turn: int) -> tuple[str, int, str]:
    """(command, return code, output) for one turn."""
    module = f"src/parse_{turn // 3}.py"
    if turn % 3 == 1:
        body = f"def parse_{turn}(text):\n    return [part.strip() for part in text.split(',') if part]\n"
        return f"cat > {module} <<'EOF'\n{body}EOF", 0, ""
    if turn % 3 == 2:
        failed = turn % 2
        summary = "1 failed, 4 passed" if failed else "5 passed"
        return f"python -m pytest -q tests/test_parse_{turn // 3}.py", failed, f"....{'F' if failed else '.'}\n{summary} in 0.05s"
    return f"grep -n 'def parse' {module}", 0, f"1:def parse_{turn + 1}(text):"


def _turn(turn: int) -> list[dict[str, Any]]:
    command, code, output = _command(turn)
    reply = f"THOUGHT: Step {turn}: check how the parser treats empty fields.\n\n```mswea_bash_command\n{command}\n```"
    observation = f"<returncode>{code}</returncode>\n<output>\n{output}\n</output>"
    when = START + 2 * turn
    return [
        {"role": "assistant", "content": reply, "extra": {"actions": [{"command": command}], "cost": 0.002, "timestamp": when}},
        {"role": "user", "content": observation, "extra": {"returncode": code, "raw_output": output, "timestamp": when + 1}},
    ]


def _trajectory(i: int, steps: int) -> dict[str, Any]:
    turns = max(1, (steps - 4) // 2)
    patch = (
        "diff --git a/src/parse_0.py b/src/parse_0.py\n--- a/src/parse_0.py\n+++ b/src/parse_0.py\n@@ -1 +1 @@\n"
        f"-x = {i}\n+x = {i + 1}\n"
    )
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a helpful assistant that can interact with a computer."},
        {"role": "user", "content": f"Please solve this issue: parse() keeps empty fields (issue {i})."},
    ]
    for turn in range(turns):
        messages += _turn(turn)
    done = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git diff"
    messages += [
        {
            "role": "assistant",
            "content": f"THOUGHT: Done.\n\n```mswea_bash_command\n{done}\n```",
            "extra": {"actions": [{"command": done}]},
        },
        {"role": "exit", "content": patch, "extra": {"exit_status": "Submitted", "submission": patch}},
    ]
    return {
        "info": {
            "model_stats": {"instance_cost": 0.002 * turns, "api_calls": turns + 1}, "mini_version": "2.0.0",
            "config": {"model": {"model_name": "openai/gpt-5-mini"}, "agent_type": "minisweagent.agents.default.DefaultAgent"},
            "exit_status": "Submitted", "submission": patch,
        },
        "messages": messages,
        "trajectory_format": "mini-swe-agent-1.1",
        "instance_id": f"parse__parse-{i}",
    }  # fmt: skip


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(folder, n, lambda i: f"parse__parse-{i:06d}.traj.json", lambda i: json.dumps(_trajectory(i, steps)))
