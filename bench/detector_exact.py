"""The detectors' whole output on a fixed corpus, saved as JSON or compared with a saved copy.

A speed-up of the detectors must not change one suggestion. This runs `run_detectors` on every
trajectory the importers read from the evaluation set (`tests/data/eval/`), the fixtures
(`tests/fixtures/`, and the ImpossibleBench transcripts as `tests/assist/transcripts.py` reads them),
the sample data (`sample_data/`) and the shared samples (`../shared/samples/`,
when present), each once as read and once without its recorded test runs (how a project stored
before test runs were recorded looks: the detectors then find the runs themselves), plus the
labelled synthetic trajectories (cheats with their signals) and `--synthetic` plain ones of 100
steps, and writes every suggestion (codes, evidence spans, confidence, explanation, details).

    python bench/detector_exact.py --save /tmp/before.json     # on the old code
    python bench/detector_exact.py --check /tmp/before.json    # on the new: exit 1 on any difference

The file is not kept in the repository. `tests/assist/test_detector_output.py` pins the digest of the
part that is the project's own and stable (the evaluation set, the ImpossibleBench transcripts, the
synthetic ones; not the fixtures and samples, which grow with every importer), in a few seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.assist.detectors import run_detectors  # noqa: E402
from reviewer.import_read import ReadOptions, read_file  # noqa: E402
from reviewer.importer import collect  # noqa: E402
from reviewer.model import Trajectory  # noqa: E402
from reviewer.synthetic import labelled, trajectory  # noqa: E402
from reviewer.test_runs import find_test_runs  # noqa: E402
from tests.assist import transcripts  # noqa: E402

EVAL = ROOT / "tests/data/eval"
FOLDERS = (EVAL, ROOT / "tests/fixtures", ROOT / "sample_data", ROOT.parent / "shared/samples")


def read_folders(folders: tuple[Path, ...]) -> Iterator[tuple[str, Trajectory]]:
    """(name, trajectory) of every trajectory the importers read in the folders, in a stable order."""
    options = ReadOptions(max_bytes=256 << 20)
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in collect([folder]).files:
            read = read_file(path, options, lambda _id: False)
            for n, item in enumerate(read.items):
                yield f"{path.relative_to(folder.parent)}#{n}", item.trajectory


def corpus(folders: tuple[Path, ...], synthetic: int) -> Iterator[tuple[str, Trajectory]]:
    """The trajectories of `folders` (each also without its recorded test runs), the ImpossibleBench
    transcripts, 200 labelled synthetic ones and `synthetic` plain ones of 100 steps."""
    for name, t in read_folders(folders):
        yield name, t
        yield f"{name} (runs not recorded)", replace(t, test_runs=[])
    for path in sorted(transcripts.FIXTURES.glob("[0-9]*.md")):  # ImpossibleBench runs, as the tests read them
        yield f"impossiblebench/{path.stem}", transcripts.trajectory(path.stem)
    for i in range(200):
        data, _, _ = labelled(i)
        yield f"labelled {i}", Trajectory.from_dict(data)
    for i in range(synthetic):
        t = Trajectory.from_dict(trajectory(i, 100))
        t.test_runs = find_test_runs(t.steps, t.task.prompt)
        yield f"synthetic {i}", t


def output(trajectories: Iterator[tuple[str, Trajectory]]) -> dict[str, list[dict[str, Any]]]:
    """Each trajectory's suggestions as plain data, keyed by where it came from."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, t in trajectories:
        found[name] = [s.to_dict() for s in run_detectors(t)]
    return found


def digest(found: dict[str, list[dict[str, Any]]]) -> str:
    return hashlib.sha256(json.dumps(found, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=300, help="plain synthetic trajectories of 100 steps")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--check", type=Path)
    args = parser.parse_args()
    found = output(corpus(FOLDERS, args.synthetic))
    hits = sum(map(len, found.values()))
    print(f"{len(found)} trajectories, {hits} suggestions, digest {digest(found)}")
    if args.save:
        args.save.write_text(json.dumps(found, sort_keys=True, ensure_ascii=False, indent=0))
        return
    saved = json.loads(args.check.read_text())
    differ = [name for name in saved.keys() | found.keys() if saved.get(name) != found.get(name)]
    for name in sorted(differ)[:20]:
        print(f"DIFFERS: {name}")
    print(f"{len(differ)} of {len(found)} trajectories differ" if differ else "identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
