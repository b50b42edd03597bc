"""The command-line layer itself: options generated from the project's taxonomy, the assist group and
its default command, and the one path from a raised error to its exit code."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer import errors
from reviewer.cli import main
from reviewer.model import Label
from reviewer.schemas import load
from reviewer.synthetic import trajectory
from reviewer.taxonomy import Taxonomy, field_value
from tests.conftest import SAMPLE_DATA, Cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tid(cli: Cli, write_trajectory) -> str:
    data = trajectory(0, 8)
    assert cli("import", str(write_trajectory(data))).exit_code == 0
    return data["id"]


def test_every_field_of_the_default_taxonomy_can_be_set(cli: Cli, tid: str) -> None:
    """On the final label: the grader outcome (hidden_until_first_pass) is not a first pass's to set."""
    result = cli(
        "label", tid, "--annotator", "ann", "--final", "--verdict", "borderline", "--borderline-reason", "other",
        "--categories", "tests.edit", "--category", "tests.skip", "--marker", "mr.pressure", "--markers", "mr.drift",
        "--intent", "2", "--motivated-reasoning", "4", "--disclosure", "silent", "--severity", "1", "--confidence", "3",
        "--rationale", "why", "--context-ground-truth", "defect_confirmed", "--context-spec-status", "ambiguous",
        "--context-test-instruction", "silent", "--context-stop-channel", "none", "--context-test-access", "ro",
        "--context-grader-outcome", "fail", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    label = json.loads(result.stdout)
    assert (label["verdict"], label["borderline_reason"], label["intent"], label["motivated_reasoning"]) == (
        "borderline",
        "other",
        2,
        4,
    )
    assert (label["categories"], label["markers"]) == (["tests.edit", "tests.skip"], ["mr.pressure", "mr.drift"])
    assert (label["disclosure"], label["severity"], label["confidence"], label["rationale"]) == ("silent", 1, 3, "why")
    assert label["context"] == {
        "ground_truth": "defect_confirmed", "spec_status": "ambiguous", "test_instruction": "silent", "stop_channel": "none",
        "test_access": "ro", "grader_outcome": "fail",
    }  # fmt: skip
    stored = Label.from_dict(label)
    assert [name for name in Taxonomy.default().fields if field_value(stored, name) in (None, [])] == []  # every field set
    later = json.loads(cli("label", tid, "--annotator", "ann", "--final", "--context-spec-status", "clear", "--json").stdout)
    assert (
        later["context"]["spec_status"] == "clear" and later["context"]["ground_truth"] == "defect_confirmed"
    )  # the others stay
    assert later["motivated_reasoning"] == 4


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--context-ground-truth", "nope"], 1, "context.ground_truth: unknown code 'nope'"),
        (["--motivated-reasoning", "9"], 1, "motivated_reasoning: 9 is outside 1..5"),
        (["--motivated-reasoning", "lots"], 2, "'lots' is not a valid integer"),
        (["--context-sandbox", "escaped"], 2, "No such option '--context-sandbox'"),
        (["--context-ground-truth"], 2, "--context-ground-truth' requires an argument"),
    ],
)
def test_bad_field_values_are_one_clear_refusal_and_store_nothing(
    cli: Cli, tid: str, args: list[str], code: int, message: str
) -> None:
    result = cli("label", tid, "--annotator", "ann", *args)
    assert result.exit_code == code and message in result.stderr, result.stderr
    if code == 1:
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: label of ")
    assert json.loads(cli("list", "--labelled", "--json").stdout) == []


@pytest.fixture
def custom(tmp_path: Path) -> Path:
    """A project taxonomy with a context field of its own and a category the default lacks."""
    data = load("taxonomy.default")
    fields = [dict(f) for f in data["fields"]]
    categories = next(f for f in fields if f["name"] == "categories")
    categories["options"] = [*categories["options"], {"code": "tests.timeout", "label": "Timeout raised"}]
    sandbox = {
        "name": "context.sandbox",
        "kind": "single",
        "label": "Sandbox",
        "options": [{"code": "escaped", "label": "Escaped"}, {"code": "held", "label": "Held"}],
    }
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps({**data, "taxonomy_version": 2, "fields": [*fields, sandbox]}))
    return path


def test_a_project_taxonomys_own_fields_are_options_of_that_project(cli: Cli, tid: str, custom: Path, tmp_path: Path) -> None:
    assert cli("init", "--taxonomy", str(custom)).exit_code == 0
    help_text = cli("label", "--help").stdout
    assert "--context-sandbox CODE" in help_text and "escaped, held" in help_text and "tests.timeout" in help_text
    result = cli("label", tid, "--annotator", "ann", "--context-sandbox", "escaped", "--category", "tests.timeout", "--json")
    assert result.exit_code == 0, result.output
    label = json.loads(result.stdout)
    assert (
        label["context"] == {"sandbox": "escaped"} and label["categories"] == ["tests.timeout"] and label["taxonomy_version"] == 2
    )
    refused = cli("label", tid, "--annotator", "ann", "--context-sandbox", "open")
    assert refused.exit_code == 1 and "context.sandbox: unknown code 'open'" in refused.stderr
    runner, project = CliRunner(), str(cli.db)  # the project named any way: after the command, or by the variable
    assert runner.invoke(main, ["label", tid, "--annotator", "bo", "--db", project, "--context-sandbox", "held"]).exit_code == 0
    assert (
        runner.invoke(main, ["label", tid, "--annotator", "cy", "--context-sandbox=held"], env={"REVIEWER_DB": project}).exit_code
        == 0
    )
    other = Cli(tmp_path / "default.db")  # a project on the default taxonomy has no such option
    other("init")
    assert "--context-sandbox" not in other("label", "--help").stdout
    assert other("label", tid, "--annotator", "ann", "--context-sandbox", "escaped").exit_code == 2


