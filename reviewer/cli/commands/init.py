"""`reviewer init`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.options import db_option
from reviewer.cli.project import open_store
from reviewer.taxonomy import Taxonomy


@click.command()
@db_option
@click.option(
    "--taxonomy",
    "taxonomy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this taxonomy instead of the default.",
)
@click.pass_context
def init(ctx: click.Context, db: str | None, taxonomy_file: Path | None) -> None:
    """Create (or upgrade) the project file; with --taxonomy, make that file the project's taxonomy."""
    store = open_store(ctx, db, must_exist=False)
    if taxonomy_file is not None:
        store.set_taxonomy(Taxonomy.from_file(taxonomy_file))
    click.echo(
        f"project {store.path}: schema v{store.schema_version}, taxonomy v{store.taxonomy.version}, "
        f"{store.trajectories.count()} trajectories"
    )
