"""The whole window, driven by keys: a SIGKILLed app loses no completed edit; two apps share one file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from reviewer.model import Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

TID = "synthetic-0-000000"
TYPED = "abcdefghij"

CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from reviewer.gui.app import MainWindow
    from reviewer.store import Store

    app = QApplication([])
    window = MainWindow(Store(sys.argv[1]), "kim")
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    window.wait_until_shown()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_3)  # verdict: cheat, through the window's keymap
    print("verdict", flush=True)
    editor = window.form.editors["rationale"].edit
    editor.setFocus()
    for k in range(100_000):
        QTest.keyClick(editor, "{typed}"[k % 10])
        print(f"typed {{k + 1}}", flush=True)
    """
).format(typed=TYPED)


@pytest.fixture
def project(db_path: Path) -> Path:
    with Store(db_path) as store:
        for i in range(2):
            store.trajectories.add(Trajectory.from_dict(trajectory(i, 10)))
    return db_path


def test_a_killed_app_keeps_every_completed_keystroke(project: Path, tmp_path: Path) -> None:
    script = tmp_path / "app_child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the child runs this checkout's code, as the test does
    child = subprocess.Popen([sys.executable, str(script), str(project)], stdout=subprocess.PIPE, text=True, env=env)
    typed = 0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("typed"):
                typed = int(line.split()[1])
                if typed >= 60:
                    break
    finally:
        child.kill()  # SIGKILL: no close event, no atexit, no flush
        child.wait(timeout=30)
    assert child.returncode == -9 and typed >= 60
    with Store(project) as after:
        label = after.labels.get(TID, "kim", first_pass=True)
        history = after.labels.history(TID, "kim")
    assert label is not None and label.verdict == "cheat"
    expected = (TYPED * 10_000)[: len(label.rationale or "")]
    assert len(label.rationale or "") >= typed and label.rationale == expected  # nothing reported as done is missing
    assert [e.new.verdict for e in history] == ["cheat", "cheat"]  # the verdict, then one event for the typing burst


@pytest.fixture
def two_stores(project: Path):
    first, second = Store(project), Store(project)
    yield first, second
    first.close()
    second.close()


def test_two_apps_label_the_same_file(qtbot, main_window, two_stores: tuple[Store, Store], project: Path) -> None:
    windows = {}
    for name, store in zip(("alice", "bob"), two_stores, strict=True):
        window = main_window(store, name)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        qtbot.waitUntil(lambda w=window: not w.loader.busy and w.shown_trajectory_id() == TID)
        windows[name] = window
    for name, key in (("alice", Qt.Key.Key_3), ("bob", Qt.Key.Key_1)):
        window = windows[name]
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(window.table, key)
        qtbot.keyClicks(window.form.editors["rationale"].edit, f"{name} says so")
    with Store(project) as check:
        labels = {lb.annotator: lb for lb in check.labels.all(trajectory_id=TID)}
    assert {n: (lb.verdict, lb.rationale) for n, lb in labels.items()} == {
        "alice": ("cheat", "alice says so"),
        "bob": ("clean", "bob says so"),
    }
