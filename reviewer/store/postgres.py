"""A project on a PostgreSQL server, through psycopg 3: the store's `Db` (reviewer.store.connection).

What differs from the SQLite file, and why:
- **Parameters.** The repositories write `?` and `:name`; `to_pg` turns them into psycopg's `%s`
  and `%(name)s` (and doubles a literal `%`), skipping quoted text and `::` casts.
- **Write transactions.** `writing()` takes a transaction-level advisory lock of the project before
  anything is read, so writers take turns as they do on SQLite (`BEGIN IMMEDIATE`): what a write
  depends on (a label's old version, a duplicate check) is read where nobody can commit in between.
  Nested, it is a savepoint. `reading()` is one REPEATABLE READ, READ ONLY snapshot.
- **U+0000.** PostgreSQL refuses the NUL character in `text` (and in `jsonb`), and agents' tool
  output does contain it. Text is stored escaped, and read back exactly: U+0000 becomes U+FFFF "0"
  and U+FFFF itself U+FFFF "1" (`nul_safe` / `nul_restored`, the connection's str dumper and text
  loader). U+FFFF is a noncharacter, so real text almost never pays for it. JSON kept in columns
  (records, tool calls, metadata) is text written by `json.dumps`, which spells U+0000 as `\\u0000`:
  no column is `jsonb`, so nothing is refused, dropped or altered.
- **Lost connections.** A server restart or a killed backend drops the connection; a write
  transaction (`retrying`, used by every label write) and a read outside one are run again on a new
  connection for up to `RECONNECT_SECONDS`. Label edits carry ids, so a retried write whose first
  attempt did commit changes nothing (reviewer.store.labels).
- **Schema.** Upgraded only by `reviewer db upgrade` (`reviewer.store.pg_schema`); opening a
  project whose schema is older or newer than this client's refuses, saying what to do.
Search is `reviewer.store.search.TsvectorIndex`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import psycopg
import psycopg.sql
from psycopg import pq
from psycopg.types.string import StrDumper, TextLoader

from reviewer.errors import StoreError, WriteRefused
from reviewer.store.connection import Rows
from reviewer.store.dialect import POSTGRES
from reviewer.store.location import redacted

# Advisory lock keys: (class, object). The class is the SQLite application_id, "RVWR"; the object
# the project's schema, so two projects in one database do not wait for each other.
LOCK_CLASS = int.from_bytes(b"RVWR", "big")
WRITE_LOCK = f"select pg_advisory_xact_lock({LOCK_CLASS}, hashtext(current_schema()))"
ESCAPE = "\uffff"
RECONNECT_SECONDS = 15  # how long a write waits for a lost server to come back before it gives up
T = TypeVar("T")


def nul_safe(text: str) -> str:
    """`text` without U+0000, reversibly (see the module's docstring)."""
    if "\x00" in text or ESCAPE in text:
        return text.replace(ESCAPE, ESCAPE + "1").replace("\x00", ESCAPE + "0")
    return text


def nul_restored(text: str) -> str:
    """The text `nul_safe` was given."""
    if ESCAPE not in text:
        return text
    return re.sub("\uffff([01])", lambda m: "\x00" if m.group(1) == "0" else ESCAPE, text)


class _NulSafeDumper(StrDumper):
    def dump(self, obj: str) -> bytes:
        return super().dump(nul_safe(obj))  # type: ignore[return-value]


class _NulRestoringLoader(TextLoader):
    def load(self, data: Any) -> str:
        loaded = super().load(data)
        return nul_restored(loaded if isinstance(loaded, str) else loaded.decode())


_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?|:([A-Za-z_]\w*)|%")


@lru_cache(maxsize=512)
def to_pg(sql: str) -> str:
    """SQLite-style parameters (`?`, `:name`) as psycopg's (`%s`, `%(name)s`), `%` doubled."""

    def swap(m: re.Match[str]) -> str:
        token = m.group(0)
        if token[0] in "'\"":
            return token.replace("%", "%%")
        if token == "?":
            return "%s"
        if m.group(1):
            return f"%({m.group(1)})s"
        return "%%" if token == "%" else token

    return _TOKENS.sub(swap, sql)


def _connected(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=True)
    conn.adapters.register_dumper(str, _NulSafeDumper)
    conn.adapters.register_loader("text", _NulRestoringLoader)
    return conn


class PostgresDb:
    """One psycopg connection (autocommit outside `writing`/`reading`) as the store's `Db`."""

    dialect = POSTGRES

    def __init__(self, url: str):
        self.url = url
        self.conn = _connected(url)
        self._lock_timeout_ms: int | None = None
        self.reconnects = 0  # connections lost and made again by `retrying` (tests and benchmarks read it)

    def retrying(self, work: Callable[[], T]) -> T:
        """`work` (one whole write transaction) run again on a new connection when the server dropped
        this one (killed backend, restart), for up to `RECONNECT_SECONDS`; then one line saying so.

        Only a lost connection is retried, never a refusal: the transaction did not commit, or it did
        and the answer was lost, which is why every retried write must be idempotent (a label edit
        carries its edit id, `reviewer.store.labels`). Inside a transaction already open it is run once:
        the outer transaction is what would have to be retried.
        """
        if self.in_transaction:
            return work()
        deadline = time.monotonic() + RECONNECT_SECONDS
        pause = 0.05
        while True:
            try:
                return work()
            except (StoreError, psycopg.OperationalError) as exc:
                if not self._lost():
                    raise
                reason = " ".join(str(exc).split())
            while True:
                if time.monotonic() + pause > deadline:
                    raise StoreError(
                        f"{redacted(self.url)}: the connection was lost and the server did not answer again within"
                        f" {RECONNECT_SECONDS} s ({reason}); the change may not be saved: saving it again is safe"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
                try:
                    self._reconnect()
                    break
                except psycopg.Error as exc:
                    reason = " ".join(str(exc).split())

    def _lost(self) -> bool:
        """Whether the server dropped the connection (psycopg marks it broken; libpq's status says
        so too, should psycopg not have noticed yet)."""
        return self.conn.closed or self.conn.broken or self.conn.pgconn.status == pq.ConnStatus.BAD

    def _reconnect(self) -> None:
        """A new connection in place of a lost one, with this one's settings (lock timeout)."""
        conn = _connected(self.url)
        if self._lock_timeout_ms is not None:
            conn.execute(f"set lock_timeout = {self._lock_timeout_ms}".encode())
        self.conn.close()
        self.conn = conn
        self.reconnects += 1

    def execute(self, sql: str, parameters: Any = None) -> Rows:
        if not self.in_transaction and sql.lstrip()[:6].lower() == "select":  # a read on its own: safe to repeat
            return self.retrying(lambda: self._execute(sql, parameters))
        return self._execute(sql, parameters)

    def _execute(self, sql: str, parameters: Any) -> Rows:
        with self._reported():
            return self.conn.execute(to_pg(sql), parameters if parameters is not None else ())

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._reported(), self.conn.cursor() as cursor:
            cursor.executemany(to_pg(sql), rows)

    @contextmanager
    def _reported(self) -> Iterator[None]:
        """A lost or refused connection as one line naming the server (never with its password)."""
        try:
            yield
        except psycopg.OperationalError as exc:  # LockNotAvailable (lock_timeout) included
            raise StoreError(f"{redacted(self.url)}: {str(exc).strip()}") from None
        except psycopg.errors.InsufficientPrivilege as exc:  # a row-level policy: someone else's label
            raise WriteRefused(
                f"{redacted(self.url)}: refused for login {self.conn.info.user!r}: {str(exc).strip()}"
                " (a reviewer writes only their own labels, logged in as themselves)",
                login=self.conn.info.user,
                policy="row-level security" in str(exc),
            ) from None

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE

    @contextmanager
    def writing(self) -> Iterator[PostgresDb]:
        if self.in_transaction:
            with self.conn.transaction():  # a savepoint
                yield self
            return
        with self.conn.transaction():
            self.execute(WRITE_LOCK)
            yield self

    @contextmanager
    def reading(self) -> Iterator[PostgresDb]:
        if self.in_transaction:
            yield self
            return
        self.conn.execute("begin isolation level repeatable read read only")
        try:
            yield self
        finally:
            self.conn.execute("commit")

    def wait_for_writers(self, ms: int) -> None:
        self._lock_timeout_ms = int(ms)
        self.conn.execute(f"set lock_timeout = {int(ms)}".encode())

    @cached_property
    def channel(self) -> str:
        """The NOTIFY channel of the project (its schema's; a channel name has at most 63 bytes)."""
        schema = self.execute("select current_schema()").fetchone()[0]
        return f"reviewer_{schema}"[:63]

    def notify_change(self) -> None:
        self.execute("select pg_notify(?, '')", [self.channel])

    def listen(self) -> None:
        self.conn.execute(psycopg.sql.SQL("listen {}").format(psycopg.sql.Identifier(self.channel)))

    def wait_for_change(self, seconds: float) -> None:
        with self._reported():  # a lost connection as StoreError, as for any statement
            for _ in self.conn.notifies(timeout=seconds, stop_after=1):
                pass

    def close(self) -> None:
        self.conn.close()
