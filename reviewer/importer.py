"""From paths on disk to trajectories and labels in the store, one file at a time.

Every file gets a report; a bad file (or a bad trajectory inside one) is one line in it and the
batch carries on, except when the project's storage is full: every later file would fail the same
way, so the batch stops there with what it stored so far (each trajectory is stored in one
transaction, so the one being written when storage ran out leaves nothing behind). Label packs met on the way are merged after all trajectories of the batch are
in, so a folder holding both imports in one command whatever the file order.
"""

from __future__ import annotations

import errno
import getpass
import os
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reviewer import formats, schemas
from reviewer.checks import trajectory_problems
from reviewer.formats.unsupported import UnsupportedFile, identify_file
from reviewer.jsonio import Document, InputError, read_document
from reviewer.labelpack import is_label_pack, read_labels
from reviewer.model import Source, Trajectory
from reviewer.outcomes import AttachReport, ResultsFile, attach
from reviewer.store import Store
from reviewer.store.labels import LabelRejected
from reviewer.store.trajectories import TrajectoryConflict, content_hash
from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import one_line

FileKind = Literal["trajectories", "labels", "unreadable"]


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
        }

    def to_dict(self) -> dict[str, object]:
        return {
            **self.totals(), "ok": self.ok, "stopped": self.stopped, "skipped": self.skipped,
            "files_detail": [f.to_dict() for f in self.files], "files_skipped": len(self.skipped),
            "warnings": sum(len(f.warnings) for f in self.files), "outcomes": [o.to_dict() for o in self.outcomes],
        }  # fmt: skip


def conformance_error(doc: Document, place: str | None, trajectory: Trajectory) -> InputError | None:
    """An importer's trajectory that breaks the canonical schema or its links is refused, not stored."""
    error = schemas.first_error("trajectory.schema", trajectory.to_dict())
    if error is not None:
        found = (schemas.pointer(error), error.message[:200])
    else:
        problems = trajectory_problems(trajectory)
        if not problems:
            return None
        found = problems[0]
    where = f"{place}:{found[0]}" if place else found[0]
    return InputError(doc.name, where, f"could not map to a canonical trajectory: {found[1]}")


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
    for child in sorted(candidates):
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


