"""Aider chat history: sessions of Aider's own history (lines 1-217, 1680-2705, 6754-6887, 9567-9892 and
94909-94922 of Aider-AI/aider `tests/fixtures/chat-history.md`, kept verbatim), checked by hand: turns,
edits with the status the console gives them, shell commands and their output; plus the whole
1,133-session file and bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.synth import aider as synth
from reviewer import formats
from reviewer.formats.aider import AiderFormat, reply_edits, sessions
from reviewer.importer import collect
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from tests.formats import imported, only_error, synthetic_one

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aider"
HISTORY = FIXTURES / ".aider.chat.history.md"
# AlexShchuka/mozgoslav (MIT): the first two sessions of a reasoning model's history, whole edit format
REASONING = FIXTURES / "mozgoslav" / ".aider.chat.history.md"
WHOLE = Path("/work/shared/samples/aider/chat-history.md")


@pytest.fixture(scope="module")
def by_id() -> dict[str, Trajectory]:
    items = list(AiderFormat().read(Document(HISTORY, HISTORY.read_bytes())))
    assert not [i for _, i in items if isinstance(i, InputError)]
    return {t.id: t for _, t in items if isinstance(t, Trajectory)}


def test_sessions_with_something_typed_or_answered(by_id: dict[str, Trajectory]) -> None:
    # six headers; 19:33:02 (a --lint run) and 2024-08-21 15:14:18 (--apply, no model) have neither
    assert list(by_id) == [
        "aider-before-first-session",  # the file begins mid-session (lint output typed back as a request)
        "aider-2024-08-05T19:33:32",
        "aider-2024-08-06T08:47:10",
        "aider-2024-08-06T14:13:01",
        "aider-2024-08-07T12:46:04",
    ]


def test_an_applied_edit(by_id: dict[str, Trajectory]) -> None:
    t = by_id["aider-2024-08-05T19:33:32"]
    assert [s.role for s in t.steps] == ["system", "user", "assistant", "system", "user", "user"]
    assert (t.agent.model, t.agent.scaffold) == ("claude-3-5-sonnet-20240620", "aider")  # "> Models: … with diff edit format"
    assert t.metadata["aider_version"] == "v0.47.2-dev" and t.metadata["edit_format"] == "diff"
    assert t.task.prompt == "Use the Spinner instead of the inlined custom spinner"
    assert t.steps[2].text.startswith("Certainly! I'll modify the `run_install` function") and "<<<<<<< SEARCH" in t.steps[2].text
    assert t.steps[3].text.splitlines()[1] == "Applied edit to aider/utils.py"
    [edit] = t.file_edits
    assert (edit.path, edit.step, edit.op, edit.status, edit.source) == ("aider/utils.py", 2, "modify", "applied", "message")
    assert edit.before is None and edit.diff is not None  # the file before is not in the history: the block alone
    assert (
        '-        spinner = itertools.cycle(["⠋", "⠙", "⠹"' in edit.diff
        and '+        spinner = Spinner("Installing...")' in edit.diff
    )
    assert [s.text for s in t.steps[4:]] == ["/diff", "/ex"]


def test_one_block_of_four_fails_to_match(by_id: dict[str, Trajectory]) -> None:
    t = by_id["aider-2024-08-06T14:13:01"]
    # the reply of line 6786 has four blocks; the console: "# 1 SEARCH/REPLACE block failed to match!",
    # the failed one is `self.cache_missing = False`, "# The other 3 SEARCH/REPLACE blocks were applied"
    reply = t.steps[10]
    assert reply.role == "assistant" and reply.text.startswith("To implement the requested changes, we need to:")
    statuses = [(e.step, e.status) for e in t.file_edits]
    assert statuses == [(10, "applied"), (10, "applied"), (10, "applied"), (10, "failed"), (12, "failed")]
    assert "-        self.cache_missing = False\n" in (t.file_edits[3].diff or "")
    assert t.steps[12].text.startswith("Here is the corrected *SEARCH/REPLACE* block:")  # failed again (line 6868)
    assert [m for m in ("claude-3-5-sonnet-20240620", "openrouter/anthropic/claude-3.5-sonnet", "gpt-4o")] == t.metadata["models"]


def test_test_command_and_interrupted_reply(by_id: dict[str, Trajectory]) -> None:
    t = by_id["aider-2024-08-06T08:47:10"]
    test = t.steps[13]
    assert (test.role, test.text) == ("user", "/test pytest tests/basic/test_repomap.py")
    assert [(c.name, c.arguments) for c in test.tool_calls] == [("bash", {"command": "pytest tests/basic/test_repomap.py"})]
    output = t.steps[14]
    assert output.role == "tool" and output.tool_result is not None and output.tool_result.call_id == test.tool_calls[0].id
    assert (
        output.text.startswith("============================= test session starts")
        and "FAILED tests/basic/test_repomap.py::" in output.text
    )
    assert t.steps[15].text.startswith("To fix the error, we need to import the `GitRepo` class.")  # the reply after the output
    # the reply of line 2489 was cut by ^C inside its last block; the person typed /clear: its whole blocks stay unknown
    assert t.steps[19].text.rstrip().endswith("=======") and t.steps[20].text == "/clear"
    assert [e.status for e in t.file_edits if e.step == 19] == ["unknown"] * 3
    assert Counter(e.status for e in t.file_edits) == Counter({"applied": 8, "unknown": 3})


def test_shell_command_output(by_id: dict[str, Trajectory]) -> None:
    t = by_id["aider-2024-08-07T12:46:04"]
    assert [(s.role, s.text.splitlines()[0]) for s in t.steps] == [
        ("system", "/Users/gauthier/Projects/aider/.venv/bin/aider"),
        ("user", "!ls"),
        ("tool", "CNAME"),
        ("user", "!ls --color"),
        ("tool", "CNAME"),
    ]
    # the unprefixed output lines run to the one ending in Aider's line break ("tmp_timing.svg  ")
    lines = t.steps[2].text.splitlines()
    assert lines[lines.index("tmp_timing.svg") :] == [
        "tmp_timing.svg",
        "Add the output to the chat? (y/n/instructions): n",
        "",
        "",
        "^C again to exit",
    ]
    assert t.task.prompt == "" and t.file_edits == []


def test_reply_edits_follow_aiders_file_name_rule() -> None:
    text = (
        "Here:\n\nsrc/a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n<<<<<<< SEARCH\ny\n"
        "=======\nz\n>>>>>>> REPLACE\n```\n"
    )
    assert [(e.path, e.block.search, e.block.replace) for e in reply_edits(text)] == [
        ("src/a.py", "x = 1\n", "x = 2\n"),
        ("src/a.py", "y\n", "z\n"),
    ]
    fenced = "```\nnotes.md\n<<<<<<< SEARCH\n#### Old heading\n=======\n#### New heading\n>>>>>>> REPLACE\n```\n"
    assert [(e.path, e.block.replace) for e in reply_edits(fenced)] == [("notes.md", "#### New heading\n")]


def test_headings_and_quotes_inside_code_stay_in_the_reply() -> None:
    text = (
        "# aider chat started at 2026-01-01 10:00:00\n\n#### edit the notes  \n\n"
        "notes.md\n```\n<<<<<<< SEARCH\n#### Old\n> quoted\n\n> quoted after a blank\n=======\n#### New\n>>>>>>> REPLACE\n```\n\n"
        "> Applied edit to notes.md  \n"
    )
    [session] = sessions(text)
    assert [b.kind for b in session.blocks] == ["user", "reply", "console"]
    assert "> quoted after a blank" in session.blocks[1].text


def test_the_whole_history_file_reads() -> None:
    """All 1,133 sessions of Aider's own test fixture: 681 with a request or a reply, each valid."""
    if not WHOLE.exists():
        pytest.skip("the shared samples are not on this machine")
    items = list(AiderFormat().read(Document(WHOLE, WHOLE.read_bytes())))
    trajectories = [i for _, i in items if isinstance(i, Trajectory)]
    assert len(items) == len(trajectories) == 681
    statuses = Counter((e.source, e.status) for t in trajectories for e in t.file_edits)
    # and the 7 files of the diff `/run git diff a162` printed in session 2024-08-10T11:14:11 (observed)
    assert statuses == Counter(
        # blocks fenced with `<source>` are named by the line before the fence, so Aider's console lines match
        # them; and `</source>` closes the fence, so the console after such a reply is read (it was taken for
        # the reply: 65 edits Aider applied were unknown, and one it refused, session 2024-08-09 17:12:53, applied);
        # 3 whole-format files written in replies nothing answered (HISTORY.md twice, a file of instructions)
        {("message", "applied"): 552, ("message", "unknown"): 60, ("message", "failed"): 58, ("observed", "applied"): 7}
    )
    assert all(first_error("trajectory.schema", t.to_dict()) is None for t in trajectories[:50])


