"""A command answers at once: nothing heavy is imported that the command does not use.

Measured in fresh interpreters (subprocesses), since this test process has imported everything.
The timings themselves are in bench/startup_bench.py; these tests pin the causes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_store_imports_neither_pandas_nor_numpy_and_leaves_them_importable() -> None:
    """sqlite-utils imports pandas and numpy whenever installed (0.4 s); the store never needs them."""
    assert not {"pandas", "numpy", "pyarrow"} & modules_after("import reviewer.store")
    later = modules_after("import reviewer.store\nimport pandas, numpy\nassert pandas.DataFrame({'a': [1]}).shape == (1, 1)")
    assert {"pandas", "numpy"} <= later


def test_pandas_imported_first_is_left_alone() -> None:
    code = (
        "import pandas\nimport reviewer.store.database\nfrom sqlite_utils.db import COLUMN_TYPE_MAPPING\n"
        "assert pandas.Timestamp in COLUMN_TYPE_MAPPING"
    )
    assert "pandas" in modules_after(code)


def test_sqlite_utils_is_imported_in_one_place() -> None:
    """Any other import of sqlite_utils would bring pandas back, depending on import order."""
    importers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("reviewer", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if any(
            line.lstrip().startswith(("import sqlite_utils", "from sqlite_utils"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == ["reviewer/store/database.py"]


def modules_of_command(*args: str) -> set[str]:
    """The modules a fresh interpreter holds after running `reviewer ARGS` (in process, as the script does)."""
    run = (
        f"from reviewer.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit as exc:\n"
        "    assert not exc.code, exc.code"
    )
    return modules_after(
        "import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n"
        + "".join(f"    {line}\n" for line in run.splitlines())
    )


HEAVY = {
    "pandas",
    "numpy",
    "jsonschema",
    "PySide6",
    "reviewer.importer",
    "reviewer.formats",
    "reviewer.agreement",
    "reviewer.assist",
    "reviewer.export",
}


def test_version_and_help_import_no_command_and_no_project_code() -> None:
    for args in (["--version"], ["--help"]):
        loaded = modules_of_command(*args)
        assert not {m for m in loaded if m.startswith("reviewer.cli.commands.")}, args
        assert not {"reviewer.store", "sqlite_utils", "rich.table", *HEAVY} & loaded, args


def test_list_imports_the_store_and_nothing_it_does_not_use(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    subprocess.run([sys.executable, "-m", "reviewer", "--db", str(db), "init"], check=True, capture_output=True, cwd=ROOT)
    loaded = modules_of_command("--db", str(db), "list")
    assert {"reviewer.cli.commands.list_", "reviewer.store"} <= loaded
    assert {m for m in loaded if m.startswith("reviewer.cli.commands.")} == {"reviewer.cli.commands.list_"}
    assert not HEAVY & loaded, HEAVY & loaded


def test_every_command_in_the_table_loads_under_its_name() -> None:
    """The table is the only place a command is named before it is loaded: a typo there is a command
    that fails only when someone runs it."""
    import click

    from reviewer.cli.root import COMMANDS, main

    ctx = click.Context(main)
    for name, entry in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name, entry.target
        assert command.get_short_help_str(200) == entry.summary and command.help, name
    assert main.get_command(ctx, "nonsense") is None
