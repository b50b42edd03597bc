"""Fixtures shared by the widget tests."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from reviewer.gui.diff_view import DiffView  # noqa: E402


@pytest.fixture
def diff_view(qtbot) -> DiffView:
    """A shown diff view (highlighting and slicing need a laid-out viewport)."""
    v = DiffView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    with qtbot.waitExposed(v):
        v.show()
    return v
