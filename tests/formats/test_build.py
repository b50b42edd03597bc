"""The builder every importer uses: pairing results to calls, unique ids, edits, notes."""

from __future__ import annotations

from reviewer.formats.build import TrajectoryBuilder, parse_arguments, text_of
from reviewer.schemas import first_error


def test_results_pair_by_id_and_ids_stay_unique() -> None:
    b = TrajectoryBuilder()
    b.step("user", "fix it")
    first = b.call("0", "get_user", '{"id": 1}')
    second = b.call("0", "get_order", {"id": 2})
    b.step("assistant", None, calls=[first, second])
    one = b.result("0", "user 1")
    two = b.result("0", "order 2")
    assert (first.id, second.id) == ("0", "0#2")
    assert one.tool_result.call_id == "0" and two.tool_result.call_id == "0#2"
    assert first.arguments == {"id": 1} and first.raw_arguments == '{"id": 1}'
    t = b.build(id="t", prompt="fix it")
    assert first_error("trajectory.schema", t.to_dict()) is None


def test_results_without_ids_pair_in_order_and_unknown_ids_are_noted() -> None:
    b = TrajectoryBuilder()
    b.step("user", "task")
    calls = [b.call(None, "keystrokes", {"keystrokes": "ls\n"}), b.call(None, "keystrokes", {"keystrokes": "pwd\n"})]
    b.step("assistant", "", calls=calls)
    assert b.result(None, "a.txt").tool_result.call_id == calls[0].id
    assert b.result(None, "/root").tool_result.call_id == calls[1].id
    orphan = b.result("toolu_missing", "???")
    assert orphan.tool_result is None and orphan.metadata == {"unpaired_call_id": "toolu_missing"}
    t = b.build(id="t", prompt="task")
    assert t.metadata["import_notes"] == ["step 4: tool result for unknown call 'toolu_missing'"]


def test_failed_edit_calls_are_kept_failed_and_recorded_edits_win() -> None:
    from reviewer.model import FileEdit

    b = TrajectoryBuilder()
    b.step("user", "task")
    bad = b.call("a", "str_replace_editor", {"command": "create", "path": "x.py", "file_text": "1\n"})
    b.step("assistant", "", calls=[bad])
    b.result("a", "File already exists", is_error=True)
    good = b.call("b", "str_replace_editor", {"command": "create", "path": "y.py", "file_text": "2\n"})
    step = b.step("assistant", "", calls=[good])
    b.result("b", "ok")
    b.add_edit(FileEdit("y.py", step.index, "0\n", "2\n", None, "observation"))
    t = b.build(id="t", prompt="task", final_patch="--- a/z.py\n+++ b/z.py\n@@ -1 +1 @@\n-a\n+b\n")
    assert [(e.path, e.step, e.source, e.before, e.op, e.status) for e in t.file_edits] == [
        ("x.py", 1, "tool_call", "", "create", "failed"),  # what it attempted, marked failed
        ("y.py", 3, "observation", "0\n", "create", "applied"),  # the record wins; the call says create
        ("z.py", 4, "submission", None, "modify", "applied"),
    ]


