"""`reviewer team checkout`: one reviewer's planned work as a SQLite project of its own, to label offline.

The checkout holds the trajectories of the reviewer's slots (of one batch, or all), their own labels
and history (with each label's version and edit ids), those slots and the project's taxonomy and
settings; nothing of anyone else's, and nothing a blind first pass must not see: the grader outcome
and the suggestions only of items the reviewer already revealed (`reviewer.blind`), other
reviewers' labels never, the imported files' original bytes never (they may hold the outcome), and
no slot marked gold.

It remembers where it came from (meta `checkout`): the source, the reviewer, and each of their
labels' version there. A pack exported from it (`pack_labels`) says, per label, the version it was
based on (0: the label did not exist) and the id of its latest edit; importing the pack into the
source (`LabelRepository.merge`) applies each edit where the label still has that version and keeps
it as a flagged conflict where someone saved it meanwhile. No clock decides, and an edit already
there (its id) changes nothing, so importing twice is harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.errors import ReviewerError, StoreError
from reviewer.model import Label
from reviewer.store.copy import copy_project
from reviewer.store.trajectories import now_iso

if TYPE_CHECKING:
    from reviewer.store import Store

CHECKOUT_KEY = "checkout"

# What a checkout copies, table by table (named parameters :who, :batch, :ids, :sighted; ids as JSON arrays).
_MINE = "annotator = :who and trajectory_id in ({ids})"
_SLOTS = "annotator = :who and (cast(:batch as text) is null or batch = :batch)"
_PARTS = {
    "meta": "key = 'taxonomy' or substr(key, 1, 8) = 'setting.'",
    "trajectories": "id in ({ids})",
    "steps": "trajectory_id in ({ids})",
    "file_edits": "trajectory_id in ({ids})",
    "annotators": "name = :who",
    "labels": _MINE,
    "label_events": _MINE,
    "suggestions": "trajectory_id in ({sighted})",
    "batches": f"name in (select batch from slots where {_SLOTS})",
    "slots": _SLOTS,
}


@dataclass(frozen=True, slots=True)
class Checkout:
    path: Path
    trajectories: int
    labels: int
    sighted: int  # items whose outcome and suggestions came along (the reviewer had revealed them)


def checkout(src: Store, dest: Path, annotator: str, batch: str | None = None) -> Checkout:
    """Write `annotator`'s slots (of `batch`, or every batch) from `src` into a new SQLite project `dest`."""
    from reviewer.store import Store

    if dest.exists():
        raise StoreError(f"{dest}: exists; a checkout is written to a new file")
    if batch is not None:
        src.slots.status(batch)  # an unknown batch is said, not silently nothing
    ids = [
        row[0]
        for row in src.db.execute(
            f"select distinct trajectory_id from slots where {_SLOTS} order by trajectory_id",
            {"who": annotator, "batch": batch},
        )
    ]
    if not ids:
        where = f" in batch {batch!r}" if batch else ""
        raise ReviewerError(
            f"{annotator} holds no slots{where}: claim some first (`reviewer queue next --annotator {annotator}`)"
        )
    sighted = sorted(
        {
            label.trajectory_id
            for label in src.labels.all(annotator=annotator)
            if not label.first_pass and label.adjudication is None
        }
        & set(ids)
    )
    dialect = src.db.dialect
    only = {table: sql.format(ids=dialect.ids(":ids"), sighted=dialect.ids(":sighted")) for table, sql in _PARTS.items()}
    params = {"who": annotator, "batch": batch, "ids": json.dumps(ids), "sighted": json.dumps(sighted)}
    base = [
        [label.trajectory_id, label.first_pass, label.adjudication is not None, label.version or 0]
        for label in src.labels.all(annotator=annotator)
        if label.trajectory_id in set(ids)
    ]
    try:
        with Store(dest) as copy:
            copy_project(src, copy, only, params)
            with copy.writing():
                copy.db.execute(
                    f"update trajectories set outcome = null where id not in ({copy.db.dialect.ids()})", [json.dumps(sighted)]
                )
                copy.db.execute("update slots set gold = 0")  # which items are gold (calibration) is not the reviewer's to see
                record = {"source": src.name, "annotator": annotator, "batch": batch, "at": now_iso(), "versions": base}
                copy.db.execute("insert into meta(key, value) values (?, ?)", [CHECKOUT_KEY, json.dumps(record)])
    except BaseException:
        for leftover in (dest, Path(f"{dest}-wal"), Path(f"{dest}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return Checkout(dest, len(ids), len(base), len(sighted))


def checked_out(store: Store) -> dict[str, Any] | None:
    """What `checkout` recorded in this project (None: it is no checkout)."""
    row = store.db.execute("select value from meta where key = ?", [CHECKOUT_KEY]).fetchone()
    return json.loads(row[0]) if row else None


def pack_labels(store: Store, annotator: str | None = None) -> list[Label]:
    """The labels a pack of this project carries (`labels export`): in a checkout, the reviewer's own
    (anyone else's are not theirs to send), each with the version of the source it was based on."""
    record = checked_out(store)
    if record is None:
        return store.labels.all(annotator=annotator)
    if annotator not in (None, record["annotator"]):
        return []
    versions = {(tid, bool(first), bool(settling)): version for tid, first, settling, version in record["versions"]}
    labels = store.labels.all(annotator=record["annotator"])
    for label in labels:
        label.based_on = versions.get((label.trajectory_id, label.first_pass, label.adjudication is not None), 0)
    return labels
