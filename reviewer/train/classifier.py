"""A trained classifier loaded from its model file: probabilities, category codes, and what drove each one.

What drove a probability are the features with the largest contributions (value times weight) in
that trajectory's row. An n-gram among them is looked up in its channel (case-insensitively, as it
was counted) and, when found in a text that spans can address, becomes an evidence span there; a
structural feature (a fact, a detector's finding) has no place in the text and is named only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from reviewer.errors import ModelError
from reviewer.model import EvidenceSpan
from reviewer.train import estimators, modelfile, vectorize
from reviewer.train.examples import JOIN, Example, Place
from reviewer.train.train import unpack
from reviewer.train.vectorize import Design

DRIVERS = 5  # features named per prediction
ADDRESSABLE = frozenset({"thinking", "text", "tool_call", "diff", "final_answer"})  # channel kinds that are evidence sources
_TOKEN_GAP = r"\W+(?:\w\W+)*?"  # between two words of a word n-gram: separators and one-letter words (not tokens)


@dataclass(frozen=True, slots=True)
class Driver:
    feature: str
    contribution: float


@dataclass(frozen=True, slots=True)
class Scored:
    example: Example
    probability: float
    codes: list[str]
    drivers: list[Driver]
    evidence: list[EvidenceSpan]


def _pattern(feature: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern of the n-gram a text feature counts; None for structural features."""
    head, _, gram = feature.partition(":")
    if "/" not in head or not gram or "\ufffd" in gram:
        return None
    if head.endswith("/word"):
        return re.compile(r"(?<!\w)" + _TOKEN_GAP.join(re.escape(w) for w in gram.split(" ")) + r"(?!\w)", re.IGNORECASE)
    return re.compile(re.escape(gram), re.IGNORECASE)


def locate(example: Example, feature: str) -> EvidenceSpan | None:
    """Where in the example's texts a driving n-gram first occurs, as an evidence span (None: nowhere addressable)."""
    pattern = _pattern(feature)
    if pattern is None:
        return None
    channel = feature.partition("/")[0]
    text, places = example.channels.get(channel, ""), example.places.get(channel, ())
    starts = [p.offset for p in places]
    for match in pattern.finditer(text):
        place: Place = places[bisect_right(starts, match.start()) - 1]
        inside = match.end() <= place.offset + place.length and JOIN not in match.group()
        if inside and place.kind in ADDRESSABLE:
            step = place.step if place.step is not None else max(int(example.facts.get("steps", 1)) - 1, 0)
            start = match.start() - place.offset + place.skip
            return EvidenceSpan(step, place.kind, start, start + len(match.group()), match.group(), None, [])
    return None


class Classifier:
    def __init__(self, bundle: dict[str, Any], card: dict[str, Any], path: Path | None = None):
        self.bundle, self.card, self.path = bundle, card, path  # the model file it was loaded from
        self.model_hash: str = card["model_hash"]
        self.rater = f"classifier:{self.model_hash}"
        self.threshold = float(bundle["threshold"])
        self.vocabularies = [unpack(v) for v in bundle["vocabularies"]]
        self.structural: list[str] = list(bundle["structural"])
        kept = [np.arange(len(v)) for v in self.vocabularies]
        self.design = Design(
            kept, [np.asarray(i, dtype=np.float64) for i in bundle["idf"]], np.asarray(bundle["scale"], dtype=np.float64)
        )
        self.names = vectorize.feature_names(self.vocabularies, self.structural)
        self.counters = vectorize.counters(self.vocabularies)
        self.weights = estimators.weights(bundle["model"])
        target = bundle["target"]
        self.verdicts = (target["positive"][0], target["negative"][0])  # what a prediction says as a verdict

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """The classifier of a model file; ModelError (one line) for any file it cannot use."""
        bundle, card = modelfile.load(path)
        try:
            return cls(bundle, card, path)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ModelError(f"{path}: not a usable reviewer classifier ({type(exc).__name__}: {exc})") from None

    def matrix(self, examples: Sequence[Example]) -> sp.csr_matrix:
        blocks = vectorize.block_counts(examples, self.counters)
        return self.design.matrix(blocks, vectorize.structure_matrix(examples, self.structural))

    def verdict(self, probability: float) -> str:
        """The target's first positive verdict at or above the threshold, else its first negative one."""
        return self.verdicts[0] if probability >= self.threshold else self.verdicts[1]

    def score(self, examples: Sequence[Example]) -> list[Scored]:
        if not examples:
            return []
        X = self.matrix(examples)
        p = estimators.probability(self.bundle["model"], X)
        categories = {code: estimators.probability(m, X) for code, m in self.bundle["categories"].items()}
        cut = float(self.bundle["category_threshold"])
        scored = []
        for k, example in enumerate(examples):
            start, end = X.indptr[k], X.indptr[k + 1]
            columns = X.indices[start:end]
            contribution = X.data[start:end] * self.weights[columns]
            top = np.lexsort((columns, -np.abs(contribution)))[:DRIVERS]
            drivers = [Driver(self.names[columns[i]], round(float(contribution[i]), 6)) for i in top if contribution[i] != 0]
            codes = [code for code, q in categories.items() if q[k] >= cut] if p[k] >= self.threshold else []
            spans = [span for d in drivers if d.contribution > 0 and (span := locate(example, d.feature)) is not None]
            scored.append(Scored(example, round(float(p[k]), 6), codes, drivers, spans))
        return scored
