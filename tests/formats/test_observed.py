"""Diffs the workspace printed (`git diff`, `git show`, `diff -u`, a submit echoing the patch): kept as observed
edits, and used to fill in earlier edits whose content was unknown — never to replace known content."""

from __future__ import annotations

import pytest

from reviewer.formats.build import TrajectoryBuilder
from reviewer.formats.edit_reconstruction import FileTracker
from reviewer.formats.observed import BASE, OTHER, diff_kind
from reviewer.model import FileEdit, ToolCall

MODIFY = (
    "diff --git a/src/calc.py b/src/calc.py\nindex 1..2 100644\n--- a/src/calc.py\n+++ b/src/calc.py\n"
    "@@ -1,3 +1,3 @@\n a = 1\n-b = 2\n+b = 3\n c = 4\n"
)
NEW = (
    "diff --git a/gen.py b/gen.py\nnew file mode 100644\nindex 0000000..1\n--- /dev/null\n+++ b/gen.py\n@@ -0,0 +1,2 @@\n"
    "+x = 1\n+y = 2\n"
)
DELETED = "diff --git a/old.py b/old.py\ndeleted file mode 100644\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone = True\n"
PROMPT = "\n(Open file: /repo/src/calc.py)\n(Current directory: /repo)\nbash-$"


def bash(command: str) -> ToolCall:
    return ToolCall("c", "bash", {"command": command})


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("git diff", BASE),
        ("cd /repo && git add -A && git diff --cached", BASE),
        ("echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A && git diff --cached", BASE),
        ("git --no-pager diff HEAD -- src/calc.py", BASE),
        ("git diff | cat", BASE),
        ("git show HEAD", OTHER),
        ("git diff main", OTHER),
        ("git diff HEAD~1..HEAD", OTHER),
        ("diff -u a.py b.py", OTHER),
        ("git diff | head -20", None),  # cut short by head
        ("git diff > fix.patch", None),
        ("git diff --stat", None),
        ("git diff --name-only", None),
        ("diff a.py b.py", None),  # not a unified diff
        ("cat fix.diff", None),  # a file's content, not the workspace
        ("git diff 'unterminated", None),
    ],
)
def test_which_commands_print_a_diff_of_the_workspace(command: str, kind: str | None) -> None:
    assert diff_kind(bash(command), command) == kind


def test_observed_edits_per_file_with_ops_and_the_prompt_cut_off() -> None:
    edits = FileTracker().observe(bash("git add -A && git diff --cached"), MODIFY + NEW + DELETED + PROMPT, 9)
    assert [(e.path, e.op, e.source, e.status, e.step) for e in edits] == [
        ("src/calc.py", "modify", "observed", "applied", 9),
        ("gen.py", "create", "observed", "applied", 9),
        ("old.py", "delete", "observed", "applied", 9),
    ]
    modify, new, deleted = edits
    assert (modify.before, modify.after, modify.diff) == (None, None, MODIFY)
    assert (new.before, new.after) == ("", "x = 1\ny = 2\n")
    assert (deleted.before, deleted.after, deleted.diff) == (
        "gone = True\n",
        "",
        DELETED,
    )  # the prompt after it is not part of it


def test_a_diff_cut_short_is_dropped() -> None:
    truncated = MODIFY[: MODIFY.index("+b = 3")] + "\n[... output truncated ...]\n"
    assert FileTracker().observe(bash("git diff"), truncated + NEW, 3) == FileTracker().observe(bash("git diff"), NEW, 3)
    assert FileTracker().observe(bash("git diff"), "no diff at all", 3) == []


def test_a_sed_edit_gets_the_diff_of_the_commit_when_it_is_the_files_only_edit() -> None:
    t = FileTracker()
    (sed,) = t.shell_edits("sed -i 's/b = 2/b = 3/' src/calc.py", 2)
    t.observe(bash("git diff"), MODIFY, 5)
    assert (sed.before, sed.after, sed.diff) == (None, None, MODIFY)
    assert t.filled == [{"path": "src/calc.py", "step": 2, "from_step": 5, "filled": "diff"}]


