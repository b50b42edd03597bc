"""`reviewer settings show` and `reviewer settings set`."""

from __future__ import annotations

import click

from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json
from reviewer.cli.project import open_store
from reviewer.errors import OptionError
from reviewer.textsafe import one_line

SETTINGS = {"adjudicators": "names, comma-separated (empty: anyone opening the app with --adjudicator)",
            "allow-self-adjudication": "true or false: may a reviewer settle a dispute they labelled"}  # fmt: skip


@click.group()
def settings() -> None:
    """Project settings, kept in the project file for every reviewer of it."""


@settings.command("show")
@db_option
@json_option()
@click.pass_context
def settings_show(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Print the project's settings."""
    values = open_store(ctx, db).settings.as_dict()
    if as_json:
        echo_json(values)
        return
    for key, value in values.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value).lower()
        click.echo(f"{key.replace('_', '-')}: {one_line(shown, 400) or '(none)'}")


@settings.command("set")
@db_option
@click.argument("key", type=click.Choice(list(SETTINGS)))
@click.argument("value")
@click.pass_context
def settings_set(ctx: click.Context, db: str | None, key: str, value: str) -> None:
    """Change one setting: adjudicators NAMES, or allow-self-adjudication true|false."""
    project = open_store(ctx, db).settings
    if key == "adjudicators":
        project.set_adjudicators(value.split(","))
    else:
        choice = value.strip().lower()
        if choice not in ("true", "false"):
            raise OptionError(f"allow-self-adjudication takes true or false, not {value!r}")
        project.set_allow_self_adjudication(choice == "true")
    click.echo(f"{key}: {value}")
