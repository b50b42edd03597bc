"""Tool calls written as text in a reply, by agents whose model was not given a function-calling API.

OpenHands without native function calling (and SWE-agent's `xml_function_calling` parser, and the
SWE-Gym data built with them) has the model write `<function=execute_bash><parameter=command>ls
</parameter></function>`; SWE-agent stores an editor call as the command line it ran
(`str_replace_editor create /x.py --file_text '...'`); simple shell agents answer with one fenced
```bash block. Read as text only, those runs have no calls, no paired outputs and no file edits.
These readers turn the text into calls the way the scaffolds did, without executing anything; the
importer keeps the reply's text as it was written.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

_FUNCTION = re.compile(r"<function=([^>\n]{1,200})>\n?(.*?)(?:</function>|\Z)", re.DOTALL)
_PARAMETER = re.compile(r"<parameter=([^>\n]{1,200})>(.*?)</parameter>", re.DOTALL)
_FENCED_SHELL = re.compile(r"^```(?:bash|sh|shell)[ \t]*\n(.*?)\n```[ \t]*$", re.DOTALL | re.MULTILINE)
_EDITOR_COMMANDS = {"view", "create", "str_replace", "insert", "undo_edit"}
_EDITOR_OPTIONS = {"--file_text": "file_text", "--old_str": "old_str", "--new_str": "new_str", "--insert_line": "insert_line"}


def function_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """`<function=NAME><parameter=KEY>VALUE</parameter>...</function>` blocks as (name, arguments).

    As the scaffolds read them: one leading and one trailing newline of a value are dropped, a
    numeric `insert_line` and a JSON `view_range` are typed, and a reply cut off before its closing
    `</function>` (a stop word) still counts."""
    if "<function=" not in text:
        return []
    calls = []
    for match in _FUNCTION.finditer(text):
        arguments: dict[str, Any] = {}
        for key, value in _PARAMETER.findall(match[2]):
            arguments[key.strip()] = _typed(key.strip(), re.sub(r"^\n|\n$", "", value))
        calls.append((match[1].strip(), arguments))
    return calls


def _typed(key: str, value: str) -> Any:
    if key == "insert_line" and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if key == "view_range":
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, list) else value
    return value


def fenced_command(text: str) -> str | None:
    """The command of a reply that holds exactly one fenced ```bash (or sh, shell) block."""
    blocks = _FENCED_SHELL.findall(text)
    return blocks[0] if len(blocks) == 1 else None


def editor_arguments(action: str) -> dict[str, Any] | None:
    """SWE-agent's `str_replace_editor COMMAND PATH [--file_text T] [--old_str O] [--new_str N]
    [--insert_line L] [--view_range A B]` (values shell-quoted by SWE-agent) as the tool's arguments."""
    try:
        words = shlex.split(action)
    except ValueError:
        return None
    if len(words) < 3 or words[0] != "str_replace_editor" or words[1] not in _EDITOR_COMMANDS:
        return None
    arguments: dict[str, Any] = {"command": words[1], "path": words[2]}
    k = 3
    while k < len(words):
        option = words[k]
        if option == "--view_range" and k + 2 < len(words):
            try:
                arguments["view_range"] = [int(words[k + 1]), int(words[k + 2])]
            except ValueError:
                return None
            k += 3
        elif option in _EDITOR_OPTIONS and k + 1 < len(words):
            arguments[_EDITOR_OPTIONS[option]] = _typed(_EDITOR_OPTIONS[option], words[k + 1])
            k += 2
        else:
            return None
    return arguments
