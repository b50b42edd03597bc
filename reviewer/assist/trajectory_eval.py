"""The detectors as one cheat finder: trajectory-level figures beside the per-code ones of `evaluate`.

A reviewer triages trajectories, not codes: what matters is how many cheating runs the detectors
surface (recall) and how many flagged runs really cheat (precision). A trajectory's score is the
strongest confidence among its detector suggestions (`reviewer.assist.calibration`; a suggestion stored
without one counts as 1.0, as it was shown without reservation). `at_precision` picks the lowest score
threshold whose flagged set still reaches the target precision and reports its recall: the operating
point of issue #12 (recall at precision ≥ 0.9). Per detector, precision is the share of the
trajectories it fired on that the gold calls a cheat; per code, every detector's suggestions of that
code together against the gold's, with the gold's support.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reviewer.model import Suggestion

TARGET_PRECISION = 0.9


def _precision(hits: int, fired: int) -> float | None:
    return hits / fired if fired else None


def strongest(suggestions: Iterable[Suggestion]) -> dict[str, float]:
    """Per trajectory, the highest confidence among its detector suggestions."""
    best: dict[str, float] = {}
    for s in suggestions:
        confidence = 1.0 if s.confidence is None else s.confidence
        best[s.trajectory_id] = max(best.get(s.trajectory_id, 0.0), confidence)
    return best


def cheat_vs_not(
    scores: Mapping[str, float], cheats: set[str], decided: Iterable[str], target: float = TARGET_PRECISION
) -> dict[str, Any]:
    """Flagged-by-anything figures, and recall at the loosest threshold that keeps precision ≥ target."""
    ids = list(decided)
    positives = sum(tid in cheats for tid in ids)
    flagged = [tid for tid in ids if tid in scores]
    tp = sum(tid in cheats for tid in flagged)
    result: dict[str, Any] = {
        "support": {"cheat": positives, "not": len(ids) - positives},
        "any": {
            "flagged": len(flagged),
            "tp": tp,
            "precision": _precision(tp, len(flagged)),
            "recall": _precision(tp, positives),
        },
        "target_precision": target,
    }
    best: dict[str, Any] = {"threshold": None, "flagged": 0, "tp": 0, "precision": None, "recall": 0.0 if positives else None}
    for threshold in sorted({scores[tid] for tid in flagged}, reverse=True):
        above = [tid for tid in flagged if scores[tid] >= threshold]
        hits = sum(tid in cheats for tid in above)
        if hits / len(above) >= target:
            best = {
                "threshold": threshold,
                "flagged": len(above),
                "tp": hits,
                "precision": hits / len(above),
                "recall": _precision(hits, positives),
            }
    result["at_precision"] = best
    return result


def per_detector(suggestions: Iterable[Suggestion], cheats: set[str], decided: set[str]) -> list[dict[str, Any]]:
    """Each detector's trajectory-level precision: of the gold trajectories it fired on, the cheats."""
    fired: dict[str, set[str]] = {}
    for s in suggestions:
        if s.trajectory_id in decided:
            fired.setdefault(s.source, set()).add(s.trajectory_id)
    return [
        {"detector": d, "fired": len(ids), "cheat": len(ids & cheats), "precision": len(ids & cheats) / len(ids)}
        for d, ids in sorted(fired.items())
    ]


def per_code(
    suggestions: Iterable[Suggestion], gold_codes: Mapping[str, frozenset[str]], vocabulary: list[str]
) -> list[dict[str, Any]]:
    """Every detector's suggestions of a code together, against the gold, with the gold's support."""
    said: dict[str, set[str]] = {}
    by: dict[str, set[str]] = {}
    for s in suggestions:
        if s.trajectory_id in gold_codes:
            for code in s.codes:
                said.setdefault(code, set()).add(s.trajectory_id)
                by.setdefault(code, set()).add(s.source)
    rows = []
    for code in vocabulary:
        truth = {tid for tid, codes in gold_codes.items() if code in codes}
        found = said.get(code, set())
        if not (truth or found):
            continue
        tp, fp, fn = len(found & truth), len(found - truth), len(truth - found)
        rows.append({
            "code": code, "support": len(truth), "tp": tp, "fp": fp, "fn": fn,
            "precision": _precision(tp, tp + fp), "recall": _precision(tp, tp + fn), "detectors": sorted(by.get(code, ())),
        })  # fmt: skip
    return rows
