"""File edits rebuilt from tool calls, shell writes and patches; unknown before-states stay unknown."""

from __future__ import annotations

from reviewer.edits import diff_text
from reviewer.formats.edit_reconstruction import FileTracker, edits_from_patch
from reviewer.model import ToolCall

GIT_PATCH = (
    "\r\ndiff --git a/src/calc.py b/src/calc.py\r\n--- a/src/calc.py\r\n+++ b/src/calc.py\r\n@@ -1 +1 @@\r\n-a = 1\r\n+a = 2\r\n"
    "diff --git a/tests/test_calc.py b/tests/test_calc.py\r\ndeleted file mode 100644\r\n--- a/tests/test_calc.py\r\n"
    "+++ /dev/null\r\n@@ -1 +0,0 @@\r\n-assert a == 1\r\n"
)


def editor(command: str, path: str, **kw: object) -> ToolCall:
    return ToolCall("c", "str_replace_editor", {"command": command, "path": path, **kw})


def test_create_then_str_replace_gives_full_before_and_after() -> None:
    t = FileTracker()
    (created,) = t.edits_for(editor("create", "src/a.py", file_text="x = 1\ny = 2\n"), 3)
    assert (created.before, created.after, created.source, created.step, created.op) == (
        "",
        "x = 1\ny = 2\n",
        "tool_call",
        3,
        "create",
    )
    assert created.diff.startswith("--- a/src/a.py\n+++ b/src/a.py\n@@ -0,0 +1,2 @@\n+x = 1\n")
    (replaced,) = t.edits_for(editor("str_replace", "src/a.py", old_str="y = 2", new_str="y = 3"), 5)
    assert (replaced.before, replaced.after) == ("x = 1\ny = 2\n", "x = 1\ny = 3\n")
    assert "-y = 2\n+y = 3\n" in replaced.diff
    (inserted,) = t.edits_for(editor("insert", "src/a.py", insert_line=1, new_str="z = 0"), 6)
    assert inserted.after == "x = 1\nz = 0\ny = 3\n"
    assert (replaced.op, inserted.op) == ("modify", "modify")


def test_edit_of_an_unseen_file_keeps_only_the_snippet() -> None:
    (edit,) = FileTracker().edits_for(editor("str_replace", "/repo/b.py", old_str="old()", new_str="new()"), 2)
    assert edit.before is None and edit.after is None
    assert edit.diff == "--- /repo/b.py\n+++ /repo/b.py\n@@ position unknown @@\n-old()\n+new()\n"


def test_views_and_unknown_tools_edit_nothing() -> None:
    t = FileTracker()
    assert t.edits_for(editor("view", "src/a.py"), 1) == []
    assert t.edits_for(ToolCall("c", "search", {"query": "x"}), 1) == []
    assert t.edits_for(ToolCall("c", "bash", {"command": "python -m pytest -q"}), 1) == []


def test_claude_code_write_edit_multiedit() -> None:
    t = FileTracker()
    (write,) = t.edits_for(ToolCall("c", "Write", {"file_path": "m.py", "content": "a\nb\n"}), 1)
    assert (write.before, write.after, write.op) == (None, "a\nb\n", None)  # a Write alone does not say whether m.py existed
    (edit,) = t.edits_for(ToolCall("c", "Edit", {"file_path": "m.py", "old_string": "a", "new_string": "A"}), 2)
    assert edit.after == "A\nb\n"
    multi = t.edits_for(
        ToolCall(
            "c",
            "MultiEdit",
            {"file_path": "m.py", "edits": [{"old_string": "A", "new_string": "1"}, {"old_string": "b", "new_string": "2"}]},
        ),
        3,
    )
    assert [e.after for e in multi] == ["1\nb\n", "1\n2\n"]


def test_shell_heredocs_appends_sed_and_git_apply() -> None:
    script = (
        "cd /x && cat > conftest.py <<'EOF'\nimport pytest\nEOF\n"
        "cat >> conftest.py << EOF\nX = 1\nEOF\n"
        "sed -i 's/assert x == 1/assert True/' tests/test_x.py && python -m pytest\n"
        "cat <<EOF > notes.txt\nhi\nEOF\n"
        "git apply <<'PATCH'\ndiff --git a/c.py b/c.py\n--- a/c.py\n+++ b/c.py\n@@ -1 +1 @@\n-a\n+b\nPATCH\n"
        "python3 <<EOF\nprint('not an edit')\nEOF\n"
    )
    edits = FileTracker().shell_edits(script, 4)
    assert [(e.path, e.source, e.op) for e in edits] == [
        ("/x/conftest.py", "bash", None),
        ("/x/conftest.py", "bash", "modify"),
        ("/x/tests/test_x.py", "bash", "modify"),
        ("/x/notes.txt", "bash", None),
        ("/x/c.py", "bash", "modify"),
    ]  # fmt: skip  (after `cd /x`, relative paths are under /x)
    write, append, sed, _notes, patch = edits
    assert write.before is None and write.after == "import pytest\n"
    assert append.before == "import pytest\n" and append.after == "import pytest\nX = 1\n"
    assert sed.before is None and sed.after is None and sed.diff is None
    assert "edited in place" in diff_text(sed) and "step 4" in diff_text(sed)
    assert patch.diff.startswith("diff --git a/c.py b/c.py")


def test_apply_patch_envelope() -> None:
    patch = (
        "*** Begin Patch\n*** Update File: q.py\n@@ def f\n-    return 1\n+    return 2\n"
        "*** Add File: tests/new_test.py\n+def test():\n+    pass\n*** Delete File: old.py\n*** End Patch"
    )
    update, add, delete = FileTracker().edits_for(ToolCall("c", "apply_patch", {"input": patch}), 7)
    assert update.path == "q.py" and "-    return 1\n+    return 2\n" in update.diff and update.before is None
    assert add.path == "tests/new_test.py" and add.before == "" and add.after == "def test():\n    pass\n"
    assert delete.path == "old.py" and delete.diff == "--- a/old.py\n+++ /dev/null\n"
    assert [e.op for e in (update, add, delete)] == ["modify", "create", "delete"]


def test_submission_patch_split_per_file_with_crlf_and_leading_blank_line() -> None:
    calc, test = edits_from_patch(GIT_PATCH, 12)
    assert (calc.path, calc.step, calc.source) == ("src/calc.py", 12, "submission")
    assert calc.diff.startswith("diff --git a/src/calc.py") and "\r" not in calc.diff and "+a = 2\n" in calc.diff
    assert test.path == "tests/test_calc.py" and "+++ /dev/null" in test.diff
    assert (calc.op, test.op, test.after) == ("modify", "delete", "")


def test_plain_unified_diff_without_git_headers() -> None:
    (edit,) = edits_from_patch("--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n", 0)
    assert edit.path == "x.go" and edit.diff.endswith("+b\n")
    assert edits_from_patch("no diff here", 0) == []


def test_echo_redirects_write_and_append() -> None:
    t = FileTracker()
    write, append = t.shell_edits("echo 'Hello, world!' > hello.txt; echo -n more >> hello.txt", 2)
    assert (write.path, write.after, write.before) == ("hello.txt", "Hello, world!\n", None)
    assert append.before == "Hello, world!\n" and append.after == "Hello, world!\nmore"
    assert t.shell_edits("echo $PATH | grep bin", 2) == []
    assert t.shell_edits("echo done 2>&1", 2) == []
    assert t.shell_edits("echo x 2>/dev/null; echo y >/dev/null", 2) == []
