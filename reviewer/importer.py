"""From paths on disk to trajectories and labels in the store, one file at a time.

A large batch is read in worker processes (`reviewer.import_read`: parsing, mapping, checking,
detectors) and written here, by one writer, in the files' order, one transaction per trajectory.
Every file gets a report; a bad file (or a bad trajectory inside one) is one line in it and the
batch carries on, except when the project's storage is full: every later file would fail the same
way, so the batch stops there with what it stored so far (each trajectory is stored in one
transaction, so the one being written when storage ran out leaves nothing behind), or when the
person presses Ctrl+C (the same: what was stored stays, and the report says so). Label packs
met on the way are merged after all trajectories of the batch are in, so a folder holding both
imports in one command whatever the file order.
"""

from __future__ import annotations

import errno
import getpass
import os
import signal
import sqlite3
import stat
import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from reviewer import formats, parallel
from reviewer.formats.unsupported import identify_file
from reviewer.import_read import FileKind, FileRead, Prepared, ReadOptions, read_file, read_in_worker, start_worker
from reviewer.jsonio import Document, InputError
from reviewer.labelpack import read_labels
from reviewer.outcomes import AttachReport, ResultsFile, attach
from reviewer.store import Store
from reviewer.store.labels import LabelRejected
from reviewer.store.trajectories import Rows, TrajectoryConflict, content_hash
from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import one_line

PARALLEL_MIN_FILES = 64  # below this many files, starting worker processes costs more than they save
MAX_WORKERS = 4
INDEX_BATCH = 20_000  # steps made searchable at a time while the writer waits for the workers


@dataclass
class FileReport:
    path: str
    kind: FileKind = "unreadable"
    format: str | None = None
    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)  # stored, but something in it could not be read as meant
    superseded: list[str] = field(default_factory=list)  # unlabelled parts stored alone, replaced by their whole run

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "format": self.format,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "labels": dict(self.labels),
            "warnings": self.warnings,
            "superseded": self.superseded,
        }


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # why folder entries were skipped, where not obvious
    stopped: str | None = None  # why the batch ended before its last file, on one line
    outcomes: list[AttachReport] = field(default_factory=list)  # what each --outcomes file matched

    @property
    def ok(self) -> bool:
        return self.stopped is None and not any(f.errors for f in self.files) and not self.nothing_read

    @property
    def nothing_read(self) -> bool:
        """Folders given, files in them, and not one in a format read: a silent `ok` would mislead."""
        return not self.files and bool(self.skipped)

    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "imported": sum(len(f.imported) for f in self.files),
            "duplicates": sum(len(f.duplicates) for f in self.files),
            "failed": sum(len(f.errors) for f in self.files),
            "labels_added": sum(f.labels["added"] for f in self.files),
            "labels_updated": sum(f.labels["updated"] for f in self.files),
            "labels_unchanged": sum(f.labels["unchanged"] + f.labels["kept_newer"] for f in self.files),
            "labels_conflicts": sum(f.labels["conflict"] for f in self.files),
        }

    def to_dict(self) -> dict[str, object]:
        return {
            **self.totals(), "ok": self.ok, "stopped": self.stopped, "skipped": self.skipped,
            "files_detail": [f.to_dict() for f in self.files], "files_skipped": len(self.skipped),
            "warnings": sum(len(f.warnings) for f in self.files), "outcomes": [o.to_dict() for o in self.outcomes],
        }  # fmt: skip


@dataclass
class Collected:
    """What a batch will read, and what it left out of the folders it was given."""

    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # folder entries not read (READMEs, links leading out)
    notices: list[str] = field(default_factory=list)  # one line per link left out, saying where it led
    named: set[Path] = field(default_factory=set)  # files named on the command line, not found in a folder
    unread: list[Path] = field(default_factory=list)  # folder files no format claims by name: said why at the end


