"""SWE-agent `.traj` import: the real 1.x, 0.x and demonstration files, RetryAgent attempts, bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bench.synth import swe_agent as synth
from reviewer.formats.swe_agent import SweAgentFormat
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic, truncated_is_a_parse_error

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "swe-agent"
ALL_FIXTURES = FIXTURES.parent
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
V1 = FIXTURES / "6e44b9__sweagenttestrepo-1c2844.traj"
V0 = FIXTURES / "pydicom__pydicom-1458.traj"
REPLACE = FIXTURES / "function_calling_replace" / "marshmallow-code__marshmallow-1867.traj"  # search/replace editor, reused ids
CURSORS = FIXTURES / "cursors_window100" / "marshmallow-code__marshmallow-1867.traj"  # `edit` between START/END CURSOR
DEMO = FIXTURES / "function_calling_simple.traj"


def read_all(path: Path, data: bytes | None = None) -> list[tuple[str | None, Trajectory | InputError]]:
    return list(SweAgentFormat().read(Document(path, path.read_bytes() if data is None else data)))


def read_one(path: Path, data: bytes | None = None) -> Trajectory:
    [(place, trajectory)] = read_all(path, data)
    assert place is None and isinstance(trajectory, Trajectory), trajectory
    return trajectory


def roles(t: Trajectory) -> list[str]:
    return [s.role for s in t.steps]


def test_v1_function_calling_run() -> None:
    t = read_one(V1)
    assert t.id == "6e44b9__sweagenttestrepo-1c2844"
    assert roles(t) == ["system", "user"] + ["assistant", "tool"] * 5
    assert t.task.id == t.task.instance == "SWE-agent__test-repo-i1"
    assert t.task.repo == "https://github.com/SWE-agent/test-repo/"
    assert t.task.prompt.startswith("We're currently solving the following issue within our repository.")
    assert "SyntaxError: invalid syntax" in t.task.prompt
    assert (t.agent.model, t.agent.scaffold) == ("gpt-4o", "swe-agent")
    find = t.steps[2].tool_calls[0]
    assert (find.id, find.name, find.arguments) == (
        "call_fJuazlMUN5fQDQ73G6XSpYpx",
        "find_file",
        {"file_name": "missing_colon.py"},
    )
    assert find.raw_arguments == '{"file_name":"missing_colon.py"}'
    assert t.steps[3].tool_result.call_id == find.id and not t.steps[3].tool_result.is_error
    assert t.steps[3].text.startswith('Found 1 matches for "missing_colon.py" in /SWE-agent__test-repo:')
    edit = t.steps[6].tool_calls[0]
    assert edit.name == "edit" and edit.arguments == {
        "search": "def division(a: float, b: float) -> float",
        "replace": "def division(a: float, b: float) -> float:",
        "replace-all": False,
    }
    assert t.steps[7].tool_result.call_id == edit.id
    assert t.steps[2].text.startswith("To start addressing this issue, I will first search for the `missing_colon.py` file")
    assert t.steps[2].metadata["trajectory_index"] == 0
    assert t.steps[2].metadata["execution_time"] == 0.2814128329991945
    assert t.steps[2].metadata["state"] == {"open_file": "n/a", "working_dir": "/SWE-agent__test-repo"}
    assert t.steps[2].metadata["history_index"] == 2 and t.steps[2].metadata["message_type"] == "action"


def test_v1_final_submit_comes_from_the_trajectory_entries() -> None:
    """History stops before `submit` (the run ended there); the 5th trajectory entry supplies it."""
    t = read_one(V1)
    submit, output = t.steps[10], t.steps[11]
    assert submit.tool_calls[0].name == "submit" and submit.tool_calls[0].arguments == {"command": "submit"}
    assert submit.text.startswith("The script `missing_colon.py` ran successfully and the output was `8.2`")
    assert submit.metadata["trajectory_index"] == 4 and "history_index" not in submit.metadata
    assert output.tool_result.call_id == submit.tool_calls[0].id
    assert output.text.startswith("\r\ndiff --git a/tests/missing_colon.py b/tests/missing_colon.py")


def test_v1_outcome_patch_and_edits() -> None:
    t = read_one(V1)
    assert t.outcome.grader_result is None  # "submitted" says how the run ended, not whether it passed
    assert t.metadata["exit_status"] == "submitted" and t.metadata["swe_agent_format"] == "1.x"
    assert t.metadata["info"]["model_stats"]["api_calls"] == 5 and "submission" not in t.metadata["info"]
    assert "templates" not in t.metadata["replay_config"]["agent"]
    assert t.metadata["replay_config"]["problem_statement"]["github_url"] == "https://github.com/SWE-agent/test-repo/issues/1"
    assert t.final_patch.startswith(
        "diff --git a/tests/missing_colon.py b/tests/missing_colon.py\nindex 20edef5..5857437 100755\n"
    )
    assert "\r" not in t.final_patch and "+def division(a: float, b: float) -> float:\n" in t.final_patch
    assert t.metadata["final_patch_normalized"]
    assert [(e.path, e.step, e.source) for e in t.file_edits] == [
        ("/SWE-agent__test-repo/tests/missing_colon.py", 6, "observation"),
        ("tests/missing_colon.py", 11, "submission"),
    ]
    edit = t.file_edits[0]  # the `open` window before, the edit's window after: the whole file both times
    assert edit.before.startswith("#!/usr/bin/env python3\n\n\ndef division(a: float, b: float) -> float\n    return a/b\n")
    assert edit.after.startswith("#!/usr/bin/env python3\n\n\ndef division(a: float, b: float) -> float:\n")
    assert "-def division(a: float, b: float) -> float\n+def division(a: float, b: float) -> float:\n" in edit.diff


def test_v0_run_with_demonstration_and_string_state() -> None:
    t = read_one(V0)
    assert t.id == t.task.id == "pydicom__pydicom-1458" and t.task.instance is None
    assert roles(t) == ["system", "user"] + ["assistant", "tool"] * 12
    assert t.agent.model is None and t.metadata["swe_agent_format"] == "0.x"
    [demo] = t.metadata["demonstrations"]
    assert demo["history_index"] == 1 and demo["content"].startswith(
        "Here is a demonstration of how to correctly accomplish this task."
    )
    assert not any("--- DEMONSTRATION ---" in s.text for s in t.steps)
    assert t.steps[1].metadata["history_index"] == 2
    assert t.task.prompt.startswith("We're currently solving the following issue within our repository.")
    assert "Pixel Representation attribute should be optional for pixel data handler" in t.task.prompt
    create = t.steps[2]
    assert create.text.startswith("First, I'll create a new Python script to reproduce the bug") and "```" not in create.text
    assert (create.tool_calls[0].name, create.tool_calls[0].arguments) == ("create", {"command": "create reproduce_bug.py\n"})
    assert create.metadata["state"] == {"open_file": "n/a", "working_dir": "/pydicom__pydicom"}
    assert t.steps[3].tool_result.call_id == create.tool_calls[0].id
    assert t.steps[3].text.startswith("[File: /pydicom__pydicom/reproduce_bug.py (1 lines total)]")
    assert [c.name for s in t.steps for c in s.tool_calls] == [
        "create", "edit", "python", "find_file", "open", "edit", "edit", "edit", "edit", "python", "rm", "submit"
    ]  # fmt: skip
    assert t.steps[18].tool_calls[0].arguments["command"].startswith("edit 287:296\n    required_elements = [\n")


def test_v0_refused_edits_are_errors_kept_failed_and_diffed_from_the_windows() -> None:
    t = read_one(V0)
    refused = [s.index for s in t.steps if s.tool_result and s.tool_result.is_error]
    assert refused == [13, 15, 17]
    assert all(t.steps[i].text.startswith("Your proposed edit has introduced new syntax error(s).") for i in refused)
    handler = "/pydicom__pydicom/pydicom/pixel_data_handlers/numpy_handler.py"
    assert [(e.path, e.step, e.source, e.op, e.status) for e in t.file_edits] == [
        ("/pydicom__pydicom/reproduce_bug.py", 2, "observation", "create", "applied"),
        ("/pydicom__pydicom/reproduce_bug.py", 4, "observation", "modify", "applied"),
        (handler, 12, "observation", "modify", "failed"),  # the would-be window against the original one
        (handler, 14, "observation", "modify", "failed"),
        (handler, 16, "observation", "modify", "failed"),
        (handler, 18, "observation", "modify", "applied"),
        ("/pydicom__pydicom/reproduce_bug.py", 22, "bash", "delete", "applied"),  # `rm reproduce_bug.py` in /pydicom__pydicom
        ("pydicom/pixel_data_handlers/numpy_handler.py", 25, "submission", "modify", "applied"),
    ]
    created, pasted, first_try, *_, fixed, removed, submitted = t.file_edits
    assert (removed.before, removed.after) == (pasted.after, "")
    assert removed.diff.startswith(
        "--- /pydicom__pydicom/reproduce_bug.py\n+++ /dev/null\n@@ -1,18 +0,0 @@\n-import numpy as np\n"
    )
    assert (created.before, created.after) == ("", "\n")  # `create` makes a one-line empty file
    assert pasted.before == "\n" and pasted.after.startswith(
        "import numpy as np\nfrom pydicom.dataset import Dataset, FileMetaDataset\n"
    )
    assert pasted.after.endswith('print("Script completed successfully, no errors. Result:", result)\n')
    # `edit 287:295` would have replaced `required_elements = [` too (the linter refused it)
    assert first_try.diff.startswith(f"--- {handler}\n+++ {handler}\n@@ -284,15 +284,16 @@\n")
    assert "\n-    required_elements = [\n" in first_try.diff  # the body's `)` lands above the original one:
    assert first_try.diff.endswith(
        ".join(missing)\n+        )\n         )\n \n     # May be Pixel Data, Float Pixel Data or Double Float Pixel Data\n"
    )
    # the windows before (the last refusal's original) and after show a 372-line file in part: the
    # changed lines with their real numbers, the same hunk as the submitted patch
    assert fixed.before is None and fixed.after is None
    hunk = submitted.diff.split(
        '@@ -285,9 +285,10 @@ def get_pixeldata(ds: "Dataset", read_only: bool = False) -> "np.ndarray":\n'
    )[1]
    assert fixed.diff == f"--- {handler}\n+++ {handler}\n@@ -285,9 +285,10 @@\n{hunk}"


def edits_of(t: Trajectory) -> list[tuple[str, int, str | None, str | None, str]]:
    return [(e.path, e.step, e.source, e.op, e.status) for e in t.file_edits]


def submitted_hunk(t: Trajectory) -> str:
    """The submission's one hunk, without git's function-name context, as a window diff writes it."""
    body = t.final_patch.split("@@ -1472,", 1)[1]
    return "@@ -1472," + body.split(" @@ ", 1)[0] + " @@\n" + body.split(" @@ ", 1)[1].split("\n", 1)[1]


def test_linter_refused_edit_with_a_reused_call_id_is_failed_and_diffed_from_its_windows() -> None:
    """function_calling_replace: the first `edit` (search/replace) was refused by the linter; its call id
    `call_q3Vs…` had answered the `insert` before, so only the builder's pairing finds the refusal."""
    t = read_one(REPLACE)
    refusal = t.steps[15]
    assert refusal.tool_result.call_id == "call_q3VsBszvsntfyPkxeHq4i5N1#2" and refusal.tool_result.is_error
    assert refusal.text.startswith("Your proposed edit has introduced new syntax error(s).")
    assert [s.index for s in t.steps if s.tool_result and s.tool_result.is_error] == [15]
    fields = "/testbed/src/marshmallow/fields.py"
    assert edits_of(t) == [
        ("/testbed/reproduce.py", 2, "observation", "create", "applied"),
        ("/testbed/reproduce.py", 4, "observation", "modify", "applied"),
        (fields, 14, "observation", "modify", "failed"),
        (fields, 16, "observation", "modify", "applied"),
        ("/testbed/reproduce.py", 20, "bash", "delete", "applied"),  # `rm reproduce.py`, Current directory: /testbed
        ("src/marshmallow/fields.py", 23, "submission", "modify", "applied"),
    ]
    created, inserted, refused, replaced, removed, _ = t.file_edits
    assert (removed.before, removed.after) == (inserted.after, "")
    assert (created.before, created.after) == ("", "\n")  # `create` shows `1:` of a 1-line file
    assert inserted.before == "\n" and inserted.after.startswith("\nfrom marshmallow.fields import TimeDelta\n")
    # The would-be window against the original: the unindented line the linter refused, at its real line
    assert refused.before is None and refused.after is None
    assert refused.diff == (
        f"--- {fields}\n+++ {fields}\n@@ -1472,7 +1472,8 @@\n"
        "         if value is None:\n             return None\n         base_unit = dt.timedelta(**{self.precision: 1})\n"
        "-        return int(value.total_seconds() / base_unit.total_seconds())\n"
        "+        # round to nearest int\n+return int(round(value.total_seconds() / base_unit.total_seconds()))\n"
        " \n     def _deserialize(self, value, attr, data, **kwargs):\n         try:\n"
    )
    # `open … 1474` showed lines 1457-1556 of 1997, the edit's window lines 1459-1558 of 1998: the change
    # between them is the submitted hunk, line numbers and all
    assert replaced.before is None and replaced.after is None
    assert replaced.diff == f"--- {fields}\n+++ {fields}\n" + submitted_hunk(t)


