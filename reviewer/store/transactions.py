"""Transactions on a project file that several processes use at once.

Every write goes through `writing()`, which starts the transaction as a writer (`BEGIN IMMEDIATE`).
In WAL mode a deferred transaction that reads first holds a snapshot; if another process commits
before its first write, that write fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked"),
and the busy timeout cannot help: waiting never makes the old snapshot current again. A transaction
that takes the write lock at BEGIN waits there (busy timeout) before it has read anything, so what
it reads is current and its writes cannot be refused.

Neither default does this: sqlite-utils' `Database.atomic()` issues a plain, deferred `BEGIN`, and
Python's sqlite3 module (3.11, `isolation_level=""`) opens a deferred transaction implicitly before
the first INSERT/UPDATE/DELETE. `writing()` issues `BEGIN IMMEDIATE` itself; with a transaction
open, the module adds none of its own, and sqlite-utils' `execute` leaves committing to us.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from reviewer.store.connection import Db
    from reviewer.store.database import Database

D = TypeVar("D", bound="Db")


@contextmanager
def writing(db: D) -> Iterator[D]:
    """One write transaction on either backend (`Db.writing`: here for SQLite, `reviewer.store.postgres`
    for PostgreSQL); a savepoint when nested."""
    with db.writing():
        yield db


@contextmanager
def reading(db: D) -> Iterator[D]:
    """One read snapshot for everything read inside, on either backend (`Db.reading`)."""
    with db.reading():
        yield db


@contextmanager
def sqlite_writing(db: Database) -> Iterator[Database]:
    """One write transaction, `BEGIN IMMEDIATE` to `COMMIT`, rolled back on any exception.

    Read what the writes depend on inside it: nobody else can commit in between. Nested in a
    transaction already open (an outer `writing()`), it is a savepoint: an exception undoes its own
    work alone, and the outer transaction commits the rest.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():  # a savepoint, since a transaction is open
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # an error may already have ended it
            conn.execute("ROLLBACK")
        raise


@contextmanager
def sqlite_reading(db: Database) -> Iterator[Database]:
    """One read snapshot for everything read inside, however many statements (never write in it).

    A deferred transaction: the snapshot is taken at the first read and kept until the end, while
    other processes go on committing (WAL). Inside a transaction already open, that one's snapshot
    is used.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN")
    try:
        yield db
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # nothing was written: ends the snapshot
