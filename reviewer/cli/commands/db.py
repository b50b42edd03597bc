"""`reviewer db backup` and `reviewer db check`."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.options import db_option
from reviewer.cli.output import echo_problem, writing_to
from reviewer.cli.project import open_store, project_path
from reviewer.errors import ReviewerError
from reviewer.store import integrity_problems


@click.group("db")
def db_group() -> None:
    """Look after the project file: a safe copy, a health check."""


@db_group.command("backup")
@db_option
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@click.pass_context
def db_backup(ctx: click.Context, db: str | None, dest: Path, force: bool) -> None:
    """Copy the project to DEST through SQLite's online backup: consistent while others write, with
    the labels still in the -wal, and DEST complete on its own (copying the file alone loses those)."""
    store = open_store(ctx, db)
    with writing_to(dest):
        store.back_up(dest, force=force)
    click.echo(f"copied {store.path} to {dest}")


@db_group.command("check")
@db_option
@click.pass_context
def db_check(ctx: click.Context, db: str | None) -> None:
    """Check the project file for damage (SQLite's integrity and foreign-key checks), reading only:
    one line per problem and exit 1 when damaged."""
    path = project_path(ctx, db)
    problems = integrity_problems(path)
    for problem in problems:
        echo_problem("error", f"{path}: {problem}")
    if problems:
        raise ReviewerError(
            f"{path} is damaged: restore an earlier copy (`reviewer db backup` makes them), or save the labels that"
            " still read (`reviewer labels export -o labels.jsonl`) and import them with the trajectories into a new project"
        )
    click.echo(f"{path}: ok (integrity and foreign keys)")
