"""Adjudications are records of their own: settling a dispute never touches anyone's own label,
and files written by version 1 (where it did) get both labels back from the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.adjudication import AdjudicationSession, refusal
from reviewer.agreement.aggregate import resolve
from reviewer.model import EvidenceSpan, Label, Trajectory
from reviewer.spans import source_text
from reviewer.store import Store
from reviewer.store.labels import LabelRejected
from reviewer.store.migrations import MIGRATIONS
from reviewer.synthetic import trajectory

BOTH_BACKENDS = True  # the tests using `store` alone run on SQLite and PostgreSQL (tests/conftest.py)

TID = "synthetic-0-000000"


def project(path: Path) -> Store:
    store = Store(path)
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
    store = Store(db_path, migrations=MIGRATIONS[:1])  # a version 1 file, written as version 1 wrote it
    store.db.execute(
        "insert into trajectories(id, format, task_prompt, n_steps, n_edits, imported_at)"
        " values (?, 'native', 'p', 0, 0, '2026')",
        [TID],
    )
    store.db.execute("insert into annotators(name, created_at) values ('erin', '2026'), ('dan', '2026')")

    def label(who: str, verdict: str, at: str, **extra) -> dict:
        return Label(TID, who, first_pass=False, verdict=verdict, updated_at=at, **extra).to_dict()

    own_final = label("erin", "clean", "2026-01-01T00:00:01+00:00")
    settled = label(
        "erin", "cheat", "2026-01-01T00:00:02+00:00", adjudication={"reason": "step 3", "resolution": None, "unanimous": False}
    )
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
        v1 = {"version": 1}  # every label stored before versions is version 1
        assert labels.get(TID, "erin", first_pass=False).to_dict() == {**own_again, **v1}
        assert labels.get(TID, "erin", first_pass=False, adjudication=True).to_dict() == {**settled, **v1}
        assert labels.get(TID, "dan", first_pass=False).to_dict() == {**dan_own, **v1}
        assert labels.get(TID, "dan", first_pass=False, adjudication=True).to_dict() == {**dan_settled, **v1}
        assert [e.adjudication for e in labels.history(TID, "erin")] == [False, True, False]
        gold = resolve(labels.all(), [TID], "majority", upgraded.taxonomy)[TID]
        assert (gold.label, gold.method) == ("clean", "adjudicated")  # dan's is the latest settled adjudication


# --- the adjudication session (Qt-free) ------------------------------------------------------


def disputed(store: Store) -> tuple[Label, Label]:
    run = store.trajectories.get(TID)
    text = source_text(run, 1, "text")
    span = EvidenceSpan(1, "text", 0, 5, text[0:5], role="action", codes=["tests.skip"])
    alice = Label(TID, "alice", verdict="cheat", categories=["tests.skip"], intent=3, disclosure="silent", severity=2,
                  rationale="skipped the failing test", evidence=[span])  # fmt: skip
    bob = Label(TID, "bob", verdict="clean", rationale="a legitimate fix")
    return (store.labels.save(alice, actor="alice", origin="test"), store.labels.save(bob, actor="bob", origin="test"))


def test_fields_are_picked_from_reviewers_and_settled_only_when_complete(db_path: Path) -> None:
    store = project(db_path)
    alice, bob = disputed(store)
    session = AdjudicationSession(store, "carol", TID)
    assert session.refused is None and [lb.annotator for lb in session.reviewers()] == ["alice", "bob"]
    assert store.labels.get(TID, "carol", False, adjudication=True) is None  # opening writes nothing
    session.pick("verdict", alice)
    stored = store.labels.get(TID, "carol", False, adjudication=True)
    assert stored.verdict == "cheat" and stored.adjudication["settled"] is False and not stored.settles
    with pytest.raises(LabelRejected, match="reason is required"):
        session.settle()
    for name in ("categories", "intent", "disclosure", "severity", "evidence"):
        session.pick(name, alice)
    session.pick("rationale", bob)
    session.set_reason("the skip hides a failing test: hard case 2")
    session.set_resolution("side_a_right")
    assert session.missing() == []
    session.settle()
    settled = store.labels.get(TID, "carol", False, adjudication=True)
    assert settled.settles and settled.evidence == alice.evidence and settled.rationale == bob.rationale
    assert settled.adjudication == {"reason": "the skip hides a failing test: hard case 2", "resolution": "side_a_right",
                                    "settled": True, "unanimous": False}  # fmt: skip
    assert settled.complete
    gold = resolve(store.labels.all(), [TID], "majority", store.taxonomy)[TID]
    assert (gold.label, gold.method) == ("cheat", "adjudicated")
    # an edit that leaves it incomplete makes it a draft again; undo restores the settled label
    session.set_field("categories", [])
    assert not store.labels.get(TID, "carol", False, adjudication=True).settles
    session.undo()
    assert store.labels.get(TID, "carol", False, adjudication=True).settles
    # the reviewers' own labels were never touched
    assert store.labels.get(TID, "alice", True).to_dict() == alice.to_dict()
    assert store.labels.get(TID, "bob", True).to_dict() == bob.to_dict()
    store.close()


def test_opening_pausing_and_reopening_never_write_an_adjudication(db_path: Path) -> None:
    store = project(db_path)
    alice, _bob = disputed(store)
    session = AdjudicationSession(store, "carol", TID)
    session.pick_all(alice)
    before = store.labels.get(TID, "carol", False, adjudication=True).to_dict()
    events = len(store.labels.history(TID, "carol"))
    session.pause()
    session.resume()
    session.pause()
    again = AdjudicationSession(store, "carol", TID)  # navigation away and back, or a restart
    assert again.label.to_dict() == before and again.label.content() == alice.content()
    assert store.labels.get(TID, "carol", False, adjudication=True).to_dict() == before
    assert len(store.labels.history(TID, "carol")) == events
    store.close()


def test_who_may_settle(db_path: Path) -> None:
    store = project(db_path)
    disputed(store)
    assert refusal(store, "carol", TID) is None
    assert "part of" in refusal(store, "alice", TID)
    with pytest.raises(LabelRejected, match="part of"):
        AdjudicationSession(store, "alice", TID).set_field("verdict", "cheat")
    store.settings.set_allow_self_adjudication(True)
    assert refusal(store, "alice", TID) is not None and "still blind" in refusal(store, "alice", TID)
    store.labels.save(Label(TID, "alice", first_pass=False, verdict="cheat"), actor="alice", origin="test")
    assert refusal(store, "alice", TID) is None  # her own pass is frozen: the project allows her to settle
    store.settings.set_adjudicators(["dan", " erin ", ""])
    assert store.settings.adjudication.adjudicators == ("dan", "erin")
    assert "not one of this project's adjudicators" in refusal(store, "carol", TID)
    assert refusal(store, "erin", TID) is None
    store.close()


def test_an_unknown_resolution_is_refused(db_path: Path) -> None:
    store = project(db_path)
    disputed(store)
    session = AdjudicationSession(store, "carol", TID)
    with pytest.raises(LabelRejected, match="unknown resolution"):
        session.set_resolution("side_c_right")
    assert store.labels.get(TID, "carol", False, adjudication=True) is None
    store.close()


def test_a_label_pack_carries_an_adjudication_apart_from_the_own_label(db_path: Path, tmp_path: Path) -> None:
    """erin's own final label and her adjudication travel in one pack and land in their own places."""
    from reviewer.importer import Importer
    from reviewer.labelpack import write_labels

    source = project(db_path)
    disputed(source)
    own(source, "erin", "clean")
    own(source, "erin", "clean", final=True)
    source.labels.adjudicate(TID, "erin", "cheat", "alice was right", "side_a_right")
    pack = tmp_path / "erin.jsonl"
    pack.write_text("".join(write_labels(source.labels.all(annotator="erin"))), encoding="utf-8")
    sent = {lb.key: lb.to_dict() for lb in source.labels.all(annotator="erin")}
    source.close()

    target = project(tmp_path / "other.db")
    report = Importer(target, labels_only=True, max_bytes=10_000_000).run([pack])
    assert report.ok and report.totals()["labels_added"] == 3
    received = {lb.key: lb.to_dict() for lb in target.labels.all(annotator="erin")}
    assert received == sent and len(received) == 3
    assert Importer(target, labels_only=True, max_bytes=10_000_000).run([pack]).totals()["labels_unchanged"] == 3  # idempotent
    target.close()


def test_unanimous_counts_the_humans_current_votes(db_path: Path) -> None:
    """A reviewer who changed their mind after the reveal votes with the final label; models and
    detectors do not vote: the same votes as the gold label and the disputed queue."""
    store = project(db_path)
    own(store, "alice", "cheat")
    own(store, "bob", "clean")
    assert not store.labels.unanimous(TID)
    own(store, "bob", "cheat", final=True)  # bob's final label agrees with alice
    store.labels.save(Label(TID, "model:judge", verdict="clean"), actor="judge", origin="test")
    assert store.labels.unanimous(TID)
    store.close()
