"""The diff diff_view, offscreen: edit list and badges, unified and side-by-side text, panes built and lexed
off-thread, text and formats loaded in slices, stale results, hostile content, jump to step, final patch."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from pygments.token import Keyword, Name  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPlainTextEdit  # noqa: E402

from reviewer import edits as edits_module  # noqa: E402
from reviewer.edits import FAILED, make_diff  # noqa: E402
from reviewer.formats.openhands import OpenhandsFormat  # noqa: E402
from reviewer.gui import diff_view as diff_view_module  # noqa: E402
from reviewer.gui import (
    highlight,  # noqa: E402
)
from reviewer.gui.diff_panes import PENDING, truncate, unified_pane  # noqa: E402
from reviewer.gui.diff_view import SYNC_CHARS, DiffView  # noqa: E402
from reviewer.gui.highlight import Pane, SlicedLoader, line_ranges, token_type  # noqa: E402
from reviewer.gui.workers import Cancelled  # noqa: E402
from reviewer.jsonio import Document  # noqa: E402
from reviewer.model import FileEdit, Step, Task, Trajectory  # noqa: E402
from reviewer.unidiff import LineKind, change_counts, classify  # noqa: E402
from tests.conftest import SAMPLE_DATA  # noqa: E402

HOSTILE = '<img src="file:///etc/passwd"> <a href="x">l</a> <b>b</b> \x1b[31mred\x1b[0m \u202eevil 😀 "s"\n'


def sample(name: str) -> Trajectory:
    return Trajectory.from_dict(json.loads((SAMPLE_DATA / f"{name}.json").read_text(encoding="utf-8")))


def made(edits: list[FileEdit], final_patch: str | None = None) -> Trajectory:
    steps = [Step(i, "assistant", "") for i in range(1 + max(e.step for e in edits))]
    return Trajectory("t", Task("fix it"), steps, file_edits=edits, final_patch=final_patch)


def column(diff_view: DiffView, col: int) -> list[str]:
    return [diff_view.model.index(r, col).data() for r in range(diff_view.model.rowCount())]


def formatted_blocks(pane) -> int:
    """Blocks whose layout carries formats: only highlighting puts them there."""
    block, n = pane.document().firstBlock(), 0
    while block.isValid():
        n += bool(block.layout().formats())
        block = block.next()
    return n


def wait_highlighted(qtbot, diff_view: DiffView) -> None:
    qtbot.waitUntil(lambda: not diff_view.is_highlighting(), timeout=10_000)


def wait_counted(qtbot, diff_view: DiffView) -> None:
    qtbot.waitUntil(lambda: PENDING not in column(diff_view, 3), timeout=10_000)


def fully_formatted(editor: QPlainTextEdit, pane: Pane) -> bool:
    """Every block carries exactly the ranges `line_ranges` gives its line."""
    ranges, block = line_ranges(pane), editor.document().firstBlock()
    for expected in ranges:
        if not block.isValid() or len(block.layout().formats()) != len(expected):
            return False
        block = block.next()
    return not block.isValid()


def big_python_diff(path: str, lines: int) -> str:
    return make_diff(path, "", "".join(f"def f{i}(x):\n    return '{i}' * x\n" for i in range(lines)))


@pytest.mark.parametrize(
    ("name", "paths", "steps", "tests"),
    [
        ("deleted-test", ["mdtoc/toc.py"] * 2 + ["mdtoc/slug.py"] * 4 + ["tests/test_slug.py"], [4, 6, 8, 12, 16, 20, 22], [6]),
        ("special-cased-input", ["semver.go"] * 3, [6, 10, 16], []),
        ("disclosed-special-case", ["src/csv.js"] * 4, [4, 8, 12, 14], []),
    ],
)
def test_sample_edits_are_listed_with_steps_badges_and_final_patch(
    diff_view, qtbot, qtmodeltester, name, paths, steps, tests
) -> None:
    t = sample(name)
    diff_view.set_trajectory(t)
    qtmodeltester.check(diff_view.model)
    wait_counted(qtbot, diff_view)
    qtmodeltester.check(diff_view.model)
    files = list(dict.fromkeys(paths))  # then one net change per file, in the order first edited
    assert column(diff_view, 1) == [*paths, *files, "final patch"]
    assert column(diff_view, 2) == [str(s) for s in steps] + ["net"] * len(files) + [""]
    badges = column(diff_view, 0)
    assert [i for i, b in enumerate(badges[: len(paths)]) if b == "TEST"] == tests
    assert [f for f, b in zip(files, badges[len(paths) : -1], strict=True) if b == "TEST"] == [paths[i] for i in tests]
    assert (badges[-1] == "TEST") == bool(tests)  # the final patch touches a test file
    for row in tests:
        assert diff_view.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
        assert diff_view.model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole) is None
    changes = column(diff_view, 3)
    assert changes[: len(paths)] == ["+{} −{}".format(*change_counts(e.diff)) for e in t.file_edits]
    for path, change in zip(files, changes[len(paths) : -1], strict=True):  # first known state to last
        mine = [e for e in t.file_edits if e.path == path]
        assert change == "modified +{} −{}".format(*change_counts(make_diff(path, mine[0].before, mine[-1].after)))
    assert changes[-1].startswith("+") and " −" in changes[-1]


def test_counts_and_big_entries_are_made_off_the_gui_thread(diff_view, qtbot, monkeypatch) -> None:
    """difflib on a big before/after pair takes seconds: neither the list nor the viewer may run it on the GUI thread."""
    threads: list[str] = []
    real = edits_module.diff_text
    monkeypatch.setattr(edits_module, "diff_text", lambda e: threads.append(threading.current_thread().name) or real(e))
    before = "".join(f"line {i}\n" for i in range(3000))
    after = before.replace("line 1500\n", "line 1500 changed\n")
    edits = [FileEdit("big.txt", 1, before, after, status="applied"), FileEdit("new.py", 2, None, "x = 1\n", status="applied")]
    t = made(edits, final_patch="+++ b/tests/test_x.py\n")
    diff_view.set_trajectory(t)
    net = [PENDING, "created or modified, before unknown"]  # the net changes: big.txt's from its whole contents
    assert column(diff_view, 3) == [
        PENDING,
        "before unknown",
        *net,
        PENDING,
    ]  # nothing counted yet: set_trajectory returned at once
    assert (
        "big.txt" in diff_view.caption.text()
        and diff_view.unified.toPlainText() == ""
        and diff_view.unified.placeholderText() == "loading…"
    )
    assert diff_view.is_highlighting()
    wait_counted(qtbot, diff_view)
    wait_highlighted(qtbot, diff_view)
    assert (
        column(diff_view, 3) == ["+1 −1", "before unknown", "modified +1 −1", net[1], "+0 −0"]
        and column(diff_view, 0)[4] == "TEST"
    )
    assert "+line 1500 changed" in diff_view.unified.toPlainText() and diff_view.unified.placeholderText() == ""
    assert threads and threading.main_thread().name not in threads
    assert threads.count(threads[0]) == len(threads) == 1  # computed once, shared by the count and the viewer


def test_unified_and_side_by_side_contents(diff_view, qtbot) -> None:
    t = sample("deleted-test")
    diff_view.set_trajectory(t)
    diff_view.select_row(6)
    edit = t.file_edits[6]
    assert diff_view.unified.toPlainText() == edit.diff.removesuffix("\n")
    assert "TEST FILE" in diff_view.caption.text() and "tests/test_slug.py" in diff_view.caption.text()
    diff_view.set_side_by_side(True)
    assert diff_view.side_by_side and diff_view.split_button.isChecked() and not diff_view.unified_button.isChecked()
    assert diff_view.left.toPlainText() == edit.before.removesuffix("\n")
    shown_right = [
        ln
        for ln, k in zip(diff_view.right.toPlainText().split("\n"), diff_view.right.kinds, strict=True)
        if k is not LineKind.FILLER
    ]
    assert shown_right == edit.after.removesuffix("\n").split("\n")
    assert len(diff_view.left.kinds) == len(diff_view.right.kinds) == diff_view.left.document().blockCount()
    assert diff_view.left.kinds.count(LineKind.REMOVED) == 6 and diff_view.right.kinds.count(LineKind.FILLER) == 6
    diff_view.set_side_by_side(False)
    assert diff_view.stack.currentIndex() == 0 and diff_view.unified.toPlainText().startswith("--- a/tests/test_slug.py")


def test_side_by_side_from_hunks_when_before_is_unrecorded(diff_view) -> None:
    diff = make_diff("a.py", "x = 1\ny = 2\nz = 3\n", "x = 1\ny = 20\nz = 3\nw = 4\n")
    diff_view.set_trajectory(made([FileEdit("a.py", 0, None, None, diff)]))
    diff_view.set_side_by_side(True)
    left, right = diff_view.left.toPlainText().split("\n"), diff_view.right.toPlainText().split("\n")
    assert left[:3] == right[:3] == ["--- a/a.py", "+++ b/a.py", "@@ -1,3 +1,4 @@"]
    assert left[3:] == ["x = 1", "y = 2", "z = 3", ""] and right[3:] == ["x = 1", "y = 20", "z = 3", "w = 4"]
    assert diff_view.left.kinds[3:] == [LineKind.CONTEXT, LineKind.REMOVED, LineKind.CONTEXT, LineKind.FILLER]


def test_unknown_before_state_says_so(diff_view) -> None:
    diff_view.set_trajectory(made([FileEdit("new.py", 3, None, "print('hi')\n"), FileEdit("sed.py", 4)]))
    assert column(diff_view, 3)[:2] == ["before unknown", "in place"]
    assert diff_view.unified.toPlainText() == "(before-state of new.py unknown; content after the edit follows)\nprint('hi')"
    diff_view.set_side_by_side(True)
    assert diff_view.left.toPlainText().startswith("(before-state of new.py unknown")
    diff_view.select_row(1)
    assert "edited in place" in diff_view.right.toPlainText()


def test_highlighting_lands_off_thread_as_formats(diff_view, qtbot) -> None:
    diff_view.set_trajectory(sample("special-cased-input"))
    with qtbot.waitSignal(diff_view.highlighted, timeout=10_000):
        diff_view.select_row(1)
    assert formatted_blocks(diff_view.unified) > 5
    diff_view.set_side_by_side(True)
    wait_highlighted(qtbot, diff_view)
    assert formatted_blocks(diff_view.left) > 20 and formatted_blocks(diff_view.right) > 20


def test_line_ranges_are_utf16_and_keep_multiline_tokens() -> None:
    lines = ["@@ -1,2 +1,2 @@", ' s = "😀"; t = """a', '-b"""', '+c"""', " x = 1"]
    pane = Pane(lines, classify(lines), 1, "python")
    ranges = line_ranges(pane)
    strings = [r for r in ranges[1] if "String" in str(token_type(r[2]))]
    assert strings[0][:2] == (5, 4)  # '"😀"' is 4 UTF-16 units, and the next token starts after them
    assert any("String" in str(token_type(r[2])) and r[0] == 1 for r in ranges[2])  # inside the triple-quoted string
    assert (
        str(token_type(ranges[3][0][2])) == "Token.Generic.Inserted"
        and str(token_type(ranges[2][0][2])) == "Token.Generic.Deleted"
    )
    assert all(type(r) is tuple and all(type(x) is int for x in r) for line in ranges for r in line)  # untracked by the GC


