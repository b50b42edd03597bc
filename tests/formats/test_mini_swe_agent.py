"""mini-SWE-agent import: the real bare message lists, the `.traj.json` object (v1 text, v2 tool calls,
Responses API), and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.synth import mini_swe_agent as synth
from reviewer.formats.mini_swe_agent import MiniSweAgentFormat
from reviewer.jsonio import Document
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic, truncated_is_a_parse_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mini-swe-agent"
ALL_FIXTURES = FIXTURES.parent
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
LOCAL = FIXTURES / "local.traj.json"
ISSUE = FIXTURES / "github_issue.traj.json"


def read_one(path: Path, data: bytes | None = None) -> Trajectory:
    [(place, trajectory)] = list(MiniSweAgentFormat().read(Document(path, path.read_bytes() if data is None else data)))
    assert place is None and isinstance(trajectory, Trajectory), trajectory
    return trajectory


def test_local_bare_list_with_empty_submission() -> None:
    t = read_one(LOCAL)
    assert t.id == t.task.id == "local" and t.task.instance is None
    assert [s.role for s in t.steps] == ["system", "user", "assistant", "tool", "assistant", "tool"]
    assert t.steps[0].text.startswith("You are a helpful assistant that can interact with a computer.")
    assert t.task.prompt.startswith("Please solve this issue: Blah blah blah")
    hello, done = t.steps[2].tool_calls[0], t.steps[4].tool_calls[0]
    assert (hello.name, hello.arguments) == ("bash", {"command": "echo 'hello world'"})
    assert t.steps[2].text.startswith("Here be some dummy command:\n\n```mswea_bash_command\n")  # the reply as written
    assert t.steps[3].tool_result.call_id == hello.id and not t.steps[3].tool_result.is_error
    assert t.steps[3].text == "<returncode>0</returncode>\n<output>\nhello world\n</output>"
    assert done.arguments == {"command": "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT"}
    assert t.steps[5].tool_result.call_id == done.id and t.steps[5].text == ""
    assert t.steps[5].metadata == {"message_index": 5, "submission": True}
    assert t.final_patch is None and t.final_answer is None and t.file_edits == []
    assert (t.agent.model, t.agent.scaffold) == (None, "mini-swe-agent")
    assert t.outcome.grader_result is None and t.metadata == {"trajectory_format": "message list"}


def test_github_issue_run_errors_edits_and_patch() -> None:
    t = read_one(ISSUE)
    assert [s.role for s in t.steps] == ["system", "user"] + ["assistant", "tool"] * 10
    assert t.task.prompt.startswith("Please solve this issue: GitHub Issue: SyntaxError: invalid syntax")
    first = t.steps[2].tool_calls[0]
    assert first.arguments == {"command": "cat /Users/fuchur/Documents/24/git_sync/swe-agent-test-repo/tests/./missing_colon.py"}
    assert t.steps[3].tool_result.call_id == first.id
    assert [s.index for s in t.steps if s.tool_result and s.tool_result.is_error] == [3, 17]  # <returncode>1</returncode>
    assert "ZeroDivisionError: division by zero" in t.steps[17].text
    assert t.steps[10].tool_calls[0].arguments["command"].startswith("sed -i 's/def division(a: float, b: float) -> float/")
    submit = t.steps[20].tool_calls[0]
    assert submit.arguments == {"command": "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached"}
    assert t.steps[21].tool_result.call_id == submit.id and t.steps[21].metadata["submission"] is True
    assert t.final_patch == t.steps[21].text and t.final_patch.startswith(
        "diff --git a/tests/missing_colon.py b/tests/missing_colon.py\n"
    )
    assert '+        raise ValueError("Cannot divide by zero")\n' in t.final_patch
    assert [(e.path, e.step, e.source) for e in t.file_edits] == [
        ("tests/missing_colon.py", 10, "bash"),  # sed -i: we know the file changed, not how
        ("tests/missing_colon.py", 18, "bash"),  # cat > file <<'EOF': the whole new content
        ("tests/missing_colon.py", 21, "submission"),
    ]
    heredoc = t.file_edits[1]
    assert heredoc.before is None and heredoc.after.startswith(
        "#!/usr/bin/env python3\n\n\ndef division(a: float, b: float) -> float:\n"
    )
    assert "if b == 0:\n" in heredoc.after


def _object(messages: list[dict[str, Any]], **info: Any) -> bytes:
    base = {"exit_status": "Submitted", "mini_version": "1.7.0", "config": {"model": {"model_name": "claude-sonnet-4"}}}
    return json.dumps(
        {"info": {**base, **info}, "messages": messages, "trajectory_format": "mini-swe-agent-1", "instance_id": "repo__x-1"}
    ).encode()


def test_v1_object_form_with_info_format_error_and_timeout() -> None:
    messages = [
        {"role": "system", "content": "You are a helpful assistant that can interact with a computer."},
        {"role": "user", "content": "Please solve this issue: ls is broken"},
        {"role": "assistant", "content": "THOUGHT: look\n\n```bash\nls\n```"},
        {"role": "user", "content": "<returncode>2</returncode>\n<output>\nls: cannot access\n</output>"},
        {"role": "assistant", "content": "Two commands:\n```bash\nls\n```\n```bash\npwd\n```"},
        {"role": "user", "content": "Please always provide EXACTLY ONE action in triple backticks."},
        {
            "role": "assistant",
            "content": "THOUGHT: list\n\n```bash\nls -la\n```",
            "extra": {"response": {"id": "r1"}, "cost": 0.01},
        },
        {"role": "user", "content": "The last command <command>ls -la</command> timed out and has been killed."},
    ]
    t = read_one(LOCAL, _object(messages, submission="", model_stats={"instance_cost": 0.3, "api_calls": 3}))
    assert [s.role for s in t.steps] == ["system", "user", "assistant", "tool", "assistant", "user", "assistant", "tool"]
    assert t.steps[2].tool_calls[0].arguments == {"command": "ls"} and t.steps[3].tool_result.is_error  # v1 ```bash blocks
    assert t.steps[4].tool_calls == []  # two blocks: the agent ran nothing and asked again
    assert t.steps[5].text.startswith("Please always provide EXACTLY ONE action")
    assert t.steps[6].metadata == {"message_index": 6, "cost": 0.01} and t.steps[7].tool_result is not None
    assert (t.task.id, t.task.instance, t.agent.model) == ("repo__x-1", "repo__x-1", "claude-sonnet-4")
    assert t.metadata["exit_status"] == "Submitted" and t.metadata["trajectory_format"] == "mini-swe-agent-1"
    assert t.metadata["info"]["model_stats"] == {"instance_cost": 0.3, "api_calls": 3} and "submission" not in t.metadata["info"]
    assert t.final_patch is None and t.final_answer is None


def test_v2_tool_calls_exit_message_and_timestamps() -> None:
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": [{"type": "text", "text": "Fix the parser."}]},
        {"role": "assistant", "content": None, "reasoning_content": "Look at the tests first.",
         "tool_calls": [{"id": "call_a", "type": "function",
                         "function": {"name": "bash", "arguments": '{"command": "pytest -q"}'}}],
         "extra": {"actions": [{"command": "pytest -q", "tool_call_id": "call_a"}], "timestamp": 1750000000.5}},
        {"role": "tool", "tool_call_id": "call_a", "content": "1 failed", "extra": {"returncode": 1, "raw_output": "1 failed"}},
        {"role": "assistant", "content": "Done.",
         "tool_calls": [{"id": "call_b", "type": "function",
                         "function": {"name": "bash",
                                      "arguments": '{"command": "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT"}'}}]},
        {"role": "exit", "content": "The parser now skips empty fields.",
         "extra": {"exit_status": "Submitted", "submission": "The parser now skips empty fields."}},
    ]  # fmt: skip
    t = read_one(LOCAL, _object(messages, submission=None, exit_status=None))
    assert [s.role for s in t.steps] == ["system", "user", "assistant", "tool", "assistant", "tool"]
    assert t.task.prompt == "Fix the parser." and t.steps[2].thinking == "Look at the tests first."
    assert t.steps[2].timestamp == "2025-06-15T15:06:40.500000+00:00"
    assert t.steps[3].tool_result.call_id == "call_a" and t.steps[3].tool_result.is_error
    assert t.steps[3].metadata == {"message_index": 3, "returncode": 1, "raw_output": "1 failed"}
    assert t.steps[5].tool_result.call_id == "call_b" and t.steps[5].metadata == {"message_index": 5, "role": "exit"}
    assert t.final_answer == "The parser now skips empty fields." and t.final_patch is None
    assert t.metadata["exit_status"] == "Submitted"


def test_v2_responses_api_messages() -> None:
    messages = [
        {"role": "user", "content": "Fix it."},
        {"object": "response", "id": "resp_1", "output": [
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Run the tests."}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Running tests."}]},
            {"type": "function_call", "call_id": "fc_1", "name": "bash", "arguments": '{"command": "pytest"}'}]},
        {"type": "function_call_output", "call_id": "fc_1", "output": "<returncode>2</returncode>\n<output>\nerror\n</output>"},
    ]  # fmt: skip
    t = read_one(LOCAL, _object(messages))
    assert [s.role for s in t.steps] == ["user", "assistant", "tool"]
    assert (t.steps[1].text, t.steps[1].thinking) == ("Running tests.", "Run the tests.")
    assert t.steps[1].tool_calls[0].arguments == {"command": "pytest"} and t.steps[1].metadata["id"] == "resp_1"
    assert t.steps[2].tool_result.call_id == "fc_1" and t.steps[2].tool_result.is_error


def _bare(change) -> bytes:
    messages = json.loads(ISSUE.read_bytes())
    change(messages)
    return json.dumps(messages).encode()


BAD = [
    ("role missing", _bare(lambda m: m[4].pop("role")),
     "/4/role: expected the message role as a string, got null"),
    ("message not an object", _bare(lambda m: m.__setitem__(4, None)),
     "/4: expected a message object, got null"),
    ("extra wrong type", _bare(lambda m: m[6].__setitem__("extra", "x")),
     "/6/extra: expected an extra object, got a string"),
    ("unknown role", _bare(lambda m: m[6].__setitem__("role", "robot")),
     "/6/role: unknown role 'robot'"),
    ("messages wrong type", json.dumps({"trajectory_format": "mini-swe-agent-1.1", "messages": "x"}).encode(),
     "/messages: expected a list of messages, got a string"),
    ("no messages", json.dumps({"trajectory_format": "mini-swe-agent-1.1", "messages": [], "info": {}}).encode(),
     "/messages: no messages: nothing to import"),
    ("info wrong type", json.dumps({"trajectory_format": "mini-swe-agent-1.1", "messages": [], "info": []}).encode(),
     "/info: expected an info object, got an array"),
    ("actions wrong type", _object([{"role": "assistant", "content": "x", "extra": {"actions": "ls"}}]),
     "/messages/0/extra/actions: expected a list of actions, got a string"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_malformed_files_give_one_error_line_with_its_place(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "bad.traj.json"
    path.write_bytes(data)
    assert only_error(path, "mini-swe-agent").startswith(f"{path}:{expected}")


def test_truncated_file_is_one_parse_error(tmp_path: Path) -> None:
    truncated_is_a_parse_error(ISSUE, tmp_path / "cut.traj.json")


def test_import_fixture_folder_end_to_end(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        assert sorted(i for f in report.files for i in f.imported) == ["github_issue", "local"]
        for trajectory_id in ("github_issue", "local"):
            stored = store.trajectories.get(trajectory_id)
            assert stored.source.format == "mini-swe-agent"
            assert first_error("trajectory.schema", stored.to_dict()) is None


def test_synthetic_files_import(tmp_path: Path) -> None:
    with imported(tmp_path, synthetic(synth, tmp_path / "synth", 3, 40)) as (store, report):
        assert report.ok and report.totals()["imported"] == 3
        t = store.trajectories.get("parse__parse-000001")
        assert abs(len(t.steps) - 40) <= 2 and t.agent.model == "openai/gpt-5-mini"
        assert any(s.tool_result and s.tool_result.is_error for s in t.steps)
        assert t.final_patch and any(e.source == "bash" and e.after for e in t.file_edits)
