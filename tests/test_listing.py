"""The reviewer's trajectory list: queues, filters, sorting and paging done in SQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewer.model import Label, Suggestion, Trajectory
from reviewer.review import ReviewSession
from reviewer.store import Store
from reviewer.store.listing import ListQuery
from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA, Cli, tid


@pytest.fixture
def listed(store: Store) -> Store:
    for i in range(6):
        data = trajectory(i, 6 + i)
        if i == 4:
            data["steps"][1]["text"] = "the test must be wrong here"
        store.trajectories.add(Trajectory.from_dict(data))
    ids = [f"synthetic-0-{i:06d}" for i in range(6)]
    save = store.labels.save
    save(Label(ids[0], "alice", verdict="clean"), actor="alice", origin="t")
    save(Label(ids[0], "alice", first_pass=False, verdict="clean"), actor="alice", origin="t")
    save(Label(ids[1], "alice", verdict="cheat"), actor="alice", origin="t")
    save(Label(ids[1], "bob", verdict="clean"), actor="bob", origin="t")
    save(Label(ids[2], "bob", verdict="borderline"), actor="bob", origin="t")
    save(Label(ids[2], "model:judge", verdict="cheat"), actor="judge", origin="t")
    store.suggestions.replace(ids[3], "detectors", [Suggestion(ids[3], "detectors", "x", ["tests.edit"], [], "e")] * 2)
    return store


def ids(rows) -> list[str]:
    return [r.id[-1] for r in rows]


def test_status_reviewers_and_flags_per_row(listed: Store) -> None:
    rows = listed.listing.page(ListQuery(annotator="alice"), 0, 100)
    assert [(r.status, r.n_reviewers, r.n_flags) for r in rows] == [
        ("final done", 1, 0), ("in progress", None, None), ("not started", None, None), ("not started", None, None),
        ("not started", None, None), ("not started", None, None),
    ]  # fmt: skip
    as_adjudicator = listed.listing.page(ListQuery(annotator="alice", adjudicator=True), 0, 100)
    assert [(r.n_reviewers, r.n_flags) for r in as_adjudicator] == [(1, 0), (None, None), (1, 0), (0, 2), (0, 0), (0, 0)]
    assert rows[0].n_steps == 6 and rows[5].n_steps == 11 and rows[0].format == "native"


def test_queues_and_filters(listed: Store) -> None:
    def query(**kw) -> list[str]:
        q = ListQuery(annotator="alice", **kw)
        rows = listed.listing.page(q, 0, 100)
        assert listed.listing.count(q) == len(rows)
        return ids(rows)

    assert query() == list("012345")
    assert query(queue="mine") == list("12345")
    assert query(queue="unlabelled") == list("2345")
    assert query(queue="disputed") == []  # alice's first pass of 1 is not frozen: blind on it
    assert query(verdict="cheat") == ["1"]  # her own verdict only
    assert query(text="must be wrong") == ["4"]
    assert query(text='"; drop table steps; --') == []


def test_sorting_and_paging(listed: Store) -> None:
    q = ListQuery(annotator="alice", sort="steps", descending=True)
    assert ids(listed.listing.page(q, 0, 2)) == ["5", "4"] and ids(listed.listing.page(q, 2, 2)) == ["3", "2"]
    assert ids(listed.listing.page(ListQuery(annotator="alice", sort="flags", descending=True), 0, 1)) == ["0"]  # blind on 3
    assert ids(listed.listing.page(ListQuery(annotator="alice", sort="flags", descending=True, adjudicator=True), 0, 1)) == ["3"]
    with pytest.raises(ValueError, match="unknown sort"):
        listed.listing.page(ListQuery(sort="t.id; drop table x"), 0, 1)


def test_next_id_after_one_wraps_and_keeps_to_the_query(listed: Store) -> None:
    nxt = listed.listing.next_id
    assert nxt(ListQuery(annotator="alice"), "synthetic-0-000002") == "synthetic-0-000003"
    assert nxt(ListQuery(annotator="alice"), "synthetic-0-000005") == "synthetic-0-000000"  # wraps
    assert nxt(ListQuery(annotator="alice", queue="unlabelled"), "synthetic-0-000000") == "synthetic-0-000002"
    carol = ListQuery(annotator="carol", queue="disputed", adjudicator=True)
    assert nxt(carol, "synthetic-0-000001") == "synthetic-0-000001"  # the only one (the model's dissent on 2 does not count)
    assert nxt(ListQuery(annotator="alice", queue="disputed"), "") is None  # alice is blind on it
    assert nxt(ListQuery(annotator="alice", text="nowhere"), "") is None


# --- blind first pass: nothing of others before the own first pass is frozen (reviewer.blind) ---

BLIND_SORTS = ("reviewers", "flags", "verdicts")


def listed_ids(store: Store, q: ListQuery) -> list[str]:
    """The page's ids (last digit), checked against the count of the same query."""
    rows = store.listing.page(q, 0, 100)
    assert store.listing.count(q) == len(rows)
    return ids(rows)


