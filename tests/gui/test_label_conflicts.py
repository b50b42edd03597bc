"""The real window when alice's label was saved elsewhere (her other machine) after the window loaded
it: the change is kept as a flagged conflict, never dropped, and the window says so in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402
from tests.gui.conftest import opened  # noqa: E402

TID = "synthetic-0-000000"
SHOTS = os.environ.get("REVIEWER_SHOTS")  # a folder to keep the window's picture in, to look at


@pytest.fixture
def filled(store: Store) -> Store:
    store.trajectories.add(Trajectory.from_dict(trajectory(0, 8)))
    return store


def elsewhere(path: Path | str, verdict: str) -> None:
    """alice's other machine saves her first pass."""
    with Store(path) as other:
        other.labels.save(Label(TID, "alice", verdict=verdict, rationale="from the laptop"), actor="alice", origin="gui")


def test_a_stale_change_is_kept_as_a_conflict_and_the_form_says_so(qtbot, main_window, filled: Store, tmp_path: Path) -> None:
    window = opened(qtbot, main_window, filled, TID)
    elsewhere(filled.path, "clean")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_3)  # cheat, on the label as loaded (none yet)
    message = window.form.message.text()
    assert message.startswith("Conflict: ") and "Not saved" not in message
    assert "saved elsewhere meanwhile (now version 1, this edit was based on 0)" in message and "kept as conflict" in message
    assert window.session.label.verdict == "clean" and window.session.label.rationale == "from the laptop"  # what is stored
    (conflict,) = filled.labels.conflicts(annotator="alice")
    assert conflict.edit.verdict == "cheat" and filled.labels.get(TID, "alice", True).verdict == "clean"  # type: ignore[union-attr]
    window.model.refresh(TID)
    assert window.model.status(0) == "conflict"
    window.resize(1440, 860)
    window.grab().save(str(Path(SHOTS or tmp_path) / "label-conflict.png"))
    qtbot.keyClick(window.table, Qt.Key.Key_4)  # the next change builds on the stored version: applied
    assert filled.labels.get(TID, "alice", True).version == 2  # type: ignore[union-attr]
    assert len(filled.labels.conflicts()) == 1


def test_a_waiting_change_that_conflicts_is_said_in_the_status_bar(qtbot, main_window, filled: Store) -> None:
    """The file was busy, so the change waited in the app's queue; by the time it is written the label
    has moved on: the queue keeps it as a conflict and the status bar says so."""
    window = opened(qtbot, main_window, filled, TID)
    with Store(filled.path) as other, other.writing():  # the other machine's save holds the file a moment
        other.labels.save(Label(TID, "alice", verdict="clean"), actor="alice", origin="gui")
        window.form.set_verdict_by_key(3)
        assert window.labels.waiting == 1
    qtbot.waitUntil(lambda: window.labels.waiting == 0, timeout=5000)
    assert "CONFLICT:" in window.statusBar().currentMessage() and "kept as conflict" in window.statusBar().currentMessage()
    assert [c.edit.verdict for c in filled.labels.conflicts()] == ["cheat"]
    assert filled.labels.get(TID, "alice", True).verdict == "clean"  # type: ignore[union-attr]
