"""`reviewer queue next`, `queue list`, `queue release`: a reviewer's planned work (rules in reviewer.store.slots)."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from reviewer.cli.options import F, db_option, json_option
from reviewer.cli.project import open_store


@click.group("queue")
def queue_group() -> None:
    """A reviewer's planned work: claim the next slot of a batch, give back what they will not do."""


def whose_slots(who: str) -> Callable[[F], F]:
    """`--db`, `--annotator` (described by `who`) and `--batch`: what every queue command takes."""

    def decorate(func: F) -> F:
        func = click.option("--batch", default=None, help="Only this batch (default: any).")(func)
        return db_option(click.option("--annotator", required=True, help=who)(func))

    return decorate


@queue_group.command("next")
@whose_slots("Who claims.")
@json_option('Print {"trajectory_id", "batch", "slot", "lease_until"}, or null when nothing is left.')
@click.pass_context
def queue_next(ctx: click.Context, db: str | None, annotator: str, batch: str | None, as_json: bool) -> None:
    """Claim the next slot for ANNOTATOR: their unlabelled one first, else an open one (or one whose
    lease expired) of an item they hold none of. Exit 0 with nothing left too."""
    claim = open_store(ctx, db).slots.claim(annotator, batch)
    if as_json:
        click.echo(json.dumps(claim.to_dict() if claim else None))
    elif claim is None:
        click.echo(f"nothing left for {annotator}")
    else:
        click.echo(f"{claim.trajectory_id} (batch {claim.batch}, slot {claim.token}, yours until {claim.lease_until})")


@queue_group.command("list")
@whose_slots("Whose slots.")
@json_option('Print a list of {"batch", "trajectory_id", "state", "claimed_at", "lease_until"}.')
@click.pass_context
def queue_list(ctx: click.Context, db: str | None, annotator: str, batch: str | None, as_json: bool) -> None:
    """ANNOTATOR's slots in the order claimed, each labelled, held (lease running) or expired (anyone may claim it)."""
    held = open_store(ctx, db).slots.mine(annotator, batch)
    if as_json:
        click.echo(json.dumps([slot.to_dict() for slot in held]))
        return
    if not held:
        click.echo(f"{annotator} holds no slots")
    for slot in held:
        until = f" until {slot.lease_until}" if slot.state != "labelled" else ""
        click.echo(f"{slot.trajectory_id} (batch {slot.batch}): {slot.state}{until}")


@queue_group.command("release")
@whose_slots("Whose slots.")
@click.pass_context
def queue_release(ctx: click.Context, db: str | None, annotator: str, batch: str | None) -> None:
    """Give back ANNOTATOR's claimed slots they have not labelled: others may claim them at once."""
    released = open_store(ctx, db).slots.release(annotator, batch)
    click.echo(f"released {released} slots of {annotator}")
