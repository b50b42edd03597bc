"""The `reviewer` command: a thin click layer over the store, importer and taxonomy.

Exit codes: 0 success, 1 something failed (bad input, unknown id, refused label), 2 usage error.
Machine-readable output (`--json`) goes to stdout; progress and errors go to stderr.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from reviewer import jsonio
from reviewer.adjudication import RESOLUTIONS, refusal
from reviewer.cli import render
from reviewer.importer import Importer, ImportReport
from reviewer.labelpack import write_labels
from reviewer.model import Label
from reviewer.store import DB_ENV, DEFAULT_DB, Store, StoreError, integrity_problems
from reviewer.store.labels import LabelRejected
from reviewer.store.listing import BY_CLASSIFIER, RANKED, Queue
from reviewer.taxonomy import Taxonomy, TaxonomyError
from reviewer.textsafe import one_line


def out() -> Console:
    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {one_line(message, 2000)}", err=True)
    sys.exit(code)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def db_path(ctx: click.Context, local: str | None) -> Path:
    """`--db` given to the command wins over `--db` given to `reviewer`, then $REVIEWER_DB, then ./reviewer.db."""
    root = ctx.find_root().params.get("db")
    return Path(local or root or os.environ.get(DB_ENV) or DEFAULT_DB)


PROJECT = "reviewer.project"
"""Key in the click context's meta: the project file the command uses, for `ProjectGroup`'s errors."""


def project_path(ctx: click.Context, local: str | None, *, must_exist: bool = True) -> Path:
    """The project file this command uses, remembered so a SQLite error later can name it."""
    path = db_path(ctx, local)
    if must_exist and not path.exists():
        fail(f"no project file at {path} (create one with `reviewer init` or `reviewer import`)")
    ctx.meta[PROJECT] = path
    return path


def open_store(ctx: click.Context, local: str | None, *, must_exist: bool = True) -> Store:
    path = project_path(ctx, local, must_exist=must_exist)
    try:
        return Store(path)
    except StoreError as exc:
        fail(str(exc))


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db", type=click.Path(dir_okay=False), help=f"Project file (default {DEFAULT_DB}, env {DB_ENV}; this option beats both).")(func)


def max_bytes_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--max-bytes", type=click.IntRange(min=1), default=None,
        help=f"Refuse input files larger than this (default {jsonio.DEFAULT_MAX_BYTES:,}, env {jsonio.MAX_BYTES_ENV}).",
    )(func)  # fmt: skip


def resolve_max_bytes(value: int | None) -> int:
    if value is not None:
        return value
    try:
        return jsonio.max_bytes_from_env()
    except ValueError as exc:
        fail(str(exc), 2)


class ProjectGroup(click.Group):
    """The `reviewer` group: a SQLite error escaping any command ("database disk image is
    malformed", "file is not a database") becomes one line naming the project file, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            path = ctx.meta.get(PROJECT) or db_path(ctx, None)
            damaged = getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
            fail(f"{path}: {exc}" + (" (the file is damaged: run `reviewer db check`)" if damaged else ""))


@click.group(cls=ProjectGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False), default=None, help=f"Project file for every command (default {DEFAULT_DB}, env {DB_ENV}).")
@click.version_option(package_name="reviewer")
def main(db: str | None) -> None:
    """Review AI coding-agent trajectories and label the ones that cheat."""


@main.command()
@db_option
@click.option("--taxonomy", "taxonomy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Use this taxonomy instead of the default.")
@click.pass_context
def init(ctx: click.Context, db: str | None, taxonomy_file: Path | None) -> None:
    """Create (or upgrade) the project file."""
    store = open_store(ctx, db, must_exist=False)
    if taxonomy_file is not None:
        try:
            store.set_taxonomy(Taxonomy.from_file(taxonomy_file))
        except TaxonomyError as exc:
            fail(str(exc))
    click.echo(f"project {store.path}: schema v{store.schema_version}, taxonomy v{store.taxonomy.version}, {store.trajectories.count()} trajectories")


