"""How long a label change holds up the window while another process holds the project's write lock.

Baseline (same run): the change written the way the app wrote it before, `store.labels.save` on the
GUI thread's connection with the store's busy timeout, which waits that long and then loses the
change. Measured: the same change through the app's `LabelQueue` in a real window: the worst GUI
stall (a 10 ms ticker) over `--changes` verdict and rationale edits while the lock is held, then
how long after the lock goes the queue has written them all. Run offscreen:

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_save_fault_bench.py
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stall import Ticker  # noqa: E402
from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

TID = "synthetic-0-000000"


def locked(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("begin immediate")
    return conn


def baseline(path: Path, busy_ms: int) -> float:
    """Milliseconds one save waits (and fails) on the GUI thread's connection under the lock."""
    with Store(path) as store:
        store.db.execute(f"pragma busy_timeout = {busy_ms}")
        holder = locked(path)
        start = time.perf_counter()
        try:
            store.labels.save(Label(TID, "base", verdict="clean"), actor="base", origin="bench")
        except sqlite3.OperationalError:
            pass
        finally:
            holder.execute("rollback")
            holder.close()
        return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--busy-ms", type=int, default=10_000, help="the store's busy timeout (the old per-change freeze)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        with Store(path) as seed:
            seed.trajectories.add(Trajectory.from_dict(trajectory(0, 20)))
        base = baseline(path, args.busy_ms)
        store = Store(path)
        window = MainWindow(store, "bench")
        window.show()
        window.wait_until_shown()
        ticker = Ticker()
        holder = locked(path)
        ticker.start()
        for k in range(args.changes):
            window.form.set_verdict_by_key(1 + k % 3)
            app.processEvents()
        stall = ticker.stop()
        waiting = window.labels.waiting
        holder.execute("rollback")
        holder.close()
        start = time.perf_counter()
        written = window.labels.flush(10_000)
        drained = (time.perf_counter() - start) * 1000
        window.close()
        store.close()
    print(f"baseline: one save under the lock held the GUI thread {base:.0f} ms and lost the change")
    print(
        f"queue: {args.changes} changes under the lock, worst GUI stall {stall:.0f} ms = {stall / base:.3f}x the baseline;"
        f" {waiting} kept waiting, all written {drained:.0f} ms after the lock went: {'ok' if written else 'NOT WRITTEN'}"
    )
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
