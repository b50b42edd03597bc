"""`reviewer labels export` and `reviewer labels import`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer import jsonio
from reviewer.cli.batch import max_bytes_option, resolve_max_bytes, run_batch
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import writing_to
from reviewer.cli.project import open_store
from reviewer.importer import Importer
from reviewer.labelpack import write_labels


@click.group()
def labels() -> None:
    """Exchange label packs (JSONL of label records, schemas/label.schema.json) between reviewers' machines."""


@labels.command("export")
@db_option
@click.option("--annotator", help="Only this annotator's labels.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Pack file to write ('-' for stdout)."
)
@click.pass_context
def labels_export(ctx: click.Context, db: str | None, annotator: str | None, output: Path) -> None:
    """Write current labels as a pack; a file is replaced whole, never half-written."""
    records = open_store(ctx, db).labels.all(annotator=annotator)
    if str(output) == "-":
        for line in write_labels(records):
            click.echo(line, nl=False)
        return
    with writing_to(output), jsonio.atomic_write(output) as handle:
        handle.writelines(write_labels(records))
    click.echo(f"wrote {len(records)} labels to {output}", err=True)


@labels.command("import")
@db_option
@click.argument("packs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@max_bytes_option
@json_option("Print the summary as JSON.")
@click.pass_context
def labels_import(ctx: click.Context, db: str | None, packs: tuple[Path, ...], max_bytes: int | None, as_json: bool) -> None:
    """Merge label packs: idempotent, later edits win by timestamp, history kept.

    A record whose created_at or updated_at has no time zone, cannot be read, or lies more than five
    minutes ahead of this machine's clock is refused (one line on stderr naming file:line, exit 1);
    the rest of the pack is merged.
    """
    store = open_store(ctx, db)
    run_batch(Importer(store, max_bytes=resolve_max_bytes(max_bytes), labels_only=True), packs, as_json, "merging")
