"""Several processes on one project file: none fails with "database is locked", none loses a write.

Real processes run real `reviewer` code against one real SQLite file; where an interleaving must be
hit every time, a process is held at a chosen SQL statement by its own connection's trace callback
(SQLite still does all the locking).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench import concurrency_soak
from reviewer.cli import main
from reviewer.export import ExportOptions, export
from reviewer.importer import Importer
from reviewer.jsonio import DEFAULT_MAX_BYTES
from reviewer.model import Label, Trajectory
from reviewer.store import Store
from reviewer.store.migrations import MIGRATIONS
from reviewer.store.transactions import writing
from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA

SPAWN = multiprocessing.get_context("spawn")
ROUNDS = 5
HOLD_SECONDS = 0.3  # how long the first process waits, at most, for the second one's commit


def test_writing_takes_the_write_lock_at_begin_and_nests_as_a_savepoint(store: Store, db_path: Path) -> None:
    """Another connection cannot start writing while a `writing()` block is open, before it has
    written anything; a failed inner block undoes its own work alone."""
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with store.writing():
            assert store.db.execute("select count(*) from meta").fetchone()[0] > 0  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("begin immediate")
            store.settings.set_adjudicators(["kept"])
            with pytest.raises(KeyError), writing(store.db):
                store.settings.set_allow_self_adjudication(True)
                raise KeyError("undo me")
        assert store.settings.as_dict() == {"adjudicators": ["kept"], "allow_self_adjudication": False}
        other.execute("begin immediate")  # free again after the commit
        other.execute("rollback")
    finally:
        other.close()


def _open_new_files(folder: Path, barrier: Barrier, count: int) -> list[int | str]:
    """Open `count` new project files, each at the same moment as the other processes."""
    versions: list[int | str] = []
    for number in range(count):
        barrier.wait()
        try:
            with Store(folder / f"new{number}.db") as store:
                versions.append(store.schema_version)
        except Exception as exc:  # the test reports whatever went wrong
            versions.append(repr(exc))
    return versions


def test_processes_creating_one_new_file_at_once_all_get_it_migrated(tmp_path: Path) -> None:
    """Each migration reads the version in its own write transaction: of several processes opening
    a new file together, one creates the tables and the others find them."""
    processes, count = 3, 10
    with SPAWN.Manager() as manager, ProcessPoolExecutor(processes, mp_context=SPAWN) as pool:
        barrier = manager.Barrier(processes)
        results = list(pool.map(_open_new_files, [tmp_path] * processes, [barrier] * processes, [count] * processes))
    assert results == [[len(MIGRATIONS)] * count] * processes


def _hold_at(conn: sqlite3.Connection, prefix: str, reached: Event, release: Event) -> None:
    """Make `conn` stop before running a statement that starts with `prefix`: it says so through
    `reached`, then waits for `release`, at most HOLD_SECONDS (the other process may be waiting for it)."""

    def trace(sql: str) -> None:
        if sql.lstrip().lower().startswith(prefix):
            reached.set()
            release.wait(HOLD_SECONDS)

    conn.set_trace_callback(trace)


def _run_rounds(db: Path, barrier: Barrier, errors: Any, each_round: Callable[[Store, int], None]) -> None:
    with Store(db) as store:
        for number in range(ROUNDS):
            barrier.wait()
            try:
                each_round(store, number)
            except sqlite3.Error as exc:
                errors.put(f"round {number}: {type(exc).__name__}: {exc}")
            barrier.wait()


def _indexer(db: Path, barrier: Barrier, errors: Any, reached: list[Event], committed: list[Event]) -> None:
    """Each round: a new trajectory, then the full-text index update, held between its reads and its write."""

    def each_round(store: Store, number: int) -> None:
        store.trajectories.add(Trajectory.from_dict(trajectory(100 + number, 4)))
        _hold_at(store.db.conn, "insert into steps_fts", reached[number], committed[number])
        store.trajectories.index_pending()
        store.db.conn.set_trace_callback(None)

    _run_rounds(db, barrier, errors, each_round)


def _labeller(db: Path, barrier: Barrier, errors: Any, reached: list[Event], committed: list[Event]) -> None:
    """Each round: once the indexer has read, a label saved and committed."""

    def each_round(store: Store, number: int) -> None:
        reached[number].wait(10)
        store.labels.save(
            Label(trajectory(0, 4)["id"], "racer", verdict=("clean", "cheat")[number % 2]), actor="racer", origin="test"
        )
        committed[number].set()

    _run_rounds(db, barrier, errors, each_round)


def test_a_transaction_that_reads_then_writes_waits_for_a_commit_instead_of_failing(db_path: Path) -> None:
    """The full-text index update reads its watermark, then writes. If another process commits in
    between, a deferred transaction fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked");
    one that began as a writer makes the other process wait instead. Every round stages exactly that
    interleaving: the indexer holds before its write until the labeller has committed (or 0.3 s)."""
    with Store(db_path) as store:
        store.trajectories.add(Trajectory.from_dict(trajectory(0, 4)))
        store.trajectories.index_pending()
    barrier, errors = SPAWN.Barrier(2), SPAWN.Queue()
    reached, committed = [SPAWN.Event() for _ in range(ROUNDS)], [SPAWN.Event() for _ in range(ROUNDS)]
    processes = [SPAWN.Process(target=f, args=(db_path, barrier, errors, reached, committed)) for f in (_indexer, _labeller)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        if p.is_alive():  # stuck: ended here, and its exit code below says so
            p.kill()
            p.join()
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
    assert [p.exitcode for p in processes] == [0, 0]
    with Store(db_path) as store:
        assert store.trajectories.index_pending() == 0  # every round's steps were indexed
        assert len(store.labels.history(trajectory(0, 4)["id"], "racer")) == ROUNDS


def test_mixed_commands_on_one_file_fail_none_and_lose_none(tmp_path: Path) -> None:
    """`reviewer` processes importing, labelling (`reviewer label`), merging packs and searching on
    one file for 10 s (bench/concurrency_soak.py runs the same for longer): no command fails, and
    the store holds exactly what the commands reported writing."""
    reports, unaccounted = concurrency_soak.soak(
        tmp_path, ["import", "import", "label", "pack", "search"], seconds=10, rounds=2000
    )
    assert [e for r in reports for e in r.errors] == []
    assert unaccounted == []
    assert all(r.commands > 0 for r in reports)


EXPORTED = 300


def _flip_verdicts(db: Path, started: Event, stop: Event) -> None:
    """A labelling process: alice's verdict of one trajectory after another turned over, until `stop`."""
    rng = random.Random(1)
    with Store(db) as store:
        ids = store.trajectories.ids()
        started.set()
        while not stop.is_set():
            tid = rng.choice(ids)
            now = store.labels.get(tid, "alice", first_pass=True)
            verdict = "cheat" if now is not None and now.verdict == "clean" else "clean"
            store.labels.save(Label(tid, "alice", verdict=verdict), actor="alice", origin="test")


