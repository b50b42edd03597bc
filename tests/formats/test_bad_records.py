"""One way to report a bad record, whatever the format (reviewer.formats.shape): one line, the same
place syntax (`line:/pointer`, `/pointer`, `member:/pointer`) and the same wording ("expected <what>,
got <JSON type>", "unexpected shape (...)"). Checked on real files of several formats, each broken in
one value."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.formats.shape import Malformed, bad_record, place
from tests.formats import only_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_place_syntax() -> None:
    assert place(None) is None and place(None, "") is None and place(12) == "12"
    assert place(12, "/message/content") == "12:/message/content"  # a JSONL line, then the pointer inside it
    assert place("samples/a.json", "/messages/0") == "samples/a.json:/messages/0"  # an archive member
    assert place("/samples/3", "/id") == "/samples/3/id"  # a pointer continues a pointer
    assert place(None, "/steps/1") == "/steps/1"


def test_the_wording() -> None:
    assert str(bad_record("f.json", 3, Malformed("/role", "unknown role 'x'"))) == "f.json:3:/role: unknown role 'x'"
    assert str(bad_record("f.json", None, KeyError("id"))) == "f.json: unexpected shape (KeyError: 'id')"


def set_at(path: list[Any], value: Any) -> Callable[[Any], None]:
    def mutate(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return mutate


# (fixture, how it is broken, the place and message of its one error line)
BROKEN_JSON = {
    "atif": (
        "atif/openhands_hello-world.trajectory.json", set_at(["steps", 4, "tool_calls"], "ls"),
        "/steps/4/tool_calls: expected a list, got a string",
    ),
    "openai_chat": (
        "openai_chat/tb_airline.json", set_at(["traj", 1, "content"], 7),
        "/traj/1/content: expected a string or a list of content parts, got a number",
    ),
    "inspect_ai": (
        "inspect_ai/log_tool_call_error.json", set_at(["samples", 0, "messages", 2], [1]),
        "/samples/0/messages/2: expected a message object, got an array",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BROKEN_JSON))
def test_a_broken_value_in_a_real_file_is_one_line_in_the_shared_wording(name: str, tmp_path: Path) -> None:
    fixture, mutate, expected = BROKEN_JSON[name]
    data = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / Path(fixture).name
    path.write_text(json.dumps(data), encoding="utf-8")
    assert only_error(path, name) == f"{path}:{expected}"


@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("claude_code/tool_call_conversation.jsonl", "2: expected an object, got an array"),
        ("codex/" + next(p.name for p in (FIXTURES / "codex").glob("*.jsonl")), "2: expected an object, got an array"),
    ],
)
def test_a_bad_line_of_a_real_session_says_the_same(fixture: str, expected: str, tmp_path: Path) -> None:
    """JSONL sessions: the line that is no object is reported at its line, the rest still imports."""
    from reviewer.importer import Importer

    lines = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    path = tmp_path / Path(fixture).name
    path.write_text("\n".join([lines[0], "[1, 2]", *lines[1:]]) + "\n", encoding="utf-8")
    (file,) = Importer(None, max_bytes=10**8).run([path]).files
    assert file.errors == [f"{path}:{expected}"] and file.imported
