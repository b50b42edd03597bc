"""Planned work: batches of review slots, claimed by reviewers one statement at a time.

A batch plans `overlap` slots per trajectory (N distinct reviewers each). `claim` gives a reviewer
their next slot: the one they already hold and have not labelled (its lease renewed), else the
first open slot in the batch's order (unclaimed, or claimed by someone whose lease expired without
a label) of an item they hold no slot of. The claim is one UPDATE ... RETURNING inside a write
transaction (writers take turns on both backends), and "one reviewer, one slot per item and batch"
is a unique constraint of the table: no path that writes slots, this one or a later one, can give a
reviewer an item twice. Counts (`status`) are queries over the slots and labels, never stored counters.

Tie-breaks: a batch may allow `max_extra` extra reviewers per item, added when its first-pass
verdicts split (`reviewer.store.votes`, by the label save, in one statement).

Gold items (calibration): `gold_rate` of a batch's items are items with a settled adjudication, the
project's gold label, interleaved at even distances in an order fixed by the seed. Their answer is
that adjudication, hidden by the blind rules like every other reviewer's label until the reviewer's
reveal; nothing a reviewer sees of their queue says an item is gold (`reviewer.blind`). They get no
tie-breaks. Calibration (`reviewer.store.batch_status`) scores a reviewer's first pass against it.

Inactive reviewers (`rebalance`): whoever has neither claimed, renewed nor saved a label for a
given time gives their unlabelled slots back to the pool.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from reviewer.errors import ReviewerError
from reviewer.model import annotator_problems
from reviewer.store.batch_status import BatchStatus, read_status
from reviewer.store.connection import Db
from reviewer.store.dialect import Dialect
from reviewer.store.trajectories import now_iso
from reviewer.store.votes import labelled


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
    """The DDL of schema step 6 (both backends): batches, slots and their constraints."""
    return [batches_ddl(dialect), slots_ddl(dialect), SLOTS_UNIQUE, SLOTS_INDEX]


def plan_schema(dialect: Dialect) -> list[str]:
    """The DDL of the schema step after that (both backends): a batch's tie-break limit and gold rate,
    a slot's gold mark and when its reviewer last renewed it (claim or `renew`: activity, for rebalance)."""
    real = "double precision" if dialect.postgres else "real"
    return [
        "alter table batches add column max_extra bigint not null default 0",
        f"alter table batches add column gold_rate {real} not null default 0",
        "alter table slots add column gold bigint not null default 0",
        "alter table slots add column renewed_at text",
        "create index slots_item on slots (trajectory_id)",  # a label save looks up its item's slots
    ]


class UnknownBatch(ReviewerError):
    pass


def slot_token(batch: str, trajectory_id: str, annotator: str) -> str:
    """What a reviewer is shown of the slot they hold: a stable name for it that says nothing of why it
    exists. The internal number would (a tie-break's is `overlap` or more: the first reviewers split), so
    the token is a digest of the batch, the item and the reviewer only, things they know already; one
    reviewer holds one slot per item and batch (a unique index), so it names that slot."""
    digest = hashlib.sha256("\0".join((batch, trajectory_id, annotator)).encode()).hexdigest()
    return f"s-{digest[:12]}"


@dataclass(frozen=True, slots=True)
class Claim:
    trajectory_id: str
    batch: str
    slot: int  # the database's number: never shown to the reviewer (`token`)
    lease_until: str
    annotator: str

    @property
    def token(self) -> str:
        return slot_token(self.batch, self.trajectory_id, self.annotator)

    def to_dict(self) -> dict[str, object]:
        return {"trajectory_id": self.trajectory_id, "batch": self.batch, "slot": self.token, "lease_until": self.lease_until}


@dataclass(frozen=True, slots=True)
class HeldSlot:
    """A slot of a reviewer's queue as they may see it: never whether the item is gold or a tie-break
    (both would tell them something of others' labels before their first pass)."""

    batch: str
    trajectory_id: str
    state: str  # labelled (by them), held (lease running), expired (anyone may claim it)
    claimed_at: str
    lease_until: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def parse_lease(text: str) -> timedelta:
    """`24h`, `30m`, `90s`, `2d` as a duration (a bad one raises ReviewerError saying what is read)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) == 0:
        raise ReviewerError(f"lease {text!r}: a whole number of s, m, h or d (24h, 30m)")
    return timedelta(seconds=int(number) * units[unit])


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


# A slot row `s` open to reviewer :who: nobody holds it (or its lease ran out without a label), and
# :who holds no slot of its item in its batch.
_OPEN_TO_WHO = (
    f"(s.annotator is null or (s.lease_until < :now and not {labelled('s')}))"
    " and not exists (select 1 from slots o where o.batch = s.batch and o.trajectory_id = s.trajectory_id"
    " and o.annotator = :who)"
)
# Slots the reviewer may take, best first: their own unlabelled one, then open ones of items they hold none of.
_PICK = (
    "select s.batch, s.trajectory_id, s.slot from slots s where (cast(:batch as text) is null or s.batch = :batch) and ("
    f"  (s.annotator = :who and not {labelled('s')}) or ({_OPEN_TO_WHO})"
    ") order by case when s.annotator = :who then 0 else 1 end, s.batch, s.position, s.slot limit 1"
)
_CLAIM = (
    "update slots set annotator = :who, lease_until = :until, renewed_at = :now,"
    " claimed_at = case when annotator = :who then claimed_at else :now end"
    f" where (batch, trajectory_id, slot) = ({_PICK}) returning trajectory_id, batch, slot, lease_until, annotator"
)


def interleave(items: list[str], gold: list[str], rng: random.Random) -> list[tuple[str, bool]]:
    """`items` with the `gold` ones at even distances (a random phase): every stretch of a reviewer's
    queue holds gold at the batch's rate, not in clumps. Each entry: (trajectory id, is gold)."""
    total = len(items) + len(gold)
    phase = rng.random()
    places = {math.floor((k + phase) * total / len(gold)) for k in range(len(gold))} if gold else set()
    rest, golds = iter(items), iter(gold)
    return [(next(golds), True) if p in places else (next(rest), False) for p in range(total)]


