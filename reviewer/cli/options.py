"""The options commands share, declared once, and the rules that resolve their values.

Cheap to import (click and the standard library only): the root group declares `--db` from here
before any command is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

DEFAULT_DB = "reviewer.db"
DB_ENV = "REVIEWER_DB"
ANNOTATOR_ENV = "REVIEWER_ANNOTATOR"
PROJECT = "reviewer.project"
"""Key in the click context's meta: the project file the command uses, for the root group's errors."""

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """`--db`, on `reviewer` itself and on every command that reads a project (resolved by `db_path`)."""
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False), default=None,
        help=f"Project file (default {DEFAULT_DB}, env {DB_ENV}; an explicit --db beats the variable).",
    )(func)  # fmt: skip


def db_path(ctx: click.Context, local: str | None) -> Path:
    """The command's `--db` beats `reviewer --db`, then $REVIEWER_DB, then ./reviewer.db: an explicit
    option always beats the environment (the variable, read by each command's own option, once
    silently sent labels to the wrong project)."""
    root = ctx.find_root().params.get("db")
    return Path(local or root or os.environ.get(DB_ENV) or DEFAULT_DB)


def db_given(ctx: click.Context, local: str | None) -> bool:
    """Whether a project file was named at all (an option or the variable), rather than defaulted."""
    return bool(local or ctx.find_root().params.get("db") or os.environ.get(DB_ENV))


def annotator_option(help: str, *, required: bool = False, also: tuple[str, ...] = ()) -> Callable[[F], F]:
    """`--annotator NAME` (and the spellings in `also`), who is labelling or looking; $REVIEWER_ANNOTATOR
    when not given (the option beats it)."""
    return click.option("--annotator", *also, "annotator", envvar=ANNOTATOR_ENV, show_envvar=True, required=required, help=help)


def json_option(help: str = "Print the result as JSON on stdout.") -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help)
