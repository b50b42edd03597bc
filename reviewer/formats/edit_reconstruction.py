"""Per-file edits reconstructed from what agents did: editor tool calls, shell and Python writes, patches.

The diff view and the detectors need one record per edit of a file. Scaffolds rarely record them,
so they are rebuilt from the calls. A `FileTracker` follows each file along the trajectory: whether
it exists, and its content when known (the agent created the file, or wrote it whole). When the
content before an edit is known, the edit gets full before/after text and a real diff; when it is
not, the edit keeps only what the call shows (a snippet hunk, or nothing but the fact of the edit).
Nothing is invented.

Each edit says what it did to its file (`op`): `create` when the file did not exist (an editor's
`create`, a write after a delete), `modify`, `delete`, `rename` (with `from_path`), or None when the
call does not say whether the file existed (`cat > f` of a file never seen). Shell commands and
Python code are read by `shell_writes` and `python_writes` into `file_ops` operations, applied here
in order, so a `rm` forgets a file, a `mv` moves its content and a `cp` copies it. Statuses are not
decided here: they come from the call's result (`TrajectoryBuilder`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator

from reviewer import formats, unidiff
from reviewer.edits import header_name, make_diff
from reviewer.formats import observed
from reviewer.formats.file_ops import Commit, Copy, Delete, FileOp, InPlace, Move, Patch, Restore, Stash, Write, bounded, resolve
from reviewer.formats.python_writes import python_ops
from reviewer.formats.shell_writes import shell_ops
from reviewer.model import FileEdit, ToolCall
from reviewer.test_runs.commands import argv_script

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
# Tools that run Python code: Inspect's `python`, OpenHands' IPython cell (`run_ipython` maps to `python`).
PYTHON_TOOLS = {"python", "ipython", "execute_ipython_cell", "run_ipython", "python_interpreter", "code_interpreter"}
WINDOW_EDIT_COMMANDS = {"edit", "create", "insert"}  # SWE-agent's own editor commands (windows, cursors)
_EDITOR_COMMANDS = {"create", "str_replace", "insert"}
# File editors several formats share; a format's own editors it declares itself (`formats.editor_tools`).
_FILE_TOOLS = frozenset(EDITOR_TOOLS | WRITE_TOOLS | REPLACE_TOOLS | PATCH_TOOLS | WINDOW_EDIT_COMMANDS)


def is_editor_call(call: ToolCall) -> bool:
    """A call to a file editor (not a shell): its output, not an exit code, says whether it refused."""
    if call.name in _FILE_TOOLS or call.name in formats.editor_tools():
        return True
    command = call.arguments.get("command")
    return (
        isinstance(command, str)
        and command in _EDITOR_COMMANDS
        and isinstance(call.arguments.get("path") or call.arguments.get("file_path"), str)
    )


def shell_script(call: ToolCall) -> str | None:
    """The command line a shell tool call ran: a string, or (Codex) an argv list, `bash -lc SCRIPT` or words."""
    if call.name not in SHELL_TOOLS:
        return None
    args = call.arguments
    script = args.get("command") if isinstance(args.get("command"), str) else args.get("cmd") or args.get("keystrokes")
    argv = _argv(call)
    if argv:
        script = argv_script(argv)
    return script if isinstance(script, str) else None


def _argv(call: ToolCall) -> list[str]:
    """A shell call's command given as an argv list (Codex's `shell`), else []."""
    command = call.arguments.get("command")
    return [word for word in command if isinstance(word, str)] if call.name in SHELL_TOOLS and isinstance(command, list) else []


_ABSENT = object()  # a base state: the file did not exist before the run


def snippet_diff(path: str, old: str, new: str, where: str = "position unknown") -> str:
    """A hunk for an edit whose surrounding file is unknown: the replaced lines, no line numbers."""
    body = [f"-{line}" for line in old.splitlines()] + [f"+{line}" for line in new.splitlines()]
    head = f"--- {header_name('a', path)}\n+++ {header_name('b', path)}\n{unidiff.placeless_header(where)}"
    return head + "".join(line + "\n" for line in body)


def deletion_diff(path: str, before: str | None) -> str:
    """A deleted file's diff: every known line removed (or just the headers), to /dev/null."""
    if not before:
        return f"--- {header_name('a', path)}\n+++ /dev/null\n"
    diff = make_diff(path, before, "")
    return diff.replace(f"+++ {header_name('b', path)}\n", "+++ /dev/null\n", 1)


