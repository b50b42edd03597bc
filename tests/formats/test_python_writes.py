"""Files written by Python code an agent ran (Inspect's `python` tool, an IPython cell, `python -c`): read with
`ast`, never executed; content kept only where the code spells it out or computes it from known text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.formats.edit_reconstruction import FileTracker
from reviewer.formats.inspect_ai import InspectAiFormat
from reviewer.jsonio import Document
from reviewer.model import FileEdit, ToolCall

READ_REPLACE_WRITE = """
from pathlib import Path
p = Path("src") / "app.py"
content = p.read_text()
if "return 1" in content:
    content = content.replace("return 1", "return 2")
    p.write_text(content)
else:
    Path("never.txt").write_text("the else branch did not run")
"""


def knowing(path: str, content: str) -> FileTracker:
    """A tracker that has seen `path` created with `content`."""
    t = FileTracker()
    t.note(FileEdit(path, 0, "", content, None, "tool_call", "create"))
    return t


def python(code: str, tracker: FileTracker | None = None, step: int = 1) -> list[FileEdit]:
    t = tracker or FileTracker()
    return t.edits_for(ToolCall("c", "python", {"code": code}), step)


def test_read_replace_write_on_a_known_file_computes_the_new_content() -> None:
    (edit,) = python(READ_REPLACE_WRITE, knowing("src/app.py", "def f():\n    return 1\n"), 4)
    assert (edit.path, edit.op, edit.source, edit.step) == ("src/app.py", "modify", "python", 4)
    assert (edit.before, edit.after) == ("def f():\n    return 1\n", "def f():\n    return 2\n")
    assert "-    return 1\n+    return 2\n" in edit.diff


def test_read_replace_write_on_an_unseen_file_is_an_edit_of_unknown_content() -> None:
    (edit,) = python(READ_REPLACE_WRITE)  # the test cannot be decided: the `if` body, the expected branch, is read
    assert (edit.path, edit.op, edit.before, edit.after, edit.diff) == ("src/app.py", None, None, None, None)


def test_write_text_open_write_append_and_with_blocks() -> None:
    edits = python(
        "from pathlib import Path\nimport textwrap\n"
        'Path("a.txt").write_text("A\\n")\n'
        'open("b.txt", "w").write("B")\n'
        'open("a.txt", "a").write("more\\n")\n'
        'with open("tests/test_x.py", "w") as f:\n    f.write("def test():\\n")\n    print("    assert True", file=f)\n'
        'Path("d.py").write_text(textwrap.dedent("""\n    def d():\n        pass\n    """).lstrip())\n'
        'name = "e"\nPath(f"{name}.txt").write_text(f"value={name}")\n'
        'Path("f.json").write_text(json.dumps(data))\n'
    )
    assert [(e.path, e.op, e.after) for e in edits] == [
        ("a.txt", None, "A\n"),
        ("b.txt", None, "B"),
        ("a.txt", "modify", "A\nmore\n"),
        ("tests/test_x.py", None, "def test():\n    assert True\n"),
        ("d.py", None, "def d():\n    pass\n"),
        ("e.txt", None, "value=e"),
        ("f.json", None, None),  # a computed string: written, content unknown
    ]
    assert {e.source for e in edits} == {"python"}


def test_copies_moves_deletes_and_shell_calls() -> None:
    edits = python(
        "import os, shutil, subprocess\n"
        'shutil.copy("conf.ini", "backup.ini")\nos.rename("backup.ini", "old.ini")\nos.remove("old.ini")\n'
        'shutil.rmtree("build")\nos.system("rm -f tmp.txt")\nsubprocess.run(["sed", "-i", "s/1/2/", "conf.ini"])\n'
        'subprocess.run("echo hi > sub.txt", shell=True, cwd="/work")\n'
        'for name in ["x.txt", "y.txt"]:\n    os.unlink(name)\n',
        knowing("conf.ini", "a=1\n"),
    )
    assert [(e.op, e.path, e.from_path, e.source) for e in edits] == [
        (None, "backup.ini", None, "python"),
        ("rename", "old.ini", "backup.ini", "python"),
        ("delete", "old.ini", None, "python"),
        ("delete", "build", None, "python"),
        ("delete", "tmp.txt", None, "bash"),
        ("modify", "conf.ini", None, "bash"),
        (None, "/work/sub.txt", None, "bash"),
        ("delete", "x.txt", None, "python"),
        ("delete", "y.txt", None, "python"),
    ]
    assert edits[0].after == "a=1\n" and edits[2].before == "a=1\n"


def test_functions_run_where_called_main_guard_and_error_paths() -> None:
    edits = python(
        "def patch(path, old, new):\n    text = open(path).read()\n    open(path, 'w').write(text.replace(old, new))\n"
        "def unused():\n    open('never.txt', 'w').write('x')\n"
        "if __name__ == '__main__':\n    patch('m.py', 'x = 1', 'x = 2')\n"
        "try:\n    open('tried.txt', 'w').write('t')\nexcept OSError:\n    open('error.txt', 'w').write('e')\n",
        knowing("m.py", "x = 1\n"),
    )
    assert [(e.path, e.after) for e in edits] == [("m.py", "x = 2\n"), ("tried.txt", "t")]


def test_ipython_cells_and_working_directory() -> None:
    (written,) = python("%%writefile out/sol.py\nprint(1)\n")
    assert (written.path, written.after, written.source) == ("out/sol.py", "print(1)\n", "python")
    edits = python(
        '!rm -rf /tmp/x\n%cd /w\nopen("y.txt", "w").write("y")\nimport os\nos.chdir(somewhere)\nopen("z.txt", "w").write("z")\n'
    )
    assert [(e.op, e.path, e.source) for e in edits] == [
        ("delete", "/tmp/x", "bash"),
        (None, "/w/y.txt", "python"),
    ]  # z.txt: directory unknown
    tracker = FileTracker(cwd="/repo")
    assert [e.path for e in python("open('a.txt', 'w').write('a')", tracker)] == ["/repo/a.txt"]


def test_openhands_ipython_tool_and_run_ipython_names() -> None:
    for name in ("execute_ipython_cell", "run_ipython", "ipython"):
        (edit,) = FileTracker().edits_for(ToolCall("c", name, {"code": "open('k.txt', 'w').write('k')"}), 2)
        assert (edit.path, edit.after, edit.source) == ("k.txt", "k", "python")


@pytest.mark.parametrize(
    "code",
    [
        "def broken(:\n",
        "x = (" * 500 + ")" * 500,  # nesting deeper than the parser allows
        "while True:\n    open('loop.txt', 'w').write('x')\n" * 3,
        "for i in " + repr(list(range(30_000))) + ":\n    pass\n",
        "\x00\x01 binary",
        "x" * 1_100_000,
        "Path('\\udcff').write_text('\\ud800')",
    ],
)
def test_hostile_code_gives_no_wrong_edit_and_no_crash(code: str) -> None:
    edits = python(code)
    assert all(e.source == "python" for e in edits)
    assert [e.path for e in edits] in ([], ["loop.txt"] * 3, ["\udcff"])


def test_inspect_python_tool_call_edits(tmp_path: Path) -> None:
    """An Inspect log whose agent patches a file with its `python` tool (synthetic messages in the envelope of
    the real log_tool_call_error.json: no public Inspect log with a python-tool write was found)."""
    log = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "inspect_ai" / "log_tool_call_error.json").read_text())
    code = (
        "from pathlib import Path\np = Path('tests/test_calc.py')\ns = p.read_text()\np.write_text(s.replace('== 4', '== 5'))\n"
    )
    log["samples"][0]["messages"] = [
        {"role": "user", "content": "Make the tests pass."},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "py_1", "function": "python", "arguments": {"code": code}, "type": "function"}],
        },
        {"role": "tool", "content": "", "tool_call_id": "py_1", "function": "python"},
    ]
    path = tmp_path / "log.json"
    path.write_text(json.dumps(log))
    ((_, t),) = list(InspectAiFormat().read(Document(path, path.read_bytes())))
    (edit,) = t.file_edits  # type: ignore[union-attr]
    assert (edit.path, edit.step, edit.op, edit.source, edit.after) == ("tests/test_calc.py", 1, None, "python", None)


def test_python_strings_that_grow_without_bound_become_unknown() -> None:
    def doubled(times: int) -> str:
        return "s = 'ab'\nfor k in " + repr(list(range(times))) + ":\n    s = s + s\nopen('big.txt', 'w').write(s)\n"

    (edit,) = python(doubled(25))  # 2 × 2^25 characters: past the bound
    assert (edit.path, edit.after) == ("big.txt", None)
    (small,) = python(doubled(3))
    assert small.after == "ab" * 8
