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
    code = "import pandas\nimport reviewer.store.database\nfrom sqlite_utils.db import COLUMN_TYPE_MAPPING\nassert pandas.Timestamp in COLUMN_TYPE_MAPPING"
    assert "pandas" in modules_after(code)


def test_sqlite_utils_is_imported_in_one_place() -> None:
    """Any other import of sqlite_utils would bring pandas back, depending on import order."""
    importers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("reviewer", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if any(line.lstrip().startswith(("import sqlite_utils", "from sqlite_utils")) for line in path.read_text(encoding="utf-8").splitlines())
    )
    assert importers == ["reviewer/store/database.py"]
