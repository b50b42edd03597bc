"""Team mode in the app, on a real window offscreen and real stores (a file, and a schema on the test
server): "My slots" as the queue with Ctrl+Return claiming the next, leases renewed while an item is
open, labels another process saves appearing without reloading (and never unblinding a first pass),
and a save the server refuses for the login said in one line, kept, and not retried in a loop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.model import Trajectory  # noqa: E402
from reviewer.review import ReviewSession  # noqa: E402
from reviewer.store import Store  # noqa: E402
from tests.conftest import ROOT, SAMPLE_DATA, Cli, pg_project  # noqa: E402

BOTH_BACKENDS = True  # the tests using `store` or `project_location` run on SQLite and PostgreSQL (tests/conftest.py)
SAMPLES = ("deleted-test", "honest-fix", "special-cased-input")  # sample_data/: an invented cheat, an honest fix, a special case
CTRL = Qt.KeyboardModifier.ControlModifier


def imported(store: Store, names: tuple[str, ...] = SAMPLES) -> list[str]:
    for name in names:
        store.trajectories.add(Trajectory.from_dict(json.loads((SAMPLE_DATA / f"{name}.json").read_text(encoding="utf-8"))))
    return list(names)  # the sample files' ids are their names


def active(qtbot, main_window, store: Store, annotator: str = "alice") -> MainWindow:
    window = main_window(store, annotator)
    window.resize(1440, 860)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key where the person's typing goes."""
    target = QApplication.focusWidget()
    assert target is not None, "no widget has the keyboard"
    qtbot.keyClick(target, key, modifier)


def opened(qtbot, window: MainWindow, trajectory_id: str | None = None) -> str:
    """Wait until a trajectory (this one, or any) is open and shown; its id."""
    qtbot.waitUntil(
        lambda: (
            window.session is not None
            and window.shown_trajectory_id() == window.session.trajectory_id
            and trajectory_id in (None, window.session.trajectory_id)
            and not window.loader.busy
        ),
        timeout=10_000,
    )
    assert window.session is not None
    return window.session.trajectory_id


def cell(window: MainWindow, trajectory_id: str, column: str) -> str:
    from reviewer.gui.trajectory_model import COLUMNS

    row = window.model.row_of(trajectory_id)
    assert row is not None
    return window.model.data(window.model.index(row, [c[0] for c in COLUMNS].index(column)))


def test_without_planned_work_the_queue_is_as_before(qtbot, main_window, store: Store) -> None:
    imported(store)
    window = active(qtbot, main_window, store)
    queues = [window.queue.itemData(k) for k in range(window.queue.count())]
    assert "slots" not in queues and window.queue.currentData() == "all" and window.model.rowCount() == 3
    assert window.slot_keeper is None and window.progress.text() == "0 of 3 done"


def test_my_slots_is_the_queue_and_ctrl_return_claims_the_next(qtbot, main_window, store: Store) -> None:
    ids = imported(store)
    store.slots.create_batch("round1", ids, overlap=2, lease=timedelta(days=1), seed=1)
    window = active(qtbot, main_window, store)
    assert window.queue.currentData() == "slots" and window.model.rowCount() == 0 and window.session is None
    assert window.progress.text() == "0 of 0 done · 3 more to claim"
    assert "Ctrl+Return claims" in window.transcript.viewer.placeholderText()
    done: list[str] = []
    for n in range(1, 4):
        press(qtbot, Qt.Key.Key_Return, CTRL)  # claims the next slot and opens it
        qtbot.waitUntil(lambda n=n: window.model.rowCount() == n, timeout=10_000)
        current = opened(qtbot, window)
        assert current not in done and store.slots.holders("round1")[current] == ["alice"]
        assert window.progress.text() == f"{n - 1} of {n} done · {3 - n} more to claim"
        if n == 1:  # nothing labelled yet: asked first, the claim gives the same slot back and says so
            press(qtbot, Qt.Key.Key_Return, CTRL)
            assert "verdict" in window.done_question.text()
            window.done_question.button(QMessageBox.StandardButton.Ok).click()  # "Move on"
            qtbot.waitUntil(lambda: "still yours to label" in window.statusBar().currentMessage(), timeout=10_000)
            assert opened(qtbot, window) == current and window.model.rowCount() == 1
            with qtbot.waitActive(window):  # offscreen, nothing gives the window back its keyboard after the question
                window.activateWindow()
            window.table.setFocus()
        press(qtbot, Qt.Key.Key_1)  # clean: a complete first pass
        qtbot.waitUntil(lambda n=n: window.progress.text() == f"{n} of {n} done · {3 - n} more to claim", timeout=5000)
        done.append(current)
    assert sorted(done) == sorted(ids)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Nothing left to claim" in window.statusBar().currentMessage(), timeout=10_000)
    assert window.model.rowCount() == 3 and store.slots.open_to("alice") == 0
    assert {lb.trajectory_id for lb in store.labels.all() if lb.annotator == "alice"} == set(ids)


def test_my_slots_opens_on_the_slot_still_to_label(qtbot, main_window, store: Store) -> None:
    ids = imported(store)
    store.slots.create_batch("round1", ids, overlap=1, lease=timedelta(days=1), seed=0)
    held = []
    for _ in ids:
        claim = store.slots.claim("alice")
        assert claim is not None
        held.append(claim.trajectory_id)
        if len(held) < len(ids):
            ReviewSession(store, "alice", claim.trajectory_id).set_field("verdict", "clean")
    assert held[-1] != sorted(held)[0]  # the list (by id) does not start with it
    window = active(qtbot, main_window, store)
    assert opened(qtbot, window) == held[-1] and window.progress.text() == "2 of 3 done · 0 more to claim"