def run_import(
    store: Store | None,
    paths: tuple[Path, ...],
    fmt: str | None,
    max_bytes: int,
    as_json: bool,
    verb: str,
    *,
    dry_run: bool = False,
    labels_only: bool = False,
    detect: bool = False,
    follow_symlinks: bool = False,
) -> ImportReport:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    try:
        importer = Importer(
            store, dry_run=dry_run, detect=detect, max_bytes=max_bytes, format_name=fmt, labels_only=labels_only,
            follow_symlinks=follow_symlinks,
        )  # fmt: skip
    except KeyError as exc:
        fail(str(exc.args[0]), 2)
    with Progress(
        TextColumn(verb), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err(), transient=True
    ) as progress:
        task = progress.add_task(verb, total=None)
        importer.on_file = lambda _path: progress.advance(task)
        report = importer.run(list(paths))
    if as_json:
        echo_json(report.to_dict())
    else:
        out().print(render.import_table(report, "valid" if dry_run else "imported"))
    for notice in report.notices:
        click.echo(f"skipped: {one_line(notice, 2000)}", err=True)
    for f in report.files:
        for line in f.errors:
            click.echo(f"error: {one_line(line, 2000)}", err=True)
    if report.stopped:
        click.echo(f"error: {one_line(report.stopped, 2000)}", err=True)
    return report


def batch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """What `import` and `validate` share: the project, the paths, format, size limit and --json."""
    for option in reversed((
        db_option,
        click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)),
        click.option("--format", "fmt", default=None, help="Skip detection and read every file with this format."),
        max_bytes_option,
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
        click.option("--follow-symlinks", is_flag=True,
                     help="Also follow symbolic links that lead out of the folders given (skipped by default, one line each)."),
        click.pass_context,
    )):  # fmt: skip
        func = option(func)
    return func


@main.command("import")
@batch_options
@click.option("--detect/--no-detect", default=True, show_default=True, help="Run the cheat detectors on new trajectories.")
def import_(
    ctx: click.Context, db: str | None, paths: tuple[Path, ...], fmt: str | None, max_bytes: int | None, as_json: bool,
    follow_symlinks: bool, detect: bool,
) -> None:  # fmt: skip
    """Import trajectory files, JSONL files and folders (recursive); label packs found are merged."""
    store = open_store(ctx, db, must_exist=False)
    report = run_import(store, paths, fmt, resolve_max_bytes(max_bytes), as_json, "importing", detect=detect, follow_symlinks=follow_symlinks)
    sys.exit(0 if report.ok else 1)


@main.command()
@batch_options
def validate(
    ctx: click.Context, db: str | None, paths: tuple[Path, ...], fmt: str | None, max_bytes: int | None, as_json: bool,
    follow_symlinks: bool,
) -> None:  # fmt: skip
    """Check files as `import` would, storing nothing. Needs no project; given one (--db or
    REVIEWER_DB), also checks ids and label packs against it."""
    explicit = db or ctx.find_root().params.get("db") or os.environ.get(DB_ENV)
    store = open_store(ctx, db) if explicit else None
    report = run_import(store, paths, fmt, resolve_max_bytes(max_bytes), as_json, "validating", dry_run=True, follow_symlinks=follow_symlinks)
    sys.exit(0 if report.ok else 1)


@main.command("list")
@db_option
@click.option("--labelled/--unlabelled", default=None, help="Only trajectories with / without any label.")
@click.option("--annotator", help="Only trajectories this annotator labelled.")
@click.option("--verdict", help="Only trajectories someone gave this verdict.")
@click.option("--stale", is_flag=True, help="List labels made under an older taxonomy version instead.")
@click.option("--queue", type=click.Choice(RANKED), help="In review-queue order: nearest the classifier's threshold, most suspicious first, or a seeded random sample.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --queue random.")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_(
    ctx: click.Context, db: str | None, labelled: bool | None, annotator: str | None, verdict: str | None, stale: bool, queue: Queue | None,
    seed: int, limit: int | None, as_json: bool,
) -> None:  # fmt: skip
    """List trajectories (or, with --stale, labels due for re-review)."""
    store = open_store(ctx, db)
    if verdict is not None and verdict not in store.taxonomy.codes("verdict"):
        fail(f"unknown verdict {verdict!r} (known: {', '.join(store.taxonomy.codes('verdict'))})", 2)
    if stale:
        labels = store.labels.stale()
        if as_json:
            echo_json([label.to_dict() for label in labels])
        else:
            out().print(render.label_table(labels, f"{len(labels)} labels made before taxonomy v{store.taxonomy.version}"))
        return
    rows = store.trajectories.rows(labelled=labelled, annotator=annotator, verdict=verdict, limit=None if queue else limit)
    if queue is not None:
        if queue in BY_CLASSIFIER and store.listing.classifier() is None:
            click.echo("no classifier predictions yet: run `reviewer train` and `reviewer predict` first", err=True)
        place = {tid: k for k, tid in enumerate(store.listing.queue_ids(queue, seed))}
        rows = sorted((r for r in rows if r.id in place), key=lambda r: place[r.id])[:limit]
    if as_json:
        echo_json([
            {"id": r.id, "task_id": r.task_id, "model": r.model, "format": r.format, "steps": r.n_steps,
             "labels": r.n_labels, "annotators": list(r.annotators), "verdicts": list(r.verdicts)}
            for r in rows
        ])  # fmt: skip
    else:
        out().print(render.trajectory_table(rows))