def test_cursor_editor_edits_are_reconstructed_from_the_windows() -> None:
    """cursors_window100: `set_cursors 1475 1475`, a refused `edit` (indentation), then the same edit indented."""
    t = read_one(CURSORS)
    assert [s.index for s in t.steps if s.tool_result and s.tool_result.is_error] == [17]
    root = "/marshmallow-code__marshmallow"
    assert edits_of(t) == [
        (f"{root}/reproduce.py", 2, "observation", "create", "applied"),
        (f"{root}/reproduce.py", 4, "observation", "modify", "applied"),
        (f"{root}/src/marshmallow/fields.py", 16, "observation", "modify", "failed"),
        (f"{root}/src/marshmallow/fields.py", 18, "observation", "modify", "applied"),
        (f"{root}/reproduce.py", 22, "bash", "delete", "applied"),  # the text action `rm reproduce.py`
        ("src/marshmallow/fields.py", 25, "submission", "modify", "applied"),
    ]
    created, pasted, refused, fixed, removed, _ = t.file_edits
    assert (removed.before, removed.after) == (pasted.after, "")
    assert (created.before, created.after) == ("", "\n")
    script = (
        "from marshmallow.fields import TimeDelta\nfrom datetime import timedelta\n\n"
        'td_field = TimeDelta(precision="milliseconds")\n\n'
    )
    assert (
        pasted.before == "\n"
        and pasted.after
        == script + 'obj = dict()\nobj["td_field"] = timedelta(milliseconds=345)\n\nprint(td_field.serialize("td_field", obj))\n'
    )
    fields = f"{root}/src/marshmallow/fields.py"
    assert "\n-        return int(value.total_seconds() / base_unit.total_seconds())\n+return int(round(" in refused.diff
    assert refused.diff.startswith(f"--- {fields}\n+++ {fields}\n@@ -1472,7 +1472,7 @@\n")
    # windows of lines 1374-1574 before (set_cursors) and after the edit, with cursor markers between
    # the numbered lines: the submitted hunk exactly
    assert fixed.before is None and fixed.after is None
    assert fixed.diff == f"--- {fields}\n+++ {fields}\n" + submitted_hunk(t)


