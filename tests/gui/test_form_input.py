"""The label form inside the real window, driven as a person drives it: the wheel and the digit keys.

Both are label-integrity rules: an edit happens only where the reviewer meant it. Wheel events go
through `QTest.wheelEvent` on the window (spontaneous, as from a mouse, so an ignored wheel reaches
the form's scroll area); keys through `qtbot.keyClick`, which passes Qt's shortcut map first.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget  # noqa: E402

from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

TID = "synthetic-0-000000"
WHEEL_DOWN = QPoint(0, -120)  # one notch towards the reader


@pytest.fixture
def filled(store: Store) -> Store:
    for i in range(2):
        store.trajectories.add(Trajectory.from_dict(trajectory(i, 10)))
    return store


@pytest.fixture
def window(qtbot, main_window, filled: Store) -> MainWindow:
    """Alice's window, active and short enough that the label form scrolls, the first run shown."""
    w = main_window(filled, "alice")
    w.resize(1200, 600)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    qtbot.waitUntil(lambda: w.shown_trajectory_id() == TID and not w.loader.busy, timeout=5000)
    return w


def stored(store: Store) -> Label:
    """Alice's first pass as another connection reads it: what is on disk, not what a widget shows."""
    with Store(store.path) as other:
        label = other.labels.get(TID, "alice", True)
    assert label is not None
    return label


def history(store: Store) -> int:
    return len(store.labels.history(TID, "alice"))


def form_scroll(window: MainWindow) -> QScrollArea:
    scroll = window.form.findChild(QScrollArea)
    assert scroll is not None
    return scroll


def aim_at(window: MainWindow, widget: QWidget) -> QPointF:
    """Scroll `widget` into the form's view; the middle of what is seen of it, in window coordinates."""
    QApplication.processEvents()  # pending layouts move widgets: aim only after they ran
    form_scroll(window).ensureWidgetVisible(widget)
    QApplication.processEvents()
    target = widget.mapTo(window, widget.visibleRegion().boundingRect().center())
    under = window.childAt(target)
    assert under is widget or widget.isAncestorOf(under)
    return QPointF(target)


def wheel(window: MainWindow, at: QPointF, delta: QPoint = WHEEL_DOWN) -> None:
    """One wheel notch with the pointer at `at`, delivered as the platform delivers a mouse's."""
    QTest.wheelEvent(window.windowHandle(), at, delta)
    QApplication.processEvents()


# --- the wheel ----------------------------------------------------------------------------------


def test_the_wheel_scrolls_the_form_and_edits_only_a_focused_combo(qtbot, window: MainWindow, filled: Store) -> None:
    label = Label(TID, "alice", verdict="clean", disclosure="code_comment_only", categories=["tests.exit"])
    filled.labels.save(label, actor="alice", origin="test")
    window.open(TID)  # the session reads the label just stored
    window.table.setFocus()  # the reviewer is reading, not editing the form
    combo = window.form.editors["disclosure"].combo
    categories = window.form.editors["categories"].list
    bar = form_scroll(window).verticalScrollBar()
    events = history(filled)

    at = aim_at(window, combo)
    before = bar.value()
    wheel(window, at)
    assert stored(filled).disclosure == "code_comment_only" and history(filled) == events
    assert not combo.hasFocus() and combo.currentData() == "code_comment_only"
    assert before < bar.value()  # the wheel scrolled the form instead

    for focused in (False, True):  # scrolling a code list never ticks a code, focused or not
        if focused:
            categories.setFocus(Qt.FocusReason.TabFocusReason)
        at = aim_at(window, categories)
        for delta in (WHEEL_DOWN, -WHEEL_DOWN):
            wheel(window, at, delta)
        assert window.form.editors["categories"].checked() == ["tests.exit"]
        assert stored(filled).categories == ["tests.exit"] and history(filled) == events

    combo.setFocus(Qt.FocusReason.TabFocusReason)  # chosen on purpose: now the wheel is an edit
    wheel(window, aim_at(window, combo))
    assert combo.currentData() == "disclosed_in_prose" and stored(filled).disclosure == "disclosed_in_prose"
    assert history(filled) == events + 1
    assert window.form.undo() and stored(filled).disclosure == "code_comment_only"
