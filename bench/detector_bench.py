"""Detector throughput: every detector on N synthetic trajectories of 100 steps, on one core.

Goal (issue 6): at least 200 trajectories per second. Because the machines here are noisy, the
figure is also given as a ratio to a baseline measured in the same run: the time to `json.loads`
the same trajectories' JSON (about 75 KB each), i.e. what merely reading them costs. Trajectories
are parsed into `Trajectory` objects, with their test runs as the importer records them, before
timing, so the detector time is detection only. Best
of `--repeat` runs each; the process is pinned to one CPU where the OS allows it. The CPU time of
the detectors (`time.process_time`) is printed too: on a shared machine it moves less than the wall
time, so compare it between two versions (run each a few times, alternately).

    python bench/detector_bench.py
    python bench/detector_bench.py --n 300 --repeat 5
    python bench/detector_bench.py --real    # the real runs of bench/detector_exact.py's folders instead
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.detector_exact import FOLDERS, read_folders  # noqa: E402
from reviewer.assist.detectors import DETECTORS, run_detectors  # noqa: E402
from reviewer.model import Trajectory  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402
from reviewer.test_runs import find_test_runs  # noqa: E402

GOAL = 200.0


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of `repeat` calls of `fn` by each clock."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="trajectories")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--real", action="store_true", help="the evaluation set, fixtures and samples, as read")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.real:
        trajectories = [t for _, t in read_folders(FOLDERS)]
        docs = [json.dumps(t.to_dict()) for t in trajectories]
        args.n, what = len(trajectories), "real trajectories (evaluation set, fixtures, samples)"
    else:
        docs = [json.dumps(trajectory(i, args.steps)) for i in range(args.n)]
        trajectories = [Trajectory.from_dict(json.loads(doc)) for doc in docs]
        for t in trajectories:  # as the importer stores them (detectors find the runs themselves only for older projects)
            t.test_runs = find_test_runs(t.steps, t.task.prompt)
        what = f"synthetic trajectories × {args.steps} steps"
    suggestions = sum(len(run_detectors(t)) for t in trajectories)  # warm-up, and a sanity figure

    detect, detect_cpu = best(lambda: [run_detectors(t) for t in trajectories], args.repeat)
    load, _ = best(lambda: [json.loads(doc) for doc in docs], args.repeat)
    rate = args.n / detect
    size = sum(map(len, docs)) / args.n / 1024
    print(f"{args.n} {what} ({size:.0f} KB of JSON each), {len(DETECTORS)} detectors, one core, best of {args.repeat}")
    print(f"  detectors   {detect * 1e3 / args.n:6.2f} ms/trajectory   {rate:8.0f} trajectories/s   (goal >= {GOAL:.0f})")
    print(f"  detectors   {detect_cpu * 1e3 / args.n:6.2f} ms/trajectory of CPU time")
    print(f"  json.loads  {load * 1e3 / args.n:6.2f} ms/trajectory   {args.n / load:8.0f} trajectories/s   (baseline)")
    print(f"  detector time / json.loads time = {detect / load:.2f}   ({suggestions} suggestions)")
    print("goal met" if rate >= GOAL else "goal NOT met")


if __name__ == "__main__":
    main()
