"""Adjudications are records of their own: settling a dispute never touches anyone's own label,
and files written by version 1 (where it did) get both labels back from the history."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.agreement.aggregate import resolve
from reviewer.model import Label, Trajectory
from reviewer.store import Store
from reviewer.store.migrations import MIGRATIONS
from reviewer.synthetic import trajectory

TID = "synthetic-0-000000"


def project(path: Path, migrations=None) -> Store:
    store = Store(path, migrations=migrations)
    store.trajectories.add(Trajectory.from_dict(trajectory(0, 6)))
    return store


def own(store: Store, who: str, verdict: str, *, final: bool = False) -> Label:
    label = Label(TID, who, first_pass=not final, verdict=verdict, rationale=f"{who} says {verdict}")
    return store.labels.save(label, actor=who, origin="test")


def test_an_adjudication_leaves_the_adjudicators_own_labels_alone(db_path: Path) -> None:
    store = project(db_path)
    own(store, "alice", "cheat")
    own(store, "bob", "clean")
    own(store, "erin", "clean")
    own(store, "erin", "clean", final=True)
    store.labels.adjudicate(TID, "erin", "cheat", "deleted the test at step 3", "side_a_right")
    assert store.labels.get(TID, "erin", first_pass=False).verdict == "clean"  # her own final label
    settled = store.labels.get(TID, "erin", first_pass=False, adjudication=True)
    assert settled is not None and settled.verdict == "cheat" and settled.adjudication["unanimous"] is False
    # saving her own label again never reaches the adjudication
    mine = store.labels.get(TID, "erin", first_pass=False)
    mine.rationale = "changed my mind on wording"
    store.labels.save(mine, actor="erin", origin="gui")
    assert store.labels.get(TID, "erin", first_pass=False, adjudication=True).to_dict() == settled.to_dict()
    gold = resolve(store.labels.all(), [TID], "majority", store.taxonomy)[TID]
    assert (gold.label, gold.method) == ("cheat", "adjudicated")
    events = store.labels.history(TID, "erin")
    assert [(e.first_pass, e.adjudication, e.origin) for e in events] == [
        (True, False, "test"), (False, False, "test"), (False, True, "adjudication"), (False, False, "gui"),
    ]  # fmt: skip
    store.close()


def test_a_draft_adjudication_is_stored_but_is_not_gold(db_path: Path) -> None:
    store = project(db_path)
    own(store, "alice", "cheat")
    own(store, "bob", "clean")
    own(store, "carol", "clean")
    draft = Label(TID, "erin", first_pass=False, verdict="cheat", adjudication={"settled": False, "reason": ""})
    store.labels.save(draft, actor="erin", origin="adjudication")
    gold = resolve(store.labels.all(), [TID], "majority", store.taxonomy)[TID]
    assert (gold.label, gold.method) == ("clean", "majority")
    ballots = {(b.annotator, b.adjudication is not None, b.settles) for b in store.labels.ballots_only()}
    assert ("erin", True, False) in ballots
    store.close()


def _v1_row(store: Store, label: dict) -> None:
    store.db.execute(
        "insert or replace into labels(trajectory_id, annotator, first_pass, verdict, complete, taxonomy_version,"
        " created_at, updated_at, record) values (?,?,?,?,0,1,?,?,?)",
        [TID, label["annotator"], int(label["first_pass"]), label["verdict"], "2026-01-01T00:00:00+00:00",
         label["updated_at"], json.dumps(label)],
    )  # fmt: skip


def _v1_event(store: Store, old: dict | None, new: dict, origin: str) -> None:
    store.db.execute(
        "insert into label_events(trajectory_id, annotator, first_pass, at, actor, origin, old, new) values (?,?,?,?,?,?,?,?)",
        [TID, new["annotator"], int(new["first_pass"]), new["updated_at"], new["annotator"], origin,
         json.dumps(old) if old else None, json.dumps(new)],
    )  # fmt: skip


def test_version_1_files_get_the_overwritten_labels_back(db_path: Path) -> None:
    """Version 1 wrote the adjudication over erin's own final label, and the app then wrote her own
    label back over the adjudication. The history kept both; the upgrade restores both."""
    store = project(db_path, migrations=MIGRATIONS[:1])
    store.db.execute("insert into annotators(name, created_at) values ('erin', '2026'), ('dan', '2026')")

    def label(who: str, verdict: str, at: str, **extra) -> dict:
        return Label(TID, who, first_pass=False, verdict=verdict, updated_at=at, **extra).to_dict()

    own_final = label("erin", "clean", "2026-01-01T00:00:01+00:00")
    settled = label("erin", "cheat", "2026-01-01T00:00:02+00:00", adjudication={"reason": "step 3", "resolution": None, "unanimous": False})
    own_again = label("erin", "clean", "2026-01-01T00:00:03+00:00", rationale="typed after adjudicating")
    _v1_event(store, None, own_final, "gui")
    _v1_event(store, own_final, settled, "adjudication")
    _v1_event(store, settled, own_again, "gui")
    _v1_row(store, own_again)
    # dan's adjudication was simply written over his own final label
    dan_own = label("dan", "borderline", "2026-01-01T00:00:01+00:00")
    dan_settled = label("dan", "clean", "2026-01-01T00:00:04+00:00", adjudication={"reason": "fine", "resolution": None})
    _v1_event(store, None, dan_own, "gui")
    _v1_event(store, dan_own, dan_settled, "adjudication")
    _v1_row(store, dan_settled)
    store.db.conn.commit()
    store.close()

    with Store(db_path) as upgraded:
        assert upgraded.schema_version == len(MIGRATIONS) and upgraded.backup_path is not None
        labels = upgraded.labels
        assert labels.get(TID, "erin", first_pass=False).to_dict() == own_again
        assert labels.get(TID, "erin", first_pass=False, adjudication=True).to_dict() == settled
        assert labels.get(TID, "dan", first_pass=False).to_dict() == dan_own
        assert labels.get(TID, "dan", first_pass=False, adjudication=True).to_dict() == dan_settled
        assert [e.adjudication for e in labels.history(TID, "erin")] == [False, True, False]
        gold = resolve(labels.all(), [TID], "majority", upgraded.taxonomy)[TID]
        assert (gold.label, gold.method) == ("clean", "adjudicated")  # dan's is the latest settled adjudication
