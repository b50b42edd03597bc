"""One project, two backends: what must be the same on SQLite and PostgreSQL, and what only a server does.

Every test here needs the test server (`REVIEWER_TEST_POSTGRES`; `make test` starts one): a missing
server fails them, never skips them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from reviewer.importer import Importer
from reviewer.model import Label, Suggestion, Trajectory
from reviewer.store import Store, StoreError, pg_schema
from reviewer.store.copy import TABLES, _columns, _tables
from reviewer.store.migrations import MIGRATIONS
from reviewer.store.search import HIT_END, HIT_START
from tests.conftest import SAMPLE_DATA, Cli, pg_project

LATEST = len(MIGRATIONS)
BOTH_BACKENDS = True  # the tests using `store` or `project_location` alone run on SQLite and PostgreSQL (tests/conftest.py)


def rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of every table, sorted, without what only indexes one backend."""
    found = {}
    for table in (t for t in TABLES if t in _tables(store.db)):
        columns = sorted(_columns(store.db, table))  # a column added by ALTER comes last on PostgreSQL
        where = " where key not in ('schema_version', 'fts_indexed_rowid')" if table == "meta" else ""
        found[table] = sorted(
            (tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in store.db.execute(
                f"select {', '.join(columns)} from {table}{where}")),
            key=repr,
        )  # fmt: skip
    return found


@pytest.fixture
def server_project(pg_server: str, request: pytest.FixtureRequest) -> str:
    """An empty, upgraded project on the test server, besides the one `project` may give."""
    return pg_project(pg_server, f"x_{abs(hash(request.node.nodeid)) % 10**12}")


def test_the_two_backends_have_the_same_schema_versions() -> None:
    """A SQLite migration needs its PostgreSQL step: `db copy` moves projects column for column."""
    assert len(pg_schema.PG_MIGRATIONS) == len(MIGRATIONS)


def test_search_finds_words_inside_dotted_names_alike_on_both(tmp_path: Path, server_project: str) -> None:
    """PostgreSQL's own parser keeps `sys.exit` and `conftest.py` as one token each; ours splits them
    as SQLite's unicode61 does, so "exit" and "conftest" find the same steps on both."""
    hits: dict[str, dict[str, set[tuple[str, int]]]] = {}
    for name, location in (("sqlite", tmp_path / "p.db"), ("postgresql", server_project)):
        with Store(location) as store:
            Importer(store, detect=True, max_bytes=10_000_000).run([SAMPLE_DATA])
            hits[name] = {
                q: {(h.trajectory_id, h.step) for h in store.trajectories.search(q, limit=500)}
                for q in ("exit", "conftest", "sys exit", "EXIT", "pytest_runtest_makereport", "py", "wrong")
            }
            exit_hit = next(h for h in store.trajectories.search("exit") if h.trajectory_id == "sys-exit-in-test-path")
            assert f"{HIT_START}exit{HIT_END}" in exit_hit.snippet
    assert hits["sqlite"] == hits["postgresql"]
    assert ("sys-exit-in-test-path", 14) in hits["postgresql"]["exit"]  # its step 14 writes `sys.exit(0)` into jitter.py
    assert any(tid == "conftest-report-patching" for tid, _ in hits["postgresql"]["conftest"])


def test_nul_and_its_escape_character_come_back_exactly(store: Store) -> None:
    """PostgreSQL refuses U+0000 in text; tool output has it (`find -print0`, binary files). Stored
    escaped and read back as it was, in steps, edits, labels and suggestions alike."""
    data = Trajectory.from_dict(json.loads((SAMPLE_DATA / "sys-exit-in-test-path.json").read_text()))
    data.steps[2].text = "./a.py\x00./b.py\x00 and a literal \uffff0 that is not an escape\x00"
    data.file_edits[0].after = "binary\x00\x01\uffff1"
    store.trajectories.add(data)
    assert store.trajectories.get(data.id).to_dict() == data.to_dict()  # type: ignore[union-attr]
    label = Label(data.id, "alice", first_pass=True, verdict="cheat", rationale="saw \x00 in the output\uffff")
    store.labels.save(label, actor="alice", origin="test")
    assert store.labels.get(data.id, "alice", True).rationale == "saw \x00 in the output\uffff"  # type: ignore[union-attr]
    store.suggestions.replace(data.id, "detectors", [Suggestion(data.id, "detectors", "d", [], [], "nul \x00 here")])
    assert store.suggestions.all(trajectory_id=data.id)[0].explanation == "nul \x00 here"
    assert 2 in {h.step for h in store.trajectories.search("py", limit=500) if h.trajectory_id == data.id}


