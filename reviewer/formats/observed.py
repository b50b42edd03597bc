"""Diffs the workspace printed about itself: `git diff`, `git show`, `diff -u`, a `submit` that echoes the patch.

Such an output is not an action but an observation of the files at that step, so it is kept as
edits with source `observed` and status `applied` (what it shows held at that step), one per file,
with the op its headers give (create, delete, rename, modify). Only well-formed pieces are kept:
a piece whose hunks do not add up (an output cut short) is dropped rather than shown wrong, and
lines after the last hunk (a shell prompt, other output) are cut off.

`git diff` (against the index, `--cached`, or HEAD) and a `submit` show the change since the
repository's last commit: those are `BASE` observations, which `FileTracker.observe` may use to fill
in edits whose content was unknown. `git show`, `diff -u a b` and diffs against other revisions
show something else (a commit, two arbitrary files) and are kept for reading only.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer import unidiff
from reviewer.formats.shell_syntax import Group, Script, ShellSyntaxError, Simple, parse
from reviewer.model import FileEdit, ToolCall

SOURCE = "observed"
BASE = "base"  # the diff is against the last commit (or the index): the change the run made
OTHER = "other"  # a commit's change, or two files compared

_SUBMIT_TOOLS = {"submit"}
_SUMMARY_OPTIONS = {
    "--stat",
    "--name-only",
    "--name-status",
    "--numstat",
    "--shortstat",
    "--summary",
    "--check",
    "--raw",
    "-s",
    "--no-patch",
}
_WORD_DIFF = ("--word-diff", "--color-words", "--color-moved")
_REVISIONS_OK = {"HEAD", "--cached", "--staged"}


@dataclass(frozen=True)
class Observed:
    """One file's piece of an observed diff: the edit, its hunks, and what the diff was against."""

    edit: FileEdit
    hunks: list[unidiff.Hunk]
    kind: str


def diff_kind(call: ToolCall, script: str | None) -> str | None:
    """BASE or OTHER when the call prints a diff of the workspace, else None.

    `script` is the shell command the call ran (None for other tools). The diff command must be the
    end of its pipeline (or piped only into `cat`) with its output not sent to a file."""
    if call.name in _SUBMIT_TOOLS:
        return BASE
    if script is None or ("diff" not in script and "show" not in script):
        return None
    try:
        tree = parse(script)
    except ShellSyntaxError:
        return None
    kinds = list(_kinds(tree))
    return BASE if BASE in kinds else OTHER if kinds else None


def _kinds(tree: Script) -> list[str]:
    found: list[str] = []
    for pipeline in tree.pipelines:
        units = pipeline.units
        while len(units) > 1 and isinstance(units[-1], Simple) and [w.text for w in units[-1].words] == ["cat"]:
            units = units[:-1]
        for k, unit in enumerate(units):
            if isinstance(unit, Group):
                found += _kinds(unit.script) if k == len(units) - 1 and not unit.redirects else []
            elif k == len(units) - 1 and not any(
                r.op in (">", ">>", ">|", "&>", "&>>") and r.fd in (None, 1) for r in unit.redirects
            ):
                kind = _command_kind([w.text for w in unit.words])
                if kind:
                    found.append(kind)
    return found


def _command_kind(words: list[str]) -> str | None:
    if words[:1] == ["diff"]:
        return OTHER if any(w.startswith("-") and ("u" in w or w.startswith("--unified")) for w in words[1:]) else None
    if words[:1] != ["git"]:
        return None
    rest = words[1:]
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in ("-C", "-c") else rest[1:]
    if not rest or rest[0] not in ("diff", "show"):
        return None
    args = rest[1:]
    if _SUMMARY_OPTIONS & set(args) or any(a.startswith(_WORD_DIFF) for a in args):
        return None
    if rest[0] == "show":
        return OTHER
    operands = args[: args.index("--")] if "--" in args else args
    others = [a for a in operands if not a.startswith("-") and a not in _REVISIONS_OK and "/" not in a and "." not in a]
    return OTHER if others or ".." in " ".join(operands) else BASE


def observed_edits(output: str, step: int, kind: str) -> list[Observed]:
    """The well-formed per-file pieces of a diff printed at `step` (line ends already `\\n`)."""
    found: list[Observed] = []
    for chunk in unidiff.split_files(output):
        parsed = unidiff.parse_hunks(chunk)
        described = unidiff.piece(chunk)
        path, op, from_path = described.path, described.op, described.from_path
        if parsed is None or path is None:
            continue
        hunks, text = parsed
        if kind == OTHER and op == "rename" and not text.startswith("diff --git"):
            op, from_path = "modify", None  # `diff -u old new` compares two files, it does not rename
        before: str | None = None
        after: str | None = None
        if op == "create":
            before, after = "", unidiff.new_file_content(hunks)
        elif op == "delete":
            before, after = unidiff.old_file_content(hunks), ""
        edit = FileEdit(path, step, before if after is not None else None, after, text, SOURCE, op, "applied", from_path)
        found.append(Observed(edit, hunks, kind))
    return found