def test_a_computed_write_of_a_new_file_gets_its_content() -> None:
    t = FileTracker(cwd="/repo")
    (write,) = t.python_edits("open('gen.py', 'w').write(make())", 2)
    assert write.path == "/repo/gen.py" and write.after is None
    t.observe(bash("git add -A && git diff --cached"), NEW, 4)  # the diff names it relative to the repository
    assert (write.before, write.after) == (None, "x = 1\ny = 2\n")
    assert t.content("/repo/gen.py") == "x = 1\ny = 2\n"
    (later,) = t.edits_for(
        ToolCall(
            "e", "str_replace_editor", {"command": "str_replace", "path": "/repo/gen.py", "old_str": "y = 2", "new_str": "y = 3"}
        ),
        6,
    )
    assert (later.before, later.after) == ("x = 1\ny = 2\n", "x = 1\ny = 3\n")  # what was learnt serves the next edit


def test_hunks_applied_to_the_content_before_the_run_fill_a_later_unknown_edit() -> None:
    t = FileTracker()
    t.note(FileEdit("src/calc.py", 1, "a = 1\nb = 2\nc = 4\n", "a = 1\nb = 2\nc = 4\n# note\n", None, "tool_call", "modify"))
    (sed,) = t.shell_edits("sed -i '$d' src/calc.py && sed -i 's/b = 2/b = 3/' src/calc.py", 2)[-1:]
    (observed,) = t.observe(bash("git diff"), MODIFY, 3)
    assert (observed.before, observed.after) == ("a = 1\nb = 2\nc = 4\n", "a = 1\nb = 3\nc = 4\n")
    assert sed.after == "a = 1\nb = 3\nc = 4\n" and sed.before is None and sed.diff is None  # before unknown: no diff made up
    assert t.filled == [{"path": "src/calc.py", "step": 2, "from_step": 3, "filled": "after"}]


def test_known_content_is_never_replaced_and_other_diffs_fill_nothing() -> None:
    t = FileTracker()
    (write,) = t.shell_edits("cat > gen.py <<'EOF'\nx = 0\nEOF", 1)
    t.observe(bash("git diff --cached"), NEW, 2)
    assert write.after == "x = 0\n"  # the write's own content stays (the file changed again unseen, or the diff is older)
    (sed,) = t.shell_edits("sed -i 's/b = 2/b = 3/' src/calc.py", 3)
    shown = t.observe(bash("git show HEAD"), MODIFY, 4)
    assert [e.source for e in shown] == ["observed"] and sed.diff is None and t.filled == []
    compared = t.observe(bash("diff -u calc_orig.py calc.py"), "--- calc_orig.py\n+++ calc.py\n@@ -1 +1 @@\n-a\n+b\n", 5)
    assert [(e.path, e.op, e.from_path) for e in compared] == [("calc.py", "modify", None)]  # two files compared, not a rename


def test_builder_keeps_observed_edits_drops_the_printed_submission_and_lists_fills() -> None:
    b = TrajectoryBuilder()
    b.step("user", "fix it")
    sed = b.call("1", "bash", {"command": "sed -i 's/b = 2/b = 3/' src/calc.py"})
    b.step("assistant", "", calls=[sed])
    b.result("1", "")
    look = b.call("2", "bash", {"command": "git diff"})
    b.step("assistant", "", calls=[look])
    b.result("2", MODIFY)
    submit = b.call("3", "submit", {})
    b.step("assistant", "", calls=[submit])
    b.result("3", MODIFY + PROMPT)
    t = b.build(id="t", prompt="fix it", final_patch=MODIFY)
    assert [(e.step, e.path, e.source) for e in t.file_edits] == [
        (1, "src/calc.py", "bash"), (4, "src/calc.py", "observed"), (6, "src/calc.py", "submission"),
    ]  # fmt: skip
    assert t.file_edits[0].diff == MODIFY
    assert t.metadata["edits_filled_from_observed_diffs"] == [
        {"path": "src/calc.py", "step": 1, "from_step": 4, "filled": "diff"}
    ]
