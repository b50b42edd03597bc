"""Editing one label of one trajectory: every change stored at once, undo/redo, time spent.

The shared part of a reviewer's own label (`reviewer.review.ReviewSession`) and an adjudication
(`reviewer.adjudication.AdjudicationSession`): both are edited field by field from the same form,
and both must never lose a change. Qt-free, so the rules are tested without widgets.

- Every change (`set_field`, `add_evidence`, `remove_evidence`, `accept`, `undo`, `redo`) is written to the
  store before the method returns, so a crash or a closed window loses nothing; the store keeps
  the history, one event per change, except that continued typing in one text field updates its
  burst's event (the same edits undo merges into one step). A change the store refuses raises
  `LabelRejected` and leaves the session unchanged.
- Each save says which version of the label it edited: when the label was saved elsewhere meanwhile
  (another machine of the same reviewer), the store keeps the edit as a flagged conflict instead of
  overwriting, `EditConflict` says so in one line, and the session continues from the stored label.
- `seconds_spent` counts monotonic time while the session is active (`pause()`/`resume()` follow
  the window) and is written with every save.
- Labels are read and written through a `LabelSink`: the store's label repository (each change
  written before the method returns), or the app's queue, which checks and stamps each change at
  once and writes it on a thread of its own so a locked or full file never freezes the window.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from reviewer.model import FLAG_KINDS, EvidenceSpan, Flag, Label, Outcome, Suggestion, Trajectory
from reviewer.store import Store
from reviewer.store.labels import EditConflict, LabelKey, LabelRejected
from reviewer.taxonomy import field_value, set_field_value

__all__ = ["LabelSession", "LabelSink", "LabelRejected", "copy_label", "accepted_note", "attempt"]

S = TypeVar("S", bound="LabelSession")


def attempt(session: S, change: Callable[[S], object]) -> str:
    """Run one change of a session; what became of it when it was not stored (shown to the person as
    it is, never swallowed), or "" when it was. A file that cannot be read or written refuses too, with
    SQLite's reason; a change kept as a conflict (saved elsewhere meanwhile) is not a refusal."""
    try:
        change(session)
    except EditConflict as exc:
        return f"Conflict: {exc}"
    except (LabelRejected, IndexError, sqlite3.Error) as exc:
        return f"Not saved: {exc}"
    return ""


class LabelSink(Protocol):
    """Where sessions read and write labels (`LabelRepository` is one)."""

    def current(self, key: LabelKey) -> Label | None: ...

    def save(
        self, label: Label, *, actor: str, origin: str, coalesce: bool = False, trajectory: Trajectory | None = None
    ) -> Label: ...

    def withdraw_final(self, trajectory_id: str, annotator: str, *, actor: str, origin: str) -> None: ...


def copy_label(label: Label) -> Label:
    return Label.from_dict(label.to_dict())


def accepted_note(suggestion: Suggestion) -> str:
    """The rationale line saying where accepted codes and spans came from."""
    return f"[accepted from {suggestion.rater}/{suggestion.source}]"


