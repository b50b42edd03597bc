"""Shell writes, deletions, observed diffs and tool calls written as text, on real public runs (checked by
hand against the raw files; see tests/fixtures/README.md for where each comes from)."""

from __future__ import annotations

from pathlib import Path

from reviewer import formats
from reviewer.jsonio import Document
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.conftest import Cli
from tests.formats import imported

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "writes"
DJANGO = (
    FIXTURES.parent
    / "swebench_report"
    / "20251118_gemini-3-pro-74pct"
    / "trajs"
    / "django__django-10999"
    / "django__django-10999.traj.json"
)


def read(path: Path) -> Trajectory:
    doc = Document(path, path.read_bytes())
    ((_, trajectory),) = list(formats.detect(doc).read(doc))
    assert isinstance(trajectory, Trajectory), trajectory
    return trajectory


def test_claude_code_rm_deletes_the_file_it_wrote() -> None:
    """Write hello.py/.md/.js, Edit hello.py, then Bash `rm hello.js` in cwd /tmp/private."""
    t = read(FIXTURES / "claude_code_session_with_rm" / "4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl")
    assert t.steps[13].tool_calls[0].arguments["command"] == "rm hello.js"
    assert [(e.step, e.path, e.source, e.op, e.status) for e in t.file_edits] == [
        (1, "/tmp/private/hello.py", "observation", "create", "applied"),
        (1, "/tmp/private/hello.md", "observation", "create", "applied"),
        (1, "/tmp/private/hello.js", "observation", "create", "applied"),
        (9, "/tmp/private/hello.py", "observation", "modify", "applied"),
        (13, "/tmp/private/hello.js", "bash", "delete", "applied"),
    ]
    written, deleted = t.file_edits[2], t.file_edits[4]
    assert (
        deleted.before
        == written.after
        == '#!/usr/bin/env node\n\nfunction main() {\n  console.log("Hello, World!");\n}\n\nmain();\n'
    )
    assert deleted.after == "" and deleted.diff.startswith("--- /tmp/private/hello.js\n+++ /dev/null\n@@ -1,7 +0,0 @@\n")


def test_swe_agent_function_calling_rm_of_the_reproduction_script() -> None:
    """`create reproduce.py` + `insert` (windows under /testbed), then bash `rm reproduce.py` (Current directory: /testbed)."""
    t = read(FIXTURES.parent / "swe-agent" / "function_calling_replace" / "marshmallow-code__marshmallow-1867.traj")
    assert t.steps[20].tool_calls[0].arguments == {"command": "rm reproduce.py"}
    reproduce = [e for e in t.file_edits if e.path == "/testbed/reproduce.py"]
    assert [(e.step, e.source, e.op) for e in reproduce] == [
        (2, "observation", "create"),
        (4, "observation", "modify"),
        (20, "bash", "delete"),
    ]
    assert reproduce[2].before == reproduce[1].after and reproduce[2].before.startswith(
        "\nfrom marshmallow.fields import TimeDelta\n"
    )
    # the submit at step 23 printed the patch that is also the submission: shown once, as the submission
    assert [(e.step, e.source) for e in t.file_edits if e.step == 23] == [(23, "submission")]


def test_mini_swe_agent_heredocs_appends_sed_rm_and_the_submitted_diff() -> None:
    """gemini-3-pro on django__django-10999: heredoc writes, `>>`, `sed -i`, `rm` of two files, then
    `git add -A && git diff --cached`, whose output shows the sed's change."""
    t = read(DJANGO)
    assert [(e.step, e.path, e.op, e.source) for e in t.file_edits] == [
        (6, "reproduce_issue.py", None, "bash"),
        (10, "django/utils/dateparse.py", "modify", "bash"),
        (16, "reproduce_issue.py", "modify", "bash"),
        (28, "tests/utils_tests/test_dateparse_negative_duration.py", None, "bash"),
        (32, "reproduce_issue.py", "delete", "bash"),
        (32, "tests/utils_tests/test_dateparse_negative_duration.py", "delete", "bash"),
        (37, "django/utils/dateparse.py", "modify", "submission"),
    ]
    create, sed, append, test_file, rm_script, rm_test, submission = t.file_edits
    assert create.after.startswith("from django.utils.dateparse import parse_duration\nimport datetime\n")
    assert create.after.endswith('test_duration("10 days, -1:-01:-01")\n')
    assert (
        append.before == create.after and append.after == create.after + 'test_duration("1:-01:01")\ntest_duration("-1:01:01")\n'
    )
    assert rm_script.before == append.after and rm_test.before == test_file.after
    # sed -i's content is not computed; its only edit of the file gets the diff the workspace printed at step 37
    assert (sed.before, sed.after) == (None, None) and sed.diff == submission.diff
    assert "+    r'((?:(?P<hours>-?\\d+):)(?=-?\\d+:-?\\d+))?'\n" in sed.diff
    assert t.metadata["edits_filled_from_observed_diffs"] == [
        {"path": "django/utils/dateparse.py", "step": 10, "from_step": 37, "filled": "diff"}
    ]


