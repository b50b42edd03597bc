"""Evidence spans point into one canonical rendering of each step text."""

from __future__ import annotations

from reviewer.edits import diff_text, language_for, unified_diff
from reviewer.model import (
    EvidenceSpan,
    FileEdit,
    Step,
    Task,
    ToolCall,
    ToolResult,
    Trajectory,
)
from reviewer.spans import render_tool_calls, source_text, span_problem
from reviewer.test_paths import is_test_path


def make() -> Trajectory:
    return Trajectory(
        id="t",
        task=Task("fix it"),
        steps=[
            Step(0, "user", "fix it"),
            Step(
                1,
                "assistant",
                "I will edit",
                thinking="the test must be wrong",
                tool_calls=[
                    ToolCall(
                        "c1",
                        "str_replace_editor",
                        {"command": "create", "path": "tests/test_a.py", "file_text": "x = 1\ny = 2\n"},
                    ),
                    ToolCall("c2", "bash", {"command": "pytest -q", "timeout": 30}),
                ],
            ),
            Step(2, "tool", "1 passed", tool_result=ToolResult("c1")),
        ],  # fmt: skip
        file_edits=[FileEdit("tests/test_a.py", 1, "", "x = 1\ny = 2\n")],
        final_answer="All tests pass.",
    )


def test_tool_calls_render_strings_verbatim_and_other_values_as_json() -> None:
    text = render_tool_calls(make().steps[1].tool_calls)
    assert text == (
        "str_replace_editor\ncommand: create\npath: tests/test_a.py\nfile_text:\nx = 1\ny = 2\n"
        "\n\nbash\ncommand: pytest -q\ntimeout: 30"
    )


def test_source_text_for_each_source() -> None:
    t = make()
    assert source_text(t, 1, "thinking") == "the test must be wrong"
    assert source_text(t, 1, "text") == "I will edit"
    assert source_text(t, 2, "tool_output") == "1 passed"
    assert source_text(t, 1, "tool_output") is None
    assert source_text(t, 0, "tool_call") is None
    assert source_text(t, 1, "diff").startswith("--- a/tests/test_a.py\n+++ b/tests/test_a.py\n")
    assert source_text(t, 99, "final_answer") == "All tests pass."
    assert source_text(t, 7, "text") is None


def test_span_problem_checks_bounds_and_quote() -> None:
    t = make()
    text = source_text(t, 1, "thinking")
    start = text.index("must be wrong")
    assert span_problem(t, EvidenceSpan(1, "thinking", start, start + 13, "must be wrong")) is None
    assert "quote does not match" in span_problem(t, EvidenceSpan(1, "thinking", start, start + 13, "must be right"))
    assert "outside" in span_problem(t, EvidenceSpan(1, "thinking", 0, 999, "x"))
    assert "has no thinking" in span_problem(t, EvidenceSpan(0, "thinking", 0, 1, "x"))


def test_code_point_offsets_with_astral_characters() -> None:
    t = make()
    t.steps[1].text = "a😀b must"
    assert span_problem(t, EvidenceSpan(1, "text", 4, 8, "must")) is None


def test_unknown_before_state_is_said_not_invented() -> None:
    edit = FileEdit("src/a.py", 3, None, "new\n")
    assert unified_diff(edit) is None
    assert diff_text(edit).startswith("(before-state of src/a.py unknown")
    assert unified_diff(FileEdit("a.py", 0, "a", "b")).endswith("\\ No newline at end of file\n")


def test_test_and_grader_paths() -> None:
    for path in ("tests/test_x.py", "pkg/test_io.py", "conftest.py", "a/b/conftest.py", "pytest.ini", "tox.ini",
                 "foo_test.go", "src/x.test.ts", ".github/workflows/ci.yml", "setup.cfg", "grader.py"):  # fmt: skip
        assert is_test_path(path), path
    for path in ("src/parser.py", "contest.py", "latest/x.py", "README.md", "attest.go"):
        assert not is_test_path(path), path


def test_language_from_file_name() -> None:
    assert language_for("a/b.py") == "python"
    assert language_for("x_test.go") == "go"
    assert language_for("Makefile") == "make"
    assert language_for("noext") == "text"
