"""The detector registry: every detector, run on one trajectory or over a project file.

Detectors are deterministic, fast and pure functions of the trajectory; what they return are
suggestions with evidence spans (rater `detectors`), never verdicts. `store_detections` replaces
what the detectors said before, so a re-run never duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from reviewer.assist.calibration import shipped
from reviewer.assist.detectors import claims, exits, leaks, outputs, reasoning, tampering
from reviewer.assist.detectors.base import RATER, Detector
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store

__all__ = ["DETECTORS", "RATER", "Detector", "run_detectors", "store_detections"]

DETECTORS: tuple[Detector, ...] = tuple(
    d for family in (tampering, exits, outputs, leaks, claims, reasoning) for d in family.detectors()
)


def run_detectors(trajectory: Trajectory) -> list[Suggestion]:
    """Every detector's suggestions, each with its confidence calibrated on the evaluation set."""
    return shipped().apply(s for detector in DETECTORS for s in detector.detect(trajectory))


def store_detections(
    store: Store, ids: Iterable[str] | None = None, progress: Callable[[], None] | None = None
) -> list[Suggestion]:
    """Run every detector on the given trajectories (all when `ids` is None) and store the result.

    Raises KeyError for an id the store does not hold; the trajectories before it are stored.
    """
    found: list[Suggestion] = []
    for trajectory_id in ids if ids is not None else store.trajectories.ids():
        trajectory = store.trajectories.get(trajectory_id)
        if trajectory is None:
            raise KeyError(trajectory_id)
        suggestions = run_detectors(trajectory)
        store.suggestions.replace(trajectory_id, RATER, suggestions)
        found += suggestions
        if progress is not None:
            progress()
    return found
