"""Rich renderings for the terminal. Trajectory text only ever enters as `Text` or `Syntax` objects
(never as markup) after `textsafe.visible`, so nothing an agent wrote can style or move the terminal.
"""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from reviewer.edits import diff_text, edit_caption, is_test_path
from reviewer.importer import ImportReport
from reviewer.model import Label, Step, Trajectory
from reviewer.spans import render_tool_calls
from reviewer.store.trajectories import HIT_END, HIT_START, SearchHit, TrajectoryRow
from reviewer.textsafe import one_line, visible

ROLE_STYLES = {"system": "magenta", "user": "cyan", "assistant": "green", "tool": "yellow"}
THEME = "ansi_dark"


def clipped(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + f"\n… {len(text) - limit:,} more characters (--full shows all)"


def step_view(step: Step, trajectory: Trajectory, limit: int | None) -> RenderableType:
    parts: list[RenderableType] = [Rule(Text(f"#{step.index} {step.role}", style=f"bold {ROLE_STYLES[step.role]}"), align="left")]
    if step.thinking:
        parts.append(Text("thinking: ", style="dim bold") + Text(visible(clipped(step.thinking, limit)), style="dim italic"))
    if step.tool_result is not None:
        status = "error" if step.tool_result.is_error else "output"
        parts.append(Text(f"{status} of {visible(step.tool_result.call_id)}:", style="bold red" if step.tool_result.is_error else "bold"))
    if step.text:
        parts.append(Text(visible(clipped(step.text, limit))))
    if step.tool_calls:
        parts.append(Panel(Text(visible(clipped(render_tool_calls(step.tool_calls), limit))), title="tool call", title_align="left", border_style="blue"))
    for edit in (e for e in trajectory.file_edits if e.step == step.index):
        parts.append(diff_view(edit.path, diff_text(edit), edit_caption(edit)))
    return Group(*parts)


def diff_view(path: str, diff: str, caption: str = "") -> RenderableType:
    """A Pygments-highlighted diff; test and grader files are marked so they cannot be missed."""
    title = Text(visible(path), style="bold")
    if caption:
        title.append(f"  {visible(caption)}", style="dim")
    if is_test_path(path):
        title.append("  TEST/GRADER FILE", style="bold white on red")
    return Panel(Syntax(visible(diff), "diff", theme=THEME, word_wrap=True), title=title, title_align="left")


def transcript(trajectory: Trajectory, *, limit: int | None, reveal_outcome: bool) -> RenderableType:
    t = trajectory
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key, value in (
        ("trajectory", t.id),
        ("task", t.task.id),
        ("repo", t.task.repo),
        ("model", t.agent.model),
        ("scaffold", t.agent.scaffold),
        ("format", t.source.format),
        ("steps", str(len(t.steps))),
    ):
        if value:
            head.add_row(key, Text(visible(value)))
    if reveal_outcome:
        o = t.outcome
        head.add_row("outcome", Text(f"{o.grader_result} passed={o.tests_passed} failed={o.tests_failed} reward={o.reward}"))
    else:
        head.add_row("outcome", Text("hidden until your blind first pass (--reveal-outcome)", style="dim"))
    parts: list[RenderableType] = [head, Panel(Text(visible(clipped(t.task.prompt, limit))), title="task", title_align="left")]
    parts += [step_view(s, t, limit) for s in t.steps]
    if t.final_patch:
        parts.append(Rule("final patch", align="left"))
        parts.append(Syntax(visible(t.final_patch), "diff", theme=THEME, word_wrap=True))
    return Group(*parts)


def import_table(report: ImportReport, verb: str) -> Table:
    """Per-file counts; `verb` is "imported" or "valid" so a dry run never reads as a stored one."""
    table = Table(title=f"{'import' if verb == 'imported' else 'validation'} summary", show_lines=False)
    table.add_column("file", overflow="fold")
    for column in ("kind", "format", verb, "duplicate", "failed", "labels"):
        table.add_column(column, justify="right" if column in (verb, "duplicate", "failed") else "left", no_wrap=column != "labels")
    for f in report.files:
        labels = ", ".join(f"{k} {v}" for k, v in sorted(f.labels.items()))
        table.add_row(
            Text(one_line(f.path, 200)), f.kind, f.format or "", str(len(f.imported)), str(len(f.duplicates)),
            Text(str(len(f.errors)), style="red" if f.errors else ""), labels,
        )  # fmt: skip
    totals = report.totals()
    table.caption = (
        f"{totals['imported']} {verb}, {totals['duplicates']} duplicate, {totals['failed']} failed"
        f" · labels: {totals['labels_added']} added, {totals['labels_updated']} updated, {totals['labels_unchanged']} unchanged"
        + (f" · {len(report.skipped)} files skipped (not a trajectory format, or a link leading out of the folder)" if report.skipped else "")
    )
    return table


def trajectory_table(rows: list[TrajectoryRow]) -> Table:
    table = Table(title=f"{len(rows)} trajectories")
    table.add_column("id", overflow="fold", ratio=3)
    for column in ("task", "model", "format", "steps", "labels", "annotators", "verdicts"):
        table.add_column(column, justify="right" if column in ("steps", "labels") else "left")
    for r in rows:
        table.add_row(
            Text(one_line(r.id, 60)), Text(one_line(r.task_id or "", 40)), Text(one_line(r.model or "", 30)),
            r.format, str(r.n_steps), str(r.n_labels), Text(one_line(", ".join(r.annotators), 40)),
            ", ".join(r.verdicts),
        )  # fmt: skip
    return table


def label_table(labels: list[Label], title: str) -> Table:
    table = Table(title=title)
    for column in ("trajectory", "annotator", "pass", "verdict", "complete", "taxonomy", "updated"):
        table.add_column(column)
    for label in labels:
        table.add_row(
            Text(one_line(label.trajectory_id, 60)), Text(one_line(label.annotator, 30)),
            "first" if label.first_pass else "final", label.verdict or "", "yes" if label.complete else "no",
            f"v{label.taxonomy_version}", label.updated_at or "",
        )  # fmt: skip
    return table


def search_table(hits: list[SearchHit]) -> Table:
    table = Table(title=f"{len(hits)} hits")
    for column in ("trajectory", "step", "role", "match"):
        table.add_column(column)
    for hit in hits:
        table.add_row(Text(one_line(hit.trajectory_id, 50)), str(hit.step), hit.role, highlighted(hit.snippet))
    return table


def highlighted(snippet: str) -> Text:
    """Turn FTS5 hit markers into styling; the snippet text itself stays plain and visible."""
    text = Text()
    inside = False
    for chunk in re.split(f"({HIT_START}|{HIT_END})", snippet):
        if chunk in (HIT_START, HIT_END):
            inside = chunk == HIT_START
        elif chunk:
            text.append(visible(chunk.replace("\n", " ").replace("\t", " ")), style="bold reverse" if inside else "")
    return text
