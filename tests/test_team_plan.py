"""Planned work beyond claims: tie-breaks, gold items and calibration, a reviewer's queue, rebalancing
(#18 acceptance tests 6 and 7), on both backends, with real processes where saves race."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from reviewer.errors import ReviewerError
from reviewer.model import Label, Trajectory
from reviewer.store import Store, pg_schema
from reviewer.store.listing import ListQuery
from reviewer.store.postgres import PostgresDb
from reviewer.store.slots import slot_token
from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA, Cli, tid

BOTH_BACKENDS = True  # the tests using `store` or `project_location` alone run on SQLite and PostgreSQL (tests/conftest.py)
DAY = timedelta(days=1)


def items(store: Store, n: int) -> list[str]:
    for i in range(n):
        store.trajectories.add(Trajectory.from_dict(trajectory(i, 2)))
    return [tid(i) for i in range(n)]


def vote(store: Store, trajectory_id: str, who: str, verdict: str | None, **fields: object) -> None:
    store.labels.save(Label(trajectory_id, who, first_pass=True, verdict=verdict, **fields), actor=who, origin="test")  # type: ignore[arg-type]


def reveal(store: Store, trajectory_id: str, who: str) -> None:
    """What the reveal stores: the reviewer's final label, which freezes their first pass."""
    first = store.labels.get(trajectory_id, who, True)
    assert first is not None
    final = Label.from_dict({**first.to_dict(), "first_pass": False, "version": 0})  # a new label: none existed
    store.labels.save(final, actor=who, origin="test")


def claim_and_vote(store: Store, who: str, batch: str, verdicts: dict[str, str]) -> list[tuple[str, int]]:
    """`who` claims until nothing is left, voting on each item as `verdicts` says; returns (item, slot) claimed."""
    claimed = []
    while (claim := store.slots.claim(who, batch)) is not None:
        claimed.append((claim.trajectory_id, claim.slot))
        vote(store, claim.trajectory_id, who, verdicts[claim.trajectory_id])
    return claimed


