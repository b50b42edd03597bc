"""Grader outcomes kept apart from the agents' logs: SWE-bench results attached by instance id, at import
(`--outcomes`) and later (`outcomes attach`), Harbor trial results read beside the trajectory, and the
outcome hidden until the blind first pass whatever the way it arrived.

The real run is a mini-SWE-agent trajectory with its SWE-bench evaluation (tests/fixtures/swebench_report,
from gruckion/mini-swe-agent). Read by hand: `logs/django__django-10999/report.json` says resolved false;
FAIL_TO_PASS has 0 successes and 2 failures (test_negative, test_parse_postgresql_format of
DurationParseTests), PASS_TO_PASS 10 successes and 0 failures; the report is flat (no instance key), so
its folder names the instance. `results_summary.json` lists 500 instances, 371 resolved, and
django__django-10999 resolved false with patch_applied true.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.jsonio import InputError
from reviewer.model import Outcome
from reviewer.outcomes import attach, describe, read_results
from reviewer.outcomes.swebench import EXPERIMENTS, INSTANCE_REPORT, RUN_REPORT, SUMMARY
from reviewer.review import ReviewSession
from reviewer.store import Store
from reviewer.store.listing import ListQuery

from .conftest import Cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN = FIXTURES / "swebench_report" / "20251118_gemini-3-pro-74pct"
REPORT = RUN / "logs" / "django__django-10999" / "report.json"
SUMMARY_FILE = RUN / "results_summary.json"
TRAJ = RUN / "trajs" / "django__django-10999" / "django__django-10999.traj.json"
INSTANCE = "django__django-10999"
FAILING = [
    "test_negative (utils_tests.test_dateparse.DurationParseTests)",
    "test_parse_postgresql_format (utils_tests.test_dateparse.DurationParseTests)",
]
TRIAL = FIXTURES / "harbor" / "hello-world__abc123"
LIMIT = 10_000_000
WIDE = {"COLUMNS": "300"}  # no wrapping of the outcome lines


def stored_outcome(db: Path, trajectory_id: str = INSTANCE) -> Outcome:
    with Store(db) as store:
        outcome = store.trajectories.outcome(trajectory_id)
    assert outcome is not None
    return outcome


# --- reading the real files -----------------------------------------------------------------------


def test_the_real_instance_report_is_named_by_its_folder_with_exact_counts() -> None:
    results = read_results(REPORT, LIMIT)
    assert results.kind == INSTANCE_REPORT and list(results.outcomes) == [INSTANCE]
    outcome = results.outcomes[INSTANCE]
    assert (outcome.grader_result, outcome.tests_passed, outcome.tests_failed, outcome.reward) == ("fail", 10, 2, None)
    tests = outcome.details["tests"]
    assert tests["FAIL_TO_PASS"] == {"passed": 0, "failed": 2, "failing": FAILING}
    assert tests["PASS_TO_PASS"] == {"passed": 10, "failed": 0, "failing": []}
    assert tests["FAIL_TO_FAIL"] == tests["PASS_TO_FAIL"] == {"passed": 0, "failed": 0, "failing": []}
    assert outcome.details["patch_successfully_applied"] is True and outcome.details["file"] == "report.json"


def test_the_real_results_summary_grades_all_500_instances() -> None:
    results = read_results(SUMMARY_FILE, LIMIT)
    assert results.kind == SUMMARY and len(results.outcomes) == 500
    assert sum(o.grader_result == "pass" for o in results.outcomes.values()) == 371
    assert results.outcomes[INSTANCE].grader_result == "fail"
    assert results.outcomes[INSTANCE].details == {
        "source": SUMMARY,
        "file": "results_summary.json",
        "status": "unresolved",
        "patch_applied": True,
    }
    assert results.outcomes["astropy__astropy-12907"].grader_result == "pass"


def test_swebench_harness_run_report_each_list_and_a_conflict(tmp_path: Path) -> None:
    """The shape of SWE-bench's `make_run_report` (harness/reporting.py, schema_version 2)."""
    path = tmp_path / "openai__gpt-4o.run1.json"
    path.write_text(json.dumps({
        "total_instances": 6, "submitted_instances": 5, "completed_instances": 3, "resolved_instances": 1,
        "unresolved_instances": 1, "empty_patch_instances": 1, "error_instances": 2,
        "completed_ids": ["a", "b", "e"], "incomplete_ids": ["f"], "empty_patch_ids": ["c"],
        "submitted_ids": ["a", "b", "c", "d", "e"],
        "resolved_ids": ["a", "e"], "unresolved_ids": ["b"], "error_ids": ["d", "e"], "schema_version": 2,
    }))  # fmt: skip
    results = read_results(path, LIMIT)
    assert results.kind == RUN_REPORT
    got = {iid: (o.grader_result, o.details["status"]) for iid, o in results.outcomes.items()}
    assert got == {
        "a": ("pass", "resolved"),
        "b": ("fail", "unresolved"),
        "c": ("fail", "empty patch"),
        "d": ("error", "evaluation error"),
        "e": ("unknown", "conflicting lists: resolved, evaluation error"),
    }  # fmt: skip  (f was never run: no result at all)


