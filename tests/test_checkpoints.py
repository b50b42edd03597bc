"""`Store.bulk_writing`: during an import the write-ahead log is checkpointed by a thread beside the
writer, whose own commits checkpoint only when the log is long; afterwards everything is as it was."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from reviewer.store import Store, checkpoints, integrity_problems


def test_the_log_is_checkpointed_beside_the_writer_and_stays_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "BULK_LOG_PAGES", 500)  # 2 MB: the writer's own checkpoints start the log again
    db = tmp_path / "p.db"
    row = "x" * 20_000
    with Store(db) as store:
        conn = store.db.conn  # type: ignore[attr-defined]
        before = db.stat().st_size
        with store.bulk_writing():
            assert conn.execute("pragma wal_autocheckpoint").fetchone() == (500,)
            for i in range(400):  # about 8 MB, in 400 transactions
                with store.db.writing():
                    conn.execute("insert into meta(key, value) values (?, ?)", [f"k{i}", row])
            deadline = time.monotonic() + 10
            while db.stat().st_size < 8_000_000 and time.monotonic() < deadline:
                time.sleep(0.02)
            in_file = db.stat().st_size
            log = Path(f"{db}-wal").stat().st_size
        assert conn.execute("pragma wal_autocheckpoint").fetchone() == (1000,)
    assert before < 1_000_000 < 8_000_000 <= in_file  # copied into the database file while the writer wrote
    assert log < 7_000_000  # and the log started again from its beginning: it never held everything
    assert integrity_problems(db) == []
    with sqlite3.connect(db) as check:
        assert check.execute("select count(*), sum(length(value)) from meta where key like 'k%'").fetchone() == (
            400,
            400 * 20_000,
        )


def test_an_exception_inside_leaves_the_connection_checkpointing_again(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        try:
            with store.bulk_writing():
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
        assert store.db.conn.execute("pragma wal_autocheckpoint").fetchone() == (1000,)  # type: ignore[attr-defined]


def test_with_the_writer_never_checkpointing_the_thread_alone_copies_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "BULK_LOG_PAGES", 1_000_000)
    db = tmp_path / "p.db"
    with Store(db) as store, store.bulk_writing():
        for i in range(400):
            with store.db.writing():
                store.db.execute("insert into meta(key, value) values (?, ?)", [f"k{i}", "y" * 20_000])
        deadline = time.monotonic() + 10
        while db.stat().st_size < 8_000_000 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert db.stat().st_size >= 8_000_000


def open_project(path: str) -> None:
    sqlite3.connect(path).execute("select count(*) from meta").fetchone()


def test_processes_forked_while_the_thread_checkpoints_can_open_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import forks its workers right as the checkpointing thread starts: a fork in the middle of
    one of the thread's SQLite calls used to leave the worker hanging at its first connection."""
    monkeypatch.setattr(checkpoints, "INTERVAL_SECONDS", 0.0005)
    db = tmp_path / "p.db"
    fork = multiprocessing.get_context("fork")
    hung = 0
    with Store(db) as store:
        for i in range(100):
            with store.bulk_writing():
                child = fork.Process(target=open_project, args=(str(db),))
                child.start()
                with store.db.writing():
                    store.db.execute("insert into meta(key, value) values (?, ?)", [f"k{i}", "z" * 50_000])
                child.join(10)
                if child.exitcode is None:
                    hung += 1
                    child.kill()
                    child.join()
                else:
                    assert child.exitcode == 0
    assert hung == 0
