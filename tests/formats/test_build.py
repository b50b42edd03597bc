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
    assert parse_arguments("{not json") == ({}, "{not json", "arguments are not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")
    assert parse_arguments("[1, 2]") == ({"value": [1, 2]}, "[1, 2]", None)
