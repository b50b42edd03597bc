"""Planned work: batches of review slots and claims, on both backends, with real processes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from reviewer.errors import ReviewerError
from reviewer.model import Label, Trajectory
from reviewer.store import Store
from reviewer.store.listing import ListQuery
from reviewer.store.slots import parse_lease
from reviewer.synthetic import trajectory
from tests.conftest import Cli, tid

BOTH_BACKENDS = True  # the tests using `store` or `project_location` alone run on SQLite and PostgreSQL (tests/conftest.py)
DAY = timedelta(days=1)
NO_GOLD = {"gold": 0, "verdict": 0, "codes": 0, "verdict_rate": None, "codes_rate": None}


def items(store: Store, n: int) -> list[str]:
    for i in range(n):
        store.trajectories.add(Trajectory.from_dict(trajectory(i, 2)))
    return [tid(i) for i in range(n)]


def label(store: Store, trajectory_id: str, who: str) -> None:
    store.labels.save(Label(trajectory_id, who, first_pass=True, verdict="clean"), actor=who, origin="test")


def test_a_plan_is_overlap_slots_per_item_in_an_order_fixed_by_the_seed(store: Store) -> None:
    ids = items(store, 6)
    assert store.slots.create_batch("a", ids, overlap=3, lease=DAY, seed=7) == 18
    assert store.slots.create_batch("b", list(reversed(ids)), overlap=3, lease=DAY, seed=7) == 18
    plan = {
        b: [r[0] for r in store.db.execute("select trajectory_id from slots where batch = ? order by position, slot", [b])]
        for b in "ab"
    }
    assert plan["a"] == plan["b"] and Counter(plan["a"]) == dict.fromkeys(ids, 3)
    with pytest.raises(ReviewerError, match="exists already"):
        store.slots.create_batch("a", ids, overlap=1, lease=DAY, seed=0)
    with pytest.raises(ReviewerError, match="unknown trajectory 'nope'"):
        store.slots.create_batch("c", [*ids, "nope"], overlap=1, lease=DAY, seed=0)


def test_claims_go_to_the_open_item_first_then_on_and_never_twice_to_one_reviewer(store: Store) -> None:
    ids = items(store, 2)
    store.slots.create_batch("b", ids, overlap=2, lease=DAY, seed=0)
    first = store.slots.claim("alice", "b")
    assert first is not None
    again = store.slots.claim("alice", "b")  # not labelled yet: the same slot, its lease renewed
    assert again is not None and (again.trajectory_id, again.slot) == (first.trajectory_id, first.slot)
    label(store, first.trajectory_id, "alice")
    second = store.slots.claim("alice", "b")
    assert second is not None and second.trajectory_id != first.trajectory_id
    label(store, second.trajectory_id, "alice")
    assert store.slots.claim("alice", "b") is None  # both items hers: the other slots are for others
    assert store.slots.claim("bob", "b") is not None
    assert sorted(len(v) for v in store.slots.holders("b").values()) == [1, 2]


def test_the_database_refuses_a_reviewer_twice_on_one_item(store: Store) -> None:
    ids = items(store, 1)
    store.slots.create_batch("b", ids, overlap=2, lease=DAY, seed=0)
    store.slots.claim("alice", "b")
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        with store.db.writing():
            store.db.execute("update slots set annotator = 'alice' where annotator is null")


def test_an_expired_lease_is_reclaimed_and_the_late_label_still_counts(store: Store) -> None:
    ids = items(store, 1)
    store.slots.create_batch("b", ids, overlap=1, lease=timedelta(minutes=30), seed=0)
    claimed = store.slots.claim("alice", "b")
    assert claimed is not None and store.slots.claim("bob", "b") is None  # alice holds it
    later = datetime.now(UTC) + timedelta(hours=1)
    taken = store.slots.claim("bob", "b", now=later)
    assert taken is not None and taken.trajectory_id == claimed.trajectory_id
    label(store, claimed.trajectory_id, "alice")  # alice comes back: her label is kept all the same
    assert {lb.annotator for lb in store.labels.all(trajectory_id=claimed.trajectory_id)} == {"alice"}
    assert store.slots.holders("b") == {claimed.trajectory_id: ["bob"]}


def test_renew_extends_the_lease_of_an_open_item_only_while_it_is_the_reviewers(store: Store) -> None:
    """What the app calls while an item is open: the lease starts again, so nobody takes it meanwhile."""
    ids = items(store, 2)
    store.slots.create_batch("b", ids, overlap=1, lease=timedelta(minutes=30), seed=0)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    claimed = store.slots.claim("alice", "b", now=start)
    assert claimed is not None and claimed.lease_until == "2026-01-01T09:30:00.000000Z"
    assert store.slots.renew("alice", claimed.trajectory_id, now=start + timedelta(minutes=25)) == "2026-01-01T09:55:00.000000Z"
    assert store.slots.claim("bob", "b", now=start + timedelta(minutes=40)) is not None  # the other item: alice's is held
    assert store.slots.holders("b")[claimed.trajectory_id] == ["alice"]
    assert store.slots.renew("bob", claimed.trajectory_id, now=start) is None  # not his
    taken = store.slots.claim("carol", "b", now=start + timedelta(hours=2))  # alice's lease ran out: carol takes it
    assert taken is not None and taken.trajectory_id == claimed.trajectory_id
    assert store.slots.renew("alice", claimed.trajectory_id, now=start + timedelta(hours=2)) is None
    label(store, taken.trajectory_id, "carol")
    assert store.slots.renew("carol", taken.trajectory_id) is None  # labelled: nothing left to hold


def test_a_renewed_lease_keeps_the_slot_and_an_unrenewed_one_runs_out(store: Store) -> None:
    """The app renews the open slot's lease (`renew`): renewed from a moment, it runs a whole lease from
    then; a slot the reviewer does not hold is not theirs to renew."""
    ids = items(store, 2)
    store.slots.create_batch("b", ids, overlap=1, lease=timedelta(minutes=30), seed=0)
    claimed = store.slots.claim("alice", "b")
    assert claimed is not None
    start = datetime.now(UTC)
    renewed = store.slots.renew("alice", claimed.trajectory_id, now=start + timedelta(minutes=20))
    assert renewed is not None and datetime.fromisoformat(renewed) == start + timedelta(minutes=50)
    assert store.slots.claim("bob", "b", now=start + timedelta(minutes=40)).trajectory_id != claimed.trajectory_id  # type: ignore[union-attr]
    other = next(t for t in ids if t != claimed.trajectory_id)
    assert store.slots.renew("alice", other) is None  # bob's
    assert store.slots.renew("alice", "nope") is None
    taken = store.slots.claim("carol", "b", now=start + timedelta(minutes=51))  # no renewal since: it ran out
    assert taken is not None and taken.trajectory_id == claimed.trajectory_id
    assert store.slots.renew("alice", claimed.trajectory_id) is None  # no longer hers
    label(store, claimed.trajectory_id, "carol")
    assert store.slots.renew("carol", claimed.trajectory_id) is None  # labelled: finished, nothing to keep


def test_my_slots_list_and_what_is_left_to_claim(store: Store) -> None:
    """The app's "My slots" queue lists the items the reviewer holds a slot of; `open_to` counts the
    items they could still claim, by the claim's own rule (not theirs twice, not a full item)."""
    ids = items(store, 4)
    q = ListQuery(annotator="alice", queue="slots")
    assert not store.slots.has_batches() and store.listing.count(q) == 0
    store.slots.create_batch("b", ids[:3], overlap=2, lease=DAY, seed=0)
    assert store.slots.has_batches() and store.slots.open_to("alice") == 3
    first = store.slots.claim("alice", "b")
    assert first is not None
    assert [r.id for r in store.listing.rows(q)] == [first.trajectory_id] and store.slots.open_to("alice") == 2
    for who in ("bob", "carol", "dave", "erin"):  # the other three items' slots all taken but one
        taken = store.slots.claim(who, "b")
        assert taken is not None
        label(store, taken.trajectory_id, who)
    assert sorted(len(h) for h in store.slots.holders("b").values()) == [1, 2, 2]  # the first full, as planned
    assert store.slots.open_to("alice") == 1  # alice's own item (full) and the other full one are not open to her
    label(store, first.trajectory_id, "alice")
    assert store.listing.progress(q)["not started"] == 0 and store.listing.count(q) == 1


