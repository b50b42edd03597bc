"""What commands print: results on stdout (tables for people, `--json` for programs), problems on
stderr one line each, and files written whole or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from reviewer.errors import ReviewerError
from reviewer.textsafe import one_line

MESSAGE_LIMIT = 2000  # characters of one error line: enough for a long path and reason, never a page


def out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def progress_bar(label: str, total: int | None = None, *, shown: bool = True) -> Iterator[Callable[..., None]]:
    """A transient bar on stderr, gone when the work is; yields the function that advances it (by
    one, or by its argument). rich draws it only on a terminal, so a pipe or a log file gets nothing.
    rich.progress is imported here: it brings rich's tables, which `--version` and `--help` never need."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err(), transient=True,
        disable=not shown,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)


def echo_json(value: Any) -> None:
    """Full precision: numbers are printed as computed (people's tables round, programs do not)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_problem(kind: str, message: str) -> None:
    """One line on stderr: `error: ...` or `skipped: ...`, control characters and breaks made visible."""
    click.echo(f"{kind}: {one_line(message, MESSAGE_LIMIT)}", err=True)


@contextmanager
def writing_to(path: Path | str) -> Iterator[None]:
    """A file that cannot be written (no such folder, no permission, a full disk) is one error line."""
    try:
        yield
    except OSError as exc:
        raise ReviewerError(f"cannot write {path}: {exc.strerror or exc}") from exc
