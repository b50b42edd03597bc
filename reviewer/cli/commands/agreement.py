"""`reviewer agreement`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from reviewer import jsonio
from reviewer.agreement import html
from reviewer.agreement.report import build_report, suggestions_as_labels
from reviewer.cli import agreement_view
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, out, writing_to
from reviewer.cli.project import open_store


@click.command()
@db_option
@click.option(
    "--labels",
    "choice",
    type=click.Choice(["first", "final"]),
    default="first",
    show_default=True,
    help="first: each reviewer's blind first pass (else current label); final: the final labels.",
)
@click.option(
    "--include-models",
    is_flag=True,
    help="Count model, classifier and detector labels (model:*, classifier:*, detectors) as raters.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap replicates for the 95% CIs (0: none).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed (recorded in the report).")
@json_option("Print the report as JSON (full precision).")
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write a self-contained HTML report."
)
@click.pass_context
def agreement(
    ctx: click.Context, db: str | None, choice: Literal["first", "final"], include_models: bool, bootstrap: int, seed: int,
    as_json: bool, html_path: Path | None,
) -> None:  # fmt: skip
    """Inter-rater agreement per field and per tag (% agree, Fleiss' κ, Krippendorff's α, AC1, with
    bootstrap CIs), reviewer pairs, confusion and the most disputed trajectories."""
    store = open_store(ctx, db)
    labels = store.labels.all() + suggestions_as_labels(store.suggestions.all(), store.taxonomy)
    report = build_report(labels, store.taxonomy, choice=choice, include_models=include_models, bootstrap=bootstrap, seed=seed)
    if html_path is not None:
        with writing_to(html_path), jsonio.atomic_write(html_path) as page:
            page.write(html.render(report))
        click.echo(f"wrote {html_path}", err=True)
    if as_json:
        echo_json(report)
    else:
        out().print(agreement_view.render(report))
