"""The agreement report: how decidable "cheating" is on this project's data, and where reviewers diverge.

Built from the store's labels into one rating matrix per field (items × raters), then the
coefficients of `metrics` on each. The result is a plain dict — the JSON contract other tools read
(`reviewer agreement --json`) — which the terminal tables and the HTML report only render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

import numpy as np

from reviewer.agreement.metrics import (
    Coefficient,
    Level,
    RatingMatrix,
    bootstrap_ci,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    prevalence,
    scott_pi,
)
from reviewer.model import Label, Suggestion, is_machine
from reviewer.taxonomy import Taxonomy

LabelChoice = Literal["first", "final"]
TAG = ("absent", "present")
ORDERED_FIELDS = ("verdict", "intent", "severity", "disclosure")


def suggestions_as_labels(suggestions: Iterable[Suggestion], taxonomy: Taxonomy) -> list[Label]:
    """A model judge's full-transcript verdicts as labels of rater `model:<name>`, so a report can set
    them beside the humans'. Detector suggestions carry no verdict and are not raters."""
    categories, markers = set(taxonomy.codes("categories")), set(taxonomy.codes("markers"))
    return [
        Label(
            s.trajectory_id,
            s.rater,
            first_pass=True,
            verdict=s.verdict,
            intent=s.intent,
            severity=s.severity,
            categories=[c for c in s.codes if c in categories],
            markers=[c for c in s.codes if c in markers],
        )  # fmt: skip
        for s in suggestions
        if is_machine(s.rater) and s.rater != "detectors" and s.verdict is not None and s.source == "full"
    ]


def is_blind(label: Label) -> bool:
    """A first pass saved before its reviewer saw anything: one whose reveal was undone records
    what it saw, and is no longer blind."""
    return label.first_pass and not label.revealed.anything


def pick_labels(labels: Iterable[Label], choice: LabelChoice, include_models: bool) -> dict[tuple[str, str], Label]:
    """One label per (trajectory, rater): the blind first pass (else the final, else a first pass
    saved after seeing others) by default, or the final (else the first pass). Adjudications are
    settlements, not independent judgements."""

    def rank(label: Label) -> int:
        if choice == "first":
            return 0 if is_blind(label) else 1 if not label.first_pass else 2
        return 0 if not label.first_pass else 1

    chosen: dict[tuple[str, str], Label] = {}
    for label in labels:
        if label.adjudication is not None or (is_machine(label.annotator) and not include_models):
            continue
        key = (label.trajectory_id, label.annotator)
        if key not in chosen or rank(label) < rank(chosen[key]):
            chosen[key] = label
    return chosen


@dataclass(frozen=True)
class FieldSpec:
    name: str
    level: Level
    categories: tuple[Any, ...]
    value: Callable[[Label], Any]
    tag: str | None = None  # the code, for per-tag binary fields


def field_specs(taxonomy: Taxonomy) -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    for name in ORDERED_FIELDS:
        spec = taxonomy.fields.get(name)
        if spec is None:
            continue
        if spec["kind"] == "scale":
            specs.append(FieldSpec(name, "ordinal", tuple(range(spec["min"], spec["max"] + 1)), _getter(name)))
        else:
            specs.append(FieldSpec(name, "nominal", tuple(taxonomy.codes(name)), _getter(name)))
    for multi in ("categories", "markers"):
        if multi in taxonomy.fields:
            specs += [
                FieldSpec(f"{multi}.{code}", "nominal", TAG, _tag_getter(multi, code), code) for code in taxonomy.codes(multi)
            ]
    return specs


def _getter(name: str) -> Callable[[Label], Any]:
    return lambda label: getattr(label, name)


def _tag_getter(field: str, code: str) -> Callable[[Label], Any]:
    """Present/absent for a label that has a verdict; missing when the rater gave no judgement yet."""
    return lambda label: None if label.verdict is None else TAG[code in getattr(label, field)]


def matrix(chosen: dict[tuple[str, str], Label], spec: FieldSpec, raters: list[str]) -> RatingMatrix:
    items = sorted({tid for tid, _ in chosen})
    rows = [[_value(chosen.get((tid, r)), spec) for r in raters] for tid in items]
    keep = [k for k, row in enumerate(rows) if any(v is not None for v in row)]
    return RatingMatrix.from_rows([rows[k] for k in keep], spec.categories, raters=raters, items=[items[k] for k in keep])


