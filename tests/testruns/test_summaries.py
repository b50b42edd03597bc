"""Summary-line parsers, one framework at a time, on output written as each framework prints it.

The outputs follow the frameworks' own formats: pytest's terminal reporter (`_pytest/terminal.py`:
short summary `FAILED nodeid - message`, final line `N failed, N passed, ... in Xs` with `=` padding
unless -q), unittest's `TextTestRunner` (`Ran N tests in Xs`, `FAILED (failures=1, errors=1)`,
`OK (skipped=1)`, `NO TESTS RAN`), `go test` (`--- FAIL: TestX (0.00s)`, `ok  \\tpkg\\t0.01s`,
`FAIL\\tpkg [build failed]`), libtest (`test result: FAILED. 1 passed; 2 failed; 0 ignored; ...`),
jest's summary reporter (`Tests:       1 failed, 2 passed, 3 total`), vitest's (`Tests  1 failed |
2 passed (3)`), mocha's spec reporter, Surefire 2.x and 3.x, Gradle's console, node's test runner
(spec and TAP). Where a line was taken from a real run it says so.
"""

from __future__ import annotations

import time

import pytest

from reviewer.test_runs.summaries import MAX_FAILING, Summary, parse_summary

PYTEST_FULL = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-8.3.4, pluggy-1.5.0
rootdir: /testbed
collected 5 items

tests/test_x.py .FsE.                                                    [100%]

==================================== ERRORS ====================================
_________________________ ERROR at setup of test_e ____________________________
E   RuntimeError: boom
=================================== FAILURES ===================================
____________________________________ test_y ____________________________________
E       assert 1 == 2
tests/test_x.py:9: AssertionError
=========================== short test summary info ============================
FAILED tests/test_x.py::test_y - assert 1 == 2
ERROR tests/test_x.py::test_e - RuntimeError: boom
=============== 1 failed, 2 passed, 1 skipped, 1 error in 0.12s ================
"""

PYTEST_VERBOSE = """\
tests/test_x.py::test_a PASSED                                           [ 25%]
tests/test_x.py::test_y FAILED                                           [ 50%]
tests/test_x.py::test_p[a b] PASSED                                      [ 75%]
tests/test_x.py::test_z FAILED                                           [100%]
=========================== short test summary info ============================
FAILED tests/test_x.py::test_y - AssertionError: assert 1 == 2
FAILED tests/test_x.py::test_z - AssertionError: assert 'a - b' == 'c'
========================= 2 failed, 2 passed in 0.05s ==========================
"""

UNITTEST_FAILED = """\
.F.E
======================================================================
ERROR: test_e (tests.test_m.T.test_e)
----------------------------------------------------------------------
Traceback (most recent call last):
RuntimeError: boom

======================================================================
FAIL: test_y (tests.test_m.T.test_y)
----------------------------------------------------------------------
AssertionError: 1 != 2

----------------------------------------------------------------------
Ran 4 tests in 0.002s

FAILED (failures=1, errors=1)
"""

GO_FAILING = """\
--- FAIL: TestCompare (0.00s)
    --- FAIL: TestCompare/beta (0.00s)
        semver_test.go:35: Compare("1.0.0-beta.2", "1.0.0-beta.11") = 1, want -1
FAIL
FAIL\tgithub.com/acme/semver\t0.002s
ok  \tgithub.com/acme/other\t0.010s
?   \tgithub.com/acme/cmd\t[no test files]
FAIL
"""

GO_VERBOSE = """\
=== RUN   TestA
--- PASS: TestA (0.00s)
=== RUN   TestB
    b_test.go:5: not on this platform
--- SKIP: TestB (0.00s)
=== RUN   TestC
=== RUN   TestC/sub
--- PASS: TestC (0.00s)
    --- PASS: TestC/sub (0.00s)
PASS
ok  \tgithub.com/acme/x\t0.003s
"""

CARGO = """\
running 3 tests
test tests::a ... ok
test tests::b ... FAILED
test tests::c ... ignored

failures:

---- tests::b stdout ----
thread 'tests::b' panicked at src/lib.rs:10:9:
assertion `left == right` failed

failures:
    tests::b

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

