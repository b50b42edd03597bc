"""Harbor (Terminal-Bench) trials: the verifier's reward sits in the trial folder, beside the agent's log.

A trial folder holds `result.json` (Harbor's TrialResult: `task_name`, `trial_name`, `agent_info`,
`verifier_result.rewards`, `exception_info`, timings), `agent/` (the agent's log, ATIF `trajectory.json`
for most agents) and `verifier/` (`test-stdout.txt`, the reward file). The shape followed here is
Harbor's `models/trial/result.py` and its documentation: no real trial result was found in public data.

Only files inside the folder the person named are read, and no link leading out of it is followed:
a downloaded run must not make the import read files elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.jsonio import InputError, read_document
from reviewer.model import Outcome

TRIAL_RESULT = "Harbor trial result"
MAX_OUTPUT = 4000  # characters of the verifier's output kept (its end: where the summary is)
_GRADES = {1.0: "pass", 0.0: "fail"}


def is_trial_result(value: Any) -> bool:
    return isinstance(value, dict) and "verifier_result" in value and ("trial_name" in value or "task_name" in value)


def _inside(path: Path, root: Path) -> bool:
    """A regular file that is, once links are resolved, inside `root`."""
    try:
        return path.is_file() and path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def trial_result_path(trajectory: Path, root: Path) -> Path | None:
    """The `result.json` of the trial a trajectory file belongs to (its own folder, or the one holding
    its `agent/` folder), if there is one inside `root`."""
    folder = trajectory.parent
    for candidate in (folder, folder.parent if folder.name == "agent" else None):
        if candidate is None or not candidate.resolve().is_relative_to(root.resolve()):
            continue
        path = candidate / "result.json"
        if path != trajectory and _inside(path, root):
            return path
    return None


def trial_outcome(path: Path, root: Path, max_bytes: int) -> Outcome | None:
    """The outcome a trial's `result.json` records, None when it is not a trial result; InputError when
    it cannot be read."""
    doc = read_document(path, max_bytes)
    value = doc.value
    if not is_trial_result(value):
        return None
    verifier = value.get("verifier_result")
    if verifier is not None and not isinstance(verifier, dict):
        raise InputError(doc.name, "/verifier_result", "expected an object with 'rewards'")
    rewards = (verifier or {}).get("rewards") or {}
    if not isinstance(rewards, dict):
        raise InputError(doc.name, "/verifier_result/rewards", "expected an object of named rewards")
    reward = _reward(rewards)
    exception = value.get("exception_info")
    details: dict[str, Any] = {"source": TRIAL_RESULT, "file": path.name, "rewards": rewards}
    for key in ("task_name", "trial_name"):
        if isinstance(value.get(key), str):
            details[key] = value[key]
    if isinstance(exception, dict):
        details["exception"] = {
            k: exception[k] for k in ("exception_type", "exception_message") if isinstance(exception.get(k), str)
        }
    output = _verifier_output(path.parent, root)
    if output is not None:
        details["verifier_output"] = output
    if verifier is None:
        result = "error" if isinstance(exception, dict) else None  # no verifier ran: nothing graded
    else:
        result = _GRADES.get(reward, "unknown") if reward is not None else "unknown"
    return Outcome(result, reward=reward, details=details)


def _reward(rewards: dict[str, Any]) -> float | None:
    """`reward`, else the only reward there is; several unnamed ones have no single value."""
    value = rewards.get("reward") if "reward" in rewards else (next(iter(rewards.values())) if len(rewards) == 1 else None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if abs(value) <= 1e12 else None


def _verifier_output(trial: Path, root: Path) -> str | None:
    """The end of what the verifier printed (`verifier/test-stdout.txt`), as text."""
    path = trial / "verifier" / "test-stdout.txt"
    if not _inside(path, root):
        return None
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - MAX_OUTPUT * 4))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    return text[-MAX_OUTPUT:]