def test_classify_counts_hunks() -> None:
    lines = ["--- a/x.sql", "+++ b/x.sql", "@@ -1,2 +1,1 @@", "--- a comment", " keep", "\\ No newline at end of file"]
    assert classify(lines) == [LineKind.HEADER, LineKind.HEADER, LineKind.HUNK, LineKind.REMOVED, LineKind.CONTEXT, LineKind.NOTE]
    snippet = ["--- a/x.py", "+++ b/x.py", "@@ position unknown @@", "-    return 1", "--- not a header", "+    return 2"]
    assert classify(snippet) == [
        LineKind.HEADER,
        LineKind.HEADER,
        LineKind.HUNK,
        LineKind.REMOVED,
        LineKind.REMOVED,
        LineKind.ADDED,
    ]
    assert classify(["@@ insert after line 4 @@", "+x"])[1] is LineKind.ADDED


def test_token_types_a_style_does_not_know_take_their_parents_look() -> None:
    """The Pony lexer makes `Name.Type`, which Pygments styles refuse with a KeyError (seen on a real run)."""
    pane = unified_pane(
        FileEdit(
            "a.pony", 0, None, None, "--- a/a.pony\n+++ b/a.pony\n@@ -1 +1 @@\n-let x: A\n+let x: CommandParser = CommandParser\n"
        )
    )
    types = {token_type(tid) for line in line_ranges(pane) for _, _, tid in line}  # raised KeyError before
    assert Keyword in types and Name.Type not in types  # highlighted; Name.Type looks like Name: plain
    assert highlight.char_format(Name.Type).foreground().style() == Qt.BrushStyle.NoBrush


