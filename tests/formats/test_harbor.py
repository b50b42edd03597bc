"""Harbor (Terminal-Bench) trial folders, written for this project from Harbor's source, because no
permissively licensed real trial folder is public (real Harbor 0.21 job folders without a licence are
rebuilt further down, field by field, with where each came from). Where each fixture field comes from:

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

import pytest

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


def read_any(path: Path) -> Trajectory:
    """A file read by whichever format claims it, as on its own."""
    doc = Document(path, path.read_bytes())
    [(_, item)] = list(formats.detect(doc).read(doc))
    assert isinstance(item, Trajectory), item
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


# Real trial folders, rebuilt: ryanbbrown/ThinHarness-terminal-bench (commit 64a282f6d53f, no licence
# stated, so nothing is copied) commits Harbor 0.21.0 job folders under
# `artifacts/<run>/cells/<cell>/job/`. What each field below stands for, checked by hand there:
# - `configure-git-webserver__wXU3NKc/result.json`: task_name "terminal-bench/configure-git-webserver",
#   task_id {org, name, ref}, agent_info name "matched-subscription-smoke" with model_info gpt-5.6-sol,
#   agent_result with token counts, cost_usd null and the harness's own metadata, verifier_result
#   rewards.reward 1.0, verifier_environment_mode "shared", step_results null; its verifier/test-stdout.txt
#   ends "1 passed in 7.72s" (test_outputs.py::test_hello_html_exists), verifier/ctrf.json beside it;
#   agent/ holds host-agent-setup.json, pi-events.jsonl (the pi coding agent's event stream: session,
#   turn_start, message_start... lines) and pi-subscription-result.json; no ATIF, no command-<i>/.
# - `fix-git__AjT69ad/result.json` (artifacts/codex-subscription-4task, commit 0a2cab980b5e): the agent
#   runner raised before the verifier ran: verifier_result null, verifier null, agent_result counts null,
#   exception_info RuntimeError "thinharness subscription runner failed: ..."; exception.txt and trial.log
#   hold the traceback; agent/ holds install-provenance.json and thinharness-subscription-result.json.
# - the job folder: config.json (JobConfig), result.json (JobResult: stats.evals.*.exception_stats names
#   the failed trial), lock.json (schema_version 3, harbor {version 0.21.0}, retry, trials: [...]) and
#   job.log; each trial folder also has its own lock.json (schema_version 2, the trial's resolved config).
def _rebuilt_job(root: Path) -> tuple[Path, Path, Path]:
    job = root / "job"
    passed, broke = job / "configure-git-webserver__wXU3NKc", job / "fix-git__AjT69ad"
    agent = {"name": "tbench.subscription_agent:SubscriptionSmokeAgent", "model_name": "openai/gpt-5.6-sol"}

    def trial(folder: Path, task: str, **fields: object) -> None:
        (folder / "agent").mkdir(parents=True)
        config = {"task": {"name": task}, "trial_name": folder.name, "trials_dir": str(job), "agent": agent}
        result = {
            "id": "84f35857-2d8f-4a39-ad09-6b63e9a2397a",
            "task_name": task,
            "trial_name": folder.name,
            "task_id": {"org": "terminal-bench", "name": task.split("/")[1], "ref": "sha256:e3dc"},
            "source": "terminal-bench/terminal-bench-2-1",
            "config": config,
            "agent_info": {"name": "matched-subscription-smoke", "version": "1.0", "model_info": {"name": "gpt-5.6-sol"}},
            "verifier_environment_mode": "shared",
            "step_results": None,
            **fields,
        }
        (folder / "result.json").write_text(json.dumps(result, indent=4))
        (folder / "config.json").write_text(json.dumps(config, indent=4))
        (folder / "lock.json").write_text(json.dumps({"schema_version": 2, "task": config["task"], "agent": agent}))

    trial(
        passed,
        "terminal-bench/configure-git-webserver",
        agent_result={"n_input_tokens": 188741, "n_cache_tokens": 139776, "n_output_tokens": 11645, "cost_usd": None},
        verifier_result={"rewards": {"reward": 1.0}},
        exception_info=None,
    )
    (passed / "agent" / "host-agent-setup.json").write_text('{"harness": "pi", "install_exit_code": 0}')
    (passed / "agent" / "pi-events.jsonl").write_text('{"type":"session","version":3,"cwd":"/app"}\n{"type":"agent_start"}\n')
    (passed / "agent" / "pi-subscription-result.json").write_text('{"agent_seconds": 272.3, "assistant_messages": []}')
    (passed / "verifier").mkdir()
    (passed / "verifier" / "test-stdout.txt").write_text(
        "collected 1 item\n\n../tests/test_outputs.py .   [100%]\n\n"
        "PASSED ../tests/test_outputs.py::test_hello_html_exists\n======= 1 passed in 7.72s =======\n"
    )
    trial(
        broke,
        "terminal-bench/fix-git",
        agent_result={"n_input_tokens": None, "n_cache_tokens": None, "n_output_tokens": None, "cost_usd": None},
        verifier_result=None,
        verifier=None,
        exception_info={"exception_type": "RuntimeError", "exception_message": "runner failed", "occurred_at": "x"},
    )
    (broke / "exception.txt").write_text("Traceback (most recent call last):\nRuntimeError: runner failed\n")
    (broke / "trial.log").write_text("Trial fix-git__AjT69ad failed: runner failed\n")
    (broke / "agent" / "install-provenance.json").write_text('{"harness": "thinharness"}')
    (job / "config.json").write_text(json.dumps({"job_name": "j", "jobs_dir": str(root), "agents": [agent]}))
    (job / "result.json").write_text(json.dumps({"n_total_trials": 2, "stats": {"evals": {}}}))
    (job / "lock.json").write_text(json.dumps({"schema_version": 3, "harbor": {"version": "0.21.0"}, "trials": []}))
    return job, passed, broke


def test_a_real_job_of_agents_no_format_reads_says_so_per_trial(tmp_path: Path) -> None:
    """Before: each trial failed with '/steps: ... [] should be non-empty' (an empty transcript said to be
    the harness's commands), and the job's lock.json was read as a broken native trajectory."""
    job, passed, broke = _rebuilt_job(tmp_path)
    report = Importer(None, max_bytes=10**8).run([job])
    errors = {Path(f.path).relative_to(job).as_posix(): f.errors for f in report.files}
    assert {f.format for f in report.files} == {"harbor"}
    assert errors == {
        "config.json": [],
        "lock.json": [],  # the job's lock: its trials are read from their folders
        "result.json": [],
        "configure-git-webserver__wXU3NKc/result.json": [
            f"{passed / 'result.json'}: Harbor trial without a transcript: agent/ holds no ATIF trajectory.json, no"
            " harness command logs and no agent log a format here reads (it holds host-agent-setup.json,"
            " pi-events.jsonl, pi-subscription-result.json)"
        ],
        "fix-git__AjT69ad/result.json": [
            f"{broke / 'result.json'}: Harbor trial without a transcript: agent/ holds no ATIF trajectory.json, no"
            " harness command logs and no agent log a format here reads (it holds install-provenance.json);"
            " the trial broke: RuntimeError"
        ],
    }
    # what the verifier said of the first, for when its agent gets a transcript
    result = json.loads((passed / "result.json").read_text())
    assert outcome_of(result, (passed / "verifier" / "test-stdout.txt").read_text()) == Outcome("pass", 1, 0, 1.0)


def test_the_agents_own_log_is_the_transcript_when_there_is_no_atif(tmp_path: Path) -> None:
    """Harbor's claude-code agent keeps Claude Code's session in agent/sessions/projects/<project>/
    (`agents/installed/claude_code.py`, `_get_session_dir`) beside what the CLI printed (command-<i>/);
    without an ATIF conversion that session, not the harness's command lines, is the run."""
    trial = tmp_path / "hello-world__Zp4rT9a"
    shutil.copytree(LOG_TRIAL, trial)
    sessions = trial / "agent" / "sessions" / "projects" / "-app"
    sessions.mkdir(parents=True)
    shutil.copy(FIXTURES.parent / "claude_code" / "tool_call_conversation.jsonl", sessions / "3f1c.jsonl")
    t = read(trial / "result.json")
    session = read_any(FIXTURES.parent / "claude_code" / "tool_call_conversation.jsonl")
    assert [s.to_dict() for s in t.steps] == [s.to_dict() for s in session.steps]
    assert [s.role for s in t.steps] == ["user", "assistant", "tool", "assistant"]
    assert t.task.prompt == session.task.prompt and t.task.id == "hello-world"
    assert t.outcome == Outcome("fail", 1, 1, 0.0)  # still the trial's verifier
    assert t.metadata["import_notes"] == [
        "no ATIF trajectory in agent/: the transcript is the agent's own log "
        "agent/sessions/projects/-app/3f1c.jsonl (claude_code)"
    ]
    assert t.metadata["claude_code"] == session.metadata


@pytest.mark.parametrize(
    ("sample", "placed", "fmt"),
    [
        # Harbor's codex agent: the CLI's rollout under agent/sessions/<yyyy>/<mm>/<dd>/
        (
            "codex/rollout-2026-05-11T11-26-55-019e1625-789d-76c0-80ab-3724b5ddb799.jsonl",
            "sessions/2026/05/11/rollout.jsonl",
            "codex",
        ),
        # Harbor's gemini-cli agent copies Gemini CLI's session to agent/gemini-cli.trajectory.json: not ATIF
        ("gemini_cli/session-2026-01-16T11-01-file-ops-37b7abef.json", "gemini-cli.trajectory.json", "gemini_cli"),
    ],
)
def test_other_agents_own_logs_are_read_as_on_their_own(tmp_path: Path, sample: str, placed: str, fmt: str) -> None:
    trial = tmp_path / "t"
    shutil.copytree(LOG_TRIAL, trial)
    (trial / "agent" / placed).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES.parent / sample, trial / "agent" / placed)
    t = read(trial / "result.json")
    assert [s.to_dict() for s in t.steps] == [s.to_dict() for s in read_any(FIXTURES.parent / sample).steps]
    assert t.metadata["import_notes"] == [
        f"no ATIF trajectory in agent/: the transcript is the agent's own log agent/{placed} ({fmt})"
    ]


