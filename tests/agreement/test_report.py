"""`reviewer agreement` and `reviewer adjudicate` on real project files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DATA, Cli

PAIR_KEYS = {"a", "b", "field", "n_items", "cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic"}
FIELD_KEYS = {
    "level",
    "n_items",
    "n_raters",
    "percent_agreement",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "scott_pi",
    "ci95",
    "undefined_reason",
}


@pytest.fixture
def sample_cli(cli: Cli) -> Cli:
    assert cli("import", str(SAMPLE_DATA)).exit_code == 0
    return cli


def verdicts() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line in (SAMPLE_DATA / "labels" / "two_reviewers.jsonl").read_text().splitlines():
        record = json.loads(line)
        out.setdefault(record["trajectory_id"], {})[record["annotator"]] = record["verdict"]
    return out


def test_json_contract_on_the_sample_pack(sample_cli: Cli) -> None:
    result = sample_cli("agreement", "--json", "--bootstrap", "200")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["labels_used"] == "first" and report["raters"] == ["alice", "bob"]
    assert {"verdict", "intent", "severity", "disclosure", "categories.tests.edit", "markers.mr.blame_test"} <= set(
        report["fields"]
    )
    for name, field in report["fields"].items():
        assert FIELD_KEYS <= set(field), name
    verdict = report["fields"]["verdict"]
    pairs = verdicts()
    agree = sum(v["alice"] == v["bob"] for v in pairs.values())
    assert verdict["n_items"] == len(pairs) == 11 and verdict["n_raters"] == 2 and verdict["level"] == "nominal"
    assert verdict["percent_agreement"] == pytest.approx(agree / 11, abs=1e-6)
    low, high = verdict["ci95"]["percent_agreement"]
    assert low <= verdict["percent_agreement"] <= high
    assert report["fields"]["intent"]["level"] == "ordinal"
    tag = report["fields"]["categories.tests.edit"]
    assert tag["level"] == "nominal" and 0 < tag["prevalence"] < 1 and tag["n_positive"] >= 2
    unused = report["fields"]["categories.leak.upstream"]
    assert unused["n_positive"] == 0 and unused["krippendorff_alpha"] is None and unused["undefined_reason"]
    verdict_pairs = [p for p in report["pairwise"] if p["field"] == "verdict"]
    assert len(verdict_pairs) == 1 and set(verdict_pairs[0]) == PAIR_KEYS and verdict_pairs[0]["n_items"] == 11
    assert verdict_pairs[0]["cohen_kappa_linear"] is None  # nominal: no weights
    intent_pair = next(p for p in report["pairwise"] if p["field"] == "intent")
    assert intent_pair["cohen_kappa_quadratic"] is not None
    disputed = [d["trajectory_id"] for d in report["disputed"]]
    assert disputed == sorted(disputed, key=lambda t: disputed.index(t))
    assert set(disputed) == {tid for tid, v in pairs.items() if v["alice"] != v["bob"]}
    (matrix,) = report["confusion"]
    assert sum(map(sum, matrix["matrix"])) == 11 and sum(matrix["matrix"][i][i] for i in range(6)) == agree


def test_terminal_report_names_coefficients_and_the_labels_used(sample_cli: Cli) -> None:
    out = sample_cli("agreement", "--bootstrap", "0", env={"COLUMNS": "200"}).stdout
    for phrase in (
        "labels used: first",
        "Fleiss' κ",
        "Kripp. α",
        "AC1",
        "Cohen's κ on the verdict",
        "Most disputed",
        "Verdict agreement:",
    ):
        assert phrase in out, phrase


def test_final_labels_and_reveal_movement(sample_cli: Cli) -> None:
    sample_cli(
        "label", "ambiguous-stop-exit", "--annotator", "alice", "--verdict", "cheat", "--final", "--revealed", "other_labels"
    )
    report = json.loads(sample_cli("agreement", "--json", "--labels", "final", "--bootstrap", "0").stdout)
    assert report["labels_used"] == "final"
    moved = report["blind_vs_final"]["moved"]
    assert moved["n_final_labels"] == 1 and moved["n_changed_verdict"] == 1
    first = json.loads(sample_cli("agreement", "--json", "--bootstrap", "0").stdout)
    assert report["fields"]["verdict"]["percent_agreement"] > first["fields"]["verdict"]["percent_agreement"]


def test_models_count_only_when_asked_and_copying_shows(sample_cli: Cli) -> None:
    for tid, v in verdicts().items():
        sample_cli("label", tid, "--annotator", "model:judge", "--verdict", v["bob"])
    assert json.loads(sample_cli("agreement", "--json", "--bootstrap", "0").stdout)["raters"] == ["alice", "bob"]
    report = json.loads(sample_cli("agreement", "--json", "--bootstrap", "0", "--include-models").stdout)
    assert report["raters"] == ["alice", "bob", "model:judge"]
    bob = next(r for r in report["model_agreement"] if r["reviewer"] == "bob")
    assert bob["blind"] == {"n": 11, "agreement": 1.0} and bob["after_reveal"]["n"] == 0


def test_undefined_with_a_single_reviewer(cli: Cli, write_trajectory) -> None:
    path = write_trajectory()
    cli("import", str(path))
    tid = json.loads(cli("list", "--json").stdout)[0]["id"]
    cli("label", tid, "--annotator", "solo", "--verdict", "clean")
    report = json.loads(cli("agreement", "--json").stdout)
    verdict = report["fields"]["verdict"]
    assert verdict["krippendorff_alpha"] is None and verdict["undefined_reason"]
    assert report["pairwise"] == [] and report["disputed"] == []


def test_html_report_is_self_contained_and_escapes(sample_cli: Cli, tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"><img src=x>'
    sample_cli("label", "honest-fix", "--annotator", hostile, "--verdict", "cheat")
    page = tmp_path / "report.html"
    result = sample_cli("agreement", "--html", str(page), "--bootstrap", "100")
    assert result.exit_code == 0 and page.exists()
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html and "Krippendorff" in html
    assert "<script" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
    assert re.findall(r"(?:src|href)=\"?https?:", html) == []  # nothing fetched from the network


def test_html_report_shows_bidi_and_invisible_characters_as_escapes(sample_cli: Cli, write_trajectory, tmp_path: Path) -> None:
    tid, who = "fix\u202etxt.exe", "mal\u202eory\u2066\u200f"
    assert sample_cli("import", str(write_trajectory(id=tid))).exit_code == 0
    assert sample_cli("label", tid, "--annotator", "alice", "--verdict", "clean").exit_code == 0
    assert sample_cli("label", tid, "--annotator", who, "--verdict", "cheat").exit_code == 0
    page = tmp_path / "report.html"
    assert sample_cli("agreement", "--html", str(page), "--bootstrap", "50").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert re.findall("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", html) == []
    assert "<td>fix\\u202etxt.exe</td>" in html  # the disputed table
    assert html.count("mal\\u202eory\\u2066\\u200f") >= 3  # the pair heatmap's rows and columns, the disputed summary


def test_adjudicate(sample_cli: Cli) -> None:
    result = sample_cli("adjudicate", "ambiguous-stop-exit", "--adjudicator", "carol", "--verdict", "borderline",
                        "--borderline-reason", "stop_vs_exit", "--intent", "2", "--disclosure", "disclosed_in_prose",
                        "--reason", "no stop channel: hard case 1", "--resolution", "side_a_right", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    saved = json.loads(result.stdout)
    assert saved["first_pass"] is False and saved["adjudication"] == {
        "reason": "no stop channel: hard case 1",
        "resolution": "side_a_right",
        "unanimous": False,
        "settled": True,
    }
    assert saved["complete"] is True
    report = json.loads(sample_cli("agreement", "--json", "--bootstrap", "0").stdout)
    assert "carol" not in report["raters"]
    bad = sample_cli("adjudicate", "honest-fix", "--adjudicator", "carol", "--verdict", "nope", "--reason", "x")
    assert bad.exit_code == 1 and "unknown code 'nope'" in bad.stderr
    assert sample_cli("adjudicate", "honest-fix", "--adjudicator", "carol", "--verdict", "clean").exit_code == 2


def test_judge_suggestions_are_model_raters(sample_cli: Cli) -> None:
    from reviewer.model import Suggestion
    from reviewer.store import Store

    with Store(sample_cli.db) as store:
        for tid, v in verdicts().items():
            store.suggestions.replace(tid, "model:judge", [
                Suggestion(tid, "model:judge", "full", ["tests.edit"], [], "r", verdict=v["alice"], intent=3),
                Suggestion(tid, "model:judge", "actions", [], [], "r", verdict="clean"),
            ])  # fmt: skip
        store.suggestions.replace(
            "honest-fix", "detectors", [Suggestion("honest-fix", "detectors", "x", ["tests.edit"], [], "e")]
        )
    report = json.loads(sample_cli("agreement", "--json", "--bootstrap", "0", "--include-models").stdout)
    assert report["raters"] == ["alice", "bob", "model:judge"]
    alice = next(r for r in report["model_agreement"] if r["reviewer"] == "alice")
    assert alice["blind"] == {"n": 11, "agreement": 1.0}
    assert report["fields"]["categories.tests.edit"]["n_raters"] == 3


def test_adjudicate_keeps_to_who_may_settle(sample_cli: Cli) -> None:
    """alice labelled ambiguous-stop-exit: she cannot settle it unless the project allows it; where
    the project names its adjudicators, only they may. Her own label is never touched."""
    from reviewer.store import Store

    args = ("adjudicate", "ambiguous-stop-exit", "--verdict", "cheat", "--reason", "x", "--json")
    with Store(sample_cli.db) as store:
        before = store.labels.all(trajectory_id="ambiguous-stop-exit")
    refused = sample_cli(*args, "--adjudicator", "alice")
    assert refused.exit_code == 1 and "cannot settle a dispute they are part of" in refused.stderr
    assert sample_cli("settings", "set", "allow-self-adjudication", "maybe").exit_code == 2
    assert sample_cli("settings", "set", "allow-self-adjudication", "true").exit_code == 0
    blind = sample_cli(*args, "--adjudicator", "alice")  # her first pass is still blind (never revealed)
    assert blind.exit_code == 1 and "still blind" in blind.stderr
    assert sample_cli("settings", "set", "adjudicators", "dan,erin").exit_code == 0
    shown = json.loads(sample_cli("settings", "show", "--json").stdout)
    assert shown == {"adjudicators": ["dan", "erin"], "allow_self_adjudication": True}
    assert "adjudicators: dan, erin" in sample_cli("settings", "show").stdout
    carol = sample_cli(*args, "--adjudicator", "carol")
    assert carol.exit_code == 1 and "not one of this project's adjudicators (dan, erin)" in carol.stderr
    erin = sample_cli(*args, "--adjudicator", "erin")
    assert erin.exit_code == 0, erin.stderr
    with Store(sample_cli.db) as store:
        after = store.labels.all(trajectory_id="ambiguous-stop-exit")
    assert [lb for lb in after if lb.adjudication is None] == before
    assert [(lb.annotator, lb.verdict) for lb in after if lb.adjudication is not None] == [("erin", "cheat")]


def test_a_first_pass_saved_after_seeing_others_is_not_counted_as_blind() -> None:
    """Undoing a reveal keeps the first pass but records what was seen: the blind report uses the
    reviewer's blind label where one exists, falls back like any non-blind label, and counts them."""
    from reviewer.agreement.report import build_report, pick_labels
    from reviewer.model import Label, Revealed
    from reviewer.taxonomy import Taxonomy

    seen = Revealed(other_labels=True, suggestions=True, grader_outcome=True)
    labels = [
        Label("t1", "alice", verdict="clean"),
        Label("t1", "bob", verdict="cheat", revealed=seen),  # reveal undone: no final, a seen first pass
        Label("t2", "bob", verdict="cheat", revealed=seen),
        Label("t2", "bob", first_pass=False, verdict="clean"),
        Label("t2", "alice", verdict="clean"),
    ]
    chosen = pick_labels(labels, "first", include_models=False)
    assert chosen[("t2", "bob")].first_pass is False  # the considered final beats a seen first pass
    assert chosen[("t1", "bob")].revealed == seen
    report = build_report(labels, Taxonomy.default(), bootstrap=0)
    assert report["not_blind"] == 2 and "2 of 4 are not blind" in report["labels_used_note"]
