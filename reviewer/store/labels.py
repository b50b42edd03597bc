"""Labels in the store: every change written at once with its history (who, when, old, new).

A label is stored whatever its completeness (the app autosaves half-filled forms); only unknown
codes, unknown trajectories, out-of-range values and spans that do not fit their text are refused.
An adjudication is a record of its own (column `adjudication`), never anyone's own label: the same
person may hold a first pass, a final label and an adjudication of one trajectory.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from reviewer.errors import LabelRejected
from reviewer.model import ANNOTATOR_MAX, EvidenceSpan, Label, Trajectory, annotator_problems
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
MergeResult = Literal["added", "updated", "unchanged", "kept_newer", "conflict"]
Keep = Literal["stored", "edit"]
PACK_EDITS = uuid.UUID("5a0e7c3e-6f1d-4c55-9d1e-2f2b8f0c7a11")  # names the edits of pack records that carry no id
BOOKKEEPING = ("version", "edit_id", "based_on", "complete")  # not what a label says: left out when comparing two


class EditConflict(LabelRejected):
    """A save based on a version the label no longer has (someone, or the same person elsewhere, saved
    it meanwhile). The edit was not applied but kept in the history as an open conflict, and the item
    is flagged until someone settles it (`LabelRepository.resolve`); `current` is the label as stored."""

    def __init__(self, message: str, edit_id: str, current: Label | None):
        super().__init__(message)
        self.edit_id = edit_id
        self.current = current


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
    edit_id: str | None = None  # None: recorded before edits had ids
    conflict: str | None = None  # None: applied; "open" / "resolved": kept, not applied (`Conflict`)


@dataclass(frozen=True, slots=True)
class Conflict:
    """An edit kept but not applied: it was based on version `based_on` of the label, which had moved
    on to `stored`'s by then. Both values stay: the stored label as it was, and the edit."""

    edit_id: str
    at: str
    actor: str
    origin: str
    based_on: int | None
    stored: Label | None
    edit: Label
    state: str  # "open" or "resolved"

    def to_dict(self) -> dict[str, Any]:
        return {
            "edit_id": self.edit_id, "trajectory_id": self.edit.trajectory_id, "annotator": self.edit.annotator,
            "first_pass": self.edit.first_pass, "adjudication": self.edit.adjudication is not None, "at": self.at,
            "actor": self.actor, "origin": self.origin, "based_on": self.based_on,
            "stored_version": self.stored.version if self.stored else None, "state": self.state,
            "stored": self.stored.to_dict() if self.stored else None, "edit": self.edit.to_dict(),
        }  # fmt: skip


def _said(label: Label) -> dict[str, Any]:
    d = label.to_dict()
    for key in BOOKKEEPING:
        d.pop(key, None)
    return d


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


def _record(label: Label) -> str:
    return json.dumps(label.to_dict(), ensure_ascii=False)


def _with_version(record: str | None, version: int | None) -> Label | None:
    """A stored label with its row's version (records written before versions existed lack it)."""
    if record is None:
        return None
    label = Label.from_dict(json.loads(record))
    label.version = version
    return label


