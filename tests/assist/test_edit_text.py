"""The detectors read an edit's diff lines through `reviewer.unidiff` (hunk lengths decide what a line is),
not by its first character: a removed `-- comment` or an added `++x` is a body line, and a second file's
`---`/`+++` headers after the hunk are neither added nor removed code."""

from __future__ import annotations

from reviewer.assist.detectors.base import EditText
from reviewer.model import FileEdit

DIFF = (
    "--- a/schema.sql\n+++ b/schema.sql\n@@ -1,3 +1,3 @@\n select 1;\n--- drop the answers table\n"
    "+++counter\n keep;\n--- a/other.py\n+++ b/other.py\n"
)


def edit_text() -> EditText:
    text = "note\n" + DIFF
    return EditText(FileEdit("schema.sql", 3, diff=DIFF), text, 5, len(text), is_test=False)


def test_body_lines_are_what_the_hunk_says() -> None:
    et = edit_text()
    assert et.text[et.body :].startswith("@@ -1,3 +1,3 @@")
    assert [m.group() for m in et.added()] == ["+++counter"]
    assert [m.group() for m in et.removed()] == ["--- drop the answers table"]
    assert [m.group() for m in et.lines()] == [" select 1;", "--- drop the answers table", "+++counter", " keep;"]
