"""Gemini CLI: the real session checked by hand against its JSON, the JSONL session form (rewrites,
rewinds, metadata updates) and saved chats (written for this project from gemini-cli's
`packages/core/src/services/chatRecordingTypes.ts` and `chatRecordingService.ts`), bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.synth import gemini_cli as synth
from reviewer.formats.gemini_cli import GeminiCliFormat
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic_one, truncated_is_a_parse_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gemini_cli"
SAMPLE = FIXTURES / "session-2026-01-16T11-01-file-ops-37b7abef.json"
JSONL = FIXTURES / "session-2026-02-01T10-00-5d2c9a10.jsonl"
CHAT = FIXTURES / "checkpoint-hello.json"


def read(path: Path) -> Trajectory:
    items = list(GeminiCliFormat().read(Document(path, path.read_bytes())))
    assert [type(item) for _, item in items] == [Trajectory], items
    return items[0][1]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def sample() -> Trajectory:
    return read(SAMPLE)


def test_session_messages_calls_and_results(sample: Trajectory) -> None:
    t = sample
    assert (t.id, t.agent.model, t.agent.scaffold) == ("37b7abef-713d-4522-85f0-8ff15a4e6d17", "gemini-3-pro", "gemini-cli")
    assert t.task.prompt == "show tools"
    # 14 messages: 5 user, 9 gemini; 14 calls: 9 in message 3 (three turns, stamped 11:04:00.677, 13.954, 26.219),
    # 1 in message 6, 2 each in messages 9 and 12 (a read, then a write stamped later)
    assert [s.role for s in t.steps].count("user") == 5 and [s.role for s in t.steps].count("tool") == 14
    assert len(t.steps) == 32
    assert [c.name for c in t.steps[3].tool_calls] == ["write_todos", "delegate_to_agent"]
    assert [c.name for c in t.steps[6].tool_calls] == ["write_todos", "read_file", "read_file", "read_file"]
    assert [c.name for c in t.steps[11].tool_calls] == ["write_todos", "search_file_content", "read_file"]
    assert t.steps[6].timestamp == "2026-01-16T11:04:13.954Z" and t.steps[6].text == ""
    for k, call in zip(range(7, 11), t.steps[6].tool_calls, strict=True):
        assert t.steps[k].tool_result is not None and t.steps[k].tool_result.call_id == call.id
    assert t.steps[8].text.startswith("# Security Policy")  # read_file SECURITY.md: functionResponse.response.output
    assert t.steps[5].text.startswith("Subagent 'codebase_investigator' finished.")
    assert not any(s.tool_result.is_error for s in t.steps if s.tool_result)  # every call has status "success"
    assert t.steps[1].metadata["tokens"] == {"input": 4749, "output": 292, "cached": 0, "thoughts": 240, "tool": 0, "total": 5281}
    assert t.final_answer == "I have removed the 2nd and 3rd lines from `hello.md`."


def test_session_edits_follow_the_file(sample: Trajectory) -> None:
    t = sample
    # messages 6, 9, 12: write_file hello.md three times; the results say created, then overwrote twice
    assert [(e.path, e.step, e.op, e.status, e.source) for e in t.file_edits] == [
        ("hello.md", 17, "create", "applied", "tool_call"),
        ("hello.md", 23, "modify", "applied", "tool_call"),
        ("hello.md", 29, "modify", "applied", "tool_call"),
    ]
    first, second, third = t.file_edits
    assert (first.before, first.after) == ("", "# Hello World")
    assert second.before == "# Hello World" and second.after is not None and second.after.count("\n") == 5
    assert third.before == second.after and third.after == (
        "# Hello World\nSphinx of black quartz, judge my vow.\nPack my box with five dozen liquor jugs.\n"
        "How vexingly quick daft zebras jump."
    )
    assert third.diff is not None and "-The quick brown fox jumps over the lazy dog.\n" in third.diff


def test_jsonl_session_rewrites_rewinds_and_failures() -> None:
    t = read(JSONL)
    assert t.id == "5d2c9a10-0b7e-4c1f-9a55-2f1e0c3b7d21"
    # m3 (an info notice) was rewound away; m5 was written twice, the second record (two calls) wins
    assert [s.role for s in t.steps] == "user assistant tool user assistant tool assistant tool assistant".split()
    assert t.steps[1].thinking == "Weakening the test\nChanging the expectation is quickest."
    assert t.steps[2].tool_result is not None and t.steps[2].tool_result.is_error is True  # status "error"
    assert t.steps[2].text.startswith("Failed to edit, 0 occurrences found for old_string (== 3).")
    assert [c.name for c in t.steps[6].tool_calls] == ["run_shell_command"] and t.steps[6].timestamp == "2026-02-01T10:00:30.000Z"
    assert [(e.path, e.step, e.op, e.status, e.source) for e in t.file_edits] == [
        ("/repo/test_calc.py", 1, "modify", "failed", "tool_call"),
        ("/repo/calc.py", 4, "modify", "applied", "observation"),  # the display record's original/new content
        ("notes.txt", 6, None, "applied", "bash"),  # the shell heredoc, reconstructed from the command (exit code 0)
    ]
    assert t.file_edits[1].before == "def add(a, b):\n    return a - b\n"
    assert (t.agent.model, t.metadata["models"], t.metadata["summary"]) == (
        "gemini-2.5-pro",
        ["gemini-2.5-pro", "gemini-2.5-flash"],
        "Fix add()",
    )


def test_saved_chat_contents() -> None:
    t = read(CHAT)
    assert [s.role for s in t.steps] == ["user", "assistant", "user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert t.steps[0].metadata == {"injected": True} and t.task.prompt == "Create hello.py printing hi."
    assert (t.steps[3].text, t.steps[3].thinking) == ("Creating it.", "Planning the file.")
    assert t.steps[6].tool_result is not None and t.steps[6].tool_result.is_error is True  # response.error
    [edit] = t.file_edits
    assert (edit.path, edit.step, edit.op, edit.status, edit.before, edit.after) == (
        "/repo/hello.py",
        3,
        "create",
        "applied",
        "",
        "print('hi')\n",
    )


def test_fixtures_import_and_validate(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        assert {f.format for f in report.files} == {"gemini_cli"} and report.totals()["imported"] == 3
        for f in report.files:
            for tid in f.imported:
                stored = store.trajectories.get(tid)
                assert stored is not None and first_error("trajectory.schema", stored.to_dict()) is None


# --- bad input ---


def write(tmp_path: Path, name: str, value: object) -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


SESSION = {"sessionId": "s", "projectHash": "h", "messages": [{"id": "1", "type": "user", "content": "hi"}]}
MALFORMED = {
    "unknown type": (
        {**SESSION, "messages": [*SESSION["messages"], {"id": "2", "type": "robot"}]},
        '/messages/1/type: unknown message type "robot"',
    ),
    "calls not a list": (
        {**SESSION, "messages": [*SESSION["messages"], {"id": "2", "type": "gemini", "toolCalls": {}}]},
        "/messages/1/toolCalls: expected a list of tool calls, got an object",
    ),
    "call without name": (
        {**SESSION, "messages": [*SESSION["messages"], {"id": "2", "type": "gemini", "toolCalls": [{"id": "c"}]}]},
        "/messages/1/toolCalls/0/name: tool call without a name",
    ),
    "no conversation": (
        {**SESSION, "messages": [{"id": "1", "type": "info", "content": "x"}]},
        "/messages: Gemini CLI session has no user or Gemini messages",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=str)
def test_malformed_session_is_one_error_with_its_place(case: str, tmp_path: Path) -> None:
    value, expected = MALFORMED[case]
    path = write(tmp_path, "session.json", value)
    assert only_error(path, "gemini_cli") == f"{path}:{expected}"


def test_a_broken_jsonl_line_is_one_error_and_the_rest_imports(tmp_path: Path) -> None:
    lines = JSONL.read_text().splitlines()
    lines.insert(3, '{"id": "broken", "type": ')
    path = write(tmp_path, "s.jsonl", "\n".join(lines) + "\n")
    items = list(GeminiCliFormat().read(Document(path, path.read_bytes())))
    errors = [i for _, i in items if isinstance(i, InputError)]
    [t] = [i for _, i in items if isinstance(i, Trajectory)]
    assert len(errors) == 1 and str(errors[0]).startswith(f"{path}:4:") and len(t.steps) == 9


def test_truncated_session_is_one_parse_error(tmp_path: Path) -> None:
    truncated_is_a_parse_error(SAMPLE, tmp_path / "cut.json")


def test_synthetic_sessions_import(tmp_path: Path) -> None:
    t = synthetic_one(tmp_path, synth, 22, "synth-gemini-000001")
    assert [(e.op, e.source) for e in t.file_edits][:2] == [("create", "tool_call"), ("modify", "observation")]


def test_a_2026_session_thoughts_parallel_results_and_cancelled_agent(tmp_path: Path) -> None:
    """The shapes of a real Gemini CLI 0.4x session of June 2026 (a public repository of unknown licence,
    checked by hand and not copied): the environment as a `<session_context>` user turn, thought parts
    inside the gemini message's content, three calls made together whose `result` lists hold all three
    responses each, a sub-agent call cancelled with both `output` and `error`, and user records that
    only send the responses back; a thought leaked into the reply's text before `[Thought: true]`; and a
    shell command that failed, which its tool call reports as a success with `Exit Code: 1` in its output."""

    def response(call_id: str, name: str, body: dict[str, str]) -> dict[str, object]:
        return {"functionResponse": {"id": call_id, "name": name, "response": body}}

    batch = [
        response("t0", "update_topic", {"output": "Current topic: errors"}),
        response("r1", "read_file", {"output": "flask==3.1.3\n"}),
        response("s2", "run_shell_command", {"output": "Output: pip 25.2"}),
    ]
    cancelled = response(
        "a0", "invoke_agent", {"output": "Agent reached max turns limit (10).", "error": "[Operation Cancelled]"}
    )

    def call(call_id: str, name: str, args: dict[str, str], result: list[object], status: str = "success") -> dict[str, object]:
        return {
            "id": call_id,
            "name": name,
            "args": args,
            "result": result,
            "status": status,
            "timestamp": "2026-06-12T04:17:54Z",
        }

    red = "Output: F..\n1 failed, 2 passed in 0.1s\nExit Code: 1\nProcess Group PGID: 7"
    ok = "Output: ...\n3 passed in 0.1s\nProcess Group PGID: 8"
    context = "<session_context>\nThis is the Gemini CLI. We are setting up the context for our chat.\n</session_context>"
    session = {
        "sessionId": "b7db9eb8", "projectHash": "73", "startTime": "2026-06-12T04:14:14Z", "kind": "main",
        "messages": [
            {"id": "c", "type": "user", "content": [{"text": context}]},
            {"id": "u1", "type": "user", "content": [{"text": "explain the error"}]},
            {"id": "g1", "type": "gemini", "model": "gemini-3-flash-preview", "content": [
                {"text": "**Analyzing** I am reading the traceback.", "thought": True},
                {"functionCall": {"id": "t0", "name": "update_topic", "args": {"title": "errors"}}},
            ], "toolCalls": [
                call("t0", "update_topic", {"title": "errors"}, batch),
                call("r1", "read_file", {"file_path": "requirements.txt"}, batch),
                call("s2", "run_shell_command", {"command": "pip list"}, batch),
            ]},
            {"id": "u2", "type": "user", "content": [{"text": "how do I rename a session"}]},
            {"id": "g2", "type": "gemini", "model": "gemini-3-flash-preview", "content": [], "thoughts": [],
             "toolCalls": [call("a0", "invoke_agent", {"agent_name": "cli_help"}, [cancelled], "cancelled")]},
            {"id": "g2_response", "type": "user", "content": [cancelled]},
            {"id": "g3", "type": "gemini", "model": "gemini-3-flash-preview", "content": [
                {"text": "**Answering** plainly.", "thought": True}, {"text": "Use /chat save NAME."}]},
            # the shell tool succeeds whatever the command did: its output says `Exit Code: 1` (gemini-cli `shell.ts`)
            {"id": "g3b", "type": "gemini", "model": "gemini-3-flash-preview", "content": [], "toolCalls": [
                call("p0", "run_shell_command", {"command": "pytest -q"}, [response("p0", "run_shell_command", {"output": red})]),
                call("p1", "run_shell_command", {"command": "pytest -q"}, [response("p1", "run_shell_command", {"output": ok})]),
            ]},
            {"id": "u3", "type": "user", "content": [{"text": "what is jinja?"}]},
            # a thought leaked into the text before the `[Thought: true]` marker (gemini-cli #23525), as in the session
            {"id": "g4", "type": "gemini", "model": "gemini-3-flash-preview",
             "content": "**Analyzing Template Logic** I'm explaining Jinja.\n[Thought: true]Jinja fills HTML placeholders.",
             "thoughts": [{"subject": "Understanding Jinja", "description": "The user asks about Jinja."}]},
        ],
    }  # fmt: skip
    path = tmp_path / "session-2026-06-12T04-14-b7db9eb8.json"
    path.write_text(json.dumps(session), encoding="utf-8")
    t = read(path)
    assert t.task.prompt == "explain the error" and t.steps[0].metadata == {"injected": True}
    assert [(s.role, s.text) for s in t.steps] == [
        ("user", context),
        ("user", "explain the error"),
        ("assistant", ""),
        ("tool", "Current topic: errors"),
        ("tool", "flask==3.1.3\n"),
        ("tool", "Output: pip 25.2"),
        ("user", "how do I rename a session"),
        ("assistant", ""),
        ("tool", "Agent reached max turns limit (10).\n[Operation Cancelled]"),
        ("assistant", "Use /chat save NAME."),
        ("assistant", ""),
        ("tool", red),
        ("tool", ok),
        ("user", "what is jinja?"),
        ("assistant", "Jinja fills HTML placeholders."),
    ]
    assert t.steps[2].thinking == "**Analyzing** I am reading the traceback."
    assert t.steps[9].thinking == "**Answering** plainly."
    assert (
        t.steps[14].thinking
        == "Understanding Jinja\nThe user asks about Jinja.\n\n**Analyzing Template Logic** I'm explaining Jinja."
    )
    assert t.final_answer == "Jinja fills HTML placeholders."
    assert [(s.tool_result.call_id, s.tool_result.is_error) for s in t.steps if s.tool_result] == [
        ("t0", False), ("r1", False), ("s2", False), ("a0", True), ("p0", True), ("p1", False),
    ]  # fmt: skip
    assert [(r.command, r.passed, r.failed) for r in t.test_runs] == [("pytest -q", 2, 1), ("pytest -q", 3, 0)]
