"""`reviewer batch create` and `batch status`: plan review slots, N reviewers per item, and see the
progress (rules in reviewer.store.slots)."""

from __future__ import annotations

import json

import click

from reviewer.cli.options import db_option, json_option
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


@batch_group.command("status")
@db_option
@click.argument("name")
@json_option()
@click.pass_context
def batch_status(ctx: click.Context, db: str | None, name: str, as_json: bool) -> None:
    """Progress of batch NAME: items finished, open slots, and per reviewer the slots held and labelled."""
    status = open_store(ctx, db).slots.status(name)
    if as_json:
        click.echo(json.dumps(status.to_dict()))
        return
    click.echo(f"batch {name}: {status.items_done} of {status.items} items done, {status.open_slots} slots open")
    for who, held, labelled in status.reviewers:
        click.echo(f"  {who}: {labelled} of {held} slots labelled")
