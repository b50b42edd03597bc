"""Per-file edits reconstructed from what agents did: editor tool calls, shell writes and patches.

The diff view and the detectors need one record per edit of a file. Scaffolds rarely record them,
so they are rebuilt from the calls. A `FileTracker` follows each file's known content along the
trajectory: when the content before an edit is known (the agent created the file, or wrote it
whole), the edit gets full before/after text and a real diff; when it is not, the edit keeps only
what the call shows (a snippet hunk, or nothing but the fact of the edit). Nothing is invented.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

from reviewer.edits import header_name, make_diff
from reviewer.model import FileEdit, ToolCall

# Editor tools of SWE-agent, OpenHands, Anthropic's text editor and the mini-SWE-agent family.
EDITOR_TOOLS = {"str_replace_editor", "str_replace_based_edit_tool", "text_editor", "edit_file", "file_editor"}
WRITE_TOOLS = {"Write", "write_file", "create_file"}  # the whole new content in one argument
REPLACE_TOOLS = {"Edit", "MultiEdit"}  # Claude Code's search/replace editors
# exec_command and local_shell are Codex CLI's (a `cmd` string, an argv `command`), run_shell_command Gemini CLI's.
SHELL_TOOLS = {
    "bash", "execute_bash", "shell", "run", "cmd", "terminal", "run_command", "Bash", "keystrokes", "exec_command", "local_shell",
    "run_shell_command",
}  # fmt: skip
PATCH_TOOLS = {"apply_patch", "patch"}
WINDOW_EDIT_COMMANDS = {"edit", "create", "insert"}  # SWE-agent's own editor commands (windows, cursors)
_EDITOR_COMMANDS = {"create", "str_replace", "insert"}


# File editors whose importers record the edits themselves: Cline / Roo Code's, Gemini CLI's `replace`.
RECORDED_EDITORS = {"write_to_file", "replace_in_file", "apply_diff", "insert_content", "search_and_replace", "replace"}
_FILE_TOOLS = frozenset(EDITOR_TOOLS | WRITE_TOOLS | REPLACE_TOOLS | PATCH_TOOLS | WINDOW_EDIT_COMMANDS | RECORDED_EDITORS)


def is_editor_call(call: ToolCall) -> bool:
    """A call to a file editor (not a shell): its output, not an exit code, says whether it refused."""
    if call.name in _FILE_TOOLS:
        return True
    command = call.arguments.get("command")
    return isinstance(command, str) and command in _EDITOR_COMMANDS and isinstance(call.arguments.get("path") or call.arguments.get("file_path"), str)


def snippet_diff(path: str, old: str, new: str, where: str = "position unknown") -> str:
    """A hunk for an edit whose surrounding file is unknown: the replaced lines, no line numbers."""
    body = [f"-{line}" for line in old.splitlines()] + [f"+{line}" for line in new.splitlines()]
    head = f"--- {header_name('a', path)}\n+++ {header_name('b', path)}\n@@ {where} @@\n"
    return head + "".join(line + "\n" for line in body)


class FileTracker:
    """Known file contents along one trajectory; turns edit calls into FileEdits in order."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def _whole(self, path: str, step: int, after: str, source: str, *, new_file: bool = False) -> FileEdit:
        """The file's whole new content. `new_file`: the call creates the file (an editor's `create`),
        so an unknown before-state is the empty file; a plain write of an unknown file says neither."""
        existed = path in self.known
        before = "" if new_file and not existed else self.known.get(path)
        self.known[path] = after
        diff = make_diff(path, before, after) if before is not None else None
        op = "modify" if existed else "create" if new_file else None
        return FileEdit(path, step, before, after, diff, source, op)

    def _replace(self, path: str, step: int, old: str, new: str, source: str, *, count: int = 1) -> FileEdit:
        """Search and replace. One replacement needs exactly one occurrence (editors refuse several): a
        known content with several, or none, is stale, and the edit keeps only its snippet."""
        before = self.known.get(path)
        if before is not None and old and (before.count(old) == 1 or (count != 1 and old in before)):
            after = before.replace(old, new, count)
            self.known[path] = after
            return FileEdit(path, step, before, after, make_diff(path, before, after), source, "modify")
        self.known.pop(path, None)  # whatever we knew no longer holds
        return FileEdit(path, step, None, None, snippet_diff(path, old, new), source, "modify")

    def _insert(self, path: str, step: int, line: int, text: str, source: str) -> FileEdit:
        before = self.known.get(path)
        lines = before.splitlines(keepends=True) if before is not None else []
        if before is not None and line <= len(lines):
            addition = text if text.endswith("\n") else text + "\n"
            after = "".join(lines[:line]) + addition + "".join(lines[line:])
            self.known[path] = after
            return FileEdit(path, step, before, after, make_diff(path, before, after), source, "modify")
        self.known.pop(path, None)
        return FileEdit(path, step, None, None, snippet_diff(path, "", text, f"insert after line {line}"), source, "modify")

    def edits_for(self, call: ToolCall, step: int) -> list[FileEdit]:
        """The edits one tool call makes; [] for calls that edit nothing (or that we cannot parse)."""
        args = call.arguments
        command = args.get("command")
        path = args.get("path") or args.get("file_path")
        if call.name in EDITOR_TOOLS or (isinstance(command, str) and command in _EDITOR_COMMANDS and isinstance(path, str)):
            return self._editor(args, step)
        if call.name in WRITE_TOOLS and isinstance(path, str):
            content = args.get("content", args.get("file_text"))
            return [self._whole(path, step, content, "tool_call", new_file=call.name == "create_file")] if isinstance(content, str) else []
        if call.name in REPLACE_TOOLS and isinstance(path, str):
            edits = args.get("edits") if call.name == "MultiEdit" else [args]
            return [
                self._replace(path, step, e.get("old_string", ""), e.get("new_string", ""), "tool_call", count=-1 if e.get("replace_all") else 1)
                for e in edits or ()
                if isinstance(e, dict) and isinstance(e.get("old_string"), str) and isinstance(e.get("new_string"), str)
            ]
        patch = args.get("patch") or args.get("input")
        if call.name in PATCH_TOOLS and isinstance(patch, str):
            return self.patch_edits(patch, step, "patch")
        script = command if isinstance(command, str) else args.get("cmd") or args.get("keystrokes")
        if call.name in SHELL_TOOLS and isinstance(command, list):
            argv = [word for word in command if isinstance(word, str)]
            if len(argv) == 2 and argv[0] in PATCH_TOOLS:  # Codex's `shell` running `apply_patch <patch>`
                return self.patch_edits(argv[1], step, "patch")
            script = argv[2] if len(argv) == 3 and argv[1] in ("-c", "-lc") else shlex.join(argv)
        if call.name in SHELL_TOOLS and isinstance(script, str):
            return self.shell_edits(script, step)
        return []

    def _editor(self, args: dict, step: int) -> list[FileEdit]:
        command, path = args.get("command"), args.get("path")
        if not isinstance(path, str) or not path:
            return []
        if command == "create" and isinstance(args.get("file_text"), str):
            return [self._whole(path, step, args["file_text"], "tool_call", new_file=True)]
        if command == "str_replace" and isinstance(args.get("old_str"), str):
            new_str = args.get("new_str")
            new = new_str if isinstance(new_str, str) else ""
            return [self._replace(path, step, args["old_str"], new, "tool_call")]
        if command == "insert" and isinstance(args.get("new_str"), str):
            line = args.get("insert_line")
            return [self._insert(path, step, line if isinstance(line, int) and line >= 0 else 0, args["new_str"], "tool_call")]
        if command in _EDITOR_COMMANDS:  # an edit without its text (the editor refuses it): the fact, no content
            self.known.pop(path, None)
            return [FileEdit(path, step, None, None, None, "tool_call", "create" if command == "create" else "modify")]
        return []

    def shell_edits(self, script: str, step: int) -> list[FileEdit]:
        """Heredoc writes (`cat > f <<EOF`, `tee`), appends, `git apply`/`patch` heredocs and `sed -i`."""
        found: list[tuple[int, list[FileEdit]]] = []
        for kind, pattern in _HEREDOCS:
            for match in pattern.finditer(script):
                found.append((match.start(), self._heredoc(kind, match, step)))
        for match in _SED_INPLACE.finditer(script):
            found.append((match.start(), self._sed(match.group(0), step)))
        for match in _ECHO.finditer(script):
            found.append((match.start(), self._echo(match, step)))
        return [edit for _, edits in sorted(found, key=lambda item: item[0]) for edit in edits]

    def _heredoc(self, kind: str, match: re.Match[str], step: int) -> list[FileEdit]:
        body = match.group("body") + "\n"
        if kind == "patch":
            return self.patch_edits(body, step, "bash")
        target = match.group("path")
        if kind == "write":
            return [self._whole(target, step, body, "bash")]
        before = self.known.get(target)
        if before is not None:
            return [self._whole(target, step, before + body, "bash")]
        return [FileEdit(target, step, None, None, snippet_diff(target, "", body, "appended at end"), "bash")]

    def _echo(self, match: re.Match[str], step: int) -> list[FileEdit]:
        """`echo words > file` (and `>>`): the content is the words, as the shell would join them."""
        try:
            words = shlex.split(match.group("args"))
        except ValueError:
            return []
        newline = "\n"
        while words and words[0] in ("-n", "-e", "-E"):
            newline = "" if words.pop(0) == "-n" else newline
        body, target = " ".join(words) + newline, match.group("path")
        if match.group("op") == ">":
            return [self._whole(target, step, body, "bash")]
        before = self.known.get(target)
        if before is not None:
            return [self._whole(target, step, before + body, "bash")]
        return [FileEdit(target, step, None, None, snippet_diff(target, "", body, "appended at end"), "bash")]

    def _sed(self, command: str, step: int) -> list[FileEdit]:
        """`sed -i` edits in place: we know which files changed, not how (sed is not re-run here)."""
        try:
            words = shlex.split(command)
        except ValueError:
            return []
        targets = [w for w in words[2:] if not w.startswith("-") and not _looks_like_sed_script(w)]
        for target in targets:
            self.known.pop(target, None)
        return [FileEdit(target, step, None, None, None, "bash", "modify") for target in targets]

    def patch_edits(self, patch: str, step: int, source: str) -> list[FileEdit]:
        """Edits from a unified diff (git or plain) or an apply_patch envelope, one per file."""
        if "*** Begin Patch" in patch:
            return list(_apply_patch_edits(self, patch, step, source))
        return list(self._unified_edits(patch, step, source))

    def _unified_edits(self, patch: str, step: int, source: str) -> Iterable[FileEdit]:
        for chunk in _split_unified(patch):
            path = _chunk_path(chunk)
            if path is None:
                continue
            self.known.pop(path, None)
            op, from_path = _chunk_op(chunk)
            yield FileEdit(path, step, None, None, chunk, source, op, from_path=from_path)


