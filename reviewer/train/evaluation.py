"""How good the classifier is, measured the only honest way for runs that share tasks: cross-validation
grouped by task, so no task is ever in a training fold and its test fold at once.

Figures come from the out-of-fold probabilities pooled over folds: AUROC, average precision, F1
(with precision and recall) at the threshold, the Brier score, and a reliability curve. A figure
that the data cannot define (one class only, nothing predicted positive) is None, and
`undefined_reason` says which and why: never NaN. The learning curve repeats the cross-validation
with a seeded share of each training fold's tasks, to show whether more labels would still help.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from reviewer.train import FOLDS

FRACTIONS: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0)
BINS = 10
DIGITS = 6  # figures are rounded, so the same run gives the same bytes on any machine's last bits

Fold = tuple[np.ndarray, np.ndarray]  # training rows, test rows


def rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def folds(groups: Sequence[str], y: np.ndarray, seed: int, wanted: int = FOLDS) -> tuple[list[Fold], str | None]:
    """Grouped, stratified folds; none (with the reason) when some fold could not train on both classes."""
    group = np.asarray(groups)
    with_positive = len(set(group[y == 1]))
    with_negative = len(set(group[y == 0]))
    k = min(wanted, with_positive, with_negative)
    if k < 2:
        return [], (
            f"grouped cross-validation needs at least 2 tasks with a positive and 2 with a negative label"
            f" (found {with_positive} and {with_negative})"
        )
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y, group)], None


def metrics(y: np.ndarray, p: np.ndarray, threshold: float, unavailable: str | None = None) -> dict[str, Any]:
    """The contract's figures for labels `y` (0/1) and probabilities `p`; `unavailable` says why there are none."""
    y = np.asarray(y, dtype=np.int64)
    p = np.asarray(p, dtype=np.float64)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    said = p >= threshold
    tp, fp, fn = int((said & (y == 1)).sum()), int((said & (y == 0)).sum()), int((~said & (y == 1)).sum())
    reasons: list[str] = []

    def figure(name: str, defined: bool, why: str, compute: Callable[[], float]) -> float | None:
        if unavailable is not None:
            return None
        if not defined:
            reasons.append(f"{name}: {why}")
            return None
        return rounded(compute())

    one_class = f"the evaluated labels have one class only ({positives} positive, {negatives} negative)"
    result: dict[str, Any] = {
        "n": len(y), "positives": positives, "negatives": negatives, "threshold": threshold,
        "auroc": figure("auroc", positives > 0 and negatives > 0, one_class, lambda: roc_auc_score(y, p)),
        "average_precision": figure("average_precision", positives > 0, "no positive label was evaluated",
                                    lambda: average_precision_score(y, p)),
        "f1": figure("f1", 2 * tp + fp + fn > 0, "nothing positive, true or predicted", lambda: 2 * tp / (2 * tp + fp + fn)),
        "precision": figure("precision", tp + fp > 0, "nothing predicted positive at the threshold", lambda: tp / (tp + fp)),
        "recall": figure("recall", positives > 0, "no positive label was evaluated", lambda: tp / positives),
        "brier": figure("brier", len(y) > 0, "no label was evaluated", lambda: float(np.mean((p - y) ** 2))),
    }  # fmt: skip
    result["undefined_reason"] = unavailable if unavailable is not None else ("; ".join(reasons) or None)
    return result


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[dict[str, Any]]:
    """Per probability bin with labels in it: the mean predicted probability against the observed rate."""
    which = np.minimum((np.asarray(p) * bins).astype(np.int64), bins - 1)
    curve = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            curve.append({
                "low": b / bins, "high": (b + 1) / bins, "n": int(inside.sum()),
                "mean_probability": rounded(float(np.mean(p[inside]))), "observed": rounded(float(np.mean(y[inside]))),
            })  # fmt: skip
    return curve


def subsample(train: np.ndarray, groups: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """The rows of a seeded share of the fold's training tasks (at least one task)."""
    tasks = np.unique(groups[train])
    chosen = rng.permutation(tasks)[: max(1, math.ceil(fraction * len(tasks)))]
    return train[np.isin(groups[train], chosen)]
