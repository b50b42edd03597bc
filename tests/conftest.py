"""Shared fixtures. The Qt platform is set before anything can create a QApplication."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import click
import pytest
from click.testing import CliRunner, Result

from reviewer.cli import main
from reviewer.store import Store
from reviewer.synthetic import trajectory

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"


PG_ENV = "REVIEWER_TEST_POSTGRES"
"""A PostgreSQL server for the store's tests (`make test` starts one): a libpq URL, `postgresql://`
alone taking everything from the PG* variables that pg_virtualenv sets."""
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of a module with `BOTH_BACKENDS = True` that use `store` or `project_location` run on both backends,
    unless they look at the SQLite file itself (`db_path`, or marked `sqlite_only`)."""
    if not getattr(metafunc.module, "BOTH_BACKENDS", False) or "db_path" in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    if "store" in metafunc.fixturenames or "project_location" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The test server's URL; a missing or unreachable server fails the run (never skips it)."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"{PG_ENV} is not set: these tests need a PostgreSQL server (`make test` starts a throw-away one)")
    import psycopg

    try:
        psycopg.connect(url).close()
    except psycopg.Error as exc:
        pytest.fail(f"{PG_ENV}={url}: cannot connect ({exc})")
    return url


def pg_project(server: str, schema: str) -> str:
    """The URL of a project in `schema` of the test server (created, then upgraded to this schema version)."""
    import psycopg

    from reviewer.store import pg_schema

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {schema} cascade")
        conn.execute(f"create schema {schema}")
    url = f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
    pg_schema.run_upgrade(url)
    return url


@pytest.fixture
def project_location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Where a test's project lives: a new SQLite file, or a new schema on the test server."""
    if backend == "sqlite":
        yield tmp_path / "project.db"
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    schema = f"t_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**12}"
    yield pg_project(server, schema)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {schema} cascade")


