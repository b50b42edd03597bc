"""What `import`, `validate` and `labels import` share: the batch options, the run with a progress
bar, and its report (a table or JSON on stdout, one line per problem on stderr)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from rich.text import Text

from reviewer import formats, jsonio
from reviewer.cli.options import F, db_option, json_option
from reviewer.cli.output import echo_json, echo_problem, out, progress_bar
from reviewer.cli.tables import Column, Listing
from reviewer.errors import OptionError, Reported
from reviewer.importer import FileReport, Importer, ImportReport
from reviewer.textsafe import one_line


def max_bytes_option(func: F) -> F:
    return click.option(
        "--max-bytes", type=click.IntRange(min=1), default=None,
        help=f"Refuse input files larger than this (default {jsonio.DEFAULT_MAX_BYTES:,}, env {jsonio.MAX_BYTES_ENV}).",
    )(func)  # fmt: skip


def resolve_max_bytes(value: int | None) -> int:
    """`--max-bytes`, else $REVIEWER_MAX_FILE_BYTES, else the default; a bad variable is a usage error."""
    if value is not None:
        return value
    try:
        return jsonio.max_bytes_from_env()
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def batch_options(func: F) -> F:
    """What `import` and `validate` share: the project, the paths, format, size limit, links and --json."""
    for option in reversed((
        db_option,
        click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)),
        click.option("--format", "fmt", type=click.Choice([f.name for f in formats.formats()]), default=None,
                     help="Skip detection and read every file with this format."),
        max_bytes_option,
        json_option("Print the summary as JSON."),
        click.option("--follow-symlinks", is_flag=True,
                     help="Also follow symbolic links that lead out of the folders given (skipped by default, one line each)."),
        click.pass_context,
    )):  # fmt: skip
        func = option(func)
    return func


def run_batch(run: Importer, paths: tuple[Path, ...], as_json: bool, verb: str) -> None:
    """Run the importer over `paths` and report; `Reported` (exit 1) when any file failed, after
    each problem was printed on its own line."""
    with progress_bar(verb) as advance:
        run.on_file = lambda _path: advance()
        report = run.run(list(paths))
    if as_json:
        echo_json(report.to_dict())
    else:
        out().print(import_table(report, "valid" if run.dry_run else "imported"))
    for notice in report.notices:
        echo_problem("skipped", notice)
    for f in report.files:
        for line in f.errors:
            echo_problem("error", line)
        for line in f.warnings:
            echo_problem("warning", line)
    for attached in report.outcomes:
        echo_problem("outcomes", attached.line("among the trajectories read"))
    if report.stopped:
        echo_problem("error", report.stopped)
    if report.nothing_read:
        echo_problem("error", f"no file in a trajectory format among the paths given ({len(report.skipped)} skipped, see above)")
    if not report.ok:
        raise Reported()


# More files than this and those without a problem are counted per format, not listed one by one:
# nobody reads a thousand rows to find the one that failed (per file: --json).
PER_FILE_ROWS = 40


def import_table(report: ImportReport, verb: str) -> Listing:
    """Per-file counts; `verb` is "imported" or "valid" so a dry run never reads as a stored one."""
    table = Listing(
        [Column("file", fold=True), Column("kind", drop=2), Column("format", drop=1),
         Column(verb, "right"), Column("duplicate", "right"), Column("failed", "right"), Column("labels", drop=3)],
        title=f"{'import' if verb == 'imported' else 'validation'} summary",
    )  # fmt: skip
    many = len(report.files) > PER_FILE_ROWS
    grouped: dict[tuple[str, str | None], list[FileReport]] = {}
    for f in report.files:
        if many and not (f.errors or f.warnings):
            grouped.setdefault((f.kind, f.format), []).append(f)
        else:
            _add_row(table, Text(one_line(f.path, 200)), f.kind, f.format, [f])
    for (kind, fmt), files in grouped.items():
        _add_row(table, Text(f"{len(files):,} files (per file: --json)", style="dim"), kind, fmt, files)
    totals = report.totals()
    table.caption = (
        f"{totals['imported']} {verb}, {totals['duplicates']} duplicate, {totals['failed']} failed"
        f" · labels: {totals['labels_added']} added, {totals['labels_updated']} updated, {totals['labels_unchanged']} unchanged"
        + (f", {totals['labels_conflicts']} kept as conflicts (labels conflicts)" if totals["labels_conflicts"] else "")
        + (
            f" · {len(report.skipped)} files skipped (not a trajectory format, or a link leading out of the folder)"
            if report.skipped
            else ""
        )
    )
    return table


def _add_row(table: Listing, name: Text, kind: str, fmt: str | None, files: list[FileReport]) -> None:
    labels: Counter[str] = sum((f.labels for f in files), Counter())
    failed = sum(len(f.errors) for f in files)
    table.add_row(
        name, kind, fmt or "", str(sum(len(f.imported) for f in files)), str(sum(len(f.duplicates) for f in files)),
        Text(str(failed), style="red" if failed else ""), Text(", ".join(f"{k} {v}" for k, v in sorted(labels.items()))),
    )  # fmt: skip
