"""`find_test_runs` over steps as the importers build them: which calls are test runs, which output
each one saw, what the counts say (`status`), and which run went from failing to passing."""

from __future__ import annotations

from reviewer.formats.build import TrajectoryBuilder
from reviewer.model import TestRun
from reviewer.test_runs import counts_text, marks, status, went_green

SUREFIRE = "[INFO] Results:\n[INFO]\n[ERROR] Tests run: 7, Failures: 2, Errors: 1, Skipped: 1\n[INFO] BUILD FAILURE\n"


def built(*calls: tuple[str, dict, str | None], prompt: str = "fix it") -> list[TestRun]:
    """A trajectory of one assistant step per call, each answered by its output (None: no answer)."""
    b = TrajectoryBuilder()
    b.step("user", prompt)
    for k, (name, arguments, output) in enumerate(calls):
        call = b.call(f"c{k}", name, arguments)
        b.step("assistant", calls=[call])
        if output is not None:
            b.result(f"c{k}", output)
    return b.build(id="t", prompt=prompt).test_runs


def test_a_test_command_and_its_output() -> None:
    (run,) = built(("bash", {"command": "cd repo && python -m pytest -q"}, "..F\n1 failed, 2 passed in 0.1s\n"))
    assert run == TestRun(1, "cd repo && python -m pytest -q", 2, "pytest", 2, 1, 0, 0, [])


def test_a_test_command_without_counts_or_without_output() -> None:
    runs = built(
        ("bash", {"command": "npm test"}, "> x@1.0.0 test\n> node check.js\nall good\n"),
        ("bash", {"command": "go test ./..."}, None),
    )
    assert runs == [TestRun(1, "npm test", 2, None), TestRun(3, "go test ./...", None, "go")]
    assert [status(r) for r in runs] == ["unknown", "unknown"]


def test_a_summary_in_the_output_of_any_command_that_runs_something() -> None:
    runs = built(
        ("bash", {"command": "bash run.sh"}, SUREFIRE),  # a wrapper script running Maven: Surefire's totals
        ("bash", {"command": "cat /tmp/last-build.log"}, SUREFIRE),  # a log shown, not a run
        ("bash", {"command": "grep -n 'Tests run' build.log"}, SUREFIRE),
        ("bash", {"command": "ls"}, "src\ntests\n"),
    )
    assert runs == [TestRun(1, "bash run.sh", 2, "maven", 3, 2, 1, 1, [])]


def test_an_unknown_commands_output_is_read_at_its_end_only() -> None:
    late = SUREFIRE + "[INFO] " + "x" * 6_000 + "\n"  # the totals, then 6 KB of log
    runs = built(("bash", {"command": "bash run.sh"}, late), ("bash", {"command": "mvn -q test"}, late))
    assert [(r.command, r.passed) for r in runs] == [("mvn -q test", 3)]  # a test command's output is read further


def test_text_actions_and_other_tools_with_a_command() -> None:
    runs = built(
        ("pytest", {"command": "pytest tests/test_a.py"}, "1 passed in 0.01s\n"),  # SWE-agent 0.x: named after its first word
        ("execute", {"cmd": "go test ./..."}, "ok  \tx\t0.01s\n"),
        ("str_replace_editor", {"command": "view", "path": "tests/test_a.py"}, "1 passed in 0.01s\n"),  # a file shown
        ("python", {"code": "import subprocess; subprocess.run(['pytest'])"}, "1 passed in 0.01s\n"),  # Inspect's python tool
        ("python", {"code": "print(sum(range(3)))"}, "3\n"),
    )
    assert [(r.step, r.command[:6], r.framework, r.passed, r.failed) for r in runs] == [
        (1, "pytest", "pytest", 1, 0), (3, "go tes", "go", None, 0), (7, "import", "pytest", 1, 0),
    ]  # fmt: skip


