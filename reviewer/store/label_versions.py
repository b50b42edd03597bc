"""Schema of label versions and edit ids (both backends): what makes a stale save visible and a retry harmless.

- `labels.version`: every write of a label adds one (labels stored before this step are version 1).
  A save says which version it was based on (`Label.version` of the label it edited, or a pack's
  `based_on`); when the stored version is another, the edit is not applied but kept as a conflict.
- `label_events.edit_id`: the id (a UUID made by the client) of the edit an event records, unique
  by an index of the database: an edit retried after a lost connection, or a pack imported twice,
  finds its id there and changes nothing. Events written before this step have none.
- `label_events.version` / `based_on`: the version the event produced and the one it was based on.
- `label_events.conflict`: null for an applied edit; `open` for an edit kept but not applied (the
  label had moved on), `resolved` once someone settled it (`LabelRepository.resolve`). Conflicts
  live in the history, so the change feed (`store.changes`) carries them like any other edit.

The DDL is one list per backend, so the step can be renumbered when other steps land first.
"""

from __future__ import annotations

from reviewer.store.dialect import Dialect


def versions_schema(dialect: Dialect) -> list[str]:
    """The DDL of the label-versions schema step on `dialect`'s backend."""
    number = "bigint" if dialect.postgres else "integer"
    key = ' collate "C"' if dialect.postgres else ""
    return [
        f"alter table labels add column version {number} not null default 1",
        f"alter table label_events add column edit_id text{key}",
        f"alter table label_events add column version {number}",
        f"alter table label_events add column based_on {number}",
        f"alter table label_events add column conflict text{key}",
        "create unique index label_events_edit on label_events (edit_id)",
        "create index label_events_open on label_events (trajectory_id) where conflict = 'open'",
    ]