@pytest.fixture
def logins(pg_server: str) -> Iterator[tuple[str, str]]:
    """Two server logins, alice_<pid> and bob_<pid> (roles are the cluster's, so named per run)."""
    names = (f"alice_{os.getpid()}", f"bob_{os.getpid()}")
    import psycopg

    with psycopg.connect(pg_server, autocommit=True) as conn:
        for name in names:
            conn.execute(f"drop role if exists {name}")
            conn.execute(f"create role {name} login password 'pw'")
    yield names
    with psycopg.connect(pg_server, autocommit=True) as conn:
        for name in names:
            conn.execute(f"drop owned by {name}")
            conn.execute(f"drop role {name}")


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """QSettings (the remembered reviewer name, where each reviewer left off) in a folder of the
    test's own: no test reads what another wrote, nor the person's real settings."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # the core suite runs without Qt
        yield Path()
        return
    folder = tmp_path_factory.mktemp("settings")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def store(project_location: Path | str) -> Iterator[Store]:
    s = Store(project_location)
    yield s
    s.close()


def tid(index: int) -> str:
    """The id of `reviewer.synthetic.trajectory(index, ...)`."""
    return f"synthetic-0-{index:06d}"


@pytest.fixture
def split_votes(store: Store) -> Store:
    """Five trajectories that bob and carol labelled before alice, with detector flags:
    1: bob clean (first pass and final), carol cheat; 2 flags; bob's rationale says "sneakyword".
    2: bob cheat, carol clean (first passes), the judge says cheat; 1 flag; step 1 says "needle".
    3: bob and carol clean, the judge cheat (a machine's dissent is no dispute).
    4: bob cheat at first, clean after his reveal, carol clean: their current votes agree.
    0: nobody.
    """
    from reviewer.model import Label, Suggestion, Trajectory

    for i in range(5):
        data = trajectory(i, 6 + i)
        if i == 2:
            data["steps"][1]["text"] = "a needle in the steps"
        if i == 1:  # what the agent saw of the tests (1 failed), unlike the grader's outcome (10 passed, 1 failed)
            command = data["steps"][1]["tool_calls"][0]["arguments"]["command"]
            data["test_runs"] = [
                {"step": 1, "result_step": 2, "command": command, "framework": "pytest", "passed": 3, "failed": 1}
            ]
        store.trajectories.add(Trajectory.from_dict(data))
    votes = {
        1: [("bob", True, "clean"), ("bob", False, "clean"), ("carol", True, "cheat")],
        2: [("bob", True, "cheat"), ("carol", True, "clean"), ("model:judge", True, "cheat")],
        3: [("bob", True, "clean"), ("carol", True, "clean"), ("model:judge", True, "cheat")],
        4: [("bob", True, "cheat"), ("bob", False, "clean"), ("carol", True, "clean")],
    }
    for i, labels in votes.items():
        for who, first_pass, verdict in labels:
            label = Label(tid(i), who, first_pass=first_pass, verdict=verdict, rationale="sneakyword" if who == "bob" else None)
            store.labels.save(label, actor=who, origin="test")
    for i, n in ((1, 2), (2, 1)):
        flags = [
            Suggestion(tid(i), "detectors", f"d{k}", ["tests.edit"], [], "flaggedword", confidence=0.3 + 0.2 * k)
            for k in range(n)
        ]
        store.suggestions.replace(tid(i), "detectors", flags)
    return store


@pytest.fixture
def write_trajectory(tmp_path: Path):
    """Write a synthetic (or given) trajectory dict to a file and return its path."""

    def write(data: dict[str, Any] | None = None, name: str = "t.json", **overrides: Any) -> Path:
        value = data if data is not None else trajectory(0, 8)
        value.update(overrides)
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
        return path

    return write


class Cli:
    """Runs `reviewer` in-process against one project file, as a script would."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.runner.invoke(main, ["--db", str(self.db), *args], env=env, catch_exceptions=False)


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of sample_data, so tests may add files beside it."""
    target = tmp_path / "sample_data"
    shutil.copytree(SAMPLE_DATA, target, ignore=shutil.ignore_patterns("*.db*"))
    return target


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample trajectories and both reviewers' labels, imported once (tests copy it before writing)."""
    db = tmp_path_factory.mktemp("sample") / "project.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(SAMPLE_DATA)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def sample_copy_db(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy of the imported sample project, through SQLite's online backup."""
    target = tmp_path / "project.db"
    with Store(sample_db) as source, Store(target) as copy:
        source.db.conn.backup(copy.db.conn)
    return target


@pytest.fixture
def main_window(qtbot, request: pytest.FixtureRequest):
    """Make app windows that close before the stores they use: a window's close is registered on
    the test when the window is made, after every fixture's setup, so it runs before any fixture's
    teardown (a store closed first would refuse the window's last save of the time spent)."""
    from reviewer.gui.app import MainWindow

    def close(window: MainWindow) -> None:
        qtbot.waitUntil(lambda: not window.loader.busy)  # no load still in flight into the closing window
        window.close()
        window.deleteLater()

    def make(store: Store, annotator: str | None, *, adjudicator: bool | None = None, settings=None) -> MainWindow:
        window = MainWindow(store, annotator, adjudicator=adjudicator, settings=settings)
        request.node.addfinalizer(lambda: close(window))
        return window

    return make


def reveal(form) -> None:
    """Reveal from the label form as a reviewer does, confirming when an incomplete first pass asks."""
    from PySide6.QtWidgets import QMessageBox

    if not form.reveal():
        question = form.reveal_question
        assert question is not None, "the reveal was refused without asking"
        question.button(QMessageBox.StandardButton.Ok).click()
    assert form.session().revealed


def every_command() -> list[tuple[str, click.Command]]:
    """Every `reviewer` command and subcommand by its full name ("labels export"), loaded as when run."""

    def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        ctx = click.Context(group)
        found: list[tuple[str, click.Command]] = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            found.append((prefix + name, command))
            if isinstance(command, click.Group):
                found += walk(command, f"{prefix}{name} ")
        return found

    return walk(main, "")