class SlotRepository:
    def __init__(self, db: Db):
        self.db = db

    def create_batch(
        self,
        name: str,
        trajectory_ids: list[str] | None,
        *,
        overlap: int,
        lease: timedelta,
        seed: int,
        max_extra: int = 0,
        gold_rate: float = 0.0,
    ) -> int:
        """Plan `overlap` slots for each trajectory (None: all, or with gold all but the gold pool), in
        an order shuffled by `seed` with gold items interleaved at `gold_rate` of the batch's items
        (same seed, same plan); returns the slots planned."""
        if overlap < 1:
            raise ReviewerError(f"--overlap must be at least 1, not {overlap}")
        if max_extra < 0:
            raise ReviewerError(f"--max-extra must be 0 or more, not {max_extra}")
        if not 0 <= gold_rate < 1:
            raise ReviewerError(f"--gold-rate must be at least 0 and below 1, not {gold_rate}")
        rng = random.Random(seed)
        with self.db.writing():
            if self.db.execute("select 1 from batches where name = ?", [name]).fetchone():
                raise ReviewerError(f"batch {name!r} exists already")
            known = {row[0] for row in self.db.execute("select id from trajectories")}
            pool = self._gold_pool() if gold_rate else []
            wanted = set(trajectory_ids) if trajectory_ids is not None else known - set(pool)
            missing = sorted(wanted - known)
            if missing:
                raise ReviewerError(
                    f"unknown trajectory {missing[0]!r}" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
                )
            order = sorted(wanted)
            rng.shuffle(order)
            gold = self._pick_gold([t for t in pool if t not in wanted], len(order), gold_rate, rng)
            plan = interleave(order, gold, rng)
            self.db.execute(
                "insert into batches(name, overlap, lease_seconds, seed, created_at, max_extra, gold_rate)"
                " values (?,?,?,?,?,?,?)",
                [name, overlap, int(lease.total_seconds()), seed, now_iso(), max_extra, gold_rate],
            )
            self.db.executemany(
                "insert into slots(batch, trajectory_id, slot, position, gold) values (?,?,?,?,?)",
                [(name, tid, k, position, int(is_gold)) for position, (tid, is_gold) in enumerate(plan) for k in range(overlap)],
            )
        return len(plan) * overlap

    def _gold_pool(self) -> list[str]:
        """Items with a settled adjudication (the project's gold label: `Label.settles`), by id."""
        settled = self.db.dialect.json_flag("a.record", "adjudication", "settled")
        return [
            row[0]
            for row in self.db.execute(
                "select distinct a.trajectory_id from labels a where a.adjudication = 1 and a.verdict is not null"
                f" and {settled} order by a.trajectory_id"
            )
        ]

    @staticmethod
    def _pick_gold(pool: list[str], items: int, rate: float, rng: random.Random) -> list[str]:
        """`rate` of the batch's items gold (at least one when asked for): drawn from `pool` by `rng`."""
        if not rate:
            return []
        wanted = max(1, round(rate * items / (1 - rate)))
        if wanted > len(pool):
            raise ReviewerError(
                f"--gold-rate {rate} needs {wanted} gold items and the project has {len(pool)}"
                " (items with a settled adjudication, outside the batch): adjudicate more, or lower the rate"
            )
        return rng.sample(pool, wanted)

    def claim(self, annotator: str, batch: str | None = None, *, now: datetime | None = None) -> Claim | None:
        """The reviewer's next slot (see the module's docstring), its lease starting now; None when
        nothing is left for them."""
        if problems := annotator_problems(annotator):  # said before a server's index refuses it
            raise ReviewerError(problems[0])
        moment = now or datetime.now(UTC)
        with self.db.writing():
            lease = self._lease(batch)
            params = {"who": annotator, "batch": batch, "now": _stamp(moment), "until": _stamp(moment + lease)}
            row = self.db.execute(_CLAIM, params).fetchone()
        return Claim(*row) if row else None

    def renew(self, annotator: str, trajectory_id: str, *, now: datetime | None = None) -> str | None:
        """Extend the reviewer's lease on an item they hold and have not labelled yet (the app calls it
        while the item is open, so a long review is not taken from them): each such slot's lease starts
        again now. Returns the new `lease_until` (the latest, should they hold the item in several
        batches), or None when they hold no unlabelled slot of it (theirs expired and was claimed by
        someone else, or they labelled it)."""
        moment = now or datetime.now(UTC)
        renewed: list[str] = []
        held_sql = (
            "select s.batch, b.lease_seconds from slots s join batches b on b.name = s.batch"
            f" where s.annotator = ? and s.trajectory_id = ? and not {labelled('s')} order by s.batch"
        )
        if not self.db.execute(held_sql, [annotator, trajectory_id]).fetchall():
            return None  # the app asks for every item it opens: one not held costs a read, never the write lock
        with self.db.writing():
            held = self.db.execute(held_sql, [annotator, trajectory_id]).fetchall()
            for batch, seconds in held:
                until = _stamp(moment + timedelta(seconds=seconds))
                self.db.execute(
                    "update slots set lease_until = ?, renewed_at = ? where batch = ? and trajectory_id = ? and annotator = ?",
                    [until, _stamp(moment), batch, trajectory_id, annotator],
                )
                renewed.append(until)
        return max(renewed, default=None)

    def _lease(self, batch: str | None) -> timedelta:
        if batch is not None:
            row = self.db.execute("select lease_seconds from batches where name = ?", [batch]).fetchone()
            if row is None:
                raise UnknownBatch(f"no batch {batch!r}")
            return timedelta(seconds=row[0])
        row = self.db.execute("select min(lease_seconds) from batches").fetchone()
        return timedelta(seconds=row[0] or 86400)

    def release(self, annotator: str, batch: str | None = None) -> int:
        """Give back the reviewer's slots they have not labelled (someone else may claim them at once);
        returns how many."""
        with self.db.writing():
            if batch is not None:
                self._lease(batch)  # an unknown batch is said, not silently nothing
            released = self.db.execute(  # the UPDATE's target has no alias on SQLite: `slots` itself
                "update slots set annotator = null, claimed_at = null, lease_until = null where annotator = :who"
                f" and (cast(:batch as text) is null or batch = :batch) and not {labelled('slots')}",
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

    def status(self, batch: str, *, items: bool = False) -> BatchStatus:
        """Progress of a batch (`reviewer.store.batch_status`); `items`: also each item's state and
        votes, derived from reviewers' labels (the adjudicator's view only)."""
        self._lease(batch)
        return read_status(self.db, batch, items=items)

    def mine(self, annotator: str, batch: str | None = None, *, now: datetime | None = None) -> list[HeldSlot]:
        """The reviewer's slots in the order they claimed them (`queue list`; the app's "my slots"). Not
        in the batch's order: a tie-break or replacement takes its item's early place, and listed there,
        before slots claimed earlier, it would say that the item's first reviewers split or skipped."""
        if batch is not None:
            self._lease(batch)
        rows = self.db.execute(
            f"select s.batch, s.trajectory_id, case when {labelled('s')} then 'labelled' when s.lease_until < :now"
            " then 'expired' else 'held' end, s.claimed_at, s.lease_until from slots s"
            " where s.annotator = :who and (cast(:batch as text) is null or s.batch = :batch)"
            " order by s.claimed_at, s.batch, s.position, s.slot",
            {"who": annotator, "batch": batch, "now": _stamp(now or datetime.now(UTC))},
        )
        return [HeldSlot(*row) for row in rows]

    def rebalance(self, inactive: timedelta, batch: str | None = None, *, now: datetime | None = None) -> dict[str, int]:
        """Give back the unlabelled slots of reviewers inactive for `inactive`: no claim, renewal or
        label saved since (in any batch). Returns the slots released per reviewer."""
        cutoff = _stamp((now or datetime.now(UTC)) - inactive)
        with self.db.writing():
            if batch is not None:
                self._lease(batch)
            inactive_held = (
                f"annotator is not null and (cast(:batch as text) is null or batch = :batch) and not {labelled('slots')}"
                " and not exists (select 1 from slots a where a.annotator = slots.annotator"
                "   and coalesce(a.renewed_at, a.claimed_at) >= :cutoff)"
                " and not exists (select 1 from label_events e where e.annotator = slots.annotator and e.at >= :cutoff)"
            )
            params = {"batch": batch, "cutoff": cutoff}
            released = self.db.execute(
                f"select annotator, count(*) from slots where {inactive_held} group by annotator order by annotator", params
            ).fetchall()  # read under the write lock: what the update below releases
            self.db.execute(
                "update slots set annotator = null, claimed_at = null, lease_until = null, renewed_at = null"
                f" where {inactive_held}",
                params,
            )
        return {who: int(n) for who, n in released}

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
