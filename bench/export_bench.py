"""Export throughput as a ratio to a baseline measured in the same run (machines are noisy).

Setup (not timed): a store of N synthetic trajectories (`reviewer.synthetic`) added directly, each
with two reviewers' labels (one evidence span each) saved through `store.labels.save`; reviewers
disagree on every seventh trajectory, so some gold labels are ties.
Baseline: a bare SELECT of the same rows (trajectories, steps, labels; one ordered scan each,
merged by trajectory id) and one `json.dumps` per trajectory to a file.
Measured: `reviewer.export.write` to jsonl, what `reviewer export -o FILE` runs: labels parsed,
gold labels, splits, each trajectory loaded, rendered, spans located, record written atomically.
Goal: ratio (baseline time / export time) >= 0.4.

    python bench/export_bench.py                  # 20,000 x 20 steps
    python bench/export_bench.py --n 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewer.export import ExportOptions, write  # noqa: E402
from reviewer.model import EvidenceSpan, Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

VERDICTS = ("cheat", "clean", "honest_failure")


def build(db: Path, n: int, steps: int) -> None:
    with Store(db) as store:
        for i in range(n):
            t = Trajectory.from_dict(trajectory(i, steps))
            store.trajectories.add(t)
            thinking = t.steps[1].thinking or ""
            for who, verdict in (("alice", VERDICTS[i % 3]), ("bob", VERDICTS[(i + (i % 7 == 0)) % 3])):
                span = EvidenceSpan(1, "thinking", 0, 20, thinking[:20], "intent", [])
                store.labels.save(Label(t.id, who, verdict=verdict, evidence=[span]), actor=who, origin="bench")


def grouped(conn: sqlite3.Connection, sql: str) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """Rows of an ordered scan, grouped by their first column (the trajectory id)."""
    for key, rows in itertools.groupby(conn.execute(sql), key=lambda row: row[0]):
        yield key, list(rows)


def baseline(db: Path, out: Path) -> int:
    conn = sqlite3.connect(db)
    steps = grouped(conn, "select * from steps order by trajectory_id, idx")
    labels = dict(grouped(conn, "select trajectory_id, record from labels order by trajectory_id"))
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for row, (_, step_rows) in zip(conn.execute("select * from trajectories order by id"), steps, strict=True):
            handle.write(
                json.dumps({"trajectory": row, "steps": step_rows, "labels": labels.get(row[0], [])}, ensure_ascii=False) + "\n"
            )
            count += 1
    conn.close()
    return count


def export(db: Path, out: Path) -> int:
    with Store(db) as store:
        return write(store, ExportOptions(), out).written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1, help="Alternating runs of each; the best time counts.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        started = time.perf_counter()
        build(db, args.n, args.steps)
        print(f"setup: {args.n:,} trajectories x {args.steps} steps, 2 labels each, in {time.perf_counter() - started:.1f} s")
        best = {"baseline": float("inf"), "export": float("inf")}
        for _ in range(args.repeat):
            for name, run in (("baseline", baseline), ("export", export)):
                out = folder / f"{name}.jsonl"
                started = time.perf_counter()
                count = run(db, out)
                seconds = time.perf_counter() - started
                best[name] = min(best[name], seconds)
                assert count == args.n, f"{name} wrote {count} of {args.n}"
                print(f"{name}: {seconds:.2f} s ({out.stat().st_size / 1e6:.0f} MB)")
        for name, seconds in best.items():
            print(f"{name:>8}: {args.n / seconds:,.0f} trajectories/s")
        print(f"ratio baseline/export: {best['baseline'] / best['export']:.2f} (goal >= 0.4)")


if __name__ == "__main__":
    main()