def test_mini_swe_agent_sed_then_rewrite_keeps_what_is_known() -> None:
    """github_issue: `sed -i` then `cat > tests/missing_colon.py <<'EOF'` of the same file, then the submit diff."""
    t = read(FIXTURES.parent / "mini-swe-agent" / "github_issue.traj.json")
    sed, rewrite, submission = t.file_edits
    assert (sed.step, sed.op, sed.diff) == (10, "modify", None)  # two edits of the file: the diff is not one edit's
    assert (rewrite.step, rewrite.before) == (18, None) and rewrite.after.startswith("#!/usr/bin/env python3\n\n\ndef division(")
    assert (submission.step, submission.source) == (21, "submission")
    assert "edits_filled_from_observed_diffs" not in t.metadata


def test_atif_openhands_function_tags_become_calls_and_the_heredoc_write_an_edit() -> None:
    """OpenHands without native function calling: `<function=execute_bash>` text with `cat > /app/hello.txt << 'EOF'`."""
    t = read(FIXTURES / "openhands_hello-world.trajectory.no_function_calling.json")
    write, finish = t.steps[2], t.steps[4]
    assert (
        write.text.startswith("<function=execute_bash>\n<parameter=command>cat > /app/hello.txt")
        and write.metadata["calls_written_as_text"]
    )
    (call,) = write.tool_calls
    assert (call.name, call.arguments) == (
        "execute_bash",
        {"command": "cat > /app/hello.txt << 'EOF'\nHello, world!\nEOF", "security_risk": "LOW"},
    )
    result = t.steps[3].tool_result
    assert result is not None and result.call_id == call.id and "exit code 0" in t.steps[3].text
    assert [(c.name, c.arguments) for c in finish.tool_calls] == [
        ("finish", {"message": "Task complete. Created /app/hello.txt with 'Hello, world!'"})
    ]
    assert t.final_answer == "Task complete. Created /app/hello.txt with 'Hello, world!'"
    (edit,) = t.file_edits
    assert (edit.path, edit.step, edit.op, edit.source, edit.after) == ("/app/hello.txt", 2, None, "bash", "Hello, world!\n")
    assert not any(s.tool_calls for s in t.steps if s.role == "user")  # the prompt's worked example stays text


def test_atif_terminus_keystrokes_writes() -> None:
    t = read(FIXTURES.parent / "atif" / "terminus_2_hello-world-context-summarization-linear-history.trajectory.json")
    assert [(e.step, e.path, e.op, e.after, e.source) for e in t.file_edits] == [
        (3, "test_dir/file1.txt", None, "test1\n", "bash"),
        (5, "test_dir/file2.txt", None, "test2\n", "bash"),
    ]


def test_the_folder_imports_and_the_edits_survive_the_store(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES, DJANGO]) as (store, report):
        ids = sorted(i for f in report.files for i in f.imported)
        assert len(ids) == 5  # the Claude Code session and its two sub-agents, the ATIF run, the mini-SWE-agent run
        for trajectory_id in ids:
            stored = store.trajectories.get(trajectory_id)
            assert stored is not None and first_error("trajectory.schema", stored.to_dict()) is None, trajectory_id
        django = store.trajectories.get("django__django-10999")
        assert [(e.op, e.source) for e in django.file_edits][-3:] == [
            ("delete", "bash"),
            ("delete", "bash"),
            ("modify", "submission"),
        ]
        assert django.file_edits[1].diff is not None  # the sed edit's diff filled from the submitted patch is kept


def test_show_says_the_file_was_deleted(cli: Cli) -> None:
    session = FIXTURES / "claude_code_session_with_rm" / "4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl"
    assert cli("import", str(session)).exit_code == 0
    out = cli("show", "4c2ddfdc-b619-4525-8d03-1950fb1b0257", "--full").stdout
    shown = out[out.index("#13 assistant") :]
    assert "/tmp/private/hello.js  deleted · bash" in shown and "+++ /dev/null" in shown
    assert '-  console.log("Hello, World!");' in shown


def test_show_follows_a_rename_of_a_file_never_edited_before(cli: Cli) -> None:
    """OpenHands' wrong_initial_state: `mv /workspace/game_2048.py /workspace/2048.py` and nothing else."""
    assert cli("import", str(FIXTURES.parent / "openhands" / "wrong_initial_state.json")).exit_code == 0
    out = cli("show", "wrong_initial_state", env={"COLUMNS": "200"}).stdout
    assert "/workspace/2048.py  renamed from /workspace/game_2048.py · bash" in out
    net = " ".join(out.split("net change per file", 1)[1].split())
    assert "renamed /workspace/2048.py step 3 · from /workspace/game_2048.py" in net