def _value(label: Label | None, spec: FieldSpec) -> Any:
    if label is None:
        return None
    value = spec.value(label)
    return value if value in spec.categories else None


def _number(c: Coefficient) -> float | None:
    return None if c.value is None else float(c.value)


def field_report(m: RatingMatrix, spec: FieldSpec, bootstrap: int, seed: int) -> dict[str, Any]:
    alpha = krippendorff_alpha(m, spec.level)
    metrics: dict[str, Callable[[RatingMatrix], Coefficient]] = {
        "percent_agreement": percent_agreement,
        "fleiss_kappa": fleiss_kappa,
        "krippendorff_alpha": lambda x: krippendorff_alpha(x, spec.level),
        "gwet_ac1": gwet_ac1,
        "scott_pi": scott_pi,
    }
    values = {name: (alpha if name == "krippendorff_alpha" else fn(m)) for name, fn in metrics.items()}
    ci95: dict[str, list[float] | None] = {}
    if bootstrap > 0:
        for name in ("percent_agreement", "krippendorff_alpha", "gwet_ac1"):
            interval = bootstrap_ci(m, metrics[name], n=bootstrap, seed=seed) if values[name].value is not None else None
            ci95[name] = None if interval is None else [float(interval.low), float(interval.high)]
    report: dict[str, Any] = {
        "level": spec.level,
        "n_items": int(m.data.shape[0]),
        "n_raters": int(np.count_nonzero((m.data >= 0).any(axis=0))) if m.data.size else 0,
        "n_pairable_items": int(np.count_nonzero((m.data >= 0).sum(axis=1) >= 2)) if m.data.size else 0,
        **{name: _number(c) for name, c in values.items()},
        "ci95": ci95,
        "undefined_reason": alpha.reason,
    }
    if spec.tag is not None:
        positive = prevalence(m, TAG.index("present"))
        report["prevalence"] = positive
        report["n_positive"] = int(np.count_nonzero(m.data == TAG.index("present")))
    return report


def pairwise(chosen: dict[tuple[str, str], Label], specs: list[FieldSpec], raters: list[str]) -> list[dict[str, Any]]:
    rows = []
    for spec in (s for s in specs if s.name in ORDERED_FIELDS):
        m = matrix(chosen, spec, raters)
        for a, b in combinations(range(len(raters)), 2):
            pair = m.pair(a, b)
            both = int(np.count_nonzero((pair.data >= 0).all(axis=1))) if pair.data.size else 0
            ordinal = spec.level == "ordinal"
            rows.append(
                {
                    "a": raters[a],
                    "b": raters[b],
                    "field": spec.name,
                    "n_items": both,
                    "cohen_kappa": _number(cohen_kappa(pair)),
                    "cohen_kappa_linear": _number(cohen_kappa(pair, "linear")) if ordinal else None,
                    "cohen_kappa_quadratic": _number(cohen_kappa(pair, "quadratic")) if ordinal else None,
                }
            )
    return rows


def confusion(chosen: dict[tuple[str, str], Label], spec: FieldSpec, raters: list[str]) -> list[dict[str, Any]]:
    """Verdict confusion per reviewer pair: rows are a's verdicts, columns b's."""
    m = matrix(chosen, spec, raters)
    q = len(spec.categories)
    out = []
    for a, b in combinations(range(len(raters)), 2):
        both = (m.data[:, a] >= 0) & (m.data[:, b] >= 0) if m.data.size else np.zeros(0, bool)
        counts = np.zeros((q, q), dtype=int)
        np.add.at(counts, (m.data[both, a], m.data[both, b]), 1)
        out.append(
            {"a": raters[a], "b": raters[b], "field": spec.name, "categories": list(spec.categories), "matrix": counts.tolist()}
        )
    return out


def disputed(chosen: dict[tuple[str, str], Label]) -> list[dict[str, Any]]:
    """Trajectories whose reviewers gave different verdicts, most divided first."""
    by_item: dict[str, list[Label]] = {}
    for (tid, _), label in sorted(chosen.items()):
        if label.verdict is not None:
            by_item.setdefault(tid, []).append(label)
    rows = []
    for tid, labels in by_item.items():
        verdicts = {lb.verdict for lb in labels}
        if len(labels) < 2 or len(verdicts) < 2:
            continue
        intents = [lb.intent for lb in labels if lb.intent is not None]
        spread = (max(intents) - min(intents)) if intents else 0
        rows.append(
            {
                "trajectory_id": tid,
                "n_verdicts": len(verdicts),
                "intent_spread": spread,
                "labels": [
                    {
                        "annotator": lb.annotator,
                        "verdict": lb.verdict,
                        "categories": lb.categories,
                        "intent": lb.intent,
                        "markers": lb.markers,
                        "first_pass": lb.first_pass,
                    }
                    for lb in labels
                ],  # fmt: skip
            }
        )
    return sorted(rows, key=lambda r: (-r["n_verdicts"], -r["intent_spread"], r["trajectory_id"]))


