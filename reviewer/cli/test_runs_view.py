"""`reviewer show`'s "Test runs" table: every command that ran tests, its counts, and the runs that
went from failing to passing. These are what the agent ran and saw (part of the transcript), not the
grader's outcome, so they are shown before the blind first pass. Commands and test names are agent
text: they enter as `Text` after `textsafe` (never as markup).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from reviewer.model import TestRun, Trajectory
from reviewer.test_runs import Status, counts_text, went_green
from reviewer.test_runs import status as run_status
from reviewer.textsafe import one_line

SHOWN_FAILING = 3  # failing test names listed under a command; the rest are counted
GLYPHS: dict[Status, tuple[str, str]] = {
    "passed": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "none ran": ("○ no test ran", "yellow"),
    "unknown": ("? no counts printed", "dim"),
}


def test_runs_view(trajectory: Trajectory) -> Table | None:
    """The table, or None when the agent ran no tests."""
    runs = trajectory.test_runs
    if not runs:
        return None
    green = went_green(runs)
    table = Table(title="Test runs (what the agent ran and saw; not the grader's outcome)", title_justify="left", show_lines=True)
    table.add_column("step", no_wrap=True)
    table.add_column("result", max_width=34)
    table.add_column("command", overflow="fold", ratio=1)
    for k, run in enumerate(runs):
        glyph, style = GLYPHS[run_status(run)]
        result = Text(glyph, style=style)
        counts = counts_text(run)
        result.append(f" {one_line(run.framework, 30)}" if run.framework else "")
        result.append(f": {counts}" if counts else "")
        if k in green:
            result.append(f"\n↑ now passing (failing at step {green[k].step})", style="bold green")
        step = f"{run.step}→{run.result_step}" if run.result_step is not None else str(run.step)
        table.add_row(step, result, _command(run))
    return table


def _command(run: TestRun) -> Text:
    text = Text(one_line(run.command, 300))
    for name in run.failing[:SHOWN_FAILING]:
        text.append("\n✗\u00a0" + one_line(name, 200), style="red")
    if len(run.failing) > SHOWN_FAILING:
        text.append(f"\n+{len(run.failing) - SHOWN_FAILING} more failing", style="dim")
    return text
