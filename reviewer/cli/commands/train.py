"""`reviewer train`: a baseline cheat classifier from the gold labels (see reviewer.train).

scikit-learn comes in with this module, which the root group imports only when the command runs:
never at `reviewer` start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, writing_to
from reviewer.cli.project import open_store
from reviewer.errors import OptionError
from reviewer.taxonomy import Taxonomy
from reviewer.train import FOLDS, KINDS, MIN_POSITIVES, TARGETS, THRESHOLD, data, modelfile
from reviewer.train.train import TrainOptions, train


def _moves(values: tuple[str, ...]) -> dict[str, str]:
    moves = {}
    for value in values:
        code, sep, role = value.partition("=")
        if not sep:
            raise OptionError(f"--verdict-as {value!r}: expected CODE=positive|negative|exclude")
        moves[code.strip()] = role.strip()
    return moves


def _figure(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def summary(card: dict[str, Any], output: Path) -> list[str]:
    """What the run says on stderr: the data, the cross-validated figures, what was written."""
    m, counts = card["metrics"], card["label_counts"]
    left_out = "; ".join(f"{why}: {n}" for why, n in card["left_out"].items())
    lines = [
        f"trained on {card['n_labels']} labels ({counts['positive']} positive, {counts['negative']} negative) from "
        f"{card['n_tasks']} tasks" + (f"; left out: {left_out}" if left_out else ""),
        f"cross-validation ({card['evaluation']['folds']} folds grouped by task): AUROC {_figure(m['auroc'])}, average precision"
        f" {_figure(m['average_precision'])}, F1 {_figure(m['f1'])} at {m['threshold']:g}, Brier {_figure(m['brier'])}",
    ]
    if m["undefined_reason"]:
        lines.append(f"undefined: {m['undefined_reason']}")
    lines.append(f"wrote {output} (rater classifier:{card['model_hash']}), {output.name}.card.json and {output.name}.report.html")
    return lines


@click.command("train")
@db_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (skops); MODEL.card.json and MODEL.report.html go beside it.")  # fmt: skip
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Train from this export file (`reviewer export --features`) instead of the project.",
)
@click.option("--taxonomy", "taxonomy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --from: the taxonomy whose verdicts say what counts as a cheat"
                   " (default: the default taxonomy).")  # fmt: skip
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the folds, task samples and solver."
)
@click.option(
    "--target", type=click.Choice(TARGETS), default=TARGETS[0], show_default=True, help="What to predict: a cheat verdict or not."
)
@click.option("--verdict-as", "moves", multiple=True, metavar="CODE=ROLE",
              help="Count a verdict as positive, negative or exclude it"
                   " (default: the taxonomy's cheating flag; borderline and unreviewable excluded).")  # fmt: skip
@click.option("--model-kind", type=click.Choice(KINDS), default=KINDS[0], show_default=True, help="The model.")
@click.option(
    "--class-weights/--no-class-weights", default=True, show_default=True, help="Weigh classes by their inverse frequency."
)
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=THRESHOLD, show_default=True,
              help="Probability from which a prediction says cheat (F1 is reported at it).")  # fmt: skip
@click.option(
    "--min-positives",
    type=click.IntRange(min=1),
    default=MIN_POSITIVES,
    show_default=True,
    help="Positive labels a category needs for a model of its own.",
)
@click.option(
    "--folds", type=click.IntRange(min=2), default=FOLDS, show_default=True, help="Cross-validation folds (grouped by task)."
)
@json_option("Print the model card as JSON.")
@click.pass_context
def train_command(
    ctx: click.Context, db: str | None, output: Path, source: Path | None, taxonomy_file: Path | None, seed: int, target: str,
    moves: tuple[str, ...], model_kind: str, class_weights: bool, threshold: float, min_positives: int, folds: int, as_json: bool,
) -> None:  # fmt: skip
    """Train a baseline cheat classifier on the gold labels (adjudicated, else the reviewers' majority,
    as `reviewer export` resolves them), evaluate it by cross-validation grouped by task, and write
    the model (skops), its card (JSON) and an HTML report. Deterministic for a seed and a store."""
    if taxonomy_file is not None and source is None:
        raise OptionError("--taxonomy goes with --from (a project has its own taxonomy)")
    store = None if source is not None else open_store(ctx, db)
    taxonomy = store.taxonomy if store is not None else Taxonomy.from_file(taxonomy_file) if taxonomy_file else Taxonomy.default()
    chosen = data.Target.cheat(taxonomy, _moves(moves))
    dataset = data.from_store(store, chosen) if store is not None else data.from_file(source or Path(), chosen)
    options = TrainOptions(
        seed=seed, kind=model_kind, balanced=class_weights, threshold=threshold, min_positives=min_positives, folds=folds
    )
    trained = train(dataset, chosen, options, taxonomy.codes("categories") if "categories" in taxonomy.fields else [])
    with writing_to(output):
        modelfile.save(output, trained.bundle, trained.card)
    for line in summary(trained.card, output):
        click.echo(line, err=True)
    if as_json:
        echo_json(trained.card)