def test_v0_last_observation_and_submission() -> None:
    t = read_one(V0)
    last = t.steps[25]
    assert last.metadata == {"trajectory_index": 11} and last.tool_result.call_id == t.steps[24].tool_calls[0].id
    assert last.text.startswith("\ndiff --git a/pydicom/pixel_data_handlers/numpy_handler.py")
    assert t.final_patch.startswith("diff --git a/pydicom/pixel_data_handlers/numpy_handler.py")
    assert "+    if 'PixelData' in ds:\n+        required_elements.append('PixelRepresentation')\n" in t.final_patch
    assert t.metadata["exit_status"] == "submitted" and t.metadata["info"]["model_stats"]["total_cost"] == 1.26719
    assert t.metadata["environment"] == "swe_main" and t.outcome.grader_result is None


def test_history_only_demonstration_file() -> None:
    t = read_one(DEMO)
    assert t.id == t.task.id == "function_calling_simple"
    assert roles(t) == ["system", "user"] + ["assistant", "tool"] * 5
    assert t.metadata["swe_agent_format"] == "history-only" and "exit_status" not in t.metadata
    submit = t.steps[10].tool_calls[0]
    assert (submit.id, submit.name, submit.arguments) == ("call_6zuFhIfpOAi1jAiD2QHMmh6S", "submit", {})
    assert t.steps[11].tool_result.call_id == submit.id
    assert t.steps[4].tool_calls[0].arguments == {"path": "tests/missing_colon.py"}
    # no `info`: the patch is what `submit` printed, without the shell prompt after it
    assert t.final_patch.startswith("diff --git a/tests/missing_colon.py b/tests/missing_colon.py\n")
    assert "(Open file" not in t.final_patch and t.final_patch.endswith("     return a/b\n \n \n")
    edit = t.file_edits[0]  # the window of a relative path resolves against the current directory
    assert (edit.path, edit.step, edit.source) == ("/SWE-agent__test-repo/tests/missing_colon.py", 6, "observation")
    assert "+def division(a: float, b: float) -> float:\n" in edit.diff


