"""Measuring how long the GUI thread was blocked: the worst gap between ticks of a 10 ms QTimer."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class Ticker(QObject):
    """A 10 ms timer whose worst gap between ticks is the longest the GUI thread was blocked."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = self.worst = 0.0

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> float:
        """The worst gap in milliseconds."""
        self._tick()
        self.timer.stop()
        return self.worst * 1000