def moved_by_reveal(labels: list[Label]) -> dict[str, Any]:
    """How often a reviewer's final verdict differs from their own blind first pass."""
    first = {(lb.trajectory_id, lb.annotator): lb for lb in labels if lb.first_pass and lb.adjudication is None}
    pairs = [(first[(lb.trajectory_id, lb.annotator)], lb) for lb in labels
             if not lb.first_pass and lb.adjudication is None and (lb.trajectory_id, lb.annotator) in first]  # fmt: skip
    changed = [f"{f.trajectory_id} ({f.annotator}: {f.verdict} → {n.verdict})" for f, n in pairs if f.verdict != n.verdict]
    return {"n_final_labels": len(pairs), "n_changed_verdict": len(changed), "changed": changed}


def model_copying(labels: list[Label]) -> list[dict[str, Any]]:
    """Per human reviewer: verdict agreement with each model's label, blind vs after suggestions were revealed.
    A reviewer who agrees far more once suggestions are visible may be copying the model."""
    models = {(lb.trajectory_id, lb.annotator): lb for lb in labels if is_machine(lb.annotator)}
    rows = []
    humans = sorted({lb.annotator for lb in labels if not is_machine(lb.annotator) and lb.adjudication is None})
    for model in sorted({name for _, name in models}):
        for human in humans:
            counts = {False: [0, 0], True: [0, 0]}  # revealed -> [agree, total]
            for lb in labels:
                other = models.get((lb.trajectory_id, model))
                if lb.annotator != human or lb.adjudication is not None or other is None or lb.verdict is None:
                    continue
                bucket = counts[lb.revealed.suggestions]
                bucket[0] += lb.verdict == other.verdict
                bucket[1] += 1
            rows.append(
                {
                    "reviewer": human,
                    "model": model,
                    "blind": {"n": counts[False][1], "agreement": _share(*counts[False])},
                    "after_reveal": {"n": counts[True][1], "agreement": _share(*counts[True])},
                }
            )
    return rows


def _share(agree: int, total: int) -> float | None:
    return None if total == 0 else agree / total


def build_report(
    labels: list[Label],
    taxonomy: Taxonomy,
    *,
    choice: LabelChoice = "first",
    include_models: bool = False,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    chosen = pick_labels(labels, choice, include_models)
    raters = sorted({rater for _, rater in chosen})
    specs = field_specs(taxonomy)
    fields = {spec.name: field_report(matrix(chosen, spec, raters), spec, bootstrap, seed) for spec in specs}
    verdict_spec = next(s for s in specs if s.name == "verdict")
    other: LabelChoice = "final" if choice == "first" else "first"
    other_verdict = field_report(matrix(pick_labels(labels, other, include_models), verdict_spec, raters), verdict_spec, 0, seed)
    return {
        "labels_used": choice,
        "labels_used_note": (
            "each reviewer's blind first-pass label, or the current label where there is none"
            f" ({sum(not is_blind(lb) for lb in chosen.values())} of {len(chosen)} are not blind)"
            if choice == "first"
            else "each reviewer's final label, or the first pass where there is no final label"
        ),
        "not_blind": sum(not is_blind(lb) for lb in chosen.values()),
        "include_models": include_models,
        "taxonomy_version": taxonomy.version,
        "bootstrap": {"replicates": bootstrap, "seed": seed},
        "raters": raters,
        "n_trajectories": len({tid for tid, _ in chosen}),
        "fields": fields,
        "pairwise": pairwise(chosen, specs, raters),
        "confusion": confusion(chosen, verdict_spec, raters),
        "disputed": disputed(chosen),
        "blind_vs_final": {choice: fields["verdict"], other: other_verdict, "moved": moved_by_reveal(labels)},
        "model_agreement": model_copying(labels),
    }