def test_adjudicate_sets_every_field_and_needs_a_verdict(cli: Cli, tid: str, custom: Path) -> None:
    cli("init", "--taxonomy", str(custom))
    cli("label", tid, "--annotator", "ann", "--verdict", "clean")
    cli("label", tid, "--annotator", "bo", "--verdict", "borderline")
    settle = ["adjudicate", tid, "--adjudicator", "cy", "--reason", "looked again"]
    missing = cli(*settle)
    assert missing.exit_code == 2 and "Missing option '--verdict'" in missing.stderr
    result = cli(*settle, "--verdict", "borderline", "--borderline-reason", "other", "--intent", "2", "--disclosure", "silent",
                 "--motivated-reasoning", "3", "--context-sandbox", "held", "--context-spec-status", "ambiguous",
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    gold = json.loads(result.stdout)
    assert (gold["verdict"], gold["motivated_reasoning"], gold["context"]) == (
        "borderline",
        3,
        {"sandbox": "held", "spec_status": "ambiguous"},
    )
    assert gold["adjudication"]["reason"] == "looked again" and gold["first_pass"] is False


def test_assist_takes_ids_named_like_its_subcommands(cli: Cli, write_trajectory) -> None:
    """`reviewer assist ID...` runs the default command `run`; an id that is a subcommand's name is
    given after `run` (the hidden default command it replaced could not be found in the help)."""
    data = json.loads((SAMPLE_DATA / "deleted-test.json").read_text(encoding="utf-8"))
    for name in ("evaluate", "run"):
        cli("import", str(write_trajectory({**data, "id": name}, f"{name}.json")), "--no-detect")
    named = cli("assist", "run", "evaluate", "--json")
    assert named.exit_code == 0, named.output
    assert {r["trajectory_id"] for r in json.loads(named.stdout)} == {"evaluate"}
    both = json.loads(cli("assist", "run", "run", "evaluate", "--json").stdout)
    assert {r["trajectory_id"] for r in both} == {"evaluate", "run"}
    report = json.loads(cli("assist", "evaluate", "--json").stdout)
    assert set(report) >= {"gold", "systems", "misses"}
    everything = json.loads(cli("assist", "--json").stdout)  # no id: every trajectory
    assert {r["trajectory_id"] for r in everything} == {"evaluate", "run"}
    unknown = cli("assist", "ghost")
    assert unknown.exit_code == 1 and unknown.stderr == "error: unknown trajectory 'ghost'\n"
    listing = cli("assist", "--help").stdout
    assert "run*" in listing and "evaluate" in listing and "reviewer assist run evaluate" in listing


def test_every_reported_error_is_a_reviewer_error_with_an_exit_code() -> None:
    classes = [getattr(errors, name) for name in errors.__all__]
    assert all(issubclass(c, errors.ReviewerError) and c.exit_code in (1, 2, 130) for c in classes)
    from reviewer.export import OptionError
    from reviewer.store import StoreError
    from reviewer.store.labels import LabelRejected
    from reviewer.taxonomy import TaxonomyError

    assert (StoreError, LabelRejected, TaxonomyError, OptionError) == (
        errors.StoreError,
        errors.LabelRejected,
        errors.TaxonomyError,
        errors.OptionError,
    )


def test_commands_raise_and_never_exit() -> None:
    """Errors become exit codes in one place (the root group): no command calls sys.exit, ctx.exit or
    prints its own `error:` line."""
    found = []
    for path in (ROOT / "reviewer" / "cli").rglob("*.py"):
        if path.name == "root.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("exit", "abort")
                and isinstance(node.value, ast.Name)
                and node.value.id in ("sys", "ctx")
            ):
                found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("error: "):
                found.append(f"{path.name}:{node.lineno}: prints its own error line")
    assert found == []


def test_json_keeps_full_precision_and_tables_round(sample_db: Path) -> None:
    """`agreement --json` rounded every coefficient, interval and share to 6 decimals."""
    runner = CliRunner()
    report = json.loads(runner.invoke(main, ["--db", str(sample_db), "agreement", "--json", "--bootstrap", "20"]).stdout)
    verdict = report["fields"]["verdict"]
    assert verdict["percent_agreement"] == 10 / 11  # 0.9090909090909091, not 0.909091
    assert verdict["fleiss_kappa"] == pytest.approx(71 / 93, abs=1e-15) and verdict["fleiss_kappa"] != round(
        verdict["fleiss_kappa"], 6
    )
    assert report["fields"]["markers.mr.pressure"]["prevalence"] == 5 / 22
    assert any(low != round(low, 6) for low, _ in (ci for ci in verdict["ci95"].values() if ci))
    people = runner.invoke(main, ["--db", str(sample_db), "agreement", "--bootstrap", "20"], env={"COLUMNS": "200"}).stdout
    assert "0.909" in people and "0.9090909" not in people
