"""sqlite-utils' `Database` and `Table`, imported here and nowhere else in the project.

`sqlite_utils.db` imports pandas (with pyarrow behind it) and numpy whenever they are installed,
only to add their scalar types to the column types it infers (`COLUMN_TYPE_MAPPING`): about 0.4 s
of every command's start. The store never hands sqlite-utils such a value: tables are created from
Python types and rows are written through `execute` with plain values. So sqlite-utils is imported
with pandas and numpy blocked (a `None` entry in `sys.modules` makes an import of them fail, which
sqlite-utils takes as "not installed"), unless they are imported already; the block is lifted right
after, so `import pandas` later works as usual. The store is imported before any thread starts, so
no other import can run into the block.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from reviewer.store.dialect import SQLITE
from reviewer.store.transactions import sqlite_reading, sqlite_writing

T = TypeVar("T")

NOT_FOR_SQLITE_UTILS = ("pandas", "numpy")
POLL_SECONDS = 0.25  # how often a reader waiting for others' changes looks at the file again


@contextmanager
def _blocked(names: tuple[str, ...]) -> Iterator[None]:
    """Make `import name` fail while the block lasts, for each name not imported yet."""
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, sys) is None:
                del sys.modules[name]


with _blocked(NOT_FOR_SQLITE_UTILS):
    from sqlite_utils import Database
    from sqlite_utils.db import Table

__all__ = ["Database", "SqliteDb", "Table", "wrap"]


class SqliteDb(Database):
    """sqlite-utils' `Database` as the store's `Db` (reviewer.store.connection): its `execute` as it
    is, and the transactions of `reviewer.store.transactions`."""

    dialect = SQLITE

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def writing(self) -> AbstractContextManager[Any]:
        return sqlite_writing(self)

    def reading(self) -> AbstractContextManager[Any]:
        return sqlite_reading(self)

    def wait_for_writers(self, ms: int) -> None:
        self.execute(f"pragma busy_timeout = {int(ms)}")

    def retrying(self, work: Callable[[], T]) -> T:
        """`work` once: a file's connection is never lost to a server going away."""
        return work()

    def notify_change(self) -> None:
        """Nothing to send: readers of a file poll (`wait_for_change`)."""

    def listen(self) -> None:
        """Nothing to subscribe to (see `notify_change`)."""

    def wait_for_change(self, seconds: float) -> None:
        time.sleep(min(POLL_SECONDS, seconds))


def wrap(conn: sqlite3.Connection) -> SqliteDb:
    """sqlite-utils on one of our connections, without its plugins: a plugin installed for another
    tool would add its functions to every project's connection, and finding plugins reads the
    metadata of every installed package (10-30 ms of each start)."""
    return SqliteDb(conn, execute_plugins=False)
