"""An editor's refusal read in its own words, the way every importer's results are judged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.formats import editor_tools
from reviewer.formats.cline import ClineFormat
from reviewer.formats.gemini_cli import GeminiCliFormat
from reviewer.formats.refusals import refused, reports_created
from reviewer.model import ToolCall
from tests.formats.test_plugins import install

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


def test_a_formats_own_editors_are_declared_on_it(tmp_path: Path) -> None:
    """No list of other formats' editors to keep by hand: the registry gathers what each format declares,
    a plugin's included, and their refusals count as refusals."""
    assert ClineFormat.editor_tools | GeminiCliFormat.editor_tools <= editor_tools()
    assert refused(ToolCall("c", "replace", {"file_path": "a.py"}), "Error: could not find the string to replace")
    site = tmp_path / "site"
    install(site, "reviewer-zap", "1.0", {"zap": "zap_format:ZapFormat"})
    (site / "zap_format.py").write_text(
        "class ZapFormat:\n    name = 'zap'\n    suffixes = ('.zap',)\n    editor_tools = frozenset({'zap_file'})\n"
        "    def sniff(self, doc):\n        return False\n    def read(self, doc):\n        return iter(())\n",
        encoding="utf-8",
    )
    probe = (
        "from reviewer.formats.refusals import refused\nfrom reviewer.model import ToolCall\n"
        "print(refused(ToolCall('c', 'zap_file', {}), 'Error: zap refused'), refused(ToolCall('c', 'zip', {}), 'Error: x'))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout == "True False\n", result.stderr
