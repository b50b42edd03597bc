"""The diff view opening a 1 MB Python diff, offscreen: worst GUI-thread stall, first paint, fully highlighted.

Baseline in the same run: lexing the same diff into ranges on the GUI thread (what a naive
highlighter does) while the same 10 ms timer runs; its worst gap is the freeze a reviewer would
feel. The view builds the pane and lexes in a worker, and puts text and formats in by slices, so
its worst gap should be a small fraction of that. Goal: no stall over 100 ms, at any size up to
the view's 2 MB cap (`--kb 2000`).

    QT_QPA_PLATFORM=offscreen python bench/gui_diff_bench.py [--kb 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.stall import Ticker  # noqa: E402
from reviewer.edits import make_diff  # noqa: E402
from reviewer.gui.diff_panes import unified_pane  # noqa: E402
from reviewer.gui.diff_view import DiffView  # noqa: E402
from reviewer.gui.highlight import line_ranges  # noqa: E402
from reviewer.model import FileEdit, Step, Task, Trajectory  # noqa: E402


def python_source(kb: int, variant: int) -> str:
    """Plausible Python with strings, numbers, comments and a docstring per function."""
    parts, i = [], 0
    while sum(map(len, parts)) < kb * 1000 * 4 // 5:  # the diff comes out about `kb` long
        changed = variant and i % 3 == 0
        parts.append(
            f"def handler_{i}(request, limit: int = {i % 97}) -> dict:\n"
            f'    """Answer request {i}; the limit caps the page size."""\n'
            f"    # {'changed' if changed else 'original'} comment number {i}\n"
            f"    items = [x * {i + variant} for x in range(limit) if x % 3]\n"
            f"    return {{'id': {i}, 'items': items, 'name': \"handler-{i}\"}}\n\n"
        )
        i += 1
    return "".join(parts)


class FirstPaint(QObject):
    """When the unified viewer first painted some of the diff (an empty "loading…" frame does not count)."""

    def __init__(self, view: DiffView) -> None:
        super().__init__()
        self.at: float | None = None
        self.highlighted_then: bool | None = None
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        document = self.view.unified.document()
        if event.type() == QEvent.Type.Paint and self.at is None and document.characterCount() > 1:
            self.at = time.perf_counter()
            self.highlighted_then = not self.view.is_highlighting()
            watched.removeEventFilter(self)  # a Python call per event would add to the stalls measured
        return False


def run_in_loop(app: QApplication, work, done_signal=None) -> None:
    loop = QEventLoop()
    if done_signal is not None:
        done_signal.connect(loop.quit)
    QTimer.singleShot(0, work)
    if done_signal is None:
        QTimer.singleShot(0, loop.quit)
    loop.exec()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, default=1000, help="size of the diff in kB")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])

    diff = make_diff("service/handlers.py", python_source(args.kb, 0), python_source(args.kb, 1))
    edit = FileEdit("service/handlers.py", 1, None, None, diff)
    t = Trajectory("bench", Task("x"), [Step(0, "user", "x"), Step(1, "assistant", "")], file_edits=[edit])
    print(f"diff: {len(diff) / 1e6:.2f} MB, {diff.count(chr(10)):,} lines")

    view = DiffView()
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    ticker = Ticker()

    # Baseline: the same lexing on the GUI thread, under the same 10 ms timer.
    pane = unified_pane(edit)
    baseline: dict[str, float] = {}

    def lex_here() -> None:
        start = time.perf_counter()
        ranges = line_ranges(pane)
        baseline["lex"] = (time.perf_counter() - start) * 1000
        baseline["tokens"] = sum(map(len, ranges))

    ticker.start()
    run_in_loop(app, lex_here)
    app.processEvents()
    baseline["stall"] = ticker.stop()

    # The view: pane built and lexed in the worker, text and formats in by slices.
    probe = FirstPaint(view)
    view.unified.viewport().installEventFilter(probe)
    marks: dict[str, float] = {}

    def open_diff() -> None:
        marks["start"] = time.perf_counter()
        view.set_trajectory(t)
        marks["set"] = time.perf_counter()

    ticker.start()
    run_in_loop(app, open_diff, view.highlighted)
    marks["highlighted"] = time.perf_counter()
    stall = ticker.stop()
    document = view.unified.document()
    assert probe.at is not None and document.blockCount() == len(pane.lines) and document.lastBlock().layout().formats()

    first_paint = (probe.at - marks["start"]) * 1000
    landed = (marks["highlighted"] - marks["start"]) * 1000
    print(
        f"GUI-thread lexing (baseline): {baseline['lex']:.0f} ms, {baseline['tokens']:,.0f} ranges, worst stall "
        f"{baseline['stall']:.0f} ms"
    )
    print(
        f"diff view: set_trajectory {(marks['set'] - marks['start']) * 1000:.0f} ms, first paint of text {first_paint:.0f} ms "
        f"({'already' if probe.highlighted_then else 'not yet'} highlighted), highlighting landed {landed:.0f} ms"
    )
    print(
        f"worst GUI-thread stall opening the diff: {stall:.0f} ms = {stall / baseline['stall']:.2f}x the baseline stall "
        f"(goal < 100 ms: {'ok' if stall < 100 else 'MISSED'})"
    )
    print(
        f"first paint / baseline lexing: {first_paint / baseline['lex']:.2f}x; highlighting landed / baseline "
        f"lexing: {landed / baseline['lex']:.2f}x"
    )


if __name__ == "__main__":
    main()