def _import_between(db: Path, folder: Path, started: Event, stop: Event) -> None:
    """An importing process: new trajectories whose ids sort between the exported ones, until `stop`."""
    folder.mkdir()
    with Store(db) as store:
        importer = Importer(store, max_bytes=DEFAULT_MAX_BYTES)
        started.set()
        number = 0
        while not stop.is_set():
            data = trajectory(number % EXPORTED, 4)
            data["id"] += f"-late{number}"  # sorts after its namesake, before the next exported id
            path = folder / f"late{number}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            assert importer.run([path]).ok
            number += 1


@pytest.mark.parametrize("workers", [1, 2])
def test_an_export_reads_one_snapshot_while_others_label_and_import(tmp_path: Path, workers: int) -> None:
    """Gold labels come from a first pass over the labels, each record's votes and labels from a
    second one, chunk by chunk, in worker processes too: with a process turning verdicts over and
    one importing trajectories into the exported id range meanwhile, every record must still agree
    with itself, and the export must not trip over a trajectory it did not plan."""
    db = tmp_path / "p.db"
    with Store(db) as store, store.writing():
        for i in range(EXPORTED):
            stored = Trajectory.from_dict(trajectory(i, 4))
            store.trajectories.add(stored)
            store.labels.save(Label(stored.id, "alice", verdict="clean"), actor="alice", origin="test")
    stop, started = SPAWN.Event(), [SPAWN.Event(), SPAWN.Event()]
    others = [
        SPAWN.Process(target=_flip_verdicts, args=(db, started[0], stop)),
        SPAWN.Process(target=_import_between, args=(db, tmp_path / "late", started[1], stop)),
    ]
    for p in others:
        p.start()
    parts: list[str] = []
    try:
        assert all(event.wait(60) for event in started)
        with Store(db) as store:
            summary = export(store, ExportOptions(), parts.append, workers=workers, chunk=10)
    finally:
        stop.set()
        for p in others:
            p.join(60)
            if p.is_alive():
                p.kill()
                p.join()
    assert [p.exitcode for p in others] == [0, 0]
    records = [json.loads(line) for line in "".join(parts).splitlines()]
    assert summary.written == len(records) >= EXPORTED
    assert [r["trajectory_id"] for r in records] == sorted({r["trajectory_id"] for r in records})
    contradicting = [
        r["trajectory_id"] for r in records
        if r["votes"] != ({"alice": r["label"]} if r["label"] else {})
        or [lb["verdict"] for lb in r["labels"]] != list(r["votes"].values())
    ]  # fmt: skip
    assert contradicting == []


