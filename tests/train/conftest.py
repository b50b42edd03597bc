"""Labelled projects for the classifier's tests: generated once per session, copied before any write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reviewer.assist.detectors import store_detections
from reviewer.store import Store
from reviewer.synthetic import add_labelled
from tests.conftest import Cli

N = 90  # trajectories: 40 tasks, about a third cheat (reviewer.synthetic.labelled)
STEPS = 10
FOLDS = "3"


def build(path: Path, *, shuffled: bool) -> Path:
    with Store(path) as store:
        add_labelled(store, N, n_steps=STEPS, shuffled=shuffled)
        store_detections(store)
    return path


def copy(source: Path, target: Path) -> Path:
    """A private copy through SQLite's online backup (the way tests copy projects)."""
    with Store(source) as original, Store(target) as clone:
        original.db.conn.backup(clone.db.conn)
    return target


@pytest.fixture(scope="session")
def learnable_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("learnable") / "project.db", shuffled=False)


@pytest.fixture(scope="session")
def shuffled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("shuffled") / "project.db", shuffled=True)


@pytest.fixture(scope="session")
def trained(learnable_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The learnable project's model, trained once through the command line: (model file, card)."""
    model = tmp_path_factory.mktemp("model") / "model.skops"
    result = Cli(learnable_db)("train", "-o", str(model), "--folds", FOLDS, "--json")
    assert result.exit_code == 0, result.output
    return model, json.loads(result.stdout)


@pytest.fixture
def project(learnable_db: Path, tmp_path: Path) -> Path:
    """A private copy of the learnable project, to predict into."""
    return copy(learnable_db, tmp_path / "project.db")