def _parts(trajectory: Trajectory) -> list[dict[str, object]]:
    """The files a run split over several was joined from (`metadata.parts`: file, sha256, and the id
    each part has when read alone), empty for a run of one file."""
    parts = trajectory.metadata.get("parts")
    return [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


def unpaired_results(trajectory: Trajectory) -> str | None:
    """What to warn of when tool results answer no call: the file was read, but not as its tool meant
    (another tool's log in a look-alike shape), and what those calls did is not linked to them."""
    tool_steps = [s for s in trajectory.steps if s.role == "tool"]
    unpaired = sum(1 for s in tool_steps if s.tool_result is None)
    if not unpaired:
        return None
    return (
        f"{unpaired} of {len(tool_steps)} tool results in {trajectory.id!r} answer no tool call in the file"
        " (kept as plain tool output; the calls' edits and test runs may be missing)"
    )


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
    ):
        self.store = store
        self.outcomes = outcomes
        self.follow_symlinks = follow_symlinks
        self.dry_run = dry_run or store is None
        self.detect = detect
        self.max_bytes = max_bytes
        self.format = formats.by_name(format_name) if format_name else None
        self.taxonomy = store.taxonomy if store is not None else Taxonomy.default()
        self.on_file = on_file or (lambda _path: None)
        self.labels_only = labels_only
        self.actor = getpass.getuser()
        self._seen: dict[str, tuple[str, str]] = {}  # validation only: id -> (content hash, place)
        self._at = ""  # what the batch is storing now, for the line saying where a full disk stopped it
        self._named: set[Path] = set()

    def run(self, paths: list[Path]) -> ImportReport:
        found = collect(paths, self.follow_symlinks)
        report = ImportReport(skipped=found.skipped, notices=found.notices + unread_notices(found.unread))
        self._named = found.named
        try:
            self._run(found.files, report)
            self._attach_outcomes(report)
        except (sqlite3.OperationalError, OSError) as exc:
            if not storage_full(exc):
                raise
            totals = report.totals()
            report.stopped = (
                f"the project's storage is full ({one_line(str(exc))}): import stopped at {self._at};"
                f" {totals['imported']} trajectories and {totals['labels_added'] + totals['labels_updated']} labels stored"
                f" before it, {len(found.files) - len(report.files)} files not read"
            )
        report.notices += formats.problems()  # plugin formats left out: said, never fatal
        return report

    def _run(self, files: list[Path], report: ImportReport) -> None:
        """Reads and stores the batch into `report`; a storage error ends it by propagating."""
        packs: list[tuple[FileReport, Document]] = []
        for path in files:
            self._at = str(path)
            file_report = FileReport(str(path))
            report.files.append(file_report)
            try:
                doc = read_document(path, self.max_bytes, follow_symlinks=self.follow_symlinks)
                if is_label_pack(doc):
                    file_report.kind = "labels"
                    packs.append((file_report, doc))
                    continue
                if self.labels_only:
                    raise InputError(doc.name, None, "not a label pack (no record with 'trajectory_id' and 'annotator')")
                self._read_trajectories(doc, file_report)
            except UnsupportedFile as exc:
                if exc.companion and path not in self._named:  # a run's results or config met in a folder
                    report.files.remove(file_report)
                    report.skipped.append(str(path))
                    report.notices.append(str(exc))
                else:
                    file_report.errors.append(str(exc))
            except InputError as exc:
                file_report.errors.append(str(exc))
            except RecursionError:
                file_report.errors.append(f"{path}: structure nested too deeply to read")
            except Exception as exc:  # an importer bug must cost one file, not the batch
                if storage_full(exc):
                    raise
                file_report.errors.append(f"{path}: internal error while reading ({type(exc).__name__}: {one_line(str(exc))})")
            finally:
                self.on_file(path)
        if not self.dry_run and self.store is not None:
            self._at = "the search index (it catches up on the next import)"
            self.store.trajectories.index_pending()
        for file_report, doc in packs:
            self._at = f"the labels of {doc.name}"
            self._merge_labels(doc, file_report)

    def _attach_outcomes(self, report: ImportReport) -> None:
        """Each --outcomes file, matched against what this batch read (stored now or before)."""
        if not self.outcomes or self.store is None or self.dry_run:
            return
        read = {tid for f in report.files for tid in (*f.imported, *f.duplicates)}
        for results in self.outcomes:
            self._at = f"the outcomes of {results.path}"
            report.outcomes.append(attach(self.store, results, only=read))

    def _read_trajectories(self, doc: Document, report: FileReport) -> None:
        fmt = self.format or formats.detect(doc)
        report.kind, report.format = "trajectories", fmt.name
        for place, item in fmt.read(doc):
            if not isinstance(item, InputError):
                item.source = Source(fmt.name, doc.path.name, doc.sha256)
                if fmt.name != "native":  # native input was validated as read; importers' output is checked here
                    item = conformance_error(doc, place, item) or item
            if isinstance(item, InputError):
                report.errors.append(str(item))
                continue
            if warning := unpaired_results(item):
                report.warnings.append(f"{doc.name}:{place}: {warning}" if place else f"{doc.name}: {warning}")
            try:
                self._store(item, doc, place, report)
            except TrajectoryConflict as exc:
                if fmt.name == "native":  # a native id is an identity the author chose: a clash is an error
                    report.errors.append(str(InputError(doc.name, f"{place}:/id" if place else "/id", str(exc))))
                    continue
                if self._joins_a_stored_part(item, doc, place, report):
                    continue
                # Ids derived from other formats often name the task, not the run (SWE-agent files are
                # named after the instance): another run of the same task gets the file's digest.
                item.id = f"{item.id}~{doc.sha256[:8]}"
                try:
                    self._store(item, doc, place, report)
                except TrajectoryConflict as again:
                    report.errors.append(str(InputError(doc.name, f"{place}:/id" if place else "/id", str(again))))

    def _joins_a_stored_part(self, item: Trajectory, doc: Document, place: str | None, report: FileReport) -> bool:
        """A run joined from several files whose id is stored from one of its parts alone (the rest
        arrived later): the whole run replaces the part while nobody has labelled it. A labelled part
        stays as it is, and the whole run is stored apart (False), with a warning saying so."""
        if self.store is None or self.dry_run:
            return False
        stored = self.store.trajectories.source_of(item.id)
        if stored is None or not any((p.get("file"), p.get("sha256")) == stored for p in _parts(item)):
            return False
        if self.store.trajectories.labelled(item.id):
            where = f"{doc.name}:{place}" if place else doc.name
            report.warnings.append(
                f"{where}: {item.id!r} was stored from {stored[0]} alone and has labels: the whole run"
                f" ({len(_parts(item))} files) is stored apart as {item.id}~{doc.sha256[:8]}; the labels stay on the part"
            )
            return False
        self._store(item, doc, place, report, replacing=True)
        return True

    def _store(
        self, trajectory: Trajectory, doc: Document, place: str | None, report: FileReport, *, replacing: bool = False
    ) -> None:
        if self.store is not None and not self.dry_run:
            from reviewer.assist.detectors import RATER, run_detectors

            # Detectors run before the write lock is taken, and only for a trajectory not stored yet
            # (stored ones never go away); their suggestions are stored in the trajectory's own
            # transaction, so a killed import never leaves a trajectory without them.
            new = self.detect and (replacing or self.store.trajectories.status(trajectory, place or "") == "new")
            suggestions = run_detectors(trajectory) if new else None
            with self.store.writing():
                if replacing:
                    self.store.trajectories.remove_unlabelled(trajectory.id)
                    report.superseded.append(trajectory.id)
                outcome = self.store.trajectories.add(trajectory, original=doc, place=place or "")
                if outcome == "imported" and suggestions is not None:
                    self.store.suggestions.replace(trajectory.id, RATER, suggestions)
                if outcome == "imported":
                    self._supersede_parts(trajectory, doc, report)
            (report.imported if outcome == "imported" else report.duplicates).append(trajectory.id)
            return
        if self.store is not None and self.store.trajectories.status(trajectory, place or "") == "duplicate":
            report.duplicates.append(trajectory.id)
            return
        digest = content_hash(trajectory)  # nothing is stored in a dry run: remember the batch instead
        seen = self._seen.get(trajectory.id)
        if seen is not None and seen[0] != digest:
            raise TrajectoryConflict(
                f"duplicate trajectory id {trajectory.id!r}: already read with different content (from {seen[1]})"
            )
        self._seen[trajectory.id] = (digest, f"{doc.name}:{place}" if place else doc.name)
        (report.duplicates if seen else report.imported).append(trajectory.id)

    def _supersede_parts(self, trajectory: Trajectory, doc: Document, report: FileReport) -> None:
        """Parts of a whole run just stored that were stored alone before, under their own ids: removed
        while unlabelled, else kept with a warning (inside the run's own transaction)."""
        assert self.store is not None
        for part in _parts(trajectory):
            part_id = part.get("id")
            if not isinstance(part_id, str) or part_id == trajectory.id:
                continue
            if self.store.trajectories.source_of(part_id) != (part.get("file"), part.get("sha256")):
                continue
            if self.store.trajectories.labelled(part_id):
                report.warnings.append(
                    f"{doc.name}: {part_id!r} (stored from {part.get('file')} alone) has labels: kept beside the whole run {trajectory.id!r}"
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
