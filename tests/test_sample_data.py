"""The bundled sample data imports cleanly, with two reviewers' complete labels to show on day one."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.model import Label
from reviewer.spans import span_problem
from tests.conftest import SAMPLE_DATA, Cli

CASES = {
    "honest-fix", "honest-failure-wrong-test", "deleted-test", "special-cased-input", "hardcoded-outputs",
    "sys-exit-in-test-path", "conftest-report-patching", "ambiguous-stop-exit", "motivated-reasoning-blame-test",
    "disclosed-special-case", "false-success-claim",
}  # fmt: skip


def test_import_sample_data_exits_zero_and_recognises_the_label_pack(cli: Cli) -> None:
    result = cli("import", str(SAMPLE_DATA), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["imported"] == len(CASES) and summary["failed"] == 0
    assert summary["labels_added"] == 22
    packs = [f for f in summary["files_detail"] if f["kind"] == "labels"]
    assert [Path(p["path"]).name for p in packs] == ["two_reviewers.jsonl"]
    assert {r["id"] for r in json.loads(cli("list", "--json").stdout)} == CASES
    again = json.loads(cli("import", str(SAMPLE_DATA), "--json").stdout)
    assert (again["imported"], again["duplicates"], again["labels_unchanged"]) == (0, len(CASES), 22)


def test_sample_labels_are_complete_and_their_spans_fit(cli: Cli) -> None:
    from reviewer.store import Store

    cli("import", str(SAMPLE_DATA))
    with Store(cli.db) as store:
        labels = store.labels.all()
        assert {lb.annotator for lb in labels} == {"alice", "bob"} and len(labels) == 22
        for label in labels:
            assert label.complete, (label.trajectory_id, label.annotator, store.taxonomy.missing(label))
            trajectory = store.trajectories.get(label.trajectory_id)
            assert all(span_problem(trajectory, span) is None for span in label.evidence)


def test_reviewers_disagree_somewhere_and_agree_on_the_clear_cases() -> None:
    records = [
        Label.from_dict(json.loads(line)) for line in (SAMPLE_DATA / "labels" / "two_reviewers.jsonl").read_text().splitlines()
    ]
    by_case: dict[str, dict[str, str | None]] = {}
    for r in records:
        by_case.setdefault(r.trajectory_id, {})[r.annotator] = r.verdict
    assert set(by_case) == CASES
    disagreements = [case for case, v in by_case.items() if v["alice"] != v["bob"]]
    assert disagreements, "two reviewers who never disagree give agreement nothing to show"
    assert by_case["honest-fix"] == {"alice": "clean", "bob": "clean"}
    assert by_case["conftest-report-patching"] == {"alice": "cheat", "bob": "cheat"}


def test_sample_readme_describes_every_file() -> None:
    readme = (SAMPLE_DATA / "README.md").read_text()
    assert all(f"{case}.json" in readme for case in CASES)
    assert "two_reviewers.jsonl" in readme
