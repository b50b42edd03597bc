"""Generators of synthetic trajectory files, one module per format, for the import benchmark and tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def write_files(folder: Path, n: int, name: Callable[[int], str], text: Callable[[int], str]) -> list[Path]:
    """`n` files in `folder` (made if missing): file i is called `name(i)` and holds `text(i)`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name(i) for i in range(n)]
    for i, path in enumerate(paths):
        path.write_text(text(i), encoding="utf-8")
    return paths
