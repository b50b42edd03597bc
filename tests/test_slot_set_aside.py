"""Planned work when a reviewer sets an item aside (skips or flags it without a verdict): their slot
gives no vote, so the item gets a replacement slot for someone else, up to the batch's overlap, and
`batch status` says so (reviewer.store.votes, on both backends)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from reviewer.model import Flag, Label, Trajectory
from reviewer.review import ReviewSession
from reviewer.store import Store
from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA, Cli, tid

BOTH_BACKENDS = True  # the tests using `store` or `project_location` alone run on SQLite and PostgreSQL (tests/conftest.py)
DAY = timedelta(days=1)


def one_item(store: Store, batch: str, *, overlap: int, max_extra: int = 0) -> str:
    store.trajectories.add(Trajectory.from_dict(trajectory(0, 2)))
    store.slots.create_batch(batch, [tid(0)], overlap=overlap, lease=DAY, seed=0, max_extra=max_extra)
    return tid(0)


def set_aside(store: Store, item: str, who: str, kind: str = "skip") -> None:
    assert store.slots.claim(who, "b") is not None
    label = Label(item, who, first_pass=True, flag=Flag(kind, "outside my expertise"))
    store.labels.save(label, actor=who, origin="test")


def vote(store: Store, item: str, who: str, verdict: str) -> None:
    assert store.slots.claim(who, "b") is not None
    store.labels.save(Label(item, who, first_pass=True, verdict=verdict), actor=who, origin="test")


def numbers(store: Store) -> list[tuple[int, str | None]]:
    return [tuple(row) for row in store.db.execute("select slot, annotator from slots where batch = 'b' order by slot")]


def test_a_skip_gives_the_slot_to_someone_else_and_the_item_reaches_its_votes(store: Store) -> None:
    item = one_item(store, "b", overlap=2, max_extra=1)
    set_aside(store, item, "alice")
    assert numbers(store) == [(-1, None), (0, "alice"), (1, None)]  # a replacement, alice keeps her slot
    assert store.slots.claim("alice", "b") is None  # never offered the item again
    [state] = store.slots.status("b", items=True).item_states or []
    assert (state.state, state.slots, state.set_aside) == ("open", 2, 1)
    vote(store, item, "bob", "clean")
    vote(store, item, "carol", "cheat")
    assert store.slots.claim("dave", "b") is not None  # the split calls for a tie-break, as without the skip
    [state] = store.slots.status("b", items=True).item_states or []
    assert (state.state, state.votes, state.set_aside) == ("tie-break", {"cheat": 1, "clean": 1}, 1)
    store.labels.save(Label(item, "dave", first_pass=True, verdict="clean"), actor="dave", origin="test")
    [state] = store.slots.status("b", items=True).item_states or []
    assert (state.state, state.slots) == ("adjudication", 3)  # max_extra 1 used: the lead's now


def test_replacements_stop_at_the_overlap_and_the_status_says_the_item_is_set_aside(store: Store) -> None:
    item = one_item(store, "b", overlap=1)
    set_aside(store, item, "alice")
    set_aside(store, item, "bob", "flag")  # bob took the replacement and flagged the item
    assert numbers(store) == [(-1, "bob"), (0, "alice")]  # one replacement per planned slot, no more
    assert store.slots.claim("carol", "b") is None
    status = store.slots.status("b", items=True)
    [state] = status.item_states or []
    assert (state.state, state.slots, state.set_aside, status.states()) == ("set-aside", 0, 2, {"set-aside": 1})
    said = Cli(store.path)("batch", "status", "b", "--adjudicator").stdout
    assert f"  {item}: set-aside 2 set aside\n" in said and "items: 1 set-aside" in said


def test_a_verdict_after_a_skip_takes_back_the_replacement_nobody_claimed(store: Store) -> None:
    item = one_item(store, "b", overlap=2)
    set_aside(store, item, "alice")
    assert numbers(store) == [(-1, None), (0, "alice"), (1, None)]
    store.labels.save(Label(item, "alice", first_pass=True, verdict="clean"), actor="alice", origin="test")
    assert numbers(store) == [(0, "alice"), (1, None)]
    set_aside(store, item, "bob")  # a replacement someone claimed stays: its reviewer may be at work on it
    assert store.slots.claim("carol", "b") is not None
    store.labels.save(Label(item, "bob", first_pass=True, verdict="cheat"), actor="bob", origin="test")
    assert numbers(store) == [(-1, "carol"), (0, "alice"), (1, "bob")]


def test_the_apps_skip_on_a_sample_run_brings_in_another_reviewer(project_location: Path | str) -> None:
    """The sample run `ambiguous-stop-exit` (sample_data/README.md), skipped as the app skips (X: the
    label session's `set_flag`): bob and carol each get a slot, alice none, and the status says why."""
    cli = Cli(Path("unused"))
    db = ("--db", str(project_location))
    assert cli(*db, "import", str(SAMPLE_DATA / "ambiguous-stop-exit.json")).exit_code == 0
    assert cli(*db, "batch", "create", "b", "ambiguous-stop-exit", "--overlap", "2", "--seed", "1").exit_code == 0
    with Store(project_location) as store:
        assert getattr(store.slots.claim("alice", "b"), "trajectory_id", None) == "ambiguous-stop-exit"
        ReviewSession(store, "alice", "ambiguous-stop-exit").set_flag("skip", "not my language")
        assert [getattr(store.slots.claim(who, "b"), "trajectory_id", None) for who in ("alice", "bob", "carol")] == [
            None, "ambiguous-stop-exit", "ambiguous-stop-exit",
        ]  # fmt: skip
    said = cli(*db, "batch", "status", "b", "--adjudicator").stdout
    assert "  ambiguous-stop-exit: open 1 set aside\n" in said
