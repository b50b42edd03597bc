"""Background work for the GUI: application-wide thread pools and a task that reports back by signal.

Pools belong to the application, never to a widget: a widget deleted from C++ (GIL held) would wait
in its pool's destructor for a Python task that needs the GIL. A `Task` keeps `setAutoDelete(False)`
and holds itself in `_IN_FLIGHT` until its `done` has been delivered on the GUI thread, so Python
and Qt never both free it (git-cola's `qtutils.Task` documents the double free) and an owner that
is deleted mid-task does not free a running task. Results carry the caller's token; the caller
drops any token but its latest.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QApplication

_POOLS: dict[str, QThreadPool] = {}
_IN_FLIGHT: set[Task] = set()


def app_pool(name: str, threads: int = 1) -> QThreadPool:
    """The application's pool called `name` (created on first use with `threads` threads)."""
    if name not in _POOLS:
        pool = QThreadPool(QApplication.instance())
        pool.setMaxThreadCount(threads)
        _POOLS[name] = pool
    return _POOLS[name]


class _Signals(QObject):
    done = Signal(int, object, object)  # token, result, error (an exception or None)


class Task(QRunnable):
    """Runs `work()` in a pool; `signals.done(token, result, error)` arrives queued on the GUI thread."""

    def __init__(self, token: int, work: Callable[[], object], expected: tuple[type[BaseException], ...] = (Exception,)):
        super().__init__()
        self.setAutoDelete(False)
        self.token = token
        self.signals = _Signals()
        self._work = work
        self._expected = expected

    def start(self, pool: QThreadPool) -> None:
        _IN_FLIGHT.add(self)
        self.signals.done.connect(lambda *_: _IN_FLIGHT.discard(self))  # a plain callable: delivered on the GUI thread
        pool.start(self)

    def withdraw(self, pool: QThreadPool) -> bool:
        """Take the task back if it has not started; True when it will never run."""
        if pool.tryTake(self):
            _IN_FLIGHT.discard(self)
            return True
        return False

    def run(self) -> None:
        try:
            result, error = self._work(), None
        except self._expected as exc:  # reported to the GUI thread, which says what failed
            result, error = None, exc
        self.signals.done.emit(self.token, result, error)
