"""Background work for the GUI: application-wide thread pools and one kind of task that reports by signal.

Pools belong to the application, never to a widget: a widget deleted from C++ (GIL held) would wait
in its pool's destructor for a Python task that needs the GIL. A `Task` keeps `setAutoDelete(False)`
and holds itself in `_IN_FLIGHT` until its `done` has been delivered on the GUI thread, so Python
and Qt never both free it (git-cola's `qtutils.Task` documents the double free) and an owner deleted
mid-task never frees a running one. At exit every task in flight is cancelled and the pools are
waited for (this releases the GIL, so a task can see it was cancelled) before Python and PySide
tear down what the tasks use. Results carry the owner's token; an owner drops all but its latest.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QMetaObject, QObject, QRunnable, Qt, QThread, QThreadPool, Signal

Work = Callable[[Callable[[], bool], Callable[[object], None]], object]  # (cancelled, report) -> result

SWITCH_SECONDS = 0.001
_POOLS: dict[str, QThreadPool] = {}
_IN_FLIGHT: set[Task] = set()


class Cancelled(Exception):
    """Raised by work that found its task cancelled; the task then reports no result."""


def app_pool(name: str, threads: int = 1) -> QThreadPool:
    """The application's pool called `name` (created on first use with `threads` threads).

    Creating the first pool also lowers the GIL switch interval to `SWITCH_SECONDS`: while a task
    runs Python, every Python call on the GUI thread (a slot, a `paintEvent`, each `data()` of an
    item model) waits for the GIL up to a whole interval, and one repaint makes dozens of them. At
    the default 5 ms, opening a 2 MB diff stalled the GUI thread 150-230 ms; at 1 ms, 35-60 ms.
    """
    if name not in _POOLS:
        if not _POOLS:
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_SECONDS))
            atexit.register(_shut_down)  # runs before module teardown and PySide's own exit cleanup
        pool = QThreadPool()
        pool.setMaxThreadCount(threads)
        _POOLS[name] = pool
    return _POOLS[name]


def _shut_down() -> None:
    for task in list(_IN_FLIGHT):
        task.cancel()
    for pool in _POOLS.values():
        pool.waitForDone()


class _Signals(QObject):
    progress = Signal(int, object)  # token, whatever the work reports on the way
    done = Signal(int, object, object)  # token, result (None when cancelled), error (an expected exception or None)


class Task(QRunnable):
    """Runs `work(cancelled, report)` in a pool; its signals arrive queued on the GUI thread.

    `work` polls `cancelled()` where stopping is cheap and raises `Cancelled`; `report(x)` emits
    `progress(token, x)`. Exceptions of the `expected` types are handed to `done` as `error`.
    """

    def __init__(self, token: int, work: Work, expected: tuple[type[Exception], ...] = ()):
        super().__init__()
        self.setAutoDelete(False)
        self.token = token
        self.signals = _Signals()
        self._work = work
        self._expected = expected
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        self._cancelled = True

    def start(self, pool: QThreadPool) -> None:
        _IN_FLIGHT.add(self)
        self.signals.done.connect(lambda *_: _IN_FLIGHT.discard(self))  # a plain callable: runs on the GUI thread
        pool.start(self)

    def withdraw(self, pool: QThreadPool) -> None:
        """Cancel the task; if it has not started it never will (and never reports back)."""
        self.cancel()
        if pool.tryTake(self):
            _IN_FLIGHT.discard(self)

    def run(self) -> None:
        result: object = None
        error: Exception | None = None
        try:
            result = self._work(lambda: self._cancelled, lambda x: self.signals.progress.emit(self.token, x))
        except Cancelled:
            pass
        except self._expected as exc:  # reported to the GUI thread, which says what failed
            error = exc
        self.signals.done.emit(self.token, result, error)


def _quit(thread: QThread) -> None:
    thread.quit()
    thread.wait(5000)


def own_thread(worker: QObject, owner: QObject) -> QThread:
    """A started thread of `owner`'s that `worker` now lives on (its slots run there when called
    through queued signals): for work holding a connection of its own, such as a store's writer.
    The thread ends with the owner if `end_thread` was not called (Qt aborts on a running thread)."""
    thread = QThread(owner)
    worker.moveToThread(thread)
    owner.destroyed.connect(partial(_quit, thread))
    thread.start()
    return thread


def end_thread(thread: QThread, worker: QObject) -> None:
    """Call the worker's `close` slot on its own thread (a SQLite connection belongs to the thread
    that opened it), waiting for it, then end the thread."""
    if thread.isRunning():
        QMetaObject.invokeMethod(worker, "close", Qt.ConnectionType.BlockingQueuedConnection)
        _quit(thread)
