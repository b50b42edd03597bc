"""Schema versions of the project file. Each migration moves the file one version up.

Migrations run on open; when an existing file is about to change, a backup copy is taken first
(`<file>.bak-v<old>-<timestamp>`), so a failed or regretted upgrade never costs labels.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reviewer.errors import MigrationError
from reviewer.store.database import Database, Table
from reviewer.store.dialect import SQLITE
from reviewer.store.label_versions import versions_schema
from reviewer.store.slots import plan_schema, slots_schema
from reviewer.store.transactions import sqlite_writing

Migration = Callable[[Database], None]

APPLICATION_ID = int.from_bytes(b"RVWR", "big")
"""`PRAGMA application_id` of every project file: tells ours apart from other applications' SQLite files."""


def _table(db: Database, name: str) -> Table:
    """`db[name]` as the table it is: sqlite-utils types it `Table | View`, and migrations only name tables."""
    table = db[name]
    if not isinstance(table, Table):
        raise TypeError(f"{name!r} is a view, not a table")
    return table


def _mark_ours(db: Database) -> None:
    """Stamp the file as a reviewer project; transactional (the header is written with the commit)."""
    db.execute(f"pragma application_id = {APPLICATION_ID}")


def _v1_initial(db: Database) -> None:
    _mark_ours(db)
    _table(db, "meta").create({"key": str, "value": str}, pk="key")
    _table(db, "trajectories").create(
        {
            "id": str,
            "format": str,
            "source_file": str,
            "source_sha256": str,
            "source_place": str,
            "task_id": str,
            "task_prompt": str,
            "task_repo": str,
            "task_instance": str,
            "model": str,
            "scaffold": str,
            "outcome": str,
            "final_patch": str,
            "final_answer": str,
            "metadata": str,
            "n_steps": int,
            "n_edits": int,
            "imported_at": str,
        },
        pk="id",
        not_null={"format", "task_prompt", "n_steps", "n_edits", "imported_at"},
    )
    _table(db, "originals").create(
        {"sha256": str, "file_name": str, "size": int, "data": bytes}, pk="sha256", not_null={"data", "size"}
    )
    _table(db, "steps").create(
        {
            "trajectory_id": str,
            "idx": int,
            "role": str,
            "text": str,
            "thinking": str,
            "tool_calls": str,
            "call_id": str,
            "is_error": int,
            "timestamp": str,
            "metadata": str,
        },
        pk=("trajectory_id", "idx"),
        foreign_keys=[("trajectory_id", "trajectories", "id")],
        not_null={"role", "text"},
    )
    _table(db, "file_edits").create(
        {"trajectory_id": str, "ord": int, "step": int, "path": str, "before": str, "after": str, "diff": str, "source": str},
        pk=("trajectory_id", "ord"),
        foreign_keys=[("trajectory_id", "trajectories", "id")],
        not_null={"path", "step"},
    )
    _table(db, "annotators").create({"name": str, "created_at": str}, pk="name", not_null={"created_at"})
    _table(db, "labels").create(
        {
            "trajectory_id": str,
            "annotator": str,
            "first_pass": int,
            "verdict": str,
            "complete": int,
            "taxonomy_version": int,
            "created_at": str,
            "updated_at": str,
            "record": str,
        },
        pk=("trajectory_id", "annotator", "first_pass"),
        foreign_keys=[("trajectory_id", "trajectories", "id"), ("annotator", "annotators", "name")],
        not_null={"record", "updated_at", "complete"},
    )
    _table(db, "label_events").create(
        {
            "id": int,
            "trajectory_id": str,
            "annotator": str,
            "first_pass": int,
            "at": str,
            "actor": str,
            "origin": str,
            "old": str,
            "new": str,
        },
        pk="id",
        foreign_keys=[("trajectory_id", "trajectories", "id")],
        not_null={"at", "actor", "origin", "new"},
    )
    _table(db, "suggestions").create(
        {
            "id": int,
            "trajectory_id": str,
            "rater": str,
            "source": str,
            "codes": str,
            "verdict": str,
            "intent": int,
            "severity": int,
            "confidence": float,
            "evidence": str,
            "explanation": str,
            "details": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("trajectory_id", "trajectories", "id")],
        not_null={"rater", "source", "codes", "evidence", "explanation", "created_at"},
    )
    _table(db, "trajectories").create_index(["task_id"])
    _table(db, "labels").create_index(["annotator"])
    _table(db, "labels").create_index(["verdict"])
    _table(db, "label_events").create_index(["trajectory_id", "annotator"])
    _table(db, "suggestions").create_index(["trajectory_id", "rater"])
    # Full-text index without triggers: row-by-row FTS inserts cost 5x a bulk insert, so imports
    # index in one statement per batch (TrajectoryRepository.index_pending); steps are never updated
    # or deleted.
    # detail=none keeps no positions: indexing costs half of detail=full; searches are AND-of-words
    # (no phrase or column queries) to match, and snippet() still finds the words in the text.
    db.execute("create virtual table steps_fts using fts5(text, thinking, tool_calls, content=steps, detail=none)")


