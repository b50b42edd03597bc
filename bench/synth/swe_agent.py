"""Synthetic SWE-agent 1.x `.traj` files for the import benchmark.

Each file is a function-calling run as SWE-agent writes it: `history` (system prompt, task, then
assistant actions with Anthropic `thinking_blocks` and one tool call each, answered by `tool` messages
linked through `tool_call_ids`), the parallel `trajectory` entries (action, observation, thought,
state, execution time), the final `submit` only in `trajectory` (history never sees it), `info` with
the submitted patch and `replay_config` as an object. Every fourth turn opens a small file and edits
it with the windowed `edit` (search/replace), so the importer rebuilds real before/after diffs.
Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth import write_files

REPO = "/testbed"


def _source(turn: int) -> list[str]:
    return [f"def scale_{turn}(x):", f"    return x * {turn + 1}", "", f"def offset_{turn}(x):", f"    return x + {turn}"]


def _window(path: str, lines: list[str]) -> str:
    numbered = "\n".join(f"{n}:{line}" for n, line in enumerate(lines, start=1))
    return f"[File: {REPO}/{path} ({len(lines)} lines total)]\n{numbered}"


def _prompt_trailer(open_file: str) -> str:
    return f"\n(Open file: {open_file})\n(Current directory: {REPO})\nbash-$"


def _action(turn: int) -> tuple[str, dict[str, Any], str, str]:
    """(tool name, arguments, action string, raw output) for one turn."""
    path = f"src/calc_{turn // 4}.py"
    lines = _source(turn // 4)
    if turn % 4 == 1:
        return "open", {"path": path}, f'open "{path}"', _window(path, lines)
    if turn % 4 == 2:
        search, replace = lines[1], lines[1].replace("*", "* 2 *")
        edited = [replace if line == search else line for line in lines]
        output = "Text replaced. Please review the changes and make sure they are correct.\n" + _window(path, edited)
        return "edit", {"search": search, "replace": replace}, f"edit {search!r} {replace!r}", output
    if turn % 4 == 3:
        command = f"python -m pytest -q tests/test_calc_{turn // 4}.py"
        return (
            "bash",
            {"command": command},
            command,
            f"..F.\nFAILED tests/test_calc_{turn // 4}.py::test_scale - assert 6 == 3\n1 failed, 3 passed in 0.04s",
        )
    return (
        "find_file",
        {"file_name": f"calc_{turn // 4}.py"},
        f"find_file calc_{turn // 4}.py",
        f'Found 1 matches for "calc_{turn // 4}.py" in {REPO}:\n{REPO}/{path}',
    )


def _turn(turn: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The two history messages and the trajectory entry of one action."""
    name, arguments, action, output = _action(turn)
    call_id = f"toolu_{turn:06d}"
    thought = f"Turn {turn}: I will run `{action}` to see how calc_{turn // 4} behaves."
    open_file = f"{REPO}/src/calc_{turn // 4}.py" if turn % 4 in (1, 2) else "n/a"
    history: list[dict[str, Any]] = [
        {
            "role": "assistant", "content": thought, "thought": thought, "action": action, "agent": "main",
            "message_type": "action",
            "thinking_blocks": [{"type": "thinking", "thinking": f"Check the test before editing ({turn}).", "signature": "sig"}],
            "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}],
        },
        {"role": "tool", "content": output + _prompt_trailer(open_file), "agent": "main", "message_type": "observation",
         "tool_call_ids": [call_id]},
    ]  # fmt: skip
    entry: dict[str, Any] = {
        "action": action, "observation": output, "response": thought, "thought": thought,
        "execution_time": 0.25 + turn % 3 / 10, "state": {"open_file": open_file, "working_dir": REPO},
    }  # fmt: skip
    return history, entry


def _patch(turns: int) -> str:
    files = sorted({t // 4 for t in range(turns) if t % 4 == 2})
    return "".join(
        f"diff --git a/src/calc_{k}.py b/src/calc_{k}.py\n--- a/src/calc_{k}.py\n+++ b/src/calc_{k}.py\n@@ -1,2 +1,2 @@\n"
        f" def scale_{k}(x):\n-    return x * {k + 1}\n+    return x * 2 * {k + 1}\n"
        for k in files
    )


def _run(i: int, steps: int) -> dict[str, Any]:
    turns = max(1, (steps - 4) // 2)
    task = f"Fix issue #{i}: scale() returns half the expected value for every calc module.{_prompt_trailer('n/a')}"
    history: list[dict[str, Any]] = [
        {
            "role": "system",
            "content": "SETTING: You are an autonomous programmer.",
            "agent": "main",
            "message_type": "system_prompt",
        },
        {"role": "user", "content": task, "agent": "main", "message_type": "observation"},
    ]
    entries = []
    for turn in range(turns):
        messages, entry = _turn(turn)
        history += messages
        entries.append(entry)
    patch = _patch(turns)
    entries.append(
        {
            "action": "submit",
            "observation": patch,
            "response": "Submitting.",
            "thought": "Submitting.",
            "state": {"open_file": "n/a", "working_dir": REPO},
        }
    )
    return {
        "environment": "main",
        "trajectory": entries,
        "history": history,
        "info": {"submission": patch, "exit_status": "submitted",
                 "model_stats": {"instance_cost": 0.1, "tokens_sent": 1000 * turns, "tokens_received": 50 * turns,
                                 "api_calls": turns + 1}},
        "replay_config": {"agent": {"model": {"name": "claude-sonnet-4-20250514"}},
                          "problem_statement": {"id": f"calc__calc-{i}", "type": "text", "text": task}},
    }  # fmt: skip


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(folder, n, lambda i: f"calc__calc-{i:06d}.traj", lambda i: json.dumps(_run(i, steps)))
