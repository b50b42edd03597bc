"""Team mode on PostgreSQL: label save throughput and claim latency with concurrent clients, as
ratios to a bare psycopg insert loop measured in the same run on the same server.

Baseline: each client inserts rows of one small table, one autocommit statement each (the least a
saved label could cost). Measured, each client in its own process with its own connection:
- save: `store.labels.save` of a first-pass label (checks, history event, write lock), one per item;
- claim: `store.slots.claim` of the next slot of a batch with overlap 3 (then a label, untimed, so
  the next claim moves on).
Figures: throughput of all clients together, and the median and 95th percentile latency of one call.

    REVIEWER_BENCH_POSTGRES=postgresql://... python bench/team_bench.py [--clients 10] [--n 200]
(`REVIEWER_TEST_POSTGRES` is used when the first is unset; a schema `bench_team` is made and dropped.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store, pg_schema  # noqa: E402
from reviewer.store.slots import Claim  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

SCHEMA = "bench_team"


def project_url(server: str) -> str:
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{SCHEMA}"


Timed = tuple[float, float, list[float]]  # first call's start, last call's end, each call's latency


def timed(n: int, call: Callable[[int], object], after: Callable[[object], bool] = lambda _: True) -> Timed:
    """`call(i)` n times, each timed; `after` (untimed) sees its result and stops the loop with False."""
    times = []
    began = time.perf_counter()
    for i in range(n):
        start = time.perf_counter()
        result = call(i)
        times.append(time.perf_counter() - start)
        if not after(result):
            break
    return began, time.perf_counter(), times


def bare(url: str, client: int, n: int) -> Timed:
    with psycopg.connect(url, autocommit=True) as conn:
        return timed(n, lambda i: conn.execute("insert into bare(who, v) values (%s, %s)", [f"c{client}", f"value {i}"]))


def save(url: str, client: int, n: int) -> Timed:
    who = f"reviewer{client}"
    with Store(url) as store:
        return timed(
            n,
            lambda i: store.labels.save(
                Label(f"synthetic-0-{client * n + i:06d}", who, first_pass=True, verdict="clean", rationale="bench"),
                actor=who,
                origin="bench",
            ),
        )


def claim(url: str, client: int, n: int) -> Timed:
    who = f"claimer{client}"
    with Store(url) as store:

        def label(got: object) -> bool:
            if not isinstance(got, Claim):
                return False
            store.labels.save(Label(got.trajectory_id, who, first_pass=True, verdict="clean"), actor=who, origin="bench")
            return True

        return timed(n, lambda _: store.slots.claim(who, "bench"), label)


def run(kind: Callable[[str, int, int], Timed], url: str, clients: int, n: int) -> tuple[float, list[float]]:
    """(calls per second of all clients together, from the first call to the last, not counting the
    processes' start; every call's latency). The monotonic clock is the machine's, shared by processes."""
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        results = pool.starmap(kind, [(url, c, n) for c in range(clients)])
    wall = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    latencies = [t for _, _, r in results for t in r]
    return len(latencies) / wall, latencies


def describe(name: str, rate: float, latencies: list[float]) -> str:
    p95 = statistics.quantiles(latencies, n=20)[-1]
    return f"{name:<8} {rate:9.0f}/s   median {statistics.median(latencies) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--n", type=int, default=200, help="calls per client")
    args = parser.parse_args()
    server = os.environ.get("REVIEWER_BENCH_POSTGRES") or os.environ.get("REVIEWER_TEST_POSTGRES")
    if not server:
        sys.exit("set REVIEWER_BENCH_POSTGRES (or REVIEWER_TEST_POSTGRES) to a server's URL")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {SCHEMA} cascade")
        conn.execute(f"create schema {SCHEMA}")
    url = project_url(server)
    pg_schema.run_upgrade(url)
    items = args.clients * args.n
    with Store(url) as store:
        with store.writing():
            for i in range(items):
                store.trajectories.add(Trajectory.from_dict(trajectory(i, 2)))
        store.slots.create_batch(
            "bench", [f"synthetic-0-{i:06d}" for i in range(items)], overlap=3, lease=timedelta(hours=1), seed=0
        )
        store.db.execute("create table bare (id bigint generated always as identity primary key, who text, v text)")
    print(f"{args.clients} clients x {args.n} calls, PostgreSQL {psycopg.connect(server).info.server_version}")
    base_rate, base_lat = run(bare, url, args.clients, args.n)
    save_rate, save_lat = run(save, url, args.clients, args.n)
    claim_rate, claim_lat = run(claim, url, args.clients, args.n)
    print(describe("bare", base_rate, base_lat))
    print(describe("save", save_rate, save_lat))
    print(describe("claim", claim_rate, claim_lat))
    print(f"save throughput / bare insert throughput: {save_rate / base_rate:.2f}")
    print(f"claim median latency / bare insert median latency: {statistics.median(claim_lat) / statistics.median(base_lat):.1f}")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"drop schema {SCHEMA} cascade")


if __name__ == "__main__":
    main()
