"""`reviewer`: the root group, the table of its commands, and the one place errors become exit codes.

Commands raise (`reviewer.errors.ReviewerError` and its subclasses, or SQLite's errors); the root
group turns each into one line on stderr and the exit code the error carries. No command exits or
prints an error line of its own.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import click

from reviewer import __version__
from reviewer.cli.lazy import Lazy, LazyGroup
from reviewer.cli.options import PROJECT, db_option, db_path
from reviewer.cli.output import echo_problem
from reviewer.errors import ReviewerError

COMMANDS = {
    "adjudicate": Lazy(
        "reviewer.cli.commands.adjudicate:adjudicate",
        "Settle a disputed trajectory: the gold label for export.",
    ),
    "agreement": Lazy(
        "reviewer.cli.commands.agreement:agreement",
        "Inter-rater agreement per field and per tag, reviewer pairs, confusion, disputes.",
    ),
    "assist": Lazy(
        "reviewer.cli.commands.assist:assist",
        "Run the cheat detectors (and an LLM judge): suggestions with evidence, not verdicts.",
    ),
    "batch": Lazy(
        "reviewer.cli.commands.batch_plan:batch_group",
        "Planned work: batches of review slots, N distinct reviewers per item, and their progress.",
    ),
    "db": Lazy(
        "reviewer.cli.commands.db:db_group",
        "Look after the project: a safe copy, a health check, upgrades, a copy to another backend.",
    ),
    "export": Lazy(
        "reviewer.cli.commands.export:export_command",
        "Write training records: text, gold label, soft label, every label, evidence, split.",
    ),
    "formats": Lazy(
        "reviewer.cli.commands.formats:formats_command",
        "List the trajectory formats import reads, in detection order, with their origin.",
    ),
    "gui": Lazy(
        "reviewer.cli.commands.gui:gui",
        "Open the review app on the project file.",
    ),
    "import": Lazy(
        "reviewer.cli.commands.import_:import_command",
        "Import trajectory files, JSONL files and folders; label packs found are merged.",
    ),
    "init": Lazy(
        "reviewer.cli.commands.init:init",
        "Create (or upgrade) the project file.",
    ),
    "label": Lazy(
        "reviewer.cli.commands.label:label",
        "Set label fields from scripts: given options replace, others keep their value.",
    ),
    "labels": Lazy(
        "reviewer.cli.commands.labels:labels",
        "Exchange label packs (JSONL of label records) between reviewers' machines.",
    ),
    "list": Lazy(
        "reviewer.cli.commands.list_:list_command",
        "List trajectories (or, with --stale, labels due for re-review).",
    ),
    "predict": Lazy(
        "reviewer.cli.commands.predict:predict_command",
        "Store a trained classifier's predictions as suggestions (rater classifier:<hash>).",
    ),
    "outcomes": Lazy(
        "reviewer.cli.commands.outcomes:outcomes_group",
        "Grader outcomes kept apart from the agents' logs (SWE-bench evaluation results).",
    ),
    "queue": Lazy(
        "reviewer.cli.commands.queue:queue_group",
        "A reviewer's planned work: claim the next slot of a batch, give back what they will not do.",
    ),
    "search": Lazy(
        "reviewer.cli.commands.search:search",
        "Full-text search over step text, thinking and tool calls.",
    ),
    "settings": Lazy(
        "reviewer.cli.commands.settings:settings",
        "Project settings, kept in the project file for every reviewer of it.",
    ),
    "show": Lazy(
        "reviewer.cli.commands.show:show",
        "Show one trajectory: transcript, tool calls and highlighted diffs.",
    ),
    "team": Lazy(
        "reviewer.cli.commands.team:team_group",
        "Work on a team's project away from it: check out your slots, label offline, bring the pack back.",
    ),
    "train": Lazy(
        "reviewer.cli.commands.train:train_command",
        "Train a baseline cheat classifier on the gold labels; card and report beside it.",
    ),
    "validate": Lazy(
        "reviewer.cli.commands.validate:validate",
        "Check files as `import` would, storing nothing; needs no project file.",
    ),
}  # fmt: skip


class ReviewerGroup(LazyGroup):
    """The root group: a `ReviewerError` becomes `error: <message>` and its exit code; a SQLite error
    escaping any command ("database disk image is malformed") one line naming the project file."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReviewerError as exc:
            if str(exc):
                echo_problem("error", str(exc))
            ctx.exit(exc.exit_code)
        except sqlite3.DatabaseError as exc:
            path = ctx.meta.get(PROJECT) or db_path(ctx, None)
            damaged = getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
            echo_problem("error", f"{path}: {exc}" + (" (the file is damaged: run `reviewer db check`)" if damaged else ""))
            ctx.exit(1)


@click.group(cls=ReviewerGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.version_option(__version__, prog_name="reviewer")
def main(db: str | None) -> None:
    """Review AI coding-agent trajectories and label the ones that cheat."""
