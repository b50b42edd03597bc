"""Harbor (Terminal-Bench) trial folders: one agent's attempt at one task, with the grader's verdict.

A trial folder (`harbor/models/trial/paths.py`, `TrialPaths`) holds `config.json` (the TrialConfig),
`result.json` (the TrialResult: task, agent and model, token counts, the verifier's rewards, an
exception if the trial broke, the time of each phase), `agent/` (what the agent wrote: ATIF
`trajectory.json` for the agents that produce it, otherwise the harness's `command-<i>/` folders
with `command.txt`, `return-code.txt`, `stdout.txt`, `stderr.txt`), `verifier/` (`reward.txt` or
`reward.json`, `test-stdout.txt`) and `trial.log`. A job folder holds many trial folders beside its
own `config.json` and `result.json`; each trial is one trajectory.

The folder is read through its `result.json`; any of its files stands for it. The transcript is
the ATIF trajectory when there is one (Harbor's record of the run); else the agent's own log when
`agent/` holds exactly one that another format reads (a Claude Code session, a Codex rollout, an
Aider history: Harbor keeps the CLI's logs there, and converts some of them to ATIF); else the
harness commands and their output (what the agent CLI printed: the model's own turns are not in the
folder then, and the trajectory says so). Agent logs not used as the transcript are named in the
import notes, never dropped unsaid; a trial with no transcript at all (an agent this reviewer does
not read, an agent that broke before it ran) is refused in one line naming what `agent/` holds. The
rewards and the verifier's test counts are the grader outcome, which reviewers see only after
their blind first pass: the verifier's output is never put in the transcript or the metadata.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from reviewer import formats
from reviewer.formats.atif import convert as atif_trajectory
from reviewer.formats.build import TrajectoryBuilder
from reviewer.formats.folder import FolderFiles
from reviewer.formats.shape import SHAPE_ERRORS, as_object, bad_record, whole_value
from reviewer.jsonio import Document, InputError, read_document
from reviewer.model import Agent, Outcome, Task, Trajectory

RESULT = "result.json"
CONFIG = "config.json"
ATIF = "agent/trajectory.json"
AGENT = "agent"
_TRIAL_FOLDERS = (AGENT, "verifier", "steps")  # what a trial folder holds beside its result.json
# Harbor's ATIF and its continuations (not `gemini-cli.trajectory.json`: Gemini CLI's own session, copied there)
_ATIF_FILE = re.compile(r"agent/trajectory(\.cont-\d+)?\.json")
_LISTED = 6  # agent/ files named in the one line refusing a trial without a transcript
_LEVELS = 8  # how far above a file its trial folder may be (agent/sessions/... logs are deep)
_MAX_RESULT_BYTES = 16 * 1024 * 1024  # a result.json is a few KB; a bigger one is not read to find a trial
_COMMAND = re.compile(r"^command-(\d+)$")
_COUNT = re.compile(r"\b(\d+) (passed|failed|error|errors)\b")
# Exceptions about the grading, not the agent's run: the outcome, hidden until the blind first pass.
_GRADING_EXCEPTIONS = ("Verifier", "Reward")


def is_trial_result(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("trial_name"), str)
        and isinstance(value.get("task_name"), str)
        and ("verifier_result" in value or "agent_info" in value)
    )


def _is_trial_config(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("task"), dict)
        and isinstance(value.get("agent"), dict)
        and "trials_dir" in value
    )


def _is_job_file(value: Any) -> bool:
    """A job's own config.json (JobConfig), result.json (JobResult) or lock.json (the job lock Harbor 0.2x
    writes: its version and each trial's resolved config): its trials are read from their folders."""
    return isinstance(value, dict) and (
        ("job_name" in value and "jobs_dir" in value)
        or ("n_total_trials" in value and isinstance(value.get("stats"), dict))
        or (isinstance(value.get("harbor"), dict) and isinstance(value.get("trials"), list))
    )


