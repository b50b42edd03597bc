"""Shared fixtures. The Qt platform is set before anything can create a QApplication."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from click.testing import CliRunner, Result

from reviewer.cli import main
from reviewer.store import Store
from reviewer.synthetic import trajectory

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


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

    def make(store: Store, annotator: str | None, **options: object) -> MainWindow:
        window = MainWindow(store, annotator, **options)  # type: ignore[arg-type]
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
