"""Where a reviewer left off in a project: the queue and the trajectory open when the window last
showed one, kept per project file and reviewer in the window's QSettings (`window_state`'s: the
app's own, a test's file, none for screenshots, which then neither recall nor remember), so the app
reopens there.

Only a queue name and a trajectory id are kept (nothing of any label), and a reviewer never lands
on another reviewer's place.

Public API: `remember(settings, project, annotator, adjudicator, queue, trajectory_id)`;
`recall(settings, project, annotator, adjudicator) -> (queue, trajectory_id) | None`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings

from reviewer.store.location import Location, redacted


def _key(project: Location, annotator: str, adjudicator: bool) -> str:
    """One place per project (file, or server URL without its password), reviewer and role (an
    adjudicator's workspace has its own queue)."""
    place = project.resolve() if isinstance(project, Path) else redacted(project)
    who = f"{place}\0{annotator}\0{int(adjudicator)}"
    return "resume/" + hashlib.sha1(who.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def remember(
    settings: QSettings | None, project: Location, annotator: str | None, adjudicator: bool, queue: str, trajectory_id: str
) -> None:
    if settings is not None and annotator:
        settings.setValue(f"{_key(project, annotator, adjudicator)}/queue", queue)
        settings.setValue(f"{_key(project, annotator, adjudicator)}/trajectory", trajectory_id)


def recall(settings: QSettings | None, project: Location, annotator: str | None, adjudicator: bool) -> tuple[str, str] | None:
    if settings is None or not annotator:
        return None
    queue = settings.value(f"{_key(project, annotator, adjudicator)}/queue")
    trajectory = settings.value(f"{_key(project, annotator, adjudicator)}/trajectory")
    return (queue, trajectory) if isinstance(queue, str) and isinstance(trajectory, str) and trajectory else None
