"""What the diff view shows, without widgets: the list's entries and each entry's panes.

Pure functions over `FileEdit`s, run by the diff view's workers (nothing here touches Qt objects):
a unified diff's lines classified (`reviewer.unidiff.classify`, the one reader of diffs), cut to
`MAX_CHARS` on a line boundary with a note, control characters made visible and lines over
`MAX_LINE` cut (`shown_text`, whose map keeps evidence offsets exact); side-by-side rows
from whole files (difflib) or from hunks; the list's `entries` (cheap: each edit, failed ones
marked, then each file's net change, then the final patch) and their change counts (`counted`,
slow: difflib); a net change's pane (`net_pane`); `DiffTexts`, each edit's diff text computed once across threads; and
`build`, all one entry needs in one mode.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from reviewer.edits import FAILED, DiffTexts, diff_text, language_for
from reviewer.gui.highlight import Pane
from reviewer.gui.step_sections import ShownText
from reviewer.model import FileEdit, Trajectory
from reviewer.test_paths import is_test_path
from reviewer.unidiff import LineKind, change_counts, classify, hunk_lengths, patch_paths
from reviewer.workspace import NetChange, net_changes

MAX_LINE = 10_000  # characters of one line a pane shows; the rest is cut with a note (see ShownText)
MAX_CHARS = 2_000_000  # beyond this a diff is cut: Qt stays fast, and nobody reads 2 MB of one diff
PENDING = "…"  # the change column until the worker has counted


def truncate(text: str, limit: int = MAX_CHARS) -> tuple[str, str | None]:
    """The text cut at the last line break before `limit`, and a note saying so (None if whole)."""
    if len(text) <= limit:
        return text, None
    cut = text.rfind("\n", 0, limit) + 1 or limit
    shown, total = text[:cut].count("\n"), text.count("\n") + 1
    return text[:cut], f"(truncated: showing the first {shown:,} of {total:,} lines, {cut / 1e6:.1f} of {len(text) / 1e6:.1f} MB)"


_NUMBERED = {
    "both": {LineKind.CONTEXT: (True, True), LineKind.REMOVED: (True, False), LineKind.ADDED: (False, True)},
    "old": {LineKind.CONTEXT: (True, False), LineKind.REMOVED: (True, False)},
    "new": {LineKind.CONTEXT: (False, True), LineKind.ADDED: (False, True)},
}


def line_numbers(pane: Pane, side: str) -> list[tuple[int | None, int | None]]:
    """(old, new) line number of each line of a pane: `side` "both" for a unified pane, "old" or "new" for
    a side of side by side. Numbers come from hunk headers (`@@ -12,3 +12,4 @@`); a side by side pane
    without any hunk is a whole file, numbered from 1. Where a hunk gives no place (a snippet whose
    position is unknown), its lines get none: a number is never guessed."""
    numbered = _NUMBERED[side]
    old: int | None = None
    new: int | None = None
    if side != "both" and LineKind.HUNK not in pane.kinds:
        old = new = 1
    numbers: list[tuple[int | None, int | None]] = []
    for line, kind in zip(pane.lines, pane.kinds, strict=True):
        if kind is LineKind.HUNK:
            lengths = hunk_lengths(line)  # None for a placeless hunk
            old, new = (lengths[0], lengths[2]) if lengths else (None, None)
            numbers.append((None, None))
            continue
        has_old, has_new = numbered.get(kind, (False, False))
        numbers.append((old if has_old else None, new if has_new else None))
        if has_old and old is not None:
            old += 1
        if has_new and new is not None:
            new += 1
    return numbers


def shown_text(text: str) -> ShownText:
    """`text` as a pane shows it: escapes for control characters, over-long lines cut with a note."""
    return ShownText(text, 0, len(text.removesuffix("\n")), max_line=MAX_LINE)


def _split(text: str) -> list[str]:
    return shown_text(text).shown.split("\n")


def _with_note(pane: Pane, note: str | None) -> Pane:
    if note is not None:
        pane.lines.append(note)
        pane.kinds.append(LineKind.NOTE)
    return pane


def has_diff(edit: FileEdit) -> bool:
    """Whether `unified_diff(edit)` is a diff, without running difflib to find out."""
    return edit.diff is not None or (edit.before is not None and edit.after is not None)


def unified_pane(edit: FileEdit, text: str | None = None) -> Pane:
    """The unified view of an edit: `diff_text(edit)` (pass it as `text` when known: make_diff is slow),
    or its note plus the known after-content."""
    return unified_view(edit, text)[0]


def unified_view(edit: FileEdit, text: str | None = None) -> tuple[Pane, ShownText]:
    """The unified pane and the map between its text and `diff_text(edit)` (for evidence spans)."""
    text, note = truncate(diff_text(edit) if text is None else text)
    shown = shown_text(text)
    lines = shown.shown.split("\n")
    if not has_diff(edit):
        return _with_note(
            Pane(lines, [LineKind.NOTE] + [LineKind.CONTEXT] * (len(lines) - 1), 0, language_for(edit.path)), note
        ), shown
    kinds = classify(lines)
    if edit.status == "failed":
        kinds[0] = LineKind.NOTE  # diff_text's "failed — not applied" line
    return _with_note(Pane(lines, kinds, 1, language_for(edit.path)), note), shown


def patch_pane(patch: str) -> Pane:
    text, note = truncate(patch)
    lines = _split(text)
    return _with_note(Pane(lines, classify(lines), 1, "text"), note)


def _rows_from_hunks(pane: Pane) -> tuple[Pane, Pane]:
    """Side by side from a unified diff: runs of removals and additions paired row by row."""
    left, right = Pane([], [], 0, pane.language), Pane([], [], 0, pane.language)
    gone: list[str] = []
    came: list[str] = []

    def flush() -> None:
        for i in range(max(len(gone), len(came))):
            for side, run, kind in ((left, gone, LineKind.REMOVED), (right, came, LineKind.ADDED)):
                side.lines.append(run[i] if i < len(run) else "")
                side.kinds.append(kind if i < len(run) else LineKind.FILLER)
        gone.clear()
        came.clear()

    for line, kind in zip(pane.lines, pane.kinds, strict=True):
        if kind is LineKind.REMOVED:
            gone.append(line[pane.prefix :])
        elif kind is LineKind.ADDED:
            came.append(line[pane.prefix :])
        else:
            flush()
            code = line[pane.prefix :] if kind is LineKind.CONTEXT else line
            for side in (left, right):
                side.lines.append(code)
                side.kinds.append(kind)
    flush()
    return left, right


def _rows_from_files(path: str, before: str, after: str) -> tuple[Pane, Pane]:
    """Side by side over the whole before and after files, aligned by `difflib`."""
    old, new = _split(before), _split(after)
    left, right = Pane([], [], 0, language_for(path)), Pane([], [], 0, language_for(path))
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            for side, lines in ((left, old[i1:i2]), (right, new[j1:j2])):
                side.lines += lines
                side.kinds += [LineKind.CONTEXT] * len(lines)
            continue
        height = max(i2 - i1, j2 - j1)
        for side, lines, kind in ((left, old[i1:i2], LineKind.REMOVED), (right, new[j1:j2], LineKind.ADDED)):
            side.lines += lines + [""] * (height - len(lines))
            side.kinds += [kind] * len(lines) + [LineKind.FILLER] * (height - len(lines))
    return left, right


def side_by_side_panes(edit: FileEdit | None, unified: Pane) -> tuple[Pane, Pane]:
    """Whole files when before and after are known and small enough, else the unified diff's hunks."""
    if edit is not None and edit.before is not None and edit.after is not None:
        if len(edit.before) + len(edit.after) <= MAX_CHARS:
            return _rows_from_files(edit.path, edit.before, edit.after)
    if edit is not None and not has_diff(edit):
        return Pane([unified.lines[0]], [LineKind.NOTE], 0, "text"), unified
    return _rows_from_hunks(unified)


