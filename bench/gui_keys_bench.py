"""Key to visible change in the main window: next step (`]`), verdict (`3`/`1`), evidence (`E`, then Enter).

Each figure runs from the key event sent to the focused widget (as a person's key press arrives) to
the change painted: the event loop runs until the change is there (the next step's text shown, the
verdict's radio checked and the label saved, the popover on screen, the span highlighted and in the
evidence list), then the widget that shows it repaints synchronously. On a 5,000-step, ~50 MB run.
Baseline in the same run, before and after: the same key through a bare QShortcut whose handler
sets a QLabel's text, then the label's repaint — the floor of "key to visible change" in Qt on this
machine. Goal: every median and worst case < 100 ms.

    QT_QPA_PLATFORM=offscreen python bench/gui_keys_bench.py [--steps 5000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QWidget  # noqa: E402

from bench.gui_transcript_bench import run, size  # noqa: E402
from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.store import Store  # noqa: E402


def latency(app: QApplication, press: Callable[[], None], done: Callable[[], bool], shown: QWidget) -> float:
    """ms from the key event to the change painted."""
    start = time.perf_counter()
    press()
    while not done():
        app.processEvents()
        if time.perf_counter() - start > 5:
            raise TimeoutError("the key changed nothing visible within 5 s")
    shown.repaint()
    return (time.perf_counter() - start) * 1000


def activate(app: QApplication, window: QWidget) -> None:
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window, 2000)
    app.processEvents()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def baseline(app: QApplication, repeat: int) -> list[float]:
    window = QWidget()
    label = QLabel("0", window)
    QShortcut(QKeySequence("3"), window).activated.connect(lambda: label.setText(str(int(label.text()) + 1)))
    window.resize(400, 200)
    activate(app, window)
    times = []
    for _ in range(repeat):
        before = label.text()
        times.append(latency(app, lambda: QTest.keyClick(window, Qt.Key.Key_3), lambda b=before: label.text() != b, label))
    window.close()
    return times


def figures(times: list[float], floor: float) -> str:
    median, worst = statistics.median(times), max(times)
    verdict = "ok" if worst < 100 else "MISSED"
    return f"median {median:.1f} ms ({median / floor:.0f}x the floor), worst {worst:.1f} ms ({verdict}: goal < 100 ms)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):  # leave the person's settings alone
            QSettings.setPath(QSettings.Format.NativeFormat, scope, tmp)
        store = Store(Path(tmp) / "bench.db")
        big = run(args.steps, 10_000)
        store.trajectories.add(big)
        print(f"run: {len(big.steps):,} steps, {size(big) / 1e6:.1f} M chars")
        floor_before = baseline(app, args.repeat)

        window = MainWindow(store, "bench")
        window.resize(1440, 860)
        activate(app, window)
        while window.loader.busy:
            app.processEvents()
        viewer = window.transcript.viewer
        viewer.setFocus()
        app.processEvents()

        steps = []
        window.transcript.show_step(0)
        for n in range(1, args.repeat + 1):
            steps.append(
                latency(
                    app,
                    lambda: QTest.keyClick(focused(), Qt.Key.Key_BracketRight),
                    lambda n=n: window.transcript.current_step() == n and f"#{n} " in viewer.toPlainText()[:20],
                    viewer,
                )
            )

        verdicts = []
        radios = window.form.editors["verdict"].group
        for k in range(args.repeat):
            key, index = (Qt.Key.Key_3, 2) if k % 2 == 0 else (Qt.Key.Key_1, 0)
            verdicts.append(
                latency(
                    app,
                    lambda key=key: QTest.keyClick(focused(), key),
                    lambda index=index: radios.checkedId() == index,
                    window.form,
                )
            )
        window.labels.flush()

        popover, saved = [], []
        window.transcript.show_step(2)
        text = viewer.toPlainText()
        start = text.index("tests/test_parser.py")
        for _ in range(args.repeat):
            cursor = viewer.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len("tests/test_parser.py"), QTextCursor.MoveMode.KeepAnchor)
            viewer.setTextCursor(cursor)
            viewer.setFocus()
            popover.append(
                latency(app, lambda: QTest.keyClick(focused(), Qt.Key.Key_E), window.popover.isVisible, window.popover)
            )
            spans = len(window.session.label.evidence)
            saved.append(
                latency(
                    app,
                    lambda: QTest.keyClick(focused(), Qt.Key.Key_Return),
                    lambda spans=spans: window.form.evidence.count() == spans + 1 and len(viewer.extraSelections()) == spans + 1,
                    viewer,
                )
            )
            window.form.undo()  # the next round adds the same span again
        window.close()
        floor_after = baseline(app, args.repeat)
        store.close()

    floor = statistics.median(floor_before + floor_after)
    print(
        f"floor (bare QShortcut -> QLabel repaint): median {statistics.median(floor_before):.2f} ms before, "
        f"{statistics.median(floor_after):.2f} ms after"
    )
    print(f"next step (]) on the {args.steps:,}-step run: {figures(steps, floor)}")
    print(f"verdict (3 / 1, saved at once): {figures(verdicts, floor)}")
    print(f"evidence: E to the popover at the selection: {figures(popover, floor)}")
    print(f"evidence: Enter to the span highlighted and listed: {figures(saved, floor)}")


if __name__ == "__main__":
    main()
