"""Labels in the store: every change written at once with its history (who, when, old, new).

A label is stored whatever its completeness (the app autosaves half-filled forms); only unknown
codes, unknown trajectories, out-of-range values and spans that do not fit their text are refused.
An adjudication is a record of its own (column `adjudication`), never anyone's own label: the same
person may hold a first pass, a final label and an adjudication of one trajectory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from reviewer.errors import LabelRejected
from reviewer.model import EvidenceSpan, Label, Trajectory
from reviewer.spans import span_problem
from reviewer.store.connection import Db
from reviewer.store.listing import CURRENT_VOTE
from reviewer.store.trajectories import TrajectoryRepository, now_iso
from reviewer.store.transactions import writing
from reviewer.store.votes import update_tie_breaks
from reviewer.taxonomy import Taxonomy

COALESCE_SECONDS = 60  # a pause in typing longer than this starts a new history event
LabelKey = tuple[str, str, bool, bool]  # `Label.key`: trajectory, annotator, first pass, adjudication
Lookup = Callable[[LabelKey], "Label | None"]
MergeResult = Literal["added", "updated", "unchanged", "kept_newer"]


@dataclass(frozen=True, slots=True)
class LabelEvent:
    at: str
    actor: str
    origin: str
    trajectory_id: str
    annotator: str
    first_pass: bool
    adjudication: bool
    old: Label | None
    new: Label | None  # None: the label was withdrawn (a reveal undone)


def _span_key(span: EvidenceSpan) -> tuple[int, str, int, int, str]:
    return span.step, span.source, span.start, span.end, span.quote


def _parse_time(stamp: str | None) -> datetime | None:
    """A stored time, comparable with any other; None when absent or unreadable (it then loses no merge).

    Packs merged before times were checked (`labelpack.timestamp_problem`) may have stored times
    without a zone; they are read as UTC, since comparing one with a zoned time raises.
    """
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class LabelRepository:
    def __init__(self, db: Db, taxonomy: Taxonomy):
        self.db = db
        self.taxonomy = taxonomy
        self._trajectories = TrajectoryRepository(db)

    def current(self, key: LabelKey) -> Label | None:
        """The stored label with this `Label.key`."""
        return self.get(*key)

    def problems(self, label: Label, trajectory: Trajectory | None = None, lookup: Lookup | None = None) -> list[str]:
        """Why the store would refuse `label` (empty when it would not).

        Spans already stored for the same reviewer and trajectory were checked when they were stored
        and a trajectory never changes, so only new spans are checked against the text: the app saves
        on every keystroke, and loading a 50 MB run for each would freeze it. `trajectory`, when the
        caller already holds it, spares the load for the new ones. `lookup` reads the labels this one
        is checked against (default: the stored ones; the app's queue also knows those not yet written).
        """
        found = list(self.taxonomy.problems(label))
        look = lookup or self.current
        tid, who = label.trajectory_id, label.annotator
        settling = label.adjudication is not None
        first, final = (
            (None, look((tid, who, False, True))) if settling else (look((tid, who, True, False)), look((tid, who, False, False)))
        )
        known = {_span_key(span) for stored in (first, final) if stored is not None for span in stored.evidence}
        fresh = [(i, span) for i, span in enumerate(label.evidence) if _span_key(span) not in known]
        if trajectory is None and fresh:
            trajectory = self._trajectories.get(label.trajectory_id)
        if trajectory is None and not self._trajectories.exists(label.trajectory_id):
            return [f"unknown trajectory {label.trajectory_id!r}", *found]
        for i, span in fresh:
            problem = span_problem(trajectory, span) if trajectory is not None else None
            if problem:
                found.append(f"evidence[{i}]: {problem}")
        if label.first_pass and final is not None:
            found.append("the first-pass label is frozen once a final label exists; edit the final label instead")
        if settling and label.first_pass:
            found.append("an adjudication is never a first pass")
        return found

    def save(
        self,
        label: Label,
        *,
        actor: str,
        origin: str,
        stamp: bool = True,
        coalesce: bool = False,
        trajectory: Trajectory | None = None,
    ) -> Label:
        """Validate, compute completeness, write label and history in one transaction (`prepare`, then `write`).

        `stamp` is for edits made here (now, under the current taxonomy); merged packs keep their own
        timestamps and taxonomy version so later edits still win and stale labels stay visible.
        `coalesce` folds this change into the label's latest history event when that event is by the
        same actor and origin and under `COALESCE_SECONDS` old: the app saves free text on every
        keystroke, and history should read one event per burst of typing (old = before the burst,
        new = after it), not one per character. The label itself is always written at once.
        The checks and the old label are read in the write transaction: what they say still holds
        when the label is written, and the history's `old` is the label this one replaced.
        """
        with writing(self.db):  # checked and written in one transaction: nothing changes in between
            return self.write(
                self.prepare(label, stamp=stamp, trajectory=trajectory), actor=actor, origin=origin, coalesce=coalesce
            )

    def prepare(
        self, label: Label, *, stamp: bool = True, trajectory: Trajectory | None = None, lookup: Lookup | None = None
    ) -> Label:
        """Check `label` (raising `LabelRejected` with every reason) and stamp what `write` stores with
        it: completeness, taxonomy version and times. Reads, never writes: the app prepares on its own
        thread, at once, and leaves the writing to a queue that may have to wait for the file."""
        problems = self.problems(label, trajectory, lookup)
        if problems:
            raise LabelRejected(f"label of {label.trajectory_id!r} by {label.annotator!r}: " + "; ".join(problems))
        old = (lookup or self.current)(label.key)
        now = now_iso()
        label.complete = self.taxonomy.is_complete(label)
        if stamp or label.taxonomy_version is None:
            label.taxonomy_version = self.taxonomy.version
        label.created_at = (old.created_at if old else None) or label.created_at or now
        if stamp or not label.updated_at:
            label.updated_at = now
        return label

    def write(self, label: Label, *, actor: str, origin: str, coalesce: bool = False) -> Label:
        """Store a prepared label and its history event in one transaction."""
        with writing(self.db):
            old = self.get(*label.key)
            now = now_iso()
            record = json.dumps(label.to_dict(), ensure_ascii=False)
            self.db.execute(
                "insert into annotators(name, created_at) values (?, ?) on conflict do nothing", [label.annotator, now]
            )
            self.db.execute(
                "insert into labels(trajectory_id, annotator, first_pass, adjudication, verdict, complete,"
                " taxonomy_version, created_at, updated_at, record, flag) values (?,?,?,?,?,?,?,?,?,?,?)"
                " on conflict(trajectory_id, annotator, first_pass, adjudication) do update set verdict = excluded.verdict,"
                " complete = excluded.complete, taxonomy_version = excluded.taxonomy_version,"
                " created_at = excluded.created_at, updated_at = excluded.updated_at, record = excluded.record,"
                " flag = excluded.flag",
                [
                    label.trajectory_id, label.annotator, int(label.first_pass), int(label.adjudication is not None),
                    label.verdict, int(label.complete), label.taxonomy_version, label.created_at, label.updated_at, record,
                    label.flag.kind if label.flag else None,
                ],
            )  # fmt: skip
            self._record_event(label, actor, origin, now, old, record, coalesce)
            if label.first_pass:
                update_tie_breaks(self.db, label.trajectory_id)  # planned work: a split first pass calls for one more reviewer
        return label

    def withdraw_final(self, trajectory_id: str, annotator: str, *, actor: str, origin: str) -> None:
        """Remove a reviewer's own final label (a reveal undone before any edit), with its history
        event: the first pass becomes editable again, and the history says the final label existed."""
        with writing(self.db):
            old = self.get(trajectory_id, annotator, first_pass=False)
            if old is None:
                return
            self.db.execute(
                "delete from labels where trajectory_id = ? and annotator = ? and first_pass = 0 and adjudication = 0",
                [trajectory_id, annotator],
            )
            self._record_event(old, actor, origin, now_iso(), old, None, coalesce=False)

    def _record_event(
        self, label: Label, actor: str, origin: str, now: str, old: Label | None, record: str | None, coalesce: bool
    ) -> None:
        key = [label.trajectory_id, label.annotator, int(label.first_pass), int(label.adjudication is not None)]
        if coalesce:
            last = self.db.execute(
                "select id, actor, origin, at from label_events where trajectory_id = ? and annotator = ? and first_pass = ?"
                " and adjudication = ? order by id desc limit 1",
                key,
            ).fetchone()
            since = _parse_time(last[3]) if last else None
            now_time = _parse_time(now)
            if (
                last
                and last[1:3] == (actor, origin)
                and since
                and now_time
                and (now_time - since).total_seconds() < COALESCE_SECONDS
            ):
                # A new id, so a reader of the history after its last id sees this change too
                # (store.changes); the event stays the latest of its label, where it was.
                self.db.execute(
                    f"update label_events set at = ?, new = ?, id = {self.db.dialect.next_id('label_events')} where id = ?",
                    [now, record, last[0]],
                )
                self.db.notify_change()
                return
        self.db.execute(
            "insert into label_events(trajectory_id, annotator, first_pass, adjudication, at, actor, origin, old, new)"
            " values (?,?,?,?,?,?,?,?,?)",
            [*key, now, actor, origin, json.dumps(old.to_dict(), ensure_ascii=False) if old else None, record],
        )
        self.db.notify_change()

    def adjudicate(
        self, trajectory_id: str, adjudicator: str, verdict: str, reason: str, resolution: str | None, **fields: object
    ) -> Label:
        """Settle a dispute in one step (the command line): the adjudicator's adjudication record,
        replacing their earlier one, gold for export. It records whether the reviewers agreed (read
        in the same transaction, so about the labels it settles)."""
        label = Label(trajectory_id, adjudicator, first_pass=False, verdict=verdict, **fields)  # type: ignore[arg-type]
        label.revealed.other_labels = label.revealed.grader_outcome = True
        with writing(self.db):
            label.adjudication = {
                "reason": reason,
                "resolution": resolution,
                "unanimous": self.unanimous(trajectory_id),
                "settled": True,
            }
            return self.save(label, actor=adjudicator, origin="adjudication")

    def unanimous(self, trajectory_id: str) -> bool:
        """Whether the human reviewers' current votes agree: each one's final label, else their first pass
        (the votes of `agreement.aggregate.Ballots` and of the disputed queue; models, detectors and
        adjudications aside)."""
        verdicts = self.db.execute(
            f"select count(distinct v.verdict) from (select ? as id) t, labels v where {CURRENT_VOTE}", [trajectory_id]
        ).fetchone()[0]
        return verdicts <= 1

    def merge(self, label: Label, *, actor: str, origin: str) -> MergeResult:
        """Take a label from another machine's pack: idempotent, and the later edit wins (compared
        and written in one transaction, so an edit saved meanwhile is never overwritten by an older one)."""
        with writing(self.db):
            existing = self.get(*label.key)
            if existing is None:
                self.save(label, actor=actor, origin=origin, stamp=False)
                return "added"
            incoming = Label.from_dict(label.to_dict())
            incoming.complete = existing.complete
            incoming.updated_at = incoming.updated_at or incoming.created_at
            if incoming.to_dict() == existing.to_dict():
                return "unchanged"
            theirs, ours = _parse_time(incoming.updated_at), _parse_time(existing.updated_at)
            if theirs is None or (ours is not None and theirs <= ours):
                return "kept_newer"
            self.save(label, actor=actor, origin=origin, stamp=False)
            return "updated"

    def get(self, trajectory_id: str, annotator: str, first_pass: bool, adjudication: bool = False) -> Label | None:
        """A reviewer's own label of one pass, or (`adjudication=True`, `first_pass=False`) their adjudication."""
        row = self.db.execute(
            "select record from labels where trajectory_id = ? and annotator = ? and first_pass = ? and adjudication = ?",
            [trajectory_id, annotator, int(first_pass), int(adjudication)],
        ).fetchone()
        return Label.from_dict(json.loads(row[0])) if row else None

    def all(self, *, annotator: str | None = None, trajectory_id: str | None = None) -> list[Label]:
        where, params = [], []
        if annotator is not None:
            where.append("annotator = ?")
            params.append(annotator)
        if trajectory_id is not None:
            where.append("trajectory_id = ?")
            params.append(trajectory_id)
        sql = "select record from labels" + (" where " + " and ".join(where) if where else "")
        sql += " order by trajectory_id, annotator, first_pass desc, adjudication"
        return [Label.from_dict(json.loads(r[0])) for r in self.db.execute(sql, params)]

    def ballots_only(self) -> list[Label]:
        """Every label with only what gold labels are made from: trajectory, annotator, pass, verdict,
        time and whether it is an adjudication that settles (its `adjudication` says `settled` then).

        Read from columns, not records: parsing 40,000 full records costs about a second, and an
        export needs the details of each label only when it writes that trajectory.
        """
        rows = self.db.execute(
            "select trajectory_id, annotator, first_pass, verdict, updated_at, adjudication,"
            f" {self.db.dialect.json_flag('record', 'adjudication', 'settled')}"
            " from labels order by trajectory_id, annotator, first_pass desc, adjudication"
        )
        return [
            Label(tid, who, first_pass=bool(first), verdict=verdict, updated_at=updated,
                  adjudication={"settled": bool(settled)} if adjudication else None)
            for tid, who, first, verdict, updated, adjudication, settled in rows
        ]  # fmt: skip

    def of(self, trajectory_ids: Sequence[str]) -> list[Label]:
        """The labels of these trajectories, in `all()` order."""
        return [Label.from_dict(json.loads(record)) for record in self.records_of(trajectory_ids)]

    def records_of(self, trajectory_ids: Sequence[str]) -> list[str]:
        """The labels of these trajectories as stored (JSON text), in `all()` order: an export reads
        them in one process and parses them in another, and text is cheaper to pass than labels."""
        sql = (
            f"select record from labels where trajectory_id in ({self.db.dialect.ids()})"
            " order by trajectory_id, annotator, first_pass desc, adjudication"
        )
        return [r[0] for r in self.db.execute(sql, [json.dumps(list(trajectory_ids))])]

    def stale(self) -> list[Label]:
        """Labels made under an older taxonomy than the project's current one."""
        return [
            Label.from_dict(json.loads(r[0]))
            for r in self.db.execute(
                "select record from labels where taxonomy_version < ? order by trajectory_id, annotator",
                [self.taxonomy.version],
            )
        ]

    def history(self, trajectory_id: str, annotator: str | None = None) -> list[LabelEvent]:
        sql = (
            "select at, actor, origin, trajectory_id, annotator, first_pass, adjudication, old, new"
            " from label_events where trajectory_id = ?"
        )
        params: list[str] = [trajectory_id]
        if annotator is not None:
            sql += " and annotator = ?"
            params.append(annotator)
        return [
            LabelEvent(
                at, actor, origin, tid, who, bool(first), bool(settling),
                Label.from_dict(json.loads(old)) if old else None,
                Label.from_dict(json.loads(new)) if new else None,
            )
            for at, actor, origin, tid, who, first, settling, old, new in self.db.execute(sql + " order by id", params)
        ]  # fmt: skip
