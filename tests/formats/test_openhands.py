"""OpenHands V0: the real saved trajectories, the eval `output.jsonl` and export forms, and bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.synth.openhands import write as write_synthetic
from reviewer import formats
from reviewer.formats.openhands import OpenhandsFormat
from reviewer.importer import Importer
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from reviewer.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OPENHANDS = FIXTURES / "openhands"
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
FORMAT = OpenhandsFormat()


def read_one(path: Path) -> Trajectory:
    [(place, item)] = list(FORMAT.read(Document(path, path.read_bytes())))
    assert place is None and isinstance(item, Trajectory), item
    return item


def fixture_events(name: str) -> list[dict[str, Any]]:
    return json.loads((OPENHANDS / name).read_text(encoding="utf-8"))


def roles(t: Trajectory) -> list[str]:
    return [s.role for s in t.steps]


def errors_of(path: Path) -> list[str]:
    report = Importer(None, max_bytes=10**8).run([path])
    return [e for f in report.files for e in f.errors]


# --- detection -------------------------------------------------------------------------------------


# --- the real samples --------------------------------------------------------------------------------


def test_basic_edit_takes_the_model_arguments_and_the_observed_file_contents() -> None:
    t = read_one(OPENHANDS / "basic.json")
    assert t.id == "basic"
    assert roles(t) == ["user", "assistant", "tool", "assistant"]
    assert [s.metadata["event_id"] for s in t.steps] == [0, 3, 4, 5]
    assert t.task.prompt.startswith("Please create a simple 2048 game. No need to run it.")
    assert (t.agent.model, t.agent.scaffold) == ("claude-3-5-sonnet-20241022", "openhands")
    assert t.steps[1].text.startswith("I'll help you create a simple 2048 game in Python.")
    [call] = t.steps[1].tool_calls
    assert (call.id, call.name) == ("toolu_017nBp7UfiGqyrA7j77HgtFP", "str_replace_editor")
    assert call.arguments["command"] == "create" and call.arguments["path"] == "/workspace/game_2048.py"
    assert call.arguments["file_text"].startswith("import random\nimport keyboard\n\nclass Game2048:")
    assert call.raw_arguments is not None and call.raw_arguments.startswith('{"command": "create"')
    result = t.steps[2]
    assert result.tool_result is not None and result.tool_result.call_id == call.id and not result.tool_result.is_error
    assert result.text == "File created successfully at: /workspace/game_2048.py"  # what the agent was shown
    assert result.metadata == {"event_id": 4, "observation": "edit", "cause": 3}
    assert t.steps[3].metadata["action"] == "finish" and t.steps[3].tool_calls == []
    assert t.final_answer is not None and t.final_answer.startswith("I've created a simple implementation of the 2048 game")
    assert t.final_answer.endswith("The game ends when no more moves are possible.")
    [edit] = t.file_edits  # the observation's record wins over the call's reconstruction
    assert (edit.path, edit.step, edit.source, edit.before) == ("/workspace/game_2048.py", 1, "observation", "")
    assert (
        edit.after is not None and edit.after.startswith("import random\nimport keyboard\n") and edit.after.endswith("    main()")
    )
    assert edit.diff is not None and edit.diff.startswith(
        "--- /workspace/game_2048.py\n+++ /workspace/game_2048.py\n@@ -0,0 +1,117 @@\n+import random\n"
    )
    assert (t.final_patch, t.outcome.grader_result) == (None, None)
    assert t.metadata == {"openhands_form": "event_list"}


def test_basic_interactions_is_a_chat_whose_closing_message_is_the_answer() -> None:
    t = read_one(OPENHANDS / "basic_interactions.json")
    assert t.id == "basic_interactions"
    assert roles(t) == ["user", "assistant", "user", "assistant", "user", "assistant"]
    assert all(not s.tool_calls and s.tool_result is None for s in t.steps)
    assert t.task.prompt == "what's 1+1?"
    assert [s.text for s in t.steps[:3]] == ["what's 1+1?", "1 + 1 equals 2.", "No, I mean by Goldbach's conjecture!"]
    assert t.agent.model == "gpt-4o-2024-08-06"  # only the finish action carries a model response
    assert t.steps[5].text == "" and t.steps[5].metadata == {"event_id": 15, "action": "finish"}
    # the finish says nothing ("All done!..." is OpenHands' placeholder), so the agent's last message stands
    assert t.final_answer is not None and t.final_answer.startswith(
        "Goldbach's conjecture is an unsolved problem in number theory"
    )
    assert t.file_edits == []


def test_wrong_initial_state_pairs_every_observation_by_cause() -> None:
    t = read_one(OPENHANDS / "wrong_initial_state.json")
    assert roles(t) == ["user", "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant"]
    assert t.task.prompt == "Please rename game_2048.py to 2048.py"
    assert t.agent.model == "claude-3-5-sonnet-20241022"
    view = t.steps[1].tool_calls[0]
    assert (view.id, view.name, view.arguments) == (
        "toolu_01USom24cuiyvAembLhEryrn",
        "str_replace_editor",
        {"command": "view", "path": "/workspace"},
    )
    move = t.steps[3].tool_calls[0]
    assert (move.id, move.name) == ("toolu_01PuY3mXrE6fm3j52GscR4rj", "bash")
    assert move.arguments == {"command": "mv /workspace/game_2048.py /workspace/2048.py"}
    for call_step, result_step in ((1, 2), (3, 4), (5, 6)):
        result = t.steps[result_step].tool_result
        assert result is not None and result.call_id == t.steps[call_step].tool_calls[0].id and not result.is_error
    assert t.steps[2].text.endswith("/workspace/game_2048.py") and t.steps[6].text.endswith("/workspace/2048.py")
    assert t.steps[4].text == "\n[The command completed with exit code 0.]" and t.steps[4].metadata["exit_code"] == 0
    assert t.final_answer is not None and t.final_answer.startswith("The file has been successfully renamed from `game_2048.py`")
    (moved,) = t.file_edits  # `mv` renames the file; its content was never shown, so it stays unknown
    assert (moved.path, moved.from_path, moved.op, moved.step, moved.source) == (
        "/workspace/2048.py", "/workspace/game_2048.py", "rename", 3, "bash",
    )  # fmt: skip
    assert moved.before is None and moved.after is None
    assert moved.diff == (
        "diff --git /workspace/game_2048.py /workspace/2048.py\n"
        "rename from /workspace/game_2048.py\n"
        "rename to /workspace/2048.py\n"
    )


# --- the other V0 forms, built from the real events ---------------------------------------------------

PATCH = "diff --git a/src/game.py b/src/game.py\n--- a/src/game.py\n+++ b/src/game.py\n@@ -1 +1 @@\n-SIZE = 3\n+SIZE = 4\n"


def eval_record(instance_id: str, history: Any, **extra: Any) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "instruction": f"Solve {instance_id}: make the board 4x4.",
        "history": history,
        "test_result": {"git_patch": PATCH, "report": {"resolved": True, "empty_generation": False, "error_eval": False}},
        "metadata": {
            "agent_class": "CodeActAgent",
            "llm_config": {"model": "litellm_proxy/claude-3-5-sonnet-20241022", "api_key": "**********"},
            "eval_output_dir": "evaluation_outputs/swe_bench/CodeActAgent/claude_maxiter_30/",
        },
        "metrics": {"accumulated_cost": 0.12},
        "error": None,
        "instance": {"repo": "games/tiles", "instance_id": instance_id},
        **extra,
    }


def old_pairs(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The 2024 `[[action, observation], ...]` history: each action with its observation (or a null one)."""
    actions = [e for e in events if "action" in e]
    answers = {
        e["cause"]: {k: v for k, v in e.items() if k not in ("cause", "tool_call_metadata")} for e in events if "observation" in e
    }
    null = {"id": -1, "source": "agent", "message": "", "observation": "null", "content": "", "extras": {}}
    return [[{k: v for k, v in a.items() if k != "tool_call_metadata"}, answers.get(a["id"], null)] for a in actions]