class LabelRepository:
    def __init__(self, db: Db, taxonomy: Taxonomy):
        self.db = db
        self.taxonomy = taxonomy
        self._trajectories = TrajectoryRepository(db)

    def current(self, key: LabelKey) -> Label | None:
        """The stored label with this `Label.key`."""
        return self.get(*key)

    def problems(
        self, label: Label, trajectory: Trajectory | None = None, lookup: Lookup | None = None, *, exists: bool | None = None
    ) -> list[str]:
        """Why the store would refuse `label` (empty when it would not).

        Spans already stored for the same reviewer and trajectory were checked when they were stored
        and a trajectory never changes, so only new spans are checked against the text: the app saves
        on every keystroke, and loading a 50 MB run for each would freeze it. `trajectory`, when the
        caller already holds it, spares the load for the new ones. `lookup` reads the labels this one
        is checked against (default: the stored ones; the app's queue also knows those not yet written).
        `exists`: whether the trajectory is stored, when the caller knows already.
        """
        found = [*annotator_problems(label.annotator), *self.taxonomy.problems(label)]
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
        if trajectory is None and not (self._trajectories.exists(label.trajectory_id) if exists is None else exists):
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

    def _own(self, trajectory_id: str, annotator: str) -> tuple[bool, Lookup]:
        """Whether the trajectory is stored, and a lookup of the reviewer's own labels of it (one query:
        a save checks against up to three of them, and every statement is a round trip to a server)."""
        rows = self.db.execute(
            "select l.first_pass, l.adjudication, l.record, l.version from trajectories t left join labels l"
            " on l.trajectory_id = t.id and l.annotator = ? where t.id = ?",
            [annotator, trajectory_id],
        ).fetchall()
        own = {
            (trajectory_id, annotator, bool(first), bool(settling)): _with_version(record, version)
            for first, settling, record, version in rows
            if record is not None
        }
        return bool(rows), own.get

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
        held: list[Label] = []  # prepared once: a retry on a new connection is the same edit (its id)

        def prepared() -> Label:  # checked and written in one transaction: nothing changes in between
            if not held:
                held.append(self.prepare(label, stamp=stamp, trajectory=trajectory))
            return held[0]

        return self._commit(prepared, actor, origin, coalesce)

    def prepare(
        self, label: Label, *, stamp: bool = True, trajectory: Trajectory | None = None, lookup: Lookup | None = None
    ) -> Label:
        """Check `label` (raising `LabelRejected` with every reason) and stamp what `write` stores with
        it: completeness, taxonomy version, times, the edit's id and the version it is based on. Reads,
        never writes: the app prepares on its own thread, at once, and leaves the writing to a queue
        that may have to wait for the file.

        The base is `label.based_on` when set (a pack from a checkout), else `label.version` (the
        version of the label the caller edited; 0: none existed); None for both means "whatever is
        stored" (a script's `reviewer label`). The label comes back with `version` as it will be
        once written and a new `edit_id` (merged packs, `stamp=False`, keep theirs)."""
        exists = None
        if lookup is None:  # the reviewer's own labels of the trajectory, and whether it exists: one query
            exists, lookup = self._own(label.trajectory_id, label.annotator)
        problems = self.problems(label, trajectory, lookup, exists=exists)
        if problems:
            raise LabelRejected(
                f"label of {label.trajectory_id!r} by {label.annotator[:ANNOTATOR_MAX]!r}: " + "; ".join(problems)
            )
        old = lookup(label.key)
        now = now_iso()
        if label.based_on is None:  # a pack's based_on is the checked-out version; else the version edited
            label.based_on = label.version
        label.version = None if label.based_on is None else label.based_on + 1  # what the write will make it
        if stamp:
            label.edit_id = str(uuid.uuid4())  # made once, here: every retry of this edit carries it
        elif label.edit_id is None:  # a record of an older pack: named by what it says, so it merges once
            label.edit_id = str(uuid.uuid5(PACK_EDITS, _record(label)))
        label.complete = self.taxonomy.is_complete(label)
        if stamp or label.taxonomy_version is None:
            label.taxonomy_version = self.taxonomy.version
        label.created_at = (old.created_at if old else None) or label.created_at or now
        if stamp or not label.updated_at:
            label.updated_at = now
        return label

    def write(self, label: Label, *, actor: str, origin: str, coalesce: bool = False) -> Label:
        """Store a prepared label and its history event in one transaction, exactly once.

        Applied when the stored version is the one the edit was based on (or no base was given): the
        label becomes version + 1. Otherwise the edit is kept as an open conflict in the history and
        `EditConflict` is raised once that is committed. An edit whose id the history already holds
        (a retry after the connection was lost, a pack imported again) changes nothing. On a server
        a lost connection is made again and the transaction retried (`Db.retrying`).
        """
        return self._commit(lambda: label, actor, origin, coalesce)

    def _commit(self, prepared: Callable[[], Label], actor: str, origin: str, coalesce: bool) -> Label:
        """One write transaction of `prepared()`, retried on a new connection when the server dropped
        the old one; a conflict is raised after its transaction committed (the edit is kept)."""
        conflict: list[EditConflict] = []

        def once() -> Label:
            conflict.clear()
            with writing(self.db):
                label = prepared()
                try:
                    return self._write(label, actor, origin, coalesce)
                except EditConflict as exc:
                    conflict.append(exc)
                    return label

        written = self.db.retrying(once)
        if conflict:
            raise conflict[0]
        return written

    def _write(self, label: Label, actor: str, origin: str, coalesce: bool) -> Label:
        """The body of `write`, inside its transaction (raises EditConflict after recording one)."""
        key = [label.trajectory_id, label.annotator, int(label.first_pass), int(label.adjudication is not None)]
        of_key = "trajectory_id = :t and annotator = :a and first_pass = :f and adjudication = :j"
        old_record, stored, done = self.db.execute(
            f"select (select record from labels where {of_key}), (select version from labels where {of_key}),"
            " (select coalesce(conflict, 'applied') from label_events where edit_id = :edit)",
            {"t": key[0], "a": key[1], "f": key[2], "j": key[3], "edit": label.edit_id},
        ).fetchone()
        old = _with_version(old_record, stored)
        if done == "applied":  # this very edit was committed before (its answer lost): nothing more to do
            return old or label
        if done is not None or (label.based_on is not None and label.based_on != (stored or 0)):
            if done is None:
                self._record_event(label, actor, origin, now_iso(), old, _record(label), False, conflict="open")
            where = f"{label.trajectory_id!r} ({label.annotator}, {'first pass' if label.first_pass else 'final'})"
            raise EditConflict(
                f"{where}: saved elsewhere meanwhile (now version {stored or 0}, this edit was based on"
                f" {label.based_on}); the edit is kept as conflict {(label.edit_id or '')[:8]}, not applied:"
                " `reviewer labels conflicts` to settle it",
                label.edit_id or "",
                old,
            )
        now = now_iso()
        label.based_on, label.version = None, (stored or 0) + 1  # as `prepare` said it would be
        record = _record(label)
        if old is None:
            self.db.execute(
                "insert into annotators(name, created_at) values (?, ?) on conflict do nothing", [label.annotator, now]
            )
        self.db.execute(
            "insert into labels(trajectory_id, annotator, first_pass, adjudication, verdict, complete,"
            " taxonomy_version, created_at, updated_at, record, flag, version) values (?,?,?,?,?,?,?,?,?,?,?,?)"
            " on conflict(trajectory_id, annotator, first_pass, adjudication) do update set verdict = excluded.verdict,"
            " complete = excluded.complete, taxonomy_version = excluded.taxonomy_version,"
            " created_at = excluded.created_at, updated_at = excluded.updated_at, record = excluded.record,"
            " flag = excluded.flag, version = excluded.version",
            [
                *key, label.verdict, int(label.complete), label.taxonomy_version, label.created_at, label.updated_at,
                record, label.flag.kind if label.flag else None, label.version,
            ],
        )  # fmt: skip
        self._record_event(label, actor, origin, now, old, record, coalesce, based_on=stored or 0)
        if label.first_pass:
            update_tie_breaks(self.db, label.trajectory_id)  # planned work: a split first pass calls for one more reviewer
        return label

    def withdraw_final(self, trajectory_id: str, annotator: str, *, actor: str, origin: str) -> None:
        """Remove a reviewer's own final label (a reveal undone before any edit), with its history
        event: the first pass becomes editable again, and the history says the final label existed."""

        def once() -> None:
            with writing(self.db):
                old = self.get(trajectory_id, annotator, first_pass=False)
                if old is None:
                    return
                self.db.execute(
                    "delete from labels where trajectory_id = ? and annotator = ? and first_pass = 0 and adjudication = 0",
                    [trajectory_id, annotator],
                )
                gone = Label.from_dict(old.to_dict())
                gone.edit_id, gone.version = str(uuid.uuid4()), (old.version or 0) + 1
                self._record_event(gone, actor, origin, now_iso(), old, None, coalesce=False, based_on=old.version)

        self.db.retrying(once)

    def _record_event(
        self,
        label: Label,
        actor: str,
        origin: str,
        now: str,
        old: Label | None,
        record: str | None,
        coalesce: bool,
        *,
        based_on: int | None = None,
        conflict: str | None = None,
    ) -> None:
        """One history event: `label`'s edit (its id and version; `record` None for a withdrawal), or
        with `conflict` an edit kept but not applied (based on `label.based_on`)."""
        key = [label.trajectory_id, label.annotator, int(label.first_pass), int(label.adjudication is not None)]
        version = None if conflict else label.version
        based = label.based_on if conflict else based_on
        if coalesce:
            last = self.db.execute(
                "select id, actor, origin, at, conflict from label_events where trajectory_id = ? and annotator = ?"
                " and first_pass = ? and adjudication = ? order by id desc limit 1",
                key,
            ).fetchone()
            since = _parse_time(last[3]) if last else None
            now_time = _parse_time(now)
            if (
                last
                and last[1:3] == (actor, origin)
                and last[4] is None
                and since
                and now_time
                and (now_time - since).total_seconds() < COALESCE_SECONDS
            ):
                # A new id, so a reader of the history after its last id sees this change too
                # (store.changes); the event stays the latest of its label, where it was. It stands for
                # the burst, and carries the id of the burst's last edit.
                self.db.execute(
                    f"update label_events set at = ?, new = ?, edit_id = ?, version = ?,"
                    f" id = {self.db.dialect.next_id('label_events')} where id = ?",
                    [now, record, label.edit_id, version, last[0]],
                )
                self.db.notify_change()
                return
        self.db.execute(
            "insert into label_events(trajectory_id, annotator, first_pass, adjudication, at, actor, origin, old, new,"
            " edit_id, version, based_on, conflict) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                *key, now, actor, origin, json.dumps(old.to_dict(), ensure_ascii=False) if old else None, record,
                label.edit_id, version, based, conflict,
            ],
        )  # fmt: skip
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
        """Take a label from another machine's pack, compared and written in one transaction.

        An edit whose id this project's history holds is not taken again, nor a label that says what
        the stored one says: importing a pack twice changes nothing. A record from a checked-out
        project (`based_on`, the version it built on here) is applied where the label still has that
        version and kept as a flagged conflict where not: no clock decides. Records without it (packs
        of other projects, older packs) keep the earlier rule: the later `updated_at` wins.
        """

        def once() -> MergeResult:
            with writing(self.db):
                if label.edit_id and self.db.execute("select 1 from label_events where edit_id = ?", [label.edit_id]).fetchone():
                    return "unchanged"
                existing = self.get(*label.key)
                if existing is not None and _said(existing) == _said(label):
                    return "unchanged"
                incoming = Label.from_dict(label.to_dict())
                incoming.version = None  # another project's count; only `based_on` speaks of ours
                if incoming.based_on is None and existing is not None:
                    theirs, ours = _parse_time(incoming.updated_at or incoming.created_at), _parse_time(existing.updated_at)
                    if theirs is None or (ours is not None and theirs <= ours):
                        return "kept_newer"
                try:
                    self._write(self.prepare(incoming, stamp=False), actor, origin, False)
                except EditConflict:
                    return "conflict"
                return "added" if existing is None else "updated"

        return self.db.retrying(once)

    def conflicts(
        self, *, annotator: str | None = None, trajectory_id: str | None = None, include_resolved: bool = False
    ) -> list[Conflict]:
        """Edits kept as conflicts (open ones, or all), oldest first."""
        where, params = ["conflict is not null" if include_resolved else "conflict = 'open'"], []
        for column, value in (("annotator", annotator), ("trajectory_id", trajectory_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return self._conflicts(" and ".join(where), params)

    def _conflicts(self, where: str, params: list[Any]) -> list[Conflict]:
        rows = self.db.execute(
            f"select edit_id, at, actor, origin, based_on, old, new, conflict from label_events where {where} order by id",
            params,
        )
        return [
            Conflict(edit_id, at, actor, origin, based_on, Label.from_dict(json.loads(old)) if old else None,
                     Label.from_dict(json.loads(new)), state)
            for edit_id, at, actor, origin, based_on, old, new, state in rows
        ]  # fmt: skip

    def resolve(self, edit_id: str, keep: Keep, *, actor: str, origin: str) -> Label | None:
        """Settle an open conflict: keep the stored label as it is, or make the kept edit the label
        (a new version, with its own history event). `edit_id` may be shortened to a unique prefix.
        Returns the label as it stands after."""
        with writing(self.db):
            found = self._conflicts("conflict = 'open' and substr(edit_id, 1, ?) = ?", [len(edit_id), edit_id])
            if len(found) != 1:
                raise LabelRejected(
                    f"no open conflict {edit_id!r}" if not found else f"{edit_id!r} names {len(found)} conflicts: give more of it"
                )
            conflict = found[0]
            self.db.execute("update label_events set conflict = 'resolved' where edit_id = ?", [conflict.edit_id])
            current = self.get(*conflict.edit.key)
            if keep == "stored":
                return current
            taken = Label.from_dict(conflict.edit.to_dict())
            taken.based_on, taken.version = None, current.version if current else 0
            return self.save(taken, actor=actor, origin=origin)

    def get(self, trajectory_id: str, annotator: str, first_pass: bool, adjudication: bool = False) -> Label | None:
        """A reviewer's own label of one pass, or (`adjudication=True`, `first_pass=False`) their adjudication."""
        row = self.db.execute(
            "select record, version from labels where trajectory_id = ? and annotator = ? and first_pass = ?"
            " and adjudication = ?",
            [trajectory_id, annotator, int(first_pass), int(adjudication)],
        ).fetchone()
        return _with_version(*row) if row else None

    def all(self, *, annotator: str | None = None, trajectory_id: str | None = None) -> list[Label]:
        where, params = [], []
        if annotator is not None:
            where.append("annotator = ?")
            params.append(annotator)
        if trajectory_id is not None:
            where.append("trajectory_id = ?")
            params.append(trajectory_id)
        sql = "select record, version from labels" + (" where " + " and ".join(where) if where else "")
        sql += " order by trajectory_id, annotator, first_pass desc, adjudication"
        return [label for record, version in self.db.execute(sql, params) if (label := _with_version(record, version))]

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
            "select at, actor, origin, trajectory_id, annotator, first_pass, adjudication, old, new, edit_id, conflict"
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
                Label.from_dict(json.loads(new)) if new else None, edit_id, conflict,
            )
            for at, actor, origin, tid, who, first, settling, old, new, edit_id, conflict in self.db.execute(
                sql + " order by id", params)
        ]  # fmt: skip
