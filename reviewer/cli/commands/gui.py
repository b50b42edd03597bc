"""`reviewer gui`: the one command that loads Qt (this module is imported only when it runs)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reviewer.cli.options import annotator_option, db_option
from reviewer.cli.project import check_adjudicator_view, open_store, project_path
from reviewer.errors import OptionError, Reported, ReviewerError
from reviewer.gui.app import run


@click.command()
@db_option
@annotator_option("Who is reviewing (asked on first start, then remembered).")
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render the window to this PNG and exit (needs no display).",
)
@click.option("--open", "open_id", help="Select this trajectory first.")
@click.option("--tab", type=click.Choice(["transcript", "diffs", "reviewers", "guidelines"]), help="Start on this tab.")
@click.option(
    "--adjudicator",
    "adjudicating",
    is_flag=True,
    help="Settle disputes: every label visible, the form edits your adjudication (also on for the project's named adjudicators).",
)
@click.pass_context
def gui(
    ctx: click.Context,
    db: str | None,
    annotator: str | None,
    screenshot: Path | None,
    open_id: str | None,
    tab: str | None,
    adjudicating: bool,
) -> None:
    """Open the review app on the project file (created if missing)."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise ReviewerError("no display: set DISPLAY or WAYLAND_DISPLAY, or QT_QPA_PLATFORM=offscreen for a headless run")
    policy = open_store(ctx, db, must_exist=False).settings.adjudication
    if adjudicating and annotator is None:
        raise OptionError("--adjudicator needs --annotator NAME: an adjudication is signed by its adjudicator")
    check_adjudicator_view(policy, annotator, adjudicating)
    status = run(project_path(ctx, db, must_exist=False), annotator, screenshot, open_id, tab, adjudicating=adjudicating)
    if status != 0:
        raise Reported(status)
