"""Shared checks of the importer tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from reviewer.importer import Importer, ImportReport
from reviewer.model import Trajectory
from reviewer.store import Store


def only_error(path: Path, fmt: str | None = None) -> str:
    """Read a bad file as a dry run and return the one error line it must give (one line, nothing kept;
    with `fmt`, the file must still be recognised as that format)."""
    report = Importer(None, max_bytes=10**8).run([path])
    (file,) = report.files
    (error,) = file.errors
    assert "\n" not in error and file.imported == [], error
    if fmt is not None:
        assert file.format == fmt
    return error


def truncated_is_a_parse_error(sample: Path, target: Path) -> None:
    """The first half of a real sample is one invalid-JSON line naming the file."""
    data = sample.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    error = only_error(target)
    assert error.startswith(f"{target}:") and "invalid JSON" in error


@contextmanager
def imported(tmp_path: Path, paths: list[Path]) -> Iterator[tuple[Store, ImportReport]]:
    """A fresh project with `paths` imported, every file without an error."""
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run(paths)
        assert report.ok, [e for f in report.files for e in f.errors]
        yield store, report


def synthetic(synth: ModuleType, folder: Path, n: int, steps: int) -> list[Path]:
    """`n` files from a bench generator, which must write the same bytes again (benchmarks compare runs)."""
    paths = synth.write(folder, n, steps)
    assert synth.write(folder.parent / f"{folder.name}-again", 1, steps)[0].read_bytes() == paths[0].read_bytes()
    return paths


def synthetic_one(tmp_path: Path, synth: ModuleType, steps: int, trajectory_id: str) -> Trajectory:
    """Three files of a bench generator imported without an error; the one with `trajectory_id`, of `steps` steps."""
    with imported(tmp_path, synthetic(synth, tmp_path / "synth", 3, steps)) as (store, report):
        assert report.totals()["imported"] == 3
        found = store.trajectories.get(trajectory_id)
    assert found is not None and len(found.steps) == steps
    return found
