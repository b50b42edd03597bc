"""Grader outcomes from outside the trajectory files, attached to the trajectories they grade.

Most agent logs do not say whether the run passed: SWE-agent and mini-SWE-agent stop at "submitted",
and the verdict comes from a separate evaluation (SWE-bench's harness, a Harbor verifier). This package
reads those files (`swebench`, `harbor`), matches SWE-bench results to trajectories by instance id
(`task.instance`, else `task.id`), and says per file what matched and what did not.

The outcome stays hidden until a reviewer's blind first pass like any other: attaching writes only the
stored outcome, which no list column, filter or search reads, and the report of an attach counts
matches without saying who passed.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.formats import harbor
from reviewer.jsonio import InputError, read_document
from reviewer.model import Outcome
from reviewer.outcomes import swebench
from reviewer.store import Store
from reviewer.textsafe import one_line

__all__ = ["AttachReport", "NotResults", "ResultsFile", "attach", "collect", "describe", "read_paths", "read_results"]


class NotResults(InputError):
    """A readable JSON file of another kind (a trajectory, a config): skipped when found in a folder."""


@dataclass(frozen=True, slots=True)
class ResultsFile:
    """One evaluation file: what kind it is and the outcome it gives each instance it grades."""

    path: str
    kind: str
    outcomes: dict[str, Outcome]


def read_results(path: Path, max_bytes: int) -> ResultsFile:
    """A SWE-bench results file; InputError (one line naming the file) when it is not one or is malformed."""
    doc = read_document(path, max_bytes)
    value = doc.value
    if swebench.kind_of(value) is None:
        hint = " (a Harbor trial result: it is read at import, from the trial folder)" if harbor.is_trial_result(value) else ""
        raise NotResults(doc.name, None, "not a SWE-bench results file: expected resolved_ids/unresolved_ids lists,"
                         " a results.json of resolved ids, an 'instances' summary,"
                         f" or an instance report with 'resolved'{hint}")  # fmt: skip
    kind, outcomes = swebench.read(doc.name, path, value)
    return ResultsFile(doc.name, kind, outcomes)


@dataclass
class Collected:
    files: list[Path] = field(default_factory=list)
    in_folders: set[Path] = field(default_factory=set)  # found by walking a folder: skipped quietly when not results


def collect(paths: Iterable[Path]) -> Collected:
    """Files named, and the `.json` files inside folders named (no hidden ones, no links leading out)."""
    found = Collected()
    for path in paths:
        if not path.is_dir():
            found.files.append(path)
            continue
        root = path.resolve()
        for folder, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (Path(folder) / d).is_symlink())
            for name in sorted(filenames):
                child = Path(folder) / name
                if name.endswith(".json") and not name.startswith(".") and child.resolve().is_relative_to(root):
                    found.files.append(child)
                    found.in_folders.add(child)
    return found


def read_paths(paths: Iterable[Path], max_bytes: int) -> tuple[list[ResultsFile], list[str], list[str]]:
    """(results files, one error line per unreadable or malformed file, files found in folders that
    hold something else): a malformed report is always said, a folder's other files are only counted."""
    found = collect(paths)
    results: list[ResultsFile] = []
    errors: list[str] = []
    skipped: list[str] = []
    for path in found.files:
        try:
            results.append(read_results(path, max_bytes))
        except InputError as exc:
            if isinstance(exc, NotResults) and path in found.in_folders:
                skipped.append(str(path))
            else:
                errors.append(str(exc))
    return results, errors, skipped


