"""Synthetic Harbor trial folders for the import benchmark.

Each trial is a folder `<task>__<id>/` as Harbor writes it: `config.json`, `result.json` (agent info,
token counts, the verifier's reward, phase timings), `agent/trajectory.json` (the ATIF generator's
run), `verifier/reward.txt` and `verifier/test-stdout.txt`. `steps` counts the canonical steps an
import produces. Deterministic: the same arguments write the same bytes; the paths returned are the
result files (the folders' leads).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.synth.atif import trajectory as atif_trajectory


def _result(i: int, name: str) -> dict[str, Any]:
    phase = {"started_at": "2026-01-01T00:00:00.000000", "finished_at": "2026-01-01T00:01:00.000000"}
    config = {
        "task": {"path": f"tasks/task-{i}"},
        "trial_name": name,
        "trials_dir": "jobs/synth",
        "agent": {"name": "openhands", "model_name": "synthetic-model"},
    }
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}", "task_name": f"task-{i}", "trial_name": name, "trial_uri": f"file:///jobs/synth/{name}",
        "task_id": {"path": f"tasks/task-{i}"}, "source": None, "task_checksum": "0" * 12, "config": config,
        "agent_info": {"name": "openhands", "version": "1.1.0",
                       "model_info": {"name": "synthetic-model", "provider": "synthetic"}},
        "agent_result": {"n_input_tokens": 1000, "n_cache_tokens": 0, "n_output_tokens": 100, "cost_usd": 0.01},
        "verifier_result": {"rewards": {"reward": float(i % 2)}}, "exception_info": None,
        "started_at": phase["started_at"], "finished_at": phase["finished_at"], "environment_setup": phase, "agent_setup": phase,
        "agent_execution": phase, "verifier": phase,
    }  # fmt: skip


def write(folder: Path, n: int, steps: int) -> list[Path]:
    leads = []
    for i in range(n):
        name = f"task-{i}__{i:07d}"
        trial = folder / name
        (trial / "agent").mkdir(parents=True, exist_ok=True)
        (trial / "verifier").mkdir(parents=True, exist_ok=True)
        result = _result(i, name)
        (trial / "config.json").write_text(json.dumps(result["config"], indent=4), encoding="utf-8")
        (trial / "result.json").write_text(json.dumps(result, indent=4), encoding="utf-8")
        (trial / "agent" / "trajectory.json").write_text(json.dumps(atif_trajectory(i, steps), indent=1), encoding="utf-8")
        (trial / "verifier" / "reward.txt").write_text(str(i % 2), encoding="utf-8")
        passed, failed = (2, 0) if i % 2 else (1, 1)
        (trial / "verifier" / "test-stdout.txt").write_text(
            f"=== {failed} failed, {passed} passed in 0.02s ===\n", encoding="utf-8"
        )
        leads.append(trial / "result.json")
    return leads
