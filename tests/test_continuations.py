"""Runs split over several files import as one trajectory, with the boundary shown, whether the files
are imported together or one by one; a part stored alone gives way to the whole run only while nobody
labelled it, and no file outside the folder is ever read.

Claude Code (tests/fixtures/claude_code_split, from inspect_scout): `slug_session_1.jsonl` (session-aaa,
"Plan how to implement the feature", the plan) and `slug_session_2.jsonl` (session-bbb, a minute later,
"Now execute the plan") share the slug `merged-slug-test`. `slug_clear_session.jsonl` plans, `/clear`s,
answers an unrelated question; its partner `slug_clear_partner.jsonl` then executes the plan.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from reviewer.model import Label
from reviewer.store import Store

from .conftest import Cli
from .formats.test_atif import agent_step, atif, write

SPLIT = Path(__file__).resolve().parent / "fixtures" / "claude_code_split"
PLAN, EXECUTE = "slug_session_1.jsonl", "slug_session_2.jsonl"
BOUNDARY = f"continued from file {PLAN}: the steps below are from {EXECUTE} (part 2 of 2)"


def imported(cli: Cli, *paths: Path) -> dict[str, Any]:
    result = cli("import", *map(str, paths), "--json", "--no-detect")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def shown(cli: Cli, trajectory_id: str) -> dict[str, Any]:
    return json.loads(cli("show", trajectory_id, "--json").stdout)


def steps(cli: Cli, trajectory_id: str) -> list[tuple[str, str]]:
    return [(s["role"], s["text"]) for s in shown(cli, trajectory_id)["steps"]]


def ids(db: Path) -> list[str]:
    with Store(db) as store:
        return store.trajectories.ids()


WHOLE_RUN = [
    ("user", "Plan how to implement the feature"),
    ("assistant", "Here is my plan for the feature implementation."),
    ("system", BOUNDARY),
    ("user", "Now execute the plan"),
    ("assistant", "I will now implement the feature as planned."),
]


def test_plan_and_execute_sessions_sharing_a_slug_are_one_run(cli: Cli, db_path: Path) -> None:
    summary = imported(cli, SPLIT / "plan_then_execute")
    assert {Path(f["path"]).name: (f["imported"], f["duplicates"]) for f in summary["files_detail"]} == {
        PLAN: (["session-aaa"], []),
        EXECUTE: ([], ["session-aaa"]),  # read as the same whole run
    }
    assert ids(db_path) == ["session-aaa"]
    assert steps(cli, "session-aaa") == WHOLE_RUN
    t = shown(cli, "session-aaa")
    boundary = t["steps"][2]["metadata"]
    assert (boundary["continued_from"], boundary["continuation_file"]) == (PLAN, EXECUTE)
    assert [(p["file"], p["id"]) for p in t["metadata"]["parts"]] == [(PLAN, "session-aaa"), (EXECUTE, "session-bbb")]
    assert t["metadata"]["session_id"] == "session-aaa" and t["task"]["prompt"] == "Plan how to implement the feature"


def test_the_continuation_arriving_later_replaces_the_unlabelled_part(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(SPLIT / "plan_then_execute" / PLAN, folder)
    imported(cli, folder / PLAN)
    assert len(steps(cli, "session-aaa")) == 2
    shutil.copy(SPLIT / "plan_then_execute" / EXECUTE, folder)
    summary = imported(cli, folder / EXECUTE)
    assert summary["files_detail"][0]["imported"] == ["session-aaa"] and summary["files_detail"][0]["superseded"] == [
        "session-aaa"
    ]
    assert ids(db_path) == ["session-aaa"] and steps(cli, "session-aaa") == WHOLE_RUN
    assert [h["trajectory_id"] for h in json.loads(cli("search", "execute", "--json").stdout)] == ["session-aaa"]
    assert (
        json.loads(cli("search", "feature implementation", "--json").stdout)[0]["step"] == 1
    )  # the old part's index entries went with it


def test_a_labelled_part_is_kept_and_the_whole_run_stored_apart(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(SPLIT / "plan_then_execute" / PLAN, folder)
    imported(cli, folder / PLAN)
    with Store(db_path) as store:
        store.labels.save(Label("session-aaa", "alice", verdict="clean"), actor="alice", origin="test")
    shutil.copy(SPLIT / "plan_then_execute" / EXECUTE, folder)
    result = cli("import", str(folder / EXECUTE), "--json", "--no-detect")
    summary = json.loads(result.stdout)
    (apart,) = summary["files_detail"][0]["imported"]
    assert apart.startswith("session-aaa~") and summary["files_detail"][0]["superseded"] == []
    assert (
        f"'session-aaa' was stored from {PLAN} alone and has labels: the whole run (2 files) is stored apart as {apart}"
        in result.stderr
    )
    assert len(steps(cli, "session-aaa")) == 2 and steps(cli, apart) == WHOLE_RUN
    with Store(db_path) as store:
        assert [label.verdict for label in store.labels.of(["session-aaa"])] == ["clean"]


def test_the_first_part_arriving_last_supersedes_the_later_part_stored_alone(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(SPLIT / "plan_then_execute" / EXECUTE, folder)
    imported(cli, folder / EXECUTE)
    assert ids(db_path) == ["session-bbb"]
    shutil.copy(SPLIT / "plan_then_execute" / PLAN, folder)
    summary = imported(cli, folder / PLAN)
    assert summary["files_detail"][0]["superseded"] == ["session-bbb"]
    assert ids(db_path) == ["session-aaa"] and steps(cli, "session-aaa") == WHOLE_RUN


def test_a_clear_keeps_its_split_and_the_partner_continues_the_last_conversation(cli: Cli) -> None:
    imported(cli, SPLIT / "clear_then_execute")
    assert steps(cli, "session-clear") == [("user", "Plan the feature"), ("assistant", "Here is my plan.")]
    assert steps(cli, "session-clear#2") == [
        ("user", "Unrelated question after clear"),
        ("assistant", "Answering your unrelated question."),
        (
            "system",
            "continued from file slug_clear_session.jsonl: the steps below are from slug_clear_partner.jsonl (part 2 of 2)",
        ),
        ("user", "Execute the plan"),
        ("assistant", "Executing the plan now."),
    ]


def test_a_session_linked_in_from_outside_the_folder_is_not_joined(cli: Cli, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(SPLIT / "plan_then_execute", outside)
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(outside / PLAN, folder)
    (folder / EXECUTE).symlink_to(outside / EXECUTE)
    summary = imported(cli, folder / PLAN)
    assert summary["files_detail"][0]["imported"] == ["session-aaa"]
    assert [role for role, _ in steps(cli, "session-aaa")] == ["user", "assistant"]


# --- ATIF continuations named with a prefix ---------------------------------------------------------


def prefixed_chain(folder: Path, *, with_ref: bool = True) -> None:
    """Harbor's files renamed as runs are when copied out of their trial folders: `<task>.trajectory.json`
    still names its continuation `trajectory.cont-1.json`, as Harbor wrote it (or names none)."""
    task = {"step_id": 1, "source": "user", "message": "Make the tests pass."}
    root = {"continued_trajectory_ref": "trajectory.cont-1.json"} if with_ref else {}
    write(folder, "fix-tests.trajectory.json", atif([task, agent_step(2, "pytest -q", "1 failed")], **root))
    write(
        folder,
        "fix-tests.trajectory.cont-1.json",
        atif([{**task, "is_copied_context": True}, agent_step(2, "pytest -q", "1 passed")]),
    )
    write(folder, "other.trajectory.cont-1.json", atif([{"step_id": 1, "source": "user", "message": "another run"}]))


CHAINED = [
    ("user", "Make the tests pass."),
    ("assistant", "Running pytest -q"),
    ("tool", "1 failed"),
    (
        "system",
        "continued from file fix-tests.trajectory.json: the steps below are from fix-tests.trajectory.cont-1.json (part 2 of 2)",
    ),
    ("assistant", "Running pytest -q"),
    ("tool", "1 passed"),
]


def test_atif_continuation_with_a_prefixed_name_is_joined(tmp_path: Path) -> None:
    for with_ref in (True, False):
        folder = tmp_path / f"run-{with_ref}"
        prefixed_chain(folder, with_ref=with_ref)
        cli = Cli(tmp_path / f"project-{with_ref}.db")
        summary = imported(cli, folder)
        by_file = {Path(f["path"]).name: f["imported"] + f["duplicates"] for f in summary["files_detail"]}
        assert by_file["fix-tests.trajectory.json"] == by_file["fix-tests.trajectory.cont-1.json"] == ["s-1:fix-tests.trajectory"]
        assert by_file["other.trajectory.cont-1.json"] == ["s-1:other.trajectory.cont-1"]  # no head beside it: a run of its own
        assert steps(cli, "s-1:fix-tests.trajectory") == CHAINED


def test_atif_continuation_arriving_later_replaces_the_head_stored_alone(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    prefixed_chain(folder)
    cont = folder / "fix-tests.trajectory.cont-1.json"
    held = tmp_path / "held.json"
    shutil.move(cont, held)
    imported(cli, folder / "fix-tests.trajectory.json")
    assert len(steps(cli, "s-1:fix-tests.trajectory")) == 3
    shutil.move(held, cont)
    summary = imported(cli, cont)
    assert summary["files_detail"][0]["superseded"] == ["s-1:fix-tests.trajectory"]
    assert steps(cli, "s-1:fix-tests.trajectory") == CHAINED