@dataclass(slots=True)
class Entry:
    """One row of the list: a file edit (`index` into `t.file_edits`), a file's net change over the
    run (`net`), or the final patch (`patch`)."""

    path: str
    step: int | None
    change: str
    is_test: bool
    edit: FileEdit | None
    patch: str | None = None
    index: int | None = None
    net: NetChange | None = None

    def size(self) -> int:
        """The characters building its panes reads (diff, before and after, or the patch): small ones build at once."""
        if self.net is not None:
            texts = (self.net.before, self.net.after, *(e.diff for e in self.net.edits))
            return sum(len(text) for text in texts if text is not None)
        edit = self.edit
        if edit is None:
            return len(self.patch or "")
        return sum(len(text) for text in (edit.diff, edit.before, edit.after) if text is not None)


def _net_has_diff(net: NetChange) -> bool:
    """Whether `net.diff()` can be a diff, without running difflib to find out."""
    if net.before is not None and net.after is not None:
        return net.before != net.after
    return len(net.edits) == 1 and net.edits[0].status == "applied" and has_diff(net.edits[0])


def _net_change(net: NetChange) -> str:
    """The change column of a net change whose diff is unknown."""
    if net.op == "unchanged":
        return "unchanged"
    what = net.op or "created or modified"
    return f"{what}, before unknown" if net.before is None and net.after is not None else f"{what}, content unknown"