@main.command()
@db_option
@click.argument("trajectory_id")
@click.option("--json", "as_json", is_flag=True, help="Print the canonical trajectory (schemas/trajectory.schema.json).")
@click.option("--full", is_flag=True, help="Do not shorten long texts.")
@click.option("--reveal-outcome", is_flag=True, help="Show the grader outcome (hidden by default: label blind first).")
@click.pass_context
def show(ctx: click.Context, db: str | None, trajectory_id: str, as_json: bool, full: bool, reveal_outcome: bool) -> None:
    """Show one trajectory: transcript, tool calls and highlighted diffs."""
    store = open_store(ctx, db)
    trajectory = store.trajectories.get(trajectory_id)
    if trajectory is None:
        fail(f"unknown trajectory {trajectory_id!r}")
    if as_json:
        echo_json(trajectory.to_dict())
    else:
        out().print(render.transcript(trajectory, limit=None if full else 4000, reveal_outcome=reveal_outcome))


@main.command()
@db_option
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=50)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def search(ctx: click.Context, db: str | None, text: str, limit: int, as_json: bool) -> None:
    """Full-text search over step text, thinking and tool calls."""
    store = open_store(ctx, db)
    hits = store.trajectories.search(text, limit=limit)
    if as_json:
        echo_json([{"trajectory_id": h.trajectory_id, "step": h.step, "role": h.role,
                    "snippet": h.snippet.replace(render.HIT_START, "").replace(render.HIT_END, "")} for h in hits])  # fmt: skip
    else:
        out().print(render.search_table(hits))


@main.command()
@db_option
@click.argument("trajectory_id")
@click.option("--annotator", required=True, help="Who is labelling.")
@click.option("--verdict", help="Verdict code (see schemas/taxonomy.default.json).")
@click.option("--borderline-reason")
@click.option("--category", "categories", multiple=True, help="Cheat category code; repeat for several.")
@click.option("--intent", type=int)
@click.option("--marker", "markers", multiple=True, help="Motivated-reasoning marker code; repeat for several.")
@click.option("--disclosure")
@click.option("--severity", type=int)
@click.option("--confidence", type=int)
@click.option("--rationale")
@click.option("--final", is_flag=True, help="Record the final label (after reveal) instead of the blind first pass.")
@click.option("--revealed", multiple=True, type=click.Choice(["other_labels", "suggestions", "grader_outcome"]), help="What you could see when labelling; repeat for several.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def label(ctx: click.Context, db: str | None, trajectory_id: str, annotator: str, final: bool, revealed: tuple[str, ...], as_json: bool, **values: Any) -> None:
    """Set label fields for scripts: given options replace, others keep their stored value."""
    store = open_store(ctx, db)
    current = store.labels.get(trajectory_id, annotator, first_pass=not final)
    new = Label.from_dict(current.to_dict()) if current else Label(trajectory_id, annotator, first_pass=not final)
    for name, value in values.items():
        if value is not None and value != ():
            setattr(new, name, list(value) if isinstance(value, tuple) else value)
    for name in revealed:
        setattr(new.revealed, name, True)
    try:
        saved = store.labels.save(new, actor=annotator, origin="cli")
    except LabelRejected as exc:
        fail(str(exc))
    if as_json:
        echo_json({**saved.to_dict(), "missing": store.taxonomy.missing(saved)})
        return
    state = "complete" if saved.complete else "incomplete: " + "; ".join(store.taxonomy.missing(saved))
    click.echo(f"saved {'final' if final else 'first-pass'} label of {one_line(trajectory_id)} by {one_line(annotator)} ({state})")


@main.group()
def labels() -> None:
    """Exchange label packs (JSONL of label records) between reviewers' machines."""


@labels.command("export")
@db_option
@click.option("--annotator", help="Only this annotator's labels.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Pack file to write ('-' for stdout).")
@click.pass_context
def labels_export(ctx: click.Context, db: str | None, annotator: str | None, output: Path) -> None:
    """Write current labels as a pack."""
    store = open_store(ctx, db)
    records = store.labels.all(annotator=annotator)
    if str(output) == "-":
        for line in write_labels(records):
            click.echo(line, nl=False)
        return
    try:
        with jsonio.atomic_write(output) as handle:  # readers never see half a pack
            handle.writelines(write_labels(records))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"wrote {len(records)} labels to {output}", err=True)


