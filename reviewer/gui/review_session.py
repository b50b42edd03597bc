"""The Qt side of a review session: its clock follows whether the window is active.

The label sessions (autosave, undo, blind first pass, adjudication) live Qt-free in `reviewer.label_session` and its subclasses;
this module only turns window activation into `pause()`/`resume()`, so `seconds_spent` counts time the
reviewer could actually see the trajectory, not time the window sat behind another one.

Public API: `ActivityClock(window, current)`: `current()` returns the session being edited (or
None); install once per main window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from reviewer.label_session import LabelSession


class ActivityClock(QObject):
    def __init__(self, window: QWidget, current: Callable[[], LabelSession | None]):
        super().__init__(window)
        self._window = window
        self._current = current
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._window and event.type() == QEvent.Type.ActivationChange:
            self.sync()
        return False

    def sync(self) -> None:
        """Pause or resume the current session to match the window's activation."""
        session = self._current()
        if session is None:
            return
        if self._window.isActiveWindow():
            session.resume()
        else:
            session.pause()
