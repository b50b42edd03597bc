"""Training data for a cheat classifier: one record per trajectory with its gold label (`reviewer export`).

Two passes over the store: first every label's verdict and each trajectory's task id (small, read
from columns), which fix the gold labels, the filters and the splits; then the trajectories in id
order with their full labels, slice by slice, rendered and written, so memory does not grow with
the store. The same store and options give the same bytes: ids are
sorted, keys come in a fixed order, and nothing about the export run (time, paths) is written.

An export is one snapshot of the store, however long it runs and whatever others save meanwhile:
everything that can change (labels, which trajectories exist) is read in one read transaction of
the exporting process, held to the end; worker processes read only trajectories, by the ids of that
snapshot, and a stored trajectory never changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from reviewer import parallel
from reviewer.agreement.aggregate import METHODS, Ballots, Gold, Method, gold_labels
from reviewer.agreement.report import is_machine
from reviewer.assist.detectors.base import RATER as DETECTORS
from reviewer.errors import OptionError
from reviewer.export import features, formats, records, splits
from reviewer.export.render import RENDER_VERSION, Rendered, SpanMismatch, render
from reviewer.jsonio import atomic_write
from reviewer.model import Label, Suggestion
from reviewer.store import Store
from reviewer.store.location import Location
from reviewer.store.transactions import reading
from reviewer.taxonomy import Taxonomy

__all__ = [
    "ExportOptions",
    "ExportSummary",
    "OptionError",
    "RENDER_VERSION",
    "Rendered",
    "SpanMismatch",
    "export",
    "render",
    "write",
]


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
    csv_raw: bool = False
    include_unlabelled: bool = False  # a training export holds labelled trajectories unless asked
    features: bool = False  # jsonl: add what a classifier reads beside the text (reviewer.export.features)

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
        if self.features and self.fmt != "jsonl":
            raise OptionError("--features needs --format jsonl")
        try:
            return splits.parse_spec(self.split)
        except splits.SplitSpecError as exc:
            raise OptionError(str(exc)) from None

    def keeps(self, gold: Gold) -> bool:
        return (
            (self.include_unlabelled or gold.n_votes > 0 or gold.method == "adjudicated")
            and gold.n_votes >= self.min_reviewers
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

    def kept(self, options: ExportOptions) -> list[str]:
        """The ids the filters keep, in id order."""
        return [tid for tid, gold in self.golds.items() if options.keeps(gold)]


PARALLEL_MIN = 4000  # below this many records, starting worker processes costs more than they save
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One slice of the export, everything a worker needs to write its lines, all of it from the
    exporting process's snapshot (picklable and small: labels travel as their stored JSON text).
    The worker reads the slice's trajectories itself: they never change once stored."""

    db: Location
    options: ExportOptions
    taxonomy: Taxonomy
    ids: tuple[str, ...]
    golds: dict[str, Gold]
    split_of: dict[str, str]
    labels: tuple[str, ...]  # the slice's labels as stored, machines' included
    whole_range: bool  # `ids` are every trajectory of the snapshot from the first to the last
    detections: dict[str, list[Suggestion]] | None  # the detectors' suggestions, with --features only


def _chunk_lines(chunk: _Chunk, store: Store | None = None) -> tuple[list[str], int]:
    """The lines of one chunk in id order, and how many kept records the format could not use."""
    own = store is None
    store = store or Store(chunk.db)
    try:
        fmt = formats.make(chunk.options.fmt, chunk.taxonomy, chunk.options.with_text, chunk.options.csv_raw)
        labels: dict[str, list[Label]] = {}
        for label in (Label.from_dict(json.loads(record)) for record in chunk.labels):
            if not is_machine(label.annotator):
                labels.setdefault(label.trajectory_id, []).append(label)
        # Ballots are per trajectory, so the slice's own equal the whole store's for these ids.
        builder = records.Records(chunk.taxonomy, Ballots.from_labels(lb for group in labels.values() for lb in group))
        lines: list[str] = []
        skipped = 0
        first, last = chunk.ids[0], chunk.ids[-1]
        with reading(store.db):  # the scans merged by iter_all see the same trajectories
            for trajectory in store.trajectories.iter_all(first, last, None if chunk.whole_range else chunk.ids):
                tid = trajectory.id
                if tid not in chunk.golds:  # imported after the export's snapshot, inside the range scanned
                    continue
                rendered = render(trajectory)
                extra = None if chunk.detections is None else features.fields(trajectory, rendered, chunk.detections.get(tid, []))
                record = builder.build(trajectory, rendered, chunk.golds[tid], labels.get(tid, []), chunk.split_of[tid], extra)
                line = fmt.line(record)
                if line is None:
                    skipped += 1
                else:
                    lines.append(line)
        return lines, skipped
    finally:
        if own:
            store.close()


def _chunks(store: Store, options: ExportOptions, plan: _Plan, kept: Sequence[str], size: int) -> Iterator[_Chunk]:
    """The slices in id order, each with its labels read as it is made: iterate inside the export's
    read transaction, so each slice's labels are those its gold labels were computed from."""
    unfiltered = len(kept) == len(plan.golds)
    for ids in (tuple(kept[start : start + size]) for start in range(0, len(kept), size)):
        yield _Chunk(
            store.path, options, store.taxonomy, ids, {t: plan.golds[t] for t in ids}, {t: plan.split_of[t] for t in ids},
            tuple(store.labels.records_of(ids)), unfiltered, store.suggestions.of(ids, DETECTORS) if options.features else None,
        )  # fmt: skip


def export(
    store: Store, options: ExportOptions, write: Callable[[str], object], *, workers: int | None = None, chunk: int = CHUNK
) -> ExportSummary:
    """Write the export through `write`, one record at a time, in trajectory id order.

    Large exports render and encode in worker processes (each with its own read-only connection; WAL
    lets them read while nothing waits), chunk by chunk in id order, so the bytes are the same as
    from one process. The whole export reads inside one read transaction of `store` (see the module
    docstring); meanwhile others write as usual, and the file's write-ahead log waits for its end
    to be checkpointed.
    """
    with reading(store.db):
        plan = _Plan.make(store, options, options.validate(store.taxonomy))
        write(formats.make(options.fmt, store.taxonomy, options.with_text, options.csv_raw).header())
        kept = plan.kept(options)
        if workers is None:
            workers = min(os.cpu_count() or 1, 4) if len(kept) >= PARALLEL_MIN else 1
        chunks = _chunks(store, options, plan, kept, chunk)
        results = parallel.in_order(_chunk_lines, chunks, workers) if workers > 1 else (_chunk_lines(c, store) for c in chunks)
        written = skipped = 0
        with closing(results):  # on a failed write, no worker is left running
            for lines, unusable in results:
                written, skipped = written + len(lines), skipped + unusable
                write("".join(lines))
    return ExportSummary(written, skipped)


def write(store: Store, options: ExportOptions, path: Path) -> ExportSummary:
    """Export to `path` through a temporary file in the same folder: readers never see half a file."""
    options.validate(store.taxonomy)  # refuse bad options before touching the file system
    with atomic_write(path) as out:
        return export(store, options, out.write)
