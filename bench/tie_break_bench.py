"""Tie-breaks and replacements of set-aside slots cost a first-pass save more statements
(reviewer.store.votes): what they cost, as a ratio to the same save in the same run on an item no
batch plans (they find no slots there).

A project of `--items` trajectories, all in a batch with overlap 3 and two extra reviewers allowed,
plus as many outside any batch. Each of three reviewers, holding a slot of every planned item, saves
a first pass on each (split verdicts, so the third save of every item adds a tie-break slot), then
saves it again as a keystroke would (coalesced into its history event); the same saves are timed on
the unplanned items. Figures: median and 95th percentile per save, and the ratio of the medians.

    python bench/tie_break_bench.py [--items 300]            # a SQLite file
    REVIEWER_BENCH_POSTGRES=postgresql://... python bench/tie_break_bench.py   # and a server schema
(`REVIEWER_TEST_POSTGRES` is used when the first is unset; a schema `bench_tie_break` is made and dropped.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

SCHEMA = "bench_tie_break"
VERDICTS = ("cheat", "clean", "cheat")  # three reviewers: every planned item splits


def saves(store: Store, planned: list[str], unplanned: list[str]) -> tuple[list[float], list[float]]:
    """Each reviewer's first pass on each item, then the same again as a keystroke, a planned item and
    an unplanned one in turn (both see the same tables); each save timed. Returns (unplanned, planned)."""
    times: tuple[list[float], list[float]] = ([], [])
    for k, verdict in enumerate(VERDICTS):
        who = f"r{k}"
        for coalesce in (False, True):
            for pair in zip(unplanned, planned, strict=True):
                for kind, item in enumerate(pair):
                    label = Label(item, who, first_pass=True, verdict=verdict, rationale=f"bench {coalesce}")
                    start = time.perf_counter()
                    store.labels.save(label, actor=who, origin="bench", coalesce=coalesce)
                    times[kind].append(time.perf_counter() - start)
    return times


def measure(location: str | Path, items: int) -> tuple[list[float], list[float], int]:
    with Store(location) as store:
        with store.writing():
            for i in range(2 * items):
                store.trajectories.add(Trajectory.from_dict(trajectory(i, 2)))
        ids = [f"synthetic-0-{i:06d}" for i in range(2 * items)]
        planned, unplanned = ids[:items], ids[items:]
        store.slots.create_batch("bench", planned, overlap=3, lease=timedelta(hours=1), seed=0, max_extra=2)
        with store.writing():  # each reviewer holds one slot of every planned item (claims are not what is timed)
            store.db.execute("update slots set annotator = 'r' || cast(slot as text)")
        base, timed = saves(store, planned, unplanned)
        extras = store.db.execute("select count(*) from slots where slot >= 3").fetchone()[0]
    return base, timed, extras


def report(name: str, base: list[float], timed: list[float], extras: int, items: int) -> None:
    def line(what: str, times: list[float]) -> str:
        p95 = statistics.quantiles(times, n=20)[-1]
        return f"  {what:<22} median {statistics.median(times) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"

    print(f"{name}: {len(timed)} saves on planned items ({extras} tie-break slots added, {items} expected)")
    print(line("unplanned (baseline)", base))
    print(line("planned, tie-breaks", timed))
    print(f"  planned / unplanned median save: {statistics.median(timed) / statistics.median(base):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", *measure(Path(folder) / "bench.db", args.items), args.items)
    server = os.environ.get("REVIEWER_BENCH_POSTGRES") or os.environ.get("REVIEWER_TEST_POSTGRES")
    if not server:
        return
    import psycopg

    from reviewer.store import pg_schema

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {SCHEMA} cascade")
        conn.execute(f"create schema {SCHEMA}")
    url = f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{SCHEMA}"
    try:
        pg_schema.run_upgrade(url)
        report("PostgreSQL", *measure(url, args.items), args.items)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"drop schema {SCHEMA} cascade")


if __name__ == "__main__":
    main()
