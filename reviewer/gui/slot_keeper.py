"""The reviewer's planned work from the app: claiming the next slot, and keeping the open one's lease.

A claim or a renewal is a write (`reviewer.store.slots`), and a write waits its turn behind other
writers (another process's import, on a file or a server): on the GUI thread it could freeze the
window for the busy timeout. Both run here on a thread of their own, through a connection of its
own, and report by signal. While an item the reviewer holds a slot of is open, its lease is renewed
every `RENEW_FRACTION` of the lease, so a slot someone is working on never expires under them, and
one whose reviewer closed the app (or whose machine died) expires as planned: closing releases
nothing, the lease runs out and the slot is claimable again (`queue release` gives slots back at once).

Public API: `SlotKeeper(store, annotator, parent=None)`: `claim()` (answered by `claimed(Claim |
None)`, None when nothing is left), `keep(trajectory_id | None)` (the item now open), `stop()`;
signals `claimed`, `renewed(str | None)` (the new lease end), `failed(str)`.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from reviewer.errors import StoreError
from reviewer.gui.workers import end_thread, own_thread
from reviewer.store import Store
from reviewer.store.slots import Claim, SlotRepository
from reviewer.textsafe import one_line

RENEW_FRACTION = 3  # renew when a third of the lease has passed: two renewals may fail before it expires
OPEN_DELAY_MS = 500  # an item stays open this long before its lease is renewed (j/k through the list writes nothing)
MIN_RENEW_MS = 200


class _Worker(QObject):
    """Lives on the keeper's thread, with the store connection it opens there."""

    claimed = Signal(object)
    renewed = Signal(str, object)  # trajectory id, the new lease end (ISO 8601) or None
    failed = Signal(str)

    def __init__(self, store: Store, annotator: str):
        super().__init__()
        self._source = store
        self._annotator = annotator
        self._store: Store | None = None

    def _slots(self) -> SlotRepository:
        self._store = self._store or Store(self._source.path)
        return self._store.slots

    @Slot()
    def claim(self) -> None:
        try:
            self.claimed.emit(self._slots().claim(self._annotator))
        except (sqlite3.Error, StoreError) as exc:
            self.failed.emit(one_line(f"cannot claim a slot: {exc}", 300))

    @Slot(str)
    def renew(self, trajectory_id: str) -> None:
        try:
            self.renewed.emit(trajectory_id, self._slots().renew(self._annotator, trajectory_id))
        except (sqlite3.Error, StoreError) as exc:
            self.failed.emit(one_line(f"cannot renew the lease of {trajectory_id}: {exc}", 300))

    @Slot()
    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class SlotKeeper(QObject):
    claimed = Signal(object)  # Claim | None
    renewed = Signal(object)  # the open item's new lease end, or None: it is not (or no longer) the reviewer's unlabelled slot
    failed = Signal(str)
    _claim = Signal()
    _renew = Signal(str)

    def __init__(self, store: Store, annotator: str, parent: QObject | None = None):
        super().__init__(parent)
        self._open: str | None = None
        self._worker = _Worker(store, annotator)
        self._thread = own_thread(self._worker, self)
        self._claim.connect(self._worker.claim)  # queued: the worker lives on its thread
        self._renew.connect(self._worker.renew)
        self._worker.claimed.connect(self._on_claimed)
        self._worker.renewed.connect(self._on_renewed)
        self._worker.failed.connect(self._on_failed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self._open is not None and self._renew.emit(self._open))

    def claim(self) -> None:
        self._claim.emit()

    def keep(self, trajectory_id: str | None) -> None:
        """The item now open: its lease is renewed shortly, then as long as it stays open and is the reviewer's."""
        self._open = trajectory_id
        self.timer.stop()
        if trajectory_id is not None:
            self.timer.start(OPEN_DELAY_MS)

    def _on_claimed(self, claim: Claim | None) -> None:
        if self._thread.isRunning():  # not after stop(): the window may be gone
            self.claimed.emit(claim)

    def _on_renewed(self, trajectory_id: str, until: str | None) -> None:
        if trajectory_id != self._open:
            return  # the reviewer moved on meanwhile: that item's timer is gone
        if until is not None:
            left = datetime.fromisoformat(until) - datetime.now(UTC)
            self.timer.start(max(MIN_RENEW_MS, int(left.total_seconds() * 1000 / RENEW_FRACTION)))
        self.renewed.emit(until)

    def _on_failed(self, message: str) -> None:
        """Said, and tried again at the next renewal (a busy file or a lost connection may come back)."""
        if self._open is not None and not self.timer.isActive():
            self.timer.start(OPEN_DELAY_MS * 4)
        self.failed.emit(message)

    def stop(self) -> None:
        """End the thread and its connection; the open item's lease is left to run out."""
        self.timer.stop()
        self._open = None
        end_thread(self._thread, self._worker)
