"""Cline / Roo Code task folders: the real Roo Code task checked by hand against its three files, a Cline
task with XML edits and one with native tool calls (written for this project from Cline's
`src/core/prompts/responses.ts` wording and the message shapes of its ContextManager tests), folder
handling, and bad input as one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.synth import cline as synth
from reviewer import formats
from reviewer.formats.cline import ClineFormat, parse_calls
from reviewer.importer import Importer, collect
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic_one

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cline"
ROO = FIXTURES / "natural-mini-uncondensed"
XML = FIXTURES / "1761000000000"
NATIVE = FIXTURES / "1762000000000-native"
HISTORY = "api_conversation_history.json"


def read(path: Path) -> Trajectory:
    [(place, item)] = list(ClineFormat().read(Document(path, path.read_bytes())))
    assert place is None and isinstance(item, Trajectory), item
    return item


@pytest.fixture(scope="module")
def roo() -> Trajectory:
    return read(ROO / HISTORY)


def test_roo_task_steps_roles_and_pairing(roo: Trajectory) -> None:
    t = roo
    # 20 history messages: 10 assistant, 9 user turns carrying one tool result each but message 18
    assert [s.role for s in t.steps] == ["user"] + ["assistant", "tool"] * 8 + ["assistant", "user", "assistant"]
    assert (t.id, t.agent.scaffold, t.agent.model) == (
        "natural-mini-uncondensed",
        "roo-code",
        None,
    )  # roo_read_date in task_metadata
    assert t.task.prompt.startswith("# Rédaction des réponses aux commentaires de review - PR #8438")
    assert t.steps[0].metadata["environment_details"].startswith("<environment_details>\n# VSCode Visible Files")
    for k in range(1, 17, 2):
        [call] = t.steps[k].tool_calls
        assert t.steps[k + 1].tool_result is not None and t.steps[k + 1].tool_result.call_id == call.id
    names = [c.name for s in t.steps for c in s.tool_calls]
    assert names == ["execute_command"] + ["read_file"] * 7 + ["attempt_completion"]
    # message 3: Roo's multi-file read_file keeps its <args> as written
    assert t.steps[3].tool_calls[0].arguments == {
        "args": "<file>\n<path>webview-ui/src/hooks/useAutosaveDraft.ts</path>\n</file>"
    }
    assert t.steps[18].text.startswith("[ERROR] You did not use a tool in your previous response!")
    assert t.file_edits == []  # the task only read files


def test_roo_task_errors_partial_call_and_answer(roo: Trajectory) -> None:
    t = roo
    # message 1 was cut off inside <command> ("[Response interrupted by a tool use result...]"): the call is
    # partial, and Roo ran it without a command ("[execute_command for 'undefined']"), refused in ask mode
    assert t.steps[1].metadata == {"partial_tool_call": True}
    assert t.steps[1].tool_calls[0].arguments == {"command": "git log --oneline -10"}
    assert t.steps[2].text.startswith("[execute_command for 'undefined'] Result:\n\nThe tool execution failed")
    assert [s.index for s in t.steps if s.tool_result and s.tool_result.is_error] == [2]
    # message 14: the user approved the read and added feedback; not an error
    assert "<feedback>\nLis les fichiers en entier stp\n</feedback>" in t.steps[14].text
    assert t.final_answer is not None and t.final_answer.startswith("Voici les réponses professionnelles et concises")


def test_roo_reasoning_comes_from_the_ui_messages(roo: Trajectory) -> None:
    t = roo
    # ui_messages 2 (ts 1759331564722) falls between history messages 0 and 2: reasoning of message 1
    assert t.steps[1].thinking is not None and t.steps[1].thinking.startswith("L'utilisateur me demande de rédiger des réponses")
    assert t.steps[3].thinking is not None and t.steps[3].thinking.startswith('Je suis en mode "Ask" qui ne permet pas')
    assert all(t.steps[k].thinking for k in range(1, 20, 2) if t.steps[k].role == "assistant")
    assert t.metadata["usage"]["cost"] == pytest.approx(0.5334765)  # the 10 api_req_started records
    assert t.metadata["files"] == [HISTORY, "ui_messages.json", "task_metadata.json"]


def test_xml_edits_statuses_and_ops() -> None:
    t = read(XML / HISTORY)
    assert (t.id, t.agent.model, t.agent.scaffold) == ("1761000000000", "claude-sonnet-4-5-20250929", "cline")
    assert t.task.prompt == "Make test_calc.py pass without changing the test."
    edits = [(e.path, e.step, e.op, e.status, e.source) for e in t.file_edits]
    assert edits == [
        ("calc.py", 1, "create", "applied", "observation"),  # ui: newFileCreated; result: final_file_content
        ("test_calc.py", 5, "modify", "failed", "tool_call"),  # "The tool execution failed" (SEARCH did not match)
        ("calc.py", 7, "modify", "applied", "observation"),
        ("conftest.py", 9, "create", "failed", "tool_call"),  # "The user denied this operation."
    ]
    created, refused, fixed, denied = t.file_edits
    assert (created.before, created.after) == ("", "def add(a, b):\n    return a - b\n")
    assert refused.diff is not None and "-    assert add(1, 2) == 3\n+    assert add(1, 2) == -1\n" in refused.diff
    assert (fixed.before, fixed.after) == ("def add(a, b):\n    return a - b\n", "def add(a, b):\n    return a + b\n")
    assert fixed.diff is not None and "@@ -1,2 +1,2 @@" in fixed.diff
    assert denied.before is None and denied.after is not None and "call.excinfo = None" in denied.after
    assert [s.index for s in t.steps if s.tool_result and s.tool_result.is_error] == [6, 10]
    assert t.steps[5].thinking == "Changing the expected value would make it pass."  # ui reasoning at ts +5500
    assert t.final_answer == "add() now adds, so test_calc.py passes."


def test_native_tool_calls_and_undone_blocks() -> None:
    t = read(NATIVE / HISTORY)
    assert [s.role for s in t.steps] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert t.steps[1].thinking == "A short README will do." and t.steps[1].tool_calls[0].id == "toolu_01"
    assert t.steps[2].tool_result is not None and t.steps[2].tool_result.call_id == "toolu_01"
    write, replace = t.file_edits
    # no ui_messages: whether README.md existed is not said
    assert (write.op, write.before, write.after, write.status) == (None, None, "# calc\n\nAdds numbers.\n", "applied")
    assert (replace.op, replace.before, replace.after) == ("modify", "# calc\n\nAdds numbers.\n", "# calc\n\nAdds two numbers.\n")
    assert t.final_answer == "README.md added."


def test_file_before_is_rebuilt_by_undoing_the_blocks(tmp_path: Path) -> None:
    """Only the file after is reported; each REPLACE text occurs once in it, so the file before is known."""
    history = json.loads((NATIVE / HISTORY).read_text())
    del history[1:3]  # the README is not written in this task
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / HISTORY).write_text(json.dumps(history))
    [edit] = read(folder / HISTORY).file_edits
    assert (edit.before, edit.after, edit.source) == ("# calc\n\nAdds numbers.\n", "# calc\n\nAdds two numbers.\n", "observation")


def test_parse_calls_follows_clines_rules() -> None:
    text = (
        "Writing.\n<write_to_file>\n<path>a.html</path>\n<content>\n<p></content></p>\n</content>\n"
        "</write_to_file> then <read_file><path>b</path>"
    )
    calls = parse_calls(text)
    assert [(c.name, c.params, c.complete) for c in calls] == [
        ("write_to_file", {"path": "a.html", "content": "<p></content></p>"}, True),  # the last </content> ends it
        ("read_file", {"path": "b"}, False),
    ]
    assert parse_calls("use <code>read_file</code> to read") == []


def test_every_file_of_the_folder_stands_for_it(tmp_path: Path) -> None:
    names = [HISTORY, "ui_messages.json", "task_metadata.json"]
    for name in names:
        assert formats.lead_file(XML / name) == XML / HISTORY
        assert [f.name for f in formats.formats() if f.sniff(Document(XML / name, (XML / name).read_bytes()))] == ["cline"]
    assert collect([XML / "ui_messages.json"]).files == [XML / HISTORY]
    assert collect([XML]).files == [XML / HISTORY] and collect([XML]).skipped == []
    report = Importer(None, max_bytes=10**8).run([XML / "task_metadata.json", XML / "ui_messages.json", FIXTURES])
    assert {Path(f.path).name: f.imported for f in report.files if Path(f.path).parent == XML} == {HISTORY: ["1761000000000"]}
    assert report.totals()["imported"] == 3 and report.ok


def test_links_leading_out_of_the_task_are_not_read(tmp_path: Path) -> None:
    task = tmp_path / "task"
    shutil.copytree(XML, task)
    (task / "ui_messages.json").unlink()
    (tmp_path / "elsewhere.json").write_text((XML / "ui_messages.json").read_text())
    (task / "ui_messages.json").symlink_to(tmp_path / "elsewhere.json")
    t = read(task / HISTORY)
    assert t.metadata["import_notes"] == [f"ui_messages.json: symbolic link leading outside {task}: not read"]
    assert t.steps[1].thinking is None  # the reasoning lived in the file not read
    followed = Document(task / HISTORY, (task / HISTORY).read_bytes(), follow_symlinks=True)
    [(_, again)] = list(ClineFormat().read(followed))
    assert isinstance(again, Trajectory) and again.steps[1].thinking == "calc.py does not exist yet: create add()."


def test_claude_code_and_openai_chat_leave_cline_alone() -> None:
    for path in (ROO / HISTORY, XML / HISTORY, NATIVE / HISTORY):
        doc = Document(path, path.read_bytes())
        assert [f.name for f in formats.formats() if f.sniff(doc)] == ["cline"], path


def test_fixture_folders_import_and_validate(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        assert sorted(i for f in report.files for i in f.imported) == [
            "1761000000000",
            "1762000000000-native",
            "natural-mini-uncondensed",
        ]
        assert len(report.files) == 3 and {f.format for f in report.files} == {"cline"}
        for tid in ("1761000000000", "natural-mini-uncondensed"):
            stored = store.trajectories.get(tid)
            assert stored is not None and first_error("trajectory.schema", stored.to_dict()) is None


# --- bad input: one line naming file and place ---


def write_task(folder: Path, history: Any, **others: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HISTORY).write_text(history if isinstance(history, str) else json.dumps(history), encoding="utf-8")
    for name, value in others.items():
        (folder / f"{name}.json").write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return folder / HISTORY


TASK = {"role": "user", "content": [{"type": "text", "text": "<task>\nfix it\n</task>"}]}
MALFORMED: dict[str, tuple[list[Any], str]] = {
    "message not object": ([TASK, "hello"], "/1: expected a message object, got a string"),
    "bad role": ([TASK, {"role": "tool", "content": "x"}], '/1/role: role must be user or assistant, not "tool"'),
    "content wrong type": (
        [TASK, {"role": "assistant", "content": 3}],
        "/1/content: expected a string or a list of content blocks, got a number",
    ),
    "block without type": (
        [TASK, {"role": "assistant", "content": [{"text": "x"}]}],
        "/1/content/0: content block must be an object with a string 'type'",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=str)
def test_malformed_history_is_one_error_with_its_place(case: str, tmp_path: Path) -> None:
    history, expected = MALFORMED[case]
    path = write_task(tmp_path / "t", history)
    assert only_error(path, "cline") == f"{path}:{expected}"


def test_a_member_without_the_history_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(XML / "ui_messages.json", folder)
    error = only_error(folder / "ui_messages.json", "cline")
    assert (
        error == f"{folder / 'ui_messages.json'}: part of a Cline task folder, but {HISTORY} is not beside it: nothing to import"
    )


def test_a_broken_ui_file_is_a_note_not_a_failure(tmp_path: Path) -> None:
    history = json.loads((XML / HISTORY).read_text())
    path = write_task(tmp_path / "t", history, ui_messages='[{"ts": 1, "type": "say", "say": "reasoning", "text": "cut')
    t = read(path)
    assert len(t.steps) == 12 and t.steps[1].thinking is None
    assert t.metadata["import_notes"] == ["ui_messages.json not read: invalid JSON: Unterminated string starting at (at 1:55)"]


def test_truncated_history_is_one_parse_error(tmp_path: Path) -> None:
    text = (XML / HISTORY).read_text()
    path = write_task(tmp_path / "t", text[: len(text) // 2])
    error = only_error(path)
    assert error.startswith(f"{path}:1:") and "invalid JSON" in error


def test_synthetic_tasks_import(tmp_path: Path) -> None:
    t = synthetic_one(tmp_path, synth, 22, "synth-cline-000001")
    assert [(e.source, e.op, e.status) for e in t.file_edits][:2] == [
        ("observation", "create", "applied"),
        ("observation", "modify", "applied"),
    ]


def test_read_error_of_the_history_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(XML / "task_metadata.json", folder)
    (folder / HISTORY).write_bytes(b"\xff\xfe")
    items = list(ClineFormat().read(Document(folder / "task_metadata.json", (folder / "task_metadata.json").read_bytes())))
    [(_, error)] = items
    assert isinstance(error, InputError) and error.file == str(folder / HISTORY) and "not valid UTF-8" in error.message


def test_a_history_leading_out_of_the_task_is_never_read(tmp_path: Path) -> None:
    task = tmp_path / "task"
    shutil.copytree(XML, task)
    (tmp_path / "elsewhere.json").write_text((XML / HISTORY).read_text())
    (task / HISTORY).unlink()
    (task / HISTORY).symlink_to(tmp_path / "elsewhere.json")
    assert collect([task / "ui_messages.json"]).files == [task / "ui_messages.json"]  # named: not mapped to the link
    error = only_error(task / "ui_messages.json", "cline")
    assert error == (
        f"{task / 'ui_messages.json'}: part of a Cline task folder, but {HISTORY}: symbolic link leading outside "
        f"{task}: not read:"
        " nothing to import"
    )
    assert collect([task / "ui_messages.json"], follow_symlinks=True).files == [task / HISTORY]


def test_a_command_cline_says_failed_is_an_error(tmp_path: Path) -> None:
    """Cline 2026 words a command's end in its result (`CommandOrchestrator`): `Command executed successfully
    (exit code 0).`, `Command failed with exit code N.`, `Command terminated by signal S.` (Roo Code: `Command
    executed in terminal within working directory '…'. Command execution was not successful …`), as a real task
    history of unknown licence (mike4567/MRA04242026, checked by hand, not copied) shows with native
    `tool_use` blocks answered by `[execute_command for '…'] Result:` text. A failed test run was not an error."""

    def command(call_id: str, line: str) -> dict[str, Any]:
        use = {
            "type": "tool_use",
            "id": call_id,
            "name": "execute_command",
            "input": {"command": line, "requires_approval": False},
        }
        return {"role": "assistant", "content": [{"type": "text", "text": "Running it."}, use]}

    def answer(line: str, status: str, output: str) -> dict[str, Any]:
        text = f"[execute_command for '{line}'] Result:\n{status}\nOutput:\n{output}"
        return {"role": "user", "content": [{"type": "text", "text": text}]}

    history = [
        TASK,
        command("tooluse_1", "pytest -q"),
        answer("pytest -q", "Command failed with exit code 1.", "1 failed, 2 passed in 0.1s"),
        command("tooluse_2", "npm run dev"),
        answer("npm run dev", "Command terminated by signal SIGTERM.", "ready"),
        command("tooluse_3", "pytest -q"),
        answer("pytest -q", "Command executed successfully (exit code 0).", "3 passed in 0.1s"),
        # Roo Code's words (`ExecuteCommandTool`)
        command("tooluse_4", "pytest -q"),
        answer(
            "pytest -q",
            "Command executed in terminal within working directory '/w'. Command execution was not successful, "
            "inspect the cause and adjust as needed.\nExit code: 1",
            "1 failed in 0.1s",
        ),
        command("tooluse_5", "pytest -q"),
        answer("pytest -q", "Command executed in terminal within working directory '/w'. Exit code: 0", "1 passed in 0.1s"),
    ]
    t = read(write_task(tmp_path / "1777398149169", history))
    assert [(s.tool_result.call_id, s.tool_result.is_error) for s in t.steps if s.tool_result] == [
        ("tooluse_1", True), ("tooluse_2", True), ("tooluse_3", False), ("tooluse_4", True), ("tooluse_5", False),
    ]  # fmt: skip
    assert [(r.command, r.passed, r.failed) for r in t.test_runs] == [
        ("pytest -q", 2, 1), ("pytest -q", 3, 0), ("pytest -q", 0, 1), ("pytest -q", 1, 0),
    ]  # fmt: skip