def collect(paths: list[Path], follow_symlinks: bool = False) -> Collected:
    """Files to read: named files always; in folders, files a registered format claims by suffix.
    `follow_symlinks` follows links out of the folders too (`--follow-symlinks`: the person vouches
    for where they lead). A file of a folder some format reads whole (a Cline task, an OpenHands V1
    conversation, a Harbor trial) stands for that folder: its lead file is read, once."""
    wanted = formats.suffixes()
    found = Collected()
    for path in paths:
        if path.is_dir():
            _collect_folder(path, wanted, found, follow_symlinks)
        else:
            lead = _named_lead(path, follow_symlinks) or path
            found.files.append(lead)
            found.named.add(lead)
    found.files = list(dict.fromkeys(found.files))
    return found


def _named_lead(path: Path, follow_symlinks: bool) -> Path | None:
    """The lead of a file named on the command line: the person named a file of that folder, so the
    folder is read; but not through a lead that is a link leading out of it (unless they vouch for links)."""
    lead = formats.lead_file(path)
    if lead is None or lead == path or follow_symlinks or lead.resolve().is_relative_to(lead.parent.resolve()):
        return lead
    return None


def _collect_folder(root: Path, wanted: set[str], found: Collected, follow_symlinks: bool) -> None:
    """A folder's files, following symbolic links only while they stay inside it: a link is the one
    way a folder of downloaded runs could make the import read (and make searchable) a file elsewhere.
    Each file and folder is reached once, however many links lead to it, so link loops end."""
    inside = root.resolve()

    def leads_out(link: Path) -> bool:
        target = link.resolve()
        if follow_symlinks or target.is_relative_to(inside):
            return False
        found.skipped.append(str(link))
        found.notices.append(f"{link}: symbolic link leading outside {root} (to {target}): not followed")
        return True

    walked: set[Path] = set()
    candidates: list[Path] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(folder)
        walked.add(here.resolve())
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".")
            and not ((here / name).is_symlink() and leads_out(here / name))
            and (here / name).resolve() not in walked
        )
        # hidden files only by a full name a format claims (Aider's `.aider.chat.history.md`)
        candidates.extend(here / name for name in filenames if not name.startswith(".") or name in wanted)
    read: set[tuple[int, int]] = set()  # (device, inode): a file reached through several links is read once
    stand_ins: dict[Path, Path] = {}  # lead outside this folder (it is part of a conversation) -> the first of its files here
    leads_inside: dict[Path, bool] = {}  # asked once per lead: a conversation has thousands of event files
    for child in sorted(candidates, key=_path_order):
        if child.is_symlink() and leads_out(child):
            continue
        try:
            info = child.stat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) in read:
            continue
        read.add((info.st_dev, info.st_ino))
        lead = formats.lead_file(child)
        if lead is not None:
            if lead not in leads_inside:
                leads_inside[lead] = follow_symlinks or lead.resolve().is_relative_to(inside)
            found.files.append(lead if leads_inside[lead] else stand_ins.setdefault(lead, child))
        elif any(child.name.endswith(s) for s in wanted):
            found.files.append(child)
        else:
            found.skipped.append(str(child))
            found.unread.append(child)


def _path_order(path: Path) -> tuple[str, ...]:
    """The order of `sorted(paths)` (pathlib compares parts), as a key compared in C: sorting the
    20,000 files of 200 OpenHands V1 conversations by Path took a quarter of the folder walk."""
    return path.parts


MAX_UNREAD_NOTICES = 20  # files a folder walk left unread that get a line of their own; the rest are counted


def unread_notices(unread: list[Path]) -> list[str]:
    """Why folder files were left unread, one line each (what they look like), the first few only."""
    lines = []
    for path in unread[:MAX_UNREAD_NOTICES]:
        found = identify_file(path)
        what = found.message() if found is not None else "not named like a trajectory file this project reads"
        lines.append(f"{path}: {what}")
    if len(unread) > MAX_UNREAD_NOTICES:
        lines.append(f"… and {len(unread) - MAX_UNREAD_NOTICES} more files not in a trajectory format")
    return lines


def storage_full(exc: BaseException) -> bool:
    """Whether writing failed for want of room (SQLite's SQLITE_FULL, or ENOSPC from the OS): a
    condition of the project's disk, not of the file being read."""
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