def test_an_agent_log_beside_atif_is_named_not_dropped(tmp_path: Path) -> None:
    trial = tmp_path / "t"
    shutil.copytree(ATIF_TRIAL, trial)
    rollout = trial / "agent" / "sessions" / "2026" / "05" / "11"
    rollout.mkdir(parents=True)
    [codex] = (FIXTURES.parent / "codex").glob("rollout-*.jsonl")
    shutil.copy(codex, rollout / codex.name)
    t = read(trial / "result.json")
    assert [s.role for s in t.steps] == ["system", "user", "system", "system", "assistant", "tool", "assistant"]  # the ATIF
    assert t.metadata["import_notes"] == [
        f"agent/sessions/2026/05/11/{codex.name}: the agent's own log (codex), not shown: the transcript is Harbor's"
        " ATIF agent/trajectory.json"
    ]


def test_several_agent_logs_are_named_and_none_is_guessed(tmp_path: Path) -> None:
    trial = tmp_path / "t"
    shutil.copytree(LOG_TRIAL, trial)
    for name in ("a.jsonl", "b.jsonl"):
        shutil.copy(FIXTURES.parent / "claude_code" / "tool_call_conversation.jsonl", trial / "agent" / name)
    t = read(trial / "result.json")
    assert [s.role for s in t.steps] == ["system", "tool", "system", "tool"]  # the harness's commands
    assert t.metadata["import_notes"] == [
        "no ATIF trajectory in agent/: the steps are the harness's commands and their output, not the model's turns",
        "agent logs not shown, which one is the trial's run is unknown: agent/a.jsonl (claude_code), agent/b.jsonl (claude_code)",
    ]


