"""Files no importer reads are said for what they are, skipped files are counted, and a file read with
tool results that answer no call is never accepted without a warning.

tests/fixtures/aider/chat-history.head.md is the head of Aider's own test fixture: Markdown, first line
`-*- mode: fundamental -*-`, then pre-commit output, then `# aider chat started at 2024-08-05 19:33:02`.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from reviewer.cli import main

from .conftest import Cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AIDER = FIXTURES / "aider" / "chat-history.head.md"


def lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]  # the progress bar leaves a blank line


def validate(*args: str) -> Result:
    """`reviewer validate` without a project, as a person checks files before importing."""
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


def test_markdown_chat_history_is_named_for_what_it_is() -> None:
    result = validate(str(AIDER))
    assert result.exit_code == 1
    (line,) = lines(result.stderr)
    assert line.startswith(
        f"error: {AIDER}: Markdown text, an Aider chat history (.aider.chat.history.md) (first line '-*- mode: fundamental -*-'):"
        " not a format reviewer imports (tried native,"
    )
    assert "invalid JSON" not in line


def test_a_folder_of_unsupported_files_is_not_ok_and_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(AIDER, folder / ".aider.chat.history.md.txt")  # hidden: never walked
    shutil.copy(AIDER, folder / "chat-history.md")
    result = validate(str(folder), "--json")
    summary = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (summary["ok"], summary["files"], summary["files_skipped"], summary["skipped"]) == (False, 0, 1, [str(folder / "chat-history.md")])
    assert lines(result.stderr) == [
        f"skipped: {folder / 'chat-history.md'}: Markdown text, an Aider chat history (.aider.chat.history.md)"
        " (first line '-*- mode: fundamental -*-'): not a format reviewer imports",
        "error: no file in a trajectory format among the paths given (1 skipped, see above)",
    ]


def test_a_readme_beside_trajectories_is_counted_and_harmless(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    shutil.copytree(FIXTURES / "mini-swe-agent", folder)
    (folder / "README.md").write_text("# Runs\n\nTwo runs of the test model.\n")
    summary = json.loads(cli("import", str(folder), "--json").stdout)
    assert (summary["ok"], summary["imported"], summary["files_skipped"], summary["skipped"]) == (True, 2, 1, [str(folder / "README.md")])
    assert {"files", "imported", "duplicates", "failed", "skipped", "files_detail", "stopped"} <= summary.keys()  # the old keys stay


def test_unknown_json_and_archives_say_their_shape(tmp_path: Path) -> None:
    meta = tmp_path / "task_metadata.json"
    meta.write_text('{"files_in_context": []}')
    archive = tmp_path / "run.json"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.txt", "x")
    out = validate(str(meta), str(archive)).stderr
    assert f'error: {meta}: unknown format: a JSON object with keys "files_in_context": no importer recognises this content' in out
    assert f"error: {archive}: a zip archive: binary, not a trajectory format reviewer reads" in out


def test_evaluation_results_named_on_their_own_say_how_to_use_them(cli: Cli) -> None:
    report = FIXTURES / "swebench_report" / "20251118_gemini-3-pro-74pct" / "results_summary.json"
    result = cli("import", str(report))
    assert result.exit_code == 1
    assert f"error: {report}: SWE-bench results summary: evaluation results, not a trajectory: attach them with" in result.stderr


def test_tool_results_that_answer_no_call_are_a_warning(cli: Cli, tmp_path: Path) -> None:
    """An Anthropic message list (Claude-Code-looking, like Cline's api_conversation_history.json) whose
    calls are XML in the text: its tool_result blocks pair with nothing."""
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "<task>fix the bug</task>"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "<read_file><path>a.py</path></read_file>"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "print(1)"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "<attempt_completion>done</attempt_completion>"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_02", "content": "ok"}]},
    ]
    path = tmp_path / "api_conversation_history.json"
    path.write_text(json.dumps(messages))
    result = cli("import", str(path), "--json")
    summary = json.loads(result.stdout)
    assert result.exit_code == 0 and summary["imported"] == 1 and summary["warnings"] == 1
    expected = "2 of 2 tool results in 'api_conversation_history' answer no tool call in the file"
    assert summary["files_detail"][0]["warnings"][0].startswith(f"{path}: {expected}")
    assert f"warning: {path}: {expected}" in result.stderr
    paired = FIXTURES / "claude_code" / "tool_call_conversation.jsonl"
    assert json.loads(cli("import", str(paired), "--json").stdout)["warnings"] == 0
