"""Checkpoints of a project file's write-ahead log, moved off the writer for a bulk import.

In WAL mode every commit appends pages to the `-wal` file, and the commit that takes it past 1,000
pages (the automatic checkpoint) copies them into the database file and syncs both to disk, inside
that commit. A 1,000-trajectory import crosses that line about forty times: 0.1 s of the writer's
CPU and, waiting for the disk, about 0.3 s of its wall time (`bench/import_bench.py`), on the one
process every trajectory of the batch goes through. Here a thread of the writing process, with a
connection of its own, checkpoints instead while the writer goes on committing: a PASSIVE
checkpoint copies what is committed without taking any lock a writer waits for, and SQLite releases
the GIL while it works and syncs. Nothing about what is committed, or when it is durable, changes.

The log only starts again from its beginning when a writer begins a transaction with every page of
it copied, which a writer that never pauses rarely meets: the thread is always a few commits
behind. So the writer's own checkpoint is not switched off but put off, to `BULK_LOG_PAGES`
(64 MB): when the log reaches that, the writer copies the few pages the thread has not yet, and
its next transaction starts the log again. The log's file stays under about that size, however
large the import, and the writer syncs once per 64 MB instead of once per 4 MB.

The import forks its workers while the thread runs. A process forked while another thread is inside
SQLite inherits SQLite's locks held, by a thread it does not have, and hangs at its first connection
(seen: one import in a few). So the thread holds `_IN_SQLITE` around every call into SQLite, and a
fork waits for it (`os.register_at_fork`): a checkpoint at most.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INTERVAL_SECONDS = 0.05  # between two checkpoints: about 1,000 pages of an import at full speed
BULK_LOG_PAGES = 16_384  # the writer's own checkpoint in bulk: when the log holds this many pages

_IN_SQLITE = threading.Lock()
os.register_at_fork(before=_IN_SQLITE.acquire, after_in_parent=_IN_SQLITE.release, after_in_child=_IN_SQLITE.release)


@contextmanager
def checkpoints_aside(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Within the block a thread checkpoints `path`, and `conn` only when the log reaches `BULK_LOG_PAGES`."""
    previous = conn.execute("pragma wal_autocheckpoint").fetchone()[0]
    done = threading.Event()
    worker = threading.Thread(target=_checkpoint_until, args=(path, done), name="wal-checkpoints", daemon=True)
    conn.execute(f"pragma wal_autocheckpoint = {BULK_LOG_PAGES}")
    worker.start()
    try:
        yield
    finally:
        done.set()
        worker.join()
        conn.execute(f"pragma wal_autocheckpoint = {int(previous)}")


def _checkpoint_until(path: Path, done: threading.Event) -> None:
    with _IN_SQLITE:
        own = sqlite3.connect(path, timeout=0, check_same_thread=False)
    try:
        while not done.wait(INTERVAL_SECONDS):
            with _IN_SQLITE:
                try:
                    own.execute("pragma wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.OperationalError:  # busy with another checkpointer: the next one catches up
                    continue
    finally:
        with _IN_SQLITE:
            own.close()
