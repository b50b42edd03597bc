"""`reviewer.parallel.in_order`: real worker processes, results in order, failures raised where they
happened, no worker left behind, and workers that keep working while the parent is busy."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from reviewer import parallel


def slow_square(n: int) -> int:
    time.sleep(0.002 * (n % 5))  # uneven durations: later items often finish first
    return n * n


def fail_at_seven(n: int) -> int:
    if n == 7:
        raise ValueError(f"no {n}")
    return n


def die_at_three(n: int) -> int:
    if n == 3:
        os._exit(9)
    return n


def sleep_long(n: int) -> int:
    time.sleep(0 if n == 0 else 60)
    return n


def big_result_marked(job: tuple[str, int]) -> bytes:
    """A result larger than a pipe holds, with a file saying it was computed."""
    folder, n = job
    Path(folder, f"{n}.done").write_text("", encoding="utf-8")
    return bytes(200_000)


def pid_of(_n: int) -> int:
    return os.getpid()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("start", [parallel.FORK, "spawn"])
def test_results_come_in_the_items_order(start: str) -> None:
    assert list(parallel.in_order(slow_square, range(40), 3, start=start)) == [n * n for n in range(40)]


def test_fewer_items_than_workers_and_none_at_all() -> None:
    assert list(parallel.in_order(slow_square, [4], 3, start=parallel.FORK)) == [16]
    assert list(parallel.in_order(slow_square, [], 2, start=parallel.FORK)) == []


def test_an_exception_is_raised_at_its_items_place_after_the_results_before_it() -> None:
    got = []
    with pytest.raises(ValueError, match="no 7"):
        for result in parallel.in_order(fail_at_seven, range(20), 2, start=parallel.FORK):
            got.append(result)
    assert got == list(range(7))


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    start = time.monotonic()
    with pytest.raises(parallel.WorkerLost, match="exit code 9"):
        list(parallel.in_order(die_at_three, range(10), 2, start=parallel.FORK))
    assert time.monotonic() - start < 30


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_closed_early_every_worker_ends_at_once_even_one_busy_for_a_minute() -> None:
    pids = set(parallel.in_order(pid_of, range(8), 2, start=parallel.FORK))
    assert len(pids) == 2 and not [p for p in pids if alive(p)]  # finished: each asked to stop, and gone
    results = parallel.in_order(sleep_long, range(10), 2, start=parallel.FORK)
    assert next(results) == 0
    busy = [p.pid for p in multiprocessing.active_children() if p.name == "reviewer-worker"]
    assert len(busy) == 2
    start = time.monotonic()
    results.close()  # worker 1 is in its minute-long item
    assert time.monotonic() - start < 10
    assert not [p for p in busy if p is not None and alive(p)]


def test_workers_go_on_working_ahead_while_the_parent_holds_a_result(tmp_path: Path) -> None:
    """Results of 200 KB do not fit a pipe: the workers keep computing the items handed to them
    while the parent has not read their earlier results yet."""
    workers = 2
    handed = workers * (parallel.AHEAD + 1)
    results = parallel.in_order(big_result_marked, [(str(tmp_path), n) for n in range(50)], workers, start=parallel.FORK)
    assert len(next(results)) == 200_000
    deadline = time.monotonic() + 30
    wanted = {f"{n}.done" for n in range(handed + 1)}  # the first items, and the one handed after the first result
    while not wanted <= {p.name for p in tmp_path.iterdir()} and time.monotonic() < deadline:
        time.sleep(0.02)
    assert wanted <= {p.name for p in tmp_path.iterdir()}
    assert sum(len(r) for r in results) == 49 * 200_000


def test_the_parent_is_called_idle_while_a_result_is_not_there_yet() -> None:
    waits: list[float] = []
    results = list(parallel.in_order(sleep_then_echo, [0.3, 0.0, 0.0, 0.3], 2, start=parallel.FORK, idle=lambda: waits.append(1)))
    assert results == [0.3, 0.0, 0.0, 0.3]
    assert 1 <= len(waits) <= 4  # at least for the first slow item; never more than once per result


def sleep_then_echo(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
