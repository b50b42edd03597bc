"""`reviewer outcomes attach`: SWE-bench evaluation results given to the stored trajectories they grade.

Thin glue over `reviewer.outcomes`. Defined apart from `reviewer.cli` and registered there, so this
module imports nothing from it at import time; the shared helpers are looked up when it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reviewer.outcomes import attach, read_paths
from reviewer.store import DB_ENV, DEFAULT_DB
from reviewer.textsafe import one_line


@click.group("outcomes")
def outcomes_group() -> None:
    """Grader outcomes kept apart from the agents' logs (SWE-bench evaluation results)."""


@outcomes_group.command("attach")
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False),
    help=f"Project file (default {DEFAULT_DB}, env {DB_ENV}; this option beats both).",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Only trajectories of this model (when several runs share an instance).")
@click.option("--json", "as_json", is_flag=True, help="Print what each file matched as JSON.")
@click.pass_context
def attach_command(ctx: click.Context, db: str | None, paths: tuple[Path, ...], model: str | None, as_json: bool) -> None:
    """Attach SWE-bench results to stored trajectories, matched by instance id: a run report
    (resolved_ids, unresolved_ids, ...), results.json, a results summary, or per-instance
    logs/<instance>/report.json files (folders are searched). One line per file; attaching twice
    changes nothing. The outcomes stay hidden until each reviewer's blind first pass."""
    from reviewer.cli import echo_json, fail, open_store, resolve_max_bytes

    results, errors, skipped = read_paths(paths, resolve_max_bytes(None))
    for line in errors:
        click.echo(f"error: {one_line(line, 2000)}", err=True)
    store = open_store(ctx, db)
    reports = [attach(store, r, model=model) for r in results]
    if as_json:
        echo_json({"files": [r.to_dict() for r in reports], "errors": errors, "files_skipped": len(skipped), "skipped": skipped})
    else:
        for report in reports:
            click.echo(report.line())
        if skipped:
            click.echo(f"{len(skipped)} files in the folders given are not SWE-bench results (skipped)")
    if errors or not reports:
        if not reports and not errors:
            fail("no SWE-bench results file found in the paths given")
        sys.exit(1)