def test_eval_output_jsonl_lines_are_trajectories_with_patch_grading_and_one_error_line(tmp_path: Path) -> None:
    lines = [
        eval_record("games__tiles-1", fixture_events("basic.json")),
        eval_record("games__tiles-2", old_pairs(fixture_events("wrong_initial_state.json"))),
        {
            "instance_id": "games__tiles-3",
            "test_result": {},
            "history": None,
            "error": "Maximum retries (5) reached: runtime died",
        },
    ]
    path = tmp_path / "output.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    doc = Document(path, path.read_bytes())
    assert formats.detect(doc).name == "openhands"
    read = list(FORMAT.read(doc))
    assert [place for place, _ in read] == ["1", "2", "3"]
    first, second, failed = (item for _, item in read)
    assert isinstance(first, Trajectory) and isinstance(second, Trajectory)
    assert first.id == "claude_maxiter_30/games__tiles-1"
    assert (first.task.id, first.task.repo, first.task.instance) == ("games__tiles-1", "games/tiles", "games__tiles-1")
    assert first.task.prompt == "Solve games__tiles-1: make the board 4x4."  # the instruction, not the first message
    assert first.agent.model == "claude-3-5-sonnet-20241022"  # the model response beats the run's config
    assert first.outcome.grader_result == "pass" and first.final_patch == PATCH
    assert [(e.path, e.step, e.source) for e in first.file_edits] == [
        ("/workspace/game_2048.py", 1, "observation"),
        ("src/game.py", 3, "submission"),
    ]
    assert first.metadata["run"] == {
        "agent_class": "CodeActAgent",
        "eval_output_dir": "evaluation_outputs/swe_bench/CodeActAgent/claude_maxiter_30/",
    }
    assert first.metadata["test_result"]["report"]["resolved"] is True and "git_patch" not in first.metadata["test_result"]
    assert first.metadata["metrics"] == {"accumulated_cost": 0.12}
    # old pairs: no cause and no tool call ids, so each observation answers its own action
    assert roles(second) == ["user", "assistant", "tool", "assistant", "tool", "assistant", "tool", "assistant"]
    assert second.agent.model == "litellm_proxy/claude-3-5-sonnet-20241022"  # no model response left: the config
    assert [second.steps[i].tool_result.call_id for i in (2, 4, 6)] == [second.steps[i].tool_calls[0].id for i in (1, 3, 5)]
    assert second.steps[3].tool_calls[0].id == "event-5" and second.steps[3].tool_calls[0].name == "bash"
    assert second.metadata["skipped_events"] == {"observation:null": 2}
    assert isinstance(failed, InputError)
    assert (
        str(failed)
        == f"{path}:3:/history: expected a list of events, got null (the run failed: Maximum retries (5) reached: runtime died)"
    )