def slot_numbers(store: Store, batch: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for item, slot in store.db.execute(
        "select trajectory_id, slot from slots where batch = ? order by trajectory_id, slot", [batch]
    ):
        found.setdefault(item, []).append(slot)
    return found


def disputed(store: Store) -> list[str]:
    rows = store.listing.page(ListQuery(annotator="lead", adjudicator=True, queue="disputed"), 0, 100)
    return [row.id for row in rows]


def test_a_split_first_pass_adds_one_tie_break_and_a_majority_ends_them(store: Store) -> None:
    a, b, c = items(store, 3)
    store.slots.create_batch("t", [a, b, c], overlap=2, lease=DAY, seed=0, max_extra=2)
    claim_and_vote(store, "alice", "t", {a: "cheat", b: "clean", c: "cheat"})
    assert slot_numbers(store, "t") == {a: [0, 1], b: [0, 1], c: [0, 1]}  # one vote each: nothing to break yet
    claim_and_vote(store, "bob", "t", {a: "clean", b: "clean", c: "clean"})
    vote(store, a, "alice", "cheat", rationale="typing on")  # more saves of a split item add nothing more
    vote(store, a, "bob", "clean", rationale="me too")
    assert slot_numbers(store, "t") == {a: [0, 1, 2], b: [0, 1], c: [0, 1, 2]}
    assert disputed(store) == []  # waiting for its tie-break: not adjudication work yet
    assert {i.trajectory_id: i.state for i in store.slots.status("t", items=True).item_states or []} == {
        a: "tie-break", b: "agreed", c: "tie-break",
    }  # fmt: skip

    # a: cheat 2, clean 1, a strict majority: no more extras; c: one vote each: the second (and last) extra
    assert sorted(claim_and_vote(store, "carol", "t", {a: "cheat", c: "honest_failure"})) == [(a, 2), (c, 2)]
    assert slot_numbers(store, "t") == {a: [0, 1, 2], b: [0, 1], c: [0, 1, 2, 3]}
    assert claim_and_vote(store, "dave", "t", {c: "cheat"}) == [(c, 3)]  # cheat 2 of 4: no majority, max_extra reached
    assert slot_numbers(store, "t")[c] == [0, 1, 2, 3]
    status = store.slots.status("t", items=True)
    assert {i.trajectory_id: (i.state, i.votes) for i in status.item_states or []} == {
        a: ("adjudication", {"cheat": 2, "clean": 1}),
        b: ("agreed", {"clean": 2}),
        c: ("adjudication", {"cheat": 2, "clean": 1, "honest_failure": 1}),
    }
    assert status.states() == {"adjudication": 2, "agreed": 1}
    assert sorted(disputed(store)) == sorted([a, c])  # now the adjudicator's work
    store.labels.adjudicate(a, "lead", "cheat", "two of three, the test was weakened", None)
    assert {i.trajectory_id: i.state for i in store.slots.status("t", items=True).item_states or []}[a] == "settled"
    assert store.slots.status("t").item_states is None  # derived from the votes: the adjudicator's view only


def test_a_tie_break_nobody_claimed_goes_when_a_changed_first_pass_ends_the_split(store: Store) -> None:
    a, b = items(store, 2)
    store.slots.create_batch("t", [a, b], overlap=2, lease=DAY, seed=0, max_extra=1)
    claim_and_vote(store, "alice", "t", {a: "cheat", b: "cheat"})
    claim_and_vote(store, "bob", "t", {a: "clean", b: "clean"})
    assert slot_numbers(store, "t") == {a: [0, 1, 2], b: [0, 1, 2]}
    vote(store, a, "bob", "cheat")  # bob corrects his first pass: they agree, nobody is needed to break a tie
    assert slot_numbers(store, "t") == {a: [0, 1], b: [0, 1, 2]}
    assert {i.trajectory_id: i.state for i in store.slots.status("t", items=True).item_states or []} == {
        a: "agreed", b: "tie-break",
    }  # fmt: skip
    vote(store, a, "bob", "clean")  # and back: the tie-break again, the same slot
    assert slot_numbers(store, "t") == {a: [0, 1, 2], b: [0, 1, 2]}
    held = store.slots.claim("carol", "t")
    assert held is not None and held.slot == 2
    vote(store, held.trajectory_id, "bob", "cheat")  # carol holds that one: it stays hers, her vote will count
    assert slot_numbers(store, "t")[held.trajectory_id] == [0, 1, 2]


def test_no_tie_breaks_without_max_extra(store: Store) -> None:
    (a,) = items(store, 1)
    store.slots.create_batch("t", [a], overlap=2, lease=DAY, seed=0)
    for who, verdict in (("alice", "cheat"), ("bob", "clean")):
        claim_and_vote(store, who, "t", {a: verdict})
    assert slot_numbers(store, "t") == {a: [0, 1]}
    assert [i.state for i in store.slots.status("t", items=True).item_states or []] == ["adjudication"]


SPLIT_STORM = textwrap.dedent(
    """
    import sys
    from reviewer.model import Label
    from reviewer.store import Store
    location, who, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    def verdict(item):  # r0 says cheat; r1 agrees on odd items, says clean on even ones
        return "clean" if who == "r1" and int(item[-6:]) % 2 == 0 else "cheat"
    with Store(location) as store:
        mine = []
        while (claim := store.slots.claim(who, "split")) is not None:
            mine.append(claim.trajectory_id)
            store.labels.save(Label(claim.trajectory_id, who, verdict=verdict(claim.trajectory_id)), actor=who, origin="storm")
        for _ in range(rounds):  # keep saving: every save of a split item runs the tie-break insert again
            for item in mine:
                label = Label(item, who, verdict=verdict(item), rationale=f"{who} again")
                store.labels.save(label, actor=who, origin="storm")
    print(" ".join(mine))
    """
)


def test_concurrent_split_verdicts_make_exactly_one_tie_break(project_location: Path | str) -> None:
    """Acceptance test 6 of #18: two reviewers, two processes each, save their first passes of 60
    items at once (and save them again, twice): each split item gets exactly one tie-break slot,
    each agreeing item none."""
    with Store(project_location) as store:
        ids = items(store, 60)
        store.slots.create_batch("split", ids, overlap=2, lease=DAY, seed=3, max_extra=3)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SPLIT_STORM, str(project_location), who, "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("r0", "r1")
        for _ in range(2)
    ]
    outcomes = [(run.wait(300), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0] * 4, [err for _, _, err in outcomes if err][:1]
    claimed = [set(out.split()) for _, out, _ in outcomes]  # a reviewer's two processes may both be given their open slot
    assert claimed[0] | claimed[1] == claimed[2] | claimed[3] == set(ids)
    with Store(project_location) as store:
        slots = slot_numbers(store, "split")
        split = {t for t in ids if int(t[-6:]) % 2 == 0}
        assert {t: n for t, n in slots.items() if t in split} == dict.fromkeys(split, [0, 1, 2])
        assert {t: n for t, n in slots.items() if t not in split} == dict.fromkeys(set(ids) - split, [0, 1])
        assert Counter(i.state for i in store.slots.status("split", items=True).item_states or []) == {
            "tie-break": 30,
            "agreed": 30,
        }


def test_queue_list_shows_a_reviewers_own_slots_and_their_state(store: Store) -> None:
    ids = items(store, 3)
    store.slots.create_batch("b", ids, overlap=2, lease=timedelta(hours=1), seed=0)
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    first = store.slots.claim("alice", "b", now=start)
    assert first is not None
    vote(store, first.trajectory_id, "alice", "clean")
    second = store.slots.claim("alice", "b", now=start)
    assert second is not None and store.slots.claim("bob", "b", now=start) is not None
    mine = store.slots.mine("alice", now=start + timedelta(minutes=30))
    assert [(s.trajectory_id, s.state) for s in mine] == [(first.trajectory_id, "labelled"), (second.trajectory_id, "held")]
    assert [s.state for s in store.slots.mine("alice", "b", now=start + timedelta(hours=2))] == ["labelled", "expired"]
    assert set(mine[0].to_dict()) == {
        "batch",
        "trajectory_id",
        "state",
        "claimed_at",
        "lease_until",
    }  # nothing of gold or tie-breaks
    assert store.slots.mine("carol") == []


def test_rebalance_gives_back_what_inactive_reviewers_hold(store: Store) -> None:
    """Activity is a claim, a renewal or a saved label, in any batch; stamped times stand in for days passing."""
    ids = items(store, 6)
    store.slots.create_batch("b", ids, overlap=1, lease=30 * DAY, seed=0)
    now = datetime.now(UTC)
    long_ago = now - 10 * DAY
    done = store.slots.claim("alice", "b", now=long_ago)
    assert done is not None
    vote(store, done.trajectory_id, "alice", "clean")  # alice labelled today: active
    assert store.slots.claim("alice", "b", now=long_ago) is not None
    gone = store.slots.claim("carol", "b", now=long_ago)  # carol: nothing since
    assert gone is not None and store.slots.claim("bob", "b", now=now - DAY) is not None
    opened = store.slots.claim("dave", "b", now=long_ago)
    assert opened is not None and store.slots.renew("dave", opened.trajectory_id, now=now - 2 * DAY)  # dave's app had it open
    assert store.slots.rebalance(timedelta(days=7), now=now) == {"carol": 1}
    assert store.slots.mine("carol") == [] and [s.state for s in store.slots.mine("alice")] == ["labelled", "held"]
    taken = store.slots.claim("erin", "b")
    assert taken is not None and taken.trajectory_id == gone.trajectory_id  # back in the pool, in its place
    assert store.slots.rebalance(timedelta(days=1.5), "b", now=now) == {"dave": 1}
    assert store.slots.rebalance(timedelta(days=1.5), now=now) == {}


GOLD = {  # the adjudicated answers of the first three items: verdict, categories, markers
    0: ("cheat", ["tests.skip"], []),
    1: ("clean", [], []),
    2: ("cheat", ["output.hardcode"], ["mr.blame_test"]),
}


def gold_project(store: Store) -> list[str]:
    """12 items, the first three settled by the adjudicator (the gold pool)."""
    ids = items(store, 12)
    for i, (verdict, categories, markers) in GOLD.items():
        store.labels.adjudicate(ids[i], "lead", verdict, "known answer", None, categories=categories, markers=markers)
    return ids


def plan(store: Store, batch: str) -> list[tuple[str, bool]]:
    sql = "select trajectory_id, gold from slots where batch = ? and slot = 0 order by position"
    return [(item, bool(gold)) for item, gold in store.db.execute(sql, [batch])]


def test_gold_items_are_interleaved_at_the_rate_and_the_seed_fixes_the_plan(store: Store) -> None:
    ids = gold_project(store)
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        assert store.slots.create_batch(name, None, overlap=2, lease=DAY, seed=seed, gold_rate=0.25) == 24
    assert plan(store, "a") == plan(store, "b") != plan(store, "c")
    for name in "abc":
        shown = plan(store, name)
        gold = [place for place, (_, is_gold) in enumerate(shown) if is_gold]
        assert {item for item, is_gold in shown if is_gold} == set(ids[:3])  # 3 of 12: 0.25, from the pool only
        assert {item for item, is_gold in shown if not is_gold} == set(ids[3:])
        assert all(3 <= b - a <= 5 for a, b in zip(gold, gold[1:], strict=False)), gold  # spread out, not in clumps
    with pytest.raises(ReviewerError, match=r"--gold-rate 0.5 needs 9 gold items and the project has 3"):
        store.slots.create_batch("d", None, overlap=1, lease=DAY, seed=0, gold_rate=0.5)
    with pytest.raises(ReviewerError, match="project has 0"):  # every gold item is in the batch itself
        store.slots.create_batch("e", ids, overlap=1, lease=DAY, seed=0, gold_rate=0.1)


def test_gold_answers_stay_hidden_until_the_reveal_and_calibration_scores_the_first_pass(store: Store) -> None:
    """Acceptance test 7 of #18 (with the test above): nothing alice sees of her queue or the list says
    an item is gold or what its answer is before her reveal; her calibration counts revealed items
    only, on verdict and codes; gold items get no tie-breaks."""
    ids = gold_project(store)
    store.slots.create_batch("g", None, overlap=2, lease=DAY, seed=5, gold_rate=0.25, max_extra=1)
    mine = {  # alice: item 0 right, item 1 the wrong verdict (no codes, as gold), item 2 the verdict without its codes
        ids[0]: Label(ids[0], "alice", verdict="cheat", categories=["tests.skip"]),
        ids[1]: Label(ids[1], "alice", verdict="cheat"),
        ids[2]: Label(ids[2], "alice", verdict="cheat", categories=["output.hardcode"]),
    }
    while (claim := store.slots.claim("alice", "g")) is not None:
        assert set(claim.to_dict()) == {"trajectory_id", "batch", "slot", "lease_until"} and claim.slot < 2
        first = mine.get(claim.trajectory_id, Label(claim.trajectory_id, "alice", verdict="cheat"))
        store.labels.save(first, actor="alice", origin="test")
    claim_and_vote(store, "bob", "g", dict.fromkeys(ids, "clean"))
    rows = store.listing.page(ListQuery(annotator="alice"), 0, 100)
    assert len(rows) == 12 and {(r.n_reviewers, r.disputed_on) for r in rows} == {(None, None)}  # nobody's answer shows
    assert [set(s.to_dict()) for s in store.slots.mine("alice")] == [set(HELD_KEYS)] * 12
    assert store.slots.status("g").reviewers[0].calibration.gold == 0  # first passes saved, none revealed: no score yet
    reveal(store, ids[0], "alice")
    assert store.slots.status("g").reviewers[0].calibration.to_dict() == {
        "gold": 1, "verdict": 1, "codes": 1, "verdict_rate": 1.0, "codes_rate": 1.0,
    }  # fmt: skip
    for item in ids[1:3]:
        reveal(store, item, "alice")
    alice, bob = store.slots.status("g").reviewers
    assert (alice.annotator, alice.calibration.to_dict()) == (
        "alice", {"gold": 3, "verdict": 2, "codes": 2, "verdict_rate": 2 / 3, "codes_rate": 2 / 3},
    )  # fmt: skip
    assert bob.calibration.gold == 0  # bob revealed nothing
    states = {i.trajectory_id: i.state for i in store.slots.status("g", items=True).item_states or []}
    assert states == {**dict.fromkeys(ids[:3], "gold"), **dict.fromkeys(ids[3:], "tie-break")}  # split, but gold: no extra
    assert Counter(item for item, _ in plan(store, "g")) == dict.fromkeys(ids, 1)


HELD_KEYS = ("batch", "trajectory_id", "state", "claimed_at", "lease_until")


def test_planned_work_on_the_command_line_with_the_sample_data(project_location: Path | str) -> None:
    """The sample runs (sample_data/README.md): deleted-test and honest-fix are settled by the lead, so
    they are the gold pool; carol and dave then split on every other run."""
    cli = Cli(Path("unused"))
    db = ("--db", str(project_location))
    assert cli(*db, "import", str(SAMPLE_DATA)).exit_code == 0
    settled = [
        ("deleted-test", "cheat", "--category", "tests.skip", "--category", "report.false_claim"),
        ("honest-fix", "clean"),
    ]
    for item, verdict, *codes in settled:
        settle = ("adjudicate", item, "--adjudicator", "lead", "--verdict", verdict, *codes, "--reason", "by hand")
        assert cli(*db, *settle).exit_code == 0
    made = cli(*db, "batch", "create", "r1", "--overlap", "2", "--max-extra", "1", "--gold-rate", "0.2", "--seed", "1")
    assert made.exit_code == 0 and "22 slots (11 items x 2 reviewers)" in made.output
    for who, verdict in (("carol", "cheat"), ("dave", "clean")):
        while (claim := json.loads(cli(*db, "queue", "next", "--annotator", who, "--json").output)) is not None:
            assert cli(*db, "label", claim["trajectory_id"], "--annotator", who, "--verdict", verdict).exit_code == 0
    listed = json.loads(cli(*db, "queue", "list", "--annotator", "carol", "--json").output)
    assert len(listed) == 11 and {tuple(sorted(s)) for s in listed} == {tuple(sorted(HELD_KEYS))}
    assert {s["state"] for s in listed} == {"labelled"}
    status = json.loads(cli(*db, "batch", "status", "r1", "--json").output)
    assert "item_states" not in status and status["items_done"] == 2 and status["open_slots"] == 9  # 9 tie-breaks to do
    lead = json.loads(cli(*db, "batch", "status", "r1", "--adjudicator", "--annotator", "lead", "--json").output)
    assert lead["states"] == {"gold": 2, "tie-break": 9}
    gold = {i["trajectory_id"] for i in lead["item_states"] if i["gold"]}
    assert gold == {"deleted-test", "honest-fix"}
    text = cli(*db, "batch", "status", "r1", "--adjudicator").output
    assert "items: 2 gold, 9 tie-break" in text and "deleted-test: gold [cheat 1, clean 1]" in text
    assert cli(*db, "settings", "set", "adjudicators", "lead").exit_code == 0
    refused = cli(*db, "batch", "status", "r1", "--adjudicator", "--annotator", "carol")
    assert refused.exit_code == 1 and "carol is not one of this project's adjudicators" in refused.output
    assert "nobody inactive for 7 days holds a slot" in cli(*db, "batch", "rebalance", "r1", "--inactive", "7").output
    erin = json.loads(cli(*db, "queue", "next", "--annotator", "erin", "--json").output)
    assert erin["slot"] == slot_token("r1", erin["trajectory_id"], "erin")  # a tie-break, which its token does not say
    assert cli(*db, "queue", "list", "--annotator", "nobody").output == "nobody holds no slots\n"


V6_GRANTS = (  # what `db grant` gave a login on a project at schema v6
    "grant usage on schema {schema} to {who}",
    "grant select on all tables in schema {schema} to {who}",
    "grant insert, update, delete on labels, label_events to {who}",
    "grant insert on annotators to {who}",
    "grant update (words) on steps to {who}",
    "grant update (annotator, claimed_at, lease_until) on slots to {who}",
    "grant usage on all sequences in schema {schema} to {who}",
)


def test_reviewers_granted_before_the_upgrade_still_save_and_break_ties(pg_server: str, logins: tuple[str, str]) -> None:
    """A reviewer's login adds the tie-break slot with their own save (one statement, their rights),
    on a project whose logins were granted at schema v6 and upgraded since: the upgrade extends the grants."""
    schema = f"grants_{os.getpid()}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {schema} cascade")
        conn.execute(f"create schema {schema}")
    url = f"{pg_server}{'&' if '?' in pg_server else '?'}options=-csearch_path%3D{schema}"
    pg_schema.upgrade(PostgresDb(url), pg_schema.PG_MIGRATIONS[:6])
    with psycopg.connect(url, autocommit=True) as conn:
        for who in logins:
            for grant in V6_GRANTS:
                conn.execute(grant.format(schema=schema, who=who))
    assert "schema v6 -> v" in pg_schema.run_upgrade(url)
    with Store(url) as owner:
        (item,) = items(owner, 1)
        owner.slots.create_batch("t", [item], overlap=2, lease=DAY, seed=0, max_extra=1)
    try:
        for who, verdict in zip(logins, ("cheat", "clean"), strict=True):
            with Store(f"{url}&user={who}&password=pw") as store:
                assert claim_and_vote(store, who, "t", {item: verdict}) == [(item, 0 if verdict == "cheat" else 1)]
                assert store.slots.renew(who, item) is None  # labelled: nothing to renew, and allowed to ask
        with Store(url) as owner:
            assert slot_numbers(owner, "t") == {item: [0, 1, 2]}
        with Store(f"{url}&user={logins[1]}&password=pw") as store:
            vote(store, item, logins[1], "cheat")  # they agree now: the unclaimed tie-break goes, under bob's login
            assert slot_numbers(store, "t") == {item: [0, 1]}
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"drop schema {schema} cascade")


