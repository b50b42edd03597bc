"""`reviewer db backup`, `db check`, `db upgrade` (a server's schema) and `db copy` (between backends)."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.options import SERVER_PREFIXES, db_option
from reviewer.cli.output import echo_problem, writing_to
from reviewer.cli.project import open_store, project_path
from reviewer.errors import ReviewerError
from reviewer.store import Store, integrity_problems


@click.group("db")
def db_group() -> None:
    """Look after the project: a safe copy, a health check, upgrades, a copy to another backend."""


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
    click.echo(f"copied {store.name} to {dest}")


@db_group.command("check")
@db_option
@click.pass_context
def db_check(ctx: click.Context, db: str | None) -> None:
    """Check the project file for damage (SQLite's integrity and foreign-key checks), reading only:
    one line per problem and exit 1 when damaged."""
    path = project_path(ctx, db)
    if not isinstance(path, Path):
        raise ReviewerError("db check reads a SQLite file; a server checks its own data (its foreign keys are enforced)")
    problems = integrity_problems(path)
    for problem in problems:
        echo_problem("error", f"{path}: {problem}")
    if problems:
        raise ReviewerError(
            f"{path} is damaged: restore an earlier copy (`reviewer db backup` makes them), or save the labels that"
            " still read (`reviewer labels export -o labels.jsonl`) and import them with the trajectories into a new project"
        )
    click.echo(f"{path}: ok (integrity and foreign keys)")


@db_group.command("upgrade")
@db_option
@click.option("--sql", "show_sql", is_flag=True, help="Print the DDL the upgrade would run, and change nothing.")
@click.pass_context
def db_upgrade(ctx: click.Context, db: str | None, show_sql: bool) -> None:
    """Bring a PostgreSQL project to this reviewer's schema (creating it in an empty schema): the only
    way a server's schema changes. Safe to run from several machines at once (an advisory lock). A
    SQLite file upgrades itself when opened, with a backup first."""
    location = project_path(ctx, db, must_exist=False)
    if isinstance(location, Path):
        with Store(location) as store:
            click.echo(f"{location}: schema v{store.schema_version} (SQLite files upgrade when opened)")
        return
    from reviewer.store import pg_schema

    click.echo(pg_schema.run_upgrade(location, dry_run=show_sql))


@db_group.command("copy")
@click.argument("src")
@click.argument("dst")
def db_copy(src: str, dst: str) -> None:
    """Copy the whole project SRC into DST, a new SQLite file or an empty, upgraded server schema
    (files or postgresql:// URLs, either way): labels with their history, original files,
    suggestions, settings. The search index is rebuilt in DST."""
    from reviewer.store.copy import copy_project

    source = Path(src) if not src.startswith(SERVER_PREFIXES) else src
    if isinstance(source, Path) and not source.is_file():
        raise ReviewerError(f"no project file at {src}")
    with Store(source) as origin, Store(Path(dst) if not dst.startswith(SERVER_PREFIXES) else dst) as target:
        counts = copy_project(origin, target)
        click.echo(f"copied {origin.name} to {target.name}: " + ", ".join(f"{n} {table}" for table, n in counts.items()))


@db_group.command("grant")
@db_option
@click.argument("roles", nargs=-1, required=True)
@click.pass_context
def db_grant(ctx: click.Context, db: str | None, roles: tuple[str, ...]) -> None:
    """Let these server logins (one per reviewer; made by the server's administrator) review the
    project: they read everything and write only their own labels and history (row-level security)."""
    location = project_path(ctx, db)
    if isinstance(location, Path):
        raise ReviewerError("db grant is for a project on a PostgreSQL server; a SQLite file has no logins")
    from reviewer.store import pg_schema

    with Store(location) as store:
        pg_schema.grant_reviewers(store.db, list(roles))  # type: ignore[arg-type]
    click.echo(f"{', '.join(roles)} may review {store.name}, each writing only their own labels")
