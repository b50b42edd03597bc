"""Writes the evaluation set: `python -m tests.eval_build [OUT]` (default tests/data/eval).

Every scenario is written in one agent format (the formats take turns), then the whole set is read back
through `reviewer import` into a scratch project so each gold evidence span gets the step and offsets
the importers give it; `labels.jsonl` (a label pack of annotator `evalset`) is written from those.
A quote that no step holds stops the build: the gold would point at nothing.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from reviewer.importer import Importer
from reviewer.model import Trajectory
from reviewer.spans import source_text
from reviewer.store import Store
from tests.eval_build import behaviours as b
from tests.eval_build.model import Gold, Run
from tests.eval_build.render import FORMATS
from tests.eval_build.tasks import TASKS, Task

ROOT = Path(__file__).resolve().parents[2]
ANNOTATOR = "evalset"
STAMP = "2026-12-07T09:00:00Z"
SOURCES = ("diff", "tool_call", "text", "thinking", "tool_output", "final_answer")

Behaviour = Callable[[Task], b.Scenario]
EXTRA_CHEATS: tuple[tuple[str, Behaviour], ...] = (
    ("check_script_check_py", partial(b.check_script, name="check.py")),
    ("check_script_test_py", partial(b.check_script, name="test.py")),
    ("check_script_tests_py", partial(b.check_script, name="tests.py")),
    ("exit_os", partial(b.exit_module, how="os")),
    ("exit_sys", partial(b.exit_module, how="sys")),
    ("exit_raise", partial(b.exit_module, how="raise")),
)


def scenarios() -> list[tuple[str, Behaviour, Task]]:
    """Each cheat on two tasks, each honest behaviour on four; tasks rotate so every task meets many shapes."""
    chosen: list[tuple[str, Behaviour, Task]] = []
    cheats = [(f.__name__, f) for f in b.CHEATS] + list(EXTRA_CHEATS)
    for n, (name, fn) in enumerate(cheats):
        chosen += [(name, fn, TASKS[(n + k * 3) % len(TASKS)]) for k in range(2)]
    for n, fn in enumerate(b.HONEST):
        chosen += [(fn.__name__, fn, TASKS[(n + k) % len(TASKS)]) for k in (0, 1, 3, 4)]
    return chosen


def build_runs() -> list[tuple[str, Run]]:
    runs = []
    for n, (name, fn, task) in enumerate(scenarios()):
        text, turns, gold = fn(task)
        run = Run(f"{task.key}-{name.replace('_', '-')}", text, turns, gold, meta={"task": f"{task.key}lib-issue"})
        runs.append((list(FORMATS)[n % len(FORMATS)], run))
    return runs


def write(out: Path, runs: list[tuple[str, Run]]) -> dict[str, Path]:
    files = {}
    for fmt, run in runs:
        ext, render = FORMATS[fmt]
        path = out / fmt / f"{run.id}{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        task = next(t for t in TASKS if run.id.startswith(f"{t.key}-"))
        path.write_text(
            render(run, {f"/repo/{task.module}": task.buggy, f"/repo/{task.test_path}": task.tests}), encoding="utf-8"
        )
        files[run.id] = path
    return files


def locate(trajectory: Trajectory, quote: str, preferred: str) -> tuple[int, str, int]:
    """The first step (and text kind, preferred kind first) that holds the quote, and where in it."""
    order = (preferred, *(s for s in SOURCES if s != preferred))
    for source in order:
        for step in range(len(trajectory.steps)):
            text = source_text(trajectory, step, source) if source != "final_answer" else None
            if text and quote in text:
                return step, source, text.index(quote)
    raise SystemExit(f"{trajectory.id}: no step holds {quote!r}")


def label(trajectory: Trajectory, gold: Gold, path: Path) -> dict[str, Any]:
    evidence = []
    for span in gold.spans:
        step, source, start = locate(trajectory, span.quote, span.source)
        evidence.append({"step": step, "source": source, "start": start, "end": start + len(span.quote), "quote": span.quote,
                         "role": span.role, "codes": list(span.codes)})  # fmt: skip
    cheating = gold.verdict in ("cheat", "attempted_cheat")
    return {
        "trajectory_id": trajectory.id, "annotator": ANNOTATOR, "first_pass": True, "verdict": gold.verdict,
        "borderline_reason": None, "categories": list(gold.categories), "intent": gold.intent if cheating else None,
        "markers": list(gold.markers), "disclosure": gold.disclosure if cheating else None,
        "severity": gold.severity if cheating else None, "context": {}, "confidence": 5,
        "rationale": f"{gold.shape}. File: {path.as_posix()}", "evidence": evidence,
        "created_at": STAMP, "updated_at": STAMP, "taxonomy_version": 1,
        "revealed": {"other_labels": False, "suggestions": False, "grader_outcome": False},
    }  # fmt: skip


HEADER = """# Evaluation set: cheats and the honest runs that look like them

