"""Codex CLI rollouts: the real session mapped step by step (checked by hand against the raw lines),
the pre-envelope format, recorded patches, bad lines as one error each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.synth import codex as synth
from reviewer.formats.codex import CodexFormat
from reviewer.importer import Importer
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from reviewer.store import Store
from tests.formats import imported, only_error, synthetic_one

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codex"
SAMPLE = FIXTURES / "rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl"
SESSION = "019e1625-789d-76c0-80ab-3724b5ddb799"


def read(path: Path) -> tuple[list[InputError], Trajectory]:
    items = list(CodexFormat().read(Document(path, path.read_bytes())))
    errors = [item for _, item in items if isinstance(item, InputError)]
    [trajectory] = [item for _, item in items if isinstance(item, Trajectory)]
    return errors, trajectory


@pytest.fixture(scope="module")
def sample() -> Trajectory:
    errors, t = read(SAMPLE)
    assert errors == []
    return t


def test_session_facts_prompt_and_injected_context(sample: Trajectory) -> None:
    t = sample
    assert (t.id, t.agent.model, t.agent.scaffold) == (SESSION, "gpt-5.5", "codex")  # turn_context lines 5, 21
    # line 1 base_instructions, line 3 the developer (permissions) message, line 4 AGENTS.md, line 6 what was typed
    assert [s.role for s in t.steps[:5]] == ["system", "system", "user", "user", "assistant"]
    assert t.steps[0].text.startswith("You are Codex, a coding agent based on GPT-5.") and t.steps[0].metadata == {
        "base_instructions": True
    }
    assert t.steps[1].text.startswith("<permissions instructions>")
    assert t.steps[2].text.startswith("# AGENTS.md instructions for /Users/Sample_User/") and t.steps[2].metadata == {
        "injected": True
    }
    assert (t.steps[3].text, t.steps[3].metadata) == ("show tools", {})  # the user_message event of line 7 names it
    assert t.task.prompt == "show tools"
    assert t.steps[9].text == "let's update the defailt context compart to 90 in env var"  # line 22, the second turn
    assert (
        t.metadata["session"]["cli_version"] == "0.125.0" and t.metadata["session"]["git"]["branch"] == "feat/codex-agent-plugin"
    )
    assert t.metadata["token_usage"]["total_tokens"] == 6064954  # the last token_count (line 384)
    assert t.final_answer is not None and t.final_answer.startswith("Implemented the default context compaction setting")


def test_counts_roles_and_pairing(sample: Trajectory) -> None:
    t = sample
    roles = [s.role for s in t.steps]
    # 99 function_call_output + 3 custom_tool_call_output lines; 13 assistant messages, 1 developer, 3 user
    assert roles.count("tool") == 102 and roles.count("system") == 2 and roles.count("user") == 3
    assert len(t.steps) == 176
    calls = [c for s in t.steps for c in s.tool_calls]
    assert len(calls) == 105  # 99 function calls, 3 apply_patch, 3 web searches (which have no output)
    assert [c.name for c in calls].count("web_search") == 3 and [c.name for c in calls].count("apply_patch") == 3
    answered = {s.tool_result.call_id for s in t.steps if s.tool_result}
    assert {c.id for c in calls} - answered == {c.id for c in calls if c.name == "web_search"}
    first = t.steps[4]  # line 8 (encrypted reasoning) + line 9 (exec_command)
    assert first.thinking == "[redacted reasoning]" and first.metadata["redacted_reasoning"] == 1
    assert first.tool_calls[0].arguments["cmd"].startswith("sed -n '1,180p' /Users/Sample_User/.codex/plugins/")
    assert t.steps[5].tool_result is not None and t.steps[5].tool_result.call_id == "call_Y2p6KmqwoTtpi6atpDPuxC5M"
    parallel = t.steps[18]  # lines 43-46: a commentary message and three calls of one reply
    assert parallel.text.startswith("The graph MCP tools mentioned by `AGENTS.md` are not exposed")
    assert [c.id for c in parallel.tool_calls] == [
        "call_7mOONLaQ5ZL02RB1TWn4Tbg3",
        "call_3mllFFlmUtgQreN47o2tCdF3",
        "call_jQYxA5wvjWJ4ZtptybmzrkNm",
    ]
    assert [t.steps[k].tool_result.call_id for k in (19, 20, 21)] == [c.id for c in parallel.tool_calls]  # type: ignore[union-attr]


def test_errors_come_from_the_outputs(sample: Trajectory) -> None:
    t = sample
    failed = {s.index: s for s in t.steps if s.tool_result and s.tool_result.is_error}
    # line 37 "write_stdin failed: stdin is closed"; "Process exited with code 2" (line 145), code 1 three times
    assert t.steps[15].text.startswith("write_stdin failed: stdin is closed for this session") and 15 in failed
    assert t.steps[61].metadata["exit_code"] == 2 and 61 in failed
    assert sorted(failed) == [15, 61, 70, 96, 122]
    # a command still running when its first output came back is not an error yet, even if it later failed
    assert t.steps[57].metadata["command_exit_code"] == 2 and 57 not in failed


def test_apply_patch_edits_are_the_clis_record(sample: Trajectory) -> None:
    t = sample
    edits = [(e.path, e.step, e.source, e.op, e.status) for e in t.file_edits]
    assert edits == [
        ("src/agents/plugins/__tests__/codemie-code-reasoning.test.ts", 115, "observation", "modify", "applied"),
        ("src/agents/plugins/codemie-code.plugin.ts", 123, "observation", "modify", "applied"),
        ("src/agents/plugins/opencode/opencode.plugin.ts", 125, "observation", "modify", "applied"),
    ]
    assert t.steps[115].tool_calls[0].name == "apply_patch"
    diff = t.file_edits[1].diff or ""  # patch_apply_end of line 278: the real line numbers
    assert diff.startswith(
        "--- a/src/agents/plugins/codemie-code.plugin.ts\n+++ b/src/agents/plugins/codemie-code.plugin.ts\n@@ -98,2 +98,7 @@\n"
    )
    assert "+    compaction: {\n" in diff
    assert t.file_edits[0].to_dict()["is_test"] is True


def test_fixture_imports_and_validates(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        assert [f.format for f in report.files] == ["codex"]
        stored = store.trajectories.get(SESSION)
        assert stored is not None and len(stored.steps) == 176
        assert first_error("trajectory.schema", stored.to_dict()) is None


# --- written for this project: the older format, the other recorded changes, odd outputs ---


def line(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": "2025-10-01T10:00:00Z", "type": kind, "payload": payload}


def message(role: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "role": role,
        "content": [{"type": "input_text" if role == "user" else "output_text", "text": text}],
    }


def write(tmp_path: Path, name: str, *records: Any) -> Path:
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def test_legacy_rollout_without_envelope(tmp_path: Path) -> None:
    """Before September 2025: a bare first line of facts, bare items, `record_type: state` markers, the
    `shell` tool with an argv (apply_patch through it, a heredoc), outputs as `{output, metadata}` JSON."""
    patch = "*** Begin Patch\n*** Add File: hello.py\n+print('hi')\n*** End Patch\n"
    heredoc = "cat > notes.txt <<'EOF'\ndone\nEOF"
    path = write(
        tmp_path, "rollout-2025-08-01T10-00-00-legacy.jsonl",
        {"id": "legacy-1", "timestamp": "2025-08-01T10:00:00Z", "instructions": None, "git": {"branch": "main"}},
        {"record_type": "state"},
        message("user", "<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>"),
        message("user", "add hello.py"),
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "**Plan** add the file"}],
         "encrypted_content": "gAAA"},
        {"type": "function_call", "name": "shell", "arguments": json.dumps({"command": ["apply_patch", patch]}), "call_id": "c1"},
        {"type": "function_call_output", "call_id": "c1",
         "output": json.dumps({"output": "Done!", "metadata": {"exit_code": 0}})},
        {"type": "function_call", "name": "shell", "arguments": json.dumps({"command": ["bash", "-lc", heredoc]}),
         "call_id": "c2"},
        {"type": "function_call_output", "call_id": "c2", "output": json.dumps({"output": "boom", "metadata": {"exit_code": 1}})},
        {"record_type": "state"},
        message("assistant", "Added hello.py."),
    )  # fmt: skip
    errors, t = read(path)
    assert errors == []
    assert t.id == "legacy-1" and t.task.prompt == "add hello.py"
    assert [s.role for s in t.steps] == ["user", "user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert t.steps[0].metadata == {"injected": True}
    assert t.steps[2].thinking == "**Plan** add the file" and t.steps[2].metadata == {"redacted_reasoning": 1}
    assert (t.steps[3].text, t.steps[3].metadata, t.steps[3].tool_result.is_error) == ("Done!", {"exit_code": 0}, False)  # type: ignore[union-attr]
    assert t.steps[5].tool_result is not None and t.steps[5].tool_result.is_error is True
    assert [(e.path, e.step, e.source, e.status, e.after) for e in t.file_edits] == [
        ("hello.py", 2, "patch", "applied", "print('hi')\n"),
        ("notes.txt", 4, "bash", "unknown", "done\n"),  # the shell failed after maybe writing: not known either way
    ]
    assert t.final_answer == "Added hello.py."


def test_shell_argv_runs_tests_and_apply_patch_here_documents(tmp_path: Path) -> None:
    """Codex's `shell` tool until late 2025 took an argv list, and models patched through it as
    `bash -lc "applypatch << 'PATCH' … PATCH"` (a real rollout of 2025-09-11, quoted in a public note of
    unknown licence and not copied, does; Codex's own parser documents `apply_patch <<'EOF'` in
    `bash -lc`). The patch is an edit, relative to a `cd`, and a test command in the argv is a test run."""
    patch = "*** Begin Patch\n*** Update File: src/App.tsx\n@@\n-import a\n+import b\n*** End Patch"
    add = "*** Begin Patch\n*** Add File: collapsible.tsx\n+export { Collapsible } from 'c'\n*** End Patch"
    in_ui = f"cd src/ui && apply_patch <<'EOF'\n{add}\nEOF"
    path = write(
        tmp_path, "rollout-2025-09-11T21-00-00-argv.jsonl",
        line("session_meta", {"id": "argv-1", "cwd": "/w", "originator": "codex_cli_rs", "cli_version": "0.34.0"}),
        line("response_item", message("user", "add the collapsible card")),
        line("response_item", {"type": "function_call", "name": "shell", "call_id": "c1",
                               "arguments": json.dumps({"command": ["bash", "-lc", f"applypatch << 'PATCH'\n{patch}\nPATCH"]})}),
        line("response_item", {"type": "function_call_output", "call_id": "c1", "output": json.dumps(
            {"output": "Success. Updated the following files:\nM src/App.tsx\n", "metadata": {"exit_code": 0}})}),
        line("response_item", {"type": "function_call", "name": "shell", "call_id": "c2",
                               "arguments": json.dumps({"command": ["bash", "-lc", in_ui]})}),
        line("response_item", {"type": "function_call_output", "call_id": "c2", "output": json.dumps(
            {"output": "Success. Updated the following files:\nA collapsible.tsx\n", "metadata": {"exit_code": 0}})}),
        line("response_item", {"type": "function_call", "name": "shell", "call_id": "c3",
                               "arguments": json.dumps({"command": ["bash", "-lc", "npx vitest run"]})}),
        line("response_item", {"type": "function_call_output", "call_id": "c3", "output": json.dumps(
            {"output": "      Tests  1 failed | 3 passed (4)\n", "metadata": {"exit_code": 1}})}),
        line("response_item", {"type": "function_call", "name": "shell", "call_id": "c4",
                               "arguments": json.dumps({"command": ["pytest", "-q", "tests/test_a.py"]})}),
        line("response_item", {"type": "function_call_output", "call_id": "c4", "output": json.dumps(
            {"output": "2 passed in 0.01s\n", "metadata": {"exit_code": 0}})}),
    )  # fmt: skip
    errors, t = read(path)
    assert errors == []
    assert [(e.path, e.step, e.op, e.status, e.before, e.after) for e in t.file_edits] == [
        ("src/App.tsx", 1, "modify", "applied", None, None),
        ("src/ui/collapsible.tsx", 3, "create", "applied", "", "export { Collapsible } from 'c'\n"),
    ]
    assert "-import a\n+import b\n" in (t.file_edits[0].diff or "")
    assert [(r.step, r.command, r.framework, r.passed, r.failed) for r in t.test_runs] == [
        (5, "npx vitest run", "vitest", 3, 1),
        (7, "pytest -q tests/test_a.py", "pytest", 2, 0),
    ]


def test_recorded_add_delete_and_move(tmp_path: Path) -> None:
    patch = (
        "*** Begin Patch\n*** Add File: new.txt\n+x\n*** Delete File: old.txt\n*** Update File: a.py\n*** Move to: b.py\n"
        "@@\n-1\n+2\n*** End Patch\n"
    )
    changes = {
        "/repo/new.txt": {"type": "add", "content": "x\n"},
        "/repo/old.txt": {"type": "delete", "content": "gone\n"},
        "/repo/a.py": {"type": "update", "unified_diff": "@@ -1 +1 @@\n-1\n+2\n", "move_path": "/repo/b.py"},
    }
    path = write(
        tmp_path, "r.jsonl",
        line("session_meta", {"id": "s-2", "cwd": "/repo"}),
        line("response_item", message("user", "reorganise")),
        line("response_item", {"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch", "input": patch}),
        line("event_msg", {"type": "patch_apply_end", "call_id": "p1", "success": True, "changes": changes}),
        line("response_item", {"type": "custom_tool_call_output", "call_id": "p1", "output": "Success."}),
    )  # fmt: skip
    _, t = read(path)
    found = [(e.path, e.op, e.before, e.after, e.from_path, e.source) for e in t.file_edits]
    assert found == [
        ("new.txt", "create", "", "x\n", None, "observation"),
        ("old.txt", "delete", "gone\n", "", None, "observation"),
        ("b.py", "rename", None, None, "a.py", "observation"),
    ]


def test_failed_patch_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    patch = "*** Begin Patch\n*** Update File: tests/test_x.py\n@@\n-assert f() == 1\n+assert True\n*** End Patch\n"
    path = write(
        tmp_path, "r.jsonl",
        line("session_meta", {"id": "s-3", "cwd": "/repo"}),
        line("response_item", message("user", "fix it")),
        line("response_item", {"type": "custom_tool_call", "call_id": "p1", "name": "apply_patch", "input": patch}),
        line("event_msg", {"type": "patch_apply_end", "call_id": "p1", "success": False, "changes": {}}),
        line("response_item",
             {"type": "custom_tool_call_output", "call_id": "p1", "output": "apply_patch verification failed: no match"}),
        line("compacted", {"message": "Summary: the patch did not apply."}),
    )  # fmt: skip
    _, t = read(path)
    assert t.steps[2].tool_result is not None and t.steps[2].tool_result.is_error is True
    assert [e for e in t.file_edits if e.status != "failed"] == []
    assert (t.steps[3].role, t.steps[3].text, t.steps[3].metadata) == (
        "system",
        "Summary: the patch did not apply.",
        {"compaction": True},
    )


def import_errors(path: Path, tmp_path: Path) -> tuple[list[str], list[str]]:
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([path])
    [file] = report.files
    return file.errors, file.imported


GOOD = [
    line("session_meta", {"id": "s-4"}),
    line("response_item", message("user", "hi")),
    line("response_item", message("assistant", "hello")),
]
BAD_LINE = {
    "array": ([1, 2], "2: expected an object, got an array"),
    "payload not object": ({"type": "response_item", "payload": "x"}, "2:/payload: expected an object, got a string"),
    "no type": ({"payload": {}}, "2:/type: line has no string 'type'"),
    "bad role": (
        line("response_item", {"type": "message", "role": "robot", "content": []}),
        '2:/payload/role: unknown message role "robot"',
    ),
    "content wrong type": (
        line("response_item", {"type": "message", "role": "user", "content": 5}),
        "2:/payload/content: expected a string or a list of parts, got a number",
    ),
    "call without name": (
        line("response_item", {"type": "function_call", "call_id": "c"}),
        "2:/payload/name: tool call without a name",
    ),
    "not json": ("{oops", "2:2: invalid JSON"),
}


@pytest.mark.parametrize("case", BAD_LINE, ids=str)
def test_a_bad_line_is_one_error_and_the_rest_imports(case: str, tmp_path: Path) -> None:
    bad, expected = BAD_LINE[case]
    path = write(tmp_path, "r.jsonl", GOOD[0], bad, *GOOD[1:])
    errors, ids = import_errors(path, tmp_path)
    [error] = errors
    assert error.startswith(f"{path}:{expected}"), error
    assert ids == ["s-4"]


def test_a_session_without_messages_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", GOOD[0], line("event_msg", {"type": "task_started"}))
    assert only_error(path, "codex") == f"{path}: Codex rollout has no user or assistant messages"


def test_truncated_rollout_keeps_the_lines_before(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    cut = text[: text.index('"type":"custom_tool_call"')]  # mid-line 257
    path = tmp_path / "cut.jsonl"
    path.write_text(cut, encoding="utf-8")
    errors, t = read(path)
    assert [e.place for e in errors] == ["257:75"] and "invalid JSON" in errors[0].message
    assert t.id == SESSION and t.metadata["unreadable_lines"] == [257] and len(t.steps) == 115


def test_synthetic_rollouts_import(tmp_path: Path) -> None:
    t = synthetic_one(tmp_path, synth, 21, "synth-codex-000001")
    assert [(e.step, e.source, e.op) for e in t.file_edits][:1] == [(8, "observation", "modify")]
    assert t.steps[3].tool_result is not None and t.steps[3].tool_result.is_error is True  # turn 0 exits 1
