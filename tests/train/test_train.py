"""`reviewer train` on generated labelled projects: it learns what can be learnt and nothing else,
evaluates without ever sharing a task between training and test, is deterministic, and writes
what its contract says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.store import Store
from reviewer.train import evaluation
from reviewer.train.data import Target, from_file, from_store
from tests.conftest import ROOT, Cli
from tests.train.conftest import FOLDS, N, copy

FIGURES = ("auroc", "average_precision", "f1", "brier")


def train(db: Path, model: Path, *extra: str) -> tuple[dict[str, Any], str]:
    result = Cli(db)("train", "-o", str(model), "--folds", FOLDS, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_learns_above_chance_on_a_learnable_set(trained: tuple[Path, dict[str, Any]]) -> None:
    model, card = trained
    metrics = card["metrics"]
    assert set(FIGURES) <= metrics.keys() and metrics["undefined_reason"] is None
    assert metrics["auroc"] > 0.9 and metrics["average_precision"] > 0.8 and metrics["f1"] > 0.8 and metrics["brier"] < 0.15
    assert card["n_labels"] == N and card["label_counts"]["positive"] + card["label_counts"]["negative"] == N
    assert card["target"] == {"name": "cheat", "positive": ["cheat", "attempted_cheat"], "negative": ["clean", "honest_failure"],
                              "excluded": ["borderline", "unreviewable"]}  # fmt: skip
    assert (
        card["evaluation"]["folds"] == 3
        and card["seed"] == 0
        and card["model_kind"] == "logistic"
        and card["class_weight"] == "balanced"
    )
    curve = card["learning_curve"]
    assert [p["fraction"] for p in curve] == list(evaluation.FRACTIONS)
    assert [p["n_labels"] for p in curve] == sorted(p["n_labels"] for p in curve) and curve[-1]["auroc"] == metrics["auroc"]
    categories = {c["code"]: c for c in card["per_category"]}
    assert set(categories) == {"tests.edit", "tests.exit", "output.special_case"}  # the generator's three ways to cheat
    assert all(c["trained"] and c["positives"] >= 5 and c["support"] == c["positives"] for c in categories.values())
    assert all(c["auroc"] is not None and c["auroc"] > 0.8 for c in categories.values())
    assert card["features"]["channels"] == ["actions", "diffs", "reasoning"]
    assert {"fact:test_edits", "fact:exit_calls", "fact:edits_after_last_test_run"} <= set(card["features"]["structural"])
    assert any(n.startswith("detector:") for n in card["features"]["structural"])
    assert {"scikit-learn", "skops", "numpy", "python"} <= card["versions"].keys() and len(card["data"]["hash"]) == 64
    assert (
        model.exists()
        and (model.parent / "model.skops.card.json").exists()
        and (model.parent / "model.skops.report.html").exists()
    )


def test_near_chance_on_shuffled_labels(shuffled_db: Path, tmp_path: Path) -> None:
    card, _ = train(shuffled_db, tmp_path / "m.skops")
    assert abs(card["metrics"]["auroc"] - 0.5) < 0.2, card["metrics"]


def test_grouped_folds_never_share_a_task(learnable_db: Path) -> None:
    with Store(learnable_db) as store:
        data = from_store(store, Target.cheat(store.taxonomy))
    groups = np.array([e.group for e in data.examples])
    y = np.asarray(data.y)
    assert len(set(groups)) == 40 < len(groups)  # runs share tasks: the grouping matters
    for seed in (0, 1):
        splits, reason = evaluation.folds(groups.tolist(), y, seed)
        assert reason is None and len(splits) == evaluation.FOLDS
        assert sorted(np.concatenate([test for _, test in splits]).tolist()) == list(range(len(y)))  # each row tested once
        for k, (train_rows, test_rows) in enumerate(splits):
            assert not set(groups[train_rows]) & set(groups[test_rows])
            part = evaluation.subsample(train_rows, groups, 0.25, np.random.default_rng([seed, k]))
            assert set(part) <= set(train_rows) and set(groups[part]) == set(
                groups[np.isin(groups, groups[part])][np.isin(np.flatnonzero(np.isin(groups, groups[part])), train_rows)]
            )


def test_one_task_per_class_is_said_not_faked() -> None:
    splits, reason = evaluation.folds(["a", "a", "b", "b"], np.array([1, 1, 0, 0]), 0)
    assert splits == [] and reason is not None and "2 tasks with a positive" in reason
    m = evaluation.metrics(np.array([1, 1]), np.array([0.2, 0.9]), 0.5)
    assert (
        m["auroc"] is None
        and m["average_precision"] == 1.0
        and "auroc: the evaluated labels have one class only" in m["undefined_reason"]
    )
    assert json.dumps(m).count("NaN") == 0


def test_same_seed_same_bytes_across_processes(learnable_db: Path, trained: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """Another process (another hash seed, other object addresses) trains byte-identical model, card
    and report, and its model predicts byte-identical records. That process also shows that
    `reviewer` starts without scikit-learn: only the commands that need it import it."""
    model, card = trained
    again = tmp_path / "model.skops"
    mine, theirs = copy(learnable_db, tmp_path / "mine.db"), copy(learnable_db, tmp_path / "theirs.db")
    script = (
        "import sys\nfrom reviewer.cli import main\n"
        "assert not {'sklearn', 'skops', 'scipy'} & set(sys.modules), 'imported at start-up'\n"
        f"main(['--db', {str(learnable_db)!r}, 'train', '-o', {str(again)!r}, '--folds', {FOLDS!r}], standalone_mode=False)\n"
        f"main(['--db', {str(theirs)!r}, 'predict', '--model', {str(again)!r}, '--json'], standalone_mode=False)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "12345"}, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for suffix in ("", ".card.json", ".report.html"):
        assert (again.parent / f"model.skops{suffix}").read_bytes() == (model.parent / f"model.skops{suffix}").read_bytes(), (
            suffix
        )
    result = Cli(mine)("predict", "--model", str(model), "--json")
    assert result.exit_code == 0 and result.stdout == done.stdout and json.loads(result.stdout)
    other, _ = train(learnable_db, tmp_path / "seeded.skops", "--seed", "7")
    assert other["seed"] == 7 and other["model_hash"] != card["model_hash"]


def test_an_export_file_trains_the_same_model(learnable_db: Path, trained: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    result = Cli(learnable_db)("export", "-o", str(export), "--features")
    assert result.exit_code == 0, result.output
    card, _ = train(learnable_db, tmp_path / "from-file.skops", "--from", str(export))
    assert card == trained[1]  # same data hash, same model hash, same figures
    with Store(learnable_db) as store:
        assert from_file(export, Target.cheat(store.taxonomy)).data_hash == card["data"]["hash"]


def test_model_kind_and_target_options(learnable_db: Path, tmp_path: Path) -> None:
    card, _ = train(
        learnable_db,
        tmp_path / "nb.skops",
        "--model-kind",
        "naive-bayes",
        "--no-class-weights",
        "--verdict-as",
        "attempted_cheat=exclude",
    )
    assert card["model_kind"] == "naive-bayes" and card["class_weight"] is None
    assert card["target"]["positive"] == ["cheat"] and "attempted_cheat" in card["target"]["excluded"]
    assert any(why.startswith("verdict attempted_cheat") for why in card["left_out"]) and card["n_labels"] < N


BAD_OPTIONS = [
    (("--verdict-as", "bogus=positive"), "--verdict-as: unknown verdict 'bogus'"),
    (("--verdict-as", "clean=maybe"), "--verdict-as clean=maybe: say positive, negative or exclude"),
    (("--verdict-as", "clean"), "--verdict-as 'clean': expected CODE=positive|negative|exclude"),
    (("--verdict-as", "cheat=negative", "--verdict-as", "attempted_cheat=negative"), "at least one positive and one negative"),
    (("--taxonomy", str(ROOT / "schemas" / "taxonomy.default.json")), "--taxonomy goes with --from"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS)
def test_bad_options_are_one_line(learnable_db: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = Cli(learnable_db)("train", "-o", str(tmp_path / "m.skops"), *args)
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "m.skops").exists()


def test_unusable_data_is_one_line(sample_copy_db: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.jsonl"
    assert Cli(sample_copy_db)("export", "-o", str(plain)).exit_code == 0
    result = Cli(sample_copy_db)("train", "-o", str(tmp_path / "m.skops"), "--from", str(plain))
    assert (
        result.exit_code == 1
        and f"{plain}:1: the record has no sections, detectors, facts (export with --features)" in result.stderr
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text(plain.read_text().splitlines()[0] + "\n{not json\n")
    result = Cli(sample_copy_db)("train", "-o", str(tmp_path / "m.skops"), "--from", str(broken))
    assert result.exit_code == 1 and f"{broken}:1:" in result.stderr  # the first record already lacks the features
    empty = copy(sample_copy_db, tmp_path / "empty.db")
    with Store(empty) as store:
        store.db.execute("delete from labels")
        store.db.conn.commit()
    result = Cli(empty)("train", "-o", str(tmp_path / "m.skops"))
    assert result.exit_code == 1 and "the labels need both classes to train: 0 positive, 0 negative" in result.stderr


def test_the_sample_project_trains_and_says_what_it_cannot_measure(sample_copy_db: Path, tmp_path: Path) -> None:
    """Eleven trajectories, eleven tasks, two of them honest: cross-validation runs on 2 folds,
    the categories are too rare for models of their own, and each figure says why it is missing."""
    card, stderr = train(sample_copy_db, tmp_path / "m.skops")
    assert card["n_labels"] == 10 and card["left_out"] == {"no gold verdict (unlabelled or tied)": 1}  # the tied stop-vs-exit
    assert card["label_counts"]["negative"] == 2 and card["evaluation"]["folds"] == 2
    for category in card["per_category"]:
        assert (
            not category["trained"]
            and category["auroc"] is None
            and "a category model needs 5 or more" in category["undefined_reason"]
        )
    assert "trained on 10 labels (8 positive, 2 negative) from 10 tasks" in stderr