def test_text_of_and_parse_arguments() -> None:
    assert text_of([{"type": "text", "text": "a"}, {"type": "image_url"}, "b"]) == "a\n[image]\nb"
    assert text_of(None) == "" and text_of({"text": "x"}) == "x"
    assert parse_arguments("{not json") == (
        {},
        "{not json",
        "arguments are not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    )
    assert parse_arguments("[1, 2]") == ({"value": [1, 2]}, "[1, 2]", None)


def editor_call(b: TrajectoryBuilder, call_id: str, command: str, **args: object) -> None:
    """An assistant step making one editor call on a.py."""
    b.step("assistant", "", calls=[b.call(call_id, "str_replace_editor", {"command": command, "path": "a.py", **args})])


def test_every_edit_takes_its_calls_status_and_a_failed_one_changes_no_known_content() -> None:
    b = TrajectoryBuilder()
    b.step("user", "task")
    editor_call(b, "1", "create", file_text="x = 1\ny = 1\n")
    b.result("1", "File created successfully at: a.py")
    editor_call(b, "2", "str_replace", old_str="x = 1", new_str="x = 2")
    b.result("2", "ERROR:\nInvalid `path` parameter: a.py.")  # no error flag: the editor's words say it
    editor_call(b, "3", "str_replace", old_str="y = 1", new_str="y = 3")
    b.result("3", "The file a.py has been edited.")
    editor_call(b, "4", "insert", insert_line=0, new_str="# top")  # no result came back
    t = b.build(id="t", prompt="task")
    assert [s.tool_result.is_error for s in t.steps if s.tool_result] == [False, True, False]
    assert [(e.step, e.op, e.status) for e in t.file_edits] == [
        (1, "create", "applied"),
        (3, "modify", "failed"),
        (5, "modify", "applied"),
        (7, "modify", "unknown"),
    ]
    created, refused, replaced, inserted = t.file_edits
    assert (refused.before, refused.after) == ("x = 1\ny = 1\n", "x = 2\ny = 1\n")  # what it attempted
    assert (replaced.before, replaced.after) == ("x = 1\ny = 1\n", "x = 1\ny = 3\n")  # x = 2 never happened
    assert inserted.after == "# top\nx = 1\ny = 3\n"


def test_a_write_whose_result_says_created_is_a_creation() -> None:
    b = TrajectoryBuilder()
    b.step("user", "task")
    for call_id, path in (("w1", "new.py"), ("w2", "old.py")):
        b.step("assistant", "", calls=[b.call(call_id, "Write", {"file_path": path, "content": "print(1)\n"})])
    b.result("w1", "File created successfully at: new.py")
    b.result("w2", "The file old.py has been updated.")
    new, old = b.build(id="t", prompt="task").file_edits
    assert (new.op, new.before, new.diff) == ("create", "", "--- a/new.py\n+++ b/new.py\n@@ -0,0 +1 @@\n+print(1)\n")
    assert (old.op, old.before, old.diff) == (None, None, None)  # whether old.py existed, the run does not say


def test_a_recorded_diff_keeps_whole_contents_only_where_the_reconstruction_agrees() -> None:
    """An observation that records only the tool's diff (real line numbers) wins over the call's
    reconstruction; the whole file stays known when both make the same change, and is forgotten when not."""
    from reviewer.edits import make_diff
    from reviewer.model import FileEdit

    b = TrajectoryBuilder()
    b.step("user", "task")
    editor_call(b, "1", "create", file_text="a\nb\nc\n")
    b.result("1", "File created successfully at: a.py")
    editor_call(b, "2", "str_replace", old_str="b", new_str="B")
    b.result("2", "The file a.py has been edited.")
    b.add_edit(FileEdit("a.py", 3, None, None, "--- a.py\n+++ a.py\n@@ -2 +2 @@\n-b\n+B\n", "observation"), "2")
    editor_call(b, "3", "str_replace", old_str="c", new_str="C")
    b.result("3", "The file a.py has been edited.")
    b.add_edit(FileEdit("a.py", 5, None, None, "--- a.py\n+++ a.py\n@@ -3 +3 @@\n-c\n+something else\n", "observation"), "3")
    editor_call(b, "4", "str_replace", old_str="a", new_str="A")
    b.result("4", "The file a.py has been edited.")
    _, agreed, disagreed, after = b.build(id="t", prompt="task").file_edits
    assert (agreed.source, agreed.op, agreed.before, agreed.after) == ("observation", "modify", "a\nb\nc\n", "a\nB\nc\n")
    assert agreed.diff == "--- a.py\n+++ a.py\n@@ -2 +2 @@\n-b\n+B\n" != make_diff("a.py", agreed.before, agreed.after)
    assert (disagreed.source, disagreed.before, disagreed.after) == ("observation", None, None)
    assert (after.before, after.after) == (None, None)  # the file is no longer known


def test_recorded_edits_of_a_step_with_several_calls_take_their_files_status() -> None:
    from reviewer.model import FileEdit

    b = TrajectoryBuilder()
    b.step("user", "task")
    calls = [b.call(f"c{k}", "Write", {"file_path": f"f{k}.py", "content": f"{k}\n"}) for k in range(2)]
    b.step("assistant", "", calls=calls)
    b.result("c0", "<tool_use_error>File has not been read yet.</tool_use_error>")
    b.result("c1", "ok")
    for k in range(2):
        b.add_edit(FileEdit(f"f{k}.py", 1, "", f"{k}\n", None, "observation"))
    assert [(e.path, e.source, e.status) for e in b.build(id="t", prompt="task").file_edits] == [
        ("f0.py", "observation", "failed"), ("f1.py", "observation", "applied")
    ]  # fmt: skip


def test_a_shell_command_that_fails_after_writing_leaves_its_edits_unknown_not_failed() -> None:
    """`cat > … <<EOF` then a failing test run: the write happened though the command failed."""
    b = TrajectoryBuilder()
    b.step("user", "task")
    script = "cat > tests/conftest.py <<'EOF'\nimport pytest\nEOF\npython -m pytest -q"
    b.step("assistant", "", calls=[b.call("1", "bash", {"command": script})])
    b.result("1", "1 failed", is_error=True)
    b.step("assistant", "", calls=[b.call("2", "bash", {"command": "cat >> tests/conftest.py <<'EOF'\nX = 1\nEOF"})])
    b.result("2", "")
    written, appended = b.build(id="t", prompt="task").file_edits
    assert (written.status, written.after) == ("unknown", "import pytest\n")
    assert (appended.status, appended.before, appended.after) == ("applied", "import pytest\n", "import pytest\nX = 1\n")
