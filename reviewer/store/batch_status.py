"""`batch status`: a batch's progress per reviewer and per item, and each reviewer's calibration on
its gold items, counted from the slots and labels when asked (queries, never stored counters).

What it may show whom (`reviewer.blind`, channel `cli.batch_status`): slots held and labelled per
reviewer and calibration are for anyone; an item's state and votes are derived from reviewers'
labels, so only the adjudicator's view asks for them (`items=True`).

Calibration scores a reviewer's first pass (the blind one) on a gold item against its gold answer,
the item's gold adjudication (`reviewer.model.gold_adjudications`, the rule of gold labels), on the
verdict and on the codes (categories and markers, as sets). Only items the reviewer has revealed
count: until then their first pass may still change, and a score would tell them the answer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from reviewer.model import Label, gold_adjudications
from reviewer.store.connection import Db
from reviewer.store.votes import VOTE, item_state, item_votes, labelled


@dataclass(frozen=True, slots=True)
class Calibration:
    gold: int = 0  # gold items the reviewer revealed (their first pass frozen): the ones scored
    verdict: int = 0  # of those, first-pass verdict equal to the gold one
    codes: int = 0  # of those, first-pass codes (categories and markers) equal to the gold ones

    def to_dict(self) -> dict[str, object]:
        rate = (lambda k: k / self.gold) if self.gold else (lambda k: None)
        return {
            "gold": self.gold, "verdict": self.verdict, "codes": self.codes,
            "verdict_rate": rate(self.verdict), "codes_rate": rate(self.codes),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReviewerProgress:
    annotator: str
    slots: int  # held now (claimed, lease running or not)
    labelled: int  # of those, labelled by them
    calibration: Calibration = field(default_factory=Calibration)
    # The batch's items they gave a first pass without holding a slot of it (over-coverage): a label
    # that came after their lease ran out and the slot went to someone else, or one made before the plan.
    beyond: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "annotator": self.annotator, "slots": self.slots, "labelled": self.labelled,
            "calibration": self.calibration.to_dict(), "beyond": self.beyond,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ItemState:
    trajectory_id: str
    gold: bool
    slots: int  # the ones that count: planned, tie-breaks and replacements, the set-aside ones apart
    state: str  # `reviewer.store.votes.item_state`
    votes: dict[str, int]  # first-pass verdict -> how many
    set_aside: int = 0  # slots whose reviewer skipped or flagged the item without a verdict

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class BatchStatus:
    name: str
    items: int
    items_done: int  # every slot of the item claimed and labelled by its reviewer
    open_slots: int  # nobody holds them
    reviewers: list[ReviewerProgress]
    item_states: list[ItemState] | None = None  # the adjudicator's view only

    @property
    def over_coverage(self) -> int:
        """First passes on the batch's items beyond its slots: kept (a label is never refused for its
        lease), counted here so the lead sees the plan was exceeded."""
        return sum(r.beyond for r in self.reviewers)

    def states(self) -> dict[str, int]:
        """How many items are in each state (adjudication work, tie-breaks waiting...)."""
        return dict(sorted(Counter(item.state for item in self.item_states or []).items()))

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "batch": self.name, "items": self.items, "items_done": self.items_done, "open_slots": self.open_slots,
            "over_coverage": self.over_coverage, "reviewers": [r.to_dict() for r in self.reviewers],
        }  # fmt: skip
        if self.item_states is not None:
            found["states"] = self.states()
            found["item_states"] = [item.to_dict() for item in self.item_states]
        return found


def read_status(db: Db, batch: str, *, items: bool = False) -> BatchStatus:
    """The batch's status now; `items`: with each item's state and votes."""
    done = labelled("x")
    counts = db.execute(
        "select count(*), coalesce(sum(case when n = o then 1 else 0 end), 0) from (select x.trajectory_id,"
        f" count(*) as o, sum(case when x.annotator is not null and {done} then 1 else 0 end) as n"
        " from slots x where x.batch = ? group by x.trajectory_id) per_item",
        [batch],
    ).fetchone()
    held = db.execute(
        f"select x.annotator, count(*), sum(case when {done} then 1 else 0 end) from slots x"
        " where x.batch = ? and x.annotator is not null group by x.annotator order by x.annotator",
        [batch],
    ).fetchall()
    open_slots = db.execute("select count(*) from slots where batch = ? and annotator is null", [batch]).fetchone()[0]
    scores = calibration(db, batch)
    beyond = dict(
        db.execute(
            "select l.annotator, count(*) from labels l where l.first_pass = 1 and l.adjudication = 0"
            " and l.trajectory_id in (select x.trajectory_id from slots x where x.batch = ?)"
            " and not exists (select 1 from slots x where x.batch = ? and x.trajectory_id = l.trajectory_id"
            "   and x.annotator = l.annotator) group by l.annotator",
            [batch, batch],
        ).fetchall()
    )
    counted = {who: (int(n), int(k)) for who, n, k in held}
    reviewers = [
        ReviewerProgress(who, *counted.get(who, (0, 0)), scores.get(who, Calibration()), int(beyond.get(who, 0)))
        for who in sorted(counted.keys() | beyond.keys())
    ]
    return BatchStatus(batch, counts[0], counts[1], open_slots, reviewers, _items(db, batch) if items else None)


def _items(db: Db, batch: str) -> list[ItemState]:
    votes: dict[str, dict[str, int]] = {}
    for tid, verdict, n in db.execute(
        f"select s.trajectory_id, l.verdict, count(*) from slots s join labels l on {VOTE}"
        " where s.batch = ? and l.verdict is not null group by s.trajectory_id, l.verdict order by s.trajectory_id, l.verdict",
        [batch],
    ):
        votes.setdefault(tid, {})[verdict] = int(n)
    rows = db.execute(
        f"select v.trajectory_id, v.gold, v.slots, {item_state(db.dialect)}, v.set_aside"
        f" from ({item_votes('s.batch = :batch')}) v order by v.position",
        {"batch": batch},
    )
    return [ItemState(tid, bool(gold), int(n), state, votes.get(tid, {}), int(aside)) for tid, gold, n, state, aside in rows]


def calibration(db: Db, batch: str) -> dict[str, Calibration]:
    """Each reviewer's first passes on the batch's gold items they revealed, scored against the gold answers."""
    rows = db.execute(
        f"select s.annotator, l.record from slots s join labels l on {VOTE} where s.batch = ? and s.gold = 1"
        " and exists (select 1 from labels f where f.trajectory_id = s.trajectory_id and f.annotator = s.annotator"
        "   and f.first_pass = 0 and f.adjudication = 0)"
        " order by s.annotator, s.trajectory_id",
        [batch],
    ).fetchall()
    firsts = [(who, Label.from_dict(json.loads(record))) for who, record in rows]
    answers = gold_adjudications(
        Label.from_dict(json.loads(record))
        for (record,) in db.execute(
            f"select record from labels where adjudication = 1 and trajectory_id in ({db.dialect.ids()})",
            [json.dumps(sorted({label.trajectory_id for _, label in firsts}))],
        )
    )
    tallies: dict[str, Counter[str]] = {}
    for who, first in firsts:
        gold = answers.get(first.trajectory_id)
        if gold is None:  # its adjudication was reopened since the batch was planned: nothing to score against
            continue
        tally = tallies.setdefault(who, Counter())
        tally["gold"] += 1
        tally["verdict"] += first.verdict == gold.verdict
        tally["codes"] += set(first.categories) | set(first.markers) == set(gold.categories) | set(gold.markers)
    return {who: Calibration(t["gold"], t["verdict"], t["codes"]) for who, t in tallies.items()}
