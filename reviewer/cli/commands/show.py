"""`reviewer show`."""

from __future__ import annotations

from dataclasses import replace

import click

from reviewer.cli import transcript_view
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, echo_problem, out
from reviewer.cli.project import open_store
from reviewer.errors import UnknownTrajectory
from reviewer.model import Outcome


@click.command()
@db_option
@click.argument("trajectory_id")
@json_option("Print the canonical trajectory (schemas/trajectory.schema.json); its outcome empty unless --reveal-outcome.")
@click.option("--full", is_flag=True, help="Do not shorten long texts.")
@click.option("--reveal-outcome", is_flag=True, help="Show the grader outcome (hidden by default: label blind first).")
@click.pass_context
def show(ctx: click.Context, db: str | None, trajectory_id: str, as_json: bool, full: bool, reveal_outcome: bool) -> None:
    """Show one trajectory: transcript, tool calls and highlighted diffs, test and grader files
    marked. The grader outcome stays hidden unless asked for, so a first pass can be blind."""
    trajectory = open_store(ctx, db).trajectories.get(trajectory_id)
    if trajectory is None:
        raise UnknownTrajectory(trajectory_id)
    if as_json:
        if not reveal_outcome and trajectory.outcome != Outcome():
            trajectory = replace(trajectory, outcome=Outcome())
            echo_problem("note", "grader outcome withheld (blind first pass): --reveal-outcome includes it")
        echo_json(trajectory.to_dict())
    else:
        out().print(transcript_view.transcript(trajectory, limit=None if full else 4000, reveal_outcome=reveal_outcome))