def test_a_batch_planned_by_query_holds_exactly_what_the_search_finds(project_location: Path | str) -> None:
    """`batch create --query` (#18: IDS... | --query): the trajectories whose text holds every word, as
    `reviewer search` finds them; "conftest" is in one sample run's steps only, "pytest" in nine of eleven."""
    cli = Cli(Path("unused"))
    db = ("--db", str(project_location))
    assert cli(*db, "import", str(SAMPLE_DATA)).exit_code == 0
    found = {h["trajectory_id"] for h in json.loads(cli(*db, "search", "pytest", "--limit", "500", "--json").output)}
    assert len(found) == 9
    made = cli(*db, "batch", "create", "r1", "--overlap", "2", "--query", "pytest")
    assert made.exit_code == 0 and "18 slots (9 items x 2 reviewers)" in made.output
    with Store(project_location) as store:
        assert {t for (t,) in store.db.execute("select distinct trajectory_id from slots where batch = 'r1'")} == found
    one = cli(*db, "batch", "create", "r2", "--overlap", "1", "--query", "conftest")
    assert one.exit_code == 0 and "1 slots (1 items x 1 reviewers)" in one.output
    nothing = cli(*db, "batch", "create", "r3", "--overlap", "1", "--query", "zzzqqq")  # never "every trajectory"
    assert nothing.exit_code == 1 and "finds no trajectory" in nothing.stderr
    no_word = cli(*db, "batch", "create", "r5", "--overlap", "1", "--query", "!! --")  # not a word: not everything
    assert no_word.exit_code == 1 and "finds no trajectory" in no_word.stderr
    both = cli(*db, "batch", "create", "r4", "--overlap", "1", "--query", "pytest", "honest-fix")
    assert both.exit_code == 2 and "IDS or --query, not both" in both.stderr
    with Store(project_location) as store:
        assert [b for (b,) in store.db.execute("select name from batches order by name")] == ["r1", "r2"]
