"""Bad input: one clear line naming file and place, the batch carries on, the store keeps nothing of it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reviewer.synthetic import trajectory

from .conftest import BAD_INPUTS, Cli

# file -> (place the error must name, words the message must contain)
CORPUS: dict[str, tuple[str, str]] = {
    "malformed.json": ("1:44", "invalid JSON"),
    "truncated.json": ("65:1", "invalid JSON"),
    "empty.json": ("1:1", "empty file"),
    "whitespace_only.json": ("1:1", "empty file"),
    "wrong_schema_version.json": ("/schema_version", "3 is not one of [1, 2]"),
    "wrong_types.json": ("/steps/2/index", "not of type 'integer'"),
    "missing_required.json": ("/", "'task' is a required property"),
    "missing_step_role.json": ("/steps/1", "'role' is a required property"),
    "zero_steps.json": ("/steps", "should be non-empty"),
    "bad_role.json": ("/steps/3/role", "'robot' is not one of"),
    "unpaired_tool_result.json": ("/steps/2/tool_result/call_id", "no earlier tool call"),
    "out_of_order_steps.json": ("/steps/4/index", "out of order"),
    "edit_step_out_of_range.json": ("/file_edits/0/step", "edit points at step 40"),
    "unknown_field.json": ("/", "'trajectory_tags' was unexpected"),
    "control_char_id.json": ("/id", "does not match"),
    "duplicate_ids.jsonl": ("2:/id", "duplicate trajectory id 'dup'"),
    "jsonl_bad_line.jsonl": ("2:110", "invalid JSON"),
    "non_utf8.json": ("9", "not valid UTF-8"),
    "nul_bytes.json": ("byte 300", "NUL byte"),
    "binary.json": ("byte 8", "NUL byte"),
    "deep_nesting.json": ("1:4845", "nested deeper than 500"),
    "huge_float.json": ("1:524", "too large"),
    "huge_int.json": ("1:491", "5,000 digits is too large"),
    "out_of_range_count.json": ("/outcome/tests_passed", "greater than the maximum"),
    "nan.json": ("1:524", "NaN is not valid JSON"),
    "unknown_format.json": ("", "unknown format"),
    "unknown_format_list.json": ("", "unknown format"),
    "bare_string.json": ("", "unknown format"),
}
# Trajectories that are fine inside otherwise bad multi-record files.
PARTIAL = {"duplicate_ids.jsonl": {"dup"}, "jsonl_bad_line.jsonl": {"jsonl-ok-1", "jsonl-ok-3"}}


def snapshot(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"select * from {t} order by 1, 2").fetchall()
            for t in ("trajectories", "steps", "file_edits", "labels", "label_events")
        }
    finally:
        conn.close()


def test_corpus_covers_at_least_twenty_kinds() -> None:
    assert len(CORPUS) >= 20
    assert set(CORPUS) | {"label_pack_bad.jsonl"} == {p.name for p in BAD_INPUTS.iterdir()}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_file_gives_one_line_naming_file_and_place(name: str, cli: Cli, write_trajectory) -> None:
    good = write_trajectory(trajectory(42, 6), "good.json")
    assert cli("import", str(good)).exit_code == 0
    before = snapshot(cli.db)
    bad = BAD_INPUTS / name
    result = cli("import", str(bad), str(good), "--json")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors, result.stderr
    place, words = CORPUS[name]
    prefix = f"error: {bad}:{place}:" if place else f"error: {bad}: "
    assert errors[0].startswith(prefix), errors[0]
    assert words in errors[0]
    assert "\x1b" not in result.stderr and "\x00" not in result.stderr
    summary = json.loads(result.stdout)
    good_report = next(f for f in summary["files_detail"] if f["path"] == str(good))
    assert good_report["duplicates"] == [trajectory(42, 6)["id"]] and good_report["errors"] == []
    after = snapshot(cli.db)
    ids_after = {row[0] for row in after["trajectories"]}
    assert ids_after - {row[0] for row in before["trajectories"]} == PARTIAL.get(name, set())
    if name not in PARTIAL:
        assert after == before


def test_file_over_the_size_limit(cli: Cli, write_trajectory) -> None:
    path = write_trajectory(trajectory(1, 30))
    size = path.stat().st_size
    result = cli("import", str(path), "--max-bytes", str(size - 1))
    assert result.exit_code == 1
    assert f"error: {path}: file is {size:,} bytes, over the {size - 1:,}-byte limit" in result.stderr
    env_result = cli("import", str(path), env={"REVIEWER_MAX_FILE_BYTES": "100"})
    assert env_result.exit_code == 1 and "over the 100-byte limit" in env_result.stderr
    assert cli("import", str(path), env={"REVIEWER_MAX_FILE_BYTES": "lots"}).exit_code == 2
    assert cli("import", str(path)).exit_code == 0


def test_ten_megabyte_single_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "one_line.json"
    path.write_text('{"schema_version": 1, "id": "big", "task": {"prompt": "' + "A" * 10_000_000)
    result = cli("import", str(path))
    assert result.exit_code == 1
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert line.startswith(f"error: {path}:1:") and "Unterminated string" in line and len(line) < 400


def test_ten_megabyte_text_in_a_valid_trajectory_imports(cli: Cli, write_trajectory) -> None:
    data = trajectory(3, 4)
    data["steps"][1]["text"] = "x" * 10_000_000
    path = write_trajectory(data)
    assert cli("import", str(path)).exit_code == 0
    assert cli("show", data["id"], "--json").stdout.count("x" * 1000) >= 1


def test_bad_label_pack_lines(cli: Cli, write_trajectory) -> None:
    base = trajectory(1, 6, seed=7)
    base["id"] = "bad-base"  # the trajectory the pack's lines point at
    assert cli("import", str(write_trajectory(base))).exit_code == 0
    pack = BAD_INPUTS / "label_pack_bad.jsonl"
    result = cli("labels", "import", str(pack))
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 4
    assert errors[0].startswith(f"error: {pack}:1: ") and "verdict: unknown code 'cheeta'" in errors[0]
    assert errors[1].startswith(f"error: {pack}:2: ") and "unknown trajectory 'no-such-trajectory'" in errors[1]
    assert errors[2].startswith(f"error: {pack}:3: ") and "intent: 9 is outside 0..4" in errors[2]
    assert errors[3].startswith(f"error: {pack}:4:") and "invalid JSON" in errors[3]
    assert cli("list", "--labelled", "--json").stdout.strip() == "[]"


def test_missing_path_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
