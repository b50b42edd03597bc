"""`reviewer team checkout`: a reviewer's slots as a SQLite project to label offline (reviewer.store.checkout)."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.options import annotator_option, db_option
from reviewer.cli.project import open_store
from reviewer.store.checkout import checkout


@click.group("team")
def team_group() -> None:
    """Work on a team's project away from it: check out your slots, label offline, bring the pack back."""


@team_group.command("checkout")
@db_option
@annotator_option("Whose slots.", required=True)
@click.option("--batch", default=None, help="Only this batch (default: every batch).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The new project file.")
@click.pass_context
def team_checkout(ctx: click.Context, db: str | None, annotator: str, batch: str | None, output: Path) -> None:
    """Write ANNOTATOR's slots into a new SQLite project: the trajectories, their own labels with
    versions, nobody else's labels, and nothing a blind first pass hides. Label there (`--db FILE`),
    then `labels export --db FILE -o PACK` and `labels import PACK` here: each edit applies where the
    label is still at the version checked out, and is kept as a flagged conflict where not."""
    done = checkout(open_store(ctx, db), output, annotator, batch)
    click.echo(
        f"wrote {done.trajectories} trajectories and {done.labels} of {annotator}'s labels to {output}"
        f" ({done.sighted} revealed: their outcome and suggestions came along)"
    )
