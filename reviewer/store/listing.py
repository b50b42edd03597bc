"""The trajectory list as a reviewer sees it: filtered, sorted and paged in SQL.

The app's list shows one page at a time and asks for the next as the view scrolls, so a store of
100,000 trajectories never loads whole; filters and sorting run in SQLite with its indexes, never
in a Qt proxy model (which would read every row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from reviewer.store.trajectories import fts_query

Queue = Literal["all", "mine", "unlabelled", "disputed"]
SORTS = {
    "id": "t.id",
    "task": "t.task_id",
    "model": "t.model",
    "format": "t.format",
    "steps": "t.n_steps",
    "status": "status",
    "reviewers": "n_reviewers",
    "flags": "n_flags",
}


@dataclass(frozen=True, slots=True)
class ListQuery:
    annotator: str | None = None
    queue: Queue = "all"
    verdict: str | None = None
    text: str | None = None
    sort: str = "id"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    task_id: str | None
    model: str | None
    format: str
    n_steps: int
    status: str  # the annotator's: unlabelled / first pass / done
    n_reviewers: int
    n_flags: int




class TrajectoryListing:
    def __init__(self, db: Database, index_pending: Callable[[], int]):
        self.db = db
        self._index_pending = index_pending  # text filters need the full-text index caught up

    def _where(self, q: ListQuery) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if q.queue in ("mine", "unlabelled") and q.annotator is not None:
            if q.queue == "unlabelled":
                where.append("not exists (select 1 from labels l where l.trajectory_id = t.id and l.annotator = ? and l.adjudication = 0)")
            else:  # my queue: everything I have not finished (no final label yet)
                where.append("not exists (select 1 from labels l where l.trajectory_id = t.id and l.annotator = ? and l.adjudication = 0 and l.first_pass = 0)")
            params.append(q.annotator)
        if q.queue == "disputed":
            where.append(
                "(select count(distinct l.verdict) from labels l where l.trajectory_id = t.id and l.verdict is not null"
                " and l.adjudication = 0 and l.annotator not like 'model:%' and l.annotator != 'detectors') > 1"
            )
        if q.verdict is not None:
            where.append("exists (select 1 from labels l where l.trajectory_id = t.id and l.adjudication = 0 and l.verdict = ?)")
            params.append(q.verdict)
        query = fts_query(q.text or "")
        if query is not None:
            self._index_pending()
            where.append("t.id in (select s.trajectory_id from steps_fts join steps s on s.rowid = steps_fts.rowid where steps_fts match ?)")
            params.append(query)
        return (" where " + " and ".join(where) if where else ""), params

    def count(self, q: ListQuery) -> int:
        where, params = self._where(q)
        return self.db.execute(f"select count(*) from trajectories t{where}", params).fetchone()[0]

    def next_id(self, q: ListQuery, after: str) -> str | None:
        """The first id after `after` that the query keeps, wrapping to its first; None if it keeps none."""
        where, params = self._where(q)
        more = f"{where} and t.id > ?" if where else " where t.id > ?"
        for sql, args in ((f"select t.id from trajectories t{more} order by t.id limit 1", [*params, after]),
                          (f"select t.id from trajectories t{where} order by t.id limit 1", params)):  # fmt: skip
            if (row := self.db.execute(sql, args).fetchone()) is not None:
                return row[0]
        return None

    def page(self, q: ListQuery, offset: int, limit: int) -> list[ListRow]:
        if q.sort not in SORTS:
            raise ValueError(f"unknown sort {q.sort!r} (known: {', '.join(SORTS)})")
        where, params = self._where(q)
        sql = (
            "select t.id, t.task_id, t.model, t.format, t.n_steps,"
            " case when exists (select 1 from labels l where l.trajectory_id = t.id and l.annotator = ? and l.adjudication = 0 and l.first_pass = 0)"
            "   then 'done'"
            " when exists (select 1 from labels l where l.trajectory_id = t.id and l.annotator = ? and l.adjudication = 0) then 'first pass'"
            " else 'unlabelled' end as status,"
            " (select count(distinct l.annotator) from labels l where l.trajectory_id = t.id"
            "   and l.adjudication = 0 and l.annotator not like 'model:%' and l.annotator != 'detectors') as n_reviewers,"
            " (select count(*) from suggestions s where s.trajectory_id = t.id) as n_flags"
            f" from trajectories t{where} order by {SORTS[q.sort]} {'desc' if q.descending else 'asc'}, t.id limit ? offset ?"
        )
        who = q.annotator or ""
        return [ListRow(*row) for row in self.db.execute(sql, [who, who, *params, limit, offset])]
