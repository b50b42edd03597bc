"""The adjudicator's workspace on the real window over a real project file: an adjudication is its
own record that only explicit adjudication edits change, fields are picked with one key, the party
and blind rules hold, and everything survives navigation and a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.model import EvidenceSpan, Label, Suggestion, Trajectory  # noqa: E402
from reviewer.spans import source_text  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

TID = "synthetic-0-000000"


@pytest.fixture
def disputed(store: Store) -> Store:
    """Three runs; on the first alice says cheat (a complete label with evidence), bob says clean."""
    for i in range(3):
        store.trajectories.add(Trajectory.from_dict(trajectory(i, 8)))
    text = source_text(store.trajectories.get(TID), 1, "text")
    span = EvidenceSpan(1, "text", 0, 6, text[:6], role="action", codes=["tests.skip"])
    alice = Label(TID, "alice", verdict="cheat", categories=["tests.skip"], intent=3, disclosure="silent", severity=2,
                  rationale="skipped the failing test", evidence=[span])  # fmt: skip
    store.labels.save(alice, actor="alice", origin="test")
    store.labels.save(Label(TID, "bob", verdict="clean", rationale="a fair fix"), actor="bob", origin="test")
    store.suggestions.replace(
        TID, "detectors", [Suggestion(TID, "detectors", "skip_added", ["tests.skip"], [span], "adds a skip")]
    )
    return store


def shows(qtbot, window: MainWindow, trajectory_id: str) -> None:
    qtbot.waitUntil(lambda: window.shown_trajectory_id() == trajectory_id and not window.loader.busy, timeout=5000)


def opens(qtbot, window: MainWindow, trajectory_id: str) -> None:
    """Open a trajectory from the whole list (an adjudicator's starts on the unsettled disputes only)."""
    window.queue.setCurrentIndex(window.queue.findData("all"))
    assert window.open_trajectory(trajectory_id)
    shows(qtbot, window, trajectory_id)


def adjudication(path: Path, who: str) -> Label | None:
    """What another process reads."""
    with Store(path) as other:
        return other.labels.get(TID, who, first_pass=False, adjudication=True)


def field_row(window: MainWindow, name: str) -> int:
    return [*window.store.taxonomy.fields, "evidence"].index(name)


def shown_active(qtbot, window: MainWindow) -> None:
    window.resize(1440, 860)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()


def test_an_adjudication_made_in_the_app_is_kept_through_navigation_focus_and_own_edits(
    qtbot, main_window, disputed: Store
) -> None:
    """The defect: erin adjudicated, pressed J, and the adjudication was gone (written over her own
    final label, which her open session then saved back). Now it is its own record."""
    disputed.settings.set_allow_self_adjudication(True)
    path = disputed.path
    reviewer = main_window(disputed, "erin")  # erin first labels as a reviewer: blind, then revealed
    shown_active(qtbot, reviewer)
    shows(qtbot, reviewer, TID)
    reviewer.table.setFocus()
    qtbot.keyClick(reviewer.table, Qt.Key.Key_1)  # clean: complete as it is, so V reveals without asking
    qtbot.keyClick(reviewer.table, Qt.Key.Key_V)
    assert reviewer.form.reveal_question is None
    reviewer.close()  # which stores the time spent
    own_final = disputed.labels.get(TID, "erin", first_pass=False)
    assert own_final is not None and own_final.verdict == "clean"

    window = main_window(disputed, "erin", adjudicator=True)
    shown_active(qtbot, window)
    shows(qtbot, window, TID)
    assert window.windowTitle().endswith("erin (adjudicator)") and window.reviewers.isVisible()
    work = window.reviewers
    rows = [(work.choices.item(r, 1).text(), work.choices.item(r, 2).text()) for r in range(work.choices.rowCount())]
    assert rows == [("alice", "first pass"), ("bob", "first pass"), ("erin", "first pass"), ("erin", "final")]
    work.choices.setFocus()
    work.choices.setCurrentCell(0, 3)
    qtbot.keyClick(work.choices, Qt.Key.Key_A)  # take alice's whole label
    qtbot.keyClicks(work.reason_edit, "the skip hides the failing test")
    work.resolution_box.setFocus()
    qtbot.keyClick(work.resolution_box, Qt.Key.Key_Down)  # the first resolution: side A (alice) was right
    qtbot.keyClick(window.transcript.viewer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # settle
    settled = adjudication(path, "erin")
    assert settled is not None and settled.settles and settled.verdict == "cheat"
    assert (
        settled.adjudication["reason"] == "the skip hides the failing test"
        and settled.adjudication["resolution"] == "side_a_right"
    )

    assert window.queue.currentData() == "disputed" and window.model.rowCount() == 1  # an adjudicator starts on the disputes
    window.queue.setCurrentIndex(window.queue.findData("all"))
    window.open_trajectory(TID)
    shows(qtbot, window, TID)
    qtbot.keyClick(window.table, Qt.Key.Key_J)  # navigate away ...
    window.setWindowState(Qt.WindowState.WindowMinimized)  # ... lose focus ...
    QApplication.processEvents()
    window.setWindowState(Qt.WindowState.WindowActive)
    qtbot.keyClick(window.table, Qt.Key.Key_K)  # ... and back
    shows(qtbot, window, TID)
    assert adjudication(path, "erin").to_dict() == settled.to_dict()
    assert disputed.labels.get(TID, "erin", first_pass=False).to_dict() == own_final.to_dict()

    window.form.set_verdict_by_key(1)  # an explicit adjudication edit: changes it, and only it
    changed = adjudication(path, "erin")
    assert changed.verdict == "clean" and changed.settles  # still complete, so still settled
    assert disputed.labels.get(TID, "erin", first_pass=False).to_dict() == own_final.to_dict()
    assert window.form.undo() and adjudication(path, "erin").to_dict()["verdict"] == "cheat"


def test_the_workspace_picks_fields_with_one_key_and_survives_a_restart(qtbot, main_window, disputed: Store) -> None:
    path = disputed.path
    window = main_window(disputed, "carol", adjudicator=True)
    shown_active(qtbot, window)
    shows(qtbot, window, TID)
    work = window.reviewers
    assert window.session is not None and window.assist.stack.currentIndex() == 1  # suggestions visible at once
    assert "blind" not in window.statusBar().currentMessage() and "adjudication (draft)" in window.statusBar().currentMessage()
    work.fields.setFocus()
    work.fields.setCurrentRow(field_row(window, "verdict"))
    qtbot.keyClick(work.fields, Qt.Key.Key_2)  # bob's verdict — a digit here is a pick, never the verdict key
    assert adjudication(path, "carol").verdict == "clean"
    qtbot.keyClick(work.fields, Qt.Key.Key_1)  # alice's
    assert adjudication(path, "carol").verdict == "cheat"
    work.fields.setCurrentRow(field_row(window, "evidence"))
    work.choices.setFocus()
    work.choices.setCurrentCell(0, 3)  # alice's evidence: highlighted and shown in the transcript
    qtbot.waitUntil(lambda: any(s.cursor.selectedText() for s in window.transcript.viewer.extraSelections()))
    quote = disputed.labels.get(TID, "alice", True).evidence[0].quote
    assert quote in [s.cursor.selectedText() for s in window.transcript.viewer.extraSelections()]
    qtbot.keyClick(work.choices, Qt.Key.Key_Return)  # Enter picks the row under the cursor
    assert [e.quote for e in adjudication(path, "carol").evidence] == [quote]
    qtbot.keyClick(work.choices, Qt.Key.Key_Return)  # spans are never doubled
    assert len(adjudication(path, "carol").evidence) == 1
    assert not work.settle_button.isEnabled() and "6 still needed" in work.status.text()
    assert "reason is required" in window.form.message.text()  # listed in full above the form
    window.reviewers.settle()
    assert "Not saved: not settled yet" in work.status.text() and not adjudication(path, "carol").settles
    for name in ("categories", "intent", "disclosure", "severity", "rationale"):
        work.fields.setCurrentRow(field_row(window, name))
        qtbot.keyClick(work.fields, Qt.Key.Key_1)
    qtbot.keyClicks(work.reason_edit, "alice's reading")
    work.resolution_box.activated.emit(work.resolution_box.findData("side_a_right"))
    assert work.settle_button.isEnabled()
    qtbot.mouseClick(work.settle_button, Qt.MouseButton.LeftButton)
    saved = adjudication(path, "carol")
    assert saved.settles and saved.complete and saved.categories == ["tests.skip"] and saved.intent == 3
    history = [e for e in disputed.labels.history(TID, "carol") if e.adjudication]
    assert len(history) == 11 and {e.origin for e in history} == {
        "adjudication"
    }  # 10 edits (the reason typed as one), the settle
    window.close()

    with Store(path) as reopened:  # a restart: the workspace shows the stored adjudication
        again = MainWindow(reopened, "carol", adjudicator=True)
        qtbot.addWidget(again)
        assert again.model.rowCount() == 0  # settled: no longer waiting in the disputed queue
        opens(qtbot, again, TID)
        assert again.session.label.to_dict() == saved.to_dict()
        assert again.reviewers.reason_edit.toPlainText() == "alice's reading" and "Settled" in again.reviewers.status.text()
        again.close()


def test_who_may_settle_in_the_app(qtbot, main_window, disputed: Store) -> None:
    # alice labelled the dispute: as adjudicator she may not settle it, and sees nothing she did not see
    window = main_window(disputed, "alice", adjudicator=True)
    assert window.model.rowCount() == 0  # her own dispute is not in her queue: she is blind on it
    opens(qtbot, window, TID)
    assert window.session is None and "cannot settle a dispute they are part of" in window.form.mode.text()
    assert not window.form.isEnabled() and window.assist.stack.currentIndex() == 0
    disputed.settings.set_allow_self_adjudication(True)
    window.open(TID)  # allowed now, but her first pass is still blind
    assert window.session is None and "still blind" in window.form.mode.text()
    assert window.reviewers.choices.rowCount() == 0 and "bob" not in window.reviewers.status.text()
    # a reviewer (no --adjudicator) never gets adjudication controls
    plain = main_window(disputed, "dan")
    shows(qtbot, plain, TID)
    assert not plain.reviewers.adjudication_box.isVisibleTo(plain.reviewers) and plain.tabs.indexOf(plain.reviewers) == 2
    # a named adjudicator is one by default
    disputed.settings.set_adjudicators(["dan"])
    named = main_window(disputed, "dan")
    assert named.adjudicator and named.tabs.indexOf(named.reviewers) == -1


def test_a_reviewers_own_edits_never_reach_their_adjudication(qtbot, main_window, disputed: Store) -> None:
    disputed.settings.set_allow_self_adjudication(True)
    disputed.labels.save(Label(TID, "erin", verdict="cheat"), actor="erin", origin="test")
    disputed.labels.save(Label(TID, "erin", first_pass=False, verdict="cheat"), actor="erin", origin="test")
    disputed.labels.adjudicate(TID, "erin", "clean", "bob was right", "side_b_right", rationale="fine")
    settled = adjudication(disputed.path, "erin")
    window = main_window(disputed, "erin")  # as a reviewer: the form edits her own final label
    shows(qtbot, window, TID)
    assert window.session.label.adjudication is None and window.session.label.verdict == "cheat"
    qtbot.keyClicks(window.form.editors["rationale"].edit, "my own words")
    window.form.set_verdict_by_key(2)
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert adjudication(disputed.path, "erin").to_dict() == settled.to_dict()
    assert disputed.labels.get(TID, "erin", first_pass=False).rationale == "my own words"
