"""`reviewer train`: features counted once, grouped cross-validation, the learning curve, one-vs-rest
category models, and the final models fitted on every label; the model bundle and its card.

Deterministic for a given seed and data: folds, task subsamples and the solver are seeded, rows
keep the export's order, and every figure in the card is rounded.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import numpy as np
import scipy.sparse as sp

from reviewer.errors import DataError, OptionError
from reviewer.export.render import RENDER_VERSION
from reviewer.train import FOLDS, KINDS, MIN_POSITIVES, THRESHOLD, estimators, evaluation, vectorize
from reviewer.train.data import Dataset, Target
from reviewer.train.examples import CHANNEL_CAP, CHANNELS
from reviewer.train.vectorize import Counts

FORMAT = "reviewer-classifier"
FORMAT_VERSION = 1
CATEGORY_THRESHOLD = 0.5
TOP_FEATURES = 25


@dataclass(frozen=True, slots=True)
class TrainOptions:
    seed: int = 0
    kind: str = KINDS[0]
    balanced: bool = True
    threshold: float = THRESHOLD
    min_positives: int = MIN_POSITIVES  # a category gets its own model from this many positive labels
    folds: int = FOLDS

    def check(self) -> None:
        if self.kind not in KINDS:
            raise OptionError(f"unknown model kind {self.kind!r} (known: {', '.join(KINDS)})")
        if not 0 < self.threshold < 1:
            raise OptionError("the threshold must be between 0 and 1")
        if self.folds < 2 or self.min_positives < 1 or self.seed < 0:
            raise OptionError("folds must be 2 or more, min-positives 1 or more, the seed 0 or more")


@dataclass(slots=True)
class Trained:
    bundle: dict[str, Any]  # what the model file holds (reviewer.train.modelfile)
    card: dict[str, Any]  # the model card, without `model_hash` until the file is written


class _Fitter:
    """Fits designs and estimators on rows of one counted data set, the same way for every use."""

    def __init__(self, counts: Counts, options: TrainOptions):
        self.counts, self.options = counts, options

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Any | None:
        """A model of `kind`, or None when `y` has one class only (nothing to learn from)."""
        if len(np.unique(y)) < 2:
            return None
        return estimators.fit(self.options.kind, X, y, seed=self.options.seed, balanced=self.options.balanced)

    def fold(self, train: np.ndarray, test: np.ndarray, targets: dict[str, np.ndarray]) -> dict[str, np.ndarray | None]:
        """Per target, the test rows' probabilities from a model fitted on the training rows (one design for all)."""
        design = vectorize.fit_design(self.counts, train)
        X_train, X_test = vectorize.select(self.counts, design, train), vectorize.select(self.counts, design, test)
        found: dict[str, np.ndarray | None] = {}
        for name, y in targets.items():
            model = self.fit(X_train, y[train])
            found[name] = None if model is None else estimators.probability(model, X_test)
        return found