def trial_folder(path: Path) -> Path | None:
    """The trial folder a file belongs to: the nearest folder above it holding a TrialResult `result.json`
    beside `agent/`, `verifier/` or (a multi-step trial) `steps/` (a job folder has none; a folder that
    merely looks like it is not one, so its files are still read on their own)."""
    # Every file of an import's folder walk asks (a thousand files, eight levels each): one stat per
    # level, of result.json, in plain strings; the folders are looked at only where it exists.
    folder = os.path.dirname(path)
    for _ in range(_LEVELS):
        result = os.path.join(folder, RESULT)
        try:
            found = os.stat(result)
        except OSError:
            found = None
        if (
            found is not None
            and any(os.path.isdir(os.path.join(folder, marker)) for marker in _TRIAL_FOLDERS)
            and _holds_trial_result(Path(result), found.st_mtime_ns, found.st_size)
        ):
            return Path(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


@lru_cache(maxsize=1024)
def _holds_trial_result(result: Path, mtime_ns: int, size: int) -> bool:
    """Whether the file is a Harbor TrialResult (asked once per version of the file: every file of a
    trial asks about the same one)."""
    if size > _MAX_RESULT_BYTES:
        return False
    try:
        return is_trial_result(read_document(result, _MAX_RESULT_BYTES).value)
    except InputError:
        return False


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def outcome_of(result: dict[str, Any], test_output: str | None) -> Outcome:
    """The verifier's rewards (`reward`, or the only one there is) and the test counts its output prints;
    a trial that broke before a reward was written is an error."""
    verifier = result.get("verifier_result")
    rewards = verifier.get("rewards") if isinstance(verifier, dict) else None
    reward = None
    if isinstance(rewards, dict):
        reward = (
            _number(rewards.get("reward"))
            if "reward" in rewards
            else _number(next(iter(rewards.values())))
            if len(rewards) == 1
            else None
        )
    if reward is None:
        grade = "error" if result.get("exception_info") else None
    else:
        grade = {1.0: "pass", 0.0: "fail"}.get(reward, "unknown")
    passed, failed = _test_counts(test_output) if test_output else (None, None)
    return Outcome(grade, passed, failed, reward)


def _test_counts(output: str) -> tuple[int | None, int | None]:
    """pytest's closing summary (`2 passed, 1 failed in 0.12s`), the last one printed."""
    summary = [line for line in output.splitlines() if re.search(r"\b(passed|failed)\b.* in [\d.]+s", line)]
    if not summary:
        return None, None
    counts = {kind: int(n) for n, kind in _COUNT.findall(summary[-1])}
    return counts.get("passed", 0), counts.get("failed", 0)


def _facts(result: dict[str, Any]) -> dict[str, Any]:
    """What the trial says about the run (never the rewards, nor exceptions of the grading)."""
    keep = ("id", "trial_name", "task_name", "task_id", "source", "task_checksum", "agent_info", "started_at", "finished_at")
    facts = {k: result[k] for k in keep if result.get(k) is not None}
    agent = result.get("agent_result")
    if isinstance(agent, dict):
        facts["agent_result"] = {
            k: v for k, v in agent.items() if k in ("n_input_tokens", "n_cache_tokens", "n_output_tokens", "cost_usd")
        }
    phases = {k: result[k] for k in ("environment_setup", "agent_setup", "agent_execution") if isinstance(result.get(k), dict)}
    if phases:
        facts["phases"] = phases
    exception = result.get("exception_info")
    if isinstance(exception, dict) and not str(exception.get("exception_type", "")).startswith(_GRADING_EXCEPTIONS):
        facts["exception"] = {k: exception.get(k) for k in ("exception_type", "exception_message", "occurred_at")}
    return facts


def _agent(result: dict[str, Any], config: Any) -> tuple[str | None, str | None]:
    """(model, agent name): the result's agent_info, else the trial config's agent."""
    info = as_object(result.get("agent_info"))
    model_info = as_object(info.get("model_info"))
    configured = as_object(as_object(config).get("agent"))
    model = model_info.get("name") or configured.get("model_name")
    name = info.get("name") or configured.get("name")
    return (model if isinstance(model, str) else None), (name if isinstance(name, str) else None)


def _command_dirs(files: dict[str, Path]) -> list[str]:
    """The harness's command folders under agent/ (`command-0`, `command-1`, ...), in their order."""
    found = {parts[1] for f in files if len(parts := f.split("/")) > 2 and _COMMAND.match(parts[1])}
    return sorted(found, key=lambda name: int(_COMMAND.match(name).group(1)))  # type: ignore[union-attr]


def _harness_log(folder: FolderFiles, commands: list[str]) -> TrajectoryBuilder:
    """Without ATIF: the commands the harness ran to drive the agent, each with what it printed."""
    b = TrajectoryBuilder()
    for command in commands:
        rel = f"{AGENT}/{command}"
        texts = {name: _text(folder, f"{rel}/{name}") for name in ("command.txt", "return-code.txt", "stdout.txt", "stderr.txt")}
        meta: dict[str, Any] = {"harness_command": command}
        code = (texts["return-code.txt"] or "").strip()
        if code.lstrip("-").isdigit():
            meta["return_code"] = int(code)
        b.step("system", texts["command.txt"] or "", metadata=meta)
        output = "\n".join(t for t in (texts["stdout.txt"], texts["stderr.txt"]) if t)
        b.step("tool", output, metadata=dict(meta))
    b.notes.append("no ATIF trajectory in agent/: the steps are the harness's commands and their output, not the model's turns")
    return b


@dataclasses.dataclass(frozen=True)
class _AgentLog:
    """A file under agent/ that another registered format reads: the agent's own record of the run."""

    relative: str
    doc: Document
    format: formats.TrajectoryFormat


def _agent_files(folder: FolderFiles) -> dict[str, Path]:
    """Every file under agent/ (links leading out left out, noted), by its path relative to the trial
    folder, in path order."""
    found = {p.relative_to(folder.root).as_posix(): p for p in folder.listing(AGENT, "**/*")}
    return dict(sorted(found.items()))


def _agent_logs(folder: FolderFiles, files: dict[str, Path]) -> list[_AgentLog]:
    """The agent/ files some other format claims (never Harbor's ATIF or the harness's command logs).
    A file no format reads, or that cannot be read (too big, not text), is not a log here: the trial
    does not fail for it, and a trial left without a transcript lists it."""
    suffixes = formats.suffixes()
    logs = []
    for relative, path in files.items():
        if _ATIF_FILE.fullmatch(relative) or not any(relative.endswith(suffix) for suffix in suffixes):
            continue
        try:
            doc = folder.read_path(path)
            fmt = formats.detect(doc)
        except InputError:
            continue
        if fmt.name not in (HarborFormat.name, "atif"):  # Harbor's own files, its ATIF under any name
            logs.append(_AgentLog(relative, doc, fmt))
    return logs


def _agent_log_trajectory(log: _AgentLog) -> Trajectory | None:
    """The log's run when it holds exactly one (an Aider history of several sessions is not one run)."""
    read = [item for _, item in log.format.read(log.doc)]
    if len(read) == 1 and isinstance(read[0], InputError):
        raise read[0]
    return read[0] if len(read) == 1 and isinstance(read[0], Trajectory) else None


def _no_transcript(root: Path, files: dict[str, Path], result: dict[str, Any]) -> InputError:
    """One line saying why there is nothing to review and what agent/ holds instead."""
    names = [f.removeprefix(f"{AGENT}/") for f in files]
    held = ", ".join(names[:_LISTED]) + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
    exception = as_object(result.get("exception_info")).get("exception_type")
    return InputError(
        str(root / RESULT),
        None,
        "Harbor trial without a transcript: agent/ holds no ATIF trajectory.json, no harness command logs and no "
        "agent log a format here reads"
        + (f" (it holds {held})" if names else " (it is empty or missing)")
        + (f"; the trial broke: {exception}" if isinstance(exception, str) else ""),
    )


def _transcript(folder: FolderFiles, result: dict[str, Any]) -> tuple[Trajectory, str | None]:
    """The trial's transcript and the format it was read in (None: the harness's command log), with a
    note for every agent log not shown."""
    steps = result.get("step_results")
    if isinstance(steps, list) and steps:
        # Harbor's MultiStepTrial moves each step's agent/ and verifier/ to steps/<step_name>/
        names = ", ".join(str(as_object(step).get("step_name")) for step in steps)
        raise InputError(
            str(folder.root / RESULT),
            "/step_results",
            f"a multi-step Harbor trial ({len(steps)} steps: {names}; each step's logs in steps/<name>/agent/): not read,"
            " one transcript per step is not supported yet",
        )
    files = _agent_files(folder)
    logs = _agent_logs(folder, files)
    atif_doc = folder.read(ATIF)
    if atif_doc is not None:
        folder.notes.extend(
            f"{log.relative}: the agent's own log ({log.format.name}), not shown: the transcript is Harbor's ATIF {ATIF}"
            for log in logs
        )
        return atif_trajectory(atif_doc), "atif"
    if len(logs) == 1 and (run := _agent_log_trajectory(logs[0])) is not None:
        folder.notes.append(
            f"no ATIF trajectory in agent/: the transcript is the agent's own log {logs[0].relative} ({logs[0].format.name})"
        )
        return run, logs[0].format.name
    if logs:
        folder.notes.append(
            "agent logs not shown, which one is the trial's run is unknown: "
            + ", ".join(f"{log.relative} ({log.format.name})" for log in logs)
        )
    commands = _command_dirs(files)
    if not commands:
        raise _no_transcript(folder.root, files, result)
    return _harness_log(folder, commands).build(id="", prompt=""), None


def _text(folder: FolderFiles, relative: str) -> str | None:
    try:
        found = folder.read(relative)
        return None if found is None else found.text
    except InputError as exc:
        folder.notes.append(f"{relative} not read: {exc.message}")
        return None


def _trial(doc: Document, root: Path) -> Trajectory:
    folder = FolderFiles(doc, root)
    result_doc = folder.read(RESULT)
    if result_doc is None:
        raise InputError(str(root / RESULT), None, "Harbor trial folder without a readable result.json")
    result = result_doc.value
    if not is_trial_result(result):
        raise InputError(
            result_doc.name, None, "not a Harbor trial result (no trial_name, task_name, agent_info or verifier_result)"
        )
    config = result.get("config") if isinstance(result.get("config"), dict) else folder.value(CONFIG)
    base, read_as = _transcript(folder, result)
    model, scaffold = _agent(result, config)
    test_output = _text(folder, "verifier/test-stdout.txt")
    metadata = {"harbor": _facts(result), **({read_as: base.metadata} if read_as is not None else base.metadata)}
    if folder.notes:
        metadata.setdefault("import_notes", []).extend(folder.notes)
    task_name = result["task_name"]
    return dataclasses.replace(
        base,
        id=result["trial_name"],
        task=Task(base.task.prompt, task_name, None, task_name),
        agent=Agent(model or base.agent.model, scaffold or base.agent.scaffold),
        outcome=outcome_of(result, test_output),
        metadata=metadata,
    )


class HarborFormat:
    name = "harbor"
    suffixes: tuple[str, ...] = (".json",)

    def sniff(self, doc: Document) -> bool:
        value = whole_value(doc)
        return is_trial_result(value) or _is_trial_config(value) or _is_job_file(value)

    def lead(self, path: Path) -> Path | None:
        folder = trial_folder(path)
        return folder / RESULT if folder is not None else None

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        root = trial_folder(doc.path)
        if root is None:
            if _is_job_file(doc.value):
                return  # a job's own summary: its trials are read from their folders
            yield (
                None,
                InputError(
                    doc.name,
                    None,
                    "a Harbor trial file, but no trial result (result.json with trial_name and task_name beside "
                    "agent/ or verifier/) above it",
                ),
            )
            return
        try:
            yield None, _trial(doc, root)
        except InputError as exc:
            yield None, exc
        except SHAPE_ERRORS as exc:
            yield None, bad_record(str(root / RESULT), None, exc)
