"""Detector and model-judge suggestions in the store, kept apart from human labels.

A re-run replaces what the same rater said about the same trajectory (in one transaction), so the
store holds each rater's current opinion; history of suggestions is not kept, labels' history is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reviewer.model import Suggestion
from reviewer.store.connection import Db
from reviewer.store.trajectories import now_iso
from reviewer.store.transactions import writing

_COLUMNS = (
    "trajectory_id, rater, source, codes, verdict, intent, severity, confidence, evidence, explanation, details, created_at"
)


class SuggestionRepository:
    def __init__(self, db: Db):
        self.db = db

    def replace(self, trajectory_id: str, rater: str, suggestions: list[Suggestion]) -> None:
        """Everything `rater` now says about `trajectory_id` (an empty list clears it)."""
        now = now_iso()
        with writing(self.db):
            self.db.execute("delete from suggestions where trajectory_id = ? and rater = ?", [trajectory_id, rater])
            self.db.executemany(
                f"insert into suggestions({_COLUMNS}) values (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        s.trajectory_id, s.rater, s.source, json.dumps(s.codes), s.verdict, s.intent, s.severity,
                        s.confidence, json.dumps([e.to_dict() for e in s.evidence], ensure_ascii=False),
                        s.explanation, json.dumps(s.details, ensure_ascii=False), s.created_at or now,
                    )
                    for s in suggestions
                    if s.trajectory_id == trajectory_id and s.rater == rater
                ],
            )  # fmt: skip

    def replace_many(self, rater: str, suggestions: dict[str, list[Suggestion]]) -> None:
        """`replace` for many trajectories in one transaction (a classifier's predictions of a batch)."""
        with writing(self.db):
            for trajectory_id, found in suggestions.items():
                self.replace(trajectory_id, rater, found)

    def of(self, trajectory_ids: Sequence[str], rater: str) -> dict[str, list[Suggestion]]:
        """What `rater` says about each of the given trajectories (at most a few thousand ids a call)."""
        found: dict[str, list[Suggestion]] = {}
        for s in self.all(trajectory_ids=trajectory_ids, rater=rater):
            found.setdefault(s.trajectory_id, []).append(s)
        return found

    def all(
        self, *, trajectory_id: str | None = None, rater: str | None = None, trajectory_ids: Sequence[str] | None = None
    ) -> list[Suggestion]:
        where: list[str] = []
        params: list[str] = []
        if trajectory_id is not None:
            where.append("trajectory_id = ?")
            params.append(trajectory_id)
        if trajectory_ids is not None:
            where.append(f"trajectory_id in ({', '.join('?' * len(trajectory_ids))})")
            params += trajectory_ids
        if rater is not None:
            where.append("rater = ?")
            params.append(rater)
        sql = (
            f"select {_COLUMNS} from suggestions"
            + (" where " + " and ".join(where) if where else "")
            + " order by trajectory_id, rater, id"
        )
        return [
            Suggestion.from_dict(
                {
                    "trajectory_id": tid, "rater": r, "source": source, "codes": json.loads(codes), "verdict": verdict,
                    "intent": intent, "severity": severity, "confidence": confidence, "evidence": json.loads(evidence),
                    "explanation": explanation, "details": json.loads(details) if details else {}, "created_at": created,
                }
            )
            for tid, r, source, codes, verdict, intent, severity, confidence, evidence, explanation, details, created
            in self.db.execute(sql, params)
        ]  # fmt: skip