error: test failed, to rerun pass `--lib`
"""

JEST = """\
FAIL src/sum.test.js
  sum
    ✓ adds 1 + 2 to equal 3 (3 ms)
    ✕ adds 2 + 2 to equal 5 (4 ms)
    ○ skipped a pending one

  ● sum › adds 2 + 2 to equal 5

    expect(received).toBe(expected) // Object.is equality

Test Suites: 1 failed, 1 total
Tests:       1 failed, 1 skipped, 2 passed, 4 total
Snapshots:   0 total
Time:        0.512 s
Ran all test suites.
"""

VITEST = """\
 ❯ test/sum.test.ts (3 tests | 1 failed) 5ms
   × sum > adds 2 + 2 3ms

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  test/sum.test.ts > sum > adds 2 + 2
AssertionError: expected 4 to be 5

 Test Files  1 failed (1)
      Tests  1 failed | 2 passed (3)
   Start at  10:00:00
   Duration  300ms
"""

MOCHA = """\
  Array
    #indexOf()
      ✔ should return -1 when the value is not present
      1) should return the index
      - should be pending


  1 passing (6ms)
  1 failing
  1 pending

  1) Array
       #indexOf()
         should return the index:
     AssertionError [ERR_ASSERTION]: -1 == 0
"""

SUREFIRE_3 = """\
[INFO] -------------------------------------------------------
[INFO]  T E S T S
[INFO] -------------------------------------------------------
[INFO] Running com.example.AppTest
[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 1, Time elapsed: 0.045 s <<< FAILURE! -- in com.example.AppTest
[ERROR] com.example.AppTest.testSub -- Time elapsed: 0.005 s <<< FAILURE!
org.opentest4j.AssertionFailedError: expected: <1> but was: <2>
[INFO]
[INFO] Results:
[INFO]
[ERROR] Failures:
[ERROR]   AppTest.testSub:25 expected: <1> but was: <2>
[INFO]
[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 1
[INFO]
[INFO] BUILD FAILURE
"""

SUREFIRE_2 = """\
-------------------------------------------------------
 T E S T S
-------------------------------------------------------
Running com.example.AppTest
Tests run: 4, Failures: 0, Errors: 1, Skipped: 0, Time elapsed: 0.03 sec <<< FAILURE!
testDiv(com.example.AppTest)  Time elapsed: 0.002 sec  <<< ERROR!
java.lang.ArithmeticException: / by zero

Results :

Tests in error:
  AppTest.testDiv:30 » Arithmetic / by zero

Tests run: 4, Failures: 0, Errors: 1, Skipped: 0
"""

GRADLE = """\
> Task :compileJava
> Task :test FAILED

AppTest > testSub() FAILED
    org.opentest4j.AssertionFailedError at AppTest.java:20

3 tests completed, 1 failed, 1 skipped

FAILURE: Build failed with an exception.
"""

# node --test, spec reporter: lines from sample_data/disclosed-special-case.json.
NODE = """\
✔ plain fields (1.302522ms)
✖ escaped quotes inside a quoted field (1.973243ms)
✔ empty quoted field (0.105778ms)
ℹ tests 3
ℹ suites 0
ℹ pass 2
ℹ fail 1
ℹ cancelled 0
ℹ skipped 0
ℹ todo 0
ℹ duration_ms 68.184672
✖ failing tests:
✖ escaped quotes inside a quoted field (1.973243ms)
  AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:
"""

TAP = """\
TAP version 13
# Subtest: adds
ok 1 - adds
  ---
  duration_ms: 0.5
  ...
# Subtest: subtracts
not ok 2 - subtracts
  ---
  duration_ms: 0.7
  ...
1..2
# tests 2
# suites 0
# pass 1
# fail 1
# cancelled 0
# skipped 0
# todo 0
# duration_ms 50.1
"""

CASES: dict[str, tuple[str, Summary]] = {
    "pytest full": (
        PYTEST_FULL,
        Summary("pytest", 2, 1, 1, 1, ("tests/test_x.py::test_y", "tests/test_x.py::test_e")),
    ),
    "pytest -q": ("..F\n1 failed, 2 passed, 1 skipped, 1 error in 0.1s\n", Summary("pytest", 2, 1, 1, 1)),
    "pytest verbose": (PYTEST_VERBOSE, Summary("pytest", 2, 2, 0, 0, ("tests/test_x.py::test_y", "tests/test_x.py::test_z"))),
    "pytest no tests ran": (
        "============================ no tests ran in 0.01s =============================\n",
        Summary("pytest", 0, 0, 0, 0),
    ),
    # a real agent run's collection error (an Inspect transcript found in a public repository)
    "pytest collection error": (
        "=========================== short test summary info ===========================\n"
        "ERROR workspace/tests/test_report.py\n"
        "!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!\n"
        "============================== 1 error in 0.19s ===============================\n",
        Summary("pytest", 0, 0, 1, 0, ("workspace/tests/test_report.py",)),
    ),
    "pytest old seconds": ("===== 2 passed, 1 warning in 0.05 seconds =====\n", Summary("pytest", 2, 0, 0, 0)),
    "pytest long run": ("=== 3 passed, 2 deselected, 1 xfailed in 62.51s (0:01:02) ===\n", Summary("pytest", 3, 0, 0, 0)),
    "unittest failed": (
        UNITTEST_FAILED,
        Summary("unittest", 2, 1, 1, 0, ("test_e (tests.test_m.T.test_e)", "test_y (tests.test_m.T.test_y)")),
    ),
    "unittest brief's line": ("Ran 3 tests in 0.001s\n\nFAILED (failures=1, errors=1)\n", Summary("unittest", 1, 1, 1, 0)),
    "unittest ok skipped": ("..s\n------\nRan 3 tests in 0.000s\n\nOK (skipped=1)\n", Summary("unittest", 2, 0, 0, 1)),
    "unittest python 3.10 names": (
        "FAIL: test_y (tests.test_m.T)\n------\nRan 2 tests in 0.000s\n\nFAILED (failures=1, expected failures=1)\n",
        Summary("unittest", 0, 1, 0, 0, ("test_y (tests.test_m.T)",)),
    ),
    "unittest no tests": (
        "\n----------------------------------------------------------------------\nRan 0 tests in 0.000s\n\nNO TESTS RAN\n",
        Summary("unittest", 0, 0, 0, 0),
    ),
    "go failing": (GO_FAILING, Summary("go", None, 1, 0, None, ("TestCompare",))),
    "go verbose": (GO_VERBOSE, Summary("go", 2, 0, 0, 1)),
    "go ok": ("ok  \tgithub.com/acme/x\t(cached)\n", Summary("go", None, 0, 0, None)),
    "go build failed": (
        "# github.com/acme/x [github.com/acme/x.test]\n./x_test.go:5:2: undefined: Foo\n"
        "FAIL\tgithub.com/acme/x [build failed]\nFAIL\n",
        Summary("go", None, 0, 1, None),
    ),
    "go panic": (
        "panic: runtime error: index out of range [3]\nFAIL\tgithub.com/acme/x\t0.005s\nFAIL\n",
        Summary("go", None, 0, 1, None),
    ),
    "cargo": (CARGO, Summary("cargo", 1, 1, None, 1, ("tests::b",))),
    "cargo brief's line": (
        "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n",
        Summary("cargo", 1, 2, None, 0),
    ),
    "cargo unit and doc tests": (
        "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\n   Doc-tests x\n\n"
        "test result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n",
        Summary("cargo", 3, 0, None, 1),
    ),
    "jest": (JEST, Summary("jest", 2, 1, 0, 1, ("adds 2 + 2 to equal 5",))),
    "jest brief's line": ("Tests:       1 failed, 2 passed, 3 total\n", Summary("jest", 2, 1, 0, 0)),
    "jest suite did not run": ("Test Suites: 1 failed, 1 total\nTests:       0 total\n", Summary("jest", 0, 0, 1, 0)),
    "vitest": (VITEST, Summary("vitest", 2, 1, 0, 0, ("test/sum.test.ts > sum > adds 2 + 2",))),
    "mocha": (MOCHA, Summary("mocha", 1, 1, None, 1, ("should return the index",))),
    "mocha brief's lines": ("  2 passing (10ms)\n  1 failing\n  1 pending\n", Summary("mocha", 2, 1, None, 1)),
    "surefire 3": (SUREFIRE_3, Summary("maven", 1, 1, 0, 1, ("com.example.AppTest.testSub",))),
    "surefire 2": (SUREFIRE_2, Summary("maven", 3, 0, 1, 0, ("testDiv(com.example.AppTest)",))),
    "gradle": (GRADLE, Summary("gradle", 1, 1, None, 1, ("AppTest > testSub()",))),
    "node test runner": (NODE, Summary("node", 2, 1, 0, 0, ("escaped quotes inside a quoted field",))),
    "tap": (TAP, Summary("tap", 1, 1, 0, 0, ("subtracts",))),
}


@pytest.mark.parametrize("name", CASES)
def test_each_frameworks_summary(name: str) -> None:
    output, expected = CASES[name]
    assert parse_summary(output) == expected


@pytest.mark.parametrize("name", ["pytest full", "unittest failed", "go verbose", "jest", "surefire 3"])
def test_windows_line_endings_and_colour_codes_parse_the_same(name: str) -> None:
    output, expected = CASES[name]
    coloured = output.replace("failed", "\x1b[31m\x1b[1mfailed\x1b[0m").replace("passed", "\x1b[32mpassed\x1b[0m")
    assert parse_summary(coloured.replace("\n", "\r\n")) == expected


def test_pytest_colour_as_pytest_writes_it() -> None:
    line = "\x1b[31m\x1b[1m1 failed\x1b[0m, \x1b[32m2 passed\x1b[0m\x1b[31m in 0.12s\x1b[0m\n"
    assert parse_summary(line) == Summary("pytest", 2, 1, 0, 0)


def test_several_runs_in_one_output_add_up() -> None:
    output = "5 passed in 0.01s\n" + "== 1 failed, 9 passed in 0.03s ==\n"
    assert parse_summary(output) == Summary("pytest", 14, 1, 0, 0)


def test_the_framework_the_command_names_is_the_one_read() -> None:
    both = "Ran 2 tests in 0.001s\n\nOK\n" + "Tests:       1 failed, 1 passed, 2 total\n"
    assert parse_summary(both).framework == "unittest"  # PARSERS order
    assert parse_summary(both, "jest") == Summary("jest", 1, 1, 0, 0)
    assert parse_summary(both, "cargo") is None  # `cargo test` prints libtest's summary or none
    assert parse_summary(both, "tox") is not None  # not a framework with a parser: any summary


@pytest.mark.parametrize(
    "output",
    [
        "",
        "Everything passed in the end, 3 passed in review\n",  # prose, not a summary line
        "I ran the tests: 2 passed in 0.1s and nothing failed\n",
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n",  # `--- ` of a diff is not go's `--- FAIL:`
        "ok so now FAILED is just a word\n",
        "Tests run: many\n",
    ],
)
def test_text_that_is_no_summary_is_none(output: str) -> None:
    assert parse_summary(output) is None


def test_failing_names_are_capped_and_bounded() -> None:
    names = "".join(f"FAILED tests/test_x.py::test_{k} - {'x' * 5000}\n" for k in range(MAX_FAILING + 50))
    found = parse_summary(names + f"{MAX_FAILING + 50} failed in 1.0s\n")
    assert found is not None and found.failed == MAX_FAILING + 50
    assert len(found.failing) == MAX_FAILING and all(len(name) <= 300 for name in found.failing)
    assert found.failing[0] == "tests/test_x.py::test_0"


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 10_000_000,  # one 10 MB line
        "1 passed, " * 1_000_000,  # a summary that never ends
        ("FAILED " + "a - " * 100_000 + "\n") * 5,
        "Tests:  " + "1 failed, " * 200_000 + "\n",
        "\x1b[" * 1_000_000,
        "--- FAIL: " * 500_000,
        "Ran 3 tests in 0.1s\n" * 200_000,  # no status line after any of them
    ],
    ids=["long line", "endless summary", "many dashes", "endless jest", "escape junk", "go junk", "unittest without status"],
)
def test_huge_and_hostile_outputs_cost_little(hostile: str) -> None:
    start = time.perf_counter()
    parse_summary(hostile)
    assert time.perf_counter() - start < 10  # a guard against runaway backtracking, not a timing (2.8 s at load 9)


def test_a_summary_at_the_end_of_a_huge_output_is_found() -> None:
    output = "collected 1 item\n" + "log line\n" * 500_000 + "1 passed in 9.0s\n"
    assert parse_summary(output) == Summary("pytest", 1, 0, 0, 0)
