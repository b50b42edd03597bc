"""Change notification: label changes committed by anyone, for an open app to pick up.

The history (`label_events`) is the feed: its ids grow in commit order, because every write
transaction of a project takes its turn (reviewer.store.transactions, PostgresDb.writing), so
"events after the last id I saw" never skips one; a keystroke folded into its burst's event moves
that event to a new id, so it is seen too. What differs is how a reader learns there is
something new: PostgreSQL wakes it (every history write sends `NOTIFY`, delivered at commit, on
a channel of the project's schema); a SQLite file is polled. A missed or merged notification costs
nothing: the reader always asks the history what came after what it has. The app listens on a
thread of its own (`reviewer.gui.live_updates`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from reviewer.store.connection import Db


@dataclass(frozen=True, slots=True)
class LabelChange:
    event: int  # label_events.id
    trajectory_id: str
    annotator: str


def last_event(db: Db) -> int:
    """The newest history event's id (0 when there is none): where a reader that has just read
    everything starts its feed."""
    return int(db.execute("select coalesce(max(id), 0) from label_events").fetchone()[0])


class ChangeFeed:
    """Label changes after `last` (an event id; 0: from the start), read through `db`: a connection
    of the reader's own, since a PostgreSQL connection that listens must not be in a transaction."""

    def __init__(self, db: Db, last: int = 0):
        self.db = db
        self.last = last
        db.listen()

    def new(self) -> list[LabelChange]:
        """What was committed since the last call, in order."""
        rows = self.db.execute(
            "select id, trajectory_id, annotator from label_events where id > ? order by id", [self.last]
        ).fetchall()
        if rows:
            self.last = rows[-1][0]
        return [LabelChange(*row) for row in rows]

    def wait(self, timeout: float) -> list[LabelChange]:
        """The next changes, waiting up to `timeout` seconds for some (empty when none came)."""
        deadline = time.monotonic() + timeout
        while not (found := self.new()):
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self.db.wait_for_change(left)
        return found
