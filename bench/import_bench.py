"""Import throughput per format, as a ratio to a baseline measured in the same run (machines are noisy).

Baseline: read each file, parse it (json.loads; each line for JSONL; each member for zips) and
`executemany` the same step rows the import produces (computed beforehand, outside the timing) plus
one row per trajectory into bare SQLite tables, one commit per trajectory, WAL, synchronous=normal.
Measured: `Importer.run` on the same folder, configured as `reviewer import` configures it:
sniffing, mapping, schema validation, consistency checks, the real tables with indexes and foreign
keys, original bytes compressed, FTS5 index; once with `--no-detect` and once as the default
command runs (the detectors on every new trajectory), with worker processes from 64 files on. The
CPU time of the writing process and of the workers is printed too: on a machine whose cores are
busy with other work, workers cannot go faster than one process, whatever their number.
Goals for native (issue 13): ratio >= 0.8 with --no-detect, >= 0.5 with the detectors.

    python bench/import_bench.py                       # native, 1000 x 100 steps
    python bench/import_bench.py --format all --n 200  # every format with a generator
    python bench/import_bench.py --slug 30 --steps 40  # one Claude Code run over 30 session files
    python bench/import_bench.py --worker-cpu --code ../main --code .   # a worker's CPU per native file

`--worker-cpu`: the CPU one import worker spends per native file with the detectors off (what
`read_in_worker` does: read, parse, check, rows, compressed original, and the pickle sent to the
writer), as a ratio to the baseline's parse of the same file (read + json.loads) measured in the same
run; with each `--code` checkout in turn, alternating, in a process of its own (CPU time, not wall:
the machine is shared).

The search index is built at the end of each import batch (never deferred to the first search): its
share of the import time is printed, and so is the time of a search right after the import.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synth import write_files  # noqa: E402
from reviewer import formats  # noqa: E402
from reviewer.importer import Importer  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402


def write_native(folder: Path, n: int, steps: int) -> list[Path]:
    return write_files(folder, n, lambda i: f"t{i:06d}.json", lambda i: json.dumps(trajectory(i, steps)))


def writer(fmt: str):
    if fmt == "native":
        return write_native
    return importlib.import_module(f"bench.synth.{fmt.replace('-', '_')}").write


def available() -> list[str]:
    names = []
    for fmt in formats.formats():
        try:
            writer(fmt.name)
        except ModuleNotFoundError:
            continue
        names.append(fmt.name)
    return names


def parse(path: Path) -> object:
    """The format-blind part of reading: bytes to JSON values."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as archive:
            return [json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")]
    text = data.decode("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def folder_files(path: Path) -> list[Path]:
    """The files the import reads for `path`: itself, or every file of the folder a folder format
    (Cline, OpenHands V1, Harbor) reads whole through it."""
    if formats.lead_file(path) != path:
        return [path]
    return sorted(p for p in path.parent.rglob("*") if p.is_file())


def read(path: Path) -> object:
    """A JSON file parsed; a folder's text files (Harbor's logs and rewards) read as text."""
    return parse(path) if path.suffix in (".json", ".jsonl", ".eval", ".traj") else path.read_text(encoding="utf-8")


def rows_by_file(db: Path) -> dict[str, list[tuple[tuple, list[tuple]]]]:
    """What the import stored, per source file (by its digest: a folder format's files share names): the
    rows the baseline will insert."""
    conn = sqlite3.connect(db)
    out: dict[str, list[tuple[tuple, list[tuple]]]] = {}
    for tid, source_file, prompt, model in conn.execute("select id, source_sha256, task_prompt, model from trajectories"):
        steps = conn.execute(
            "select trajectory_id, idx, role, text, thinking, tool_calls, call_id, is_error, timestamp from steps"
            " where trajectory_id = ? order by idx",
            [tid],
        ).fetchall()
        out.setdefault(source_file, []).append(((tid, prompt, model), steps))
    conn.close()
    return out


def baseline(paths: list[Path], rows: dict[str, list[tuple[tuple, list[tuple]]]], db: Path) -> float:
    conn = sqlite3.connect(db)
    conn.execute("pragma journal_mode = wal")
    conn.execute("pragma synchronous = normal")
    conn.execute("create table trajectories(id text primary key, prompt text, model text)")
    conn.execute(
        "create table steps(trajectory_id text, idx int, role text, text text, thinking text, tool_calls text,"
        " call_id text, is_error int, timestamp text, primary key (trajectory_id, idx))"
    )
    conn.commit()
    digests = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
    start = time.perf_counter()
    for path in paths:
        for member in folder_files(path):
            read(member)
        for head, steps in rows[digests[path]]:
            with conn:
                conn.execute("insert into trajectories values (?,?,?)", head)
                conn.executemany("insert into steps values (?,?,?,?,?,?,?,?,?)", steps)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def cpu_seconds() -> tuple[float, float]:
    """CPU time of this process (the writer) and of its ended children (the import's workers)."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime, children.ru_utime + children.ru_stime


@dataclass
class Measured:
    wall: float
    count: int
    cpu: tuple[float, float]  # the writer (this process), the workers
    index: float  # wall time of the search index's catch-up at the end of the batch (part of `wall`)
    first_search: float  # a search right after the import: what indexing left for it (nothing is deferred)
    second_search: float  # the same search again: the first one's excess is what it caught up


def measured(folder: Path, db: Path, detect: bool) -> Measured:
    """One import, timed; the full-text index's share and the first search after it, apart."""
    with Store(db) as store:
        repository = store.trajectories
        index_pending, indexing = repository.index_pending, [0.0]

        def timed_index(at_least: int = 1) -> int:
            start = time.perf_counter()
            try:
                return index_pending(at_least)
            finally:
                indexing[0] += time.perf_counter() - start

        repository.index_pending = timed_index  # type: ignore[method-assign]
        before = cpu_seconds()
        start = time.perf_counter()
        report = Importer(store, max_bytes=1 << 30, detect=detect).run([folder])
        elapsed = time.perf_counter() - start
        after = cpu_seconds()
        searches = []
        for _ in range(2):
            start = time.perf_counter()
            repository.search("pytest", limit=50)
            searches.append(time.perf_counter() - start)
    errors = [e for f in report.files for e in f.errors]
    if errors:
        raise SystemExit(f"import failed: {errors[:3]}")
    cpu = (after[0] - before[0], after[1] - before[1])
    return Measured(elapsed, report.totals()["imported"], cpu, indexing[0], *searches)


def bench_format(fmt: str, n: int, steps: int, repeat: int, root: Path) -> None:
    data = root / fmt
    data.mkdir()
    paths = writer(fmt)(data, n, steps)
    mb = sum(member.stat().st_size for p in paths for member in folder_files(p)) / 1e6
    base_times: list[float] = []
    best: dict[bool, Measured] = {}
    for r in range(repeat):
        for detect in (False, True):
            run = measured(data, root / f"{fmt}-ours{r}{detect}.db", detect)
            if detect not in best or run.wall < best[detect].wall:
                best[detect] = run
        rows = rows_by_file(root / f"{fmt}-ours{r}{detect}.db")
        base_times.append(baseline(paths, rows, root / f"{fmt}-base{r}.db"))
    base, plain, detected = min(base_times), best[False].wall, best[True].wall
    print(
        f"{fmt:15s} {len(paths):5d} files {best[False].count:5d} traj {mb:7.1f} MB | baseline {base:6.2f} s"
        f" | --no-detect {plain:6.2f} s ratio {base / plain:.2f} | default {detected:6.2f} s ratio {base / detected:.2f}"
    )
    for detect, label in ((False, "--no-detect"), (True, "default")):
        run = best[detect]
        print(
            f"{'':15s} {label}: CPU {run.cpu[0]:.2f} s writer + {run.cpu[1]:.2f} s workers;"
            f" search index {run.index:.2f} s of it; first search after it {run.first_search:.3f} s,"
            f" again {run.second_search:.3f} s (best run)"
        )


def bench_slug(n: int, steps: int, root: Path) -> None:
    """A folder of `n` Claude Code sessions sharing a slug: one run over `n` files, which every file of
    the folder reads as a whole. Baseline: parsing each file's lines (what any import must do); measured:
    CPU time of `Importer.run` in one process, once (what the import remembers lasts the process)."""
    from bench.synth.claude_code import write_slug_sessions

    data = root / "slug"
    paths = write_slug_sessions(data, n, steps)
    start = time.thread_time()
    for path in paths:
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    base = time.thread_time() - start
    with Store(root / "slug.db") as store:
        start = time.thread_time()
        report = Importer(store, max_bytes=1 << 30, workers=1).run([data])
        ours = time.thread_time() - start
    totals = report.totals()
    print(
        f"claude_code, {n} sessions sharing a slug ({steps} steps each) | baseline {base:.2f} s | import {ours:.2f} s CPU"
        f" ({ours / n * 1000:.0f} ms per file) | {totals['imported']} imported, {totals['duplicates']} duplicates"
    )


# Run with a checkout's code first on the path: the CPU of reading every file as a worker does.
WORKER_CPU = """
import pickle, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from reviewer.import_read import ReadOptions, read_file
paths, options = sorted(Path(sys.argv[2]).glob("*.json")), ReadOptions(1 << 30)
for path in paths[:20]:  # modules imported and schemas compiled once, as a worker does before its first file
    pickle.dumps(read_file(path, options, lambda _id: False).portable())
start, failed = time.process_time(), 0
for path in paths:
    read = read_file(path, options, lambda _id: False).portable()
    failed += bool(read.errors) or len(read.items) != 1
    pickle.dumps(read)
print(time.process_time() - start, failed)
"""


def bench_worker_cpu(n: int, steps: int, repeat: int, codes: list[Path], root: Path) -> None:
    import subprocess

    paths = write_native(root, n, steps)
    best: dict[Path, float] = {}
    base = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for path in paths:
            json.loads(path.read_bytes().decode("utf-8"))
        base = min(base, time.process_time() - start)
        for code in codes:
            done = subprocess.run(
                [sys.executable, "-c", WORKER_CPU, str(code.resolve()), str(root)], capture_output=True, text=True, check=True
            )
            cpu, failed = done.stdout.split()
            if int(failed):
                raise SystemExit(f"{code}: {failed} files not read")
            best[code] = min(best.get(code, float("inf")), float(cpu))
    print(f"{n} native files of {steps} steps, best of {repeat}; baseline parse {base / n * 1000:.3f} ms per file")
    for code in codes:
        print(
            f"{str(code):30s} worker CPU {best[code] / n * 1000:.3f} ms per file = {best[code] / base:.2f} x the baseline's parse"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--format", default="native", help="a format name, or 'all' (default native)")
    parser.add_argument("--n", type=int, default=1000, help="files per format (default 1000)")
    parser.add_argument("--steps", type=int, default=100, help="steps per trajectory (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each; best of each is compared")
    parser.add_argument("--slug", type=int, default=0, help="instead: a folder of N Claude Code sessions sharing a slug")
    parser.add_argument("--worker-cpu", action="store_true", help="instead: a worker's CPU per native file (module doc)")
    parser.add_argument("--code", type=Path, action="append", help="with --worker-cpu: a checkout to measure (repeat)")
    args = parser.parse_args()
    if args.worker_cpu:
        with tempfile.TemporaryDirectory() as tmp:
            bench_worker_cpu(args.n, args.steps, args.repeat, args.code or [Path(__file__).resolve().parents[1]], Path(tmp))
        return
    if args.slug:
        with tempfile.TemporaryDirectory() as tmp:
            bench_slug(args.slug, args.steps, Path(tmp))
        return
    names = available() if args.format == "all" else [args.format]
    print(
        f"best of {args.repeat}; ratio = baseline time / import time (higher is better;"
        f" goals for native: --no-detect >= 0.8, default >= 0.5); load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in names:
            bench_format(fmt, args.n, args.steps, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
