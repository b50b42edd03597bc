"""`reviewer assist [run] [ID...]` and `reviewer assist evaluate`.

`assist` is a group whose default command is `run` (click-default-group): arguments that do not
start with a subcommand's name go to `run`, so `reviewer assist deleted-test` runs the detectors on
that trajectory. A trajectory whose id is a subcommand's name is named after `run`:
`reviewer assist run evaluate`.

The API key is read from the environment only and handed to the judge; it is never printed,
stored or logged here.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import click
from click_default_group import DefaultGroup
from rich.text import Text

from reviewer.assist.detectors import store_detections
from reviewer.assist.evaluate import calibrate as calibrate_data
from reviewer.assist.evaluate import evaluate as evaluate_report
from reviewer.assist.judge import VIEWS, JudgeEvent, run_judge
from reviewer.cli import evaluate_view
from reviewer.cli.options import db_option, json_option
from reviewer.cli.output import echo_json, echo_problem, err, out, progress_bar
from reviewer.cli.project import open_store
from reviewer.cli.tables import Column, Listing
from reviewer.errors import Cancelled, Reported, UnknownTrajectory
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store
from reviewer.textsafe import one_line

RECORD_KEYS = ("trajectory_id", "rater", "source", "codes", "evidence", "explanation", "severity", "confidence")


@click.group(cls=DefaultGroup, default="run", default_if_no_args=True)
def assist() -> None:
    """Run the cheat detectors, and with --llm an LLM judge: suggestions that point at evidence,
    not verdicts (`reviewer assist [run] [ID...]`); `reviewer assist evaluate` scores them against
    the gold labels. A trajectory whose id is a subcommand's name: `reviewer assist run evaluate`."""


@assist.command("run")
@click.argument("trajectory_ids", nargs=-1)
@db_option
@json_option("Print the suggestions as a JSON list.")
@click.option("--llm", is_flag=True, help="Also ask an LLM judge (needs --base-url and --model).")
@click.option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1.")
@click.option("--model", help="Model name the endpoint serves.")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True, help="Environment variable holding the API key.")
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True, help="Judge requests in flight.")
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="Seconds per judge request."
)
@click.pass_context
def run(
    ctx: click.Context, trajectory_ids: tuple[str, ...], db: str | None, as_json: bool, llm: bool, base_url: str | None,
    model: str | None, api_key_env: str, concurrency: int, timeout: float,
) -> None:  # fmt: skip
    """Run the cheat detectors on the given trajectories (all when none is given), store and report
    their suggestions; with --llm also the judge. Suggestions point at evidence, they are not verdicts.
    Exit 1 when a judge request failed (each reason said once)."""
    if llm and not (base_url and model):
        raise click.UsageError("--llm needs --base-url and --model")
    if not llm and (base_url or model):
        raise click.UsageError("--base-url and --model are used only with --llm")
    store = open_store(ctx, db)
    unknown = next((i for i in trajectory_ids if not store.trajectories.exists(i)), None)
    if unknown is not None:
        raise UnknownTrajectory(unknown)
    ids = list(dict.fromkeys(trajectory_ids)) or store.trajectories.ids()
    with progress_bar("detectors", len(ids)) as advance:
        suggestions = store_detections(store, ids, progress=advance)
    failures: list[str] = []
    if llm:
        suggestions += _judge(
            store, ids, base_url or "", model or "", os.environ.get(api_key_env), concurrency, timeout, failures
        )
    if as_json:
        echo_json([record(s) for s in suggestions])
    else:
        out().print(table(suggestions, len(ids)))
    for line in once_each(failures):
        echo_problem("error", line)
    if failures:
        raise Reported()


@assist.command("evaluate")
@db_option
@json_option("Machine-readable report on stdout (full precision).")
@click.pass_context
def evaluate(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Score each detector and judge view against the human gold labels: P/R/F1 per code, AUROC, misses."""
    report = evaluate_report(open_store(ctx, db))
    if as_json:
        echo_json(report)
    else:
        out().print(evaluate_view.render_report(report))


@assist.command("calibrate")
@db_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the data here (default: stdout).")
@click.pass_context
def calibrate(ctx: click.Context, db: str | None, output: str | None) -> None:
    """Fit the detectors' confidences on this project's gold labels (the evaluation set: see
    tests/data/eval/README.md) and print or write them as reviewer/assist/calibration.json holds them."""
    text = json.dumps(calibrate_data(open_store(ctx, db)), indent=1, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write ({exc.strerror or exc})") from None
    err().print(f"calibration written to {output}")


def once_each(failures: list[str]) -> list[str]:
    """One line per distinct reason: a bad key or an unreachable server fails every request alike,
    and a screenful of the same line hides the one that matters."""
    reasons: dict[str, list[str]] = {}
    for where, reason in (line.split(": ", 1) if ": " in line else ("", line) for line in failures):
        reasons.setdefault(reason, []).append(where)
    return [
        f"{places[0]}{f' and {len(places) - 1} more' if len(places) > 1 else ''}: {reason}" for reason, places in reasons.items()
    ]


def _judge(
    store: Store,
    ids: list[str],
    base_url: str,
    model: str,
    api_key: str | None,
    concurrency: int,
    timeout: float,
    failures: list[str],
) -> list[Suggestion]:
    """Run the judge with a progress bar; failed trajectory-views are appended to `failures`. Ctrl-C
    cancels; a request refused before any was sent (a bad URL or key) is the error."""
    trajectories: list[Trajectory] = [t for i in ids if (t := store.trajectories.get(i)) is not None]
    cancel = threading.Event()
    with progress_bar(f"judge {model}", len(trajectories) * len(VIEWS)) as advance:

        def progress(event: JudgeEvent) -> None:
            advance()
            if event.status == "failed":
                failures.append(f"judge failed on {event.trajectory_id} ({event.view}): {event.reason}")

        try:
            return run_judge(
                store, trajectories, base_url=base_url, model=model, api_key=api_key, concurrency=concurrency,
                timeout=timeout, progress=progress, cancel=cancel,
            )  # fmt: skip
        except KeyboardInterrupt:
            cancel.set()
            raise Cancelled("cancelled") from None


def record(s: Suggestion) -> dict[str, Any]:
    """The `--json` record of one suggestion (the keys README.md documents for `reviewer assist --json`;
    every suggestion carries a confidence in [0, 1])."""
    d = s.to_dict()
    return {key: d[key] for key in RECORD_KEYS}


def table(suggestions: list[Suggestion], n_trajectories: int) -> Listing:
    """One row per suggestion; everything an agent or a model wrote enters as plain, flattened `Text`."""
    t = Listing(
        [
            Column("trajectory"), Column("by", drop=1), Column("codes"), Column("step", "right", drop=2),
            Column("explanation", fold=True),
        ],
        title=f"{len(suggestions)} suggestions on {n_trajectories} trajectories",
    )  # fmt: skip
    for s in suggestions:
        by = s.source if s.rater == "detectors" else f"{s.rater} ({s.source})"
        step = str(s.evidence[0].step) if s.evidence else ""
        t.add_row(
            Text(one_line(s.trajectory_id, 60)),
            Text(one_line(by, 60)),
            Text(one_line(", ".join(s.codes))),
            step,
            Text(one_line(s.explanation, 300)),
        )
    return t