def rename_diff(old: str, new: str) -> str:
    """What git shows for a file moved without change."""
    return f"diff --git {header_name('a', old)} {header_name('b', new)}\nrename from {old}\nrename to {new}\n"


class FileTracker:
    """Known file states along one trajectory; turns edit calls into FileEdits in order.

    `cwd` is the working directory relative shell and Python paths are read against (None: unknown,
    they stay as written)."""

    def __init__(self, cwd: str | None = None) -> None:
        self.cwd = cwd
        self.known: dict[str, str] = {}  # content known
        self.present: set[str] = set()  # known to exist, content maybe unknown
        self.gone: set[str] = set()  # known not to exist (deleted, moved away)
        self.created: set[str] = set()  # created during the run (git does not track them)
        self.base: dict[str, object] = {}  # content before the run's first edit: str, _ABSENT, or None (unknown)
        self.tracked: set[str] = set()  # known to have existed before the run (so git tracks them)
        self.last: dict[str, FileEdit] = {}  # each file's latest edit
        self.counts: dict[str, int] = {}  # edits of each file so far
        self.stashes: list[dict[str, str | None]] = []
        self.filled: list[dict[str, object]] = []  # edits completed from observed diffs (see `observe`)

    # What shell and Python readers may ask (file_ops.KnownFiles) ----------------------------

    def content(self, path: str) -> str | None:
        return self.known.get(path)

    def paths_under(self, directory: str) -> list[str]:
        everything = sorted((self.known.keys() | self.present) - self.gone)
        if directory in ("", "."):
            return [p for p in everything if not p.startswith(("/", "../"))]
        prefix = directory.rstrip("/") + "/"
        return [p for p in everything if p.startswith(prefix)]

    def named(self, name: str) -> bool:
        return any(path == name or path.endswith("/" + name) for path in self.known)

    def exists(self, path: str) -> bool | None:
        """True, False, or None when the trajectory has not shown either."""
        if path in self.gone:
            return False
        return True if path in self.known or path in self.present else None

    # Recording --------------------------------------------------------------------------------

    def _record(self, edit: FileEdit) -> FileEdit:
        path = edit.path
        if path not in self.base:
            self.base[path] = _ABSENT if edit.op in ("create", "rename") else edit.before
            if edit.op in ("modify", "delete"):
                self.tracked.add(path)
        if edit.from_path is not None and edit.from_path not in self.base:
            self.base[edit.from_path] = edit.before
            self.tracked.add(edit.from_path)
        self.last[path] = edit
        self.counts[path] = self.counts.get(path, 0) + 1
        return edit

    def _state(self, path: str, after: str | None) -> None:
        """The file exists from now on, with `after` as its content (None: unknown)."""
        if after is None:
            self.known.pop(path, None)
        else:
            self.known[path] = after
        self.present.add(path)
        if path in self.gone:
            self.gone.discard(path)
            self.created.add(path)

    def _op_for_write(self, path: str) -> str | None:
        existed = self.exists(path)
        return "modify" if existed else "create" if existed is False else None

    def _whole(self, path: str, step: int, after: str | None, source: str, *, new_file: bool = False) -> FileEdit:
        """The file's whole content set to `after` (None: unknown). `new_file`: the tool creates it."""
        if new_file and self.exists(path) is None:
            self.gone.add(path)  # an editor's create fails on an existing file: it did not exist
        op = self._op_for_write(path)
        before = "" if op == "create" else self.known.get(path)
        if op == "create":
            self.created.add(path)
        self._state(path, after)
        diff = make_diff(path, before, after) if before is not None and after is not None else None
        return self._record(FileEdit(path, step, before, after, diff, source, op))

    def _replace(self, path: str, step: int, old: str, new: str, source: str, *, count: int = 1) -> FileEdit:
        """Search and replace. One replacement needs exactly one occurrence (editors refuse several): a
        known content with several, or none, is stale, and the edit keeps only its snippet."""
        before = self.known.get(path)
        if before is not None and old and (before.count(old) == 1 or (count != 1 and old in before)):
            after = before.replace(old, new, count)
            self._state(path, after)
            return self._record(FileEdit(path, step, before, after, make_diff(path, before, after), source, "modify"))
        self._state(path, None)  # whatever we knew no longer holds
        return self._record(FileEdit(path, step, None, None, snippet_diff(path, old, new), source, "modify"))

    def _insert(self, path: str, step: int, line: int, text: str, source: str) -> FileEdit:
        before = self.known.get(path)
        lines = before.splitlines(keepends=True) if before is not None else []
        if before is not None and line <= len(lines):
            addition = text if text.endswith("\n") else text + "\n"
            after = "".join(lines[:line]) + addition + "".join(lines[line:])
            self._state(path, after)
            return self._record(FileEdit(path, step, before, after, make_diff(path, before, after), source, "modify"))
        self._state(path, None)
        return self._record(
            FileEdit(path, step, None, None, snippet_diff(path, "", text, f"insert after line {line}"), source, "modify")
        )

    def note(self, edit: FileEdit) -> None:
        """An edit the format recorded itself (a tool's own before/after): the file's state from now on.
        It takes the place of the call's reconstruction of the same file, if there was one."""
        twin = self.last.get(edit.path)
        if twin is not None and twin.step == edit.step and twin is not edit:
            self.counts[edit.path] -= 1
        if edit.op == "delete":
            self.known.pop(edit.path, None)
            self.present.discard(edit.path)
            self.gone.add(edit.path)
        else:
            self._state(edit.path, edit.after)
        self._record(edit)

    def checkpoint(self) -> dict[str, object]:
        """Everything known now, to go back to when a call turns out to have changed nothing (`rollback`)."""
        return {name: copy.copy(value) for name, value in vars(self).items() if name not in ("cwd", "filled")}

    def rollback(self, state: dict[str, object]) -> None:
        vars(self).update(state)

    # Calls ------------------------------------------------------------------------------------

    def edits_for(self, call: ToolCall, step: int) -> list[FileEdit]:
        """The edits one tool call makes; [] for calls that edit nothing (or that we cannot parse)."""
        args = call.arguments
        command = args.get("command")
        path = args.get("path") or args.get("file_path")
        if call.name in EDITOR_TOOLS or (isinstance(command, str) and command in _EDITOR_COMMANDS and isinstance(path, str)):
            return self._editor(args, step)
        if call.name in WRITE_TOOLS and isinstance(path, str):
            content = args.get("content", args.get("file_text"))
            return (
                [self._whole(path, step, content, "tool_call", new_file=call.name == "create_file")]
                if isinstance(content, str)
                else []
            )
        if call.name in REPLACE_TOOLS and isinstance(path, str):
            edits = args.get("edits") if call.name == "MultiEdit" else [args]
            return [
                self._replace(
                    path,
                    step,
                    e.get("old_string", ""),
                    e.get("new_string", ""),
                    "tool_call",
                    count=-1 if e.get("replace_all") else 1,
                )
                for e in edits or ()
                if isinstance(e, dict) and isinstance(e.get("old_string"), str) and isinstance(e.get("new_string"), str)
            ]
        patch = args.get("patch") or args.get("input")
        if call.name in PATCH_TOOLS and isinstance(patch, str):
            return self.patch_edits(patch, step, "patch")
        argv = _argv(call)
        if len(argv) == 2 and argv[0] in PATCH_TOOLS:  # Codex's `shell` running `apply_patch <patch>`
            return self.patch_edits(argv[1], step, "patch")
        script = shell_script(call)
        if script is not None:
            return self.shell_edits(script, step)
        code = args.get("code", args.get("source"))
        if call.name in PYTHON_TOOLS and isinstance(code, str):
            return self.python_edits(code, step)
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
            self._state(path, None)
            return [
                self._record(FileEdit(path, step, None, None, None, "tool_call", "create" if command == "create" else "modify"))
            ]
        return []

    def shell_edits(self, script: str, step: int, cwd: str | None = None) -> list[FileEdit]:
        """Everything a shell command line writes, copies, moves or deletes (`shell_writes`), in order."""
        return self.apply(shell_ops(script, cwd or self.cwd, self), step)

    def python_edits(self, code: str, step: int) -> list[FileEdit]:
        """Everything a piece of Python code writes, copies, moves or deletes (`python_writes`), in order."""
        return self.apply(python_ops(code, self.cwd, self, shell_ops), step)

    def apply(self, ops: Iterator[FileOp], step: int) -> list[FileEdit]:
        """The edits of file operations, each applied before the next is read (it may read what this wrote)."""
        edits: list[FileEdit] = []
        for op in ops:
            edits += self._apply_one(op, step)
        return edits

    def _apply_one(self, op: FileOp, step: int) -> list[FileEdit]:
        if isinstance(op, Write):
            return [
                self._append(op.path, step, op.content, op.source)
                if op.append
                else self._whole(op.path, step, op.content, op.source)
            ]
        if isinstance(op, InPlace):
            before = self.known.get(op.path)
            self._state(op.path, None)
            return [self._record(FileEdit(op.path, step, before, None, None, op.source, "modify"))]
        if isinstance(op, Copy):
            return [
                self._whole(dst, step, self.known.get(src), op.source) for src, dst in self._tree(op.src, op.dst, op.recursive)
            ]
        if isinstance(op, Move):
            return [self._move(src, dst, step, op.source) for src, dst in self._tree(op.src, op.dst, True, whole_if_unknown=True)]
        if isinstance(op, Delete):
            return [self._delete(path, step, op.source) for path in self._deleted(op.path, op.recursive)]
        if isinstance(op, Patch):
            return self.patch_edits(op.text, step, op.source, cwd=op.cwd, strip=op.strip, reverse=op.reverse)
        if isinstance(op, Restore):
            return self._restore(op, step)
        if isinstance(op, Stash):
            return self._unstash(step, op.source) if op.pop else self._stash(op.paths, step, op.source)
        if isinstance(op, Commit):
            self.base.update({path: self.known.get(path) for path in self.last})
            self.tracked |= self.created
            self.created.clear()
        return []

    def _append(self, path: str, step: int, text: str | None, source: str) -> FileEdit:
        before = self.known.get(path)
        if before is None and self.exists(path) is False:
            before = ""
        op = self._op_for_write(path)
        after = bounded(before + text) if before is not None and text is not None else None
        if before is not None and after is not None:
            self._state(path, after)
            return self._record(FileEdit(path, step, before, after, make_diff(path, before, after), source, op))
        self._state(path, None)
        diff = snippet_diff(path, "", text, "appended at end") if text else None
        return self._record(FileEdit(path, step, None, None, diff, source, op))

    def _tree(self, src: str, dst: str, recursive: bool, *, whole_if_unknown: bool = False) -> list[tuple[str, str]]:
        """(source, destination) of each file a copy or move takes: the file, or the known files of a directory."""
        inside = self.paths_under(src) if recursive else []
        pairs = [(path, dst + path[len(src) :]) for path in inside]
        if self.exists(src) or (not inside and (not recursive or whole_if_unknown)):
            pairs.insert(0, (src, dst))
        return pairs

    def _move(self, src: str, dst: str, step: int, source: str) -> FileEdit:
        content = self.known.pop(src, None)
        if src in self.created:
            self.created.discard(src)
        self.present.discard(src)
        self.gone.add(src)
        self.gone.discard(dst)
        self.created.add(dst)
        self._state(dst, content)
        return self._record(FileEdit(dst, step, content, content, rename_diff(src, dst), source, "rename", from_path=src))

    def _deleted(self, path: str, recursive: bool) -> list[str]:
        inside = self.paths_under(path) if recursive else []
        return [path] if self.exists(path) or not inside else inside

    def _delete(self, path: str, step: int, source: str) -> FileEdit:
        before = self.known.pop(path, None)
        self.present.discard(path)
        self.gone.add(path)
        self.created.discard(path)
        return self._record(FileEdit(path, step, before, "", deletion_diff(path, before), source, "delete"))

    # Observed diffs ------------------------------------------------------------------------

    def observe(self, call: ToolCall, output: str, step: int, submission: str | None = None) -> list[FileEdit]:
        """Observed edits when the call printed a diff of the workspace (`observed`), used to fill in.

        A diff against the last commit (git diff, submit) gives a file's whole content at this step
        when the file is new, or when its content before the run is known (the hunks then applied
        to it, every line checked). That content becomes what the tracker knows, and the `after` of
        the file's latest edit when it was unknown (with a diff when its `before` is known): the
        file held it at this step and no edit seen since changed it. A modified file whose content
        cannot be computed fills only an edit that is the file's only one so far and knows nothing
        of what it did (a `sed -i`): the diff since the commit is then that edit's diff. Known
        content is never replaced. Each fill is listed in `filled`. The run's last output, when it
        holds the whole `submission`, is the submit command printing it: not shown twice (the
        submission's own edits show it, and `learn_from_submission` reads it)."""
        kind = observed.diff_kind(call, shell_script(call))
        if kind is None:
            return []
        output = output.replace("\r\n", "\n")
        if submission and submission in output:
            return []
        found = observed.observed_edits(output, step, kind)
        for item in found:
            if kind == observed.BASE:
                self._learn(item, step)
        return [item.edit for item in found]

    def learn_from_submission(self, patch: str, step: int) -> None:
        """The submitted patch is the workspace's change at the end of the run: it fills in like a `git diff`
        printed at the last step (only files whose latest edit lacks content are read)."""
        if all(e.after is not None or e.op == "delete" for e in self.last.values()):
            return  # nothing to fill in
        for chunk in unidiff.split_files(patch):
            name = unidiff.piece(chunk).path
            latest = self.last.get(self._match(name)) if name is not None else None
            if latest is not None and latest.after is None and latest.op != "delete":  # what `_learn` may fill
                for item in observed.observed_edits(chunk, step, observed.BASE):
                    self._learn(item, step)

    def _match(self, name: str) -> str:
        """The tracked file a diff's repository-relative name means (`src/x.py` for `/repo/src/x.py`)."""
        if name in self.last or self.exists(name):
            return name
        suffix = "/" + name
        candidates = {p for p in self.last if p.endswith(suffix)} | {p for p in self.known if p.endswith(suffix)}
        return candidates.pop() if len(candidates) == 1 else name

    def _learn(self, item: observed.Observed, step: int) -> None:
        edit = item.edit
        path = self._match(edit.path)
        if edit.op == "delete":
            self.known.pop(path, None)
            self.present.discard(path)
            self.gone.add(path)
            return
        content = edit.after
        if edit.op == "modify" and isinstance(base := self.base.get(path), str):
            content = unidiff.apply_hunks(base, item.hunks)
            if content is not None:
                edit.before, edit.after = base, content
        latest = self.last.get(path)
        if content is not None:
            if latest is not None and latest.after is None and latest.op != "delete":
                latest.after = content
                if latest.before is not None:
                    latest.diff = make_diff(latest.path, latest.before, content)
                self.filled.append({"path": latest.path, "step": latest.step, "from_step": step, "filled": "after"})
            self._state(path, content)
        elif (
            edit.op == "modify" and latest is not None and self.counts.get(path) == 1
            and latest.before is None and latest.after is None and latest.diff is None
        ):  # fmt: skip
            latest.diff = edit.diff
            self.filled.append({"path": latest.path, "step": latest.step, "from_step": step, "filled": "diff"})

    # Git: restore and stash -------------------------------------------------------------------

    def _tracked_changes(self, under: str | None) -> list[str]:
        """Files changed during the run that existed before it (git tracks them), under a folder."""
        prefix = under.rstrip("/") + "/" if under and under != "." else ""
        return [p for p in self.last if p in self.tracked and p not in self.created and p.startswith(prefix)]

    def _restore(self, op: Restore, step: int) -> list[FileEdit]:
        paths = op.paths if op.paths is not None else self._tracked_changes(op.under)
        edits = []
        for path in paths:
            if path in self.created:
                continue  # git knows no such file: nothing to restore
            base = self.base.get(path)
            after = base if isinstance(base, str) and op.revision is None else None
            edits.append(self._set(path, step, after, op.source))
        return edits

    def _set(self, path: str, step: int, after: str | None, source: str) -> FileEdit:
        """The file's content set by git (it exists afterwards) to `after` (None: unknown)."""
        op = "create" if path in self.gone else "modify"
        before = "" if op == "create" else self.known.get(path)
        self._state(path, after)
        self.created.discard(path)
        diff = make_diff(path, before, after) if before is not None and after is not None else None
        return self._record(FileEdit(path, step, before, after, diff, source, op))

    def _stash(self, paths: tuple[str, ...] | None, step: int, source: str) -> list[FileEdit]:
        chosen = list(paths) if paths is not None else self._tracked_changes(None)
        self.stashes.append({path: self.known.get(path) for path in chosen if path not in self.created})
        return self._restore(Restore(tuple(self.stashes[-1]), None, source), step)

    def _unstash(self, step: int, source: str) -> list[FileEdit]:
        if not self.stashes:
            return []
        return [self._set(path, step, content, source) for path, content in self.stashes.pop().items()]

    # Patches ----------------------------------------------------------------------------------

    def patch_edits(
        self, patch: str, step: int, source: str, *, cwd: str | None = None, strip: int | None = None, reverse: bool = False
    ) -> list[FileEdit]:
        """Edits from a unified diff (git or plain) or an apply_patch envelope, one per file."""
        if "*** Begin Patch" in patch:
            return list(_apply_patch_edits(self, patch, step, source, cwd))
        return list(self._unified_edits(patch, step, source, cwd, strip, reverse))

    def _unified_edits(
        self, patch: str, step: int, source: str, cwd: str | None, strip: int | None, reverse: bool
    ) -> Iterable[FileEdit]:
        for chunk in unidiff.split_files(patch):
            described = unidiff.piece(chunk, strip)
            if described.path is None:
                continue
            path = resolve(described.path, cwd) if cwd else described.path
            if reverse:
                before = self.known.get(path)
                self._state(path, None)
                yield self._record(FileEdit(path, step, before, None, None, source, "modify"))
                continue
            old_name = described.from_path
            from_path = (resolve(old_name, cwd) if cwd else old_name) if old_name else None
            yield self._patched(path, step, chunk, source, described.op, from_path)

    def _patched(self, path: str, step: int, chunk: str, source: str, op: str, from_path: str | None) -> FileEdit:
        """One file's piece of a patch: content computed when the file's content before it is known
        (its hunks are read only then)."""
        if op == "delete":
            edit = self._delete(path, step, source)
            edit.diff = chunk
            return edit
        before = "" if op == "create" else self.known.get(from_path or path)
        parsed = unidiff.parse_hunks(chunk) if before is not None else None
        after = None
        if parsed is not None and before is not None:
            after = unidiff.new_file_content(parsed[0]) if op == "create" else unidiff.apply_hunks(before, parsed[0])
        if from_path is not None:
            self.known.pop(from_path, None)
            self.present.discard(from_path)
            self.gone.add(from_path)
        if op == "create":
            self.created.add(path)
        self._state(path, after)
        return self._record(
            FileEdit(path, step, before if after is not None else None, after, chunk, source, op, from_path=from_path)
        )


