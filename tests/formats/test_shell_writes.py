"""Files written from the shell: every write pattern agents use, each as an edit with op, source and content
(when the command line gives it) — never invented, and nothing at all for a line that cannot be read."""

from __future__ import annotations

import pytest

from reviewer.edits import diff_text
from reviewer.formats.edit_reconstruction import FileTracker
from reviewer.formats.shell_syntax import ShellSyntaxError, parse
from reviewer.formats.shell_writes import _read, shell_ops
from reviewer.model import FileEdit, ToolCall


def summary(edits: list[FileEdit]) -> list[tuple[str | None, str, str | None]]:
    return [(e.op, e.path, e.after) for e in edits]


def test_cat_heredoc_write_then_append_then_copy_move_and_rm_follow_the_file() -> None:
    t = FileTracker()
    edits = t.shell_edits(
        "cat > a.py <<'EOF'\nx = 1\nEOF\ncat >> a.py <<EOF\ny = 2\nEOF\ncp a.py b.py && mv b.py c.py; rm -f a.py", 3
    )
    assert summary(edits) == [
        (None, "a.py", "x = 1\n"),  # a file never seen: whether it existed is not known
        ("modify", "a.py", "x = 1\ny = 2\n"),
        (None, "b.py", "x = 1\ny = 2\n"),  # cp copies the known content
        ("rename", "c.py", "x = 1\ny = 2\n"),
        ("delete", "a.py", ""),
    ]
    assert {e.source for e in edits} == {"bash"} and {e.step for e in edits} == {3}
    write, append, _copy, move, delete = edits
    assert write.before is None and write.diff is None
    assert append.before == "x = 1\n" and append.diff.endswith("+y = 2\n")
    assert (
        move.from_path == "b.py"
        and move.before == move.after
        and move.diff == "diff --git a/b.py b/c.py\nrename from b.py\nrename to c.py\n"
    )
    assert delete.before == "x = 1\ny = 2\n" and delete.diff == "--- a/a.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x = 1\n-y = 2\n"
    assert t.content("a.py") is None and t.exists("a.py") is False and t.content("c.py") == "x = 1\ny = 2\n"
    (again,) = t.shell_edits("echo z > a.py", 4)  # written after its deletion: created
    assert (again.op, again.before, again.after) == ("create", "", "z\n")


def test_rm_of_several_paths_and_rm_rf_of_a_directory_with_known_files() -> None:
    t = FileTracker()
    t.shell_edits("echo 1 > pkg/a.py; echo 2 > pkg/b.py", 1)
    edits = t.shell_edits("rm -f x.txt y.txt && rm -rf pkg", 2)
    assert [(e.op, e.path, e.before) for e in edits] == [
        ("delete", "x.txt", None), ("delete", "y.txt", None), ("delete", "pkg/a.py", "1\n"), ("delete", "pkg/b.py", "2\n"),
    ]  # fmt: skip
    unknown = edits[0]
    assert unknown.after == "" and unknown.diff == "--- a/x.txt\n+++ /dev/null\n"
    assert t.paths_under("pkg") == []


def test_echo_and_printf_redirections() -> None:
    t = FileTracker()
    edits = t.shell_edits(
        "echo 'Hello, world!' > hello.txt; echo -n more >> hello.txt; echo -e 'a\\tb' > tab.txt; "
        "printf '%s=%d\\n' x 1 y 2 > kv.txt; printf '%5s' wide > wide.txt; echo \"$HOME\" > home.txt",
        2,
    )
    assert summary(edits) == [
        (None, "hello.txt", "Hello, world!\n"),
        ("modify", "hello.txt", "Hello, world!\nmore"),
        (None, "tab.txt", "a\tb\n"),
        (None, "kv.txt", "x=1\ny=2\n"),  # the format is reused while arguments remain
        (None, "wide.txt", None),  # a width is not computed: written, content unknown
        (None, "home.txt", None),  # an expansion only the shell knew
    ]
    assert t.shell_edits("echo done 2>&1; echo x 2>/dev/null; echo y >/dev/null; echo $PATH | grep bin", 3) == []


