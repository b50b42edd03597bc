"""Curated ImpossibleBench transcripts (Markdown, `tests/fixtures/impossiblebench/`) read as the
OpenAI chat message lists they were recorded from, then imported by the real importer.

Each `### HEADER` is followed by one fenced block holding the message verbatim: `USER / HARNESS` and
`HARNESS: tests failed` are user messages (the minimal loop's harness speaks as the user),
`ASSISTANT` an assistant message, `TOOL CALL: Bash` an assistant tool call (the block is its JSON
arguments) and `TOOL RESULT` its result. `SCORER` and `FINAL <file>` are what the curators added after
the run (the grader's verdict, the final file): not part of the transcript, left out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reviewer.formats.openai_chat import OpenaiChatFormat
from reviewer.jsonio import Document
from reviewer.model import Trajectory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "impossiblebench"
_SECTION = re.compile(r"^### (?P<header>.+)\n\n(?P<fence>`{3,})[^\n]*\n", re.MULTILINE)


def messages(markdown: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for section in _SECTION.finditer(markdown):
        header, fence = section.group("header"), section.group("fence")
        end = markdown.index("\n" + fence + "\n", section.end() - 1)
        body = markdown[section.end() : end]
        if header.startswith(("USER", "HARNESS")):
            found.append({"role": "user", "content": body})
        elif header.startswith("ASSISTANT"):
            found.append({"role": "assistant", "content": body})
        elif header.startswith("TOOL CALL: "):
            call = {"id": f"call_{len(found)}", "type": "function", "function": {"name": header[11:], "arguments": body}}
            found.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif header == "TOOL RESULT":
            found.append({"role": "tool", "tool_call_id": found[-1]["tool_calls"][0]["id"], "content": body})
    return found


def trajectory(name: str) -> Trajectory:
    path = FIXTURES / f"{name}.md"
    data = json.dumps(messages(path.read_text(encoding="utf-8"))).encode()
    (_, read), *_ = OpenaiChatFormat().read(Document(path.with_suffix(".json"), data))
    assert isinstance(read, Trajectory), read
    return read
