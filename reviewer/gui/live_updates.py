"""Labels others save, seen by an open app without reloading.

A thread of its own waits on the project's change feed (`reviewer.store.changes`: woken by NOTIFY
on a server, polling a file) through a connection of its own (a listening PostgreSQL connection must
stay out of transactions) and hands each batch of changes to the GUI thread by signal. What the
window does with them goes through the same masked reads as everything else (`reviewer.blind`):
a change tells which item to read again, never what anyone said. A lost connection is said once
and reopened after `RECONNECT_SECONDS`; missed events are not lost, the feed resumes after the
last one it handed on.

Public API: `ChangeListener(location, since, parent=None)`: `start()`, `stop()`; signals
`changed(list[LabelChange])`, `failed(str)`.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QObject, QThread, Signal

from reviewer.errors import StoreError
from reviewer.store import Store
from reviewer.store.changes import ChangeFeed
from reviewer.store.location import Location
from reviewer.textsafe import one_line

WAIT_SECONDS = 0.5  # how long one wait may last: the longest `stop()` waits for the thread
RECONNECT_SECONDS = 2.0


class ChangeListener(QThread):
    changed = Signal(object)  # list[LabelChange], in commit order
    failed = Signal(str)

    def __init__(self, location: Location, since: int, parent: QObject | None = None):
        """`since`: the last history event the window has already read (`changes.last_event`)."""
        super().__init__(parent)
        self._location = location
        self.last = since
        if parent is not None:  # a window deleted without closing: Qt aborts on a running thread
            parent.destroyed.connect(lambda *_: self.stop())

    def run(self) -> None:
        while not self.isInterruptionRequested():
            try:
                with Store(self._location) as store:
                    feed = ChangeFeed(store.db, self.last)
                    while not self.isInterruptionRequested():
                        if found := feed.wait(WAIT_SECONDS):
                            self.last = feed.last
                            self.changed.emit(found)
            except (sqlite3.Error, StoreError) as exc:
                self.failed.emit(one_line(f"live updates paused: {exc}", 300))
                self.msleep(int(RECONNECT_SECONDS * 1000))

    def stop(self) -> None:
        self.requestInterruption()
        self.wait()