def test_tee_pipes_and_here_strings() -> None:
    t = FileTracker()
    edits = t.shell_edits("echo hi | tee out.txt copy.txt; tee -a out.txt <<< 'again'; cat out.txt | tee -a log.txt", 1)
    assert summary(edits) == [
        (None, "out.txt", "hi\n"), (None, "copy.txt", "hi\n"), ("modify", "out.txt", "hi\nagain\n"), (None, "log.txt", None),
    ]  # fmt: skip
    assert edits[-1].diff == "--- a/log.txt\n+++ b/log.txt\n@@ appended at end @@\n+hi\n+again\n"  # appended to an unseen file


def test_sed_in_place_is_an_edit_of_unknown_content_with_its_backup() -> None:
    t = FileTracker()
    t.shell_edits("cat > conf.ini <<EOF\na=1\nEOF", 1)
    edits = t.shell_edits(
        "sed -i.bak 's/1/2/' conf.ini && sed -i -e 's/x/y/' -e 's/p/q/' t1.py t2.py; sed -n 's/a/b/p' conf.ini", 2
    )
    assert [(e.op, e.path, e.before, e.after, e.diff) for e in edits] == [
        (None, "conf.ini.bak", None, "a=1\n", None),  # the backup keeps the content before the edit
        ("modify", "conf.ini", "a=1\n", None, None),
        ("modify", "t1.py", None, None, None),
        ("modify", "t2.py", None, None, None),
    ]
    assert t.content("conf.ini") is None  # sed is not re-run here: what the file holds now is unknown
    assert "edited in place" in diff_text(edits[2]) and "step 2" in diff_text(edits[2])
    assert [
        e.path for e in t.shell_edits("sed -i '' 's/a/b/' bsd.py; perl -pi -e 's/a/b/' p.pl; awk -i inplace '{print}' r.txt", 3)
    ] == ["bsd.py", "p.pl", "r.txt"]  # fmt: skip


def test_patch_and_git_apply_compute_content_when_the_file_is_known() -> None:
    t = FileTracker()
    t.shell_edits("printf 'a\\nb\\nc\\n' > m.py", 1)
    patch = "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    (applied,) = t.shell_edits(f"patch -p1 <<'EOF'\n{patch}EOF", 2)
    assert (applied.op, applied.before, applied.after, applied.source) == ("modify", "a\nb\nc\n", "a\nB\nc\n", "bash")
    assert applied.diff == patch
    (unseen,) = t.shell_edits("git apply <<'EOF'\n--- a/n.py\n+++ b/n.py\n@@ -1 +1 @@\n-x\n+y\nEOF", 3)
    assert (unseen.op, unseen.before, unseen.after) == ("modify", None, None) and unseen.diff.endswith("-x\n+y\n")
    t.shell_edits(f"cat > fix.diff <<'EOF'\n{patch.replace('B', 'C').replace('-b', '-B')}EOF", 4)
    fixed = t.shell_edits("git apply fix.diff && git apply --check other.diff", 5)
    assert [(e.path, e.after) for e in fixed] == [("m.py", "a\nC\nc\n")]  # the patch file's known content, applied
    created = t.shell_edits(
        "git apply <<'EOF'\ndiff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n"
        "@@ -0,0 +1,2 @@\n+1\n+2\nEOF",
        6,
    )
    assert [(e.op, e.path, e.before, e.after) for e in created] == [("create", "new.py", "", "1\n2\n")]
    (reverse,) = t.shell_edits("git apply -R fix.diff", 7)
    assert (reverse.op, reverse.after, reverse.diff) == ("modify", None, None)  # a reversed patch: content unknown


