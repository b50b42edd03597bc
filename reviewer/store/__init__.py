"""The project: one SQLite file (through sqlite-utils, the default) or a PostgreSQL server (a
`postgresql://` URL, through psycopg 3: `reviewer.store.postgres`), behind one set of repositories.

On SQLite:

WAL (readers never block the writer), a busy timeout (a second process waits instead of failing),
foreign keys on, and every write in one transaction so a crash never leaves half of anything. Write
transactions start as writers (`writing()`, see reviewer.store.transactions), so a process that
reads before it writes waits for the others instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from reviewer.errors import MigrationError, StoreError
from reviewer.model import Trajectory
from reviewer.store.checkpoints import checkpoints_aside
from reviewer.store.connection import Db
from reviewer.store.database import Database, SqliteDb, wrap
from reviewer.store.labels import LabelRepository
from reviewer.store.listing import TrajectoryListing
from reviewer.store.location import Location, is_url, redacted
from reviewer.store.migrations import (
    MIGRATIONS,
    Migration,
    copy_to,
    foreign,
    migrate,
    schema_version,
)
from reviewer.store.settings import ProjectSettings
from reviewer.store.slots import SlotRepository
from reviewer.store.suggestions import SuggestionRepository
from reviewer.store.trajectories import TrajectoryRepository
from reviewer.store.transactions import writing
from reviewer.taxonomy import Taxonomy

BUSY_TIMEOUT_MS = 10_000

__all__ = ["Store", "StoreError", "integrity_problems", "read_taxonomy", "read_trajectory"]


TAXONOMY_SQL = "select value from meta where key = 'taxonomy'"


def _taxonomy(row: tuple[str] | None) -> Taxonomy:
    return Taxonomy(json.loads(row[0])) if row else Taxonomy.default()


def _enable_wal(db: Database) -> None:
    """Switch the file to WAL (a no-op once it is). Switching a new file needs it alone, and SQLite
    refuses at once, without the busy handler, while another process is opening it too: several
    processes starting on one new project retry until the busy timeout instead of failing."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _open_sqlite(path: Path, migrations: list[Migration]) -> tuple[SqliteDb, Path | None]:
    """The project file, switched to WAL and upgraded (a backup first); returns the backup taken."""
    try:
        db = wrap(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000))
        db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("pragma foreign_keys = on")
        not_ours = foreign(db)
        if not_ours is not None:
            raise StoreError(f"{path}: not a reviewer project file ({not_ours}); left unchanged")
        _enable_wal(db)
        db.execute("pragma synchronous = normal")
        return db, migrate(db, path, migrations)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable reviewer project file ({exc})") from None
    except MigrationError as exc:
        raise StoreError(str(exc)) from None