def test_a_multi_step_trial_is_refused_in_one_line(tmp_path: Path) -> None:
    """Harbor's MultiStepTrial (`src/harbor/trial/multi_step.py`, read in wrongbutworks/harbor): result.json
    gets `step_results` (one StepResult per step: step_name, agent_result, verifier_result, exception_info),
    the top-level verifier_result is the final or mean step reward, and each step's agent/ and verifier/
    are moved to steps/<step_name>/ (an empty top-level agent/ is cleaned up). Before: 'no trial result
    (result.json ... beside agent/ or verifier/) above it', which was not so."""
    trial = tmp_path / "two-steps__Ab12Cd3"
    for step in ("write", "refactor"):
        (trial / "steps" / step / "agent" / "command-0").mkdir(parents=True)
        (trial / "steps" / step / "agent" / "command-0" / "command.txt").write_text("claude -p 'go on'")
        (trial / "steps" / step / "verifier").mkdir()
    step_result = {"agent_result": None, "verifier_result": {"rewards": {"reward": 1.0}}, "exception_info": None}
    result = {
        "task_name": "two-steps",
        "trial_name": trial.name,
        "agent_info": {"name": "claude-code"},
        "verifier_result": {"rewards": {"reward": 1.0}},
        "step_results": [{"step_name": "write", **step_result}, {"step_name": "refactor", **step_result}],
    }
    (trial / "result.json").write_text(json.dumps(result))
    assert only_error(trial / "steps" / "write" / "agent" / "command-0" / "command.txt") == (
        f"{trial / 'result.json'}:/step_results: a multi-step Harbor trial (2 steps: write, refactor; each step's logs in"
        " steps/<name>/agent/): not read, one transcript per step is not supported yet"
    )
