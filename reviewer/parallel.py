"""Independent, CPU-bound work spread over worker processes, its results taken in order.

What `reviewer export`, `reviewer predict` and `reviewer import` do with large batches: each item
(a slice of the store, a file) is handled in a worker, which uses nothing of the parent but what it
is handed (its own read-only connection, its own model), so the bytes come out as from one process.

Each worker has two pipes of its own, one for items and one for results, and items are dealt in
turn: item k goes to worker k mod N, so the k-th result is read from that worker's pipe and the
order needs no bookkeeping. The parent has no threads of its own for this. `concurrent.futures`'
pool was used before: its two threads (one feeding items, one receiving results and settling
futures) cost the importing process about 0.15-0.3 s of CPU per 1,000 results, on the one
process that writes (`bench/import_bench.py`), and took the GIL from it after every SQLite call.
Each worker is handed `AHEAD` items before their results are wanted, so items are made as the
work goes, not all at once, and a worker is never idle while the parent stores a result.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from queue import SimpleQueue
from typing import Any, TypeVar

# Forking a process copies its modules for free; it is the default only where it is safe (Linux; macOS
# system libraries may not survive it). A forked worker must not touch its parent's open connections.
FORK = "fork" if sys.platform == "linux" else "spawn"
AHEAD = 2  # items handed to each worker beyond the one whose result the parent waits for

T = TypeVar("T")
R = TypeVar("R")


class WorkerLost(RuntimeError):
    """A worker process ended without giving its result (killed, out of memory, a crash in C code)."""


def end_with_parent() -> None:
    """In a worker: end it as soon as the parent process ends, however it ends.

    Otherwise a worker outlives a killed parent, waiting for work for good. A worker has its parent's
    sentinel, which becomes readable when the parent is gone: a thread waits on it.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def exit_when_parent_ends() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=exit_when_parent_ends, name="end-with-parent", daemon=True).start()


def _failure(exc: BaseException) -> bytes:
    """An exception raised by the work, to raise again in the parent (as itself when it pickles)."""
    try:
        return pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")), protocol=pickle.HIGHEST_PROTOCOL)


def _serve(
    fn: Callable[[Any], Any],
    items: Connection,
    results: Connection,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    """A worker's life: `fn` of each item received, pickled here (the parent only unpickles), until
    the parent says stop (None) or closes the pipe. Results are written to the pipe by a thread of
    their own: a pipe holds 64 KB, so the work would otherwise wait for the parent to read each
    result before it starts the next item, which is what handing items ahead is for."""
    end_with_parent()
    if initializer is not None:
        initializer(*initargs)
    outbox: SimpleQueue[bytes | None] = SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(outbox, results), name="results", daemon=True)
    sender.start()
    try:
        while True:
            try:
                message = items.recv()
            except EOFError:
                return
            if message is None:
                return
            try:
                payload = pickle.dumps((True, fn(message[0])), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                payload = _failure(exc)
            outbox.put(payload)
    finally:
        outbox.put(None)
        sender.join()


def _send_all(outbox: SimpleQueue[bytes | None], results: Connection) -> None:
    while (payload := outbox.get()) is not None:
        try:
            results.send_bytes(payload)
        except OSError:  # the parent stopped reading: it wants no more
            return


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    items: Connection  # the parent's end: items to do
    results: Connection  # the parent's end: results, in the order of the items sent

    @classmethod
    def start(
        cls, context: BaseContext, fn: Callable[[Any], Any], initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
    ) -> _Worker:
        item_out, item_in = context.Pipe(duplex=False)
        result_out, result_in = context.Pipe(duplex=False)
        process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(fn, item_out, result_in, initializer, initargs), name="reviewer-worker", daemon=True
        )
        process.start()
        item_out.close()  # the worker's ends: closed here, so a worker that dies is seen as the end of its pipe
        result_in.close()
        return cls(process, item_in, result_out)

    def give(self, item: Any) -> None:
        self.items.send((item,))

    def ready(self) -> bool:
        """Whether its next result has arrived (or the worker has ended): taking it would not wait."""
        return self.results.poll(0)

    def take(self) -> Any:
        try:
            ok, value = pickle.loads(self.results.recv_bytes())
        except EOFError:
            self.process.join(1)
            raise WorkerLost(f"a worker process ended without its result (exit code {self.process.exitcode})") from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Ask the worker to end after its items (they are all taken when this is called)."""
        try:
            self.items.send(None)
        except OSError:  # it has ended already
            pass

    def end(self, wait: bool) -> None:
        """End the worker: wait for it (it was asked to stop), or stop it now (its results are unwanted)."""
        if not wait and self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.items.close()
        self.results.close()


def in_order(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    start: str = "spawn",
    idle: Callable[[], object] | None = None,
) -> Generator[R, None, None]:
    """`fn(item)` for each item, computed in `workers` processes (each first running
    `initializer(*initargs)`), yielded in the items' order; an exception `fn` raises is raised here,
    at its item's place. `fn` and the initializer must be module-level functions; items and results
    travel pickled. `start` is how the workers start: spawned (a fresh interpreter: shares nothing,
    but imports everything again, about half a second of CPU each), or `FORK` where the platform
    forks safely (the parent's modules come along). `idle()` is called here whenever the next result
    has not arrived yet, before waiting for it: what the parent can do meanwhile. Closed early, the
    workers are stopped at once: they only read, so nothing they were doing is lost."""
    context = multiprocessing.get_context(start)
    crew = [_Worker.start(context, fn, initializer, initargs) for _ in range(workers)]
    finished = False
    try:
        yield from _dealt(crew, iter(items), idle)
        finished = True
    finally:
        for worker in crew:
            if finished:
                worker.stop()
        for worker in crew:
            worker.end(wait=finished)


_END = object()


def _dealt(crew: list[_Worker], items: Iterator[Any], idle: Callable[[], object] | None) -> Iterator[Any]:
    """Results in the items' order: item k to worker k mod N, each kept `AHEAD` items ahead."""
    n = len(crew)
    sent = taken = 0
    for item in islice(items, n * (AHEAD + 1)):
        crew[sent % n].give(item)
        sent += 1
    while taken < sent:
        worker = crew[taken % n]
        if idle is not None and not worker.ready():
            idle()
        result = worker.take()
        taken += 1
        item = next(items, _END)
        if item is not _END:  # to the worker just taken from: sent - taken + 1 = N * (AHEAD + 1)
            crew[sent % n].give(item)
            sent += 1
        yield result
