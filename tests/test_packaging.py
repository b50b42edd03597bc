"""The package installs, runs as a module, keeps Qt out of its core and avoids the PySide6 6.12 trap."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_core_imports_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, reviewer\n"
        "app = ('reviewer.gui', 'reviewer.cli.commands.gui')  # the app, and the command that starts it\n"
        "mods = [m.name for m in pkgutil.walk_packages(reviewer.__path__, 'reviewer.') if not m.name.startswith(app) "
        "and m.name != 'reviewer.__main__']\n"
        "[importlib.import_module(m) for m in mods]\n"
        "assert 'reviewer.cli' in mods and 'reviewer.store' in mods, mods\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6') or m.startswith('shiboken')))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_module_outside_gui_imports_pyside() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "reviewer").rglob("*.py")
        if "gui" not in p.relative_to(ROOT / "reviewer").parts and "PySide6" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_python_m_reviewer_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "reviewer", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "import" in result.stdout and "labels" in result.stdout


def test_pyside_pin_excludes_6_12_on_python_before_3_12() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = [d for d in deps if d.startswith("PySide6-Essentials")]
    assert any("<6.12" in d and "python_version < '3.12'" in d for d in pinned), pinned


def test_twenty_thousand_void_qt_calls_do_not_abort() -> None:
    """PySide6-Essentials 6.12.0 on CPython 3.11 decrements None's refcount per void call and aborts."""
    code = (
        "import os, sys\n"
        "os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel()\n"
        "before = sys.getrefcount(None)\n"
        "for i in range(20000):\n"
        "    label.setText(str(i))\n"
        "after = sys.getrefcount(None)\n"
        "print(before, after)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, f"interpreter aborted: {result.stderr[-500:]}"
    before, after = map(int, result.stdout.split())
    if sys.version_info < (3, 12):
        assert after >= before - 100, f"None's refcount fell from {before} to {after}"


@pytest.mark.parametrize("name", ["trajectory", "taxonomy", "label"])
def test_schemas_are_valid_2020_12(name: str) -> None:
    schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


def test_default_taxonomy_matches_its_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "taxonomy.schema.json").read_text())
    data = json.loads((ROOT / "schemas" / "taxonomy.default.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(data)) == []


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make run" in (ROOT / "README.md").read_text()


def test_readme_tours_every_command() -> None:
    from tests.conftest import every_command

    readme = (ROOT / "README.md").read_text()
    commands = [f"reviewer {name}" for name, command in every_command() if not command.hidden]
    assert len(commands) >= 20 and [c for c in commands if c not in readme] == []


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "reviewer", "tests", "bench", "docs"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_lint_is_clean() -> None:
    result = _ruff("check")
    assert result.returncode == 0, result.stdout[-3000:]


def test_code_is_formatted() -> None:
    """`ruff format` is the house layout: a file it would change fails here (run `ruff format` to fix)."""
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout[-3000:]


def test_types_check() -> None:
    """mypy with the project's configuration ([tool.mypy] in pyproject.toml); its cache is .mypy_cache.
    About 8 s from a cold cache on a 2-core machine, under 1 s warm."""
    command = [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_gui_never_hands_text_to_an_html_sink() -> None:
    """Untrusted text must reach widgets as plain text only (docs/untrusted-text.md R1-R3)."""
    sinks = ("setHtml", "insertHtml", "appendHtml", "setToolTip", "QTextBrowser", "setMarkdown", "QLabel(")
    found = [
        f"{p.relative_to(ROOT)}: {sink}"
        for p in (ROOT / "reviewer" / "gui").rglob("*.py")
        for sink in sinks
        if sink in p.read_text(encoding="utf-8")
    ]
    assert found == []


def test_no_merge_conflict_markers_are_left() -> None:
    """A merge once left its markers in the README: every tracked text file is checked."""
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    markers = ("<<<<<<< ", ">>>>>>> ")
    edit_blocks = ("<<<<<<< SEARCH", ">>>>>>> REPLACE")  # Aider's edit format, in the aider fixture: not a merge
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in (".png", ".gz", ".zip", ".eval", ".db") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [
            f"{name}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if line.startswith(markers) and line.rstrip() not in edit_blocks
        ]
    assert found == []


def test_the_version_has_one_source() -> None:
    """reviewer/__init__.py holds it; pyproject.toml reads it and `reviewer --version` prints it."""
    import reviewer

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "reviewer.__version__"}
    result = subprocess.run([sys.executable, "-m", "reviewer", "--version"], capture_output=True, text=True, timeout=60)
    assert result.stdout == f"reviewer, version {reviewer.__version__}\n"
