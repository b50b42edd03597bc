"""The reviewer's trajectory list: queues, filters, sorting and paging done in SQL."""

from __future__ import annotations

import pytest

from reviewer.model import Label, Suggestion, Trajectory
from reviewer.store import Store
from reviewer.store.listing import ListQuery
from reviewer.synthetic import trajectory


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
        ("done", 1, 0), ("first pass", 2, 0), ("unlabelled", 1, 0), ("unlabelled", 0, 2), ("unlabelled", 0, 0), ("unlabelled", 0, 0),
    ]  # fmt: skip
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
    assert query(queue="disputed") == ["1"]  # the model's disagreement on 2 does not count
    assert query(verdict="cheat") == list("12")
    assert query(text="must be wrong") == ["4"]
    assert query(text='"; drop table steps; --') == []


def test_sorting_and_paging(listed: Store) -> None:
    q = ListQuery(annotator="alice", sort="steps", descending=True)
    assert ids(listed.listing.page(q, 0, 2)) == ["5", "4"] and ids(listed.listing.page(q, 2, 2)) == ["3", "2"]
    assert ids(listed.listing.page(ListQuery(annotator="alice", sort="flags", descending=True), 0, 1)) == ["3"]
    with pytest.raises(ValueError, match="unknown sort"):
        listed.listing.page(ListQuery(sort="t.id; drop table x"), 0, 1)


def test_next_id_after_one_wraps_and_keeps_to_the_query(listed: Store) -> None:
    nxt = listed.listing.next_id
    assert nxt(ListQuery(annotator="alice"), "synthetic-0-000002") == "synthetic-0-000003"
    assert nxt(ListQuery(annotator="alice"), "synthetic-0-000005") == "synthetic-0-000000"  # wraps
    assert nxt(ListQuery(annotator="alice", queue="unlabelled"), "synthetic-0-000000") == "synthetic-0-000002"
    assert nxt(ListQuery(annotator="alice", queue="disputed"), "synthetic-0-000001") == "synthetic-0-000001"  # the only one
    assert nxt(ListQuery(annotator="alice", text="nowhere"), "") is None
