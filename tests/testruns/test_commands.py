"""Which commands run tests (`reviewer.test_runs.commands`): by program and arguments, inside compound
shell lines and wrappers, never from words in an echo, a grep pattern or a heredoc body."""

from __future__ import annotations

import time

import pytest

from reviewer.model import ToolCall
from reviewer.test_runs.commands import (
    only_views,
    prompt_scripts,
    runner_of,
    runner_span,
    shell_script,
    simple_commands,
    target,
)

# (command, runner name, framework it names)
RUNS = [
    ("pytest", "pytest", "pytest"),
    ("py.test -x", "pytest", "pytest"),
    ("cd repo && python -m pytest -x tests/", "pytest", "pytest"),
    ("python3 -W ignore -m pytest -q", "pytest", "pytest"),
    ("/usr/bin/python3.11 -m pytest", "pytest", "pytest"),
    ("coverage run -m pytest", "pytest", "pytest"),
    (".venv/bin/pytest tests/test_a.py::test_b", "pytest", "pytest"),
    ("timeout 60 python -m pytest", "pytest", "pytest"),
    ("timeout -s KILL 10 pytest", "pytest", "pytest"),
    ("FOO=1 PYTHONPATH=src uv run pytest -q", "pytest", "pytest"),
    ("poetry run pytest", "pytest", "pytest"),
    ("conda run -n env pytest", "pytest", "pytest"),
    ("sudo -u app env CI=1 pytest", "pytest", "pytest"),
    ("bash -c 'cd x && pytest'", "pytest", "pytest"),
    ("sh -c \"bash -c 'pytest'\"", "pytest", "pytest"),
    ("ls\npytest -q 2>&1 | tail -5", "pytest", "pytest"),
    ("cat <<EOF > test_a.py && python test_a.py\nimport x\nEOF", "script", None),
    ("python -m unittest discover -s tests", "unittest", "unittest"),
    ("python -m unittest tests.test_x", "unittest", "unittest"),
    ("python manage.py test app", "unittest", "unittest"),
    ("python -m django test", "unittest", "unittest"),
    ("python3 tests/runtests.py utils_tests.test_dateparse", "script", None),  # Django's runner
    ("python test.py", "script", None),
    ("python tests.py", "script", None),
    ("python check.py", "script", None),
    ("python run_tests.py", "script", None),
    ("python tests/test_parse.py", "script", None),
    ("bash run_tests.sh", "script", None),
    ("./run_tests.sh --fast", "script", None),
    ("node src/sum.test.js", "script", None),
    ("go test ./...", "go", "go"),
    ("cd /src && go test -v -run TestX ./pkg/...", "go", "go"),
    ("cargo test --release", "cargo", "cargo"),
    ("cargo nextest run", "cargo", "cargo"),
    ("npm test", "npm", None),
    ("npm t", "npm", None),
    ("npm test -- --watch=false", "npm", None),
    ("npm run test:unit", "npm", None),
    ("yarn test", "yarn", None),
    ("pnpm test", "pnpm", None),
    ("pnpm run test", "pnpm", None),
    ("bun test", "bun", None),
    ("npx jest src", "jest", "jest"),
    ("npx --yes vitest run", "vitest", "vitest"),
    ("yarn jest", "jest", "jest"),
    ("pnpm exec mocha", "mocha", "mocha"),
    ("./node_modules/.bin/jest", "jest", "jest"),
    ("mocha test/", "mocha", "mocha"),
    ("node --test", "node", "node"),
    ("mvn -q test", "maven", "maven"),
    ("./mvnw -pl core verify", "maven", "maven"),
    ("mvn surefire:test", "maven", "maven"),
    ("gradle test", "gradle", "gradle"),
    ("./gradlew :app:test --tests AppTest", "gradle", "gradle"),
    ("./gradlew check", "gradle", "gradle"),
    ("make test", "make", None),
    ("make -C build check", "make", None),
    ("make test-unit", "make", None),
    ("tox -e py311", "tox", None),
    ("nox -s tests", "nox", None),
    ("python -m tox", "tox", None),
    ("dotnet test", "dotnet", "dotnet"),
    ("ctest --output-on-failure", "ctest", "ctest"),
    ("if pytest -q; then echo ok; fi", "pytest", "pytest"),
    ("{ cd x; ! go test ./...; }", "go", "go"),
    ("bundle exec rspec", None, None),  # bundle exec is not a wrapper we know: not claimed
]

NOT_RUNS = [
    "echo pytest",
    "grep -rn pytest .",
    "cat tests/test_x.py",
    "sed -n 1,20p tests/test_x.py",
    "python -c 'import pytest; print(pytest.__version__)'",
    "pip install pytest",
    "python reproduce.py",
    "python tests/missing_colon.py",  # a script that lives in tests/ but is not named as one (SWE-agent's test repo)
    "cd /workspace && ./ponylang__ponyc__0.1/ponyc test.pony -o . && ./test",  # a program named test (OpenHands, ponyc)
    'echo "int main() { return 0; }" > /workspace/test.c',
    "make",
    "make clean && make",
    "npm run build",
    "npm install",
    "gradle build",
    "mvn compile",
    "go build ./...",
    "cargo build",
    "cat <<'EOF' > t.py\npytest\ngo test ./...\nEOF\npython t.py",  # the heredoc body is written, not run
    "git log --grep test",
    "find . -name '*test*'",
    "# pytest later",
]


