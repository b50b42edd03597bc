"""Tables printed to a pipe or an 80-column terminal are read, not guessed: no cell cut to "fie…",
no line wider than the terminal; narrower still, columns are left out (and named), then one block
per row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from rich.text import Text

from reviewer.cli import main
from reviewer.cli.tables import Column, Listing
from tests.conftest import SAMPLE_DATA

ROOT = Path(__file__).resolve().parents[1]
IDS = sorted(p.stem for p in SAMPLE_DATA.glob("*.json"))


def rendered(listing: Listing, width: int) -> str:
    console = Console(width=width, record=True, file=open(os.devnull, "w"), color_system=None)  # noqa: SIM115
    console.print(listing)
    return console.export_text()


def wide_listing() -> Listing:
    listing = Listing(
        [Column("name"), Column("kind", drop=2), Column("notes", fold=True), Column("count", "right", drop=1), Column("status")],
        title="things", caption="a caption",
    )  # fmt: skip
    for i in range(4):
        listing.add_row(
            f"name-of-thing-{i}", "a-kind-of-thing", "free text " * 6 + "x" * 40, str(i * 1000), Text("[bold]ok[/bold]")
        )
    return listing


@pytest.mark.parametrize("width", range(24, 200, 11))
def test_a_listing_never_cuts_a_cell_and_never_overflows(width: int) -> None:
    text = rendered(wide_listing(), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text
    assert all(f"name-of-thing-{i}" in text for i in range(4)) and "[bold]ok[/bold]" in text  # whole, and never markup


def test_a_listing_leaves_out_droppable_columns_and_says_so_then_turns_to_blocks() -> None:
    wide, narrower, narrow = rendered(wide_listing(), 200), rendered(wide_listing(), 56), rendered(wide_listing(), 30)
    assert "a-kind-of-thing" in wide and "not shown" not in wide
    assert "not shown at this width: kind " in rendered(wide_listing(), 64)  # the most droppable first
    assert "not shown at this width: kind, count" in narrower and "a-kind-of-thing" not in narrower and "┃ name" in narrower
    assert (
        "┃" not in narrow and "  kind" in narrow and "a-kind-of-thing" in narrow and "3000" in narrow
    )  # every cell, one per line
    assert narrow.splitlines()[0] == "things" and narrow.rstrip().endswith("a caption")


def cli80(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", str(db), *args], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def piped(db: Path, *args: str) -> str:
    """The real command with its stdout a pipe and no COLUMNS: what `reviewer list | less` reads."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    result = subprocess.run(
        [sys.executable, "-m", "reviewer", "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def readable(text: str, width: int = 80) -> None:
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text, [line for line in text.splitlines() if "…" in line]


@pytest.mark.parametrize("run", [cli80, piped])
def test_list_and_agreement_at_80_columns(sample_db: Path, run) -> None:
    listing = run(sample_db, "list", "--adjudicator")
    readable(listing)
    assert all(tid in listing for tid in IDS) and "verdicts" in listing and "honest_failure" in listing
    report = run(sample_db, "agreement", "--bootstrap", "20")
    readable(report)
    assert "categories.report.misleading_comment" in report and "markers.mr.claim_mismatch" in report and "AC1" in report


@pytest.mark.parametrize(
    "args",
    [
        ["search", "test"],
        ["show", "conftest-report-patching"],
        ["assist"],
        ["assist", "evaluate"],
        ["list", "--stale", "--adjudicator"],
    ],
)
def test_every_other_table_command_at_80_columns(sample_copy_db: Path, tmp_path: Path, args: list[str]) -> None:
    runner = CliRunner()
    if args[:2] == ["list", "--stale"]:
        taxonomy = tmp_path / "v2.json"
        taxonomy.write_text(
            json.dumps({**json.loads((ROOT / "schemas" / "taxonomy.default.json").read_text()), "taxonomy_version": 2})
        )
        runner.invoke(main, ["--db", str(sample_copy_db), "init", "--taxonomy", str(taxonomy)])
    text = cli80(sample_copy_db, *args)
    assert max(len(line) for line in text.splitlines()) <= 80
    if args[0] == "search":  # FTS5 marks where a snippet was cut with its own "…": only those are allowed
        hits = json.loads(runner.invoke(main, ["--db", str(sample_copy_db), *args, "--json"]).stdout)
        assert text.count("…") == sum(h["snippet"].count("…") for h in hits)
        assert all(h["trajectory_id"] in text for h in hits)
    elif args != ["assist", "evaluate"]:  # the evaluation shortens long explanations to 100 characters on purpose
        readable(text)
    if args[:2] == ["list", "--stale"]:
        assert "22 labels made before taxonomy v2" in text and all(tid in text for tid in IDS)


def test_import_and_validate_summaries_at_80_columns(tmp_path: Path) -> None:
    for args in (["import", str(SAMPLE_DATA)], ["validate", str(SAMPLE_DATA)]):
        text = cli80(tmp_path / "p.db", *args)
        readable(text)
        files = "".join(line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│"))  # paths fold, whole
        assert all(
            str(path) in files for path in (SAMPLE_DATA / "labels" / "two_reviewers.jsonl", SAMPLE_DATA / "deleted-test.json")
        )


def test_at_40_columns_every_record_is_a_block(sample_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(sample_db), "list"], env={"COLUMNS": "40"})
    readable(result.stdout, 40)
    assert "┃" not in result.stdout and all(f"\n{tid}\n" in result.stdout for tid in IDS)
    assert "  model" in result.stdout and "claude-3-5-sonnet-20241022" in result.stdout
