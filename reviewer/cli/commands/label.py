"""`reviewer label`."""

from __future__ import annotations

from typing import Any

import click

from reviewer.cli.options import annotator_option, db_option, json_option
from reviewer.cli.output import echo_json
from reviewer.cli.project import open_store
from reviewer.cli.taxonomy_options import TaxonomyCommand, apply_fields, clear_option, evidence_option, evidence_spans
from reviewer.errors import OptionError
from reviewer.model import Label
from reviewer.textsafe import one_line


@click.command(cls=TaxonomyCommand)
@db_option
@click.argument("trajectory_id")
@annotator_option("Who is labelling.", required=True)
@click.option("--final", is_flag=True, help="Record the final label (after reveal) instead of the blind first pass.")
@click.option(
    "--revealed",
    multiple=True,
    type=click.Choice(["other_labels", "suggestions", "grader_outcome"]),
    help="What you could see when labelling; repeat for several.",
)
@clear_option
@evidence_option
@json_option("Print the stored label, with what it still misses, as JSON.")
@click.pass_context
def label(
    ctx: click.Context,
    db: str | None,
    trajectory_id: str,
    annotator: str,
    final: bool,
    revealed: tuple[str, ...],
    clear: tuple[str, ...],
    evidence: tuple[str, ...],
    as_json: bool,
    fields: dict[str, Any],
) -> None:
    """Set label fields from scripts: the options given replace the stored values, the others stay.
    There is one option per field of the project's taxonomy (`reviewer label --db PROJECT --help`
    lists them for that project). A label is stored whatever its completeness; unknown codes and
    out-of-range values are refused."""
    store = open_store(ctx, db)
    hidden = [name for name in fields if store.taxonomy.hidden_until_first_pass(name)]
    if hidden and not final:  # as in the app: shown after the blind first pass, so set on the final label only
        raise OptionError(f"{', '.join(hidden)}: only on the final label (--final), after your blind first pass")
    current = store.labels.get(trajectory_id, annotator, first_pass=not final)
    new = apply_fields(
        # based on what was read: a save from elsewhere in between is kept as a conflict, not overwritten
        Label.from_dict(current.to_dict()) if current else Label(trajectory_id, annotator, first_pass=not final, version=0),
        fields,
        taxonomy=store.taxonomy,
        clear=clear,
        spans=evidence_spans(store, trajectory_id, evidence),
    )
    for name in revealed:
        setattr(new.revealed, name, True)
    saved = store.labels.save(new, actor=annotator, origin="cli")
    if as_json:
        echo_json({**saved.to_dict(), "missing": store.taxonomy.missing(saved)})
        return
    state = "complete" if saved.complete else "incomplete: " + "; ".join(store.taxonomy.missing(saved))
    click.echo(
        f"saved {'final' if final else 'first-pass'} label of {one_line(trajectory_id)} by {one_line(annotator)} ({state})"
    )
