"""SWE-agent editor windows: parsing what the editors print, and the edit between two windows."""

from __future__ import annotations

import random
import time

import pytest

from reviewer.edits import make_diff
from reviewer.formats.windows import Window, edit_between, windows_in

FILE = [f"line {n}" for n in range(1, 31)]  # a 30-line file


def shown(lines: list[str], first: int, last: int, total: int, path: str = "/r/a.py", cursor: int | None = None) -> str:
    """A window as SWE-agent prints it (with cursor markers around line `cursor`)."""
    out = [f"[File: {path} ({total} lines total)]"]
    if first > 1:
        out.append(f"({first - 1} more lines above)")
    for n in range(first, last + 1):
        if n == cursor:
            out.append("<<<<< START CURSOR >>>>>")
        out.append(f"{n}:{lines[n - 1]}")
        if n == cursor:
            out.append("<<<<< END CURSOR >>>>>")
    if last < total:
        out.append(f"({total - last} more lines below)")
    return "\n".join(out) + "\n(Open file: /r/a.py)\n(Current directory: /r)\nbash-$"


def window(lines: list[str], first: int, last: int, **kw: object) -> Window:
    [found] = windows_in(shown(lines, first, last, len(lines), **kw))  # type: ignore[arg-type]
    return found


def test_windows_parse_numbers_cursors_and_crlf() -> None:
    w = window(FILE, 11, 20, cursor=15)
    assert (w.path, w.total, w.first, w.last, w.whole) == ("/r/a.py", 30, 11, 20, False)
    assert w.lines == tuple(FILE[10:20])  # the cursor markers are not lines of the file
    crlf = shown(FILE, 1, 30, 30).replace("\n", "\r\n")
    [whole] = windows_in(crlf)
    assert whole.whole and whole.text() == "".join(f"{line}\n" for line in FILE)
    assert windows_in("no window here") == []
    assert [w.total for w in windows_in(shown(FILE, 1, 3, 30) + "\n" + shown(FILE, 5, 6, 30))] == [30, 30]


@pytest.mark.parametrize(
    "text",
    [
        "[File: a.py (3 lines total)]\n1:a\n3:c\n",  # a gap: the window ends at the gap
        "[File: a.py (2 lines total)]\n1:a\n2:b\n3:c\n",  # more lines than the total: not a window
        "[File: a.py (5 lines total)]\n0:zero\n",  # line 0 does not exist
        "[File: a.py (99999999999999999999 lines total)]\n",
        "[File: a.py (3 lines total)]\nnot numbered\n",
    ],
)
def test_odd_windows_never_crash_and_never_invent(text: str) -> None:
    for w in windows_in(text):
        assert 1 <= w.first and w.last <= w.total and len(w.lines) <= w.total
    assert [w.lines for w in windows_in(text)] in ([], [("a",)])


def test_an_edit_inside_both_windows_gets_its_real_line_numbers() -> None:
    after = FILE[:14] + ["new 15a", "new 15b"] + FILE[15:]  # line 15 replaced by two lines: 31 lines
    before_window = window(FILE, 6, 25)  # open ... 15
    after_window = window(after, 8, 27)  # the edit's window, placed elsewhere
    found = edit_between("/r/a.py", before_window, after_window, "new 15a\nnew 15b")
    assert found is not None and (found.before, found.after) == (None, None)
    assert found.diff == (
        "--- /r/a.py\n+++ /r/a.py\n@@ -12,7 +12,8 @@\n line 12\n line 13\n line 14\n-line 15\n+new 15a\n+new 15b\n"
        " line 16\n line 17\n line 18\n"
    )