def _v2_adjudications_apart(db: Database) -> None:
    """An adjudication becomes a record of its own, beside the adjudicator's own labels.

    Version 1 stored an adjudication as the adjudicator's final label (same key), so adjudicating
    erased the adjudicator's own final label and a later save of that own label erased the
    adjudication. Both are recovered here from the history, which kept every version: the latest
    adjudication of each key becomes its adjudication record, and the latest own version its own
    final label. A history event may now be the withdrawal of a label (`new` null: a reveal undone).
    """
    db.execute(
        "create table labels_v2 (trajectory_id text references trajectories(id), annotator text references annotators(name),"
        " first_pass integer, adjudication integer not null default 0, verdict text, complete integer not null,"
        " taxonomy_version integer, created_at text, updated_at text not null, record text not null,"
        " primary key (trajectory_id, annotator, first_pass, adjudication))"
    )
    db.execute(
        "insert into labels_v2 select trajectory_id, annotator, first_pass, json_extract(record, '$.adjudication') is not null,"
        " verdict, complete, taxonomy_version, created_at, updated_at, record from labels"
    )
    db.execute(
        "create table label_events_v2 (id integer primary key, trajectory_id text references trajectories(id),"
        " annotator text, first_pass integer, adjudication integer not null default 0, at text not null,"
        " actor text not null, origin text not null, old text, new text)"
    )
    db.execute(
        "insert into label_events_v2 select id, trajectory_id, annotator, first_pass,"
        " json_extract(new, '$.adjudication') is not null, at, actor, origin, old, new from label_events"
    )
    for table in ("labels", "label_events"):
        db.execute(f"drop table {table}")
        db.execute(f"alter table {table}_v2 rename to {table}")
    _table(db, "labels").create_index(["annotator"])
    _table(db, "labels").create_index(["verdict"])
    _table(db, "label_events").create_index(["trajectory_id", "annotator"])
    _recover_overwritten(db)


def _recover_overwritten(db: Database) -> None:
    """Each final label and adjudication that version 1 wrote over, back from its latest history event."""
    latest = db.execute(
        "select e.trajectory_id, e.annotator, e.adjudication, e.new from label_events e"
        " where e.first_pass = 0 and e.id = (select max(id) from label_events f where f.trajectory_id = e.trajectory_id"
        "   and f.annotator = e.annotator and f.first_pass = 0 and f.adjudication = e.adjudication)"
        " and not exists (select 1 from labels l where l.trajectory_id = e.trajectory_id and l.annotator = e.annotator"
        "   and l.first_pass = 0 and l.adjudication = e.adjudication)"
        " and exists (select 1 from labels l where l.trajectory_id = e.trajectory_id and l.annotator = e.annotator"
        "   and l.first_pass = 0)"
    ).fetchall()
    for trajectory_id, annotator, adjudication, record in latest:
        label = json.loads(record)
        db.execute(
            "insert into labels(trajectory_id, annotator, first_pass, adjudication, verdict, complete, taxonomy_version,"
            " created_at, updated_at, record) values (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
            [
                trajectory_id, annotator, adjudication, label.get("verdict"), int(bool(label.get("complete"))),
                label.get("taxonomy_version"), label.get("created_at"), label.get("updated_at") or "", record,
            ],
        )  # fmt: skip


