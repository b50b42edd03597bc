"""`reviewer export`: the classifier training export (see reviewer.export for what a record holds)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reviewer.cli.options import db_option
from reviewer.cli.output import writing_to
from reviewer.cli.project import open_store
from reviewer.export import ExportOptions, ExportSummary, export, write
from reviewer.export.formats import FORMATS
from reviewer.export.splits import DEFAULT_SPEC


@click.command("export")
@db_option
@click.option("-o", "--output", required=True, help="File to write ('-' for stdout); replaced whole, never half-written.")
@click.option("--format", "fmt", default="jsonl", show_default=True, help=f"One of: {', '.join(FORMATS)}.")
@click.option(
    "--aggregate", default="majority", show_default=True, help="Gold label where none is adjudicated: majority or dawid-skene."
)
@click.option("--split", "split", default=DEFAULT_SPEC, show_default=True, help="Split shares; whole tasks go to one split.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split assignment.")
@click.option(
    "--min-reviewers", type=int, default=0, show_default=True, help="Only trajectories with at least N reviewers' verdicts."
)
@click.option("--verdict", help="Only trajectories whose gold verdict is this code.")
@click.option("--only-adjudicated", is_flag=True, help="Only trajectories with an adjudicated label.")
@click.option("--include-unlabelled", is_flag=True, help="Also write trajectories nobody gave a verdict (label: null).")
@click.option("--with-text", is_flag=True, help="csv: add the rendered text column.")
@click.option(
    "--csv-raw", is_flag=True, help="csv: write text cells as they are (no leading ' on formula-like cells, minimal quoting)."
)
@click.option(
    "--features", is_flag=True, help="jsonl: add what `reviewer train` reads beside the text (sections, detectors, facts)."
)
@click.pass_context
def export_command(
    ctx: click.Context, db: str | None, output: str, fmt: str, aggregate: str, split: str, seed: int,
    min_reviewers: int, verdict: str | None, only_adjudicated: bool, include_unlabelled: bool, with_text: bool, csv_raw: bool,
    features: bool,
) -> None:  # fmt: skip
    """Write one training record per labelled trajectory: text, gold label, soft label, every label,
    evidence, split. Trajectories without any reviewer's verdict are left out unless
    --include-unlabelled.

    CSV is made safe to open in a spreadsheet: every text cell is quoted, and one that starts with
    = + - @, a tab or a carriage return (which a spreadsheet would run as a formula) gets a leading '.
    Numbers stay numbers. --csv-raw writes the cells as they are.
    """
    options = ExportOptions(
        fmt, aggregate, split, seed, min_reviewers, verdict, only_adjudicated, with_text, csv_raw, include_unlabelled, features
    )
    store = open_store(ctx, db)
    options.validate(store.taxonomy)
    with writing_to(output):
        if output == "-":
            stdout = sys.stdout.buffer  # UTF-8 whatever the locale: the records are raw text
            summary = export(store, options, lambda text: stdout.write(text.encode("utf-8")))
        else:
            summary = write(store, options, Path(output))
    click.echo(describe(summary, output), err=True)


def describe(summary: ExportSummary, output: str) -> str:
    skipped = f" ({summary.skipped} without a gold verdict left out)" if summary.skipped else ""
    return f"wrote {summary.written} records to {'stdout' if output == '-' else output}{skipped}"
