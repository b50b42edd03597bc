"""Fixtures shared by the widget tests."""

from __future__ import annotations

from typing import TypeVar

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QWidget  # noqa: E402

from reviewer.gui.diff_view import DiffView  # noqa: E402
from reviewer.gui.transcript_view import TranscriptView  # noqa: E402

W = TypeVar("W", bound=QWidget)


def shown(qtbot, widget: W, width: int, height: int) -> W:
    """The widget at that size, on screen (highlighting, slicing and list layout need a laid-out viewport)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def opened(qtbot, main_window, store, trajectory_id: str, annotator: str = "alice"):
    """The main window on `store` as `annotator`, active, with `trajectory_id` (the first row) loaded."""
    window = main_window(store, annotator)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.waitUntil(lambda: window.shown_trajectory_id() == trajectory_id and not window.loader.busy)
    return window


@pytest.fixture
def diff_view(qtbot) -> DiffView:
    return shown(qtbot, DiffView(), 900, 600)


@pytest.fixture
def transcript(qtbot) -> TranscriptView:
    """An empty transcript view."""
    return shown(qtbot, TranscriptView(), 1000, 500)
