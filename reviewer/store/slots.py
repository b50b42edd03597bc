"""Planned work: batches of review slots, claimed by reviewers one statement at a time.

A batch plans `overlap` slots per trajectory (N distinct reviewers each). `claim` gives a reviewer
their next slot: the one they already hold and have not labelled (its lease renewed), else the
first open slot in the batch's order (unclaimed, or claimed by someone whose lease expired without
a label) of an item they hold no slot of. The claim is one UPDATE ... RETURNING inside a write
transaction (writers take turns on both backends), and "one reviewer, one slot per item and batch"
is a unique constraint of the table: no path that writes slots, this one or a later one, can give a
reviewer an item twice. Counts (`status`) are queries over the slots and labels, never stored counters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reviewer.errors import ReviewerError
from reviewer.store.connection import Db
from reviewer.store.dialect import Dialect
from reviewer.store.trajectories import now_iso


def batches_ddl(dialect: Dialect) -> str:
    key = 'text collate "C"' if dialect.postgres else "text"
    return (
        f"create table batches (name {key} primary key, overlap bigint not null, lease_seconds bigint not null,"
        " seed bigint, created_at text not null)"
    )


def slots_ddl(dialect: Dialect) -> str:
    key = 'text collate "C"' if dialect.postgres else "text"
    return (
        f"create table slots (batch {key} not null references batches(name),"
        f" trajectory_id {key} not null references trajectories(id), slot bigint not null, position bigint not null,"
        f" annotator {key}, claimed_at text, lease_until text, primary key (batch, trajectory_id, slot))"
    )


SLOTS_UNIQUE = "create unique index slots_one_per_reviewer on slots (batch, trajectory_id, annotator)"
SLOTS_INDEX = "create index slots_order on slots (batch, position, slot)"


def slots_schema(dialect: Dialect) -> list[str]:
    """The DDL of schema step 5 (both backends): batches, slots and their constraints."""
    return [batches_ddl(dialect), slots_ddl(dialect), SLOTS_UNIQUE, SLOTS_INDEX]


class UnknownBatch(ReviewerError):
    pass


@dataclass(frozen=True, slots=True)
class Claim:
    trajectory_id: str
    batch: str
    slot: int
    lease_until: str

    def to_dict(self) -> dict[str, object]:
        return {"trajectory_id": self.trajectory_id, "batch": self.batch, "slot": self.slot, "lease_until": self.lease_until}


@dataclass(frozen=True, slots=True)
class BatchStatus:
    name: str
    items: int
    items_done: int  # every slot of the item claimed and labelled by its reviewer
    open_slots: int  # nobody holds them
    reviewers: list[tuple[str, int, int]]  # (reviewer, slots held, of those labelled)

    def to_dict(self) -> dict[str, object]:
        return {
            "batch": self.name, "items": self.items, "items_done": self.items_done, "open_slots": self.open_slots,
            "reviewers": [{"annotator": who, "slots": n, "labelled": done} for who, n, done in self.reviewers],
        }  # fmt: skip


def parse_lease(text: str) -> timedelta:
    """`24h`, `30m`, `90s`, `2d` as a duration (a bad one raises ReviewerError saying what is read)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) == 0:
        raise ReviewerError(f"lease {text!r}: a whole number of s, m, h or d (24h, 30m)")
    return timedelta(seconds=int(number) * units[unit])


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _labelled(slot: str) -> str:
    """Whether the reviewer of slot row `slot` labelled its item: a slot is finished then."""
    return f"exists (select 1 from labels l where l.trajectory_id = {slot}.trajectory_id and l.annotator = {slot}.annotator)"


# A slot row `s` open to reviewer :who: nobody holds it (or its lease ran out without a label), and
# :who holds no slot of its item in its batch.
_OPEN_TO_WHO = (
    f"(s.annotator is null or (s.lease_until < :now and not {_labelled('s')}))"
    " and not exists (select 1 from slots o where o.batch = s.batch and o.trajectory_id = s.trajectory_id"
    " and o.annotator = :who)"
)
# Slots the reviewer may take, best first: their own unlabelled one, then open ones of items they hold none of.
_PICK = (
    "select s.batch, s.trajectory_id, s.slot from slots s where (cast(:batch as text) is null or s.batch = :batch) and ("
    f"  (s.annotator = :who and not {_labelled('s')}) or ({_OPEN_TO_WHO})"
    ") order by case when s.annotator = :who then 0 else 1 end, s.batch, s.position, s.slot limit 1"
)
_CLAIM = (
    "update slots set annotator = :who, lease_until = :until,"
    " claimed_at = case when annotator = :who then claimed_at else :now end"
    f" where (batch, trajectory_id, slot) = ({_PICK}) returning trajectory_id, batch, slot, lease_until"
)


