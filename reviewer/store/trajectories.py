"""Trajectories in the store: atomic insert (one trajectory, one transaction), load, list, search.

Inserts use plain executemany inside one `writing()` transaction: this is the import hot path, and
the row shapes are fixed by the migration, so sqlite-utils' per-row type inference buys nothing here.
A stored trajectory's steps and edits never change: readers may load it whenever they like and get
the same transcript. Its grader outcome may arrive later (`set_outcome`, from an evaluation run
apart from the agent's log), and a part of a run split over several files, stored before the rest
arrived, gives way to the whole run while nobody has labelled it (`remove_unlabelled`).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any, Literal

from reviewer.errors import TrajectoryConflict
from reviewer.jsonio import Document, dumps
from reviewer.model import (
    Agent,
    FileEdit,
    Outcome,
    Source,
    Step,
    Task,
    TestRun,
    ToolCall,
    ToolResult,
    Trajectory,
)
from reviewer.store.connection import Db
from reviewer.store.dialect import Dialect
from reviewer.store.search import HIT_END, HIT_START, SearchHit, fts_query, index_for
from reviewer.store.transactions import writing

__all__ = ["HIT_END", "HIT_START", "SearchHit", "TrajectoryRepository", "fts_query"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def content_hash(trajectory: Trajectory) -> str:
    """Identity of what a trajectory says, whatever file or formatting it came from."""
    canonical = json.dumps(trajectory.content_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_PLAIN_CALL = ("id", "name", "arguments")


def _call(c: dict[str, Any]) -> dict[str, Any]:
    """A tool call's JSON as `ToolCall.to_dict` writes it. One with just its three keys, in that
    order, already is that (the usual case, and every call `to_dict` wrote): it is taken as it is."""
    return c if tuple(c) == _PLAIN_CALL else ToolCall.from_dict(c).to_dict()


def _step_row(trajectory_id: str, s: dict[str, Any]) -> tuple[Any, ...]:
    calls, result, metadata = s.get("tool_calls"), s.get("tool_result"), s.get("metadata")
    return (
        trajectory_id, s["index"], s["role"], s.get("text", ""), s.get("thinking"),
        dumps(list(map(_call, calls))) if calls else None,
        result["call_id"] if result else None, (1 if result.get("is_error") else 0) if result else None,
        s.get("timestamp"), dumps(metadata) if metadata else None,
    )  # fmt: skip


_HEAD = (
    "id, task_prompt, task_id, task_repo, task_instance, format, source_file, source_sha256, model, scaffold,"
    " outcome, final_patch, final_answer, metadata, test_runs"
)
_STEP = "idx, role, text, thinking, tool_calls, call_id, is_error, timestamp, metadata"
_EDIT = "step, path, before, after, diff, source, op, status, from_path"


def _bounds(
    dialect: Dialect, column: str, first: str | None, last: str | None, only: Sequence[str] | None
) -> tuple[str, list[str]]:
    """A WHERE clause keeping rows whose `column` is in [first, last] (either end open) and, with
    `only`, one of those ids; with its parameters."""
    where, params = [], []
    if first is not None:
        where.append(f"{column} >= ?")
        params.append(first)
    if last is not None:
        where.append(f"{column} <= ?")
        params.append(last)
    if only is not None:
        where.append(f"{column} in ({dialect.ids()})")
        params.append(json.dumps(list(only)))
    return (" where " + " and ".join(where) if where else ""), params


def _step(row: tuple[Any, ...]) -> Step:
    idx, role, text, thinking, calls, call_id, is_error, timestamp, metadata = row
    return Step(
        idx, role, text, thinking,
        [ToolCall.from_dict(c) for c in json.loads(calls)] if calls else [],
        ToolResult(call_id, bool(is_error)) if call_id is not None else None,
        timestamp, json.loads(metadata) if metadata else {},
    )  # fmt: skip


def _edit(row: tuple[Any, ...]) -> FileEdit:
    step, path, before, after, diff, source, op, status, from_path = row
    return FileEdit(path, step, before, after, diff, source, op, status or "unknown", from_path)


def _outcome(stored: str | None) -> Outcome:
    return Outcome.from_dict(json.loads(stored)) if stored else Outcome()


def _trajectory(head: tuple[Any, ...], steps: list[Step], edits: list[FileEdit]) -> Trajectory:
    tid, prompt, task_id, repo, instance, fmt, file, sha, model, scaffold, outcome, patch, answer, metadata, runs = head
    return Trajectory(
        id=tid,
        task=Task(prompt, task_id, repo, instance),
        steps=steps,
        source=Source(fmt, file, sha),
        agent=Agent(model, scaffold),
        outcome=_outcome(outcome),
        file_edits=edits,
        test_runs=[TestRun.from_dict(r) for r in json.loads(runs)] if runs else [],
        final_patch=patch,
        final_answer=answer,
        metadata=json.loads(metadata) if metadata else {},
    )


def _same_content(stored: Trajectory, incoming: Trajectory) -> bool:
    """Equal content; an incoming copy without any outcome also equals a stored one whose outcome was
    attached after its import."""
    mine, theirs = stored.content_dict(), incoming.content_dict()
    if incoming.outcome == Outcome():
        mine["outcome"] = theirs["outcome"]
    return mine == theirs


def _parts_of(metadata: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(file, sha256) of each file a run split over several was joined from (`metadata.parts`)."""
    parts = metadata.get("parts")
    return [(p.get("file"), p.get("sha256")) for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


@dataclass(frozen=True, slots=True)
class Original:
    """A file's bytes as the store keeps them (zlib-compressed), apart from the file: a worker process
    compresses, the writer only inserts."""

    sha256: str
    file_name: str
    size: int
    compressed: bytes

    @classmethod
    def of(cls, doc: Document) -> Original:
        return cls(doc.sha256, doc.path.name, len(doc.data), doc.compressed)


@dataclass(frozen=True, slots=True)
class Rows:
    """A trajectory as the rows the store inserts for it. Made where the file is read (an import
    worker), they cross to the writing process as plain tuples: unpickling a hundred steps' records
    costs as much as parsing their JSON, their rows a tenth of it. `head` is in `_HEAD` order."""

    head: tuple[Any, ...]
    steps: list[tuple[Any, ...]]
    edits: list[tuple[Any, ...]]
    place: str = ""

    @property
    def id(self) -> str:
        return self.head[0]

    @property
    def sha256(self) -> str | None:
        return self.head[7]

    @classmethod
    def of(cls, t: Trajectory, place: str = "") -> Rows:
        return cls.of_value(t.to_dict(), t.source, place)

    @classmethod
    def of_value(cls, t: dict[str, Any], source: Source, place: str = "") -> Rows:
        """The rows of a trajectory's JSON form (`Trajectory.to_dict()`, or a native file's value once
        checked: `formats.native.canonical_value`), exactly those of the trajectory it reads as, without
        building it; `source` is the importer's (a file's own is ignored)."""
        tid, task, agent = t["id"], t["task"], t.get("agent", {})
        head = (
            tid, task["prompt"], task.get("id"), task.get("repo"), task.get("instance"), source.format, source.file,
            source.sha256, agent.get("model"), agent.get("scaffold"), dumps(Outcome.from_dict(t.get("outcome", {})).to_dict()),
            t.get("final_patch"), t.get("final_answer"), dumps(t.get("metadata", {})),
            dumps([TestRun.from_dict(r).to_dict() for r in t.get("test_runs") or ()]),
        )  # fmt: skip
        edits = [
            (tid, k, e["step"], e["path"], e.get("before"), e.get("after"), e.get("diff"), e.get("source"), e.get("op"),
             e.get("status", "unknown"), e.get("from_path"))
            for k, e in enumerate(t.get("file_edits") or ())
        ]  # fmt: skip
        return cls(head, list(map(_step_row, repeat(tid), t["steps"])), edits, place)

    def parts(self) -> list[tuple[Any, Any]]:
        return _parts_of(json.loads(self.head[13]) if self.head[13] else {})

    def trajectory(self) -> Trajectory:
        """The trajectory as the store will give it back (for the rare comparisons an id clash needs)."""
        return _trajectory(self.head, [_step(r[1:]) for r in self.steps], [_edit(r[2:]) for r in self.edits])


class TrajectoryRepository:
    def __init__(self, db: Db):
        self.db = db
        self.index = index_for(db)

    def status(self, trajectory: Trajectory | Rows, place: str = "") -> Literal["new", "duplicate"]:
        """Whether importing this trajectory would add it; raises TrajectoryConflict for a clashing id.

        The same place in the same file bytes is a duplicate at no cost; the same id from elsewhere
        is compared by content.
        """
        if isinstance(trajectory, Rows):
            tid, sha256, place, parts = trajectory.id, trajectory.sha256, trajectory.place, trajectory.parts()
        else:
            tid, sha256, parts = trajectory.id, trajectory.source.sha256, _parts_of(trajectory.metadata)
        row = self.db.execute(
            "select source_sha256, source_place, source_file, metadata from trajectories where id = ?", [tid]
        ).fetchone()
        if row is None:
            return "new"
        same_file = sha256 is not None and (row[0], row[1]) == (sha256, place)
        # A run joined from several files (a continuation chain, sessions sharing a slug) read again
        # through another of its files: the same files in the same bytes make the same run.
        same_parts = bool(parts) and parts == _parts_of(json.loads(row[3]) if row[3] else {})
        if same_file or same_parts:
            return "duplicate"
        stored = self.get(tid)
        incoming = trajectory.trajectory() if isinstance(trajectory, Rows) else trajectory
        if stored is not None and _same_content(stored, incoming):
            return "duplicate"
        where = f"{row[2]}:{row[1]}" if row[1] else row[2]
        raise TrajectoryConflict(f"duplicate trajectory id {tid!r}: already stored with different content (from {where})")

    def add(
        self, trajectory: Trajectory | Rows, original: Document | Original | None = None, place: str = ""
    ) -> Literal["imported", "duplicate"]:
        """Store a trajectory (or its rows, made where it was read) and (once per file) its original
        bytes, all or nothing; idempotent.

        Steps become searchable at the next `index_pending` (end of an import batch, or a search).
        The check and the insert are one transaction: two processes importing the same file never
        both find the id new.
        """
        r = trajectory if isinstance(trajectory, Rows) else Rows.of(trajectory, place)
        with writing(self.db):
            return self.add_in_transaction(r, original)

    def add_in_transaction(self, r: Rows, original: Document | Original | None = None) -> Literal["imported", "duplicate"]:
        """`add` inside a write transaction the caller holds (an import stores a trajectory, its
        suggestions and the parts it supersedes in one). No savepoint of its own: two statements
        fewer per trajectory on the import's one writer, and an error here ends the caller's whole
        transaction, which is what the importer wants of it anyway."""
        assert self.db.in_transaction, "add_in_transaction needs the caller's writing()"
        if self.status(r) == "duplicate":
            return "duplicate"
        if original is not None:
            o = original if isinstance(original, Original) else Original.of(original)
            self.db.execute(
                "insert into originals(sha256, file_name, size, data) values (?, ?, ?, ?) on conflict do nothing",
                [o.sha256, o.file_name, o.size, o.compressed],
            )
        self.db.execute(
            f"insert into trajectories({_HEAD}, source_place, n_steps, n_edits, imported_at)"
            " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [*r.head, r.place, len(r.steps), len(r.edits), now_iso()],
        )
        self.db.executemany(
            "insert into steps(trajectory_id, idx, role, text, thinking, tool_calls, call_id, is_error, timestamp, metadata)"
            " values (?,?,?,?,?,?,?,?,?,?)",
            r.steps,
        )
        self.db.executemany(
            "insert into file_edits(trajectory_id, ord, step, path, before, after, diff, source, op, status, from_path)"
            " values (?,?,?,?,?,?,?,?,?,?,?)",
            r.edits,
        )
        return "imported"

    def exists(self, trajectory_id: str) -> bool:
        return self.db.execute("select 1 from trajectories where id = ?", [trajectory_id]).fetchone() is not None

    def count(self) -> int:
        return self.db.execute("select count(*) from trajectories").fetchone()[0]

    def outcome(self, trajectory_id: str) -> Outcome | None:
        """The grader's outcome alone: the app asks on every label change, and a whole run can be 50 MB."""
        row = self.db.execute("select outcome from trajectories where id = ?", [trajectory_id]).fetchone()
        if row is None:
            return None
        return _outcome(row[0])

    def set_outcome(self, trajectory_id: str, outcome: Outcome) -> bool:
        """Attach a grader outcome to a stored trajectory; True when it changed what was stored.

        Only the outcome column changes: steps, edits, the search index and every label stay as they are.
        """
        with writing(self.db):
            row = self.db.execute("select outcome from trajectories where id = ?", [trajectory_id]).fetchone()
            if row is None:
                raise KeyError(trajectory_id)
            if _outcome(row[0]) == outcome:
                return False
            self.db.execute("update trajectories set outcome = ? where id = ?", [json.dumps(outcome.to_dict()), trajectory_id])
        return True

    def labelled(self, trajectory_id: str) -> bool:
        """Whether anyone ever labelled it (a label, or a change in its history, an adjudication included)."""
        sql = "select 1 from labels where trajectory_id = ? union all select 1 from label_events where trajectory_id = ? limit 1"
        return self.db.execute(sql, [trajectory_id, trajectory_id]).fetchone() is not None

    def source_of(self, trajectory_id: str) -> tuple[str | None, str | None] | None:
        """(file, sha256) it was imported from, or None when it is not stored."""
        row = self.db.execute("select source_file, source_sha256 from trajectories where id = ?", [trajectory_id]).fetchone()
        return (row[0], row[1]) if row else None

    def remove_unlabelled(self, trajectory_id: str) -> None:
        """Remove a trajectory nobody labelled, with its steps (and their search entries), edits and
        suggestions: a part of a run stored alone, now superseded by the whole run. A labelled one is
        never removed (ValueError): its labels would be orphaned."""
        with writing(self.db):
            if self.labelled(trajectory_id):
                raise ValueError(f"{trajectory_id!r} has labels: not removed")
            self.index.forget(trajectory_id)
            for table in ("steps", "file_edits", "suggestions"):
                self.db.execute(f"delete from {table} where trajectory_id = ?", [trajectory_id])
            self.db.execute("delete from trajectories where id = ?", [trajectory_id])
            self.index.settle()

    def instance_keys(self, only: Collection[str] | None = None) -> list[tuple[str, str | None, str | None]]:
        """(id, instance it ran on, model) for every trajectory (with `only`, those ids): what grader
        results are matched by. The instance is `task.instance`, else `task.id`."""
        sql = "select id, coalesce(task_instance, task_id), model from trajectories"
        if only is None:
            return list(self.db.execute(sql + " order by id"))
        return list(self.db.execute(sql + f" where id in ({self.db.dialect.ids()}) order by id", [json.dumps(list(only))]))

    def get(self, trajectory_id: str) -> Trajectory | None:
        head = self.db.execute(f"select {_HEAD} from trajectories where id = ?", [trajectory_id]).fetchone()
        if head is None:
            return None
        steps = self.db.execute(f"select {_STEP} from steps where trajectory_id = ? order by idx", [trajectory_id])
        edits = self.db.execute(f"select {_EDIT} from file_edits where trajectory_id = ? order by ord", [trajectory_id])
        return _trajectory(head, [_step(r) for r in steps], [_edit(r) for r in edits])

    def iter_all(
        self, first: str | None = None, last: str | None = None, only: Sequence[str] | None = None
    ) -> Iterator[Trajectory]:
        """Every trajectory in id order (those with first <= id <= last; with `only`, just those ids),
        from three ordered scans merged as they stream: exports read the whole store, and one query
        per trajectory would cost more than the rows themselves. A plain range scans fastest; `only`
        is for sparse selections, where the range would read many trajectories to drop them."""
        bounds, params = _bounds(self.db.dialect, "id", first, last, only)
        tid_bounds, _ = _bounds(self.db.dialect, "trajectory_id", first, last, only)
        steps = groupby(
            self.db.execute(f"select trajectory_id, {_STEP} from steps{tid_bounds} order by trajectory_id, idx", params),
            key=itemgetter(0),
        )
        edits = groupby(
            self.db.execute(f"select trajectory_id, {_EDIT} from file_edits{tid_bounds} order by trajectory_id, ord", params),
            key=itemgetter(0),
        )
        next_steps, next_edits = next(steps, None), next(edits, None)
        for head in self.db.execute(f"select {_HEAD} from trajectories{bounds} order by id", params):
            tid = head[0]
            own_steps: list[Step] = []
            own_edits: list[FileEdit] = []
            if next_steps is not None and next_steps[0] == tid:
                own_steps = [_step(r[1:]) for r in next_steps[1]]
                next_steps = next(steps, None)
            if next_edits is not None and next_edits[0] == tid:
                own_edits = [_edit(r[1:]) for r in next_edits[1]]
                next_edits = next(edits, None)
            yield _trajectory(head, own_steps, own_edits)

    def original(self, sha256: str) -> bytes | None:
        """The file exactly as imported, for whatever the canonical form dropped."""
        row = self.db.execute("select data from originals where sha256 = ?", [sha256]).fetchone()
        return zlib.decompress(row[0]) if row else None

    def ids(self) -> list[str]:
        """Every trajectory id, in order (without `rows()`' label counts)."""
        return list(self.task_ids())

    def task_ids(self) -> dict[str, str | None]:
        """Each trajectory's task id, by trajectory id in order: what splits group by."""
        return dict(self.db.execute("select id, task_id from trajectories order by id").fetchall())

    @property
    def indexes_in_parts(self) -> bool:
        """Whether `index_pending(at_least=N)` may index what is pending when there are N steps (the
        project file's index), or only the whole at once (a server's)."""
        return self.index.PARTS

    def index_pending(self, at_least: int = 1) -> int:
        """Make steps stored since the last call searchable (`reviewer.store.search`), when there are at
        least `at_least` of them; returns rows added."""
        return self.index.index_pending(at_least)

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Full-text search over step text, thinking and tool calls; the query is taken literally."""
        return self.index.search(text, limit)