def test_found_in_a_folder_walk_despite_the_dot(tmp_path: Path) -> None:
    assert collect([FIXTURES]).files == [HISTORY, REASONING]
    assert formats.detect(Document(HISTORY, HISTORY.read_bytes())).name == "aider"  # the only one: test_detection
    readme = tmp_path / "notes.md"
    readme.write_text("# Notes\n\nnothing\n")
    assert AiderFormat().sniff(Document(readme, readme.read_bytes())) is False


def test_fixture_imports_and_validates(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        assert report.totals()["imported"] == 7
        for tid in ("aider-2024-08-06T14:13:01", "aider-2024-08-07T12:46:04"):
            stored = store.trajectories.get(tid)
            assert stored is not None and first_error("trajectory.schema", stored.to_dict()) is None


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / ".aider.chat.history.md"
    empty.write_text("\n# aider chat started at 2026-01-01 10:00:00\n\n> Aider v0.86.1  \n", encoding="utf-8")
    assert only_error(empty, "aider") == f"{empty}: Aider chat history without any message typed or answered"
    latin = tmp_path / "latin" / ".aider.chat.history.md"
    latin.parent.mkdir()
    latin.write_bytes("# aider chat started at 2026-01-01 10:00:00\n\n#### caf\xe9  \n".encode("latin-1"))
    assert "not valid UTF-8" in only_error(latin)


def test_synthetic_histories_import(tmp_path: Path) -> None:
    t = synthetic_one(tmp_path, synth, 22, "aider-2026-01-01T00:00:01")
    assert [e.status for e in t.file_edits][:3] == ["applied", "applied", "failed"]


def test_a_source_tag_fence_is_not_a_file_name() -> None:
    """Aider fences blocks with `<source>python` for some models (its own history, session of 2024-08-06
    10:03:58): the file is the line before the fence, not the fence."""
    reply = "aider/commands.py\n<source>python\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n</source>\n"
    assert [edit.path for edit in reply_edits(reply)] == ["aider/commands.py"]


def test_a_reasoning_models_thinking_is_thinking() -> None:
    """A real history (AlexShchuka/mozgoslav, first two sessions, checked by hand): Aider writes the model's
    reasoning into the reply between `<thinking-content-7bbeb8e…>` tags; it is the step's thinking, and the
    answer alone is the reply's text (Aider reads edits from the answer only)."""
    items = [t for _, t in AiderFormat().read(Document(REASONING, REASONING.read_bytes())) if isinstance(t, Trajectory)]
    assert [t.id for t in items] == ["aider-2026-04-22T22:40:12", "aider-2026-04-22T22:40:47"]
    failed, answered = items
    # the first session: "hi", then an authentication error and ^C: no reply at all
    assert [s.role for s in failed.steps] == ["system", "user", "system"]
    assert failed.steps[2].text.startswith("litellm.AuthenticationError: AuthenticationError: Lm_studioException")
    assert failed.final_answer is None and failed.file_edits == []
    assert [s.role for s in answered.steps] == ["system", "user", "assistant", "system"]
    assert answered.agent.model == "lm_studio/qwen3.6-35b-a3b-uncensored-hauhaucs-aggressive"
    assert answered.metadata["edit_format"] == "whole" and answered.metadata["aider_version"] == "v0.86.2"
    reply = answered.steps[2]
    assert reply.text.startswith("Привет! Готов к работе.") and reply.text.endswith("пока вы добавите их в чат.")
    assert "thinking-content" not in reply.text and "thinking-content" not in (answered.final_answer or "")
    assert reply.thinking is not None and reply.thinking.startswith("Here's a thinking process:")
    assert reply.thinking.endswith("All good. I will output the response in Russian.✅")
    assert answered.steps[3].text == "Tokens: 1.8k sent, 653 received." and answered.file_edits == []


def test_an_edit_drafted_in_the_thinking_is_not_an_edit() -> None:
    text = (
        "# aider chat started at 2026-01-01 10:00:00\n\n> Model: m with diff edit format  \n\n#### fix it  \n\n"
        "<think>\nmaybe\n\na.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n</think>\n\nNothing to change.\n\n"
        "> Tokens: 1k sent, 9 received.  \n"
    )
    [t] = [t for _, t in AiderFormat().read(Document(Path("h.md"), text.encode())) if isinstance(t, Trajectory)]
    assert (t.steps[2].text, t.file_edits) == ("Nothing to change.", [])
    assert t.steps[2].thinking is not None and t.steps[2].thinking.startswith("maybe")


def test_whole_edit_format_writes_whole_files() -> None:
    """In Aider's `whole` edit format a reply lists each file whole after its name (as a real Terminal-Bench
    run's history does, a log of unknown licence checked by hand and not copied: three files created, each
    `Create new file? … y` then `Applied edit to …`). Each is an edit with its whole content; a file Aider
    asked to create was empty before; a second write of it starts from the first."""
    text = (
        "# aider chat started at 2026-01-01 10:00:00\n\n> Aider v0.86.2  \n> Model: openai/m with whole edit format  \n\n"
        "#### write the summary  \n\nI wrote the script.\n\n/app/analyze.py\n```python\nimport csv\nprint(1)\n```\n\n"
        "/app/main.py\n```python\nfrom analyze import *\n```\n\n"
        "> Tokens: 921 sent, 919 received.  \n> /app/analyze.py  \n> Create new file? (Y)es/(N)o [Yes]: y  \n"
        "> /app/main.py  \n> Create new file? (Y)es/(N)o [Yes]: y  \n> Applied edit to /app/analyze.py  \n"
        "> Applied edit to /app/main.py  \n\n#### print 2  \n\n/app/analyze.py\n```python\nimport csv\nprint(2)\n```\n\n"
        "> Tokens: 1k sent, 20 received.  \n> Applied edit to /app/analyze.py  \n\n#### and README.md  \n\n"
        "README.md\n```\n# Notes\n```\n\n> Tokens: 1k sent, 9 received.  \n> Skipping edits to README.md  \n"
    )
    [t] = [t for _, t in AiderFormat().read(Document(Path("h.md"), text.encode())) if isinstance(t, Trajectory)]
    assert [(e.path, e.step, e.op, e.status, e.before, e.after) for e in t.file_edits] == [
        ("/app/analyze.py", 2, "create", "applied", "", "import csv\nprint(1)\n"),
        ("/app/main.py", 2, "create", "applied", "", "from analyze import *\n"),
        ("/app/analyze.py", 5, "modify", "applied", "import csv\nprint(1)\n", "import csv\nprint(2)\n"),
        ("README.md", 8, "modify", "failed", None, "# Notes\n"),
    ]
    assert t.file_edits[2].diff is not None and "-print(1)\n+print(2)\n" in t.file_edits[2].diff
    assert t.file_edits[3].diff is None  # its content before is not in the history


def test_a_console_line_that_lost_its_line_break_keeps_the_reply() -> None:
    """A real committed history (unknown licence, checked by hand, not copied) lost the two trailing spaces
    of some console lines, `Add file to the chat? … [Yes]: y` among them; the reply after it was read as
    that line's continuation, so the reviewer saw the model's answer as console output."""
    text = (
        "# aider chat started at 2026-01-01 10:00:00\n\n#### which files?  \n\nAdd a.py.\n\n"
        "> Tokens: 13k sent, 330 received.  \n> a.py  \n> Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y\n\n"
        "Perfect! Now I see the pattern.\n\n> Tokens: 15k sent, 381 received.\n\n"
        "#### /drop a.py\n\n> Removed a.py from the chat\n"
    )
    [t] = [t for _, t in AiderFormat().read(Document(Path("h.md"), text.encode())) if isinstance(t, Trajectory)]
    assert [(s.role, s.text.splitlines()[-1]) for s in t.steps] == [
        ("user", "which files?"),
        ("assistant", "Add a.py."),
        ("system", "Add file to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y"),
        ("assistant", "Perfect! Now I see the pattern."),
        ("system", "Tokens: 15k sent, 381 received."),
        ("user", "/drop a.py"),
        ("system", "Removed a.py from the chat"),
    ]


def test_every_wrap_fence_of_aider() -> None:
    """Aider's wrap fences (`<code>`, `<pre>`, `<codeblock>`, `<sourcecode>` besides `<source>`), as a real
    history of unknown licence fences a TypeScript block `<code>typescript`: the file is named before the
    fence, and the closing tag ends the block."""
    for tag in ("code", "pre", "codeblock", "sourcecode"):
        reply = f"src/a.ts\n<{tag}>typescript\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n</{tag}>\n"
        assert [edit.path for edit in reply_edits(reply)] == ["src/a.ts"]
        text = f"# aider chat started at 2026-01-01 10:00:00\n\n#### edit  \n\n{reply}\n> Applied edit to src/a.ts  \n"
        [session] = sessions(text)
        assert [b.kind for b in session.blocks] == ["user", "reply", "console"]


def test_suggested_shell_commands_the_person_let_run() -> None:
    """A reply's shell commands Aider ran once the person said yes (`Run shell command? [Y/n] y`, then
    `Running <command>`, lines as in Aider's own history, sessions 2024-08-21 16:02:08 and 15:35:24) are
    calls: a test run whose outcome the history does not hold, a failure Aider reports
    (`Command '…' exited with status 1`); a command refused (`n`, as in a real history of unknown licence
    checked by hand) ran nothing."""
    text = (
        "# aider chat started at 2024-08-21 16:02:08\n\n"
        "> Main model: claude-3-5-sonnet-20240620 with diff edit format, prompt cache, infinite output  \n\n"
        "#### add a test for --map-mul  \n\n"
        "This will run all the tests in the `test_main.py` file.\n\n"
        "> Tokens: 12k sent, 982 received.\nCost: $0.05 message, $0.05 session.  \n"
        "> python -m unittest tests/basic/test_main.py  \n> Run shell command? [Y/n] y  \n"
        "> Running python -m unittest tests/basic/test_main.py  \n> Applied edit to tests/basic/test_main.py  \n\n"
        "#### fail  \n\nRun:\n\n```bash\ndate && exit 1\n```\n\n"
        "> Tokens: 1k sent, 10 received.  \n> date && exit 1  \n> Run shell command? [Y/n] y  \n"
        "> Running date && exit 1  \n> Command 'date && exit 1' exited with status 1  \n"
        "> To retry and share output with the LLM: /run date && exit 1  \n\n"
        "#### make the folders  \n\n```bash\nmkdir data\n```\n\n"
        "> Tokens: 2.7k sent, 195 received.  \n> mkdir data  \n"
        "> Run shell command? (Y)es/(N)o/(S)kip all/(D)on't ask again [Yes]: n  \n"
    )
    [t] = [t for _, t in AiderFormat().read(Document(Path("h.md"), text.encode())) if isinstance(t, Trajectory)]
    calls = [(s.index, s.role, c.arguments["command"]) for s in t.steps for c in s.tool_calls]
    assert calls == [(3, "system", "python -m unittest tests/basic/test_main.py"), (6, "system", "date && exit 1")]
    assert [(r.step, r.command, r.result_step) for r in t.test_runs] == [(3, "python -m unittest tests/basic/test_main.py", None)]
    failed = t.steps[7]
    assert failed.role == "tool" and failed.tool_result is not None and failed.tool_result.is_error
    assert failed.text == "Command 'date && exit 1' exited with status 1"
    assert [s.role for s in t.steps[8:]] == ["user", "assistant", "system"] and t.steps[10].tool_calls == []