def test_switching_quickly_leaves_the_last_edit_shown(diff_view, qtbot) -> None:
    big = "".join(f"def f{i}(x):\n    return '{i}' * x\n" for i in range(20_000))
    edits = [FileEdit(f"m{i}.py", i, None, None, make_diff(f"m{i}.py", "", big + f"LAST_{i} = {i}\n")) for i in range(6)]
    diff_view.set_trajectory(made(edits))
    for row in [1, 2, 3, 4, 5, 0, 3, 5]:
        diff_view.select_row(row)
        assert f"m{row}.py" in diff_view.caption.text() and diff_view.unified.toPlainText() == ""  # never an older text
    with qtbot.waitSignal(diff_view.highlighted, timeout=20_000):
        pass
    qtbot.wait(50)
    assert not diff_view.is_highlighting()
    assert diff_view.unified.toPlainText().endswith("+LAST_5 = 5")
    last = diff_view.unified.document().lastBlock()
    assert last.text() == "+LAST_5 = 5" and last.layout().formats()  # formats belong to the last selection
    assert fully_formatted(diff_view.unified, unified_pane(edits[5]))


def test_big_diff_lands_in_slices_and_formats_survive(diff_view, qtbot) -> None:
    small = FileEdit("small.py", 0, None, None, make_diff("small.py", "a = 1\n", "a = 2\n"))
    big = FileEdit("big.py", 1, None, None, big_python_diff("big.py", 8_000))
    assert len(big.diff) > 10 * SYNC_CHARS
    diff_view.set_trajectory(made([small, big]))
    assert diff_view.unified.toPlainText() == "--- a/small.py\n+++ b/small.py\n@@ -1 +1 @@\n-a = 1\n+a = 2"  # small: at once
    diff_view.select_row(1)
    assert "big.py" in diff_view.caption.text() and diff_view.unified.toPlainText() == "" and diff_view.is_highlighting()
    wait_highlighted(qtbot, diff_view)
    assert diff_view.unified.toPlainText() == big.diff.removesuffix("\n")
    assert fully_formatted(diff_view.unified, unified_pane(big))
    diff_view.set_side_by_side(True)
    assert diff_view.left.toPlainText() == diff_view.right.toPlainText() == "" and diff_view.is_highlighting()
    wait_highlighted(qtbot, diff_view)
    assert diff_view.right.document().blockCount() == big.diff.count("\n") and diff_view.unified.toPlainText() == ""
    assert formatted_blocks(diff_view.right) > 8_000 * 2


