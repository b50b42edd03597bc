"""Detector confidences calibrated on the evaluation set: how often a hit of this kind was a real cheat.

A detector hit is evidence, not a verdict, and hits differ in weight: a conftest that rewrites
reports is nearly always a cheat, "the test is wrong" is what honest agents say before they stop.
Each suggestion's confidence is therefore the share of the evaluation set's trajectories on which
the same detector suggested the same code that the gold label calls a cheat (cheat or
attempted_cheat), smoothed as (cheats + 1) / (fired + 2) so that a handful of hits never claims
certainty. A suggestion with several codes takes the strongest; a code the set never saw the
detector emit takes the detector's own figure; a detector the set has not met gets 0.5 (no
evidence either way) until the data is regenerated. Like every suggestion, the confidence stays
hidden until the reviewer's first pass (reviewer.blind).

The figures live as data in `calibration.json` beside this module. Regenerate them after a change to
the detectors or to tests/data/eval (tests/assist/test_eval_set.py fails until then):

    rm -f /tmp/eval.db && reviewer --db /tmp/eval.db import tests/data/eval \\
        && reviewer --db /tmp/eval.db assist calibrate -o reviewer/assist/calibration.json

The set is also what `reviewer assist evaluate` scores, so figures measured on it after
calibration are optimistic for the ranking; the per-detector precision is unaffected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from reviewer.model import Suggestion

DATA = Path(__file__).with_name("calibration.json")
UNSEEN = 0.5  # a detector the evaluation set never saw fire
METHOD = "share of the trajectories with this detector and code that the gold calls a cheat, (cheats + 1) / (fired + 2)"


def smoothed(cheats: int, fired: int) -> float:
    return (cheats + 1) / (fired + 2)


def fit(suggestions: Iterable[Suggestion], cheating_ids: set[str], gold_ids: set[str]) -> dict[str, Any]:
    """The calibration data from detector suggestions over gold trajectories (`cheating_ids` ⊆ `gold_ids`)."""
    by_code: dict[str, dict[str, set[str]]] = {}
    by_detector: dict[str, set[str]] = {}
    for s in suggestions:
        if s.trajectory_id not in gold_ids:
            continue
        by_detector.setdefault(s.source, set()).add(s.trajectory_id)
        for code in s.codes:
            by_code.setdefault(s.source, {}).setdefault(code, set()).add(s.trajectory_id)

    def entry(ids: set[str]) -> dict[str, Any]:
        cheats = len(ids & cheating_ids)
        return {"fired": len(ids), "cheats": cheats, "confidence": round(smoothed(cheats, len(ids)), 4)}

    return {
        "method": METHOD,
        "trajectories": len(gold_ids),
        "cheats": len(cheating_ids),
        "unseen": UNSEEN,
        "detectors": {
            d: {**entry(ids), "codes": {c: entry(by_code[d][c]) for c in sorted(by_code.get(d, {}))}}
            for d, ids in sorted(by_detector.items())
        },
    }


class Calibration:
    """Looks up a suggestion's confidence in fitted data (`fit`'s output)."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.unseen = float(data.get("unseen", UNSEEN))

    def confidence(self, detector: str, codes: Iterable[str]) -> float:
        found = self.data.get("detectors", {}).get(detector)
        if found is None:
            return self.unseen
        per_code = [found["codes"][c]["confidence"] for c in codes if c in found["codes"]]
        return float(max(per_code) if per_code else found["confidence"])

    def apply(self, suggestions: Iterable[Suggestion]) -> list[Suggestion]:
        """The suggestions with their calibrated confidence."""
        return [replace(s, confidence=self.confidence(s.source, s.codes)) for s in suggestions]


@cache
def shipped() -> Calibration:
    """The calibration shipped with the package (read once)."""
    return Calibration(json.loads(DATA.read_text(encoding="utf-8")))
