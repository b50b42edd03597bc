"""Facts about file edits that reviewers and detectors need: the diff and the language (test-ness: `reviewer.test_paths`)."""

from __future__ import annotations

import difflib
import threading
from functools import lru_cache

from pygments.lexers import get_lexer_for_filename
from pygments.util import ClassNotFound

from reviewer.model import FileEdit


@lru_cache(maxsize=1024)
def language_for(path: str) -> str:
    """Pygments lexer alias chosen from the file name alone (guessing from content is slow and unsafe)."""
    try:
        lexer = get_lexer_for_filename(path.rsplit("/", 1)[-1])
    except ClassNotFound:
        return "text"
    return lexer.aliases[0] if lexer.aliases else "text"


def header_name(prefix: str, path: str) -> str:
    """`a/src/x.py` for relative paths as git writes them; absolute paths stay as they are."""
    return path if path.startswith("/") else f"{prefix}/{path}"


def make_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), header_name("a", path), header_name("b", path)
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


_OP_WORDS = {"create": "created", "modify": "modified", "delete": "deleted", "rename": "renamed"}


def edit_caption(edit: FileEdit) -> str:
    """What the edit did to its file and what it was read from (`deleted · bash`, `renamed from a.py · bash`,
    `observed`): a diff alone does not say that a file was removed, moved, or only seen in a `git diff`."""
    parts = []
    if edit.op == "rename" and edit.from_path:
        parts.append(f"renamed from {edit.from_path}")
    elif edit.op in _OP_WORDS:
        parts.append(_OP_WORDS[edit.op])
    if edit.source:
        parts.append(edit.source)
    return " · ".join(parts)


def unified_diff(edit: FileEdit) -> str | None:
    """The recorded diff, else one derived from before/after; None when the before-state is unknown."""
    if edit.diff is not None:
        return edit.diff
    if edit.before is None or edit.after is None:
        return None
    return make_diff(edit.path, edit.before, edit.after)


FAILED = "failed — not applied"  # how every view marks an edit whose call the tool refused


def diff_text(edit: FileEdit) -> str:
    """What the diff view shows for one edit: the diff, or what is known when there is none.

    A failed edit's text starts with a line saying it was not applied, so wherever the text goes (the
    app, `show`, the judge, training data) it cannot be read as a change."""
    diff = unified_diff(edit)
    if edit.status == "failed":
        attempt = diff if diff is not None else edit.after
        if attempt is None:
            return f"({FAILED}: the tool refused this edit of {edit.path}; see the call at step {edit.step})\n"
        return f"({FAILED}: the tool refused this edit, the file did not change; what it attempted follows)\n{attempt}"
    if diff is not None:
        return diff
    if edit.after is None:
        if edit.op in (None, "create") and edit.source in ("bash", "python"):  # `cmd > f`, `write_text(computed)`
            return f"({edit.path} was written; the trajectory does not record its content: see the command at step {edit.step})\n"
        return f"({edit.path} was edited in place; the trajectory does not record how: see the command at step {edit.step})\n"
    return f"(before-state of {edit.path} unknown; content after the edit follows)\n{edit.after}"


# Difflib over this many characters of input is quick enough for the GUI thread (~20 ms for 40 K).
QUICK_DIFF_CHARS = 20_000


class DiffTexts:
    """`diff_text` of each edit of one trajectory, computed at most once (make_diff of 1 MB takes seconds).

    One per trajectory shown, shared by every reader: the app's diff list and panes, the transcript
    and its find, each maybe on another thread. A lock per edit makes a second thread wait for the
    text the first is computing instead of running difflib on it again.
    """

    def __init__(self, edits: list[FileEdit]):
        self._edits = edits
        self._texts: dict[int, str] = {}
        self._locks = [threading.Lock() for _ in edits]

    def text(self, index: int) -> str:
        text = self._texts.get(index)
        if text is None:
            with self._locks[index]:
                text = self._texts.get(index)
                if text is None:
                    text = self._texts[index] = diff_text(self._edits[index])
        return text

    def at_step(self, step: int) -> str | None:
        """The step's "diff" source text (`spans.source_text`): its edits' texts joined by newlines."""
        indexes = [i for i, e in enumerate(self._edits) if e.step == step]
        return "\n".join(self.text(i) for i in indexes) if indexes else None

    def uncomputed_at(self, step: int) -> int:
        """Characters difflib has yet to read for `at_step(step)`."""
        last = max((i for i, e in enumerate(self._edits) if e.step == step), default=None)
        return 0 if last is None else self.uncomputed(last)

    def offset(self, index: int) -> int:
        """Where edit `index`'s text starts in its step's "diff" source (`spans.source_text`: joined by newlines)."""
        step = self._edits[index].step
        return sum(len(self.text(i)) + 1 for i in range(index) if self._edits[i].step == step)

    def uncomputed(self, index: int) -> int:
        """Characters difflib has yet to read for `text(index)` and `offset(index)` (earlier edits at its step)."""
        step = self._edits[index].step
        return sum(
            len(e.before or "") + len(e.after or "")
            for i, e in enumerate(self._edits[: index + 1])
            if e.step == step and e.diff is None and i not in self._texts
        )
