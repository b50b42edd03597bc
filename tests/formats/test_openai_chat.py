"""OpenAI chat-completions import: docent's τ-bench sample mapped turn by turn, the other accepted
shapes (bare lists, JSONL both ways, legacy and custom calls, vendor reasoning), bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.synth import openai_chat as synth
from reviewer.formats.openai_chat import OpenaiChatFormat
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic, truncated_is_a_parse_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAT = FIXTURES / "openai_chat"
ROOT = Path(__file__).resolve().parents[2]


def read_all(path: Path) -> list[tuple[str | None, Trajectory | InputError]]:
    return list(OpenaiChatFormat().read(Document(path, path.read_bytes())))


def read_one(path: Path) -> Trajectory:
    [(place, item)] = read_all(path)
    assert place is None and isinstance(item, Trajectory), item
    return item


def write(folder: Path, name: str, value: Any) -> Path:
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


# --- docent's τ-bench airline sample ---


@pytest.fixture(scope="module")
def airline() -> Trajectory:
    return read_one(CHAT / "tb_airline.json")


def test_airline_roles_prompt_and_wrapper(airline: Trajectory) -> None:
    t = airline
    assert len(t.steps) == 42
    assert [s.role for s in t.steps[:8]] == ["system", "user", "assistant", "user", "assistant", "tool", "assistant", "tool"]
    assert t.steps[0].text.startswith("# Airline Agent Policy\n\nThe current time is 2024-05-15 15:00:00 EST.")
    assert t.task.prompt == " Hi, I'd like to book a flight from New York to Seattle on May 20th."
    assert t.task.id == "0"
    assert t.outcome.reward == 0.0 and t.outcome.grader_result is None
    assert t.agent.model is None
    assert t.metadata["trial"] == 0 and t.metadata["info"]["task"]["user_id"] == "mia_li_3668"
    assert t.metadata["info"]["reward_info"]["info"]["r_actions"] == 0.0
    assert t.steps[41].text == " ###STOP###" and t.steps[41].role == "user"
    assert t.final_answer is not None and t.final_answer.startswith(
        "Great! Your reservation has been successfully booked. Your reservation ID is HATHAT."
    )
    assert t.final_patch is None and t.file_edits == []
    assert t.id.startswith("tb_airline-")


def test_airline_calls_pair_in_order_although_every_id_is_zero(airline: Trajectory) -> None:
    t = airline
    calls = [(s.index, c) for s in t.steps for c in s.tool_calls]
    assert len(calls) == 12 and len({c.id for _, c in calls}) == 12
    first_index, first = calls[0]
    assert (first_index, first.id, first.name, first.arguments) == (4, "0", "get_user_details", {"user_id": "mia_li_3668"})
    assert t.steps[6].tool_calls[0].name == "list_all_airports" and t.steps[6].tool_calls[0].arguments == {}
    assert t.steps[10].tool_calls[0].arguments == {"origin": "JFK", "destination": "SEA", "date": "2024-05-20"}
    for index, call in calls:  # each call is answered by the very next message
        result = t.steps[index + 1]
        assert result.role == "tool" and result.tool_result is not None and result.tool_result.call_id == call.id
        assert result.metadata["name"] == call.name
    assert t.steps[5].text.startswith('{"name": {"first_name": "Mia", "last_name": "Li"}')


def test_airline_failed_booking_is_an_error_result(airline: Trajectory) -> None:
    booking = airline.steps[28].tool_calls[0]
    assert booking.name == "book_reservation"
    assert booking.arguments["flights"] == [
        {"flight_number": "HAT213", "date": "2024-05-20"},
        {"flight_number": "HAT099", "date": "2024-05-20"},
    ]
    assert airline.steps[29].text == "Error: not enough seats on flight HAT213"
    assert airline.steps[29].tool_result is not None and airline.steps[29].tool_result.is_error is True
    assert airline.steps[39].tool_result is not None and airline.steps[39].tool_result.is_error is False
    assert '"reservation_id": "HATHAT"' in airline.steps[39].text


def test_fixture_folder_imports_and_validates(tmp_path: Path) -> None:
    with imported(tmp_path, [CHAT]) as (store, report):
        [tid] = [i for f in report.files for i in f.imported]
        d = store.trajectories.get(tid).to_dict()
        assert first_error("trajectory.schema", d) is None
        assert d["source"]["format"] == "openai_chat" and len(d["steps"]) == 42


# --- the other shapes ---

TOOL_TURNS: list[dict[str, Any]] = [
    {"role": "developer", "content": [{"type": "text", "text": "Be careful."}]},
    {"role": "user", "content": [{"type": "text", "text": "Fix it."}, {"type": "image_url", "image_url": {"url": "data:"}}]},
    {
        "role": "assistant",
        "content": None,
        "reasoning_content": "Look first.",
        "thinking_blocks": [
            {"type": "thinking", "thinking": "Then edit.", "signature": "sig"},
            {"type": "redacted_thinking", "data": "x"},
        ],
        "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "bash", "arguments": '{"command": "ls"}'}},
            {"id": "b", "type": "function", "function": {"name": "bash", "arguments": "{not json"}},
            {
                "id": "c",
                "type": "custom",
                "custom": {"name": "apply_patch", "input": "*** Begin Patch\n*** Add File: new.txt\n+hello\n*** End Patch"},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "c", "content": "Done"},
    {"role": "tool", "tool_call_id": "a", "content": [{"type": "text", "text": "a.py"}]},
    {"role": "tool", "tool_call_id": "b", "content": "bad arguments", "is_error": True},
    {"role": "assistant", "content": None, "function_call": {"name": "lookup", "arguments": '{"q": "x"}'}},
    {"role": "function", "name": "lookup", "content": "found"},
    {"role": "assistant", "content": [{"type": "refusal", "refusal": "I can't do more."}]},
]


def test_bare_list_with_every_call_kind(tmp_path: Path) -> None:
    t = read_one(write(tmp_path, "chat.json", TOOL_TURNS))
    assert [s.role for s in t.steps] == ["system", "user", "assistant", "tool", "tool", "tool", "assistant", "tool", "assistant"]
    assert t.steps[0].text == "Be careful." and t.task.prompt == "Fix it.\n[image]"
    turn = t.steps[2]
    assert turn.text == "" and turn.thinking == "Look first.\n\nThen edit.\n\n[redacted thinking]"
    ls, broken, patch = turn.tool_calls
    assert ls.arguments == {"command": "ls"} and ls.raw_arguments == '{"command": "ls"}'
    assert broken.arguments == {} and broken.raw_arguments == "{not json" and broken.parse_error
    assert patch.name == "apply_patch" and patch.arguments["input"].startswith("*** Begin Patch")
    assert [(s.tool_result.call_id, s.text) for s in t.steps[3:6] if s.tool_result] == [
        ("c", "Done"),
        ("a", "a.py"),
        ("b", "bad arguments"),
    ]
    assert [s.tool_result.is_error for s in t.steps[3:6] if s.tool_result] == [False, False, True]
    legacy = t.steps[6].tool_calls[0]
    assert (legacy.name, legacy.arguments) == ("lookup", {"q": "x"})
    assert t.steps[7].tool_result is not None and t.steps[7].tool_result.call_id == legacy.id and t.steps[7].text == "found"
    assert t.final_answer == "I can't do more."
    assert [(e.path, e.step, e.after, e.source) for e in t.file_edits] == [("new.txt", 2, "hello\n", "patch")]


def test_jsonl_one_message_per_line_is_one_trajectory(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.jsonl", "\n".join(json.dumps(m) for m in TOOL_TURNS) + "\n")
    assert OpenaiChatFormat().sniff(Document(path, path.read_bytes()))
    t = read_one(path)
    assert len(t.steps) == 9 and t.id.startswith("chat-")


def test_jsonl_one_conversation_per_line(tmp_path: Path) -> None:
    lines = [
        {"messages": [{"role": "user", "content": "one"}, {"role": "assistant", "content": "1"}], "model": "gpt-x", "reward": 1},
        {"traj": [{"role": "user", "content": "two"}]},
        {"messages": []},
    ]
    path = write(tmp_path, "runs.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n{broken\n")
    items = read_all(path)
    assert [place for place, _ in items] == ["1", "2", "3", "4"]
    first, second = items[0][1], items[1][1]
    assert isinstance(first, Trajectory) and isinstance(second, Trajectory)
    assert (first.task.prompt, first.agent.model, first.outcome.reward, first.final_answer) == ("one", "gpt-x", 1.0, "1")
    assert second.task.prompt == "two" and first.id != second.id
    assert str(items[2][1]) == f"{path}:3:/messages: no messages: nothing to review"
    assert str(items[3][1]).startswith(f"{path}:4:") and "invalid JSON" in str(items[3][1])


def test_results_file_with_many_wrapped_runs(tmp_path: Path) -> None:
    runs = [{"task_id": k, "reward": float(k), "traj": [{"role": "user", "content": f"task {k}"}]} for k in range(3)]
    items = read_all(write(tmp_path, "results.json", runs))
    assert [place for place, _ in items] == ["/0", "/1", "/2"]
    assert [t.task.id for _, t in items if isinstance(t, Trajectory)] == ["0", "1", "2"]


@pytest.mark.parametrize(
    "value",
    [
        [{"role": "system", "content": "x ```mswea_bash_command\nls\n```"}, {"role": "user", "content": "go"}],
        [
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "<returncode>0</returncode>"},
        ],
        {"messages": [{"role": "user", "content": "go"}], "trajectory_format": "mini-swe-agent-1"},
        [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "x"}]}],
        [{"role": "user", "content": "q"}] * 9
        + [{"role": "assistant", "content": [{"type": "server_tool_use", "id": "s", "name": "web_search"}]}],
        [{"role": "user", "content": "q"}, {"type": "message", "role": "assistant", "content": "a"}],
        [{"role": "user", "content": "go"}, {"content": "no role"}],
        [],
        {"messages": "not a list"},
    ],
)
def test_sniff_leaves_other_shapes_alone(value: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", value)
    assert not OpenaiChatFormat().sniff(Document(path, path.read_bytes()))


# --- bad input: one line naming the place ---

MALFORMED: dict[str, tuple[Any, str]] = {
    "unknown_role": ([{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}], "/1/role"),
    "content_wrong_type": ([{"role": "user", "content": 5}], "/0/content"),
    "tool_calls_not_list": (
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": "x"}]},
        "/messages/1/tool_calls",
    ),
    "call_without_name": (
        {"traj": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "1", "function": {}}]}]},
        "/traj/1/tool_calls/0/function/name",
    ),
    "call_not_object": ([{"role": "assistant", "tool_calls": ["ls"]}], "/0/tool_calls/0"),
    "legacy_call_without_name": ([{"role": "assistant", "function_call": {"arguments": "{}"}}], "/0/function_call/name"),
    "message_not_object_in_jsonl": (
        '{"role": "user", "content": "a"}\n{"role": "assistant", "content": "b"}\n{"role": "user", "content": "c"}\n["x"]\n',
        "4: ",
    ),
    "bad_line_in_message_jsonl": ('{"role": "user", "content": "a"}\n{"role": "assistant", "content": "b"}\n{"role": \n', "3:"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_gives_one_error_line_with_its_place(name: str, tmp_path: Path) -> None:
    value, place = MALFORMED[name]
    path = write(tmp_path, f"{name}.jsonl" if isinstance(value, str) else f"{name}.json", value)
    error = only_error(path)
    assert error.startswith(f"{path}:{place}"), error


def test_truncated_file_is_one_parse_error(tmp_path: Path) -> None:
    truncated_is_a_parse_error(CHAT / "tb_airline.json", tmp_path / "cut.json")


def test_synthetic_files_import(tmp_path: Path) -> None:
    with imported(tmp_path, synthetic(synth, tmp_path / "synth", 3, 20)) as (store, report):
        for f in report.files:
            [tid] = f.imported
            t = store.trajectories.get(tid)
            assert 18 <= len(t.steps) <= 20
            assert t.file_edits and t.file_edits[0].path == "/app/src/calc.py"
            assert t.steps[2].thinking and t.steps[3].tool_result is not None