@labels.command("import")
@db_option
@click.argument("packs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@max_bytes_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def labels_import(ctx: click.Context, db: str | None, packs: tuple[Path, ...], max_bytes: int | None, as_json: bool) -> None:
    """Merge label packs: idempotent, later edits win by timestamp, history kept.

    A record whose created_at or updated_at has no time zone, cannot be read, or lies more than five
    minutes ahead of this machine's clock is refused (one line on stderr naming file:line, exit 1);
    the rest of the pack is merged.
    """
    store = open_store(ctx, db)
    report = run_import(store, packs, None, resolve_max_bytes(max_bytes), as_json, "merging", labels_only=True)
    sys.exit(0 if report.ok else 1)


@main.command()
@db_option
@click.option("--labels", "choice", type=click.Choice(["first", "final"]), default="first", show_default=True,
              help="first: each reviewer's blind first pass (else current label); final: the final labels.")
@click.option("--include-models", is_flag=True, help="Count model, classifier and detector labels (model:*, classifier:*, detectors) as raters.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True, help="Bootstrap replicates for the 95% CIs (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed (recorded in the report).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write a self-contained HTML report.")
@click.pass_context
def agreement(ctx: click.Context, db: str | None, choice: str, include_models: bool, bootstrap: int, seed: int, as_json: bool, html_path: Path | None) -> None:
    """Inter-rater agreement per field and per tag, reviewer pairs, confusion, disputes."""
    from reviewer.agreement import html
    from reviewer.agreement.report import build_report, suggestions_as_labels
    from reviewer.cli import agreement_view

    store = open_store(ctx, db)
    labels = store.labels.all() + suggestions_as_labels(store.suggestions.all(), store.taxonomy)
    report = build_report(labels, store.taxonomy, choice=choice, include_models=include_models, bootstrap=bootstrap, seed=seed)  # type: ignore[arg-type]
    if html_path is not None:
        try:
            with jsonio.atomic_write(html_path) as page:
                page.write(html.render(report))
        except OSError as exc:
            fail(f"cannot write {html_path}: {exc.strerror or exc}")
        click.echo(f"wrote {html_path}", err=True)
    if as_json:
        echo_json(report)
    else:
        Console(highlight=False).print(agreement_view.render(report))


@main.command()
@db_option
@click.argument("trajectory_id")
@click.option("--adjudicator", required=True, help="Who settles the dispute.")
@click.option("--verdict", required=True, help="The final verdict code.")
@click.option("--reason", required=True, help="Why: which side was right, what the guideline missed.")
@click.option("--resolution", type=click.Choice([code for code, _ in RESOLUTIONS]))
@click.option("--borderline-reason")
@click.option("--category", "categories", multiple=True)
@click.option("--intent", type=int)
@click.option("--marker", "markers", multiple=True)
@click.option("--disclosure")
@click.option("--severity", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def adjudicate(
    ctx: click.Context, db: str | None, trajectory_id: str, adjudicator: str, verdict: str, reason: str, resolution: str | None, as_json: bool, **values: Any
) -> None:
    """Record the adjudication of a disputed trajectory (the gold label for export), apart from the
    adjudicator's own labels. A reviewer cannot settle a dispute they are part of unless the project
    allows it, and where the project names its adjudicators only they may."""
    store = open_store(ctx, db)
    refused = refusal(store, adjudicator, trajectory_id)
    if refused is not None:
        fail(refused)
    fields = {name: list(value) if isinstance(value, tuple) else value for name, value in values.items() if value not in (None, ())}
    try:
        saved = store.labels.adjudicate(trajectory_id, adjudicator, verdict, reason, resolution, **fields)
    except LabelRejected as exc:
        fail(str(exc))
    others = [lb for lb in store.labels.all(trajectory_id=trajectory_id) if lb.adjudication is None and lb.verdict]
    if as_json:
        echo_json(saved.to_dict())
    else:
        click.echo(f"adjudicated {one_line(trajectory_id)}: {saved.verdict} by {one_line(adjudicator)} ({len(others)} reviewer labels on record)")


@main.command()
@db_option
@click.option("--annotator", help="Who is reviewing (asked on first start, then remembered).")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path), help="Render the window to this PNG and exit (needs no display).")
@click.option("--open", "open_id", help="Select this trajectory first.")
@click.option("--tab", type=click.Choice(["transcript", "diffs", "reviewers", "guidelines"]), help="Start on this tab.")
@click.option("--adjudicator", "adjudicating", is_flag=True,
              help="Settle disputes: every label visible, the form edits your adjudication (also on for the project's named adjudicators).")
@click.pass_context
def gui(ctx: click.Context, db: str | None, annotator: str | None, screenshot: Path | None, open_id: str | None, tab: str | None, adjudicating: bool) -> None:
    """Open the review app on the project file."""
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        fail("no display: set DISPLAY or WAYLAND_DISPLAY, or QT_QPA_PLATFORM=offscreen for a headless run")
    path = db_path(ctx, db)
    try:
        with Store(path) as store:
            policy = store.settings.adjudication
    except StoreError as exc:
        fail(str(exc))
    if adjudicating and annotator is None:
        fail("--adjudicator needs --annotator NAME: an adjudication is signed by its adjudicator", 2)
    if adjudicating and annotator is not None and not policy.may_adjudicate(annotator):
        fail(f"{annotator} is not one of this project's adjudicators ({', '.join(policy.adjudicators)})")
    from reviewer.gui.app import run

    sys.exit(run(path, annotator, screenshot, open_id, tab, adjudicating=adjudicating))


SETTINGS = {"adjudicators": "names, comma-separated (empty: anyone opening the app with --adjudicator)",
            "allow-self-adjudication": "true or false: may a reviewer settle a dispute they labelled"}  # fmt: skip


@main.group()
def settings() -> None:
    """Project settings, kept in the project file for every reviewer of it."""


@settings.command("show")
@db_option
@click.option("--json", "as_json", is_flag=True)
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
            fail(f"allow-self-adjudication takes true or false, not {value!r}", 2)
        project.set_allow_self_adjudication(choice == "true")
    click.echo(f"{key}: {value}")


@main.group("db")
def db_group() -> None:
    """Look after the project file: a safe copy, a health check."""


@db_group.command("backup")
@db_option
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@click.pass_context
def db_backup(ctx: click.Context, db: str | None, dest: Path, force: bool) -> None:
    """Copy the project to DEST through SQLite's online backup: consistent while others write, with
    the labels still in the -wal, and DEST complete on its own (copying the file alone loses those)."""
    store = open_store(ctx, db)
    try:
        store.back_up(dest, force=force)
    except StoreError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {dest}: {exc.strerror or exc}")
    click.echo(f"copied {store.path} to {dest}")


@db_group.command("check")
@db_option
@click.pass_context
def db_check(ctx: click.Context, db: str | None) -> None:
    """Check the project file for damage (SQLite's integrity and foreign-key checks), reading only:
    one line per problem and exit 1 when damaged."""
    path = project_path(ctx, db)
    problems = integrity_problems(path)
    for problem in problems:
        click.echo(f"error: {path}: {one_line(problem, 2000)}", err=True)
    if problems:
        fail(
            f"{path} is damaged: restore an earlier copy (`reviewer db backup` makes them), or save the labels that"
            " still read (`reviewer labels export -o labels.jsonl`) and import them with the trajectories into a new project"
        )
    click.echo(f"{path}: ok (integrity and foreign keys)")


class _RunByDefault(click.Group):
    """`reviewer assist [ID...]` runs the detectors, while `reviewer assist evaluate` is a subcommand:
    arguments that do not start with a subcommand's name go to the hidden default command `run`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _register_commands() -> None:
    """Commands that live in their own modules (they import nothing from here, so no cycle)."""
    from reviewer.cli.assist_cmd import assist_command
    from reviewer.cli.assist_evaluate_cmd import evaluate_command
    from reviewer.cli.export_cmd import export_command
    from reviewer.cli.predict_cmd import predict_command
    from reviewer.cli.train_cmd import train_command

    main.add_command(export_command)
    main.add_command(train_command)
    main.add_command(predict_command)
    assist = _RunByDefault(
        "assist",
        help=(assist_command.help or "") + "\n\nOptions of the default command: `reviewer assist run --help`. "
        "How good the suggestions are against the gold labels: `reviewer assist evaluate`.",
    )
    assist_command.name, assist_command.hidden = "run", True
    assist.add_command(assist_command)
    assist.add_command(evaluate_command)
    main.add_command(assist)


_register_commands()