def test_released_slots_go_to_others_and_status_counts_what_is_stored(store: Store) -> None:
    ids = items(store, 3)
    store.slots.create_batch("b", ids, overlap=2, lease=DAY, seed=0)
    done = store.slots.claim("alice", "b")
    assert done is not None
    label(store, done.trajectory_id, "alice")
    held = store.slots.claim("alice", "b")
    assert held is not None and store.slots.claim("bob", "b") is not None
    assert store.slots.status("b").to_dict() == {
        "batch": "b", "items": 3, "items_done": 0, "open_slots": 3, "over_coverage": 0,
        "reviewers": [
            {"annotator": "alice", "slots": 2, "labelled": 1, "calibration": NO_GOLD, "beyond": 0},
            {"annotator": "bob", "slots": 1, "labelled": 0, "calibration": NO_GOLD, "beyond": 0},
        ],
    }  # fmt: skip
    assert store.slots.release("alice", "b") == 1  # the labelled slot stays hers
    assert store.slots.status("b").open_slots == 4
    assert store.slots.holders("b")[done.trajectory_id][:1] == ["alice"]
    with pytest.raises(ReviewerError, match="no batch 'nope'"):
        store.slots.release("alice", "nope")


def test_queue_next_on_the_command_line(project_location: Path | str, tmp_path: Path) -> None:
    with Store(project_location) as store:
        items(store, 2)
    cli = Cli(Path("unused"))
    made = cli("--db", str(project_location), "batch", "create", "b", "--overlap", "1", "--lease", "2h", "--seed", "3")
    assert made.exit_code == 0 and "2 slots" in made.output
    claimed = cli("--db", str(project_location), "queue", "next", "--annotator", "alice", "--json")
    assert claimed.exit_code == 0 and set(json.loads(claimed.output)) == {
        "trajectory_id",
        "batch",
        "slot",
        "lease_until",
    }
    assert cli("--db", str(project_location), "queue", "next", "--annotator", "alice", "--batch", "nope").exit_code == 1
    bad = cli("--db", str(project_location), "batch", "create", "c", "--overlap", "1", "--lease", "soon")
    assert bad.exit_code == 1 and "lease 'soon'" in bad.output
    status = cli("--db", str(project_location), "batch", "status", "b", "--json")
    assert json.loads(status.output)["reviewers"] == [
        {"annotator": "alice", "slots": 1, "labelled": 0, "calibration": NO_GOLD, "beyond": 0}
    ]
    assert "released 1 slots of alice" in cli("--db", str(project_location), "queue", "release", "--annotator", "alice").output