class Importer:
    """One batch. With `dry_run` nothing is written: the same reading and checking, against the
    store when there is one (conflicting ids, unknown trajectories, the project's taxonomy)."""

    def __init__(
        self,
        store: Store | None,
        *,
        dry_run: bool = False,
        detect: bool = False,
        max_bytes: int,
        format_name: str | None = None,
        on_file: Callable[[Path], None] | None = None,
        labels_only: bool = False,
        follow_symlinks: bool = False,
        outcomes: Sequence[ResultsFile] = (),
        workers: int | None = None,
    ):
        """`workers`: processes reading the files of a stored batch (None: one per core, up to
        MAX_WORKERS, from PARALLEL_MIN_FILES files on; 1: all in this process)."""
        self.store = store
        self.workers = workers
        self.outcomes = outcomes
        self.follow_symlinks = follow_symlinks
        self.dry_run = dry_run or store is None
        self.detect = detect
        self.max_bytes = max_bytes
        self.format_name = format_name
        if format_name:
            formats.by_name(format_name)  # an unknown name fails here, before any file is read
        self.taxonomy = store.taxonomy if store is not None else Taxonomy.default()
        self.on_file = on_file or (lambda _path: None)
        self.labels_only = labels_only
        self.actor = getpass.getuser()
        self._seen: dict[str, tuple[str, str]] = {}  # validation only: id -> (content hash, place)
        self._at = ""  # what the batch is storing now, for the line saying where a full disk stopped it
        self._named: set[Path] = set()
        self._interrupted = False  # Ctrl+C pressed: stop before the next trajectory

    def run(self, paths: list[Path]) -> ImportReport:
        found = collect(paths, self.follow_symlinks)
        report = ImportReport(skipped=found.skipped, notices=found.notices + unread_notices(found.unread))
        self._named = found.named
        try:
            with self._stopping_on_ctrl_c():
                self._run(found.files, report)
                self._attach_outcomes(report)
        except KeyboardInterrupt:
            report.stopped = f"interrupted (Ctrl+C): import stopped at {self._at}; {self._stored_before(report, found.files)}"
        except (sqlite3.OperationalError, OSError) as exc:
            if not storage_full(exc):
                raise
            report.stopped = (
                f"the project's storage is full ({one_line(str(exc))}): import stopped at {self._at};"
                f" {self._stored_before(report, found.files)}"
            )
        report.notices += formats.problems()  # plugin formats left out: said, never fatal
        return report

    @contextmanager
    def _stopping_on_ctrl_c(self) -> Iterator[None]:
        """The first Ctrl+C stops the batch before its next trajectory (`_check_interrupt`), so the
        report counts exactly what was stored; a second one interrupts at once (the trajectory being
        written rolls back). Signals reach the main thread only: elsewhere nothing changes."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(_signum: int, _frame: object) -> None:
            self._interrupted = True
            signal.signal(signal.SIGINT, previous)

        previous = signal.getsignal(signal.SIGINT)
        if previous is None:  # a handler set outside Python: leave Ctrl+C to it
            yield
            return
        signal.signal(signal.SIGINT, stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _check_interrupt(self) -> None:
        if self._interrupted:
            raise KeyboardInterrupt

    @staticmethod
    def _stored_before(report: ImportReport, files: list[Path]) -> str:
        totals = report.totals()
        return (
            f"{totals['imported']} trajectories and {totals['labels_added'] + totals['labels_updated']} labels stored"
            f" before it, {len(files) - len(report.files)} files not read"
        )

    def _reads(self, files: list[Path]) -> Generator[FileRead, None, None]:
        """Each file read, in order: in worker processes for a large batch that is stored (one writer,
        here), else here."""
        options = ReadOptions(self.max_bytes, self.format_name, self.follow_symlinks, self.labels_only, self.detect)
        workers = self.workers
        if workers is None:
            workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(files) >= PARALLEL_MIN_FILES else 1
        if workers > 1 and not self.dry_run and self.store is not None and self.store.path is not None:
            if self.detect:  # imported once here, before the fork, rather than once in every worker
                import reviewer.assist.detectors  # noqa: F401
            yield from parallel.in_order(
                read_in_worker, files, workers, start_worker, (options, self.store.path), start=parallel.FORK,
                idle=self._index_while_waiting if self.store.trajectories.indexes_in_parts else None,
            )  # fmt: skip
            return
        store = self.store
        stored = (lambda tid: store.trajectories.exists(tid)) if store is not None else (lambda _tid: False)
        for path in files:
            yield read_file(path, options, stored)

    def _run(self, files: list[Path], report: ImportReport) -> None:
        """Reads and stores the batch into `report`; a storage error ends it by propagating."""
        packs: list[tuple[FileReport, Document]] = []
        reads = self._reads(files)
        writes = self.store if self.store is not None and not self.dry_run else None
        with writes.bulk_writing() if writes is not None else nullcontext():  # the log checkpointed beside the writer
            with closing(reads):  # an interrupted batch leaves no worker running
                for read in reads:
                    self._take(read, report, packs)
            if writes is not None:
                self._at = "the search index (it catches up on the next import)"
                writes.trajectories.index_pending()
        for file_report, doc in packs:
            self._at = f"the labels of {doc.name}"
            self._merge_labels(doc, file_report)

    def _index_while_waiting(self) -> None:
        """While the workers are slower than the writer (the detectors run there), the writer makes
        the steps stored so far searchable, in batches of at least INDEX_BATCH steps (each batch is
        a segment of the index, merged later: smaller ones would cost more in all), instead of all
        of them at the end of the batch while the workers have nothing left to do."""
        assert self.store is not None
        at, self._at = self._at, "the search index (it catches up on the next import)"
        self.store.trajectories.index_pending(at_least=INDEX_BATCH)
        self._at = at

    def _take(self, read: FileRead, report: ImportReport, packs: list[tuple[FileReport, Document]]) -> None:
        """One file read into the report: stored, kept for the label merge, or said why not."""
        path = read.path
        self._at = str(path)
        self._check_interrupt()
        file_report = FileReport(str(path), read.kind, read.format, errors=list(read.errors))
        report.files.append(file_report)
        try:
            if read.unsupported is not None:
                message, companion = read.unsupported
                if companion and path not in self._named:  # a run's results or config met in a folder
                    report.files.remove(file_report)
                    report.skipped.append(str(path))
                    report.notices.append(message)
                else:
                    file_report.errors.append(message)
            elif read.pack is not None:
                packs.append((file_report, read.pack))
            else:
                self._store_read(read, file_report)
        except Exception as exc:  # an importer bug must cost one file, not the batch
            if storage_full(exc):
                raise
            file_report.errors.append(f"{path}: internal error while storing ({type(exc).__name__}: {one_line(str(exc))})")
        finally:
            self.on_file(path)

    def _attach_outcomes(self, report: ImportReport) -> None:
        """Each --outcomes file, matched against what this batch read (stored now or before)."""
        if not self.outcomes or self.store is None or self.dry_run:
            return
        read = {tid for f in report.files for tid in (*f.imported, *f.duplicates)}
        for results in self.outcomes:
            self._at = f"the outcomes of {results.path}"
            report.outcomes.append(attach(self.store, results, only=read))

    def _store_read(self, read: FileRead, report: FileReport) -> None:
        name = str(read.path)
        for item in read.items:
            self._check_interrupt()
            place = item.place
            if item.warning:
                report.warnings.append(item.warning)
            try:
                self._store(item, read, report)
            except TrajectoryConflict as exc:
                if read.format == "native":  # a native id is an identity the author chose: a clash is an error
                    report.errors.append(str(InputError(name, f"{place}:/id" if place else "/id", str(exc))))
                    continue
                if self._joins_a_stored_part(item, read, report):
                    continue
                # Ids derived from other formats often name the task, not the run (SWE-agent files are
                # named after the instance): another run of the same task gets the file's digest.
                trajectory = item.trajectory
                trajectory.id = f"{trajectory.id}~{read.sha256[:8]}"
                renamed = Prepared(place, trajectory.id, item.parts, read=trajectory)  # the detectors see the new id
                try:
                    self._store(renamed, read, report)
                except TrajectoryConflict as again:
                    report.errors.append(str(InputError(name, f"{place}:/id" if place else "/id", str(again))))

    def _joins_a_stored_part(self, item: Prepared, read: FileRead, report: FileReport) -> bool:
        """A run joined from several files whose id is stored from one of its parts alone (the rest
        arrived later): the whole run replaces the part while nobody has labelled it. A labelled part
        stays as it is, and the whole run is stored apart (False), with a warning saying so."""
        if self.store is None or self.dry_run:
            return False
        stored = self.store.trajectories.source_of(item.id)
        if stored is None or not any((p.get("file"), p.get("sha256")) == stored for p in item.parts):
            return False
        if self.store.trajectories.labelled(item.id):
            where = f"{read.path}:{item.place}" if item.place else str(read.path)
            report.warnings.append(
                f"{where}: {item.id!r} was stored from {stored[0]} alone and has labels: the whole run"
                f" ({len(item.parts)} files) is stored apart as {item.id}~{read.sha256[:8]}; the labels stay on the part"
            )
            return False
        self._store(item, read, report, replacing=True)
        return True

    def _store(self, item: Prepared, read: FileRead, report: FileReport, *, replacing: bool = False) -> None:
        place = item.place or ""
        if self.store is not None and not self.dry_run:
            incoming = item.rows if item.rows is not None else Rows.of(item.trajectory, place)
            suggestions = item.suggestions
            if self.detect and suggestions is None and (replacing or self.store.trajectories.status(incoming) == "new"):
                from reviewer.assist.detectors import run_detectors

                suggestions = run_detectors(item.trajectory)  # not run where it was read: the id was stored then
            with self.store.writing():
                if replacing:
                    self.store.trajectories.remove_unlabelled(item.id)
                    report.superseded.append(item.id)
                outcome = self.store.trajectories.add_in_transaction(incoming, original=read.original)
                if outcome == "imported" and suggestions is not None:
                    from reviewer.assist.detectors import RATER

                    self.store.suggestions.replace(item.id, RATER, suggestions)
                if outcome == "imported":
                    self._supersede_parts(item, read, report)
            (report.imported if outcome == "imported" else report.duplicates).append(item.id)
            return
        trajectory = item.trajectory
        if self.store is not None and self.store.trajectories.status(trajectory, place) == "duplicate":
            report.duplicates.append(trajectory.id)
            return
        digest = content_hash(trajectory)  # nothing is stored in a dry run: remember the batch instead
        seen = self._seen.get(trajectory.id)
        if seen is not None and seen[0] != digest:
            raise TrajectoryConflict(
                f"duplicate trajectory id {trajectory.id!r}: already read with different content (from {seen[1]})"
            )
        self._seen[trajectory.id] = (digest, f"{read.path}:{place}" if place else str(read.path))
        (report.duplicates if seen else report.imported).append(trajectory.id)

    def _supersede_parts(self, item: Prepared, read: FileRead, report: FileReport) -> None:
        """Parts of a whole run just stored that were stored alone before, under their own ids: removed
        while unlabelled, else kept with a warning (inside the run's own transaction)."""
        assert self.store is not None
        for part in item.parts:
            part_id = part.get("id")
            if not isinstance(part_id, str) or part_id == item.id:
                continue
            if self.store.trajectories.source_of(part_id) != (part.get("file"), part.get("sha256")):
                continue
            if self.store.trajectories.labelled(part_id):
                report.warnings.append(
                    f"{read.path}: {part_id!r} (stored from {part.get('file')} alone) has labels:"
                    f" kept beside the whole run {item.id!r}"
                )
            else:
                self.store.trajectories.remove_unlabelled(part_id)
                report.superseded.append(part_id)

    def _merge_labels(self, doc: Document, report: FileReport) -> None:
        try:
            for line, item in read_labels(doc):
                if isinstance(item, InputError):
                    report.errors.append(str(item))
                elif self.dry_run or self.store is None:  # no store means a dry run (__init__)
                    problems = self.store.labels.problems(item) if self.store else self.taxonomy.problems(item)
                    if problems:
                        report.errors.append(f"{doc.name}:{line}: " + "; ".join(problems))
                    else:
                        report.labels["checked"] += 1
                else:
                    try:
                        report.labels[self.store.labels.merge(item, actor=self.actor, origin=f"pack:{doc.path.name}")] += 1
                    except LabelRejected as exc:
                        report.errors.append(f"{doc.name}:{line}: {exc}")
        except InputError as exc:
            report.errors.append(str(exc))