class Store:
    def __init__(self, path: Location, migrations: list[Migration] | None = None):
        self.path: Location = path if is_url(path) else Path(path)
        self.db: Db
        self.backup_path: Path | None = None
        if isinstance(self.path, Path):
            self.db, self.backup_path = _open_sqlite(self.path, migrations if migrations is not None else MIGRATIONS)
        else:
            from reviewer.store.pg_schema import open_project

            self.db = open_project(self.path)
        self.trajectories = TrajectoryRepository(self.db)
        self.labels = LabelRepository(self.db, self.taxonomy)
        self.suggestions = SuggestionRepository(self.db)
        self.listing = TrajectoryListing(self.db, self.trajectories.index)
        self.settings = ProjectSettings(self.db)
        self.slots = SlotRepository(self.db)

    @property
    def name(self) -> str:
        """The project as messages name it: the file, or the URL without its password."""
        return str(self.path) if isinstance(self.path, Path) else redacted(self.path)

    @property
    def schema_version(self) -> int:
        if isinstance(self.db, SqliteDb):
            return schema_version(self.db)
        from reviewer.store.pg_schema import schema_version as pg_version

        return pg_version(self.db)  # type: ignore[arg-type]

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """The project's taxonomy: saved in the file by `init --taxonomy`, else the default."""
        return _taxonomy(self.db.execute(TAXONOMY_SQL).fetchone())

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """One write transaction across repositories (`BEGIN IMMEDIATE`; a savepoint when nested):
        what an import stores about one trajectory is all there or not at all."""
        with writing(self.db):
            yield self

    @contextmanager
    def bulk_writing(self) -> Iterator[Store]:
        """Many write transactions in a row (an import): on a project file, the write-ahead log is
        checkpointed beside them instead of inside them (`checkpoints_aside`)."""
        if isinstance(self.db, SqliteDb) and isinstance(self.path, Path):
            with checkpoints_aside(self.db.conn, self.path):
                yield self
        else:
            yield self

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        with writing(self.db):
            self.db.execute(
                "insert into meta(key, value) values ('taxonomy', ?) on conflict(key) do update set value = excluded.value",
                [json.dumps(taxonomy.data)],
            )
        self.taxonomy_changed()

    def taxonomy_changed(self) -> None:
        """Read the taxonomy again (it was replaced: `set_taxonomy`, a copy into this project)."""
        self.__dict__.pop("taxonomy", None)
        self.labels = LabelRepository(self.db, self.taxonomy)

    def back_up(self, dest: Path, *, force: bool = False) -> None:
        """Write a consistent, standalone copy of the project to `dest` (see `copy_to`).

        Copying the file itself loses the labels still in its -wal. The copy is written beside
        `dest` under a temporary name and moved into place, so an interrupted backup neither leaves
        half a file at `dest` nor destroys the one there. A `dest` with a -wal beside it is open (or
        was not closed cleanly): that -wal would be replayed onto the copy, so it is never replaced.
        """
        if Path(f"{dest}-wal").exists():
            raise StoreError(f"{dest}: has a -wal beside it (in use, or not closed cleanly); not replacing it")
        if dest.exists() and not force:
            raise StoreError(f"{dest}: exists (--force replaces it)")
        handle, temporary = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(handle)
        try:
            if isinstance(self.db, SqliteDb):
                copy_to(self.db, Path(temporary))
            else:  # a server's project: copied into a new SQLite file, table by table
                from reviewer.store.copy import copy_project

                Path(temporary).unlink()
                with Store(Path(temporary)) as copy:
                    copy_project(self, copy)
            os.replace(temporary, dest)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to the file (no WAL switch, no migration)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def integrity_problems(path: Path) -> list[str]:
    """What SQLite finds wrong with the file, one line each; empty when it is sound.

    `integrity_check` reads every page, b-tree and index; `foreign_key_check` finds rows pointing at
    nothing. Through a read-only connection: a damaged file is examined, never written to. A file
    too damaged to check at all gives the error SQLite stopped with.
    """
    conn = _read_only(path)
    try:
        problems = [row[0] for row in conn.execute("pragma integrity_check") if row[0] != "ok"]
        orphans = conn.execute("pragma foreign_key_check").fetchall()
        return problems + [f"{table} row {rowid} refers to a missing {parent} row" for table, rowid, parent, _ in orphans]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()


def read_taxonomy(path: Location) -> Taxonomy:
    """The project's taxonomy read through a read-only connection: no upgrade, no WAL switch, for a
    look before the project is opened (the command line's options depend on it). Raises
    `sqlite3.Error` if the file cannot be read as a project (StoreError for a server)."""
    if not isinstance(path, Path):
        with Store(path) as store:
            return store.taxonomy
    conn = _read_only(path)
    try:
        return _taxonomy(conn.execute(TAXONOMY_SQL).fetchone())
    finally:
        conn.close()


def read_trajectory(path: Location, trajectory_id: str) -> Trajectory | None:
    """One trajectory read through a read-only connection of its own.

    For worker threads: a SQLite connection belongs to the thread that opened it, and WAL lets this
    reader run while the app's own connection writes labels. Raises `sqlite3.Error` if the file
    cannot be read (StoreError for a server).
    """
    if not isinstance(path, Path):
        with Store(path) as store:
            return store.trajectories.get(trajectory_id)
    conn = _read_only(path)
    try:
        return TrajectoryRepository(wrap(conn)).get(trajectory_id)
    finally:
        conn.close()