@pytest.mark.sqlite_only
def test_renewing_an_item_not_held_waits_for_no_writer(store: Store) -> None:
    """The app asks to renew every item it opens; one the reviewer holds no slot of must not queue
    behind another process's write (an import holding the file's lock for seconds)."""
    ids = items(store, 2)
    store.slots.create_batch("b", ids[:1], overlap=1, lease=DAY, seed=0)
    other = sqlite3.connect(str(store.path))
    other.execute("begin immediate")  # another process writing
    try:
        started = datetime.now(UTC)
        assert store.slots.renew("alice", ids[1]) is None and store.slots.renew("alice", ids[0]) is None
        assert datetime.now(UTC) - started < timedelta(seconds=2)  # the busy timeout is far longer
    finally:
        other.rollback()
        other.close()


def test_a_name_no_label_could_carry_claims_nothing(store: Store) -> None:
    """The label schema's rule on names, said before a server's index refuses a name of thousands of bytes."""
    store.slots.create_batch("b", items(store, 1), overlap=1, lease=DAY, seed=0)
    for name in ("".join(f"{k:04x}" for k in range(1500)), "ali\tce", ""):
        with pytest.raises(ReviewerError, match="annotator name: 1 to 128 characters"):
            store.slots.claim(name, "b")
    assert store.slots.holders("b") == {}


def test_lease_durations() -> None:
    assert parse_lease("24h") == DAY and parse_lease("90s") == timedelta(seconds=90) and parse_lease("2d") == 2 * DAY
    for bad in ("", "h", "0h", "1.5h", "-1h", "3w"):
        with pytest.raises(ReviewerError):
            parse_lease(bad)


