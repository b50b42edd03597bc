"""`reviewer predict`: store a trained classifier's predictions as suggestions (see reviewer.train.predict).

Defined apart from `reviewer.cli` and registered there, so this module must not import from it at
import time. scikit-learn comes in with `reviewer.train`'s submodules, imported when the command
runs: never at `reviewer` start-up.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.store import DB_ENV, DEFAULT_DB


@click.command("predict")
@click.argument("trajectory_ids", nargs=-1)
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False),
    help=f"Project file (default {DEFAULT_DB}, env {DB_ENV}; this option beats both).",
)
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file written by `reviewer train` (its card beside it).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the predictions: trajectory_id, rater, probability, codes, evidence."
)
@click.pass_context
def predict_command(ctx: click.Context, trajectory_ids: tuple[str, ...], db: str | None, model_path: Path, as_json: bool) -> None:
    """Score the given trajectories (all when none is given) with a trained classifier and store one
    suggestion each, of rater classifier:<model hash>: hidden, like every suggestion, until a
    reviewer's first pass. The review queues (`reviewer list --queue`) rank by the latest predictions."""
    from reviewer.cli import echo_json, fail, open_store
    from reviewer.textsafe import one_line
    from reviewer.train.classifier import Classifier
    from reviewer.train.modelfile import ModelError
    from reviewer.train.predict import predict, record

    store = open_store(ctx, db)
    try:
        classifier = Classifier.load(model_path)
        made = predict(store, classifier, list(dict.fromkeys(trajectory_ids)) if trajectory_ids else None)
    except ModelError as exc:
        fail(str(exc))
    except KeyError as exc:
        fail(f"unknown trajectory {one_line(str(exc.args[0]), 200)!r}")
    cheats = sum(s.confidence is not None and s.confidence >= classifier.threshold for s in made)
    click.echo(
        f"stored {len(made)} predictions of {classifier.rater} ({cheats} at or above the threshold {classifier.threshold:g})",
        err=True,
    )
    if as_json:
        echo_json([record(s) for s in made])
