"""`reviewer predict`: score trajectories of the store and keep each score as a suggestion.

A prediction is one suggestion of rater `classifier:<model hash>` per trajectory (source "full"):
the probability as its confidence, the target's verdict at the threshold, the category codes of a
predicted cheat, the evidence spans of the n-grams that drove it, and in `details` the
probability, the threshold and every driving feature with its contribution. Like every
suggestion it stays hidden until the reviewer's first pass (`reviewer.blind`). Each trajectory is
read and featurised exactly as `reviewer export --features` does (`reviewer.export.features`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from reviewer import parallel
from reviewer.assist.detectors.base import RATER as DETECTORS
from reviewer.export.features import fields
from reviewer.export.render import render
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store
from reviewer.store.transactions import reading
from reviewer.textsafe import one_line
from reviewer.train.classifier import Classifier, Scored
from reviewer.train.data import example
from reviewer.train.examples import Example

BATCH = 500
PARALLEL_MIN = 1000  # below this many trajectories, starting worker processes costs more than they save


def examples(store: Store, trajectories: Sequence[Trajectory]) -> list[Example]:
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


def score(store: Store, classifier: Classifier, ids: Sequence[str], whole_range: bool) -> list[Suggestion]:
    """The suggestions for one batch of ids (sorted), read in one snapshot; `whole_range`: the ids are
    every trajectory from the first to the last, so a range scan reads them."""
    with reading(store.db):
        batch = list(store.trajectories.iter_all(ids[0], ids[-1], None if whole_range else ids))
    return [suggestion(classifier, s) for s in classifier.score(examples(store, batch))]


_WORKER: dict[str, Any] = {}  # a worker process's own store and classifier (parallel.in_order)


def _start_worker(db: Path, model: Path) -> None:
    _WORKER["store"], _WORKER["classifier"] = Store(db), Classifier.load(model)


def _score_in_worker(job: tuple[tuple[str, ...], bool]) -> list[Suggestion]:
    return score(_WORKER["store"], _WORKER["classifier"], *job)


def predict(
    store: Store, classifier: Classifier, ids: Sequence[str] | None = None, progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[Suggestion]:  # fmt: skip
    """Score the trajectories (all, or `ids`) in id order and store one suggestion each, batch by batch
    (no read snapshot held while writing). From PARALLEL_MIN trajectories on, batches are scored in
    worker processes, forked where that is safe (the modules come along; each worker opens the store
    and loads the model file again, checked against its card as here), and the suggestions written
    here, in order. Raises KeyError naming the first id the store does not hold,
    before anything is stored."""
    missing = [i for i in ids or () if not store.trajectories.exists(i)]
    if missing:
        raise KeyError(missing[0])
    chosen = sorted(set(ids)) if ids is not None else store.trajectories.ids()
    jobs = [(tuple(chosen[k : k + BATCH]), ids is None) for k in range(0, len(chosen), BATCH)]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(chosen) >= PARALLEL_MIN and classifier.path is not None else 1
    if workers > 1 and classifier.path is not None:
        results: Generator[list[Suggestion], None, None] = parallel.in_order(
            _score_in_worker, jobs, workers, _start_worker, (store.path, classifier.path), start=parallel.FORK
        )
    else:
        results = (score(store, classifier, *job) for job in jobs)
    made: list[Suggestion] = []
    with closing(results):  # on a failed write, no worker is left running
        for scored in results:
            store.suggestions.replace_many(classifier.rater, {s.trajectory_id: [s] for s in scored})
            made += scored
            if progress is not None:
                progress(len(scored))
    return made


def record(s: Suggestion) -> dict[str, Any]:
    """The `reviewer predict --json` record (the contract's keys): the suggestion's, its confidence as the probability."""
    d = s.to_dict()
    return {
        "trajectory_id": d["trajectory_id"],
        "rater": d["rater"],
        "probability": d["confidence"],
        "codes": d["codes"],
        "evidence": d["evidence"],
    }