def test_conversation_export_keeps_thinking_errors_and_counts_what_it_skips(tmp_path: Path) -> None:
    response = {
        "id": "r1",
        "model": "o3-mini",
        "choices": [{"message": {"reasoning_content": "The tests import tiles.", "tool_calls": []}}],
    }
    tcm = {"function_name": "execute_bash", "tool_call_id": "call_a", "model_response": json.dumps(response)}
    events = [
        {"id": 0, "source": "agent", "action": "system", "args": {"content": "You are OpenHands agent.", "tools": []}},
        {"id": 1, "source": "user", "action": "message", "args": {"content": "Make the tests pass."}},
        {
            "id": 2,
            "source": "user",
            "observation": "recall",
            "content": "",
            "cause": 1,
            "extras": {"recall_type": "workspace_context"},
        },
        {
            "id": 3,
            "source": "environment",
            "observation": "agent_state_changed",
            "content": "",
            "extras": {"agent_state": "running"},
        },
        {"id": 4, "source": "agent", "action": "think", "args": {"thought": "Maybe I can edit the test instead."}},
        {
            "id": 5,
            "source": "agent",
            "observation": "think",
            "content": "Your thought has been logged.",
            "cause": 4,
            "extras": {},
        },
        {
            "id": 6,
            "source": "agent",
            "action": "run",
            "args": {"command": "pytest -q", "thought": "Run the tests."},
            "tool_call_metadata": tcm,
        },
        {
            "id": 7,
            "source": "agent",
            "observation": "run",
            "content": "1 failed",
            "cause": 6,
            "extras": {"metadata": {"exit_code": 1}},
        },
        {"id": 8, "source": "agent", "action": "run_ipython", "args": {"code": "import tiles", "thought": ""}},
        {
            "id": 9,
            "source": "agent",
            "observation": "error",
            "content": "ModuleNotFoundError",
            "cause": 8,
            "extras": {"error_id": "E1"},
        },
        {
            "id": 10,
            "source": "agent",
            "action": "finish",
            "args": {"outputs": {"ok": False}, "thought": "", "final_thought": "Could not fix it."},
        },
    ]
    path = tmp_path / "trajectory-c0ffee.json"
    path.write_text(json.dumps({"trajectory": events}), encoding="utf-8")
    t = read_one(path)
    assert t.id == "trajectory-c0ffee" and t.metadata["openhands_form"] == "conversation_export"
    assert roles(t) == ["user", "assistant", "assistant", "tool", "assistant", "tool", "assistant"]
    assert t.steps[1].thinking == "Maybe I can edit the test instead." and t.steps[1].text == ""
    run = t.steps[2]
    assert (run.text, run.thinking, run.tool_calls[0].id, run.tool_calls[0].arguments) == (
        "Run the tests.",
        "The tests import tiles.",
        "call_a",
        {"command": "pytest -q"},
    )
    assert t.agent.model == "o3-mini"  # model_response stored as a JSON string
    assert t.steps[3].tool_result.call_id == "call_a" and t.steps[3].tool_result.is_error  # exit code 1
    assert t.steps[4].tool_calls[0].name == "python" and t.steps[4].tool_calls[0].id == "event-8"
    assert (
        t.steps[5].tool_result.call_id == "event-8"
        and t.steps[5].tool_result.is_error
        and t.steps[5].metadata["error_id"] == "E1"
    )
    assert t.final_answer == "Could not fix it." and t.steps[6].metadata["outputs"] == {"ok": False}
    assert t.metadata["skipped_events"] == {
        "action:system": 1,
        "observation:agent_state_changed": 1,
        "observation:recall": 1,
        "observation:think": 1,
    }
    assert t.metadata["system_prompt"] == "You are OpenHands agent."
    assert first_error("trajectory.schema", t.to_dict()) is None


