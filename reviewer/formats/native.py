"""The project's own format: `schemas/trajectory.schema.json`, one object per file or one per JSONL line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reviewer import schemas
from reviewer.checks import trajectory_problems
from reviewer.formats.shape import place
from reviewer.jsonio import Document, InputError
from reviewer.model import Step, Trajectory
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


def canonical_value(doc: Document, value: Any, line: int | None) -> dict[str, Any]:
    """One canonical trajectory object validated and checked, as the JSON value it is (no objects
    built: the import turns it into rows directly); errors name line and pointer. A version 1 value
    gets the test runs found in its transcript, as importers do (it was written before they were
    recorded), in a copy: the document's parsed value stays as read."""
    error = schemas.first_error("trajectory.schema", value)
    if error is not None:
        raise InputError(doc.name, place(line, schemas.pointer(error)), error.message[:200])
    if value["schema_version"] < 2:
        steps = [Step.from_dict(s) for s in value["steps"]]
        found = find_test_runs(steps, value["task"]["prompt"])
        value = {**value, "test_runs": [run.to_dict() for run in found]}
    problems = trajectory_problems(value)
    if problems:
        pointer, message = problems[0]
        raise InputError(doc.name, place(line, pointer), message)
    return value


class NativeFormat:
    name = "native"
    suffixes: tuple[str, ...] = (".json", ".jsonl", ".ndjson")

    def sniff(self, doc: Document) -> bool:
        if doc.looks_like_jsonl():
            return any(_is_native(value) for _, value in _first_records(doc))
        return _is_native(doc.value)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        for where, value in self.read_values(doc):
            yield where, value if isinstance(value, InputError) else Trajectory.from_dict(value)

    def read_values(self, doc: Document) -> Iterator[tuple[str | None, dict[str, Any] | InputError]]:
        """What `read` gives, before the objects are built: each trajectory's checked JSON value."""
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


def _guarded(doc: Document, value: Any, line: int | None) -> dict[str, Any] | InputError:
    try:
        return canonical_value(doc, value, line)
    except InputError as exc:
        return exc
