"""One reviewer labelling one trajectory: blind first pass, reveal, and the reveal undone.

Qt-free so the rules that protect the data (nothing unsaved, nothing revealed before the first
pass, the first pass frozen after the reveal) are tested without widgets; the GUI only calls this.
Saving, undo and time are `LabelSession`'s.

- Blind first pass: until my first-pass label has a verdict, `other_labels()`, `suggestions()`
  and `outcome()` return nothing and fields marked `hidden_until_first_pass` are not editable.
  `reveal()` then starts the final label as a copy of the first pass with `revealed` saying what
  became visible; the first pass is never written again (the store refuses it too) — unless the
  reveal is undone (`undo()` right after it, before any edit of the final label): the final label
  is withdrawn (with a history event) and the first pass, now marked as having seen the others,
  is edited again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from reviewer.errors import LabelRejected, RevealRefused
from reviewer.label_session import LabelSession, LabelSink, copy_label
from reviewer.model import Label, Revealed
from reviewer.store import Store

ORIGIN = "gui"

__all__ = ["ReviewSession", "RevealRefused", "LabelRejected", "ORIGIN"]


class ReviewSession(LabelSession):
    origin = ORIGIN

    def __init__(
        self, store: Store, annotator: str, trajectory_id: str, clock: Callable[[], float] = time.monotonic,
        sink: LabelSink | None = None,
    ):  # fmt: skip
        labels = sink or store.labels
        label = (
            labels.current((trajectory_id, annotator, False, False))
            or labels.current((trajectory_id, annotator, True, False))
            or Label(trajectory_id, annotator, first_pass=True)
        )
        super().__init__(store, annotator, trajectory_id, label, clock, labels)
        self.annotator = annotator
        self._reveal_undoable = False

    @property
    def revealed(self) -> bool:
        """Editing the final label: the first pass is done and other opinions are visible."""
        return not self._label.first_pass

    @property
    def first_pass_saved(self) -> bool:
        return self.revealed or (self._stored and self._label.verdict is not None)

    @property
    def may_reveal(self) -> bool:
        return self.first_pass_saved and not self.revealed

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) or self._reveal_undoable

    def other_labels(self) -> list[Label]:
        """Everyone else's labels (adjudications included), once revealed."""
        if not self.revealed:
            return []
        return [lb for lb in self.store.labels.all(trajectory_id=self.trajectory_id) if lb.annotator != self.annotator]

    def reveal(self) -> Label:
        """Freeze the first pass (with its time) and continue on a final label that records the reveal."""
        if self.revealed:
            raise RevealRefused("already revealed: the final label is being edited")
        if not self.first_pass_saved:
            raise RevealRefused("save a first-pass verdict before revealing other labels, suggestions and the grader outcome")
        self._save(self._label)
        final = copy_label(self._label)
        final.first_pass = False
        final.created_at, final.version = None, 0  # a new label: none existed when the reveal began
        final.revealed = Revealed(other_labels=True, suggestions=True, grader_outcome=True)
        self._label = self._save(final)
        self._forget_steps()
        self._reveal_undoable = True
        return self.label

    def undo(self) -> Label:
        if not self._undo and self._reveal_undoable:
            return self._undo_reveal()
        return super().undo()

    def _apply(self, new: Label, merge_key: str | None = None) -> Label:
        before = self._label
        label = super()._apply(new, merge_key)
        if self._label is not before:
            self._reveal_undoable = False  # the final label is the reviewer's work now
        return label

    def _undo_reveal(self) -> Label:
        """Back to the first pass: the final label goes, and the first pass records what was seen."""
        self.sink.withdraw_final(self.trajectory_id, self.annotator, actor=self.annotator, origin=self.origin)
        stored = self.sink.current((self.trajectory_id, self.annotator, True, False))
        first = stored or copy_label(self._label)
        first.first_pass, first.version = True, stored.version if stored else 0
        first.revealed = Revealed(other_labels=True, suggestions=True, grader_outcome=True)
        self._label = self._save(first)
        self._reveal_undoable = False
        self._forget_steps()
        return self.label
