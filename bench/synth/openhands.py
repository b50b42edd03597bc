"""Synthetic OpenHands V0 event lists for the import benchmark, shaped like real saved trajectories.

Each file is a bare list of events: the user's task, then action/observation pairs (shell commands
with a few lines of output, an editor `str_replace` every fourth pair with the whole file before and
after, as OpenHands records it), some agent-state noise that the importer skips, and a finish. Every
action repeats the model response in `tool_call_metadata`, as the real files do; it is most of the bytes.
Deterministic: file i is the same on every run.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from bench.synth import write_files

MODEL = "claude-3-5-sonnet-20241022"
COMMANDS = ["ls -la src", "python -m pytest -q tests", "grep -rn 'def parse' src", "git status", "cat src/app.py"]


def write(folder: Path, n: int, steps: int) -> list[Path]:
    """n files of about `steps` imported steps each (state-change events come on top)."""
    return write_files(folder, n, lambda i: f"openhands-{i:06d}.json", lambda i: json.dumps(events(i, steps), indent=2))


class _Events:
    """The event list under construction; ids increase like OpenHands' event stream ids."""

    def __init__(self, index: int):
        self.index = index
        self.rng = random.Random(index)
        self.items: list[dict[str, Any]] = []
        self.file = "".join(f"def handler_{k}(value):\n    return value + {k}\n\n" for k in range(8))

    def add(self, source: str, **fields: Any) -> int:
        event_id = len(self.items)
        stamp = f"2025-01-27T22:{event_id // 60 % 60:02d}:{event_id % 60:02d}.{self.index % 1000000:06d}"
        self.items.append({"id": event_id, "timestamp": stamp, "source": source, **fields})
        return event_id

    def state(self, state: str) -> None:
        self.add("environment", message="", observation="agent_state_changed", content="", extras={"agent_state": state})

    def metadata(self, call_id: str, name: str, arguments: dict[str, Any], thought: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "content": thought,
            "role": "assistant",
            "tool_calls": [
                {"index": 1, "function": {"arguments": json.dumps(arguments), "name": name}, "id": call_id, "type": "function"}
            ],
        }
        if self.rng.random() < 0.3:
            message["reasoning_content"] = f"Considering the next step; the output so far suggests checking {name} again."
        usage = {"completion_tokens": self.rng.randint(40, 400), "prompt_tokens": self.rng.randint(3000, 30000)}
        response = {
            "id": f"chatcmpl-{call_id}",
            "model": MODEL,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message}],
            "usage": usage,
        }
        return {"function_name": name, "tool_call_id": call_id, "model_response": response, "total_calls_in_response": 1}

    def run(self, k: int) -> None:
        command = COMMANDS[k % len(COMMANDS)]
        thought = f"Step {k}: let me run `{command}` to see where things stand."
        tcm = self.metadata(f"toolu_{self.index:06d}_{k:04d}", "execute_bash", {"command": command}, thought)
        cause = self.add(
            "agent",
            message=f"Running command: {command}",
            action="run",
            tool_call_metadata=tcm,
            args={"command": command, "thought": thought},
        )
        code = 1 if self.rng.random() < 0.2 else 0
        output = "\n".join(
            f"line {j} of {command!r} output: value={self.rng.randint(0, 999)}" for j in range(self.rng.randint(2, 6))
        )
        extras = {
            "command": command,
            "metadata": {
                "exit_code": code,
                "working_dir": "/workspace",
                "suffix": f"\n[The command completed with exit code {code}.]",
            },
        }
        self.add(
            "agent",
            message=f"Command `{command}` executed with exit code {code}.",
            cause=cause,
            observation="run",
            tool_call_metadata=tcm,
            content=output,
            extras=extras,
        )

    def edit(self, k: int) -> None:
        old = f"    return value + {k % 8}\n"
        new = f"    return value + {k % 8} + {k}\n"
        arguments = {"command": "str_replace", "path": "/workspace/src/app.py", "old_str": old, "new_str": new}
        thought = f"Step {k}: the handler returns the wrong value; I'll fix it."
        tcm = self.metadata(f"toolu_{self.index:06d}_{k:04d}", "str_replace_editor", arguments, thought)
        args = {
            "path": "/workspace/src/app.py",
            "content": "",
            "start": 1,
            "end": -1,
            "thought": thought,
            "impl_source": "oh_aci",
        }
        cause = self.add("agent", message="", action="edit", tool_call_metadata=tcm, args=args)
        before, after = self.file, self.file.replace(old, new, 1)
        self.file = after
        extras = {
            "path": "/workspace/src/app.py",
            "prev_exist": True,
            "old_content": before,
            "new_content": after,
            "impl_source": "oh_aci",
            "formatted_output_and_error": (
                "The file /workspace/src/app.py has been edited. Review the changes and make sure they are as expected."
            ),
        }
        diff = f"--- /workspace/src/app.py\n+++ /workspace/src/app.py\n@@ -1 +1 @@\n-{old}+{new}"
        self.add(
            "agent",
            message="I edited the file /workspace/src/app.py.",
            cause=cause,
            observation="edit",
            tool_call_metadata=tcm,
            content=diff,
            extras=extras,
        )


def events(index: int, steps: int) -> list[dict[str, Any]]:
    """One trajectory: user task, `steps - 2` steps of paired actions (plus a message if odd), finish."""
    ev = _Events(index)
    task = f"Task {index}: the handlers in /workspace/src/app.py return wrong values. Fix them so the tests pass."
    ev.add("user", message=task, action="message", args={"content": task, "image_urls": None, "wait_for_response": False})
    ev.state("running")
    pairs, odd = divmod(max(steps - 2, 0), 2)
    for k in range(pairs):
        (ev.edit if k % 4 == 3 else ev.run)(k)
    if odd:
        ev.add(
            "agent",
            message="Progress so far: the failing handlers are fixed.",
            action="message",
            args={"content": "Progress so far: the failing handlers are fixed."},
        )
    ev.add("agent", message="Done.", action="finish", args={"outputs": {}, "thought": "I fixed the handlers and the tests pass."})
    ev.state("finished")
    return ev.items