def edits_from_patch(patch: str, step: int, source: str = "submission") -> list[FileEdit]:
    """A submitted patch as per-file edits (no file state: a submission is read on its own)."""
    return FileTracker().patch_edits(patch.replace("\r\n", "\n"), step, source)


_PATH = r"(?P<path>[\w./~+-]+)"
_TAG = r"<<-?\s*(?P<q>['\"]?)(?P<tag>\w+)(?P=q)"
_BODY = r"[^\n]*\n(?P<body>.*?)\n\s*(?P=tag)\b"
_HEREDOCS = [  # (what it does, pattern): write replaces the file, append adds to it, patch applies a diff
    ("write", re.compile(rf"\bcat\s*>\s*{_PATH}\s*{_TAG}{_BODY}", re.DOTALL)),
    ("write", re.compile(rf"\bcat\s*{_TAG}\s*>\s*{_PATH}{_BODY}", re.DOTALL)),
    ("append", re.compile(rf"\bcat\s*>>\s*{_PATH}\s*{_TAG}{_BODY}", re.DOTALL)),
    ("append", re.compile(rf"\bcat\s*{_TAG}\s*>>\s*{_PATH}{_BODY}", re.DOTALL)),
    ("write", re.compile(rf"\btee\s+{_PATH}\s*{_TAG}{_BODY}", re.DOTALL)),
    ("append", re.compile(rf"\btee\s+-a\s+{_PATH}\s*{_TAG}{_BODY}", re.DOTALL)),
    ("patch", re.compile(rf"\b(?:git\s+apply|patch)\b[^\n<]*{_TAG}{_BODY}", re.DOTALL)),
]
_ECHO = re.compile(r"\becho\s+(?P<args>[^\n;&|<>]*?)(?<![0-9&])(?P<op>>>?)\s*(?!/dev/)(?P<path>[\w./~+-]+)")
_SED_INPLACE = re.compile(r"sed\s+(?:-[a-zA-Z]*i[a-zA-Z]*|--in-place)(?:=\S*)?\s+[^;&|\n]+")


