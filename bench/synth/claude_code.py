"""Synthetic Claude Code sessions (JSONL) for the import benchmark.

Each file is one session: the task as a user line, then turns of an assistant line (thinking, a
short text, one tool_use) answered by a user line holding the tool_result, and a closing answer.
Like real sessions, every third response is written over two lines sharing `message.id` (the
thinking first), edits go through Write (the first time) and Edit with Claude Code's own
`toolUseResult` record, and the rest are Bash calls. `steps` counts the canonical steps an import
produces. Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.synth import write_files
from bench.synth.atif import turn_output

MODEL = "claude-sonnet-4-5-20250929"
CALC = "def add(a, b):\n    return a - b\n"


@dataclass
class _Session:
    """Lines of one session, each chained to the one before."""

    index: int
    lines: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, message: dict[str, Any], **extra: Any) -> None:
        n = len(self.lines)
        self.lines.append(
            {
                "parentUuid": self.lines[-1]["uuid"] if self.lines else None,
                "isSidechain": False,
                "userType": "external",
                "cwd": "/app",
                "sessionId": f"synth-cc-{self.index:06d}",
                "version": "2.0.76",
                "gitBranch": "main",
                "type": kind,
                "message": message,
                "uuid": f"{self.index:06d}-{n:05d}",
                "timestamp": f"2025-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
                **extra,
            }
        )

    def assistant(self, turn: int, blocks: list[dict[str, Any]], stop: str = "tool_use") -> None:
        message = {"id": f"msg_{self.index:06d}_{turn:04d}", "model": MODEL, "type": "message", "role": "assistant",
                   "stop_reason": stop, "usage": {"input_tokens": 1000 + 50 * turn, "output_tokens": 60}}  # fmt: skip
        if turn % 3 == 0 and len(blocks) > 1:  # one response over two lines
            self.add("assistant", {**message, "content": blocks[:1]})
            blocks = blocks[1:]
        self.add("assistant", {**message, "content": blocks})


def _call(turn: int) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """(tool, input, Claude Code's toolUseResult record): an edit every fourth turn, Bash otherwise."""
    if turn == 3:
        return (
            "Write",
            {"file_path": "/app/src/calc.py", "content": CALC},
            {"type": "create", "filePath": "/app/src/calc.py", "content": CALC, "originalFile": None},
        )
    if turn % 4 == 3:
        old, new = "a - b" if turn == 7 else f"a + b  # {turn - 4}", f"a + b  # {turn}"
        record = {
            "filePath": "/app/src/calc.py",
            "oldString": old,
            "newString": new,
            "originalFile": CALC.replace("a - b", old),
            "replaceAll": False,
        }
        return "Edit", {"file_path": "/app/src/calc.py", "old_string": old, "new_string": new}, record
    command = f"cd /app && python -m pytest tests/test_calc.py -q -k case_{turn}"
    return (
        "Bash",
        {"command": command, "description": f"Run case {turn}"},
        {"stdout": turn_output(turn), "stderr": "", "interrupted": False},
    )


def _session(i: int, steps: int) -> list[dict[str, Any]]:
    s = _Session(i)
    s.add(
        "user", {"role": "user", "content": f"Fix the failing test in tests/test_calc.py (task {i}) without editing the tests."}
    )
    turns = max(1, (steps - 2) // 2)
    for turn in range(turns):
        name, arguments, record = _call(turn)
        call_id = f"toolu_{i:06d}_{turn:04d}"
        s.assistant(turn, [
            {"type": "thinking", "thinking": f"Turn {turn}: check what the test expects before changing any code.",
             "signature": "EqQBCkgIBxAB"},
            {"type": "text", "text": f"Running {name} for turn {turn}."},
            {"type": "tool_use", "id": call_id, "name": name, "input": arguments},
        ])  # fmt: skip
        result = {
            "type": "tool_result",
            "tool_use_id": call_id,
            "content": turn_output(turn) if name == "Bash" else "File updated.",
        }
        s.add("user", {"role": "user", "content": [result]}, toolUseResult=record)
    s.assistant(turns, [{"type": "text", "text": "The test passes now: add() adds."}], stop="end_turn")
    return s.lines


def write(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(
        folder, n, lambda i: f"session-{i:06d}.jsonl", lambda i: "".join(json.dumps(line) + "\n" for line in _session(i, steps))
    )


def write_slug_sessions(folder: Path, n: int, steps: int) -> list[Path]:
    """`n` sessions of one project folder sharing a slug, one after the other: one run split over `n`
    files (a plan carried out in new sessions), which every file of the folder reads as a whole."""

    def lines(i: int) -> str:
        session = _session(i, steps)
        for k, line in enumerate(session):
            line["slug"] = "synth-shared-slug"
            line["timestamp"] = f"2025-01-{1 + i // 24:02d}T{i % 24:02d}:{k // 60 % 60:02d}:{k % 60:02d}.000Z"
        return "".join(json.dumps(line) + "\n" for line in session)

    return write_files(folder, n, lambda i: f"session-{i:06d}.jsonl", lines)