# --- bad input --------------------------------------------------------------------------------------

USER = {"id": 0, "source": "user", "action": "message", "args": {"content": "hi"}}


@pytest.mark.parametrize(
    ("events", "place", "message"),
    [
        ([USER, "oops"], "/1", "expected an event object, got a string"),
        ([USER, {"id": 1, "source": "agent"}], "/1", "event has neither 'action' nor 'observation'"),
        (
            [USER, {"id": 1, "source": "agent", "action": "run", "args": []}],
            "/1/args",
            "expected an object, got an array",
        ),
        (
            [USER, {"id": 1, "source": "agent", "action": "run", "args": {"thought": "x"}}],
            "/1/args/command",
            "a run action needs a string 'command'",
        ),
        (
            [USER, {"id": 1, "source": "agent", "observation": "run", "content": "", "cause": "0"}],
            "/1/cause",
            "expected a number, got a string",
        ),
        (
            [USER, {"id": 1, "source": "agent", "observation": "run", "content": 7}],
            "/1/content",
            "expected a string, got a number",
        ),
        ([USER, [USER, USER, USER]], "/1", "a history pair should be [action, observation], not 3 items"),
        (
            [{"id": 0, "source": "environment", "observation": "agent_state_changed", "content": "", "extras": {}}],
            "",
            "no messages or actions to import (1 observation:agent_state_changed)",
        ),
    ],
)
def test_malformed_event_lists_give_one_error_line_at_the_event(
    tmp_path: Path, events: list[Any], place: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    where = f"{path}:{place}" if place else str(path)
    assert errors_of(path) == [f"{where}: {message}"]


def test_truncated_file_is_one_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text((OPENHANDS / "wrong_initial_state.json").read_text(encoding="utf-8")[:5000], encoding="utf-8")
    [error] = errors_of(path)
    assert error.startswith(f"{path}:") and "invalid JSON" in error


def test_bad_jsonl_lines_fail_alone(tmp_path: Path) -> None:
    good = eval_record("a__b-1", fixture_events("basic_interactions.json"))
    lines = [
        json.dumps(good),
        '{"instance_id": "a__b-2", "history": [',
        json.dumps(eval_record("a__b-3", {"not": "a list"})),
        json.dumps({"history": []}),
        json.dumps(eval_record("a__b-5", [USER], test_result=["x"])),
        json.dumps(good),
    ]
    path = tmp_path / "output.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = Importer(None, max_bytes=10**8).run([path])
    [file_report] = report.files
    assert file_report.imported == ["claude_maxiter_30/a__b-1", "claude_maxiter_30/a__b-1#2"]  # a rerun keeps its own id
    assert [e.split(": ", 1)[0] for e in file_report.errors] == [
        f"{path}:2:{len(lines[1]) + 1}",
        f"{path}:3:/history",
        f"{path}:4:/instance_id",
        f"{path}:5:/test_result",
    ]
    assert file_report.errors[1].endswith("/history: expected a list of events, got an object")
    assert file_report.errors[3].endswith("/test_result: expected an object, got an array")


# --- end to end -------------------------------------------------------------------------------------


EVAL = OPENHANDS / "multi_swe_bench_output.jsonl"  # 3 real runs, most editor calls refused with `ERROR:`


def eval_runs() -> list[Trajectory]:
    found = [t for _, t in FORMAT.read(Document(EVAL, EVAL.read_bytes()))]
    assert all(isinstance(t, Trajectory) for t in found)
    return found  # type: ignore[return-value]


def raw_edit_observations(line: int) -> list[dict[str, Any]]:
    record = json.loads(EVAL.read_text(encoding="utf-8").splitlines()[line])
    return [e for e in record["history"] if e.get("observation") == "edit"]


def test_refused_editor_calls_are_failed_edits_and_the_tool_diff_is_kept() -> None:
    """By hand in the raw file: 29 edit observations, 23 of them `ERROR:` (old_str not found or not
    unique, missing parameters, an invalid new_str), 6 applied with `extras.diff` of the whole file."""
    runs = eval_runs()
    total = Counter()
    for line, t in enumerate(runs):
        observed = raw_edit_observations(line)
        edits = [e for e in t.file_edits if e.source in ("tool_call", "observation")]  # the editor's (shell writes below)
        assert len(edits) == len(observed)
        for edit, raw in zip(edits, observed, strict=True):
            refused = raw["content"].startswith("ERROR:")
            assert edit.status == ("failed" if refused else "applied") and edit.op == "modify"
            result = next(s for s in t.steps if s.metadata.get("event_id") == raw["id"])
            assert result.tool_result is not None and result.tool_result.is_error is refused
            assert t.steps[edit.step].tool_calls[0].id == result.tool_result.call_id
            if refused:  # what the call attempted, never the file
                assert edit.source == "tool_call" and edit.before is None and edit.after is None
            else:  # the editor's own diff, real line numbers, not a diff of old_str against new_str
                assert (edit.source, edit.before, edit.after) == ("observation", None, None)
                assert edit.diff == raw["extras"]["diff"] + "\n"
            total[edit.status] += 1
    assert total == {"failed": 23, "applied": 6}
    # and the shell's writes, by hand in the raw commands (the `ponyc` and `make` runs after them failed)
    assert [[(e.step, e.path, e.op, e.status) for e in t.file_edits if e.source == "bash"] for t in runs] == [
        [(29, "/workspace/test.c", None, "applied"), (31, "/workspace/test.pony", None, "unknown")],
        [],
        [
            (57, "/workspace/ponylang__ponyc__0.1/src/libponyc/expr/match.c", "modify", "applied"),  # sed -i '317s/^/\t      /'
            (65, "/workspace/ponylang__ponyc__0.1/build", "delete", "unknown"),  # rm -rf build && make
            (81, "/workspace/ponylang__ponyc__0.1/build", "delete", "unknown"),
        ],
    ]  # fmt: skip
    assert next(e for e in runs[0].file_edits if e.step == 29).after == "int main() { return 0; }\n"
    assert [[e.step for e in t.file_edits if e.status == "applied" and e.source == "observation"] for t in runs] == [
        [27],
        [60],
        [24, 38, 40, 51],
    ]
    parser_c = runs[0].file_edits[1]
    assert parser_c.diff.split("\n")[2:] == ["@@ -695,0 +696 @@", "+  SET_FLAG(AST_FLAG_IN_PARENS);", ""]
    missing_old_str = runs[1].file_edits[0]  # "Parameter `old_str` is required": nothing to show but the attempt
    assert (missing_old_str.step, missing_old_str.status, missing_old_str.diff) == (38, "failed", None)


def test_importer_stores_every_fixture_valid_against_the_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([OPENHANDS])
        assert report.ok, [f.errors for f in report.files]
        assert {f.format for f in report.files} == {"openhands"}
        ids = sorted(i for f in report.files for i in f.imported)
        run = "openrouter-llama-4-maverick_maxiter_50_N_v0.35.0-no-hint-run_1/ponylang__ponyc-"
        assert ids == ["basic", "basic_interactions", f"{run}4588", f"{run}4593", f"{run}4595", "wrong_initial_state"]
        for trajectory_id in ids:
            stored = store.trajectories.get(trajectory_id)
            assert stored is not None and stored.source.format == "openhands"
            assert first_error("trajectory.schema", stored.to_dict()) is None
        statuses = Counter(e.status for i in ids if i.startswith(run) for e in store.trajectories.get(i).file_edits)
        assert statuses == {
            "failed": 23,
            "applied": 6 + 3 + 2,
            "unknown": 3,
        }  # kept through the store; 3 submitted patches, 5 shell writes


def test_synthetic_benchmark_files_import_with_the_asked_step_count(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = write_synthetic(tmp_path / "a", 3, 25)
    assert [p.read_bytes() for p in write_synthetic(tmp_path / "b", 3, 25)] == [p.read_bytes() for p in paths]  # deterministic
    report = Importer(None, max_bytes=10**8).run(paths)
    assert report.ok and report.totals()["imported"] == 3
    for path in paths:
        t = read_one(path)
        assert len(t.steps) == 25 and t.metadata["skipped_events"] == {"observation:agent_state_changed": 2}
        assert any(s.thinking for s in t.steps) and any(e.source == "observation" for e in t.file_edits)
