"""`reviewer assist`: run the detectors (and, with --llm, the judge) and report their suggestions.

Defined apart from `reviewer.cli` and registered there, so this module must not import from it at
import time (the package imports this module while it is still being built): the helpers it shares
are looked up when the command runs. The API key is read from the environment only and handed to
the judge; it is never printed, stored or logged here.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from reviewer.assist.judge.client import JudgeError
from reviewer.model import Suggestion, Trajectory
from reviewer.store import DB_ENV, DEFAULT_DB, Store
from reviewer.textsafe import one_line

RECORD_KEYS = ("trajectory_id", "rater", "source", "codes", "evidence", "explanation", "severity")


@click.command("assist")
@click.argument("trajectory_ids", nargs=-1)
@click.option("--db", "db", type=click.Path(dir_okay=False), help=f"Project file (default {DEFAULT_DB}, env {DB_ENV}; this option beats both).")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as a JSON list.")
@click.option("--llm", is_flag=True, help="Also ask an LLM judge (needs --base-url and --model).")
@click.option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1.")
@click.option("--model", help="Model name the endpoint serves.")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True, help="Environment variable holding the API key.")
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True, help="Judge requests in flight.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="Seconds per judge request.")
@click.pass_context
def assist_command(
    ctx: click.Context, trajectory_ids: tuple[str, ...], db: str | None, as_json: bool, llm: bool, base_url: str | None,
    model: str | None, api_key_env: str, concurrency: int, timeout: float,
) -> None:  # fmt: skip
    """Run the cheat detectors on the given trajectories (all when none is given), store and report
    their suggestions; with --llm also the judge. Suggestions point at evidence, they are not verdicts."""
    from reviewer.assist.detectors import store_detections
    from reviewer.cli import echo_json, fail, open_store, out

    if llm and not (base_url and model):
        raise click.UsageError("--llm needs --base-url and --model")
    if not llm and (base_url or model):
        raise click.UsageError("--base-url and --model are used only with --llm")
    store = open_store(ctx, db)
    unknown = next((i for i in trajectory_ids if not store.trajectories.exists(i)), None)
    if unknown is not None:
        fail(f"unknown trajectory {unknown!r}")
    ids = list(dict.fromkeys(trajectory_ids)) or store.trajectories.ids()
    with _progress("detectors", len(ids)) as advance:
        suggestions = store_detections(store, ids, progress=advance)
    failures: list[str] = []
    if llm:
        suggestions += _judge(store, ids, base_url or "", model or "", os.environ.get(api_key_env), concurrency, timeout, failures)
    if as_json:
        echo_json([record(s) for s in suggestions])
    else:
        out().print(table(suggestions, len(ids)))
    for line in once_each(failures):
        click.echo(f"error: {one_line(line, 2000)}", err=True)
    sys.exit(1 if failures else 0)


def once_each(failures: list[str]) -> list[str]:
    """One line per distinct reason: a bad key or an unreachable server fails every request alike,
    and a screenful of the same line hides the one that matters."""
    reasons: dict[str, list[str]] = {}
    for where, reason in (line.split(": ", 1) if ": " in line else ("", line) for line in failures):
        reasons.setdefault(reason, []).append(where)
    return [f"{places[0]}{f' and {len(places) - 1} more' if len(places) > 1 else ''}: {reason}" for reason, places in reasons.items()]


def _judge(
    store: Store, ids: list[str], base_url: str, model: str, api_key: str | None, concurrency: int, timeout: float, failures: list[str]
) -> list[Suggestion]:
    """Run the judge with a progress bar; failed trajectory-views are appended to `failures`. Ctrl-C cancels."""
    from reviewer.assist.judge import VIEWS, JudgeEvent, run_judge
    from reviewer.cli import fail

    trajectories: list[Trajectory] = [t for i in ids if (t := store.trajectories.get(i)) is not None]
    cancel = threading.Event()
    with _progress(f"judge {model}", len(trajectories) * len(VIEWS)) as advance:

        def progress(event: JudgeEvent) -> None:
            advance()
            if event.status == "failed":
                failures.append(f"judge failed on {event.trajectory_id} ({event.view}): {event.reason}")

        try:
            return run_judge(
                store, trajectories, base_url=base_url, model=model, api_key=api_key, concurrency=concurrency,
                timeout=timeout, progress=progress, cancel=cancel,
            )  # fmt: skip
        except JudgeError as exc:  # refused before any request (a bad URL or key): one line
            fail(str(exc))
        except KeyboardInterrupt:
            cancel.set()
            fail("cancelled", 130)


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    """A transient bar on stderr; yields the function that advances it by one."""
    from reviewer.cli import err

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err(), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def record(s: Suggestion) -> dict[str, Any]:
    """The `--json` record of one suggestion (the issue's contract: id, rater, codes, evidence, explanation)."""
    d = s.to_dict()
    return {key: d[key] for key in RECORD_KEYS}


def table(suggestions: list[Suggestion], n_trajectories: int) -> Table:
    """One row per suggestion; everything an agent or a model wrote enters as plain, flattened `Text`."""
    t = Table(title=f"{len(suggestions)} suggestions on {n_trajectories} trajectories")
    for column in ("trajectory", "by", "codes", "step", "explanation"):
        t.add_column(column, overflow="fold")
    for s in suggestions:
        by = s.source if s.rater == "detectors" else f"{s.rater} ({s.source})"
        step = str(s.evidence[0].step) if s.evidence else ""
        t.add_row(Text(one_line(s.trajectory_id, 60)), Text(one_line(by, 60)), Text(one_line(", ".join(s.codes))), step, Text(one_line(s.explanation, 300)))
    return t
