"""The transcript view: opening a 5,000-step, ~50 MB run vs a ~50 KB one, stepping through it, finding in it.

Baseline in the same run: the same widget opening a ~50 KB run, so the ratio shows whether opening
costs grow with the run (they should not: one step is rendered, the step list is lazy).
Goals: first paint < 300 ms and <= 3x the small run; no GUI-thread stall over 100 ms (the worst gap
of a 10 ms QTimer) while stepping through 200 steps with `next_step()`.
Find: the same search run synchronously (`StepTexts.find_all` on the GUI thread, what `find` did
before it moved to a worker) is the baseline; the worst GUI stall while `find` counts every hit in
the worker must stay < 100 ms, for a search with no match, one with 2,500 hits and one over the cap.

    QT_QPA_PLATFORM=offscreen python bench/gui_transcript_bench.py
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reviewer.gui.step_sections import StepTexts  # noqa: E402
from reviewer.gui.transcript_view import MAX_HITS, TranscriptView  # noqa: E402
from reviewer.model import FileEdit, Step, Task, ToolCall, ToolResult, Trajectory  # noqa: E402

LINE = "tests/test_parser.py::test_trailing_comma PASSED [ 42%] the tokenizer returns None 😀\n"


def run(n_steps: int, step_chars: int) -> Trajectory:
    """Alternating assistant calls and tool outputs of about `step_chars` characters each."""
    steps: list[Step] = [Step(0, "user", "Fix the parser. " * 20)]
    edits: list[FileEdit] = []
    output = (LINE * (step_chars // len(LINE) + 1))[:step_chars]
    for i in range(1, n_steps):
        if i % 2:
            thinking = ("I should check the tokenizer before touching the parser. " * (step_chars // 120 + 1))[: step_chars // 2]
            steps.append(Step(i, "assistant", "Running the tests again.", thinking=thinking,
                              tool_calls=[ToolCall(f"c{i}", "bash",
                                                   {"command": f"pytest -x -q tests/test_{i}.py"})]))  # fmt: skip
            if i % 10 == 1:
                edits.append(FileEdit(f"src/m{i}.py", i, "x = 1\n" * 50, "x = 2\n" * 50))
        else:
            steps.append(Step(i, "tool", output, tool_result=ToolResult(f"c{i - 1}")))
    return Trajectory(f"bench-{n_steps}", Task("Fix the parser so trailing commas work."), steps, file_edits=edits)


def size(t: Trajectory) -> int:
    return sum(len(s.text) + len(s.thinking or "") for s in t.steps)


def first_paint(app: QApplication, view: TranscriptView, t: Trajectory, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        view.set_trajectory(None)
        app.processEvents()
        start = time.perf_counter()
        view.set_trajectory(t)
        app.processEvents()
        view.grab()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worst_stall(app: QApplication, view: TranscriptView, steps: int = 200) -> tuple[float, float]:
    """The longest gap between ticks of a 10 ms timer while stepping, and the total time."""
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    view.show_step(0)
    timer.start()
    start = time.perf_counter()
    ticks.append(start)
    for _ in range(steps):
        view.next_step()
        app.processEvents()
    ticks.append(time.perf_counter())
    timer.stop()
    return max(b - a for a, b in zip(ticks, ticks[1:], strict=False)), ticks[-1] - start


def find_stall(view: TranscriptView, text: str) -> tuple[float, float, int]:
    """The longest gap between ticks of a 10 ms timer from `find_text(text)` until its count lands, the total time, the count."""
    ticks: list[float] = []
    counts: list[int] = []
    loop = QEventLoop()
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def landed(count: int) -> None:
        counts.append(count)
        loop.quit()

    view.find_finished.connect(landed)
    view.show_step(0)
    QApplication.processEvents()  # the step's paint belongs to stepping, measured above
    timer.start()
    start = time.perf_counter()
    ticks.append(start)
    view.find_text(text)
    loop.exec()
    ticks.append(time.perf_counter())
    timer.stop()
    view.find_finished.disconnect(landed)
    return max(b - a for a, b in zip(ticks, ticks[1:], strict=False)), ticks[-1] - start, counts[0]


def synchronous_find(t: Trajectory, text: str) -> float:
    """The baseline: the same search on the calling thread, which is frozen throughout."""
    start = time.perf_counter()
    StepTexts(t).find_all(re.compile(re.escape(text), re.IGNORECASE), 0, MAX_HITS)
    return time.perf_counter() - start


def main() -> None:
    app = QApplication.instance() or QApplication([])
    view = TranscriptView()
    view.resize(1280, 800)
    view.show()
    small, big = run(25, 3_000), run(5_000, 13_000)
    print(
        f"small run: {len(small.steps):,} steps, {size(small) / 1e3:.0f} K chars; big run: {len(big.steps):,} steps, "
        f"{size(big) / 1e6:.1f} M chars"
    )
    t_small, t_big = first_paint(app, view, small), first_paint(app, view, big)
    print(
        f"first paint: small {t_small * 1e3:.1f} ms, big {t_big * 1e3:.1f} ms, ratio {t_big / t_small:.2f}x (goal < "
        "300 ms, <= 3x)"
    )
    view.set_trajectory(big)
    stall, total = worst_stall(app, view)
    print(f"200 x next_step on the big run: {total * 1e3:.0f} ms total, worst GUI stall {stall * 1e3:.1f} ms (goal < 100 ms)")
    for text in ("no such text", "pytest -x", "passed"):
        baseline = synchronous_find(big, text)
        stall, total, count = find_stall(view, text)
        verdict = "ok" if stall < 0.1 else "MISSED"
        hits = f"{count:,}{'+' if count == MAX_HITS else ''} hits"
        print(
            f"find {text!r} ({hits}) over {len(big.steps):,} steps: synchronous {baseline * 1e3:.0f} ms (baseline, GUI frozen); "
            f"worker: worst GUI stall {stall * 1e3:.1f} ms = {stall / baseline:.2f}x baseline, count after {total * 1e3:.0f} ms "
            f"(goal stall < 100 ms: {verdict})"
        )


if __name__ == "__main__":
    main()
