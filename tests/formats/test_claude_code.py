"""Claude Code sessions and Anthropic Messages API JSON: every fixture mapped step by step (checked by
hand against the files), sessions split at /clear, sub-agents as their own trajectories, bad input as
one error line at its place while the rest of the session still imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.synth import claude_code as synth
from reviewer.formats.claude_code import ClaudeCodeFormat
from reviewer.importer import Importer
from reviewer.jsonio import Document, InputError
from reviewer.model import Step, Trajectory
from reviewer.schemas import first_error
from reviewer.store import Store
from tests.formats import imported, synthetic

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CC = FIXTURES / "claude_code"
ROOT = Path(__file__).resolve().parents[2]
OPUS = "claude-opus-4-5-20251101"


def read_all(path: Path) -> list[tuple[str | None, Trajectory | InputError]]:
    return list(ClaudeCodeFormat().read(Document(path, path.read_bytes())))


def trajectories(path: Path) -> dict[str, Trajectory]:
    found = read_all(path)
    assert all(isinstance(item, Trajectory) for _, item in found), found
    return {item.id: item for _, item in found}  # type: ignore[union-attr]


def roles(t: Trajectory) -> str:
    return " ".join(s.role for s in t.steps)


def call_ids(step: Step) -> list[str]:
    return [c.id for c in step.tool_calls]


def answers(step: Step) -> tuple[str, bool]:
    """(call id, is_error) of a tool step."""
    assert step.role == "tool" and step.tool_result is not None, step
    return step.tool_result.call_id, step.tool_result.is_error


# --- the two real samples -----------------------------------------------------------------------


def test_tool_call_conversation() -> None:
    [(place, t)] = read_all(CC / "tool_call_conversation.jsonl")
    assert place == "1" and isinstance(t, Trajectory)
    assert t.id == "test-session-002"
    assert roles(t) == "user assistant tool assistant"
    assert t.task.prompt == "Read the README file"
    assert (t.agent.model, t.agent.scaffold) == (OPUS, "claude-code")
    read = t.steps[1]
    assert read.thinking == "The user wants me to read the README file. I should use the Read tool."
    assert read.text == "I'll read the README file for you."
    assert [(c.id, c.name, c.arguments) for c in read.tool_calls] == [
        ("toolu_read_001", "Read", {"file_path": "/Users/test/project/README.md"})
    ]
    assert read.metadata["usage"]["cache_read_input_tokens"] == 50 and read.metadata["message_id"] == "msg_assistant_010"
    output = t.steps[2]
    assert answers(output) == (read.tool_calls[0].id, False)
    assert output.text == "# My Project\n\nThis is a sample project for testing purposes."
    assert output.timestamp == "2026-01-31T11:00:02.000Z" and output.metadata["uuid"] == "tool-003"
    assert t.final_answer is not None and t.final_answer.startswith("The README indicates this is a sample project")
    assert t.metadata == {
        "session_id": "test-session-002",
        "cwd": "/Users/test/project",
        "git_branch": "main",
        "version": "2.0.76",
        "slug": "tool-call-slug",
    }
    assert t.file_edits == [] and t.final_patch is None and t.outcome.grader_result is None


def test_agent_session_links_the_task_result_to_its_sub_agent() -> None:
    [t] = trajectories(CC / "agent_session.jsonl").values()
    assert t.id == "test-session-004" and roles(t) == "user assistant tool assistant"
    assert t.task.prompt == "Explore the codebase structure"
    [task] = t.steps[1].tool_calls
    assert (task.id, task.name, task.arguments["subagent_type"]) == ("toolu_task_001", "Task", "Explore")
    result = t.steps[2]
    assert answers(result) == ("toolu_task_001", False)
    assert result.text.startswith("## Codebase Structure") and "agentId: atest01" in result.text
    assert result.metadata["subagent"] == "test-session-004/agent-atest01"
    assert result.metadata["tool_use_result"] == {
        "status": "completed", "agentId": "atest01", "totalDurationMs": 5000, "totalTokens": 500, "totalToolUseCount": 3,
    }  # fmt: skip
    assert "subagents" not in t.metadata  # its lines live in agent-atest01.jsonl, not here
    assert t.final_answer is not None and "three main directories" in t.final_answer


# --- fixtures written for this project ----------------------------------------------------------


def test_compaction_recorded_edits_and_a_weakened_test() -> None:
    [t] = trajectories(CC / "compaction_session.jsonl").values()
    assert t.id == "fx-compact-0001"
    assert roles(t) == "user assistant tool assistant tool system user assistant tool assistant tool assistant"
    assert t.task.prompt.startswith("Fix the off-by-one in src/pager.py")
    boundary, summary = t.steps[5], t.steps[6]
    assert boundary.text == "Conversation compacted" and boundary.metadata["compact_boundary"] is True
    assert boundary.metadata["compact_metadata"] == {"trigger": "auto", "preTokens": 48211}
    assert summary.role == "user" and summary.metadata["compact_summary"] is True
    assert summary.text.startswith("This session is being continued from a previous conversation")
    bash = t.steps[7].tool_calls[0]
    assert (bash.name, bash.arguments["command"]) == ("Bash", "python -m pytest tests/test_pager.py -q")
    failed = t.steps[8]
    assert answers(failed) == (bash.id, True)
    assert "1 failed" in failed.text
    assert t.steps[9].thinking is not None and "checking only the length" in t.steps[9].thinking
    assert t.steps[2].metadata["tool_use_result"] == {"type": "create"}  # the file copy is not repeated
    assert t.metadata["skipped_lines"] == {"file-history-snapshot": 1, "system:turn_duration": 1}
    assert t.final_answer == "All pager tests pass now."
    created, fixed, weakened = t.file_edits
    assert (created.path, created.step, created.source, created.before) == ("tests/test_pager.py", 1, "observation", "")
    assert created.after is not None and "assert page(items, 2, 3) == [4, 5, 6]" in created.after
    assert (fixed.path, fixed.step, fixed.source) == ("src/pager.py", 3, "observation")
    body = "def page(items, page, size):\n    start = (page - 1) * size{}\n    return items[start:start + size]\n"
    assert (fixed.before, fixed.after) == (body.format(" - 1"), body.format(""))
    assert fixed.diff is not None and "-    start = (page - 1) * size - 1\n+    start = (page - 1) * size\n" in fixed.diff
    assert (weakened.path, weakened.step, weakened.source) == ("tests/test_pager.py", 9, "tool_call")
    assert weakened.before is not None and "== [4, 5, 6]" in weakened.before  # the whole file, known from the Write
    assert weakened.diff is not None and "+    assert len(page(items, 2, 3)) == 3" in weakened.diff


def test_clear_splits_the_session_and_split_responses_merge() -> None:
    found = read_all(CC / "clear_split_session.jsonl")
    assert [(place, item.id) for place, item in found] == [("2", "fx-clear-0002"), ("13", "fx-clear-0002#2")]  # type: ignore[union-attr]
    first, second = (item for _, item in found)
    assert isinstance(first, Trajectory) and isinstance(second, Trajectory)
    assert roles(first) == "user assistant tool tool assistant user"
    merged = first.steps[1]  # four lines, one message.id
    assert merged.thinking == "Run the suite and look for skipped tests at the same time."
    assert merged.text == "Running the suite and searching for skips."
    assert [(c.id, c.name) for c in merged.tool_calls] == [("toolu_p1", "Bash"), ("toolu_g1", "Grep")]
    assert merged.metadata["merged_uuids"] == ["k3", "k4", "k5"]
    pytest_run, grep = first.steps[2], first.steps[3]
    assert answers(pytest_run) == ("toolu_p1", True)
    assert pytest_run.text == "FAILED tests/test_api.py::test_retry - TimeoutError\n1 failed, 41 passed in 3.10s"
    assert answers(grep) == ("toolu_g1", False)
    assert first.steps[4].thinking == "[redacted thinking]" and first.steps[4].metadata["redacted_thinking"] == 1
    assert "EmwKAhgBEgy3vaQ9opaque" not in json.dumps(first.to_dict())  # opaque data is never shown
    assert first.steps[5].metadata["meta"] is True and first.steps[5].text.startswith("Caveat:")
    assert first.task.prompt == "List the failing tests in this repo."
    assert first.metadata["titles"] == ["Flaky retry test"] and first.metadata["skipped_lines"] == {"summary": 1, "progress": 1}
    assert (first.metadata["conversation"], first.metadata["conversations"]) == (1, 2)

    assert roles(second) == "user user system assistant tool user assistant"
    assert second.steps[0].metadata["command"] is True and second.task.prompt == "Make test_retry pass."
    assert second.steps[2].text == "Auto-update to 2.0.77 failed: permission denied"
    assert second.metadata["cleared_at_line"] == 12 and second.metadata["conversation"] == 2
    assert answers(second.steps[4]) == ("toolu_e9", False)
    assert second.steps[5].text == "Also keep the retry count at 3."  # text beside a tool result stays user text
    [edit] = second.file_edits
    assert (edit.path, edit.step, edit.source, edit.before) == ("tests/test_api.py", 3, "tool_call", None)
    assert edit.diff is not None and "-timeout=0.01\n+timeout=5\n" in edit.diff
    assert not any("/clear" in s.text for t in (first, second) for s in t.steps)


def test_sidechain_lines_become_their_own_trajectory_and_the_chain_orders_lines() -> None:
    found = trajectories(CC / "sidechain_session.jsonl")
    main, agent = found["fx-side-0003"], found["fx-side-0003/agent-b7e2"]
    assert roles(main) == "user assistant tool assistant tool assistant"
    assert main.metadata["subagents"] == [{"trajectory": "fx-side-0003/agent-b7e2", "steps": 4}]
    assert main.steps[2].metadata["subagent"] == "fx-side-0003/agent-b7e2"
    assert "toolu_a1" not in json.dumps(main.to_dict())  # the sub-agent's own calls stay out of the main steps
    multi, applied = main.steps[3], main.steps[4]  # s6 is written before its parent s4: the chain puts s4 first
    assert [(s.metadata["uuid"], s.metadata["line"]) for s in (multi, applied)] == [("s4", 9), ("s6", 8)]
    assert answers(applied) == (call_ids(multi)[0], False) == ("toolu_m1", False)
    assert [(e.path, e.step, e.source) for e in main.file_edits] == [("src/config.py", 3, "tool_call")] * 2
    assert main.file_edits[1].diff is not None and "+return Config(level, debug)" in main.file_edits[1].diff
    assert main.agent.model == OPUS and main.final_answer == "DEBUG=1 now turns on debug mode (src/config.py)."

    assert roles(agent) == "user assistant tool assistant"
    assert agent.task.prompt == "Find every place the config loader reads environment variables."
    assert agent.agent.model == "claude-haiku-4-5-20251001"
    assert (agent.metadata["agent_id"], agent.metadata["parent_session"]) == ("b7e2", "fx-side-0003")
    assert answers(agent.steps[2]) == ("toolu_a1", False)


def test_a_sub_agent_file_on_its_own_is_named_by_its_file() -> None:
    [t] = trajectories(CC / "agent-c9d1.jsonl").values()
    assert t.id == "fx-side-0003/agent-c9d1" and t.metadata["agent_id"] == "c9d1"
    assert roles(t) == "user assistant tool assistant"
    assert t.steps[1].thinking == "ruff is configured in pyproject.toml."
    assert t.steps[1].tool_calls[0].arguments == {"command": "ruff check src"}
    assert answers(t.steps[2]) == ("toolu_d1", True)
    assert t.task.prompt == "Run the linter on src/ and report problems."


def test_messages_api_request() -> None:
    [(place, t)] = read_all(CC / "messages_api_request.json")
    assert place is None and isinstance(t, Trajectory)
    assert t.id == "messages_api_request" and t.agent.model == "claude-sonnet-4-5-20250929"
    assert roles(t) == "system user assistant tool assistant tool user assistant tool assistant"
    assert t.steps[0].text.startswith("You are a coding agent working in /repo.")
    assert t.task.prompt == "tests/test_math.py::test_add fails. Fix add() in mathlib.py."
    assert t.steps[2].thinking == "Look at the function and the test first." and t.steps[2].tool_calls[0].name == "bash"
    assert t.steps[3].text.startswith("def add(a, b):\n    return a - b")
    assert (t.steps[4].thinking, t.steps[4].text) == ("[redacted thinking]", "The bug is the minus sign.")
    refused = t.steps[5]
    assert answers(refused) == ("toolu_02", True)
    assert (t.steps[6].role, t.steps[6].text) == ("user", "Try again; I made it writable.")
    assert answers(t.steps[8]) == (call_ids(t.steps[7])[0], False) == ("toolu_03", False)
    attempt, edit = t.file_edits  # the refused first attempt is kept, failed: it changed nothing
    assert (attempt.path, attempt.step, attempt.source, attempt.op, attempt.status) == (
        "mathlib.py",
        4,
        "tool_call",
        "modify",
        "failed",
    )
    assert (edit.path, edit.step, edit.source, edit.op, edit.status) == ("mathlib.py", 7, "tool_call", "modify", "applied")
    assert edit.diff is not None and "-return a - b\n+return a + b\n" in edit.diff
    assert t.final_answer == "Fixed: add() now returns a + b."
    assert t.metadata["max_tokens"] == 4096
    assert [tool["name"] for tool in t.metadata["tools"]] == ["str_replace_based_edit_tool", "bash"]
    assert "EuYBCkQIBxABGAI" not in json.dumps(t.to_dict())  # thinking signatures are opaque


def test_messages_api_list_with_a_server_tool() -> None:
    [t] = trajectories(CC / "messages_api_list.json").values()
    assert t.id == "messages_api_list" and roles(t) == "user assistant tool"
    assert t.agent.model == "claude-opus-4-1-20250805"
    [search] = t.steps[1].tool_calls
    assert (search.id, search.name) == ("srvtoolu_01", "web_search")
    assert search.arguments == {"query": "ruff changelog FURB refurb rules added"}
    hit = t.steps[2]
    assert answers(hit) == ("srvtoolu_01", False)
    assert hit.text == "ruff/CHANGELOG.md at main <https://github.com/astral-sh/ruff/blob/main/CHANGELOG.md>"
    assert t.final_answer == "0.0.271" and t.task.prompt.startswith("Which ruff release added the FURB rules?")


# --- other shapes ---------------------------------------------------------------------------------


def write(folder: Path, name: str, value: Any) -> Path:
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def session_line(uuid: str, parent: str | None, kind: str, content: Any, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"role": kind, "content": content}
    if kind == "assistant":
        message.update(id=f"msg_{uuid}", model=OPUS)
    return {"uuid": uuid, "parentUuid": parent, "sessionId": "tmp-session", "type": kind, "message": message, **extra}


def jsonl(*lines: Any) -> str:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


GOOD = [
    session_line("u1", None, "user", "Fix the bug."),
    session_line("u2", "u1", "assistant", [{"type": "text", "text": "Fixed."}]),
    session_line("u3", "u2", "user", "Thanks."),
]


def test_a_single_response_and_a_one_line_session(tmp_path: Path) -> None:
    response = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": OPUS,
        "content": [{"type": "text", "text": "Hi."}],
        "stop_reason": "end_turn",
    }
    [t] = trajectories(write(tmp_path, "response.json", response)).values()
    assert (t.id, roles(t), t.agent.model, t.steps[0].metadata["stop_reason"]) == ("response", "assistant", OPUS, "end_turn")
    [t] = trajectories(write(tmp_path, "one.jsonl", json.dumps(GOOD[0]))).values()
    assert (t.id, roles(t), t.task.prompt) == ("tmp-session", "user", "Fix the bug.")


def test_a_session_behind_a_long_preamble_is_still_claude_code(tmp_path: Path) -> None:
    """A resumed, long-lived session starts with Claude Code's own summary, snapshot and queue lines,
    more than the 50 lines the sniff looks at: the real compaction session behind 80 of them reads as
    it does alone (it was "unknown format"). Other typed lines still count towards the window."""
    session = (CC / "compaction_session.jsonl").read_text(encoding="utf-8")
    preamble = [{"type": "summary", "summary": f"Earlier work {k}", "leafUuid": f"old-{k}"} for k in range(70)]
    preamble += [{"type": "queue-operation", "operation": "enqueue", "timestamp": "2026-02-03T09:59:00.000Z"}] * 10
    resumed = write(tmp_path, "resumed.jsonl", "\n".join(json.dumps(line) for line in preamble) + "\n" + session)
    assert ClaudeCodeFormat().sniff(Document(resumed, resumed.read_bytes()))
    [alone] = trajectories(CC / "compaction_session.jsonl").values()
    [behind] = trajectories(resumed).values()
    assert (behind.id, roles(behind), behind.task.prompt) == (alone.id, roles(alone), alone.task.prompt)
    others = [{"type": "event_msg", "payload": {}}] * 60  # typed lines of another tool: the window still ends
    other = write(tmp_path, "other.jsonl", "\n".join(json.dumps(line) for line in others) + "\n" + session)
    assert not ClaudeCodeFormat().sniff(Document(other, other.read_bytes()))


def test_plain_chats_are_left_to_the_openai_importer(tmp_path: Path) -> None:
    chat = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}]
    assert not ClaudeCodeFormat().sniff(Document(tmp_path / "c.json", json.dumps(chat).encode()))
    request = {"model": "claude-x", "system": "Be brief.", "messages": chat}  # a top-level system is Anthropic's
    assert ClaudeCodeFormat().sniff(Document(tmp_path / "r.json", json.dumps(request).encode()))


def test_a_parent_cycle_keeps_file_order(tmp_path: Path) -> None:
    a = session_line("a", "b", "user", "first")
    b = session_line("b", "a", "assistant", [{"type": "text", "text": "second"}])
    [t] = trajectories(write(tmp_path, "cycle.jsonl", jsonl(a, b))).values()
    assert [s.text for s in t.steps] == ["first", "second"]


def import_errors(path: Path, tmp_path: Path) -> tuple[list[str], list[str]]:
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([path])
    [file] = report.files
    return file.errors, file.imported


BAD_LINE = {
    "missing message": (
        {"uuid": "u2", "parentUuid": "u1", "sessionId": "tmp-session", "type": "assistant"},
        "2:/message: assistant line has no 'message' object",
    ),
    "content wrong type": (
        session_line("u2", "u1", "assistant", 42),
        "2:/message/content: expected a string or a list of content blocks, got a number",
    ),
    "block not an object": (
        session_line("u2", "u1", "assistant", ["oops"]),
        "2:/message/content/0: content block must be an object with a string 'type'",
    ),
    "thinking not a string": (
        session_line("u2", "u1", "assistant", [{"type": "thinking", "thinking": None}]),
        "2:/message/content/0/thinking: thinking block needs a string 'thinking'",
    ),
    "no content": ({**GOOD[1], "message": {"role": "assistant"}}, "2:/message/content: message has no 'content'"),
    "array line": ([1, 2], "2: expected an object, got an array"),
    "no type": ({"uuid": "u2", "sessionId": "tmp-session"}, "2:/type: line has no string 'type'"),
}


@pytest.mark.parametrize("case", BAD_LINE, ids=str)
def test_a_bad_line_is_one_error_and_the_rest_imports(case: str, tmp_path: Path) -> None:
    line, expected = BAD_LINE[case]
    path = write(tmp_path, "s.jsonl", jsonl(GOOD[0], line, GOOD[2]))
    errors, imported = import_errors(path, tmp_path)
    assert errors == [f"{path}:{expected}"]
    assert imported == ["tmp-session"]


def test_a_truncated_last_line_is_one_error(tmp_path: Path) -> None:
    text = jsonl(*GOOD)
    path = write(tmp_path, "s.jsonl", text[: len(text) - 20])
    errors, imported = import_errors(path, tmp_path)
    assert len(errors) == 1 and errors[0].startswith(f"{path}:3:") and "invalid JSON" in errors[0]
    assert imported == ["tmp-session"]


def test_a_session_of_nothing_but_command_noise_is_one_error(tmp_path: Path) -> None:
    noise = [
        session_line("n1", None, "user", "Caveat: generated by local commands.", isMeta=True),
        session_line("n2", "n1", "user", "<command-name>/clear</command-name>"),
    ]
    path = write(tmp_path, "s.jsonl", jsonl(*noise))
    assert import_errors(path, tmp_path) == ([f"{path}: Claude Code session has no user or assistant messages"], [])


BAD_API = {
    "bad role": ({"role": "robot", "content": "x"}, '/messages/1/role: role must be user, assistant or system, not "robot"'),
    "not an object": ("hello", "/messages/1: expected a message object, got a string"),
    "content wrong type": (
        {"role": "user", "content": {"text": "x"}},
        "/messages/1/content: expected a string or a list of content blocks, got an object",
    ),
}


@pytest.mark.parametrize("case", BAD_API, ids=str)
def test_a_bad_api_message_is_one_error(case: str, tmp_path: Path) -> None:
    message, expected = BAD_API[case]
    request = json.loads((CC / "messages_api_request.json").read_text())
    request["messages"].insert(1, message)
    path = write(tmp_path, "r.json", request)
    errors, _ = import_errors(path, tmp_path)
    assert errors == [f"{path}:{expected}"]


def test_truncated_api_json_is_one_error(tmp_path: Path) -> None:
    text = (CC / "messages_api_request.json").read_text()
    path = write(tmp_path, "r.json", text[: len(text) // 2])
    errors, imported = import_errors(path, tmp_path)
    assert len(errors) == 1 and "invalid JSON" in errors[0] and imported == []
    assert errors[0].split(": ")[0].count(":") == 2  # file:line:col


# --- end to end -----------------------------------------------------------------------------------


def test_every_fixture_imports_and_validates(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([CC])
        assert report.ok, [f.errors for f in report.files]
        assert {f.format for f in report.files} == {"claude_code"}
        ids = [i for f in report.files for i in f.imported]
        assert sorted(ids) == sorted([
            "test-session-002", "test-session-004", "fx-compact-0001", "fx-clear-0002", "fx-clear-0002#2",
            "fx-side-0003", "fx-side-0003/agent-b7e2", "fx-side-0003/agent-c9d1", "messages_api_request", "messages_api_list",
        ])  # fmt: skip
        for trajectory_id in ids:
            stored = store.trajectories.get(trajectory_id)
            assert stored is not None and stored.source.format == "claude_code"
            assert first_error("trajectory.schema", stored.to_dict()) is None, trajectory_id


def test_synthetic_sessions_import(tmp_path: Path) -> None:
    folder = tmp_path / "synth"
    synthetic(synth, folder, 3, 40)
    with imported(tmp_path, [folder]) as (store, report):
        assert report.totals()["imported"] == 3
        t = store.trajectories.get("synth-cc-000001")
        assert t is not None and len(t.steps) == 40
        assert [e.source for e in t.file_edits][:3] == ["observation"] * 3