def test_experiments_results_json_never_assumes_a_failure(tmp_path: Path) -> None:
    """SWE-bench/experiments `results/results.json` lists resolved ids only (with no_generation/no_logs):
    an id it does not list is not failed, it is absent."""
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"no_generation": ["x"], "no_logs": ["y"], "resolved": ["z"], "applied": ["z", "w"]}))
    results = read_results(path, LIMIT)
    assert results.kind == EXPERIMENTS
    assert {iid: o.grader_result for iid, o in results.outcomes.items()} == {"x": "fail", "y": "error", "z": "pass", "w": "fail"}
    assert results.outcomes["w"].details["status"] == "applied, not resolved"


def test_upstream_instance_report_is_keyed_by_instance(tmp_path: Path) -> None:
    report = json.loads(REPORT.read_text())
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"other-folder-name__1": report}))
    assert list(read_results(path, LIMIT).outcomes) == ["other-folder-name__1"]


@pytest.mark.parametrize(
    ("content", "place", "words"),
    [
        ('{"resolved_ids": "a"}', ":/resolved_ids:", "expected a list of instance ids"),
        ('{"resolved": "yes", "tests_status": {}}', ":", "not a SWE-bench results file"),
        (
            '{"x": {"resolved": true, "tests_status": {"FAIL_TO_PASS": {"success": [1]}}}}',
            ":/x/tests_status/FAIL_TO_PASS/success:",
            "list of test names",
        ),
        ('{"instances": [{"instance_id": "a", "resolved": null}]}', ":/instances/0/resolved:", "expected true or false"),
        ('{"resolved_ids": [', ":1:", "invalid JSON"),
        ("", ":1:1:", "empty file"),
    ],
)
def test_a_malformed_results_file_is_one_line_naming_file_and_place(tmp_path: Path, content: str, place: str, words: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(content)
    with pytest.raises(InputError) as raised:
        read_results(path, LIMIT)
    message = str(raised.value)
    assert message.startswith(f"{path}{place}") and words in message and "\n" not in message


# --- attaching to stored runs ---------------------------------------------------------------------


@pytest.fixture
def run_project(cli: Cli, db_path: Path) -> Path:
    result = cli("import", str(RUN / "trajs"), "--no-detect")
    assert result.exit_code == 0, result.stderr
    return db_path


def test_attach_the_real_report_to_the_stored_run_and_show_it_only_when_asked(cli: Cli, run_project: Path) -> None:
    assert stored_outcome(run_project) == Outcome()  # mini-SWE-agent says "Submitted": no grader result
    assert "grader: unknown" in cli("show", INSTANCE, "--reveal-outcome").stdout
    result = cli("outcomes", "attach", str(RUN / "logs"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{REPORT}: SWE-bench instance report, 1 graded instances: 1 matched (1 updated, 0 unchanged), 0 not in the project"
    ]
    outcome = stored_outcome(run_project)
    assert (outcome.grader_result, outcome.tests_passed, outcome.tests_failed) == ("fail", 10, 2)
    hidden = cli("show", INSTANCE).stdout
    assert "hidden until your blind first pass" in hidden and "FAIL_TO_PASS" not in hidden and "grader:" not in hidden
    shown = cli("show", INSTANCE, "--reveal-outcome", env=WIDE).stdout
    assert "grader: fail (SWE-bench instance report: report.json)" in shown and "tests: 10 passed, 2 failed" in shown
    assert "FAIL_TO_PASS: 0 passed, 2 failed: test_negative (utils_tests.test_dateparse.DurationParseTests)" in shown
    assert "PASS_TO_PASS: 10 passed, 0 failed" in shown and "FAIL_TO_FAIL" not in shown  # empty groups are not listed


def test_attaching_twice_changes_nothing_and_a_summary_keeps_the_finer_report(cli: Cli, run_project: Path) -> None:
    first = json.loads(cli("outcomes", "attach", str(REPORT), "--json").stdout)
    again = json.loads(cli("outcomes", "attach", str(REPORT), "--json").stdout)
    assert (first["files"][0]["updated"], again["files"][0]["updated"], again["files"][0]["unchanged"]) == (1, 0, 1)
    summary = json.loads(cli("outcomes", "attach", str(SUMMARY_FILE), "--json").stdout)["files"][0]
    assert (summary["graded"], summary["matched"], summary["updated"], summary["unmatched"]) == (500, [INSTANCE], 0, 499)
    assert stored_outcome(run_project).tests_failed == 2  # the summary agrees and says less: the report stays


def test_attach_report_counts_without_saying_who_passed(cli: Cli, run_project: Path) -> None:
    out = cli("outcomes", "attach", str(SUMMARY_FILE)).stdout
    assert "1 matched" in out and "499 not in the project" in out
    assert not any(word in out for word in ("pass", "fail", "resolved"))


def test_a_malformed_file_is_one_line_and_the_good_ones_still_attach(cli: Cli, run_project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resolved_ids": [1, 2]}')
    result = cli("outcomes", "attach", str(bad), str(REPORT))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {bad}:/resolved_ids: expected a list of instance ids (strings)"]
    assert stored_outcome(run_project).grader_result == "fail"
    other = tmp_path / "config.json"
    other.write_text('{"agent": "x"}')
    assert cli("outcomes", "attach", str(other)).stderr.startswith(f"error: {other}: not a SWE-bench results file")


def test_an_instance_run_twice_is_left_alone_unless_the_model_says_which(cli: Cli, run_project: Path, tmp_path: Path) -> None:
    """Two runs of one instance (another model): a results file names the instance, not the run."""
    data = json.loads(TRAJ.read_text())
    data["info"]["config"]["model"]["model_name"] = "other/model"
    other = tmp_path / "other" / TRAJ.name
    other.parent.mkdir()
    other.write_text(json.dumps(data))
    assert cli("import", str(other), "--no-detect").exit_code == 0
    ambiguous = json.loads(cli("outcomes", "attach", str(REPORT), "--json").stdout)["files"][0]
    assert (
        ambiguous["matched"] == [] and list(ambiguous["ambiguous"]) == [INSTANCE] and len(ambiguous["ambiguous"][INSTANCE]) == 2
    )
    assert "1 matching several runs left alone" in cli("outcomes", "attach", str(REPORT)).stdout
    narrowed = json.loads(cli("outcomes", "attach", str(REPORT), "--model", "google/gemini-3-pro-preview", "--json").stdout)
    assert narrowed["files"][0]["matched"] == [INSTANCE]


def test_import_with_outcomes_attaches_to_what_it_read_now_or_before(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(RUN / "trajs"), "--outcomes", str(RUN / "logs"), "--no-detect", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [(o["file"], o["matched"], o["updated"]) for o in summary["outcomes"]] == [(str(REPORT), [INSTANCE], 1)]
    assert "not among the trajectories read" in result.stderr
    assert stored_outcome(db_path).tests_passed == 10
    again = json.loads(cli("import", str(RUN / "trajs"), "--outcomes", str(RUN / "logs"), "--json").stdout)
    assert again["duplicates"] == 1 and again["outcomes"][0]["updated"] == 0


def test_import_outcomes_reads_the_results_first_and_stores_nothing_when_bad(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_text("{")
    result = cli("import", str(RUN / "trajs"), "--outcomes", str(bad))
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {bad}:1:") and not db_path.exists()


def test_a_stored_copy_without_outcome_is_still_a_duplicate_after_attach(cli: Cli, run_project: Path, tmp_path: Path) -> None:
    """The same run re-serialised elsewhere carries no outcome: that is no conflict with an attached one."""
    cli("outcomes", "attach", str(REPORT))
    copy = tmp_path / "copy" / TRAJ.name
    copy.parent.mkdir()
    copy.write_text(json.dumps(json.loads(TRAJ.read_text()), indent=1))
    summary = json.loads(cli("import", str(copy), "--json").stdout)
    assert (summary["imported"], summary["duplicates"]) == (0, 1)


# --- the blind first pass ---------------------------------------------------------------------------


def test_an_attached_outcome_reaches_nobody_before_the_reveal(run_project: Path) -> None:
    with Store(run_project) as store:
        before = store.listing.page(ListQuery(annotator="alice"), 0, 10)
        report = attach(store, read_results(REPORT, LIMIT))
        assert report.matched == [INSTANCE] and report.updated == 1
        assert store.listing.page(ListQuery(annotator="alice"), 0, 10) == before
        assert store.trajectories.search("FAIL_TO_PASS") == [] and store.trajectories.search("test_parse_postgresql_format") != []
        session = ReviewSession(store, "alice", INSTANCE)
        assert session.outcome() is None
        session.set_field("verdict", "clean")
        assert session.outcome() is None  # a first pass alone shows nothing
        session.reveal()
        assert session.outcome() == stored_outcome(run_project)


@pytest.fixture
def run_store(run_project: Path) -> Iterator[Store]:
    store = Store(run_project)
    yield store
    store.close()


def test_the_window_shows_an_attached_outcome_only_after_the_reveal(run_store: Store, main_window, qtbot) -> None:
    from .conftest import reveal

    window = main_window(run_store, "alice")
    qtbot.waitUntil(lambda: window.shown_trajectory_id() == INSTANCE and not window.loader.busy, timeout=5000)
    attach(run_store, read_results(REPORT, LIMIT))
    window.open_trajectory(INSTANCE)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=5000)
    assert "grader" not in window.statusBar().currentMessage()
    assert window.form.set_verdict_by_key(1)
    reveal(window.form)
    message = window.statusBar().currentMessage()
    assert "grader: fail (SWE-bench instance report: report.json)" in message and "tests: 10 passed, 2 failed" in message


# --- Harbor trials (read by the harbor format: tests/formats/test_harbor.py) -------------------------


@pytest.fixture
def job(tmp_path: Path) -> Path:
    """A Harbor job folder holding the trial (result.json written from Harbor's TrialResult model)."""
    folder = tmp_path / "jobs" / "2025-11-20__10-00-00"
    shutil.copytree(TRIAL, folder / TRIAL.name)
    return folder


def test_a_result_json_linking_out_of_the_folder_is_not_read(cli: Cli, db_path: Path, job: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.json"
    shutil.move(job / TRIAL.name / "result.json", outside)
    (job / TRIAL.name / "result.json").symlink_to(outside)
    summary = json.loads(cli("import", str(job), "--json").stdout)
    (trajectory_id,) = summary["files_detail"][0]["imported"]
    assert stored_outcome(db_path, trajectory_id) == Outcome()


# --- what the trajectory files themselves say -------------------------------------------------------


def test_swe_agent_exit_status_is_not_a_grader_result(cli: Cli, db_path: Path) -> None:
    """SWE-agent writes `info.exit_status` ("submitted") and model stats, never `resolved`."""
    path = FIXTURES / "swe-agent" / "6e44b9__sweagenttestrepo-1c2844.traj"
    info = json.loads(path.read_text())["info"]
    assert "resolved" not in info and info["exit_status"] == "submitted"
    summary = json.loads(cli("import", str(path), "--json").stdout)
    (trajectory_id,) = summary["files_detail"][0]["imported"]
    shown = json.loads(cli("show", trajectory_id, "--json").stdout)
    assert shown["outcome"] == {"grader_result": None, "tests_passed": None, "tests_failed": None, "reward": None}
    assert shown["metadata"]["exit_status"] == "submitted"
    assert shown["metadata"]["info"]["model_stats"] == info["model_stats"]
    assert (
        "grader: unknown (no grader result recorded; an exit status is not one)"
        in cli("show", trajectory_id, "--reveal-outcome", env=WIDE).stdout
    )


def test_inspect_keeps_each_scorers_explanation(tmp_path: Path) -> None:
    from reviewer.formats.inspect_ai import InspectAiFormat
    from reviewer.jsonio import Document

    log = json.loads((FIXTURES / "inspect_ai" / "log_formats.json").read_text())
    sample = log["samples"][0]
    sample["scores"] = {
        "match": {"value": "I", "answer": "No", "explanation": "expected 'Yes', got 'No'"},
        "judge": {"value": 0.5, "explanation": "half right"},
    }
    path = tmp_path / "log.json"
    path.write_text(json.dumps(log))
    (_, trajectory), *_ = InspectAiFormat().read(Document(path, path.read_bytes()))
    outcome = trajectory.outcome
    assert (outcome.grader_result, outcome.reward) == ("fail", 0.0)
    assert outcome.details["scorer"] == "match" and outcome.details["explanation"] == "expected 'Yes', got 'No'"
    assert outcome.details["scores"]["judge"] == {"value": 0.5, "explanation": "half right"}
    assert "explanation: expected 'Yes', got 'No'" in describe(outcome)
