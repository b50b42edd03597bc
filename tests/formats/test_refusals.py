"""An editor's refusal read in its own words, the way every importer's results are judged."""

from __future__ import annotations

import pytest

from reviewer.formats.refusals import refused, reports_created
from reviewer.model import ToolCall

EDITOR = ToolCall("c", "str_replace_editor", {"command": "str_replace", "path": "/r/a.py", "old_str": "a", "new_str": "b"})


@pytest.mark.parametrize(
    "output",
    [
        "ERROR:\nNo replacement was performed, old_str `a` did not appear verbatim in /r/a.py.",  # OpenHands
        "ERROR:\nInvalid `new_str` parameter: x. No replacement was performed.",
        "No replacement was performed. Multiple occurrences of old_str `a` in lines [1, 4]. Please ensure it is unique",
        "Parameter `old_str` is required for command: str_replace",
        "The path /r/a.py does not exist. Please provide a valid path.",
        "File already exists at: /r/a.py. Cannot overwrite files using command `create`.",
        "Error: mathlib.py is read-only",
        "<tool_use_error>String to replace not found in file.</tool_use_error>",
        "\n  Your proposed edit has introduced new syntax error(s). Please read this error message carefully",
        "Your edit was not applied (file not modified): Text 'x' not found in displayed lines.",
    ],
)
def test_editor_refusals(output: str) -> None:
    assert refused(EDITOR, output)


def test_the_not_applied_line_after_a_long_would_be_window() -> None:
    window = "".join(f"{n}:line {n}\n" for n in range(1, 80))
    output = f"Some linter preamble\n{window}Your changes have NOT been applied. Please fix your edit command and try again."
    assert refused(ToolCall("c", "edit", {"command": "edit\nx\nend_of_edit"}), output)


@pytest.mark.parametrize(
    "output",
    [
        "The file /r/a.py has been edited. Here's the result of running `cat -n` on a snippet of /r/a.py:",
        "File created successfully at: /r/a.py",
        "Text replaced. Please review the changes and make sure they are correct",
        "[File: /r/a.py (3 lines total)]\n1:ERROR: a line of the file\n",
        "<NOTE>Your edits have been applied, but the linter has found syntax errors.</NOTE>",
    ],
)
def test_successes_are_not_refusals(output: str) -> None:
    assert not refused(EDITOR, output)


def test_only_editor_calls_are_judged_by_their_words() -> None:
    """A program printing `ERROR:` says nothing about the call that ran it: exit codes do that."""
    assert not refused(ToolCall("c", "bash", {"command": "python run.py"}), "ERROR: the build failed")
    assert refused(
        ToolCall("c", "Write", {"file_path": "x", "content": "y"}), "<tool_use_error>File has not been read yet.</tool_use_error>"
    )
    assert refused(ToolCall("c", "anything", {"command": "create", "path": "/x", "file_text": ""}), "ERROR:\nexists")


def test_created_reports() -> None:
    assert reports_created("File created successfully at: /tmp/private/hello.py")
    assert not reports_created("The file /tmp/private/hello.py has been updated.")