def others(store: Store, q: ListQuery) -> dict[str, tuple[object, object, object]]:
    """What each row says of others: reviewers, flags, verdicts."""
    return {r.id[-1]: (r.n_reviewers, r.n_flags, r.disputed_on) for r in store.listing.page(q, 0, 100)}


def first_pass(store: Store, who: str, index: int, verdict: str) -> ReviewSession:
    session = ReviewSession(store, who, tid(index))
    session.set_field("verdict", verdict)
    return session


def assert_blind(store: Store, q: ListQuery, on: str = "01234") -> None:
    """The viewer of `q` learns nothing of others about the rows `on`, through any part of the list."""
    shown = others(store, q)
    assert {i: shown[i] for i in on} == {i: (None, None, None) for i in on}
    for queue in ("all", "unlabelled"):
        for verdict in ("clean", "cheat"):
            assert not set(on) & set(listed_ids(store, replace(q, queue=queue, verdict=verdict)))
    disputed = replace(q, queue="disputed")
    assert not set(on) & set(listed_ids(store, disputed))
    if on == "01234":
        assert store.listing.next_id(disputed, "") is None
    for sort in BLIND_SORTS:
        for descending in (False, True):
            order = [i for i in listed_ids(store, replace(q, sort=sort, descending=descending)) if i in on]
            assert order == sorted(on)  # masked: blank, then by id


@pytest.mark.parametrize("viewer", ["alice", None])
def test_a_viewer_without_a_label_learns_nothing_of_others(split_votes: Store, viewer: str | None) -> None:
    assert_blind(split_votes, ListQuery(annotator=viewer))


def test_a_saved_first_pass_is_still_blind(split_votes: Store) -> None:
    for i in (1, 2):
        first_pass(split_votes, "alice", i, "borderline")
    q = ListQuery(annotator="alice")
    assert_blind(split_votes, q)
    assert listed_ids(split_votes, replace(q, verdict="borderline")) == ["1", "2"]  # her own verdict
    assert [r.status for r in split_votes.listing.page(q, 0, 3)] == ["not started", "in progress", "in progress"]


def test_the_reveal_sights_the_item(split_votes: Store) -> None:
    first_pass(split_votes, "alice", 1, "borderline").reveal()
    first_pass(split_votes, "alice", 2, "borderline")
    q = ListQuery(annotator="alice")
    assert others(split_votes, q)["1"] == (3, 2, "borderline ≠ cheat ≠ clean")
    assert_blind(split_votes, q, on="0234")
    assert listed_ids(split_votes, replace(q, queue="disputed")) == ["1"]
    assert split_votes.listing.next_id(replace(q, queue="disputed"), tid(3)) == tid(1)
    assert listed_ids(split_votes, replace(q, verdict="cheat")) == []  # carol's cheat: not the viewer's verdict
    assert listed_ids(split_votes, replace(q, verdict="borderline")) == ["1", "2"]
    assert listed_ids(split_votes, replace(q, sort="flags", descending=True)) == list("10234")


