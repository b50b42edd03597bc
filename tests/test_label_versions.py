"""Label versions and edit ids (#18): a stale save never silently overwrites, every edit is applied
exactly once, and an offline checkout comes back without a clock deciding anything.

Real processes on a real file and a real server; the offline round trip runs on a real SWE-bench
run with its real grader report (tests/fixtures/swebench_report, see its README).
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import psycopg
import pytest

from reviewer.model import Label, Outcome, Trajectory
from reviewer.review import ReviewSession
from reviewer.store import Store, StoreError
from reviewer.store import postgres as pg
from reviewer.store.checkout import checked_out
from reviewer.store.labels import EditConflict
from reviewer.store.listing import ListQuery
from reviewer.synthetic import trajectory
from tests.conftest import SAMPLE_DATA, Cli, pg_project, tid

BOTH_BACKENDS = True  # the tests using `store` or `project_location` alone run on SQLite and PostgreSQL (tests/conftest.py)
SPAWN = multiprocessing.get_context("spawn")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN = FIXTURES / "swebench_report" / "20251118_gemini-3-pro-74pct"
INSTANCE = "django__django-10999"


def add(store: Store, n: int) -> list[str]:
    for i in range(n):
        store.trajectories.add(Trajectory.from_dict(trajectory(i, 4)))
    return [tid(i) for i in range(n)]


def events(store: Store) -> int:
    return store.db.execute("select count(*) from label_events").fetchone()[0]


# --- versions and conflicts ---------------------------------------------------------------------


def test_every_save_adds_one_to_the_version_and_a_stale_one_is_kept_as_a_conflict(store: Store) -> None:
    """Two windows of one reviewer (two machines) open the same label; the second save is based on a
    version that is gone: it is kept in the history as an open conflict, both values stay, the
    item's status says so, and the window goes on from the stored label."""
    (t,) = add(store, 1)
    here, there = ReviewSession(store, "dana", t), ReviewSession(store, "dana", t)
    assert here.set_field("verdict", "cheat").version == 1
    assert here.set_field("intent", 3).version == 2
    with pytest.raises(EditConflict, match=r"now version 2, this edit was based on 0\); the edit is kept as conflict"):
        there.set_field("verdict", "clean")
    stored = store.labels.get(t, "dana", True)
    assert (stored.verdict, stored.version) == ("cheat", 2)  # type: ignore[union-attr]
    (conflict,) = store.labels.conflicts(annotator="dana")
    assert (conflict.edit.verdict, conflict.stored.verdict, conflict.based_on, conflict.state) == ("clean", "cheat", 0, "open")  # type: ignore[union-attr]
    assert there.label.verdict == "cheat" and there.label.version == 2  # the window shows what is stored now
    assert there.set_field("severity", 2).version == 3  # and its next change builds on it, overwriting nothing
    assert [e.conflict for e in store.labels.history(t, "dana")] == [None, None, "open", None]
    row = store.listing.row(ListQuery(annotator="dana"), t)
    assert row is not None and row.status == "conflict"
    assert store.listing.row(ListQuery(annotator="bob"), t).status == "not started"  # type: ignore[union-attr]

    settled = store.labels.resolve(conflict.edit_id[:8], "edit", actor="dana", origin="resolve")
    assert settled is not None and (settled.verdict, settled.version, settled.severity) == ("clean", 4, None)
    assert store.labels.conflicts() == [] and store.labels.conflicts(include_resolved=True)[0].state == "resolved"
    assert store.listing.row(ListQuery(annotator="dana"), t).status == "first pass done"  # type: ignore[union-attr]


def test_an_edit_written_twice_is_applied_once(store: Store) -> None:
    """What a retry after a lost answer does: the same prepared edit (same edit id) a second time
    finds its id in the history and changes nothing, neither a version nor an event."""
    (t,) = add(store, 1)
    prepared = store.labels.prepare(Label(t, "dana", verdict="cheat", version=0))
    again = Label.from_dict(prepared.to_dict())
    store.labels.write(prepared, actor="dana", origin="test")
    before = events(store)
    assert store.labels.write(again, actor="dana", origin="test").version == 1
    assert events(store) == before and store.labels.get(t, "dana", True).version == 1  # type: ignore[union-attr]
    with store.writing(), pytest.raises(Exception, match="(?i)unique"):  # the database refuses a second event of one edit
        store.db.execute(
            "insert into label_events(trajectory_id, annotator, first_pass, adjudication, at, actor, origin, edit_id)"
            " values (?, 'dana', 1, 0, 'now', 'dana', 'test', ?)",
            [t, prepared.edit_id],
        )