STORM = textwrap.dedent(
    """
    import sys
    from reviewer.model import Label
    from reviewer.store import Store
    location, who = sys.argv[1], sys.argv[2]
    claims = 0
    with Store(location) as store:
        while (claim := store.slots.claim(who, "storm")) is not None:
            claims += 1
            label = Label(claim.trajectory_id, who, first_pass=True, verdict="clean")
            store.labels.save(label, actor=who, origin="storm")
    print(claims)
    """
)


def test_claim_storm_six_reviewers_two_processes_each(project_location: Path | str) -> None:
    """Acceptance test 1 of #18: 300 items x overlap 3 claimed by 6 reviewers in 12 processes: every
    item exactly 3 distinct reviewers, nobody twice, 900 claims."""
    with Store(project_location) as store:
        ids = items(store, 300)
        store.slots.create_batch("storm", ids, overlap=3, lease=DAY, seed=1)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", STORM, str(project_location), f"r{k}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(6)
        for _ in range(2)
    ]
    outcomes = [(run.wait(300), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0] * 12, [err for _, _, err in outcomes if err][:1]
    with Store(project_location) as store:
        holders = store.slots.holders("storm")
        assert len(holders) == 300 and all(len(set(v)) == len(v) == 3 for v in holders.values())
        assert store.db.execute("select count(*) from slots where annotator is null").fetchone()[0] == 0
        assert len(store.labels.all()) == 900


KILLED_LABELLER = textwrap.dedent(
    """
    import sys
    from reviewer.model import Label
    from reviewer.store import Store
    location, trajectory_id = sys.argv[1], sys.argv[2]
    with Store(location) as store:
        label = Label(trajectory_id, "alice", first_pass=True, version=0)
        for k in range(10_000):  # a reviewer typing: every change saved at once, as the app does
            label.rationale = f"edit {k}"
            label = store.labels.save(label, actor="alice", origin="test")
            print(k, flush=True)
    """
)


def test_kill_9_mid_edit_the_lease_runs_out_and_the_late_label_is_over_coverage(project_location: Path | str) -> None:
    """Acceptance test 4 of #18: alice's labelling process is killed (SIGKILL) mid-edit. Nothing she
    saved is lost; her lease runs out and bob claims the slot; her late label (unfinished: no verdict)
    is kept and `batch status` reports it as over-coverage, a first pass beyond the plan."""
    with Store(project_location) as store:
        (tid0,) = items(store, 1)
        store.slots.create_batch("b", [tid0], overlap=1, lease=timedelta(minutes=30), seed=0)
        assert store.slots.claim("alice", "b") is not None
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_LABELLER, str(project_location), tid0], stdout=subprocess.PIPE, text=True
    )
    reported = -1
    try:
        assert child.stdout is not None
        for line in child.stdout:
            reported = int(line)
            if reported >= 20:
                break
    finally:
        child.kill()  # no atexit, no flush, no clean close
        child.wait()
    assert child.returncode == -9 and reported >= 20
    with Store(project_location) as store:
        kept = store.labels.get(tid0, "alice", True)
        assert kept is not None and int(kept.rationale.split()[1]) >= reported  # type: ignore[union-attr]
        rationales = {e.new.rationale for e in store.labels.history(tid0, "alice") if e.new is not None}
        assert all(f"edit {k}" in rationales for k in range(reported + 1))
        assert store.slots.claim("bob", "b") is None  # alice's lease still runs
        taken = store.slots.claim("bob", "b", now=datetime.now(UTC) + timedelta(hours=1))
        assert taken is not None and taken.trajectory_id == tid0 and store.slots.holders("b") == {tid0: ["bob"]}
        kept.verdict = "cheat"  # alice comes back: her label is accepted all the same
        store.labels.save(kept, actor="alice", origin="test")
        label(store, tid0, "bob")
        status = store.slots.status("b").to_dict()
    assert (status["items_done"], status["over_coverage"]) == (1, 1)
    reviewers = {r["annotator"]: (r["slots"], r["labelled"], r["beyond"]) for r in status["reviewers"]}  # type: ignore[attr-defined]
    assert reviewers == {"alice": (0, 0, 1), "bob": (1, 1, 0)}
    said = Cli(Path("unused"))("--db", str(project_location), "batch", "status", "b")
    assert (
        "1 first passes beyond the plan (over-coverage)" in said.output
        and "alice: 0 of 0 slots labelled; 1 without a slot" in said.output
    )
