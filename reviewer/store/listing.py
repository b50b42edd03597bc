"""The trajectory list as a reviewer sees it: filtered, sorted and paged in SQL.

The app's list shows one page at a time and asks for the next as the view scrolls, so a store of
100,000 trajectories never loads whole; filters and sorting run in SQLite with its indexes, never
in a Qt proxy model (which would read every row).

The list is also a channel through which a blind first pass could learn what others said
(`reviewer.blind`): counts, the verdict filter, the disputed queue and sort orders use other
reviewers' labels and suggestions only on rows the viewer has sighted (`SIGHTED`, the one definition).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

from reviewer.model import MACHINE_PREFIXES, MACHINE_RATERS, Label
from reviewer.store.connection import Db
from reviewer.store.dialect import Dialect
from reviewer.store.search import Fts5Index, TsvectorIndex
from reviewer.store.votes import TIE_BREAK_PENDING

Queue = Literal["all", "mine", "unlabelled", "disputed", "uncertain", "suspicious", "random", "slots"]
QUEUES: tuple[Queue, ...] = get_args(Queue)
# Worklists in an order of their own (`queue_orders`); what the viewer finished (revealed) leaves them.
RANKED: tuple[Queue, ...] = ("uncertain", "suspicious", "random")
# Ranked by the probability of the classifier that predicted last (`reviewer predict`).
BY_CLASSIFIER: tuple[Queue, ...] = ("uncertain", "suspicious")

# The viewer's (:who, a name or NULL) own labels of item t; an own final label exists only once
# the reveal froze the viewer's first pass.
_MINE = "o.trajectory_id = t.id and o.annotator = :who and o.adjudication = 0"
_OWN = f"select 1 from labels o where {_MINE}"
_OWN_FINAL = f"{_OWN} and o.first_pass = 0"
# Sighted: the viewer may see what others said about t (reviewer.blind explains; the only definition).
SIGHTED = f"(exists ({_OWN_FINAL}) or (:adjudicator and not exists ({_OWN})))"
# The viewer's own current verdict: the final label's, else the first pass's.
_OWN_VERDICT = f"(select o.verdict from labels o where {_MINE} order by o.first_pass limit 1)"
# A rater who is no machine (`reviewer.model.is_machine`, the same rule).
_NOT_MACHINE = " and ".join(
    [
        *(f"substr(v.annotator, 1, {len(p)}) != '{p}'" for p in MACHINE_PREFIXES),
        *(f"v.annotator != '{n}'" for n in MACHINE_RATERS),
    ]
)
# A human reviewer's own label of t (no adjudication, no model, classifier or detectors).
_HUMAN = f"v.trajectory_id = t.id and v.adjudication = 0 and {_NOT_MACHINE}"
# A human reviewer's current vote (label v of trajectory t): their own final label if they have one, else their
# first pass. The votes of the gold label (agreement.aggregate.Ballots) and of LabelRepository.unanimous.
CURRENT_VOTE = (
    f"{_HUMAN} and v.verdict is not null and v.first_pass = (select min(w.first_pass) from labels w"
    " where w.trajectory_id = t.id and w.annotator = v.annotator and w.adjudication = 0)"
)
# The viewer's own progress on t, from their current own label (the final one, else the first pass):
# an edit of theirs kept as a conflict (saved elsewhere meanwhile: `reviewer labels conflicts`), set
# aside (skipped, flagged), complete (final done, first pass done), started, or nothing yet.
STATUSES = ("not started", "in progress", "first pass done", "final done", "skipped", "flagged", "conflict")
NEEDS_ME = ("not started", "in progress", "conflict")  # what "done, next" (Ctrl+Return) goes on to
_CONFLICT = "select 1 from label_events e where e.trajectory_id = t.id and e.annotator = :who and e.conflict = 'open'"
_STATUS = (
    f"coalesce((select 'conflict' where exists ({_CONFLICT})),"
    " (select case when o.flag = 'skip' then 'skipped' when o.flag = 'flag' then 'flagged'"
    " when o.complete = 1 and o.first_pass = 0 then 'final done' when o.complete = 1 then 'first pass done'"
    " else 'in progress' end"
    f" from labels o where {_MINE} order by o.first_pass limit 1), 'not started')"
)


@dataclass(frozen=True, slots=True)
class _Filters:
    """The parts of the list's SQL that need the backend's dialect (JSON in records, string aggregation)."""

    disputed: str
    verdict: str
    columns: str


@cache
def _filters(dialect: Dialect) -> _Filters:
    # An adjudication that settles t (gold); a draft says `settled: false` in its record.
    settled = (
        "select 1 from labels a where a.trajectory_id = t.id and a.adjudication = 1"
        f" and {dialect.json_flag('a.record', 'adjudication', 'settled')}"
    )
    # Adjudication work: votes differ, nothing settled it, and no tie-break reviewer is still to vote.
    disputed = (
        f"{SIGHTED} and (select count(distinct v.verdict) from labels v where {CURRENT_VOTE}) > 1 and not exists ({settled})"
        f" and not {TIE_BREAK_PENDING}"
    )
    # `+v.verdict`: not through the verdict index, which made SQLite read every label with that verdict
    # for each trajectory (minutes over 100,000 trajectories) instead of the trajectory's few labels.
    unindexed = "" if dialect.postgres else "+"
    others = (
        f"exists (select 1 from labels v where {CURRENT_VOTE} and {unindexed}v.verdict = :verdict)"
        f" or exists ({settled} and {unindexed}a.verdict = :verdict)"
    )
    verdict = f"(:verdict = {_OWN_VERDICT} or (:adjudicator and {SIGHTED} and ({others})))"
    verdicts = dialect.concat("d.verdict", "' ≠ '")
    columns = (
        "t.id, t.task_id, t.model, t.format, t.n_steps,"
        f" {_STATUS} as status,"
        f" case when {SIGHTED} then (select count(distinct v.annotator) from labels v where {_HUMAN}) end as n_reviewers,"
        f" case when {SIGHTED} then (select count(*) from suggestions s where s.trajectory_id = t.id) end as n_flags,"
        f" case when {SIGHTED} then (select {verdicts} from"
        f"   (select distinct v.verdict from labels v where {CURRENT_VOTE} order by v.verdict) d) end as disputed_on,"
        f" case when {SIGHTED} then (select max(s.confidence) from suggestions s where s.trajectory_id = t.id) end as strongest"
    )
    return _Filters(disputed, verdict, columns)


SORTS = {
    "id": "t.id",
    "task": "t.task_id",
    "model": "t.model",
    "format": "t.format",
    "steps": "t.n_steps",
    "status": "status",
    "reviewers": "n_reviewers",  # masked: unsighted rows sort as NULL, then by id
    "flags": "n_flags",
    "verdicts": "disputed_on",
    "strongest": "strongest",  # the highest confidence among the suggestions (calibrated for detectors), masked
    "queue": "t.id",  # the queue's own order (`queue_orders`); by id for the others
}
# The classifier's (:classifier) probability of t.
_PROBABILITY = "(select c.confidence from suggestions c where c.trajectory_id = t.id and c.rater = :classifier)"
_PREDICTED = "t.id in (select c.trajectory_id from suggestions c where c.rater = :classifier and c.confidence is not null)"


# The ranked queues' orders. They show nothing but the order (no probability reaches a row), and
# "uncertain" goes by the distance to the threshold, so its order says nothing of the direction;
# it takes the nearest of each task first, then the second nearest of each, so one task with many
# runs does not fill the top. "random" is a fixed permutation per seed (a keyed hash of the id):
# labelling its first N gives an unbiased sample, and new imports do not reorder the old ones.
# The distance is rounded to the 6 digits probabilities are stored with: 0.55 and 0.45 are equally
# near 0.5, where floating point would put one first and so tell the direction.
@cache
def queue_orders(dialect: Dialect) -> dict[str, str]:
    distance = dialect.round6(f"abs({_PROBABILITY} - :threshold)")
    return {
        "uncertain": f"row_number() over (partition by coalesce(t.task_id, t.id) order by {distance}, t.id), {distance}",
        "suspicious": dialect.order(_PROBABILITY, descending=True),
        "random": dialect.shuffle(":seed", "t.id"),
    }


def shuffle_key(seed: int, trajectory_id: str) -> int:
    """The random queue's key: a keyed hash, the same on every machine and Python (no `hash()` salt)."""
    digest = hashlib.blake2b(trajectory_id.encode("utf-8", "surrogatepass"), digest_size=8, key=str(seed).encode()).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the list shows, and to whom: `annotator` is the viewer, whose blind first passes the
    listing keeps blind; `adjudicator` mode also sights the items the viewer has not labelled."""

    annotator: str | None = None
    queue: Queue = "all"
    verdict: str | None = None
    text: str | None = None
    sort: str = "id"
    descending: bool = False
    adjudicator: bool = False
    seed: int = 0  # of the random queue
    # Only items the viewer has labelled (True) or not (False); with no viewer, in adjudicator mode, any
    # reviewer's label counts (the lead's "nobody labelled it yet").
    labelled: bool | None = None


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of the list; what others said (`n_reviewers`, `n_flags`, `disputed_on`, `strongest`) is None for a
    row the viewer has not sighted, so a blind first pass is never anchored by it."""

    id: str
    task_id: str | None
    model: str | None
    format: str
    n_steps: int
    status: str  # the viewer's own progress, one of `STATUSES`
    n_reviewers: int | None
    n_flags: int | None
    disputed_on: str | None  # the human reviewers' distinct current verdicts, "cheat ≠ clean"
    strongest: float | None  # the highest confidence of a suggestion (detector, judge, classifier): how suspicious


