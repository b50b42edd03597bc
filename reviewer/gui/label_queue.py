"""The app's label sink: every change checked at once, written at once when the file lets it, and
otherwise kept in order and retried on a thread of its own until it does.

A locked file (another process writing), a full disk or a read-only file used to cost the reviewer
the change — silently — and froze the window for the 10 s busy timeout on every keystroke. Here a
change is checked and stamped on the GUI thread (`LabelRepository.prepare`: a refusal shows at
once), then written through this queue's own connection with a short busy timeout. When that
write fails, the change and every later one wait in order on the writer thread, which retries
with a growing pause (up to `MAX_RETRY_MS`) until the file takes them; meanwhile `current()`
answers from the waiting changes, so reopening a trajectory shows what the reviewer did. A
change is never dropped while the app runs, and the window asks before closing with changes
still waiting. A server that refuses the write for the login (`WriteRefused`: row-level security,
the login is not the label's annotator) is no busy file: retrying cannot help, so the writer stops
and waits for the next change instead of spinning, `refused` says why in one line, and the changes
stay in memory (shown, never written) until the window closes.

Public API: `LabelQueue(store, parent=None)` (a `LabelSink`); `waiting` (changes not yet written:
a short wait behind another process's write is normal), `error` (why the writer could not write
them, "" while nothing failed: what the window warns about), `refused` (the server's refusal in
one line, "" unless refused), `conflict` (the last waiting change the store kept as a conflict, the
label having been saved elsewhere meanwhile); signal `state_changed`;
`flush(timeout_ms) -> bool`; `stop()` (before the window goes).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, deque
from dataclasses import dataclass

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from reviewer.errors import WriteRefused
from reviewer.gui.workers import end_thread, own_thread
from reviewer.label_session import copy_label
from reviewer.model import Label, Trajectory
from reviewer.store import Store, StoreError
from reviewer.store.labels import EditConflict, LabelKey

BUSY_MS = 20  # how long a write may hold up the GUI thread before it is left to the writer thread
WRITER_BUSY_MS = 1000  # the writer thread waits its turn this long (another process's import) before calling it a failure
FIRST_RETRY_MS = 200
MAX_RETRY_MS = 2000


@dataclass(frozen=True, slots=True)
class _Change:
    key: LabelKey
    label: Label | None  # None: the own final label withdrawn (a reveal undone)
    actor: str
    origin: str
    coalesce: bool


def _open(store: Store, busy_ms: int) -> Store:
    """A connection of the caller's thread to the same file, that gives up on a lock after `busy_ms`."""
    own = Store(store.path)
    own.db.wait_for_writers(busy_ms)
    return own


def _apply(store: Store, change: _Change) -> None:
    if change.label is None:
        store.labels.withdraw_final(change.key[0], change.key[1], actor=change.actor, origin=change.origin)
    else:
        store.labels.write(copy_label(change.label), actor=change.actor, origin=change.origin, coalesce=change.coalesce)


class _Writer(QObject):
    """Lives on the writer thread: writes the waiting changes in order, retrying the first until it goes."""

    written = Signal()
    failed = Signal(str)
    refused = Signal(str)  # one line: retrying cannot help, so no retry is scheduled
    conflicted = Signal(str)

    def __init__(self, store: Store, changes: deque[_Change], lock: threading.Lock):
        super().__init__()
        self._source = store
        self._changes = changes
        self._lock = lock
        self._store: Store | None = None
        self._retry_ms = FIRST_RETRY_MS
        self._timer: QTimer | None = None

    @Slot()
    def drain(self) -> None:
        if self._timer is not None and self._timer.isActive():
            return  # a retry is already scheduled: keep the pause
        while True:
            with self._lock:
                change = self._changes[0] if self._changes else None
            if change is None:
                return
            try:
                self._store = self._store or _open(self._source, WRITER_BUSY_MS)
                _apply(self._store, change)
            except EditConflict as exc:  # kept by the store as a flagged conflict: done, and said
                self.conflicted.emit(str(exc))
            except WriteRefused as exc:
                self.refused.emit(exc.line(change.key[1]))
                return
            except (sqlite3.Error, StoreError) as exc:
                self.failed.emit(str(exc))
                self._retry_later()
                return
            with self._lock:
                self._changes.popleft()
            self._retry_ms = FIRST_RETRY_MS
            self.written.emit()

    def _retry_later(self) -> None:
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self.drain)
        self._timer.start(self._retry_ms)
        self._retry_ms = min(self._retry_ms * 2, MAX_RETRY_MS)

    @Slot()
    def close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._store is not None:
            self._store.close()
            self._store = None