def test_an_output_step_the_format_did_not_link_is_the_next_tool_step() -> None:
    b = TrajectoryBuilder()
    b.step("user", "go")
    b.step("assistant", calls=[b.call("c1", "bash", {"command": "pytest"})])
    b.step("tool", "2 passed in 0.01s")  # no tool_result link
    (run,) = b.build(id="t", prompt="go").test_runs
    assert (run.step, run.result_step, run.passed) == (1, 2, 2)


def test_the_prompt_names_the_test_script() -> None:
    prompt = "If there is a test.py file, run test.py instead of main.py to see if the tests pass."
    runs = built(("bash", {"command": "python main.py"}, ""), ("bash", {"command": "python reproduce.py"}, "ok"), prompt=prompt)
    assert [(r.command, r.framework, r.passed) for r in runs] == [("python main.py", None, None)]


def test_a_long_script_keeps_its_start_and_end() -> None:
    script = "cat > big.txt <<'EOF'\n" + "x\n" * 5000 + "EOF\npytest -q"
    (run,) = built(("bash", {"command": script}, "1 passed in 0.1s"))
    assert run.command == script[:1000] + "\n… (8,035 characters not kept) …\n" + script[-1000:]
    assert run.command.endswith("EOF\npytest -q")  # the test command at the end is kept


def run(
    command: str = "pytest",
    passed: int | None = None,
    failed: int | None = None,
    errors: int | None = None,
    skipped: int | None = None,
    step: int = 0,
) -> TestRun:
    return TestRun(step, command, step + 1, "pytest", passed, failed, errors, skipped)


def test_status_reads_only_printed_counts() -> None:
    assert status(run(passed=3, failed=0)) == "passed"
    assert status(run(passed=3, failed=1)) == "failed"
    assert status(run(passed=3, failed=0, errors=1)) == "failed"
    assert status(run(failed=0)) == "passed"  # `go test` without -v: `ok`, no count of passes
    assert status(run(passed=0, failed=0, errors=0, skipped=0)) == "none ran"
    assert status(run(passed=0, failed=0, skipped=2)) == "none ran"
    assert status(run()) == "unknown"


def test_went_green_is_the_same_tests_failing_then_passing() -> None:
    runs = [
        run("python -m pytest -q tests/a.py", passed=1, failed=1, step=0),
        run("pytest tests/b.py", passed=2, failed=0, step=2),  # other tests passing: not a transition
        run("pytest tests/a.py", step=4),  # no counts: changes nothing
        run("cd /r && pytest -x tests/a.py", passed=2, failed=0, step=6),  # the same tests, now passing
        run("pytest tests/a.py", passed=2, failed=0, step=8),  # passing again: nothing new
        run("pytest tests/b.py", passed=1, failed=1, step=10),
    ]
    assert went_green(runs) == {3: runs[0]}
    shown = marks(runs)
    assert sorted(shown) == [1, 3, 5, 7, 9, 11]
    assert (
        shown[7].was_failing is runs[0]
        and shown[7].describe() == "tests passed · pytest: 2 passed · failing before (step 0), passing now"
    )
    assert shown[11].describe() == "tests failed · pytest: 1 failed, 1 passed"
    assert shown[5].describe() == "test run · pytest: no counts printed"


def test_describe_never_repeats_a_framework_name_from_a_file() -> None:
    (mark,) = marks([TestRun(0, "x", 1, "<b>evil</b>", 1, 0)]).values()
    assert mark.describe() == "tests passed · tests: 1 passed"


def test_counts_text() -> None:
    assert counts_text(run(passed=6, failed=8, errors=1, skipped=0)) == "8 failed, 6 passed, 1 error"
    assert counts_text(run(passed=5, failed=0, errors=2)) == "5 passed, 2 errors"
    assert counts_text(run(passed=0, failed=0, errors=0, skipped=0)) == "0 passed"
    assert counts_text(run(failed=0)) == "0 failed"
    assert counts_text(run()) == ""