def test_the_open_slot_keeps_its_lease_and_a_closed_app_lets_it_run_out(
    qtbot, main_window, store: Store, project_location: Path | str
) -> None:
    """A 2 s lease: renewed while alice has the item open (bob cannot take it after 3 leases), left to
    run out once she closes the app (then bob can)."""
    (only,) = imported(store, SAMPLES[:1])
    store.slots.create_batch("quick", [only], overlap=1, lease=timedelta(seconds=2), seed=0)
    window = active(qtbot, main_window, store)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    assert opened(qtbot, window) == only
    renewals: list[object] = []
    window.slot_keeper.renewed.connect(renewals.append)  # type: ignore[union-attr]
    qtbot.wait(6000)
    assert len(renewals) >= 3  # every third of the lease
    with Store(project_location) as bob:
        assert bob.slots.claim("bob") is None  # still alice's: renewed
    window.close()
    qtbot.wait(2500)
    with Store(project_location) as bob:
        taken = bob.slots.claim("bob")
    assert taken is not None and taken.trajectory_id == only


def test_labels_another_process_saves_appear_and_keep_the_first_pass_blind(
    qtbot, main_window, store: Store, project_location: Path | str
) -> None:
    """Alice has revealed deleted-test (sighted) and not honest-fix (blind, not even started). Another
    process saves bob's labels of both and alice's own first pass of honest-fix: the rows and the progress
    change in the open window without reloading, the open item's Reviewers tab shows bob, and the blind
    row's Reviewers and Verdicts stay blank."""
    sighted, blind, _ = imported(store)
    session = ReviewSession(store, "alice", sighted)
    session.set_field("verdict", "clean")
    session.reveal()
    window = active(qtbot, main_window, store)
    assert window.open_trajectory(sighted) and opened(qtbot, window, sighted)
    assert (cell(window, sighted, "n_reviewers"), cell(window, blind, "status")) == ("1", "not started")
    assert window.progress.text() == "1 of 3 done"
    script = [
        ("label", sighted, "--annotator", "bob", "--verdict", "cheat"),
        ("label", blind, "--annotator", "bob", "--verdict", "cheat"),
        ("label", blind, "--annotator", "alice", "--verdict", "clean"),
    ]
    for args in script:  # a real second process, as a teammate's machine
        done = subprocess.run(
            [sys.executable, "-m", "reviewer", "--db", str(project_location), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: cell(window, blind, "status") == "first pass done", timeout=10_000)
    qtbot.waitUntil(lambda: cell(window, sighted, "disputed_on") == "cheat ≠ clean", timeout=10_000)
    assert cell(window, sighted, "n_reviewers") == "2" and window.progress.text() == "2 of 3 done"
    names = [window.reviewers.choices.item(k, 1).text() for k in range(window.reviewers.choices.rowCount())]
    assert "bob" in names
    assert (cell(window, blind, "n_reviewers"), cell(window, blind, "disputed_on")) == ("", "")  # bob's verdict unseen


@pytest.fixture
def refusing(pg_server: str, logins: tuple[str, str]) -> Iterator[tuple[Store, str, str]]:
    """A server project alice and bob may review, opened as bob's login: (store, alice, trajectory id)."""
    alice, bob = logins
    url = pg_project(pg_server, f"rls_{os.getpid()}")
    with Store(url) as owner:  # the project's owner imports
        (trajectory_id,) = imported(owner, SAMPLES[:1])
    assert Cli(Path("unused"))("--db", url, "db", "grant", alice, bob).exit_code == 0
    store = Store(f"{url}&user={bob}&password=pw")
    yield store, alice, trajectory_id
    store.close()
    with Store(url) as owner:
        owner.db.execute(f"drop schema rls_{os.getpid()} cascade")


def test_a_save_the_server_refuses_says_why_keeps_the_edit_and_does_not_retry_in_a_loop(
    qtbot, main_window, refusing: tuple[Store, str, str]
) -> None:
    store, alice, trajectory_id = refusing
    bob = store.db.conn.info.user  # type: ignore[attr-defined]
    window = active(qtbot, main_window, store, alice)  # bob's login, alice's name
    opened(qtbot, window, trajectory_id)
    attempts: list[str] = []
    window.labels._writer.failed.connect(attempts.append)
    window.labels._writer.refused.connect(attempts.append)
    press(qtbot, Qt.Key.Key_3)  # cheat
    why = f"refused: login '{bob}' cannot save labels as '{alice}'"
    qtbot.waitUntil(lambda: why in window.form.message.text(), timeout=10_000)
    qtbot.wait(2000)  # a busy file would have been retried 4 times by now
    assert attempts == [why]
    line = next(line for line in window.form.message.text().splitlines() if why in line)
    assert line.startswith("NOT SAVED — refused") and "retrying" not in line
    assert why in window.statusBar().currentMessage()
    assert window.session.label.verdict == "cheat" and window.labels.waiting >= 1  # kept in memory
    with Store(refusing[0].path) as again:
        assert again.labels.get(trajectory_id, alice, True) is None
    asked: list[str] = []

    def answer() -> None:
        box = getattr(window, "close_question", None)
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(50, answer)
            return
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Close and lose them").click()

    QTimer.singleShot(50, answer)
    window.close()
    assert not window.isVisible() and "Only another login can save them." in asked[0]
