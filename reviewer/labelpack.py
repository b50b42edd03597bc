"""Label packs: JSONL files of label records, exchanged between reviewers' machines.

A pack met while importing a folder is recognised here by content, so `reviewer import` takes
trajectories and labels from one tree without calling the labels a failed trajectory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from reviewer import schemas
from reviewer.jsonio import Document, InputError
from reviewer.model import Label

# How far a pack's times may run ahead of this machine's clock: clocks drift a little, but a label
# stamped in the future would win every later merge (the later edit wins) and make real edits "older".
MAX_CLOCK_SKEW = timedelta(minutes=5)
TIMESTAMPS = ("created_at", "updated_at")


def timestamp_problem(value: dict[str, Any], now: datetime) -> str | None:
    """Why a record's times cannot be compared with the store's (one line), or None when they can.

    Merging orders labels by `updated_at`: a time without a zone cannot be compared with a zoned one,
    an unreadable one would silently lose every comparison, and a future one would win them all.
    """
    for key in TIMESTAMPS:
        stamp = value.get(key)
        if stamp is None:
            continue
        try:
            when = datetime.fromisoformat(stamp)
        except ValueError:
            return f"{key}: {stamp[:60]!r} is not an ISO 8601 date-time"
        if when.tzinfo is None:
            return f"{key}: {stamp!r} has no time zone (add Z or an offset such as +02:00)"
        if when > now + MAX_CLOCK_SKEW:
            return f"{key}: {stamp!r} is in the future (more than {MAX_CLOCK_SKEW} ahead of this machine's clock)"
    return None


def _is_label(value: Any) -> bool:
    return isinstance(value, dict) and "annotator" in value and "trajectory_id" in value and "steps" not in value


def is_label_pack(doc: Document) -> bool:
    """True when the first readable record looks like a label (only the first: packs are uniform)."""
    try:
        if not doc.looks_like_jsonl():
            return _is_label(doc.value)
    except InputError:
        return False
    for _, value in doc.records():
        if not isinstance(value, InputError):
            return _is_label(value)
    return False


def read_labels(doc: Document) -> Iterator[tuple[int, Label | InputError]]:
    """Each record as a Label, or the error for its line; structure and times only (codes are the
    store's job). Times are checked here, where every pack record is read, so a merge only ever
    compares times that are zoned, readable and not in the future."""
    records = doc.records() if doc.looks_like_jsonl() else [(1, doc.value)]
    now = datetime.now(UTC)
    for line, value in records:
        if isinstance(value, InputError):
            yield line, value
            continue
        error = schemas.first_error("label.schema", value)
        if error is not None:
            yield line, InputError(doc.name, f"{line}:{schemas.pointer(error)}", error.message[:200])
            continue
        problem = timestamp_problem(value, now)
        if problem is not None:
            yield line, InputError(doc.name, str(line), problem)
            continue
        yield line, Label.from_dict(value)


def write_labels(labels: Iterable[Label]) -> Iterator[str]:
    """JSONL lines, keys in schema order, one label each."""
    for label in labels:
        yield json.dumps(label.to_dict(), ensure_ascii=False) + "\n"
