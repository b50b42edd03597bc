"""SEARCH/REPLACE blocks (Aider, Cline, Roo Code): parsed in each dialect, applied, undone only when unambiguous."""

from __future__ import annotations

from reviewer.formats.search_replace import Block, apply_blocks, blocks_diff, parse_blocks, undo_blocks

AIDER = "<<<<<<< SEARCH\ndef f():\n    return 1\n=======\ndef f():\n    return 2\n>>>>>>> REPLACE\n"
CLINE = "------- SEARCH\nx = 1\n=======\nx = 2\n+++++++ REPLACE\n------- SEARCH\ny = 1\n=======\n+++++++ REPLACE"
ROO = "<<<<<<< SEARCH\n:start_line:3\n-------\nold\n=======\nnew\n>>>>>>> REPLACE"


def test_each_dialect_parses() -> None:
    assert parse_blocks(AIDER) == ([Block("def f():\n    return 1\n", "def f():\n    return 2\n")], True)
    assert parse_blocks(CLINE) == ([Block("x = 1\n", "x = 2\n"), Block("y = 1\n", "")], True)
    assert parse_blocks(ROO) == ([Block("old\n", "new\n")], True)
    assert parse_blocks("<<<<<<< SEARCH\nx\n=======\ny\n") == ([], False)  # never closed


def test_apply_replaces_the_first_exact_occurrence_in_order() -> None:
    blocks, _ = parse_blocks(CLINE)
    assert apply_blocks("x = 1\ny = 1\nx = 1\n", blocks) == "x = 2\nx = 1\n"
    assert apply_blocks("x = 3\n", blocks) is None  # the tool would have refused
    assert apply_blocks("", [Block("", "new file\n")]) == "new file\n"


def test_undo_only_when_each_replacement_is_unique() -> None:
    blocks, _ = parse_blocks(AIDER)
    assert undo_blocks("def f():\n    return 2\n", blocks) == "def f():\n    return 1\n"
    assert undo_blocks("def f():\n    return 2\n" * 2, blocks) is None  # which one was it?
    assert undo_blocks("anything", [Block("gone\n", "")]) is None  # a deletion leaves nothing to find
    assert undo_blocks("a\nnew file\n", [Block("", "new file\n")]) == "a\n"


def test_blocks_diff_has_no_invented_line_numbers() -> None:
    diff = blocks_diff("src/a.py", [Block("x = 1\n", "x = 2\n")])
    assert diff == "--- a/src/a.py\n+++ b/src/a.py\n@@ position unknown @@\n-x = 1\n+x = 2\n"
