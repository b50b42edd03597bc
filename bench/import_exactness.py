"""Is what an import stores the same with this checkout's code as with another's? Row by row.

Imports every real sample and fixture (`../shared/samples/`, `tests/fixtures/`, `tests/bad_inputs/`,
`sample_data/`) and synthetic files (native in several shapes, version 1 files, JSONL, and every
format with a generator) into fresh projects, once with each checkout's code, each root read in
this process and again by worker processes, with and without the detectors; then compares every
stored table row by row (the compressed originals by their decompressed bytes; ids and times the
store stamps left out), each file's report (imported, duplicates, the error and warning lines), and
what `reviewer validate` says of each root. Exit 1 on any difference.

    python bench/import_exactness.py --against ../main     # a checkout of main beside this one
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Run in a subprocess with the checkout's code first on the path: import the root, print the report.
IMPORT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from reviewer.importer import Importer
from reviewer.store import Store
with Store(Path(sys.argv[2])) as store:
    report = Importer(store, max_bytes=1 << 30, detect=sys.argv[4] == "detect", workers=int(sys.argv[5])).run([Path(sys.argv[3])])
print(json.dumps({"files": [f.to_dict() for f in report.files], "skipped": report.skipped, "notices": report.notices}))
"""
VALIDATE = """
import sys
sys.path.insert(0, sys.argv[1])
from reviewer.cli import main
sys.argv = ["reviewer", "validate", "--json", sys.argv[2]]
main()
"""

# Each table as rows in a stable order, without what the store stamps (import times, row ids).
TABLES = {
    "trajectories": "select * from trajectories order by id",
    "steps": "select * from steps order by trajectory_id, idx",
    "file_edits": "select * from file_edits order by trajectory_id, ord",
    "originals": "select sha256, file_name, size, data from originals order by sha256",
    "suggestions": "select trajectory_id, rater, source, codes, verdict, intent, severity, confidence, evidence,"
    " explanation, details from suggestions order by trajectory_id, rater, source, codes, evidence",
}


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table, sql in TABLES.items():
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = []
        for row in cursor:
            d = dict(zip(names, row, strict=True))
            d.pop("imported_at", None)
            if table == "originals":
                d["data"] = zlib.decompress(d["data"])
            rows.append(tuple(d.items()))
        out[table] = rows
    conn.close()
    return out


def synthetic(folder: Path) -> list[Path]:
    """Native files in every shape a reader could take a shortcut on, and each generator's format."""
    from bench.import_bench import available, write_native, writer
    from reviewer.synthetic import trajectory

    roots = []
    native = folder / "native"
    write_native(native, 70, 30)  # 64 files or more: read by workers too
    rng = random.Random(7)
    samples = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "sample_data").glob("*.json"))]
    samples = [s for s in samples if "steps" in s] + [trajectory(i, 12) for i in range(4)]
    for k, t in enumerate(samples):
        v1 = json.loads(json.dumps(t))  # written before edits had op/status and runs were recorded
        v1.update(schema_version=1, id=f"v1-{k}")
        v1.pop("test_runs", None)
        for e in v1.get("file_edits", []):
            for key in ("op", "status", "from_path"):
                e.pop(key, None)
        (native / f"v1-{k}.json").write_text(json.dumps(v1), encoding="utf-8")
        odd = json.loads(json.dumps(t))  # keys in other orders, defaults left out, optional nulls written
        odd["id"] = f"odd-{k}"
        for key in ("agent", "outcome", "metadata", "file_edits", "final_patch"):
            if rng.random() < 0.5:
                odd.pop(key, None)
        for s in odd["steps"]:
            calls = s.get("tool_calls") or []
            for j, c in enumerate(calls):
                choice = rng.randrange(4)
                if choice == 0:
                    c.pop("arguments", None)
                elif choice == 1:
                    c["raw_arguments"] = None
                elif choice == 2:
                    c.update(parse_error="not JSON", raw_arguments="{oops")
                else:
                    calls[j] = dict(reversed(list(c.items())))
            if rng.random() < 0.3:
                s["metadata"] = {} if rng.random() < 0.5 else {"n": rng.randrange(10**30)}
            if s.get("tool_result") and rng.random() < 0.5:
                s["tool_result"].pop("is_error", None)
            for key in ("thinking", "timestamp", "text"):
                if rng.random() < 0.3:
                    s.pop(key, None)
        keys = list(odd)
        rng.shuffle(keys)
        (native / f"odd-{k}.json").write_text(json.dumps({key: odd[key] for key in keys}), encoding="utf-8")
    lines = [json.dumps({**trajectory(i, 8), "id": f"line-{i}"}) for i in range(5)]
    (native / "several.jsonl").write_text("\n".join([*lines[:2], "{broken", *lines[2:]]) + "\n", encoding="utf-8")
    roots.append(native)
    for fmt in available():
        if fmt != "native":
            (folder / fmt).mkdir(parents=True)
            writer(fmt)(folder / fmt, 6, 20)
            roots.append(folder / fmt)
    return roots


