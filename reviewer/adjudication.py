"""Settling a dispute: a third person builds the gold label from the reviewers' labels.

An adjudication is a record of its own (never anyone's own label), edited field by field like a
label — each field picked from a reviewer or set — with every change stored at once, history and
undo (`LabelSession`). It stays a draft (`settled: false`, not gold) until `settle()`, which needs
a complete label: every field the taxonomy asks for, a reason and a resolution. An edit that
leaves a settled adjudication incomplete makes it a draft again, so a settled one is always
complete. Nothing else writes it: opening, leaving or pausing never does.

Who may settle is explicit (`refusal`): the project may name its adjudicators, and a reviewer
cannot settle a dispute they are part of unless the project allows it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from reviewer.label_session import LabelSession, LabelSink, copy_label
from reviewer.model import LABEL_FIELDS, Label, Revealed, is_machine
from reviewer.store import Store
from reviewer.store.labels import LabelRejected
from reviewer.taxonomy import field_value

RESOLUTIONS: tuple[tuple[str, str], ...] = (  # the label schema's codes, in the order offered
    ("side_a_right", "Side A was right"),
    ("side_b_right", "Side B was right"),
    ("both_partly_right", "Both partly right"),
    ("guideline_unclear", "The guideline is unclear"),
    ("new_case", "A new case for the guidelines"),
)
EVIDENCE = "evidence"  # the pseudo-field of spans, beside the taxonomy's fields

__all__ = ["AdjudicationSession", "RESOLUTIONS", "EVIDENCE", "refusal", "reviewer_labels", "LabelRejected"]


def reviewer_labels(labels: list[Label]) -> list[Label]:
    """The reviewers' own labels (no adjudications, models or detectors): by reviewer, first pass first."""
    own = [lb for lb in labels if lb.adjudication is None and not is_machine(lb.annotator)]
    return sorted(own, key=lambda lb: (lb.annotator, not lb.first_pass))


def refusal(store: Store, adjudicator: str, trajectory_id: str) -> str | None:
    """Why `adjudicator` may not settle this trajectory, or None."""
    policy = store.settings.adjudication
    if not policy.may_adjudicate(adjudicator):
        return f"{adjudicator} is not one of this project's adjudicators ({', '.join(policy.adjudicators)})"
    labels = store.labels
    first, final = (labels.get(trajectory_id, adjudicator, first_pass=f) for f in (True, False))
    if not policy.allow_self and (first or final):
        return (
            f"{adjudicator} labelled this trajectory: a reviewer cannot settle a dispute they are part of"
            " (the project allows it with `reviewer settings set allow-self-adjudication true`)"
        )
    if first and not final:
        return f"{adjudicator}'s own first pass of this trajectory is still blind: finish and reveal it before settling"
    return None


class AdjudicationSession(LabelSession):
    origin = "adjudication"
    time_on_pause = False  # nothing but an explicit adjudication edit writes the record

    def __init__(
        self, store: Store, adjudicator: str, trajectory_id: str, clock: Callable[[], float] = time.monotonic,
        sink: LabelSink | None = None,
    ):  # fmt: skip
        labels = sink or store.labels
        label = labels.current((trajectory_id, adjudicator, False, True)) or Label(
            trajectory_id, adjudicator, first_pass=False,
            revealed=Revealed(other_labels=True, suggestions=True, grader_outcome=True),
            adjudication={"reason": "", "resolution": None, "settled": False},
        )  # fmt: skip
        super().__init__(store, adjudicator, trajectory_id, label, clock, labels)
        self.adjudicator = adjudicator
        self.refused = refusal(store, adjudicator, trajectory_id)

    # --- state -------------------------------------------------------------------------------

    @property
    def revealed(self) -> bool:
        return True  # an adjudicator sees every label; `refusal` keeps out those who labelled it blind

    @property
    def reason(self) -> str:
        return str(self._details().get("reason") or "")

    @property
    def resolution(self) -> str | None:
        value = self._details().get("resolution")
        return str(value) if value else None

    @property
    def settled(self) -> bool:
        return self._label.settles

    def missing(self) -> list[str]:
        """What settling still needs: the taxonomy's fields, a reason and a resolution."""
        return _missing(self.taxonomy.missing(self._label), self._label)

    def reviewers(self) -> list[Label]:
        """The labels being settled, each reviewer's first pass and final label."""
        return reviewer_labels(self.store.labels.all(trajectory_id=self.trajectory_id))

    # --- edits -------------------------------------------------------------------------------

    def set_reason(self, text: str) -> Label:
        return self._apply(self._with(reason=text), merge_key="adjudication.reason")

    def set_resolution(self, code: str | None) -> Label:
        if code is not None and code not in dict(RESOLUTIONS):
            raise LabelRejected(f"unknown resolution {code!r} (known: {', '.join(dict(RESOLUTIONS))})")
        return self._apply(self._with(resolution=code))

    def pick(self, name: str, source: Label) -> Label:
        """Take one field's value from a reviewer's label; for `evidence`, add the spans it lacks."""
        if name == EVIDENCE:
            new = copy_label(self._label)
            held = {(e.step, e.source, e.start, e.end) for e in new.evidence}
            new.evidence += [dataclasses.replace(e) for e in source.evidence if (e.step, e.source, e.start, e.end) not in held]
            return self._apply(new)
        return self.set_field(name, field_value(source, name))

    def pick_all(self, source: Label) -> Label:
        """Start from one reviewer's whole judgement (every field and span) as one change."""
        new = copy_label(self._label)
        for name in LABEL_FIELDS:
            setattr(new, name, getattr(copy_label(source), name))
        return self._apply(new)

    def settle(self) -> Label:
        """Make the adjudication the gold label; refused (with what is missing) until complete."""
        still = self.missing()
        if still:
            raise LabelRejected("not settled yet, still needed: " + "; ".join(still))
        return self._apply(self._with(settled=True))

    # --- internals ---------------------------------------------------------------------------

    def _details(self) -> dict[str, Any]:
        return dict(self._label.adjudication or {})

    def _with(self, **details: Any) -> Label:
        new = copy_label(self._label)
        new.adjudication = {**self._details(), **details}
        return new

    def _apply(self, new: Label, merge_key: str | None = None) -> Label:
        if self.refused:
            raise LabelRejected(self.refused)
        return super()._apply(new, merge_key)

    def _prepare(self, candidate: Label) -> Label:
        """Record whether the reviewers agreed, and keep `settled` only on a complete label."""
        details = dict(candidate.adjudication or {})
        details["unanimous"] = self.store.labels.unanimous(self.trajectory_id)
        if details.get("settled") and _missing(self.taxonomy.missing(candidate), candidate):
            details["settled"] = False
        candidate.adjudication = details
        return candidate


def _missing(taxonomy_missing: list[str], label: Label) -> list[str]:
    details = label.adjudication or {}
    found = list(taxonomy_missing)
    if not str(details.get("reason") or "").strip():
        found.append("reason is required: why the gold label is what it is")
    if not details.get("resolution"):
        found.append("resolution is required: which side was right")
    return found
