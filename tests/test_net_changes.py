"""Each file's net change over a run: first known state to last applied state, and what is unknown."""

from __future__ import annotations

from pathlib import Path

from reviewer.edits import make_diff
from reviewer.formats.openhands import OpenhandsFormat
from reviewer.jsonio import Document
from reviewer.model import FileEdit, Trajectory
from reviewer.workspace import net_changes

EVAL = Path(__file__).resolve().parent / "fixtures" / "openhands" / "multi_swe_bench_output.jsonl"


def edit(
    path: str, step: int, before: str | None, after: str | None, op: str | None = "modify", status: str = "applied", **kw: str
) -> FileEdit:
    diff = kw.pop("diff", None)
    return FileEdit(path, step, before, after, diff, kw.pop("source", "tool_call"), op, status, kw.pop("from_path", None))


def test_modified_through_several_edits_failed_ones_left_out() -> None:
    [net] = net_changes(
        [
            edit("a.py", 2, "x = 1\n", "x = 2\n"),
            edit("a.py", 4, "x = 2\n", "x = 9\n", status="failed"),  # refused: it changed nothing
            edit("a.py", 6, "x = 2\n", "x = 3\n"),
        ]
    )
    assert (net.path, net.op, net.before, net.after, net.steps, [e.step for e in net.failed]) == (
        "a.py",
        "modified",
        "x = 1\n",
        "x = 3\n",
        (2, 6),
        [4],
    )
    assert net.diff() == make_diff("a.py", "x = 1\n", "x = 3\n") and net.unknown == ()
    assert net.notes() == ["steps 2, 6", "1 failed edit not applied (step 4)"]


def test_created_deleted_restored_and_created_then_removed() -> None:
    changes = net_changes(
        [
            edit("new.py", 1, "", "print(1)\n", "create"),
            edit("old.py", 2, "gone\n", "", "delete"),
            edit("tests/t.py", 3, "assert f()\n", "assert True\n"),
            edit("tests/t.py", 5, "assert True\n", "assert f()\n"),  # put back
            edit("tmp.py", 4, None, "x\n", "create"),
            edit("tmp.py", 7, None, None, "delete", source="bash"),
        ]
    )
    assert [(c.path, c.op) for c in changes] == [
        ("new.py", "created"),
        ("old.py", "deleted"),
        ("tests/t.py", "unchanged"),
        ("tmp.py", "unchanged"),
    ]
    created, deleted, restored, scratch = changes
    assert created.diff() == "--- a/new.py\n+++ b/new.py\n@@ -0,0 +1 @@\n+print(1)\n"
    assert deleted.after == "" and deleted.diff() == "--- a/old.py\n+++ b/old.py\n@@ -1 +0,0 @@\n-gone\n"
    assert restored.diff() is None and scratch.before == "" and scratch.after == ""


def test_renames_are_followed() -> None:
    [net] = net_changes(
        [
            edit("a.py", 1, "v = 1\n", "v = 2\n"),
            edit("b.py", 2, None, None, "rename", from_path="a.py", source="bash"),
            edit("b.py", 3, "v = 2\n", "v = 3\n"),
        ]
    )
    assert (net.path, net.from_path, net.op, net.before, net.after) == ("b.py", "a.py", "renamed", "v = 1\n", "v = 3\n")
    refused = net_changes([edit("b.py", 2, None, None, "rename", "failed", from_path="a.py"), edit("a.py", 3, "1\n", "2\n")])
    assert [(c.path, c.op) for c in refused] == [("a.py", "modified")]  # the failed rename moved nothing


def test_a_rename_as_a_files_first_edit() -> None:
    """`mv game_2048.py 2048.py` of a file no edit touched before (OpenHands' wrong_initial_state)."""
    [net] = net_changes([edit("2048.py", 3, None, None, "rename", from_path="game_2048.py", source="bash")])
    assert (net.path, net.from_path, net.op, net.steps) == ("2048.py", "game_2048.py", "renamed", (3,))


