"""`reviewer batch create`: plan review slots, N reviewers per item (rules in reviewer.store.slots)."""

from __future__ import annotations

import click

from reviewer.cli.options import db_option
from reviewer.cli.project import open_store
from reviewer.store.slots import parse_lease


@click.group("batch")
def batch_group() -> None:
    """Planned work: batches of review slots, N distinct reviewers per item."""


@batch_group.command("create")
@db_option
@click.argument("name")
@click.argument("ids", nargs=-1)
@click.option("--overlap", type=click.IntRange(min=1), required=True, help="Distinct reviewers per item.")
@click.option("--lease", default="24h", show_default=True, help="How long a claimed slot stays its reviewer's (s, m, h, d).")
@click.option("--seed", type=int, default=0, show_default=True, help="Order of the items: same seed, same plan.")
@click.pass_context
def batch_create(
    ctx: click.Context, db: str | None, name: str, ids: tuple[str, ...], overlap: int, lease: str, seed: int
) -> None:
    """Plan batch NAME over the trajectories IDS (all of them when none are given)."""
    duration = parse_lease(lease)
    store = open_store(ctx, db)
    planned = store.slots.create_batch(name, list(ids) or store.trajectories.ids(), overlap=overlap, lease=duration, seed=seed)
    click.echo(f"batch {name}: {planned} slots ({planned // overlap} items x {overlap} reviewers)")