def edits_from_patch(patch: str, step: int, source: str = "submission") -> list[FileEdit]:
    """A submitted patch as per-file edits (no file state: a submission is read on its own)."""
    return FileTracker().patch_edits(patch.replace("\r\n", "\n"), step, source)


def _apply_patch_edits(tracker: FileTracker, patch: str, step: int, source: str, cwd: str | None) -> Iterable[FileEdit]:
    """The apply_patch envelope (`*** Update File:` / `*** Add File:` / `*** Delete File:`); its paths are
    relative to `cwd` when a shell line gave one (`cd pkg && apply_patch <<'EOF'`)."""
    blocks = re.split(r"^\*\*\* (Update|Add|Delete) File: (.+)$", patch, flags=re.MULTILINE)
    for kind, path, body in zip(blocks[1::3], blocks[2::3], blocks[3::3], strict=True):
        path = resolve(path.strip(), cwd) if cwd else path.strip()
        lines = [ln for ln in body.splitlines() if not ln.startswith("*** ")]
        if kind == "Add":
            yield tracker._whole(path, step, "".join(ln[1:] + "\n" for ln in lines if ln.startswith("+")), source, new_file=True)
        elif kind == "Delete":
            yield tracker._delete(path, step, source)
        else:
            tracker._state(path, None)
            diff = f"--- {header_name('a', path)}\n+++ {header_name('b', path)}\n" + "".join(ln + "\n" for ln in lines if ln)
            yield tracker._record(FileEdit(path, step, None, None, diff, source, "modify"))