def entries(t: Trajectory) -> list[Entry]:
    """The rows, cheap to make: counting changes reads every diff, so those rows say `PENDING` (see `counted`).

    Each edit in step order (failed ones say so), then each file's net change, then the final patch."""
    rows = []
    for index, edit in enumerate(t.file_edits):
        if edit.status == "failed":
            change = FAILED
        elif has_diff(edit):
            change = PENDING
        else:
            change = "before unknown" if edit.after is not None else "in place"
        rows.append(Entry(edit.path, edit.step, change, is_test_path(edit.path), edit, index=index))
    for net in net_changes(t.file_edits):
        rows.append(
            Entry(net.path, None, PENDING if _net_has_diff(net) else _net_change(net), is_test_path(net.path), None, net=net)
        )
    if t.final_patch:
        rows.append(Entry("final patch", None, PENDING, False, None, t.final_patch))
    return rows


def counted(entry: Entry, texts: DiffTexts) -> tuple[str, bool]:
    """A `PENDING` row's change column and TEST badge (the final patch's badge comes from its headers)."""
    if entry.net is not None:
        added, removed = change_counts(entry.net.diff() or "")
        return f"{entry.net.op or 'created or modified'} +{added} −{removed}", entry.is_test
    if entry.edit is None:
        patch = entry.patch or ""
        added, removed = change_counts(patch)
        return f"+{added} −{removed}", any(is_test_path(p) for p in patch_paths(patch))
    assert entry.index is not None
    added, removed = change_counts(texts.text(entry.index))
    return f"+{added} −{removed}", entry.is_test


def net_pane(net: NetChange) -> Pane:
    """A net change: its diff when known, after notes on what counts and what is unknown."""
    notes = [
        f"(net change of {net.path} over the run: {net.op or 'unknown'}{' · ' if net.notes() else ''}{' · '.join(net.notes())})"
    ]
    diff = net.diff()
    if diff is None:
        notes.append("(no change)" if net.op == "unchanged" else "(the net diff is unknown: see the edits of the steps above)")
    heading = _split("\n".join(notes))
    if diff is None:
        return Pane(heading, [LineKind.NOTE] * len(heading), 0, language_for(net.path))
    text, cut = truncate(diff)
    lines = _split(text)
    return _with_note(Pane(heading + lines, [LineKind.NOTE] * len(heading) + classify(lines), 1, language_for(net.path)), cut)


@dataclass(slots=True)
class Built:
    """The panes of one entry in one mode, and for a file edit's unified view how its text maps to spans."""

    panes: tuple[Pane, ...]
    shown: ShownText | None = None  # shown UTF-16 <-> `source` code points; None unless a file edit, unified
    source: str = ""  # diff_text(edit)
    offset: int = 0  # where `source` starts in the step's "diff" source text


def build(entry: Entry, side_by_side: bool, texts: DiffTexts) -> Built:
    """Everything a viewer needs for `entry`, Qt-free, so the worker can run it."""
    if entry.net is not None:
        unified = net_pane(entry.net)
        if not side_by_side:
            return Built((unified,))
        net = entry.net
        if net.before is not None and net.after is not None and len(net.before) + len(net.after) <= MAX_CHARS:
            return Built(_rows_from_files(net.path, net.before, net.after))
        return Built(_rows_from_hunks(unified))
    if entry.edit is None:
        unified = patch_pane(entry.patch or "")
        return Built(side_by_side_panes(None, unified) if side_by_side else (unified,))
    assert entry.index is not None
    source = texts.text(entry.index)
    unified, shown = unified_view(entry.edit, source)
    if side_by_side:
        return Built(side_by_side_panes(entry.edit, unified))
    return Built((unified,), shown, source, texts.offset(entry.index))
