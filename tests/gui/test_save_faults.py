"""A label change the file cannot take yet (another process holds the write lock) on the real window:
the window does not freeze, says at once that it is not saved, keeps every change in order, writes
them when the file frees up, and asks before closing with changes still waiting."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402
from tests.gui.conftest import opened  # noqa: E402

TID, NEXT = "synthetic-0-000000", "synthetic-0-000001"


@pytest.fixture
def filled(store: Store) -> Store:
    for i in range(2):
        store.trajectories.add(Trajectory.from_dict(trajectory(i, 8)))
    store.labels.save(Label(TID, "bob", verdict="clean"), actor="bob", origin="test")
    return store


class Lock:
    """Another process's write transaction on the file: readers go on, writers get 'database is locked'."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None)

    def __enter__(self) -> Lock:
        self.conn.execute("begin immediate")
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("rollback")


def stored(path: Path, first_pass: bool = True) -> Label | None:
    with Store(path) as other:
        return other.labels.get(TID, "alice", first_pass)


def timed_key(qtbot, widget, key: Qt.Key) -> float:
    start = time.perf_counter()
    qtbot.keyClick(widget, key)
    return time.perf_counter() - start


def test_a_locked_file_neither_freezes_the_window_nor_loses_a_change(qtbot, main_window, filled: Store) -> None:
    path = filled.path
    window = opened(qtbot, main_window, filled, TID)
    window.table.setFocus()
    lock = Lock(path)
    with lock:
        took = [timed_key(qtbot, window.table, Qt.Key.Key_3)]  # cheat
        editor = window.form.editors["rationale"].edit
        editor.setFocus()
        took += [timed_key(qtbot, editor, key) for key in (Qt.Key.Key_A, Qt.Key.Key_B, Qt.Key.Key_C)]
        assert max(took) < 0.5  # the busy timeout was 10 s per change
        assert window.labels.waiting == 4 and stored(path) is None
        qtbot.waitUntil(lambda: "NOT SAVED YET" in window.form.message.text(), timeout=5000)  # once the writer gave up too
        message = window.form.message.text()
        assert "NOT SAVED YET — retrying" in message and "database is locked" in message and "4 changes" in message
        assert "NOT SAVED: 4 label changes waiting" in window.statusBar().currentMessage()
        qtbot.keyClick(window.table, Qt.Key.Key_J)  # away and back: the waiting changes are what is shown
        qtbot.keyClick(window.table, Qt.Key.Key_K)
        assert window.session.label.verdict == "cheat" and window.session.label.rationale == "abc"
        qtbot.wait(600)  # the writer retries meanwhile, and keeps failing
        assert window.labels.waiting >= 4 and stored(path) is None
    qtbot.waitUntil(lambda: window.labels.waiting == 0, timeout=5000)  # the file is free: written, in order
    label = stored(path)
    assert label is not None and (label.verdict, label.rationale) == ("cheat", "abc")
    rationales = [e.new.rationale for e in filled.labels.history(TID, "alice")]
    assert rationales[:2] == [None, "abc"] and set(rationales[2:]) <= {
        "abc"
    }  # in order; the typing one event (then the time spent)
    assert "NOT SAVED" not in window.form.message.text() and "NOT SAVED" not in window.statusBar().currentMessage()


def test_an_undone_reveal_waits_in_line_with_the_edits_around_it(qtbot, main_window, filled: Store) -> None:
    path = filled.path
    window = opened(qtbot, main_window, filled, TID)
    with Lock(path):
        window.form.set_verdict_by_key(1)  # clean: complete, revealed without asking
        assert window.form.reveal() and window.session.revealed
        assert window.form.undo() and not window.session.revealed  # the reveal undone while nothing is written
        window.form.set_verdict_by_key(3)
        assert (
            window.labels.waiting == 6
        )  # first pass; the reveal: first pass again and final; its undoing: withdrawal, first pass; edit
    qtbot.waitUntil(lambda: window.labels.waiting == 0, timeout=5000)
    assert stored(path, first_pass=False) is None and stored(path).verdict == "cheat"
    kinds = [(e.first_pass, e.new.verdict if e.new else None) for e in filled.labels.history(TID, "alice")]
    assert kinds == [(True, "clean"), (True, "clean"), (False, "clean"), (False, None), (True, "clean"), (True, "cheat")]


def test_closing_with_changes_waiting_asks(qtbot, main_window, filled: Store) -> None:
    path = filled.path
    window = opened(qtbot, main_window, filled, TID)
    asked: list[str] = []

    def answer(button: str) -> None:
        """Click as a person would once the question is up (never assert here: a raise would leave it open)."""
        box = getattr(window, "close_question", None)
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(50, lambda: answer(button))
            return
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    with Lock(path):
        window.form.set_verdict_by_key(3)
        QTimer.singleShot(100, lambda: answer("Keep open and retry"))
        window.close()
        assert window.isVisible() and "label changes could not be written" in asked[0]  # the verdict (and the time spent)
        assert window.session is not None and window.session.label.verdict == "cheat"  # still open, still editable
    assert window.labels.flush(5000) and stored(path).verdict == "cheat"
    window.close()  # nothing waits: no question
    assert not window.isVisible() and len(asked) == 1
