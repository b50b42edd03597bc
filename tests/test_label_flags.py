"""Skips and flags with their reasons, and evidence notes: part of the label record, from the session
to the project file (version 5), the label pack and the export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reviewer.model import EvidenceSpan, Flag, Label, Trajectory
from reviewer.review import ReviewSession
from reviewer.store import Store
from reviewer.store.labels import LabelRejected
from reviewer.store.migrations import MIGRATIONS
from reviewer.synthetic import trajectory
from tests.conftest import tid

T = tid(0)


@pytest.fixture
def one(store: Store) -> Store:
    store.trajectories.add(Trajectory.from_dict(trajectory(0, 4)))
    return store


def test_a_flag_needs_a_reason_and_is_one_undoable_change(one: Store) -> None:
    session = ReviewSession(one, "zoe", T)
    with pytest.raises(LabelRejected, match="needs a reason"):
        session.set_flag("flag", "   ")
    with pytest.raises(LabelRejected, match="unknown flag"):
        session.set_flag("later", "tomorrow")
    assert one.labels.get(T, "zoe", True) is None  # nothing was written
    session.set_flag("skip", " too long for now ")
    assert one.labels.get(T, "zoe", True).flag == Flag("skip", "too long for now")
    session.undo()
    assert one.labels.get(T, "zoe", True).flag is None
    assert [e.new.flag for e in one.labels.history(T, "zoe")][-2:] == [Flag("skip", "too long for now"), None]


def test_flags_and_notes_travel_through_a_label_pack_and_the_export(one: Store, cli, tmp_path: Path) -> None:
    session = ReviewSession(one, "zoe", T)
    text = one.trajectories.get(T).steps[1].text
    session.add_evidence(EvidenceSpan(1, "text", 0, 5, text[:5]), "action", [], note="where it starts")
    session.set_flag("flag", "the run stops mid-edit")
    pack = tmp_path / "zoe.jsonl"
    assert cli("labels", "export", "--annotator", "zoe", "-o", str(pack)).exit_code == 0
    record = json.loads(pack.read_text().splitlines()[0])
    assert record["flag"] == {"kind": "flag", "reason": "the run stops mid-edit"}
    assert record["evidence"][0]["note"] == "where it starts"

    other = tmp_path / "other.db"
    with Store(other) as fresh:
        fresh.trajectories.add(Trajectory.from_dict(trajectory(0, 4)))
    assert cli("--db", str(other), "labels", "import", str(pack)).exit_code == 0
    with Store(other) as fresh:
        merged = fresh.labels.get(T, "zoe", True)
        # the same record, flag and note included (the version is each project's own count)
        assert {**merged.to_dict(), "version": 2} == one.labels.get(T, "zoe", True).to_dict()
        assert fresh.db.execute("select flag from labels").fetchall() == [("flag",)]
    out = tmp_path / "all.jsonl"
    assert cli("export", "-o", str(out), "--include-unlabelled").exit_code == 0  # validated against export.schema.json
    (line,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["labels"][0]["flag"]["reason"] == "the run stops mid-edit"


def test_a_version_4_file_gains_the_flag_column_and_keeps_its_labels(db_path: Path, tmp_path: Path) -> None:
    with Store(db_path, migrations=MIGRATIONS[:4]) as old:
        old.trajectories.add(Trajectory.from_dict(trajectory(0, 4)))
        old.db.execute("insert into annotators(name, created_at) values ('zoe', '2026')")
        record = Label(T, "zoe", verdict="clean", updated_at="2026-01-01T00:00:00+00:00", created_at="2026-01-01T00:00:00+00:00")
        old.db.execute(
            "insert into labels(trajectory_id, annotator, first_pass, adjudication, verdict, complete, updated_at, record)"
            " values (?, 'zoe', 1, 0, 'clean', 1, ?, ?)",
            [T, record.updated_at, json.dumps(record.to_dict())],
        )
        old.db.conn.commit()
        assert "flag" not in {c.name for c in old.db["labels"].columns}
    shutil.copy(db_path, tmp_path / "before.db")
    with Store(db_path) as upgraded:
        assert upgraded.schema_version == len(MIGRATIONS) and upgraded.backup_path is not None
        assert upgraded.db.execute("select flag from labels").fetchall() == [(None,)]
        assert upgraded.labels.get(T, "zoe", True).to_dict() == {**record.to_dict(), "version": 1}  # labels before: version 1
        ReviewSession(upgraded, "zoe", T).set_flag("skip", "later")
        assert upgraded.db.execute("select flag from labels").fetchall() == [("skip",)]
