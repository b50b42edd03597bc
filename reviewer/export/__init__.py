"""Training data for a cheat classifier: one record per trajectory with its gold label (`reviewer export`).

Two passes over the store: first every label's verdict and each trajectory's task id (small, read
from columns), which fix the gold labels, the filters and the splits; then the trajectories in id
order with their full labels, slice by slice, rendered and written, so memory does not grow with
the store. The same store and options give the same bytes: ids are
sorted, keys come in a fixed order, and nothing about the export run (time, paths) is written.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from reviewer.agreement.aggregate import METHODS, Ballots, Gold, Method, gold_labels
from reviewer.agreement.report import is_machine
from reviewer.export import formats, records, splits
from reviewer.export.render import RENDER_VERSION, Rendered, SpanMismatch, render
from reviewer.jsonio import atomic_write
from reviewer.model import Label
from reviewer.store import Store
from reviewer.taxonomy import Taxonomy

__all__ = ["ExportOptions", "ExportSummary", "OptionError", "RENDER_VERSION", "Rendered", "SpanMismatch", "export", "render", "write"]


class OptionError(ValueError):
    """The options cannot describe an export (unknown format or verdict, shares not adding up)."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """The `reviewer export` options as given (strings unchecked until `validate`), so the CLI and callers share one check."""

    fmt: str = "jsonl"
    aggregate: str = "majority"
    split: str = splits.DEFAULT_SPEC
    seed: int = 0
    min_reviewers: int = 0
    verdict: str | None = None
    only_adjudicated: bool = False
    with_text: bool = False

    def validate(self, taxonomy: Taxonomy) -> dict[str, float]:
        """Check every option against the taxonomy (OptionError with a one-line reason); the split shares."""
        if self.fmt not in formats.FORMATS:
            raise OptionError(f"unknown format {self.fmt!r} (known: {', '.join(formats.FORMATS)})")
        if self.aggregate not in METHODS:
            raise OptionError(f"unknown aggregation {self.aggregate!r} (known: {', '.join(METHODS)})")
        if self.verdict is not None and self.verdict not in taxonomy.codes("verdict"):
            raise OptionError(f"unknown verdict {self.verdict!r} (known: {', '.join(taxonomy.codes('verdict'))})")
        if self.min_reviewers < 0:
            raise OptionError("--min-reviewers must be 0 or more")
        if self.seed < 0:
            raise OptionError("--seed must be 0 or more")
        try:
            return splits.parse_spec(self.split)
        except splits.SplitSpecError as exc:
            raise OptionError(str(exc)) from None

    def keeps(self, gold: Gold) -> bool:
        return (
            gold.n_votes >= self.min_reviewers
            and (self.verdict is None or gold.label == self.verdict)
            and (not self.only_adjudicated or gold.method == "adjudicated")
        )


@dataclass(frozen=True, slots=True)
class ExportSummary:
    written: int
    skipped: int  # kept by the filters but unusable by the format (chat needs a gold verdict)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the first pass decides: the gold labels and the splits, from the labels' verdicts alone."""

    golds: dict[str, Gold]
    split_of: dict[str, str]

    @classmethod
    def make(cls, store: Store, options: ExportOptions, shares: dict[str, float]) -> _Plan:
        ballots = Ballots.from_labels(lb for lb in store.labels.ballots_only() if not is_machine(lb.annotator))
        tasks = store.trajectories.task_ids()
        golds = gold_labels(ballots, list(tasks), cast(Method, options.aggregate), store.taxonomy.codes("verdict"))
        split_of = splits.assign([(tid, task, golds[tid].label) for tid, task in tasks.items()], shares, options.seed)
        return cls(golds, split_of)


PARALLEL_MIN = 4000  # below this many records, starting worker processes costs more than they save
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One slice of the export, everything a worker needs to write its lines (picklable and small: the
    worker reads the slice's labels itself, so no label crosses a process boundary)."""

    db: Path
    options: ExportOptions
    ids: tuple[str, ...]
    golds: dict[str, Gold]
    split_of: dict[str, str]
    whole_range: bool  # `ids` are every trajectory from the first to the last: a range scan reads no extra


def _chunk_lines(chunk: _Chunk, store: Store | None = None) -> tuple[list[str], int]:
    """The lines of one chunk in id order, and how many kept records the format could not use."""
    own = store is None
    store = store or Store(chunk.db)
    try:
        fmt = formats.make(chunk.options.fmt, store.taxonomy, chunk.options.with_text)
        labels: dict[str, list[Label]] = {}
        for label in store.labels.of(chunk.ids):
            if not is_machine(label.annotator):
                labels.setdefault(label.trajectory_id, []).append(label)
        # Ballots are per trajectory, so the slice's own equal the whole store's for these ids.
        builder = records.Records(store.taxonomy, Ballots.from_labels(lb for group in labels.values() for lb in group))
        lines: list[str] = []
        skipped = 0
        first, last = chunk.ids[0], chunk.ids[-1]
        for trajectory in store.trajectories.iter_all(first, last, None if chunk.whole_range else chunk.ids):
            tid = trajectory.id
            record = builder.build(trajectory, render(trajectory), chunk.golds[tid], labels.get(tid, []), chunk.split_of[tid])
            line = fmt.line(record)
            if line is None:
                skipped += 1
            else:
                lines.append(line)
        return lines, skipped
    finally:
        if own:
            store.close()


def _chunks(store: Store, options: ExportOptions, plan: _Plan, size: int) -> list[_Chunk]:
    kept = [tid for tid, gold in plan.golds.items() if options.keeps(gold)]  # in id order
    unfiltered = len(kept) == len(plan.golds)
    return [
        _Chunk(store.path, options, ids, {t: plan.golds[t] for t in ids}, {t: plan.split_of[t] for t in ids}, unfiltered)
        for ids in (tuple(kept[start : start + size]) for start in range(0, len(kept), size))
    ]


def export(
    store: Store, options: ExportOptions, write: Callable[[str], object], *, workers: int | None = None, chunk: int = CHUNK
) -> ExportSummary:
    """Write the export through `write`, one record at a time, in trajectory id order.

    Large exports render and encode in worker processes (each with its own read-only connection; WAL
    lets them read while nothing waits), chunk by chunk in id order, so the bytes are the same as
    from one process.
    """
    plan = _Plan.make(store, options, options.validate(store.taxonomy))
    write(formats.make(options.fmt, store.taxonomy, options.with_text).header())
    chunks = _chunks(store, options, plan, chunk)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if sum(len(c.ids) for c in chunks) >= PARALLEL_MIN else 1
    written = skipped = 0
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = pool.map(_chunk_lines, chunks)
            for lines, unusable in results:
                written, skipped = written + len(lines), skipped + unusable
                write("".join(lines))
    else:
        for c in chunks:
            lines, unusable = _chunk_lines(c, store)
            written, skipped = written + len(lines), skipped + unusable
            write("".join(lines))
    return ExportSummary(written, skipped)


def write(store: Store, options: ExportOptions, path: Path) -> ExportSummary:
    """Export to `path` through a temporary file in the same folder: readers never see half a file."""
    options.validate(store.taxonomy)  # refuse bad options before touching the file system
    with atomic_write(path) as out:
        return export(store, options, out.write)
