"""What the repositories need of a database connection, whichever backend is behind it.

`Db` is the one seam between the repositories (trajectories, labels, suggestions, listing,
settings) and a backend: statements with `?` / `:name` parameters, `executemany`, and the two
transaction shapes the store uses (`writing`: one writer at a time, what the write depends on read
inside it; `reading`: one snapshot for several statements). `reviewer.store.database.SqliteDb`
(sqlite-utils on one file) and `reviewer.store.postgres.PostgresDb` (psycopg 3 on a server)
implement it; SQL they spell differently comes from `dialect`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from reviewer.store.dialect import Dialect

T = TypeVar("T")


class Rows(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    dialect: Dialect

    def execute(self, sql: str, parameters: Any = None) -> Rows: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @property
    def in_transaction(self) -> bool: ...

    def writing(self) -> AbstractContextManager[Any]: ...

    def reading(self) -> AbstractContextManager[Any]: ...

    def retrying(self, work: Callable[[], T]) -> T:
        """Run `work`, a whole write transaction that is safe to repeat; on a server, again on a new
        connection when the old one was lost (a file's connection is never lost)."""

    def wait_for_writers(self, ms: int) -> None:
        """How long a write waits for another writer before it fails (StoreError, sqlite3.OperationalError)."""

    def notify_change(self) -> None:
        """Tell readers waiting in `wait_for_change` that the history grew (at commit)."""

    def listen(self) -> None:
        """Make this connection's `wait_for_change` wake up on others' `notify_change`."""

    def wait_for_change(self, seconds: float) -> None:
        """Return when a change may have been committed, or after at most `seconds`."""

    def close(self) -> None: ...
