"""Every real sample is recognised by its own importer, and a whole folder of them imports in one go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer import formats
from reviewer.jsonio import Document, InputError
from reviewer.schemas import first_error
from tests.conftest import Cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FOLDER_FORMAT = {
    "swe-agent": "swe-agent",
    "mini-swe-agent": "mini-swe-agent",
    "openhands": "openhands",
    "inspect_ai": "inspect_ai",
    "atif": "atif",
    "openai_chat": "openai_chat",
    "claude_code": "claude_code",
    "codex": "codex",
    "cline": "cline",
    "gemini_cli": "gemini_cli",
    "openhands_v1": "openhands_v1",
    "harbor": "harbor",
    "aider": "aider",
}
# Folder formats keep one folder per trajectory under their format's folder: every file in it a format could
# read is a sample (Harbor's logs and rewards are text: read only as part of their trial).
SAMPLES = sorted(
    p
    for folder in FOLDER_FORMAT
    for p in (FIXTURES / folder).rglob("*")
    if p.is_file() and p.name.endswith(tuple(formats.suffixes()))
)
# By content, a Harbor trial's agent/trajectory.json is ATIF (imported as part of its trial, through result.json).
CONTENT_FORMAT = {("harbor", "trajectory.json"): "atif"}
# A Harbor job's own config.json and result.json summarise its trials, which are the trajectories.
JOB_SUMMARIES = {FIXTURES / "harbor" / "2026-01-20__10-00-00" / name for name in ("config.json", "result.json")}


def format_of(path: Path) -> str:
    if not path.is_relative_to(FIXTURES):
        return "native"
    folder = path.relative_to(FIXTURES).parts[0]
    return CONTENT_FORMAT.get((folder, path.name), FOLDER_FORMAT[folder])


def test_every_format_has_real_samples() -> None:
    assert {p.relative_to(FIXTURES).parts[0] for p in SAMPLES} == set(FOLDER_FORMAT)


NATIVE = sorted((Path(__file__).resolve().parents[2] / "sample_data").glob("*.json"))


def claims(fmt: formats.TrajectoryFormat, doc: Document) -> bool:
    try:
        return fmt.sniff(doc)
    except InputError:  # not even readable the way this format reads (a zip as text): not claimed
        return False


@pytest.mark.parametrize("path", SAMPLES + NATIVE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_exactly_one_importer_claims_each_sample(path: Path) -> None:
    """Every sniffer is asked, not just the first that answers: a later format must not claim it either."""
    doc = Document(path, path.read_bytes())
    expected = format_of(path)
    assert [fmt.name for fmt in formats.formats() if claims(fmt, doc)] == [expected]
    assert formats.detect(doc).name == expected


def test_import_the_whole_fixture_tree_auto_detected(cli: Cli) -> None:
    result = cli("import", str(FIXTURES), "--json")
    summary = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    by_path = {Path(f["path"]): f for f in summary["files_detail"]}
    for path in SAMPLES:
        lead = formats.lead_file(path)
        read = by_path[lead or path]  # a folder is read once, through its lead file
        assert read["format"] == (FOLDER_FORMAT[path.relative_to(FIXTURES).parts[0]] if lead else format_of(path)), path
        # log_formats.json and .eval hold the same run: the second is a duplicate, not a new trajectory
        assert read["imported"] or read["duplicates"] or path in JOB_SUMMARIES, path
    for row in json.loads(cli("list", "--json").stdout):
        shown = json.loads(cli("show", row["id"], "--json").stdout)
        assert first_error("trajectory.schema", shown) is None, row["id"]
