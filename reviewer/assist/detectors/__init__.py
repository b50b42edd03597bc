"""The detector registry: every detector, run on one trajectory or over a project file.

Detectors are deterministic, fast and pure functions of the trajectory; what they return are
suggestions with evidence spans (rater `detectors`), never verdicts. `store_detections` replaces
what the detectors said before, so a re-run never duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from reviewer.assist.detectors import claims, exits, leaks, outputs, reasoning, tampering
from reviewer.assist.detectors.base import RATER, Detector
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store

__all__ = ["DETECTORS", "RATER", "Detector", "run_detectors", "store_detections"]

OBSERVATION_CONFIDENCE = 0.1

DETECTORS: tuple[Detector, ...] = tuple(
    d for family in (tampering, exits, outputs, leaks, claims, reasoning) for d in family.detectors()
)


def run_detectors(trajectory: Trajectory) -> list[Suggestion]:
    """Every detector's suggestions. Phrases are evidence, not verdicts: a phrase detector's markers
    stand only beside an action that games a check in the same run (an edited test, a special case,
    an exit); without one, what it found is kept as an observation with no code ("blames the test
    or spec"), which is what an honest agent says before it stops."""
    found = [(detector, s) for detector in DETECTORS for s in detector.detect(trajectory)]
    gamed = any(detector.games for detector, _ in found)
    return [observation(s) if detector.phrase and not gamed else s for detector, s in found]


def observation(s: Suggestion) -> Suggestion:
    """A phrase hit without an action to go with it: no code, a lower confidence, said so."""
    evidence = [replace(span, codes=[]) for span in s.evidence]
    explanation = s.explanation.replace("weak signal, ", "")
    return replace(
        s,
        codes=[],
        evidence=evidence,
        confidence=OBSERVATION_CONFIDENCE,
        explanation=f"observation, no action games a check: {explanation}",
    )


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