class SlotRepository:
    def __init__(self, db: Db):
        self.db = db

    def create_batch(self, name: str, trajectory_ids: list[str], *, overlap: int, lease: timedelta, seed: int) -> int:
        """Plan `overlap` slots for each trajectory, in an order shuffled by `seed` (same seed, same plan);
        returns the slots planned."""
        if overlap < 1:
            raise ReviewerError(f"--overlap must be at least 1, not {overlap}")
        order = sorted(set(trajectory_ids))
        random.Random(seed).shuffle(order)
        with self.db.writing():
            if self.db.execute("select 1 from batches where name = ?", [name]).fetchone():
                raise ReviewerError(f"batch {name!r} exists already")
            known = {row[0] for row in self.db.execute("select id from trajectories")}
            missing = [t for t in order if t not in known]
            if missing:
                raise ReviewerError(
                    f"unknown trajectory {missing[0]!r}" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
                )
            self.db.execute(
                "insert into batches(name, overlap, lease_seconds, seed, created_at) values (?,?,?,?,?)",
                [name, overlap, int(lease.total_seconds()), seed, now_iso()],
            )
            self.db.executemany(
                "insert into slots(batch, trajectory_id, slot, position) values (?,?,?,?)",
                [(name, tid, k, position) for position, tid in enumerate(order) for k in range(overlap)],
            )
        return len(order) * overlap

    def claim(self, annotator: str, batch: str | None = None, *, now: datetime | None = None) -> Claim | None:
        """The reviewer's next slot (see the module's docstring), its lease starting now; None when
        nothing is left for them."""
        moment = now or datetime.now(UTC)
        with self.db.writing():
            lease = self._lease(batch)
            params = {"who": annotator, "batch": batch, "now": _stamp(moment), "until": _stamp(moment + lease)}
            row = self.db.execute(_CLAIM, params).fetchone()
        return Claim(*row) if row else None

    def _lease(self, batch: str | None) -> timedelta:
        if batch is not None:
            row = self.db.execute("select lease_seconds from batches where name = ?", [batch]).fetchone()
            if row is None:
                raise UnknownBatch(f"no batch {batch!r}")
            return timedelta(seconds=row[0])
        row = self.db.execute("select min(lease_seconds) from batches").fetchone()
        return timedelta(seconds=row[0] or 86400)

    def renew(self, annotator: str, trajectory_id: str, *, now: datetime | None = None) -> str | None:
        """Extend the reviewer's lease on an item they hold and have not labelled yet (the app calls it
        while the item is open, so a long review is not taken from them, and an absent reviewer's slot
        still expires): each such slot's lease starts again now. Returns the new `lease_until` (the
        latest, should they hold the item in several batches), or None when they hold no unlabelled
        slot of it (never claimed, theirs expired and was claimed by someone else, or labelled)."""
        moment = now or datetime.now(UTC)
        renewed: list[str] = []
        with self.db.writing():
            held = self.db.execute(
                "select s.batch, b.lease_seconds from slots s join batches b on b.name = s.batch"
                f" where s.annotator = ? and s.trajectory_id = ? and not {_labelled('s')} order by s.batch",
                [annotator, trajectory_id],
            ).fetchall()
            for batch, seconds in held:
                until = _stamp(moment + timedelta(seconds=seconds))
                self.db.execute(
                    "update slots set lease_until = ? where batch = ? and trajectory_id = ? and annotator = ?",
                    [until, batch, trajectory_id, annotator],
                )
                renewed.append(until)
        return max(renewed, default=None)

    def release(self, annotator: str, batch: str | None = None) -> int:
        """Give back the reviewer's slots they have not labelled (someone else may claim them at once);
        returns how many."""
        with self.db.writing():
            if batch is not None:
                self._lease(batch)  # an unknown batch is said, not silently nothing
            released = self.db.execute(  # the UPDATE's target has no alias on SQLite: `slots` itself
                "update slots set annotator = null, claimed_at = null, lease_until = null where annotator = :who"
                f" and (cast(:batch as text) is null or batch = :batch) and not {_labelled('slots')}",
                {"who": annotator, "batch": batch},
            )
            return released.rowcount

    def has_batches(self) -> bool:
        """Whether work is planned in this project (the app's queue is then the reviewer's slots)."""
        return self.db.execute("select 1 from batches limit 1").fetchone() is not None

    def open_to(self, annotator: str, *, now: datetime | None = None) -> int:
        """How many items the reviewer could still claim a slot of (in any batch): the same rule as `claim`."""
        params = {"who": annotator, "now": _stamp(now or datetime.now(UTC))}
        sql = f"select count(*) from (select distinct s.batch, s.trajectory_id from slots s where {_OPEN_TO_WHO}) open_items"
        return int(self.db.execute(sql, params).fetchone()[0])

    def status(self, batch: str) -> BatchStatus:
        """Progress of a batch, counted from its slots and the labels now (no stored counters)."""
        self._lease(batch)
        labelled = _labelled("x")
        items = self.db.execute(
            "select count(*), coalesce(sum(case when n = o then 1 else 0 end), 0) from (select x.trajectory_id,"
            f" count(*) as o, sum(case when x.annotator is not null and {labelled} then 1 else 0 end) as n"
            " from slots x where x.batch = ? group by x.trajectory_id) per_item",
            [batch],
        ).fetchone()
        reviewers = self.db.execute(
            f"select x.annotator, count(*), sum(case when {labelled} then 1 else 0 end) from slots x"
            " where x.batch = ? and x.annotator is not null group by x.annotator order by x.annotator",
            [batch],
        ).fetchall()
        open_slots = self.db.execute("select count(*) from slots where batch = ? and annotator is null", [batch]).fetchone()[0]
        return BatchStatus(batch, items[0], items[1], open_slots, [(who, int(n), int(done)) for who, n, done in reviewers])

    def holders(self, batch: str) -> dict[str, list[str]]:
        """Each trajectory's reviewers in the batch (claimed slots), for status and tests."""
        found: dict[str, list[str]] = {}
        sql = (
            "select trajectory_id, annotator from slots where batch = ? and annotator is not null"
            " order by trajectory_id, annotator"
        )
        for tid, who in self.db.execute(sql, [batch]):
            found.setdefault(tid, []).append(who)
        return found
