"""`reviewer batch create`, `batch status` and `batch rebalance`: plan review slots, N reviewers per
item with gold items and tie-breaks, see the progress, give back what absent reviewers hold (rules in
reviewer.store.slots, reviewer.store.votes and reviewer.store.batch_status)."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from reviewer.cli.options import annotator_option, db_option, json_option
from reviewer.cli.project import check_adjudicator_view, open_store
from reviewer.errors import OptionError, ReviewerError
from reviewer.store.listing import ListQuery
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
@click.option("--seed", type=int, default=0, show_default=True, help="Order of the items and gold picks: same seed, same plan.")
@click.option(
    "--max-extra", type=click.IntRange(min=0), default=0, show_default=True,
    help="Extra reviewers an item may get, one at a time, when its first-pass verdicts split; then it goes to adjudication.",
)  # fmt: skip
@click.option(
    "--gold-rate", type=float, default=0.0, show_default=True,
    help="Share of the batch's items that are gold (calibration): items with a settled adjudication, interleaved.",
)  # fmt: skip
@click.option(
    "--query",
    help="Instead of IDS: the trajectories whose text holds every word of QUERY (as `reviewer search` and the app find them).",
)
@click.pass_context
def batch_create(
    ctx: click.Context,
    db: str | None,
    name: str,
    ids: tuple[str, ...],
    overlap: int,
    lease: str,
    seed: int,
    max_extra: int,
    gold_rate: float,
    query: str | None,
) -> None:
    """Plan batch NAME over the trajectories IDS, or those --query finds (all of them when neither is
    given; with --gold-rate, all but the gold ones)."""
    duration = parse_lease(lease)
    store = open_store(ctx, db)
    chosen = list(ids)
    if query is not None:
        if ids:
            raise OptionError("batch create takes IDS or --query, not both")
        # Text with no word to search for finds nothing, as `reviewer search` finds nothing for it (the
        # list drops such a filter and would show every trajectory).
        words = store.trajectories.index.query(query) is not None
        chosen = [row.id for row in store.listing.rows(ListQuery(text=query))] if words else []
        if not chosen:  # never "every trajectory": an empty list of ids means all of them below
            raise ReviewerError(f"--query {query!r} finds no trajectory: no batch planned")
    planned = store.slots.create_batch(
        name, chosen or None, overlap=overlap, lease=duration, seed=seed, max_extra=max_extra, gold_rate=gold_rate
    )
    click.echo(f"batch {name}: {planned} slots ({planned // overlap} items x {overlap} reviewers)")


@batch_group.command("status")
@db_option
@click.argument("name")
@annotator_option("Who is looking (the adjudicator's view needs one of the project's adjudicators, when it names some).")
@click.option(
    "--adjudicator", "adjudicating", is_flag=True,
    help="Also each item's state and first-pass votes (what reviewers said: the adjudicator's view, as `list --adjudicator`).",
)  # fmt: skip
@json_option()
@click.pass_context
def batch_status(ctx: click.Context, db: str | None, name: str, annotator: str | None, adjudicating: bool, as_json: bool) -> None:
    """Progress of batch NAME: items finished, open slots, per reviewer the slots held and labelled and
    the calibration on gold items they revealed; with --adjudicator each item's state (open, tie-break,
    agreed, adjudication, settled, gold, set-aside) and votes."""
    store = open_store(ctx, db)
    check_adjudicator_view(store.settings.adjudication, annotator, adjudicating)
    status = store.slots.status(name, items=adjudicating)
    if as_json:
        click.echo(json.dumps(status.to_dict()))
        return
    beyond = f", {status.over_coverage} first passes beyond the plan (over-coverage)" if status.over_coverage else ""
    click.echo(f"batch {name}: {status.items_done} of {status.items} items done, {status.open_slots} slots open{beyond}")
    for reviewer in status.reviewers:
        scores = reviewer.calibration
        gold = f"; gold: verdict {scores.verdict} of {scores.gold}, codes {scores.codes} of {scores.gold}" if scores.gold else ""
        extra = f"; {reviewer.beyond} without a slot" if reviewer.beyond else ""
        click.echo(f"  {reviewer.annotator}: {reviewer.labelled} of {reviewer.slots} slots labelled{gold}{extra}")
    if status.item_states is not None:
        click.echo("items: " + (", ".join(f"{n} {state}" for state, n in status.states().items()) or "none"))
        for item in status.item_states:
            votes = ", ".join(f"{verdict} {n}" for verdict, n in item.votes.items())
            click.echo(
                f"  {item.trajectory_id}: {item.state}{' (gold)' if item.gold and item.state != 'gold' else ''}"
                + (f" [{votes}]" if votes else "")
                + (f" {item.set_aside} set aside" if item.set_aside else "")
            )


@batch_group.command("rebalance")
@db_option
@click.argument("name", required=False)
@click.option(
    "--inactive", type=click.FloatRange(min=0, min_open=True), required=True, help="Days without a claim, renewal or saved label."
)
@click.pass_context
def batch_rebalance(ctx: click.Context, db: str | None, name: str | None, inactive: float) -> None:
    """Give back to the pool the unlabelled slots (of batch NAME, or all) of reviewers inactive for
    --inactive DAYS: others may claim them at once; labels already saved stay."""
    released = open_store(ctx, db).slots.rebalance(timedelta(days=inactive), name)
    if not released:
        click.echo(f"nobody inactive for {inactive:g} days holds a slot")
    for who, n in released.items():
        click.echo(f"released {n} slots of {who}")