def _save_from_loaded(location: str, verdict: str, barrier: Barrier, said: SimpleQueue[tuple[str, str]]) -> None:
    """Load dana's label, wait for the other process to have loaded it too, save `verdict` on it."""
    with Store(location) as store:
        label = store.labels.get(tid(0), "dana", True)
        assert label is not None
        label.verdict = verdict
        barrier.wait(60)
        try:
            store.labels.save(label, actor="dana", origin="proc")
        except EditConflict:
            said.put((verdict, "conflict"))
            return
        said.put((verdict, "committed"))


def test_two_processes_saving_one_label_from_one_version_one_commits(project_location: Path | str) -> None:
    """Acceptance test 3 of #18: two real processes save the same label based on the same version;
    exactly one commits, the other's edit is kept as a flagged conflict."""
    with Store(project_location) as store:
        add(store, 1)
        store.labels.save(Label(tid(0), "dana", verdict="borderline"), actor="dana", origin="test")
    for _ in range(3):  # the race a few times over: whichever wins, the outcome is the same
        barrier, said = SPAWN.Barrier(2), SPAWN.SimpleQueue()
        runs = [
            SPAWN.Process(target=_save_from_loaded, args=(str(project_location), v, barrier, said)) for v in ("cheat", "clean")
        ]
        for run in runs:
            run.start()
        for run in runs:
            run.join(120)
        assert [run.exitcode for run in runs] == [0, 0]
        results = dict(said.get() for _ in runs)
        assert sorted(results.values()) == ["committed", "conflict"]
        with Store(project_location) as store:
            (winner,) = [v for v, result in results.items() if result == "committed"]
            stored = store.labels.get(tid(0), "dana", True)
            assert stored is not None and stored.verdict == winner
            conflict = store.labels.conflicts()[-1]
            assert conflict.edit.verdict != winner and conflict.stored.verdict == winner  # type: ignore[union-attr]
            assert store.listing.row(ListQuery(annotator="dana"), tid(0)).status == "conflict"  # type: ignore[union-attr]
            for c in store.labels.conflicts():
                store.labels.resolve(c.edit_id, "stored", actor="dana", origin="test")


# --- exactly once on a server that drops connections ------------------------------------------------

WRITER = textwrap.dedent(
    """
    import json, sys
    from reviewer.model import Label
    from reviewer.store import Store
    location, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Store(location) as store:
        labels = {}
        for i in range(n):
            tid = f"synthetic-0-{i % 3:06d}"
            label = labels.get(tid) or Label(tid, who, first_pass=True, version=0)
            label.rationale = f"edit {i}"
            labels[tid] = store.labels.save(label, actor=who, origin="storm")
        print(json.dumps({"reconnects": store.db.reconnects}))
    """
)


