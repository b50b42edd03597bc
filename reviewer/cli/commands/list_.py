"""`reviewer list`."""

from __future__ import annotations

import click

from reviewer.cli import render
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, echo_problem, out
from reviewer.cli.project import open_store
from reviewer.errors import OptionError
from reviewer.store.listing import BY_CLASSIFIER, RANKED, ListQuery, Queue


@click.command("list")
@db_option
@click.option("--labelled/--unlabelled", default=None, help="Only trajectories with / without any label.")
@click.option("--annotator", help="Only trajectories this annotator labelled.")
@click.option("--verdict", help="Only trajectories someone gave this verdict.")
@click.option("--stale", is_flag=True, help="List labels made under an older taxonomy version instead.")
@click.option(
    "--queue",
    type=click.Choice(RANKED),
    help="In review-queue order: nearest the classifier's threshold, most suspicious first, or a seeded random sample.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --queue random.")
@click.option(
    "--sort",
    type=click.Choice(["strongest"]),
    help="Strongest suggestion first (the highest detector, judge or classifier confidence), among the trajectories"
    " whose first pass --viewer has frozen (revealed); the others follow by id, as the blind rules require.",
)
@click.option("--viewer", help="The reviewer whose blind first passes --sort keeps blind.")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@json_option()
@click.pass_context
def list_command(
    ctx: click.Context, db: str | None, labelled: bool | None, annotator: str | None, verdict: str | None, stale: bool, queue: Queue | None,
    seed: int, sort: str | None, viewer: str | None, limit: int | None, as_json: bool,
) -> None:  # fmt: skip
    """List trajectories with their reviewers and verdicts, or with --stale the labels made under an
    older taxonomy version (due for re-review)."""
    store = open_store(ctx, db)
    if verdict is not None and verdict not in store.taxonomy.codes("verdict"):
        raise OptionError(f"unknown verdict {verdict!r} (known: {', '.join(store.taxonomy.codes('verdict'))})")
    if stale:
        labels = store.labels.stale()
        if as_json:
            echo_json([label.to_dict() for label in labels])
        else:
            out().print(render.label_table(labels, f"{len(labels)} labels made before taxonomy v{store.taxonomy.version}"))
        return
    if sort is not None and queue is not None:
        raise click.UsageError("--sort and --queue each set the order: give one")
    if sort is not None and viewer is None:
        raise OptionError("--sort strongest needs --viewer NAME: suggestions may order only what that reviewer has revealed")
    ordered = queue is not None or sort is not None
    rows = store.trajectories.rows(labelled=labelled, annotator=annotator, verdict=verdict, limit=None if ordered else limit)
    if queue is not None:
        if queue in BY_CLASSIFIER and store.listing.classifier() is None:
            echo_problem("note", "no classifier predictions yet: run `reviewer train` and `reviewer predict` first")
        order = store.listing.queue_ids(queue, seed)
    elif sort is not None:
        order = store.listing.ids(ListQuery(annotator=viewer, sort=sort, descending=True))
    if ordered:
        place = {tid: k for k, tid in enumerate(order)}
        rows = sorted((r for r in rows if r.id in place), key=lambda r: place[r.id])[:limit]
    if as_json:
        echo_json([
            {"id": r.id, "task_id": r.task_id, "model": r.model, "format": r.format, "steps": r.n_steps,
             "labels": r.n_labels, "annotators": list(r.annotators), "verdicts": list(r.verdicts)}
            for r in rows
        ])  # fmt: skip
    else:
        out().print(render.trajectory_table(rows))
