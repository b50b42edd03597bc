"""The project file: real SQLite, WAL, atomic trajectory inserts, migrations with backups, FTS."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from reviewer.jsonio import Document
from reviewer.model import Trajectory
from reviewer.store import Store, StoreError
from reviewer.store.database import Database
from reviewer.store.migrations import APPLICATION_ID, MIGRATIONS
from reviewer.store.trajectories import TrajectoryConflict
from reviewer.synthetic import trajectory

BOTH_BACKENDS = True  # the tests using `store` alone run on SQLite and PostgreSQL (tests/conftest.py)


def traj(i: int = 0, steps: int = 8) -> Trajectory:
    return Trajectory.from_dict(trajectory(i, steps))


def counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        return {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("trajectories", "steps", "file_edits", "originals", "steps_fts")
        }
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_pragmas(store: Store) -> None:
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert store.db.execute("pragma busy_timeout").fetchone()[0] >= 5000
    assert store.schema_version == len(MIGRATIONS)


@pytest.mark.sqlite_only
def test_tables(store: Store) -> None:
    names = set(store.db.table_names())
    assert {
        "meta",
        "trajectories",
        "steps",
        "file_edits",
        "annotators",
        "labels",
        "label_events",
        "suggestions",
        "originals",
        "steps_fts",
    } <= names


def test_insert_and_load_round_trip(store: Store) -> None:
    t = traj(3, 20)
    assert store.trajectories.add(t) == "imported"
    loaded = store.trajectories.get(t.id)
    assert loaded is not None
    assert loaded.to_dict() == t.to_dict()
    assert store.trajectories.get("nope") is None


def test_json_columns_keep_what_the_fast_encoder_refuses(store: Store) -> None:
    """Tool calls and metadata are written by orjson (`jsonio.dumps`), which refuses integers beyond 64
    bits: those go through the standard encoder and come back exactly, not as floats."""
    t = traj(3)
    huge = 123456789012345678901234567890
    call_step = next(s for s in t.steps if s.tool_calls)
    call_step.tool_calls[0].arguments["seed"] = huge
    call_step.metadata = {"tokens": huge, "note": "naïve ✓"}
    t.metadata["run"] = {"id": huge}
    store.trajectories.add(t)
    loaded = store.trajectories.get(t.id)
    assert loaded is not None
    back = next(s for s in loaded.steps if s.index == call_step.index)
    assert back.tool_calls[0].arguments["seed"] == huge and isinstance(back.tool_calls[0].arguments["seed"], int)
    assert back.metadata == {"tokens": huge, "note": "naïve ✓"}
    assert loaded.metadata["run"] == {"id": huge}
    assert loaded.content_dict() == t.content_dict()


def test_reimport_is_idempotent_and_conflicts_are_refused(store: Store) -> None:
    t = traj(1)
    assert store.trajectories.add(t) == "imported"
    assert store.trajectories.add(traj(1)) == "duplicate"
    changed = traj(1)
    changed.task.prompt = "something else"
    with pytest.raises(TrajectoryConflict, match="already stored with different content"):
        store.trajectories.add(changed)
    assert store.trajectories.get(t.id).task.prompt == t.task.prompt


def test_original_bytes_are_kept_compressed(store: Store) -> None:
    t = traj(2)
    original = json.dumps(trajectory(2, 8), indent=4).encode() + b"\n// extra bytes the canonical form drops\n" * 50
    doc = Document(Path("run.json"), original)
    store.trajectories.add(t, original=doc)
    assert store.trajectories.original(doc.sha256) == original
    stored = store.db.execute("select length(data), size from originals").fetchone()
    assert stored[1] == len(original) and stored[0] < len(original)
    assert zlib.decompress(store.db.execute("select data from originals").fetchone()[0]) == original


def test_a_failure_mid_insert_leaves_nothing_of_that_trajectory(store: Store, db_path: Path) -> None:
    store.trajectories.add(traj(0))
    before = counts(db_path)
    # A real constraint failure on the last table written: the whole trajectory must roll back.
    store.db.execute("create trigger refuse_edit before insert on file_edits begin select raise(abort, 'disk says no'); end")
    t = traj(5, 30)
    assert t.file_edits, "the fixture needs edits so the failure happens after steps were written"
    with pytest.raises(sqlite3.IntegrityError, match="disk says no"):
        store.trajectories.add(t, original=Document(Path("x.json"), b"{}"))
    assert counts(db_path) == before
    assert store.trajectories.get(t.id) is None


def test_full_text_search_finds_steps_and_takes_queries_literally(store: Store) -> None:
    t = traj(0, 10)
    t.steps[3].thinking = "I think the test must be wrong about the comma"
    store.trajectories.add(t)
    hits = store.trajectories.search("must be wrong")
    assert [(h.trajectory_id, h.step) for h in hits] == [(t.id, 3)]
    assert "\x02must\x03" in hits[0].snippet
    for hostile in ('"', "AND (", "NEAR(a b", "*", "col:x", "a OR", "'; drop table steps; --"):
        assert isinstance(store.trajectories.search(hostile), list)
    assert store.trajectories.count() == 1


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable reviewer project file"):
        Store(bogus)
    assert bogus.read_bytes() == b"this is not a database" * 100


def test_a_file_from_a_newer_reviewer_is_refused(db_path: Path) -> None:
    Store(db_path).close()
    db = Database(db_path)
    db.execute("update meta set value = '99' where key = 'schema_version'")
    db.conn.commit()
    db.close()
    with pytest.raises(StoreError, match="newer reviewer"):
        Store(db_path)


def test_migrations_take_a_backup_first(db_path: Path) -> None:
    with Store(db_path) as s:
        s.trajectories.add(traj(0))
    assert not list(db_path.parent.glob("*.bak-*"))

    def add_column(db: Database) -> None:
        db["trajectories"].add_column("priority", int)

    latest = len(MIGRATIONS)
    with Store(db_path, migrations=[*MIGRATIONS, add_column]) as s:
        assert s.schema_version == latest + 1
        assert s.backup_path is not None and s.backup_path.name.startswith(f"project.db.bak-v{latest}-")
        assert "priority" in s.db["trajectories"].columns_dict
    backup = Database(s.backup_path)
    assert backup.execute("select value from meta where key='schema_version'").fetchone()[0] == str(latest)
    assert backup.execute("select count(*) from trajectories").fetchone()[0] == 1
    assert "priority" not in backup["trajectories"].columns_dict


def test_a_failed_migration_leaves_the_file_at_its_old_version(db_path: Path) -> None:
    Store(db_path).close()

    def broken(db: Database) -> None:
        db["trajectories"].add_column("half_done", int)
        raise sqlite3.OperationalError("migration bug")

    with pytest.raises(StoreError):
        Store(db_path, migrations=[*MIGRATIONS, broken])
    with Store(db_path) as s:
        assert s.schema_version == len(MIGRATIONS)
        assert "half_done" not in s.db["trajectories"].columns_dict


def test_suggestions_are_replaced_per_rater(store: Store) -> None:
    from reviewer.model import EvidenceSpan, Suggestion
    from reviewer.store.listing import ListQuery

    t = traj(0)
    store.trajectories.add(t)
    span = EvidenceSpan(1, "text", 0, 3, t.steps[1].text[:3], "action", ["tests.edit"])
    first = [Suggestion(t.id, "detectors", "test_file_edited", ["tests.edit"], [span], "edits tests/test_x.py")]
    store.suggestions.replace(t.id, "detectors", first)
    store.suggestions.replace(
        t.id, "model:judge", [Suggestion(t.id, "model:judge", "full", ["tests.edit"], [], "r", verdict="cheat", intent=3)]
    )
    store.suggestions.replace(
        t.id, "detectors", first + [Suggestion(t.id, "detectors", "skip_added", ["tests.skip"], [], "adds skip")]
    )
    got = store.suggestions.all(trajectory_id=t.id)
    assert [(s.rater, s.source) for s in got] == [
        ("detectors", "test_file_edited"),
        ("detectors", "skip_added"),
        ("model:judge", "full"),
    ]
    assert got[0].evidence == [span] and got[2].verdict == "cheat" and got[2].intent == 3 and got[0].created_at
    assert [(r.id, r.n_flags) for r in store.listing.page(ListQuery(adjudicator=True), 0, 10)] == [
        (t.id, 3)
    ]  # the list's flag column
    store.suggestions.replace(t.id, "detectors", [])
    assert [s.rater for s in store.suggestions.all()] == ["model:judge"]


def test_iter_all_streams_every_trajectory_in_id_order(store: Store) -> None:
    added = [traj(i, 6 + i) for i in (3, 1, 2)]
    added[1].file_edits = []  # one without edits between two with
    for t in added:
        store.trajectories.add(t)
    streamed = list(store.trajectories.iter_all())
    assert [t.id for t in streamed] == sorted(t.id for t in added)
    assert [t.to_dict() for t in streamed] == [store.trajectories.get(t.id).to_dict() for t in streamed]
    assert [t.to_dict() for t in streamed] == [t.to_dict() for t in sorted(added, key=lambda t: t.id)]


def foreign_file(path: Path, application_id: int) -> bytes:
    """Another application's SQLite file (rollback journal, one table); returns its bytes."""
    conn = sqlite3.connect(path)
    conn.execute(f"pragma application_id = {application_id}")
    conn.execute("create table notes (body text)")
    conn.execute("insert into notes values ('theirs')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("application_id", [0x12345678, 0])
def test_another_applications_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path: Path, application_id: int) -> None:
    path = tmp_path / "theirs.sqlite"
    before = foreign_file(path, application_id)
    with pytest.raises(StoreError, match=f"^{path}: not a reviewer project file") as refused:
        Store(path)
    assert "\n" not in str(refused.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite"]


def test_a_file_with_our_meta_table_but_no_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "half.db"
    conn = sqlite3.connect(path)
    conn.execute("create table meta (key text primary key, value text)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="no reviewer schema version"):
        Store(path)


def test_new_files_are_stamped_and_older_projects_get_stamped_on_upgrade(db_path: Path, tmp_path: Path) -> None:
    with Store(db_path) as s:
        assert s.db.execute("pragma application_id").fetchone()[0] == APPLICATION_ID == int.from_bytes(b"RVWR", "big")
    older = tmp_path / "older.db"
    with Store(older, migrations=MIGRATIONS[:2]) as s:
        s.db.execute("pragma application_id = 0")  # as version 2 left files
        s.db.execute(
            "insert into trajectories(id, format, task_prompt, n_steps, n_edits, imported_at)"
            " values ('t', 'native', 'p', 0, 0, '2026')"
        )
    with Store(older) as s:
        assert s.schema_version == len(MIGRATIONS) and s.backup_path is not None
        assert s.db.execute("pragma application_id").fetchone()[0] == APPLICATION_ID
        assert s.trajectories.count() == 1


def test_edits_stored_before_version_4_upgrade_as_unknown_and_runs_as_none(db_path: Path) -> None:
    """Version 3 never checked an edit against its tool's result: after the upgrade its edits say
    `unknown`, not `applied`, and the trajectory reads back whole with no test runs."""
    with Store(db_path, migrations=MIGRATIONS[:3]) as s:
        s.db.execute(
            "insert into trajectories(id, format, task_prompt, n_steps, n_edits, imported_at)"
            " values ('t', 'native', 'p', 1, 1, '2026')"
        )
        s.db.execute("insert into steps(trajectory_id, idx, role, text) values ('t', 0, 'assistant', 'hi')")
        s.db.execute(
            "insert into file_edits(trajectory_id, ord, step, path, before, after, diff, source)"
            " values ('t', 0, 0, 'a.py', 'x', 'y', null, 'tool_call')"
        )
        s.db.conn.commit()
    with Store(db_path) as s:
        assert s.schema_version == len(MIGRATIONS) and s.backup_path is not None
        stored = s.trajectories.get("t")
        assert stored is not None and stored.test_runs == []
        assert [(e.path, e.before, e.after, e.source, e.op, e.status) for e in stored.file_edits] == [
            ("a.py", "x", "y", "tool_call", None, "unknown")
        ]


def test_the_search_index_catches_up_on_a_part_only_when_it_is_large_enough(tmp_path: Path) -> None:
    """What an import does while it waits for its workers: index the steps stored so far only when
    there are enough of them to be worth a segment of the index."""
    with Store(tmp_path / "p.db") as store:
        for i in range(3):
            store.trajectories.add(Trajectory.from_dict(trajectory(i, 10)))
        stored = store.db.execute("select count(*) from steps").fetchone()[0]
        assert store.trajectories.index_pending(at_least=stored + 1) == 0
        assert store.trajectories.index_pending(at_least=stored) == stored
        assert store.trajectories.index_pending() == 0
        assert {hit.trajectory_id for hit in store.trajectories.search("pytest")} == set(store.trajectories.ids())
