"""Files no importer reads are said for what they are, skipped files are counted, and a file read with
tool results that answer no call is never accepted without a warning.

A Markdown chat log (as chat front-ends export them) stands for the text files people try first.
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
CHAT_LOG = "# Chat with the assistant\n\n**You:** fix the failing test\n\n**Assistant:** I changed `parse()`.\n"


def lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]  # the progress bar leaves a blank line


def validate(*args: str) -> Result:
    """`reviewer validate` without a project, as a person checks files before importing."""
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


def test_markdown_chat_history_is_named_for_what_it_is(tmp_path: Path) -> None:
    log = tmp_path / "chat.md"
    log.write_text(CHAT_LOG)
    result = validate(str(log))
    assert result.exit_code == 1
    (line,) = lines(result.stderr)
    assert line.startswith(
        f"error: {log}: Markdown text, not JSON (first line '# Chat with the assistant'): not a trajectory format "
        "reviewer reads (tried native,"
    )
    assert "invalid JSON" not in line


def test_a_folder_of_unsupported_files_is_not_ok_and_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / ".chat.md").write_text(CHAT_LOG)  # hidden: never walked
    (folder / "chat-history.md").write_text(CHAT_LOG)
    result = validate(str(folder), "--json")
    summary = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (summary["ok"], summary["files"], summary["files_skipped"], summary["skipped"]) == (
        False,
        0,
        1,
        [str(folder / "chat-history.md")],
    )
    assert lines(result.stderr) == [
        f"skipped: {folder / 'chat-history.md'}: Markdown text, not JSON (first line '# Chat with the assistant'):"
        " not a trajectory format reviewer reads",
        "error: no file in a trajectory format among the paths given (1 skipped, see above)",
    ]


def test_a_readme_beside_trajectories_is_counted_and_harmless(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    shutil.copytree(FIXTURES / "mini-swe-agent", folder)
    (folder / "README.md").write_text("# Runs\n\nTwo runs of the test model.\n")
    summary = json.loads(cli("import", str(folder), "--json").stdout)
    assert (summary["ok"], summary["imported"], summary["files_skipped"], summary["skipped"]) == (
        True,
        2,
        1,
        [str(folder / "README.md")],
    )
    assert {
        "files",
        "imported",
        "duplicates",
        "failed",
        "skipped",
        "files_detail",
        "stopped",
    } <= summary.keys()  # the old keys stay


def test_unknown_json_and_archives_say_their_shape(tmp_path: Path) -> None:
    meta = tmp_path / "run_metadata.json"
    meta.write_text('{"run": "r1", "seed": 3}')
    archive = tmp_path / "run.json"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.txt", "x")
    out = validate(str(meta), str(archive)).stderr
    assert f'error: {meta}: unknown format: a JSON object with keys "run", "seed": no importer recognises this content' in out
    assert f"error: {archive}: a zip archive: binary, not a trajectory format reviewer reads" in out


def test_evaluation_results_named_on_their_own_say_how_to_use_them(cli: Cli) -> None:
    report = FIXTURES / "swebench_report" / "20251118_gemini-3-pro-74pct" / "results_summary.json"
    result = cli("import", str(report))
    assert result.exit_code == 1
    assert f"error: {report}: SWE-bench results summary: evaluation results, not a trajectory: attach them with" in result.stderr


def test_tool_results_that_answer_no_call_are_a_warning(cli: Cli, tmp_path: Path) -> None:
    """An Anthropic message list whose tool_result blocks pair with nothing (the calls were lost when
    the log was cut): read, but never without saying so."""
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "fix the bug"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Reading a.py first."}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "print(1)"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_02", "content": "ok"}]},
    ]
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(messages))
    result = cli("import", str(path), "--json")
    summary = json.loads(result.stdout)
    assert result.exit_code == 0 and summary["imported"] == 1 and summary["warnings"] == 1
    expected = "2 of 2 tool results in 'messages' answer no tool call in the file"
    assert summary["files_detail"][0]["warnings"][0].startswith(f"{path}: {expected}")
    assert f"warning: {path}: {expected}" in result.stderr
    paired = FIXTURES / "claude_code" / "tool_call_conversation.jsonl"
    assert json.loads(cli("import", str(paired), "--json").stdout)["warnings"] == 0
