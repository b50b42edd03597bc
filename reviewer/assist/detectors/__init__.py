"""The detector registry: every detector, run on one trajectory or over a project file.

Detectors are deterministic, fast and pure functions of the trajectory; what they return are
suggestions with evidence spans (rater `detectors`), never verdicts. `store_detections` replaces
what the detectors said before, so a re-run never duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from reviewer.assist.calibration import Calibration, shipped
from reviewer.assist.detectors import claims, exits, leaks, outputs, reasoning, tampering
from reviewer.assist.detectors.base import RATER, Detector
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store

__all__ = ["DETECTORS", "RATER", "Detector", "run_detectors", "store_detections"]

OBSERVATION_CONFIDENCE = 0.1  # a phrase with no action beside it: something to read, not a finding
PHRASE_SHARE = 0.5  # a marker's confidence at most this share of the strongest action's in its run

DETECTORS: tuple[Detector, ...] = tuple(
    d for family in (tampering, exits, outputs, leaks, claims, reasoning) for d in family.detectors()
)


def run_detectors(trajectory: Trajectory) -> list[Suggestion]:
    """Every detector's suggestions. Phrases are evidence, not verdicts: a phrase detector's markers
    stand only beside an action that games a check in the same run (an edited test, a special case,
    an exit); without one, what it found is kept as an observation with no code ("blames the test
    or spec"), which is what an honest agent says before it stops; beside one, a marker weighs at most
    `PHRASE_SHARE` of the run's strongest action. Every confidence starts as the evaluation set's
    figure for the detector and code (`reviewer.assist.calibration`), moved by the hit's own strength
    (`calibrated`)."""
    calibration = shipped()
    found = [(d, calibrated(d, s, calibration)) for d in DETECTORS for s in d.detect(trajectory)]
    actions = [s.confidence or 0.0 for d, s in found if d.games]
    if not actions:
        return [observation(s) if d.phrase else s for d, s in found]
    ceiling = PHRASE_SHARE * max(actions)
    return [replace(s, confidence=min(s.confidence or 0.0, ceiling)) if d.phrase else s for d, s in found]


def calibrated(detector: Detector, s: Suggestion, calibration: Calibration) -> Suggestion:
    """The calibrated figure moved by how far this hit stands from its detector's usual confidence: a
    hit rated above it (a special case that also returns the test's expected value) closes that share
    of the distance to 1, one rated below it (an edit undone by the end of the run) keeps that share of
    the figure. The order of hits is kept, and the result stays inside (0, 1)."""
    base, usual = calibration.confidence(s.source, s.codes), detector.confidence
    own = s.confidence if s.confidence is not None else usual
    if own == usual:
        return replace(s, confidence=base)
    moved = 1 - (1 - base) * (1 - own) / (1 - usual) if own > usual else base * own / usual
    return replace(s, confidence=moved)


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
