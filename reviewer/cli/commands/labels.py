"""`reviewer labels export` and `reviewer labels import`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer import jsonio
from reviewer.cli.batch import max_bytes_option, resolve_max_bytes, run_batch
from reviewer.cli.options import annotator_option, db_option, json_option
from reviewer.cli.output import echo_json, out, writing_to
from reviewer.cli.project import check_adjudicator_view, needs_viewer, open_store
from reviewer.cli.tables import Column, Listing
from reviewer.importer import Importer
from reviewer.labelpack import write_labels
from reviewer.model import Label
from reviewer.store.checkout import pack_labels
from reviewer.store.labels import Keep
from reviewer.textsafe import one_line


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
    """Write current labels as a pack; a file is replaced whole, never half-written. From a checkout
    (`team checkout`), its reviewer's labels, each with the version it was based on there."""
    records = pack_labels(open_store(ctx, db), annotator)
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
    """Merge label packs: idempotent (an edit id seen before is not applied again), history kept.

    A record from a checked-out project (`team checkout`) says which version of the label it was
    based on: applied where the label still has that version, kept as a flagged conflict where not
    (`labels conflicts`). Other records: the later edit wins by timestamp.

    A record whose created_at or updated_at has no time zone, cannot be read, or lies more than five
    minutes ahead of this machine's clock is refused (one line on stderr naming file:line, exit 1);
    the rest of the pack is merged.
    """
    store = open_store(ctx, db)
    run_batch(Importer(store, max_bytes=resolve_max_bytes(max_bytes), labels_only=True), packs, as_json, "merging")


@labels.command("conflicts")
@db_option
@annotator_option("Whose conflicts: your own labels' (needed unless --adjudicator).")
@click.option("--adjudicator", "adjudicating", is_flag=True, help="Every reviewer's conflicts (the adjudicator's view).")
@click.option("--all", "include_resolved", is_flag=True, help="Settled conflicts too.")
@json_option("Print each conflict as JSON, both values in full.")
@click.pass_context
def labels_conflicts(
    ctx: click.Context, db: str | None, annotator: str | None, adjudicating: bool, include_resolved: bool, as_json: bool
) -> None:
    """Edits kept but not applied: each was based on a version of its label that had been saved over
    elsewhere meanwhile. The label and the edit both stay; `labels resolve` settles one. A conflict
    holds verdicts, so a reviewer sees only their own; everyone's is the adjudicator's view."""
    store = open_store(ctx, db)
    if not adjudicating and annotator is None:
        needs_viewer("labels conflicts", "a conflict shows its reviewer's verdicts")
    check_adjudicator_view(store.settings.adjudication, annotator, adjudicating)
    found = store.labels.conflicts(annotator=None if adjudicating else annotator, include_resolved=include_resolved)
    if as_json:
        echo_json([c.to_dict() for c in found])
        return
    headers = ("edit", "trajectory", "reviewer", "pass", "based on", "stored", "edit's verdict", "stored verdict", "state")
    table = Listing([Column(h, drop={"stored": 1, "state": 2}.get(h, 0)) for h in headers])
    for c in found:
        stored = c.stored.verdict if c.stored else None
        table.add_row(
            c.edit_id[:8], one_line(c.edit.trajectory_id, 80), one_line(c.edit.annotator, 40), _pass(c.edit),
            f"v{c.based_on}", f"v{c.stored.version}" if c.stored and c.stored.version else "none",
            one_line(c.edit.verdict or "-", 40), one_line(stored or "-", 40), c.state,
        )  # fmt: skip
    out().print(table if found else "no conflicts")


def _pass(label: Label) -> str:
    return "adjudication" if label.adjudication is not None else "first pass" if label.first_pass else "final"


@labels.command("resolve")
@db_option
@click.argument("edit_id")
@click.option("--keep", type=click.Choice(["stored", "edit"]), required=True, help="The label as stored, or the kept edit.")
@annotator_option("Who settles it (recorded in the history).", required=True)
@click.pass_context
def labels_resolve(ctx: click.Context, db: str | None, edit_id: str, keep: Keep, annotator: str) -> None:
    """Settle the conflict EDIT_ID (its first characters are enough): keep the label as stored, or
    make the kept edit the label (a new version, in the history as any edit)."""
    label = open_store(ctx, db).labels.resolve(edit_id, keep, actor=annotator, origin="resolve")
    version = f"version {label.version}" if label is not None and label.version else "no label"
    click.echo(f"settled: kept the {'stored label' if keep == 'stored' else 'edit'} ({version})")
