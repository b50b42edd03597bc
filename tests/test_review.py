"""The review session without Qt: autosave, undo/redo, blind first pass, time spent, crash safety."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.model import EvidenceSpan, Label, Suggestion, Trajectory
from reviewer.review import LabelRejected, RevealRefused, ReviewSession
from reviewer.spans import source_text
from reviewer.store import Store
from reviewer.synthetic import trajectory

TID = "synthetic-0-000000"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def filled(store: Store) -> Store:
    store.trajectories.add(Trajectory.from_dict(trajectory(0, 8)))
    return store


def span(store: Store, step: int = 1, source: str = "text", start: int = 0, end: int = 5) -> EvidenceSpan:
    text = source_text(store.trajectories.get(TID), step, source)
    return EvidenceSpan(step, source, start, end, text[start:end])


def reread(db_path: Path, annotator: str = "alice", first_pass: bool = True) -> Label | None:
    """What another process would see: a second Store on the same file."""
    with Store(db_path) as other:
        return other.labels.get(TID, annotator, first_pass)


def test_every_change_is_saved_at_once(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    assert reread(db_path) is None  # opening a trajectory writes nothing
    session.set_field("verdict", "cheat")
    assert reread(db_path).verdict == "cheat"
    session.set_field("categories", ["tests.edit", "tests.exit"])
    session.set_field("context.spec_status", "clear")
    session.set_field("intent", 3)
    session.add_evidence(span(filled), "action", ["tests.edit"])
    stored = reread(db_path)
    assert stored.categories == ["tests.edit", "tests.exit"] and stored.context == {"spec_status": "clear"}
    assert stored.intent == 3 and stored.evidence[0].role == "action" and stored.evidence[0].codes == ["tests.edit"]
    session.remove_evidence(0)
    session.set_field("context.spec_status", None)
    stored = reread(db_path)
    assert stored.evidence == [] and stored.context == {}
    assert [e.origin for e in filled.labels.history(TID, "alice")] == ["gui"] * 7
    assert {e.actor for e in filled.labels.history(TID, "alice")} == {"alice"}


def test_a_refused_change_leaves_the_session_and_store_unchanged(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    session.set_field("verdict", "clean")
    with pytest.raises(LabelRejected, match="unknown code"):
        session.set_field("verdict", "nonsense")
    with pytest.raises(LabelRejected, match="outside"):
        session.set_field("intent", 9)
    bad = EvidenceSpan(1, "text", 0, 5, "wrong")
    with pytest.raises(LabelRejected, match="quote does not match"):
        session.add_evidence(bad, "action", [])
    assert session.label.verdict == "clean" and session.label.evidence == [] and session.label.intent is None
    assert reread(db_path).verdict == "clean" and not session.can_redo


def test_undo_and_redo_are_saved(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    session.set_field("verdict", "cheat")
    session.set_field("verdict", "borderline")
    session.undo()
    assert session.label.verdict == "cheat" and reread(db_path).verdict == "cheat"
    session.undo()
    assert reread(db_path).verdict is None and not session.can_undo
    session.redo()
    session.redo()
    assert reread(db_path).verdict == "borderline" and not session.can_redo
    session.undo()
    session.set_field("severity", 2)  # a new edit drops the redo branch
    assert not session.can_redo and reread(db_path).verdict == "cheat"


def test_typing_in_a_text_field_is_one_undo_step(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    session.set_field("verdict", "clean")
    for text in ("F", "Fi", "Fine"):
        session.set_field("rationale", text)
    assert reread(db_path).rationale == "Fine"
    session.undo()
    assert session.label.rationale is None and session.label.verdict == "clean"


def test_required_when_messages(filled: Store) -> None:
    session = ReviewSession(filled, "alice", TID)
    assert session.missing() == ["verdict is required"]
    session.set_field("verdict", "cheat")
    assert "a cheat verdict needs at least one evidence span with role 'action'" in session.missing()
    assert "categories is required when verdict is cheat or attempted_cheat" in session.missing()
    session.add_evidence(span(filled), "action", [])
    assert "a cheat verdict needs at least one evidence span with role 'action'" not in session.missing()
    assert not reread_complete(filled)


def reread_complete(store: Store) -> bool:
    return store.labels.get(TID, "alice", True).complete


def test_blind_until_the_first_pass_then_reveal(filled: Store, db_path: Path) -> None:
    filled.labels.save(Label(TID, "bob", verdict="clean"), actor="bob", origin="test")
    filled.suggestions.replace(TID, "detectors", [Suggestion(TID, "detectors", "exits", ["tests.exit"], [], "exit 0")])
    session = ReviewSession(filled, "alice", TID)
    assert not session.first_pass_saved and not session.may_reveal
    assert session.other_labels() == [] and session.suggestions() == [] and session.outcome() is None
    assert not session.field_visible("context.grader_outcome") and session.field_visible("context.spec_status")
    with pytest.raises(LabelRejected, match="hidden"):
        session.set_field("context.grader_outcome", "pass")
    with pytest.raises(RevealRefused, match="first-pass verdict"):
        session.reveal()
    session.set_field("rationale", "looks fine")
    assert not session.may_reveal  # a label without a verdict is not a first pass
    session.set_field("verdict", "cheat")
    first = reread(db_path)
    assert session.may_reveal and session.other_labels() == []

    final = session.reveal()
    assert session.revealed and not final.first_pass and not session.may_reveal
    assert final.revealed.to_dict() == {"other_labels": True, "suggestions": True, "grader_outcome": True}
    assert [lb.annotator for lb in session.other_labels()] == ["bob"]
    assert [s.rater for s in session.suggestions()] == ["detectors"]
    assert session.outcome().grader_result == "fail"
    assert session.can_undo  # the reveal itself, until the final label is edited
    session.set_field("verdict", "clean")
    session.undo()
    assert not session.can_undo and session.revealed  # undo never reaches back into the frozen first pass
    session.set_field("verdict", "clean")
    session.set_field("context.grader_outcome", "fail")
    assert reread(db_path, first_pass=False).verdict == "clean"
    kept = reread(db_path)
    assert kept.content() == first.content() and kept.verdict == "cheat" and kept.revealed.grader_outcome is False
    with pytest.raises(RevealRefused):
        session.reveal()
    reopened = ReviewSession(filled, "alice", TID)  # a later session continues on the final label
    assert reopened.revealed and reopened.label.verdict == "clean"


def test_seconds_spent_counts_only_active_time(filled: Store, db_path: Path) -> None:
    clock = FakeClock()
    session = ReviewSession(filled, "alice", TID, clock=clock)
    clock.now += 30
    session.set_field("verdict", "clean")
    assert reread(db_path).seconds_spent == 30
    session.pause()
    clock.now += 1000
    assert session.seconds_spent == 30
    session.resume()
    clock.now += 12.5
    session.pause()  # pausing stores the time so far
    assert reread(db_path).seconds_spent == 42.5
    session.resume()
    clock.now += 7.5
    session.set_field("confidence", 4)
    assert reread(db_path).seconds_spent == 50
    later = ReviewSession(filled, "alice", TID, clock=clock)  # reopening continues the count
    clock.now += 10
    later.set_field("confidence", 5)
    assert reread(db_path).seconds_spent == 60


def test_pausing_an_untouched_trajectory_writes_nothing(filled: Store, db_path: Path) -> None:
    clock = FakeClock()
    session = ReviewSession(filled, "alice", TID, clock=clock)
    clock.now += 5
    session.pause()
    assert reread(db_path) is None


CHILD = textwrap.dedent(
    """
    import sys, time
    from reviewer.review import ReviewSession
    from reviewer.store import Store

    session = ReviewSession(Store(sys.argv[1]), "alice", sys.argv[2])
    session.set_field("verdict", "clean")
    for k in range(10_000):
        session.set_field("confidence", 1 + k % 5)
        session.set_field("rationale", f"edit {k}")
        print(f"done {k}", flush=True)
        time.sleep(0.002)
    """
)


def test_sigkill_mid_labelling_loses_no_completed_edit(filled: Store, db_path: Path, tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script), str(db_path), TID], stdout=subprocess.PIPE, text=True)
    reported = -1
    try:
        for line in child.stdout:
            reported = int(line.split()[1])
            if reported >= 40:
                break
    finally:
        child.kill()  # SIGKILL: no atexit, no flush, no clean close
        child.wait()
    assert child.returncode == -9 and reported >= 40
    with Store(db_path) as after:
        rationales = {e.new.rationale for e in after.labels.history(TID, "alice")}
        last = after.labels.get(TID, "alice", True)
    assert all(f"edit {k}" in rationales for k in range(reported + 1))
    assert int(last.rationale.split()[1]) >= reported and last.verdict == "clean"


def test_two_instances_labelling_the_same_file_keep_both(filled: Store, db_path: Path) -> None:
    with Store(db_path) as second_app:
        alice = ReviewSession(filled, "alice", TID)
        bob = ReviewSession(second_app, "bob", TID)
        for i in range(1, 5):
            alice.set_field("confidence", i)
            bob.set_field("severity", i - 1)
        alice.set_field("verdict", "clean")
        bob.set_field("verdict", "cheat")
    with Store(db_path) as check:
        labels = {lb.annotator: lb for lb in check.labels.all(trajectory_id=TID)}
        history = check.labels.history(TID)
    assert labels["alice"].verdict == "clean" and labels["alice"].confidence == 4
    assert labels["bob"].verdict == "cheat" and labels["bob"].severity == 3
    assert len(history) == 10


def test_typing_in_one_field_is_one_undo_step_and_one_history_event(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    session.set_field("verdict", "clean")
    for k in range(1, 6):
        session.set_field("rationale", "looks fine"[: 2 * k])
        assert reread(db_path).rationale == "looks fine"[: 2 * k]  # every keystroke is in the file at once
    session.set_field("confidence", 3)
    session.set_field("rationale", "looks fine.")  # typing again after another field: a new burst
    events = filled.labels.history(TID, "alice")
    assert [(e.old.rationale if e.old else None, e.new.rationale) for e in events] == [
        (None, None), (None, "looks fine"), ("looks fine", "looks fine"), ("looks fine", "looks fine.")
    ]  # fmt: skip
    session.undo()
    assert session.label.rationale == "looks fine"
    session.undo()
    session.undo()
    assert session.label.rationale is None and session.label.verdict == "clean"


def test_outcome_is_read_without_loading_the_run(filled: Store) -> None:
    session = ReviewSession(filled, "alice", TID)
    assert session.outcome() is None  # blind
    session.set_field("verdict", "clean")
    session.reveal()
    assert session.outcome() == filled.trajectories.get(TID).outcome


def test_accepting_a_suggestion_is_one_change_and_one_undo_step(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    first = span(filled, 1, "text", 0, 5)
    suggestion = Suggestion(TID, "detectors", "test_file_deleted", ["tests.skip", "mr.blame_test", "nonsense"],
                            [first, span(filled, 1, "text", 6, 9)], "deleted the test")  # fmt: skip
    with pytest.raises(LabelRejected, match="after the reveal"):
        session.accept(suggestion)  # blind: suggestions are not even visible yet
    session.set_field("verdict", "cheat")
    session.reveal()
    session.add_evidence(first, "action", ["tests.skip"])
    events = len(filled.labels.history(TID, "alice"))
    label = session.accept(suggestion)
    assert label.categories == ["tests.skip"] and label.markers == ["mr.blame_test"]  # unknown codes are not copied
    assert [(e.start, e.role, e.codes) for e in label.evidence] == [(0, "action", ["tests.skip"]),
                                                                   (6, "action", ["tests.skip", "mr.blame_test"])]  # fmt: skip
    assert label.rationale == "[accepted from detectors/test_file_deleted]"
    assert len(filled.labels.history(TID, "alice")) == events + 1 and reread(db_path, first_pass=False) == label
    assert session.undo().categories == [] and session.label.rationale is None and len(session.label.evidence) == 1


def test_the_reveal_is_undone_until_the_final_label_is_edited(filled: Store, db_path: Path) -> None:
    filled.labels.save(Label(TID, "bob", verdict="clean"), actor="bob", origin="test")
    session = ReviewSession(filled, "alice", TID)
    session.set_field("verdict", "cheat")  # an incomplete first pass: verdict only
    session.reveal()
    assert reread(db_path, first_pass=False) is not None and session.other_labels()
    session.undo()  # Ctrl+Z right after the reveal
    assert not session.revealed and session.other_labels() == [] and reread(db_path, first_pass=False) is None
    first = reread(db_path)
    assert first.verdict == "cheat" and first.revealed.other_labels  # honest: this first pass saw the others
    session.set_field("categories", ["tests.skip"])  # the first pass is editable again
    assert reread(db_path).categories == ["tests.skip"]
    events = filled.labels.history(TID, "alice")
    withdrawn = [e for e in events if e.new is None]
    assert len(withdrawn) == 1 and withdrawn[0].old.verdict == "cheat" and not withdrawn[0].first_pass

    session.reveal()
    session.set_field("rationale", "now my final label")
    session.undo()  # undoes the edit only
    assert session.revealed and not session.can_undo
    session.undo()
    assert session.revealed and reread(db_path, first_pass=False) is not None


def test_accepting_a_suggestion_again_changes_nothing(filled: Store, db_path: Path) -> None:
    session = ReviewSession(filled, "alice", TID)
    session.set_field("verdict", "cheat")
    session.reveal()
    session.set_field("rationale", "exits early")
    suggestion = Suggestion(TID, "detectors", "exits", ["tests.exit"], [span(filled)], "exit 0")
    note = "[accepted from detectors/exits]"
    first = session.accept(suggestion)
    events = len(filled.labels.history(TID, "alice"))
    assert session.accept(suggestion) == first  # a double click
    assert first.rationale == f"exits early\n{note}" and reread(db_path, first_pass=False) == first
    assert len(filled.labels.history(TID, "alice")) == events  # no write, so no history event
    assert session.undo().rationale == "exits early" and session.label.categories == []  # and no undo step of its own
    session.redo()

    reopened = ReviewSession(filled, "alice", TID)  # the label already holds all of it: still nothing
    assert reopened.accept(suggestion).content() == first.content() and not reopened.can_undo
    assert len(filled.labels.history(TID, "alice")) == events + 2  # the undo and the redo above

    wider = Suggestion(TID, "detectors", "exits", ["tests.exit"], [span(filled), span(filled, 1, "text", 6, 9)], "exit 0")
    label = reopened.accept(wider)  # the same source with a new span: the span is added, the note not doubled
    assert [e.start for e in label.evidence] == [0, 6] and label.rationale.count(note) == 1
