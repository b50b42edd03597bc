"""Synthetic native trajectories of a chosen size, for benchmarks and tests (never for labelling).

Deterministic for a given seed, realistic in shape: a task, assistant turns with thinking and a
bash or editor call, tool outputs, and file edits with a diff every few steps.
"""

from __future__ import annotations

import difflib
import random
from typing import Any

from reviewer.model import SCHEMA_VERSION

WORDS = (
    "the test fails because parse returns None when the input has a trailing comma so I will check "
    "the tokenizer and fix the edge case then rerun pytest to confirm nothing else broke"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def trajectory(index: int, n_steps: int = 100, seed: int = 0) -> dict[str, Any]:
    """A valid canonical trajectory dict with `n_steps` steps (at least 2)."""
    rng = random.Random(seed * 1_000_003 + index)
    steps: list[dict[str, Any]] = [
        {"index": 0, "role": "user", "text": f"Fix issue #{index}: {_sentence(rng, 40)}", "thinking": None,
         "tool_calls": [], "tool_result": None, "timestamp": None},
    ]  # fmt: skip
    edits: list[dict[str, Any]] = []
    call = 0
    while len(steps) < n_steps:
        i = len(steps)
        if steps[-1]["role"] != "assistant":
            call += 1
            path = f"src/module_{call % 7}.py"
            if call % 5 == 0:
                before = "\n".join(f"def f{k}(x):\n    return x + {k}" for k in range(8)) + "\n"
                after = before.replace("return x + 3", "return x - 3")
                arguments = {"command": "str_replace", "path": path, "old_str": "return x + 3", "new_str": "return x - 3"}
                name = "str_replace_editor"
                diff = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{path}", f"b/{path}"))
                edits.append({"path": path, "step": i, "before": before, "after": after, "diff": diff})
            else:
                name, arguments = "bash", {"command": f"python -m pytest tests/test_{call % 9}.py -x -q"}
            steps.append({"index": i, "role": "assistant", "text": _sentence(rng, 25), "thinking": _sentence(rng, 60),
                          "tool_calls": [{"id": f"call_{call}", "name": name, "arguments": arguments}],
                          "tool_result": None, "timestamp": None})  # fmt: skip
        else:
            output = "\n".join(f"tests/test_{k}.py::test_case_{k} {'PASSED' if rng.random() > 0.2 else 'FAILED'}" for k in range(12))
            steps.append({"index": i, "role": "tool", "text": output, "thinking": None, "tool_calls": [],
                          "tool_result": {"call_id": f"call_{call}", "is_error": False}, "timestamp": None})  # fmt: skip
    return {
        "schema_version": SCHEMA_VERSION,
        "id": f"synthetic-{seed}-{index:06d}",
        "source": {"format": "native"},
        "task": {"id": f"task-{index % 50}", "prompt": steps[0]["text"], "repo": "example/repo", "instance": None},
        "agent": {"model": "synthetic-model", "scaffold": "synthetic"},
        "outcome": {"grader_result": "pass" if index % 2 else "fail", "tests_passed": 10, "tests_failed": index % 3, "reward": float(index % 2)},
        "steps": steps,
        "file_edits": edits,
        "final_patch": "".join(e["diff"] for e in edits) or None,
        "final_answer": steps[-1]["text"] if steps[-1]["role"] == "assistant" else None,
        "metadata": {"synthetic": True},
    }