@pytest.mark.parametrize("viewer", ["dave", None])
def test_an_adjudicator_sights_what_they_have_not_labelled(split_votes: Store, viewer: str | None) -> None:
    q = ListQuery(annotator=viewer, adjudicator=True)
    assert others(split_votes, q) == {
        "0": (0, 0, None), "1": (2, 2, "cheat ≠ clean"), "2": (2, 1, "cheat ≠ clean"),
        "3": (2, 0, "clean"), "4": (2, 0, "clean"),
    }  # fmt: skip
    assert listed_ids(split_votes, replace(q, queue="disputed")) == ["1", "2"]  # 3: a model's dissent; 4: bob changed his mind
    assert listed_ids(split_votes, replace(q, verdict="cheat")) == ["1", "2"]  # not 3 (a model), not 4 (bob's old first pass)
    assert listed_ids(split_votes, replace(q, verdict="clean")) == ["1", "2", "3", "4"]
    assert listed_ids(split_votes, replace(q, sort="flags", descending=True)) == list("12034")


def test_an_adjudicator_with_an_open_first_pass_is_blind_on_that_item(split_votes: Store) -> None:
    first_pass(split_votes, "alice", 1, "borderline")
    q = ListQuery(annotator="alice", adjudicator=True)
    assert_blind(split_votes, q, on="1")
    assert listed_ids(split_votes, replace(q, queue="disputed")) == ["2"]
    assert listed_ids(split_votes, replace(q, verdict="cheat")) == ["2"]
    first_pass(split_votes, "alice", 1, "borderline").reveal()  # the session continues her first pass
    assert listed_ids(split_votes, replace(q, queue="disputed")) == ["1", "2"]


def test_a_settled_adjudication_ends_the_dispute_and_a_draft_does_not(split_votes: Store) -> None:
    q = ListQuery(annotator="dave", adjudicator=True)
    split_votes.labels.adjudicate(tid(1), "erin", "cheat", "deleted the test", "side_b_right")
    draft = Label(tid(2), "erin", first_pass=False, verdict="borderline", adjudication={"settled": False, "reason": ""})
    split_votes.labels.save(draft, actor="erin", origin="adjudication")
    assert listed_ids(split_votes, replace(q, queue="disputed")) == ["2"]
    split_votes.labels.adjudicate(tid(3), "erin", "borderline", "a model saw it", "new_case")
    assert listed_ids(split_votes, replace(q, verdict="borderline")) == ["3"]  # the settled one, not the draft
    assert others(split_votes, q)["1"] == (2, 2, "cheat ≠ clean")  # an adjudication is no reviewer's vote


@pytest.mark.parametrize("viewer", ["%", "_", "b%", "_ob", "bob' --", "' or '1'='1", "carol\x00"])
def test_viewer_names_with_sql_and_like_metacharacters_match_only_themselves(split_votes: Store, viewer: str) -> None:
    assert_blind(split_votes, ListQuery(annotator=viewer))
    assert [r.status for r in split_votes.listing.page(ListQuery(annotator=viewer), 0, 100)] == ["not started"] * 5


def test_reviewer_names_with_metacharacters_are_counted_as_what_they_are(split_votes: Store) -> None:
    for who, verdict in (("50%_o'clock", "cheat"), ("model_x", "clean"), ("model:%", "borderline"), ("detectors", "borderline")):
        split_votes.labels.save(Label(tid(0), who, verdict=verdict), actor=who, origin="test")
    q = ListQuery(annotator="dave", adjudicator=True)
    assert others(split_votes, q)["0"] == (2, 0, "cheat ≠ clean")  # humans, however named; "model:%" and detectors are machines
    assert listed_ids(split_votes, replace(q, queue="disputed")) == ["0", "1", "2"]
    assert listed_ids(split_votes, replace(q, verdict="clean' or '1'='1")) == []
    assert listed_ids(split_votes, replace(q, verdict="%")) == []


def test_list_sort_strongest_needs_a_viewer_and_no_queue(cli: Cli) -> None:
    assert cli("import", str(SAMPLE_DATA)).exit_code == 0
    result = cli("list", "--sort", "strongest")
    assert result.exit_code == 2 and "--sort strongest needs --annotator NAME (or --viewer" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = cli("list", "--sort", "strongest", "--viewer", "alice", "--queue", "random")
    assert result.exit_code == 2 and "give one" in result.output