def test_killed_connections_mid_write_every_edit_applied_exactly_once(pg_server: str) -> None:
    """Acceptance test 5 of #18: four writers save 40 edits each while another connection keeps
    killing their server processes (`pg_terminate_backend`). Every writer reconnects and retries;
    every edit is in the history once (its edit id), each label's version counts its edits, and no
    retried edit came back as a conflict with itself."""
    url = pg_project(pg_server, "versions_storm") + "&application_name=versions-storm"
    with Store(url) as store:
        add(store, 3)
    stop = threading.Event()
    killed = 0

    def killer() -> None:
        nonlocal killed
        with psycopg.connect(pg_server, autocommit=True) as conn:
            while not stop.is_set():
                killed += len(
                    conn.execute(
                        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'versions-storm'"
                        " and pid != pg_backend_pid()"
                    ).fetchall()
                )
                time.sleep(0.15)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, url, f"w{k}", "40"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for k in range(4)
        ]
        outcomes = [(run.wait(300), *run.communicate()) for run in runs]
    finally:
        stop.set()
        thread.join()
    assert [code for code, _, _ in outcomes] == [0] * 4, [err for _, _, err in outcomes if err][:1][0][-3000:]
    reconnects = sum(json.loads(out)["reconnects"] for _, out, _ in outcomes)
    assert killed > 0 and reconnects > 0, (killed, reconnects)
    with Store(url) as store:
        counts = store.db.execute(
            "select annotator, count(*), count(distinct edit_id), count(conflict) from label_events group by annotator order by 1"
        ).fetchall()
        assert counts == [(f"w{k}", 40, 40, 0) for k in range(4)]
        versions = store.db.execute("select annotator, trajectory_id, version, record from labels order by 1, 2").fetchall()
        for who, t, version, record in versions:
            edits = [i for i in range(40) if i % 3 == int(t[-1])]
            assert version == len(edits) and json.loads(record)["rationale"] == f"edit {edits[-1]}", (who, t)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop schema versions_storm cascade")