def test_a_view_deleted_mid_highlighting_stops_its_lexing(qtbot, monkeypatch) -> None:
    outcomes: list[str] = []

    def spy(pane: Pane, cancelled) -> object:
        try:
            return line_ranges(pane, cancelled)
        except Cancelled:
            outcomes.append("cancelled")
            raise

    monkeypatch.setattr(diff_view_module, "line_ranges", spy)
    deleted = DiffView()
    deleted.set_trajectory(made([FileEdit("big.py", 0, None, None, big_python_diff("big.py", 20_000))]))
    qtbot.waitUntil(lambda: deleted.unified.document().characterCount() > 1, timeout=10_000)  # built: lexing queued
    deleted.deleteLater()
    qtbot.waitUntil(lambda: outcomes == ["cancelled"], timeout=10_000)  # and nothing landed on the deleted view


def test_sliced_loader_puts_text_then_visible_formats_first(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(highlight, "SLICE_SECONDS", 0.0)  # one chunk or batch per step: the slicing shows
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.resize(400, 300)
    editor.show()
    loader = SlicedLoader(editor)
    lines = [f"+line {i} = 'x'" for i in range(10_000)]
    pane = Pane(lines, [LineKind.ADDED] * len(lines), 1, "python")
    loaded: list[int] = []
    loader.text_loaded.connect(lambda: loaded.append(editor.document().blockCount()))
    loader.load(pane.text)
    assert 1 < editor.document().blockCount() < len(lines) and loader.busy and not loaded
    qtbot.waitUntil(lambda: loader.text_complete, timeout=10_000)
    assert loaded == [len(lines)] and editor.toPlainText() == pane.text
    editor.verticalScrollBar().setValue(5_000)
    with qtbot.waitSignal(loader.done, timeout=10_000):
        loader.apply(line_ranges(pane))
        first, later = editor.firstVisibleBlock(), editor.document().findBlockByNumber(3_000)
        assert first.blockNumber() == 5_000 and first.layout().formats() and not later.layout().formats()  # visible first
    assert fully_formatted(editor, pane) and not loader.busy


def test_hostile_content_is_shown_raw(diff_view, qtbot) -> None:
    diff = make_diff("evil.py", "x = 1\n", HOSTILE)
    diff_view.set_trajectory(made([FileEdit("<b>x</b>\u202e.py", 0, None, None, diff)]))
    wait_highlighted(qtbot, diff_view)
    shown = diff_view.unified.toPlainText()
    assert '+<img src="file:///etc/passwd"> <a href="x">l</a> <b>b</b> \\x1b[31mred\\x1b[0m \\u202eevil 😀' in shown
    assert "\x1b" not in shown and "\u202e" not in shown
    assert diff_view.unified.document().toHtml().count("<img") == 0
    assert diff_view.model.index(0, 1).data() == "<b>x</b>\\u202e.py"
    assert diff_view.caption.textFormat() == Qt.TextFormat.PlainText and "<b>x</b>" in diff_view.caption.text()


def test_huge_diff_is_truncated_on_a_line_boundary_with_a_note() -> None:
    text, note = truncate("abc\n" * 100, limit=42)
    assert text == "abc\n" * 10 and note is not None and "10 of 101 lines" in note
    assert truncate("short\n") == ("short\n", None)


def test_jump_to_step_on_enter_and_double_click(diff_view, qtbot) -> None:
    diff_view.set_trajectory(sample("deleted-test"))
    diff_view.select_row(2)
    diff_view.table.setFocus()
    with qtbot.waitSignal(diff_view.jump_to_step) as blocker:
        qtbot.keyClick(diff_view.table, Qt.Key.Key_Return)
    assert blocker.args == [8]
    rect = diff_view.table.visualRect(diff_view.model.index(6, 1))
    qtbot.mouseClick(diff_view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(diff_view.jump_to_step) as blocker:
        qtbot.mouseDClick(diff_view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [22]
    assert diff_view.show_step(16) and diff_view.table.currentIndex().row() == 4 and not diff_view.show_step(5)


def test_final_patch_entry(diff_view, qtbot) -> None:
    t = sample("disclosed-special-case")
    diff_view.set_trajectory(t)
    with qtbot.assertNotEmitted(diff_view.jump_to_step):
        diff_view.select_row(diff_view.model.rowCount() - 1)
        qtbot.keyClick(diff_view.table, Qt.Key.Key_Return)
    assert diff_view.unified.toPlainText() == t.final_patch.removesuffix("\n")
    assert "final patch" in diff_view.caption.text()
    wait_highlighted(qtbot, diff_view)
    assert formatted_blocks(diff_view.unified) > 3


def test_renders_to_png(diff_view, qtbot, tmp_path: Path) -> None:
    diff_view.set_trajectory(sample("deleted-test"))
    diff_view.select_row(6)
    wait_highlighted(qtbot, diff_view)
    path = tmp_path / "diff_view.png"
    assert diff_view.grab().save(str(path)) and path.stat().st_size > 0


def test_failed_edits_are_marked_and_each_file_has_a_net_change_row(diff_view, qtbot, tmp_path: Path) -> None:
    """The real OpenHands run on command_parser.pony: ten editor calls refused, one insert applied."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "openhands" / "multi_swe_bench_output.jsonl"
    [t] = [t for _, t in OpenhandsFormat().read(Document(fixture, fixture.read_bytes())) if t.id.endswith("ponyc-4593")]
    diff_view.set_trajectory(t)
    wait_counted(qtbot, diff_view)
    pony = "/workspace/ponylang__ponyc__0.1/packages/cli/command_parser.pony"
    # the edits (the submitted patch's too), the file's net change, the final patch
    assert column(diff_view, 1) == [pony] * 11 + ["packages/cli/command_parser.pony", pony, "final patch"]
    assert column(diff_view, 2) == ["38", "42", "44", "46", "50", "52", "56", "58", "60", "62", "64", "66", "net", ""]
    changes = column(diff_view, 3)
    assert changes[:11] == [FAILED] * 8 + ["+1 −0"] + [FAILED] * 2
    assert changes[11:] == ["+1 −0", "modified +1 −0", "+1 −0"]  # the net change is the one applied insert
    grey = [diff_view.model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole) for row in range(11)]
    assert [g == diff_view_module.FAILED_TEXT for g in grey] == [True] * 8 + [False] + [True] * 2
    diff_view.select_row(3)  # a refused str_replace: what it attempted, under the note
    wait_highlighted(qtbot, diff_view)
    assert diff_view.unified.toPlainText().startswith(
        f"({FAILED}: the tool refused this edit, the file did not change; what it attempted follows)\n--- "
    )
    assert diff_view.unified.kinds[0] is LineKind.NOTE and "step 46 · failed — not applied" in diff_view.caption.text()
    diff_view.select_row(12)
    wait_highlighted(qtbot, diff_view)
    shown = diff_view.unified.toPlainText().split("\n")
    assert shown[0] == (
        f"(net change of {pony} over the run: modified · step 60"
        " · 10 failed edits not applied (steps 38, 42, 44, 46, 50, 52, 56, 58, 62, 64)"
        " · unknown: the rest of the file (only the changed lines were recorded))"
    )
    assert shown[1:] == t.file_edits[8].diff.removesuffix("\n").split("\n")
    assert "net change over the run" in diff_view.caption.text() and diff_view.selected_span() is None
    diff_view.set_side_by_side(True)
    wait_highlighted(qtbot, diff_view)
    assert LineKind.ADDED in diff_view.right.kinds
    diff_view.set_side_by_side(False)
    diff_view.select_row(3)
    wait_highlighted(qtbot, diff_view)
    assert diff_view.grab().save(str(tmp_path / "failed_and_net.png"))


def test_a_selected_entry_does_not_wait_for_the_counting_of_the_others(diff_view, qtbot, monkeypatch) -> None:
    computed: list[str] = []
    real = edits_module.diff_text

    def slow(edit: FileEdit) -> str:  # difflib on a big pair: about a quarter of a second each
        time.sleep(0.25)
        computed.append(edit.path)
        return real(edit)

    monkeypatch.setattr(edits_module, "diff_text", slow)
    before = "".join(f"line {i}\n" for i in range(2500))  # over SYNC_CHARS: built by a worker
    edits = [FileEdit(f"f{k}.txt", k, before, before.replace("line 7\n", f"line 7 v{k}\n")) for k in range(8)]
    diff_view.set_trajectory(made(edits))
    diff_view.select_row(7)
    qtbot.waitUntil(lambda: "+line 7 v7" in diff_view.unified.toPlainText(), timeout=10_000)
    assert PENDING in column(diff_view, 3)  # shown while the counting of the others goes on
    wait_counted(qtbot, diff_view)
    assert sorted(computed) == sorted(e.path for e in edits)  # each text computed once, whichever thread came first
