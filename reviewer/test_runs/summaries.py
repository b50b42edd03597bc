"""Test frameworks' summary lines: the counts a run printed, and the names of the tests that failed.

Qt-free. Each parser reads one framework's own end-of-run lines as the framework prints them (the
formats and their sources are in `tests/testruns/test_summaries.py`). A count the output does not
state is None. A category a summary leaves out because it is zero (pytest, jest and vitest list only
the non-zero ones; unittest's `OK` has no failures) is 0 once the summary line is there. Several
summaries of one framework in one output (cargo's unit, integration and doc tests, maven modules,
`pytest a; pytest b`) are added up: the counts are those of the whole command.

Bounded cost on huge outputs: colour codes are removed first, only the last `MAX_SCAN` characters
are read (summaries come last; `TAIL_SCAN` for a command that is no test command), every pattern is
anchored at a line start with bounded repetition, and a parser runs only when its keyword occurs (a
substring test).

Public API: `Summary`, `parse_summary(output, framework=None) -> Summary | None`, `might_hold_summary(output)`
(the cheap first look), `PARSERS` (framework name, keywords, parser), `MAX_FAILING`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reviewer.ansi import SGR

MAX_SCAN = 1_000_000  # characters read from the end of an output
TAIL_SCAN = 5_000  # ... and looked at for a summary when the command is no test command (Maven's help after its totals fits)
MAX_FAILING = 100  # failing test names kept per run
MAX_NAME = 300  # characters of one name
MAX_RUNS = 1000  # summaries of one kind added up per output (more is junk, not a test log)


@dataclass(frozen=True, slots=True)
class Summary:
    framework: str
    passed: int | None = None
    failed: int | None = None
    errors: int | None = None
    skipped: int | None = None
    failing: tuple[str, ...] = field(default=())


def parse_summary(output: str, framework: str | None = None) -> Summary | None:
    """The summary `output` prints: the `framework`'s when the command names one (pytest prints pytest's
    summary, whatever else the output holds), else the first found in `PARSERS` order. None when no
    summary line is found."""
    text = output[-MAX_SCAN:]
    if "\x1b" in text:
        text = SGR.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if framework in _PARSER:
        return _PARSER[framework](text)
    for _, keywords, parse in PARSERS:
        if any(k in text for k in keywords) and (found := parse(text)) is not None:
            return found
    return None


def might_hold_summary(output: str) -> bool:
    """A cheap first look at the output of a command that is no test command: does its end (`TAIL_SCAN`,
    where summaries are) hold any keyword of a summary line? Most outputs do not."""
    tail = output[-TAIL_SCAN:]
    for keyword in _ALL_KEYWORDS:  # a plain loop: most outputs are short, and a generator would cost more than the scans
        if keyword in tail:
            return True
    return False


def _column_sums(rows: list[tuple[str, ...]]) -> list[int]:
    """Each column of matched count groups added up (a group that did not match counts 0)."""
    return [sum(int(value or 0) for value in column) for column in zip(*rows, strict=True)]


def _names(matches: Iterable[str]) -> tuple[str, ...]:
    """Distinct names in order, at most MAX_FAILING."""
    seen: dict[str, None] = {}
    for name in matches:
        name = name.strip()[:MAX_NAME]
        if name:
            seen.setdefault(name, None)
            if len(seen) >= MAX_FAILING:
                break
    return tuple(seen)


def _counts(items: str) -> dict[str, int]:
    """`1 failed, 2 passed` / `1 failed | 2 passed` as {word: n} (plural and singular alike)."""
    found: dict[str, int] = {}
    for n, word in _COUNT.findall(items):
        word = {"errors": "error", "warnings": "warning"}.get(word, word)
        found[word] = found.get(word, 0) + int(n)
    return found


Parser = Callable[[str], Summary | None]
_COUNT = re.compile(r"(\d{1,9}) ([a-z]{1,12})")

# --- pytest: "==== 1 failed, 2 passed, 1 skipped, 1 error in 0.12s ====", "no tests ran in 0.01s", -q without "=".
_PYTEST = re.compile(
    r"^=*[ \t]*((?:\d{1,9} (?:passed|failed|errors?|skipped|xfailed|xpassed|warnings?|deselected|rerun)(?:, )?){1,12}"
    r"|no tests ran)"
    r" in \d{1,9}(?:\.\d{1,9})? ?s(?:econds)?(?: \(\d{1,4}:\d\d:\d\d\))?[ \t]*=*[ \t]*$",
    re.MULTILINE,
)
# "FAILED tests/x.py::test_y - AssertionError" (short summary), "tests/x.py::test_y FAILED   [ 50%]" (-v).
_PYTEST_FAILING = re.compile(r"^(?:FAILED|ERROR) ([^\n]{1,600})|^(\S{1,600}::\S{1,600}) (?:FAILED|ERROR)\b", re.MULTILINE)


def _pytest(text: str) -> Summary | None:
    lines = _PYTEST.findall(text)
    if not lines:
        return None
    counts = [_counts(line) for line in lines]
    failing = (short.split(" - ", 1)[0] if short else verbose for short, verbose in _PYTEST_FAILING.findall(text))
    return Summary(
        "pytest",
        sum(c.get("passed", 0) for c in counts),
        sum(c.get("failed", 0) for c in counts),
        sum(c.get("error", 0) for c in counts),
        sum(c.get("skipped", 0) for c in counts),
        _names(failing),
    )


# --- unittest: "Ran 3 tests in 0.002s" then "FAILED (failures=1, errors=1)" / "OK (skipped=1)" / "NO TESTS RAN".
_UNITTEST = re.compile(r"^Ran (\d{1,9}) tests? in \d{1,9}(?:\.\d{1,9})?s[ \t]*$", re.MULTILINE)
_UNITTEST_STATUS = re.compile(r"^(OK|FAILED|NO TESTS RAN)(?: \(([a-z =,\d]{1,200})\))?[ \t]*$", re.MULTILINE)
_UNITTEST_FAILING = re.compile(r"^(?:FAIL|ERROR): (\S{1,300} \([^)\n]{1,300}\))", re.MULTILINE)


def _unittest(text: str) -> Summary | None:
    passed = failed = errors = skipped = 0
    found = False
    for ran in itertools.islice(_UNITTEST.finditer(text), MAX_RUNS):
        status = _UNITTEST_STATUS.search(text, ran.end(), ran.end() + 300)  # a blank line or two after "Ran"
        if status is None:
            continue
        found = True
        details = {k.strip(): int(v) for k, v in re.findall(r"([a-z ]{1,30})=(\d{1,9})", status.group(2) or "")}
        failures = details.get("failures", 0) + details.get("unexpected successes", 0)
        failed += failures
        errors += details.get("errors", 0)
        skipped += details.get("skipped", 0)
        passed += (
            int(ran.group(1))
            - failures
            - details.get("errors", 0)
            - details.get("skipped", 0)
            - details.get("expected failures", 0)
        )
    if not found:
        return None
    return Summary("unittest", max(passed, 0), failed, errors, skipped, _names(_UNITTEST_FAILING.findall(text)))


# --- go test: "--- FAIL: TestX (0.00s)" (subtests indented), "ok  \tpkg\t0.01s", "FAIL\tpkg [build failed]".
_GO_TEST = re.compile(r"^--- (PASS|FAIL|SKIP): (\S{1,300})", re.MULTILINE)
_GO_PACKAGE = re.compile(
    r"^(ok|FAIL)[ \t]+\S{1,300}(?:[ \t]+(\[[^\]\n]{1,60}\]|\(cached\)|\d{1,9}(?:\.\d{1,9})?s))", re.MULTILINE
)


def _go(text: str) -> Summary | None:
    tests = _GO_TEST.findall(text)
    packages = _GO_PACKAGE.findall(text)
    if not tests and not packages:
        return None
    verbose = "=== RUN" in text  # with -v every test says PASS or SKIP; without, only failures are printed
    failing = [name for status, name in tests if status == "FAIL"]
    # A package that failed to build, or failed with no failing test named (a panic, TestMain exiting), is an error.
    broken = sum(1 for status, note in packages if status == "FAIL" and (note.startswith("[") or not failing))
    return Summary(
        "go",
        sum(1 for status, _ in tests if status == "PASS") if verbose else None,
        len(failing),
        broken,
        sum(1 for status, _ in tests if status == "SKIP") if verbose else None,
        _names(failing),
    )


# --- cargo test: "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s".
_CARGO = re.compile(r"^test result: (?:ok|FAILED)\. (\d{1,9}) passed; (\d{1,9}) failed; (\d{1,9}) ignored;", re.MULTILINE)
_CARGO_FAILING = re.compile(r"^test (\S{1,300}) \.\.\. FAILED[ \t]*$", re.MULTILINE)


Counts = tuple[int | None, int | None, int | None, int | None]


def _count_lines(
    framework: str, pattern: re.Pattern[str], failing: re.Pattern[str], counts: Callable[[list[int]], Counts]
) -> Parser:
    """A parser for frameworks that print one line of counts per run: the lines' columns are added up,
    and `counts` turns the sums into (passed, failed, errors, skipped)."""

    def parse(text: str) -> Summary | None:
        if not (rows := pattern.findall(text)):
            return None
        return Summary(framework, *counts(_column_sums(rows)), _names(failing.findall(text)))

    return parse


_cargo = _count_lines("cargo", _CARGO, _CARGO_FAILING, lambda c: (c[0], c[1], None, c[2]))  # passed, failed, ignored


# --- jest: "Tests:       1 failed, 2 passed, 3 total", "Test Suites: 1 failed, 1 total", "  ✕ adds (5 ms)".
# A run of spaces is read once: tried again from each place inside it, with a lazy group of up to 200 or
# 300 characters after each, a long run cost a second per megabyte of output. So the run after the label
# is possessive (`[ \t]++`; vitest's also matches one space short, as a greedy run gave one back, when the
# counts are empty: `Tests   (3)`), and a lazy name ends on a character that is not a space or tab unless
# the timing follows (a name ending inside a run is the same name ended at the run's start).
_JEST = re.compile(r"^Tests:[ \t]++([^\n]{0,200}?)\d{1,9} total[ \t]*$", re.MULTILINE)
_JEST_SUITES = re.compile(r"^Test Suites:[ \t]++([^\n]{0,200}?)\d{1,9} total[ \t]*$", re.MULTILINE)
_JEST_FAILING = re.compile(
    r"^[ \t]+✕ ([^\n]{0,299}?(?:[^ \t\n]|[ \t](?= \()))(?: \(\d{1,9}(?:\.\d+)? ?m?s\))?[ \t]*$", re.MULTILINE
)
# --- vitest: "      Tests  1 failed | 2 passed (3)", " Test Files  1 failed (1)", " FAIL  src/a.test.ts > suite > adds".
_VITEST_RUN = r"(?:[ \t]{2,}+|[ \t]{2,}(?=[ \t]\())"
_VITEST = re.compile(rf"^[ \t]*+Tests{_VITEST_RUN}([^\n]{{1,200}}?)\(\d{{1,9}}\)[ \t]*$", re.MULTILINE)
_VITEST_FILES = re.compile(rf"^[ \t]*+Test Files{_VITEST_RUN}([^\n]{{1,200}}?)\(\d{{1,9}}\)[ \t]*$", re.MULTILINE)
_VITEST_FAILING = re.compile(
    r"^[ \t]*+FAIL[ \t]++(\S{1,300} > [^\n]{0,299}?(?:[^ \t\n]|[ \t](?= \d)))(?: \d{1,9}ms)?[ \t]*$", re.MULTILINE
)


def _suites(
    framework: str, tests: re.Pattern[str], files: re.Pattern[str], failing: re.Pattern[str], text: str
) -> Summary | None:
    """jest and vitest: a count line of tests and one of test files (suites). A file that failed with no
    failing test did not run (a syntax error, an import that throws): counted as an error."""
    lines = tests.findall(text)
    if not lines:
        return None
    counts = [_counts(items) for items in lines]
    failed = sum(c.get("failed", 0) for c in counts)
    files_failed = sum(_counts(items).get("failed", 0) for items in files.findall(text))
    return Summary(
        framework,
        sum(c.get("passed", 0) for c in counts),
        failed,
        files_failed if not failed else 0,
        sum(c.get("skipped", 0) + c.get("todo", 0) for c in counts),
        _names(failing.findall(text)),
    )


def _jest(text: str) -> Summary | None:
    return _suites("jest", _JEST, _JEST_SUITES, _JEST_FAILING, text)


def _vitest(text: str) -> Summary | None:
    return _suites("vitest", _VITEST, _VITEST_FILES, _VITEST_FAILING, text)


# --- mocha: "  2 passing (8ms)", "  1 failing", "  1 pending"; failing tests listed inline as "  1) title".
_MOCHA = re.compile(r"^[ \t]*(\d{1,9}) passing \(\d{1,9}(?:\.\d+)?(?:ms|s|m)\)[ \t]*$", re.MULTILINE)
_MOCHA_OTHER = re.compile(r"^[ \t]*(\d{1,9}) (failing|pending)[ \t]*$", re.MULTILINE)
_MOCHA_FAILING = re.compile(r"^[ \t]+\d{1,6}\) ([^\n]{1,300})$", re.MULTILINE)


def _mocha(text: str) -> Summary | None:
    passing = list(_MOCHA.finditer(text))
    if not passing:
        return None
    other: dict[str, int] = {}
    for n, word in _MOCHA_OTHER.findall(text, passing[0].start()):
        other[word] = other.get(word, 0) + int(n)
    inline = _MOCHA_FAILING.findall(text, 0, passing[-1].start())  # the spec reporter's "  1) title" lines before the summary
    return Summary(
        "mocha", sum(int(m.group(1)) for m in passing), other.get("failing", 0), None, other.get("pending", 0), _names(inline)
    )


# --- maven surefire: "Tests run: 5, Failures: 1, Errors: 0, Skipped: 1" (totals), per class with ", Time elapsed".
_SUREFIRE = re.compile(
    r"^(?:\[(?:INFO|ERROR|WARNING)\] )?Tests run: (\d{1,9}), Failures: (\d{1,9}), Errors: (\d{1,9}), Skipped: "
    r"(\d{1,9})([^\n]{0,300})$",
    re.MULTILINE,
)
_SUREFIRE_FAILING = re.compile(
    r"^(?:\[ERROR\] )?([\w.$]{1,300}(?:\([\w.$]{1,300}\))?)[ \t]+(?:-- )?Time elapsed: [\d.,]{1,20} s(?:ec)?"
    r"[ \t]+<<< (?:FAILURE|ERROR)!",
    re.MULTILINE,
)


def _maven(text: str) -> Summary | None:
    if not (lines := _SUREFIRE.findall(text)):
        return None
    totals = [line[:4] for line in lines if "Time elapsed" not in line[4]] or [line[:4] for line in lines]  # per class: no total
    run, failures, errors, skipped = _column_sums(totals)
    return Summary("maven", run - failures - errors - skipped, failures, errors, skipped, _names(_SUREFIRE_FAILING.findall(text)))


# --- gradle: "5 tests completed, 1 failed, 1 skipped", "AppTest > testFoo() FAILED".
_GRADLE = re.compile(r"^(\d{1,9}) tests? completed, (\d{1,9}) failed(?:, (\d{1,9}) skipped)?[ \t]*$", re.MULTILINE)
_GRADLE_FAILING = re.compile(r"^(\S[^\n]{0,300}? > [^\n]{1,300}?) FAILED[ \t]*$", re.MULTILINE)


_gradle = _count_lines(
    "gradle", _GRADLE, _GRADLE_FAILING, lambda c: (c[0] - c[1] - c[2], c[1], None, c[2])
)  # completed, failed, skipped


# --- node's test runner (node --test, spec reporter): "ℹ tests 7", "ℹ pass 5", "ℹ fail 2", "✖ name (1.9ms)".
_NODE = re.compile(r"^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d{1,9})[ \t]*$", re.MULTILINE)
_NODE_FAILING = re.compile(r"^[ \t]*✖ ([^\n]{1,300}?) \(\d{1,9}(?:\.\d{1,9})?ms\)[ \t]*$", re.MULTILINE)
# --- TAP (node --test before node 20, node-tap, prove): "# pass 5", "# fail 2", "not ok 3 - name".
_TAP = re.compile(r"^# (tests|pass|fail|cancelled|skip|todo) (\d{1,9})[ \t]*$", re.MULTILINE)
_TAP_FAILING = re.compile(r"^[ \t]*not ok \d{1,9} - ([^\n#]{1,300})", re.MULTILINE)


def _tallied(framework: str, pattern: re.Pattern[str], failing: re.Pattern[str], text: str) -> Summary | None:
    """Runners that print one count per line (`ℹ pass 5`, `# pass 5`); several runs add up."""
    counts: dict[str, int] = {}
    for word, n in pattern.findall(text):
        counts[word] = counts.get(word, 0) + int(n)
    if "pass" not in counts and "fail" not in counts:
        return None
    return Summary(
        framework, counts.get("pass", 0), counts.get("fail", 0), counts.get("cancelled", 0),
        counts.get("skipped", counts.get("skip", 0)) + counts.get("todo", 0), _names(failing.findall(text)),
    )  # fmt: skip


def _node(text: str) -> Summary | None:
    return _tallied("node", _NODE, _NODE_FAILING, text)


def _tap(text: str) -> Summary | None:
    return _tallied("tap", _TAP, _TAP_FAILING, text)


# (framework, keywords of which one must occur, parser), in the order tried when the command names none.
PARSERS: tuple[tuple[str, tuple[str, ...], Parser], ...] = (
    ("pytest", (" passed", " failed", " error", "no tests ran", " skipped", " deselected", " xfailed", " xpassed"), _pytest),
    ("unittest", ("Ran ",), _unittest),
    ("maven", ("Tests run: ",), _maven),
    ("gradle", (" tests completed", " test completed"), _gradle),
    ("cargo", ("test result: ",), _cargo),
    ("go", ("--- FAIL", "--- PASS", "ok  ", "ok\t", "FAIL\t", "FAIL "), _go),
    ("jest", ("Tests:",), _jest),
    ("vitest", ("Tests  ",), _vitest),
    ("mocha", (" passing (",), _mocha),
    ("node", ("ℹ pass", "ℹ fail"), _node),
    ("tap", ("# pass", "# fail"), _tap),
)
_ALL_KEYWORDS = tuple(dict.fromkeys(k for _, keywords, _ in PARSERS for k in keywords))
_PARSER = {name: parse for name, _, parse in PARSERS}
