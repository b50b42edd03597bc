"""Labels: stored at once whatever their completeness, with history; packs merge idempotently."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reviewer.model import EvidenceSpan, Label, Revealed, Trajectory
from reviewer.spans import source_text
from reviewer.store import Store
from reviewer.store.changes import ChangeFeed, LabelChange
from reviewer.store.labels import LabelRejected
from reviewer.synthetic import trajectory

BOTH_BACKENDS = True  # the tests using `store` alone run on SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture
def stored(store: Store) -> Trajectory:
    t = Trajectory.from_dict(trajectory(0, 12))
    store.trajectories.add(t)
    return t


def action_span(t: Trajectory) -> EvidenceSpan:
    step = t.file_edits[0].step
    text = source_text(t, step, "diff")
    start = text.index("-    return x + 3")
    return EvidenceSpan(step, "diff", start, start + 17, "-    return x + 3", "action", ["tests.edit"])


def test_partial_label_is_stored_with_complete_false(store: Store, stored: Trajectory) -> None:
    saved = store.labels.save(Label(stored.id, "alice", verdict="cheat"), actor="alice", origin="test")
    assert saved.complete is False
    assert saved.taxonomy_version == 1 and saved.created_at and saved.updated_at
    again = store.labels.get(stored.id, "alice", first_pass=True)
    assert again is not None and again.verdict == "cheat" and again.complete is False


def test_complete_cheat_label(store: Store, stored: Trajectory) -> None:
    label = Label(stored.id, "alice", verdict="cheat", categories=["tests.edit"], intent=3, disclosure="silent",
                  severity=2, evidence=[action_span(stored)], revealed=Revealed(grader_outcome=True))  # fmt: skip
    saved = store.labels.save(label, actor="alice", origin="test")
    assert saved.complete is True
    assert store.labels.get(stored.id, "alice", True).revealed.grader_outcome is True


def test_every_change_is_in_the_history(store: Store, stored: Trajectory) -> None:
    store.labels.save(Label(stored.id, "alice", verdict="clean"), actor="alice", origin="cli")
    store.labels.save(Label(stored.id, "alice", verdict="cheat"), actor="alice", origin="gui")
    events = store.labels.history(stored.id)
    assert [(e.old.verdict if e.old else None, e.new.verdict, e.origin, e.actor) for e in events] == [
        (None, "clean", "cli", "alice"),
        ("clean", "cheat", "gui", "alice"),
    ]
    assert events[0].at < events[1].at


@pytest.mark.parametrize(
    "label, message",
    [
        (Label("missing-id", "alice", verdict="clean"), "unknown trajectory 'missing-id'"),
        (Label("{id}", "alice", verdict="sneaky"), "verdict: unknown code 'sneaky'"),
        (Label("{id}", "alice", intent=7), "intent: 7 is outside 0..4"),
        (Label("{id}", "alice", evidence=[EvidenceSpan(1, "text", 0, 5, "nope!")]), "quote does not match"),
        (Label("{id}", "alice", evidence=[EvidenceSpan(500, "text", 0, 1, "x")]), "step 500 has no text"),
        # a server cannot index a name of thousands of bytes: both backends refuse it alike, before writing
        (Label("{id}", "".join(f"{k:04x}" for k in range(1500)), verdict="clean"), "annotator name: 1 to 128 characters"),
        (Label("{id}", "ali\nce", verdict="clean"), "no control characters"),
    ],
)
def test_refusals_leave_the_store_unchanged(store: Store, stored: Trajectory, label: Label, message: str) -> None:
    label.trajectory_id = label.trajectory_id.replace("{id}", stored.id)
    with pytest.raises(LabelRejected, match=message):
        store.labels.save(label, actor="alice", origin="test")
    assert store.labels.all() == []
    assert store.db.execute("select count(*) from label_events").fetchone()[0] == 0


def test_first_pass_is_frozen_once_a_final_label_exists(store: Store, stored: Trajectory) -> None:
    store.labels.save(Label(stored.id, "alice", verdict="clean"), actor="alice", origin="test")
    store.labels.save(Label(stored.id, "alice", first_pass=False, verdict="cheat"), actor="alice", origin="test")
    with pytest.raises(LabelRejected, match="frozen"):
        store.labels.save(Label(stored.id, "alice", verdict="borderline"), actor="alice", origin="test")
    assert store.labels.get(stored.id, "alice", True).verdict == "clean"
    assert store.labels.get(stored.id, "alice", False).verdict == "cheat"


def test_merge_is_idempotent_and_later_edit_wins(store: Store, stored: Trajectory) -> None:
    theirs = Label(
        stored.id,
        "bob",
        verdict="clean",
        created_at="2026-11-20T10:00:00Z",
        updated_at="2026-11-20T10:00:00Z",
        taxonomy_version=1,
    )
    assert store.labels.merge(theirs, actor="me", origin="pack:a") == "added"
    assert store.labels.merge(Label.from_dict(theirs.to_dict()), actor="me", origin="pack:a") == "unchanged"
    older = Label.from_dict({**theirs.to_dict(), "verdict": "cheat", "updated_at": "2026-11-19T09:00:00Z"})
    assert store.labels.merge(older, actor="me", origin="pack:b") == "kept_newer"
    assert store.labels.get(stored.id, "bob", True).verdict == "clean"
    newer = Label.from_dict({**theirs.to_dict(), "verdict": "honest_failure", "updated_at": "2026-11-21T09:00:00.5Z"})
    assert store.labels.merge(newer, actor="me", origin="pack:c") == "updated"
    current = store.labels.get(stored.id, "bob", True)
    assert current.verdict == "honest_failure" and current.updated_at == "2026-11-21T09:00:00.5Z"
    assert [e.origin for e in store.labels.history(stored.id, "bob")] == ["pack:a", "pack:c"]


def test_stale_labels_are_those_under_an_older_taxonomy(store: Store, stored: Trajectory) -> None:
    store.labels.merge(
        Label(stored.id, "old", verdict="clean", taxonomy_version=1, updated_at="2026-01-01T00:00:00Z"), actor="me", origin="t"
    )
    assert store.labels.stale() == []
    data = json.loads(json.dumps(store.taxonomy.data))
    data["taxonomy_version"] = 2
    from reviewer.taxonomy import Taxonomy

    store.set_taxonomy(Taxonomy(data))
    store.labels.save(Label(stored.id, "new", verdict="clean"), actor="new", origin="t")
    assert [(lb.annotator, lb.taxonomy_version) for lb in store.labels.stale()] == [("old", 1)]


def test_a_killed_process_loses_no_saved_label(project_location: Path | str, stored: Trajectory, store: Store) -> None:
    """Each save is committed before it returns: SIGKILL right after loses nothing."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from reviewer.model import Label
        from reviewer.store import Store
        s = Store({str(project_location)!r})
        for verdict in ("clean", "borderline", "cheat"):
            s.labels.save(Label({stored.id!r}, "killed", verdict=verdict), actor="killed", origin="test")
        print("saved", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL and "saved" in result.stdout
    with Store(project_location) as reopened:
        assert reopened.labels.get(stored.id, "killed", True).verdict == "cheat"
        assert len(reopened.labels.history(stored.id, "killed")) == 3


SAVER = textwrap.dedent(
    """
    import sys
    from reviewer.model import Label
    from reviewer.store import Store
    location, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Store(location) as store:
        for i in range(n):
            label = Label(sys.argv[4], who, first_pass=True, verdict="clean", rationale=f"{who} edit {i}")
            store.labels.save(label, actor=who, origin="storm")
    """
)


def test_save_storm_every_edit_lands_and_each_owners_last_wins(project_location: Path | str, stored: Trajectory) -> None:
    """#18's test 2 without the listener: 8 annotators x 200 edits of one item's labels, each from its
    own process: every edit is in the history, and each label holds its owner's last edit."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(project_location), f"a{k}", "200", stored.id], stderr=subprocess.PIPE, text=True
        )
        for k in range(8)
    ]
    errors = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * 8, [e for e in errors if e][:1]
    with Store(project_location) as store:
        for k in range(8):
            assert store.labels.get(stored.id, f"a{k}", True).rationale == f"a{k} edit 199"  # type: ignore[union-attr]
            events = store.labels.history(stored.id, f"a{k}")
            assert [e.new.rationale for e in events] == [f"a{k} edit {i}" for i in range(200)]  # type: ignore[union-attr]
            assert [e.old.rationale if e.old else None for e in events] == [None] + [f"a{k} edit {i}" for i in range(199)]  # type: ignore[union-attr]


def test_a_burst_of_typing_is_one_history_event(store: Store, stored: Trajectory) -> None:
    store.labels.save(Label(stored.id, "alice", verdict="clean"), actor="alice", origin="gui")
    for k, text in enumerate(("t", "te", "tes", "test")):
        label = Label(stored.id, "alice", verdict="clean", rationale=text)
        store.labels.save(label, actor="alice", origin="gui", coalesce=k > 0)  # the session folds after the first key
        assert store.labels.get(stored.id, "alice", True).rationale == text  # the label itself is written every time
    events = store.labels.history(stored.id)
    assert [(e.old.verdict if e.old else None, e.new.verdict) for e in events] == [(None, "clean"), ("clean", "clean")]
    assert [(e.old.rationale if e.old else None, e.new.rationale) for e in events] == [(None, None), (None, "test")]


def test_coalescing_keeps_other_actors_origins_and_pauses_apart(store: Store, stored: Trajectory) -> None:
    def save(rationale: str, actor: str = "alice", origin: str = "gui") -> None:
        label = Label(stored.id, "alice", verdict="clean", rationale=rationale)
        store.labels.save(label, actor=actor, origin=origin, coalesce=True)

    save("a")
    save("ab", origin="cli")  # another origin: its own event
    save("abc", actor="admin", origin="cli")  # another actor: its own event
    save("abcd", actor="admin", origin="cli")  # same actor and origin, just now: folded
    store.db.execute("update label_events set at = '2020-01-01T00:00:00+00:00' where id = (select max(id) from label_events)")
    save("abcde", actor="admin", origin="cli")  # after a long pause: a new event
    events = store.labels.history(stored.id)
    assert [(e.actor, e.origin, e.old.rationale if e.old else None, e.new.rationale) for e in events] == [
        ("alice", "gui", None, "a"),
        ("alice", "cli", "a", "ab"),
        ("admin", "cli", "ab", "abcd"),
        ("admin", "cli", "abcd", "abcde"),
    ]


def test_only_new_spans_are_checked_against_the_text(store: Store, stored: Trajectory, monkeypatch) -> None:
    span = action_span(stored)
    store.labels.save(Label(stored.id, "alice", verdict="cheat", evidence=[span]), actor="alice", origin="gui")
    loads: list[str] = []
    real_get = store.labels._trajectories.get
    monkeypatch.setattr(store.labels._trajectories, "get", lambda tid: loads.append(tid) or real_get(tid))
    store.labels.save(Label(stored.id, "alice", verdict="cheat", evidence=[span], rationale="x"), actor="alice", origin="gui")
    assert loads == []  # a keystroke in the rationale does not reload a (possibly 50 MB) trajectory
    bad = EvidenceSpan(span.step, "diff", span.start, span.end, "not the text", "action")
    with pytest.raises(LabelRejected, match=r"evidence\[1\]"):
        store.labels.save(Label(stored.id, "alice", verdict="cheat", evidence=[span, bad]), actor="alice", origin="gui")
    assert loads == [stored.id]
    store.labels.save(Label(stored.id, "alice", verdict="cheat", evidence=[span, action_span(stored)]), actor="alice",
                      origin="gui", trajectory=stored)  # fmt: skip
    assert loads == [stored.id]  # a caller holding the trajectory spares the load
    moved = EvidenceSpan(span.step, "diff", span.start + 1, span.end + 1, span.quote, "action")
    with pytest.raises(LabelRejected, match="quote"):
        store.labels.save(
            Label(stored.id, "alice", verdict="cheat", evidence=[moved]), actor="alice", origin="gui", trajectory=stored
        )


def test_outcome_alone(store: Store, stored: Trajectory) -> None:
    assert store.trajectories.outcome(stored.id) == stored.outcome
    assert store.trajectories.outcome("nope") is None


def test_ballots_from_columns_give_the_same_gold_labels_as_full_records(sample_copy_db: Path) -> None:
    from reviewer.agreement.aggregate import Ballots, gold_labels, resolve
    from reviewer.agreement.report import is_machine

    with Store(sample_copy_db) as store:
        store.labels.adjudicate("ambiguous-stop-exit", "carol", "borderline", "no stop channel", "side_a_right")
        ids = [row[0] for row in store.db.execute("select id from trajectories order by id")]
        codes = store.taxonomy.codes("verdict")
        light = store.labels.ballots_only()
        full = store.labels.all()
        assert [(lb.trajectory_id, lb.annotator, lb.first_pass) for lb in light] == [
            (lb.trajectory_id, lb.annotator, lb.first_pass) for lb in full
        ]
        for method in ("majority", "dawid-skene"):
            from_columns = gold_labels(
                Ballots.from_labels(lb for lb in light if not is_machine(lb.annotator)), ids, method, codes
            )
            assert from_columns == resolve([lb for lb in full if not is_machine(lb.annotator)], ids, method, store.taxonomy)
        assert from_columns["ambiguous-stop-exit"].method == "adjudicated"
        some = ids[2:6]
        assert store.labels.of(some) == [lb for lb in full if lb.trajectory_id in some]


def test_a_key_with_a_line_break_is_named_on_one_line(store: Store, tmp_path: Path) -> None:
    """Found by the fuzz test: a pack's own key became part of the error's JSON pointer as it was."""
    from reviewer.importer import Importer

    run = Trajectory.from_dict(trajectory(0, 4))
    store.trajectories.add(run)
    pack = tmp_path / "pack.jsonl"
    pack.write_text(
        json.dumps(
            {"trajectory_id": run.id, "annotator": "a", "first_pass": True, "verdict": "clean", "context": {"\n\u202e": False}}
        )
        + "\n"
    )
    [report] = Importer(store, max_bytes=10_000_000, labels_only=True).run([pack]).files
    assert len(report.errors) == 1 and "\n" not in report.errors[0] and "/context/\\n\\u202e:" in report.errors[0]


def test_merge_compares_with_times_stored_without_a_zone(store: Store, stored: Trajectory) -> None:
    """Packs merged before times were checked could store a time with no zone: the next merge must
    compare with it (read as UTC), not crash half-way or keep it for ever."""
    naive = Label(stored.id, "bob", verdict="clean", created_at="2026-11-20T10:00:00", updated_at="2026-11-20T10:00:00")
    store.labels.save(naive, actor="old", origin="pack:old", stamp=False)
    older = Label.from_dict({**naive.to_dict(), "verdict": "cheat", "updated_at": "2026-11-20T09:59:00Z", "edit_id": None})
    assert store.labels.merge(older, actor="me", origin="pack:a") == "kept_newer"
    later = Label.from_dict({**naive.to_dict(), "verdict": "cheat", "updated_at": "2026-11-20T10:01:00+00:00", "edit_id": None})
    assert store.labels.merge(later, actor="me", origin="pack:b") == "updated"
    assert store.labels.get(stored.id, "bob", True).verdict == "cheat"


def test_a_listener_sees_every_change_others_commit(project_location: Path | str, stored: Trajectory) -> None:
    """Change notification (NOTIFY on a server, polling a file): every history event another process
    commits reaches a waiting reader, a keystroke folded into its burst's event included."""
    with Store(project_location) as listener:
        feed = ChangeFeed(listener.db)
        assert feed.wait(0.1) == []
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", SAVER, str(project_location), f"w{k}", "20", stored.id], stderr=subprocess.PIPE
            )
            for k in range(3)
        ]
        seen: list[LabelChange] = []
        deadline = time.monotonic() + 120
        while any(w.poll() is None for w in writers):
            seen += feed.wait(1.0)
            assert time.monotonic() < deadline, "the writers did not finish"
        assert [w.returncode for w in writers] == [0, 0, 0]
        seen += feed.new()
        events = listener.db.execute("select id from label_events order by id").fetchall()
        assert [c.event for c in seen] == [row[0] for row in events] and len(events) == 60
        before = feed.last
        label = listener.labels.get(stored.id, "w0", True)
        assert label is not None
        label.rationale += " and one more word"
        listener.labels.save(label, actor="w0", origin="storm", coalesce=True)  # folded into w0's last event
        assert len(listener.labels.history(stored.id, "w0")) == 20
        changed = feed.wait(5)
        assert [(c.annotator, c.event > before) for c in changed] == [("w0", True)]
        late = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(1)\n" + SAVER, str(project_location), "late", "1", stored.id]
        )
        began = time.monotonic()
        assert [c.annotator for c in feed.wait(60)] == ["late"]
        assert time.monotonic() - began < 30  # woken by the commit (NOTIFY, or the file's polling), not the timeout
        assert late.wait(60) == 0


def test_the_name_rule_is_the_label_schemas() -> None:
    """`annotator_problems` repeats the label schema's bound for names that never pass through it (an
    option, the app): the two must say the same."""
    from reviewer import schemas
    from reviewer.model import ANNOTATOR_MAX, annotator_problems

    rule = schemas.load("label.schema")["properties"]["annotator"]
    assert rule["maxLength"] == ANNOTATOR_MAX and rule["minLength"] == 1
    for name in ("a" * ANNOTATOR_MAX, "a" * (ANNOTATOR_MAX + 1), "", "al\x07ice", "ålice"):
        schema_ok = schemas.first_error("label.schema", {"trajectory_id": "t", "first_pass": True, "annotator": name}) is None
        assert schema_ok == (not annotator_problems(name)), name