def _looks_like_sed_script(word: str) -> bool:
    return bool(re.match(r"^(\d+,?\d*)?[sydaic]\W|^/", word)) or word.startswith(("s/", "s|", "s#", "'s"))


def _split_unified(patch: str) -> list[str]:
    """Per-file pieces of a multi-file unified diff, each starting at its `diff --git` or `---` line."""
    lines = patch.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")]
    if not starts:
        starts = [i for i, line in enumerate(lines) if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")]
    ends = [*starts[1:], len(lines)] if starts else []
    return ["".join(lines[a:b]) for a, b in zip(starts, ends, strict=True)]


def _chunk_path(chunk: str) -> str | None:
    minus = plus = None
    for line in chunk.splitlines():
        if line.startswith("--- "):
            minus = line[4:].split("\t")[0].strip()
        elif line.startswith("+++ "):
            plus = line[4:].split("\t")[0].strip()
            break
    if plus is None and chunk.startswith("diff --git "):
        parts = chunk.splitlines()[0].split(" b/", 1)
        return parts[1].strip() if len(parts) == 2 else None
    for name in (plus, minus):
        if name and name != "/dev/null":
            return name[2:] if name[:2] in ("a/", "b/") else name
    return None


def _chunk_op(chunk: str) -> tuple[str, str | None]:
    """(op, renamed-from path) from one file's diff headers: `/dev/null` on one side, git's `rename from`."""
    lines = chunk.splitlines()
    renamed = next((line[len("rename from ") :].strip() for line in lines if line.startswith("rename from ")), None)
    if renamed:
        return "rename", renamed
    if any(line.startswith("--- /dev/null") for line in lines) or any(line.startswith("new file mode") for line in lines):
        return "create", None
    if any(line.startswith("+++ /dev/null") for line in lines) or any(line.startswith("deleted file mode") for line in lines):
        return "delete", None
    return "modify", None


def _apply_patch_edits(tracker: FileTracker, patch: str, step: int, source: str) -> Iterable[FileEdit]:
    """The apply_patch envelope (`*** Update File:` / `*** Add File:` / `*** Delete File:`)."""
    blocks = re.split(r"^\*\*\* (Update|Add|Delete) File: (.+)$", patch, flags=re.MULTILINE)
    for kind, path, body in zip(blocks[1::3], blocks[2::3], blocks[3::3], strict=True):
        path = path.strip()
        lines = [ln for ln in body.splitlines() if not ln.startswith("*** ")]
        if kind == "Add":
            yield tracker._whole(path, step, "".join(ln[1:] + "\n" for ln in lines if ln.startswith("+")), source, new_file=True)
        elif kind == "Delete":
            before = tracker.known.pop(path, None)
            yield FileEdit(path, step, before, "", make_diff(path, before, "") if before is not None else f"--- {header_name('a', path)}\n+++ /dev/null\n", source, "delete")
        else:
            tracker.known.pop(path, None)
            yield FileEdit(path, step, None, None, f"--- {header_name('a', path)}\n+++ {header_name('b', path)}\n" + "".join(ln + "\n" for ln in lines if ln), source, "modify")