def _v1() -> dict[str, Any]:
    return json.loads(V1.read_bytes())


def _bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_retry_agent_attempts_are_one_trajectory_each() -> None:
    first, second = _v1(), _v1()
    second["info"]["exit_status"] = "submitted (exit_cost)"
    data = {**copy.deepcopy(second), "attempts": [first, second]}
    data["info"]["best_attempt_idx"] = 1
    read = read_all(V1, _bytes(data))
    assert [place for place, _ in read] == ["/attempts/0", "/attempts/1"]
    a, b = (t for _, t in read)
    assert (a.id, b.id) == ("6e44b9__sweagenttestrepo-1c2844/attempt_0", "6e44b9__sweagenttestrepo-1c2844/attempt_1")
    assert a.metadata["retry_agent"] == {"attempt": 0, "attempts": 2, "best_attempt_idx": 1}
    assert b.metadata["retry_agent"]["retry_info"]["best_attempt_idx"] == 1
    assert b.metadata["exit_status"] == "submitted (exit_cost)" and len(a.steps) == len(b.steps) == 12


def test_requeried_actions_thinking_and_trajectory_only_files() -> None:
    data = _v1()
    data["trajectory"].insert(
        2, {"action": "edit 'x' 'y'", "observation": "No file opened.", "thought": "oops", "query": [{"role": "user"}]}
    )
    data["history"][6]["thinking_blocks"] = [{"type": "thinking", "thinking": "The colon is missing.", "signature": "s"}]
    t = read_one(V1, _bytes(data))
    assert len(t.steps) == 12 and t.steps[6].thinking == "The colon is missing."
    assert t.steps[6].metadata["requeried"] == [
        {"trajectory_index": 2, "action": "edit 'x' 'y'", "observation": "No file opened.", "thought": "oops"}
    ]
    assert t.steps[10].metadata["trajectory_index"] == 5

    only = _v1()
    del only["history"]
    only["trajectory"][0]["query"] = [
        {"role": "system", "content": "SETTING"},
        {"role": "user", "content": "Fix missing_colon.py"},
    ]
    t = read_one(V1, _bytes(only))
    assert t.task.prompt == "Fix missing_colon.py"
    assert roles(t) == ["assistant", "tool"] * 5
    assert [c.name for s in t.steps for c in s.tool_calls] == ["find_file", "open", "edit", "python3", "submit"]
    assert (
        t.steps[1].text
        == 'Found 1 matches for "missing_colon.py" in /SWE-agent__test-repo:\r\n/SWE-agent__test-repo/tests/missing_colon.py'
    )