class LabelQueue(QObject):
    state_changed = Signal()
    _wake = Signal()

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.error = ""
        self.refused = ""
        self.conflict = ""  # the last change kept as a conflict instead of written (saved elsewhere meanwhile)
        self._direct: Store | None = None
        self._changes: deque[_Change] = deque()
        self._lock = threading.Lock()
        self._latest: dict[LabelKey, Label | None] = {}  # the newest waiting state of each key
        self._count: Counter[LabelKey] = Counter()
        self._order: deque[LabelKey] = deque()  # keys of the waiting changes, oldest first
        self._writer = _Writer(store, self._changes, self._lock)
        self._thread = own_thread(self._writer, self)
        self._wake.connect(self._writer.drain)  # queued: the writer lives on its thread
        self._writer.written.connect(self._on_written)
        self._writer.failed.connect(self._on_failed)
        self._writer.refused.connect(self._on_refused)
        self._writer.conflicted.connect(self._on_conflict)

    @property
    def waiting(self) -> int:
        return len(self._order)

    # --- LabelSink ---------------------------------------------------------------------------

    def current(self, key: LabelKey) -> Label | None:
        if key in self._latest:
            value = self._latest[key]
            return copy_label(value) if value is not None else None
        return self.store.labels.current(key)

    def save(
        self, label: Label, *, actor: str, origin: str, coalesce: bool = False, trajectory: Trajectory | None = None
    ) -> Label:
        prepared = self.store.labels.prepare(label, trajectory=trajectory, lookup=self.current)
        self._submit(_Change(prepared.key, copy_label(prepared), actor, origin, coalesce))
        return prepared

    def withdraw_final(self, trajectory_id: str, annotator: str, *, actor: str, origin: str) -> None:
        self._submit(_Change((trajectory_id, annotator, False, False), None, actor, origin, False))

    # --- writing -----------------------------------------------------------------------------

    def _submit(self, change: _Change) -> None:
        """Write now if nothing waits and the file lets us within `BUSY_MS`; else wait in line."""
        if not self._order:
            try:
                self._direct = self._direct or _open(self.store, BUSY_MS)
                _apply(self._direct, change)
                return
            except (sqlite3.Error, StoreError):
                pass  # a busy file is the writer's to wait for; `error` says so once the writer fails too
        with self._lock:
            self._changes.append(change)
        self._order.append(change.key)
        self._latest[change.key] = change.label
        self._count[change.key] += 1
        self.state_changed.emit()
        self._wake.emit()

    def _on_written(self) -> None:
        key = self._order.popleft()
        self._count[key] -= 1
        if not self._count[key]:
            del self._count[key], self._latest[key]
        if not self._order:
            self.error = self.refused = ""
        self.state_changed.emit()

    def _on_conflict(self, message: str) -> None:
        self.conflict = message
        self.state_changed.emit()

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.state_changed.emit()

    def _on_refused(self, line: str) -> None:
        self.error = self.refused = line
        self.state_changed.emit()

    def flush(self, timeout_ms: int = 5000) -> bool:
        """Run the event loop until every waiting change is written; False if some still wait."""
        clock = QElapsedTimer()
        clock.start()
        while self._order and not self.refused and clock.elapsed() < timeout_ms:
            self._wake.emit()
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            QThread.msleep(5)
        return not self._order

    def stop(self) -> None:
        """End the writer thread and close both connections (what still waits is lost: ask first)."""
        end_thread(self._thread, self._writer)
        if self._direct is not None:
            self._direct.close()
            self._direct = None
