"""How soon a label another process saves shows in an open window, and what listening costs the window.

Baseline (same run, same backend): a bare reader of the change feed (`ChangeFeed.wait` in a loop,
no Qt), the least any reader can take from commit to knowing. Measured: a real window offscreen
(alice, who revealed every item, so bob's verdict shows in the Verdicts column) while a writer
process saves `--n` labels of bob's one at a time: commit to the cell showing it, and the worst
GUI stall (a 10 ms ticker) over the run. The project has `--items` trajectories (the progress
count re-read on each change covers them all). On a file the reader polls every 0.25 s
(`store.database.POLL_SECONDS`), on a server NOTIFY wakes it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_live_bench.py [--pg postgresql://...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stall import Ticker  # noqa: E402
from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.gui.trajectory_model import COLUMNS  # noqa: E402
from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.store.changes import ChangeFeed, last_event  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402
from tests.conftest import pg_project  # noqa: E402

# Reads "id verdict" lines; saves bob's label; prints the commit's wall-clock time.
WRITER = """
import sys, time
from reviewer.model import Label
from reviewer.store import Store
with Store(sys.argv[1]) as store:
    for line in sys.stdin:
        tid, verdict = line.split()
        store.labels.save(Label(tid, "bob", verdict=verdict), actor="bob", origin="bench")
        print(time.time(), flush=True)
"""


def project(location: str | Path, items: int) -> None:
    with Store(location) as store:
        for i in range(items):
            store.trajectories.add(Trajectory.from_dict(trajectory(i, 4)))
            tid = f"synthetic-0-{i:06d}"
            store.labels.save(Label(tid, "alice", verdict="clean"), actor="alice", origin="bench")
            store.labels.save(Label(tid, "alice", first_pass=False, verdict="clean"), actor="alice", origin="bench")


def verdicts(n: int) -> list[tuple[str, str]]:
    return [(f"synthetic-0-{i:06d}", "cheat") for i in range(n)]


def baseline(location: str | Path, writes: list[tuple[str, str]]) -> list[float]:
    """Seconds from each commit to a bare feed reader (a thread of this process) seeing it."""
    seen: list[float] = []
    stop = threading.Event()

    def read() -> None:
        with Store(location) as store:
            feed = ChangeFeed(store.db, last_event(store.db))
            while not stop.is_set():
                seen.extend(time.time() for _ in feed.wait(0.5))

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(1)
    committed = write(location, writes, lambda: len(seen))
    stop.set()
    reader.join()
    return [s - c for s, c in zip(seen, committed, strict=True)]


def write(
    location: str | Path,
    writes: list[tuple[str, str]],
    count: Callable[[], int],
    pump: Callable[[], object] = lambda: time.sleep(0.001),
) -> list[float]:
    """Each save from a writer process, the next once the reader counted the last one; the commit times.
    The writer is driven from a thread, so the caller's thread (the GUI's) only runs `pump` meanwhile."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(location)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdin is not None and writer.stdout is not None
    committed: list[float] = []

    def drive() -> None:
        for k, (tid, verdict) in enumerate(writes):
            writer.stdin.write(f"{tid} {verdict}\n")  # type: ignore[union-attr]
            writer.stdin.flush()  # type: ignore[union-attr]
            committed.append(float(writer.stdout.readline()))  # type: ignore[union-attr]
            deadline = time.time() + 30
            while count() <= k and time.time() < deadline:
                time.sleep(0.0005)

    driver = threading.Thread(target=drive)
    driver.start()
    while driver.is_alive():
        pump()
    writer.stdin.close()
    writer.wait(30)
    assert len(committed) == len(writes), "the writer stopped"
    return committed


def in_window(location: str | Path, writes: list[tuple[str, str]]) -> tuple[list[float], float]:
    """Seconds from each commit to the window's Verdicts cell showing it; the worst GUI stall in ms."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    column = [c[0] for c in COLUMNS].index("disputed_on")
    shown: list[float] = []
    with Store(location) as store:
        window = MainWindow(store, "alice")
        window.resize(1440, 860)
        window.show()
        window.wait_until_shown()
        model = window.model

        def cell(tid: str) -> str:
            row = model.row_of(tid)
            return model.data(model.index(row, column)) if row is not None else ""

        def pump() -> None:
            """The GUI thread's loop: events, then whether the next change shows yet."""
            app.processEvents()
            k = len(shown)
            if k < len(writes) and cell(writes[k][0]) == "cheat ≠ clean":  # alice's clean, bob's cheat
                shown.append(time.time())

        ticker = Ticker()
        ticker.start()
        committed = write(location, writes, lambda: len(shown), pump)
        stall = ticker.stop()
        window.close()
        window.deleteLater()
        app.processEvents()
    return [s - c for s, c in zip(shown, committed, strict=True)], stall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="labels saved (each shown before the next)")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--pg", help="a PostgreSQL server URL: measure there too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        locations: list[tuple[str, str | Path]] = [("sqlite", Path(tmp) / "live.db")]
        if args.pg:
            locations.append(("postgresql", pg_project(args.pg, "bench_live")))
        for name, location in locations:
            project(location, args.items)
            writes = verdicts(args.n)
            base = baseline(location, writes)
            undo = [(tid, "clean") for tid, _ in writes]  # back to agreement, so the window's writes show again
            write(location, undo, lambda: 10**9)
            app, stall = in_window(location, writes)
            print(
                f"{name}: {args.items} items, {args.n} labels; bare feed median {statistics.median(base) * 1000:.0f} ms,"
                f" window median {statistics.median(app) * 1000:.0f} ms, max {max(app) * 1000:.0f} ms;"
                f" window / bare {statistics.median(app) / statistics.median(base):.2f}; worst GUI stall {stall:.0f} ms"
            )
    if args.pg:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute("drop schema bench_live cascade")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
