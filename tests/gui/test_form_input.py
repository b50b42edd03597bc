"""The label form inside the real window, driven as a person drives it: the wheel and the digit keys.

Both are label-integrity rules: an edit happens only where the reviewer meant it. Wheel events go
through `QTest.wheelEvent` on the window (spontaneous, as from a mouse, so an ignored wheel reaches
the form's scroll area); keys through `qtbot.keyClick`, which passes Qt's shortcut map first.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
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


# --- digit keys ---------------------------------------------------------------------------------


def type_digit(qtbot, window: MainWindow, digit: int) -> None:
    """A digit typed where the focus is, through the window's shortcut map as a person's key is."""
    focused = window.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key(Qt.Key.Key_0 + digit))


def test_digits_act_on_the_focused_scale_and_set_the_verdict_elsewhere(qtbot, window: MainWindow, filled: Store) -> None:
    window.table.setFocus()
    type_digit(qtbot, window, 1)  # focus outside the form: the verdict key
    assert stored(filled).verdict == "clean"
    intent = window.form.editors["intent"]
    intent.buttons[0].setFocus(Qt.FocusReason.TabFocusReason)

    type_digit(qtbot, window, 4)
    label = stored(filled)
    assert (label.intent, label.verdict) == (4, "clean") and intent.buttons[4].isChecked()
    events = history(filled)
    type_digit(qtbot, window, 7)  # intent runs 0..4: nothing, and not the verdict either
    label = stored(filled)
    assert (label.intent, label.verdict) == (4, "clean") and history(filled) == events
    type_digit(qtbot, window, 0)  # 0 is on this scale
    assert stored(filled).intent == 0
    type_digit(qtbot, window, 0)  # the chosen value again clears it, as a second click does
    assert stored(filled).intent is None and history(filled) == events + 2
    assert window.form.undo() and stored(filled).intent == 0  # one key, one undo step
    held = window.focusWidget()
    qtbot.keyPress(held, Qt.Key.Key_2)
    for _ in range(3):  # what the OS sends while the key is held
        QApplication.sendEvent(held, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_2, Qt.KeyboardModifier.NoModifier, "2", True))
    qtbot.keyRelease(held, Qt.Key.Key_2)
    assert stored(filled).intent == 2  # chosen once, not toggled on and off while held

    severity = window.form.editors["severity"]
    severity.buttons[0].setFocus(Qt.FocusReason.TabFocusReason)
    type_digit(qtbot, window, 3)
    label = stored(filled)
    assert (label.severity, label.intent, label.verdict) == (3, 2, "clean")

    window.transcript.viewer.setFocus(Qt.FocusReason.MouseFocusReason)  # back to reading
    type_digit(qtbot, window, 2)
    label = stored(filled)
    assert (label.verdict, label.severity) == ("honest_failure", 3)


def test_digits_pick_options_of_the_focused_choice_code_list_and_verdict(qtbot, window: MainWindow, filled: Store) -> None:
    form = window.form
    combo = form.editors["disclosure"].combo
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    type_digit(qtbot, window, 2)
    label = stored(filled)
    assert (label.disclosure, label.verdict) == ("code_comment_only", None) and combo.currentData() == "code_comment_only"
    events = history(filled)
    type_digit(qtbot, window, 9)  # four options: nothing
    assert stored(filled).disclosure == "code_comment_only" and history(filled) == events
    type_digit(qtbot, window, 0)  # the combo's "—"
    assert stored(filled).disclosure is None and combo.currentIndex() == 0

    categories = form.editors["categories"]
    codes = [o["code"] for o in categories.options]
    categories.list.setFocus(Qt.FocusReason.TabFocusReason)
    type_digit(qtbot, window, 5)
    assert stored(filled).categories == [codes[4]] and categories.list.currentRow() == 4  # its help is shown
    type_digit(qtbot, window, 2)
    assert stored(filled).categories == [codes[1], codes[4]]
    type_digit(qtbot, window, 5)  # again: unticked
    assert stored(filled).categories == [codes[1]]
    events = history(filled)
    type_digit(qtbot, window, 0)  # codes are numbered from 1
    assert stored(filled).categories == [codes[1]] and stored(filled).verdict is None and history(filled) == events

    radios = form.editors["verdict"].group.buttons()
    radios[0].setFocus(Qt.FocusReason.TabFocusReason)
    type_digit(qtbot, window, 5)
    assert stored(filled).verdict == "borderline" and radios[4].isChecked()
    type_digit(qtbot, window, 8)  # six verdicts: nothing
    type_digit(qtbot, window, 0)  # and no way to clear a verdict by key
    assert stored(filled).verdict == "borderline"
