"""reviewer.unidiff, the one reader of unified diffs: the app's classification (lenient, for showing)
and edit reconstruction's parse (strict, for content) read a diff's lines the same way, on a real
patch (SWE-agent's pydicom__pydicom-1458 submission, tests/fixtures/swe-agent, MIT) and on the
traps: `--- x` and `+++ y` inside a hunk, a placeless hunk, a cut-short one."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.formats.edit_reconstruction import snippet_diff
from reviewer.formats.search_replace import Block, blocks_diff
from reviewer.formats.windows import Window, edit_between
from reviewer.unidiff import (
    LineKind,
    change_counts,
    classify,
    header_path,
    hunk_header,
    hunk_lengths,
    parse_hunks,
    patch_paths,
    piece,
    split_files,
)

PATCH = json.loads((Path(__file__).parent / "fixtures/swe-agent/pydicom__pydicom-1458.traj").read_text())["info"]["submission"]
BODY = {LineKind.CONTEXT: " ", LineKind.ADDED: "+", LineKind.REMOVED: "-", LineKind.NOTE: "\\"}


def test_classify_and_parse_read_a_real_patch_alike() -> None:
    (chunk,) = split_files(PATCH)
    parsed = parse_hunks(chunk)
    assert parsed is not None
    hunks, _ = parsed
    lines = chunk.splitlines()
    kinds = classify(lines)
    shown = [line for line, kind in zip(lines, kinds, strict=True) if kind in BODY]
    assert shown == [line or " " for hunk in hunks for line in hunk.lines]  # the same body lines, in order
    assert [k for k in kinds if k not in BODY][:4] == [LineKind.HEADER] * 4 and kinds.count(LineKind.HUNK) == len(hunks)
    assert change_counts(chunk) == (3, 2)  # by hand: the two required_elements lines out, three in
    assert patch_paths(PATCH) == ["pydicom/pixel_data_handlers/numpy_handler.py"] == [piece(chunk).path]


def test_header_lines_inside_a_hunk_are_changes() -> None:
    diff = "--- a/x.sql\n+++ b/x.sql\n@@ -1,2 +1,2 @@\n--- a comment\n+++ another\n keep\n"
    assert classify(diff.splitlines()) == [
        LineKind.HEADER, LineKind.HEADER, LineKind.HUNK, LineKind.REMOVED, LineKind.ADDED, LineKind.CONTEXT
    ]  # fmt: skip
    parsed = parse_hunks(diff)
    assert parsed is not None and parsed[0][0].lines == ("--- a comment", "+++ another", " keep")
    assert patch_paths(diff) == ["x.sql"] and header_path("+++ b/x.sql\t2024-01-01") == "x.sql"


def test_a_cut_short_hunk_is_shown_but_gives_no_content() -> None:
    cut = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n"
    assert classify(cut.splitlines())[3:] == [LineKind.CONTEXT, LineKind.REMOVED]
    assert parse_hunks(cut) is None


def test_what_reconstruction_writes_reads_back() -> None:
    """Hunk headers written by windowed edits, and placeless hunks of snippets and search/replace blocks."""
    assert hunk_header(3, 0, 4, 2) == "@@ -2,0 +4,2 @@\n" and hunk_lengths("@@ -2,0 +4,2 @@") == (2, 0, 4, 2)
    assert hunk_lengths("@@ -7 +7 @@ def f():") == (7, 1, 7, 1) and hunk_lengths("@@ position unknown @@") is None
    before = Window("f.py", 20, 5, tuple(f"line {n}" for n in range(5, 15)))
    after = Window("f.py", 21, 5, tuple(f"line {n}" for n in range(5, 9)) + ("new",) + tuple(f"line {n}" for n in range(9, 15)))
    edit = edit_between("f.py", before, after)
    assert edit is not None and parse_hunks(edit.diff) is not None and change_counts(edit.diff) == (1, 0)
    for diff in (snippet_diff("f.py", "old\n", "new\n", "insert after line 3"), blocks_diff("f.py", [Block("a", "b")])):
        kinds = classify(diff.splitlines())
        assert kinds == [LineKind.HEADER, LineKind.HEADER, LineKind.HUNK, LineKind.REMOVED, LineKind.ADDED], diff
