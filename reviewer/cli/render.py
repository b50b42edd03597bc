"""The tables of `list` and `search` (`tables.Listing`: readable at any width). Stored text only
ever enters as `Text` objects (never as markup) after `textsafe`, so nothing an agent wrote can
style or move the terminal.
"""

from __future__ import annotations

import re

from rich.text import Text

from reviewer.cli.tables import Column, Listing
from reviewer.model import Label
from reviewer.store.listing import ListRow
from reviewer.store.trajectories import HIT_END, HIT_START, SearchHit
from reviewer.textsafe import one_line, visible


def trajectory_table(rows: list[ListRow]) -> Listing:
    """The app's list columns; what others said is blank on rows the viewer has not sighted."""
    table = Listing(
        [Column("id"), Column("task", drop=4), Column("model", drop=5), Column("format", drop=6),
         Column("steps", "right", drop=3), Column("status", drop=1), Column("reviewers", "right", drop=2),
         Column("flags", "right", drop=2), Column("strongest", "right", drop=2), Column("verdicts")],
        title=f"{len(rows)} trajectories",
    )  # fmt: skip
    for r in rows:
        table.add_row(
            Text(one_line(r.id, 60)), Text(one_line(r.task_id or "", 40)), Text(one_line(r.model or "", 30)),
            r.format, str(r.n_steps), r.status, _blank(r.n_reviewers), _blank(r.n_flags),
            "" if r.strongest is None else f"{r.strongest:.2f}", r.disputed_on or "",
        )  # fmt: skip
    return table


def _blank(count: int | None) -> str:
    return "" if count is None else str(count)


def label_table(labels: list[Label], title: str) -> Listing:
    table = Listing(
        [Column("trajectory"), Column("annotator"), Column("pass"), Column("verdict"), Column("complete", drop=1),
         Column("taxonomy", drop=2), Column("updated", drop=3)],
        title=title,
    )  # fmt: skip
    for label in labels:
        table.add_row(
            Text(one_line(label.trajectory_id, 60)), Text(one_line(label.annotator, 30)),
            "first" if label.first_pass else "final", label.verdict or "", "yes" if label.complete else "no",
            f"v{label.taxonomy_version}", label.updated_at or "",
        )  # fmt: skip
    return table


def search_table(hits: list[SearchHit]) -> Listing:
    table = Listing(
        [Column("trajectory"), Column("step", "right"), Column("role", drop=1), Column("match", fold=True)],
        title=f"{len(hits)} hits",
    )
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