@dataclass
class AttachReport:
    """What one results file did: instances it grades, trajectories given their outcome, ids left over."""

    file: str
    kind: str
    listed: int
    matched: list[str] = field(default_factory=list)  # trajectory ids
    updated: int = 0
    unmatched: list[str] = field(default_factory=list)  # instance ids with no trajectory
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # instance id -> the trajectories it could be

    def line(self, scope: str = "in the project") -> str:
        """One line; it counts matches and never says which passed (the person attaching may review them)."""
        text = (
            f"{one_line(self.file, 300)}: {self.kind}, {self.listed} graded instances: {len(self.matched)} matched"
            f" ({self.updated} updated, {len(self.matched) - self.updated} unchanged), {len(self.unmatched)} not {scope}"
        )
        if self.ambiguous:
            first = one_line(next(iter(self.ambiguous)), 80)
            text += f", {len(self.ambiguous)} matching several runs left alone (e.g. {first}; narrow with --model)"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "kind": self.kind,
            "graded": self.listed,
            "matched": self.matched,
            "updated": self.updated,
            "unchanged": len(self.matched) - self.updated,
            "unmatched": len(self.unmatched),
            "unmatched_ids": self.unmatched,
            "ambiguous": self.ambiguous,
        }


def attach(store: Store, results: ResultsFile, *, model: str | None = None, only: Collection[str] | None = None) -> AttachReport:
    """Give each trajectory the outcome its instance has in `results`, in one write transaction.

    An instance matching several trajectories (runs of several models, retried attempts) is left alone
    and reported: guessing would put one run's result on another. `model` keeps the trajectories of
    that model only; `only` those ids (an import attaches to what it read). Idempotent.
    """
    report = AttachReport(results.path, results.kind, len(results.outcomes))
    with store.writing():
        by_instance: dict[str, list[str]] = {}
        for trajectory_id, key, trajectory_model in store.trajectories.instance_keys(only):
            if key is not None and (model is None or trajectory_model == model):
                by_instance.setdefault(key, []).append(trajectory_id)
        for instance, outcome in results.outcomes.items():
            ids = by_instance.get(instance, [])
            if len(ids) > 1:
                report.ambiguous[instance] = ids
            elif not ids:
                report.unmatched.append(instance)
            else:
                report.matched.append(ids[0])
                if not _finer(store.trajectories.outcome(ids[0]), outcome):
                    report.updated += store.trajectories.set_outcome(ids[0], outcome)
    return report


def _finer(stored: Outcome | None, incoming: Outcome) -> bool:
    """Whether the stored outcome is an instance's own report that a run-level file merely agrees with:
    attaching a run's report and its per-instance reports, in any order, keeps the per-test counts."""
    source = swebench.INSTANCE_REPORT
    return (
        stored is not None
        and stored.details.get("source") == source
        and incoming.details.get("source") != source
        and stored.grader_result == incoming.grader_result
    )


def describe(outcome: Outcome) -> list[str]:
    """The outcome as plain lines for a reviewer who has revealed it; "unknown" where nothing graded."""
    d = outcome.details
    source = f" ({d['source']}: {d['file']})" if isinstance(d.get("source"), str) and isinstance(d.get("file"), str) else ""
    if outcome.grader_result is None:
        lines = ["grader: unknown (no grader result recorded; an exit status is not one)"]
    else:
        status = f", {d['status']}" if isinstance(d.get("status"), str) and d["status"] not in ("resolved", "unresolved") else ""
        lines = [f"grader: {outcome.grader_result}{status}{source}"]
    if outcome.tests_passed is not None or outcome.tests_failed is not None:
        lines.append(f"tests: {_count(outcome.tests_passed)} passed, {_count(outcome.tests_failed)} failed")
    for group, counts in (d.get("tests") or {}).items():
        if not (counts.get("passed") or counts.get("failed")):
            continue  # an empty group (SWE-bench's FAIL_TO_FAIL, PASS_TO_FAIL mostly are)
        failing = counts.get("failing") or []
        names = f": {', '.join(failing[:5])}{' …' if len(failing) > 5 else ''}" if failing else ""
        lines.append(f"  {group}: {counts.get('passed')} passed, {counts.get('failed')} failed{names}")
    if outcome.reward is not None:
        lines.append(f"reward: {outcome.reward:g}")
    for key, label in (("explanation", "explanation"), ("exception", "exception"), ("verifier_output", "verifier output")):
        if d.get(key):
            lines.append(f"{label}: {d[key] if isinstance(d[key], str) else d[key]}")
    return lines


def _count(n: int | None) -> str:
    return "?" if n is None else str(n)