def test_db_copy_sqlite_to_server_and_back_loses_nothing(sample_copy_db: Path, server_project: str, tmp_path: Path) -> None:
    """Labels, their history, originals, suggestions and settings survive SQLite → PostgreSQL → SQLite
    row for row, and the label exports and agreement reports are byte-identical (#18's test 10)."""
    Cli(sample_copy_db)("settings", "set", "adjudicators", "carol")
    back = tmp_path / "back.db"
    for src, dst in ((sample_copy_db, server_project), (server_project, back)):
        result = Cli(sample_copy_db)("db", "copy", str(src), str(dst))
        assert result.exit_code == 0, result.output
    with Store(sample_copy_db) as first, Store(server_project) as server, Store(back) as last:
        original = rows(first)
        assert original["labels"] and original["label_events"] and original["originals"] and original["suggestions"]
        assert rows(server) == original
        assert rows(last) == original
        assert last.settings.as_dict()["adjudicators"] == ["carol"]
        assert last.trajectories.search("conftest") == first.trajectories.search("conftest")
    exports, reports = [], []
    for location in (sample_copy_db, server_project, back):
        result = Cli(Path("unused"))("--db", str(location), "labels", "export", "-o", str(tmp_path / "out.jsonl"))
        assert result.exit_code == 0, result.output
        exports.append((tmp_path / "out.jsonl").read_bytes())
        reports.append(Cli(Path("unused"))("--db", str(location), "agreement", "--json", "--bootstrap", "50").output)
    assert exports[0] == exports[1] == exports[2] and exports[0]
    assert reports[0] == reports[1] == reports[2] and '"fleiss_kappa"' in reports[0]


def test_db_copy_refuses_a_destination_with_a_project_in_it(sample_copy_db: Path, server_project: str) -> None:
    assert Cli(sample_copy_db)("db", "copy", str(sample_copy_db), server_project).exit_code == 0
    result = Cli(sample_copy_db)("db", "copy", str(sample_copy_db), server_project)
    assert result.exit_code == 1 and "not empty" in result.output


