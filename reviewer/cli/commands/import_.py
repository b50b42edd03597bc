"""`reviewer import`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.batch import batch_options, resolve_max_bytes, run_batch
from reviewer.cli.project import open_store
from reviewer.errors import ReviewerError
from reviewer.importer import Importer
from reviewer.outcomes import ResultsFile, read_paths


def read_outcome_files(paths: tuple[Path, ...], max_bytes: int) -> list[ResultsFile]:
    """The --outcomes files, all read before anything is imported: a bad one stops the command."""
    results, errors, _skipped = read_paths(paths, max_bytes)
    if errors:
        raise ReviewerError(errors[0])
    if paths and not results:
        raise ReviewerError(f"no SWE-bench results file in {', '.join(map(str, paths))}")
    return results


@click.command("import")
@batch_options
@click.option("--detect/--no-detect", default=True, show_default=True, help="Run the cheat detectors on new trajectories.")
@click.option("--outcomes", "outcomes", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="SWE-bench results (a run report, results.json, or a folder of logs/<instance>/report.json) to attach"
                   " to the trajectories read, by instance id; repeat for several.")  # fmt: skip
def import_command(
    ctx: click.Context, db: str | None, paths: tuple[Path, ...], fmt: str | None, max_bytes: int | None, as_json: bool,
    follow_symlinks: bool, detect: bool, outcomes: tuple[Path, ...],
) -> None:  # fmt: skip
    """Import trajectory files, JSONL files and folders (recursively, in any supported format,
    detected from the content); label packs found on the way are merged. Exit 1 when any file failed
    (each named on its own line); the others are stored."""
    limit = resolve_max_bytes(max_bytes)
    results = read_outcome_files(outcomes, limit)  # a bad results file stops the command before anything is stored
    store = open_store(ctx, db, must_exist=False)
    importer = Importer(store, max_bytes=limit, format_name=fmt, detect=detect, follow_symlinks=follow_symlinks, outcomes=results)
    run_batch(importer, paths, as_json, "importing")