def _suggestions(db: Path) -> list[tuple[Any, ...]]:
    with Store(db) as store:
        return [
            (s.trajectory_id, s.rater, s.codes, s.verdict, [e.to_dict() for e in s.evidence]) for s in store.suggestions.all()
        ]


def test_an_import_killed_while_storing_suggestions_loses_none(tmp_path: Path) -> None:
    """SIGKILL at the moment the first trajectory's detector suggestions are written (the import
    process kills itself from its connection's trace callback), then the same import again: the
    store ends with the same suggestions as an import never interrupted. Stored in a transaction of
    their own, they were lost: the trajectory was in, and a re-import skips duplicates."""
    killed, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from reviewer.importer import Importer
        from reviewer.jsonio import DEFAULT_MAX_BYTES
        from reviewer.store import Store

        def kill_at_suggestions(sql):
            if sql.lstrip().lower().startswith("delete from suggestions"):
                os.kill(os.getpid(), signal.SIGKILL)

        store = Store({str(killed)!r})
        store.db.conn.set_trace_callback(kill_at_suggestions)
        Importer(store, detect=True, max_bytes=DEFAULT_MAX_BYTES).run([Path({str(SAMPLE_DATA)!r})])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    for db in (killed, clean):
        assert CliRunner().invoke(main, ["--db", str(db), "import", str(SAMPLE_DATA)]).exit_code == 0
    expected = _suggestions(clean)
    assert "ambiguous-stop-exit" in {s[0] for s in expected}  # the trajectory in flight has some
    assert _suggestions(killed) == expected


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent's pid...), None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended, only its parent has not looked


def _children(pid: int) -> set[int]:
    """The running processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        fields = _stat(entry.name) if entry.name.isdigit() else None
        if fields is not None and fields[0] != "Z" and fields[1] == str(pid):
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")
def test_a_killed_export_leaves_no_process_and_the_next_export_removes_its_temporary(tmp_path: Path) -> None:
    """SIGKILL of an exporting process with two workers, half-way through its temporary file: every
    process it started ends by itself, and the next `reviewer export` to the same file removes the
    temporary. The killed process is `reviewer.export.write` with a write that pauses after each
    chunk, so the kill surely lands while the workers have work."""
    db, out = tmp_path / "p.db", tmp_path / "out.jsonl"
    with Store(db) as store, store.writing():
        for i in range(200):
            store.trajectories.add(Trajectory.from_dict(trajectory(i, 4)))
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from reviewer.export import ExportOptions, export
        from reviewer.jsonio import atomic_write
        from reviewer.store import Store

        with Store({str(db)!r}) as store, atomic_write(Path({str(out)!r})) as handle:
            def write(text):
                handle.write(text)
                handle.flush()
                time.sleep(0.05)
            export(store, ExportOptions(include_unlabelled=True), write, workers=2, chunk=5)
        """
    )
    log = (tmp_path / "export.log").open("w")
    exporting = subprocess.Popen([sys.executable, "-c", script], stdout=log, stderr=subprocess.STDOUT)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and exporting.poll() is None:
            temporaries = list(tmp_path.glob(".out.jsonl.*.tmp"))
            started |= _children(exporting.pid)
            if len(started) >= 2 and temporaries and temporaries[0].stat().st_size > 0:
                break
            time.sleep(0.02)
        exporting.send_signal(signal.SIGKILL)
        assert exporting.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in started):
            time.sleep(0.05)
        left = sorted(pid for pid in started if _running(pid))
        assert len(started) >= 2 and left == []
    finally:
        log.close()
        for pid in started:  # what the test started, should it have been left running
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
    assert [p.name for p in tmp_path.glob(".out.jsonl.*.tmp")] == [f".out.jsonl.{exporting.pid}.tmp"]
    result = CliRunner().invoke(main, ["--db", str(db), "export", "-o", str(out), "--include-unlabelled"])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob(".out.jsonl.*.tmp")) == []
    assert len(out.read_text(encoding="utf-8").splitlines()) == 200