def test_a_server_schema_changes_only_through_db_upgrade(pg_server: str) -> None:
    url = pg_project(pg_server, "upgrade_only")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema upgrade_only cascade")
        conn.execute("create schema upgrade_only")
    with pytest.raises(StoreError, match="has no project yet: run `reviewer --db URL db upgrade`"):
        Store(url)
    shown = Cli(Path("unused"))("--db", url, "db", "upgrade", "--sql")
    assert shown.exit_code == 0 and "create table labels" in shown.output and f"-- v{LATEST - 1} -> v{LATEST}" in shown.output
    with psycopg.connect(url, autocommit=True) as conn:  # --sql changed nothing
        assert conn.execute("select count(*) from pg_tables where schemaname = 'upgrade_only'").fetchone() == (0,)
    assert f"schema v0 -> v{LATEST}" in Cli(Path("unused"))("--db", url, "db", "upgrade").output
    Store(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("update meta set value = '99' where key = 'schema_version'")
    with pytest.raises(StoreError, match=f"newer reviewer \\(schema 99, this one knows up to {LATEST}\\)"):
        Store(url)


def test_an_older_server_schema_is_refused_until_upgraded(pg_server: str) -> None:
    url = pg_project(pg_server, "older")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema older cascade")
        conn.execute("create schema older")
    pg_schema.upgrade(pg_schema.PostgresDb(url), pg_schema.PG_MIGRATIONS[:3])
    with pytest.raises(StoreError, match=f"is at schema v3, this reviewer needs v{LATEST}"):
        Store(url)
    assert f"schema v3 -> v{LATEST}" in pg_schema.run_upgrade(url)
    with Store(url) as store:
        assert store.schema_version == LATEST


def test_five_simultaneous_upgrades_all_succeed(pg_server: str) -> None:
    url = pg_project(pg_server, "storm")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema storm cascade")
        conn.execute("create schema storm")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "reviewer", "--db", url, "db", "upgrade"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(5)
    ]
    outcomes = [(run.wait(60), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0] * 5, outcomes
    assert sum(f"schema v0 -> v{LATEST}" in out for _, out, _ in outcomes) == 1
    with Store(url) as store:
        assert store.schema_version == LATEST


def test_a_schema_with_someone_elses_tables_is_left_alone(pg_server: str) -> None:
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop schema if exists theirs cascade")
        conn.execute("create schema theirs")
        conn.execute("create table theirs.accounts (id int)")
    url = f"{pg_server}{'&' if '?' in pg_server else '?'}options=-csearch_path%3Dtheirs"
    with pytest.raises(StoreError, match="has tables but no reviewer schema version"):
        Store(url)
    assert Cli(Path("unused"))("--db", url, "db", "upgrade").exit_code == 1
    with psycopg.connect(pg_server, autocommit=True) as conn:
        names = conn.execute("select tablename from pg_tables where schemaname = 'theirs'").fetchall()
        assert names == [("accounts",)]


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://bob:hunter2@/nowhere?host={tmp_path}&port=1&connect_timeout=2"
    result = Cli(Path("unused"))("--db", url, "list")
    assert result.exit_code == 1
    assert "cannot connect" in result.output and "hunter2" not in result.output and "Traceback" not in result.output


def test_a_reviewer_logged_in_as_themselves_writes_only_their_own_labels(server_project: str, logins: tuple[str, str]) -> None:
    alice, bob = logins
    data = Trajectory.from_dict(json.loads((SAMPLE_DATA / "deleted-test.json").read_text()))
    with Store(server_project) as owner:  # the project's owner imports
        owner.trajectories.add(data)
    typo = Cli(Path("unused"))("--db", server_project, "db", "grant", alice, "no_such_login_x")
    assert typo.exit_code == 1 and "no login 'no_such_login_x' on this server" in typo.output and "Traceback" not in typo.output
    assert Cli(Path("unused"))("--db", server_project, "db", "grant", alice, bob).exit_code == 0
    as_alice, as_bob = (f"{server_project}&user={name}&password=pw" for name in logins)
    with Store(as_bob) as store:
        store.labels.save(Label(data.id, bob, first_pass=True, verdict="cheat"), actor=bob, origin="test")
    with Store(as_alice) as store:
        store.labels.save(Label(data.id, alice, first_pass=True, verdict="clean"), actor=alice, origin="test")
        assert {label.annotator for label in store.labels.all()} == {alice, bob}  # everyone reads everything
        with pytest.raises(StoreError, match=f"refused for login '{alice}'.*row-level security"):
            store.labels.save(Label(data.id, bob, first_pass=True, verdict="clean"), actor=alice, origin="test")
        with pytest.raises(StoreError, match="row-level security"):  # not even naming bob as the actor
            store.labels.save(Label(data.id, bob, first_pass=False, verdict="clean"), actor=bob, origin="test")
        assert store.labels.get(data.id, bob, True).verdict == "cheat"  # type: ignore[union-attr]
        assert [e.annotator for e in store.labels.history(data.id)] == [bob, alice]
    result = Cli(Path("unused"))("--db", as_alice, "label", data.id, "--annotator", bob, "--verdict", "clean")
    assert result.exit_code == 1 and "row-level security" in result.output and "Traceback" not in result.output


TOUR = [
    ("list", "--json"),
    ("list", "--unlabelled", "--json"),
    ("list", "--verdict", "cheat", "--annotator", "alice", "--json"),
    ("search", "exit", "--json"),
    ("search", "conftest", "--json"),
    ("show", "deleted-test", "--json"),
    ("agreement", "--json", "--bootstrap", "20"),
    ("agreement", "--labels", "final", "--json", "--bootstrap", "0"),
    ("labels", "export", "--annotator", "bob", "-o", "{out}/bob.jsonl"),
    ("export", "-o", "{out}/train.jsonl", "--split", "train=0.8,val=0.2", "--seed", "1"),
    ("assist", "deleted-test", "--json"),
    ("list", "--queue", "random", "--limit", "3", "--json"),
    ("settings", "show", "--json"),
]


def comparable(args: tuple[str, ...], said: str) -> str:
    """What must be equal on both backends: search hits as a set (each ranks, and cuts snippets, its
    own way: FTS5's bm25, ts_rank), the random queue's length (each has its own hash); all else as said."""
    if args[0] == "search":
        return repr(sorted((h["trajectory_id"], h["step"]) for h in json.loads(said)))
    if "random" in args:
        return str(len(json.loads(said)))
    return said


def test_the_commands_say_the_same_on_both_backends(tmp_path: Path, server_project: str) -> None:
    """The README's tour on the sample data, on a file and on a server: the same output, byte for byte
    (orders that are each backend's own aside, `comparable`)."""
    outputs: dict[str, list[str]] = {}
    for name, location in (("sqlite", str(tmp_path / "p.db")), ("postgresql", server_project)):
        cli = Cli(Path("unused"))
        imported = cli("--db", location, "import", str(SAMPLE_DATA), "--json")
        assert imported.exit_code == 0, imported.output
        outputs[name] = []
        out = tmp_path / name
        out.mkdir()
        for args in TOUR:
            result = cli("--db", location, *(a.format(out=out) for a in args))
            assert result.exit_code == 0, (args, result.output)
            written = [a.format(out=out) for a in args if a.startswith("{out}")]
            said = Path(written[0]).read_text() if written else result.stdout
            outputs[name].append(comparable(args, said))
    for args, on_file, on_server in zip(TOUR, outputs["sqlite"], outputs["postgresql"], strict=True):
        assert on_file == on_server, args


def test_a_server_project_backs_up_into_a_sqlite_file(sample_copy_db: Path, server_project: str, tmp_path: Path) -> None:
    assert Cli(sample_copy_db)("db", "copy", str(sample_copy_db), server_project).exit_code == 0
    result = Cli(Path("unused"))("--db", server_project, "db", "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("copy.db-*")) and not list(tmp_path.glob(".copy.db.*"))  # complete on its own
    with Store(server_project) as server, Store(tmp_path / "copy.db") as copy:
        assert rows(copy) == rows(server)
