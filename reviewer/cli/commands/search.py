"""`reviewer search`."""

from __future__ import annotations

import click

from reviewer.cli import render
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, out
from reviewer.cli.project import open_store


@click.command()
@db_option
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option()
@click.pass_context
def search(ctx: click.Context, db: str | None, text: str, limit: int, as_json: bool) -> None:
    """Full-text search over step text, thinking and tool calls: steps holding every word of TEXT,
    best first (TEXT is taken literally, never as query syntax)."""
    hits = open_store(ctx, db).trajectories.search(text, limit=limit)
    if as_json:
        echo_json([{"trajectory_id": h.trajectory_id, "step": h.step, "role": h.role,
                    "snippet": h.snippet.replace(render.HIT_START, "").replace(render.HIT_END, "")} for h in hits])  # fmt: skip
    else:
        out().print(render.search_table(hits))
