"""`reviewer predict`: store a trained classifier's predictions as suggestions (see reviewer.train.predict).

scikit-learn comes in with this module, which the root group imports only when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, progress_bar
from reviewer.cli.project import open_store
from reviewer.errors import UnknownTrajectory
from reviewer.train.classifier import Classifier
from reviewer.train.predict import predict, record


@click.command("predict")
@click.argument("trajectory_ids", nargs=-1)
@db_option
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file written by `reviewer train` (its card beside it).",
)
@json_option("Print the predictions: trajectory_id, rater, probability, codes, evidence.")
@click.pass_context
def predict_command(ctx: click.Context, trajectory_ids: tuple[str, ...], db: str | None, model_path: Path, as_json: bool) -> None:
    """Score the given trajectories (all when none is given) with a trained classifier and store one
    suggestion each, of rater classifier:<model hash>: hidden, like every suggestion, until a
    reviewer's first pass. The review queues (`reviewer list --queue`) rank by the latest predictions."""
    store = open_store(ctx, db)
    classifier = Classifier.load(model_path)
    ids = list(dict.fromkeys(trajectory_ids)) if trajectory_ids else None
    try:
        with progress_bar("predicting", len(ids) if ids else store.trajectories.count(), shown=not as_json) as advance:
            made = predict(store, classifier, ids, progress=advance)
    except KeyError as exc:
        raise UnknownTrajectory(str(exc.args[0])) from None
    cheats = sum(s.confidence is not None and s.confidence >= classifier.threshold for s in made)
    click.echo(
        f"stored {len(made)} predictions of {classifier.rater} ({cheats} at or above the threshold {classifier.threshold:g})",
        err=True,
    )
    if as_json:
        echo_json([record(s) for s in made])
