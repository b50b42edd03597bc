"""What a classifier reads beside the text: where each kind of text lies in it, what the detectors
flagged, and structural facts of the run (`reviewer export --features`, `reviewer train`, `reviewer predict`).

One function builds these fields for the export and for prediction alike, so a model trained from
an export file sees exactly what it sees when it scores a trajectory of the store. Facts are counts
read from the trajectory, never guesses: what the trajectory does not record is None.

Test runs are `Trajectory.test_runs` as the importer recorded them, or for a trajectory stored
without them, found the same way now (`reviewer.assist.detectors.base.test_runs`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reviewer.assist.detectors.base import commands, edit_texts, test_runs
from reviewer.assist.detectors.exits import EXIT_CALL
from reviewer.export.render import Rendered
from reviewer.model import FileEdit, Suggestion, TestRun, Trajectory
from reviewer.test_paths import is_test_path

FEATURE_KEYS: tuple[str, ...] = ("sections", "detectors", "facts")


def _touches_tests(edit: FileEdit) -> bool:
    return is_test_path(edit.path) or (edit.from_path is not None and is_test_path(edit.from_path))


def _fail_to_pass(runs: list[TestRun]) -> bool | None:
    """Did a run with failures come before a last run that passed? None when no run printed counts."""
    counted = [r for r in runs if r.passed is not None or r.failed is not None or r.errors is not None]
    if not counted:
        return None
    failing = [(r.failed or 0) + (r.errors or 0) > 0 for r in counted]
    last = counted[-1]
    return any(failing[:-1]) and not failing[-1] and (last.passed or 0) > 0


def facts(trajectory: Trajectory) -> dict[str, Any]:
    """Counts of what the run did to tests and graders, its exits and its test runs (keys in a fixed order)."""
    t = trajectory
    edits = [e for e in t.file_edits if e.status != "failed"]  # a refused edit changed nothing
    test_edits = [e for e in edits if _touches_tests(e)]
    runs = [seen.run for seen in test_runs(t)]
    run_steps = [r.step for r in runs]
    exits = sum(len(EXIT_CALL.findall(c.script)) for c in commands(t))
    exits += sum(1 for et in edit_texts(t) for m in et.added() if EXIT_CALL.search(m.group()))
    return {
        "steps": len(t.steps),
        "edits": len(edits),
        "test_edits": len(test_edits),
        "test_files": len({e.path for e in test_edits}),
        "test_files_deleted": sum(e.op == "delete" for e in test_edits),
        "exit_calls": exits,
        "test_runs": len(run_steps),
        "edits_after_last_test_run": sum(e.step > max(run_steps) for e in edits) if run_steps else None,
        "fail_to_pass": _fail_to_pass(runs),
    }


def detections(suggestions: Iterable[Suggestion]) -> list[dict[str, Any]]:
    """The detectors' suggestions as features read them: which detector, its codes, severity and confidence."""
    rows = [{"source": s.source, "codes": list(s.codes), "severity": s.severity, "confidence": s.confidence} for s in suggestions]
    return sorted(rows, key=lambda r: (r["source"], r["codes"], r["severity"] or 0, r["confidence"] or 0.0))


def fields(trajectory: Trajectory, rendered: Rendered, detector_suggestions: Iterable[Suggestion]) -> dict[str, Any]:
    """The three keys `--features` adds to an export record, in this order (FEATURE_KEYS)."""
    return {
        "sections": [list(section) for section in rendered.sections],
        "detectors": detections(detector_suggestions),
        "facts": facts(trajectory),
    }