def test_git_checkout_and_stash_put_files_back() -> None:
    t = FileTracker()
    t.note(FileEdit("tests/test_a.py", 0, "assert f() == 1\n", "assert True\n", None, "tool_call", "modify"))
    (restored,) = t.shell_edits("git checkout -- tests/test_a.py", 1)
    assert (restored.op, restored.before, restored.after) == (
        "modify",
        "assert True\n",
        "assert f() == 1\n",
    )  # back to before the run
    t.shell_edits("echo 'assert 1' > tests/test_a.py", 2)
    stashed = t.shell_edits("git stash", 3)
    assert [(e.path, e.after) for e in stashed] == [("tests/test_a.py", "assert f() == 1\n")]
    popped = t.shell_edits("git stash pop", 4)
    assert [(e.path, e.before, e.after) for e in popped] == [("tests/test_a.py", "assert f() == 1\n", "assert 1\n")]
    (other,) = t.shell_edits("git checkout HEAD~2 -- tests/test_a.py", 5)
    assert other.after is None  # another commit's content is not known
    assert [e.path for e in t.shell_edits("git checkout src/unseen.py; git checkout main; git checkout -b topic", 6)] == [
        "src/unseen.py"
    ]
    # a file first written without knowing whether it existed may be untracked: reset --hard is not said to touch it
    assert [e.path for e in t.shell_edits("echo new > made.py; git reset --hard", 7)] == [
        "made.py",
        "tests/test_a.py",
        "src/unseen.py",
    ]


def test_cd_subshells_and_working_directory() -> None:
    t = FileTracker(cwd="/repo")
    edits = t.shell_edits(
        "cd src && (cd pkg && rm a.py) && rm b.py; cd /tmp && echo x > t.txt; cd $DIR && rm lost.py; rm /abs.py", 1
    )
    assert [e.path for e in edits] == ["/repo/src/pkg/a.py", "/repo/src/b.py", "/tmp/t.txt", "/abs.py"]
    assert [e.path for e in FileTracker().shell_edits("cd sub && rm x.py", 1)] == ["sub/x.py"]  # no known start: stays relative


def test_python_run_from_the_shell_is_read_as_python() -> None:
    t = FileTracker()
    edits = t.shell_edits(
        "python3 -c \"open('w.txt', 'w').write('hi')\" && python - <<'EOF'\nfrom pathlib import Path\n"
        "Path('v.txt').write_text('v\\n')\nEOF",
        1,
    )
    assert [(e.path, e.after, e.source) for e in edits] == [("w.txt", "hi", "python"), ("v.txt", "v\n", "python")]
    t.shell_edits("cat > gen.py <<'EOF'\nopen('out.txt', 'w').write('generated')\nEOF", 2)
    (ran,) = t.shell_edits("python gen.py", 3)  # a script whose content is known
    assert (ran.path, ran.after, ran.step) == ("out.txt", "generated", 3)
    assert t.shell_edits("python unknown_script.py; python -m pytest", 4) == []


def test_redirect_of_a_program_is_a_write_of_unknown_content() -> None:
    edits = FileTracker().shell_edits(
        "python reproduce.py > out.log 2> err.log; git diff > fix.patch; { echo a; echo b; } > two.txt", 1
    )
    assert summary(edits) == [
        (None, "out.log", None),
        (None, "err.log", None),
        (None, "fix.patch", None),
        (None, "two.txt", "a\nb\n"),
    ]


def test_wrappers_and_nested_shells() -> None:
    edits = FileTracker().shell_edits(
        "sudo -u root tee /etc/x <<< 'line'; FOO=1 env A=b timeout 5 rm q; bash -c 'echo x > b.txt'; : > empty", 1
    )
    assert summary(edits) == [(None, "/etc/x", "line\n"), ("delete", "q", ""), (None, "b.txt", "x\n"), (None, "empty", "")]


