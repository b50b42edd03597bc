"""How far to trust the assistance: each detector and judge view scored against the human gold labels.

Gold per trajectory is the adjudication when there is one, else the majority verdict of the
reviewers (`reviewer.agreement.aggregate`), with the categories and markers that at least half of
the labels backing that verdict chose (`reviewer.export.records.Records.gold_tags`, the same gold
the export writes). Ties and unlabelled trajectories are left out, and ties are listed with a reason.

A system is a rater and source: `detectors/<detector id>`, `model:<name>/<view>` or
`classifier:<model hash>/full`. A detector speaks only for the codes it emits, so it is scored on
those, over every gold trajectory (detectors run on all of them; silence is a "no"). A judge, and
a classifier like it, is asked about the whole taxonomy, so it is scored on every code, over the
trajectories it judged, and also on the cheat verdict itself; its confidence (its probability of
a cheat) gets a rank-based AUROC, undefined (null, with the reason) when the gold has only one class.
The detectors are also scored together, per trajectory (`detectors`: cheat vs not, recall at the target
precision, each detector's precision, each code with its support; see `trajectory_eval`).
Codes the taxonomy leaves to reviewers and the judge (`Taxonomy.reviewer_codes`) are listed as not
covered by detectors, not scored 0. The result is a plain dict: the JSON contract of `reviewer assist evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reviewer.agreement.aggregate import Ballots, gold_labels
from reviewer.assist import calibration, trajectory_eval
from reviewer.assist.detectors.base import RATER as DETECTORS
from reviewer.export.records import Records
from reviewer.model import Suggestion, is_machine
from reviewer.store import Store
from reviewer.taxonomy import Taxonomy

GOLD_METHOD = "adjudicated, else the majority of the reviewers' labels"
VERDICT_CODE = "verdict:cheat"  # the cheat-or-not verdict as a row of a judge's misses


@dataclass(frozen=True, slots=True)
class Gold:
    verdict: str
    codes: frozenset[str]


@dataclass(slots=True)
class System:
    """What one rater and source said, per trajectory."""

    rater: str
    source: str
    codes: dict[str, set[str]] = field(default_factory=dict)
    explanations: dict[str, str] = field(default_factory=dict)
    verdicts: dict[str, str | None] = field(default_factory=dict)
    confidences: dict[str, float | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.rater}/{self.source}"

    @property
    def is_judge(self) -> bool:
        """Judges and classifiers speak to every trajectory they read, with a verdict and a confidence."""
        return self.rater != "detectors"

    @property
    def kind(self) -> str:
        return "detector" if not self.is_judge else "classifier" if self.rater.startswith("classifier:") else "judge"

    def add(self, s: Suggestion) -> None:
        self.codes.setdefault(s.trajectory_id, set()).update(s.codes)
        self.explanations[s.trajectory_id] = "\n".join(filter(None, [self.explanations.get(s.trajectory_id), s.explanation]))
        self.verdicts[s.trajectory_id] = s.verdict
        self.confidences[s.trajectory_id] = s.confidence


def tag_codes(taxonomy: Taxonomy) -> list[str]:
    """Categories then markers, in taxonomy order: the codes a suggestion can carry."""
    return [c for name in ("categories", "markers") if name in taxonomy.fields for c in taxonomy.codes(name)]


def gold_standard(store: Store) -> tuple[dict[str, Gold], list[dict[str, str]], int]:
    """Gold per decided trajectory, the ties left out (with reasons), and how many trajectories no human labelled."""
    taxonomy = store.taxonomy
    ids = store.trajectories.ids()
    ballots = Ballots.from_labels(store.labels.all())
    records = Records(taxonomy, ballots)
    golds: dict[str, Gold] = {}
    excluded: list[dict[str, str]] = []
    unlabelled = 0
    for tid, gold in gold_labels(ballots, ids, "majority", taxonomy.codes("verdict")).items():
        if gold.label is not None:
            categories, markers, _ = records.gold_tags(ballots.supporting(tid, gold))
            golds[tid] = Gold(gold.label, frozenset(categories + markers))
        elif gold.n_votes:
            excluded.append({"trajectory_id": tid, "reason": f"reviewers tie between {' and '.join(gold.tie)}"})
        else:
            unlabelled += 1
    return golds, excluded, unlabelled


def systems(suggestions: Iterable[Suggestion]) -> list[System]:
    """Detectors by id, then judges and classifiers by rater and view, each in a stable order."""
    found: dict[tuple[str, str], System] = {}
    for s in suggestions:
        if is_machine(s.rater):
            found.setdefault((s.rater, s.source), System(s.rater, s.source)).add(s)
    views = {"full": 0, "actions": 1}
    return sorted(found.values(), key=lambda x: (x.is_judge, x.rater, views.get(x.source, 2), x.source))


def scores(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Counts with precision, recall and F1; each null when its denominator is zero (nothing predicted, nothing to find)."""
    return {
        "tp": tp, "fp": fp, "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
    }  # fmt: skip


