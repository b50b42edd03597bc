"""`reviewer db copy`: a whole project from one store into an empty one, either backend to either.

Table by table and column by column, as stored: labels, their history (ids and order kept), the
original files' bytes, suggestions, settings, the judge's cache. The columns are read from the
source, so a column a later migration adds is copied without a change here; a table this module
does not know stops the copy before anything is written (it would otherwise be lost without a
word). What only indexes a backend (SQLite's FTS5 table and its watermark, PostgreSQL's `words`)
is rebuilt in the destination. The destination is written in one transaction: a failed copy
leaves it empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from reviewer.errors import StoreError
from reviewer.store.connection import Db
from reviewer.store.postgres import PostgresDb, to_pg

if TYPE_CHECKING:
    from reviewer.store import Store

# In the order foreign keys need; judge_cache exists once a judge ran.
TABLES = (
    "meta", "originals", "trajectories", "steps", "file_edits", "annotators", "labels", "label_events", "suggestions",
    "batches", "slots", "judge_cache",
)  # fmt: skip
IDENTITY = ("label_events", "suggestions")  # ids kept; the server's identity sequences moved past them
INTERNAL_COLUMNS = {"words"}  # PostgreSQL's search lexemes, rebuilt
INTERNAL_META = ("schema_version", "fts_indexed_rowid")  # the destination's own
BATCH = 1000


def _tables(db: Db) -> list[str]:
    if isinstance(db, PostgresDb):
        sql = "select tablename from pg_tables where schemaname = current_schema()"
    else:
        sql = "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'steps_fts%'"
    return [row[0] for row in db.execute(sql)]


def _columns(db: Db, table: str) -> list[str]:
    if isinstance(db, PostgresDb):
        sql = "select column_name from information_schema.columns where table_schema = current_schema() and table_name = ?"
        names = [row[0] for row in db.execute(sql + " order by ordinal_position", [table])]
    else:
        names = [row[1] for row in db.execute(f"pragma table_info({table})")]
    return [name for name in names if name not in INTERNAL_COLUMNS]


def _rows(db: Db, sql: str, params: dict[str, Any]) -> Iterator[Any]:
    """The rows of `sql`, streamed (a server-side cursor on PostgreSQL, which would otherwise load them all)."""
    if isinstance(db, PostgresDb):
        with db.conn.cursor(name="reviewer_copy") as cursor:
            cursor.itersize = BATCH
            cursor.execute(to_pg(sql), params)
            yield from cursor
    else:
        yield from db.execute(sql, params)


def _is_empty(store: Store) -> bool:
    return not any(
        store.db.execute(f"select 1 from {table} limit 1").fetchone()
        for table in ("trajectories", "annotators", "labels", "label_events", "suggestions", "batches")
    )


def copy_project(
    src: Store, dst: Store, only: Mapping[str, str] | None = None, params: dict[str, Any] | None = None
) -> dict[str, int]:
    """Copy everything in `src` into `dst` (empty, same schema version); returns rows copied per table.

    `only` copies part of a project (`reviewer.store.checkout`): the tables it names, each the rows its
    condition (SQL over the table's columns, with named `params`) keeps; the other tables stay empty."""
    if src.schema_version != dst.schema_version:
        raise StoreError(f"{src.name} is at schema v{src.schema_version}, {dst.name} at v{dst.schema_version}: upgrade first")
    if not _is_empty(dst):
        raise StoreError(f"{dst.name}: not empty; copy into a new project")
    present = _tables(src.db)
    unknown = sorted(set(present) - set(TABLES))
    if unknown:
        raise StoreError(f"{src.name}: tables this reviewer cannot copy: {', '.join(unknown)}; nothing copied")
    if "judge_cache" in present:
        from reviewer.assist.judge.cache import JudgeCache

        JudgeCache(dst.db)
    counts: dict[str, int] = {}
    with src.db.reading(), dst.db.writing():
        for table in (t for t in TABLES if t in present and (only is None or t in only)):
            columns = _columns(src.db, table)
            listed = ", ".join(columns)
            conditions = [f"key not in {INTERNAL_META}"] if table == "meta" else []
            conditions += [f"({only[table]})"] if only is not None else []
            where = f" where {' and '.join(conditions)}" if conditions else ""
            insert = f"insert into {table}({listed}) values ({', '.join('?' * len(columns))})"
            if table == "meta":  # the destination's taxonomy and settings give way to the source's
                insert += " on conflict(key) do update set value = excluded.value"
            batch: list[Any] = []
            counts[table] = 0
            for row in _rows(src.db, f"select {listed} from {table}{where}", params or {}):
                batch.append(tuple(row))
                if len(batch) == BATCH:
                    dst.db.executemany(insert, batch)
                    counts[table] += len(batch)
                    batch = []
            dst.db.executemany(insert, batch)
            counts[table] += len(batch)
        if isinstance(dst.db, PostgresDb):
            for table in IDENTITY:
                dst.db.execute(
                    f"select setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) from {table}"
                )
    dst.taxonomy_changed()
    dst.trajectories.index_pending()
    return counts
