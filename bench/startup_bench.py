"""How long `reviewer` takes to answer, as a ratio against starting Python with click, sqlite3 and rich.

Each command runs as a fresh process (the installed `reviewer` script, as a person types it), in
rounds that also run the baseline, `python -c "import click, sqlite3, rich.console"`, so a busy
machine slows both alike. The sample project is imported once into a temporary folder first.
Each figure is the median over `--repeat` rounds. Goals: `--version` and `--help` <= 2x the
baseline, `list` on the sample project <= 3x.

    python bench/startup_bench.py
    python bench/startup_bench.py --repeat 21
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVIEWER = str(Path(sys.executable).with_name("reviewer"))
BASELINE = [sys.executable, "-c", "import click, sqlite3, rich.console"]


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=11, help="rounds; each figure is the median")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "sample.db")
        subprocess.run([REVIEWER, "--db", db, "import", str(ROOT / "sample_data")], check=True, capture_output=True)
        commands = {
            "baseline": (BASELINE, None),
            "reviewer --version": ([REVIEWER, "--version"], 2.0),
            "reviewer --help": ([REVIEWER, "--help"], 2.0),
            "reviewer list": ([REVIEWER, "--db", db, "list"], 3.0),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, (command, _goal) in commands.items():
                times[name].append(seconds(command))
    base = statistics.median(times["baseline"])
    print(f"{'command':<20} {'median':>9} {'ratio':>6} {'goal':>6}")
    for name, (_command, goal) in commands.items():
        median = statistics.median(times[name])
        verdict = "" if goal is None else f"<= {goal:g}" + ("" if median / base <= goal else "  MISSED")
        print(f"{name:<20} {median * 1000:7.0f} ms {median / base:6.2f} {verdict:>6}")


if __name__ == "__main__":
    main()