def test_a_whole_file_on_one_side_gives_whole_files_on_both() -> None:
    after = FILE[:2] + FILE[3:]  # line 3 deleted
    found = edit_between("/r/a.py", Window.of_file("/r/a.py", "".join(f"{x}\n" for x in FILE)), window(after, 1, 10), "")
    assert found is not None
    assert found.before == "".join(f"{x}\n" for x in FILE) and found.after == "".join(f"{x}\n" for x in after)
    assert found.diff == make_diff("/r/a.py", found.before, found.after)
    back = edit_between("/r/a.py", window(FILE, 1, 10), Window.of_file("/r/a.py", found.after))
    assert back is not None and back.before == found.before


@pytest.mark.parametrize(
    ("before", "after", "added"),
    [
        ((1, 10), (20, 30), None),  # the windows do not overlap
        ((1, 10), (1, 10), None),  # no visible change: the edit is outside both windows
        ((11, 20), (11, 20), "not written"),  # the command's text is not in the window after it
    ],
)
def test_no_windowed_edit_when_the_windows_do_not_show_it(
    before: tuple[int, int], after: tuple[int, int], added: str | None
) -> None:
    changed = FILE[:25] + ["changed 26"] + FILE[26:]
    assert edit_between("/r/a.py", window(FILE, *before), window(changed, *after), added) is None


def test_a_change_running_past_a_window_edge_is_not_guessed() -> None:
    changed = FILE[:9] + ["x 10", "x 11"] + FILE[11:]
    assert edit_between("/r/a.py", window(FILE, 1, 10), window(changed, 1, 10)) is None  # line 11's fate unseen
    assert edit_between("/r/a.py", window(FILE, 10, 20), window(changed, 10, 20)) is None  # nor line 9's


def test_edits_at_the_start_and_end_of_a_file() -> None:
    top = ["header"] + FILE
    found = edit_between("/r/a.py", window(FILE, 1, 5), window(top, 1, 6), "header")
    assert found is not None and found.diff.startswith("--- /r/a.py\n+++ /r/a.py\n@@ -1,3 +1,4 @@\n+header\n line 1\n")
    tail = FILE[:-1]
    found = edit_between("/r/a.py", window(FILE, 25, 30), window(tail, 25, 29))
    assert found is not None and found.diff.endswith("@@ -27,4 +27,3 @@\n line 27\n line 28\n line 29\n-line 30\n")


def apply(diff: str, lines: list[str]) -> list[str]:
    """Apply a unified diff's hunks to `lines` (checking every context and removed line)."""
    out, at = [], 0
    for line in diff.split("\n")[2:]:
        if line.startswith("@@"):
            start, _, count = line.split()[1][1:].partition(",")
            begin = int(start) - (1 if count != "0" else 0)
            out += lines[at:begin]
            at = begin
        elif line[:1] in (" ", "-"):
            assert lines[at] == line[1:]
            out += [line[1:]] if line[0] == " " else []
            at += 1
        elif line[:1] == "+":
            out.append(line[1:])
    return out + lines[at:]


def test_windowed_hunks_turn_the_before_lines_into_the_after_lines() -> None:
    rng = random.Random(7)
    for _ in range(500):
        old = [rng.choice(["a", "b", "", "c"]) for _ in range(rng.randint(3, 40))]
        new = list(old)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(new))
            new[at : at + rng.randint(0, 3)] = [rng.choice(["a", "x", "", "y"]) for _ in range(rng.randint(0, 3))]
        before, after = Window("p", len(old), 1, tuple(old)), Window("p", len(new), 1, tuple(new))
        found = edit_between("p", before, after)
        assert found is None if old == new else apply(found.diff, old) == new


def test_a_huge_window_with_a_small_change_is_quick() -> None:
    old = ("",) * 200_000
    new = old[:100_000] + ("x",) + old[100_001:]
    started = time.perf_counter()
    found = edit_between("p", Window("p", 300_000, 5, old), Window("p", 300_000, 5, new))
    assert time.perf_counter() - started < 2
    context = [" "] * 3
    assert found is not None and found.diff.split("\n")[2:] == ["@@ -100002,7 +100002,7 @@", *context, "-", "+x", *context, ""]