def _run(code: Path, script: str, *args: str) -> str:
    command = [sys.executable, "-c", script, str(code), *args]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""}, timeout=300)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{code}: {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def outcome(code: Path, root: Path, db: Path, detect: bool, workers: int) -> tuple[Any, Any]:
    args = (str(db), str(root), "detect" if detect else "no", str(workers))
    try:
        report = json.loads(_run(code, IMPORT, *args))
    except subprocess.TimeoutExpired:  # seen once, with main's code: a forked worker stuck on a lock at its start
        print(f"{code}: import {root} with {workers} processes hung for 300 s: tried again", file=sys.stderr)
        for leftover in db.parent.glob(db.name + "*"):
            leftover.unlink()
        report = json.loads(_run(code, IMPORT, *args))
    return report, _dump(db)


def compare(name: str, mine: Any, theirs: Any) -> int:
    if mine == theirs:
        return 0
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return sum(compare(f"{name}.{key}", mine.get(key), theirs.get(key)) for key in sorted(set(mine) | set(theirs)))
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return sum(compare(f"{name}[{k}]", a, b) for k, (a, b) in enumerate(zip(mine, theirs, strict=True)))
    print(f"DIFFERENT {name}:\n  here:    {str(mine)[:400]}\n  against: {str(theirs)[:400]}")
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--quick", action="store_true", help="workers only, detectors off")
    parser.add_argument("--only", default="", help="the roots whose path holds this text")
    args = parser.parse_args()
    real = [ROOT.parent / "shared" / "samples", ROOT / "tests" / "fixtures", ROOT / "tests" / "bad_inputs", ROOT / "sample_data"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        roots = [r for r in [*real, *synthetic(work / "synthetic")] if r.exists() and args.only in str(r)]
        modes = [(False, 2)] if args.quick else [(False, 1), (False, 2), (True, 2)]
        differences = rows = 0
        for n, root in enumerate(roots):
            for detect, workers in modes:
                tag = f"{root} ({'detectors' if detect else '--no-detect'}, {workers} process{'es' if workers > 1 else ''})"
                here = outcome(ROOT, root, work / f"here{n}{detect}{workers}.db", detect, workers)
                there = outcome(args.against.resolve(), root, work / f"there{n}{detect}{workers}.db", detect, workers)
                found = compare(f"{tag} report", here[0], there[0]) + compare(f"{tag} tables", here[1], there[1])
                rows += sum(map(len, here[1].values()))
                imported = sum(len(f["imported"]) for f in here[0]["files"])
                errors = sum(len(f["errors"]) for f in here[0]["files"])
                print(
                    f"{'same' if not found else f'{found} DIFFERENCES'}: {tag}: {imported} imported, {errors} error lines,"
                    f" {sum(map(len, here[1].values()))} rows"
                )
                differences += found
            validated = (_run(ROOT, VALIDATE, str(root)), _run(args.against.resolve(), VALIDATE, str(root)))
            differences += compare(f"{root} validate", *validated)
    print(f"{rows} rows compared; {differences} differences")
    raise SystemExit(1 if differences else 0)


if __name__ == "__main__":
    main()
