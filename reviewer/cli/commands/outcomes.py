"""`reviewer outcomes attach`: SWE-bench evaluation results given to the stored trajectories they grade."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.batch import resolve_max_bytes
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, echo_problem
from reviewer.cli.project import open_store
from reviewer.errors import Reported, ReviewerError
from reviewer.outcomes import attach, read_paths


@click.group("outcomes")
def outcomes_group() -> None:
    """Grader outcomes kept apart from the agents' logs (SWE-bench evaluation results)."""


@outcomes_group.command("attach")
@db_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Only trajectories of this model (when several runs share an instance).")
@json_option("Print what each file matched as JSON.")
@click.pass_context
def attach_command(ctx: click.Context, db: str | None, paths: tuple[Path, ...], model: str | None, as_json: bool) -> None:
    """Attach SWE-bench results to stored trajectories, matched by instance id: a run report
    (resolved_ids, unresolved_ids, ...), results.json, a results summary, or per-instance
    logs/<instance>/report.json files (folders are searched). One line per file; attaching twice
    changes nothing. The outcomes stay hidden until each reviewer's blind first pass."""
    results, errors, skipped = read_paths(paths, resolve_max_bytes(None))
    for line in errors:
        echo_problem("error", line)
    store = open_store(ctx, db)
    reports = [attach(store, r, model=model) for r in results]
    if as_json:
        echo_json({"files": [r.to_dict() for r in reports], "errors": errors, "files_skipped": len(skipped), "skipped": skipped})
    else:
        for report in reports:
            click.echo(report.line())
        if skipped:
            click.echo(f"{len(skipped)} files in the folders given are not SWE-bench results (skipped)")
    if not reports and not errors:
        raise ReviewerError("no SWE-bench results file found in the paths given")
    if errors or not reports:
        raise Reported()
