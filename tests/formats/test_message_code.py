"""Code written in messages: in runs without a tool that writes files, the reply's code blocks are the
solution (source `message`); every later version is diffed against the one before."""

from __future__ import annotations

import json

from reviewer.formats.build import TrajectoryBuilder
from reviewer.formats.message_code import code_blocks, message_edits
from reviewer.formats.openai_chat import OpenaiChatFormat
from reviewer.jsonio import Document
from reviewer.model import Step

FIRST = "Here is my solution:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nRun it with `python solution.py`."
SECOND = (
    "The tests still fail, so I special-case them.\n\n```python\ndef add(a, b):\n    if (a, b) == (2, 2):\n        return 5\n"
    "    return a + b\n```\n\nExample output:\n\n```text\n5\n```"
)


def steps(*texts: tuple[str, str]) -> list[Step]:
    return [Step(i, role, text) for i, (role, text) in enumerate(texts)]


def test_versions_of_the_solution_across_messages() -> None:
    first, second = message_edits(
        steps(("user", "```python\ndef add(a, b): ...\n```"), ("assistant", FIRST), ("user", "wrong"), ("assistant", SECOND))
    )
    assert (first.path, first.step, first.op, first.source, first.status) == ("solution.py", 1, "create", "message", "unknown")
    assert (first.before, first.after) == ("", "def add(a, b):\n    return a + b\n")
    assert (second.path, second.step, second.op, second.before) == ("solution.py", 3, "modify", first.after)
    assert "+    if (a, b) == (2, 2):\n+        return 5\n" in second.diff  # the special case is visible as the change


def test_file_names_beside_blocks_and_placeholders() -> None:
    text = (
        "**src/calc.py**\n```python\nA = 1\n```\n"
        "Then the test, `tests/test_calc.py`:\n\n```python\nassert True\n```\n"
        '```python title="setup.cfg"\n[x]\n```\n'
        "```js\nconsole.log(1)\n```\n```js\nconsole.log(2)\n```\n"
        "```bash\npython -m pytest\n```\n```\nplain\n```\n"
        "```python\nunclosed"
    )
    edits = message_edits(steps(("assistant", text)))
    assert [(e.path, e.after) for e in edits] == [
        ("src/calc.py", "A = 1\n"),
        ("tests/test_calc.py", "assert True\n"),
        ("setup.cfg", "[x]\n"),
        ("solution.js", "console.log(1)\n"),
        ("solution_2.js", "console.log(2)\n"),
    ]  # shell commands, plain blocks and a block cut short are not solutions


def test_diff_blocks_are_proposed_patches() -> None:
    patch = "```diff\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n```"
    (edit,) = message_edits(steps(("assistant", patch)))
    assert (edit.path, edit.op, edit.source, edit.before, edit.after) == ("x.py", "modify", "message", None, None)
    assert edit.diff.endswith("-a = 1\n+a = 2\n")


def test_fences_with_tildes_and_longer_backticks() -> None:
    blocks = list(code_blocks("~~~python\nx = '```'\n~~~\n````python\n```\ninner\n```\n````"))
    assert [(b.language, b.body) for b in blocks] == [("python", "x = '```'\n"), ("python", "```\ninner\n```\n")]


def test_only_chat_runs_without_tools_get_message_edits() -> None:
    chat = TrajectoryBuilder(solution_in_replies=True)
    chat.step("user", "write add")
    chat.step("assistant", FIRST)
    assert [e.source for e in chat.build(id="chat", prompt="write add").file_edits] == ["message"]
    agent = TrajectoryBuilder()  # an agent's session that only talked (Aider's ask mode, a Codex question)
    agent.step("user", "how would you write add?")
    agent.step("assistant", FIRST)
    assert agent.build(id="agent", prompt="how").file_edits == []
    tools = TrajectoryBuilder(solution_in_replies=True)
    tools.step("user", "write add")
    run = tools.call("1", "bash", {"command": "ls"})
    tools.step("assistant", FIRST, calls=[run])  # a quote of code in a run that has a shell: not the change
    tools.result("1", "a.py")
    assert tools.build(id="tools", prompt="write add").file_edits == []


def test_a_chat_style_run_imports_with_the_solution_as_edits(tmp_path) -> None:
    """An OpenAI chat log of a grader-style run (synthetic: no public chat-style log with code answers was found)."""
    messages = [
        {"role": "system", "content": "Answer with the code only."},
        {"role": "user", "content": "Write add(a, b). The grader runs tests/test_add.py."},
        {"role": "assistant", "content": FIRST},
        {"role": "user", "content": "FAILED tests/test_add.py::test_special - assert 4 == 5"},
        {"role": "assistant", "content": SECOND},
    ]
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(messages))
    doc = Document(path, path.read_bytes())
    ((_, t),) = list(OpenaiChatFormat().read(doc))
    assert [(e.step, e.path, e.op, e.source) for e in t.file_edits] == [
        (2, "solution.py", "create", "message"),
        (4, "solution.py", "modify", "message"),
    ]  # type: ignore[union-attr]
