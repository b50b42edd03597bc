"""The continuous transcript: scrolling a 5,000-step, ~50 MB run end to end, `]` to the next step, memory.

- Scroll: page down from the first card to the last one, as PageDown or a wheel would (the scroll bar's
  value moved by a page, events processed, the viewport painted); worst GUI stall (the longest gap of a
  10 ms timer, `bench.stall.Ticker`) and mean ms per page. Baseline in the same run: the same paging over a
  plain `QPlainTextEdit` holding the first 200 steps' text whole (what scrolling costs with nothing to add).
  Goal: worst stall < 50 ms.
- Next step: `next_step()` to the repainted viewport, over 200 steps of the big run; baseline the same on a
  25-step run. Goal < 100 ms.
- Memory: the run written as a native JSON file, then read (`Trajectory.from_dict`) and opened and scrolled
  end to end; the growth of the process's resident memory against the file's size. Goal <= 3x.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_scroll_bench.py
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from bench.gui_transcript_bench import run  # noqa: E402
from bench.stall import Ticker  # noqa: E402
from reviewer.gui.transcript_view import TranscriptView  # noqa: E402
from reviewer.model import Trajectory  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def page_through(app: QApplication, editor: QPlainTextEdit, done, limit: int = 1_000_000) -> tuple[float, float, float, int]:
    """Page down until `done()`; (worst stall ms, mean ms per page, 99th percentile ms per page, pages)."""
    bar = editor.verticalScrollBar()
    ticker = Ticker()
    ticker.start()
    times = []
    pages = 0
    while not done() and pages < limit:
        start = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        app.processEvents()  # the scroll, the cards it adds, and the paint
        times.append(time.perf_counter() - start)
        pages += 1
    times.sort()
    return ticker.stop(), statistics.mean(times) * 1000, times[int(len(times) * 0.99)] * 1000, pages


def baseline_scroll(app: QApplication, t: Trajectory) -> tuple[float, float, float, int]:
    editor = QPlainTextEdit()
    editor.setReadOnly(True)
    editor.resize(1000, 800)
    editor.show()
    editor.setPlainText("\n\n".join(f"#{s.index} {s.role}\n{s.thinking or ''}\n{s.text}" for s in t.steps[:200]))
    app.processEvents()
    bar = editor.verticalScrollBar()
    result = page_through(app, editor, lambda: bar.value() >= bar.maximum())
    editor.close()
    return result


def scroll(app: QApplication, view: TranscriptView, t: Trajectory) -> tuple[float, float, float, int]:
    view.set_trajectory(t)
    app.processEvents()
    bar = view.viewer.verticalScrollBar()
    last = len(t.steps) - 1
    return page_through(
        app, view.viewer, lambda: view.current_step() == last or (bar.value() >= bar.maximum() and view._cards[-1].step == last)
    )


def next_steps(app: QApplication, view: TranscriptView, t: Trajectory, n: int = 200) -> tuple[float, float]:
    """(worst, median) ms from `next_step()` to a repainted viewport."""
    view.set_trajectory(t)
    app.processEvents()
    times = []
    for _ in range(min(n, len(t.steps) - 1)):
        start = time.perf_counter()
        view.next_step()
        app.processEvents()  # its paint
        times.append(time.perf_counter() - start)
    return max(times) * 1000, statistics.median(times) * 1000


def main() -> None:
    app = QApplication.instance() or QApplication([])
    small, big = run(25, 3_000), run(5_000, 13_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.json"
        path.write_text(json.dumps(big.to_dict()), encoding="utf-8")
        file_mb = path.stat().st_size / 1e6
        del big
        gc.collect()
        view = TranscriptView()
        view.resize(1000, 900)
        view.show()
        app.processEvents()
        before = rss_mb()
        big = Trajectory.from_dict(json.loads(path.read_text(encoding="utf-8")))
        gc.collect()
        stall, per_page, p99, pages = scroll(app, view, big)
        grown = rss_mb() - before
    print(f"big run: {len(big.steps):,} steps, file {file_mb:.1f} MB; small run: {len(small.steps)} steps")
    b_stall, b_page, b_p99, b_pages = baseline_scroll(app, big)
    print(
        f"scroll end to end: {pages:,} pages, worst stall {stall:.1f} ms, {per_page:.2f} ms/page, 99th percentile {p99:.1f} ms; "
        f"baseline (plain QPlainTextEdit, 200 steps whole, {b_pages:,} pages): worst {b_stall:.1f} ms, {b_page:.2f} ms/page, "
        f"99th percentile {b_p99:.1f} ms; ratios: per page {per_page / b_page:.2f}x, worst {stall / b_stall:.2f}x "
        f"(goal worst stall < 50 ms: {'ok' if stall < 50 else 'MISSED'})"
    )
    worst, median = next_steps(app, view, big)
    s_worst, s_median = next_steps(app, view, small, 24)
    print(
        f"next step on the big run: worst {worst:.1f} ms, median {median:.1f} ms; small run (baseline): worst {s_worst:.1f} ms, "
        f"median {s_median:.1f} ms; ratio of medians {median / s_median:.2f}x"
        f" (goal < 100 ms: {'ok' if worst < 100 else 'MISSED'})"
    )
    print(
        f"memory: file {file_mb:.1f} MB, resident growth reading, opening and scrolling it"
        f" {grown:.1f} MB = {grown / file_mb:.2f}x "
        f"the file (goal <= 3x: {'ok' if grown <= 3 * file_mb else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
