"""The project file a command works on: found by the options' rules, opened, remembered for errors."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from reviewer.cli.options import PROJECT, db_path
from reviewer.errors import OptionError, ReviewerError
from reviewer.store import Store
from reviewer.store.settings import AdjudicationPolicy


def project_path(ctx: click.Context, local: str | None, *, must_exist: bool = True) -> Path | str:
    """The project file (or server URL) this command uses, remembered so a SQLite error later can name it."""
    path = db_path(ctx, local)
    if must_exist and isinstance(path, Path) and not path.exists():
        raise ReviewerError(f"no project file at {path} (create one with `reviewer init` or `reviewer import`)")
    ctx.meta[PROJECT] = path
    return path


def open_store(ctx: click.Context, local: str | None, *, must_exist: bool = True) -> Store:
    """The project's store; closed with the command's context, however the command ends."""
    store = Store(project_path(ctx, local, must_exist=must_exist))
    ctx.call_on_close(store.close)
    return store


def needs_viewer(what: str, why: str, *, spellings: str = "REVIEWER_ANNOTATOR") -> NoReturn:
    """Refuse, in one line, what depends on who is looking when nobody is named (`spellings`: the other
    ways the command takes a name)."""
    raise OptionError(f"{what} needs --annotator NAME (or {spellings}) or --adjudicator: {why}")


def check_adjudicator_view(policy: AdjudicationPolicy, annotator: str | None, adjudicating: bool) -> None:
    """Refuse the adjudicator's view to who may not take it (the project names its adjudicators)."""
    if adjudicating and (refused := policy.view_refusal(annotator)) is not None:
        raise ReviewerError(refused)
