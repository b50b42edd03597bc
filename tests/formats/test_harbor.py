"""Harbor (Terminal-Bench) trial folders, written for this project from Harbor's source, because no
permissively licensed real trial folder is public. Where each field comes from:

- the folder layout (`config.json`, `result.json`, `agent/`, `verifier/reward.txt`,
  `verifier/test-stdout.txt`, `trial.log`): `src/harbor/models/trial/paths.py` (`TrialPaths`);
- `result.json`: `src/harbor/models/trial/result.py` (`TrialResult`: id, task_name, trial_name, trial_uri,
  task_id, source, task_checksum, config, agent_info{name, version, model_info{name, provider}},
  agent_result, verifier_result, exception_info, started_at, finished_at and the phase timings) with
  `AgentContext` (n_input_tokens, n_cache_tokens, n_output_tokens, cost_usd) and `VerifierResult`
  (`rewards: {"reward": …}`);
- `config.json`: `src/harbor/models/trial/config.py` (`TrialConfig`: task, trial_name, trials_dir, agent,
  environment, verifier, artifacts, job_id); the job's `config.json`: `src/harbor/models/job/config.py`
  (`JobConfig`: job_name, jobs_dir, n_attempts, agents, datasets, tasks);
- `agent/command-<i>/{command.txt, return-code.txt, stdout.txt}` and `agent/setup/`:
  `src/harbor/agents/installed/base.py` (`BaseInstalledAgent.run` and `setup`);
- `agent/trajectory.json`: ATIF, here the real openhands hello-world trajectory of the ATIF fixtures
  (meridianlabs-ai/inspect_scout, MIT), as Harbor writes it for its openhands agent;
- the reward file and test output: Harbor's verifier docs (test.sh writes `/logs/verifier/reward.txt`).
(Read in the harbor-framework/harbor forks UniPat-AI/harbor_multiturn and on harborframework.com.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.synth import harbor as synth
from reviewer import formats
from reviewer.formats.harbor import HarborFormat, outcome_of
from reviewer.importer import Importer, collect
from reviewer.jsonio import Document, InputError
from reviewer.model import Outcome, Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic_one

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "harbor"
JOB = FIXTURES / "2026-01-20__10-00-00"
ATIF_TRIAL = JOB / "hello-world__8Kq2xVw"
LOG_TRIAL = JOB / "hello-world__Zp4rT9a"


def read(path: Path) -> Trajectory:
    [(place, item)] = list(HarborFormat().read(Document(path, path.read_bytes())))
    assert place is None and isinstance(item, Trajectory), item
    return item


def test_trial_with_atif_gets_the_verifier_outcome() -> None:
    t = read(ATIF_TRIAL / "result.json")
    assert (t.id, t.task.id, t.agent.model, t.agent.scaffold) == ("hello-world__8Kq2xVw", "hello-world", "gpt-4o", "openhands")
    # the ATIF transcript, unchanged (tests/formats/test_atif.py checks it step by step)
    assert [s.role for s in t.steps] == ["system", "user", "system", "system", "assistant", "tool", "assistant"]
    assert t.task.prompt == 'Create a file called hello.txt with "Hello, world!" as the content.\n'
    assert [(e.path, e.step, e.after) for e in t.file_edits] == [("/app/hello.txt", 4, "Hello, world!")]
    # verifier_result.rewards.reward = 1.0; test-stdout.txt ends "2 passed in 0.02s"
    assert t.outcome == Outcome("pass", 2, 0, 1.0)
    harbor = t.metadata["harbor"]
    assert harbor["agent_result"] == {"n_input_tokens": 11210, "n_cache_tokens": 0, "n_output_tokens": 212, "cost_usd": 0.00135}
    assert harbor["phases"]["agent_execution"] == {
        "started_at": "2026-01-20T10:00:20.000000",
        "finished_at": "2026-01-20T10:00:49.000000",
    }
    assert t.metadata["atif"]["schema_version"] == "ATIF-v1.5"


def test_the_outcome_never_leaks_into_what_reviewers_read_first() -> None:
    for trial in (ATIF_TRIAL, LOG_TRIAL):
        t = read(trial / "result.json")
        shown = json.dumps([s.to_dict() for s in t.steps]) + json.dumps(t.metadata)
        assert "reward" not in shown and "passed in" not in shown and "verifier_result" not in shown


def test_trial_without_atif_is_the_harness_log() -> None:
    t = read(LOG_TRIAL / "result.json")
    assert (t.id, t.agent.model, t.agent.scaffold) == ("hello-world__Zp4rT9a", "claude-sonnet-4-5", "claude-code")
    assert [s.role for s in t.steps] == ["system", "tool", "system", "tool"]  # agent/command-0, agent/command-1
    assert t.steps[0].text == "mkdir -p $CLAUDE_CONFIG_DIR/debug $CLAUDE_CONFIG_DIR/projects/-app"
    assert t.steps[0].metadata == {"harness_command": "command-0", "return_code": 0} and t.steps[1].text == ""
    assert t.steps[2].text.startswith("claude --verbose --output-format stream-json -p 'Create a file called hello.txt")
    assert '"result":"I wrote hello.txt with the greeting."' in t.steps[3].text
    assert t.task.prompt == "" and t.metadata["import_notes"] == [
        "no ATIF trajectory in agent/: the steps are the harness's commands and their output, not the model's turns"
    ]
    assert t.outcome == Outcome("fail", 1, 1, 0.0)  # reward 0.0; "1 failed, 1 passed in 0.03s"


def test_a_job_folder_imports_each_trial_once() -> None:
    found = collect([JOB])
    assert found.files == [JOB / "config.json", ATIF_TRIAL / "result.json", LOG_TRIAL / "result.json", JOB / "result.json"]
    assert found.skipped == [str(JOB / "job.log")]  # the trials' logs, rewards and agent files are read with their trial
    report = Importer(None, max_bytes=10**8).run([JOB])
    assert report.ok and sorted(i for f in report.files for i in f.imported) == ["hello-world__8Kq2xVw", "hello-world__Zp4rT9a"]
    assert {Path(f.path).name: f.format for f in report.files} == {"config.json": "harbor", "result.json": "harbor"}


def test_any_file_of_a_trial_stands_for_it() -> None:
    for trial, path in (
        (ATIF_TRIAL, ATIF_TRIAL / "agent" / "trajectory.json"),
        (ATIF_TRIAL, ATIF_TRIAL / "verifier" / "reward.txt"),
        (LOG_TRIAL, LOG_TRIAL / "agent" / "command-1" / "stdout.txt"),
    ):
        assert formats.lead_file(path) == trial / "result.json"
    assert collect([ATIF_TRIAL / "agent" / "trajectory.json"]).files == [ATIF_TRIAL / "result.json"]
    assert formats.lead_file(JOB / "result.json") is None  # a job folder is no trial


def test_outcome_rules() -> None:
    assert outcome_of({"verifier_result": {"rewards": {"reward": 0.75}}}, None) == Outcome("unknown", None, None, 0.75)
    assert outcome_of({"verifier_result": {"rewards": {"accuracy": 1}}}, None) == Outcome("pass", None, None, 1.0)
    assert outcome_of({"verifier_result": None, "exception_info": {"exception_type": "AgentTimeoutError"}}, None) == Outcome(
        "error"
    )
    assert outcome_of({"verifier_result": {"rewards": {"a": 1, "b": 0}}}, None) == Outcome()


def test_grading_exceptions_stay_out_of_the_metadata(tmp_path: Path) -> None:
    trial = tmp_path / "t"
    shutil.copytree(LOG_TRIAL, trial)
    result = json.loads((trial / "result.json").read_text())
    result["verifier_result"] = None
    result["exception_info"] = {
        "exception_type": "RewardFileNotFoundError",
        "exception_message": "no reward",
        "exception_traceback": "",
        "occurred_at": "x",
    }
    (trial / "result.json").write_text(json.dumps(result))
    t = read(trial / "result.json")
    assert t.outcome.grader_result == "error" and "exception" not in t.metadata["harbor"]
    result["exception_info"]["exception_type"] = "AgentTimeoutError"
    (trial / "result.json").write_text(json.dumps(result))
    assert read(trial / "result.json").metadata["harbor"]["exception"]["exception_type"] == "AgentTimeoutError"


def test_fixtures_import_and_validate(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, _):
        for tid in ("hello-world__8Kq2xVw", "hello-world__Zp4rT9a"):
            stored = store.trajectories.get(tid)
            assert stored is not None and stored.source.format == "harbor"
            assert first_error("trajectory.schema", stored.to_dict()) is None


def test_bad_result_is_one_error(tmp_path: Path) -> None:
    trial = tmp_path / "t"
    shutil.copytree(LOG_TRIAL, trial)
    (trial / "result.json").write_text('{"trial_name": "x", "task_name": ', encoding="utf-8")
    error = only_error(trial / "result.json")
    assert error.startswith(f"{trial / 'result.json'}:1:") and "invalid JSON" in error
    (trial / "result.json").write_text("[]", encoding="utf-8")  # read through the trial's config.json
    [(_, error)] = list(HarborFormat().read(Document(trial / "config.json", (trial / "config.json").read_bytes())))
    assert str(error) == (
        f"{trial / 'config.json'}: a Harbor trial file, but no trial result (result.json with trial_name and task_name"
        " beside agent/ or verifier/) above it"
    )


def test_a_broken_atif_file_names_itself(tmp_path: Path) -> None:
    trial = tmp_path / "t"
    shutil.copytree(ATIF_TRIAL, trial)
    (trial / "agent" / "trajectory.json").write_text(json.dumps({"schema_version": "ATIF-v1.5", "steps": "none"}))
    [(_, error)] = list(HarborFormat().read(Document(trial / "result.json", (trial / "result.json").read_bytes())))
    assert (
        isinstance(error, InputError)
        and str(error) == f"{trial / 'agent' / 'trajectory.json'}:/steps: expected a list of steps, got a string"
    )


def test_synthetic_trials_import(tmp_path: Path) -> None:
    assert synthetic_one(tmp_path, synth, 22, "task-1__0000001").outcome.reward == 1.0