def test_what_is_not_known_is_said_not_guessed() -> None:
    pending = net_changes([edit("a.py", 1, "1\n", "2\n"), edit("a.py", 3, "2\n", "3\n", status="unknown")])[0]
    assert (pending.op, pending.before, pending.after, pending.diff()) == ("modified", "1\n", None, None)
    assert pending.unknown == ("whether the edit at step 3 happened (its result does not say)",)
    hunks = net_changes(
        [edit("a.py", 1, None, None, diff="@@ -3 +3 @@\n-a\n+b\n"), edit("a.py", 2, None, None, diff="@@ -9 +9 @@\n-c\n+d\n")]
    )[0]
    assert (hunks.op, hunks.diff(), hunks.unknown) == (
        "modified",
        None,
        ("the content before step 1", "the content after step 2"),
    )
    one = net_changes([edit("a.py", 1, None, None, diff="--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-a\n+b\n")])[0]
    assert one.diff() == "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-a\n+b\n"  # one edit: its own diff is the net change
    assert one.unknown == ("the rest of the file (only the changed lines were recorded)",)
    written = net_changes([edit("w.py", 1, None, "x\n", op=None)])[0]  # a write of a file nobody showed
    assert (written.op, written.unknown) == (None, ("the content before step 1", "whether w.py existed before step 1"))
    only_failed = net_changes([edit("a.py", 1, "1\n", "2\n", status="failed")])[0]
    assert (only_failed.op, only_failed.edits, only_failed.diff()) == ("unchanged", (), None)


def test_submitted_and_observed_patches_are_not_chained() -> None:
    changes = net_changes([edit("a.py", 1, "1\n", "2\n"), edit("a.py", 9, None, None, source="submission", diff="--- a/a.py\n")])
    assert [(c.path, c.steps) for c in changes] == [("a.py", (1,))]
    assert net_changes([]) == []


def test_real_openhands_runs() -> None:
    """By hand: each run edited one file; most editor calls were refused; only the tool's diffs are recorded."""
    runs = [t for _, t in OpenhandsFormat().read(Document(EVAL, EVAL.read_bytes())) if isinstance(t, Trajectory)]
    summary = [
        [(c.path.rsplit("/", 1)[1], c.op, c.steps, len(c.failed), c.diff() is not None) for c in net_changes(t.file_edits)]
        for t in runs
    ]
    assert summary == [
        [
            ("parser.c", "modified", (27,), 1, True),  # one applied edit: its diff is the net change
            ("test.c", None, (29,), 0, False),  # `echo "int main() { return 0; }" > /workspace/test.c`
            ("test.pony", None, (31,), 0, False),  # `echo "…" > test.pony && ponyc …` (which failed)
        ],
        [("command_parser.pony", "modified", (60,), 10, True)],
        [
            ("match.c", "modified", (24, 38, 40, 51, 57), 12, False),  # four hunks on an unseen file and a `sed -i`: no net diff
            ("build", "deleted", (65, 81), 0, False),  # `rm -rf build && make` twice
        ],
    ]


def test_a_net_diff_is_computed_once_for_every_reader() -> None:
    """The app's count worker and the pane a reviewer opens both read it, maybe on two threads at once:
    difflib runs once (the same object comes back), and both readers get the whole diff."""
    from concurrent.futures import ThreadPoolExecutor

    before = "".join(f"line {i}\n" for i in range(20_000))
    after = before.replace("line 100\n", "line one hundred\n")
    [net] = net_changes([edit("big.txt", 1, before, after.replace("line 200\n", "")), edit("big.txt", 3, before, after)])
    with ThreadPoolExecutor(4) as pool:
        diffs = list(pool.map(lambda _: net.diff(), range(8)))
    assert all(d is diffs[0] for d in diffs) and diffs[0] == make_diff("big.txt", before, after)
    assert net == net_changes([edit("big.txt", 1, before, after.replace("line 200\n", "")), edit("big.txt", 3, before, after)])[0]
