"""Project settings kept in the project file (table `meta`), so every reviewer of one project works
under the same rules: who adjudicates, and whether a reviewer may settle a dispute they are part of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reviewer.store.database import Database
from reviewer.store.transactions import writing

ADJUDICATORS = "adjudicators"
ALLOW_SELF_ADJUDICATION = "allow_self_adjudication"


@dataclass(frozen=True, slots=True)
class AdjudicationPolicy:
    """Who may settle disputes. No named adjudicators: whoever opens the app as adjudicator (an
    explicit `--adjudicator`); named ones: only they."""

    adjudicators: tuple[str, ...] = ()
    allow_self: bool = False

    def may_adjudicate(self, name: str) -> bool:
        return not self.adjudicators or name in self.adjudicators

    def view_refusal(self, viewer: str | None) -> str | None:
        """Why `viewer` may not take the adjudicator's view (every item they have not labelled sighted),
        or None: the app's `--adjudicator` and `reviewer list --adjudicator` alike."""
        if viewer is None:
            return (
                f"this project names its adjudicators ({', '.join(self.adjudicators)}): say who you are with --annotator NAME"
                if self.adjudicators
                else None
            )
        return (
            None
            if self.may_adjudicate(viewer)
            else f"{viewer} is not one of this project's adjudicators ({', '.join(self.adjudicators)})"
        )


class ProjectSettings:
    def __init__(self, db: Database):
        self.db = db

    def _get(self, key: str) -> object:
        row = self.db.execute("select value from meta where key = ?", [f"setting.{key}"]).fetchone()
        return json.loads(row[0]) if row else None

    def _set(self, key: str, value: object) -> None:
        with writing(self.db):
            self.db.execute("insert or replace into meta(key, value) values (?, ?)", [f"setting.{key}", json.dumps(value)])

    @property
    def adjudication(self) -> AdjudicationPolicy:
        named = self._get(ADJUDICATORS)
        names = tuple(str(n) for n in named) if isinstance(named, list) else ()
        return AdjudicationPolicy(names, self._get(ALLOW_SELF_ADJUDICATION) is True)

    def set_adjudicators(self, names: list[str]) -> None:
        self._set(ADJUDICATORS, sorted({n.strip() for n in names if n.strip()}))

    def set_allow_self_adjudication(self, allowed: bool) -> None:
        self._set(ALLOW_SELF_ADJUDICATION, allowed)

    def as_dict(self) -> dict[str, object]:
        policy = self.adjudication
        return {ADJUDICATORS: list(policy.adjudicators), ALLOW_SELF_ADJUDICATION: policy.allow_self}
