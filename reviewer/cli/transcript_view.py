"""`reviewer show`'s rendering: transcript, tool calls, highlighted diffs, each file's net change. Trajectory text only ever
enters as `Text` or `Syntax` objects (never as markup) after `textsafe.visible`, so nothing an agent
wrote can style or move the terminal.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from reviewer.cli.test_runs_view import test_runs_view
from reviewer.edits import FAILED, diff_text, edit_caption
from reviewer.model import Step, Trajectory
from reviewer.outcomes import describe
from reviewer.spans import render_tool_calls
from reviewer.test_paths import is_test_path
from reviewer.textsafe import visible
from reviewer.workspace import net_changes

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
        parts.append(
            Text(f"{status} of {visible(step.tool_result.call_id)}:", style="bold red" if step.tool_result.is_error else "bold")
        )
    if step.text:
        parts.append(Text(visible(clipped(step.text, limit))))
    if step.tool_calls:
        parts.append(
            Panel(
                Text(visible(clipped(render_tool_calls(step.tool_calls), limit))),
                title="tool call",
                title_align="left",
                border_style="blue",
            )
        )
    for edit in (e for e in trajectory.file_edits if e.step == step.index):
        parts.append(diff_view(edit.path, diff_text(edit), failed=edit.status == "failed", caption=edit_caption(edit)))
    return Group(*parts)


def diff_view(path: str, diff: str, *, failed: bool = False, caption: str = "") -> RenderableType:
    """A Pygments-highlighted diff; test and grader files are marked so they cannot be missed, and so
    are edits the tool refused (they changed nothing). `caption` says what the edit did (`edit_caption`)."""
    title = Text(visible(path), style="bold")
    if caption:
        title.append(f"  {visible(caption)}", style="dim")
    if is_test_path(path):
        title.append("  TEST/GRADER FILE", style="bold white on red")
    if failed:
        title.append(f"  {FAILED.upper()}", style="bold black on yellow")
    syntax = Syntax(visible(diff), "diff", theme=THEME, word_wrap=True)
    return Panel(syntax, title=title, title_align="left", border_style="dim" if failed else "")


def net_change_view(trajectory: Trajectory) -> RenderableType | None:
    """One line per file edited: its change over the whole run (failed edits left out), what is unknown."""
    lines: list[RenderableType] = []
    for change in net_changes(trajectory.file_edits):
        line = Text(change.op or "unknown", style="dim" if change.op in (None, "unchanged") else "")
        line.append("  ").append(visible(change.path), style="bold red" if is_test_path(change.path) else "bold")
        line.append("  " + visible(" · ".join(change.notes())), style="dim")
        lines.append(line)
    return Group(Rule("net change per file", align="left"), *lines) if lines else None


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
        head.add_row("outcome", Text(visible("\n".join(describe(t.outcome)))))
    else:
        head.add_row("outcome", Text("hidden until your blind first pass (--reveal-outcome)", style="dim"))
    parts: list[RenderableType] = [head, Panel(Text(visible(clipped(t.task.prompt, limit))), title="task", title_align="left")]
    if (runs := test_runs_view(t)) is not None:
        parts.append(runs)
    parts += [step_view(s, t, limit) for s in t.steps]
    if (net := net_change_view(t)) is not None:
        parts.append(net)
    if t.final_patch:
        parts.append(Rule("final patch", align="left"))
        parts.append(Syntax(visible(t.final_patch), "diff", theme=THEME, word_wrap=True))
    return Group(*parts)
