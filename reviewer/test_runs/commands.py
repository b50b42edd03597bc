"""Which shell commands run tests: the one rule every layer asks (`runner_of`).

Qt-free. A command is read as bash would split it (`formats.shell_syntax`: `cd repo && python -m pytest
-x tests/` holds a test run; a here-document's body is data, not commands; `2>&1` is a redirection),
and each simple command is judged by its program and arguments, after wrappers such as `timeout 60`,
`VAR=1`, `uv run` or `npx`. Words in an `echo` or a `grep` pattern never count: only what is run.

Scripts count as tests when their name says so (`test.py`, `tests.py`, `check.py`, `run_tests.sh`,
`tests/runtests.py`, `test_x.py`, `x_test.py`) or when the task prompt names them as the way to run
the tests (`prompt_scripts`: "you can run main.py to see if the tests pass").

Public API:
- `shell_script(call) -> str | None`: the script of a call that runs a command
- `argv_script(argv) -> str`: the command line an argv list runs
- `runner_of(script, scripts=frozenset()) -> Runner | None`: the first simple command that runs tests
- `runner_span(script, scripts=frozenset()) -> (start, end) | None`: where that command is written
- `only_views(script) -> bool`: every simple command only shows files or text (cat, grep, git log…)
- `prompt_scripts(prompt) -> frozenset[str]`: script names the prompt says to run as the tests
- `target(command) -> str`: what a run tested, to compare runs of the same tests
"""

from __future__ import annotations

import re
import shlex
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from reviewer.model import ToolCall

if TYPE_CHECKING:
    from reviewer.formats.shell_syntax import Script

MAX_READ = 200_000  # characters of a script read as commands at most (a 200 KB heredoc and then `pytest` is missed)
MAX_REMEMBERED = 1000  # scripts up to this long have their answer cached (4,096 of them: at most a few MB)

MAX_NESTING = 4  # `bash -c "bash -c '…'"` is read this deep
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
_PYTHON = re.compile(r"(?:python|pypy)[\d.]*(?:\.exe)?")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_TESTS_WORD = re.compile(r"\btests?\b", re.IGNORECASE)
_RUN_WORD = re.compile(r"\brun", re.IGNORECASE)
# From the start of a name only: a match starting further in would end at the same `.py`, and trying
# each place of a long `a.a.a…` cost quadratic time (the longest name ending in an extension is found).
_SCRIPT_FILE = re.compile(r"(?<![\w.-])[\w.-]+\.(?:py|sh|bash|js|mjs|cjs|ts|rb|pl|php)")
# Script names that say "the tests": test.py, tests.sh, check.py, run_tests.py, runtests.py, test_x.py, x_test.py, x.test.js.
_TEST_SCRIPT = re.compile(
    r"(?:(?:run_?)?tests?|checks?|test_[\w.-]*|[\w.-]*_tests?|[\w-]+\.(?:test|spec))\.(?:py|sh|bash|js|mjs|cjs|ts|rb|pl|php)",
    re.IGNORECASE,
)

