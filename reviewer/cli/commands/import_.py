"""`reviewer import`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.batch import batch_options, resolve_max_bytes, run_batch
from reviewer.cli.project import open_store
from reviewer.importer import Importer


@click.command("import")
@batch_options
@click.option("--detect/--no-detect", default=True, show_default=True, help="Run the cheat detectors on new trajectories.")
def import_command(
    ctx: click.Context, db: str | None, paths: tuple[Path, ...], fmt: str | None, max_bytes: int | None, as_json: bool,
    follow_symlinks: bool, detect: bool,
) -> None:  # fmt: skip
    """Import trajectory files, JSONL files and folders (recursively, in any supported format,
    detected from the content); label packs found on the way are merged. Exit 1 when any file failed
    (each named on its own line); the others are stored."""
    store = open_store(ctx, db, must_exist=False)
    importer = Importer(store, max_bytes=resolve_max_bytes(max_bytes), format_name=fmt, detect=detect, follow_symlinks=follow_symlinks)
    run_batch(importer, paths, as_json, "importing")