def auroc(confidences: list[float], positives: list[bool]) -> dict[str, Any]:
    """Rank-based AUROC (Mann–Whitney U over average ranks, so ties count half), or null with the reason."""
    y = np.asarray(positives, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    result: dict[str, Any] = {"value": None, "reason": None, "n": len(y), "positives": n_pos, "negatives": n_neg}
    if n_pos == 0 or n_neg == 0:
        result["reason"] = (
            "no judged trajectory has both a gold label and a confidence"
            if not len(y)
            else f"undefined: the gold labels have one class only ({n_pos} cheat, {n_neg} not)"
        )
        return result
    _, inverse, counts = np.unique(np.asarray(confidences, dtype=float), return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = ((ends - counts + 1 + ends) / 2)[inverse]
    result["value"] = float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
    return result


def _score_system(
    system: System, golds: dict[str, Gold], vocabulary: list[str], cheating: frozenset[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`cheating`: the verdicts that say cheat (`Taxonomy.cheat_verdicts`)."""
    covered = sorted(tid for tid in golds if not system.is_judge or tid in system.codes)
    emitted = set().union(*system.codes.values()) if system.codes else set()
    scope = vocabulary if system.is_judge else [c for c in vocabulary if c in emitted]
    rows, misses = [], []
    for code in scope:
        said = {tid for tid in covered if code in system.codes.get(tid, ())}
        truth = {tid for tid in covered if code in golds[tid].codes}
        if said | truth:
            rows.append({"code": code, **scores(len(said & truth), len(said - truth), len(truth - said))})
            misses += [_miss(system, tid, code, "false_positive") for tid in sorted(said - truth)]
            misses += [_miss(system, tid, code, "false_negative") for tid in sorted(truth - said)]
    report: dict[str, Any] = {
        "system": system.name, "rater": system.rater, "source": system.source,
        "kind": system.kind, "trajectories": len(covered), "codes": rows,
        "micro": scores(*(sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))),
    }  # fmt: skip
    if system.is_judge:
        cheat, verdict_misses = _cheat_verdict(system, golds, covered, cheating)
        report["cheat"] = cheat
        misses += verdict_misses
        rated = [(tid, confidence) for tid in covered if (confidence := system.confidences.get(tid)) is not None]
        report["auroc"] = auroc([confidence for _, confidence in rated], [golds[tid].verdict in cheating for tid, _ in rated])
    return report, misses


def _cheat_verdict(
    system: System, golds: dict[str, Gold], covered: list[str], cheating: frozenset[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    said = {tid for tid in covered if system.verdicts.get(tid) in cheating}
    truth = {tid for tid in covered if golds[tid].verdict in cheating}
    misses = [_miss(system, tid, VERDICT_CODE, "false_positive") for tid in sorted(said - truth)]
    misses += [_miss(system, tid, VERDICT_CODE, "false_negative") for tid in sorted(truth - said)]
    return scores(len(said & truth), len(said - truth), len(truth - said)), misses


def _miss(system: System, trajectory_id: str, code: str, side: str) -> dict[str, Any]:
    return {"trajectory_id": trajectory_id, "system": system.name, "code": code, "side": side,
            "explanation": system.explanations.get(trajectory_id)}  # fmt: skip


def detector_summary(
    suggestions: list[Suggestion], golds: dict[str, Gold], vocabulary: list[str], cheating: frozenset[str]
) -> dict[str, Any]:
    """The detectors together (`reviewer.assist.trajectory_eval`): cheat vs not per trajectory, per detector, per code.

    Only suggestions that name a code claim a cheat; a codeless one is an observation ("claims the test
    is wrong", said by honest runs before they stop) and is counted apart, never as a detector firing."""
    found = [s for s in suggestions if s.rater == DETECTORS and s.trajectory_id in golds]
    claims = [s for s in found if s.codes]
    cheats = {tid for tid, gold in golds.items() if gold.verdict in cheating}
    return {
        "trajectory": trajectory_eval.cheat_vs_not(trajectory_eval.strongest(claims), cheats, golds),
        "detectors": trajectory_eval.per_detector(claims, cheats, set(golds)),
        "observations": trajectory_eval.per_detector([s for s in found if not s.codes], cheats, set(golds)),
        "codes": trajectory_eval.per_code(claims, {tid: gold.codes for tid, gold in golds.items()}, vocabulary),
    }


def calibrate(store: Store) -> dict[str, Any]:
    """Calibration data (`reviewer.assist.calibration`) from the project's gold labels and detector suggestions."""
    golds, _, _ = gold_standard(store)
    cheats = {tid for tid, gold in golds.items() if gold.verdict in store.taxonomy.cheat_verdicts}
    return calibration.fit(store.suggestions.all(rater=DETECTORS), cheats, set(golds))


def evaluate(store: Store) -> dict[str, Any]:
    golds, excluded, unlabelled = gold_standard(store)
    vocabulary = tag_codes(store.taxonomy)
    suggestions = store.suggestions.all()
    reports, misses = [], []
    for system in systems(suggestions):
        report, found = _score_system(system, golds, vocabulary, store.taxonomy.cheat_verdicts)
        reports.append(report)
        misses += found
    return {
        "gold": {"method": GOLD_METHOD, "trajectories": len(golds), "unlabelled": unlabelled, "excluded": excluded},
        "systems": reports,
        "misses": misses,
        "detectors": detector_summary(suggestions, golds, vocabulary, store.taxonomy.cheat_verdicts),
        "not_covered_by_detectors": store.taxonomy.reviewer_codes,  # never scored for detectors: not a 0
    }
