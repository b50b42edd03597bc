"""`reviewer validate`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.batch import batch_options, resolve_max_bytes, run_batch
from reviewer.cli.options import db_given, db_path
from reviewer.cli.output import echo_problem
from reviewer.cli.project import open_store
from reviewer.importer import Importer


@click.command()
@batch_options
def validate(
    ctx: click.Context, db: str | None, paths: tuple[Path, ...], fmt: str | None, max_bytes: int | None, as_json: bool,
    follow_symlinks: bool,
) -> None:  # fmt: skip
    """Check files as `import` would, storing nothing. Needs no project file; given an existing one
    (--db or REVIEWER_DB), also checks ids and label packs against it. A project file named but
    missing is said in one line, and the files are checked on their own."""
    store = None
    if db_given(ctx, db):
        if isinstance(location := db_path(ctx, db), str) or location.exists():
            store = open_store(ctx, db)
        else:
            echo_problem("note", f"no project file at {db_path(ctx, db)}: ids and label packs are checked without one")
    importer = Importer(
        store, dry_run=True, max_bytes=resolve_max_bytes(max_bytes), format_name=fmt, follow_symlinks=follow_symlinks
    )
    run_batch(importer, paths, as_json, "validating")