def _out_of_fold(fitter: _Fitter, splits: Sequence[evaluation.Fold], targets: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Pooled out-of-fold probabilities per target; NaN for rows whose fold could not train that target."""
    pooled = {name: np.full(len(y), np.nan) for name, y in targets.items()}
    for train, test in splits:
        for name, p in fitter.fold(train, test, targets).items():
            if p is not None:
                pooled[name][test] = p
    return pooled


def _scored(y: np.ndarray, p: np.ndarray, threshold: float, reason: str | None) -> dict[str, Any]:
    """Figures over the rows that got a probability."""
    rows = ~np.isnan(p)
    if reason is None and not rows.any():
        reason = "no fold could train on both classes"
    return evaluation.metrics(y[rows], p[rows], threshold, reason)


def _learning_curve(
    fitter: _Fitter, splits: Sequence[evaluation.Fold], y: np.ndarray, groups: np.ndarray, full: np.ndarray, reason: str | None
) -> list[dict[str, Any]]:
    """Cross-validated figures when each training fold keeps a seeded share of its tasks (1.0: the CV itself)."""
    curve = []
    for fraction in evaluation.FRACTIONS:
        sizes = [len(train) for train, _ in splits]
        p = full
        if fraction < 1:
            shrunk = []
            for k, (train, test) in enumerate(splits):
                rng = np.random.default_rng([fitter.options.seed, k, round(fraction * 1000)])
                shrunk.append((evaluation.subsample(train, groups, fraction, rng), test))
            sizes = [len(train) for train, _ in shrunk]
            p = _out_of_fold(fitter, shrunk, {"y": y})["y"]
        figures = _scored(y, p, fitter.options.threshold, reason)
        curve.append({
            "fraction": fraction, "n_labels": round(float(np.mean(sizes))) if sizes else 0,
            **{k: figures[k] for k in ("auroc", "average_precision", "f1", "brier", "undefined_reason")},
        })  # fmt: skip
    return curve


FIGURES = ("n", "positives", "negatives", "auroc", "average_precision", "f1", "precision", "recall", "brier", "undefined_reason")


def _categories(data: Dataset, order: Sequence[str], min_positives: int) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Per category seen in the gold labels (taxonomy order, then any other by name): its 0/1 labels,
    and for those too rare for a model of their own, why."""
    seen = {c for e in data.examples for c in e.categories}
    codes = [c for c in order if c in seen] + sorted(seen - set(order))
    labels = {c: np.array([c in e.categories for e in data.examples], dtype=np.int64) for c in codes}
    groups = np.asarray([e.group for e in data.examples])
    rare: dict[str, str] = {}
    for code, yc in labels.items():
        positives, tasks = int(yc.sum()), len(set(groups[yc == 1].tolist()))
        if positives < min_positives or tasks < 2:
            rare[code] = (
                f"{positives} positive labels in {tasks} tasks: a category model needs {min_positives} or more, in 2 "
                "tasks or more"
            )
    return labels, rare


def _top(names: Sequence[str], weights: np.ndarray, k: int = TOP_FEATURES) -> dict[str, list[dict[str, Any]]]:
    """The `k` features that weigh most towards each class (ties by column)."""
    order = np.lexsort((np.arange(len(weights)), -weights))

    def pick(rows: list[int]) -> list[dict[str, Any]]:
        return [{"feature": names[i], "weight": evaluation.rounded(weights[i])} for i in rows]

    return {
        "towards_positive": pick([i for i in order[:k] if weights[i] > 0]),
        "towards_negative": pick([i for i in order[::-1][:k] if weights[i] < 0]),
    }


WORDS_SEPARATOR = "\n"  # never inside a word n-gram (tokens joined by single spaces)


def pack(vocabulary: np.ndarray) -> str | np.ndarray:
    """A block's vocabulary as the model file keeps it: word n-grams as one string (an array of
    fixed-width strings would be as wide as the longest token, for every entry), keys as they are."""
    return WORDS_SEPARATOR.join(vocabulary.tolist()) if vocabulary.dtype.kind == "U" else vocabulary


def unpack(stored: str | np.ndarray) -> np.ndarray:
    if isinstance(stored, str):
        return np.asarray(stored.split(WORDS_SEPARATOR) if stored else [], dtype=str)
    return np.asarray(stored, dtype=np.uint64)


def versions() -> dict[str, str]:
    return {
        "reviewer": version("reviewer"), "scikit-learn": version("scikit-learn"), "skops": version("skops"),
        "numpy": version("numpy"), "scipy": version("scipy"), "python": platform.python_version(),
    }  # fmt: skip


def train(data: Dataset, target: Target, options: TrainOptions, category_order: Sequence[str] = ()) -> Trained:
    """Evaluate by grouped cross-validation, then fit on every label. Raises DataError when the data
    cannot train a model at all (no example, one class only)."""
    options.check()
    y = np.asarray(data.y, dtype=np.int64)
    if len(np.unique(y)) < 2:
        raise DataError(f"the labels need both classes to train: {int(y.sum())} positive, {int(len(y) - y.sum())} negative")
    groups = np.asarray([e.group for e in data.examples])
    counts = vectorize.count(data.examples)
    fitter = _Fitter(counts, options)
    splits, reason = evaluation.folds(groups.tolist(), y, options.seed, options.folds)
    labels, rare = _categories(data, category_order, options.min_positives)
    trainable = {code: yc for code, yc in labels.items() if code not in rare}
    pooled = _out_of_fold(fitter, splits, {"": y, **{f"category:{c}": yc for c, yc in trainable.items()}})

    metrics = _scored(y, pooled[""], options.threshold, reason)
    rows = ~np.isnan(pooled[""])
    per_category = []
    for code, yc in labels.items():
        if code in rare:
            figures = evaluation.metrics(yc, np.zeros(len(yc)), CATEGORY_THRESHOLD, rare[code])
        else:
            figures = _scored(yc, pooled[f"category:{code}"], CATEGORY_THRESHOLD, reason)
        per_category.append(
            {"code": code, "trained": code not in rare, "support": int(yc.sum()), **{k: figures[k] for k in FIGURES}}
        )

    everything = np.arange(len(y))
    design = vectorize.fit_design(counts, everything)
    X = vectorize.select(counts, design, everything)
    model = fitter.fit(X, y)
    category_models = {code: fitter.fit(X, yc) for code, yc in trainable.items()}
    vocabularies = [vocabulary[kept] for vocabulary, kept in zip(counts.vocabularies, design.kept, strict=True)]
    names = vectorize.feature_names(vocabularies, counts.structural_names)

    bundle: dict[str, Any] = {
        "format": FORMAT, "version": FORMAT_VERSION, "kind": options.kind, "threshold": options.threshold,
        "category_threshold": CATEGORY_THRESHOLD, "target": target.to_dict(),
        "vocabularies": [pack(v) for v in vocabularies], "idf": design.idf,
        "structural": counts.structural_names, "scale": design.scale,
        "model": model, "categories": {code: m for code, m in category_models.items() if m is not None},
    }  # fmt: skip
    card: dict[str, Any] = {
        "format": f"{FORMAT}-card", "version": FORMAT_VERSION, "model_hash": None, "target": target.to_dict(),
        "model_kind": options.kind, "class_weight": "balanced" if options.balanced else None, "threshold": options.threshold,
        "seed": options.seed, "n_labels": len(y),
        "label_counts": {"positive": int(y.sum()), "negative": int(len(y) - y.sum()),
                         "by_verdict": dict(sorted(data.verdicts.items()))},
        "left_out": dict(sorted(data.left_out.items())), "n_tasks": len(set(groups.tolist())),
        "data": {"hash": data.data_hash, "records": data.records, "render_version": RENDER_VERSION,
                 "gold": "as reviewer export: adjudicated, else the reviewers' majority"},
        "features": {
            "channels": list(CHANNELS), "channel_cap": CHANNEL_CAP,
            "word": {"ngram_range": list(vectorize.WORD_NGRAMS), "min_df": vectorize.MIN_DF, "max_df_share": vectorize.MAX_DF,
                     "max_candidates": vectorize.MAX_WORD},
            "char": {"ngram_range": list(vectorize.CHAR_NGRAMS), "unit": "bytes of lowercased UTF-8", "min_df": vectorize.MIN_DF,
                     "max_df_share": vectorize.MAX_DF, "max_candidates": vectorize.MAX_CHAR},
            "tfidf": "1 + log tf, smoothed idf, l2 per block", "structural": counts.structural_names,
            "n_columns": X.shape[1], "top": _top(names, estimators.weights(model)),
        },
        "evaluation": {"method": "cross-validation grouped by task (stratified)", "folds": len(splits),
                       "evaluated": int(rows.sum())},
        "metrics": metrics,
        "reliability": evaluation.reliability(y[rows], pooled[""][rows]),
        "learning_curve": _learning_curve(fitter, splits, y, groups, pooled[""], reason),
        "per_category": per_category,
        "versions": versions(),
    }  # fmt: skip
    return Trained(bundle, card)
