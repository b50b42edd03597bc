"""What a file tool's own output says about the call: that it refused it, or that it created the file.

Editors answer a refused edit in words, not with an exit code or an error flag, and most formats keep
only the words: OpenHands prints `ERROR:` and the reason, SWE-agent's editors "Your proposed edit has
introduced new syntax error(s) ... Your changes have NOT been applied", the Anthropic-style
`str_replace_editor` "No replacement was performed ...". Reading them here, once for every importer,
keeps a refused edit from being shown as a change. Only editor calls are judged by their words: a
shell command printing `ERROR:` says something about the program it ran, not about the call.
"""

from __future__ import annotations

from reviewer.formats.edit_reconstruction import is_editor_call
from reviewer.model import ToolCall

# How a refusal starts. Successful editor outputs start otherwise ("The file ... has been edited",
# "File created successfully at", "Text replaced", a `[File: ...]` window).
_REFUSAL_STARTS = (
    "ERROR:",  # OpenHands: every editor ToolError
    "Error:",  # SWE-agent windowed commands ("Error: File 'x' already exists."), Anthropic's reference editor
    "<tool_use_error>",  # Claude Code
    "No replacement was performed",  # str_replace_editor: old_str missing, repeated, or equal to new_str
    "Parameter `",  # "Parameter `old_str` is required for command: str_replace"
    "Invalid `",  # "Invalid `insert_line` parameter", "Invalid `path` parameter", "Invalid `view_range`"
    "The path ",  # "... does not exist", "... is not an absolute path", "... is a directory"
    "The parent directory ",
    "File already exists at",
    "Unrecognized command",
    "No edit history found",
    "Your edit was not applied",  # SWE-agent windowed_edit_replace
    "Your proposed edit has introduced new syntax error",  # SWE-agent linting editors (0.x and 1.x)
    "No file opened.",
    "Search text must not be empty",
    "Your search and replace strings are the same",
    "Usage: edit",
)
# Said further down, after the would-be window: the edit was not made.
_REFUSAL_ANYWHERE = ("Your changes have NOT been applied", "Your edit was not applied")
_HEAD = 4_000  # refusals say so at once; the windows they show can be long
_CREATED = "File created successfully at"  # str_replace_editor `create`, Claude Code's Write of a new file


def refused(call: ToolCall, output: str) -> bool:
    """True when an editor call's output says the edit was not made."""
    if not is_editor_call(call):
        return False
    head = output[:_HEAD].lstrip()
    return head.startswith(_REFUSAL_STARTS) or any(marker in head for marker in _REFUSAL_ANYWHERE)


def reports_created(output: str) -> bool:
    """The output says the call created a new file (so the content before it was none)."""
    return output[:_HEAD].lstrip().startswith(_CREATED)
