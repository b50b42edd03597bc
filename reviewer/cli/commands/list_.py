"""`reviewer list`: the app's list (`reviewer.store.listing`) on the command line, blind alike."""

from __future__ import annotations

import click

from reviewer.cli import render
from reviewer.cli.options import annotator_option, db_option, json_option
from reviewer.cli.output import echo_json, echo_problem, out
from reviewer.cli.project import check_adjudicator_view, needs_viewer, open_store
from reviewer.errors import OptionError
from reviewer.store.listing import BY_CLASSIFIER, QUEUES, RANKED, ListQuery, Queue

_SPELLINGS = "--viewer, REVIEWER_ANNOTATOR"  # how `list` takes a name beside --annotator


@click.command("list")
@db_option
@annotator_option(
    "Who is looking: your own status and verdict, and what others said only of items whose first pass you froze.",
    also=("--viewer",),
)
@click.option(
    "--adjudicator",
    "adjudicating",
    is_flag=True,
    help="The adjudicator's (lead's) view, as `gui --adjudicator`: what others said on every item you have not labelled.",
)
@click.option(
    "--labelled/--unlabelled", default=None, help="Only items you have / have not labelled (--adjudicator alone: anyone)."
)
@click.option("--verdict", help="Only items with this verdict of yours (--adjudicator: anyone's, on the items you may see).")
@click.option(
    "--stale",
    is_flag=True,
    help="List labels made under an older taxonomy version instead (yours, and others' you may see; needs --annotator"
    " or --adjudicator).",
)
@click.option(
    "--queue",
    type=click.Choice(QUEUES),
    default=None,
    help="The app's queues: yours to finish, unlabelled by you, disputed, nearest the classifier's threshold, most"
    " suspicious first, a seeded random sample (these three in their own order), or the items you hold a slot of"
    " (planned work: `queue next`).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --queue random.")
@click.option(
    "--sort",
    type=click.Choice(["strongest"]),
    help="Strongest suggestion first (the highest detector, judge or classifier confidence), among the items you have"
    " sighted; the others follow by id, as the blind rules require.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None)
@json_option()
@click.pass_context
def list_command(
    ctx: click.Context, db: str | None, annotator: str | None, adjudicating: bool, labelled: bool | None, verdict: str | None,
    stale: bool, queue: Queue | None, seed: int, sort: str | None, limit: int | None, as_json: bool,
) -> None:  # fmt: skip
    """List trajectories, or with --stale the labels made under an older taxonomy version (due for
    re-review). Like the app, the list keeps a blind first pass blind: reviewers, flags, verdicts and
    the strongest suggestion show only on items you have sighted (revealed, or in the adjudicator's view)."""
    store = open_store(ctx, db)
    if verdict is not None and verdict not in store.taxonomy.codes("verdict"):
        raise OptionError(f"unknown verdict {verdict!r} (known: {', '.join(store.taxonomy.codes('verdict'))})")
    if sort is not None and queue in RANKED:
        raise click.UsageError(f"--sort and --queue {queue} each set the order: give one")
    if annotator is None and not adjudicating:
        # Nobody named sees nobody's labels and no suggestion: an empty answer would say "none" untruly.
        if sort is not None:
            needs_viewer("--sort strongest", "suggestions may order only what the viewer has sighted", spellings=_SPELLINGS)
        if stale:
            needs_viewer("--stale", "stale labels are someone's, and nobody named may see any", spellings=_SPELLINGS)
    check_adjudicator_view(store.settings.adjudication, annotator, adjudicating)
    q = ListQuery(annotator=annotator, adjudicator=adjudicating, queue=queue or "all", verdict=verdict, labelled=labelled,
                  seed=seed, sort=sort or "queue", descending=sort is not None)  # fmt: skip
    if stale:
        labels = store.listing.visible_labels(q, store.labels.stale())
        if as_json:
            echo_json([label.to_dict() for label in labels])
        else:
            out().print(render.label_table(labels, f"{len(labels)} labels made before taxonomy v{store.taxonomy.version}"))
        return
    if q.queue in BY_CLASSIFIER and store.listing.classifier() is None:
        echo_problem("note", "no classifier predictions yet: run `reviewer train` and `reviewer predict` first")
    rows = store.listing.rows(q, limit)
    _say_if_blind(q)
    if as_json:
        echo_json([
            {"id": r.id, "task_id": r.task_id, "model": r.model, "format": r.format, "steps": r.n_steps, "status": r.status,
             "reviewers": r.n_reviewers, "flags": r.n_flags, "verdicts": r.disputed_on.split(" ≠ ") if r.disputed_on else None,
             "strongest": r.strongest}
            for r in rows
        ])  # fmt: skip
    else:
        out().print(render.trajectory_table(rows))


def _say_if_blind(q: ListQuery) -> None:
    """Once the list is read (an unreadable project is then the only line): why no verdicts show."""
    if q.annotator is None and not q.adjudicator:
        echo_problem("note", "nobody named (--annotator NAME or REVIEWER_ANNOTATOR): what reviewers said stays hidden")