def _mutate(change) -> bytes:
    data = _v1()
    change(data)
    return _bytes(data)


BAD = [
    ("role missing", _mutate(lambda d: d["history"][3].pop("role")),
     "/history/3/role: expected the message role as a string, got null"),
    ("message not an object", _mutate(lambda d: d["history"].__setitem__(4, "oops")),
     "/history/4: expected a message object, got a string"),
    ("history wrong type", _mutate(lambda d: d.__setitem__("history", {})),
     "/history: expected a list of messages, got an object"),
    ("tool_calls wrong type", _mutate(lambda d: d["history"][2].__setitem__("tool_calls", "x")),
     "/history/2/tool_calls: expected a list of tool calls, got a string"),
    ("call without name", _mutate(lambda d: d["history"][2]["tool_calls"][0]["function"].pop("name")),
     "/history/2/tool_calls/0/function/name: tool call without a name"),
    ("entry not an object", _mutate(lambda d: d["trajectory"].__setitem__(1, 5)),
     "/trajectory/1: expected a trajectory step object, got a number"),
    ("info wrong type", _mutate(lambda d: d.__setitem__("info", 3)),
     "/info: expected an info object, got a number"),
    ("unknown role", _mutate(lambda d: d["history"][3].__setitem__("role", "robot")),
     "/history/3/role: unknown role 'robot'"),
    ("nothing to import", _bytes({"history": [], "trajectory": [], "info": {}}),
     " no messages in history and no trajectory entries"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_malformed_files_give_one_error_line_with_its_place(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "bad.traj"
    path.write_bytes(data)
    assert only_error(path, "swe-agent").startswith(f"{path}:{expected}")


def test_truncated_and_attempt_errors(tmp_path: Path) -> None:
    truncated_is_a_parse_error(V1, tmp_path / "cut.traj")
    read = read_all(V1, _bytes({"attempts": [_v1(), {"history": "x"}], "info": {}}))
    assert isinstance(read[0][1], Trajectory)
    assert str(read[1][1]) == f"{V1}:/attempts/1/history: expected a list of messages, got a string"


def test_import_fixture_folder_end_to_end(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        ids = sorted(i for f in report.files for i in f.imported)
        assert [i.split("~")[0] for i in ids] == [
            "6e44b9__sweagenttestrepo-1c2844", "function_calling_simple", "marshmallow-code__marshmallow-1867",
            "marshmallow-code__marshmallow-1867", "pydicom__pydicom-1458",
        ]  # fmt: skip
        assert "~" in ids[3]  # the same instance run twice (two editors): the second id is made unique
        for trajectory_id in ids:
            stored = store.trajectories.get(trajectory_id)
            assert stored.source.format == "swe-agent"
            assert first_error("trajectory.schema", stored.to_dict()) is None


def test_synthetic_files_import(tmp_path: Path) -> None:
    with imported(tmp_path, synthetic(synth, tmp_path / "synth", 3, 40)) as (store, report):
        assert report.ok and report.totals()["imported"] == 3
        t = store.trajectories.get("calc__calc-000002")
        assert abs(len(t.steps) - 40) <= 2 and t.agent.model == "claude-sonnet-4-20250514"
        assert any(s.thinking for s in t.steps) and any(e.source == "observation" and e.before for e in t.file_edits)
