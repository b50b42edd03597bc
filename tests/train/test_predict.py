"""`reviewer predict` and the review queues on a trained model: the contract's records, evidence that
points at real text, refusal of a model file that is not the one trained, and rankings that keep
their reason to themselves."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from reviewer.model import Label
from reviewer.spans import span_problem
from reviewer.store import Store
from reviewer.store.listing import ListQuery
from reviewer.train import modelfile
from tests.conftest import Cli

Trained = tuple[Path, dict[str, Any]]
RECORD = ["trajectory_id", "rater", "probability", "codes", "evidence"]


def predict(db: Path, model: Path, *ids: str) -> list[dict[str, Any]]:
    result = Cli(db)("predict", "--model", str(model), "--json", *ids)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_predictions_are_stored_suggestions_with_evidence(project: Path, trained: Trained) -> None:
    model, card = trained
    records = predict(project, model)
    rater = f"classifier:{card['model_hash']}"
    with Store(project) as store:
        ids = store.trajectories.ids()
        assert [r["trajectory_id"] for r in records] == ids
        assert all(list(r) == RECORD and r["rater"] == rater and 0 <= r["probability"] <= 1 for r in records)
        stored = {s.trajectory_id: s for s in store.suggestions.all(rater=rater)}
        assert stored.keys() == set(ids)
        gold = {lb.trajectory_id: lb.verdict for lb in store.labels.all()}
        spans = 0
        for r in records:
            s = stored[r["trajectory_id"]]
            assert (s.source, s.confidence, s.codes) == ("full", r["probability"], r["codes"])
            assert s.verdict == ("cheat" if r["probability"] >= 0.5 else "clean") and s.details["threshold"] == 0.5
            assert s.details["drivers"] and all({"feature", "contribution"} == d.keys() for d in s.details["drivers"])
            trajectory = store.trajectories.get(r["trajectory_id"])
            for span in s.evidence:
                assert span_problem(trajectory, span) is None  # the quote is where the offsets say
                spans += 1
            if r["codes"]:
                assert r["probability"] >= 0.5 and set(r["codes"]) <= {"tests.edit", "tests.exit", "output.special_case"}
        assert spans > 0
        cheats = [r for r in records if gold[r["trajectory_id"]] in ("cheat", "attempted_cheat")]
        assert sum(r["probability"] >= 0.5 for r in cheats) >= 0.9 * len(cheats)  # its own training data, mostly right
    again = predict(project, model, ids[3], ids[1])
    assert [r["trajectory_id"] for r in again] == [ids[1], ids[3]] and again == [records[1], records[3]]
    with Store(project) as store:
        assert len(store.suggestions.all(rater=rater)) == len(ids)  # a re-run replaces, never duplicates


def test_the_classifier_is_a_machine_rater(project: Path, trained: Trained) -> None:
    model, card = trained
    predict(project, model)
    rater = f"classifier:{card['model_hash']}"
    cli = Cli(project)
    report = json.loads(cli("agreement", "--include-models", "--bootstrap", "0", "--json").stdout)
    assert rater in report["raters"]
    assert rater not in json.loads(cli("agreement", "--bootstrap", "0", "--json").stdout)["raters"]
    systems = {s["system"]: s for s in json.loads(cli("assist", "evaluate", "--json").stdout)["systems"]}
    assert systems[f"{rater}/full"]["kind"] == "classifier" and systems[f"{rater}/full"]["auroc"]["value"] > 0.9
    with Store(project) as store:  # a classifier's label is never a reviewer's vote, nor a dispute
        tid = store.trajectories.ids()[0]
        store.labels.save(
            Label(tid, rater, verdict="cheat" if store.labels.all()[0].verdict != "cheat" else "clean"), actor="x", origin="t"
        )
        row = store.listing.row(ListQuery(annotator="dave", adjudicator=True), tid)
        assert row is not None and row.n_reviewers == 1 and row.disputed_on is not None and "≠" not in row.disputed_on


def test_predictions_stay_hidden_before_the_first_pass(project: Path, trained: Trained) -> None:
    predict(project, trained[0])
    with Store(project) as store:
        for queue in ("all", "uncertain", "suspicious", "random"):
            rows = store.listing.page(ListQuery(annotator="zed", queue=queue, sort="queue" if queue != "all" else "id"), 0, 1000)
            assert len(rows) == 90 and {(r.n_reviewers, r.n_flags, r.disputed_on) for r in rows} == {(None, None, None)}


def _tampered(model: Path, change: Any) -> Path:
    """A copy of the model whose skops schema went through `change`, and a card that vouches for it
    (as someone who edits both would make)."""
    source = zipfile.ZipFile(model)
    schema = json.loads(source.read("schema.json"))
    change(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, json.dumps(schema) if name == "schema.json" else source.read(name))
    bad = model.parent.parent / f"tampered-{id(change)}" / "model.skops"
    bad.parent.mkdir(exist_ok=True)
    bad.write_bytes(out.getvalue())
    card = json.loads(modelfile.card_path(model).read_text())
    card["model_hash"] = modelfile.model_hash(bad.read_bytes())
    modelfile.card_path(bad).write_text(json.dumps(card))
    return bad


def _to_os_system(schema: dict[str, Any]) -> None:
    node = schema["content"]["model"]
    node["__module__"], node["__class__"] = "os", "system"


def _to_unknown_class(schema: dict[str, Any]) -> None:
    schema["content"]["model"]["__module__"] = "evil.module"


@pytest.mark.parametrize("change", [_to_os_system, _to_unknown_class])
def test_a_file_naming_untrusted_types_is_refused(project: Path, trained: Trained, change: Any) -> None:
    bad = _tampered(trained[0], change)
    result = Cli(project)("predict", "--model", str(bad))
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {bad}: refused, the file names types that are not trusted")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    with Store(project) as store:
        assert not [s for s in store.suggestions.all() if s.rater.startswith("classifier:")]


def test_a_changed_or_unreadable_model_is_refused(project: Path, trained: Trained, tmp_path: Path) -> None:
    model, card = trained
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped = tmp_path / "model.skops"
    flipped.write_bytes(bytes(data))
    modelfile.card_path(flipped).write_text(modelfile.card_path(model).read_text())
    cli = Cli(project)
    result = cli("predict", "--model", str(flipped))
    assert (
        result.exit_code == 1
        and f"{flipped}: the file does not match its card" in result.stderr
        and card["model_hash"] in result.stderr
    )
    modelfile.card_path(flipped).unlink()
    result = cli("predict", "--model", str(flipped))
    assert result.exit_code == 1 and "cannot read the model card" in result.stderr
    garbage = tmp_path / "garbage.skops"
    garbage.write_bytes(b"not a zip at all")
    modelfile.card_path(garbage).write_text(json.dumps({"model_hash": modelfile.model_hash(b"not a zip at all")}))
    result = cli("predict", "--model", str(garbage))
    assert (
        result.exit_code == 1
        and f"{garbage}: not a readable skops model" in result.stderr
        and len(result.stderr.splitlines()) == 1
    )
    incomplete = _tampered(model, lambda schema: schema["content"].pop("vocabularies"))
    result = cli("predict", "--model", str(incomplete))
    assert result.exit_code == 1 and f"{incomplete}: not a usable reviewer classifier (KeyError" in result.stderr
    result = cli("predict", "--model", str(model), "no-such-trajectory")
    assert result.exit_code == 1 and "unknown trajectory 'no-such-trajectory'" in result.stderr


def test_queues_rank_without_saying_why(project: Path, trained: Trained) -> None:
    cli = Cli(project)
    result = cli("list", "--queue", "uncertain", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [] and "no classifier predictions yet" in result.stderr
    records = {r["trajectory_id"]: r["probability"] for r in predict(project, trained[0])}
    listed = {q: json.loads(cli("list", "--queue", q, "--json").stdout) for q in ("uncertain", "suspicious", "random")}
    plain = json.loads(cli("list", "--json").stdout)
    for rows in listed.values():
        assert sorted(rows, key=lambda r: r["id"]) == plain  # the same objects as `list --json`, every trajectory once
    suspicious = [r["id"] for r in listed["suspicious"]]
    assert [records[i] for i in suspicious] == sorted(records.values(), reverse=True)
    unsure = [(r["id"], r["task_id"]) for r in listed["uncertain"]]
    tasks = len({task for _, task in unsure})
    first_round = unsure[:tasks]
    assert len({task for _, task in first_round}) == tasks  # each task's nearest run before any task's second
    distance = [round(abs(records[i] - 0.5), 6) for i, _ in first_round]
    assert distance == sorted(distance)
    randomly = [r["id"] for r in listed["random"]]
    assert randomly == [r["id"] for r in json.loads(cli("list", "--queue", "random", "--json").stdout)]
    assert randomly != [r["id"] for r in json.loads(cli("list", "--queue", "random", "--seed", "1", "--json").stdout)]
    assert randomly != sorted(randomly)
    limited = json.loads(cli("list", "--queue", "suspicious", "--limit", "3", "--adjudicator", "--labelled", "--json").stdout)
    assert [r["id"] for r in limited] == suspicious[:3]


def test_the_app_offers_the_queues(project: Path, trained: Trained, main_window: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    with Store(project) as store:
        window = main_window(store, "erin")
        header = window.table.horizontalHeader()
        window.queue.setCurrentIndex(window.queue.findData("suspicious"))
        assert (
            window.model.rowCount() == 0
            and "No classifier has scored this project yet" in window.transcript.viewer.placeholderText()
        )
        records = predict(project, trained[0])
        window.queue.setCurrentIndex(window.queue.findData("all"))
        window.queue.setCurrentIndex(window.queue.findData("suspicious"))
        expected = [r["trajectory_id"] for r in sorted(records, key=lambda r: (-r["probability"], r["trajectory_id"]))]
        assert [window.model.trajectory_id(r) for r in range(window.model.rowCount())] == expected
        assert header.sortIndicatorSection() == -1  # the queue's own order: no column claims it
        window.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # a column's sort still works inside the queue
        assert [window.model.trajectory_id(r) for r in range(window.model.rowCount())] == sorted(expected, reverse=True)
        window.queue.setCurrentIndex(window.queue.findData("all"))
        assert header.sortIndicatorSection() == 0 and window.model.query.sort == "id"


def test_worker_processes_predict_the_same(project: Path, trained: Trained, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large store is scored by worker processes (forked: cheap to start), each with its own store
    and its own copy of the model file; what they return is stored in order."""
    from reviewer.train import predict as prediction
    from reviewer.train.classifier import Classifier

    monkeypatch.setattr(prediction, "BATCH", 40)  # three batches of the 90 trajectories
    classifier = Classifier.load(trained[0])
    with Store(project) as store:
        alone = [s.to_dict() for s in prediction.predict(store, classifier, workers=1)]
        seen: list[int] = []
        together = [s.to_dict() for s in prediction.predict(store, classifier, workers=2, progress=seen.append)]
        assert together == alone and seen == [40, 40, 10]
        stored = [s.to_dict() for s in store.suggestions.all(rater=classifier.rater)]
        assert [{**s, "created_at": None} for s in stored] == [{**s, "created_at": None} for s in alone]


def test_predict_shows_a_progress_bar_on_a_terminal_only(project: Path, trained: Trained) -> None:
    """Like import's: on stderr while it runs, where stderr is a terminal (rich is told so here), and
    never with --json."""
    model, _ = trained
    with Store(project) as store:
        total = store.trajectories.count()
    command = [sys.executable, "-m", "reviewer", "--db", str(project), "predict", "--model", str(model)]
    terminal = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "120"}
    shown = subprocess.run(command, capture_output=True, text=True, env=terminal, check=True)
    assert "predicting" in shown.stderr and f"{total}/{total}" in shown.stderr
    quiet = subprocess.run([*command, "--json"], capture_output=True, text=True, env=terminal, check=True)
    assert "predicting" not in quiet.stderr and len(json.loads(quiet.stdout)) == total
    piped = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "predicting" not in piped.stderr and "stored" in piped.stderr
