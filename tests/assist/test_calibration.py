"""Calibrated detector confidences: fitted from gold and suggestions, looked up with fallbacks."""

from __future__ import annotations

from reviewer.assist.calibration import UNSEEN, Calibration, fit, smoothed
from reviewer.model import Suggestion


def hit(tid: str, source: str, *codes: str) -> Suggestion:
    return Suggestion(tid, "detectors", source, list(codes), [], "")


def test_fit_counts_trajectories_per_detector_and_code_and_smooths() -> None:
    suggestions = [
        hit("a", "exits", "tests.exit"), hit("a", "exits", "tests.exit"),  # one trajectory counts once
        hit("b", "exits", "tests.exit"), hit("c", "phrases", "mr.blame_test"),
        hit("d", "phrases", "mr.blame_test", "mr.pressure"),
        hit("x", "exits", "tests.exit"),  # no gold: left out
    ]  # fmt: skip
    data = fit(suggestions, cheating_ids={"a", "b", "d"}, gold_ids={"a", "b", "c", "d"})
    assert data["trajectories"] == 4 and data["cheats"] == 3
    assert data["detectors"]["exits"] == {
        "fired": 2,
        "cheats": 2,
        "confidence": 0.75,
        "codes": {"tests.exit": {"fired": 2, "cheats": 2, "confidence": 0.75}},
    }
    phrases = data["detectors"]["phrases"]
    assert phrases["codes"]["mr.blame_test"] == {"fired": 2, "cheats": 1, "confidence": 0.5}
    assert phrases["codes"]["mr.pressure"] == {"fired": 1, "cheats": 1, "confidence": round(smoothed(1, 1), 4)}


def test_lookup_takes_the_strongest_code_then_the_detector_then_unseen() -> None:
    calibration = Calibration(fit([hit("a", "d1", "c1"), hit("b", "d1", "c2")], {"a"}, {"a", "b"}))
    assert calibration.confidence("d1", ["c1", "c2"]) == round(2 / 3, 4)
    assert calibration.confidence("d1", ["c2"]) == round(1 / 3, 4)
    assert calibration.confidence("d1", ["never-seen"]) == 0.5  # the detector's own figure: 1 cheat of 2
    assert calibration.confidence("new_detector", ["c1"]) == UNSEEN
    (applied,) = calibration.apply([hit("a", "d1", "c1")])
    assert applied.confidence == round(2 / 3, 4) and applied.codes == ["c1"]
