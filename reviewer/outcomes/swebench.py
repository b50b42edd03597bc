"""SWE-bench evaluation results, read into one grader outcome per instance id.

Four shapes are real (checked against SWE-bench's `harness/reporting.py`, SWE-bench/experiments and a
mini-SWE-agent run's `swebench_results/`):

- the run report `<model>.<run_id>.json` of `run_evaluation` (`resolved_ids`, `unresolved_ids`,
  `empty_patch_ids`, `error_ids`, `incomplete_ids`, ...);
- the experiments board's `results/results.json` (`resolved`, `no_generation`, `no_logs`, and in older
  runs `applied`, `test_errored`, ...), which lists no unresolved ids: an instance it does not list gets
  no result here, never an assumed failure;
- a run summary `{"instances": [{"instance_id", "resolved", "patch_applied"}]}`;
- the per-instance `logs/.../<instance>/report.json`, keyed by instance id upstream, flat in some forks
  (then its folder names the instance), with FAIL_TO_PASS / PASS_TO_PASS successes and failures.

A status the file does not settle (an id in two lists that disagree, an instance still to be run) is
"unknown" or no result at all, never a guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.jsonio import InputError
from reviewer.model import Outcome

RUN_REPORT = "SWE-bench run report"
EXPERIMENTS = "SWE-bench experiments results"
SUMMARY = "SWE-bench results summary"
INSTANCE_REPORT = "SWE-bench instance report"

# The run report's lists and what each says of an instance (grader result, status); `incomplete_ids`
# (never run) says nothing.
_RUN_LISTS: dict[str, tuple[str, str]] = {
    "resolved_ids": ("pass", "resolved"),
    "unresolved_ids": ("fail", "unresolved"),
    "empty_patch_ids": ("fail", "empty patch"),
    "error_ids": ("error", "evaluation error"),
}
# The experiments board's lists, strongest first: resolved ⊂ applied ⊂ with_logs ⊂ generated.
_EXPERIMENT_LISTS: tuple[tuple[str, str, str], ...] = (
    ("resolved", "pass", "resolved"),
    ("test_timeout", "error", "tests timed out"),
    ("test_errored", "error", "tests errored"),
    ("reset_failed", "error", "repository reset failed"),
    ("install_fail", "error", "installation failed"),
    ("no_logs", "error", "no evaluation logs"),
    ("no_apply", "fail", "patch did not apply"),
    ("no_generation", "fail", "no patch generated"),
    ("applied", "fail", "applied, not resolved"),
    ("with_logs", "fail", "evaluated, not resolved"),
)
TEST_GROUPS = ("FAIL_TO_PASS", "PASS_TO_PASS", "FAIL_TO_FAIL", "PASS_TO_FAIL")
GRADED_GROUPS = ("FAIL_TO_PASS", "PASS_TO_PASS")  # the tests that decide `resolved`
MAX_NAMES = 200  # failing test names kept per group


def kind_of(value: Any) -> str | None:
    """Which of the four shapes a parsed file has, or None."""
    if not isinstance(value, dict):
        return None
    if any(key in value for key in _RUN_LISTS) or "incomplete_ids" in value:
        return RUN_REPORT
    if isinstance(value.get("instances"), list):
        return SUMMARY
    if isinstance(value.get("resolved"), list):
        return EXPERIMENTS
    if isinstance(value.get("resolved"), bool) or _keyed_reports(value):
        return INSTANCE_REPORT
    return None


def _keyed_reports(value: dict[str, Any]) -> bool:
    return bool(value) and all(isinstance(v, dict) and isinstance(v.get("resolved"), bool) for v in value.values())


def read(name: str, path: Path, value: Any) -> tuple[str, dict[str, Outcome]]:
    """(kind, outcome by instance id) of a parsed file; InputError naming the place when malformed."""
    kind = kind_of(value)
    if kind == RUN_REPORT:
        return kind, _run_report(name, value)
    if kind == EXPERIMENTS:
        return kind, _experiments(name, value)
    if kind == SUMMARY:
        return kind, _summary(name, value)
    if kind == INSTANCE_REPORT:
        if isinstance(value.get("resolved"), bool):  # a fork's flat report: its folder names the instance
            return kind, {path.parent.name: _instance(name, "", value, path.name)}
        return kind, {iid: _instance(name, f"/{iid}", report, path.name) for iid, report in value.items()}
    raise InputError(name, None, "not a SWE-bench results file")


def _ids(name: str, value: dict[str, Any], key: str) -> list[str]:
    ids = value.get(key)
    if ids is None:
        return []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputError(name, f"/{key}", "expected a list of instance ids (strings)")
    return ids


def _details(kind: str, file: str, status: str, **more: Any) -> dict[str, Any]:
    return {"source": kind, "file": file, "status": status, **more}


def _verdict(found: dict[str, list[tuple[str, str]]], kind: str, file: str) -> dict[str, Outcome]:
    """One outcome per id from the lists naming it; lists that disagree make it unknown."""
    outcomes = {}
    for iid, says in found.items():
        results = {result for result, _ in says}
        if len(results) == 1:
            result, status = says[0]
            outcomes[iid] = Outcome(result, details=_details(kind, file, status))
        else:
            statuses = [status for _, status in says]
            outcomes[iid] = Outcome("unknown", details=_details(kind, file, "conflicting lists: " + ", ".join(statuses)))
    return outcomes


def _run_report(name: str, value: dict[str, Any]) -> dict[str, Outcome]:
    found: dict[str, list[tuple[str, str]]] = {}
    for key, said in _RUN_LISTS.items():
        for iid in _ids(name, value, key):
            found.setdefault(iid, []).append(said)
    for key in ("incomplete_ids", "completed_ids", "submitted_ids"):
        _ids(name, value, key)  # checked for shape; they grade nothing
    return _verdict(found, RUN_REPORT, Path(name).name)


def _experiments(name: str, value: dict[str, Any]) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for key, result, status in _EXPERIMENT_LISTS:  # strongest first: a resolved id is also in applied
        for iid in _ids(name, value, key):
            outcomes.setdefault(iid, Outcome(result, details=_details(EXPERIMENTS, Path(name).name, status)))
    return outcomes


def _summary(name: str, value: dict[str, Any]) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for k, entry in enumerate(value["instances"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("instance_id"), str):
            raise InputError(name, f"/instances/{k}", "expected an object with a string 'instance_id'")
        resolved = entry.get("resolved")
        if not isinstance(resolved, bool):
            raise InputError(name, f"/instances/{k}/resolved", "expected true or false")
        more = {"patch_applied": entry["patch_applied"]} if isinstance(entry.get("patch_applied"), bool) else {}
        status = "resolved" if resolved else "unresolved"
        outcomes[entry["instance_id"]] = Outcome(
            "pass" if resolved else "fail", details=_details(SUMMARY, Path(name).name, status, **more)
        )
    return outcomes


def _instance(name: str, pointer: str, report: Any, file: str) -> Outcome:
    """One instance's report: resolved, and the tests of each group that passed and failed."""
    if not isinstance(report, dict) or not isinstance(report.get("resolved"), bool):
        raise InputError(name, f"{pointer}/resolved", "expected an instance report with 'resolved' true or false")
    status = report.get("tests_status")
    if status is not None and not isinstance(status, dict):
        raise InputError(name, f"{pointer}/tests_status", "expected an object of test groups")
    groups = {
        group: _group(name, f"{pointer}/tests_status/{group}", status[group])
        for group in TEST_GROUPS
        if status and group in status
    }
    graded = [groups[g] for g in GRADED_GROUPS if g in groups]
    flags = {
        k: report[k] for k in ("patch_is_None", "patch_exists", "patch_successfully_applied") if isinstance(report.get(k), bool)
    }
    resolved = report["resolved"]
    return Outcome(
        "pass" if resolved else "fail",
        tests_passed=sum(g["passed"] for g in graded) if graded else None,
        tests_failed=sum(g["failed"] for g in graded) if graded else None,
        details=_details(INSTANCE_REPORT, file, "resolved" if resolved else "unresolved", **flags, tests=groups),
    )


def _group(name: str, pointer: str, group: Any) -> dict[str, Any]:
    if not isinstance(group, dict):
        raise InputError(name, pointer, "expected an object with 'success' and 'failure' lists")
    lists = {}
    for key in ("success", "failure"):
        names = group.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InputError(name, f"{pointer}/{key}", "expected a list of test names")
        lists[key] = names
    failing = lists["failure"]
    return {"passed": len(lists["success"]), "failed": len(failing), "failing": failing[:MAX_NAMES]}
