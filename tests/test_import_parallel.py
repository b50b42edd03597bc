"""`reviewer import` over worker processes: the same store and the same report as one process, and
Ctrl+C stops a real import between trajectories with a summary of what was stored."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer.assist.detectors import run_detectors
from reviewer.importer import Importer
from reviewer.store import Store
from reviewer.synthetic import trajectory

from .conftest import BAD_INPUTS, SAMPLE_DATA

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# What a stored project holds, column by column, leaving out the clock's columns.
TABLES = {
    "trajectories": "id, format, source_file, source_sha256, source_place, task_id, task_prompt, model, outcome, metadata,"
    " n_steps, n_edits, test_runs",
    "steps": "trajectory_id, idx, role, text, thinking, tool_calls, call_id, is_error, timestamp, metadata",
    "file_edits": "trajectory_id, ord, step, path, before, after, diff, source, op, status, from_path",
    "suggestions": "trajectory_id, rater, source, codes, verdict, confidence, evidence, explanation, details",
    "originals": "sha256, file_name, size, data",
    "labels": "trajectory_id, annotator, first_pass, verdict, record",
}


def contents(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {table: sorted(conn.execute(f"select {columns} from {table}"), key=repr) for table, columns in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Real runs of several formats, a label pack, broken files, a copy of one run (a duplicate) and
    an edited copy of a Codex session (the same session id: a clash, stored as `id~digest`)."""
    folder = tmp_path / "mixed"
    shutil.copytree(SAMPLE_DATA, folder / "samples", ignore=shutil.ignore_patterns("*.db*"))
    for name in ("swe-agent", "codex", "atif", "openai_chat", "claude_code"):
        shutil.copytree(FIXTURES / name, folder / name)
    bad = folder / "bad"
    bad.mkdir()
    for name in ("bad_role.json", "binary.json", "empty.json", "deep_nesting.json", "duplicate_ids.jsonl"):
        shutil.copy(BAD_INPUTS / name, bad / name)
    shutil.copy(SAMPLE_DATA / "deleted-test.json", bad / "deleted-test-copy.json")
    rollout = next((FIXTURES / "codex").glob("rollout-*.jsonl"))
    lines = [json.loads(line) for line in rollout.read_text(encoding="utf-8").splitlines() if line.strip()]
    reply = next(r["payload"] for r in lines if r.get("payload", {}).get("role") == "assistant")
    reply["content"][0]["text"] += " (a second run of the session said more)"
    (folder / "rerun").mkdir()
    (folder / "rerun" / rollout.name).write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return folder


def run_import(db: Path, folder: Path, workers: int) -> dict[str, object]:
    with Store(db) as store:
        report = Importer(store, max_bytes=1 << 30, detect=True, workers=workers).run([folder])
    return report.to_dict()


def test_workers_store_what_one_process_stores_and_report_alike(tmp_path: Path, mixed: Path) -> None:
    one = run_import(tmp_path / "one.db", mixed, workers=1)
    two = run_import(tmp_path / "two.db", mixed, workers=2)
    assert two == one
    files = [f["path"] for f in two["files_detail"]]  # type: ignore[index]
    assert files == sorted(files, key=lambda p: Path(p).parts)  # the report keeps the folder's order
    assert one["failed"] == 5 and one["duplicates"] == 1, one  # one line per bad file; a copy is a duplicate
    assert one["labels_added"], one  # the pack was merged after the trajectories
    stored = contents(tmp_path / "one.db")
    assert contents(tmp_path / "two.db") == stored
    ids = {row[0] for row in stored["trajectories"]}
    session = "019e1625-789d-76c0-80ab-3724b5ddb799"
    renamed = [i for i in ids if i.startswith(f"{session}~")]
    assert len(renamed) == 1 and session in ids
    flagged = {row[0] for row in stored["suggestions"] if row[1] == "detectors"}
    assert "deleted-test" in flagged
    with Store(tmp_path / "two.db") as store:  # the detectors ran on the renamed run, under its new id
        for tid in (renamed[0], session):
            found = [(s.source, s.codes) for s in run_detectors(store.trajectories.get(tid))]
            assert found and [(s.source, s.codes) for s in store.suggestions.all(trajectory_id=tid, rater="detectors")] == found


def test_reimport_with_workers_finds_every_run_a_duplicate(tmp_path: Path, mixed: Path) -> None:
    first = run_import(tmp_path / "p.db", mixed, workers=2)
    again = run_import(tmp_path / "p.db", mixed, workers=2)
    assert again["imported"] == 0
    assert again["duplicates"] == first["imported"] + first["duplicates"]


def write_runs(folder: Path, n: int, steps: int) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"t{i:05d}.json").write_text(json.dumps(trajectory(i, steps)), encoding="utf-8")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads worker processes from /proc")
def test_ctrl_c_stops_a_real_import_between_trajectories(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    write_runs(folder, 400, 60)
    db = tmp_path / "p.db"
    Store(db).close()
    process = subprocess.Popen(
        [sys.executable, "-m", "reviewer", "--db", str(db), "import", str(folder), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    stored = 0
    while stored == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            stored = conn.execute("select count(*) from trajectories").fetchone()[0]
    workers = children(process.pid)
    assert process.poll() is None, "the import ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    summary = json.loads(out)
    assert "Traceback" not in err
    assert "interrupted (Ctrl+C): import stopped at" in summary["stopped"]
    assert summary["stopped"] in err
    conn = sqlite3.connect(db)
    count = conn.execute("select count(*) from trajectories").fetchone()[0]
    assert 0 < summary["imported"] == count < 400
    assert f"{count} trajectories and 0 labels stored before it" in summary["stopped"]
    # Nothing half-stored: every stored run has all its steps.
    assert conn.execute(
        "select count(*) from trajectories t where n_steps != (select count(*) from steps s where s.trajectory_id = t.id)"
    ).fetchone() == (0,)
    conn.close()
    time.sleep(0.5)
    assert workers and not [pid for pid in workers if alive(pid)]  # the workers ended with the batch


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_large_folder_imports_through_workers_into_either_backend(tmp_path: Path, project_location: Path | str) -> None:
    """A server's project too: its workers used to open the URL as a SQLite file and die, so a folder
    of 64 runs or more failed whole ('a process in the process pool was terminated abruptly')."""
    folder = tmp_path / "runs"
    write_runs(folder, 70, 6)
    with Store(project_location) as store:
        first = Importer(store, max_bytes=1 << 30, detect=True, workers=2).run([folder]).totals()
        again = Importer(store, max_bytes=1 << 30, detect=True, workers=2).run([folder]).totals()
        assert store.trajectories.count() == 70
        assert {hit.trajectory_id for hit in store.trajectories.search("pytest", limit=500)} == set(store.trajectories.ids())
    assert (first["imported"], first["failed"]) == (70, 0)
    assert (again["imported"], again["duplicates"], again["failed"]) == (0, 70, 0)