@pytest.mark.parametrize(("command", "name", "framework"), RUNS)
def test_commands_that_run_tests(command: str, name: str | None, framework: str | None) -> None:
    runner = runner_of(command)
    assert (runner.name if runner else None, runner.framework if runner else None) == (name, framework)


@pytest.mark.parametrize("command", NOT_RUNS)
def test_commands_that_do_not_run_tests(command: str) -> None:
    assert runner_of(command) is None


def test_a_test_command_after_a_long_heredoc() -> None:
    script = "cat <<'EOF' > data.txt\n" + "row\n" * 5_000 + "EOF\npython -m pytest -q"
    assert runner_of(script) is not None


def test_the_words_after_the_runner_are_kept() -> None:
    runner = runner_of("cd repo && python -m pytest -x 'tests/test_x.py::test_a[b c]'")
    assert runner is not None and runner.args == ("-x", "tests/test_x.py::test_a[b c]")


def test_scripts_the_prompt_names_as_the_tests() -> None:
    # tip 8 of SWE-agent's HumanEvalFix demonstration prompt (trajectories/demonstrations/human_thought__...)
    prompt = (
        "7. You should **only** be editing the main.py file. You can look at other files, but don't modify them.\n\n"
        "8. If the main.py file has tests in it, you should not edit them, but you can run main.py to see if the tests pass. "
        "If there is a test.py file, run test.py instead of main.py to see if the tests pass."
    )
    scripts = prompt_scripts(prompt)
    assert scripts == {"main.py", "test.py"}
    assert runner_of("python main.py", scripts) is not None
    assert runner_of("python main.py") is None  # without the prompt, main.py is just a program
    assert prompt_scripts("Create reproduce.py and run it.\nWe'll create a new file called `reproduce.py`.") == frozenset()
    assert prompt_scripts("To run the tests: `python grade.py`. Keep notes in notes.py.") == {"grade.py"}


def test_only_views() -> None:
    assert only_views("cat log.txt | grep Tests") and only_views("git log") and only_views("cd /x && tail -50 build.log")
    assert not only_views("bash run.sh") and not only_views("cd /x && ./build.sh | tail")


def test_target_is_the_tests_a_run_ran() -> None:
    assert target("cd /r && python -m pytest -x -q tests/a.py") == target("pytest tests/a.py -v") == "pytest tests/a.py"
    assert target("pytest tests/a.py") != target("pytest tests/b.py")
    assert target("python main.py") == "script main.py"


def test_shell_script_of_any_call_with_a_command() -> None:
    assert shell_script(ToolCall("1", "bash", {"command": "pytest"})) == "pytest"
    assert shell_script(ToolCall("1", "execute", {"cmd": "pytest"})) == "pytest"
    assert shell_script(ToolCall("1", "keystrokes", {"keystrokes": "pytest\n"})) == "pytest\n"
    assert shell_script(ToolCall("1", "pytest", {"command": "pytest tests/"})) == "pytest tests/"  # SWE-agent text action
    assert shell_script(ToolCall("1", "str_replace_editor", {"command": "view", "path": "tests/test_x.py"})) == "view"
    assert runner_of("view") is None and only_views("view")
    assert shell_script(ToolCall("1", "python", {"code": "import pytest"})) is None


def test_quotes_operators_and_redirections() -> None:
    assert simple_commands('a \'b c\' "d \\" e" f\\ g && h|i; j') == [["a", "b c", 'd " e', "f g"], ["h"], ["i"], ["j"]]
    assert simple_commands("cat build.log 2>&1 | tail -50 > /tmp/x") == [["cat", "build.log"], ["tail", "-50"]]
    assert only_views("cat build.log 2>&1 | tail -50")  # `2>&1` is a redirection, not a command `1`
    assert simple_commands("echo 'unterminated && pytest") == []  # bash would not run it either
    assert runner_of("echo 'unterminated && pytest") is None


@pytest.mark.parametrize(
    "hostile",
    [
        "pytest " + "x" * 5_000_000,
        "cat <<EOF > big.txt\n" + "data\n" * 400_000 + "EOF\npytest -q",
        "bash -c " * 100_000 + "pytest",
        "'" * 1_000_000,
        "(" * 100_000 + "pytest",
        '"\\' * 500_000,
        "cat <<EOF\n" * 100_000,
        "test && " * 200_000,
        "npx " * 5_000 + "jest",
        "timeout 1 " * 5_000 + "pytest",
    ],
    ids=[
        "long",
        "long heredoc",
        "nested bash -c",
        "quotes",
        "groups",
        "escapes",
        "heredocs",
        "many commands",
        "nested npx",
        "nested wrappers",
    ],
)
def test_huge_and_hostile_commands_cost_little(hostile: str) -> None:
    start = time.perf_counter()
    runner_of(hostile)
    only_views(hostile)
    assert time.perf_counter() - start < 10  # a guard against runaway backtracking, not a timing (2.8 s at load 9)


@pytest.mark.parametrize(
    ("command", "written"),
    [
        ("cd /repo && python -m pytest -q tests/ 2>&1 | tail -5", "python -m pytest -q tests/"),
        ("timeout 60 go test ./... ; exit 0", "timeout 60 go test ./..."),
        ("echo pytest && npm test", "npm test"),
        ("bash -c 'pytest -x'", "bash -c 'pytest -x"),  # words are found as bash split them: the closing quote is not one
        ("cat README.md", None),
    ],
)
def test_where_the_test_command_is_written(command: str, written: str | None) -> None:
    span = runner_span(command)
    assert (command[span[0] : span[1]] if span else None) == written