@pytest.mark.parametrize(
    "script",
    [
        "echo 'unterminated > x.txt",
        "case $x in a) rm y;; esac",  # a `case` pattern is not read: no edit rather than a wrong one
        "rm $(cat list.txt)",
        "for f in *.py; do rm $f; done",
        "rm *.pyc",  # a pattern matching no known file
        "cat > f.txt <<EOF\n$(date)\nEOF",  # written, content depends on the shell
        "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((echo",
        "echo \x00 > nul.txt",
        "\ufffd\ufffd > \udcff",
        "x" * 1_100_000,
    ],
)
def test_hostile_or_unreadable_lines_give_no_wrong_edit_and_no_crash(script: str) -> None:
    edits = FileTracker().shell_edits(script, 1)
    assert all(e.after is None or e.path in ("f.txt", "nul.txt") for e in edits)
    assert [e.path for e in edits] in ([], ["f.txt"], ["nul.txt"], ["\udcff"])


def test_globs_match_only_known_files_in_that_folder() -> None:
    t = FileTracker()
    t.shell_edits("echo 1 > a.pyc; echo 2 > sub/b.pyc; echo 3 > c.py", 1)
    assert [e.path for e in t.shell_edits("rm *.pyc", 2)] == ["a.pyc"]


def test_parser_reads_heredocs_quotes_and_groups() -> None:
    tree = parse("cat <<-'EOF' > f\n\tbody $x\n\tEOF\necho \"a $b\" 'c' $'d\\n'")
    first, second = (p.units[0] for p in tree.pipelines)
    assert first.redirects[0].body == "body $x\n" and first.redirects[1].target.text == "f"  # type: ignore[union-attr]
    assert [(w.text, w.literal) for w in second.words] == [("echo", True), ("a $b", False), ("c", True), ("d\n", True)]  # type: ignore[union-attr]
    with pytest.raises(ShellSyntaxError):
        parse("echo (")
    assert parse("f() { rm x; }; f").pipelines[0].units[0].words[0].text == "f"  # type: ignore[union-attr]


def test_a_here_document_without_its_closing_line_has_unknown_content() -> None:
    """terminus-2 types a heredoc's first line in one keystroke call and its body in the next."""
    t = FileTracker()
    (opened,) = t.edits_for(ToolCall("k", "keystrokes", {"keystrokes": "cat > notes.txt << 'EOF'\n", "duration": 0.1}), 1)
    assert (opened.path, opened.after) == ("notes.txt", None)
    (closed,) = t.shell_edits("cat > notes.txt << 'EOF'\nline\nEOF", 2)  # the closing line last, with no newline after it
    assert closed.after == "line\n"


def test_content_that_grows_without_bound_becomes_unknown() -> None:
    t = FileTracker()
    t.shell_edits("printf 'x%.0s' > seed.txt", 1)  # a width/precision: unknown; start from known content instead
    t.shell_edits("echo " + "y" * 5000 + " > f.txt", 2)
    edits = t.shell_edits("; ".join(["cat f.txt f.txt > g.txt; mv g.txt f.txt"] * 12), 3)
    assert edits[-1].path == "f.txt" and edits[-1].after is None  # 5,001 × 2^12 characters is past the bound
    assert edits[0].after == ("y" * 5000 + "\n") * 2


@pytest.mark.parametrize(
    "script",
    [
        "cat > a.py <<'EOF'\nx = 1\nEOF",
        "cat > a.py << EOF\nx = $HOME\nEOF\n",
        'cat >src/b.py <<"END"\n$literal\nEND',
        "cat > a.py <<'EOF'\nEOF",
        "cat > a.py <<'EOF'\nfirst\nEOF\nrm a.py\nEOF",  # the body ends at the first EOF line; then a command
        "  cat > a.py <<EOF\n`date`\nEOF",
        "cat > a.py <<'EOF'\nno end",
    ],
)
def test_the_fast_heredoc_reading_agrees_with_the_general_reader(script: str) -> None:
    t = FileTracker(cwd="/r")
    assert list(shell_ops(script, "/r", t)) == list(_read(script, "/r", t, 0))
