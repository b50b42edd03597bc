"""ATIF (Harbor) import: the real samples mapped step by step, continuation chains, bad input as one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.synth import atif as synth
from reviewer.formats.atif import AtifFormat
from reviewer.jsonio import Document
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic, truncated_is_a_parse_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ATIF = FIXTURES / "atif"
ROOT = Path(__file__).resolve().parents[2]
OPENHANDS = "openhands_hello-world.trajectory.json"
TERMINUS = "terminus_2_hello-world-context-summarization-linear-history.trajectory.json"


def read_one(path: Path) -> Trajectory:
    items = list(AtifFormat().read(Document(path, path.read_bytes())))
    assert len(items) == 1
    place, item = items[0]
    assert place is None and isinstance(item, Trajectory), item
    return item


def test_openhands_sample_steps_calls_results_and_edit() -> None:
    t = read_one(ATIF / OPENHANDS)
    assert t.id == "NORMALIZED_SESSION_ID:openhands_hello-world.trajectory"
    assert [s.role for s in t.steps] == ["system", "user", "system", "system", "assistant", "tool", "assistant"]
    assert t.steps[0].text.startswith("You are OpenHands agent, a helpful AI assistant")
    assert t.task.prompt == 'Create a file called hello.txt with "Hello, world!" as the content.\n'
    assert t.steps[2].text.startswith("Retrieving content for: Create a file called hello.txt")
    call = t.steps[4].tool_calls[0]
    assert (call.id, call.name) == ("call_fake_1", "str_replace_editor")
    assert call.arguments == {"command": "create", "path": "/app/hello.txt", "file_text": "Hello, world!", "security_risk": "LOW"}
    assert t.steps[4].text == "I edited the file /app/hello.txt."
    assert t.steps[5].tool_result is not None and t.steps[5].tool_result.call_id == call.id
    assert t.steps[5].tool_result.is_error is False
    assert t.steps[5].text == "File created successfully at: /app/hello.txt"
    assert t.steps[6].tool_calls[0].name == "finish"
    assert t.final_answer == "Task complete. Created /app/hello.txt with 'Hello, world!'"
    assert (t.agent.model, t.agent.scaffold) == (None, "openhands")  # no model_name anywhere in this file
    assert t.outcome.to_dict() == {"grader_result": None, "tests_passed": None, "tests_failed": None, "reward": None}
    assert t.final_patch is None
    assert t.steps[4].metadata["step_id"] == 5 and t.steps[4].metadata["metrics"]["prompt_tokens"] == 100
    assert t.steps[5].metadata == {"step_id": 5}
    assert t.metadata["schema_version"] == "ATIF-v1.5" and t.metadata["agent"]["version"] == "1.1.0"
    assert t.metadata["final_metrics"]["total_cost_usd"] == 0.00135
    assert "import_notes" not in t.metadata
    [edit] = t.file_edits
    assert (edit.path, edit.step, edit.source, edit.before, edit.after) == ("/app/hello.txt", 4, "tool_call", "", "Hello, world!")
    assert "+Hello, world!" in (edit.diff or "")


def test_terminus_sample_json_replies_become_keystrokes_calls() -> None:
    t = read_one(ATIF / TERMINUS)
    assert [s.role for s in t.steps] == ["user", "assistant", "tool", "assistant", "tool", "assistant", "tool", "system"]
    assert t.task.prompt.startswith("You are an AI assistant tasked with solving command-line tasks")
    assert 'Task Description:\nCreate a file called hello.txt with "Hello, world!"' in t.task.prompt
    first = t.steps[1]
    assert first.text == (
        "Analysis: Terminal is ready. Let me create a test directory first.\n\n"
        "Plan: Create test_dir to set up some context.\n\nTask complete: false"
    )
    assert [(c.name, c.arguments) for c in first.tool_calls] == [
        ("keystrokes", {"keystrokes": "mkdir test_dir\n", "duration": 0.1})
    ]
    assert t.steps[2].tool_result is not None and t.steps[2].tool_result.call_id == first.tool_calls[0].id
    assert t.steps[2].text == "New Terminal Output:\n\nroot@CONTAINER_ID:/app# mkdir test_dir\n\n"
    assert t.steps[3].tool_calls[0].arguments["keystrokes"] == "echo 'test1' > test_dir/file1.txt\n"
    assert t.steps[6].tool_result is not None and t.steps[6].tool_result.call_id == t.steps[5].tool_calls[0].id
    assert t.agent.model == "openai/gpt-4o" and t.steps[1].metadata["model_name"] == "gpt-4o"
    assert t.agent.scaffold == "terminus-2"
    # the `echo ... > file` keystrokes are shell writes: content known, prior content not
    assert [(e.path, e.step, e.before, e.after, e.source) for e in t.file_edits] == [
        ("test_dir/file1.txt", 3, None, "test1\n", "bash"),
        ("test_dir/file2.txt", 5, None, "test2\n", "bash"),
    ]


def test_terminus_sample_compaction_boundary_and_missing_continuation() -> None:
    t = read_one(ATIF / TERMINUS)
    boundary = t.steps[7]
    assert boundary.text == "Performed context summarization and handoff to continue task."
    assert boundary.metadata["compaction"] is True
    assert boundary.metadata["extra"]["context_management"] == {"type": "compaction", "boundary": "replace"}
    refs = boundary.metadata["observations"][0]["subagent_trajectory_ref"]
    assert [r["trajectory_path"] for r in refs] == [
        "trajectory.summarization-1-summary.json",
        "trajectory.summarization-1-questions.json",
        "trajectory.summarization-1-answers.json",
    ]
    assert t.metadata["continued_trajectory_ref"] == "trajectory.cont-1.json"
    assert t.metadata["import_notes"] == ["continuation trajectory.cont-1.json not read: No such file or directory"]
    assert t.metadata["schema_version"] == "ATIF-v1.7"


def test_fixture_folder_imports_and_validates(tmp_path: Path) -> None:
    with imported(tmp_path, [ATIF]) as (store, report):
        ids = [i for f in report.files for i in f.imported]
        assert sorted(ids) == sorted(
            ["NORMALIZED_SESSION_ID:openhands_hello-world.trajectory", f"NORMALIZED_SESSION_ID:{TERMINUS.removesuffix('.json')}"]
        )
        for tid in ids:
            d = store.trajectories.get(tid).to_dict()
            assert first_error("trajectory.schema", d) is None
            assert d["source"]["format"] == "atif"


# --- continuation chains (no public sample has one: built here from `continued_trajectory_ref` as reviewer/formats/atif.py reads
# it; the ATIF specification itself is Harbor's, not in this repository) ---


def agent_step(step_id: int, command: str, output: str, **extra: Any) -> dict[str, Any]:
    call = f"call_{step_id}_{command.split()[0]}"
    return {
        "step_id": step_id,
        "source": "agent",
        "message": f"Running {command}",
        "reasoning_content": f"I should run {command}.",
        "tool_calls": [{"tool_call_id": call, "function_name": "bash", "arguments": {"command": command}}],
        "observation": {"results": [{"source_call_id": call, "content": output}]},
        **extra,
    }


def atif(steps: Any, **root: Any) -> dict[str, Any]:
    return {
        "schema_version": "ATIF-v1.7",
        "session_id": "s-1",
        "agent": {"name": "claude-code", "version": "2", "model_name": "m"},
        "steps": steps,
        **root,
    }


def write(folder: Path, name: str, value: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def write_chain(folder: Path, last_ref: str | None = None) -> Path:
    task = {"step_id": 1, "source": "user", "message": "Make the tests pass."}
    first = agent_step(2, "pytest -q", "1 failed")
    summary = {"step_id": 2, "source": "user", "message": "Summary so far: one test fails.", "is_copied_context": True}
    head = write(folder, "trajectory.json", atif([task, first], continued_trajectory_ref="trajectory.cont-1.json"))
    write(
        folder,
        "trajectory.cont-1.json",
        atif(
            [{**task, "is_copied_context": True}, summary, agent_step(3, "cat > fix.py <<'EOF'\nx = 1\nEOF", "")],
            continued_trajectory_ref="trajectory.cont-2.json",
        ),
    )
    cont2 = atif([{**task, "step_id": 1, "is_copied_context": True}, agent_step(2, "pytest -q", "1 passed")])
    if last_ref is not None:
        cont2["continued_trajectory_ref"] = last_ref
    write(folder, "trajectory.cont-2.json", cont2)
    return head


def test_continuations_are_chained_without_repeating_copied_context(tmp_path: Path) -> None:
    t = read_one(write_chain(tmp_path / "run", last_ref="trajectory.json"))
    roles = ["user", "assistant", "tool", "system", "user", "assistant", "tool", "system", "assistant", "tool"]
    assert [s.role for s in t.steps] == roles
    assert [s.text for s in t.steps if s.role == "user"] == ["Make the tests pass.", "Summary so far: one test fails."]
    assert [s.text for s in t.steps if s.role == "system"] == [
        "continued from file trajectory.json: the steps below are from trajectory.cont-1.json (part 2 of 3)",
        "continued from file trajectory.cont-1.json: the steps below are from trajectory.cont-2.json (part 3 of 3)",
    ]
    assert t.steps[3].metadata == {"continued_from": "trajectory.json", "continuation_file": "trajectory.cont-1.json"}
    summary = t.steps[4]
    assert summary.metadata == {"step_id": 2, "is_copied_context": True, "continuation_file": "trajectory.cont-1.json"}
    assert t.steps[5].thinking == "I should run cat > fix.py <<'EOF'\nx = 1\nEOF."
    assert t.steps[9].text == "1 passed" and t.steps[9].metadata["continuation_file"] == "trajectory.cont-2.json"
    assert t.steps[9].tool_result is not None and t.steps[9].tool_result.call_id == t.steps[8].tool_calls[0].id
    assert t.steps[8].tool_calls[0].id != t.steps[1].tool_calls[0].id  # the same source id in two files stays unique
    assert [(c["file"], c["copied_context_skipped"]) for c in t.metadata["continuations"]] == [
        ("trajectory.cont-1.json", 1),
        ("trajectory.cont-2.json", 1),
    ]
    assert t.metadata["import_notes"] == ["continuation trajectory.json was already read (cycle): chain stopped"]
    assert [(e.path, e.step, e.after) for e in t.file_edits] == [("fix.py", 5, "x = 1\n")]


def test_continuation_outside_the_folder_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, "secret.json", atif([{"step_id": 1, "source": "user", "message": "not part of this run"}]))
    path = write(
        tmp_path / "run",
        "trajectory.json",
        atif([{"step_id": 1, "source": "user", "message": "go"}], continued_trajectory_ref="../secret.json"),
    )
    t = read_one(path)
    assert len(t.steps) == 1
    assert t.metadata["import_notes"] == [
        "continued_trajectory_ref '../secret.json' is not a file name in the same folder: continuation not read"
    ]


def test_folder_import_stores_a_chain_once(tmp_path: Path) -> None:
    """Every file of a chain reads as the whole run: the first one met stores it, the others find it stored."""
    write_chain(tmp_path / "run")
    with imported(tmp_path, [tmp_path / "run"]) as (store, report):
        assert {Path(f.path).name: (f.imported, f.duplicates) for f in report.files} == {
            "trajectory.cont-1.json": (["s-1:trajectory"], []),
            "trajectory.cont-2.json": ([], ["s-1:trajectory"]),
            "trajectory.json": ([], ["s-1:trajectory"]),
        }
        assert len(store.trajectories.get("s-1:trajectory").steps) == 10


def test_terminus_reply_with_text_around_json_and_several_commands(tmp_path: Path) -> None:
    reply = {
        "analysis": "Two steps.",
        "plan": "ls then cat.",
        "commands": [{"keystrokes": "ls\n", "duration": 0.1}, {"keystrokes": "cat a\n"}],
    }
    steps = [
        {"step_id": 1, "source": "user", "message": "Task"},
        {
            "step_id": 2,
            "source": "agent",
            "message": "Sure.\n" + json.dumps(reply) + "\nDone",
            "observation": {"results": [{"content": "$ ls\na\n$ cat a\nhi"}]},
        },
        {"step_id": 3, "source": "agent", "message": 'Set {"plan": "pro"} in the config.'},
        {"step_id": 4, "source": "agent", "message": "not json {at all"},
    ]
    t = read_one(write(tmp_path, "t.json", atif(steps)))
    assert [s.role for s in t.steps] == ["user", "assistant", "tool", "assistant", "assistant"]
    assert t.steps[1].text == "Sure.\n\nAnalysis: Two steps.\n\nPlan: ls then cat.\n\nDone"
    assert [c.arguments["keystrokes"] for c in t.steps[1].tool_calls] == ["ls\n", "cat a\n"]
    assert t.steps[2].tool_result is not None and t.steps[2].tool_result.call_id == t.steps[1].tool_calls[0].id
    assert t.steps[3].text == 'Set {"plan": "pro"} in the config.' and t.steps[3].tool_calls == []  # quoted JSON is not a reply
    assert t.steps[4].text == "not json {at all" and t.steps[4].tool_calls == []
    assert t.final_answer == "not json {at all"


# --- bad input: one line naming the place ---

GOOD_STEP = {"step_id": 1, "source": "user", "message": "hi"}
MALFORMED: dict[str, tuple[str, str]] = {
    "steps_not_list": (json.dumps(atif({"a": 1})), "/steps"),
    "no_steps": (json.dumps(atif([])), "/steps"),
    "step_not_object": (json.dumps(atif(["hello"])), "/steps/0"),
    "unknown_source": (json.dumps(atif([GOOD_STEP, {"step_id": 2, "source": "robot", "message": "x"}])), "/steps/1/source"),
    "message_wrong_type": (json.dumps(atif([{"step_id": 1, "source": "user", "message": 42}])), "/steps/0/message"),
    "call_without_name": (
        json.dumps(atif([GOOD_STEP, {"step_id": 2, "source": "agent", "tool_calls": [{"tool_call_id": "c", "arguments": {}}]}])),
        "/steps/1/tool_calls/0/function_name",
    ),
    "results_not_list": (
        json.dumps(atif([GOOD_STEP, {"step_id": 2, "source": "agent", "observation": {"results": "x"}}])),
        "/steps/1/observation/results",
    ),
    "reasoning_wrong_type": (
        json.dumps(atif([{"step_id": 1, "source": "agent", "reasoning_content": ["x"]}])),
        "/steps/0/reasoning_content",
    ),
    "agent_not_object": (json.dumps(atif([GOOD_STEP], agent="claude")), "/agent"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_gives_one_error_line_with_its_place(name: str, tmp_path: Path) -> None:
    text, place = MALFORMED[name]
    path = write_text(tmp_path, f"{name}.json", text)
    error = only_error(path)
    assert error.startswith(f"{path}:{place}: "), error


def test_truncated_file_is_one_parse_error(tmp_path: Path) -> None:
    truncated_is_a_parse_error(ATIF / OPENHANDS, tmp_path / "cut.json")


def write_text(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_synthetic_files_import(tmp_path: Path) -> None:
    with imported(tmp_path, synthetic(synth, tmp_path / "synth", 3, 20)) as (store, report):
        for f in report.files:
            [tid] = f.imported
            t = store.trajectories.get(tid)
            assert len(t.steps) == 20
            assert t.file_edits and t.file_edits[0].source == "tool_call"
            assert t.steps[2].thinking and t.steps[3].tool_result is not None