class TrajectoryListing:
    def __init__(self, db: Db, index: Fts5Index | TsvectorIndex):
        self.db = db
        self._index = index  # text filters need the full-text index caught up
        self._sql = _filters(db.dialect)
        if isinstance(conn := getattr(db, "conn", None), sqlite3.Connection):
            conn.create_function("reviewer_shuffle", 2, shuffle_key, deterministic=True)

    def classifier(self) -> tuple[str, float] | None:
        """The classifier that predicted last (rater `classifier:<hash>`) and its threshold; None before any."""
        row = self.db.execute(
            f"select rater, {self.db.dialect.json_value('details', 'threshold')} from suggestions"
            " where substr(rater, 1, 11) = 'classifier:' order by id desc limit 1"
        ).fetchone()
        return None if row is None else (row[0], float(row[1] if row[1] is not None else 0.5))

    def _where(self, q: ListQuery, *, finished_too: bool = False) -> tuple[str, dict[str, Any]]:
        """The one filter of `count`, `page` and `next_id`, with its named parameters. `finished_too`:
        keep what the worklists drop once the viewer finished it (their progress counts it as done)."""
        where: list[str] = []
        params: dict[str, Any] = {"who": q.annotator, "adjudicator": q.adjudicator, "verdict": q.verdict, "seed": q.seed}
        if finished_too and q.queue in ("unlabelled", "mine", *RANKED):
            pass
        elif q.queue == "unlabelled" and q.annotator is not None:
            where.append(f"not exists ({_OWN})")
        elif q.queue in ("mine", *RANKED) and q.annotator is not None:  # everything I have not finished (no final label yet)
            where.append(f"not exists ({_OWN_FINAL})")
        elif q.queue == "disputed":
            where.append(self._sql.disputed)
        elif q.queue == "slots":  # planned work (reviewer.store.slots): the items the viewer holds a slot of
            where.append("t.id in (select m.trajectory_id from slots m where m.annotator = :who)")
        if q.queue in BY_CLASSIFIER:
            params["classifier"], params["threshold"] = self.classifier() or (None, 0.5)
            where.append(_PREDICTED)
        if q.verdict is not None:
            where.append(self._sql.verdict)
        if q.labelled is not None:
            has = (
                f"exists ({_OWN})"
                if q.annotator is not None or not q.adjudicator
                else f"exists (select 1 from labels v where {_HUMAN})"
            )
            where.append(has if q.labelled else f"not {has}")
        params["text"] = self._index.query(q.text or "")
        if params["text"] is not None:
            self._index.index_pending()
            where.append(f"t.id in ({self._index.matching(':text')})")
        return (" where " + " and ".join(where) if where else ""), params

    def count(self, q: ListQuery) -> int:
        where, params = self._where(q)
        return self.db.execute(f"select count(*) from trajectories t{where}", params).fetchone()[0]

    def progress(self, q: ListQuery) -> dict[str, int]:
        """How many of the query's rows are in each of the viewer's `STATUSES` (the list's "12 of 40 done").

        A worklist that drops what the viewer finished (unlabelled, mine, the ranked queues) is counted
        with those rows kept: labelling one must read "1 of 40 done", not "0 of 39"."""
        where, params = self._where(q, finished_too=True)
        counts = dict.fromkeys(STATUSES, 0)
        for status, n in self.db.execute(
            f"select {_STATUS} as status, count(*) from trajectories t{where} group by status", params
        ):
            counts[status] = n
        return counts

    def next_id(self, q: ListQuery, after: str) -> str | None:
        """The first id after `after` that the query keeps, wrapping to its first; None if it keeps none."""
        where, params = self._where(q)
        more = f"{where} and t.id > :after" if where else " where t.id > :after"
        first, args = "select t.id from trajectories t{} order by t.id limit 1", {**params, "after": after}
        for clause in (more, where):
            if (row := self.db.execute(first.format(clause), args).fetchone()) is not None:
                return row[0]
        return None

    def row(self, q: ListQuery, trajectory_id: str) -> ListRow | None:
        """One trajectory's row as the viewer sees it now (their own label just changed: a reveal sights it)."""
        params = {"who": q.annotator, "adjudicator": q.adjudicator, "id": trajectory_id}
        found = self.db.execute(f"select {self._sql.columns} from trajectories t where t.id = :id", params).fetchone()
        return ListRow(*found) if found else None

    def page(self, q: ListQuery, offset: int, limit: int) -> list[ListRow]:
        where, params = self._where(q)
        sql = f"select {self._sql.columns} from trajectories t{where} order by {self._order(q)} limit :limit offset :offset"
        return [ListRow(*row) for row in self.db.execute(sql, {**params, "limit": limit, "offset": offset})]

    def rows(self, q: ListQuery, limit: int | None = None) -> list[ListRow]:
        """The whole list (or its first `limit` rows) in one read: the command line's `reviewer list`."""
        return self.page(q, 0, self.count(q) if limit is None else limit)

    def visible_labels(self, q: ListQuery, labels: list[Label]) -> list[Label]:
        """Of `labels`, those the viewer may see: their own, and others' on items they have sighted."""
        where, params = " where " + SIGHTED, {"who": q.annotator, "adjudicator": q.adjudicator}
        sighted = {row[0] for row in self.db.execute(f"select t.id from trajectories t{where}", params)}
        return [lb for lb in labels if (q.annotator is not None and lb.annotator == q.annotator) or lb.trajectory_id in sighted]

    def _order(self, q: ListQuery) -> str:
        """ORDER BY of a page: the queue's own order, or a column's (masked values, see SORTS), then the id."""
        if q.sort not in SORTS:
            raise ValueError(f"unknown sort {q.sort!r} (known: {', '.join(SORTS)})")
        if q.sort == "queue":
            return f"{queue_orders(self.db.dialect).get(q.queue, 't.id')}, t.id"
        return f"{self.db.dialect.order(SORTS[q.sort], q.descending)}, t.id"
