"""Format plugins: the example plugin of docs/example_plugin, registered for a run through a test entry
point (a `*.dist-info` folder with `entry_points.txt` on the path, as pip would install it), and broken
plugins reported in one line each while the built-in formats keep working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reviewer.jsonio import Document
from reviewer.model import Trajectory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "example_plugin"
NATIVE = ROOT / "sample_data" / "honest-fix.json"
TRANSCRIPT = """# transcript: fix-add
## user
Make the tests pass.
## assistant
Running them first.
$ pytest -q
## tool
1 failed
## assistant
Fixing add().
$ echo 'def add(a, b): return a + b' > calc.py
## tool

## assistant
Done.
"""


def install(site: Path, dist: str, version: str, entries: dict[str, str]) -> None:
    """What pip leaves for a package's entry points: a dist-info folder that importlib.metadata finds."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[reviewer.formats]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()), encoding="utf-8"
    )


def reviewer(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(EXAMPLE)])}
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, env=env, timeout=120)


def test_the_example_format_reads_a_transcript(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(EXAMPLE))
    from reviewer_transcript import TranscriptFormat  # type: ignore[import-not-found]

    path = tmp_path / "run.transcript.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    [(_, t)] = list(TranscriptFormat().read(Document(path, path.read_bytes())))
    assert isinstance(t, Trajectory) and t.id == "fix-add" and t.task.prompt == "Make the tests pass."
    assert [s.role for s in t.steps] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert t.steps[2].tool_result is not None and t.steps[2].tool_result.call_id == t.steps[1].tool_calls[0].id
    assert [(e.path, e.after) for e in t.file_edits] == [("calc.py", "def add(a, b): return a + b\n")]


def test_an_installed_plugin_is_listed_with_its_origin_and_imports(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install(site, "reviewer-transcript", "0.1.0", {"transcript": "reviewer_transcript:TranscriptFormat"})
    listed = reviewer(site, "formats", "--json")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    found = json.loads(listed.stdout)
    assert found["problems"] == [] and found["formats"][0] == {
        "name": "native",
        "origin": "built-in",
        "suffixes": [".json", ".jsonl", ".ndjson"],
    }
    assert found["formats"][-1] == {
        "name": "transcript",
        "origin": "plugin reviewer-transcript 0.1.0 (reviewer_transcript:TranscriptFormat)",
        "suffixes": [".transcript.txt"],
    }
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "run.transcript.txt").write_text(TRANSCRIPT, encoding="utf-8")
    validated = reviewer(site, "validate", str(runs), "--json")
    assert validated.returncode == 0, validated.stderr
    [file] = json.loads(validated.stdout)["files_detail"]
    assert (file["format"], file["imported"]) == ("transcript", ["fix-add"])


BROKEN = {
    "gone": "no_such_module:Format",
    "notaformat": "json:dumps",
    "clash": "plugin_fixtures:Clash",
    "angry": "plugin_fixtures:Angry",
}
FIXTURE_MODULE = """
class Clash:
    name = "native"
    suffixes = (".json",)

    def sniff(self, doc):
        return False

    def read(self, doc):
        return iter(())


class Angry:
    name = "angry"
    suffixes = (".json",)

    def sniff(self, doc):
        raise RuntimeError("sniffing\\nbroke")

    def read(self, doc):
        return iter(())
"""


def test_broken_plugins_are_one_line_each_and_stop_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install(site, "broken-formats", "2.0", BROKEN)
    (site / "plugin_fixtures.py").write_text(FIXTURE_MODULE, encoding="utf-8")
    listed = reviewer(site, "formats")
    assert listed.returncode == 0
    errors = listed.stderr.splitlines()
    assert errors == [
        "error: plugin format 'clash' from plugin broken-formats 2.0 (plugin_fixtures:Clash): the name 'native' is "
        "already taken: left out",
        "error: plugin format 'gone' from plugin broken-formats 2.0 (no_such_module:Format): cannot load "
        "(ModuleNotFoundError: No module named 'no_such_module')",
        "error: plugin format 'notaformat' from plugin broken-formats 2.0 (json:dumps): not a format: it needs a "
        "`name` of letters, digits, '_', '.' or '-'",
    ]
    assert "native" in listed.stdout and "angry" in listed.stdout
    unknown = tmp_path / "runs" / "other.json"
    unknown.parent.mkdir()
    unknown.write_text('{"nothing": "known"}', encoding="utf-8")
    (tmp_path / "runs" / "honest-fix.json").write_bytes(NATIVE.read_bytes())
    validated = reviewer(site, "validate", str(tmp_path / "runs"), "--json")
    report = json.loads(validated.stdout)
    by_name = {Path(f["path"]).name: f for f in report["files_detail"]}
    assert by_name["honest-fix.json"]["format"] == "native" and by_name["honest-fix.json"]["imported"]
    assert "unknown format" in by_name["other.json"]["errors"][0]
    said = [line for line in validated.stderr.splitlines() if "angry" in line]
    assert said == [
        "skipped: plugin format 'angry' from plugin broken-formats 2.0 (plugin_fixtures:Angry): failed while "
        "sniffing (RuntimeError: sniffing broke): left out"
    ]
