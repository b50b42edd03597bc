"""Several `reviewer` processes on one project file at once: errors, lost writes and throughput.

Each lane is a process of its own that runs one kind of `reviewer` command in a loop, each command
opening the project file as a separate `reviewer` run does (the click CLI, invoked in the lane's
process: starting Python for every command would leave SQLite little to contend for):

    import     `reviewer import FILE` of a new synthetic trajectory (detectors on)
    label      `reviewer label ID --annotator A --verdict V`, cycling verdicts over the seeded trajectories
    pack       `reviewer import PACK`: a label pack of every seeded trajectory (the index update, then a merge)
    search     `reviewer search WORD --json`
    export     `reviewer export -o FILE`, then every record checked against itself (gold label from its own votes)
    agreement  `reviewer agreement --json --bootstrap 0`

A lane stops at the time limit or after `--rounds` commands, whichever comes first. Afterwards every
write is accounted for: each trajectory a successful import reported is stored, and no other; each
label holds the verdict of the last command that set it, with one history event per command.
Prints each failed command (output and traceback), then commands per second by lane; exits 1 on
any error or unaccounted write. No network.

    python bench/concurrency_soak.py                                 # 60 s, one lane of each kind
    python bench/concurrency_soak.py --seconds 10 --lanes import,import,label,pack,search
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402

from reviewer.cli import main as reviewer  # noqa: E402
from reviewer.labelpack import write_labels  # noqa: E402
from reviewer.model import Label, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.store.trajectories import now_iso  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402

LANES = ("import", "label", "pack", "search", "export", "agreement")
VERDICTS = ("cheat", "clean", "honest_failure")
SEEDED = 20
STEPS = 20
LabelKey = tuple[str, str]  # trajectory id, annotator


@dataclass
class LaneReport:
    lane: str
    commands: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)  # ids a successful import reported as new
    labels: dict[LabelKey, tuple[str, int]] = field(default_factory=dict)  # last verdict set, commands that set it


SEED_IDS = [trajectory(i, 2)["id"] for i in range(SEEDED)]


def seed(db: Path) -> None:
    """The trajectories the label and pack lanes label: in the file before any lane starts."""
    with Store(db) as store:
        for i in range(SEEDED):
            store.trajectories.add(Trajectory.from_dict(trajectory(i, STEPS)))
        store.trajectories.index_pending()


@dataclass(frozen=True, slots=True)
class Command:
    """One `reviewer` command of a lane, and what it writes when it succeeds."""

    args: list[str]
    imports: str | None = None  # the id of the trajectory it imports
    labels: tuple[LabelKey, ...] = ()  # the labels it sets, to `verdict`
    verdict: str = ""
    check: Callable[[], list[str]] | None = None  # what is wrong with its output, once it succeeded


def contradictions(export: Path) -> list[str]:
    """Records whose gold label was not made from their own votes: an export must read one snapshot
    (the default aggregation is the majority, whose soft label is the votes' shares)."""
    wrong = []
    for line in export.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        votes = Counter(record["votes"].values())
        shares = {code: n / sum(votes.values()) for code, n in votes.items()}
        soft = {code: share for code, share in (record["soft_label"] or {}).items() if share}
        agree = soft.keys() == shares.keys() and all(math.isclose(soft[c], shares[c]) for c in soft)
        if record["n_reviewers"] != sum(votes.values()) or not agree:
            wrong.append(f"{record['trajectory_id']}: votes {record['votes']}, soft label {record['soft_label']}")
    return wrong


def command(lane: str, index: int, number: int, folder: Path) -> Command:
    """The `number`th command of lane `index`, of kind `lane`; its files are written in `folder`."""
    verdict = VERDICTS[number % len(VERDICTS)]
    me = folder.name  # the lane's annotator name
    if lane == "import":
        data = trajectory(number, STEPS, seed=1 + index)  # seed 0 is the seeded trajectories'
        path = folder / f"t{number:06d}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return Command(["import", str(path)], imports=data["id"])
    if lane == "label":
        tid = SEED_IDS[number % SEEDED]
        return Command(["label", tid, "--annotator", me, "--verdict", verdict], labels=((tid, me),), verdict=verdict)
    if lane == "pack":
        path = folder / "pack.jsonl"
        stamp = now_iso()  # later than the last round's: each merge updates every label
        path.write_text(
            "".join(
                write_labels(
                    Label(tid, me, verdict=verdict, updated_at=stamp, created_at=stamp, taxonomy_version=1) for tid in SEED_IDS
                )
            ),
            encoding="utf-8",
        )
        return Command(["import", str(path)], labels=tuple((tid, me) for tid in SEED_IDS), verdict=verdict)
    if lane == "search":
        return Command(["search", "tokenizer", "--json"])
    if lane == "export":
        path = folder / "export.jsonl"
        return Command(["export", "-o", str(path)], check=partial(contradictions, path))
    if lane == "agreement":
        return Command(["agreement", "--json", "--bootstrap", "0"])
    raise ValueError(f"unknown lane {lane!r} (known: {', '.join(LANES)})")


def run_lane(lane: str, index: int, db: Path, work: Path, seconds: float, rounds: int) -> LaneReport:
    """One lane's loop (in a process of its own); a failed command is recorded and the loop goes on."""
    folder = work / f"{lane}-{index}"
    folder.mkdir()
    report = LaneReport(lane)
    runner = CliRunner()
    started = time.monotonic()
    while report.commands < rounds and time.monotonic() - started < seconds:
        todo = command(lane, index, report.commands, folder)
        result = runner.invoke(reviewer, ["--db", str(db), *todo.args])
        report.commands += 1
        if result.exit_code != 0:
            crashed = result.exc_info is not None and not isinstance(result.exception, SystemExit)
            trace = "".join(traceback.format_exception(*result.exc_info)) if crashed else ""
            report.errors.append(
                f"{folder.name} `reviewer {' '.join(todo.args)}`: exit {result.exit_code}\n{result.output[-2000:]}{trace}"
            )
            continue
        wrong = todo.check() if todo.check is not None else []
        if wrong:
            report.errors.append(
                f"{folder.name} `reviewer {' '.join(todo.args)}`: {len(wrong)} records contradict themselves, "
                + "; ".join(wrong[:3])
            )
        if todo.imports is not None:
            report.imported.append(todo.imports)
        for key in todo.labels:
            report.labels[key] = (todo.verdict, report.labels.get(key, ("", 0))[1] + 1)
    report.seconds = time.monotonic() - started
    return report


def unaccounted(db: Path, reports: list[LaneReport]) -> list[str]:
    """Writes the store does not show as the commands reported them (empty when all are there)."""
    problems = []
    expected = {tid for r in reports for tid in r.imported} | set(SEED_IDS)
    expected_labels = {key: value for r in reports for key, value in r.labels.items()}
    with Store(db) as store:
        stored = set(store.trajectories.ids())
        if stored != expected:
            problems.append(
                f"trajectories: {len(expected - stored)} reported but missing, {len(stored - expected)} stored unreported"
            )
        labels = {(lb.trajectory_id, lb.annotator): lb for lb in store.labels.all()}
        for key, (verdict, times) in sorted(expected_labels.items()):
            label, events = labels.get(key), len(store.labels.history(*key))
            if label is None or label.verdict != verdict or events != times:
                problems.append(
                    f"label {key}: stored {label.verdict if label else None} with {events} events, expected "
                    f"{verdict} with {times}"
                )
        if len(labels) != len(expected_labels):
            problems.append(f"labels: {len(labels)} stored, {len(expected_labels)} written")
    return problems


def soak(work: Path, lanes: list[str], seconds: float, rounds: int) -> tuple[list[LaneReport], list[str]]:
    """Run the lanes on a new project file in `work`; their reports, and what the store lacks."""
    db = work / "soak.db"
    seed(db)
    with ProcessPoolExecutor(len(lanes), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_lane, lane, i, db, work, seconds, rounds) for i, lane in enumerate(lanes)]
        reports = [f.result() for f in futures]
    return reports, unaccounted(db, reports)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="Time limit of each lane.")
    parser.add_argument("--rounds", type=int, default=100_000, help="At most this many commands per lane.")
    parser.add_argument(
        "--lanes", default=",".join(LANES), help=f"Comma-separated lane kinds, repeat for several ({', '.join(LANES)})."
    )
    args = parser.parse_args()
    lanes = [lane.strip() for lane in args.lanes.split(",") if lane.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        reports, problems = soak(Path(tmp), lanes, args.seconds, args.rounds)
    errors = [e for r in reports for e in r.errors]
    for error in errors:
        print(error, end="\n\n")
    for problem in problems:
        print(f"unaccounted: {problem}")
    by_kind: Counter[str] = Counter()
    for r in reports:
        by_kind[r.lane] += r.commands
        print(
            f"{r.lane:>10}: {r.commands:6,} commands in {r.seconds:5.1f} s = {r.commands / r.seconds:6.1f}/s, "
            f"{len(r.errors)} failed"
        )
    locked = sum("database is locked" in e for e in errors)
    print(
        f"total: {sum(by_kind.values()):,} commands, {len(errors)} failed ({locked} 'database is locked'), "
        f"{len(problems)} unaccounted writes"
    )
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
