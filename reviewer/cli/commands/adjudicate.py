"""`reviewer adjudicate`."""

from __future__ import annotations

from typing import Any

import click

from reviewer.adjudication import RESOLUTIONS, refusal
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json
from reviewer.cli.project import open_store
from reviewer.cli.taxonomy_options import TaxonomyCommand, apply_fields, evidence_option, evidence_spans
from reviewer.errors import ReviewerError
from reviewer.model import LABEL_FIELDS, Label
from reviewer.textsafe import one_line


@click.command(cls=TaxonomyCommand, required_fields=("verdict",))
@db_option
@click.argument("trajectory_id")
@click.option("--adjudicator", required=True, help="Who settles the dispute.")
@click.option("--reason", required=True, help="Why: which side was right, what the guideline missed.")
@click.option("--resolution", type=click.Choice([code for code, _ in RESOLUTIONS]))
@evidence_option
@json_option("Print the adjudication as JSON.")
@click.pass_context
def adjudicate(
    ctx: click.Context, db: str | None, trajectory_id: str, adjudicator: str, reason: str, resolution: str | None,
    evidence: tuple[str, ...], as_json: bool, fields: dict[str, Any],
) -> None:  # fmt: skip
    """Record the adjudication of a disputed trajectory (the gold label for export), apart from the
    adjudicator's own labels; one option per field of the project's taxonomy. It is written whole,
    replacing the adjudicator's earlier one: a field not given is empty. A reviewer cannot
    settle a dispute they are part of unless the project allows it, and where the project names its
    adjudicators only they may."""
    store = open_store(ctx, db)
    refused = refusal(store, adjudicator, trajectory_id)
    if refused is not None:
        raise ReviewerError(refused)
    draft = apply_fields(Label(trajectory_id, adjudicator), fields, spans=evidence_spans(store, trajectory_id, evidence))
    values = {name: getattr(draft, name) for name in LABEL_FIELDS if name != "verdict"}
    saved = store.labels.adjudicate(trajectory_id, adjudicator, fields["verdict"], reason, resolution, **values)
    others = [lb for lb in store.labels.all(trajectory_id=trajectory_id) if lb.adjudication is None and lb.verdict]
    if as_json:
        echo_json(saved.to_dict())
    else:
        click.echo(
            f"adjudicated {one_line(trajectory_id)}: {saved.verdict} by {one_line(adjudicator)} ({len(others)} "
            "reviewer labels on record)"
        )
