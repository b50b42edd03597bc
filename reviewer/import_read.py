"""One input file read for the import, ready to store: what may run in a worker process.

Everything an import does to a file before writing (reading the bytes, sniffing the format, mapping
it, checking each trajectory against the schema, compressing the original, running the detectors)
is done here, apart from the store's writer, so that `reviewer import` can do it in several
processes while one process writes (`reviewer.importer`). What crosses back is plain data: each
trajectory as the rows the store inserts (`store.trajectories.Rows`), the compressed original, the
error and warning lines. Read in the writing process itself (a small batch, a dry run), the
objects an importer built are kept beside the rows; a native file's are built from its checked JSON
value only when something asks for them (the detectors, an id clash, a dry run).
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from reviewer import formats, schemas
from reviewer.checks import trajectory_problems
from reviewer.formats import TrajectoryFormat
from reviewer.formats.native import NativeFormat
from reviewer.formats.unsupported import UnsupportedFile
from reviewer.jsonio import Document, InputError, read_document
from reviewer.labelpack import is_label_pack
from reviewer.model import Source, Suggestion, Trajectory
from reviewer.store.database import SqliteDb
from reviewer.store.location import Location
from reviewer.store.trajectories import Original, Rows, TrajectoryRepository
from reviewer.textsafe import one_line

FileKind = Literal["trajectories", "labels", "unreadable"]


@dataclass(frozen=True)
class ReadOptions:
    """How a batch reads its files (the import's options that matter before writing)."""

    max_bytes: int
    format_name: str | None = None
    follow_symlinks: bool = False
    labels_only: bool = False
    detect: bool = False  # run the detectors on trajectories the store does not hold yet


@dataclass
class Prepared:
    """One trajectory read from a file: the rows the store inserts for it, made where it was read,
    and the object, built only when something asks for it (a native file's from its checked JSON
    `value`, with the importer's `source`) and never sent to another process."""

    place: str | None
    id: str
    parts: list[dict[str, Any]]  # `metadata.parts` of a run joined from several files
    warning: str | None = None
    suggestions: list[Suggestion] | None = None  # the detectors', when run (for the id it was read with)
    read: Trajectory | None = None
    rows: Rows | None = None
    value: dict[str, Any] | None = None  # a native file's checked value, while the object is not built
    source: Source | None = None

    @property
    def trajectory(self) -> Trajectory:
        if self.read is None:
            if self.value is not None:
                assert self.source is not None
                self.read = Trajectory.from_dict(self.value)
                self.read.source = self.source
            else:
                assert self.rows is not None
                self.read = self.rows.trajectory()
        return self.read

    def portable(self) -> Prepared:
        """The same, cheap to send to another process: the rows without the objects or the value."""
        if self.rows is None and self.read is not None:
            return replace(self, read=None, rows=Rows.of(self.read, self.place or ""))
        return replace(self, read=None, value=None, source=None)


@dataclass
class FileRead:
    """What reading one file gave, in the file's order: trajectories and error lines, or a label pack
    to merge after the batch, or the reason it is no trajectory file."""

    path: Path
    kind: FileKind = "unreadable"
    format: str | None = None
    sha256: str = ""
    original: Original | None = None
    items: list[Prepared] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pack: Document | None = None
    unsupported: tuple[str, bool] | None = None  # why no format reads it, and whether it is a run's side file

    def portable(self) -> FileRead:
        return replace(self, items=[item.portable() for item in self.items])


def conformance_error(doc: Document, place: str | None, value: dict[str, Any]) -> InputError | None:
    """An importer's trajectory (as JSON: `to_dict()`) that breaks the canonical schema or its links is
    refused, not stored."""
    error = schemas.first_error("trajectory.schema", value)
    if error is not None:
        found = (schemas.pointer(error), error.message[:200])
    else:
        problems = trajectory_problems(value)
        if not problems:
            return None
        found = problems[0]
    where = f"{place}:{found[0]}" if place else found[0]
    return InputError(doc.name, where, f"could not map to a canonical trajectory: {found[1]}")


def _parts(value: dict[str, Any]) -> list[dict[str, Any]]:
    """The files a run split over several was joined from (`metadata.parts`: file, sha256, and the id
    each part has when read alone), empty for a run of one file."""
    parts = (value.get("metadata") or {}).get("parts")
    return [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


def unpaired_results(value: dict[str, Any]) -> str | None:
    """What to warn of when tool results answer no call: the file was read, but not as its tool meant
    (another tool's log in a look-alike shape), and what those calls did is not linked to them."""
    tool_steps = [s for s in value["steps"] if s["role"] == "tool"]
    unpaired = sum(1 for s in tool_steps if s.get("tool_result") is None)
    if not unpaired:
        return None
    return (
        f"{unpaired} of {len(tool_steps)} tool results in {value['id']!r} answer no tool call in the file"
        " (kept as plain tool output; the calls' edits and test runs may be missing)"
    )


def read_file(path: Path, options: ReadOptions, stored: Callable[[str], bool]) -> FileRead:
    """Read one file of the batch; every problem becomes a line of the result, never an exception.
    `stored(id)` tells whether the store already holds an id: the detectors run only on new ones."""
    read = FileRead(path)
    try:
        doc = read_document(path, options.max_bytes, follow_symlinks=options.follow_symlinks)
        read.sha256 = doc.sha256
        if is_label_pack(doc):
            read.kind, read.pack = "labels", Document(doc.path, doc.data, doc.max_bytes, doc.follow_symlinks)
            return read
        if options.labels_only:
            raise InputError(doc.name, None, "not a label pack (no record with 'trajectory_id' and 'annotator')")
        _read_trajectories(doc, options, stored, read)
    except UnsupportedFile as exc:
        read.unsupported = (str(exc), exc.companion)
    except InputError as exc:
        read.errors.append(str(exc))
    except RecursionError:
        read.errors.append(f"{path}: structure nested too deeply to read")
    except Exception as exc:  # an importer bug must cost one file, not the batch
        read.errors.append(f"{path}: internal error while reading ({type(exc).__name__}: {one_line(str(exc))})")
    return read


def _read_trajectories(doc: Document, options: ReadOptions, stored: Callable[[str], bool], read: FileRead) -> None:
    from reviewer.assist.detectors import run_detectors

    fmt = formats.by_name(options.format_name) if options.format_name else formats.detect(doc)
    read.kind, read.format = "trajectories", fmt.name
    source = Source(fmt.name, doc.path.name, doc.sha256)
    for place, item, value in _checked(fmt, doc, source):
        if isinstance(value, InputError):
            read.errors.append(str(value))
            continue
        warning = unpaired_results(value)
        if warning:
            warning = f"{doc.name}:{place}: {warning}" if place else f"{doc.name}: {warning}"
        if read.original is None:
            read.original = Original.of(doc)
        rows = Rows.of_value(value, source, place or "")
        prepared = Prepared(
            place, value["id"], _parts(value), warning, read=item, rows=rows, value=None if item else value, source=source
        )
        # Detectors run here, before the writer takes its lock, and only for an id not stored yet
        # (stored ones never go away); the writer stores their suggestions in the trajectory's own
        # transaction, so a killed import never leaves a trajectory without them.
        if options.detect and not stored(prepared.id):
            prepared.suggestions = run_detectors(prepared.trajectory)
        read.items.append(prepared)


def _checked(
    fmt: TrajectoryFormat, doc: Document, source: Source
) -> Iterator[tuple[str | None, Trajectory | None, dict[str, Any] | InputError]]:
    """Each trajectory of the file as (place, object if one was built, JSON value or error). Native
    values were checked as read and build no object here; an importer's objects are checked as JSON."""
    if isinstance(fmt, NativeFormat):
        for place, value in fmt.read_values(doc):
            yield place, None, value
        return
    for place, item in fmt.read(doc):
        if isinstance(item, InputError):
            yield place, None, item
            continue
        item.source = source
        value = item.to_dict()
        yield place, item, conformance_error(doc, place, value) or value


# --- in a worker process ---------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # a worker's options, and how it asks whether the project holds an id


def start_worker(options: ReadOptions, project: Location | None) -> None:
    """Worker initializer: a connection of its own to the project (read-only for a file). Ctrl+C
    reaches every process of the terminal's group: only the writer acts on it (it stops the batch
    between trajectories), so a worker ignores it and ends with the batch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["options"] = options
    if project is None:
        _WORKER["stored"] = lambda _id: False
    elif isinstance(project, Path):
        conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True, check_same_thread=False)
        _WORKER["stored"] = TrajectoryRepository(SqliteDb(conn)).exists
    else:  # a server's project
        from reviewer.store import Store

        _WORKER["stored"] = Store(project).trajectories.exists


def read_in_worker(path: Path) -> FileRead:
    return read_file(path, _WORKER["options"], _WORKER["stored"]).portable()
