"""Loading the selected trajectory off the GUI thread.

`TrajectoryRepository.get` of a 5,000-step, 43 MB run takes about 110 ms: done on the GUI thread it
would freeze the window each time the reviewer moves to such a run. The loader reads in a worker
through its own read-only connection (`store.read_trajectory`) and reports only the latest request:
moving on quickly withdraws loads that have not started and drops results that arrive late.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QObject, Signal

from reviewer.gui.workers import Task, app_pool
from reviewer.model import Trajectory
from reviewer.store import read_trajectory
from reviewer.store.location import Location
from reviewer.textsafe import one_line


class TrajectoryLoader(QObject):
    loaded = Signal(object)  # Trajectory
    failed = Signal(str, str)  # trajectory id, one-line reason

    def __init__(self, path: Location, parent: QObject | None = None):
        super().__init__(parent)
        self._path = path
        self._pool = app_pool("trajectories")
        self._token = 0
        self._waiting: tuple[Task, str] | None = None  # the latest request, until it lands

    @property
    def busy(self) -> bool:
        return self._waiting is not None

    def load(self, trajectory_id: str) -> None:
        if self._waiting is not None:
            self._waiting[0].withdraw(self._pool)
        self._token += 1
        path = self._path
        task = Task(self._token, lambda _cancelled, _report: read_trajectory(path, trajectory_id), (sqlite3.Error,))
        task.signals.done.connect(self._landed)
        self._waiting = (task, trajectory_id)
        task.start(self._pool)

    def _landed(self, token: int, result: Trajectory | None, error: BaseException | None) -> None:
        if token != self._token or self._waiting is None:
            return  # a later request owns the window now
        trajectory_id = self._waiting[1]
        self._waiting = None
        if error is not None:
            self.failed.emit(trajectory_id, one_line(f"cannot read {trajectory_id}: {error}", 300))
        elif result is None:
            self.failed.emit(trajectory_id, one_line(f"{trajectory_id} is no longer in this project", 300))
        else:
            self.loaded.emit(result)