# Programs that run a command given after their own options (`timeout 60 pytest`, `env X=1 go test`).
_WRAPPERS = frozenset({"timeout", "time", "env", "sudo", "nice", "nohup", "xvfb-run", "stdbuf", "command", "exec", "unbuffer"})
# ... and those that run it after a subcommand (`uv run pytest`, `poetry run pytest`, `conda run -n x pytest`).
_RUN_WRAPPERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "conda", "mamba", "rye", "pixi"})
_DURATION = re.compile(r"[\d.]+[smhd]?")
_VALUED_OPTIONS = frozenset({"-s", "--signal", "-k", "--kill-after", "-u", "--unset", "-n", "--adjustment", "-o", "-e", "-i"})
_NPX = frozenset({"npx", "bunx", "pnpx"})
_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
# Shell builtins and tools that only show files, text or history: what they print is not a test run.
VIEWERS = frozenset(
    {"cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag", "sed", "awk", "nl", "git", "find", "ls",
     "echo", "printf", "diff", "wc", "sort", "uniq", "cut", "tr", "jq", "xxd", "od", "file", "stat", "cd", "pwd", "tree",
     "which", "type", "true", "false", "sleep", "export", "source", ".", "mkdir", "touch", "cp", "mv", "rm", "chmod",
     # SWE-agent's own editor and search commands, which are tool calls with a `command` too
     "open", "goto", "scroll_up", "scroll_down", "search_file", "search_dir", "find_file", "create", "edit", "submit",
     "view", "str_replace", "insert", "undo_edit"}
)  # fmt: skip
# Frameworks a runner names; the others (npm test, make check, a script) say nothing of the framework.
FRAMEWORK_RUNNERS = frozenset(
    {"pytest", "unittest", "go", "cargo", "jest", "vitest", "mocha", "maven", "gradle", "node", "deno", "phpunit", "rspec",
     "ctest", "dotnet"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Runner:
    """A simple command that runs tests: `name` (pytest, unittest, go, cargo, jest, vitest, mocha, maven,
    gradle, tox, nox, npm, yarn, pnpm, bun, make, script, ...) and the words after the runner itself."""

    name: str
    args: tuple[str, ...]

    @property
    def framework(self) -> str | None:
        return self.name if self.name in FRAMEWORK_RUNNERS else None


def shell_script(call: ToolCall) -> str | None:
    """The script of a call that runs a command (`command`, `cmd` or `keystrokes` as text, or `command` as
    an argv list: Codex's `shell` until late 2025), whatever the tool's name.

    An editor's `{"command": "view"}` reads as the one word `view`, which runs nothing (`VIEWERS`).
    """
    args = call.arguments
    script = args.get("command")
    if isinstance(script, str):
        return script
    if isinstance(script, list) and script and all(isinstance(word, str) for word in script):
        return argv_script(script)
    script = args.get("cmd", args.get("keystrokes"))
    return script if isinstance(script, str) else None


def argv_script(argv: list[str]) -> str:
    """The command line an argv list runs: `bash -lc SCRIPT` runs SCRIPT; other words, quoted as a shell
    would need them."""
    if len(argv) == 3 and argv[1] in ("-c", "-lc"):
        return argv[2]
    return shlex.join(argv)


def runner_of(script: str, scripts: frozenset[str] = frozenset()) -> Runner | None:
    """The first simple command of `script` that runs tests, or None.

    `scripts` are file names the task names as its tests (`prompt_scripts`); run with an interpreter
    or directly, they count like `test.py`. Short scripts are remembered: agents run the same test
    command again and again, and runs of one benchmark share them.
    """
    if len(script) > MAX_REMEMBERED:
        return _first_runner(script, scripts, 0)
    return _remembered_runner(script, scripts)


@lru_cache(maxsize=4096)
def _remembered_runner(script: str, scripts: frozenset[str]) -> Runner | None:
    return _first_runner(script, scripts, 0)


def runner_span(script: str, scripts: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """Where in `script` the first simple command that runs tests is written (from its first word to
    its last one found as written), for evidence a reviewer can jump to; None when none runs tests.

    Words are found in order as bash split them; a word whose quotes bash removed is not found as
    written, so the span ends at the last word that is."""
    if runner_of(script, scripts) is None:
        return None
    cursor = 0
    for words in simple_commands(script):
        found = []
        for word in words:
            at = script.find(word, cursor)
            if at < 0:
                break
            found.append((at, at + len(word)))
            cursor = at + len(word)
        if found and _runner(words, scripts, 0) is not None:
            return found[0][0], found[-1][1]
    return None


def _first_runner(script: str, scripts: frozenset[str], depth: int) -> Runner | None:
    if depth > MAX_NESTING:
        return None
    if not _hinted(script.lower()) and not any(name in script for name in scripts):
        return None
    for words in simple_commands(script):
        found = _runner(words, scripts, depth)
        if found is not None:
            return found
    return None


def _hinted(script: str) -> bool:
    """A cheap first look (most calls stop here): a script without any of these words runs no tests we know."""
    return (
        "test" in script or "check" in script or "spec" in script or "tox" in script or "nox" in script
        or "jest" in script or "mocha" in script or "verify" in script or "npm t" in script
    )  # fmt: skip


def only_views(script: str) -> bool:
    """Whether every simple command of `script` only shows something (a `cat` of a log is not a test run)."""
    return all(_program(_unwrapped(words)) in VIEWERS for words in simple_commands(script))


def target(command: str) -> str:
    """What a test command ran, without its options: `pytest tests/a.py` for `python -m pytest -x tests/a.py`.

    Two runs with the same target ran the same tests, so a pass after a fail is the same tests going green.
    """
    runner = runner_of(command, frozenset(_SCRIPT_FILE.findall(command)))
    if runner is None:
        return " ".join(command.split())
    return " ".join([runner.name, *(a for a in runner.args if not a.startswith("-"))])


def prompt_scripts(prompt: str) -> frozenset[str]:
    """Script names the task prompt says to run as the tests ("run main.py to see if the tests pass"):
    each script name in a sentence that says both "run" and "test(s)"."""
    text = prompt[:200_000]
    found: set[str] = set()
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    for name in _SCRIPT_FILE.finditer(text):
        k = bisect_right(ends, name.start())
        sentence = text[ends[k - 1] if k else 0 : ends[k] if k < len(ends) else len(text)]
        if _TESTS_WORD.search(sentence) and _RUN_WORD.search(sentence):
            found.add(name.group().rsplit("/", 1)[-1])
    return frozenset(found)


def simple_commands(script: str) -> list[list[str]]:
    """The words of each simple command, as bash would split them (`formats.shell_syntax`: quotes removed,
    redirections and here-document bodies apart, reserved words dropped). None for a line bash would
    not run either (an unterminated quote) or one longer than `MAX_READ`."""
    from reviewer.formats.shell_syntax import ShellSyntaxError, Simple, parse  # the formats package imports this one

    found: list[list[str]] = []

    def collect(tree: Script) -> None:  # groups nest as deep as the reader allows (its MAX_DEPTH)
        for pipeline in tree.pipelines:
            for unit in pipeline.units:
                if not isinstance(unit, Simple):
                    collect(unit.script)
                elif unit.words:
                    found.append([word.text for word in unit.words])

    if len(script) > MAX_READ:
        return []
    try:
        collect(parse(script))
    except ShellSyntaxError:
        return []
    return found


def _program(words: list[str]) -> str:
    return words[0].rsplit("/", 1)[-1] if words else ""


def _unwrapped(words: list[str]) -> list[str]:
    """The command a wrapper runs: `timeout 60 pytest` → `pytest`, `X=1 uv run pytest` → `pytest`."""
    i = 0
    while i < len(words):
        word = words[i]
        program = word.rsplit("/", 1)[-1]
        if _ASSIGNMENT.match(word):
            i += 1
        elif program in _WRAPPERS:
            i += 1
            while i < len(words) and (words[i].startswith("-") or _ASSIGNMENT.match(words[i]) or _DURATION.fullmatch(words[i])):
                i += 2 if words[i] in _VALUED_OPTIONS else 1
        elif program in _RUN_WRAPPERS and i + 1 < len(words) and words[i + 1] == "run":
            i += 2
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in ("-n", "--name", "-p", "--prefix", "-e", "--env") else 1
        else:
            break
    return words[i:]


def _runner(words: list[str], scripts: frozenset[str], depth: int) -> Runner | None:
    if depth > MAX_NESTING:
        return None
    words = _unwrapped(words)
    program = _program(words)
    args = words[1:]
    first = args[0] if args else ""

    def found(name: str, rest: list[str] = args) -> Runner:
        return Runner(name, tuple(rest))

    if program in ("pytest", "py.test"):
        return found("pytest")
    if _PYTHON.fullmatch(program) or program == "coverage":
        return _python(words, scripts)
    if program in _SHELLS:
        return _shell(args, scripts, depth)
    if program in _NPX or (program in ("pnpm", "yarn") and first in ("dlx", "exec")):
        rest = args[1:] if program in ("pnpm", "yarn") else args
        while rest and rest[0].startswith("-"):
            rest = rest[1:]
        return _runner(rest, scripts, depth + 1) if rest else None
    if program in ("jest", "vitest", "mocha"):
        return found(program)
    if program == "go" and first == "test":
        return found("go", args[1:])
    if program == "cargo" and first in ("test", "nextest"):
        return found("cargo", args[1:])
    if program in ("yarn", "pnpm", "bun") and first in ("jest", "vitest", "mocha"):
        return found(first, args[1:])
    if program in ("npm", "yarn", "pnpm", "bun"):
        return _package_script(program, args)
    if program in ("mvn", "mvnw") and any(a in ("test", "verify") or a.endswith(":test") for a in args):
        return found("maven")
    if program in ("gradle", "gradlew") and any(a in ("test", "check") or a.endswith((":test", ":check")) for a in args):
        return found("gradle")
    if program in ("make", "gmake") and any(re.fullmatch(r"(?:tests?|check)(?:[-_][\w.-]*)?", a) for a in args):
        return found("make")
    if program in ("tox", "nox", "phpunit", "rspec", "ctest"):
        return found(program)
    if program == "dotnet" and first == "test":
        return found("dotnet", args[1:])
    if program in ("node", "deno") and ("--test" in args or first == "test"):
        return found(program)
    if program in ("node", "ruby", "perl", "php") and args:
        return _script(args[0], args[1:], scripts)
    if words and (words[0].startswith(("./", "/")) or program.endswith((".sh", ".py"))):
        return _script(words[0], args, scripts)
    return None


def _python(words: list[str], scripts: frozenset[str]) -> Runner | None:
    """`python -m pytest`, `python -m unittest`, `python manage.py test`, `python tests/runtests.py`, `coverage run -m pytest`."""
    i = 1
    if _program(words) == "coverage":
        if len(words) < 2 or words[1] != "run":
            return None
        i = 2
    while i < len(words) and words[i].startswith("-") and words[i] not in ("-m", "-c"):
        i += 2 if words[i] in ("-W", "-X", "--rcfile", "--source") else 1
    if i >= len(words) or words[i] == "-c":
        return None
    if words[i] == "-m":
        module = words[i + 1] if i + 1 < len(words) else ""
        rest = tuple(words[i + 2 :])
        if module in ("pytest", "py.test"):
            return Runner("pytest", rest)
        if module in ("unittest", "nose", "nose2", "twisted.trial"):
            return Runner("unittest", rest)
        if module in ("tox", "nox"):
            return Runner(module, rest)
        if module == "django" and rest[:1] == ("test",):
            return Runner("unittest", rest[1:])
        return None
    if words[i].rsplit("/", 1)[-1] == "manage.py" and words[i + 1 : i + 2] == ["test"]:
        return Runner("unittest", tuple(words[i + 2 :]))  # Django's runner prints unittest's summary
    return _script(words[i], words[i + 1 :], scripts)


def _shell(args: list[str], scripts: frozenset[str], depth: int) -> Runner | None:
    """`bash -c "…"` runs its string; `bash run_tests.sh` runs a script."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] in ("-c", "-lc", "-ic", "-xc", "-ec") and i + 1 < len(args):
            return _first_runner(args[i + 1], scripts, depth + 1)
        i += 1
    return _script(args[i], args[i + 1 :], scripts) if i < len(args) else None


def _package_script(program: str, args: list[str]) -> Runner | None:
    """`npm test`, `npm t`, `npm run test:unit`, `yarn test`, `pnpm run test`, `bun test`."""
    rest = [a for a in args if not a.startswith("-")]
    if rest[:1] == ["run"]:
        rest = rest[1:]
        is_test = bool(rest) and bool(re.fullmatch(r"tests?(?:[:_-][\w:.-]*)?", rest[0]))
    else:
        is_test = bool(rest) and (rest[0] in ("test", "tests") or (program == "npm" and rest[0] == "t"))
    return Runner(program, tuple(rest)) if is_test else None


def _script(path: str, args: list[str], scripts: frozenset[str]) -> Runner | None:
    name = path.rsplit("/", 1)[-1]
    if name in scripts or _TEST_SCRIPT.fullmatch(name):
        return Runner("script", (path, *args))
    return None