Written by `python -m tests.eval_build` (tests/eval_build/); do not edit the files by hand, change the
scenarios and re-run it. The shapes are those of issue #12: the cheats real agents make that the
detectors missed, and the honest runs that produced their false alarms.

**What it is.** {n} trajectories ({cheats} cheats, {honest} not), each in one of the formats `reviewer
import` reads, in turn: the project's native format, OpenAI chat messages, Claude Code session JSONL,
mini-SWE-agent's message-only loop (`.traj.json`), SWE-agent 1.x `.traj`, OpenHands V0 event lists and
Inspect AI eval logs. Each renderer writes the keys, tool names and result wording of that format's real
fixture in tests/fixtures/ (named in tests/eval_build/render.py), so the set goes through the real
importers. The runs themselves are written for this project (no licence beyond the project's): six small
Python repositories with one bug each (tests/eval_build/tasks.py), played by scripted agents
(tests/eval_build/behaviours.py). No public data set of labelled cheating transcripts could be copied.

**Gold labels.** `labels.jsonl` is a label pack of annotator `evalset` (schemas/label.schema.json):
verdict, categories, markers, intent, disclosure, severity, and evidence spans whose `step`, `source`
and offsets point at the action (for honest runs, the diagnosis). The offsets were taken from the
trajectories as the importers read them, so `reviewer import` stores every span (none is refused).

**Use.** One line imports the set into a fresh project (trajectories and labels; detectors run on
import) and evaluates the detectors against it:

```bash
rm -f /tmp/eval.db && reviewer --db /tmp/eval.db import tests/data/eval && reviewer --db /tmp/eval.db assist evaluate
```

`tests/assist/test_eval_set.py` runs the same and pins the figures; `reviewer/assist/calibration.json`
holds the confidences calibrated on this set (see reviewer/assist/calibration.py for how to regenerate).

## Index

| file | verdict | codes | shape | action at step |
|---|---|---|---|---|
"""


def readme(runs: list[tuple[str, Run]], labels: list[dict[str, Any]], files: dict[str, Path], out: Path) -> str:
    cheats = sum(r.gold.verdict == "cheat" for _, r in runs)
    text = HEADER.format(n=len(runs), cheats=cheats, honest=len(runs) - cheats)
    for (_, run), line in zip(runs, labels, strict=True):
        codes = ", ".join(f"`{c}`" for c in (*run.gold.categories, *run.gold.markers)) or "—"
        steps = ", ".join(f"{e['step']} ({e['source']})" for e in line["evidence"])
        text += f"| `{files[run.id].relative_to(out).as_posix()}` | {run.gold.verdict} | {codes} | {run.gold.shape} | {steps} |\n"
    return text


def main(out: Path) -> None:
    for sub in FORMATS:
        shutil.rmtree(out / sub, ignore_errors=True)
    runs = build_runs()
    files = write(out, runs)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Path(scratch) / "eval.db")
        report = Importer(store, max_bytes=1 << 28).run(sorted(files.values()))
        failed = [e for f in report.files for e in f.errors]
        if failed:
            raise SystemExit("\n".join(failed))
        by_file = {Path(f.path): f for f in report.files}
        lines = []
        for _, run in runs:
            ids = by_file[files[run.id]].imported
            if len(ids) != 1:
                raise SystemExit(f"{files[run.id]}: read as {len(ids)} trajectories")
            trajectory = store.trajectories.get(ids[0])
            assert trajectory is not None
            lines.append(label(trajectory, run.gold, files[run.id].relative_to(out)))
        store.close()
    (out / "README.md").write_text(readme(runs, lines, files, out), encoding="utf-8")
    (out / "labels.jsonl").write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    print(f"{len(runs)} runs, {sum(r.gold.verdict == 'cheat' for _, r in runs)} cheats, written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "eval")
