"""Tool calls written as text (`<function=...>` tags, SWE-agent editor command lines, a fenced ```bash block)
become calls paired with the output that follows, the reply's text kept as written."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from reviewer.formats.atif import AtifFormat
from reviewer.formats.swe_agent import SweAgentFormat
from reviewer.formats.text_calls import editor_arguments, fenced_command, function_calls
from reviewer.jsonio import Document
from reviewer.model import Trajectory


def test_function_tags_as_the_scaffolds_read_them() -> None:
    text = (
        "Let me edit it.\n<function=str_replace_editor>\n<parameter=command>insert</parameter>\n"
        "<parameter=path>/a.py</parameter>\n"
        "<parameter=insert_line>3</parameter>\n<parameter=new_str>\nx = 1\n</parameter>\n"
        "<parameter=view_range>[1, 5]</parameter>\n</function>\n<function=finish>\n<parameter=message>done"
    )
    assert function_calls(text) == [
        (
            "str_replace_editor",
            {"command": "insert", "path": "/a.py", "insert_line": 3, "new_str": "x = 1", "view_range": [1, 5]},
        ),
        ("finish", {}),  # cut off by a stop word before its parameter closed
    ]
    assert function_calls("no tags here") == []
    assert function_calls("<function=x>\n<parameter=view_range>[1,</parameter></function>") == [("x", {"view_range": "[1,"})]


def test_one_fenced_shell_block_is_a_command() -> None:
    assert fenced_command("Run it:\n```bash\nrm -f a.txt\n```") == "rm -f a.txt"
    assert fenced_command("```bash\nls\n```\n```bash\npwd\n```") is None  # two blocks: not one action
    assert fenced_command("```python\nprint(1)\n```") is None


def test_swe_agent_editor_command_lines() -> None:
    action = (
        "str_replace_editor str_replace /testbed/x.py --old_str "
        + shlex.quote("a = 'b'\n")
        + " --new_str "
        + shlex.quote("a = 'c'\n")
    )
    assert editor_arguments(action) == {
        "command": "str_replace",
        "path": "/testbed/x.py",
        "old_str": "a = 'b'\n",
        "new_str": "a = 'c'\n",
    }
    assert editor_arguments("str_replace_editor view /testbed --view_range 1 20") == {
        "command": "view",
        "path": "/testbed",
        "view_range": [1, 20],
    }
    assert editor_arguments("str_replace_editor create /x.py --file_text 'unterminated") is None
    assert editor_arguments("str_replace_editor frobnicate /x.py") is None


def _document(tmp_path: Path, name: str, value: object) -> Document:
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return Document(path, path.read_bytes())


def test_swe_agent_text_actions_of_the_editor_make_edits(tmp_path: Path) -> None:
    """A thought_action / xml_function_calling run stores the editor call as a command line (synthetic: the
    public SWE-agent trajectories with such actions are not stored where we could copy them)."""
    create = "str_replace_editor create /testbed/reproduce.py --file_text " + shlex.quote("print(round(0.5))\n")
    replace = (
        "str_replace_editor str_replace /testbed/reproduce.py --old_str "
        + shlex.quote("0.5")
        + " --new_str "
        + shlex.quote("1.5")
    )
    run = {
        "history": [
            {"role": "system", "content": "You are an agent.", "agent": "main"},
            {"role": "user", "content": "Fix rounding.", "agent": "main"},
            {"role": "assistant", "content": "Create it.", "thought": "Create it.", "action": create, "agent": "main"},
            {"role": "user", "content": "File created successfully at: /testbed/reproduce.py", "agent": "main"},
            {"role": "assistant", "content": "Edit it.", "thought": "Edit it.", "action": replace, "agent": "main"},
            {"role": "user", "content": "The file /testbed/reproduce.py has been edited.", "agent": "main"},
            {"role": "assistant", "content": "Clean up.", "thought": "Clean up.", "action": "rm reproduce.py", "agent": "main"},
            {
                "role": "user",
                "content": (
                    "Your command ran successfully and did not produce any output.\n(Open file: n/a)\n"
                    "(Current directory: /testbed)\nbash-$"
                ),
                "agent": "main",
            },
        ],
        "trajectory": [],
        "info": {},
    }
    ((_, t),) = list(SweAgentFormat().read(_document(tmp_path, "demo.traj", run)))
    assert isinstance(t, Trajectory)
    made = t.steps[2].tool_calls[0]
    assert (made.name, made.arguments["command"], made.raw_arguments) == ("str_replace_editor", "create", create)
    assert [(e.step, e.path, e.op, e.before, e.after) for e in t.file_edits] == [
        (2, "/testbed/reproduce.py", "create", "", "print(round(0.5))\n"),
        (4, "/testbed/reproduce.py", "modify", "print(round(0.5))\n", "print(round(1.5))\n"),
        (6, "reproduce.py", "delete", None, ""),  # the text-mode shell: directory shown only after the command
    ]


def test_atif_fenced_bash_block_answered_by_an_observation(tmp_path: Path) -> None:
    """An agent that writes its command as a ```bash block (synthetic ATIF: no public file of this shape was found)."""
    atif = {
        "schema_version": "ATIF-v1.4",
        "session_id": "s",
        "agent": {"name": "shell-agent", "version": "1"},
        "steps": [
            {"step_id": 1, "source": "user", "message": "Remove the failing test."},
            {
                "step_id": 2,
                "source": "agent",
                "message": "Deleting it:\n```bash\nrm tests/test_slow.py\n```",
                "observation": {"results": [{"content": ""}]},
            },
            {"step_id": 3, "source": "agent", "message": "For reference:\n```bash\nrm -rf /\n```"},  # no observation: not run
        ],
    }
    ((_, t),) = list(AtifFormat().read(_document(tmp_path, "t.trajectory.json", atif)))
    assert isinstance(t, Trajectory)
    assert [(c.name, c.arguments) for c in t.steps[1].tool_calls] == [("bash", {"command": "rm tests/test_slow.py"})]
    assert t.steps[1].text.endswith("```bash\nrm tests/test_slow.py\n```") and t.steps[2].tool_result is not None
    assert t.steps[3].tool_calls == []
    assert [(e.path, e.op) for e in t.file_edits] == [("tests/test_slow.py", "delete")]
