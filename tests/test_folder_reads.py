"""A run split over several files, imported as a folder, is read once, not once per file: every file
of an ATIF continuation chain reads as the whole run, and every Claude Code session sharing a slug
joins the others, so a folder of N such files used to parse and build the run N times, compare it
with the stored copy N - 1 times, and scan the folder once per file. The report stays as it was: the
first file read stores the run, every other file of it is a duplicate."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from reviewer.formats import atif, claude_code
from reviewer.importer import Importer
from reviewer.store import Store
from reviewer.store.trajectories import TrajectoryRepository

from .formats.test_atif import write_chain

SPLIT = Path(__file__).resolve().parent / "fixtures" / "claude_code_split" / "plan_then_execute"


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def imported(db: Path, folder: Path) -> dict[str, tuple[list[str], list[str]]]:
    with Store(db) as store:
        report = Importer(store, max_bytes=1 << 30, workers=1).run([folder])
    assert report.ok, report.to_dict()
    return {Path(f.path).name: (f.imported, f.duplicates) for f in report.files}


def test_a_continuation_chain_is_built_once_and_never_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_chain(tmp_path / "run")
    builds = counting(monkeypatch, atif, "_trajectory")
    loads = counting(monkeypatch, TrajectoryRepository, "get")
    files = imported(tmp_path / "p.db", tmp_path / "run")
    [run] = files["trajectory.cont-1.json"][0]  # read first (name order): it stores the whole run
    assert files == {
        "trajectory.cont-1.json": ([run], []),
        "trajectory.cont-2.json": ([], [run]),
        "trajectory.json": ([], [run]),
    }
    assert len(builds) == 1  # not once per file
    assert loads == []  # the same files in the same bytes: a duplicate without loading the stored run
    with Store(tmp_path / "p.db") as store:
        assert len(store.trajectories.get(run).metadata["parts"]) == 3


def test_a_changed_part_is_read_again(tmp_path: Path) -> None:
    """What is remembered holds while the files keep their bytes: a changed continuation is read anew
    (the unlabelled run stored before gives way to the new whole run, as for any run that grew)."""
    write_chain(tmp_path / "run")
    [run] = imported(tmp_path / "p.db", tmp_path / "run")["trajectory.cont-1.json"][0]
    last = tmp_path / "run" / "trajectory.cont-2.json"
    last.write_text(last.read_text(encoding="utf-8").replace("1 passed", "2 passed"), encoding="utf-8")
    again = imported(tmp_path / "p.db", tmp_path / "run")
    assert again["trajectory.cont-2.json"] == ([run], [])
    with Store(tmp_path / "p.db") as store:
        outputs = [s.text for s in store.trajectories.get(run).steps if s.role == "tool"]
    assert outputs[-1] == "2 passed"


def test_a_slug_folder_is_scanned_once_and_its_run_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "project"
    shutil.copytree(SPLIT, folder)
    scans = counting(monkeypatch, claude_code, "beside")
    builds = counting(monkeypatch, claude_code, "_conversation")
    loads = counting(monkeypatch, TrajectoryRepository, "get")
    files = imported(tmp_path / "p.db", folder)
    assert files == {"slug_session_1.jsonl": (["session-aaa"], []), "slug_session_2.jsonl": ([], ["session-aaa"])}
    assert len(scans) == 1
    assert len(builds) == 1  # the joined run, not once per file
    assert loads == []
    with Store(tmp_path / "p.db") as store:
        run = store.trajectories.get("session-aaa")
    assert run is not None and [p["file"] for p in run.metadata["parts"]] == ["slug_session_1.jsonl", "slug_session_2.jsonl"]
    assert [s.text for s in run.steps if s.role == "user"][:1] == ["Plan how to implement the feature"]


def test_a_slug_session_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    """The joined run is remembered while its files keep their bytes: a session that grew joins anew."""
    folder = tmp_path / "project"
    shutil.copytree(SPLIT, folder)
    imported(tmp_path / "p.db", folder)
    second = folder / "slug_session_2.jsonl"
    second.write_text(second.read_text(encoding="utf-8").replace("execute", "carry out"), encoding="utf-8")
    again = imported(tmp_path / "p.db", folder)
    assert again["slug_session_2.jsonl"] == (["session-aaa"], [])  # the unlabelled run gives way to the new one
    with Store(tmp_path / "p.db") as store:
        run = store.trajectories.get("session-aaa")
    assert run is not None and any("carry out" in s.text for s in run.steps)