@pytest.fixture
def own_server() -> Iterator[tuple[str, Callable[[], None]]]:
    """A PostgreSQL cluster of this test's own (the shared test server cannot be restarted under the
    other tests): its URL, and a function that restarts it (a fast shutdown, as a server's
    administrator or a crash-restart does, dropping every connection). Run as `postgres` when the
    tests run as root, as CI does; initdb refuses root."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.fail("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin): `make test` installs them")
    bindir = Path(found[-1]).parent
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="reviewer-pg-"))  # not under pytest's 0700 root folder: postgres must reach it
    if as_server:
        shutil.chown(folder, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = folder / "data"
    ctl = [*as_server, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60"]
    subprocess.run(
        [*as_server, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"], check=True, capture_output=True
    )
    start = ["-o", f"-p {port} -k {folder} -c listen_addresses=''"]
    subprocess.run([*ctl, *start, "start"], check=True, capture_output=True)
    try:
        yield (
            f"postgresql://postgres@/postgres?host={folder}&port={port}",
            lambda: subprocess.run([*ctl, *start, "-m", "fast", "restart"], check=True, capture_output=True),
        )
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def saved(url: str) -> tuple[int, int]:
    """Writers with an edit in the history so far, and edits (a connection of its own: the writers' may be down)."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            writers, edits = conn.execute("select count(distinct annotator), count(*) from label_events").fetchone()  # type: ignore[misc]
            return int(writers), int(edits)
    except psycopg.OperationalError:
        return 0, 0


def test_a_server_restarted_mid_write_applies_every_edit_exactly_once(own_server: tuple[str, Callable[[], None]]) -> None:
    """Acceptance test 5 of #18, the restart: four writers save 150 edits each while their server is
    restarted twice under them. Every writer reconnects and retries; every edit is in the history once,
    each label's version counts its edits, and no retried edit came back as a conflict with itself."""
    server, restart = own_server
    url = pg_project(server, "restarted")
    with Store(url) as store:
        add(store, 3)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, f"w{k}", "150"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for k in range(4)
    ]
    restarts = 0
    for mark in (100, 350):  # of the 600 edits: restarted while the writers are at it
        while all(run.poll() is None for run in runs) and saved(url) < (4, mark):  # every writer connected, then the mark
            time.sleep(0.02)
        if all(run.poll() is None for run in runs):  # only a restart under every writer counts
            restart()
            restarts += 1
    outcomes = [(run.wait(300), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0] * 4, [err for _, _, err in outcomes if err][:1][0][-3000:]
    reconnects = sum(json.loads(out)["reconnects"] for _, out, _ in outcomes)
    assert restarts > 0 and reconnects >= restarts, (restarts, reconnects)  # a writer may finish before the second
    with Store(url) as store:
        counts = store.db.execute(
            "select annotator, count(*), count(distinct edit_id), count(conflict) from label_events group by annotator order by 1"
        ).fetchall()
        assert counts == [(f"w{k}", 150, 150, 0) for k in range(4)]
        for who, t, version, record in store.db.execute("select annotator, trajectory_id, version, record from labels"):
            edits = [i for i in range(150) if i % 3 == int(t[-1])]
            assert version == len(edits) and json.loads(record)["rationale"] == f"edit {edits[-1]}", (who, t)


def test_a_server_that_stays_away_is_one_line_and_nothing_is_half_done(pg_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = pg_project(pg_server, "versions_away")
    monkeypatch.setattr(pg, "RECONNECT_SECONDS", 1)
    with Store(url) as store:
        add(store, 1)
        db = store.db
        assert isinstance(db, pg.PostgresDb)
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute("select pg_terminate_backend(?)".replace("?", "%s"), [db.conn.info.backend_pid])
        db.url = "postgresql://nobody:secret@127.0.0.1:1/none"  # where it would reconnect: nothing answers
        with pytest.raises(StoreError) as caught:
            store.labels.save(Label(tid(0), "dana", verdict="clean"), actor="dana", origin="test")
        message = str(caught.value)
        assert "did not answer again within 1 s" in message and "saving it again is safe" in message
        assert "secret" not in message and "\n" not in message
    with Store(url) as store:
        assert store.labels.all() == []
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop schema versions_away cascade")


# --- the offline round trip ---------------------------------------------------------------------------


def test_offline_round_trip_with_a_skewed_clock(project_location: Path | str, tmp_path: Path) -> None:
    """Acceptance test 9 of #18. dana checks out her slots, labels offline on a laptop whose clock is
    hours behind, and brings the pack back: an edit based on the version still on the server applies
    though its time is older; one whose label she changed meanwhile on the server becomes a flagged
    conflict though its time is newer; a label new offline is added; importing again changes nothing."""
    cli = Cli(Path("unused"))
    where = str(project_location)
    assert cli("--db", where, "import", str(RUN / "trajs" / INSTANCE), "--outcomes", str(RUN / "logs")).exit_code == 0
    assert cli("--db", where, "import", str(SAMPLE_DATA)).exit_code == 0  # bob's and carol's labels of the sample runs
    ids = [INSTANCE, "deleted-test", "honest-fix", "special-cased-input"]
    online = {  # what dana does online to each item she claims
        "deleted-test": lambda s: (s.set_field("verdict", "cheat"), s.reveal()),  # revealed: its outcome may go along
        "honest-fix": lambda s: s.set_field("verdict", "clean"),
        INSTANCE: lambda s: s.set_field("verdict", "honest_failure"),
        "special-cased-input": lambda s: s.set_field("verdict", "cheat"),
    }
    with Store(project_location) as store:
        store.slots.create_batch("round1", ids, overlap=2, lease=timedelta(hours=1), seed=3)
        assert store.trajectories.outcome(INSTANCE).grader_result == "fail"  # type: ignore[union-attr]
        assert store.suggestions.all(trajectory_id="special-cased-input")  # the detectors' hints, kept from a blind pass
        while (claim := store.slots.claim("dana", "round1")) is not None:
            online[claim.trajectory_id](ReviewSession(store, "dana", claim.trajectory_id))

    laptop = tmp_path / "laptop.db"
    made = cli("--db", where, "team", "checkout", "--annotator", "dana", "--batch", "round1", "-o", str(laptop))
    assert made.exit_code == 0, made.output
    assert "4 trajectories and 5 of dana's labels" in made.output and "(1 revealed" in made.output
    with Store(laptop) as offline:
        assert {t.id for t in offline.trajectories.iter_all()} == set(ids)
        assert {lb.annotator for lb in offline.labels.all()} == {"dana"}  # nobody else's labels
        assert offline.trajectories.outcome(INSTANCE) == Outcome()  # still blind there: the report's "fail" stays home
        assert offline.trajectories.outcome("deleted-test").grader_result == "fail"  # type: ignore[union-attr]  # revealed
        assert offline.suggestions.all(trajectory_id="special-cased-input") == []  # blind: no detector hints either
        assert offline.db.execute("select count(*) from originals").fetchone()[0] == 0
        assert checked_out(offline)["annotator"] == "dana"  # type: ignore[index]
        ReviewSession(offline, "dana", "honest-fix").set_field("rationale", "tests untouched, fix in the parser")
        ReviewSession(offline, "dana", INSTANCE).set_field("verdict", "clean")
        ReviewSession(offline, "dana", "special-cased-input").reveal()  # a final label new offline
    with Store(project_location) as store:  # meanwhile, on the server, dana changes her mind about the django run
        ReviewSession(store, "dana", INSTANCE).set_field("rationale", "2 of the FAIL_TO_PASS tests still fail")

    pack = tmp_path / "dana.jsonl"
    assert cli("--db", str(laptop), "labels", "export", "-o", str(pack)).exit_code == 0
    records = {(r["trajectory_id"], r["first_pass"]): r for r in map(json.loads, pack.read_text().splitlines())}
    with Store(project_location) as store:  # each record says the server's version it was based on (0: none)
        versions = {(lb.trajectory_id, lb.first_pass): lb.version or 0 for lb in store.labels.all(annotator="dana")}
    versions[(INSTANCE, True)] -= 1  # the server moved on since the checkout
    assert {k: r["based_on"] for k, r in records.items()} == {**versions, ("special-cased-input", False): 0}
    now = datetime.now(UTC)
    records[("honest-fix", True)]["updated_at"] = (now - timedelta(hours=3)).isoformat()  # the laptop's clock is behind
    records[(INSTANCE, True)]["updated_at"] = (now + timedelta(minutes=4)).isoformat()  # or ahead: no matter
    pack.write_text("".join(json.dumps(r) + "\n" for r in records.values()))

    first = cli("--db", where, "labels", "import", str(pack), "--json")
    assert first.exit_code == 0, first.output
    totals = json.loads(first.stdout)
    counts = (totals["labels_added"], totals["labels_updated"], totals["labels_unchanged"], totals["labels_conflicts"])
    assert counts == (1, 2, 2, 1)  # special-cased-input's final; honest-fix and the frozen first pass; deleted-test's two
    with Store(project_location) as store:
        assert store.labels.get("honest-fix", "dana", True).rationale == "tests untouched, fix in the parser"  # type: ignore[union-attr]
        assert store.labels.get("special-cased-input", "dana", False).verdict == "cheat"  # type: ignore[union-attr]
        django = store.labels.get(INSTANCE, "dana", True)
        assert django is not None and (django.verdict, django.version) == ("honest_failure", 2)  # the server's, kept
        (conflict,) = store.labels.conflicts(annotator="dana")
        assert (conflict.edit.verdict, conflict.based_on, conflict.origin) == ("clean", 1, "pack:dana.jsonl")
        before = (events(store), [lb.to_dict() for lb in store.labels.all()])

    again = cli("--db", where, "labels", "import", str(pack), "--json")
    assert json.loads(again.stdout)["labels_unchanged"] == 6
    with Store(project_location) as store:
        assert (events(store), [lb.to_dict() for lb in store.labels.all()]) == before

    listed = json.loads(cli("--db", where, "labels", "conflicts", "--annotator", "dana", "--json").stdout)
    assert [(c["trajectory_id"], c["edit"]["verdict"], c["stored"]["verdict"]) for c in listed] == [
        (INSTANCE, "clean", "honest_failure")
    ]
    assert json.loads(cli("--db", where, "labels", "conflicts", "--adjudicator", "--json").stdout) == listed
    assert json.loads(cli("--db", where, "labels", "conflicts", "--annotator", "bob", "--json").stdout) == []  # not dana's
    unnamed = cli("--db", where, "labels", "conflicts", "--json")  # a conflict holds verdicts: whose view, then?
    assert unnamed.exit_code == 2 and "needs --annotator" in unnamed.stderr and unnamed.stdout == ""
    shown = cli("--db", where, "list", "--annotator", "dana", "--json")
    assert {r["id"]: r["status"] for r in json.loads(shown.stdout)}[INSTANCE] == "conflict"
    settled = cli("--db", where, "labels", "resolve", listed[0]["edit_id"][:10], "--keep", "edit", "--annotator", "dana")
    assert settled.exit_code == 0 and "kept the edit (version 3)" in settled.output
    with Store(project_location) as store:
        assert store.labels.get(INSTANCE, "dana", True).verdict == "clean"  # type: ignore[union-attr]
