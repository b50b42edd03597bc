"""`reviewer predict`: score trajectories of the store and keep each score as a suggestion.

A prediction is one suggestion of rater `classifier:<model hash>` per trajectory (source "full"):
the probability as its confidence, the target's verdict at the threshold, the category codes of a
predicted cheat, the evidence spans of the n-grams that drove it, and in `details` the
probability, the threshold and every driving feature with its contribution. Like every
suggestion it stays hidden until the reviewer's first pass (`reviewer.blind`). Each trajectory is
read and featurised exactly as `reviewer export --features` does (`reviewer.export.features`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from reviewer.assist.detectors.base import RATER as DETECTORS
from reviewer.export.features import fields
from reviewer.export.render import render
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store
from reviewer.store.transactions import reading
from reviewer.textsafe import one_line
from reviewer.train.classifier import Classifier, Scored
from reviewer.train.data import example

BATCH = 500


def examples(store: Store, trajectories: Sequence[Trajectory]) -> list[Any]:
    """The trajectories as examples, with the detectors' findings stored for them."""
    found = store.suggestions.of([t.id for t in trajectories], DETECTORS)
    made = []
    for t in trajectories:
        rendered = render(t)
        made.append(
            example(
                {"trajectory_id": t.id, "task_id": t.task.id, "text": rendered.text, **fields(t, rendered, found.get(t.id, []))}
            )
        )
    return made


def suggestion(classifier: Classifier, scored: Scored) -> Suggestion:
    drivers = ", ".join(f"{one_line(d.feature, 60)} ({d.contribution:+.2f})" for d in scored.drivers) or "none"
    explanation = (
        f"Classifier {classifier.model_hash[:8]}: probability of a cheat {scored.probability:.2f}"
        f" (threshold {classifier.threshold:.2f}). Features that weighed most: {drivers}."
    )
    details = {
        "probability": scored.probability, "threshold": classifier.threshold, "model_hash": classifier.model_hash,
        "drivers": [{"feature": d.feature, "contribution": d.contribution} for d in scored.drivers],
    }  # fmt: skip
    return Suggestion(
        scored.example.trajectory_id, classifier.rater, "full", scored.codes, scored.evidence, explanation,
        verdict=classifier.verdict(scored.probability), confidence=scored.probability, details=details,
    )  # fmt: skip


def _batches(store: Store, ids: Sequence[str] | None) -> Iterator[list[Trajectory]]:
    """The trajectories in id order, BATCH at a time, each batch read in one snapshot (and none held
    while the caller writes its predictions)."""
    chosen = sorted(set(ids)) if ids is not None else store.trajectories.ids()
    for start in range(0, len(chosen), BATCH):
        part = chosen[start : start + BATCH]
        with reading(store.db):
            batch = list(store.trajectories.iter_all(part[0], part[-1], part if ids is not None else None))
        yield batch


def predict(
    store: Store, classifier: Classifier, ids: Sequence[str] | None = None, progress: Callable[[int], None] | None = None
) -> list[Suggestion]:
    """Score the trajectories (all, or `ids`) in id order and store one suggestion each, batch by batch.
    Raises KeyError naming the first id the store does not hold, before anything is stored."""
    missing = [i for i in ids or () if not store.trajectories.exists(i)]
    if missing:
        raise KeyError(missing[0])
    made: list[Suggestion] = []
    for batch in _batches(store, ids):
        scored = [suggestion(classifier, s) for s in classifier.score(examples(store, batch))]
        store.suggestions.replace_many(classifier.rater, {s.trajectory_id: [s] for s in scored})
        made += scored
        if progress is not None:
            progress(len(batch))
    return made


def record(s: Suggestion) -> dict[str, Any]:
    """The `reviewer predict --json` record (the contract's keys)."""
    return {
        "trajectory_id": s.trajectory_id,
        "rater": s.rater,
        "probability": s.confidence,
        "codes": s.codes,
        "evidence": [e.to_dict() for e in s.evidence],
    }
