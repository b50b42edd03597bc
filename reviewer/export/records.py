"""One training record per trajectory: rendered text, gold label with its soft label, every label, evidence offsets."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reviewer.agreement.aggregate import Ballots, Gold
from reviewer.export.render import RENDER_VERSION, Rendered
from reviewer.model import Label, Trajectory
from reviewer.taxonomy import Taxonomy

TAG_FIELDS = ("categories", "markers")


def _evidence(rendered: Rendered, counted: list[Label], supporting: list[Label]) -> list[dict[str, Any]]:
    """Every span of the counted labels, with offsets into the whole text and whether it backs the gold label."""
    spans = []
    for label in counted:
        backs = any(label is s for s in supporting)
        for span in label.evidence:
            start, end = rendered.locate(span)
            spans.append({
                "start": start, "end": end, "quote": span.quote, "step": span.step, "source": span.source,
                "role": span.role, "codes": span.codes, "annotator": label.annotator, "supports_gold": backs,
            })  # fmt: skip
    return sorted(spans, key=lambda e: (e["start"], e["end"], e["annotator"], e["source"], e["role"] or "", e["codes"]))


class Records:
    """Builds records against one taxonomy and one set of ballots (what a whole export shares)."""

    def __init__(self, taxonomy: Taxonomy, ballots: Ballots):
        self.ballots = ballots
        # Schema position of each tag code; a field the project's taxonomy leaves out has none.
        self.order = {f: {c: i for i, c in enumerate(taxonomy.codes(f) if f in taxonomy.fields else [])} for f in TAG_FIELDS}

    def gold_tags(self, supporting: list[Label]) -> tuple[list[str], list[str], int | None]:
        """Categories, markers and intent that go with the gold verdict, from the labels that back it.

        A code is kept when at least half of those labels chose it (with two reviewers: either of
        them; with three: two), in schema order. Intent is the lower median: an ordinal value someone
        actually gave, and on an even split the less accusing one.
        """

        def kept(field: str) -> list[str]:
            order = self.order[field]
            chosen = Counter(code for label in supporting for code in set(getattr(label, field)) if code in order)
            return sorted((code for code, n in chosen.items() if 2 * n >= len(supporting)), key=order.__getitem__)

        intents = sorted(label.intent for label in supporting if label.intent is not None)
        categories, markers = kept("categories"), kept("markers")
        return categories, markers, intents[(len(intents) - 1) // 2] if intents else None

    def build(
        self,
        trajectory: Trajectory,
        rendered: Rendered,
        gold: Gold,
        labels: list[Label],
        split: str,
        features: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The jsonl record (schemas/export.schema.json); `labels` are all the trajectory's human labels;
        `features` (`reviewer.export.features.fields`) go last when given."""
        t = trajectory
        supporting = self.ballots.supporting(t.id, gold)
        categories, markers, intent = self.gold_tags(supporting)
        votes = self.ballots.votes.get(t.id, [])
        agreeing = sum(v.verdict == gold.label for v in votes)
        return {
            "trajectory_id": t.id,
            "task_id": t.task.id,
            "source": t.source.format,
            "model": t.agent.model,
            "render_version": RENDER_VERSION,
            "text": rendered.text,
            "label": gold.label,
            "tie": gold.tie,
            "soft_label": gold.soft or None,
            "gold_method": gold.method,
            "n_reviewers": gold.n_votes,
            "agreement": agreeing / len(votes) if votes and gold.label is not None else None,
            "votes": {v.annotator: v.verdict for v in votes},
            "categories": categories,
            "markers": markers,
            "intent": intent,
            "labels": [lb.to_dict() for lb in sorted(labels, key=lambda lb: (lb.annotator, not lb.first_pass))],
            "evidence": _evidence(rendered, self.ballots.counted(t.id), supporting),
            "split": split,
            **(features or {}),
        }
