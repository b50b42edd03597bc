"""Files beside a file, for runs that one tool splits over several files (continuations, resumed
sessions). Only the file's own folder is looked in, and a link there leading out of it is never
followed: a downloaded run must not make the import read a file elsewhere.
"""

from __future__ import annotations

from pathlib import Path


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` is a file in `folder` that stays there once links are resolved."""
    try:
        return path.parent == folder and path.is_file() and path.resolve().parent == folder.resolve()
    except OSError:
        return False


def beside(path: Path, pattern: str) -> list[Path]:
    """The other files of `path`'s folder matching a glob pattern, in name order."""
    folder = path.parent
    return [p for p in sorted(folder.glob(pattern)) if p != path and inside(p, folder)]
