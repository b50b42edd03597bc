"""The project's own format: `schemas/trajectory.schema.json`, one object per file or one per JSONL line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reviewer import schemas
from reviewer.checks import trajectory_problems
from reviewer.formats.shape import place
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.test_runs import find_test_runs

# Top-level keys of the canonical trajectory (schemas/trajectory.schema.json) that mark a file as ours beside an
# integer schema_version (not the generic metadata or final_patch).
_OWN_KEYS = frozenset(("id", "source", "task", "agent", "outcome", "steps", "file_edits", "test_runs", "final_answer"))


def _is_native(value: Any) -> bool:
    """Ours: an integer schema_version (other formats use strings, e.g. ATIF's "ATIF-v1.4") beside at
    least one of our keys (Harbor's job `lock.json` has an integer schema_version and none), or no
    schema_version at all beside our own steps and task."""
    if not isinstance(value, dict) or "annotator" in value:
        return False
    version = value.get("schema_version")
    if version is None:
        return "steps" in value and "task" in value
    return isinstance(version, int) and not _OWN_KEYS.isdisjoint(value)


def parse_trajectory(doc: Document, value: Any, line: int | None) -> Trajectory:
    """Validate one canonical trajectory object; errors name line and pointer."""

    error = schemas.first_error("trajectory.schema", value)
    if error is not None:
        raise InputError(doc.name, place(line, schemas.pointer(error)), error.message[:200])
    trajectory = Trajectory.from_dict(value)
    if value["schema_version"] < 2:  # written before test runs were recorded: found in the transcript, as importers do
        trajectory.test_runs = find_test_runs(trajectory.steps, trajectory.task.prompt)
    problems = trajectory_problems(trajectory)
    if problems:
        pointer, message = problems[0]
        raise InputError(doc.name, place(line, pointer), message)
    return trajectory


class NativeFormat:
    name = "native"
    suffixes: tuple[str, ...] = (".json", ".jsonl", ".ndjson")

    def sniff(self, doc: Document) -> bool:
        if doc.looks_like_jsonl():
            return any(_is_native(value) for _, value in _first_records(doc))
        return _is_native(doc.value)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        if doc.looks_like_jsonl():
            for line, value in doc.records():
                yield str(line), value if isinstance(value, InputError) else _guarded(doc, value, line)
        else:
            yield None, _guarded(doc, doc.value, None)


def _first_records(doc: Document) -> Iterator[tuple[int, Any]]:
    for line, value in doc.records():
        yield line, value
        if not isinstance(value, InputError):
            return


def _guarded(doc: Document, value: Any, line: int | None) -> Trajectory | InputError:
    try:
        return parse_trajectory(doc, value, line)
    except InputError as exc:
        return exc