def _v3_application_id(db: Database) -> None:
    """Files made before version 3 carry no application_id: stamp them (new files got it in version 1)."""
    _mark_ours(db)


def _v4_workspace(db: Database) -> None:
    """Edits gain whether they happened, what they did and a rename's old path; trajectories their test runs.

    Edits stored before were never checked against their tool's result: their status is `unknown`
    (re-importing the original file derives it).
    """
    for column in ("op", "status", "from_path"):
        db.execute(f"alter table file_edits add column {column} text")
    db.execute("update file_edits set status = 'unknown'")
    db.execute("alter table trajectories add column test_runs text")


def _v5_label_flags(db: Database) -> None:
    """Labels gain the kind of their `flag` (skip or flag, `reviewer.model.Flag`) as a column, so a
    queue leaves set-aside items out in SQL. The reason stays in the record; labels before had none."""
    db.execute("alter table labels add column flag text")
    db.execute("update labels set flag = json_extract(record, '$.flag.kind')")


def _v6_review_slots(db: Database) -> None:
    """Planned work (`reviewer.store.slots`): batches, and review slots claimed by reviewers. One
    reviewer holds at most one slot of an item in a batch: a unique constraint, not a check in Python."""
    for statement in slots_schema(SQLITE):
        db.execute(statement)


def _v7_planned_work(db: Database) -> None:
    """Tie-breaks, gold items and lease renewals of planned work (`reviewer.store.slots.plan_schema`)."""
    for statement in plan_schema(SQLITE):
        db.execute(statement)


def _v8_label_versions(db: Database) -> None:
    """Labels gain a version and edits an id (`reviewer.store.label_versions`): a stale save becomes a
    flagged conflict instead of overwriting, and a retried edit is applied once."""
    for statement in versions_schema(SQLITE):
        db.execute(statement)


MIGRATIONS: list[Migration] = [
    _v1_initial, _v2_adjudications_apart, _v3_application_id, _v4_workspace, _v5_label_flags, _v6_review_slots,
    _v7_planned_work, _v8_label_versions,
]  # fmt: skip


def schema_version(db: Database) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def foreign(db: Database) -> str | None:
    """Why the file belongs to another application (None when it is ours, or empty).

    Checked before anything writes: opening must never switch someone else's SQLite file to WAL or
    add our tables to it. Ours carries our application_id, or (made before version 3) has no
    application_id and our `meta.schema_version`.
    """
    application_id = db.execute("pragma application_id").fetchone()[0]
    if application_id not in (0, APPLICATION_ID):
        return f"application_id {application_id:#010x}, not reviewer's {APPLICATION_ID:#010x}"
    if application_id == 0 and db.execute("select count(*) from sqlite_master").fetchone()[0] and not schema_version(db):
        return "it has tables but no reviewer schema version"
    return None


def backup(db: Database, path: Path, version: int) -> Path:
    """A consistent copy through SQLite's online backup (safe with WAL and other readers)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.bak-v{version}-{stamp}")
    copy_to(db, target)
    return target


def copy_to(db: Database, target: Path) -> None:
    """Copy the database into `target` through SQLite's online backup, in one step: one read
    snapshot, so the copy is consistent while other processes write, and it holds what is still in
    the -wal. The copy is complete on its own: it needs no -wal beside it."""
    dest = sqlite3.connect(target)
    try:
        db.conn.backup(dest)
    finally:
        dest.close()


def migrate(db: Database, path: Path | None, migrations: list[Migration]) -> Path | None:
    """Bring the file to the latest version; returns the backup taken, if any.

    Each step reads the version again in its own write transaction: processes opening one file at
    the same time run each migration once, and a process that finds it done moves on.
    """
    current = schema_version(db)
    latest = len(migrations)
    if current > latest:
        raise MigrationError(f"{path}: made by a newer reviewer (schema {current}, this one knows up to {latest})")
    if current == latest:
        return None
    copy = backup(db, path, current) if path is not None and current > 0 else None
    while current < latest:
        with sqlite_writing(db):
            current = schema_version(db)
            if current < latest:
                migrations[current](db)
                current += 1
                db.execute("insert or replace into meta(key, value) values ('schema_version', ?)", [str(current)])
    return copy
