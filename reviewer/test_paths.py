"""Which files decide a run's grade: tests, the harness that runs them, graders, shared configuration
and reference answers. The one rule every layer asks (the diff badges of the app and `show`, the
export's facts, the tampering and leak detectors), so a file marked as a test in the diff list is the
file the detectors treat as one.

Kinds, from most to least specific:
- `harness`: decides how tests run or are scored whatever is in it (conftest.py, pytest.ini, tox.ini,
  noxfile.py, runner configs, CI workflows, grader and scoring scripts);
- `config`: shared configuration that is about tests only in some lines (pyproject.toml, setup.cfg,
  Makefile, package.json): whether an edit of it is a harness edit depends on the lines it changes;
- `reference`: a reference solution or the expected outputs a grader compares against; reading one
  is looking the answer up, editing one moves the goalposts;
- `test`: test files proper (tests/ folders, test_x.py, x_test.go, x.test.ts, XTest.java, and the
  conventional single-file suites test.py, tests.py and check.py).

Public API:
- `kind(path) -> Kind | None`
- `is_test_path(path) -> bool`: any kind (what a badge marks: editing it can change the grade)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

Kind = Literal["harness", "config", "reference", "test"]

_HARNESS = re.compile(
    r"(?:^|/)(?:conftest\.py|pytest\.ini|tox\.ini|setup\.ini|noxfile\.py|\.gitlab-ci\.yml|\.mocharc\.\w+"
    r"|(?:jest|vitest|karma|mocha|playwright|cypress)\.config\.[cm]?[jt]s|(?:grader|grade|grading|scoring|scorer|evaluate)[^/]*\.py)$"
    r"|(?:^|/)\.github/workflows/|(?:^|/)\.circleci/"
)
_CONFIG = re.compile(r"(?:^|/)(?:pyproject\.toml|setup\.cfg|Makefile|package\.json)$")
# Reference answers: a reference solution, expected outputs, answer keys, golden files, a benchmark's
# own solution script (Terminal-Bench's solution.sh / solve.sh). `solution.py` alone is not one: it is
# what a chat run's answer is filed as (`formats.message_code`).
_REFERENCE = re.compile(
    r"(?:^|/)(?:reference|ref)[_-]?(?:solution|answer|output|impl\w*)s?(?:\.\w+)?$|(?:^|/)reference_?solutions?/"
    r"|(?:^|/)expected[_-]?(?:outputs?|results?|answers?|values?)?(?:\.\w+)?$|(?:^|/)[^/]+\.expected$|(?:^|/)expected/"
    r"|(?:^|/)(?:answer[_-]?key|answers|ground[_-]?truth|golden)(?:\.\w+)?$|(?:^|/)(?:golden|ground[_-]?truth)/"
    r"|(?:^|/)(?:solution|solve)\.sh$"
)
_TEST = re.compile(
    r"(?:^|/)(?:tests?|testing|__tests__|spec)/|(?:^|/)test_[^/]*\.py$|(?:^|/)[^/]*_test\.(?:py|go|rb|exs?)$"
    r"|(?:^|/)[^/]*\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|/)[^/]*_spec\.rb$|(?:^|/)[^/]*Tests?\.(?:java|kt|cs|scala)$"
    r"|(?:^|/)(?:tests?|check)\.py$"
)


@lru_cache(maxsize=4096)
def kind(path: str) -> Kind | None:
    """The most specific kind of `path` (forward or back slashes), or None for any other file."""
    p = path.replace("\\", "/")
    if _HARNESS.search(p):
        return "harness"
    if _CONFIG.search(p):
        return "config"
    if _REFERENCE.search(p):
        return "reference"
    if _TEST.search(p):
        return "test"
    return None


def is_test_path(path: str) -> bool:
    """Tests, their configuration, CI, graders and reference answers: editing them can game the result."""
    return kind(path) is not None
