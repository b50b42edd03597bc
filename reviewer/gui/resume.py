"""Where a reviewer left off in a project: the queue and the trajectory open when the window last
showed one, kept in QSettings per project file and reviewer, so the app reopens there.

Only a queue name and a trajectory id are kept (nothing of any label), and a reviewer never lands
on another reviewer's place. Tests point QSettings at a temporary folder (`QSettings.setPath`).

Public API: `remember(project, annotator, adjudicator, queue, trajectory_id)`; `recall(project,
annotator, adjudicator) -> (queue, trajectory_id) | None`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings


def _key(project: Path, annotator: str, adjudicator: bool) -> str:
    """One place per project file, reviewer and role (an adjudicator's workspace has its own queue)."""
    who = f"{project.resolve()}\0{annotator}\0{int(adjudicator)}"
    return "resume/" + hashlib.sha1(who.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def remember(project: Path, annotator: str | None, adjudicator: bool, queue: str, trajectory_id: str) -> None:
    if annotator:
        settings = QSettings("reviewer", "reviewer")
        settings.setValue(f"{_key(project, annotator, adjudicator)}/queue", queue)
        settings.setValue(f"{_key(project, annotator, adjudicator)}/trajectory", trajectory_id)


def recall(project: Path, annotator: str | None, adjudicator: bool) -> tuple[str, str] | None:
    if not annotator:
        return None
    settings = QSettings("reviewer", "reviewer")
    queue = settings.value(f"{_key(project, annotator, adjudicator)}/queue")
    trajectory = settings.value(f"{_key(project, annotator, adjudicator)}/trajectory")
    return (queue, trajectory) if isinstance(queue, str) and isinstance(trajectory, str) and trajectory else None