class LabelSession:
    """One label being edited; subclasses say which label, who may see what, and how it is saved."""

    origin = "gui"  # the history's origin of this session's changes
    time_on_pause = True  # store the time so far when the window goes inactive

    def __init__(self, store: Store, actor: str, trajectory_id: str, label: Label, clock: Callable[[], float], sink: LabelSink):
        self.store = store
        self.sink = sink
        self.trajectory: Trajectory | None = None  # set by a caller holding the run: new evidence is checked against it
        self.actor = actor
        self.trajectory_id = trajectory_id
        self.taxonomy = store.taxonomy
        self._clock = clock
        self._label = label
        self._stored = label.created_at is not None
        self._accumulated = float(label.seconds_spent or 0)
        self._active_since: float | None = clock()
        self._undo: list[Label] = []
        self._redo: list[Label] = []
        self._merge_key: str | None = None

    # --- state -------------------------------------------------------------------------------

    @property
    def label(self) -> Label:
        """A copy of the label being edited: callers cannot change it behind the session's back."""
        return copy_label(self._label)

    @property
    def revealed(self) -> bool:
        """Whether other reviewers' labels, suggestions and the grader outcome may be shown."""
        raise NotImplementedError

    @property
    def may_reveal(self) -> bool:
        """Whether `reveal()` has something to do now."""
        return False

    def reveal(self) -> Label:
        raise LabelRejected("nothing to reveal here: every label is already visible")

    def missing(self) -> list[str]:
        """What the taxonomy's required-when and evidence rules still ask of the current label."""
        return self.taxonomy.missing(self._label)

    def field_visible(self, name: str) -> bool:
        """Fields marked `hidden_until_first_pass` (grader outcome) exist only once others are visible."""
        return self.revealed or not self.taxonomy.hidden_until_first_pass(name)

    def value(self, name: str) -> Any:
        return field_value(self._label, name)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    # --- what others said (nothing until `revealed`) -------------------------------------------

    def other_labels(self) -> list[Label]:
        if not self.revealed:
            return []
        return [lb for lb in self.store.labels.all(trajectory_id=self.trajectory_id) if lb.key != self._label.key]

    def suggestions(self) -> list[Suggestion]:
        return self.store.suggestions.all(trajectory_id=self.trajectory_id) if self.revealed else []

    def outcome(self) -> Outcome | None:
        return self.store.trajectories.outcome(self.trajectory_id) if self.revealed else None

    # --- edits -------------------------------------------------------------------------------

    def set_field(self, name: str, value: Any) -> Label:
        """Set one taxonomy field (`verdict`, `context.spec_status`, ...); empty values clear it.

        Consecutive edits of the same text field form one undo step, so undo does not go back a
        keystroke at a time.
        """
        spec = self.taxonomy.fields.get(name)
        if spec is None:
            raise LabelRejected(f"unknown field {name!r}")
        if not self.field_visible(name):
            raise LabelRejected(f"{name} stays hidden until the first pass is saved and revealed")
        if value == "" or value == []:
            value = self.taxonomy.empty(name)
        new = copy_label(self._label)
        set_field_value(new, name, list(value) if spec["kind"] == "multi" else value)
        return self._apply(new, merge_key=name if spec["kind"] == "text" else None)

    def add_evidence(self, span: EvidenceSpan, role: str, codes: list[str], note: str | None = None) -> Label:
        new = copy_label(self._label)
        new.evidence.append(dataclasses.replace(span, role=role, codes=list(codes), note=note or None))
        return self._apply(new)

    def edit_evidence(self, index: int, role: str, codes: list[str], note: str | None = None) -> Label:
        """Change what a span says (role, codes, note); its place and quote stay as taken."""
        if not 0 <= index < len(self._label.evidence):
            raise IndexError(f"no evidence span {index}")
        new = copy_label(self._label)
        new.evidence[index] = dataclasses.replace(new.evidence[index], role=role, codes=list(codes), note=note or None)
        return self._apply(new)

    def set_flag(self, kind: str | None, reason: str = "") -> Label:
        """Set the item aside (`skip`: not now; `flag`: something is wrong with it) with a reason, or
        (None) take it back. Refused without a reason: a bare flag tells a lead nothing."""
        if kind is not None and kind not in FLAG_KINDS:
            raise LabelRejected(f"unknown flag {kind!r} (known: {', '.join(FLAG_KINDS)})")
        if kind is not None and not reason.strip():
            raise LabelRejected(f"a {kind} needs a reason")
        new = copy_label(self._label)
        new.flag = Flag(kind, reason.strip()) if kind is not None else None
        return self._apply(new)

    def accept(self, suggestion: Suggestion) -> Label:
        """Copy a detector's or model's suggestion into the label as ONE change (one write, one undo
        step): its categories and markers, its spans, and a rationale note saying where they came
        from. Only once others are visible: before that, suggestions are not even shown.

        Idempotent, as a double click or a second press must not garble the label: codes, spans and
        the note are each added only if the label lacks them, so accepting what the label already
        holds is no change at all (no write, no history event, no undo step).
        """
        if not self.revealed:
            raise LabelRejected("suggestions can be accepted into the final label only, after the reveal")
        new = copy_label(self._label)
        for field in ("categories", "markers"):
            have: list[str] = getattr(new, field)
            have += [c for c in dict.fromkeys(suggestion.codes) if c in self.taxonomy.codes(field) and c not in have]
        held = {(e.step, e.source, e.start, e.end) for e in new.evidence}
        known = self.taxonomy.tag_codes  # a model may cite codes this project's taxonomy lacks
        new.evidence += [
            dataclasses.replace(span, role=span.role or "action", codes=[c for c in span.codes or suggestion.codes if c in known])
            for span in suggestion.evidence
            if (span.step, span.source, span.start, span.end) not in held
        ]
        note = accepted_note(suggestion)
        if note not in (new.rationale or ""):
            new.rationale = f"{new.rationale or ''}\n{note}".strip()
        return self._apply(new)

    def remove_evidence(self, index: int) -> Label:
        if not 0 <= index < len(self._label.evidence):
            raise IndexError(f"no evidence span {index}")
        new = copy_label(self._label)
        del new.evidence[index]
        return self._apply(new)

    def undo(self) -> Label:
        return self._step(self._undo, self._redo)

    def redo(self) -> Label:
        return self._step(self._redo, self._undo)

    # --- time --------------------------------------------------------------------------------

    @property
    def seconds_spent(self) -> float:
        running = self._clock() - self._active_since if self._active_since is not None else 0.0
        return self._accumulated + running

    @property
    def active(self) -> bool:
        return self._active_since is not None

    def pause(self) -> None:
        """Stop the clock (window inactive or another trajectory opened) and store the time so far."""
        if self._active_since is None:
            return
        self._accumulated = self.seconds_spent
        self._active_since = None
        if self.time_on_pause and self._stored and self._label.seconds_spent != round(self._accumulated, 1):
            self._label = self._save(self._label)

    def resume(self) -> None:
        if self._active_since is None:
            self._active_since = self._clock()

    # --- internals ---------------------------------------------------------------------------

    def _apply(self, new: Label, merge_key: str | None = None) -> Label:
        if (new.content(), new.adjudication) == (self._label.content(), self._label.adjudication):
            return self.label
        before = self._label
        typing_on = merge_key is not None and merge_key == self._merge_key
        self._label = self._save(new, coalesce=typing_on)
        if not typing_on:
            self._undo.append(before)
        self._redo.clear()
        self._merge_key = merge_key
        return self.label

    def _step(self, source: list[Label], target: list[Label]) -> Label:
        if not source:
            return self.label
        current, state = self._label, copy_label(source[-1])
        state.first_pass, state.revealed, state.version = current.first_pass, current.revealed, current.version
        self._label = self._save(state)
        source.pop()
        target.append(current)
        self._merge_key = None
        return self.label

    def _forget_steps(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._merge_key = None

    def _loaded(self) -> Trajectory | None:
        t = self.trajectory
        return t if t is not None and t.id == self.trajectory_id else None

    def _prepare(self, candidate: Label) -> Label:
        """A subclass's last word on what is written (an adjudication's agreement and settled state)."""
        return candidate

    def _save(self, label: Label, coalesce: bool = False) -> Label:
        """Write with the time spent so far; nothing in the session changes unless the store accepts it.

        `coalesce`: continued typing in one text field is one history event (see `LabelRepository.save`).
        """
        candidate = self._prepare(copy_label(label))
        candidate.seconds_spent = round(self.seconds_spent, 1)
        candidate.based_on, candidate.version = None, candidate.version or 0  # based on the version loaded (0: none)
        try:
            saved = self.sink.save(candidate, actor=self.actor, origin=self.origin, coalesce=coalesce, trajectory=self._loaded())
        except EditConflict as exc:
            # Saved elsewhere since this session loaded it: the edit is kept as a conflict (never lost),
            # and the session goes on from the label as stored, so the next change cannot overwrite it.
            self._label = exc.current or Label(self.trajectory_id, label.annotator, first_pass=label.first_pass)
            self._stored = exc.current is not None
            self._forget_steps()
            raise
        self._stored = True
        return saved
