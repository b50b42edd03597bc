"""Independent, CPU-bound work spread over worker processes, its results taken in order.

What `reviewer export`, `reviewer predict` and `reviewer import` do with large batches: each item
(a slice of the store, a file) is handled in a worker, which uses nothing of the parent but what it
is handed (its own read-only connection, its own model), so the bytes come out as from one process. At most
two items per worker are handed out ahead, so items are made as the work goes, not all at once.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar, cast

# Forking a process copies its modules for free; it is the default only where it is safe (Linux; macOS
# system libraries may not survive it). A forked worker must not touch its parent's open connections.
FORK = "fork" if sys.platform == "linux" else "spawn"

T = TypeVar("T")
R = TypeVar("R")


def end_with_parent() -> None:
    """Worker initializer: end this worker as soon as the parent process ends, however it ends.

    A pool worker outlives a killed parent otherwise, waiting for work for good (it holds the task
    queue's pipe open itself). A spawned process has its parent's sentinel, which becomes readable
    when the parent is gone: a thread waits on it.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def exit_when_parent_ends() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=exit_when_parent_ends, name="end-with-parent", daemon=True).start()


def _start(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    end_with_parent()
    if initializer is not None:
        initializer(*initargs)


def _pickled(fn: Callable[[T], R], item: T) -> bytes:
    """`fn(item)` pickled in the worker. The pool's result thread then only passes bytes on; made to
    rebuild the objects itself, it would hold the GIL of the parent, whose writer wants it back after
    every SQLite call, for as long as that takes."""
    return pickle.dumps(fn(item), protocol=pickle.HIGHEST_PROTOCOL)


def in_order(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    start: str = "spawn",
) -> Generator[R, None, None]:
    """`fn(item)` for each item, computed in `workers` processes (each first running
    `initializer(*initargs)`), yielded in the items' order. `fn` and the initializer must be
    module-level functions; items and results travel pickled. `start` is how the workers start:
    spawned (a fresh interpreter: shares nothing, but imports everything again, about half a second
    of CPU each), or `FORK` where the platform forks safely (the parent's modules come along).
    Closed early, it waits only for the items already running."""
    context = multiprocessing.get_context(start)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(initializer, initargs)) as pool:
        pending: deque[Future[bytes]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(_pickled, fn, item))
                if len(pending) >= 2 * workers:
                    yield cast(R, pickle.loads(pending.popleft().result()))
            while pending:
                yield cast(R, pickle.loads(pending.popleft().result()))
        finally:  # stopped early (closed, interrupted, a failed write): items not started are dropped
            for future in pending:
                future.cancel()
