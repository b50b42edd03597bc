"""A big file's net change in the diff view: what it costs to count its changes and then open it.

The app counts every row's changes in one worker (`diff_panes.counted`) and builds the pane of the
row a reviewer opens in another (`diff_panes.build`); for a file's net change over the run both need
the same diff of its first and last contents, difflib over the whole file. Baseline in the same run:
that diff computed once (`make_diff`), the least the two can cost together. Computed in each, the
ratio is about 2; computed once and shared, about 1.

    python bench/net_diff_bench.py [--kb 1000] [--edits 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewer.edits import DiffTexts, make_diff  # noqa: E402
from reviewer.gui.diff_panes import build, counted, entries  # noqa: E402
from reviewer.model import FileEdit, Step, Task, Trajectory  # noqa: E402


def contents(kb: int, edits: int) -> list[str]:
    """The file after each edit: `kb` of Python, each edit rewriting one function (spread over the file)."""
    functions = [
        f"def handler_{i}(request, limit={i % 97}):\n    return [x * {i} for x in range(limit)]\n\n" for i in range(kb * 12)
    ]
    states = ["".join(functions)]
    for k in range(edits):
        at = (k * 7919) % len(functions)
        functions[at] = functions[at].replace("return", f"# edit {k}\n    return")
        states.append("".join(functions))
    return states


def trajectory(states: list[str]) -> Trajectory:
    path = "src/handlers.py"
    file_edits = [
        FileEdit(path, 2 * k + 1, before, after, None, "tool_call", "modify", "applied")
        for k, (before, after) in enumerate(zip(states, states[1:], strict=False))
    ]
    steps = [Step(i, "assistant" if i % 2 else "user", f"step {i}") for i in range(2 * len(file_edits) + 1)]
    return Trajectory("net-bench", Task("rewrite the handlers"), steps, file_edits=file_edits)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, default=1000, help="size of the file in kB (about)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    states = contents(args.kb, args.edits)
    t = trajectory(states)
    baseline = opened = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        make_diff("src/handlers.py", states[0], states[-1])
        baseline = min(baseline, time.perf_counter() - start)
        rows = entries(t)  # what the view makes when the run is shown
        (net,) = [row for row in rows if row.net is not None]
        texts = DiffTexts(t.file_edits)
        start = time.perf_counter()
        counted(net, texts)  # the count worker
        build(net, False, texts)  # the reviewer opens the net change
        opened = min(opened, time.perf_counter() - start)
    size = len(states[-1]) / 1e6
    print(f"{size:.1f} MB file, {args.edits} edits: baseline (one diff) {baseline * 1000:.0f} ms,"
          f" count + open {opened * 1000:.0f} ms, ratio {opened / baseline:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
